/**
 * SendPhoneMessage: the model of an MFA text or voice message to deliver (Auth0's `send-phone-message` trigger), for
 * rules that deliver it through your own provider.
 *
 * Rules read the `PhoneMessage` service (the recipient, the kind of message, and the code and text as Redacted
 * values, since they carry a one-time code) and deliver it through a service of yours. They decide nothing (a rule
 * that records a decision does not compile, see Trigger.ts); a rule that cannot deliver fails with a denial. The
 * trigger's `api` has only the cache, so the one way to tell Auth0 that nothing was delivered is a handler that
 * rejects: the adapter rejects on a denial, a defect, the deadline or a malformed event, with a message that holds
 * neither the code nor the text.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import * as Trigger from "./Trigger.ts"

/**
 * The trigger's id.
 *
 * @category models
 * @since 0.1.0
 */
export const id = "send-phone-message" as const

/**
 * Everything a send-phone-message rule may read.
 *
 * @category models
 * @since 0.1.0
 */
export interface PhoneMessageInfo {
  readonly message: {
    /** `enrollment` or `second-factor-authentication`. */
    readonly action: string
    /** `sms` or `voice`. */
    readonly messageType: string
    /** The phone number, E.164. */
    readonly recipient: string
    readonly code: Redacted.Redacted<string>
    /** The text Auth0 composed, the code in it. */
    readonly text: Redacted.Redacted<string>
  }
  readonly user: { readonly id: string | undefined; readonly email: string | undefined }
  readonly client:
    | { readonly id: string; readonly name: string; readonly metadata: Readonly<Record<string, string>> }
    | undefined
  readonly request: { readonly ip: string | undefined }
  readonly tenant: string
  /** The event as it arrived, without its secrets and without `message_options` (the code). */
  readonly raw: Readonly<Record<string, unknown>>
}

/**
 * The message to deliver, as a service.
 *
 * @category services
 * @since 0.1.0
 */
export class PhoneMessage extends Context.Service<PhoneMessage, PhoneMessageInfo>()(
  "@rulefx/core/SendPhoneMessage/PhoneMessage"
) {
  /** Provides the given message; the adapter builds it per event. */
  static readonly layer = (info: PhoneMessageInfo): Layer.Layer<PhoneMessage> => Layer.succeed(PhoneMessage, info)
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
 * Makes a send-phone-message rule (see Trigger.makeRule). It has nothing to record.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeRule = /* @__PURE__ */ Trigger.makeRule(id)

/**
 * Makes the send-phone-message pipeline (see Trigger.makePipeline): every rule must succeed, the message counts as
 * delivered only then.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makePipeline = /* @__PURE__ */ Trigger.makePipeline(id)
