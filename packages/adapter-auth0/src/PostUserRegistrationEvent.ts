/**
 * The subset of Auth0's `post-user-registration` event (v2) that rulefx reads, decoded into core's Registered model.
 *
 * Strict about what rules read: `user.user_id` must be a non-empty string and metadata objects. A malformed event is
 * an InvalidEvent value, never a TypeError; the handler logs it (the trigger cannot block anything).
 *
 * @since 0.1.0
 */
import * as PostUserRegistration from "@rulefx/core/PostUserRegistration"
import * as v from "@rulefx/core/Validator"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { connection, decodeWith, dict, nonEmpty, optStr, secrets, tenant } from "./internal/eventParts.ts"
import { type Decoded, type InvalidEvent, withoutSecrets } from "./TriggerRun.ts"

const EventSchema = v.object({
  user: v.object({
    user_id: nonEmpty,
    email: optStr,
    email_verified: v.optional(v.boolean(), false),
    username: optStr,
    name: optStr,
    phone_number: optStr,
    created_at: optStr,
    app_metadata: dict,
    user_metadata: dict
  }),
  connection,
  request: v.optional(v.object({ ip: nonEmpty, user_agent: optStr })),
  tenant,
  secrets
})

/**
 * The services a post-user-registration event provides to its rules.
 *
 * @category models
 * @since 0.1.0
 */
export type Services = PostUserRegistration.Registered | PostUserRegistration.On

const decodeEvent = decodeWith(EventSchema)

/**
 * Decodes a post-user-registration event. Issues name paths and problems, never values.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decode = (event: unknown): Effect.Effect<Decoded<Services>, InvalidEvent> =>
  Effect.map(decodeEvent(event), (e) => ({
    secrets: e.secrets,
    user: e.user.user_id,
    services: Context.make(PostUserRegistration.Registered, {
      user: {
        id: e.user.user_id,
        email: e.user.email,
        emailVerified: e.user.email_verified,
        username: e.user.username,
        name: e.user.name,
        phoneNumber: e.user.phone_number,
        createdAt: e.user.created_at,
        appMetadata: e.user.app_metadata,
        userMetadata: e.user.user_metadata
      },
      connection: e.connection,
      request: e.request && { ip: e.request.ip, userAgent: e.request.user_agent },
      tenant: e.tenant.id,
      raw: withoutSecrets(event)
    }).pipe(Context.add(PostUserRegistration.On, PostUserRegistration.id))
  }))
