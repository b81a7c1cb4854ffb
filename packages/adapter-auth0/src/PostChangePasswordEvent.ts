/**
 * The subset of Auth0's `post-change-password` event (v2) that rulefx reads, decoded into core's PasswordChange
 * model.
 *
 * Every user field may be absent (Auth0's typings say so); those present must have their types. A malformed event is
 * an InvalidEvent value, never a TypeError; the handler logs it (the trigger cannot block anything).
 *
 * @since 0.1.0
 */
import * as PostChangePassword from "@rulefx/core/PostChangePassword"
import * as v from "@rulefx/core/Validator"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { connection, decodeWith, nonEmpty, optStr, secrets, tenant } from "./internal/eventParts.ts"
import { type Decoded, type InvalidEvent, withoutSecrets } from "./TriggerRun.ts"

const EventSchema = v.object({
  user: v.object({
    user_id: optStr,
    email: optStr,
    email_verified: v.optional(v.boolean(), false),
    username: optStr,
    phone_number: optStr,
    last_password_reset: optStr
  }),
  connection,
  request: v.optional(v.object({ ip: nonEmpty, user_agent: optStr })),
  tenant,
  secrets
})

/**
 * The services a post-change-password event provides to its rules.
 *
 * @category models
 * @since 0.1.0
 */
export type Services = PostChangePassword.PasswordChange | PostChangePassword.On

const decodeEvent = decodeWith(EventSchema)

/**
 * Decodes a post-change-password event. Issues name paths and problems, never values.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decode = (event: unknown): Effect.Effect<Decoded<Services>, InvalidEvent> =>
  Effect.map(decodeEvent(event), (e) => ({
    secrets: e.secrets,
    user: e.user.user_id,
    services: Context.make(PostChangePassword.PasswordChange, {
      user: {
        id: e.user.user_id,
        email: e.user.email,
        emailVerified: e.user.email_verified,
        username: e.user.username,
        phoneNumber: e.user.phone_number,
        lastPasswordReset: e.user.last_password_reset
      },
      connection: { id: e.connection.id, name: e.connection.name },
      request: e.request && { ip: e.request.ip, userAgent: e.request.user_agent },
      tenant: e.tenant.id,
      raw: withoutSecrets(event)
    }).pipe(Context.add(PostChangePassword.On, PostChangePassword.id))
  }))
