/**
 * The M2M policy of a client, read from its metadata (Auth0's client_metadata: strings only, at most 10 keys):
 *
 * - `allowed_scopes`: the scopes the client may request, comma-separated. Required: a client without it is refused
 *   (`invalid_request`), so a new client gets nothing by accident.
 * - `allowed_audiences` (optional): the APIs the client may ask tokens for, comma-separated; absent means any.
 * - `tier` (optional): `free` (default), `pro` or `enterprise`; it sets the token's tier and rate-limit claims.
 * - `org` (optional): the customer the client belongs to, copied into a claim.
 *
 * The policy is a fact: decoded once per request, read by every rule. Metadata that does not fit (an unknown tier) is
 * an InvalidData denial, which the adapter sends as `server_error`: a misconfigured client fails closed.
 */
import * as Exchange from "@rulefx/core/CredentialsExchange"
import * as Decode from "@rulefx/core/Decode"
import * as Fact from "@rulefx/core/Fact"
import * as Effect from "effect/Effect"
import * as v from "valibot"

const list = v.pipe(
  v.string(),
  v.transform((value) => value.split(",").map((item) => item.trim()).filter((item) => item.length > 0))
)

const PolicySchema = v.object({
  allowed_scopes: v.optional(list),
  allowed_audiences: v.optional(list),
  tier: v.optional(v.picklist(["free", "pro", "enterprise"]), "free"),
  org: v.optional(v.string())
})

/**
 * A client's policy.
 */
export type Policy = v.InferOutput<typeof PolicySchema>

/**
 * Requests per minute by tier, as the API gateway reads it from the token.
 */
export const rateLimits: Readonly<Record<Policy["tier"], number>> = { free: 60, pro: 600, enterprise: 6000 }

const decodePolicy = Decode.decode(PolicySchema, "client_metadata")

/**
 * The requesting client's policy.
 */
export const ClientPolicy = Fact.make(
  "ClientPolicy",
  Effect.flatMap(Exchange.Exchange, (exchange) => decodePolicy(exchange.client.metadata))
)
