/**
 * The subset of Auth0's `custom-email-provider` event (v1) that rulefx reads, decoded into core's EmailNotification
 * model.
 *
 * Strict about what rules read: `notification.to` and `message_type` must be non-empty strings, `html` and `text`
 * strings (every copy of Auth0's event page lists these five); `from`, `subject` and `locale` may be absent (an older
 * copy of the page lists neither `from` nor `subject`). The html and text become Redacted values, and `raw` leaves
 * `notification` out. A malformed event is an InvalidEvent value naming paths, never values.
 *
 * @since 0.1.0
 */
import * as CustomEmailProvider from "@rulefx/core/CustomEmailProvider"
import * as v from "@rulefx/core/Validator"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { decodeWith, nonEmpty, optStr, secrets, str, stringDict, tenant } from "./internal/eventParts.ts"
import { type Decoded, type InvalidEvent, withoutSecrets } from "./TriggerRun.ts"

const EventSchema = v.object({
  notification: v.object({
    message_type: nonEmpty,
    to: nonEmpty,
    from: optStr,
    subject: optStr,
    locale: optStr,
    html: str,
    text: str
  }),
  user: v.optional(v.object({ user_id: optStr, email: optStr }), {}),
  client: v.optional(v.object({ client_id: nonEmpty, name: v.optional(str, ""), metadata: stringDict })),
  connection: v.optional(
    v.object({ id: v.optional(str, ""), name: v.optional(str, ""), strategy: v.optional(str, "") })
  ),
  organization: v.optional(
    v.object({ id: nonEmpty, name: v.optional(str, ""), display_name: optStr, metadata: stringDict })
  ),
  request: v.optional(v.object({ ip: optStr, hostname: optStr }), {}),
  tenant,
  secrets
})

/**
 * The services a custom-email-provider event provides to its rules.
 *
 * @category models
 * @since 0.1.0
 */
export type Services = CustomEmailProvider.EmailNotification | CustomEmailProvider.On

const decodeEvent = decodeWith(EventSchema)

/**
 * Decodes a custom-email-provider event. Issues name paths and problems, never values.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decode = (event: unknown): Effect.Effect<Decoded<Services>, InvalidEvent> =>
  Effect.map(decodeEvent(event), (e) => {
    const { notification: _notification, ...raw } = withoutSecrets(event)
    const n = e.notification
    const o = e.organization
    return {
      secrets: e.secrets,
      user: e.user.user_id,
      services: Context.make(CustomEmailProvider.EmailNotification, {
        notification: {
          messageType: n.message_type,
          to: n.to,
          from: n.from,
          subject: n.subject,
          locale: n.locale,
          html: Redacted.make(n.html),
          text: Redacted.make(n.text)
        },
        user: { id: e.user.user_id, email: e.user.email },
        client: e.client && { id: e.client.client_id, name: e.client.name, metadata: e.client.metadata },
        connection: e.connection,
        organization: o && { id: o.id, name: o.name, displayName: o.display_name, metadata: o.metadata },
        request: { ip: e.request.ip, hostname: e.request.hostname },
        tenant: e.tenant.id,
        raw
      }).pipe(Context.add(CustomEmailProvider.On, CustomEmailProvider.id))
    }
  })
