import { assert, describe, it } from "@effect/vitest"
import * as Decision from "@rulefx/core/Decision"
import * as SamlResponse from "@rulefx/core/SamlResponse"
import * as Effect from "effect/Effect"

describe("SamlResponse", () => {
  it.effect("setAttribute, removeAttribute and configure record attributes and settings", () =>
    Effect.gen(function*() {
      const d = yield* Decision.collect(Effect.all([
        SamlResponse.setAttribute("http://schemas.example/email", "ada@example.com"),
        SamlResponse.setAttribute("http://schemas.example/groups", ["a", "b"]),
        SamlResponse.removeAttribute("http://schemas.example/upn"),
        SamlResponse.configure({ audience: "urn:foo", lifetimeInSeconds: 600, signatureAlgorithm: "rsa-sha256" })
      ]))
      assert.deepStrictEqual({ ...d.samlResponse?.attributes }, {
        "http://schemas.example/email": "ada@example.com",
        "http://schemas.example/groups": ["a", "b"],
        "http://schemas.example/upn": null
      })
      assert.deepStrictEqual({ ...d.samlResponse?.settings }, {
        audience: "urn:foo",
        lifetimeInSeconds: 600,
        signatureAlgorithm: "rsa-sha256"
      })
    }))

  it.effect("an attribute named __proto__ is an ordinary key", () =>
    Effect.gen(function*() {
      const d = yield* Decision.collect(SamlResponse.setAttribute("__proto__", "x"))
      assert.deepStrictEqual(Object.keys(d.samlResponse!.attributes), ["__proto__"])
    }))

  it.effect("two rules that disagree: the later wins, per attribute and per setting", () =>
    Effect.gen(function*() {
      const first = yield* Decision.collect(Effect.all([
        SamlResponse.configure({ audience: "urn:first", recipient: "https://first" }),
        SamlResponse.setAttribute("a", "first"),
        SamlResponse.setAttribute("b", "kept")
      ]))
      const second = yield* Decision.collect(Effect.all([
        SamlResponse.configure({ audience: "urn:second", issuer: undefined as never }),
        SamlResponse.removeAttribute("a")
      ]))
      const merged = Decision.merge([first, second]).samlResponse!
      assert.deepStrictEqual({ ...merged.settings }, { audience: "urn:second", recipient: "https://first" })
      assert.deepStrictEqual({ ...merged.attributes }, { a: null, b: "kept" })
    }))

  it("setterOf names Auth0's setter for every setting", () => {
    assert.deepStrictEqual(SamlResponse.settingNames.map(SamlResponse.setterOf).slice(0, 6), [
      "setAudience",
      "setRecipient",
      "setDestination",
      "setIssuer",
      "setRelayState",
      "setLifetimeInSeconds"
    ])
    assert.strictEqual(SamlResponse.settingNames.length, 24)
    assert.strictEqual(new Set(SamlResponse.settingNames).size, 24)
  })
})
