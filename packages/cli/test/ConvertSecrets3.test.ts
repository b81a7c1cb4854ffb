/**
 * `rulefx convert` never says "converted" for a typed rule that leaks a `configuration` setting the legacy runtime
 * keeps secret: into a token or a redirect through an inner function's parameter or a second alias, into the logs, as
 * a claim's name or a scope; and a rule nested too deeply to analyse is a clear error, not a crash (breaker review 3).
 */
import { assert, describe, it } from "@effect/vitest"
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Analyze from "@rulefx/cli/Analyze"
import * as Convert from "@rulefx/cli/Convert"
import * as RuleDifferential from "@rulefx/cli/RuleDifferential"
import type { Denial } from "@rulefx/core/Denial"
import * as Pipeline from "@rulefx/core/Pipeline"
import type * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import * as LegacyFolder from "./utils/LegacyFolder.ts"

const scratch = LegacyFolder.convertScratch(".tmp-convert-secrets3-")
const rulesFolder = scratch.rulesFolder

// Converts the rule named `name` (the last one unless given) of a folder holding `rules`.
const convertLast = (folder: string, rules: ReadonlyArray<readonly [string, string]>, name = rules.at(-1)![0]) =>
  Effect.gen(function*() {
    const path = rulesFolder(folder, rules)
    const written = yield* Convert.convert(path, name, { out: join(scratch.dir(), `${folder}-out`), check: false })
    return { path, name, written }
  })

const rule = (body: string) =>
  `function (user, context, callback) {\n${body}\n  return callback(null, user, context);\n}`

// A rule `levels` ifs deep.
const deep = (levels: number) =>
  `function (user, context, callback) {\n${"if (user.email) {\n".repeat(levels)}${
    "}\n".repeat(levels)
  }  return callback(null, user, context);\n}`

describe("ConvertSecrets3: a configuration setting reaches a token or a redirect of a converted rule", () => {
  it.live(
    "through an inner function's parameter (`[configuration.KEY].forEach(function (v) { o.k = v })`)",
    () =>
      Effect.gen(function*() {
        const { written } = yield* convertLast("secret-param", [[
          "secret-param",
          rule(`  var o = { k: "public" };
  if (context.request.ip === "10.9.9." + "9") [configuration.KEY].forEach(function (v) { o.k = v; });
  context.idToken["https://x/k"] = o.k;`)
        ]])
        // Converted: on ip 10.9.9.9 the typed rule issues the secret in the ID token; the legacy runtime denies it.
        assert.notStrictEqual(written.status, "converted", written.module)
        assert.include(written.module, "configuration.KEY")
        // The same through a function the rule declares, called with the setting.
        const declared = yield* convertLast("secret-declared", [[
          "secret-declared",
          rule(`  var holder = "public";
  function setK(v) { holder = v; }
  if (context.request.ip === "10.9.9." + "9") setK(configuration.KEY);
  context.idToken["https://x/k"] = holder;`)
        ]])
        assert.notStrictEqual(declared.written.status, "converted", declared.written.module)
      }),
    60_000
  )

  it.live(
    "through a second alias of a local (`var p = o; p.k = configuration.KEY; ... = o.k`), claim and redirect",
    () =>
      Effect.gen(function*() {
        const claim = yield* convertLast("secret-alias", [[
          "secret-alias",
          rule(`  var o = { k: "public" };
  var p = o;
  if (context.request.ip === "10.9.9." + "9") p.k = configuration.KEY;
  context.idToken["https://x/k"] = o.k;`)
        ]])
        assert.notStrictEqual(claim.written.status, "converted", claim.written.module)
        const redirect = yield* convertLast("secret-alias-redirect", [[
          "secret-alias-redirect",
          rule(`  var o = { u: "https://example.com/cb?k=public" };
  var p = o;
  if (context.request.ip === "10.9.9." + "9") p.u = "https://example.com/cb?k=" + configuration.KEY;
  if (user.app_metadata.pending === "yes") context.redirect = { url: o.u };`)
        ]])
        assert.notStrictEqual(redirect.written.status, "converted", redirect.written.module)
      }),
    60_000
  )

  it.live("a claim of a literal or a login field in the same rule is still translated", () =>
    Effect.gen(function*() {
      const { written } = yield* convertLast("secret-other-claims", [[
        "secret-other-claims",
        rule(`  var o = { k: "public" };
  var p = o;
  p.k = configuration.KEY;
  [configuration.KEY].forEach(function (v) { o.k = v; });
  context.idToken["https://x/k"] = o.k;
  context.idToken["https://x/fixed"] = "yes";
  context.idToken["https://x/email"] = user.email;`)
      ]])
      assert.include(written.module, `Decision.setIdTokenClaim("https://x/fixed", "yes")`)
      assert.match(written.module, /setIdTokenClaim\("https:\/\/x\/email"/)
    }), 60_000)
})

describe("ConvertSecrets3: a configuration setting as a claim's name or a scope", () => {
  it.live("`context.idToken[configuration.KEY] = \"x\"` is a TODO", () =>
    Effect.gen(function*() {
      const { written } = yield* convertLast("secret-claim-name", [[
        "secret-claim-name",
        rule(`  context.idToken[configuration.KEY] = "x";`)
      ]])
      assert.notStrictEqual(written.status, "converted", written.module)
      assert.include(written.module, "names a token claim with `configuration.KEY`")
      const local = yield* convertLast("secret-claim-name-local", [[
        "secret-claim-name-local",
        rule(`  var name = configuration.KEY;
  context.idToken[name] = "x";`)
      ]])
      assert.notStrictEqual(local.written.status, "converted", local.written.module)
      assert.include(local.written.module, "`configuration.KEY` into a token claim")
    }), 60_000)

  it.live("`context.accessToken.scope = [\"openid\", configuration.KEY]` is a TODO", () =>
    Effect.gen(function*() {
      const { written } = yield* convertLast("secret-scope", [[
        "secret-scope",
        rule(`  context.accessToken.scope = ["openid", configuration.KEY];`)
      ]])
      assert.notStrictEqual(written.status, "converted", written.module)
      assert.include(written.module, "puts `configuration.KEY` into the access token's scopes")
      const pushed = yield* convertLast("secret-scope-push", [[
        "secret-scope-push",
        rule(`  var key = configuration.KEY;
  context.accessToken.scope = ["openid"];
  context.accessToken.scope.push(key);`)
      ]])
      assert.notStrictEqual(pushed.written.status, "converted", pushed.written.module)
      assert.include(pushed.written.module, "puts `configuration.KEY` into the access token's scopes")
    }), 60_000)
})

describe("ConvertSecrets3: a secret in the logs", () => {
  it.live(
    "console.log(configuration.KEY): the legacy runtime scrubs it, the converted rule does not log it either",
    () =>
      Effect.gen(function*() {
        const { name, path, written } = yield* convertLast("log-secret", [[
          "log-secret",
          rule(`  var key = configuration.API_KEY;
  console.log("calling the API with key", configuration.API_KEY);
  console.log("again", key, "and", "" + key);`)
        ]])
        // Converted (a log is no decision), logging the setting redacted.
        assert.strictEqual(written.status, "converted", written.module)
        const module = yield* Effect.promise(() => import(pathToFileURL(written.moduleFile).href))
        const typedRule = (module as Record<string, unknown>)[written.exportName] as Rule.Rule<
          Denial,
          PostLogin.PerLogin
        >
        const typed = PostLogin.make(Pipeline.make({ facts: [], rules: [typedRule] }), Layer.empty)
        const { logins } = yield* RuleDifferential.logins({ rules: path, rule: name, count: 1 })
        const login = logins[0]!.login as { readonly secrets: Readonly<Record<string, string>> }
        const { lines } = yield* RuleDifferential.outcomeOf(typed, login, 50)
        assert.isTrue(lines.some((line) => line.includes("calling the API with key")), lines.join("\n"))
        assert.isFalse(lines.some((line) => line.includes(login.secrets["API_KEY"]!)), lines.join("\n"))
      }),
    60_000
  )

  it.live("a log of a setting inside an expression or a function is a TODO", () =>
    Effect.gen(function*() {
      for (
        const body of [
          `  if (user.email) [1].forEach(function () { console.log("key", configuration.API_KEY); });`,
          `  var key = configuration.API_KEY;\n  user.email && console.log("key", key);`,
          `  var log = console.log;\n  log(configuration.API_KEY);`
        ]
      ) {
        const { written } = yield* convertLast("log-secret-expression", [["log-secret-expression", rule(body)]])
        assert.notStrictEqual(written.status, "converted", written.module)
      }
    }), 60_000)
})

describe("ConvertSecrets3: a rule nested too deeply to analyse", () => {
  it.live(
    "a rule nested 1,000 or 3,000 deep is a typed error naming it, not a stack overflow",
    () =>
      Effect.gen(function*() {
        for (const levels of [1000, 3000]) {
          const exit = yield* Effect.exit(convertLast(`deep-${levels}`, [["deep", deep(levels)]]))
          assert.isFalse(Exit.hasDies(exit), String(exit))
          assert.isTrue(Exit.isFailure(exit), String(exit))
          assert.match(String(exit), /deep.*nested too deeply to analyse/s)
        }
      }),
    120_000
  )

  it.live("a deep rule elsewhere in the folder does not stop another rule converting", () =>
    Effect.gen(function*() {
      for (const levels of [1000, 1500, 2000, 2500]) {
        const { written } = yield* convertLast(
          `deep-elsewhere-${levels}`,
          [["deep", deep(levels)], ["plain", rule(`  context.idToken["https://x/a"] = "b";`)]],
          "plain"
        )
        assert.strictEqual(written.status, "converted", written.module)
      }
    }), 120_000)

  it.effect("Analyze (migrate, events --generate): nested brackets, a long chain, one the parser cannot hold", () =>
    Effect.gen(function*() {
      const rules = {
        brackets: `var x = ${"(".repeat(1000)}1${")".repeat(1000)};`,
        chain: `var x = 1${" + 1".repeat(1000)};`,
        parser: `var x = 1${" + 1".repeat(20000)};`
      }
      for (const [what, body] of Object.entries(rules)) {
        const error = yield* Effect.flip(Analyze.analyze(`${what}.js`, rule(body)))
        assert.strictEqual(error._tag, "InvalidRuleSource")
        const levels = what === "parser" ? "more levels than the parser can hold" : "\\d+ levels"
        const expected = `^${what}\\.js:\\d+:\\d+: nested too deeply to analyse: ${levels}, the limit is 256$`
        assert.match(error.message, new RegExp(expected))
      }
    }))
})
