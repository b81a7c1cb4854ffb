/**
 * `rulefx convert` and the continue pass: Rules told a login resumed after a redirect by `context.protocol ===
 * "redirect-callback"`, a protocol Actions never sends (the continue pass is onContinuePostLogin). A read of
 * `context.protocol` in a rule that redirects, or that names "redirect-callback", is left as a TODO that says to split
 * the rule into its two passes; a plain protocol read still translates.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import type * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Convert from "@rulefx/cli/Convert"
import * as RuleDifferential from "@rulefx/cli/RuleDifferential"
import * as Effect from "effect/Effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as LegacyFolder from "./utils/LegacyFolder.ts"

let dir = ""

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "rulefx-convert-passes-"))
})

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

const rule = (body: string) => `/** A rule. */\nfunction (user, context, callback) {\n${body}\n}\n`

const convert = (body: string) => Convert.convertSource("a-rule", "rules/a-rule.js", rule(body))

const todoLines = (c: Convert.Conversion) => c.todos.map((t) => t.line)

// The module's code, without its comments and TODO calls (whose text names login.transaction.protocol).
const code = (c: Convert.Conversion) =>
  c.module.split("\n").filter((l) => !/^\s*(\/\/|\*|\/\*\*|RULEFX_TODO\()/.test(l)).join("\n")

const assertPassTodo = (c: Convert.Conversion, line: number) => {
  assert.notStrictEqual(c.status, "converted")
  assert.deepStrictEqual(todoLines(c), [line])
  const [todo] = c.todos
  assert.include(todo?.reason, "Actions never sends the protocol \"redirect-callback\"")
  assert.include(todo?.reason, "split the rule into its two passes")
  assert.include(todo?.reason, "Resumable.make's resume")
  assert.include(c.module, `RULEFX_TODO("line ${line}: `)
  assert.notInclude(code(c), "login.transaction.protocol")
}

describe("ConvertPasses: context.protocol in a rule with two passes", () => {
  it.effect("the terms-redirect idiom: the whole if is a TODO, never a test of login.transaction.protocol", () =>
    Effect.gen(function*() {
      const c = yield* convert(`  user.user_metadata = user.user_metadata || {};
  if (context.protocol === 'redirect-callback') {
    if (context.request.query.accepted === 'yes') {
      user.user_metadata.terms_accepted = true;
      return auth0.users.updateUserMetadata(user.user_id, user.user_metadata)
        .then(function () { callback(null, user, context); })
        .catch(function (err) { callback(err); });
    }
    return callback(new UnauthorizedError('You must accept the terms.'));
  }
  if (!user.user_metadata.terms_accepted && context.clientName === 'Customer App') {
    context.redirect = { url: 'https://terms.acme.com/accept' };
  }
  return callback(null, user, context);`)
      assertPassTodo(c, 4)
      // The first pass's redirect, outside the TODO, still translates.
      assert.include(c.module, "yield* Decision.redirect('https://terms.acme.com/accept')")
    }))

  it.effect("a rule that names \"redirect-callback\" without redirecting itself (another rule redirects)", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  var resumed = context.protocol === "redirect-callback";
  if (resumed) return callback(null, user, context);
  context.idToken["https://example.com/first"] = true;
  return callback(null, user, context);`)
      assertPassTodo(c, 4)
    }))

  it.effect("a switch on the protocol with a redirect-callback case", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  switch (context.protocol) {
    case \`redirect-callback\`:
      return callback(null, user, context);
    default:
      context.idToken["https://example.com/first"] = true;
  }
  return callback(null, user, context);`)
      assertPassTodo(c, 4)
    }))

  it.effect("a rule that redirects and reads the protocol for another value: a TODO too (it may be either pass)", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  if (context.protocol !== 'oauth2-refresh-token' && !user.app_metadata.consented) {
    context.redirect = { url: 'https://consent.example.com/' };
  }
  return callback(null, user, context);`)
      assertPassTodo(c, 4)
    }))

  it.effect("a write through context.redirect counts as redirecting", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  if (context.protocol === 'samlp') context.idToken["https://example.com/saml"] = true;
  context.redirect.url = 'https://consent.example.com/';
  return callback(null, user, context);`)
      assert.include(todoLines(c), 4)
      assert.notInclude(code(c), "login.transaction.protocol")
    }))

  it.effect("a plain protocol read in a rule that does not redirect still translates", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  if (context.protocol === 'oauth2-refresh-token') return callback(null, user, context);
  context.idToken["https://example.com/interactive"] = true;
  return callback(null, user, context);`)
      assert.strictEqual(c.status, "converted")
      assert.include(code(c), "const protocol = login.transaction.protocol")
    }))

  it.effect("an earlier rule that redirects leaves its protocol to later rules as no fact, but a TODO", () =>
    Effect.gen(function*() {
      const rules = LegacyFolder.rulesFolder(join(dir, "fact"), {
        "mark-entry": [
          `  context.entry = context.protocol;`,
          `  if (!user.app_metadata.consented) context.redirect = { url: "https://consent.example.com/" };`,
          `  callback(null, user, context);`
        ].join("\n"),
        "use-entry": [
          `  if (context.entry === "samlp") context.idToken["https://example.com/saml"] = true;`,
          `  callback(null, user, context);`
        ].join("\n")
      })
      const reader = yield* Convert.convert(rules, "use-entry", { out: join(dir, "fact", "out"), check: false })
      assert.deepStrictEqual(reader.facts, [])
      assert.deepStrictEqual(reader.todos.map((t) => t.line), [2])
    }))

  it.effect("a fact an earlier rule sets from the protocol, read by a rule that redirects: a TODO too", () =>
    Effect.gen(function*() {
      const rules = LegacyFolder.rulesFolder(join(dir, "read-fact"), {
        "mark-entry": [`  context.entry = context.protocol;`, `  callback(null, user, context);`].join("\n"),
        "terms": [
          `  if (context.entry === "redirect-callback") return callback(null, user, context);`,
          `  context.redirect = { url: "https://terms.example.com/" };`,
          `  callback(null, user, context);`
        ].join("\n")
      })
      const out = join(dir, "read-fact", "out")
      const reader = yield* Convert.convert(rules, "terms", { out, check: false })
      assert.deepStrictEqual(reader.facts, [])
      assert.deepStrictEqual(reader.todos.map((t) => t.line), [2])
      assert.include(reader.todos[0]?.reason, "reads context.entry (the earlier rule mark-entry sets it from")
      // A rule that does not redirect still reads the fact.
      const plain = LegacyFolder.rulesFolder(join(dir, "plain-fact"), {
        "mark-entry": [`  context.entry = context.protocol;`, `  callback(null, user, context);`].join("\n"),
        "saml-claim": [
          `  if (context.entry === "samlp") context.idToken["https://example.com/saml"] = true;`,
          `  callback(null, user, context);`
        ].join("\n")
      })
      const plainReader = yield* Convert.convert(plain, "saml-claim", {
        out: join(dir, "plain-fact", "out"),
        check: false
      })
      assert.deepStrictEqual(plainReader.facts, ["ContextEntry"])
    }))
})

const terms = [
  `  context.idToken["https://example.com/tier"] = "silver";`,
  `  context.redirect = { url: "https://terms.example.com/" };`,
  `  callback(null, user, context);`
].join("\n")
// What the converted rule does, in an Action: the claim it sets, and the redirect.
const typed = (url: string): PostLogin.Handler => async (_event, api) => {
  api.idToken.setCustomClaim("https://example.com/tier", "silver")
  api.redirect.sendUserTo(url)
}

describe("ConvertPasses: the differential test on a login the rule redirects", () => {
  it.effect("claims the typed rule sets where both redirect are a difference: Auth0 is believed to keep them", () =>
    Effect.gen(function*() {
      const rules = LegacyFolder.rulesFolder(join(dir, "differential"), { terms })
      const report = yield* RuleDifferential.run({
        rules,
        rule: "terms",
        typed: typed("https://terms.example.com/"),
        count: 20
      })
      // The legacy rule's claim is dropped on a pass that redirects; the typed one's is believed to survive.
      assert.strictEqual(report.differences.length, 20)
      assert.isTrue(report.differences.every((d) => d.typed.idTokenClaims["https://example.com/tier"] === "silver"))
      // The redirect counts too.
      const elsewhere = yield* RuleDifferential.run({
        rules,
        rule: "terms",
        typed: typed("https://other.example.com/"),
        count: 20
      })
      assert.strictEqual(elsewhere.differences.length, 20)
    }))
})
