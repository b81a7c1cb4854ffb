/**
 * The subset of Auth0's `custom-phone-provider` event (v1) that rulefx reads, decoded into core's PhoneNotification
 * model.
 *
 * Strict about what rules read: `notification.recipient`, `as_text` and `as_voice` must be strings, the recipient
 * non-empty. The texts and the code become Redacted values, and `raw` leaves `notification` out. A malformed event
 * is an InvalidEvent value naming paths, never values.
 *
 * @since 0.1.0
 */
import * as CustomPhoneProvider from "@rulefx/core/CustomPhoneProvider"
import * as v from "@rulefx/core/Validator"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { decodeWith, nonEmpty, optStr, secrets, str, tenant } from "./internal/eventParts.ts"
import { type Decoded, type InvalidEvent, withoutSecrets } from "./TriggerRun.ts"

const EventSchema = v.object({
  notification: v.object({
    message_type: v.optional(str, ""),
    delivery_method: v.optional(str, "text"),
    recipient: nonEmpty,
    from: optStr,
    locale: optStr,
    as_text: str,
    as_voice: v.optional(str, ""),
    code: optStr
  }),
  user: v.optional(v.object({ user_id: optStr, email: optStr }), {}),
  client: v.optional(v.object({ client_id: nonEmpty, name: v.optional(str, "") })),
  tenant,
  secrets
})

/**
 * The services a custom-phone-provider event provides to its rules.
 *
 * @category models
 * @since 0.1.0
 */
export type Services = CustomPhoneProvider.PhoneNotification | CustomPhoneProvider.On

const decodeEvent = decodeWith(EventSchema)

/**
 * Decodes a custom-phone-provider event. Issues name paths and problems, never values.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decode = (event: unknown): Effect.Effect<Decoded<Services>, InvalidEvent> =>
  Effect.map(decodeEvent(event), (e) => {
    const { notification: _notification, ...raw } = withoutSecrets(event)
    const n = e.notification
    return {
      secrets: e.secrets,
      user: e.user.user_id,
      services: Context.make(CustomPhoneProvider.PhoneNotification, {
        notification: {
          messageType: n.message_type,
          deliveryMethod: n.delivery_method,
          recipient: n.recipient,
          from: n.from,
          locale: n.locale,
          asText: Redacted.make(n.as_text),
          asVoice: Redacted.make(n.as_voice),
          code: n.code === undefined ? undefined : Redacted.make(n.code)
        },
        user: { id: e.user.user_id, email: e.user.email },
        client: e.client && { id: e.client.client_id, name: e.client.name },
        tenant: e.tenant.id,
        raw
      }).pipe(Context.add(CustomPhoneProvider.On, CustomPhoneProvider.id))
    }
  })
