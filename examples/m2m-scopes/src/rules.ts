/**
 * The rules of the M2M Action: which scopes and APIs a client may get, and what its token says about it.
 */
import * as Exchange from "@rulefx/core/CredentialsExchange"
import * as Effect from "effect/Effect"
import { ClientPolicy, rateLimits } from "./policy.ts"

/**
 * The client has no `allowed_scopes`: it was never configured for M2M access.
 */
export class ClientNotConfigured extends Exchange.DenialClass("ClientNotConfigured", "invalid_request")<{
  readonly clientId: string
}> {
  override get message() {
    return "This client is not configured for machine-to-machine access."
  }
}

/**
 * The client asked for a scope its metadata does not allow.
 */
export class ScopeNotAllowed extends Exchange.DenialClass("ScopeNotAllowed", "invalid_scope")<{
  readonly scope: string
}> {
  override get message() {
    return `This client may not request the scope ${this.scope}.`
  }
}

/**
 * The client asked for a token for an API its metadata does not list.
 */
export class AudienceNotAllowed extends Exchange.DenialClass("AudienceNotAllowed", "invalid_request")<{
  readonly audience: string
}> {
  override get message() {
    return "This client may not request tokens for this API."
  }
}

/**
 * Every requested scope must be allowed, and the API too when the client lists its APIs.
 */
export const allowedScopes = Exchange.makeRule(
  "allowed-scopes",
  Effect.gen(function*() {
    const { audience, client, requestedScopes } = yield* Exchange.Exchange
    const policy = yield* ClientPolicy
    if (policy.allowed_scopes === undefined) return yield* new ClientNotConfigured({ clientId: client.id })
    if (policy.allowed_audiences !== undefined && !policy.allowed_audiences.includes(audience)) {
      return yield* new AudienceNotAllowed({ audience })
    }
    const refused = requestedScopes.find((scope) => !policy.allowed_scopes?.includes(scope))
    if (refused !== undefined) return yield* new ScopeNotAllowed({ scope: refused })
  })
)

/**
 * The claims the API gateway reads: tier, rate limit, and the customer when the client has one.
 */
export const tierClaims = Exchange.makeRule(
  "tier-claims",
  Effect.gen(function*() {
    const policy = yield* ClientPolicy
    yield* Exchange.setAccessTokenClaim("https://example.com/tier", policy.tier)
    yield* Exchange.setAccessTokenClaim("https://example.com/rate_limit", rateLimits[policy.tier])
    if (policy.org !== undefined) yield* Exchange.setAccessTokenClaim("https://example.com/org", policy.org)
  })
)
