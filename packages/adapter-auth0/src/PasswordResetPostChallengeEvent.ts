/**
 * The subset of Auth0's `password-reset-post-challenge` event (v1) that rulefx reads, decoded into core's
 * PasswordReset model, and the form submission (`event.prompt`) the continue pass reads.
 *
 * Strict about what rules read: `user.user_id` and `request.ip` must be non-empty strings, metadata objects, client
 * and organization metadata values strings, enrolled factors and methods objects with a string name or type. Lenient
 * about the rest. A malformed event is an InvalidEvent value, never a TypeError; the handler denies the reset.
 *
 * @since 0.1.0
 */
import * as Reset from "@rulefx/core/PasswordResetPostChallenge"
import type { Submission } from "@rulefx/core/Resumed"
import * as v from "@rulefx/core/Validator"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
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
    user_id: nonEmpty,
    email: optStr,
    email_verified: v.optional(v.boolean(), false),
    enrolledFactors: v.optional(v.array(v.object({ type: str, options: dict })), []),
    app_metadata: dict,
    user_metadata: dict
  }),
  authentication: v.optional(
    v.object({ methods: v.optional(v.array(v.object({ name: str, timestamp: optStr })), []) }),
    { methods: [] }
  ),
  authorization: v.optional(v.object({ roles: v.optional(v.array(str), []) }), { roles: [] }),
  client: v.object({ client_id: nonEmpty, name: v.optional(str, ""), metadata: stringDict }),
  connection,
  organization: v.optional(v.object({ id: nonEmpty, name: v.optional(str, ""), metadata: stringDict })),
  request: v.object({ ip: nonEmpty, hostname: optStr, user_agent: optStr, language: optStr, geoip, query: dict }),
  stats: v.optional(v.object({ logins_count: v.optional(v.number(), 0) }), { logins_count: 0 }),
  transaction: v.optional(
    v.object({
      locale: optStr,
      ui_locales: v.optional(v.array(str), []),
      state: optStr,
      login_hint: optStr,
      correlation_id: optStr
    }),
    { ui_locales: [] }
  ),
  prompt: v.optional(v.unknown()),
  tenant,
  secrets
})

/**
 * The services a password-reset-post-challenge event provides to its rules (either pass).
 *
 * @category models
 * @since 0.1.0
 */
export type Services = Reset.PasswordReset | Reset.On

const decodeEvent = decodeWith(EventSchema)

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> => Predicate.isObject(u) && !Array.isArray(u)

/**
 * The form the continue pass resumes from (`event.prompt`), if there is one: an object with a non-empty id.
 *
 * @category getters
 * @since 0.1.0
 */
export const submissionOf = (event: unknown): Submission | undefined => {
  const prompt = isRecord(event) ? event["prompt"] : undefined
  if (!isRecord(prompt) || typeof prompt["id"] !== "string" || prompt["id"].length === 0) return undefined
  const record = (u: unknown) => isRecord(u) ? u : {}
  return { id: prompt["id"], fields: record(prompt["fields"]), vars: record(prompt["vars"]) }
}

/**
 * Decodes a password-reset-post-challenge event. Issues name paths and problems, never values.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decode = (event: unknown): Effect.Effect<Decoded<Services>, InvalidEvent> =>
  Effect.map(decodeEvent(event), (e) => ({
    secrets: e.secrets,
    user: e.user.user_id,
    services: Context.make(Reset.PasswordReset, {
      user: {
        id: e.user.user_id,
        email: e.user.email,
        emailVerified: e.user.email_verified,
        enrolledFactors: e.user.enrolledFactors,
        appMetadata: e.user.app_metadata,
        userMetadata: e.user.user_metadata
      },
      authenticationMethods: e.authentication.methods,
      roles: e.authorization.roles,
      client: { id: e.client.client_id, name: e.client.name, metadata: e.client.metadata },
      connection: e.connection,
      organization: e.organization,
      request: {
        ip: e.request.ip,
        hostname: e.request.hostname,
        userAgent: e.request.user_agent,
        language: e.request.language,
        countryCode: e.request.geoip.countryCode,
        query: e.request.query
      },
      loginsCount: e.stats.logins_count,
      transaction: {
        locale: e.transaction.locale,
        uiLocales: e.transaction.ui_locales,
        state: e.transaction.state,
        loginHint: e.transaction.login_hint,
        correlationId: e.transaction.correlation_id
      },
      tenant: e.tenant.id,
      raw: withoutSecrets(event)
    }).pipe(Context.add(Reset.On, Reset.id))
  }))
