/**
 * CredentialsExchange: the model of a machine-to-machine token request (Auth0's `credentials-exchange` trigger), for
 * rules that decide what an M2M access token carries.
 *
 * Rules read the `Exchange` service (the client, its metadata, the API audience, the requested scopes, the early-access
 * target scopes when the tenant sends them), may set access-token claims and change the target scopes (early access:
 * `addTargetScope`, `removeTargetScope`, `setTargetScopes`, `clearTargetScopes`, applied in rule order), and deny with one of the three codes Auth0 accepts (`invalid_scope`, `invalid_request`,
 * `server_error`) and a reason (a DenialClass). Nothing else: there is no ID token, no user, no metadata here, and a
 * rule that tries to record one does not compile (see Trigger.ts). The trigger is blocking, so the adapter fails
 * closed: a defect, a timeout or a malformed event denies with `server_error`.
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Types from "effect/Types"
import type * as Decision from "./Decision.ts"
import * as Denial from "./Denial.ts"
import * as TargetScopes from "./TargetScopes.ts"
import * as Trigger from "./Trigger.ts"

/**
 * The trigger's id.
 *
 * @category models
 * @since 0.1.0
 */
export const id = "credentials-exchange" as const

/**
 * The application that asks for a token (Auth0's client), with its string metadata (client_metadata).
 *
 * @category models
 * @since 0.1.0
 */
export interface Client {
  readonly id: string
  readonly name: string
  readonly metadata: Readonly<Record<string, string>>
}

/**
 * Everything a credentials-exchange rule may read.
 *
 * @category models
 * @since 0.1.0
 */
export interface ExchangeInfo {
  readonly client: Client
  /** The API the token is for (`resource_server.identifier`): always present in this trigger. */
  readonly audience: string
  /** The scopes the client asked for (`transaction.requested_scopes`). */
  readonly requestedScopes: ReadonlyArray<string>
  /** The scopes the token will carry as things stand (`accessToken.scope`). */
  readonly grantedScopes: ReadonlyArray<string>
  /**
   * The target scopes as things stand (`transaction.target_scopes`, early access): the application's authorized scopes
   * for the API, with the changes of earlier Actions. Absent when the tenant lacks the early-access feature; read it
   * through `targetScopes`, which fails with TargetScopesUnavailable then.
   */
  readonly targetScopes?: ReadonlyArray<string> | undefined
  readonly request: {
    readonly ip: string
    readonly hostname: string | undefined
    readonly userAgent: string | undefined
    readonly countryCode: string | undefined
  }
  readonly organization: { readonly id: string; readonly name: string } | undefined
  readonly tenant: string
  /** The event as it arrived, without its secrets. */
  readonly raw: Readonly<Record<string, unknown>>
}

/**
 * The current token request, as a service.
 *
 * @category services
 * @since 0.1.0
 */
export class Exchange extends Context.Service<Exchange, ExchangeInfo>()("@rulefx/core/CredentialsExchange/Exchange") {
  /** Provides the given request; the adapter builds it per request from its event. */
  static readonly layer = (info: ExchangeInfo): Layer.Layer<Exchange> => Layer.succeed(Exchange, info)
}

/**
 * The marker of this trigger's rules.
 *
 * @category services
 * @since 0.1.0
 */
export const On: Context.Key<On, typeof id> = /* @__PURE__ */ Trigger.marker(id)

/**
 * The type of this trigger's marker.
 *
 * @category models
 * @since 0.1.0
 */
export type On = Trigger.On<typeof id>

const recorder = /* @__PURE__ */ Trigger.recorder(id)

/**
 * Sets a custom claim on the access token.
 *
 * @category constructors
 * @since 0.1.0
 */
export const setAccessTokenClaim = (
  name: string,
  value: unknown
): Effect.Effect<void, never, Trigger.Recorder<typeof id>> =>
  Trigger.record(recorder, (d) => {
    d.accessTokenClaims[name] = value
  })

/**
 * The error codes Auth0 accepts from `api.access.deny` in this trigger.
 *
 * @category models
 * @since 0.1.0
 */
export type Code = "invalid_scope" | "invalid_request" | "server_error"

/**
 * The codes, for checks.
 *
 * @category models
 * @since 0.1.0
 */
export const codes: ReadonlyArray<Code> = ["invalid_scope", "invalid_request", "server_error"]

/**
 * A credentials-exchange denial: a core Denial whose class carries the code the client receives. Its message is the
 * reason (the `error_description`), so it must be safe to show the client.
 *
 * @category models
 * @since 0.1.0
 */
export interface CodedDenial<C extends Code = Code> extends Denial.Denial {
  readonly code: C
}

/**
 * Makes a denial class with its code.
 *
 * **Example** (A scope the client may not have)
 *
 * ```ts
 * import * as CredentialsExchange from "@rulefx/core/CredentialsExchange"
 *
 * class ScopeNotAllowed extends CredentialsExchange.DenialClass("ScopeNotAllowed", "invalid_scope")<{
 *   readonly scope: string
 * }> {
 *   override get message() {
 *     return `This client may not request ${this.scope}.`
 *   }
 * }
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const DenialClass = <Tag extends string, C extends Code>(tag: Tag, code: C): new<
  // oxlint-disable-next-line no-explicit-any
  A extends Record<string, any> = {}
>(
  args: Types.VoidIfEmpty<{ readonly [P in keyof A as P extends "_tag" | "code" ? never : P]: A[P] }>
) => Cause.YieldableError & CodedDenial<C> & { readonly _tag: Tag } & Readonly<A> => {
  const Base = Denial.Class(tag)
  Object.defineProperty(Base.prototype, "code", { value: code })
  // oxlint-disable-next-line no-explicit-any
  return Base as any
}

/**
 * The code of a denial: its class's when it has a valid one, otherwise `server_error` (core's own denials, such as
 * MissingSecret, and facts' denials from other modules).
 *
 * @category getters
 * @since 0.1.0
 */
export const codeOf = (denial: Denial.Denial): Code => {
  const code = (denial as { readonly code?: unknown }).code
  return codes.includes(code as Code) ? code as Code : "server_error"
}

/**
 * Makes a credentials-exchange rule (see Trigger.makeRule).
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeRule = /* @__PURE__ */ Trigger.makeRule(id)

/**
 * Makes the credentials-exchange pipeline (see Trigger.makePipeline).
 *
 * @category constructors
 * @since 0.1.0
 */
export const makePipeline = /* @__PURE__ */ Trigger.makePipeline(id)

/**
 * The tenant does not send `transaction.target_scopes` (the early-access target scopes are not enabled), and a rule
 * needs them: denied with `server_error`, never guessed.
 *
 * @category errors
 * @since 0.1.0
 */
export class TargetScopesUnavailable extends DenialClass("TargetScopesUnavailable", "server_error") {
  override get message() {
    return "The token request cannot be completed right now."
  }
}

/**
 * The target scopes as things stand (`event.transaction.target_scopes`, early access); fails with
 * TargetScopesUnavailable when the tenant does not send them.
 *
 * @category getters
 * @since 0.1.0
 */
export const targetScopes: Effect.Effect<ReadonlyArray<string>, TargetScopesUnavailable, Exchange> = Effect.flatMap(
  Exchange,
  (info) =>
    info.targetScopes === undefined ? Effect.fail(new TargetScopesUnavailable()) : Effect.succeed(info.targetScopes)
)

/**
 * How the target scope changes of several rules combine: in rule order, each rule's changes in the order it made
 * them, so a later `setTargetScopes` or `clearTargetScopes` replaces what earlier rules added (TargetScopes.merge,
 * shared with post-login).
 *
 * @category combinators
 * @since 0.1.0
 */
export const mergeTargetScopes: Decision.Merge = TargetScopes.merge

const recordTargetScope = (change: Decision.TargetScopeChange) =>
  Trigger.record(recorder, (d) => TargetScopes.push(d, change))

/**
 * Adds a scope to the target scopes (early access: `api.transaction.addTargetScope`). Auth0 drops a scope the
 * application is not authorized for, silently, after every Action has run.
 *
 * @category constructors
 * @since 0.1.0
 */
export const addTargetScope = (scope: string): Effect.Effect<void, never, Trigger.Recorder<typeof id>> =>
  recordTargetScope({ _tag: "Add", scope })

/**
 * Removes a scope from the target scopes (early access: `api.transaction.removeTargetScope`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const removeTargetScope = (scope: string): Effect.Effect<void, never, Trigger.Recorder<typeof id>> =>
  recordTargetScope({ _tag: "Remove", scope })

/**
 * Replaces the target scopes (early access: `api.transaction.setTargetScopes`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const setTargetScopes = (
  scopes: ReadonlyArray<string>
): Effect.Effect<void, never, Trigger.Recorder<typeof id>> => recordTargetScope({ _tag: "Set", scopes: [...scopes] })

/**
 * Empties the target scopes (early access: `api.transaction.clearTargetScopes`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const clearTargetScopes: Effect.Effect<void, never, Trigger.Recorder<typeof id>> = /* @__PURE__ */
  recordTargetScope({ _tag: "Clear" })
