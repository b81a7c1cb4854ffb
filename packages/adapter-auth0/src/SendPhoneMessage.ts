/**
 * SendPhoneMessage: turns a send-phone-message pipeline and a layer into Auth0's `onExecuteSendPhoneMessage(event,
 * api)` handler (trigger `send-phone-message`, v2).
 *
 * The rules deliver the message (through a service of yours); the trigger's `api` has only the cache. So the handler
 * resolves when every rule succeeded, and otherwise rejects, since a rejected handler is the one way Auth0 learns
 * that nothing was delivered (resolving would report a code as sent that never left): on a denial, a defect, the
 * deadline, a malformed event or a decision this trigger cannot apply. The rejection's message names what failed
 * (the denial's tag), never the code or the text; the detail is logged.
 *
 * @since 0.1.0
 */
import type { Denial } from "@rulefx/core/Denial"
import type * as Pipeline from "@rulefx/core/Pipeline"
import type * as Layer from "effect/Layer"
import type { CacheApi } from "./PostLoginApi.ts"
import * as SendPhoneMessageEvent from "./SendPhoneMessageEvent.ts"
import * as TriggerRun from "./TriggerRun.ts"

/**
 * The part of Auth0's send-phone-message `api` that rulefx uses: the cache only.
 *
 * @category models
 * @since 0.1.0
 */
export interface SendPhoneMessageApi {
  readonly cache?: CacheApi
}

/**
 * What happened: delivered (every rule succeeded), or not, with what failed.
 *
 * @category models
 * @since 0.1.0
 */
export type Outcome = { readonly _tag: "Delivered" } | { readonly _tag: "NotDelivered"; readonly what: string }

/**
 * The handler Auth0 calls.
 *
 * @category models
 * @since 0.1.0
 */
export type Handler = (event: unknown, api: SendPhoneMessageApi) => Promise<void>

/**
 * The services each event brings.
 *
 * @category utility types
 * @since 0.1.0
 */
export type PerEvent = SendPhoneMessageEvent.Services

/**
 * Runs a pipeline against an event and returns the Outcome; failures are logged.
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
    SendPhoneMessageEvent.decode,
    pipeline,
    layer as Layer.Layer<ROut, LE, PerEvent | TriggerRun.PerEvent>,
    options,
    "phone message not delivered",
    (result, event): Outcome => {
      const done = TriggerRun.sideEffectsOutcome(result, TriggerRun.userIdOf(event))
      return done._tag === "Done" ? { _tag: "Delivered" } : { _tag: "NotDelivered", what: done.what }
    }
  )
  return (event: unknown, api?: SendPhoneMessageApi): Promise<Outcome> => run(event, api)
}

/**
 * Builds `onExecuteSendPhoneMessage` from a send-phone-message pipeline and the layer of the services it needs.
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
    if (outcome._tag === "NotDelivered") {
      throw new Error(`rulefx: the phone message was not delivered (${outcome.what})`)
    }
  }
}
