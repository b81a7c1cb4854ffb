/**
 * CredentialsExchange: turns a credentials-exchange pipeline and a layer into Auth0's
 * `onExecuteCredentialsExchange(event, api)` handler (trigger `credentials-exchange`, v2).
 *
 * The same way through as PostLogin: decode the event (CredentialsExchangeEvent), run the pipeline under a deadline
 * over per-request services (Exchange, Secrets, Cache), check the Decision against Auth0's limits, then call `api`
 * once, at the end. The trigger is blocking, so it fails closed: a denial calls `api.access.deny(code, reason)` with
 * its class's code (CredentialsExchange.DenialClass; any other denial is `server_error` with its own message); a
 * malformed event, a defect, the deadline, a claim Auth0 would refuse or drop (Auth0Limits), or a decision this
 * trigger cannot apply denies with `server_error` and a generic reason, and logs the detail. The handler never throws,
 * except when Auth0's own `api.access.deny` throws (a rejected handler fails the request; resolving would not).
 *
 * Early-access target scopes: the changes rules record (CredentialsExchange.addTargetScope and kin) are applied after
 * the claims, in rule order, through `api.transaction.*TargetScope(s)`. A scope Auth0 would throw on, or an `api`
 * without `transaction` (a tenant without the feature) when there are changes to apply, denies with `server_error`
 * before any call.
 *
 * @since 0.1.0
 */
import * as CoreExchange from "@rulefx/core/CredentialsExchange"
import * as Decision from "@rulefx/core/Decision"
import type { Denial } from "@rulefx/core/Denial"
import type * as Pipeline from "@rulefx/core/Pipeline"
import type * as Layer from "effect/Layer"
import * as Auth0Limits from "./Auth0Limits.ts"
import * as CredentialsExchangeEvent from "./CredentialsExchangeEvent.ts"
import { printLine } from "./internal/logger.ts"
import * as TargetScopeCalls from "./internal/targetScopes.ts"
import type { CacheApi, TargetScopesApi } from "./PostLoginApi.ts"
import * as TriggerRun from "./TriggerRun.ts"

/**
 * The part of Auth0's credentials-exchange `api` that rulefx calls.
 *
 * @category models
 * @since 0.1.0
 */
export interface CredentialsExchangeApi {
  readonly access: { readonly deny: (code: CoreExchange.Code, reason: string) => unknown }
  readonly accessToken: { readonly setCustomClaim: (name: string, value: unknown) => unknown }
  /** Early access: absent on a tenant without the target scopes feature. */
  readonly transaction?: TargetScopesApi
  /** Auth0's cache, shared by the Actions of the trigger. */
  readonly cache?: CacheApi
}

/**
 * What the run decided: the access-token claims to set, or a denial with its code and reason.
 *
 * @category models
 * @since 0.1.0
 */
export type Outcome =
  | {
    readonly _tag: "Allowed"
    readonly accessTokenClaims: Readonly<Record<string, unknown>>
    /** The target scope changes, in rule order (early access). Absent or empty when none. */
    readonly targetScopes?: ReadonlyArray<Decision.TargetScopeChange>
  }
  | {
    readonly _tag: "Denied"
    readonly code: CoreExchange.Code
    readonly reason: string
    /** The denial's tag, or what failed (InvalidEvent, Defect, DeadlineExceeded, Limits). */
    readonly denial: string
  }

/**
 * The handler Auth0 calls.
 *
 * @category models
 * @since 0.1.0
 */
export type Handler = (event: unknown, api: CredentialsExchangeApi) => Promise<void>

/**
 * The services each request's event brings.
 *
 * @category utility types
 * @since 0.1.0
 */
export type PerRequest = CredentialsExchangeEvent.Services

/**
 * The reason given with `server_error` when the request fails closed. Leaks nothing.
 *
 * @category constructors
 * @since 0.1.0
 */
export const genericReason = "The token request cannot be completed right now. Please try again later."

const serverError = (denial: string): Outcome => ({
  _tag: "Denied",
  code: "server_error",
  reason: genericReason,
  denial
})

// A decision with anything but access-token claims came from a rule this trigger cannot apply (a post-login rule
// smuggled inside Rule.all, say): refused rather than half applied.
const foreign = (d: Decision.Decision): boolean =>
  !Decision.isEmpty({ ...d, accessTokenClaims: {}, targetScopes: undefined })

/**
 * Lists the target scope changes Auth0 would throw on: a scope that is not a string of the characters a scope may
 * hold (no spaces, no quotes, no backslashes).
 *
 * @category getters
 * @since 0.1.0
 */
export const checkTargetScopes = (
  changes: ReadonlyArray<Decision.TargetScopeChange>
): ReadonlyArray<Auth0Limits.Violation> => TargetScopeCalls.check(changes, "scope")

const toOutcome = (result: TriggerRun.Result): Outcome => {
  if (result._tag === "Failed") {
    return result.denial === undefined
      ? serverError(result.tag)
      : { _tag: "Denied", code: CoreExchange.codeOf(result.denial), reason: result.denial.message, denial: result.tag }
  }
  const d = result.decision
  let violations: ReadonlyArray<Auth0Limits.Violation>
  try {
    violations = [
      ...Auth0Limits.check({ ...Decision.empty(), accessTokenClaims: d.accessTokenClaims }),
      ...checkTargetScopes(d.targetScopes ?? [])
    ]
  } catch {
    violations = [{ target: "accessToken", name: undefined, rule: "NotJson", bytes: undefined }]
  }
  if (foreign(d)) {
    printLine("rulefx ERROR request denied: the decision holds more than access-token claims")
    return serverError("ForeignDecision")
  }
  if (violations.length > 0) {
    for (const v of violations.slice(0, 10)) {
      printLine(`rulefx ERROR request denied, Auth0 would refuse the decision: ${Auth0Limits.describe(v)}`)
    }
    return serverError("Limits")
  }
  return {
    _tag: "Allowed",
    accessTokenClaims: d.accessTokenClaims,
    ...(d.targetScopes?.length ? { targetScopes: d.targetScopes } : {})
  }
}

/**
 * Runs a pipeline against an event and returns the Outcome, limits checked. Only `api.cache` is used.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decide = <E extends Denial, R, ROut, LE extends Denial>(
  pipeline: Pipeline.Pipeline<E, R>,
  layer: Layer.Layer<ROut, LE, PerRequest | TriggerRun.PerEvent> & TriggerRun.CheckLayer<R, ROut, PerRequest>,
  options: TriggerRun.Options = {}
) => {
  const run = TriggerRun.outcomes(
    CredentialsExchangeEvent.decode,
    pipeline,
    layer as Layer.Layer<ROut, LE, PerRequest | TriggerRun.PerEvent>,
    options,
    "token request failed closed",
    toOutcome
  )
  return (event: unknown, api?: Pick<CredentialsExchangeApi, "cache">): Promise<Outcome> => run(event, api)
}

/**
 * Applies an outcome through Auth0's `api`: the denial, or every access-token claim.
 *
 * @category constructors
 * @since 0.1.0
 */
export const apply = (outcome: Outcome, api: CredentialsExchangeApi): void => {
  if (outcome._tag === "Denied") {
    api.access.deny(outcome.code, outcome.reason)
    return
  }
  for (const name of Object.keys(outcome.accessTokenClaims)) {
    api.accessToken.setCustomClaim(name, outcome.accessTokenClaims[name])
  }
  if (outcome.targetScopes !== undefined) TargetScopeCalls.apply(outcome.targetScopes, api.transaction!)
}

/**
 * Tells whether an outcome needs a call the `api` lacks: target scope changes on a tenant without the early-access
 * `api.transaction`. Checked before any call, so the request is denied rather than half applied.
 *
 * @category guards
 * @since 0.1.0
 */
export const lacksApi = (outcome: Outcome, api: CredentialsExchangeApi): boolean =>
  outcome._tag === "Allowed" && (outcome.targetScopes ?? []).length > 0 && TargetScopeCalls.lacks(api.transaction)

/**
 * Builds `onExecuteCredentialsExchange` from a credentials-exchange pipeline and the layer of the services it needs
 * (Exchange, Secrets and Cache come from each request).
 *
 * **Example** (Scopes by client metadata)
 *
 * ```ts
 * import * as CredentialsExchange from "@rulefx/adapter-auth0/CredentialsExchange"
 * import * as Exchange from "@rulefx/core/CredentialsExchange"
 * import * as Effect from "effect/Effect"
 * import * as Layer from "effect/Layer"
 *
 * class ScopeNotAllowed extends Exchange.DenialClass("ScopeNotAllowed", "invalid_scope")<{ readonly scope: string }> {
 *   override get message() {
 *     return `This client may not request ${this.scope}.`
 *   }
 * }
 *
 * const allowedScopes = Exchange.makeRule(
 *   "allowed-scopes",
 *   Effect.gen(function*() {
 *     const { client, requestedScopes } = yield* Exchange.Exchange
 *     const allowed = (client.metadata["allowed_scopes"] ?? "").split(",")
 *     const refused = requestedScopes.find((scope) => !allowed.includes(scope))
 *     if (refused !== undefined) return yield* new ScopeNotAllowed({ scope: refused })
 *     yield* Exchange.setAccessTokenClaim("https://example.com/tier", client.metadata["tier"] ?? "free")
 *   })
 * )
 *
 * export const onExecuteCredentialsExchange = CredentialsExchange.make(
 *   Exchange.makePipeline({ facts: [], rules: [allowedScopes] }),
 *   Layer.empty
 * )
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <E extends Denial, R, ROut, LE extends Denial>(
  pipeline: Pipeline.Pipeline<E, R>,
  layer: Layer.Layer<ROut, LE, PerRequest | TriggerRun.PerEvent> & TriggerRun.CheckLayer<R, ROut, PerRequest>,
  options: TriggerRun.Options = {}
): Handler =>
  TriggerRun.blockingHandler<CredentialsExchangeApi, Outcome>(
    decide<E, R, ROut, LE>(pipeline, layer, options),
    TriggerRun.applyChecked(
      apply,
      lacksApi,
      serverError("MissingApi"),
      "request denied: target scopes need api.transaction (early access), which is absent"
    ),
    (api) => api.access.deny("server_error", genericReason)
  )
