/**
 * The subset of Auth0's `custom-token-exchange` event (v1) that rulefx reads, decoded into core's TokenExchange
 * model.
 *
 * Strict about what rules read: `transaction.subject_token` and `subject_token_type`, `client.client_id` and
 * `request.ip` must be non-empty strings, client metadata values strings. Lenient about the rest. The subject token is
 * a Redacted value and is left out of `raw` (with the actor token), so a log of the event never holds it. A malformed
 * event is an InvalidEvent value, never a TypeError; the handler denies the exchange with `server_error`.
 *
 * @since 0.1.0
 */
import * as Exchange from "@rulefx/core/CustomTokenExchange"
import * as v from "@rulefx/core/Validator"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { decodeWith, geoip, nonEmpty, optStr, secrets, str, stringDict, tenant } from "./internal/eventParts.ts"
import { type Decoded, type InvalidEvent, withoutSecrets } from "./TriggerRun.ts"

const EventSchema = v.object({
  transaction: v.object({ subject_token: nonEmpty, subject_token_type: nonEmpty }),
  client: v.object({ client_id: nonEmpty, name: v.optional(str, ""), metadata: stringDict }),
  request: v.object({ ip: nonEmpty, hostname: optStr, user_agent: optStr, language: optStr, geoip }),
  tenant,
  secrets
})

/**
 * The services a custom-token-exchange event provides to its rules.
 *
 * @category models
 * @since 0.1.0
 */
export type Services = Exchange.TokenExchange | Exchange.On

const decodeEvent = decodeWith(EventSchema)

/**
 * The event without its secrets and without the subject and actor tokens.
 *
 * @category getters
 * @since 0.1.0
 */
export const rawOf = (event: unknown): Readonly<Record<string, unknown>> => {
  const rest = withoutSecrets(event)
  const transaction = rest["transaction"]
  if (typeof transaction !== "object" || transaction === null) return rest
  const { actor_token: _actor, subject_token: _subject, ...kept } = transaction as Record<string, unknown>
  return { ...rest, transaction: kept }
}

/**
 * Decodes a custom-token-exchange event. Issues name paths and problems, never values.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decode = (event: unknown): Effect.Effect<Decoded<Services>, InvalidEvent> =>
  Effect.map(decodeEvent(event), (e) => ({
    secrets: e.secrets,
    user: undefined,
    services: Context.make(Exchange.TokenExchange, {
      subjectToken: Redacted.make(e.transaction.subject_token),
      subjectTokenType: e.transaction.subject_token_type,
      client: { id: e.client.client_id, name: e.client.name, metadata: e.client.metadata },
      request: {
        ip: e.request.ip,
        hostname: e.request.hostname,
        userAgent: e.request.user_agent,
        language: e.request.language,
        countryCode: e.request.geoip.countryCode
      },
      tenant: e.tenant.id,
      raw: rawOf(event)
    }).pipe(Context.add(Exchange.On, Exchange.id))
  }))
