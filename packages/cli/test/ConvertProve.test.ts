/**
 * `rulefx convert` calls a module converted only when its own differential test would pass: it runs the test's
 * comparison itself (the typed module bundled with esbuild, RuleDifferential.run on the test's logins). A rule that
 * declares a name the typed code uses (`Decision`, `undefined`) is a TODO, and a claim set on a pass both sides
 * redirect on is a difference (Auth0 is believed to keep it for the tokens issued after the continue pass; the legacy
 * rule's claims there are dropped), so such a rule is partial. The breaker's repros (ConvertBreak3, "converted, but
 * the typed rule decides otherwise on generated logins") are copied here.
 */
import { assert, describe, it } from "@effect/vitest"
import type * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Convert from "@rulefx/cli/Convert"
import * as RuleDifferential from "@rulefx/cli/RuleDifferential"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as Effect from "effect/Effect"
import { join } from "node:path"
import * as Proof from "../src/internal/convert/proof.ts"
import * as LegacyFolder from "./utils/LegacyFolder.ts"

const scratch = LegacyFolder.convertScratch(".tmp-convert-prove-")
const rulesFolder = scratch.rulesFolder

// Converts the last rule, type-checked and compared (convert's defaults), with `count` logins.
const convertLast = (
  folder: string,
  rules: ReadonlyArray<readonly [string, string]>,
  options: Partial<Convert.Options> = {}
) =>
  Convert.convert(rulesFolder(folder, rules), rules.at(-1)![0], {
    out: join(scratch.dir(), `${folder}-out`),
    count: 100,
    ...options
  })

const claimBeforeRedirect = `function (user, context, callback) {
  context.idToken["https://x/admin"] = true;
  if (user.app_metadata.pending === "yes") {
    context.redirect = { url: "https://example.com/consent" };
  }
  return callback(null, user, context);
}`

const claimOnly = `function (user, context, callback) {
  context.idToken["https://x/admin"] = true;
  return callback(null, user, context);
}`

const localUndefined = `function (user, context, callback) {
  var undefined = "Blocked";
  console.log("checking", undefined);
  if (!user.email_verified) return callback(undefined);
  return callback(null, user, context);
}`

const localDecision = `function (user, context, callback) {
  context.idToken["https://x/checked"] = true;
  if (!user.email_verified) {
    const Decision = { requireMfa: function (p, o) { return p === o ? [] : []; } };
    context.multifactor = { provider: "any", allowRememberBrowser: false };
  }
  return callback(null, user, context);
}`

// Translated without a TODO, and type-checks (`userEmail!.split`); Rules threw a TypeError on a login without an
// email (denied with its message) where the typed rule fails with a defect (the generic message): both stop the login.
const splitsEmail = `function (user, context, callback) {
  var domain = user.email.split("@")[1];
  context.idToken["https://x/domain"] = domain;
  return callback(null, user, context);
}`

describe("ConvertProve: convert runs its test's comparison before it says converted", () => {
  it.live(
    "a rule that throws where the typed rule denies is converted: the same outcome, the crashes listed as notes",
    () =>
      Effect.gen(function*() {
        const written = yield* convertLast("splits", [["splits", splitsEmail]])
        assert.deepStrictEqual(written.todos, [])
        assert.isTrue(written.typeCheck?.ok, written.typeCheck?.diagnostics)
        assert.strictEqual(written.status, "converted", Convert.render(written))
        assert.strictEqual(written.comparison?.events, 100)
        assert.strictEqual(Convert.differing(written), 0)
        assert.isAbove(written.comparison?.crashes?.length ?? 0, 0)
        const text = Convert.render(written)
        assert.include(text, "splits: converted (type-checked with ")
        assert.match(
          text,
          /\n {2}note {8}generated-\d+: the legacy rule crashed \("Cannot read properties of undefined \(reading 'split'\)"\) and the typed rule denies \("/
        )
      }),
    120_000
  )

  it.live(
    "a rule that agrees is converted, the comparison having run on the test's logins",
    () =>
      Effect.gen(function*() {
        const written = yield* convertLast("claim-only", [["claim-only", claimOnly]])
        assert.strictEqual(written.status, "converted", Convert.render(written))
        assert.deepStrictEqual(written.comparison, { events: 100, differences: [] })
      }),
    120_000
  )

  it.live(
    "a claim set before a redirect is partial: the typed rule sets it on the redirecting pass, the legacy one does not",
    () =>
      Effect.gen(function*() {
        const written = yield* convertLast("claim-redirect", [["claim-redirect", claimBeforeRedirect]])
        assert.strictEqual(written.status, "partial", Convert.render(written))
        assert.isAbove(Convert.differing(written), 0)
      }),
    120_000
  )

  it.live(
    "--after-legacy: the typed handler runs the earlier rules first, as its test builds it",
    () =>
      Effect.gen(function*() {
        const written = yield* convertLast("after", [
          [
            "set-tier",
            `function (user, context, callback) {\n  user.tier = user.app_metadata.plan === "gold" ? "gold" : "basic";\n  return callback(null, user, context);\n}`
          ],
          [
            "deny-basic",
            `function (user, context, callback) {\n  if (user.tier === "basic") return callback(new UnauthorizedError("Upgrade"));\n  return callback(null, user, context);\n}`
          ]
        ], { afterLegacy: true })
        assert.strictEqual(written.status, "converted", Convert.render(written))
        assert.deepStrictEqual(written.comparison, { events: 100, differences: [] })
      }),
    120_000
  )

  it.live(
    "a comparison that cannot bundle the typed handler is partial, with esbuild's message, not an error",
    () =>
      Effect.gen(function*() {
        const tests = LegacyFolder.unbundledTests(scratch.dir())
        const written = yield* convertLast("unbundled", [
          [
            "set-tier",
            `function (user, context, callback) {\n  user.tier = "gold";\n  return callback(null, user, context);\n}`
          ],
          ["unbundled", claimOnly]
        ], { afterLegacy: true, tests })
        const text = Convert.render(written)
        assert.isTrue(written.typeCheck?.ok, written.typeCheck?.diagnostics)
        assert.strictEqual(written.status, "partial", text)
        assert.include(written.comparison?.failure, "LegacyRule.js")
        assert.include(text, "unbundled: translated, but its test's comparison could not run, so nothing was compared")
        assert.match(text, /\n {2}compare {5}.*LegacyRule\.js/)
        assert.notInclude(text, "unbundled: converted")
      }),
    120_000
  )

  it.live("check off skips the comparison", () =>
    Effect.gen(function*() {
      const written = yield* convertLast("unchecked", [["unchecked", splitsEmail]], { check: false })
      assert.strictEqual(written.status, "converted")
      assert.isUndefined(written.comparison)
    }), 60_000)

  it("a differing login is described by its fields, its secrets never shown", () => {
    // An empty summary, as a fresh recording api gives it.
    const summary = RecordingApi.make().summary()
    const line = Proof.describe({
      event: "generated-7",
      login: { secrets: { KEY: "differential-KEY" } },
      typed: { ...summary, redirect: "https://example.com/cb?k=differential-KEY" },
      legacy: { ...summary, denied: "Blocked" },
      logs: { typed: [], legacy: [] }
    })
    assert.strictEqual(
      line,
      `generated-7: denied typed (none), legacy "Blocked"; redirect typed "https://example.com/cb?k=[secret KEY]", legacy (none)`
    )
  })
})

describe("ConvertProve: names the typed rule's code uses, declared by the rule", () => {
  it.live("a local named `undefined` is a TODO (it changes what the rule means)", () =>
    Effect.gen(function*() {
      const written = yield* convertLast("local-undefined", [["local-undefined", localUndefined]], { check: false })
      assert.notStrictEqual(written.status, "converted")
      assert.include(written.todos[0]?.reason ?? "", "declares its own `undefined`, which changes what the name means")
    }), 60_000)

  it.live(
    "a block-local `Decision` is a TODO (the generated `yield* Decision.requireMfa` would call it)",
    () =>
      Effect.gen(function*() {
        const written = yield* convertLast("local-decision", [["local-decision", localDecision]], { check: false })
        assert.notStrictEqual(written.status, "converted")
        assert.include(written.todos[0]?.reason ?? "", "declares its own `Decision`, a name the typed rule's code uses")
      }),
    60_000
  )

  it.live(
    "`Effect` as an inner function's parameter, `Array`, a class `Login`, `undefined` assigned: each a TODO",
    () =>
      Effect.gen(function*() {
        const rules = [
          [
            "param",
            "function (user, context, callback) {\n  [1].forEach(function (Effect) { console.log(Effect); });\n  return callback(null, user, context);\n}"
          ],
          [
            "array",
            "function (user, context, callback) {\n  var Array = [];\n  context.idToken[\"https://x/a\"] = Array.length;\n  return callback(null, user, context);\n}"
          ],
          [
            "klass",
            "function (user, context, callback) {\n  class Login {}\n  context.idToken[\"https://x/a\"] = user.email;\n  return callback(null, user, context);\n}"
          ],
          // Not declared, assigned: Rules (sloppy mode) ignored it and allowed; the module (strict) would throw.
          [
            "assigns",
            "function (user, context, callback) {\n  undefined = \"Blocked\";\n  if (!user.email_verified) return callback(undefined);\n  return callback(null, user, context);\n}"
          ]
        ] as const
        for (const [name, source] of rules) {
          // oxlint-disable-next-line no-await-in-loop -- one rule at a time
          const written = yield* convertLast(`hijack-${name}`, [[name, source]], { check: false })
          assert.notStrictEqual(written.status, "converted", name)
        }
      }),
    60_000
  )

  it.live("the repros, checked: not converted, or converted and agreeing", () =>
    Effect.gen(function*() {
      for (const [name, source] of [["undefined-checked", localUndefined], ["decision-checked", localDecision]]) {
        const written = yield* convertLast(name!, [[name!, source!]])
        assert.notStrictEqual(written.status, "converted", Convert.render(written))
      }
    }), 120_000)

  it.live("`legacy` is the rule's own name when it does not run after legacy rules", () =>
    Effect.gen(function*() {
      const written = yield* convertLast("own-legacy", [[
        "own-legacy",
        "function (user, context, callback) {\n  var legacy = \"x\";\n  context.idToken[\"https://x/a\"] = legacy;\n  return callback(null, user, context);\n}"
      ]], { check: false })
      assert.strictEqual(written.status, "converted", written.module)
    }), 60_000)
})

// Sets a claim on every login; redirects where the legacy rule does when `redirect`.
const typedWith = (redirect: boolean): PostLogin.Handler => (event, api) => {
  api.idToken.setCustomClaim("https://x/admin", true)
  const metadata = (event as { readonly user?: { readonly app_metadata?: Record<string, unknown> } }).user
    ?.app_metadata
  if (redirect && metadata?.["pending"] === "yes") api.redirect.sendUserTo("https://example.com/consent")
  return Promise.resolve()
}

describe("ConvertProve: RuleDifferential on a pass both sides redirect on", () => {
  const redirects = `function (user, context, callback) {
  if (user.app_metadata.pending === "yes") {
    context.redirect = { url: "https://example.com/consent" };
  }
  return callback(null, user, context);
}`
  it.live(
    "claims set on a pass both redirect on are compared, as on any other pass",
    () =>
      Effect.gen(function*() {
        const rules = rulesFolder("both-redirect", [["both-redirect", redirects]])
        const report = yield* RuleDifferential.run({ rules, rule: "both-redirect", typed: typedWith(true), count: 100 })
        // The claim differs on every login, those both redirect on too (Auth0 is believed to keep it for the tokens).
        assert.strictEqual(report.differences.length, 100)
        assert.isTrue(report.differences.some((d) => d.legacy.redirect !== undefined), "no redirected login differs")
        // A redirect only the legacy side makes is a difference, claims and all.
        const alone = yield* RuleDifferential.run({ rules, rule: "both-redirect", typed: typedWith(false), count: 100 })
        assert.strictEqual(alone.differences.length, 100)
      }),
    60_000
  )
})
