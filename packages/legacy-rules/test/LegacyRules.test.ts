import { assert, describe, it } from "@effect/vitest"
import * as Decision from "@rulefx/core/Decision"
import * as Denial from "@rulefx/core/Denial"
import * as Pipeline from "@rulefx/core/Pipeline"
import * as Rule from "@rulefx/core/Rule"
import * as LegacyRule from "@rulefx/legacy-rules/LegacyRule"
import * as LegacyRules from "@rulefx/legacy-rules/LegacyRules"
import * as Request from "@rulefx/legacy-rules/Request"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as References from "effect/References"
import { TestClock } from "effect/testing"
import { vi } from "vitest"
import { fullEvent, loginLayer, runLegacy } from "./utils/Fixtures.ts"

type Load = (globals: LegacyRule.Globals) => LegacyRule.RuleFunction

const rule = (name: string, load: Load) => LegacyRule.make(name, load, { timeout: "1 second" })

/** The Decision of one login through the legacy rules' pipeline; fails the test if the login is denied. */
const decide = (
  legacy: LegacyRules.LegacyRules,
  event: Record<string, unknown> = fullEvent(),
  secrets: Record<string, string> = {}
) =>
  Effect.gen(function*() {
    const exit = yield* runLegacy(legacy, event, secrets)
    if (Exit.isSuccess(exit)) return exit.value
    return assert.fail(`expected a Decision, got ${String(exit.cause)}`)
  })

/** The denial of one login through the legacy rules' pipeline; fails the test if the login is allowed. */
const denial = (
  legacy: LegacyRules.LegacyRules,
  event: Record<string, unknown> = fullEvent(),
  secrets: Record<string, string> = {}
) =>
  Effect.gen(function*() {
    const exit = yield* runLegacy(legacy, event, secrets)
    assert.isTrue(Exit.isFailure(exit), "expected a denial, got a Decision")
    const error = Exit.findErrorOption(exit)
    if (Option.isNone(error)) return assert.fail(`expected a denial, got ${String(exit)}`)
    return error.value
  })

/** The full event for another user and application. */
const eventFor = (id: string, client: string) => {
  const event = fullEvent()
  ;(event["user"] as Record<string, unknown>)["user_id"] = id
  ;(event["client"] as Record<string, unknown>)["client_id"] = client
  return event
}

const plain = (record: Readonly<Record<string, unknown>>) => ({ ...record })

/** A Decision's fields as plain values, for deepStrictEqual. */
const view = (d: Decision.Decision) => ({
  idTokenClaims: plain(d.idTokenClaims),
  accessTokenClaims: plain(d.accessTokenClaims),
  addScopes: [...d.addScopes],
  removeScopes: [...d.removeScopes],
  appMetadata: plain(d.appMetadata),
  userMetadata: plain(d.userMetadata),
  mfa: d.mfa,
  redirect: d.redirect
})

const nothing = view(Decision.empty())

/** A rule from its source, as `rulefx migrate` makes it: in a realm of its own. */
const source = (name: string, text: string) => LegacyRule.make(name, text, { timeout: "1 second" })

const single = (name: string, fn: LegacyRule.RuleFunction, options: LegacyRules.Options = {}) =>
  LegacyRules.make([rule(name, () => fn)], options)

type GuardOptions = { readonly settings?: ReadonlyArray<string>; readonly accepted?: ReadonlyArray<string> }

/** One rule with the settings it names and the constructs accepted for it, as `rulefx migrate` makes it. */
const guarded = (name: string, load: Load, options: GuardOptions = {}) =>
  LegacyRule.make(name, load, { timeout: "1 second", ...options })

const withOptions = (name: string, fn: LegacyRule.RuleFunction, options: GuardOptions) =>
  LegacyRules.make([guarded(name, () => fn, options)])

/** Sets context.primaryUser through an alias the analysis cannot follow. */
const setsPrimaryUserThroughAlias: LegacyRule.RuleFunction = function(user, context, callback) {
  const ctx = context
  ctx.primaryUser = "auth0|other"
  callback(null, user, context)
}

/** Changes context.samlConfiguration in place, with a key Actions has no setter for (WS-Fed's wctx). */
const changesSamlConfiguration: LegacyRule.RuleFunction = function(user, context, callback) {
  const saml = context.samlConfiguration
  saml["wctx"] = "foo=bar"
  callback(null, user, context)
}

describe("LegacyRules", () => {
  describe("order and shared state", () => {
    it.effect("rules run in order and see each other's mutations of user and context", () =>
      Effect.gen(function*() {
        const log: Array<string> = []
        const legacy = LegacyRules.make([
          rule("one", () =>
            function(user, context, callback) {
              log.push("one")
              user["seller"] = { id: "seller-1" }
              context["step"] = 1
              callback(null, user, context)
            }),
          rule("two", () =>
            function(user, context, callback) {
              log.push("two")
              context.idToken["https://shop.example/seller"] = (user["seller"] as { id: string }).id
              context.idToken["https://shop.example/step"] = context["step"]
              callback(null, user, context)
            })
        ])
        const decision = yield* decide(legacy)
        assert.deepStrictEqual(log, ["one", "two"])
        assert.deepStrictEqual(view(decision), {
          ...nothing,
          idTokenClaims: { "https://shop.example/seller": "seller-1", "https://shop.example/step": 1 }
        })
      }))

    it.effect("a denial stops the later rules and leaves no Decision", () =>
      Effect.gen(function*() {
        let thirdRuns = 0
        const legacy = LegacyRules.make([
          rule("one", () =>
            function(user, context, callback) {
              context.idToken["https://shop.example/x"] = 1
              callback(null, user, context)
            }),
          rule("two", () =>
            function(_user, _context, callback) {
              callback(new Error("Your account is suspended."))
            }),
          rule("three", () =>
            function(user, context, callback) {
              thirdRuns++
              callback(null, user, context)
            })
        ])
        const exit = yield* runLegacy(legacy)
        assert.isTrue(Exit.isFailure(exit))
        const error = yield* denial(legacy)
        assert.instanceOf(error, LegacyRule.LegacyRuleDenied)
        assert.strictEqual(error.message, "Your account is suspended.")
        assert.deepStrictEqual(
          error._tag === "LegacyRuleDenied" ? { rule: error.rule, unauthorized: error.unauthorized } : undefined,
          { rule: "two", unauthorized: false }
        )
        assert.strictEqual(thirdRuns, 0)
      }))

    it.effect("a rule that times out denies with RuleTimedOut", () =>
      Effect.gen(function*() {
        const legacy = LegacyRules.make([
          LegacyRule.make("hangs", () => () => undefined, { timeout: "20 millis" })
        ])
        const fiber = yield* Effect.forkChild(denial(legacy))
        yield* TestClock.adjust("20 millis")
        const error = yield* Fiber.join(fiber)
        assert.instanceOf(error, Denial.RuleTimedOut)
        assert.deepStrictEqual(error._tag === "RuleTimedOut" ? { rule: error.rule, millis: error.millis } : undefined, {
          rule: "hangs",
          millis: 20
        })
      }))
  })

  describe("tokens", () => {
    it.effect("context.idToken and context.accessToken claims become Decision claims", () =>
      Effect.gen(function*() {
        const decision = yield* decide(single("claims", function(user, context, callback) {
          context.idToken["https://shop.example/roles"] = ["seller"]
          context.idToken["https://shop.example/profile"] = { tier: "gold" }
          context.accessToken["https://shop.example/seller"] = "seller-1"
          callback(null, user, context)
        }))
        assert.deepStrictEqual(view(decision), {
          ...nothing,
          idTokenClaims: { "https://shop.example/roles": ["seller"], "https://shop.example/profile": { tier: "gold" } },
          accessTokenClaims: { "https://shop.example/seller": "seller-1" }
        })
      }))

    it.effect.each(
      [
        ["an array", ["openid", "profile", "write:orders", "admin"]],
        ["a space-separated string", " openid  profile write:orders admin "]
      ] as const
    )(
      "accessToken.scope as %s: scopes added and removed against the requested ones",
      ([, scope]) =>
        Effect.gen(function*() {
          const decision = yield* decide(single("scopes", function(user, context, callback) {
            context.accessToken["scope"] = scope
            callback(null, user, context)
          }))
          assert.deepStrictEqual(view(decision), {
            ...nothing,
            addScopes: ["write:orders", "admin"],
            removeScopes: ["email", "read:orders"]
          })
        })
    )

    it.effect("accessToken.scope equal to the requested scopes: nothing", () =>
      Effect.gen(function*() {
        const decision = yield* decide(single("scopes", function(user, context, callback) {
          context.accessToken["scope"] = ["read:orders", "email", "profile", "openid"]
          callback(null, user, context)
        }))
        assert.isTrue(Decision.isEmpty(decision))
      }))

    it.effect("a changed profile claim on user becomes an ID-token claim", () =>
      Effect.gen(function*() {
        const decision = yield* decide(single("picture", function(user, context, callback) {
          user["picture"] = "https://cdn.example/new.png"
          callback(null, user, context)
        }))
        assert.deepStrictEqual(view(decision), {
          ...nothing,
          idTokenClaims: { picture: "https://cdn.example/new.png" }
        })
      }))

    it.effect("profile claims set to their own value, and other user fields changed: nothing", () =>
      Effect.gen(function*() {
        const decision = yield* decide(single("same", function(user, context, callback) {
          user["picture"] = "https://cdn.example/ada.png"
          user["name"] = "Ada Lovelace"
          user.email = "ada@shop.example"
          user["groups"] = ["everyone"]
          user["seller"] = "seller-1"
          callback(null, { ...user }, context)
        }))
        assert.deepStrictEqual(view(decision), nothing)
      }))

    it.effect("an explicit context.idToken claim wins over the user's root attribute", () =>
      Effect.gen(function*() {
        const decision = yield* decide(single("both", function(user, context, callback) {
          user["picture"] = "https://cdn.example/from-user.png"
          context.idToken["picture"] = "https://cdn.example/from-id-token.png"
          callback(null, user, context)
        }))
        assert.deepStrictEqual(view(decision), {
          ...nothing,
          idTokenClaims: { picture: "https://cdn.example/from-id-token.png" }
        })
      }))
  })

  describe("multifactor and redirect", () => {
    it.effect("context.multifactor guardian with allowRememberBrowser: MFA", () =>
      Effect.gen(function*() {
        const decision = yield* decide(single("mfa", function(user, context, callback) {
          context.multifactor = { provider: "guardian", allowRememberBrowser: true }
          callback(null, user, context)
        }))
        assert.deepStrictEqual(view(decision), {
          ...nothing,
          mfa: { provider: "guardian", allowRememberBrowser: true }
        })
      }))

    it.effect("an unknown provider: MFA with any", () =>
      Effect.gen(function*() {
        const decision = yield* decide(single("mfa", function(user, context, callback) {
          context.multifactor = { provider: "sms-magic" }
          callback(null, user, context)
        }))
        assert.deepStrictEqual(decision.mfa, { provider: "any", allowRememberBrowser: false })
      }))

    it.effect("duo with ikey, skey and host: providerOptions", () =>
      Effect.gen(function*() {
        const decision = yield* decide(single("mfa", function(user, context, callback) {
          context.multifactor = {
            provider: "duo",
            ikey: "DIXXXX",
            skey: "secret-key",
            host: "api-1234.duosecurity.com",
            other: "ignored"
          }
          callback(null, user, context)
        }))
        assert.deepStrictEqual(decision.mfa, {
          provider: "duo",
          allowRememberBrowser: false,
          providerOptions: { ikey: "DIXXXX", skey: "secret-key", host: "api-1234.duosecurity.com" }
        })
      }))

    it.effect("context.multifactor without a usable provider still requires MFA (any); \"none\" too", () =>
      Effect.gen(function*() {
        for (
          const asked of [{ allowRememberBrowser: true }, { provider: undefined }, { provider: "none" }, true, "x"]
        ) {
          const decision = yield* decide(single("mfa", function(user, context, callback) {
            ;(context as { multifactor: unknown }).multifactor = asked
            callback(null, user, context)
          }))
          assert.deepStrictEqual(decision.mfa, {
            provider: "any",
            allowRememberBrowser: typeof asked === "object" && "allowRememberBrowser" in asked
          }, JSON.stringify(asked))
        }
      }))

    it.effect("context.multifactor null, false or unset: no MFA", () =>
      Effect.gen(function*() {
        for (const asked of [null, false, undefined]) {
          const decision = yield* decide(single("mfa", function(user, context, callback) {
            ;(context as { multifactor: unknown }).multifactor = asked
            callback(null, user, context)
          }))
          assert.isUndefined(decision.mfa)
        }
      }))

    it.effect("context.redirect without an http(s) url denies (generic) instead of skipping the detour", () =>
      Effect.gen(function*() {
        for (
          const redirect of [{ url: undefined }, { url: "" }, { url: "javascript:alert(1)" }, { url: 42 }, {}, "x"]
        ) {
          const error: unknown = yield* denial(single("redirect", function(user, context, callback) {
            ;(context as { redirect: unknown }).redirect = redirect
            callback(null, user, context)
          }))
          assert.instanceOf(error, LegacyRules.InvalidRedirect, JSON.stringify(redirect))
          assert.strictEqual((error as LegacyRules.InvalidRedirect).message, Denial.genericMessage)
        }
      }))

    it.effect("a redirect left in context on the pass after /continue is ignored, even without a url", () =>
      Effect.gen(function*() {
        const decision = yield* decide(single("redirect", function(user, context, callback) {
          ;(context as { redirect: unknown }).redirect = { url: undefined }
          callback(null, user, context)
        }, { resumed: true }))
        assert.isUndefined(decision.redirect)
      }))

    it.effect("context.redirect {url}: a redirect", () =>
      Effect.gen(function*() {
        const decision = yield* decide(single("redirect", function(user, context, callback) {
          context.redirect = { url: "https://consent.example/ask?x=1" }
          callback(null, user, context)
        }))
        assert.deepStrictEqual(view(decision), {
          ...nothing,
          redirect: { url: "https://consent.example/ask?x=1", query: {} }
        })
      }))

    it.effect("a redirecting pass records the redirect and its metadata writes only (tokens come on /continue)", () =>
      Effect.gen(function*() {
        const decision = yield* decide(LegacyRules.make([
          rule("redirect", ({ auth0 }) =>
            function(user, context, callback) {
              context.idToken["https://x.example/claim"] = 1
              context.accessToken.scope = ["openid", "extra"]
              context.multifactor = { provider: "any" }
              user.picture = "https://pics.example/new.png"
              context.redirect = { url: "https://consent.example/ask" }
              auth0.users.updateAppMetadata(user.user_id, { asked_at: 1 }).then(() => callback(null, user, context))
            })
        ]))
        assert.deepStrictEqual(view(decision), {
          ...nothing,
          appMetadata: { asked_at: 1 },
          redirect: { url: "https://consent.example/ask", query: {} }
        })
      }))

    it.effect("resumed: context.protocol is redirect-callback and context.redirect is ignored", () =>
      Effect.gen(function*() {
        let protocol: unknown
        const legacy = single("redirect", function(user, context, callback) {
          protocol = context.protocol
          if (context.protocol !== "redirect-callback") context.idToken["https://x.example/first"] = true
          context.redirect = { url: "https://consent.example/ask" }
          callback(null, user, context)
        }, { resumed: true })
        const decision = yield* decide(legacy)
        assert.strictEqual(protocol, "redirect-callback")
        assert.deepStrictEqual(view(decision), nothing)
      }))
  })

  describe("globals", () => {
    it.effect("configuration holds every secret by name, as plain strings, and is frozen", () =>
      Effect.gen(function*() {
        let seen: Readonly<Record<string, string>> | undefined
        const legacy = LegacyRules.make([
          rule("config", ({ configuration }) =>
            function(user, context, callback) {
              seen = configuration
              callback(null, user, context)
            })
        ])
        yield* decide(legacy, fullEvent(), { API_KEY: "k-123", SLACK_HOOK_URL: "https://hooks.example/1", X: "y" })
        assert.deepStrictEqual(seen, { API_KEY: "k-123", SLACK_HOOK_URL: "https://hooks.example/1", X: "y" })
        assert.isTrue(Object.isFrozen(seen))
        assert.isFalse(Reflect.set(seen!, "API_KEY", "changed"))
        assert.strictEqual(seen!["API_KEY"], "k-123")
        for (const value of Object.values(seen!)) assert.strictEqual(typeof value, "string")
      }))

    it.effect("global is shared across logins through the same LegacyRules", () =>
      Effect.gen(function*() {
        const legacy = LegacyRules.make([
          rule("counter", ({ global }) =>
            function(user, context, callback) {
              global["count"] = ((global["count"] as number | undefined) ?? 0) + 1
              context.idToken["https://x.example/count"] = global["count"]
              callback(null, user, context)
            })
        ])
        const first = yield* decide(legacy)
        const second = yield* decide(legacy)
        assert.strictEqual(first.idTokenClaims["https://x.example/count"], 1)
        assert.strictEqual(second.idTokenClaims["https://x.example/count"], 2)
      }))

    it.effect("global is shared between two LegacyRules built with the same options.global, not otherwise", () =>
      Effect.gen(function*() {
        const counter = rule("counter", ({ global }) =>
          function(user, context, callback) {
            global["count"] = ((global["count"] as number | undefined) ?? 0) + 1
            context.idToken["https://x.example/count"] = global["count"]
            callback(null, user, context)
          })
        const shared: Record<string, unknown> = {}
        const execute = LegacyRules.make([counter], { global: shared })
        const resume = LegacyRules.make([counter], { global: shared, resumed: true })
        assert.strictEqual((yield* decide(execute)).idTokenClaims["https://x.example/count"], 1)
        assert.strictEqual((yield* decide(resume)).idTokenClaims["https://x.example/count"], 2)
        assert.strictEqual(shared["count"], 2)
        const other = LegacyRules.make([counter])
        assert.strictEqual((yield* decide(other)).idTokenClaims["https://x.example/count"], 1)
      }))

    it.effect("require of a pinned version returns the module given under its bare name", () =>
      Effect.gen(function*() {
        const lodash = { name: "lodash stand-in" }
        const scoped = { name: "scoped stand-in" }
        const got: Array<unknown> = []
        const legacy = LegacyRules.make([
          rule("requires", ({ require }) =>
            function(user, context, callback) {
              got.push(require("lodash@4.17.21"), require("lodash"), require("@acme/tools@1.2.3"))
              callback(null, user, context)
            })
        ], { modules: { lodash, "@acme/tools": scoped } })
        yield* decide(legacy)
        assert.strictEqual(got.length, 3)
        assert.strictEqual(got[0], lodash)
        assert.strictEqual(got[1], lodash)
        assert.strictEqual(got[2], scoped)
      }))

    it.effect("require of a module not given: a generic denial; the log line names the module", () =>
      Effect.gen(function*() {
        const { lines } = yield* LogCapture.scoped()
        let after = false
        const legacy = LegacyRules.make([
          rule("requires", ({ require }) =>
            function(user, context, callback) {
              require("left-pad@1.3.0")
              after = true
              callback(null, user, context)
            })
        ], { modules: { lodash: {} } })
        const error = yield* denial(legacy)
        assert.instanceOf(error, LegacyRule.LegacyRuleDenied)
        assert.strictEqual(error.message, Denial.genericMessage)
        assert.strictEqual(error.rule, "requires")
        assert.deepStrictEqual(lines, [
          `rulefx legacy rule=requires: module "left-pad" was not bundled into this Action`
        ])
        assert.isFalse(after)
      }).pipe(Effect.scoped))

    it.effect("require does not find Object.prototype members", () =>
      Effect.gen(function*() {
        const error = yield* denial(LegacyRules.make([
          rule("requires", ({ require }) =>
            function(user, context, callback) {
              require("constructor")
              callback(null, user, context)
            })
        ]))
        assert.strictEqual(error.message, Denial.genericMessage)
      }))
  })

  describe("auth0.users metadata writes", () => {
    it.effect("updateAppMetadata: only changed keys are written; null deletes, also for later rules", () =>
      Effect.gen(function*() {
        let resolved = false
        let laterSees: unknown
        const legacy = LegacyRules.make([
          rule("write", ({ auth0 }) =>
            function(user, context, callback) {
              auth0.users.updateAppMetadata(user.user_id, {
                plan: "pro",
                nested: { a: 1 },
                sellerId: null,
                extra: { b: 2 }
              }).then(() => {
                resolved = true
                callback(null, user, context)
              }, callback)
            }),
          rule("read", () =>
            function(user, context, callback) {
              laterSees = structuredClone(user.app_metadata)
              callback(null, user, context)
            })
        ])
        const decision = yield* decide(legacy)
        assert.isTrue(resolved)
        assert.deepStrictEqual(view(decision), { ...nothing, appMetadata: { sellerId: null, extra: { b: 2 } } })
        assert.deepStrictEqual(laterSees, { plan: "pro", nested: { a: 1 }, extra: { b: 2 } })
      }))

    it.effect("an undefined value is left out, as JSON left it out under Rules: nothing written or deleted", () =>
      Effect.gen(function*() {
        let laterSees: unknown
        const legacy = LegacyRules.make([
          rule("write", ({ auth0 }) =>
            function(user, context, callback) {
              auth0.users.updateAppMetadata(user.user_id, { sellerId: undefined, added: undefined }).then(() =>
                callback(null, user, context)
              )
            }),
          rule("read", () =>
            function(user, context, callback) {
              laterSees = structuredClone(user.app_metadata)
              callback(null, user, context)
            })
        ])
        const decision = yield* decide(legacy)
        assert.deepStrictEqual(view(decision), nothing)
        assert.deepStrictEqual(laterSees, (fullEvent() as { user: { app_metadata: unknown } }).user.app_metadata)
      }))

    it.effect("writes made before a denial are committed with it (Rules wrote them at once)", () =>
      Effect.gen(function*() {
        const error = yield* denial(LegacyRules.make([
          rule("flag-signup", ({ auth0 }) =>
            function(user, context, callback) {
              user.app_metadata["is_signup"] = true
              auth0.users.updateAppMetadata(user.user_id, user.app_metadata).then(() => callback(null, user, context))
            }),
          rule("deny", () =>
            function(_user, _context, callback) {
              callback("Signup disabled")
            })
        ]))
        assert.strictEqual(error.message, "Signup disabled")
        assert.deepStrictEqual(Denial.committedOf(error), { appMetadata: { is_signup: true }, userMetadata: {} })
      }))

    it.effect("a denial with no writes before it commits nothing", () =>
      Effect.gen(function*() {
        const error = yield* denial(LegacyRules.make([
          rule("deny", () =>
            function(_user, _context, callback) {
              callback("no")
            })
        ]))
        assert.isUndefined(Denial.committedOf(error))
      }))

    it.effect("the usual pattern: mutate user.app_metadata, then pass it whole", () =>
      Effect.gen(function*() {
        const decision = yield* decide(single("write", function(user, context, callback) {
          user.app_metadata["plan"] = "enterprise"
          user.app_metadata["visits"] = 1
          callback(null, user, context)
        }))
        // Mutating user.app_metadata alone persists nothing.
        assert.deepStrictEqual(view(decision), nothing)
        const written = yield* decide(LegacyRules.make([
          rule("write", ({ auth0 }) =>
            function(user, context, callback) {
              user.app_metadata["plan"] = "enterprise"
              user.app_metadata["visits"] = 1
              auth0.users.updateAppMetadata(user.user_id, user.app_metadata).then(
                () => callback(null, user, context),
                callback
              )
            })
        ]))
        assert.deepStrictEqual(view(written), { ...nothing, appMetadata: { plan: "enterprise", visits: 1 } })
      }))

    it.effect("a key written twice keeps the last value, even when it is the original one", () =>
      Effect.gen(function*() {
        const decision = yield* decide(LegacyRules.make([
          rule("write", ({ auth0 }) =>
            async function(user) {
              await auth0.users.updateAppMetadata(user.user_id, { plan: "free" })
              await auth0.users.updateAppMetadata(user.user_id, { plan: "pro" })
            })
        ]))
        assert.deepStrictEqual(view(decision), { ...nothing, appMetadata: { plan: "pro" } })
      }))

    it.effect("the node-style callback variant is called with null, and the rule goes on", () =>
      Effect.gen(function*() {
        const errors: Array<unknown> = []
        const decision = yield* decide(LegacyRules.make([
          rule("write", ({ auth0 }) =>
            function(user, context, callback) {
              auth0.users.updateAppMetadata(user.user_id, { plan: "free" }, function(error) {
                errors.push(error)
                callback(error, user, context)
              })
            })
        ]))
        assert.deepStrictEqual(errors, [null])
        assert.deepStrictEqual(view(decision), { ...nothing, appMetadata: { plan: "free" } })
      }))

    it.effect("updating another user denies the rule even when it ignores the rejection; nothing is written", () =>
      Effect.gen(function*() {
        const error = yield* denial(LegacyRules.make([
          rule("write", ({ auth0 }) =>
            function(user, context, callback) {
              auth0.users.updateAppMetadata("auth0|someone-else", { plan: "free" }).then(
                () => callback(new Error("should have rejected")),
                () => callback(null, user, context)
              )
            })
        ]))
        assert.instanceOf(error, LegacyRule.LegacyRuleDenied)
        assert.strictEqual(error.rule, "write")
        assert.include(error.message, "only the user logging in")
        assert.isUndefined(Denial.committedOf(error))
      }))

    it.live("fire and forget for another user: denied, and no unhandled rejection", () =>
      Effect.gen(function*() {
        const unhandled: Array<unknown> = []
        const onUnhandled = (reason: unknown) => {
          unhandled.push(reason)
        }
        const error = yield* Effect.acquireUseRelease(
          Effect.sync(() => process.on("unhandledRejection", onUnhandled)),
          () =>
            Effect.gen(function*() {
              const error = yield* denial(LegacyRules.make([
                rule("write", ({ auth0 }) =>
                  function(user, context, callback) {
                    auth0.users.updateAppMetadata("auth0|someone-else", { plan: "free" })
                    setTimeout(() => callback(null, user, context), 5)
                  })
              ]))
              yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 20)))
              return error
            }),
          () => Effect.sync(() => process.off("unhandledRejection", onUnhandled))
        )
        assert.include(error.message, "only the user logging in")
        assert.deepStrictEqual(unhandled.map(String), [])
      }))

    it.live("a node-style callback that throws denies this login instead of crashing the Action", () =>
      Effect.gen(function*() {
        const error = yield* denial(LegacyRules.make([
          rule("write", ({ auth0 }) =>
            function(user, _context, _callback) {
              auth0.users.updateAppMetadata(user.user_id, { tier: "gold" }, function() {
                throw new SyntaxError("Unexpected token u in JSON at position 0")
              })
            })
        ]))
        assert.instanceOf(error, LegacyRule.LegacyRuleDenied)
        assert.strictEqual(error.message, "Unexpected token u in JSON at position 0")
        // The write itself had been made: it is committed with the denial, as under Rules.
        assert.deepStrictEqual(Denial.committedOf(error), { appMetadata: { tier: "gold" }, userMetadata: {} })
      }))

    it.effect.each([["a string", "x"], ["an array", [1]], ["null", null], ["a number", 3]] as const)(
      "metadata that is not an object (%s) denies the rule",
      ([, bad]) =>
        Effect.gen(function*() {
          const error = yield* denial(LegacyRules.make([
            rule("write", ({ auth0 }) =>
              function(user, context, callback) {
                auth0.users.updateAppMetadata(user.user_id, bad).then(
                  () => callback(new Error("should have rejected")),
                  () => callback(null, user, context)
                )
              })
          ]))
          assert.strictEqual(error.message, "auth0.users: app_metadata must be an object")
        })
    )

    it.effect("updateUserMetadata: only changed keys written, null deletes, later rules see it", () =>
      Effect.gen(function*() {
        let laterSees: unknown
        const decision = yield* decide(LegacyRules.make([
          rule("write", ({ auth0 }) =>
            function(user, context, callback) {
              auth0.users.updateUserMetadata(user.user_id, {
                theme: "light",
                languages: ["en", "fr"],
                nickname: null
              }).then(() => callback(null, user, context), callback)
            }),
          rule("delete", ({ auth0 }) =>
            function(user, context, callback) {
              auth0.users.updateUserMetadata(user.user_id, { languages: null }, function(error) {
                laterSees = structuredClone(user.user_metadata)
                callback(error, user, context)
              })
            })
        ]))
        assert.deepStrictEqual(view(decision), { ...nothing, userMetadata: { theme: "light", languages: null } })
        assert.deepStrictEqual(laterSees, { theme: "light" })
      }))

    it.effect("updateUserMetadata for another user rejects", () =>
      Effect.gen(function*() {
        const error = yield* denial(LegacyRules.make([
          rule("write", ({ auth0 }) =>
            function(user, context, callback) {
              auth0.users.updateUserMetadata("auth0|someone-else", { theme: "light" }).then(
                () => callback(null, user, context),
                callback
              )
            })
        ]))
        assert.include(error.message, "only the user logging in")
      }))
  })

  describe("State", () => {
    it.effect("typed rules reading legacy.State see the final user, context and writes", () =>
      Effect.gen(function*() {
        const legacy = LegacyRules.make([
          rule("one", ({ auth0 }) =>
            function(user, context, callback) {
              user["seller"] = "seller-1"
              context.idToken["https://x.example/a"] = 1
              auth0.users.updateAppMetadata(user.user_id, { plan: "free" }).then(
                () => callback(null, user, context),
                callback
              )
            }),
          rule("two", () =>
            function(user, context, callback) {
              callback(null, { ...user, replaced: true }, { ...context, replacedContext: true })
            })
        ])
        const pipeline = Pipeline.make({
          facts: [legacy.State],
          rules: [
            legacy.rule,
            Rule.make(
              "typed",
              Effect.gen(function*() {
                const state = yield* legacy.State
                yield* Decision.setAccessTokenClaim("https://x.example/typed", {
                  seller: state.user["seller"],
                  replaced: state.user["replaced"],
                  replacedContext: state.context["replacedContext"],
                  idToken: state.context.idToken,
                  plan: state.user.app_metadata["plan"],
                  appMetadata: state.appMetadata,
                  requestedScopes: state.requestedScopes,
                  resumed: state.resumed
                })
              })
            )
          ]
        })
        const decision = yield* pipeline.run.pipe(Effect.provide(loginLayer()))
        assert.deepStrictEqual(view(decision), {
          ...nothing,
          idTokenClaims: { "https://x.example/a": 1 },
          accessTokenClaims: {
            "https://x.example/typed": {
              seller: "seller-1",
              replaced: true,
              replacedContext: true,
              idToken: { "https://x.example/a": 1 },
              plan: "free",
              appMetadata: { plan: "free" },
              requestedScopes: ["openid", "profile", "email", "read:orders"],
              resumed: false
            }
          },
          appMetadata: { plan: "free" }
        })
      }))
  })

  describe("isolation", () => {
    it.live("two overlapping logins through one LegacyRules never see each other's user, context or claims", () =>
      Effect.gen(function*() {
        const log: Array<string> = []
        const legacy = LegacyRules.make([
          rule("slow", ({ auth0 }) =>
            function(user, context, callback) {
              const id = user.user_id
              log.push(`${id}:start`)
              user["marker"] = id
              context.idToken["https://x.example/who"] = id
              context.accessToken["https://x.example/client"] = context.clientID
              setTimeout(() => {
                log.push(`${id}:end`)
                auth0.users.updateAppMetadata(id, { last: id }).then(() => callback(null, user, context), callback)
              }, id === "auth0|a" ? 40 : 5)
            }),
          rule("check", () =>
            function(user, context, callback) {
              setTimeout(() => {
                context.idToken["https://x.example/seen"] = [user["marker"], user.app_metadata["last"], user.user_id]
                callback(null, user, context)
              }, 1)
            })
        ])
        const [a, b] = yield* Effect.all([
          decide(legacy, eventFor("auth0|a", "cli_a")),
          decide(legacy, eventFor("auth0|b", "cli_b"))
        ], { concurrency: "unbounded" })
        // They did overlap: b started and ended while a was waiting.
        assert.deepStrictEqual(log, ["auth0|a:start", "auth0|b:start", "auth0|b:end", "auth0|a:end"])
        assert.deepStrictEqual(view(a), {
          ...nothing,
          idTokenClaims: {
            "https://x.example/who": "auth0|a",
            "https://x.example/seen": ["auth0|a", "auth0|a", "auth0|a"]
          },
          accessTokenClaims: { "https://x.example/client": "cli_a" },
          appMetadata: { last: "auth0|a" }
        })
        assert.deepStrictEqual(view(b), {
          ...nothing,
          idTokenClaims: {
            "https://x.example/who": "auth0|b",
            "https://x.example/seen": ["auth0|b", "auth0|b", "auth0|b"]
          },
          accessTokenClaims: { "https://x.example/client": "cli_b" },
          appMetadata: { last: "auth0|b" }
        })
      }))
  })

  describe("moduleName", () => {
    it.each([
      ["lodash@4.17.21", "lodash"],
      ["@scope/pkg@1.2.3", "@scope/pkg"],
      ["ipaddr.js@1.9.1", "ipaddr.js"],
      ["lodash", "lodash"],
      ["@scope/pkg", "@scope/pkg"],
      ["auth0@2.x", "auth0"],
      ["lodash@4.17.21/fp", "lodash/fp"],
      ["@scope/pkg@1.0.0/sub/path", "@scope/pkg/sub/path"],
      ["lodash/fp", "lodash/fp"],
      ["node:crypto", "node:crypto"]
    ])("%s -> %s", (specifier, name) => {
      assert.strictEqual(LegacyRules.moduleName(specifier), name)
    })
  })
  describe("run-time guards (what the analysis cannot see through an alias)", () => {
    it.effect("a setting the rule names but the Action lacks: denied before the rule runs (generic)", () =>
      Effect.gen(function*() {
        let ran = false
        const legacy = withOptions("needs", function(user, context, callback) {
          ran = true
          callback(null, user, context)
        }, { settings: ["API_KEY"] })
        const error = yield* denial(legacy)
        assert.instanceOf(error, Denial.MissingSecret)
        assert.strictEqual(error.message, Denial.genericMessage)
        assert.isFalse(ran)
        const decision = yield* decide(legacy, fullEvent(), { API_KEY: "k-123456" })
        assert.isTrue(ran)
        assert.deepStrictEqual(view(decision), nothing)
      }))

    it.effect("context.primaryUser set through an alias: denied unless accepted, and then ignored", () =>
      Effect.gen(function*() {
        const error = yield* denial(withOptions("link", setsPrimaryUserThroughAlias, {}))
        assert.instanceOf(error, LegacyRule.LegacyRuleDenied)
        assert.strictEqual(error.message, Denial.genericMessage)
        const decision = yield* decide(
          withOptions("link", setsPrimaryUserThroughAlias, { accepted: ["context.primaryUser"] })
        )
        assert.deepStrictEqual(view(decision), nothing)
      }))

    it.effect("context.samlConfiguration changed where Actions has no setter (wctx): denied unless accepted", () =>
      Effect.gen(function*() {
        assert.strictEqual(
          (yield* denial(withOptions("saml", changesSamlConfiguration, {}))).message,
          Denial.genericMessage
        )
        yield* decide(withOptions("saml", changesSamlConfiguration, { accepted: ["context.samlConfiguration"] }))
      }))

    it.effect("reading context.connectionOptions through an alias: denied unless accepted, then {}", () =>
      Effect.gen(function*() {
        let seen: unknown
        const fn: LegacyRule.RuleFunction = function(user, context, callback) {
          const { connectionOptions } = context
          seen = connectionOptions
          callback(null, user, context)
        }
        const error = yield* denial(withOptions("aliases", fn, {}))
        assert.strictEqual(error.message, Denial.genericMessage)
        assert.isUndefined(seen)
        yield* decide(withOptions("aliases", fn, { accepted: ["context.connectionOptions"] }))
        assert.deepStrictEqual(seen, {})
      }))

    it.effect("auth0.domain, auth0.baseUrl, auth0.accessToken: denied unless accepted, then undefined", () =>
      Effect.gen(function*() {
        for (const key of ["domain", "baseUrl", "accessToken"] as const) {
          let seen: unknown = "unread"
          const legacy = (accepted: ReadonlyArray<string>) =>
            LegacyRules.make([
              LegacyRule.make("mgmt", ({ auth0 }) =>
                function(user, context, callback) {
                  seen = (auth0 as unknown as Record<string, unknown>)[key]
                  callback(null, user, context)
                }, { timeout: "1 second", accepted })
            ])
          assert.strictEqual((yield* denial(legacy([]))).message, Denial.genericMessage)
          assert.strictEqual(seen, "unread")
          yield* decide(legacy([`auth0.${key}`]))
          assert.isUndefined(seen)
        }
      }))
  })

  describe("secrets never reach the user or the log", () => {
    it.effect("a secret in a denial reason or a console line is replaced by its name", () =>
      Effect.gen(function*() {
        const { lines } = yield* LogCapture.scoped()
        const legacy = LegacyRules.make([
          rule("leaks", ({ configuration, console }) =>
            function(_user, _context, callback) {
              console.log("calling", `https://api.example/check?key=${configuration["API_KEY"]}`)
              callback(
                new Error(`Invalid URI "undefined/check?api_key=${encodeURIComponent(configuration["API_KEY"]!)}"`)
              )
            })
        ])
        const error = yield* denial(legacy, fullEvent(), { API_KEY: "sk_live/SUPER secret" })
        assert.strictEqual(error.message, `Invalid URI "undefined/check?api_key=[secret API_KEY]"`)
        assert.deepStrictEqual(lines, [
          "rulefx legacy rule=leaks: calling https://api.example/check?key=[secret API_KEY]"
        ])
      }).pipe(Effect.scoped))
  })

  describe("the request shim in a legacy rule", () => {
    it("offers the variant LegacyRules asks for under callbackErrorsKey", () => {
      assert.strictEqual(
        typeof (Request.request as unknown as Record<string, unknown>)[LegacyRules.callbackErrorsKey],
        "function"
      )
    })

    it.live("a request callback that throws denies this login instead of crashing the Action", () =>
      Effect.gen(function*() {
        const legacy = LegacyRules.make([
          rule("calls", ({ require }) =>
            function(_user, _context, _callback) {
              const request = require("request@2.88.0") as Request.Request
              request("not a url", function() {
                throw new TypeError("Cannot read properties of undefined (reading 'id')")
              })
            })
        ], { modules: { request: Request.request } })
        const error = yield* denial(legacy)
        assert.instanceOf(error, LegacyRule.LegacyRuleDenied)
        assert.strictEqual(error.message, "Cannot read properties of undefined (reading 'id')")
      }))
  })
  describe("after review: guards follow the rule whose code runs", () => {
    it.effect("primaryUser accepted and set by one rule: the plain rules after it are not refused", () =>
      Effect.gen(function*() {
        const decision = yield* decide(LegacyRules.make([
          guarded("link", () =>
            function(user, context, callback) {
              context.primaryUser = "auth0|primary"
              callback(null, user, context)
            }, { accepted: ["context.primaryUser"] }),
          guarded("plain", () =>
            function(user, context, callback) {
              callback(null, user, context)
            })
        ]))
        assert.deepStrictEqual(view(decision), nothing)
      }))

    it.effect("a rule that calls back with a context lacking samlConfiguration changes nothing: not refused", () =>
      Effect.gen(function*() {
        yield* decide(LegacyRules.make([
          guarded("rebuild", () =>
            function(user, context, callback) {
              const { samlConfiguration: _saml, ...rest } = context
              callback(null, user, rest)
            })
        ]))
      }))

    it.effect("an async rule without a callback that sets primaryUser through an alias is refused", () =>
      Effect.gen(function*() {
        const error = yield* denial(LegacyRules.make([
          guarded("async-link", () =>
            (async (_user: unknown, context: { primaryUser?: string }) => {
              const ctx = context
              ctx.primaryUser = "auth0|other"
            }) as unknown as LegacyRule.RuleFunction)
        ]))
        assert.instanceOf(error, LegacyRule.LegacyRuleDenied)
        assert.strictEqual(error.message, Denial.genericMessage)
        assert.strictEqual(
          (error as LegacyRule.LegacyRuleDenied).detail,
          "context.primaryUser has no Actions equivalent and was not accepted for this rule"
        )
      }))

    it.live("a late read by an accepting rule while a non-accepting one runs: judged by the rule that reads", () =>
      Effect.gen(function*() {
        let seen: unknown = "unread"
        const decision = yield* decide(LegacyRules.make([
          guarded("reads-late", () =>
            function(user, context, callback) {
              setTimeout(() => {
                seen = context.connectionOptions
              }, 10)
              callback(null, user, context)
            }, { accepted: ["context.connectionOptions"] }),
          guarded("slow", () =>
            function(user, context, callback) {
              setTimeout(() => callback(null, user, context), 40)
            })
        ]))
        assert.deepStrictEqual(view(decision), nothing)
        assert.deepStrictEqual(seen, {})
      }))

    it.effect("a context replaced wholesale (a deep copy) keeps its guards for the rules after", () =>
      Effect.gen(function*() {
        const error = yield* denial(LegacyRules.make([
          guarded("copies", () =>
            function(user, context, callback) {
              callback(null, JSON.parse(JSON.stringify(user)), JSON.parse(JSON.stringify(context)))
            }),
          guarded("reads", () =>
            function(user, context, callback) {
              if (context.sso.with_auth0 || user["permissions"] !== undefined) return callback(null, user, context)
              callback(null, user, context)
            })
        ]))
        assert.strictEqual(error.message, Denial.genericMessage)
        assert.strictEqual((error as LegacyRule.LegacyRuleDenied).rule, "reads")
      }))

    it.effect("sso.with_auth0, sso.with_dbconn and user.permissions are refused unless accepted", () =>
      Effect.gen(function*() {
        for (
          const [construct, read] of [
            ["context.sso.with_auth0", (_u: unknown, c: { sso: Record<string, unknown> }) => c.sso["with_auth0"]],
            ["context.sso.with_dbconn", (_u: unknown, c: { sso: Record<string, unknown> }) => c.sso["with_dbconn"]],
            ["user.permissions", (u: Record<string, unknown>) => u["permissions"]]
          ] as const
        ) {
          const legacy = (accepted: ReadonlyArray<string>) =>
            LegacyRules.make([
              guarded("reads", () =>
                function(user, context, callback) {
                  ;(read as (u: unknown, c: unknown) => unknown)(user, context)
                  callback(null, user, context)
                }, { accepted })
            ])
          const error = yield* denial(legacy([]))
          assert.strictEqual(
            (error as LegacyRule.LegacyRuleDenied).detail,
            `${construct} has no Actions equivalent and was not accepted for this rule`
          )
          yield* decide(legacy([construct]))
        }
      }))
  })

  describe("after review: shim callbacks and the request module shared through global", () => {
    it.live("a cached request used by overlapping logins: the throwing callback denies its own login only", () =>
      Effect.gen(function*() {
        const legacy = LegacyRules.make([
          rule("calls", ({ global, require }) =>
            function(user, context, callback) {
              const request = (global["request"] ??= require("request")) as Request.Request
              setTimeout(() => {
                request("not a url", function() {
                  if (user.user_id === "auth0|throws") throw new Error(`boom for ${user.user_id}`)
                  callback(null, user, context)
                })
              }, user.user_id === "auth0|throws" ? 5 : 30)
            })
        ], { modules: { request: Request.request } })
        const [ok, thrown] = yield* Effect.all([
          runLegacy(legacy, eventFor("auth0|fine", "cli_SPA123")),
          runLegacy(legacy, eventFor("auth0|throws", "cli_SPA123"))
        ], { concurrency: "unbounded" })
        assert.isTrue(Exit.isSuccess(ok))
        const error = Exit.findErrorOption(thrown)
        assert.isTrue(Option.isSome(error))
        assert.strictEqual(Option.getOrThrow(error).message, "boom for auth0|throws")
      }))

    // The last check looks a turn after the last rule called back: a fault raised in that turn (the shim calls the
    // metadata callback in a microtask) still finds the login in flight.
    it.live("a shim callback that throws in the turn its rule called back denies the login, and is logged", () =>
      Effect.gen(function*() {
        const { lines } = yield* LogCapture.scoped()
        const denied = yield* denial(LegacyRules.make([
          rule("late", ({ auth0 }) =>
            function(user, context, callback) {
              callback(null, user, context)
              auth0.users.updateAppMetadata(user.user_id, { late: true }, function() {
                throw new Error("thrown late")
              })
            })
        ]))
        assert.strictEqual(denied.message, Denial.genericMessage)
        assert.include(lines, "rulefx legacy rule=late: its code raised after the rule ended: thrown late")
      }).pipe(Effect.scoped))

    it.live("a shim callback that throws once the login is decided is logged, and the login goes on", () =>
      Effect.gen(function*() {
        const { lines } = yield* LogCapture.scoped()
        yield* decide(LegacyRules.make([
          rule("late", ({ auth0 }) =>
            function(user, context, callback) {
              callback(null, user, context)
              setTimeout(() =>
                auth0.users.updateAppMetadata(user.user_id, { late: true }, function() {
                  throw new Error("thrown late")
                }), 5)
            })
        ]))
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 20)))
        assert.deepStrictEqual(lines, ["rulefx legacy rule=late: its code raised after the rule ended: thrown late"])
      }).pipe(Effect.scoped))

    it.effect("console.log of a value JSON cannot hold (a cycle, a BigInt) logs a placeholder, never throws", () =>
      Effect.gen(function*() {
        const { lines } = yield* LogCapture.scoped()
        yield* decide(LegacyRules.make([
          rule("logs", ({ console }) =>
            function(user, context, callback) {
              const cycle: Record<string, unknown> = {}
              cycle["self"] = cycle
              console.log("values", cycle, BigInt(1))
              callback(null, user, context)
            })
        ]))
        assert.deepStrictEqual(lines, ["rulefx legacy rule=logs: values [unserialisable] [unserialisable]"])
      }).pipe(Effect.scoped))
  })

  describe("after review: secrets in other forms", () => {
    const pem = "-----BEGIN KEY-----\nMIIBsecretLINE1\nMIIBsecretLINE2\n-----END KEY-----"
    const quoted = "pa\"ss\\word123"
    const basic = "user:hunter2-basic"

    it.effect("multi-line, JSON-escaped and base64 forms are replaced in console lines", () =>
      Effect.gen(function*() {
        const { lines } = yield* LogCapture.scoped()
        yield* decide(
          LegacyRules.make([
            rule("logs", ({ configuration, console }) =>
              function(user, context, callback) {
                console.log("pem", configuration["PEM"])
                console.log("object", { k: configuration["QUOTED"] })
                console.log("header", `Basic ${Buffer.from(configuration["BASIC"]!).toString("base64")}`)
                callback(null, user, context)
              })
          ]),
          fullEvent(),
          { PEM: pem, QUOTED: quoted, BASIC: basic }
        )
        assert.deepStrictEqual(lines, [
          "rulefx legacy rule=logs: pem [secret PEM]",
          "rulefx legacy rule=logs: object {\"k\":\"[secret QUOTED]\"}",
          "rulefx legacy rule=logs: header Basic [secret BASIC]"
        ])
      }).pipe(Effect.scoped))

    // Found by the second review of issue 11: the secret after `id:` starts 0, 1 or 2 bytes into a base64 group,
    // depending on the id's length; only the first was scrubbed.
    it.effect("a secret after an id of any length in a Basic auth header is replaced in console lines", () =>
      Effect.gen(function*() {
        const { lines } = yield* LogCapture.scoped()
        const secret = "hunter2-basic-4f9a"
        const ids = ["a", "ab", "abc", "abcd", "client-0042", "client-00421"]
        yield* decide(
          LegacyRules.make([
            rule("logs", ({ configuration, console }) =>
              function(user, context, callback) {
                for (const id of ids) {
                  console.log("header", `Basic ${Buffer.from(`${id}:${configuration["SECRET"]}`).toString("base64")}`)
                }
                callback(null, user, context)
              })
          ]),
          fullEvent(),
          { SECRET: secret }
        )
        assert.strictEqual(lines.length, ids.length)
        lines.forEach((line, i) => {
          const basic = Buffer.from(`${ids[i]}:${secret}`).toString("base64")
          // What is left of the header: at most the groups that hold the id, the colon and the secret's edges.
          const left = line.slice(line.indexOf("Basic ") + 6).split("[secret SECRET]")
          assert.strictEqual(left.length, 2, line)
          assert.isAtMost(left.join("").length, basic.length - secret.length, line)
          assert.isTrue(basic.startsWith(left[0]!) && basic.endsWith(left[1]!), line)
        })
      }).pipe(Effect.scoped))

    it.effect("a secret across the 500-character cut of a reason leaves nothing of itself", () =>
      Effect.gen(function*() {
        const secret = "SUPERSECRETVALUE-0123456789"
        const error = yield* denial(
          LegacyRules.make([
            rule("long", ({ configuration }) =>
              function(_user, _context, callback) {
                callback(new Error(`${"x".repeat(490)}${configuration["KEY"]}`))
              })
          ]),
          fullEvent(),
          { KEY: secret }
        )
        assert.notInclude(error.message, "SUPER")
        // Scrubbed first, then cut to 500 characters: what is cut is the placeholder.
        assert.strictEqual(error.message, `${"x".repeat(490)}[secret K…`)
      }))

    it.effect("a missing setting logs its name", () =>
      Effect.gen(function*() {
        const logs: Array<string> = []
        const error = yield* denial(LegacyRules.make([
          LegacyRule.make("needs", () =>
            function(user, context, callback) {
              callback(null, user, context)
            }, { settings: ["API_KEY"] })
        ])).pipe(
          Effect.provideService(References.CurrentLoggers, new Set([Logger.make((o) => logs.push(String(o.message)))]))
        )
        assert.instanceOf(error, Denial.MissingSecret)
        assert.isTrue(logs.some((line) => line.includes("missing secret API_KEY")), JSON.stringify(logs))
      }))
  })

  describe("the barrier: rules from source, each in a realm of its own", () => {
    it.effect("a typed rule reading what a patching rule left: rulefx's arrays, not the rule's patched ones", () =>
      Effect.gen(function*() {
        const legacy = LegacyRules.make([
          source(
            "setRoles",
            `function (user, context, callback) {
              Array.prototype.some = function () { return true };
              Array.prototype.includes = function () { return true };
              user.effective_roles = ["GUEST"];
              callback(null, user, context);
            }`
          )
        ])
        const pipeline = Pipeline.make({
          facts: [legacy.State],
          rules: [
            legacy.rule,
            Rule.make(
              "denyRoles",
              Effect.gen(function*() {
                const { user } = yield* legacy.State
                const roles = user["effective_roles"] as Array<string>
                yield* Decision.setAccessTokenClaim(
                  "https://x.example/allowed",
                  roles.some((r) => ["ADMIN"].includes(r))
                )
              })
            )
          ]
        })
        const decision = yield* pipeline.run.pipe(Effect.provide(loginLayer()))
        assert.strictEqual(decision.accessTokenClaims["https://x.example/allowed"], false)
      }))

    it.effect("rules get the data realm's objects, whatever merges into them; typed rules and claims get rulefx's", () =>
      Effect.gen(function*() {
        const seen: Array<unknown> = []
        const legacy = LegacyRules.make([
          source(
            "merge",
            `function (user, context, callback) {
              function merge(t, s) { for (var k in s) { if (s[k] && typeof s[k] === "object") { if (!t[k]) t[k] = {}; merge(t[k], s[k]) } else t[k] = s[k] } }
              merge(user.app_metadata, JSON.parse('{"__proto__": {"isAdmin": true}, "roles": {"__proto__": {"0": "admin"}}}'));
              auth0.users.updateUserMetadata(user.user_id, { prefs: {} }).then(function () {
                merge(user.user_metadata.prefs, JSON.parse('{"__proto__": {"beta": true}}'));
                context.idToken["https://x.example/tags"] = ["a"];
                callback(null, user, context);
              });
            }`
          ),
          // Not compiled from source: runs in rulefx's realm, and sees what the rules see.
          rule("look", () => (user, context, callback) => {
            seen.push(Object.getPrototypeOf(user) === Object.prototype, user.app_metadata["isAdmin"])
            callback(null, user, context)
          })
        ])
        const pipeline = Pipeline.make({
          facts: [legacy.State],
          rules: [
            legacy.rule,
            Rule.make(
              "typed",
              Effect.gen(function*() {
                const { user, context } = yield* legacy.State
                seen.push(
                  Object.getPrototypeOf(user) === Object.prototype,
                  Object.getPrototypeOf(context.idToken["https://x.example/tags"]) === Array.prototype
                )
              })
            )
          ]
        })
        const decision = yield* pipeline.run.pipe(Effect.provide(loginLayer()))
        assert.deepStrictEqual(seen, [false, undefined, true, true])
        assert.strictEqual(Object.getPrototypeOf(decision.idTokenClaims["https://x.example/tags"]), Array.prototype)
        const probe: Record<string, unknown> = {}
        assert.deepStrictEqual([probe["isAdmin"], probe["beta"], ([] as Array<string>)[0]], [
          undefined,
          undefined,
          undefined
        ])
      }))

    it.effect("the next rule gets rulefx's copy of what a patching rule created, not the rule's realm", () =>
      Effect.gen(function*() {
        const decision = yield* decide(LegacyRules.make([
          source(
            "patcher",
            `function (user, context, callback) {
              Array.prototype.includes = function () { return true };
              user.roles = ["guest"];
              callback(null, user, context);
            }`
          ),
          source(
            "gate",
            `function (user, context, callback) {
              context.idToken["https://x.example/admin"] = user.roles.includes("admin");
              callback(null, user, context);
            }`
          )
        ]))
        assert.deepStrictEqual(view(decision).idTokenClaims, { "https://x.example/admin": false })
      }))

    it.effect.each(["constructor", "prototype", "__proto__"])(
      "a metadata write with a %s key is refused: denied generically, nothing written",
      (key) =>
        Effect.gen(function*() {
          const error = yield* denial(LegacyRules.make([
            source(
              "merge",
              `function (user, context, callback) {
                auth0.users.updateAppMetadata(user.user_id, JSON.parse('{"${key}": {"roles": ["admin"]}, "plan": "x"}'))
                  .then(function () { callback(null, user, context); });
              }`
            )
          ]))
          assert.strictEqual(error.message, Denial.genericMessage)
          assert.deepStrictEqual(Denial.committedOf(error)?.appMetadata ?? {}, {})
        })
    )

    it.effect("without node:vm's contexts a rule from source fails its login closed, and keeps failing", () =>
      Effect.gen(function*() {
        const spy = vi.spyOn(process, "getBuiltinModule").mockReturnValue(undefined)
        yield* Effect.addFinalizer(() => Effect.sync(() => spy.mockRestore()))
        const legacy = LegacyRules.make([
          source("any", `function (user, context, callback) { callback(null, user, context) }`)
        ])
        const first = yield* runLegacy(legacy)
        const second = yield* runLegacy(legacy)
        assert.isTrue(Exit.isFailure(first) && Exit.isFailure(second))
        assert.include(String(first), "node:vm contexts (Node 22.8+) are unavailable")
      }).pipe(Effect.scoped))

    it.effect("an ordinary key named like an Object.prototype member is merged like any other", () =>
      Effect.gen(function*() {
        const decision = yield* decide(LegacyRules.make([
          source(
            "merge",
            `function (user, context, callback) {
              auth0.users.updateAppMetadata(user.user_id, { toString: "x", hasOwnProperty: 1 }).then(function () {
                context.idToken["https://x.example/own"] = user.app_metadata.hasOwnProperty === 1;
                callback(null, user, context);
              });
            }`
          )
        ]))
        assert.deepStrictEqual(view(decision).appMetadata, { toString: "x", hasOwnProperty: 1 })
      }))
  })
})
