import { assert, describe, it } from "@effect/vitest"
import * as CustomTokenExchange from "@rulefx/adapter-auth0/CustomTokenExchange"
import { Cache } from "@rulefx/core/Cache"
import * as Exchange from "@rulefx/core/CustomTokenExchange"
import * as Decision from "@rulefx/core/Decision"
import { Class as DenialClass, type Denial } from "@rulefx/core/Denial"
import type * as Pipeline from "@rulefx/core/Pipeline"
import * as Rule from "@rulefx/core/Rule"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as TriggerApis from "@rulefx/testing/TriggerApis"
import * as TriggerEvents from "@rulefx/testing/TriggerEvents"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

class BadToken extends Exchange.InvalidSubjectTokenClass("BadToken") {
  override get message() {
    return "not a token of ours"
  }
}
class Blocked extends Exchange.DenialClass("Blocked", "access_denied") {
  override get message() {
    return "blocked"
  }
}
class Plain extends DenialClass("Plain") {
  override get message() {
    return "plain denial"
  }
}

const handler = (rules: ReadonlyArray<Rule.Any>, api?: TriggerApis.CustomTokenExchange) => {
  const h = CustomTokenExchange.make(
    Exchange.makePipeline({ facts: [], rules } as never) as Pipeline.Pipeline<Denial, never>,
    Layer.empty
  )
  return async (event: unknown = TriggerEvents.customTokenExchange()) => {
    const recording = api ?? TriggerApis.customTokenExchange()
    const { lines } = await LogCapture.around(() => h(event, recording))
    return { calls: TriggerApis.decisive(recording.calls), lines }
  }
}

const byId = Exchange.makeRule("by-id", Exchange.setUserById("auth0|ada"))
const serverError = [{ method: "access.deny", args: ["server_error", CustomTokenExchange.genericReason] }]

describe("CustomTokenExchange", () => {
  it("setUserById, setOrganization and metadata are applied: organization, user, then metadata", async () => {
    const { calls } = await handler([
      byId,
      Exchange.makeRule("org", Exchange.setOrganization("org_1")),
      Exchange.makeRule("meta", Effect.andThen(Exchange.setAppMetadata("a", 1), Exchange.setUserMetadata("u", "x")))
    ])()
    assert.deepStrictEqual(calls, [
      { method: "authentication.setOrganization", args: ["org_1"] },
      { method: "authentication.setUserById", args: ["auth0|ada"] },
      { method: "user.setAppMetadata", args: ["a", 1] },
      { method: "user.setUserMetadata", args: ["u", "x"] }
    ])
  })

  it("setUserByConnection passes the connection, attributes and options", async () => {
    const { calls } = await handler([
      Exchange.makeRule(
        "conn",
        Exchange.setUserByConnection("Legacy", { user_id: "42", email: "ada@example.com" }, {
          creationBehavior: "create_if_not_exists",
          updateBehavior: "replace"
        })
      )
    ])()
    assert.deepStrictEqual(calls, [{
      method: "authentication.setUserByConnection",
      args: ["Legacy", { user_id: "42", email: "ada@example.com" }, {
        creationBehavior: "create_if_not_exists",
        updateBehavior: "replace"
      }]
    }])
  })

  it("denials: rejectInvalidSubjectToken, deny with the class's code, server_error otherwise", async () => {
    const cases = [
      [new BadToken(), [{ method: "access.rejectInvalidSubjectToken", args: ["not a token of ours"] }]],
      [new Blocked(), [{ method: "access.deny", args: ["access_denied", "blocked"] }]],
      [new Plain(), [{ method: "access.deny", args: ["server_error", "plain denial"] }]]
    ] as const
    for (const [denial, expected] of cases) {
      // oxlint-disable-next-line no-await-in-loop
      const { calls } = await handler([byId, Exchange.makeRule("deny", Effect.fail(denial))])()
      assert.deepStrictEqual(calls, expected)
    }
  })

  it("rules read the exchange; the subject token is Redacted and left out of raw", async () => {
    const seen: Array<unknown> = []
    await handler([
      byId,
      Exchange.makeRule(
        "read",
        Effect.map(Exchange.TokenExchange, (x) =>
          void seen.push([
            Redacted.value(x.subjectToken),
            String(x.subjectToken),
            x.subjectTokenType,
            x.client.id,
            JSON.stringify(x.raw).includes("legacy.ada.signed")
          ]))
      )
    ])()
    assert.deepStrictEqual(seen, [["legacy.ada.signed", "<redacted>", "urn:example:legacy-token", "app_native", false]])
  })

  it("fails closed before any call: no user, two users, two organizations, bad options, limits, foreign, bad event", async () => {
    const cases: ReadonlyArray<readonly [string, ReadonlyArray<Rule.Any>]> = [
      ["no user named", []],
      ["two different users", [byId, Exchange.makeRule("b", Exchange.setUserById("auth0|bob"))]],
      ["two different organizations", [
        byId,
        Exchange.makeRule("o1", Exchange.setOrganization("a")),
        Exchange.makeRule("o2", Exchange.setOrganization("b"))
      ]],
      ["an empty user id", [Exchange.makeRule("e", Exchange.setUserById(""))]],
      ["unknown creationBehavior", [
        Exchange.makeRule(
          "c",
          Exchange.setUserByConnection(
            "L",
            { user_id: "1" },
            { creationBehavior: "always", updateBehavior: "none" } as never
          )
        )
      ]],
      ["no attributes.user_id", [
        Exchange.makeRule(
          "c",
          Exchange.setUserByConnection("L", { user_id: "" }, { creationBehavior: "none", updateBehavior: "none" })
        )
      ]],
      ["InvalidKeyName", [byId, Exchange.makeRule("m", Exchange.setAppMetadata("a.b", 1))]],
      ["more than metadata", [
        byId,
        Rule.all("nested", [
          Exchange.makeRule("a", Effect.void),
          Rule.make("claim", Decision.setIdTokenClaim("x", 1))
        ]) as never
      ]]
    ]
    for (const [why, rules] of cases) {
      // oxlint-disable-next-line no-await-in-loop
      const { calls, lines } = await handler(rules)()
      assert.deepStrictEqual(calls, serverError, why)
      assert.isTrue(lines.some((l) => l.includes(why)), `${why}: ${lines.join("\n")}`)
    }
    const junk = await handler([byId])({ transaction: { subject_token: "" } })
    assert.deepStrictEqual(junk.calls, serverError)
    const noAuthentication = TriggerApis.customTokenExchange()
    const { authentication: _authentication, ...withoutAuthentication } = noAuthentication
    const h = CustomTokenExchange.make(Exchange.makePipeline({ facts: [], rules: [byId] }), Layer.empty)
    await LogCapture.around(() => h(TriggerEvents.customTokenExchange(), withoutAuthentication))
    assert.deepStrictEqual(TriggerApis.decisive(noAuthentication.calls), serverError)
  })

  it("the same user twice is one request; the cache is Auth0's", async () => {
    const api = TriggerApis.customTokenExchange()
    const count = Exchange.makeRule(
      "count",
      Effect.gen(function*() {
        const cache = yield* Cache
        const seen = yield* cache.get("exchanges")
        yield* cache.set("exchanges", String(Option.isSome(seen) ? Number(seen.value) + 1 : 1))
      })
    )
    const run = handler([byId, Exchange.makeRule("again", Exchange.setUserById("auth0|ada")), count], api)
    await run()
    assert.strictEqual(api.cache.get("exchanges")?.value, "1")
    assert.deepStrictEqual(TriggerApis.decisive(api.calls), [{
      method: "authentication.setUserById",
      args: ["auth0|ada"]
    }])
  })

  it("types: post-login decisions and another trigger's recorder do not compile", () => {
    // @ts-expect-error a claim is post-login's
    Exchange.makeRule("claim", Decision.setIdTokenClaim("x", 1))
    // @ts-expect-error a post-login rule in this trigger's pipeline
    Exchange.makePipeline({ facts: [], rules: [Rule.make("post-login", Effect.void)] })
  })

  describe("setActor and early-access transaction metadata", () => {
    const chain: Exchange.Actor = { sub: "agent|7", kind: "ai", act: { sub: "svc|gateway", trusted: true } }
    const actor = Exchange.makeRule("actor", Exchange.setActor(chain))
    const meta = Exchange.makeRule(
      "meta",
      Effect.andThen(Exchange.setTransactionMetadata("risk", 42), Exchange.setTransactionMetadata("verified", true))
    )

    it("are applied after the user and its metadata: the actor, then the transaction metadata", async () => {
      const { calls } = await handler([actor, byId, meta, Exchange.makeRule("u", Exchange.setAppMetadata("a", 1))])()
      assert.deepStrictEqual(calls, [
        { method: "authentication.setUserById", args: ["auth0|ada"] },
        { method: "authentication.setActor", args: [chain] },
        { method: "user.setAppMetadata", args: ["a", 1] },
        { method: "transaction.setMetadata", args: ["risk", 42] },
        { method: "transaction.setMetadata", args: ["verified", true] }
      ])
    })

    it("an actor past Auth0's limits, or two different actors, deny before any call", async () => {
      const deep: Exchange.Actor = {
        sub: "1",
        act: { sub: "2", act: { sub: "3", act: { sub: "4", act: { sub: "5", act: { sub: "6" } } } } }
      }
      const cases: ReadonlyArray<readonly [Exchange.Actor, string]> = [
        [deep, "more than 5 levels"],
        [{ sub: "" }, "level 1 has no sub"],
        [{ sub: "a", act: { sub: "b", x: { y: 1 } as never } }, "level 2 property \"x\""],
        [{ sub: "a", p1: 1, p2: 2, p3: 3, p4: 4, p5: 5, p6: 6 }, "more than 5 properties"]
      ]
      for (const [bad, why] of cases) {
        // oxlint-disable-next-line no-await-in-loop
        const { calls, lines } = await handler([byId, Exchange.makeRule("bad", Exchange.setActor(bad))])()
        assert.deepStrictEqual(calls, serverError, why)
        assert.isTrue(lines.some((line) => line.includes(why)), `${why}: ${lines.join("\n")}`)
      }
      const two = await handler([byId, actor, Exchange.makeRule("other", Exchange.setActor({ sub: "x" }))])()
      assert.deepStrictEqual(two.calls, serverError)
      assert.isTrue(two.lines.some((line) => line.includes("two different actors")), two.lines.join("\n"))
    })

    it("transaction metadata past Auth0's limits, counted over what the exchange arrived with, denies", async () => {
      const long = await handler([byId, Exchange.makeRule("k", Exchange.setTransactionMetadata("k".repeat(65), 1))])()
      assert.deepStrictEqual(long.calls, serverError)
      assert.isTrue(long.lines.some((line) => line.includes("KeyTooLong")), long.lines.join("\n"))
      const full = TriggerEvents.customTokenExchange({ transaction: { metadata: { big: "x".repeat(12 * 1024) } } })
      const over = await handler([
        byId,
        Exchange.makeRule("v", Exchange.setTransactionMetadata("more", "y".repeat(5000)))
      ])(
        full
      )
      assert.deepStrictEqual(over.calls, serverError)
      assert.isTrue(over.lines.some((line) => line.includes("MetadataTooLarge")), over.lines.join("\n"))
    })

    it("an api without setActor or transaction (no early access) denies before any call", async () => {
      const noTransaction = await handler([byId, meta], TriggerApis.customTokenExchange({ earlyAccess: false }))()
      assert.deepStrictEqual(noTransaction.calls, serverError)
      const api = TriggerApis.customTokenExchange()
      const { setActor: _setActor, ...authentication } = api.authentication!
      const noActor = await handler([byId, actor], { ...api, authentication })()
      assert.deepStrictEqual(noActor.calls, serverError)
      // Without writes, the missing calls do not matter.
      const plain = await handler([byId], TriggerApis.customTokenExchange({ earlyAccess: false }))()
      assert.deepStrictEqual(plain.calls, [{ method: "authentication.setUserById", args: ["auth0|ada"] }])
    })
  })
})
