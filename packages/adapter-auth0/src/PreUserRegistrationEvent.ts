/**
 * The subset of Auth0's `pre-user-registration` event (v2) that rulefx reads, decoded into core's Registration model.
 *
 * Strict about what rules read: `request.ip` must be a non-empty string, metadata objects, client metadata values
 * strings; the user has no id yet. Lenient about the rest. A malformed event is an InvalidEvent value, never a
 * TypeError; the handler denies the sign-up with a generic message.
 *
 * @since 0.1.0
 */
import * as PreUserRegistration from "@rulefx/core/PreUserRegistration"
import * as v from "@rulefx/core/Validator"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import {
  connection,
  decodeWith,
  dict,
  geoip,
  nonEmpty,
  optStr,
  secrets,
  str,
  stringDict,
  tenant
} from "./internal/eventParts.ts"
import { type Decoded, type InvalidEvent, withoutSecrets } from "./TriggerRun.ts"

const EventSchema = v.object({
  user: v.object({
    email: optStr,
    username: optStr,
    name: optStr,
    nickname: optStr,
    phone_number: optStr,
    app_metadata: dict,
    user_metadata: dict
  }),
  connection,
  client: v.optional(v.object({ client_id: nonEmpty, name: v.optional(str, ""), metadata: stringDict })),
  request: v.object({ ip: nonEmpty, hostname: optStr, user_agent: optStr, language: optStr, geoip }),
  tenant,
  secrets
})

/**
 * The services a pre-user-registration event provides to its rules.
 *
 * @category models
 * @since 0.1.0
 */
export type Services = PreUserRegistration.Registration | PreUserRegistration.On

const decodeEvent = decodeWith(EventSchema)

/**
 * Decodes a pre-user-registration event. Issues name paths and problems, never values.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decode = (event: unknown): Effect.Effect<Decoded<Services>, InvalidEvent> =>
  Effect.map(decodeEvent(event), (e) => ({
    secrets: e.secrets,
    user: e.user.email ?? e.user.username ?? e.user.phone_number,
    services: Context.make(PreUserRegistration.Registration, {
      user: {
        email: e.user.email,
        username: e.user.username,
        name: e.user.name,
        nickname: e.user.nickname,
        phoneNumber: e.user.phone_number,
        appMetadata: e.user.app_metadata,
        userMetadata: e.user.user_metadata
      },
      connection: e.connection,
      client: e.client && { id: e.client.client_id, name: e.client.name, metadata: e.client.metadata },
      request: {
        ip: e.request.ip,
        hostname: e.request.hostname,
        userAgent: e.request.user_agent,
        language: e.request.language,
        countryCode: e.request.geoip.countryCode
      },
      tenant: e.tenant.id,
      raw: withoutSecrets(event)
    }).pipe(Context.add(PreUserRegistration.On, PreUserRegistration.id))
  }))
