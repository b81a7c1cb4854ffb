/**
 * CustomPhoneProvider: turns a custom-phone-provider pipeline and a layer into Auth0's
 * `onExecuteCustomPhoneProvider(event, api)` handler (trigger `custom-phone-provider`, v1).
 *
 * The rules deliver the notification (through a service of yours). When they all succeed the handler calls nothing.
 * A denial made with CustomPhoneProvider.DropClass calls `api.notification.drop(reason)`; any other denial, a defect,
 * the deadline, a malformed event or a decision this trigger cannot apply calls `api.notification.retry(reason)`:
 * the safe side for a message a user waits for. A reason is the denial's message (or a generic one), cut to Auth0's
 * 1,024 characters before the call; it never holds the code or the text, which the model keeps Redacted.
 *
 * @since 0.1.0
 */
import * as CorePhone from "@rulefx/core/CustomPhoneProvider"
import * as Decision from "@rulefx/core/Decision"
import { type Denial, describe } from "@rulefx/core/Denial"
import type * as Pipeline from "@rulefx/core/Pipeline"
import type * as Layer from "effect/Layer"
import * as CustomPhoneProviderEvent from "./CustomPhoneProviderEvent.ts"
import { printLine } from "./internal/logger.ts"
import type { CacheApi } from "./PostLoginApi.ts"
import * as TriggerRun from "./TriggerRun.ts"

/**
 * The part of Auth0's custom-phone-provider `api` that rulefx calls.
 *
 * @category models
 * @since 0.1.0
 */
export interface CustomPhoneProviderApi {
  readonly notification: {
    readonly drop: (reason: string) => unknown
    readonly retry: (reason: string) => unknown
  }
  readonly cache?: CacheApi
}

/**
 * What the run decided.
 *
 * @category models
 * @since 0.1.0
 */
export type Outcome =
  | { readonly _tag: "Delivered" }
  | { readonly _tag: "Dropped"; readonly reason: string; readonly denial: string }
  | { readonly _tag: "Retry"; readonly reason: string; readonly denial: string }

/**
 * The handler Auth0 calls.
 *
 * @category models
 * @since 0.1.0
 */
export type Handler = (event: unknown, api: CustomPhoneProviderApi) => Promise<void>

/**
 * The services each event brings.
 *
 * @category utility types
 * @since 0.1.0
 */
export type PerEvent = CustomPhoneProviderEvent.Services

/**
 * Auth0's limit on a drop or retry reason, in characters.
 *
 * @category constructors
 * @since 0.1.0
 */
export const maxReason = 1024

/**
 * The reason of a retry when the run failed closed. Leaks nothing.
 *
 * @category constructors
 * @since 0.1.0
 */
export const genericReason = "rulefx: the notification could not be delivered; retry"

const cut = (reason: string): string => reason.length > maxReason ? reason.slice(0, maxReason) : reason

const toOutcome = (result: TriggerRun.Result): Outcome => {
  if (result._tag === "Failed") {
    const denial = result.denial
    if (denial === undefined) return { _tag: "Retry", reason: genericReason, denial: result.tag }
    return {
      _tag: CorePhone.isDrop(denial) ? "Dropped" : "Retry",
      reason: cut(denial.message),
      denial: result.tag
    }
  }
  if (!Decision.isEmpty(result.decision)) {
    printLine("rulefx ERROR notification retried: the decision holds something this trigger cannot apply")
    return { _tag: "Retry", reason: genericReason, denial: "ForeignDecision" }
  }
  return { _tag: "Delivered" }
}

/**
 * Runs a pipeline against an event and returns the Outcome. Only `api.cache` is used.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decide = <E extends Denial, R, ROut, LE extends Denial>(
  pipeline: Pipeline.Pipeline<E, R>,
  layer: Layer.Layer<ROut, LE, PerEvent | TriggerRun.PerEvent> & TriggerRun.CheckLayer<R, ROut, PerEvent>,
  options: TriggerRun.Options = {}
) => {
  const run = TriggerRun.outcomes(
    CustomPhoneProviderEvent.decode,
    pipeline,
    layer as Layer.Layer<ROut, LE, PerEvent | TriggerRun.PerEvent>,
    options,
    "phone notification failed",
    toOutcome
  )
  return (event: unknown, api?: Pick<CustomPhoneProviderApi, "cache">): Promise<Outcome> => run(event, api)
}

/**
 * Applies an outcome: nothing when delivered, otherwise drop or retry with the reason.
 *
 * @category constructors
 * @since 0.1.0
 */
export const apply = (outcome: Outcome, api: CustomPhoneProviderApi): void => {
  if (outcome._tag === "Dropped") api.notification.drop(outcome.reason)
  else if (outcome._tag === "Retry") api.notification.retry(outcome.reason)
}

/**
 * Builds `onExecuteCustomPhoneProvider` from a custom-phone-provider pipeline and the layer of the services it needs.
 * If applying the outcome throws (Auth0's own `api`), the handler rejects: Auth0 then counts the delivery as failed.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <E extends Denial, R, ROut, LE extends Denial>(
  pipeline: Pipeline.Pipeline<E, R>,
  layer: Layer.Layer<ROut, LE, PerEvent | TriggerRun.PerEvent> & TriggerRun.CheckLayer<R, ROut, PerEvent>,
  options: TriggerRun.Options = {}
): Handler => {
  const run = decide<E, R, ROut, LE>(pipeline, layer, options)
  return async (event, api) => {
    const outcome = await run(event, api)
    if (outcome._tag !== "Delivered") {
      printLine(`rulefx WARN notification ${outcome._tag.toLowerCase()}: ${describe({ _tag: outcome.denial })}`)
    }
    apply(outcome, api)
  }
}
