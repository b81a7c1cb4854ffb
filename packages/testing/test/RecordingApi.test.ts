import { assert, describe, it } from "@effect/vitest"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as Resume from "@rulefx/testing/Resume"
import * as Tokens from "@rulefx/testing/Tokens"

describe("RecordingApi", () => {
  it("starts with no calls and an empty summary", () => {
    const api = RecordingApi.make()
    assert.deepStrictEqual(api.calls, [])
    assert.deepStrictEqual(api.summary(), {
      denied: undefined,
      idTokenClaims: {},
      accessTokenClaims: {},
      scopesAdded: [],
      scopesRemoved: [],
      appMetadata: {},
      userMetadata: {},
      mfa: undefined,
      redirect: undefined
    })
  })

  it("records every call in order, with its arguments", () => {
    const api = RecordingApi.make()
    api.idToken.setCustomClaim("https://example.com/a", { x: 1 })
    api.accessToken.setCustomClaim("https://example.com/b", [1, 2])
    api.accessToken.addScope("read:orders")
    api.accessToken.removeScope("write:orders")
    api.user.setAppMetadata("plan", "gold")
    api.user.setUserMetadata("locale", null)
    api.multifactor.enable("guardian", { allowRememberBrowser: true })
    api.redirect.sendUserTo("https://verify.example/start", { query: { step: "1" } })
    api.access.deny("no")
    assert.deepStrictEqual(api.calls, [
      { method: "idToken.setCustomClaim", args: ["https://example.com/a", { x: 1 }] },
      { method: "accessToken.setCustomClaim", args: ["https://example.com/b", [1, 2]] },
      { method: "accessToken.addScope", args: ["read:orders"] },
      { method: "accessToken.removeScope", args: ["write:orders"] },
      { method: "user.setAppMetadata", args: ["plan", "gold"] },
      { method: "user.setUserMetadata", args: ["locale", null] },
      { method: "multifactor.enable", args: ["guardian", { allowRememberBrowser: true }] },
      { method: "redirect.sendUserTo", args: ["https://verify.example/start", { query: { step: "1" } }] },
      { method: "access.deny", args: ["no"] }
    ])
  })

  it("every recording method returns the api, for chaining", () => {
    const api = RecordingApi.make()
    assert.strictEqual(api.access.deny("x"), api)
    assert.strictEqual(api.idToken.setCustomClaim("a", 1), api)
    assert.strictEqual(api.accessToken.setCustomClaim("a", 1), api)
    assert.strictEqual(api.accessToken.addScope("a"), api)
    assert.strictEqual(api.accessToken.removeScope("a"), api)
    assert.strictEqual(api.user.setAppMetadata("a", 1), api)
    assert.strictEqual(api.user.setUserMetadata("a", 1), api)
    assert.strictEqual(api.multifactor.enable("any"), api)
    assert.strictEqual(api.redirect.sendUserTo("https://x.example"), api)
  })

  it("deny does not stop later calls from being recorded (as in Auth0)", () => {
    const api = RecordingApi.make()
    api.access.deny("first")
    api.idToken.setCustomClaim("after", true)
    assert.deepStrictEqual(api.calls.map((c) => c.method), ["access.deny", "idToken.setCustomClaim"])
  })

  it.each(["bad scope", "", "tab\tscope", "quote\"scope", "back\\slash", "caf\u00e9", "new\nline"])(
    "addScope and removeScope throw on the invalid scope %j and record nothing",
    (scope) => {
      const api = RecordingApi.make()
      assert.throws(() => api.accessToken.addScope(scope), TypeError)
      assert.throws(() => api.accessToken.removeScope(scope), TypeError)
      assert.deepStrictEqual(api.calls, [])
    }
  )

  it("addScope throws on a non-string scope, as Auth0 does on invalid input", () => {
    const api = RecordingApi.make()
    assert.throws(() => api.accessToken.addScope(42 as unknown as string), TypeError)
    assert.deepStrictEqual(api.calls, [])
  })

  it.each(["read:orders", "openid", "https://api.example/scope", "a!#$%&'()*+,-./:;<=>?@[]^_`{|}~"])(
    "addScope accepts the valid scope %j",
    (scope) => {
      const api = RecordingApi.make()
      api.accessToken.addScope(scope)
      assert.deepStrictEqual(api.summary().scopesAdded, [scope])
    }
  )

  it("summary: the last deny reason, claims and metadata by key with later calls winning, scopes in order", () => {
    const api = RecordingApi.make()
    api.access.deny("first reason")
    api.access.deny("second reason")
    api.idToken.setCustomClaim("c", 1)
    api.idToken.setCustomClaim("c", 2)
    api.idToken.setCustomClaim("d", "x")
    api.accessToken.setCustomClaim("r", ["USER"])
    api.accessToken.addScope("a")
    api.accessToken.addScope("b")
    api.accessToken.removeScope("c")
    api.user.setAppMetadata("k", 1)
    api.user.setAppMetadata("k", null)
    api.user.setUserMetadata("u", "v")
    api.multifactor.enable("any")
    api.multifactor.enable("duo")
    api.redirect.sendUserTo("https://one.example")
    api.redirect.sendUserTo("https://two.example", { query: { a: "b" } })
    assert.deepStrictEqual(api.summary(), {
      denied: "second reason",
      idTokenClaims: { c: 2, d: "x" },
      accessTokenClaims: { r: ["USER"] },
      scopesAdded: ["a", "b"],
      scopesRemoved: ["c"],
      appMetadata: { k: null },
      userMetadata: { u: "v" },
      mfa: "duo",
      redirect: "https://two.example"
    })
  })

  it("summary: MFA's options are the last enable's, absent when it had none", () => {
    const api = RecordingApi.make()
    api.multifactor.enable("any", { allowRememberBrowser: false })
    assert.deepStrictEqual([api.summary().mfa, api.summary().mfaOptions], ["any", { allowRememberBrowser: false }])
    api.multifactor.enable("guardian", { allowRememberBrowser: true })
    assert.deepStrictEqual(api.summary().mfaOptions, { allowRememberBrowser: true })
    api.multifactor.enable("duo")
    assert.isFalse("mfaOptions" in api.summary())
  })

  it("summary: a claim named __proto__ is an ordinary key and pollutes nothing", () => {
    const api = RecordingApi.make()
    api.idToken.setCustomClaim("__proto__", { polluted: true })
    api.user.setAppMetadata("__proto__", { polluted: true })
    const summary = api.summary()
    assert.isTrue(Object.hasOwn(summary.idTokenClaims, "__proto__"))
    assert.deepStrictEqual(Object.getOwnPropertyDescriptor(summary.idTokenClaims, "__proto__")?.value, {
      polluted: true
    })
    assert.strictEqual(Object.getPrototypeOf(summary.idTokenClaims), Object.prototype)
    assert.isTrue(Object.hasOwn(summary.appMetadata, "__proto__"))
    assert.isUndefined((summary.idTokenClaims as { polluted?: unknown }).polluted)
    assert.isUndefined(({} as { polluted?: unknown }).polluted)
  })

  it("summarize works on calls alone, and ignores methods it does not know", () => {
    const summary = RecordingApi.summarize([
      { method: "access.deny", args: ["why"] },
      { method: "cache.set", args: ["k", "v"] },
      { method: "idToken.setCustomClaim", args: ["n", 1] }
    ])
    assert.strictEqual(summary.denied, "why")
    assert.deepStrictEqual(summary.idTokenClaims, { n: 1 })
  })

  describe("cache, as Auth0 documents it", () => {
    const at = 1_700_000_000_000
    const clocked = () => {
      let now = at
      return { api: RecordingApi.make({ now: () => now }), advance: (millis: number) => void (now += millis) }
    }

    it("set returns the record (default lifetime 15 minutes), get returns it, delete removes it; all recorded", () => {
      const { api } = clocked()
      assert.isUndefined(api.cache.get("k"))
      assert.deepStrictEqual(api.cache.set("k", "v"), {
        type: "success",
        record: { value: "v", expires_at: at + 900_000 }
      })
      assert.deepStrictEqual(api.cache.get("k"), { value: "v", expires_at: at + 900_000 })
      assert.deepStrictEqual(api.cache.delete("k"), { type: "success" })
      assert.isUndefined(api.cache.get("k"))
      assert.deepStrictEqual(api.cache.delete("k"), { type: "error", code: "CacheKeyDoesNotExist" })
      assert.deepStrictEqual(api.calls.map((c) => c.method), [
        "cache.get",
        "cache.set",
        "cache.get",
        "cache.delete",
        "cache.get",
        "cache.delete"
      ])
      // Cache calls are not decisions: the summary is untouched.
      assert.isUndefined(api.summary().denied)
      assert.deepStrictEqual(api.summary().idTokenClaims, {})
    })

    it("Auth0's error codes for keys, values and size", () => {
      const { api } = clocked()
      assert.deepStrictEqual(api.cache.set("k".repeat(65), "v"), { type: "error", code: "CacheKeySizeExceeded" })
      assert.deepStrictEqual(api.cache.set("k", "v".repeat(4097)), { type: "error", code: "CacheValueSizeExceeded" })
      for (let i = 0; i < 20; i++) assert.strictEqual(api.cache.set(`k${i}`, "v").type, "success")
      assert.deepStrictEqual(api.cache.set("k20", "v"), { type: "error", code: "CacheSizeExceeded" })
      assert.strictEqual(api.cache.set("k0", "replaced").type, "success")
      assert.deepStrictEqual(
        api.cache.set("k1", "v".repeat(4096)).type === "success" && api.cache.set("k2", "v".repeat(4096)),
        { type: "error", code: "CacheSizeExceeded" }
      )
      assert.deepStrictEqual(api.cache.set("k", 42 as unknown as string), {
        type: "error",
        code: "FailedToSetCacheRecord"
      })
      assert.isUndefined(api.cache.get("k20"))
    })

    it("ttl and expires_at: the earlier wins, at most 24 hours; invalid or past expiries are errors", () => {
      const { api } = clocked()
      const expiry = (options: { ttl?: number; expires_at?: number }) => {
        const result = api.cache.set("k", "v", options)
        return result.type === "success" ? result.record?.expires_at : result.code
      }
      assert.strictEqual(expiry({ ttl: 1000 }), at + 1000)
      assert.strictEqual(expiry({ expires_at: at + 5000 }), at + 5000)
      assert.strictEqual(expiry({ ttl: 1000, expires_at: at + 5000 }), at + 1000)
      assert.strictEqual(expiry({ ttl: 9000, expires_at: at + 5000 }), at + 5000)
      assert.strictEqual(expiry({ ttl: 48 * 3_600_000 }), at + 24 * 3_600_000)
      assert.strictEqual(expiry({ ttl: 0 }), "InvalidExpiry")
      assert.strictEqual(expiry({ ttl: -1 }), "InvalidExpiry")
      assert.strictEqual(expiry({ ttl: Number.NaN }), "InvalidExpiry")
      assert.strictEqual(expiry({ expires_at: at }), "ItemAlreadyExpired")
    })

    it("an entry expires on the api's clock, and no longer counts against the limits", () => {
      const { api, advance } = clocked()
      for (let i = 0; i < 20; i++) api.cache.set(`k${i}`, "v", { ttl: 1000 })
      advance(999)
      assert.strictEqual(api.cache.get("k0")?.value, "v")
      assert.strictEqual(api.cache.set("k20", "v").type, "error")
      advance(1)
      assert.isUndefined(api.cache.get("k0"))
      assert.strictEqual(api.cache.set("k20", "v").type, "success")
    })

    it("two apis have separate caches", () => {
      const a = RecordingApi.make()
      const b = RecordingApi.make()
      a.cache.set("k", "v")
      assert.isUndefined(b.cache.get("k"))
    })
  })

  it("two apis record independently", () => {
    const a = RecordingApi.make()
    const b = RecordingApi.make()
    a.access.deny("a")
    assert.strictEqual(a.calls.length, 1)
    assert.strictEqual(b.calls.length, 0)
    assert.isUndefined(b.summary().denied)
  })
})

const event = { user: { user_id: "auth0|ada" }, request: { ip: "203.0.113.9", hostname: "t.example.com" } }

// The api of a continue pass whose /continue request carries `token`, for a transaction whose state is `state`.
const resumed = (token: string, state = "st") =>
  RecordingApi.make({ event: Resume.continueEvent(event, { state: "st", token }), state })

describe("RecordingApi, redirects and the continue pass", () => {
  it("encodeToken signs as Auth0 does (sub, iss, ip, exp 900 s by default) and records the call without the secret", () => {
    const api = RecordingApi.make({ event, now: () => 1_800_000_000_000 })
    const token = api.redirect.encodeToken?.({ secret: "shh", payload: { v: 1 } }) ?? ""
    const claims = Tokens.verify(token, { secret: "shh", nowSeconds: 1_800_000_000 })
    assert.deepStrictEqual(
      {
        sub: claims["sub"],
        iss: claims["iss"],
        ip: claims["ip"],
        v: claims["v"],
        life: Number(claims["exp"]) - 1_800_000_000
      },
      { sub: "auth0|ada", iss: "t.example.com", ip: "203.0.113.9", v: 1, life: 900 }
    )
    assert.notInclude(JSON.stringify(api.calls), "shh")
  })

  it("validateToken reads session_token from the /continue body and checks signature, expiry and state", () => {
    const exp = Math.floor(Date.now() / 1000) + 60
    const sign = (claims: Record<string, unknown>) => Tokens.sign("shh", { exp, ...claims })
    assert.deepStrictEqual(resumed(sign({ state: "st", ok: true })).redirect.validateToken?.({ secret: "shh" }), {
      exp,
      state: "st",
      ok: true
    })
    assert.throws(
      () => resumed(sign({ state: "st" }), "other").redirect.validateToken?.({ secret: "shh" }),
      /WrongState/
    )
    assert.throws(() => resumed(sign({ state: "st" })).redirect.validateToken?.({ secret: "nope" }), /BadSignature/)
    assert.throws(
      () => resumed(sign({ state: "st" })).redirect.validateToken?.({ secret: "shh", tokenParameterName: "other" }),
      /Malformed/
    )
  })

  it("transaction.setMetadata updates the live metadata (null deletes) and the summary lists the flow calls", () => {
    const api = RecordingApi.make({ event: { ...event, transaction: { metadata: { a: 1, b: 2 } } } })
    api.transaction?.setMetadata("b", null)
    api.transaction?.setMetadata("c", "x")
    api.prompt?.render("ap_1", { vars: {} })
    api.authentication?.recordMethod?.("https://m.example/")
    api.validation?.error("code", "message")
    assert.deepStrictEqual(api.transactionMetadata, { a: 1, c: "x" })
    const summary = api.summary()
    assert.deepStrictEqual(
      [summary.transactionMetadata, summary.prompt, summary.authenticationMethods, summary.validationError],
      [{ b: null, c: "x" }, "ap_1", ["https://m.example/"], { code: "code", message: "message" }]
    )
  })
})
