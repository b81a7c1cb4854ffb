import { assert, describe, it } from "@effect/vitest"
import * as Auth0Event from "@rulefx/adapter-auth0/Auth0Event"
import * as Auth0TargetScopes from "@rulefx/adapter-auth0/Auth0TargetScopes"
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Decision from "@rulefx/core/Decision"
import { genericMessage } from "@rulefx/core/Denial"
import * as TargetScopes from "@rulefx/core/TargetScopes"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as Effect from "effect/Effect"
import { minimalEvent } from "./utils/Events.ts"
import { checked, runRules } from "./utils/Surface.ts"

const violations = (changes: ReadonlyArray<Decision.TargetScopeChange>) =>
  checked(Auth0TargetScopes.kind, { ...Decision.empty(), targetScopes: changes }).map((v) =>
    `${v.target} ${v.name} ${v.rule}`
  )

const withTargetScopes = (targetScopes: unknown) => {
  const event = minimalEvent()
  return { ...event, transaction: { requested_scopes: ["openid"], target_scopes: targetScopes } }
}

// An api whose transaction has only setMetadata, as on a tenant without the early-access feature.
const apiWithoutTargetScopes = () => {
  const api = RecordingApi.make()
  return { ...api, transaction: { setMetadata: api.transaction.setMetadata } }
}

// An api.transaction with three of the four target scope calls (no clearTargetScopes).
const apiWithThreeCalls = () => {
  const api = RecordingApi.make()
  const { clearTargetScopes: _, ...three } = api.transaction as unknown as Record<string, unknown>
  return { ...api, transaction: three }
}

const read = async (event: unknown) => {
  const { lines, calls } = await runRules([
    Effect.flatMap(TargetScopes.current, (scopes) => Decision.setIdTokenClaim("https://example.com/t", scopes))
  ], { event })
  return { lines, calls }
}

describe("Auth0TargetScopes", () => {
  it("check: every scope a change names must be one Auth0 accepts", () => {
    assert.deepStrictEqual(violations([{ _tag: "Add", scope: "read:reports" }, { _tag: "Clear" }]), [])
    assert.deepStrictEqual(
      violations([
        { _tag: "Add", scope: "has space" },
        { _tag: "Remove", scope: "" },
        { _tag: "Set", scopes: ["ok", "quo\"te", 7 as never] }
      ]),
      [
        "targetScopes has space InvalidScope",
        "targetScopes  InvalidScope",
        "targetScopes quo\"te InvalidScope",
        "targetScopes 7 InvalidScope"
      ]
    )
  })

  it("applies every rule's changes in rule order, after the access-token scopes and the claims", async () => {
    const api = RecordingApi.make({ event: withTargetScopes(["openid"]) })
    const { calls } = await runRules(
      [
        Effect.all([TargetScopes.add("read:reports"), Decision.addScope("direct")]),
        Effect.all([TargetScopes.set(["openid", "read:reports", "write:reports"]), TargetScopes.remove("openid")]),
        Effect.all([Decision.setIdTokenClaim("https://example.com/a", 1), TargetScopes.clear, TargetScopes.add("x")])
      ],
      { event: withTargetScopes(["openid", "profile"]), api }
    )
    assert.deepStrictEqual(calls, [
      { method: "accessToken.addScope", args: ["direct"] },
      { method: "idToken.setCustomClaim", args: ["https://example.com/a", 1] },
      { method: "transaction.addTargetScope", args: ["read:reports"] },
      { method: "transaction.setTargetScopes", args: [["openid", "read:reports", "write:reports"]] },
      { method: "transaction.removeTargetScope", args: ["openid"] },
      { method: "transaction.clearTargetScopes", args: [] },
      { method: "transaction.addTargetScope", args: ["x"] }
    ])
    assert.deepStrictEqual(api.targetScopes, ["x"])
  })

  it("an invalid scope denies before any call, and the log names it", async () => {
    const { calls, lines } = await runRules([
      Decision.setIdTokenClaim("https://example.com/a", 1),
      Effect.all([TargetScopes.add("fine"), TargetScopes.add("not fine")])
    ])
    assert.deepStrictEqual(calls, [{ method: "access.deny", args: [genericMessage] }])
    assert.isTrue(lines.some((line) => /ERROR .*targetScopes "not fine": InvalidScope/.test(line)))
  })

  it("an api.transaction without the calls (the feature off) denies before any call", async () => {
    const { calls, lines } = await runRules(
      [Effect.all([Decision.setIdTokenClaim("https://example.com/a", 1), TargetScopes.add("read:reports")])],
      { api: apiWithoutTargetScopes() }
    )
    assert.deepStrictEqual(calls, [{ method: "access.deny", args: [genericMessage] }])
    assert.isTrue(lines.some((line) => /ERROR .*targetScopes: MissingApi/.test(line)))
    // No change, no need of the calls: such an api serves every other login.
    const plain = await runRules([Decision.setIdTokenClaim("https://example.com/a", 1)], {
      api: apiWithoutTargetScopes()
    })
    assert.deepStrictEqual(plain.calls.map((c) => c.method), ["idToken.setCustomClaim"])
  })

  it("an api.transaction with only some of the four calls, or a null one, denies before any call", async () => {
    // One after the other: each run captures the log lines while it runs.
    const three = await runRules([TargetScopes.add("read:reports")], { api: apiWithThreeCalls() as never })
    const none = await runRules([TargetScopes.add("read:reports")], {
      api: { ...RecordingApi.make(), transaction: null } as never
    })
    for (const { calls, lines } of [three, none]) {
      assert.deepStrictEqual(calls, [{ method: "access.deny", args: [genericMessage] }])
      assert.isTrue(lines.some((line) => /ERROR .*targetScopes: MissingApi/.test(line)))
    }
  })

  it("a handler not given Auth0TargetScopes.kind denies before any call, and the log names the kind", async () => {
    const { calls, lines } = await runRules(
      [Effect.all([Decision.setIdTokenClaim("https://example.com/a", 1), TargetScopes.add("read:reports")])],
      { kinds: [] }
    )
    assert.deepStrictEqual(calls, [{ method: "access.deny", args: [genericMessage] }])
    assert.isTrue(
      lines.some((line) =>
        /ERROR .*targetScopes "pass Auth0TargetScopes.kind to PostLogin.make": KindNotEnabled/.test(line)
      )
    )
  })

  it("applied in the continue pass too", () => {
    const api = RecordingApi.make()
    const decision = { ...Decision.empty(), targetScopes: [{ _tag: "Add" as const, scope: "read:reports" }] }
    PostLogin.apply({ _tag: "Allowed", decision }, api, undefined, { pass: "continue" }, [Auth0TargetScopes.kind])
    assert.deepStrictEqual(api.calls, [{ method: "transaction.addTargetScope", args: ["read:reports"] }])
  })

  describe("the event's target_scopes", () => {
    it("a rule reads them through TargetScopes.current", async () => {
      const { calls } = await read(withTargetScopes(["openid", "read:reports"]))
      assert.deepStrictEqual(calls, [{
        method: "idToken.setCustomClaim",
        args: ["https://example.com/t", ["openid", "read:reports"]]
      }])
    })

    it("absent or malformed: the rule that reads them fails typed, the login is denied, nothing crashes", async () => {
      const runs = await Promise.all(
        [minimalEvent(), withTargetScopes("openid"), withTargetScopes(["openid", 7])].map(read)
      )
      for (const { calls, lines } of runs) {
        assert.deepStrictEqual(calls, [{ method: "access.deny", args: [genericMessage] }])
        assert.isTrue(lines.some((line) => line.includes("TargetScopesUnavailable")), lines.join("\n"))
      }
    })

    it("not decoded with the event (an Action that never reads them carries no code for them): never an InvalidEvent", () => {
      const { login } = Effect.runSync(Auth0Event.decode(withTargetScopes({ not: "a list" })))
      assert.strictEqual(login.transaction.targetScopes, undefined)
      assert.deepStrictEqual(login.transaction.requestedScopes, ["openid"])
    })
  })
})
