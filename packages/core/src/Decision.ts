/**
 * What a login should become, accumulated as data: token claims, scopes, explicit metadata writes, MFA and a
 * redirect. Rules record into it through the Decisions service; the adapter alone turns the final Decision into
 * provider calls, once, at the end. A denied login has no Decision at all, so a denial can never leak claims.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type * as Authentication from "./Authentication.ts"
import type * as CustomTokenExchange from "./CustomTokenExchange.ts"
import type * as PasswordResetPostChallenge from "./PasswordResetPostChallenge.ts"
import type * as SamlResponse from "./SamlResponse.ts"
import type * as Session from "./Session.ts"

/**
 * An MFA requirement.
 *
 * @category models
 * @since 0.1.0
 */
export interface Mfa {
  readonly provider: "any" | "guardian" | "google-authenticator" | "duo" | "none"
  readonly allowRememberBrowser: boolean
  /** Duo's settings (`ikey`, `skey`, `host`, optional `username`); only for provider "duo". */
  readonly providerOptions?: Readonly<Record<string, string>> | undefined
}

/**
 * A redirect away from the login, to be resumed later.
 *
 * @category models
 * @since 0.1.0
 */
export interface Redirect {
  readonly url: string
  readonly query: Readonly<Record<string, string>>
  /** A signed token to send along (core's Redirect.sendUserTo): the adapter encodes it and adds it to the query. */
  readonly token?: RedirectToken | undefined
}

/**
 * A token to sign (HS256) and send with a redirect: the payload, its lifetime and the query parameter it goes in.
 *
 * @category models
 * @since 0.1.0
 */
export interface RedirectToken {
  readonly secret: Redacted.Redacted<string>
  readonly payload: Readonly<Record<string, unknown>>
  readonly expiresInSeconds: number
  readonly parameter: string
}

/**
 * A form (Auth0's `api.prompt.render`) to show the user; the login resumes with what was submitted.
 *
 * @category models
 * @since 0.1.0
 */
export interface Prompt {
  readonly id: string
  readonly fields: Readonly<Record<string, unknown>> | undefined
  readonly vars: Readonly<Record<string, unknown>> | undefined
}

/**
 * A transaction metadata value: a scalar, or `null` to delete the key.
 *
 * @category models
 * @since 0.1.0
 */
export type TransactionValue = string | number | boolean | null

/**
 * The accumulated decision. Records have no prototype, so a claim named `__proto__` is an ordinary key.
 *
 * @category models
 * @since 0.1.0
 */
export interface Decision {
  readonly idTokenClaims: Readonly<Record<string, unknown>>
  readonly accessTokenClaims: Readonly<Record<string, unknown>>
  readonly addScopes: ReadonlyArray<string>
  readonly removeScopes: ReadonlyArray<string>
  /** Explicit, rare: the only way anything is persisted to the user profile. */
  readonly appMetadata: Readonly<Record<string, unknown>>
  readonly userMetadata: Readonly<Record<string, unknown>>
  readonly mfa: Mfa | undefined
  readonly redirect: Redirect | undefined
  /** A form to show (core's Form); like a redirect, it suspends the login. */
  readonly prompt?: Prompt | undefined
  /** Transaction metadata writes, by key (core's TransactionMetadata); visible to later Actions and across resumes. */
  readonly transactionMetadata?: Readonly<Record<string, TransactionValue>> | undefined
  /** Custom authentication methods (URLs) to record in the session; continue pass only (core's AuthenticationMethod). */
  readonly authenticationMethods?: ReadonlyArray<string> | undefined
  /** What two rules asked that cannot both happen (two redirects, a redirect and a form); the adapter refuses these. */
  readonly conflicts?: ReadonlyArray<string> | undefined
  /** Challenges and enrollments, in order (Authentication). Absent when none. */
  readonly mfaSteps?: ReadonlyArray<Authentication.Step> | undefined
  /** The primary user ids asked for (Authentication.setPrimaryUser); more than one is a conflict. Absent when none. */
  readonly primaryUsers?: ReadonlyArray<string> | undefined
  /** SAML attributes and settings (SamlResponse). Absent when none. */
  readonly samlResponse?: SamlResponse.SamlResponse | undefined
  /** Session changes (Session). Absent when none. */
  readonly session?: Session.Changes | undefined
  /** Refresh token changes (RefreshToken). Absent when none. */
  readonly refreshToken?: Session.Changes | undefined
  /** Target scope changes, in rule order (TargetScopes, CredentialsExchange; early access). Absent when none. */
  readonly targetScopes?: ReadonlyArray<TargetScopeChange> | undefined
  /**
   * Custom-token-exchange subjects named (a user, an organization, an actor), in rule order (CustomTokenExchange).
   * Absent when none. Not read by `isEmpty`: only that trigger's recorder writes them, and its adapter reads them
   * (every Action built carries isEmpty, and the password-reset one sits at its size bound).
   */
  readonly exchangeSubjects?: ReadonlyArray<CustomTokenExchange.SubjectCall> | undefined
  /** Password-reset result URLs, in rule order (PasswordResetPostChallenge.setResultUrl). Absent when none. */
  readonly resultUrls?: ReadonlyArray<PasswordResetPostChallenge.ResultUrl> | undefined
}

/**
 * One change to the target scopes of a login or a credentials exchange (Auth0's early-access
 * `api.transaction.*TargetScope*`).
 *
 * @category models
 * @since 0.1.0
 */
export type TargetScopeChange =
  | { readonly _tag: "Add" | "Remove"; readonly scope: string }
  | { readonly _tag: "Set"; readonly scopes: ReadonlyArray<string> }
  | { readonly _tag: "Clear" }

const record = (): Record<string, unknown> => Object.create(null)

/**
 * The decision that changes nothing.
 *
 * @category constructors
 * @since 0.1.0
 */
export const empty = (): Draft => ({
  idTokenClaims: record(),
  accessTokenClaims: record(),
  addScopes: [],
  removeScopes: [],
  appMetadata: record(),
  userMetadata: record(),
  mfa: undefined,
  redirect: undefined
})

/**
 * How the decisions of one optional kind combine: folds `d`'s part of the kind into `out`. A kind's constructors
 * record through `recordKind` with it, and `merge` runs it for every Decision after the first that holds the kind, so an
 * Action that never asks for a kind carries none of its code. Core's kinds: `mergeFlow` (Redirect.sendUserTo, Form,
 * TransactionMetadata, AuthenticationMethod), Authentication's, SamlResponse's and Session's.
 *
 * @category models
 * @since 0.1.0
 */
export type Merge = (out: Draft, d: Decision) => void

const KindsId: unique symbol = Symbol.for("@rulefx/core/Decision/kinds")

const kindsOf = (d: Decision): ReadonlyArray<Merge> => (d as { readonly [KindsId]?: Array<Merge> })[KindsId] ?? []

// Appends `item` unless `items` has it already (scopes, kinds and primary users are sets kept in order).
const addOnce = <A>(items: Array<A>, item: A): void => {
  if (!items.includes(item)) items.push(item)
}

/**
 * Marks `d` as holding the kind `merge` folds (a property that is not enumerable), and returns it: what `recordKind`
 * does to a rule's draft.
 *
 * **Gotchas**
 *
 * `merge` folds an optional kind only from decisions so marked; a Decision written as a literal with, say,
 * `transactionMetadata` is merged without it unless it goes through this function first.
 *
 * @category combinators
 * @since 0.1.0
 */
export const withKind = <D extends Decision>(d: D, merge: Merge): D => {
  const kinds = kindsOf(d) as Array<Merge>
  if (kinds.length === 0) Object.defineProperty(d, KindsId, { value: kinds, enumerable: false, configurable: true })
  addOnce(kinds, merge)
  return d
}

/**
 * Combines decisions in order: for the same claim or metadata key the later one wins, scopes are unioned, and the
 * later MFA or plain redirect replaces an earlier one. The optional kinds each combine by their own `Merge` (see
 * `withKind`), run before the redirect is replaced, so the flow kinds can record two suspensions of which one is
 * typed (a redirect with a token, a form) in `conflicts`, which the adapter refuses.
 *
 * @category combinators
 * @since 0.1.0
 */
export const merge = (decisions: Iterable<Decision>): Decision => {
  const out = empty()
  for (const d of decisions) {
    Object.assign(out.idTokenClaims, d.idTokenClaims)
    Object.assign(out.accessTokenClaims, d.accessTokenClaims)
    Object.assign(out.appMetadata, d.appMetadata)
    Object.assign(out.userMetadata, d.userMetadata)
    for (const s of d.addScopes) addOnce(out.addScopes, s)
    for (const s of d.removeScopes) addOnce(out.removeScopes, s)
    out.mfa = d.mfa ?? out.mfa
    for (const kind of kindsOf(d)) withKind(out, kind)
    for (const kind of kindsOf(out)) kind(out, d)
    out.redirect = d.redirect ?? out.redirect
  }
  return out
}

// A typed suspension: a redirect with a token (Redirect.sendUserTo) or a form. Two of them in one pass, or one beside a
// plain redirect, conflict; two plain redirects (Decision.redirect, the legacy layer's) keep "the later wins".
const suspends = (d: Decision): boolean => d.redirect?.token !== undefined || d.prompt !== undefined

/**
 * How the flow kinds combine (a redirect with a token, a form, transaction metadata, recorded methods): the later form
 * wins, metadata writes by key with the later winning, methods unioned, and a typed suspension beside another
 * suspension recorded in `conflicts`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const mergeFlow: Merge = (out, d) => {
  if (suspends(d) && (out.redirect ?? out.prompt) !== undefined || suspends(out) && d.redirect !== undefined) {
    out.conflicts = [...(out.conflicts ?? []), d.prompt === undefined ? "redirect" : "prompt"]
  }
  out.prompt = d.prompt ?? out.prompt
  if (d.transactionMetadata !== undefined) {
    out.transactionMetadata = Object.assign(out.transactionMetadata ?? record(), d.transactionMetadata)
  }
  if (d.authenticationMethods !== undefined) {
    out.authenticationMethods = [...new Set([...(out.authenticationMethods ?? []), ...d.authenticationMethods])]
  }
  if (d.conflicts !== undefined) out.conflicts = [...(out.conflicts ?? []), ...d.conflicts]
}

/**
 * How MFA steps, primary users, SAML, session and refresh token changes combine, by the rule of each kind for two
 * rules that disagree (see Authentication, SamlResponse, Session).
 *
 * @category combinators
 * @since 0.1.0
 */
export const mergeMore: Merge = (out, d) => {
  for (const step of d.mfaSteps ?? []) {
    const json = JSON.stringify(step)
    const steps = out.mfaSteps ??= []
    if (!steps.some((s) => JSON.stringify(s) === json)) steps.push(step)
  }
  for (const id of d.primaryUsers ?? []) addOnce(out.primaryUsers ??= [], id)
  if (d.samlResponse !== undefined) {
    const saml = out.samlResponse ??= {
      attributes: record() as Record<string, SamlResponse.AttributeValue | null>,
      settings: record()
    }
    Object.assign(saml.attributes, d.samlResponse.attributes)
    Object.assign(saml.settings, d.samlResponse.settings)
  }
  for (const target of ["session", "refreshToken"] as const) {
    const changes = d[target]
    if (changes === undefined) continue
    const into = out[target] ??= { evictMetadata: false, metadata: record() as Record<string, string | null> }
    into.expiresAt = earliest(into.expiresAt, changes.expiresAt)
    into.idleExpiresAt = earliest(into.idleExpiresAt, changes.idleExpiresAt)
    if (changes.cookieMode !== undefined) into.cookieMode = changes.cookieMode
    if (changes.evictMetadata) {
      into.evictMetadata = true
      for (const key of Object.keys(into.metadata)) delete into.metadata[key]
    }
    Object.assign(into.metadata, changes.metadata)
  }
}

const earliest = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b)

/**
 * Tells whether a decision changes nothing.
 *
 * @category guards
 * @since 0.1.0
 */
export const isEmpty = (d: Decision): boolean =>
  Object.keys(d.idTokenClaims).length === 0 && Object.keys(d.accessTokenClaims).length === 0 &&
  d.addScopes.length === 0 && d.removeScopes.length === 0 && Object.keys(d.appMetadata).length === 0 &&
  Object.keys(d.userMetadata).length === 0 && d.mfa === undefined && d.redirect === undefined &&
  d.prompt === undefined && Object.keys(d.transactionMetadata ?? {}).length === 0 &&
  (d.authenticationMethods ?? []).length === 0 && (d.conflicts ?? []).length === 0 &&
  !d.mfaSteps?.length && !d.primaryUsers?.length && d.samlResponse === undefined && d.session === undefined &&
  d.refreshToken === undefined && !d.targetScopes?.length

/**
 * The recorder a rule acts through. Each rule run gets its own, so the decisions of a rule that fails or is
 * optional and dropped never reach the login's Decision.
 *
 * @category services
 * @since 0.1.0
 */
export class Decisions extends Context.Service<Decisions, {
  readonly record: (f: (draft: Draft) => void) => Effect.Effect<void>
}>()("@rulefx/core/Decision/Decisions") {}

/**
 * A mutable view of a Decision, only reachable inside Decisions.record.
 *
 * @category models
 * @since 0.1.0
 */
export interface Draft {
  readonly idTokenClaims: Record<string, unknown>
  readonly accessTokenClaims: Record<string, unknown>
  readonly addScopes: Array<string>
  readonly removeScopes: Array<string>
  readonly appMetadata: Record<string, unknown>
  readonly userMetadata: Record<string, unknown>
  mfa: Mfa | undefined
  redirect: Redirect | undefined
  prompt?: Prompt | undefined
  transactionMetadata?: Record<string, TransactionValue> | undefined
  authenticationMethods?: Array<string> | undefined
  conflicts?: Array<string> | undefined
  mfaSteps?: Array<Authentication.Step> | undefined
  primaryUsers?: Array<string> | undefined
  samlResponse?: {
    readonly attributes: Record<string, SamlResponse.AttributeValue | null>
    readonly settings: SamlResponse.Settings
  } | undefined
  session?: Session.DraftChanges | undefined
  refreshToken?: Session.DraftChanges | undefined
  targetScopes?: Array<TargetScopeChange> | undefined
  exchangeSubjects?: Array<CustomTokenExchange.SubjectCall> | undefined
  resultUrls?: Array<PasswordResetPostChallenge.ResultUrl> | undefined
}

/**
 * Runs `self` with a fresh recorder and returns what it recorded.
 *
 * @category combinators
 * @since 0.1.0
 */
export const collect = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  /** More of the context to set for `self` in the same step (Rule.make adds the rule's log annotation). */
  context?: (context: Context.Context<never>) => Context.Context<never>
): Effect.Effect<Decision, E, Exclude<R, Decisions>> =>
  Effect.suspend(() => {
    const draft = empty()
    const recorder = Decisions.of({ record: (f) => Effect.sync(() => f(draft)) })
    const provide = (current: Context.Context<Exclude<R, Decisions>>) =>
      Context.add(context === undefined ? current : context(current), Decisions, recorder)
    return Effect.updateContext<Decision, E, R, Exclude<R, Decisions>>(
      Effect.as(self, draft),
      provide as unknown as (current: Context.Context<Exclude<R, Decisions>>) => Context.Context<R>
    )
  })

/**
 * Records into the current rule's decision: the way modules that add a decision kind (Redirect, Form,
 * TransactionMetadata, AuthenticationMethod) write their part.
 *
 * @category combinators
 * @since 0.1.0
 */
export const recordWith = (f: (draft: Draft) => void): Effect.Effect<void, never, Decisions> =>
  Effect.flatMap(Decisions, (d) => d.record(f))

/**
 * Records into the current rule's decision a part of an optional kind, and marks the draft (see `withKind`) so that
 * `merge` folds it with that kind's `merge`: what the constructors of Redirect.sendUserTo, Form, TransactionMetadata
 * and AuthenticationMethod (`mergeFlow`) and of Authentication, SamlResponse, Session and RefreshToken (`mergeMore`)
 * are built on.
 *
 * @category constructors
 * @since 0.1.0
 */
export const recordKind = (merge: Merge, f: (draft: Draft) => void): Effect.Effect<void, never, Decisions> =>
  recordWith((draft) => f(withKind(draft, merge)))

/**
 * Records MFA steps, primary users, SAML, session or refresh token changes, folded in by `mergeMore`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const recordMore = (
  d: Pick<Decision, "mfaSteps" | "primaryUsers" | "samlResponse" | "session" | "refreshToken">
): Effect.Effect<void, never, Decisions> => recordKind(mergeMore, (draft) => mergeMore(draft, d as Decision))

/**
 * Sets a custom claim on the ID token.
 *
 * @category constructors
 * @since 0.1.0
 */
export const setIdTokenClaim = (name: string, value: unknown): Effect.Effect<void, never, Decisions> =>
  recordWith((d) => {
    d.idTokenClaims[name] = value
  })

/**
 * Sets a custom claim on the access token.
 *
 * @category constructors
 * @since 0.1.0
 */
export const setAccessTokenClaim = (name: string, value: unknown): Effect.Effect<void, never, Decisions> =>
  recordWith((d) => {
    d.accessTokenClaims[name] = value
  })

/**
 * Adds a scope to the access token.
 *
 * @category constructors
 * @since 0.1.0
 */
export const addScope = (scope: string): Effect.Effect<void, never, Decisions> =>
  recordWith((d) => {
    addOnce(d.addScopes, scope)
  })

/**
 * Removes a scope from the access token.
 *
 * @category constructors
 * @since 0.1.0
 */
export const removeScope = (scope: string): Effect.Effect<void, never, Decisions> =>
  recordWith((d) => {
    addOnce(d.removeScopes, scope)
  })

/**
 * Persists one top-level key of app_metadata (`null` deletes it). The only way a rule writes the profile.
 *
 * @category constructors
 * @since 0.1.0
 */
export const persistAppMetadata = (key: string, value: unknown): Effect.Effect<void, never, Decisions> =>
  recordWith((d) => {
    d.appMetadata[key] = value
  })

/**
 * Persists one top-level key of user_metadata (`null` deletes it).
 *
 * @category constructors
 * @since 0.1.0
 */
export const persistUserMetadata = (key: string, value: unknown): Effect.Effect<void, never, Decisions> =>
  recordWith((d) => {
    d.userMetadata[key] = value
  })

/**
 * Requires MFA at the end of the login.
 *
 * @category constructors
 * @since 0.1.0
 */
export const requireMfa = (
  provider: Mfa["provider"] = "any",
  options: {
    readonly allowRememberBrowser?: boolean
    readonly providerOptions?: Readonly<Record<string, string>> | undefined
  } = {}
): Effect.Effect<void, never, Decisions> =>
  recordWith((d) => {
    d.mfa = {
      provider,
      allowRememberBrowser: options.allowRememberBrowser ?? false,
      ...(options.providerOptions === undefined ? {} : { providerOptions: options.providerOptions })
    }
  })

/**
 * Sends the user to `url` after the login's rules have run.
 *
 * @category constructors
 * @since 0.1.0
 */
export const redirect = (
  url: string,
  query: Readonly<Record<string, string>> = {}
): Effect.Effect<void, never, Decisions> =>
  recordWith((d) => {
    // Over a typed suspension of the same rule (a form, a redirect with a token): a conflict, not a silent swap.
    if (suspends(d)) d.conflicts = [...(d.conflicts ?? []), "redirect"]
    d.redirect = { url, query }
  })
