import { assert, describe, it } from "@effect/vitest"
import * as CredentialsExchange from "@rulefx/core/CredentialsExchange"
import { Class as DenialClass, MissingSecret } from "@rulefx/core/Denial"
import * as PostUserRegistration from "@rulefx/core/PostUserRegistration"
import * as PreUserRegistration from "@rulefx/core/PreUserRegistration"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"

class ScopeNotAllowed extends CredentialsExchange.DenialClass("ScopeNotAllowed", "invalid_scope")<{
  readonly scope: string
}> {
  override get message() {
    return `This client may not request ${this.scope}.`
  }
}

class EmailDomain extends PreUserRegistration.ValidationClass("EmailDomain", "invalid_email_domain") {
  override get message() {
    return "Use your work email."
  }
}

class Plain extends DenialClass("Plain") {}

const exchange: CredentialsExchange.ExchangeInfo = {
  client: { id: "m2m", name: "Reports", metadata: { tier: "gold" } },
  audience: "https://api.example.com",
  requestedScopes: ["read:reports"],
  grantedScopes: ["read:reports"],
  request: { ip: "127.0.0.1", hostname: undefined, userAgent: undefined, countryCode: undefined },
  organization: undefined,
  tenant: "t",
  raw: {}
}

const run = <E, R>(self: Effect.Effect<E, never, R>) => self

describe("Trigger", () => {
  it.effect("a credentials-exchange rule records access-token claims into the Decision, and only those", () =>
    Effect.gen(function*() {
      const pipeline = CredentialsExchange.makePipeline({
        facts: [],
        rules: [
          CredentialsExchange.makeRule(
            "tier",
            Effect.flatMap(
              CredentialsExchange.Exchange,
              (e) => CredentialsExchange.setAccessTokenClaim("https://example.com/tier", e.client.metadata["tier"])
            )
          )
        ]
      })
      const decision = yield* pipeline.run.pipe(
        Effect.provideService(CredentialsExchange.Exchange, exchange),
        Effect.provideService(CredentialsExchange.On, CredentialsExchange.id)
      )
      assert.deepStrictEqual({ ...decision.accessTokenClaims }, { "https://example.com/tier": "gold" })
      assert.deepStrictEqual(Object.keys(decision.idTokenClaims), [])
      assert.deepStrictEqual(Object.keys(decision.appMetadata), [])
    }))

  it.effect("a coded denial carries its code on the class, not in its fields; other denials are server_error", () =>
    Effect.gen(function*() {
      const denial = new ScopeNotAllowed({ scope: "admin" })
      assert.strictEqual(denial.code, "invalid_scope")
      assert.strictEqual(CredentialsExchange.codeOf(denial), "invalid_scope")
      assert.isFalse(Object.keys(denial).includes("code"))
      assert.strictEqual(CredentialsExchange.codeOf(new MissingSecret({ name: "X" })), "server_error")
      assert.strictEqual(CredentialsExchange.codeOf(new Plain()), "server_error")
      const pipeline = CredentialsExchange.makePipeline({
        facts: [],
        rules: [CredentialsExchange.makeRule("deny", Effect.fail(denial))]
      })
      const error = yield* pipeline.run.pipe(
        Effect.provideService(CredentialsExchange.On, CredentialsExchange.id),
        Effect.flip
      )
      assert.strictEqual(error, denial)
    }))

  it("a validation denial carries its error code; a plain one has none", () => {
    assert.strictEqual(PreUserRegistration.errorCodeOf(new EmailDomain()), "invalid_email_domain")
    assert.strictEqual(PreUserRegistration.errorCodeOf(new Plain()), undefined)
  })

  it.live(
    "a side-effects-only pipeline runs every rule: a denial or defect of one is logged, the others go on",
    () =>
      Effect.gen(function*() {
        const ran = yield* Ref.make<ReadonlyArray<string>>([])
        const mark = (name: string) => Ref.update(ran, (names) => [...names, name])
        const pipeline = PostUserRegistration.makePipeline({
          facts: [],
          rules: [
            PostUserRegistration.makeRule("denies", Effect.fail(new Plain())),
            PostUserRegistration.makeRule("dies", Effect.die(new Error("boom"))),
            PostUserRegistration.makeRule("slow", Effect.andThen(Effect.yieldNow, mark("slow"))),
            Rule.timeout(PostUserRegistration.makeRule("hangs", Effect.never), "10 millis")
          ]
        })
        const decision = yield* run(
          pipeline.run.pipe(Effect.provideService(PostUserRegistration.On, PostUserRegistration.id))
        ).pipe(Effect.exit)
        assert.strictEqual(decision._tag, "Success")
        assert.deepStrictEqual(yield* Ref.get(ran), ["slow"])
      }),
    { timeout: 5_000 }
  )
})
