import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as ActionRuntime from "@rulefx/cli/ActionRuntime"
import * as Bundle from "@rulefx/cli/Bundle"
import * as DeployCliExport from "@rulefx/cli/DeployCliExport"
import * as GeneratedSource from "@rulefx/cli/GeneratedSource"
import * as Effect from "effect/Effect"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

// A stand-in for a built Action: export copies it byte for byte, and reads it only for the runtime it requires (none).
const code = "\"use strict\";var x=1;exports.onExecutePostLogin=async()=>{};\n// ünïcode\n"

let root = ""
let action = ""
let count = 0

/** A fresh deploy-cli directory (not created: export creates what it needs). */
const freshOut = () => join(root, `tenant-${count++}`)

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, "utf8"))

const triggersFile = (out: string) => join(out, "triggers", "triggers.json")

const writeTriggers = (out: string, triggers: unknown) => {
  mkdirSync(join(out, "triggers"), { recursive: true })
  writeFileSync(triggersFile(out), typeof triggers === "string" ? triggers : JSON.stringify(triggers, null, 2))
}

const ours = { action_name: "seller-login", display_name: "seller-login" }

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "rulefx-export-"))
  action = join(root, "action.js")
  writeFileSync(action, code)
})

afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

describe("DeployCliExport.write, the Action", () => {
  it.effect("writes actions/<name>/code.js (a copy of the file) and actions/<name>.json", () =>
    Effect.gen(function*() {
      const out = freshOut()
      const report = yield* DeployCliExport.write({
        file: action,
        name: "seller-login",
        out,
        secrets: ["SELLER_API_URL", "INTERCOM_SECRET"],
        dependencies: [{ name: "lodash", version: "4.17.21" }]
      })
      const codeFile = join(out, "actions", "seller-login", "code.js")
      const jsonFile = join(out, "actions", "seller-login.json")
      assert.deepStrictEqual(report.written, [codeFile, jsonFile])
      assert.strictEqual(readFileSync(codeFile, "utf8"), code)
      assert.deepStrictEqual(readJson(jsonFile), {
        name: "seller-login",
        code: "./actions/seller-login/code.js",
        runtime: "node22",
        deployed: true,
        dependencies: [{ name: "lodash", version: "4.17.21" }],
        secrets: [
          { name: "SELLER_API_URL", value: "##SELLER_API_URL##" },
          { name: "INTERCOM_SECRET", value: "##INTERCOM_SECRET##" }
        ],
        supported_triggers: [{ id: "post-login", version: "v3" }]
      })
      assert.isTrue(readFileSync(jsonFile, "utf8").endsWith("}\n"))
      const keywords = report.notes.find((note) => note.startsWith("secret values are keywords"))
      assert.isDefined(keywords)
      assert.include(keywords, "##SELLER_API_URL##, ##INTERCOM_SECRET##")
      assert.include(keywords, "AUTH0_KEYWORD_REPLACE_MAPPINGS")
    }))

  it.effect("without secrets or dependencies: empty lists, and no note about keywords", () =>
    Effect.gen(function*() {
      const out = freshOut()
      const report = yield* DeployCliExport.write({ file: action, name: "plain", out })
      const entry = readJson(join(out, "actions", "plain.json")) as Record<string, unknown>
      assert.deepStrictEqual(entry["secrets"], [])
      assert.deepStrictEqual(entry["dependencies"], [])
      assert.isFalse(report.notes.some((note) => note.includes("keyword")))
    }))

  it.effect("writing again over an earlier export replaces the code", () =>
    Effect.gen(function*() {
      const out = freshOut()
      yield* DeployCliExport.write({ file: action, name: "again", out })
      const newer = join(root, "newer.js")
      writeFileSync(newer, "exports.onExecutePostLogin=async()=>{};")
      yield* DeployCliExport.write({ file: newer, name: "again", out })
      assert.strictEqual(readFileSync(join(out, "actions", "again", "code.js"), "utf8"), readFileSync(newer, "utf8"))
    }))

  it("sanitize: letters, digits, '.', '_', ' ' and '-' are kept; anything else becomes '-'", () => {
    assert.strictEqual(DeployCliExport.sanitize("seller-login"), "seller-login")
    assert.strictEqual(DeployCliExport.sanitize("Seller Login v1.2_b"), "Seller Login v1.2_b")
    assert.strictEqual(DeployCliExport.sanitize("seller/login:v2"), "seller-login-v2")
    // Leading dots too: "." and ".." would write outside actions/.
    assert.strictEqual(DeployCliExport.sanitize("../../etc"), "---..-etc")
    assert.strictEqual(DeployCliExport.sanitize(".."), "--")
    assert.strictEqual(DeployCliExport.sanitize("ünï*"), "-n--")
  })

  it.effect("a name with unsafe characters: sanitized in paths, kept as is in the entry and the binding", () =>
    Effect.gen(function*() {
      const out = freshOut()
      const name = "seller/login:v2"
      yield* DeployCliExport.write({ file: action, name, out, bind: true })
      assert.isTrue(existsSync(join(out, "actions", "seller-login-v2", "code.js")))
      const entry = readJson(join(out, "actions", "seller-login-v2.json")) as Record<string, unknown>
      assert.strictEqual(entry["name"], name)
      assert.strictEqual(entry["code"], "./actions/seller-login-v2/code.js")
      assert.deepStrictEqual(readJson(triggersFile(out)), {
        "post-login": [{ action_name: name, display_name: name }]
      })
    }))

  it.effect("an empty name is an ExportError", () =>
    Effect.gen(function*() {
      const out = freshOut()
      const error = yield* Effect.flip(DeployCliExport.write({ file: action, name: "  ", out }))
      assert.instanceOf(error, DeployCliExport.ExportError)
      assert.strictEqual(error.file, out)
      assert.strictEqual(error.problem, "the Action needs a name")
      assert.isFalse(existsSync(out))
    }))

  it.effect("a missing Action file is an ExportError naming it, and writes no entry", () =>
    Effect.gen(function*() {
      const out = freshOut()
      const missing = join(root, "not-built.js")
      const error = yield* Effect.flip(DeployCliExport.write({ file: missing, name: "seller-login", out }))
      assert.instanceOf(error, DeployCliExport.ExportError)
      assert.strictEqual(error._tag, "ExportError")
      assert.strictEqual(error.file, missing)
      assert.strictEqual(error.problem, "cannot be read (build the Action first)")
      assert.strictEqual(error.message, `${missing}: cannot be read (build the Action first)`)
      assert.isFalse(existsSync(join(out, "actions", "seller-login.json")))
      assert.isFalse(existsSync(triggersFile(out)))
    }))
})

/** An Action file of exactly `bytes` bytes. */
const sized = (name: string, bytes: number) => {
  const file = join(root, name)
  const head = "exports.onExecutePostLogin=async()=>{};//"
  writeFileSync(file, head + "x".repeat(bytes - head.length))
  return file
}

describe("DeployCliExport.write, a file built with --runtime npm", () => {
  let npmFile = ""
  let runtime = { name: "", version: "" }

  beforeAll(async () => {
    const entry = join(root, "npm-entry.ts")
    writeFileSync(
      entry,
      `import * as Effect from "effect/Effect"\n` +
        `export const onExecutePostLogin = async () => Effect.runPromise(Effect.void)\n`
    )
    // Built for real, minified, against the runtime rulefx resolves (the workspace's).
    const report = await Bundle.build({ entry, outfile: join(root, "npm", "action.js"), runtime: "npm" })
    npmFile = report.outfile
    const [dependency] = report.dependencies ?? []
    runtime = { name: ActionRuntime.packageName, version: dependency!.slice(ActionRuntime.packageName.length + 1) }
  }, 60_000)

  it.effect("declares @rulefx/action-runtime at the exact version built against, after the dependencies given", () =>
    Effect.gen(function*() {
      const out = freshOut()
      const report = yield* DeployCliExport.write({
        file: npmFile,
        name: "seller-login",
        out,
        dependencies: [{ name: "lodash", version: "4.17.21" }]
      })
      const jsonFile = join(out, "actions", "seller-login.json")
      const entry = readJson(jsonFile) as { readonly dependencies: unknown }
      assert.deepStrictEqual(entry.dependencies, [{ name: "lodash", version: "4.17.21" }, runtime])
      assert.strictEqual(
        readFileSync(join(out, "actions", "seller-login", "code.js"), "utf8"),
        readFileSync(npmFile, "utf8")
      )
      assert.include(
        report.notes,
        `${runtime.name}@${runtime.version} is declared as a dependency in ${jsonFile}: ${npmFile} was built with ` +
          "--runtime npm against it"
      )
      // A clone's runtime (0.0.0) is a warning of its own, on stderr, not a part of the note.
      assert.strictEqual(
        report.warnings.some((w) => w.startsWith(`${runtime.name}@0.0.0 is an unreleased build`)),
        runtime.version === "0.0.0"
      )
    }))

  it.effect("given at the same version, it is declared once", () =>
    Effect.gen(function*() {
      const out = freshOut()
      yield* DeployCliExport.write({ file: npmFile, name: "seller-login", out, dependencies: [runtime] })
      const entry = readJson(join(out, "actions", "seller-login.json")) as { readonly dependencies: unknown }
      assert.deepStrictEqual(entry.dependencies, [runtime])
    }))

  it.effect("given at another version: an ExportError naming both, nothing written", () =>
    Effect.gen(function*() {
      const out = freshOut()
      const error = yield* Effect.flip(
        DeployCliExport.write({
          file: npmFile,
          name: "seller-login",
          out,
          dependencies: [{ name: runtime.name, version: "9.9.9" }]
        })
      )
      assert.instanceOf(error, DeployCliExport.ExportError)
      assert.include(
        error.message,
        `--dependency ${runtime.name}@9.9.9: ${npmFile} was built with --runtime npm against ` +
          `${runtime.name}@${runtime.version} and refuses to load on any other version`
      )
      assert.isFalse(existsSync(out))
    }))

  it.effect("ten given and the runtime are eleven, over Auth0's 10: an ExportError, nothing written", () =>
    Effect.gen(function*() {
      const ten = Array.from({ length: 10 }, (_, i) => ({ name: `dep-${i}`, version: "1.0.0" }))
      const fine = freshOut()
      yield* DeployCliExport.write({ file: action, name: "seller-login", out: fine, dependencies: ten })
      const out = freshOut()
      const error = yield* Effect.flip(
        DeployCliExport.write({ file: npmFile, name: "seller-login", out, dependencies: ten })
      )
      assert.include(error.message, `11 dependencies with ${runtime.name}@${runtime.version}`)
      assert.include(error.message, "Auth0 allows 10 per Action")
      assert.isFalse(existsSync(out))
    }))
})

describe("DeployCliExport.write, the Rules settings of legacy rules", () => {
  // The options `rulefx migrate` gives a legacy rule, as esbuild leaves them in a built Action.
  const legacy = "exports.onExecutePostLogin=async()=>{};var R=[$t(\"enrich\",`function(a,r,e){e(null,a,r)}`," +
    "{...Dn,settings:[\"CRM_URL\",\"CRM_API_KEY\"]}),$t(\"tier\",`function(a,r,e){e(null,a,r)}`,Dn)," +
    "$t(\"webhook\",`function(a,r,e){e(null,a,r)}`,{...Dn,settings:[\"CRM_URL\"],accepted:[\"eval\"]})];\n"

  it("reads them from the built code, sorted; none in code without legacy rules", () => {
    assert.deepStrictEqual(GeneratedSource.settingsIn(legacy), ["CRM_API_KEY", "CRM_URL"])
    assert.deepStrictEqual(GeneratedSource.settingsIn(code), [])
  })

  it.effect("a setting not exported as a secret is a warning naming it and how to export it", () =>
    Effect.gen(function*() {
      const file = join(root, "legacy.js")
      writeFileSync(file, legacy)
      const none = yield* DeployCliExport.write({ file, name: "login", out: freshOut() })
      assert.deepStrictEqual(none.warnings.length, 1)
      assert.include(none.warnings[0], `${file} reads the Rules settings CRM_API_KEY, CRM_URL`)
      assert.include(none.warnings[0], "Export them: --secret CRM_API_KEY --secret CRM_URL, or --secrets-file <file>")
      const one = yield* DeployCliExport.write({ file, name: "login", out: freshOut(), secrets: ["CRM_URL"] })
      assert.include(one.warnings[0], "reads the Rules settings CRM_API_KEY (")
      const both = yield* DeployCliExport.write({
        file,
        name: "login",
        out: freshOut(),
        secrets: ["CRM_URL", "CRM_API_KEY"]
      })
      assert.deepStrictEqual(both.warnings, [])
    }))
})

describe("DeployCliExport.write, an Action exported without secrets", () => {
  // A typed rule reads its secrets by name at run time (Secrets.get): the file does not list them. A new user exported
  // an Action that reads TIER_API_URL without any secret and was told nothing.
  it.effect("none exported: a warning that a rule reading one would deny; none once one is exported", () =>
    Effect.gen(function*() {
      const file = join(root, "typed.js")
      writeFileSync(file, code)
      const none = yield* DeployCliExport.write({ file, name: "login", out: freshOut() })
      assert.deepStrictEqual(none.warnings.length, 1)
      assert.include(none.warnings[0], "no secrets are exported for login: once deployed, a rule that reads one")
      assert.include(none.warnings[0], "Export them with --secrets-file <file>")
      const one = yield* DeployCliExport.write({ file, name: "login", out: freshOut(), secrets: ["TIER_API_URL"] })
      assert.deepStrictEqual(one.warnings, [])
    }))
})

describe("DeployCliExport.write, a clone's runtime given by hand", () => {
  // The breaker's finding: the warning came only when export declared the runtime itself.
  it.effect("--dependency @rulefx/action-runtime@0.0.0 is warned of as when it is declared from the file", () =>
    Effect.gen(function*() {
      const file = join(root, "by-hand.js")
      writeFileSync(file, code)
      const report = yield* DeployCliExport.write({
        file,
        name: "login",
        out: freshOut(),
        secrets: ["X"],
        dependencies: [{ name: "@rulefx/action-runtime", version: "0.0.0" }]
      })
      assert.strictEqual(report.warnings.length, 1)
      assert.include(report.warnings[0], "@rulefx/action-runtime@0.0.0 is an unreleased build")
    }))
})

describe("DeployCliExport.write, Auth0's limit on the code", () => {
  it.effect("exactly 100,000 bytes: exported", () =>
    Effect.gen(function*() {
      const out = freshOut()
      yield* DeployCliExport.write({ file: sized("limit.js", 100_000), name: "at-limit", out })
      assert.strictEqual(readFileSync(join(out, "actions", "at-limit", "code.js")).byteLength, 100_000)
    }))

  it.effect("100,001 bytes, as rulefx deploy would refuse: an ExportError, nothing written", () =>
    Effect.gen(function*() {
      const out = freshOut()
      const file = sized("over.js", 100_001)
      const error = yield* Effect.flip(DeployCliExport.write({ file, name: "over", out }))
      assert.strictEqual(error.file, file)
      assert.strictEqual(
        error.problem,
        "100.0 kB (100001 bytes) is over Auth0's limit of 100 kB (100000 bytes) for one Action"
      )
      assert.isFalse(existsSync(out))
    }))

  it.effect("an empty file: an ExportError, nothing written", () =>
    Effect.gen(function*() {
      const out = freshOut()
      const file = join(root, "empty.js")
      writeFileSync(file, " \n")
      const error = yield* Effect.flip(DeployCliExport.write({ file, name: "empty", out }))
      assert.strictEqual(error.problem, "the file is empty")
      assert.isFalse(existsSync(out))
    }))
})

describe("DeployCliExport.write, triggers/triggers.json", () => {
  it.effect("absent and no bind: not created, and a note says why", () =>
    Effect.gen(function*() {
      const out = freshOut()
      const report = yield* DeployCliExport.write({ file: action, name: "seller-login", out })
      assert.isFalse(existsSync(triggersFile(out)))
      assert.isFalse(report.written.includes(triggersFile(out)))
      const note = report.notes.find((n) => n.includes("triggers.json"))
      assert.isDefined(note)
      assert.include(note, `${triggersFile(out)} does not exist and was not created`)
      assert.include(note, "--bind")
    }))

  it.effect("absent with bind: created with our binding only", () =>
    Effect.gen(function*() {
      const out = freshOut()
      const report = yield* DeployCliExport.write({ file: action, name: "seller-login", out, bind: true })
      assert.deepStrictEqual(readJson(triggersFile(out)), { "post-login": [ours] })
      assert.strictEqual(report.written.at(-1), triggersFile(out))
      assert.include(report.notes, "bound to post-login after 0 existing binding(s), kept in order")
    }))

  it.effect("present with other bindings: ours appended, the others kept in order, other triggers untouched", () =>
    Effect.gen(function*() {
      const out = freshOut()
      const before = {
        "credentials-exchange": [{ action_name: "m2m", display_name: "M2M" }],
        "post-login": [
          { action_name: "first", display_name: "First" },
          { action_name: "second", display_name: "Second", extra: 1 }
        ],
        "pre-user-registration": []
      }
      writeTriggers(out, before)
      const report = yield* DeployCliExport.write({ file: action, name: "seller-login", out })
      const after = readJson(triggersFile(out)) as Record<string, unknown>
      assert.deepStrictEqual(after, { ...before, "post-login": [...before["post-login"], ours] })
      assert.deepStrictEqual(Object.keys(after), ["credentials-exchange", "post-login", "pre-user-registration"])
      assert.include(report.written, triggersFile(out))
      assert.include(report.notes, "bound to post-login after 2 existing binding(s), kept in order")
    }))

  it.effect("present without post-login: ours added, other triggers untouched", () =>
    Effect.gen(function*() {
      const out = freshOut()
      const before = { "credentials-exchange": [{ action_name: "m2m", display_name: "M2M" }] }
      writeTriggers(out, before)
      yield* DeployCliExport.write({ file: action, name: "seller-login", out })
      assert.deepStrictEqual(readJson(triggersFile(out)), { ...before, "post-login": [ours] })
    }))

  it.effect("already bound: the bindings are unchanged and no binding note", () =>
    Effect.gen(function*() {
      const out = freshOut()
      const before = {
        "post-login": [
          { action_name: "first", display_name: "First" },
          { action_name: "seller-login", display_name: "Seller login (renamed)" },
          { action_name: "last", display_name: "Last" }
        ]
      }
      writeTriggers(out, before)
      const report = yield* DeployCliExport.write({ file: action, name: "seller-login", out, bind: true })
      assert.deepStrictEqual(readJson(triggersFile(out)), before)
      assert.isFalse(report.notes.some((n) => n.startsWith("bound to post-login")))
    }))

  it.effect("exporting twice binds once", () =>
    Effect.gen(function*() {
      const out = freshOut()
      yield* DeployCliExport.write({ file: action, name: "seller-login", out, bind: true })
      yield* DeployCliExport.write({ file: action, name: "seller-login", out, bind: true })
      assert.deepStrictEqual(readJson(triggersFile(out)), { "post-login": [ours] })
    }))

  it.effect("malformed JSON: an ExportError naming triggers.json, and the file is left as it was", () =>
    Effect.gen(function*() {
      const out = freshOut()
      const text = "{ \"post-login\": [ "
      writeTriggers(out, text)
      const error = yield* Effect.flip(DeployCliExport.write({ file: action, name: "seller-login", out }))
      assert.instanceOf(error, DeployCliExport.ExportError)
      assert.strictEqual(error.file, triggersFile(out))
      assert.strictEqual(error.problem, "is not valid JSON")
      assert.strictEqual(readFileSync(triggersFile(out), "utf8"), text)
    }))

  it.effect("JSON that is not an object: an ExportError", () =>
    Effect.gen(function*() {
      const out = freshOut()
      writeTriggers(out, [{ action_name: "first", display_name: "First" }])
      const error = yield* Effect.flip(DeployCliExport.write({ file: action, name: "seller-login", out }))
      assert.strictEqual(error.file, triggersFile(out))
      assert.strictEqual(error.problem, "is not a JSON object of trigger bindings")
    }))
})
