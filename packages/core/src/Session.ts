/**
 * The Auth0 session of a login: revoke it, shorten its lifetime, choose its cookie, and keep string metadata on it
 * (Auth0's `api.session.*`). All of it needs an Enterprise plan; the cookie mode and metadata are Early Access.
 * Changes are recorded as data in the Decision; a revocation is a denial (`SessionRevoked`), since Auth0 ends the
 * login with it.
 *
 * The same model serves refresh tokens (RefreshToken), which the Decision keeps apart.
 *
 * **Two rules that disagree**
 *
 * - Expiries: the earliest wins, as Auth0 applies them (`setExpiresAt`, `setIdleExpiresAt`).
 * - Cookie mode: the later rule wins, as Auth0's "last call wins".
 * - Metadata: the later write of a key wins; `evictMetadata` drops what earlier rules wrote and everything already
 *   stored, and what later rules write is kept.
 * - A revocation is a denial, so it ends the run like any other: the other rules' decisions are not applied.
 *
 * The adapter checks, before any `api` call, that expiries are whole milliseconds since the epoch and that metadata
 * keeps within Auth0's session metadata limits (at most 25 keys, keys and values of at most 255 characters).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { type Decisions, recordMore } from "./Decision.ts"
import * as Denial from "./Denial.ts"
import { type Revocation, RevocationId } from "./Revocation.ts"

/**
 * Changes to a session or a refresh token. Metadata writes come after an eviction: `null` deletes a key.
 *
 * @category models
 * @since 0.1.0
 */
export interface Changes {
  /** Absolute expiry, in milliseconds since the epoch. */
  readonly expiresAt?: number | undefined
  /** Idle expiry, in milliseconds since the epoch. */
  readonly idleExpiresAt?: number | undefined
  /** Sessions only. */
  readonly cookieMode?: CookieMode | undefined
  /** Drop all stored metadata before the writes. */
  readonly evictMetadata: boolean
  readonly metadata: Readonly<Record<string, string | null>>
}

/**
 * A session cookie that outlives the browser, or not.
 *
 * @category models
 * @since 0.1.0
 */
export type CookieMode = "persistent" | "non-persistent"

/**
 * The mutable changes of one kind inside a Draft.
 *
 * @category models
 * @since 0.1.0
 */
export interface DraftChanges {
  expiresAt?: number | undefined
  idleExpiresAt?: number | undefined
  cookieMode?: CookieMode | undefined
  evictMetadata: boolean
  readonly metadata: Record<string, string | null>
}

/**
 * Records a change to the session (`target` "session") or the refresh token ("refreshToken").
 *
 * @category constructors
 * @since 0.1.0
 */
export const change = (
  target: "session" | "refreshToken",
  changes: Partial<Changes>
): Effect.Effect<void, never, Decisions> => recordMore({ [target]: { evictMetadata: false, metadata: {}, ...changes } })

/**
 * Ends the session at `millis` (milliseconds since the epoch) at the latest; the earliest expiry asked for wins, and
 * Auth0 caps it at the tenant's maximum. Enterprise.
 *
 * @category constructors
 * @since 0.1.0
 */
export const setExpiresAt = (millis: number): Effect.Effect<void, never, Decisions> =>
  change("session", { expiresAt: millis })

/**
 * Ends the session when idle at `millis` at the latest; the earliest wins. Enterprise.
 *
 * @category constructors
 * @since 0.1.0
 */
export const setIdleExpiresAt = (millis: number): Effect.Effect<void, never, Decisions> =>
  change("session", { idleExpiresAt: millis })

/**
 * Makes the session cookie persistent or not; the later rule wins. Enterprise, Early Access.
 *
 * @category constructors
 * @since 0.1.0
 */
export const setCookieMode = (mode: CookieMode): Effect.Effect<void, never, Decisions> =>
  change("session", { cookieMode: mode })

/**
 * Stores a string on the session. Enterprise, Early Access.
 *
 * @category constructors
 * @since 0.1.0
 */
export const setMetadata = (key: string, value: string): Effect.Effect<void, never, Decisions> =>
  change("session", { metadata: { [key]: value } })

/**
 * Deletes a key of the session's metadata. Enterprise, Early Access.
 *
 * @category constructors
 * @since 0.1.0
 */
export const deleteMetadata = (key: string): Effect.Effect<void, never, Decisions> =>
  change("session", { metadata: { [key]: null } })

/**
 * Drops all of the session's metadata (what later rules write is kept). Enterprise, Early Access.
 *
 * @category constructors
 * @since 0.1.0
 */
export const evictMetadata: Effect.Effect<void, never, Decisions> = /* @__PURE__ */ Effect.suspend(() =>
  change("session", { evictMetadata: true })
)

/**
 * The session was revoked: Auth0 ends it and denies the login. `reason` is shown to the user, as a denial's message
 * is.
 *
 * @category errors
 * @since 0.1.0
 */
export class SessionRevoked extends Denial.Class("SessionRevoked")<{
  readonly reason: string
  readonly preserveRefreshTokens: boolean
}> {
  override get message(): string {
    return this.reason
  }

  get [RevocationId](): Revocation {
    return { target: "session", preserveRefreshTokens: this.preserveRefreshTokens }
  }

  get [Denial.OutcomeId](): { readonly revoke: Revocation } {
    return { revoke: this[RevocationId] }
  }
}

/**
 * Revokes the session and denies the login with `reason` (shown to the user). Refresh tokens of the session are
 * revoked too, unless `preserveRefreshTokens`. Enterprise.
 *
 * @category constructors
 * @since 0.1.0
 */
export const revoke = (
  reason: string,
  options: { readonly preserveRefreshTokens?: boolean } = {}
): Effect.Effect<never, SessionRevoked> =>
  Effect.fail(new SessionRevoked({ reason, preserveRefreshTokens: options.preserveRefreshTokens ?? false }))
