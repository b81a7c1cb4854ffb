import { assert, describe, it } from "@effect/vitest"
import * as CredentialsExchange from "@rulefx/adapter-auth0/CredentialsExchange"
import { Cache } from "@rulefx/core/Cache"
import * as Exchange from "@rulefx/core/CredentialsExchange"
import * as Decision from "@rulefx/core/Decision"
import { Class as DenialClass, genericMessage } from "@rulefx/core/Denial"
import * as Rule from "@rulefx/core/Rule"
import * as Secrets from "@rulefx/core/Secrets"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as TriggerApis from "@rulefx/testing/TriggerApis"
import * as TriggerEvents from "@rulefx/testing/TriggerEvents"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

class ScopeNotAllowed extends Exchange.DenialClass("ScopeNotAllowed", "invalid_scope")<{ readonly scope: string }> {
  override get message() {
    return `This client may not request ${this.scope}.`
  }
}

class NoAudience extends Exchange.DenialClass("NoAudience", "invalid_request") {
  override get message() {
    return "This API is not open to machine clients."
  }
}

class Plain extends DenialClass("Plain") {
  override get message() {
    return "Not today."
  }
}

// Scopes by client metadata: every requested scope must be listed in `allowed_scopes`; the tier becomes a claim.
const scopes = Exchange.makeRule(
  "scopes",
  Effect.gen(function*() {
    const { audience, client, requestedScopes } = yield* Exchange.Exchange
    if (audience === "https://internal.example.com") return yield* new NoAudience()
    const allowed = (client.metadata["allowed_scopes"] ?? "").split(",")
    const refused = requestedScopes.find((scope) => !allowed.includes(scope))
    if (refused !== undefined) return yield* new ScopeNotAllowed({ scope: refused })
    yield* Exchange.setAccessTokenClaim("https://example.com/tier", client.metadata["tier"] ?? "free")
  })
)

const handler = CredentialsExchange.make(Exchange.makePipeline({ facts: [], rules: [scopes] }), Layer.empty)

const event = (overrides: Record<string, unknown> = {}) =>
  TriggerEvents.credentialsExchange({
    client: { client_id: "m2m_reports", name: "Reports", metadata: { allowed_scopes: "read:reports", tier: "gold" } },
    ...overrides
  })

const quietly = <A>(f: () => Promise<A>) => LogCapture.around(f).then(({ lines, result }) => ({ result, lines }))

describe("CredentialsExchange", () => {
  it("an allowed request gets its access-token claims, and nothing else is called", async () => {
    const api = TriggerApis.credentialsExchange()
    await handler(event(), api)
    assert.deepStrictEqual(TriggerApis.decisive(api.calls), [
      { method: "accessToken.setCustomClaim", args: ["https://example.com/tier", "gold"] }
    ])
  })

  it("a coded denial reaches Auth0 with its code and reason, and no claim is set", async () => {
    const api = TriggerApis.credentialsExchange()
    await handler(event({ transaction: { requested_scopes: ["read:reports", "admin"] } }), api)
    assert.deepStrictEqual(TriggerApis.decisive(api.calls), [
      { method: "access.deny", args: ["invalid_scope", "This client may not request admin."] }
    ])
    const other = TriggerApis.credentialsExchange()
    await handler(event({ resource_server: { identifier: "https://internal.example.com" } }), other)
    assert.deepStrictEqual(TriggerApis.decisive(other.calls), [
      { method: "access.deny", args: ["invalid_request", "This API is not open to machine clients."] }
    ])
  })

  it("a denial without a code is server_error with its own message", async () => {
    const plain = CredentialsExchange.make(
      Exchange.makePipeline({ facts: [], rules: [Exchange.makeRule("plain", Effect.fail(new Plain()))] }),
      Layer.empty
    )
    const api = TriggerApis.credentialsExchange()
    await plain(event(), api)
    assert.deepStrictEqual(api.calls, [{ method: "access.deny", args: ["server_error", "Not today."] }])
  })

  it("fails closed with server_error: a malformed event, a defect, a missing secret, the deadline", async () => {
    const dies = CredentialsExchange.make(
      Exchange.makePipeline({ facts: [], rules: [Exchange.makeRule("dies", Effect.die(new Error("boom")))] }),
      Layer.empty
    )
    const needsSecret = CredentialsExchange.make(
      Exchange.makePipeline({
        facts: [],
        rules: [Exchange.makeRule("secret", Effect.asVoid(Secrets.get("SIGNING_KEY")))]
      }),
      Layer.empty
    )
    const hangs = CredentialsExchange.make(
      Exchange.makePipeline({ facts: [], rules: [Exchange.makeRule("hangs", Effect.never)] }),
      Layer.empty,
      { deadline: "50 millis" }
    )
    const cases: ReadonlyArray<readonly [CredentialsExchange.Handler, unknown, string]> = [
      [handler, { client: { client_id: "x" } }, "InvalidEvent"],
      [handler, null, "InvalidEvent"],
      [handler, event({ resource_server: undefined }), "InvalidEvent"],
      [dies, event(), "Defect"],
      [hangs, event(), "DeadlineExceeded"]
    ]
    for (const [run, input, what] of cases) {
      const api = TriggerApis.credentialsExchange()
      // One at a time: the log capture replaces the global console.
      // oxlint-disable-next-line no-await-in-loop
      const { lines } = await quietly(() => run(input, api))
      assert.deepStrictEqual(api.calls, [
        { method: "access.deny", args: ["server_error", CredentialsExchange.genericReason] }
      ], what)
      assert.isTrue(lines.some((line) => line.includes(`(${what})`)), `${what}: ${lines.join("\n")}`)
    }
    const api = TriggerApis.credentialsExchange()
    await quietly(() => needsSecret(event(), api))
    assert.deepStrictEqual(api.calls, [{ method: "access.deny", args: ["server_error", genericMessage] }])
  })

  it("a claim Auth0 would refuse denies before any claim call", async () => {
    const restricted = CredentialsExchange.make(
      Exchange.makePipeline({
        facts: [],
        rules: [
          Exchange.makeRule(
            "claims",
            Effect.andThen(Exchange.setAccessTokenClaim("ok", 1), Exchange.setAccessTokenClaim("permissions", []))
          )
        ]
      }),
      Layer.empty
    )
    const api = TriggerApis.credentialsExchange()
    const { lines } = await quietly(() => restricted(event(), api))
    assert.deepStrictEqual(api.calls, [
      { method: "access.deny", args: ["server_error", CredentialsExchange.genericReason] }
    ])
    assert.isTrue(lines.some((line) => line.includes("permissions")), lines.join("\n"))
  })

  it("a post-login rule smuggled in through Rule.all is refused at run time, not half applied", async () => {
    const smuggled = Rule.all("smuggled", [scopes, Rule.make("id-token", Decision.setIdTokenClaim("x", 1))])
    const run = CredentialsExchange.make(Exchange.makePipeline({ facts: [], rules: [smuggled] }), Layer.empty)
    const api = TriggerApis.credentialsExchange()
    await quietly(() => run(event(), api))
    assert.deepStrictEqual(api.calls, [
      { method: "access.deny", args: ["server_error", CredentialsExchange.genericReason] }
    ])
  })

  it("rules read secrets and Auth0's cache through core's services", async () => {
    const cached = Exchange.makeRule(
      "cached",
      Effect.gen(function*() {
        const cache = yield* Cache
        const key = Redacted.value(yield* Secrets.get("KEY"))
        const hit = yield* cache.get(key)
        if (Option.isNone(hit)) yield* cache.set(key, "computed")
        yield* Exchange.setAccessTokenClaim("cached", Option.isSome(hit))
      })
    )
    const run = CredentialsExchange.make(Exchange.makePipeline({ facts: [], rules: [cached] }), Layer.empty)
    const api = TriggerApis.credentialsExchange()
    await run(event({ secrets: { KEY: "k" } }), api)
    await run(event({ secrets: { KEY: "k" } }), api)
    assert.deepStrictEqual(TriggerApis.decisive(api.calls), [
      { method: "accessToken.setCustomClaim", args: ["cached", false] },
      { method: "accessToken.setCustomClaim", args: ["cached", true] }
    ])
  })

  it("an access.deny that throws rejects the handler (a resolved one would let the request through)", async () => {
    const api = {
      access: {
        deny: () => {
          throw new Error("down")
        }
      },
      accessToken: { setCustomClaim: () => undefined }
    }
    const outcome = await quietly(() =>
      handler(event({ transaction: { requested_scopes: ["admin"] } }), api).then(() => "resolved", () => "rejected")
    )
    assert.strictEqual(outcome.result, "rejected")
  })

  it("decide returns the outcome as data", async () => {
    const decide = CredentialsExchange.decide(Exchange.makePipeline({ facts: [], rules: [scopes] }), Layer.empty)
    assert.deepStrictEqual(await decide(event()), {
      _tag: "Allowed",
      accessTokenClaims: Object.assign(Object.create(null), { "https://example.com/tier": "gold" })
    })
  })

  describe("early-access target scopes", () => {
    // Two rules: the first reads the target scopes and narrows them; the second adds one and removes one.
    const narrow = Exchange.makeRule(
      "narrow",
      Effect.gen(function*() {
        const target = yield* Exchange.targetScopes
        yield* Exchange.setTargetScopes(target.filter((scope) => scope.startsWith("read:")))
      })
    )
    const adjust = Exchange.makeRule(
      "adjust",
      Effect.andThen(Exchange.addTargetScope("write:reports"), Exchange.removeTargetScope("read:secrets"))
    )
    const scoped = CredentialsExchange.make(Exchange.makePipeline({ facts: [], rules: [narrow, adjust] }), Layer.empty)
    const withTargets = event({
      transaction: { requested_scopes: [], target_scopes: ["read:reports", "read:secrets", "delete:all"] }
    })

    it("are applied after the claims, in rule order, each rule's in the order it made them", async () => {
      const api = TriggerApis.credentialsExchange()
      await scoped(withTargets, api)
      assert.deepStrictEqual(TriggerApis.decisive(api.calls), [
        { method: "transaction.setTargetScopes", args: [["read:reports", "read:secrets"]] },
        { method: "transaction.addTargetScope", args: ["write:reports"] },
        { method: "transaction.removeTargetScope", args: ["read:secrets"] }
      ])
      const later = CredentialsExchange.make(
        Exchange.makePipeline({ facts: [], rules: [adjust, Exchange.makeRule("clear", Exchange.clearTargetScopes)] }),
        Layer.empty
      )
      const other = TriggerApis.credentialsExchange()
      await later(withTargets, other)
      assert.deepStrictEqual(TriggerApis.decisive(other.calls).map((c) => c.method), [
        "transaction.addTargetScope",
        "transaction.removeTargetScope",
        "transaction.clearTargetScopes"
      ])
    })

    it("a rule that reads them on a tenant that does not send them is denied with its typed error", async () => {
      const api = TriggerApis.credentialsExchange()
      await scoped(event(), api)
      assert.deepStrictEqual(api.calls, [
        { method: "access.deny", args: ["server_error", new Exchange.TargetScopesUnavailable().message] }
      ])
      const decide = CredentialsExchange.decide(Exchange.makePipeline({ facts: [], rules: [narrow] }), Layer.empty)
      const outcome = await decide(event())
      assert.strictEqual(outcome._tag === "Denied" ? outcome.denial : outcome._tag, "TargetScopesUnavailable")
    })

    it("changes on an api without transaction (no early access) deny before any call", async () => {
      const claimsToo = CredentialsExchange.make(
        Exchange.makePipeline({ facts: [], rules: [scopes, adjust] }),
        Layer.empty
      )
      const api = TriggerApis.credentialsExchange({ earlyAccess: false })
      const { lines } = await quietly(() => claimsToo(withTargets, api))
      assert.deepStrictEqual(api.calls, [
        { method: "access.deny", args: ["server_error", CredentialsExchange.genericReason] }
      ])
      assert.isTrue(lines.some((line) => line.includes("api.transaction")), lines.join("\n"))
      // Without changes, the missing api does not matter.
      const plain = TriggerApis.credentialsExchange({ earlyAccess: false })
      await handler(event(), plain)
      assert.deepStrictEqual(TriggerApis.decisive(plain.calls).map((c) => c.method), ["accessToken.setCustomClaim"])
    })

    it("a scope Auth0 would throw on denies before any call", async () => {
      const bad = CredentialsExchange.make(
        Exchange.makePipeline({
          facts: [],
          rules: [
            Exchange.makeRule("bad", Effect.andThen(Exchange.addTargetScope("ok"), Exchange.setTargetScopes(["a b"])))
          ]
        }),
        Layer.empty
      )
      const api = TriggerApis.credentialsExchange()
      const { lines } = await quietly(() => bad(withTargets, api))
      assert.deepStrictEqual(api.calls, [
        { method: "access.deny", args: ["server_error", CredentialsExchange.genericReason] }
      ])
      assert.isTrue(lines.some((line) => line.includes(`scope "a b": InvalidScope`)), lines.join("\n"))
    })
  })
})
