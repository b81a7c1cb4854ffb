/**
 * CustomPhoneProvider: turns a custom-phone-provider pipeline and a layer into Auth0's
 * `onExecuteCustomPhoneProvider(event, api)` handler (trigger `custom-phone-provider`, v1).
 *
 * The rules deliver the notification (through a service of yours). When they all succeed the handler calls nothing.
 * A denial made with CustomPhoneProvider.DropClass calls `api.notification.drop(reason)`; any other denial, a defect,
 * the deadline, a malformed event or a decision this trigger cannot apply calls `api.notification.retry(reason)`:
 * the safe side for a message a user waits for. A reason is the denial's message (or a generic one), cut to Auth0's
 * 1,024 characters before the call; it never holds the code or the text, which the model keeps Redacted. The run,
 * the outcome and its application are TriggerRun's notification helpers, shared with custom-email-provider.
 *
 * @since 0.1.0
 */
import * as CorePhone from "@rulefx/core/CustomPhoneProvider"
import type { Denial } from "@rulefx/core/Denial"
import type * as Pipeline from "@rulefx/core/Pipeline"
import type * as Layer from "effect/Layer"
import * as CustomPhoneProviderEvent from "./CustomPhoneProviderEvent.ts"
import type { CacheApi } from "./PostLoginApi.ts"
import * as TriggerRun from "./TriggerRun.ts"

/**
 * The part of Auth0's custom-phone-provider `api` that rulefx calls.
 *
 * @category models
 * @since 0.1.0
 */
export interface CustomPhoneProviderApi extends TriggerRun.NotificationApi {
  readonly cache?: CacheApi
}

/**
 * What the run decided: delivered, dropped or to be retried.
 *
 * @category models
 * @since 0.1.0
 */
export type Outcome = TriggerRun.NotificationOutcome

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
export const maxReason = TriggerRun.maxNotificationReason

/**
 * The reason of a retry when the run failed closed. Leaks nothing.
 *
 * @category constructors
 * @since 0.1.0
 */
export const genericReason = "rulefx: the notification could not be delivered; retry"

const policy: TriggerRun.NotificationPolicy = { isDrop: CorePhone.isDrop, genericReason }

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
): (event: unknown, api?: Pick<CustomPhoneProviderApi, "cache">) => Promise<Outcome> =>
  TriggerRun.notifications(
    CustomPhoneProviderEvent.decode,
    pipeline,
    layer as Layer.Layer<ROut, LE, PerEvent | TriggerRun.PerEvent>,
    options,
    "phone notification failed",
    policy
  )

/**
 * Applies an outcome: nothing when delivered, otherwise drop or retry with the reason.
 *
 * @category constructors
 * @since 0.1.0
 */
export const apply: (outcome: Outcome, api: CustomPhoneProviderApi) => void = TriggerRun.applyNotification

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
): Handler => TriggerRun.notificationHandler<CustomPhoneProviderApi>(decide<E, R, ROut, LE>(pipeline, layer, options))
