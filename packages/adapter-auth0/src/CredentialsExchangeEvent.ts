/**
 * The subset of Auth0's `credentials-exchange` event (v2) that rulefx reads, decoded into core's Exchange model.
 *
 * Strict about what rules read: `client.client_id`, `resource_server.identifier` and `request.ip` must be non-empty
 * strings, client metadata values strings, scopes arrays of strings. Lenient about the rest. A malformed event is an
 * InvalidEvent value, never a TypeError; the handler denies it with `server_error`.
 *
 * @since 0.1.0
 */
import * as CredentialsExchange from "@rulefx/core/CredentialsExchange"
import * as v from "@rulefx/core/Validator"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { decodeWith, geoip, nonEmpty, optStr, secrets, str, stringDict, tenant } from "./internal/eventParts.ts"
import { type Decoded, type InvalidEvent, withoutSecrets } from "./TriggerRun.ts"

const scopes = v.optional(v.array(v.string()), [])

const EventSchema = v.object({
  client: v.object({ client_id: nonEmpty, name: v.optional(str, ""), metadata: stringDict }),
  resource_server: v.object({ identifier: nonEmpty }),
  accessToken: v.optional(v.object({ scope: scopes }), { scope: [] }),
  transaction: v.optional(
    v.object({ requested_scopes: scopes, target_scopes: v.optional(v.array(v.string())) }),
    { requested_scopes: [] }
  ),
  request: v.object({ ip: nonEmpty, hostname: optStr, user_agent: optStr, geoip }),
  organization: v.optional(v.object({ id: nonEmpty, name: v.optional(str, "") })),
  tenant,
  secrets
})

/**
 * The services a credentials-exchange event provides to its rules.
 *
 * @category models
 * @since 0.1.0
 */
export type Services = CredentialsExchange.Exchange | CredentialsExchange.On

const decodeEvent = decodeWith(EventSchema)

/**
 * Decodes a credentials-exchange event. Issues name paths and problems, never values.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decode = (event: unknown): Effect.Effect<Decoded<Services>, InvalidEvent> =>
  Effect.map(decodeEvent(event), (e) => ({
    secrets: e.secrets,
    user: undefined,
    services: Context.make(CredentialsExchange.Exchange, {
      client: { id: e.client.client_id, name: e.client.name, metadata: e.client.metadata },
      audience: e.resource_server.identifier,
      requestedScopes: e.transaction.requested_scopes,
      grantedScopes: e.accessToken.scope,
      // Absent unless the tenant has the early-access target scopes.
      ...(e.transaction.target_scopes === undefined ? {} : { targetScopes: e.transaction.target_scopes }),
      request: {
        ip: e.request.ip,
        hostname: e.request.hostname,
        userAgent: e.request.user_agent,
        countryCode: e.request.geoip.countryCode
      },
      organization: e.organization,
      tenant: e.tenant.id,
      raw: withoutSecrets(event)
    }).pipe(Context.add(CredentialsExchange.On, CredentialsExchange.id))
  }))
