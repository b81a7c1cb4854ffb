/**
 * The refresh token of a login: revoke it, shorten its lifetime, keep string metadata on it (Auth0's
 * `api.refreshToken.*`). Revocation and expiries need an Enterprise plan. Changes are recorded as data in the
 * Decision, by the same rules as a session's (see Session: the earliest expiry wins, the later metadata write wins,
 * an eviction drops earlier writes); a revocation is a denial (`RefreshTokenRevoked`).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type { Decisions } from "./Decision.ts"
import * as Denial from "./Denial.ts"
import { Login } from "./Login.ts"
import { type Revocation, RevocationId } from "./Revocation.ts"
import { change } from "./Session.ts"

/**
 * Ends the refresh token at `millis` (milliseconds since the epoch) at the latest; the earliest wins, and Auth0 caps
 * it by the tenant's settings. Enterprise.
 *
 * @category constructors
 * @since 0.1.0
 */
export const setExpiresAt = (millis: number): Effect.Effect<void, never, Decisions> =>
  change("refreshToken", { expiresAt: millis })

/**
 * Ends the refresh token when idle at `millis` at the latest; the earliest wins. Enterprise.
 *
 * @category constructors
 * @since 0.1.0
 */
export const setIdleExpiresAt = (millis: number): Effect.Effect<void, never, Decisions> =>
  change("refreshToken", { idleExpiresAt: millis })

/**
 * Stores a string on the refresh token.
 *
 * @category constructors
 * @since 0.1.0
 */
export const setMetadata = (key: string, value: string): Effect.Effect<void, never, Decisions> =>
  change("refreshToken", { metadata: { [key]: value } })

/**
 * Deletes a key of the refresh token's metadata.
 *
 * @category constructors
 * @since 0.1.0
 */
export const deleteMetadata = (key: string): Effect.Effect<void, never, Decisions> =>
  change("refreshToken", { metadata: { [key]: null } })

/**
 * Drops all of the refresh token's metadata (what later rules write is kept).
 *
 * @category constructors
 * @since 0.1.0
 */
export const evictMetadata: Effect.Effect<void, never, Decisions> = /* @__PURE__ */ Effect.suspend(() =>
  change("refreshToken", { evictMetadata: true })
)

/**
 * The refresh token was revoked and the login denied with `reason` (shown to the user). `inRefreshFlow` is false when
 * the login was not a refresh-token exchange: Auth0 revokes only then, so the adapter only denies.
 *
 * @category errors
 * @since 0.1.0
 */
export class RefreshTokenRevoked extends Denial.Class("RefreshTokenRevoked")<{
  readonly reason: string
  readonly inRefreshFlow: boolean
}> {
  override get message(): string {
    return this.reason
  }

  get [RevocationId](): Revocation | undefined {
    return this.inRefreshFlow ? { target: "refreshToken" } : undefined
  }

  get [Denial.OutcomeId](): { readonly revoke: Revocation } | undefined {
    return this.inRefreshFlow ? { revoke: { target: "refreshToken" } } : undefined
  }
}

/**
 * Revokes the refresh token being exchanged and denies the login with `reason`. Enterprise. Outside a refresh-token
 * exchange (`protocol` "oauth2-refresh-token") there is no token to revoke: the login is denied all the same.
 *
 * @category constructors
 * @since 0.1.0
 */
export const revoke = (reason: string): Effect.Effect<never, RefreshTokenRevoked, Login> =>
  Effect.flatMap(Login, (login) =>
    Effect.fail(
      new RefreshTokenRevoked({ reason, inRefreshFlow: login.transaction.protocol === "oauth2-refresh-token" })
    ))
