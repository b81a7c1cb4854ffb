import { assert, describe, it } from "@effect/vitest"
import * as Decision from "@rulefx/core/Decision"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

const decision = (overrides: Partial<Decision.Decision>): Decision.Decision => ({ ...Decision.empty(), ...overrides })

describe("Decision", () => {
  describe("merge", () => {
    it("the later decision wins for the same claim or metadata key", () => {
      const merged = Decision.merge([
        decision({
          idTokenClaims: { a: 1, shared: "first" },
          accessTokenClaims: { x: "first" },
          appMetadata: { plan: "free" },
          userMetadata: { theme: "dark" }
        }),
        decision({
          idTokenClaims: { b: 2, shared: "second" },
          accessTokenClaims: { x: "second" },
          appMetadata: { plan: "pro" },
          userMetadata: { theme: null }
        })
      ])
      assert.deepStrictEqual({ ...merged.idTokenClaims }, { a: 1, shared: "second", b: 2 })
      assert.deepStrictEqual({ ...merged.accessTokenClaims }, { x: "second" })
      assert.deepStrictEqual({ ...merged.appMetadata }, { plan: "pro" })
      assert.deepStrictEqual({ ...merged.userMetadata }, { theme: null })
    })

    it("unions scopes in first-seen order without duplicates", () => {
      const merged = Decision.merge([
        decision({ addScopes: ["read", "write"], removeScopes: ["admin"] }),
        decision({ addScopes: ["write", "delete"], removeScopes: ["admin", "root"] })
      ])
      assert.deepStrictEqual(merged.addScopes, ["read", "write", "delete"])
      assert.deepStrictEqual(merged.removeScopes, ["admin", "root"])
    })

    it("a later MFA or redirect replaces an earlier one, and an absent one keeps it", () => {
      const guardian: Decision.Mfa = { provider: "guardian", allowRememberBrowser: true }
      const duo: Decision.Mfa = { provider: "duo", allowRememberBrowser: false }
      const replaced = Decision.merge([
        decision({ mfa: guardian, redirect: { url: "https://a.example", query: {} } }),
        decision({ mfa: duo, redirect: { url: "https://b.example", query: { x: "1" } } })
      ])
      assert.deepStrictEqual(replaced.mfa, duo)
      assert.deepStrictEqual(replaced.redirect, { url: "https://b.example", query: { x: "1" } })
      const kept = Decision.merge([
        decision({ mfa: guardian, redirect: { url: "https://a.example", query: {} } }),
        decision({ idTokenClaims: { a: 1 } })
      ])
      assert.deepStrictEqual(kept.mfa, guardian)
      assert.strictEqual(kept.redirect?.url, "https://a.example")
    })

    it("merging nothing gives the empty decision", () => {
      assert.isTrue(Decision.isEmpty(Decision.merge([])))
    })

    it("does not mutate its inputs", () => {
      const first = decision({ idTokenClaims: { a: 1 }, addScopes: ["read"] })
      const second = decision({ idTokenClaims: { a: 2, b: 3 }, addScopes: ["write"] })
      Decision.merge([first, second])
      assert.deepStrictEqual({ ...first.idTokenClaims }, { a: 1 })
      assert.deepStrictEqual(first.addScopes, ["read"])
      assert.deepStrictEqual({ ...second.idTokenClaims }, { a: 2, b: 3 })
      assert.deepStrictEqual(second.addScopes, ["write"])
    })

    it("a claim named __proto__ from a plain (JSON-parsed) record stays an own key", () => {
      const parsed = JSON.parse("{\"__proto__\": {\"polluted\": true}, \"ok\": 1}") as Record<string, unknown>
      const merged = Decision.merge([decision({ idTokenClaims: parsed, appMetadata: parsed })])
      assert.isTrue(Object.hasOwn(merged.idTokenClaims, "__proto__"))
      assert.deepStrictEqual(merged.idTokenClaims["__proto__"], { polluted: true })
      assert.strictEqual(merged.idTokenClaims["ok"], 1)
      assert.isTrue(Object.hasOwn(merged.appMetadata, "__proto__"))
      assert.isNull(Object.getPrototypeOf(merged.idTokenClaims))
      assert.isUndefined((merged.idTokenClaims as { readonly polluted?: unknown }).polluted)
      assert.isUndefined(({} as { readonly polluted?: unknown }).polluted)
    })
  })

  describe("isEmpty", () => {
    it("is true for empty() and false as soon as any part is set", () => {
      assert.isTrue(Decision.isEmpty(Decision.empty()))
      const nonEmpty: ReadonlyArray<Partial<Decision.Decision>> = [
        { idTokenClaims: { a: 1 } },
        { accessTokenClaims: { a: 1 } },
        { addScopes: ["read"] },
        { removeScopes: ["read"] },
        { appMetadata: { a: null } },
        { userMetadata: { a: null } },
        { mfa: { provider: "any", allowRememberBrowser: false } },
        { redirect: { url: "https://example.com", query: {} } }
      ]
      for (const overrides of nonEmpty) {
        assert.isFalse(Decision.isEmpty(decision(overrides)), JSON.stringify(overrides))
      }
    })

    it("a claim whose value is undefined still counts", () => {
      assert.isFalse(Decision.isEmpty(decision({ idTokenClaims: { a: undefined } })))
    })
  })

  describe("collect", () => {
    it.effect("gathers every recording into a Decision", () =>
      Effect.gen(function*() {
        const collected = yield* Decision.collect(Effect.gen(function*() {
          yield* Decision.setIdTokenClaim("id", 1)
          yield* Decision.setAccessTokenClaim("access", [2])
          yield* Decision.addScope("read")
          yield* Decision.addScope("read")
          yield* Decision.removeScope("admin")
          yield* Decision.persistAppMetadata("plan", "pro")
          yield* Decision.persistUserMetadata("theme", null)
          yield* Decision.requireMfa()
          yield* Decision.redirect("https://consent.example")
        }))
        assert.deepStrictEqual({ ...collected.idTokenClaims }, { id: 1 })
        assert.deepStrictEqual({ ...collected.accessTokenClaims }, { access: [2] })
        assert.deepStrictEqual(collected.addScopes, ["read"])
        assert.deepStrictEqual(collected.removeScopes, ["admin"])
        assert.deepStrictEqual({ ...collected.appMetadata }, { plan: "pro" })
        assert.deepStrictEqual({ ...collected.userMetadata }, { theme: null })
        assert.deepStrictEqual(collected.mfa, { provider: "any", allowRememberBrowser: false })
        assert.deepStrictEqual(collected.redirect, { url: "https://consent.example", query: {} })
      }))

    it.effect("requireMfa and redirect keep the options given", () =>
      Effect.gen(function*() {
        const collected = yield* Decision.collect(Effect.gen(function*() {
          yield* Decision.requireMfa("guardian", { allowRememberBrowser: true })
          yield* Decision.redirect("https://consent.example", { step: "2" })
        }))
        assert.deepStrictEqual(collected.mfa, { provider: "guardian", allowRememberBrowser: true })
        assert.deepStrictEqual(collected.redirect, { url: "https://consent.example", query: { step: "2" } })
      }))

    it.effect("a claim named __proto__ is an ordinary own key and pollutes no prototype", () =>
      Effect.gen(function*() {
        const collected = yield* Decision.collect(Effect.gen(function*() {
          yield* Decision.setIdTokenClaim("__proto__", { polluted: true })
          yield* Decision.setAccessTokenClaim("__proto__", "x")
          yield* Decision.persistAppMetadata("__proto__", { isAdmin: true })
        }))
        assert.isTrue(Object.hasOwn(collected.idTokenClaims, "__proto__"))
        assert.deepStrictEqual(collected.idTokenClaims["__proto__"], { polluted: true })
        assert.deepStrictEqual(Object.keys(collected.idTokenClaims), ["__proto__"])
        assert.strictEqual(collected.accessTokenClaims["__proto__"], "x")
        assert.isTrue(Object.hasOwn(collected.appMetadata, "__proto__"))
        assert.isNull(Object.getPrototypeOf(collected.idTokenClaims))
        assert.isFalse(Decision.isEmpty(collected))
        assert.isUndefined(({} as { readonly polluted?: unknown }).polluted)
        assert.isUndefined(({} as { readonly isAdmin?: unknown }).isAdmin)

        const merged = Decision.merge([collected, Decision.empty()])
        assert.isTrue(Object.hasOwn(merged.idTokenClaims, "__proto__"))
        assert.deepStrictEqual(merged.idTokenClaims["__proto__"], { polluted: true })
        // A consumer that spreads the claims keeps the key as data too.
        const spread = { ...merged.idTokenClaims }
        assert.isTrue(Object.hasOwn(spread, "__proto__"))
        assert.strictEqual(Object.getPrototypeOf(spread), Object.prototype)
      }))

    it.effect("a nested collect keeps its recordings apart from the outer one", () =>
      Effect.gen(function*() {
        let inner: Decision.Decision | undefined
        const outer = yield* Decision.collect(Effect.gen(function*() {
          yield* Decision.setIdTokenClaim("outer", 1)
          inner = yield* Decision.collect(Decision.setIdTokenClaim("inner", 2))
          yield* Decision.addScope("outer-scope")
        }))
        assert.deepStrictEqual({ ...outer.idTokenClaims }, { outer: 1 })
        assert.deepStrictEqual(outer.addScopes, ["outer-scope"])
        assert.deepStrictEqual({ ...inner!.idTokenClaims }, { inner: 2 })
        assert.deepStrictEqual(inner!.addScopes, [])
      }))

    it.effect("concurrent collects do not see each other's recordings", () =>
      Effect.gen(function*() {
        const [a, b] = yield* Effect.all([
          Decision.collect(Effect.andThen(Effect.yieldNow, Decision.setIdTokenClaim("a", 1))),
          Decision.collect(Effect.andThen(Effect.yieldNow, Decision.setIdTokenClaim("b", 2)))
        ], { concurrency: "unbounded" })
        assert.deepStrictEqual({ ...a.idTokenClaims }, { a: 1 })
        assert.deepStrictEqual({ ...b.idTokenClaims }, { b: 2 })
      }))

    it.effect("each run of the same collect starts from an empty draft", () =>
      Effect.gen(function*() {
        const once = Decision.collect(Decision.addScope("read"))
        const first = yield* once
        const second = yield* once
        assert.notStrictEqual(first, second)
        assert.deepStrictEqual(first.addScopes, ["read"])
        assert.deepStrictEqual(second.addScopes, ["read"])
      }))

    it.effect("a failing effect yields its error, not a Decision", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(
          Decision.collect(Effect.andThen(Decision.setIdTokenClaim("a", 1), Effect.fail("nope" as const)))
        )
        assert.strictEqual(error, "nope")
      }))

    it.effect("recording nothing gives an empty decision", () =>
      Effect.gen(function*() {
        assert.isTrue(Decision.isEmpty(yield* Decision.collect(Effect.void)))
      }))
  })
})

describe("Decision.merge, suspensions", () => {
  // Written as literals, so marked as holding the flow kinds, as Redirect.sendUserTo and Form mark what they record.
  const flow = (overrides: Partial<Decision.Decision>) => Decision.withKind(decision(overrides), Decision.mergeFlow)
  const token = { secret: Redacted.make("s"), payload: {}, expiresInSeconds: 900, parameter: "session_token" }
  const typed = flow({ redirect: { url: "https://a.example/", query: {}, token } })
  const plain = decision({ redirect: { url: "https://b.example/", query: {} } })
  const form = flow({ prompt: { id: "ap_1", fields: undefined, vars: undefined } })

  it("two typed suspensions, or a typed one beside a plain redirect, are a conflict whatever the order", () => {
    assert.deepStrictEqual(Decision.merge([typed, typed]).conflicts, ["redirect"])
    assert.deepStrictEqual(Decision.merge([typed, form]).conflicts, ["prompt"])
    assert.deepStrictEqual(Decision.merge([form, plain]).conflicts, ["redirect"])
    assert.deepStrictEqual(Decision.merge([plain, typed]).conflicts, ["redirect"])
  })

  it("an optional kind is folded only from decisions marked as holding it (withKind, recordKind)", () => {
    const literal = decision({ transactionMetadata: { a: 1 } })
    assert.isUndefined(Decision.merge([literal]).transactionMetadata)
    const marked = Decision.merge([Decision.withKind(decision({ transactionMetadata: { a: 1 } }), Decision.mergeFlow)])
    assert.deepStrictEqual({ ...marked.transactionMetadata }, { a: 1 })
    // The merged Decision stays marked, so a later literal is folded after it; the mark is not enumerable.
    const later = decision({ transactionMetadata: { b: 2 } })
    assert.deepStrictEqual({ ...Decision.merge([marked, later]).transactionMetadata }, { a: 1, b: 2 })
    assert.deepStrictEqual(Object.getOwnPropertySymbols(marked).filter((s) => marked.propertyIsEnumerable(s)), [])
  })

  it("two plain redirects keep the later one, without a conflict; one suspension alone is none", () => {
    const merged = Decision.merge([plain, decision({ redirect: { url: "https://c.example/", query: {} } })])
    assert.isUndefined(merged.conflicts)
    assert.strictEqual(merged.redirect?.url, "https://c.example/")
    assert.isUndefined(Decision.merge([typed, decision({})]).conflicts)
    assert.isFalse(Decision.isEmpty(form))
  })
})
