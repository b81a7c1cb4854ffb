/**
 * PreUserRegistration: turns a pre-user-registration pipeline and a layer into Auth0's
 * `onExecutePreUserRegistration(event, api)` handler (trigger `pre-user-registration`, v2).
 *
 * The same way through as PostLogin: decode the event (PreUserRegistrationEvent), run the pipeline under a deadline
 * over per-sign-up services (Registration, Secrets, Cache), check the Decision against Auth0's limits, then call `api`
 * once, at the end. The trigger is blocking, so it fails closed. A denial calls `api.access.deny(reason, userMessage)`:
 * the reason (Auth0's logs) is the denial's description, its tag and fields, cut to 200 characters; the user message
 * is its message. A denial made with PreUserRegistration.ValidationClass calls `api.validation.error(errorCode,
 * message)` instead. A malformed event, a defect, the deadline, metadata Auth0 would refuse (Auth0Limits: forbidden
 * keys, "." or "$" in names, 32 kB), metadata on a passwordless connection (`sms`, `email`: Auth0 refuses it there),
 * or a decision this trigger cannot apply denies with a generic user message and logs the detail. Metadata is written
 * only when the sign-up is allowed.
 *
 * @since 0.1.0
 */
import * as Decision from "@rulefx/core/Decision"
import { type Denial, describe } from "@rulefx/core/Denial"
import type * as Pipeline from "@rulefx/core/Pipeline"
import * as CoreRegistration from "@rulefx/core/PreUserRegistration"
import type * as Layer from "effect/Layer"
import * as Auth0Limits from "./Auth0Limits.ts"
import { printLine } from "./internal/logger.ts"
import type { CacheApi } from "./PostLoginApi.ts"
import * as PreUserRegistrationEvent from "./PreUserRegistrationEvent.ts"
import * as TriggerRun from "./TriggerRun.ts"

/**
 * The part of Auth0's pre-user-registration `api` that rulefx calls.
 *
 * @category models
 * @since 0.1.0
 */
export interface PreUserRegistrationApi {
  readonly access: { readonly deny: (reason: string, userMessage: string) => unknown }
  readonly user: {
    readonly setAppMetadata: (key: string, value: unknown) => unknown
    readonly setUserMetadata: (key: string, value: unknown) => unknown
  }
  readonly validation: { readonly error: (errorCode: string, errorMessage: string) => unknown }
  /** Auth0's cache, shared by the Actions of the trigger. */
  readonly cache?: CacheApi
}

/**
 * What the run decided: allow with the metadata to set, deny (reason for the logs, message for the user), or a
 * validation error with its code.
 *
 * @category models
 * @since 0.1.0
 */
export type Outcome =
  | {
    readonly _tag: "Allowed"
    readonly appMetadata: Readonly<Record<string, unknown>>
    readonly userMetadata: Readonly<Record<string, unknown>>
  }
  | { readonly _tag: "Denied"; readonly reason: string; readonly userMessage: string; readonly denial: string }
  | { readonly _tag: "Invalid"; readonly errorCode: string; readonly message: string; readonly denial: string }

/**
 * The handler Auth0 calls.
 *
 * @category models
 * @since 0.1.0
 */
export type Handler = (event: unknown, api: PreUserRegistrationApi) => Promise<void>

/**
 * The services each sign-up's event brings.
 *
 * @category utility types
 * @since 0.1.0
 */
export type PerSignUp = PreUserRegistrationEvent.Services

/**
 * The user message when the sign-up fails closed. Leaks nothing.
 *
 * @category constructors
 * @since 0.1.0
 */
export const genericMessage = "Sign-up is temporarily unavailable. Please try again later."

/**
 * The strategies of Auth0's passwordless connections, whose users cannot get metadata in this trigger.
 *
 * @category constructors
 * @since 0.1.0
 */
export const passwordlessStrategies: ReadonlySet<string> = /* @__PURE__ */ new Set(["sms", "email"])

const failedClosed = (what: string): Outcome => ({
  _tag: "Denied",
  reason: `rulefx failed closed: ${what}`,
  userMessage: genericMessage,
  denial: what
})

const foreign = (d: Decision.Decision): boolean => !Decision.isEmpty({ ...d, appMetadata: {}, userMetadata: {} })

const hasMetadata = (d: Decision.Decision): boolean =>
  Object.keys(d.appMetadata).length > 0 || Object.keys(d.userMetadata).length > 0

const strategyOf = (event: unknown): unknown =>
  (event as { readonly connection?: { readonly strategy?: unknown } } | undefined)?.connection?.strategy

const toOutcome = (result: TriggerRun.Result, event: unknown): Outcome => {
  if (result._tag === "Failed") {
    const denial = result.denial
    if (denial === undefined) return failedClosed(result.tag)
    const errorCode = CoreRegistration.errorCodeOf(denial)
    return errorCode === undefined
      ? { _tag: "Denied", reason: describe(denial).slice(0, 200), userMessage: denial.message, denial: result.tag }
      : { _tag: "Invalid", errorCode, message: denial.message, denial: result.tag }
  }
  const d = result.decision
  if (foreign(d)) {
    printLine("rulefx ERROR sign-up denied: the decision holds more than metadata")
    return failedClosed("ForeignDecision")
  }
  if (hasMetadata(d) && passwordlessStrategies.has(strategyOf(event) as string)) {
    printLine("rulefx ERROR sign-up denied: Auth0 sets no metadata on passwordless users")
    return failedClosed("Limits")
  }
  let violations: ReadonlyArray<Auth0Limits.Violation>
  try {
    violations = Auth0Limits.check(d)
  } catch {
    violations = [{ target: "decision", name: undefined, rule: "NotJson", bytes: undefined }]
  }
  if (violations.length > 0) {
    for (const v of violations.slice(0, 10)) {
      printLine(`rulefx ERROR sign-up denied, Auth0 would refuse the decision: ${Auth0Limits.describe(v)}`)
    }
    return failedClosed("Limits")
  }
  return { _tag: "Allowed", appMetadata: d.appMetadata, userMetadata: d.userMetadata }
}

/**
 * Runs a pipeline against an event and returns the Outcome, limits checked. Only `api.cache` is used.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decide = <E extends Denial, R, ROut, LE extends Denial>(
  pipeline: Pipeline.Pipeline<E, R>,
  layer: Layer.Layer<ROut, LE, PerSignUp | TriggerRun.PerEvent> & TriggerRun.CheckLayer<R, ROut, PerSignUp>,
  options: TriggerRun.Options = {}
) => {
  const run = TriggerRun.outcomes(
    PreUserRegistrationEvent.decode,
    pipeline,
    layer as Layer.Layer<ROut, LE, PerSignUp | TriggerRun.PerEvent>,
    options,
    "sign-up failed closed",
    toOutcome
  )
  return (event: unknown, api?: Pick<PreUserRegistrationApi, "cache">): Promise<Outcome> => run(event, api)
}

/**
 * Applies an outcome through Auth0's `api`: the denial, the validation error, or every metadata key.
 *
 * @category constructors
 * @since 0.1.0
 */
export const apply = (outcome: Outcome, api: PreUserRegistrationApi): void => {
  if (outcome._tag === "Denied") {
    api.access.deny(outcome.reason, outcome.userMessage)
    return
  }
  if (outcome._tag === "Invalid") {
    api.validation.error(outcome.errorCode, outcome.message)
    return
  }
  for (const key of Object.keys(outcome.appMetadata)) api.user.setAppMetadata(key, outcome.appMetadata[key])
  for (const key of Object.keys(outcome.userMetadata)) api.user.setUserMetadata(key, outcome.userMetadata[key])
}

/**
 * Builds `onExecutePreUserRegistration` from a pre-user-registration pipeline and the layer of the services it needs
 * (Registration, Secrets and Cache come from each sign-up).
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <E extends Denial, R, ROut, LE extends Denial>(
  pipeline: Pipeline.Pipeline<E, R>,
  layer: Layer.Layer<ROut, LE, PerSignUp | TriggerRun.PerEvent> & TriggerRun.CheckLayer<R, ROut, PerSignUp>,
  options: TriggerRun.Options = {}
): Handler =>
  TriggerRun.blockingHandler<PreUserRegistrationApi, Outcome>(
    decide<E, R, ROut, LE>(pipeline, layer, options),
    apply,
    (api) => api.access.deny("rulefx failed closed: handler", genericMessage)
  )
