/**
 * Migrate: reading a deploy-cli folder of legacy Rules, planning (order, skips, constructs, modules, settings), and
 * building the Action. Folders are written to a temporary directory per case; the folders that are built are built
 * once, in beforeAll.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import type { Handler } from "@rulefx/adapter-auth0/PostLogin"
import * as GeneratedSource from "@rulefx/cli/GeneratedSource"
import * as Migrate from "@rulefx/cli/Migrate"
import * as MigrationPlan from "@rulefx/cli/MigrationPlan"
import * as RulesFolder from "@rulefx/cli/RulesFolder"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as Effect from "effect/Effect"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join, relative } from "node:path"
import { minimalEvent } from "./utils/Seed.ts"

const require = createRequire(import.meta.url)

let root = ""

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "rulefx-migrate-"))
})

afterAll(() => {
  if (root !== "") rmSync(root, { recursive: true, force: true })
})

/** Writes `files` (paths relative to a fresh folder) and returns the folder. */
const tree = (files: Readonly<Record<string, string>>): string => {
  const dir = mkdtempSync(join(root, "case-"))
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  return dir
}

/** A rule's two files, `<file>.json` and `<file>.js`, as deploy-cli writes them. */
const rule = (file: string, json: Readonly<Record<string, unknown>>, js: string = pass) => ({
  [`${file}.json`]: JSON.stringify(json, null, 2),
  [`${file}.js`]: js
})

/** Prefixes every path of `files` with `at`. */
const prefix = (at: string, files: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.entries(files).map(([name, text]) => [`${at}${name}`, text]))

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

const pass = "function (user, context, callback) {\n  callback(null, user, context);\n}\n"

/** A rule body (lines inside the function) as a Rules function; the body starts on line 2. */
const fn = (...body: ReadonlyArray<string>) =>
  `function (user, context, callback) {\n${body.map((l) => `  ${l}`).join("\n")}\n  callback(null, user, context);\n}\n`

/** A render line with its padding collapsed. */
const status = (line: string) => line.trim().replace(/\s+/g, " ")

const planOf = (dir: string, options: MigrationPlan.Options = {}) => Effect.runPromise(MigrationPlan.plan(dir, options))

const planError = (dir: string, options: MigrationPlan.Options = {}) =>
  Effect.runPromise(Effect.flip(MigrationPlan.plan(dir, options)))

const names = (p: MigrationPlan.Plan) => p.rules.map((r) => r.file.name)

/** A tiny npm package installed in `<dir>/node_modules/<name>`. */
const fakePackage = (dir: string, name: string, body: string) => {
  const at = join(dir, "node_modules", name)
  mkdirSync(at, { recursive: true })
  writeFileSync(join(at, "package.json"), JSON.stringify({ name, version: "1.2.3", main: "index.js" }))
  writeFileSync(join(at, "index.js"), body)
  return join(at, "index.js")
}

/** The problem of the module the "late" rule requires without it being installed, with the advice given. */
const problem = (command: string, rules: string) =>
  "rule \"late\" (line 3): require(\"rulefx-not-installed-zz\"): the module is not installed; " +
  `run ${command} in ${
    relative(process.cwd(), dirname(rules)) || "."
  } (the folder that holds rules/) or in your project`

describe("RulesFolder.read / plan: the folder", () => {
  it("reads a deploy-cli export root (rules/ inside) and the rules folder itself alike", async () => {
    const dir = tree({ ...prefix("rules/", rule("one", { name: "one", order: 1 })) })
    const fromRoot = await planOf(dir)
    const fromRules = await planOf(join(dir, "rules"))
    assert.strictEqual(fromRoot.dir, join(dir, "rules"))
    assert.strictEqual(fromRules.dir, join(dir, "rules"))
    assert.deepStrictEqual(names(fromRoot), ["one"])
    assert.deepStrictEqual(names(fromRules), ["one"])
    const read = await Effect.runPromise(RulesFolder.read(dir))
    assert.deepStrictEqual(read.rules.map((r) => r.script), [join(dir, "rules", "one.js")])
    assert.deepStrictEqual(read.warnings, [])
  })

  it("orders rules by order, then by name; rules without an order run last", async () => {
    const dir = tree({
      ...rule("f1", { name: "b", order: 10 }),
      ...rule("f2", { name: "a", order: 10 }),
      ...rule("f3", { name: "z", order: 2 }),
      ...rule("f4", { name: "m" }),
      ...rule("f5", { name: "c" }),
      ...rule("f6", { name: "neg", order: -1 })
    })
    assert.deepStrictEqual(names(await planOf(dir)), ["neg", "z", "a", "b", "c", "m"])
  })

  it("skips disabled rules and stages other than login_success, saying why; a missing enabled means enabled", async () => {
    const dir = tree({
      ...rule("on", { name: "on", order: 1 }),
      ...rule("off", { name: "off", order: 2, enabled: false }),
      ...rule("pre", { name: "pre", order: 3, enabled: true, stage: "pre_authorize" }),
      ...rule("explicit", { name: "explicit", order: 4, enabled: true, stage: "login_success" })
    })
    const p = await planOf(dir)
    assert.deepStrictEqual(names(p), ["on", "explicit"])
    assert.deepStrictEqual(p.skipped, [
      { name: "off", why: "disabled" },
      { name: "pre", why: "stage pre_authorize (only login_success rules run after a login)" }
    ])
    const read = await Effect.runPromise(RulesFolder.read(dir))
    assert.deepStrictEqual(
      read.rules.map((r) => [r.name, r.enabled, r.stage]),
      [
        ["explicit", true, "login_success"],
        ["off", false, "login_success"],
        ["on", true, "login_success"],
        ["pre", true, "pre_authorize"]
      ]
    )
  })

  it("takes the name from the JSON, else from the file name; the script path from the JSON", async () => {
    const dir = tree({
      "named.json": JSON.stringify({ name: "Add Roles To Token", order: 1, script: "./impl/roles-code.js" }),
      "impl/roles-code.js": pass,
      ...rule("unnamed-rule", { order: 2 }),
      ...rule("empty-name", { name: "", order: 3 })
    })
    const p = await planOf(dir)
    assert.deepStrictEqual(names(p), ["Add Roles To Token", "unnamed-rule", "empty-name"])
    assert.strictEqual(p.rules[0]!.file.script, join(dir, "impl", "roles-code.js"))
    assert.strictEqual(p.rules[0]!.file.json, join(dir, "named.json"))
    assert.deepStrictEqual(p.warnings, [])
  })

  it("a JSON whose script does not exist fails naming the JSON file and the script", async () => {
    const dir = tree({
      ...rule("ok", { order: 1 }),
      "ghost.json": JSON.stringify({ name: "ghost", script: "./gone.js" })
    })
    const error = await planError(dir)
    assert.strictEqual(error._tag, "MigrateError")
    assert.strictEqual(error.reason, `${join(dir, "ghost.json")}: its script ./gone.js does not exist`)
  })

  it("a field of the wrong type fails naming the file and the field (\"enabled\": \"false\" is not false)", async () => {
    const cases = [
      ["enabled", "false", "boolean"],
      ["stage", 1, "string"],
      ["name", ["x"], "string"]
    ] as const
    await Promise.all(cases.map(async ([field, value, type]) => {
      const dir = tree(rule("a", { name: "a", [field]: value }))
      const error = await planError(dir)
      assert.strictEqual(
        error.reason,
        `${join(dir, "a.json")}: "${field}" must be a ${type}, not ${JSON.stringify(value)}`
      )
    }))
  })

  it("two rules with one name fail: --skip and --accept would be ambiguous", async () => {
    const dir = tree({ ...rule("a", { name: "same", order: 1 }), ...rule("b", { name: "same", order: 2 }) })
    const error = await planError(dir)
    assert.strictEqual(error.reason, `${join(dir, "b.json")}: a second rule named "same" (${join(dir, "a.json")})`)
  })

  it("a name with a line break or control character fails (it would end a comment in the generated code)", async () => {
    await Promise.all(["a\u2028b", "a\nb", "a\u2029(console.log(1)),//"].map(async (name) => {
      const dir = tree(rule("a", { name }))
      const error = await planError(dir)
      assert.include(error.reason, "holds a line break or control character")
    }))
  })

  it("the generated code passes each rule the settings it names and the constructs accepted for it", async () => {
    const dir = tree({
      ...rule("a", { name: "a", order: 1 }, fn("var k = configuration.API_KEY + configuration.OPTIONAL;")),
      ...rule("b", { name: "b", order: 2 }, fn("context.primaryUser = 'auth0|x';"))
    })
    const p = await planOf(dir, { accept: ["b:context.primaryUser"], optionalSettings: ["OPTIONAL", "NOPE"] })
    const source = GeneratedSource.entrySource(p, { optionalSettings: ["OPTIONAL", "NOPE"] })
    assert.include(source, `\`, { ...ruleOptions, settings: ["API_KEY"] }),`)
    assert.include(source, `\`, { ...ruleOptions, accepted: ["context.primaryUser"] }),`)
    assert.deepStrictEqual(p.warnings, ["--optional-setting NOPE: no rule reads configuration.NOPE"])
  })

  it("the generated entry imports rulefx's runtime by package name, never by a path into rulefx", async () => {
    const dir = tree(rule("a", { name: "a" }, fn("var request = require('request');")))
    const source = GeneratedSource.entrySource(await planOf(dir))
    assert.include(source, `import * as LegacyAction from "@rulefx/legacy-rules/LegacyAction"`)
    assert.include(source, `import * as LegacyRule from "@rulefx/legacy-rules/LegacyRule"`)
    assert.include(source, `import { request } from "@rulefx/legacy-rules/Request"`)
    assert.include(source, `"request": request,`)
    assert.notMatch(source, /packages\/|node_modules|\.ts"/)
  })

  it("a script that cannot be read (a folder) fails naming it", async () => {
    const dir = tree(rule("a", { name: "a", script: "./a-dir" }))
    mkdirSync(join(dir, "a-dir"))
    const error = await planError(dir)
    assert.strictEqual(error.reason, `${join(dir, "a-dir")}: cannot be read`)
  })

  it("invalid JSON fails naming the file", async () => {
    const dir = tree({ ...rule("ok", { order: 1 }), "bad.json": "{ \"name\": \"bad\",, }", "bad.js": pass })
    const error = await planError(dir)
    assert.include(error.reason, `${join(dir, "bad.json")}: not valid JSON`)
  })

  it("a JSON that is not an object fails naming the file", async () => {
    const dir = tree({ "list.json": "[1, 2]", "list.js": pass })
    const error = await planError(dir)
    assert.include(error.reason, `${join(dir, "list.json")}: expected an object`)
  })

  it("an order that is not a number fails naming the file", async () => {
    const dir = tree({ ...rule("str", { name: "str", order: "1" }) })
    const error = await planError(dir)
    assert.strictEqual(error.reason, `${join(dir, "str.json")}: "order" must be a number`)
  })

  it("an empty folder and a missing folder fail with a clear message", async () => {
    const empty = tree({})
    const emptyError = await planError(empty)
    assert.strictEqual(
      emptyError.reason,
      `${empty}: no <name>.json rule files (expected a deploy-cli export of rules)`
    )
    const onlyJs = tree({ "lonely.js": pass })
    assert.include((await planError(onlyJs)).reason, "no <name>.json rule files")
    const missing = join(root, "does-not-exist")
    const missingError = await planError(missing)
    assert.strictEqual(
      missingError.reason,
      `${missing}: no such folder (expected a deploy-cli export of rules)`
    )
  })

  it("a .js file no JSON refers to is a warning, not an error", async () => {
    const dir = tree({ ...rule("ok", { name: "ok", order: 1 }), "stray.js": pass })
    const p = await planOf(dir)
    assert.deepStrictEqual(names(p), ["ok"])
    assert.deepStrictEqual(p.warnings, [`${join(dir, "stray.js")}: no JSON refers to it; not run`])
    assert.include(MigrationPlan.render(p), `warning: ${join(dir, "stray.js")}: no JSON refers to it; not run`)
  })

  it("a rule with a syntax error fails naming the rule, the file and the line", async () => {
    const dir = tree({
      ...rule("ok", { name: "ok", order: 1 }),
      ...rule("broken", { name: "Broken Rule", order: 2 }, "function (user, context, callback) {\n  var x = ;\n}\n")
    })
    const error = await planError(dir)
    assert.match(error.reason, /^rule "Broken Rule": /)
    assert.include(error.reason, `${join(dir, "broken.js")}:2:`)
    assert.include(error.reason, "syntax error")
  })

  it("a file with more than the rule's function fails naming the rule and the line of the extra statement", async () => {
    const dir = tree({ ...rule("two", { name: "two", order: 1 }, `${pass}\nconsole.log("extra");\n`) })
    const error = await planError(dir)
    assert.include(error.reason, `rule "two": ${join(dir, "two.js")}:5:`)
  })

  it("a disabled rule with a syntax error is skipped without being parsed", async () => {
    const dir = tree({
      ...rule("ok", { name: "ok", order: 1 }),
      ...rule("off", { name: "off", enabled: false }, "function (user {")
    })
    const p = await planOf(dir)
    assert.deepStrictEqual(names(p), ["ok"])
    assert.deepStrictEqual(p.skipped, [{ name: "off", why: "disabled" }])
  })
})

describe("MigrationPlan.plan: settings and modules", () => {
  it("collects the configuration keys of every rule, sorted and unique", async () => {
    const dir = tree({
      ...rule("a", { name: "a", order: 1 }, fn("var z = configuration.ZETA;", "var a = configuration.ALPHA;")),
      ...rule("b", { name: "b", order: 2 }, fn("var m = configuration[\"MID\"];", "var a = configuration.ALPHA;")),
      ...rule("c", { name: "c", order: 3, enabled: false }, fn("var o = configuration.OFF_RULE_KEY;"))
    })
    const p = await planOf(dir)
    assert.deepStrictEqual(p.configurationKeys, ["ALPHA", "MID", "ZETA"])
    assert.include(
      MigrationPlan.render(p),
      "Action secrets (Rules settings, set each as a secret of the Action): ALPHA, MID, ZETA"
    )
  })

  it("warns about each claim a rule sets from a configuration setting, directly, via a local or an object", async () => {
    // What a call makes of a setting (an HMAC keyed with it, a slice) and a setting inside a longer string are not the
    // setting: no warning, as the runtime lets them through (it refuses a string of the claim equal to a secret).
    const dir = tree({
      ...rule(
        "leaky",
        { name: "leaky", order: 1 },
        fn(
          "var key = configuration.API_KEY;",
          "var plan = user.app_metadata.plan;",
          "context.idToken[\"https://example.com/key\"] = key;",
          "context.accessToken.tenant = user.app_metadata.tenant || configuration[\"TENANT\"];",
          "context.idToken = { \"https://example.com/n\": configuration.NS, plan: plan };",
          "context.idToken[\"https://example.com/plan\"] = plan;",
          "var url = configuration.URL; request(url);",
          "var h = require(\"crypto\").createHmac(\"sha256\", configuration.SALT).update(user.email).digest(\"hex\");",
          "context.idToken[\"https://example.com/hash\"] = h;",
          "context.idToken[\"https://example.com/tail\"] = \"ends \" + configuration.SALT.slice(-4);",
          "context.idToken[\"https://example.com/hi\"] = \"hi \" + configuration.GREETING;"
        )
      )
    })
    const p = await planOf(dir)
    const script = relative(process.cwd(), join(dir, "leaky.js"))
    const tail = "an Action secret is never issued in a token, so the migrated Action denies that login " +
      "(SecretInClaim); put a value that is not secret in the claim, or drop it"
    assert.deepStrictEqual(p.warnings, [
      `rule "leaky" (${script}:4) copies configuration.API_KEY into an ID-token claim (https://example.com/key): ${tail}`,
      `rule "leaky" (${script}:5) copies configuration.TENANT into an access-token claim (tenant): ${tail}`,
      `rule "leaky" (${script}:6) copies configuration.NS into an ID-token claim (https://example.com/n): ${tail}`
    ])
    assert.include(MigrationPlan.render(p), `warning: rule "leaky" (${script}:4) copies configuration.API_KEY`)
  })

  it("warns about each redirect whose URL holds a configuration setting as a whole part", async () => {
    // The start of the URL, its host, or a setting glued to other text of its part: the runtime lets it through.
    const dir = tree({
      ...rule(
        "leaky",
        { name: "leaky", order: 1 },
        fn(
          "var url = \"https://partner.example.com/sso?api_key=\" + configuration.API_KEY;",
          "if (context.clientName === \"A\") context.redirect = { url: url };",
          "else if (context.clientName === \"B\") context.redirect = { url: configuration.CONSENT_URL + \"?c=1\" };",
          "else context.redirect = { url: \"https://\" + configuration.DOMAIN + \"/t-\" + configuration.TENANT };"
        )
      )
    })
    const p = await planOf(dir)
    const script = relative(process.cwd(), join(dir, "leaky.js"))
    assert.deepStrictEqual(p.warnings, [
      `rule "leaky" (${script}:3) puts configuration.API_KEY into a redirect's URL as a whole part (a query value, ` +
      `a path segment): an Action secret never goes through the browser, so the migrated Action denies that login ` +
      `(SecretInRedirect); put a value that is not secret in the URL, or drop it`
    ])
    assert.include(MigrationPlan.render(p), `warning: rule "leaky" (${script}:3) puts configuration.API_KEY`)
  })

  describe("modules", () => {
    let dir = ""
    let p: MigrationPlan.Plan
    let leftpad = ""
    let pinned = ""

    beforeAll(async () => {
      dir = tree({
        ...prefix(
          "rules/",
          rule(
            "mods",
            { name: "mods", order: 1 },
            fn(
              "var crypto = require(\"crypto\");",
              "var request = require(\"request@2.88.0\");",
              "var leftpad = require(\"leftpad-fake\");",
              "var pinned = require(\"pinned-fake@1.2.3\");",
              "var nodeUrl = require(\"node:url\");"
            )
          )
        ),
        ...prefix(
          "rules/",
          rule(
            "late",
            { name: "late", order: 2 },
            fn("var again = require(\"leftpad-fake@9.9.9\");", "var missing = require(\"rulefx-not-installed-zz\");")
          )
        )
      })
      leftpad = fakePackage(dir, "leftpad-fake", "module.exports = function () { return 'x' };\n")
      pinned = fakePackage(dir, "pinned-fake", "module.exports = 1;\n")
      p = await planOf(dir)
    })

    it("built-ins as they are, request as the shim, installed packages bundled by path, pins dropped", () => {
      assert.deepStrictEqual(
        p.modules.map((m) => ({ name: m.name, kind: m.kind, path: m.path, rule: m.rule, line: m.line })),
        [
          { name: "crypto", kind: "builtin", path: undefined, rule: "mods", line: 2 },
          { name: "request", kind: "shim", path: undefined, rule: "mods", line: 3 },
          { name: "leftpad-fake", kind: "bundled", path: leftpad, rule: "mods", line: 4 },
          { name: "pinned-fake", kind: "bundled", path: pinned, rule: "mods", line: 5 },
          { name: "node:url", kind: "builtin", path: undefined, rule: "mods", line: 6 },
          { name: "rulefx-not-installed-zz", kind: "missing", path: undefined, rule: "late", line: 3 }
        ]
      )
    })

    it("a module that is not installed is a problem naming the rule and the line, and the command to install it", () => {
      // Written for the package manager that ran rulefx; both when that is not known (node ran the bin).
      assert.deepStrictEqual(MigrationPlan.problems(p, { packageManager: "pnpm" }), [
        problem("pnpm add rulefx-not-installed-zz", p.dir)
      ])
      assert.deepStrictEqual(MigrationPlan.problems(p, { packageManager: "npm" }), [
        problem("npm install rulefx-not-installed-zz", p.dir)
      ])
      assert.deepStrictEqual(MigrationPlan.problems(p), [
        problem("npm install rulefx-not-installed-zz (or pnpm add rulefx-not-installed-zz)", p.dir)
      ])
    })

    it("render lists each module with how it reaches the Action", () => {
      assert.include(
        MigrationPlan.render(p),
        "modules: crypto (Node built-in), request (rulefx's fetch-based shim), leftpad-fake (bundled), " +
          "pinned-fake (bundled), node:url (Node built-in), rulefx-not-installed-zz (NOT INSTALLED)"
      )
    })

    it("migrate refuses to build with a missing module, and writes nothing", async () => {
      const out = join(dir, "out", "action.js")
      const error = await Effect.runPromise(Effect.flip(Migrate.migrate(dir, out)))
      assert.include(error.reason, "require(\"rulefx-not-installed-zz\"): the module is not installed")
      assert.isFalse(existsSync(out))
    })
  })
})

describe("MigrationPlan.plan: constructs with no Actions equivalent", () => {
  const saml = fn("context.samlConfiguration.wctx = \"foo=bar\";")
  const linking = fn("var x = 1;", "context.primaryUser = \"auth0|other\";")
  const folder = (samlJson: Readonly<Record<string, unknown>> = {}) =>
    tree({
      ...rule("saml", { name: "saml", order: 1, ...samlJson }, saml),
      ...rule("link", { name: "link", order: 2 }, linking)
    })

  it("refuses them, naming the rule, file:line and the construct", async () => {
    const dir = folder()
    const p = await planOf(dir)
    assert.deepStrictEqual(
      p.rules.map((r) => r.refused.map((f) => [f.construct, f.line])),
      [[["context.samlConfiguration", 2]], [["context.primaryUser", 3]]]
    )
    const problems = MigrationPlan.problems(p)
    assert.strictEqual(problems.length, 2)
    assert.match(
      problems[0]!,
      new RegExp(
        `^rule "saml" \\(${escape(relative(process.cwd(), join(dir, "saml.js")))}:2\\): context\\.samlConfiguration ` +
          `has no Actions equivalent: .+ \\(accept with --accept saml:context\\.samlConfiguration\\)$`
      )
    )
    assert.match(
      problems[1]!,
      new RegExp(`^rule "link" \\(${escape(relative(process.cwd(), join(dir, "link.js")))}:3\\): context\\.primaryUser`)
    )
  })

  it("accepts a construct for every rule with --accept <construct>", async () => {
    const p = await planOf(folder(), { accept: ["context.samlConfiguration"] })
    assert.deepStrictEqual(p.rules[0]!.refused, [])
    assert.deepStrictEqual(p.rules[0]!.accepted.map((f) => f.construct), ["context.samlConfiguration"])
    assert.deepStrictEqual(p.rules[1]!.refused.map((f) => f.construct), ["context.primaryUser"])
    assert.strictEqual(MigrationPlan.problems(p).length, 1)
  })

  it("accepts a construct for one rule with --accept <rule>:<construct>", async () => {
    const dir = tree({
      ...rule("saml", { name: "saml", order: 1 }, saml),
      ...rule("saml2", { name: "saml2", order: 2 }, saml)
    })
    const p = await planOf(dir, { accept: ["saml:context.samlConfiguration"] })
    assert.deepStrictEqual(p.rules.map((r) => r.refused.length), [0, 1])
    assert.deepStrictEqual(p.rules.map((r) => r.accepted.length), [1, 0])
    assert.deepStrictEqual(p.warnings, [])
  })

  it("accepts a construct from the rule's JSON (\"rulefx\": {\"accept\": [...]})", async () => {
    const p = await planOf(folder({ rulefx: { accept: ["context.samlConfiguration", 42] } }))
    assert.deepStrictEqual(p.rules[0]!.file.accept, ["context.samlConfiguration"])
    assert.deepStrictEqual(p.rules[0]!.refused, [])
    assert.deepStrictEqual(p.rules[1]!.refused.map((f) => f.construct), ["context.primaryUser"])
  })

  it("an --accept naming a rule that does not exist is a warning", async () => {
    const p = await planOf(folder(), { accept: ["nope:eval", "link:context.primaryUser"] })
    assert.deepStrictEqual(p.warnings, ["--accept nope:eval: there is no rule named \"nope\""])
    assert.deepStrictEqual(p.rules[1]!.refused, [])
  })

  it("an --accept that accepts nothing (a typo, or a construct no rule uses) is a warning", async () => {
    const dir = tree(rule("a", { name: "a", order: 1 }, fn("eval('1');")))
    const p = await planOf(dir, { accept: ["eval", "context.primaryUsr", "a:context.samlConfiguration"] })
    assert.deepStrictEqual(p.warnings, [
      "--accept context.primaryUsr: no rule uses that construct where the analysis sees it; it still applies when a " +
      "rule reaches it through an alias at run time",
      "--accept a:context.samlConfiguration: no rule uses that construct where the analysis sees it; it still " +
      "applies when a rule reaches it through an alias at run time"
    ])
    assert.deepStrictEqual(MigrationPlan.problems(p), [])
  })

  it("--skip leaves rules out by name (converted ones); an unknown name is refused, naming the rules", async () => {
    const dir = tree({
      ...rule("a", { name: "a", order: 1 }),
      ...rule("b", { name: "b", order: 2 }),
      ...rule("c", { name: "c", order: 3 })
    })
    const p = await planOf(dir, { skip: ["b"] })
    assert.deepStrictEqual(names(p), ["a", "c"])
    assert.deepStrictEqual(p.skipped, [{ name: "b", why: "left out with --skip" }])
    assert.deepStrictEqual(p.warnings, [])
    assert.include(MigrationPlan.render(p), "  -  b: skipped, left out with --skip")
    const typo = await Effect.runPromise(Effect.flip(MigrationPlan.plan(dir, { skip: ["b", "nope"] })))
    assert.strictEqual(typo.reason, `--skip nope: there is no rule named "nope" (the rules: a, b, c)`)
  })

  it(
    "--external leaves a package out of the bundle, as the Action's npm dependency at its installed version",
    async () => {
      const dir = tree(rule(
        "a",
        { name: "a", order: 1 },
        fn(
          "var pad = require('padder-fake@9.9.9');",
          "context.idToken['https://example.com/pad'] = pad('7', 3);"
        )
      ))
      fakePackage(dir, "padder-fake", "module.exports = function padderFakeBody(s, n) { return s.padStart(n, '0') };\n")
      const out = join(dir, "dist", "action.js")
      const built = await Effect.runPromise(Migrate.migrate(dir, out, { external: ["padder-fake"] }))
      assert.deepStrictEqual(built.plan.modules.map((m) => [m.name, m.kind, m.version]), [
        ["padder-fake", "dependency", "1.2.3"]
      ])
      assert.deepStrictEqual(MigrationPlan.dependencies(built.plan), ["padder-fake@1.2.3"])
      assert.include(
        MigrationPlan.render(built.plan).split("\n"),
        "Action dependencies (declare them: rulefx deploy --dependency padder-fake@1.2.3): padder-fake@1.2.3"
      )
      const code = readFileSync(out, "utf8")
      assert.notInclude(code, "padderFakeBody")
      assert.include(code, `require("padder-fake")`)
      // At run time it comes from node_modules, as Auth0 installs the Action's dependencies.
      const action = require(out) as {
        onExecutePostLogin: (e: unknown, api: RecordingApi.RecordingApi) => Promise<void>
      }
      const api = RecordingApi.make()
      await action.onExecutePostLogin(minimalEvent(), api)
      assert.deepStrictEqual(api.summary().idTokenClaims, { "https://example.com/pad": "007" })
    },
    30_000
  )

  it("modules come from node_modules next to the rules or the working directory (or above), never NODE_PATH", async () => {
    // uuid is installed only as a dependency of rulefx's own dependencies (pnpm's store, which pnpm's node puts on
    // NODE_PATH), in no node_modules folder above the rules or the working directory.
    const dir = tree(rule("a", { name: "a", order: 1 }, fn("var u = require('uuid');")))
    const p = await planOf(dir)
    assert.deepStrictEqual(p.modules.map((m) => [m.name, m.kind]), [["uuid", "missing"]])
  })

  it("--external request is refused with a warning: rules keep rulefx's request shim", async () => {
    const dir = tree(rule("a", { name: "a", order: 1 }, fn("var request = require('request');")))
    const p = await planOf(dir, { external: ["request", "unused-fake"] })
    assert.deepStrictEqual(p.modules.map((m) => [m.name, m.kind]), [["request", "shim"]])
    assert.deepStrictEqual(p.warnings, [
      "--external request: rules always get rulefx's request shim (timeouts, body cap, safe callbacks)",
      "--external unused-fake: no rule requires it"
    ])
  })

  it("an --accept reaches the run time even where the analysis sees no use (an alias)", async () => {
    const dir = tree(rule("a", { name: "a", order: 1 }, fn("var ctx = context; var o = ctx.connectionOptions;")))
    const p = await planOf(dir, { accept: ["a:context.connectionOptions"] })
    assert.deepStrictEqual(p.rules[0]!.accepts, ["context.connectionOptions"])
    assert.include(GeneratedSource.entrySource(p), `accepted: ["context.connectionOptions"]`)
  })

  it("--external for a package that is not installed: missing, the build refuses", async () => {
    const dir = tree(rule("a", { name: "a", order: 1 }, fn("var x = require('absent-fake');")))
    const p = await planOf(dir, { external: ["absent-fake"] })
    assert.deepStrictEqual(p.modules.map((m) => m.kind), ["missing"])
    assert.strictEqual(MigrationPlan.problems(p).length, 1)
  })

  it("a package.json in the rules folder (a build written there) is not read as a rule", async () => {
    const dir = tree({ ...rule("a", { name: "a", order: 1 }), "package.json": "{\"type\":\"commonjs\"}" })
    const p = await planOf(dir)
    assert.deepStrictEqual(names(p), ["a"])
    assert.deepStrictEqual(p.warnings, [])
  })

  it("a deploy-cli keyword left in a script is a warning", async () => {
    const dir = tree({
      ...rule("kw", { name: "kw", order: 1 }, fn("var url = \"##API_URL##\";")),
      ...rule("kw2", { name: "kw2", order: 2 }, fn("var url = \"@@API_URLS@@\";")),
      ...rule("clean", { name: "clean", order: 3 }, fn("var s = \"# not a keyword #\";"))
    })
    const p = await planOf(dir)
    assert.deepStrictEqual(p.warnings, [
      `${join(dir, "kw.js")}: holds a deploy-cli keyword (##KEY## or @@KEY@@) that was never replaced`,
      `${join(dir, "kw2.js")}: holds a deploy-cli keyword (##KEY## or @@KEY@@) that was never replaced`
    ])
    assert.deepStrictEqual(MigrationPlan.problems(p), [])
  })

  it("render: rules in order with each finding and its status, skipped rules, secrets and modules", async () => {
    const dir = tree({
      ...rule(
        "second",
        { name: "second", order: 2, rulefx: { accept: ["context.connectionOptions"] } },
        fn("var d = context.connectionOptions.tenant_domain;", "context.idToken.d = d;")
      ),
      ...rule(
        "first",
        { name: "first", order: 1 },
        fn("var k = configuration.KEY;", "context.samlConfiguration.x = 1;")
      ),
      ...rule("last", { name: "last" }, fn("var c = require(\"crypto\");")),
      ...rule("off", { name: "off", order: 0, enabled: false })
    })
    const lines = MigrationPlan.render(await planOf(dir)).split("\n")
    assert.strictEqual(lines[0], `rules in ${relative(process.cwd(), dir)}, in the order they run:`)
    assert.strictEqual(lines[1], "  1. first (order 1) first.js")
    assert.match(status(lines[2]!), /^line 2 translated configuration: Action secret "KEY"/)
    assert.match(status(lines[3]!), /^line 3 REFUSED context\.samlConfiguration: /)
    assert.strictEqual(lines[4], "  2. second (order 2) second.js")
    assert.match(status(lines[5]!), /^line 2 accepted context\.connectionOptions: /)
    assert.match(status(lines[6]!), /^line 3 translated context\.idToken: /)
    assert.strictEqual(lines[7], "  3. last (no order) last.js")
    assert.match(status(lines[8]!), /^line 2 translated require: "crypto": Node built-in/)
    assert.strictEqual(lines[9], "  -  off: skipped, disabled")
    assert.strictEqual(lines[10], "Action secrets (Rules settings, set each as a secret of the Action): KEY")
    assert.strictEqual(
      lines[11],
      "  a rule that names a setting the Action lacks is denied before it runs (unless --optional-setting)"
    )
    assert.strictEqual(lines[12], "modules: crypto (Node built-in)")
    assert.strictEqual(lines.length, 13)
  })

  it("render without settings or modules says so", async () => {
    const lines = MigrationPlan.render(await planOf(tree(rule("x", { name: "x" })))).split("\n")
    assert.include(lines, "Action secrets (Rules settings): none")
    assert.isFalse(lines.some((l) => l.startsWith("modules:")))
  })
})

describe("Migrate.migrate", () => {
  it("refuses to build while a construct is refused, listing every problem, and writes nothing", async () => {
    const dir = tree({
      ...rule("a", { name: "a", order: 1 }, fn("context.samlConfiguration.x = 1;")),
      ...rule("b", { name: "b", order: 2 }, fn("var t = auth0.accessToken;", "eval(\"1\");"))
    })
    const out = join(dir, "out", "action.js")
    const error = await Effect.runPromise(Effect.flip(Migrate.migrate(dir, out)))
    assert.strictEqual(error._tag, "MigrateError")
    assert.include(error.reason, "the Action was not built:")
    assert.include(error.reason, "rule \"a\" (")
    assert.include(error.reason, "a.js:2): context.samlConfiguration has no Actions equivalent")
    assert.include(error.reason, "b.js:2): auth0.accessToken has no Actions equivalent")
    assert.include(error.reason, "b.js:3): eval has no Actions equivalent")
    // The refusal's gist first (where a reader starts), then the plan, so the user sees where each problem sits, then
    // the refusal in full (where a terminal leaves the reader).
    assert.match(
      error.reason,
      /^the Action was not built: 3 problems \(in full at the end, after the rules' report\)\n\nrules in /
    )
    assert.match(
      error.reason,
      /\n\nthe Action was not built:\n {2}rule "a" \([^\n]+\n {2}rule "b"[^\n]+\n {2}rule "b"[^\n]+$/
    )
    assert.isFalse(existsSync(out))
    assert.isFalse(existsSync(join(dir, "out")))
  })

  it("over the budget: fails before bundling, mentioning the budget and the rule's size", async () => {
    const dir = tree(rule("x", { name: "x" }))
    const out = join(dir, "out", "action.js")
    const error = await Effect.runPromise(Effect.flip(Migrate.migrate(dir, out, { budget: 1024 })))
    assert.include(error.reason, "cannot fit in the budget of 1,024 bytes")
    assert.match(error.reason, /\n {2}x +\d+ +\d+\n {2}total \(1 rule\)/)
    // Seen first and last around the rules' report: the gist with a pointer, and the refusal ending in its ways out.
    assert.match(
      error.reason,
      /^the Action was not built: its rules and rulefx's legacy runtime cannot fit in the budget of 1,024 bytes \(in full at the end, after the rules' report\)\n\nrules in /
    )
    assert.match(error.reason, /\nways out:\n( {2}- [^\n]+\n){2} {2}- [^\n]+$/)
    assert.isFalse(existsSync(join(dir, "out")))
  }, 30_000)

  describe("the built Action runs the rules' sources unchanged", () => {
    let dir = ""
    let out = ""
    let built: {
      readonly plan: MigrationPlan.Plan
      readonly report: { readonly bytes: number; readonly outfile: string }
    }
    let action: { readonly onExecutePostLogin: Handler; readonly onContinuePostLogin: Handler }

    beforeAll(async () => {
      dir = tree({
        ...prefix(
          "rules/",
          rule(
            "sloppy",
            { name: "sloppy", order: 1 },
            [
              "function (user, context, callback) {",
              "  var callee = typeof arguments.callee;",
              "  var octal = 010;",
              "  var viaWith; with ({ w: \"with-ok\" }) { viaWith = w; }",
              "  var pad = require(\"leftpad-fake@1.2.3\");",
              "  context.idToken[\"https://example.com/sloppy\"] = [callee, octal, viaWith, pad(\"7\", 3)].join(\",\");",
              "  user.shared = { from: \"sloppy\", n: 1 };",
              "  callback(null, user, context);",
              "}",
              ""
            ].join("\n")
          )
        ),
        ...prefix(
          "rules/",
          rule(
            "named-async",
            { name: "named-async", order: 2 },
            [
              "async function enrich(user, context, callback) {",
              "  await new Promise(function (resolve) { setTimeout(resolve, 2); });",
              "  user.shared.n += 1;",
              "  context.idToken[\"https://example.com/named\"] = typeof enrich + \":\" + user.user_id;",
              "  callback(null, user, context);",
              "}",
              ""
            ].join("\n")
          )
        ),
        ...prefix(
          "rules/",
          rule(
            "no-callback",
            { name: "no-callback", order: 3 },
            [
              "async (user, context) => {",
              "  await null;",
              "  context.idToken[\"https://example.com/shared\"] = user.shared;",
              "}",
              ""
            ].join("\n")
          )
        ),
        ...prefix(
          "rules/",
          rule(
            "subpath",
            { name: "subpath", order: 4 },
            [
              "function (user, context, callback) {",
              "  if (!context.request.query.subpath) return callback(null, user, context);",
              "  context.idToken[\"https://example.com/extra\"] = require(\"leftpad-fake@1.2.3/extra\");",
              "  callback(null, user, context);",
              "}",
              ""
            ].join("\n")
          )
        )
      })
      fakePackage(
        dir,
        "leftpad-fake",
        "module.exports = function leftpad(s, n) { s = String(s); while (s.length < n) s = '0' + s; return s; };\n"
      )
      writeFileSync(join(dir, "node_modules", "leftpad-fake", "extra.js"), "module.exports = 'extra-ok';\n")
      out = join(dir, "dist", "action.js")
      built = await Effect.runPromise(Migrate.migrate(dir, out))
      rmSync(join(dir, "node_modules"), { recursive: true, force: true })
      action = require(out)
    }, 30_000)

    it("writes the file and reports its size", () => {
      assert.strictEqual(built.report.outfile, out)
      assert.isTrue(existsSync(out))
      assert.isAbove(built.report.bytes, 1000)
      assert.deepStrictEqual(names(built.plan), ["sloppy", "named-async", "no-callback", "subpath"])
    })

    it("exports onExecutePostLogin and onContinuePostLogin", () => {
      assert.strictEqual(typeof action.onExecutePostLogin, "function")
      assert.strictEqual(typeof action.onContinuePostLogin, "function")
    })

    it("bundles the npm module into the file: it runs with the node_modules folder gone", () => {
      // beforeAll removed node_modules before loading the file; the sloppy test below shows the module ran.
      assert.isFalse(existsSync(join(dir, "node_modules")))
      assert.notInclude(readFileSync(out, "utf8"), join(dir, "node_modules"))
      assert.deepStrictEqual(built.plan.modules.map((m) => [m.name, m.kind]), [
        ["leftpad-fake", "bundled"],
        ["leftpad-fake/extra", "bundled"]
      ])
    })

    it("sloppy mode as under Rules, a named async rule, a rule without callback, data shared through user", async () => {
      const api = RecordingApi.make()
      await action.onExecutePostLogin(minimalEvent({ userId: "auth0|sloppy" }), api)
      const summary = api.summary()
      assert.isUndefined(summary.denied)
      assert.deepStrictEqual(summary.idTokenClaims, {
        // arguments.callee works, 010 is octal 8, `with` works (none of them would in strict mode), and the pinned
        // npm module ran. (`this` would be the global object, which the analysis refuses: global.this.)
        "https://example.com/sloppy": "function,8,with-ok,007",
        // The named function sees its own name.
        "https://example.com/named": "function:auth0|sloppy",
        "https://example.com/shared": { from: "sloppy", n: 2 }
      })
    })

    it("an undeclared assignment (a global every login in flight would share) is refused, and cannot be accepted", async () => {
      const sloppy = tree(rule("leak", { name: "leak" }, fn("leaked = user.user_id;")))
      const accepts = [[], ["global.implicit"], ["leak:global.implicit"]]
      await Promise.all(accepts.map(async (accept) => {
        const p = await planOf(sloppy, { accept })
        assert.strictEqual(MigrationPlan.problems(p).length, 1, JSON.stringify(accept))
        assert.include(
          MigrationPlan.problems(p)[0]!,
          "global.implicit has no Actions equivalent: leaked: assigns a global"
        )
        // The problem does not suggest an --accept that would be ignored.
        assert.match(MigrationPlan.problems(p)[0]!, /\(cannot be accepted: change the rule\)$/)
        assert.notInclude(MigrationPlan.problems(p)[0]!, "--accept")
        if (accept.length > 0) {
          assert.deepStrictEqual(p.warnings, [
            `--accept ${
              accept[0]
            }: global.implicit cannot be accepted (overlapping logins could share state through it)`
          ])
        }
      }))
    })

    it.each([
      ["global.this", "this.who = user.user_id;"],
      ["global.object", "var g = globalThis; g.who = user.user_id;"],
      ["global.shared", "process.env.WHO = user.user_id;"],
      ["eval.indirect", "(0, eval)('1');"],
      ["eval.constructor", "[].constructor.constructor('return 1')();"],
      ["eval.module", "require('vm');"]
    ])("%s (another way logins could share state) cannot be accepted either", async (construct, line) => {
      const p = await planOf(tree(rule("r", { name: "r" }, fn(line))), { accept: [construct, `r:${construct}`] })
      assert.deepStrictEqual(p.rules[0]!.refused.map((f) => f.construct), [construct])
      assert.deepStrictEqual(p.rules[0]!.accepts, [])
      assert.match(MigrationPlan.problems(p)[0]!, /\(cannot be accepted: change the rule\)$/)
      assert.strictEqual(p.warnings.length, 2)
    })

    it("a claim Auth0 keeps for itself, named literally: REFUSED in the plan, never accepted, nothing built", async () => {
      const dir = tree(rule("roles", { name: "roles" }, fn("context.idToken.roles = user.app_metadata.roles || [];")))
      const p = await planOf(dir, { accept: ["claim.restricted", "roles:claim.restricted"] })
      assert.deepStrictEqual(p.rules[0]!.refused.map((f) => [f.construct, f.line]), [["claim.restricted", 2]])
      assert.deepStrictEqual(p.rules[0]!.accepts, [])
      // The dry run says REFUSED and names the claim; it never says the claim is translated.
      const rendered = MigrationPlan.render(p)
      assert.match(rendered, /line 2 +REFUSED +claim\.restricted: context\.idToken\.roles: "roles" is a restricted/)
      assert.notInclude(rendered, "translated context.idToken")
      const [problem] = MigrationPlan.problems(p)
      assert.include(problem, `roles.js:2): context.idToken.roles: "roles" is a restricted claim name`)
      assert.include(problem, "rename it to a namespaced claim, such as https://example.com/roles")
      assert.match(problem!, /\(cannot be accepted: change the rule\)$/)
      assert.deepStrictEqual(p.warnings, [
        "--accept claim.restricted: claim.restricted cannot be accepted (the Action would deny every login that " +
        "sets the claim; rename the claim)",
        "--accept roles:claim.restricted: claim.restricted cannot be accepted (the Action would deny every login " +
        "that sets the claim; rename the claim)"
      ])
      const out = join(dir, "out", "action.js")
      const error = await Effect.runPromise(Effect.flip(Migrate.migrate(dir, out, { accept: ["claim.restricted"] })))
      assert.include(error.reason, "the Action was not built:")
      assert.isFalse(existsSync(out))
    })

    it("a pinned require of a package's subpath (x@1.2.3/sub) finds the bundled module at run time", async () => {
      // The plan names it "leftpad-fake/extra" (Analyze.nameOf keeps the subpath); the run-time require must too.
      const api = RecordingApi.make()
      await action.onExecutePostLogin(
        { ...minimalEvent({ userId: "auth0|subpath" }), request: { ip: "203.0.113.9", query: { subpath: "1" } } },
        api
      )
      const summary = api.summary()
      assert.isUndefined(summary.denied)
      assert.strictEqual(summary.idTokenClaims["https://example.com/extra"], "extra-ok")
    })
  })
})
