/**
 * CustomPhoneProvider: the model of a phone notification to deliver through your own provider (Auth0's
 * `custom-phone-provider` trigger).
 *
 * Rules read the `PhoneNotification` service (the kind of message, the delivery method, the recipient, and the text,
 * voice text and code as Redacted values) and deliver it through a service of yours. What they may decide is how a
 * failure ends: a denial made with `DropClass` is `api.notification.drop(reason)` (do not try again: an invalid
 * number, say); any other denial, a defect or the deadline is `api.notification.retry(reason)`, the safe side for a
 * message a user waits for. Reasons are logged by Auth0 and cut to its 1,024 characters before the call.
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Types from "effect/Types"
import * as Denial from "./Denial.ts"
import * as Trigger from "./Trigger.ts"

/**
 * The trigger's id.
 *
 * @category models
 * @since 0.1.0
 */
export const id = "custom-phone-provider" as const

/**
 * Everything a custom-phone-provider rule may read.
 *
 * @category models
 * @since 0.1.0
 */
export interface PhoneNotificationInfo {
  readonly notification: {
    /** `otp_verify`, `otp_enroll`, `blocked_account`, `change_password`, `password_breach`, ... */
    readonly messageType: string
    /** `text` or `voice`. */
    readonly deliveryMethod: string
    /** The phone number, E.164. */
    readonly recipient: string
    readonly from: string | undefined
    readonly locale: string | undefined
    readonly asText: Redacted.Redacted<string>
    readonly asVoice: Redacted.Redacted<string>
    readonly code: Redacted.Redacted<string> | undefined
  }
  readonly user: { readonly id: string | undefined; readonly email: string | undefined }
  readonly client: { readonly id: string; readonly name: string } | undefined
  readonly tenant: string
  /** The event as it arrived, without its secrets and without `notification` (the code and texts). */
  readonly raw: Readonly<Record<string, unknown>>
}

/**
 * The notification to deliver, as a service.
 *
 * @category services
 * @since 0.1.0
 */
export class PhoneNotification extends Context.Service<PhoneNotification, PhoneNotificationInfo>()(
  "@rulefx/core/CustomPhoneProvider/PhoneNotification"
) {
  /** Provides the given notification; the adapter builds it per event. */
  static readonly layer = (info: PhoneNotificationInfo): Layer.Layer<PhoneNotification> =>
    Layer.succeed(PhoneNotification, info)
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

/**
 * A denial that drops the notification for good (`api.notification.drop`).
 *
 * @category models
 * @since 0.1.0
 */
export interface DropDenial extends Denial.Denial {
  readonly drop: true
}

/**
 * Makes a denial class whose denials drop the notification; its message is the reason.
 *
 * @category constructors
 * @since 0.1.0
 */
export const DropClass = <Tag extends string>(tag: Tag): new<
  // oxlint-disable-next-line no-explicit-any
  A extends Record<string, any> = {}
>(
  args: Types.VoidIfEmpty<{ readonly [P in keyof A as P extends "_tag" | "drop" ? never : P]: A[P] }>
) => Cause.YieldableError & DropDenial & { readonly _tag: Tag } & Readonly<A> => {
  const Base = Denial.Class(tag)
  Object.defineProperty(Base.prototype, "drop", { value: true })
  // oxlint-disable-next-line no-explicit-any
  return Base as any
}

/**
 * Tells whether a denial drops the notification (made with DropClass) rather than asking for a retry.
 *
 * @category guards
 * @since 0.1.0
 */
export const isDrop = (denial: Denial.Denial): boolean => (denial as { readonly drop?: unknown }).drop === true

/**
 * Makes a custom-phone-provider rule (see Trigger.makeRule). It has nothing to record.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeRule = /* @__PURE__ */ Trigger.makeRule(id)

/**
 * Makes the custom-phone-provider pipeline (see Trigger.makePipeline).
 *
 * @category constructors
 * @since 0.1.0
 */
export const makePipeline = /* @__PURE__ */ Trigger.makePipeline(id)
