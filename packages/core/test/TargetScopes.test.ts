import { assert, describe, it } from "@effect/vitest"
import * as CredentialsExchange from "@rulefx/core/CredentialsExchange"
import * as Decision from "@rulefx/core/Decision"
import * as Denial from "@rulefx/core/Denial"
import * as Login from "@rulefx/core/Login"
import * as Rule from "@rulefx/core/Rule"
import * as TargetScopes from "@rulefx/core/TargetScopes"
import * as Effect from "effect/Effect"

class Refused extends Denial.Class("Refused") {
  override get message() {
    return "refused"
  }
}

const login = (targetScopes?: ReadonlyArray<string>) =>
  Login.Login.layer(Login.make({
    user: { id: "auth0|ada" },
    client: { id: "app" },
    request: { ip: "203.0.113.9" },
    transaction: { requestedScopes: ["openid", "profile"], ...(targetScopes && { targetScopes }) }
  }))

const from = (raw: Record<string, unknown>) =>
  Effect.flip(TargetScopes.current).pipe(
    Effect.map((e) => e._tag),
    Effect.orElseSucceed(() => "none"),
    Effect.provide(
      Login.Login.layer(Login.make({ user: { id: "u" }, client: { id: "c" }, request: { ip: "::1" }, raw }))
    )
  )
const scopes = (raw: Record<string, unknown>) =>
  TargetScopes.current.pipe(
    Effect.provide(
      Login.Login.layer(Login.make({ user: { id: "u" }, client: { id: "c" }, request: { ip: "::1" }, raw }))
    )
  )

describe("TargetScopes", () => {
  it.effect("add, remove, set and clear record the changes in the order the rule made them", () =>
    Effect.gen(function*() {
      const d = yield* Decision.collect(Effect.all([
        TargetScopes.add("read:reports"),
        TargetScopes.remove("profile"),
        TargetScopes.set(["openid", "read:reports"]),
        TargetScopes.clear,
        TargetScopes.add("openid")
      ]))
      assert.deepStrictEqual(d.targetScopes, [
        { _tag: "Add", scope: "read:reports" },
        { _tag: "Remove", scope: "profile" },
        { _tag: "Set", scopes: ["openid", "read:reports"] },
        { _tag: "Clear" },
        { _tag: "Add", scope: "openid" }
      ])
      // Separate from the access token's own scopes, which bypass the authorization policies.
      assert.deepStrictEqual(d.addScopes, [])
      assert.isFalse(Decision.isEmpty(d))
    }))

  it.effect("rules' changes merge in rule order, a later set replacing what earlier rules added", () =>
    Effect.gen(function*() {
      const d = yield* Rule.all("scopes", [
        Rule.make("first", Effect.andThen(TargetScopes.add("a"), Decision.addScope("direct"))),
        Rule.make("claims only", Decision.setIdTokenClaim("https://example.com/x", 1)),
        Rule.make("second", TargetScopes.set(["b"])),
        Rule.make("third", Effect.andThen(TargetScopes.remove("b"), TargetScopes.add("c")))
      ]).run
      assert.deepStrictEqual(d.targetScopes, [
        { _tag: "Add", scope: "a" },
        { _tag: "Set", scopes: ["b"] },
        { _tag: "Remove", scope: "b" },
        { _tag: "Add", scope: "c" }
      ])
      assert.deepStrictEqual(d.addScopes, ["direct"])
    }))

  it.effect("a failing optional rule's changes are dropped, the others kept", () =>
    Effect.gen(function*() {
      const d = yield* Rule.all("scopes", [
        Rule.make("kept", TargetScopes.add("a")),
        Rule.optional(Rule.make("dropped", Effect.andThen(TargetScopes.clear, Effect.fail(new Refused())))),
        Rule.make("also kept", TargetScopes.remove("b"))
      ]).run
      assert.deepStrictEqual(d.targetScopes, [{ _tag: "Add", scope: "a" }, { _tag: "Remove", scope: "b" }])
    }))

  it("credentials-exchange merges its target scopes the same way (one shared merge)", () => {
    assert.strictEqual(CredentialsExchange.mergeTargetScopes, TargetScopes.merge)
  })

  it.effect("current reads the target scopes the login arrived with", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* TargetScopes.current, ["openid", "read:reports"])
    }).pipe(Effect.provide(login(["openid", "read:reports"]))))

  it.effect("current falls back to the event's transaction.target_scopes, a list of strings or nothing", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* scopes({ transaction: { target_scopes: ["openid", "read:x"] } }), [
        "openid",
        "read:x"
      ])
      for (
        const raw of [{}, { transaction: null }, { transaction: { target_scopes: "openid" } }, {
          transaction: { target_scopes: ["openid", 7] }
        }]
      ) {
        assert.strictEqual(yield* from(raw), "TargetScopesUnavailable")
      }
    }))

  it.effect("without the feature, current fails with TargetScopesUnavailable (the generic message)", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(TargetScopes.current)
      assert.instanceOf(error, TargetScopes.TargetScopesUnavailable)
      assert.strictEqual(error.message, Denial.genericMessage)
      assert.isTrue(Denial.isDenial(error))
    }).pipe(Effect.provide(login())))
})
