/**
 * The subset of Auth0's `send-phone-message` event (v2) that rulefx reads, decoded into core's PhoneMessage model.
 *
 * Strict about what rules read: `message_options.recipient`, `code` and `text` must be non-empty strings. The code
 * and the text become Redacted values, and `raw` leaves `message_options` out, so neither reaches a log through the
 * model. A malformed event is an InvalidEvent value naming paths, never values.
 *
 * @since 0.1.0
 */
import * as SendPhoneMessage from "@rulefx/core/SendPhoneMessage"
import * as v from "@rulefx/core/Validator"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { decodeWith, nonEmpty, optStr, secrets, str, stringDict, tenant } from "./internal/eventParts.ts"
import { type Decoded, type InvalidEvent, withoutSecrets } from "./TriggerRun.ts"

const EventSchema = v.object({
  message_options: v.object({
    action: v.optional(str, ""),
    message_type: v.optional(str, "sms"),
    recipient: nonEmpty,
    code: nonEmpty,
    text: nonEmpty
  }),
  user: v.optional(v.object({ user_id: optStr, email: optStr }), {}),
  client: v.optional(v.object({ client_id: nonEmpty, name: v.optional(str, ""), metadata: stringDict })),
  request: v.optional(v.object({ ip: optStr }), {}),
  tenant,
  secrets
})

/**
 * The services a send-phone-message event provides to its rules.
 *
 * @category models
 * @since 0.1.0
 */
export type Services = SendPhoneMessage.PhoneMessage | SendPhoneMessage.On

const decodeEvent = decodeWith(EventSchema)

/**
 * Decodes a send-phone-message event. Issues name paths and problems, never values.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decode = (event: unknown): Effect.Effect<Decoded<Services>, InvalidEvent> =>
  Effect.map(decodeEvent(event), (e) => {
    const { message_options: _message, ...raw } = withoutSecrets(event)
    return {
      secrets: e.secrets,
      user: e.user.user_id,
      services: Context.make(SendPhoneMessage.PhoneMessage, {
        message: {
          action: e.message_options.action,
          messageType: e.message_options.message_type,
          recipient: e.message_options.recipient,
          code: Redacted.make(e.message_options.code),
          text: Redacted.make(e.message_options.text)
        },
        user: { id: e.user.user_id, email: e.user.email },
        client: e.client && { id: e.client.client_id, name: e.client.name, metadata: e.client.metadata },
        request: { ip: e.request.ip },
        tenant: e.tenant.id,
        raw
      }).pipe(Context.add(SendPhoneMessage.On, SendPhoneMessage.id))
    }
  })
