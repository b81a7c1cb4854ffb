// A credentials-exchange Action, as a user writes one: scopes by client metadata, a tier claim, a typed denial.
import * as CredentialsExchange from "@rulefx/adapter-auth0/CredentialsExchange"
import * as Exchange from "@rulefx/core/CredentialsExchange"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

class ScopeNotAllowed extends Exchange.DenialClass("ScopeNotAllowed", "invalid_scope")<{ readonly scope: string }> {
  override get message() {
    return `This client may not request ${this.scope}.`
  }
}

const scopes = Exchange.makeRule(
  "scopes",
  Effect.gen(function*() {
    const { client, requestedScopes } = yield* Exchange.Exchange
    const allowed = (client.metadata["allowed_scopes"] ?? "").split(",")
    const refused = requestedScopes.find((scope) => !allowed.includes(scope))
    if (refused !== undefined) return yield* new ScopeNotAllowed({ scope: refused })
    yield* Exchange.setAccessTokenClaim("https://example.com/tier", client.metadata["tier"] ?? "free")
  })
)

export const onExecuteCredentialsExchange = CredentialsExchange.make(
  Exchange.makePipeline({ facts: [], rules: [scopes] }),
  Layer.empty
)
