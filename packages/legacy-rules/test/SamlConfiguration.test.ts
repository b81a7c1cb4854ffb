import { assert, describe, it } from "@effect/vitest"
import * as Denial from "@rulefx/core/Denial"
import * as LegacyRule from "@rulefx/legacy-rules/LegacyRule"
import * as LegacyRules from "@rulefx/legacy-rules/LegacyRules"
import * as SamlConfiguration from "@rulefx/legacy-rules/SamlConfiguration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import { fullEvent, runLegacy } from "./utils/Fixtures.ts"

const legacy = (fn: LegacyRule.RuleFunction, saml = true) =>
  LegacyRules.make(
    [LegacyRule.make("saml", () => fn, { timeout: "1 second" })],
    saml ? { saml: SamlConfiguration.support } : {}
  )

const decide = (fn: LegacyRule.RuleFunction, secrets: Record<string, string> = {}) =>
  Effect.gen(function*() {
    const exit = yield* runLegacy(legacy(fn), fullEvent(), secrets)
    if (Exit.isSuccess(exit)) return exit.value
    return assert.fail(`expected a Decision, got ${String(exit.cause)}`)
  })

const denial = (fn: LegacyRule.RuleFunction, secrets: Record<string, string> = {}, saml = true) =>
  Effect.gen(function*() {
    const exit = yield* runLegacy(legacy(fn, saml), fullEvent(), secrets)
    const error = Exit.findErrorOption(exit)
    if (Option.isNone(error)) return assert.fail("expected a denial")
    return error.value
  })

describe("SamlConfiguration", () => {
  describe("getters", () => {
    it("settingsOf: Actions names (RelayState as relayState), unset and null left out, unknown keys ignored", () => {
      assert.deepStrictEqual({
        ...SamlConfiguration.settingsOf({
          audience: "urn:foo",
          RelayState: "a=b",
          lifetimeInSeconds: 3600,
          signResponse: null,
          logout: { callback: "x" },
          mappings: { a: "email" }
        })
      }, { audience: "urn:foo", relayState: "a=b", lifetimeInSeconds: 3600 })
      assert.deepStrictEqual({ ...SamlConfiguration.settingsOf(undefined) }, {})
    })

    it("attributesOf: each URI with the value at its path of the user; a path with no value adds nothing", () => {
      const user = { user_id: "auth0|1", email: "ada@example.com", user_metadata: { food: "pie" }, app_metadata: {} }
      assert.deepStrictEqual(
        SamlConfiguration.attributesOf({
          mappings: {
            "urn:id": "user_id",
            "urn:email": "email",
            "urn:food": "user_metadata.food",
            "urn:address": "app_metadata.shipping_address",
            "urn:proto": "__proto__.polluted",
            "urn:bad": 42
          }
        }, user),
        [["urn:id", "auth0|1"], ["urn:email", "ada@example.com"], ["urn:food", "pie"]]
      )
    })

    it("unsupported: only the keys with no setter", () => {
      assert.deepStrictEqual({ ...SamlConfiguration.unsupported({ audience: "x", mappings: {}, RelayState: "r" }) }, {})
      assert.deepStrictEqual({ ...SamlConfiguration.unsupported({ audience: "x", logout: 1, wctx: "w" }) }, {
        logout: 1,
        wctx: "w"
      })
    })
  })

  describe("through the legacy rules' pipeline", () => {
    it.effect("the attribute-mapping template's shape: mappings become attributes of the final user", () =>
      Effect.gen(function*() {
        const d = yield* decide(function(user, context, callback) {
          user.user_metadata = { ...user.user_metadata, favorite_food: "pie" }
          context.samlConfiguration.mappings = {
            "http://schemas.example.com/claims/nameidentifier": "user_id",
            "http://schemas.example.com/claims/emailaddress": "email",
            "http://schemas.example.com/claims/food": "user_metadata.favorite_food",
            "http://schemas.example.com/claims/absent": "app_metadata.nothing_here"
          }
          callback(null, user, context)
        })
        const user = fullEvent()["user"] as Record<string, unknown>
        assert.deepStrictEqual({ ...d.samlResponse?.attributes }, {
          "http://schemas.example.com/claims/nameidentifier": user["user_id"],
          "http://schemas.example.com/claims/emailaddress": user["email"],
          "http://schemas.example.com/claims/food": "pie"
        })
        assert.deepStrictEqual({ ...d.samlResponse?.settings }, {})
      }))

    it.effect("the configuration template's shape: a replaced object's settings become setters", () =>
      Effect.gen(function*() {
        const d = yield* decide(function(user, context, callback) {
          context.samlConfiguration = context.samlConfiguration || {}
          context.samlConfiguration["audience"] = "urn:foo"
          context.samlConfiguration["recipient"] = "http://foo"
          context.samlConfiguration["destination"] = "http://foo"
          context.samlConfiguration["lifetimeInSeconds"] = 3600
          callback(null, user, context)
        })
        assert.deepStrictEqual({ ...d.samlResponse?.settings }, {
          audience: "urn:foo",
          recipient: "http://foo",
          destination: "http://foo",
          lifetimeInSeconds: 3600
        })
      }))

    it.effect("a key with no setter (logout) is refused; a secret's value in an attribute denies", () =>
      Effect.gen(function*() {
        const refused = yield* denial(function(user, context, callback) {
          context.samlConfiguration["logout"] = { callback: "https://sp.example.com/logout" }
          callback(null, user, context)
        })
        assert.strictEqual(refused.message, Denial.genericMessage)
        const leaked = yield* denial(function(user, context, callback) {
          user.user_metadata = { ...user.user_metadata, token: "s3cr3t-value-for-saml" }
          context.samlConfiguration.mappings = { "urn:token": "user_metadata.token" }
          callback(null, user, context)
        }, { API_TOKEN: "s3cr3t-value-for-saml" })
        assert.strictEqual(leaked._tag, "SecretInClaim")
      }))

    it.effect("without the saml option (an Action built without SAML support), any change is refused", () =>
      Effect.gen(function*() {
        const refused = yield* denial(
          function(user, context, callback) {
            context.samlConfiguration["audience"] = "urn:foo"
            callback(null, user, context)
          },
          {},
          false
        )
        assert.strictEqual(refused.message, Denial.genericMessage)
        assert.strictEqual(refused._tag, "LegacyRuleDenied")
      }))
  })
})
