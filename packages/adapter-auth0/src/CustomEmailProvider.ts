/**
 * CustomEmailProvider: turns a custom-email-provider pipeline and a layer into Auth0's
 * `onExecuteCustomEmailProvider(event, api)` handler (trigger `custom-email-provider`, v1).
 *
 * The rules deliver the email (through a service of yours). When they all succeed the handler calls nothing: the
 * email counts as sent. A denial made with CustomEmailProvider.DropClass calls `api.notification.drop(reason)` (Auth0
 * logs it and does not send the email to the Action again); any other denial, a defect, the deadline, a malformed
 * event or a decision this trigger cannot apply calls `api.notification.retry(reason)`, so a failure is never taken
 * for a sent email and the email a user waits for is tried again rather than lost. Exactly one call is made (Auth0
 * considers only the last). A reason is the denial's message (or a generic one), cut to 1,024 characters before the
 * call; it never holds the html or text, which the model keeps Redacted. The run, the outcome and its application are
 * TriggerRun's notification helpers, shared with custom-phone-provider's api shape.
 *
 * @since 0.1.0
 */
import * as CoreEmail from "@rulefx/core/CustomEmailProvider"
import type { Denial } from "@rulefx/core/Denial"
import type * as Pipeline from "@rulefx/core/Pipeline"
import type * as Layer from "effect/Layer"
import * as CustomEmailProviderEvent from "./CustomEmailProviderEvent.ts"
import type { CacheApi } from "./PostLoginApi.ts"
import * as TriggerRun from "./TriggerRun.ts"

/**
 * The part of Auth0's custom-email-provider `api` that rulefx calls.
 *
 * @category models
 * @since 0.1.0
 */
export interface CustomEmailProviderApi extends TriggerRun.NotificationApi {
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
export type Handler = (event: unknown, api: CustomEmailProviderApi) => Promise<void>

/**
 * The services each event brings.
 *
 * @category utility types
 * @since 0.1.0
 */
export type PerEvent = CustomEmailProviderEvent.Services

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
export const genericReason = "rulefx: the email could not be delivered; retry"

const policy: TriggerRun.NotificationPolicy = { isDrop: CoreEmail.isDrop, genericReason }

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
): (event: unknown, api?: Pick<CustomEmailProviderApi, "cache">) => Promise<Outcome> =>
  TriggerRun.notifications(
    CustomEmailProviderEvent.decode,
    pipeline,
    layer as Layer.Layer<ROut, LE, PerEvent | TriggerRun.PerEvent>,
    options,
    "email notification failed",
    policy
  )

/**
 * Applies an outcome: nothing when delivered, otherwise drop or retry with the reason.
 *
 * @category constructors
 * @since 0.1.0
 */
export const apply: (outcome: Outcome, api: CustomEmailProviderApi) => void = TriggerRun.applyNotification

/**
 * Builds `onExecuteCustomEmailProvider` from a custom-email-provider pipeline and the layer of the services it needs.
 * If applying the outcome throws (Auth0's own `api`), the handler rejects: Auth0 then counts the delivery as failed.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <E extends Denial, R, ROut, LE extends Denial>(
  pipeline: Pipeline.Pipeline<E, R>,
  layer: Layer.Layer<ROut, LE, PerEvent | TriggerRun.PerEvent> & TriggerRun.CheckLayer<R, ROut, PerEvent>,
  options: TriggerRun.Options = {}
): Handler => TriggerRun.notificationHandler<CustomEmailProviderApi>(decide<E, R, ROut, LE>(pipeline, layer, options))
