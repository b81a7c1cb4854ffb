/**
 * The example's rules with test layers alone (no Auth0, no bundle): the pipeline over a hand-made Exchange.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Exchange from "@rulefx/core/CredentialsExchange"
import { InvalidData } from "@rulefx/core/Denial"
import * as Effect from "effect/Effect"
import { pipeline } from "../src/action.ts"
import { ScopeNotAllowed } from "../src/rules.ts"

const exchange = (metadata: Record<string, string>, requestedScopes: ReadonlyArray<string>): Exchange.ExchangeInfo => ({
  client: { id: "m2m", name: "Job", metadata },
  audience: "https://api.example.com",
  requestedScopes,
  grantedScopes: requestedScopes,
  request: { ip: "127.0.0.1", hostname: undefined, userAgent: undefined, countryCode: undefined },
  organization: undefined,
  tenant: "example",
  raw: {}
})

const run = (info: Exchange.ExchangeInfo) =>
  pipeline.run.pipe(Effect.provideService(Exchange.Exchange, info), Effect.provideService(Exchange.On, Exchange.id))

describe("m2m-scopes rules", () => {
  it.effect("enterprise: its rate limit", () =>
    Effect.gen(function*() {
      const decision = yield* run(exchange({ allowed_scopes: "a", tier: "enterprise" }, ["a"]))
      assert.strictEqual(decision.accessTokenClaims["https://example.com/rate_limit"], 6000)
    }))

  it.effect("the first refused scope is named in the denial", () =>
    Effect.gen(function*() {
      const denial = yield* Effect.flip(run(exchange({ allowed_scopes: "a" }, ["a", "b", "c"])))
      assert.deepStrictEqual(denial, new ScopeNotAllowed({ scope: "b" }))
      assert.strictEqual(Exchange.codeOf(denial), "invalid_scope")
    }))

  it.effect("an unknown tier is InvalidData (server_error at the adapter)", () =>
    Effect.gen(function*() {
      const denial = yield* Effect.flip(run(exchange({ allowed_scopes: "a", tier: "gold" }, ["a"])))
      assert.instanceOf(denial, InvalidData)
      assert.strictEqual(Exchange.codeOf(denial), "server_error")
    }))
})
