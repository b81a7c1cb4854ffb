/**
 * `runtime: "npm"` proved the way Auth0 runs it (issue 10, item 2): @rulefx/action-runtime packed as it is published
 * (pnpm pack) and installed from its tarball with npm into a lone folder (no workspace above it, no network: it has
 * no dependencies), the seed Action built against it into that folder and loaded with plain `require` on this Node
 * 22, then bench/equivalence.ts's 24 logins run through it and through the bundled seed Action, each against its own
 * fake seller API on 127.0.0.1: the same api calls, in order, and the same seller requests. The legacy-rules example,
 * migrated both ways (`Migrate.migrate(..., { runtime: "npm" })` into the same folder), gives the same api calls for
 * each of its events, on execute and on continue.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as ActionRuntime from "@rulefx/cli/ActionRuntime"
import * as Bundle from "@rulefx/cli/Bundle"
import * as Migrate from "@rulefx/cli/Migrate"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as Effect from "effect/Effect"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { compare, load } from "../../../bench/equivalence.ts"
import * as InstalledRuntime from "./utils/InstalledRuntime.ts"

const { runtimeFolder, timeout, workspace } = InstalledRuntime
const seedEntry = join(workspace, "examples", "seller-login", "src", "action.ts")

let root = ""
/** The lone folder: the Action's code beside node_modules/@rulefx/action-runtime, installed by npm. */
let lone = ""
let installed: ActionRuntime.Manifest
let npmReport: Bundle.Report
let bundledFile = ""

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "rulefx-action-runtime-"))
  ;({ lone, manifest: installed } = InstalledRuntime.install(root))
  npmReport = await Bundle.build({
    entry: seedEntry,
    outfile: join(lone, "action.js"),
    runtime: "npm",
    resolveFrom: [lone]
  })
  bundledFile = join(root, "bundled", "action.js")
  await Bundle.build({ entry: seedEntry, outfile: bundledFile })
}, timeout)

afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

describe("the seed Action on an npm-installed @rulefx/action-runtime", { timeout }, () => {
  it("is built against the installed runtime, which has no dependencies, and records the version it needs", () => {
    const manifest = JSON.parse(
      readFileSync(join(lone, "node_modules", "@rulefx", "action-runtime", "package.json"), "utf8")
    ) as { readonly version: string; readonly dependencies?: unknown }
    assert.isUndefined(manifest.dependencies)
    assert.deepStrictEqual(readdirSync(join(lone, "node_modules")).toSorted(), [".package-lock.json", "@rulefx"])
    assert.strictEqual(installed.version, manifest.version)
    assert.deepStrictEqual(npmReport.dependencies, [`@rulefx/action-runtime@${manifest.version}`])
    assert.include(installed.modules, "effect/Effect")
    assert.include(installed.modules, "@rulefx/adapter-auth0/PostLogin")
    assert.notInclude(installed.modules, "effect/Schema")
  })

  it("holds the Action's own code only: no effect, nothing required but the runtime", () => {
    const code = readFileSync(npmReport.outfile, "utf8")
    assert.isBelow(npmReport.bytes, 4000)
    // Its post-login file: the seed imports nothing else. The whole runtime only when the installed one has none.
    assert.deepStrictEqual(
      [...new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]))],
      ["@rulefx/action-runtime/post-login", "@rulefx/action-runtime"]
    )
    assert.notInclude(code, "effect/dist")
    // The marker deploy and export read the dependency from survives minification.
    assert.deepStrictEqual(ActionRuntime.requiredBy(code), [installed.version])
  })

  it("runs the 24 equivalence logins with the same api calls, in order, as the bundled Action", async () => {
    assert.strictEqual(process.versions.node.split(".")[0], "22")
    const comparison = await compare([
      { name: "bundled", handler: load(bundledFile) },
      { name: "npm runtime", handler: load(npmReport.outfile) }
    ])
    assert.strictEqual(comparison.rows.length, 24)
    assert.deepStrictEqual(
      comparison.rows.filter((row) => !row.same[0]).map((row) => row.who),
      []
    )
    // The logins do different things: some are allowed with claims, some denied.
    const outcomes = new Set(comparison.rows.map((row) => row.outcome.split(":")[0]?.split(",")[0]))
    assert.deepStrictEqual([...outcomes].toSorted(), ["allowed", "denied"])
    // The Action ran on the runtime installed beside it, the one copy of effect it has: its post-login file.
    const required = Object.keys(createRequire(import.meta.url).cache)
    assert.include(required, InstalledRuntime.postLoginIn(lone))
  })

  it("refuses to load on another version of the runtime, naming both", () => {
    const other = join(root, "other")
    mkdirSync(join(other, "node_modules", "@rulefx", "action-runtime"), { recursive: true })
    // A runtime without a lean file, as published before it had one: the Action falls back to its main file.
    writeFileSync(
      join(other, "node_modules", "@rulefx", "action-runtime", "package.json"),
      JSON.stringify({ name: "@rulefx/action-runtime", version: "9.9.9", exports: { ".": "./index.js" } })
    )
    writeFileSync(
      join(other, "node_modules", "@rulefx", "action-runtime", "index.js"),
      `exports.version = "9.9.9"; exports.modules = {}`
    )
    writeFileSync(join(other, "action.js"), readFileSync(npmReport.outfile))
    assert.throws(
      () => createRequire(join(other, "action.js"))(join(other, "action.js")),
      `this Action was built against @rulefx/action-runtime@${installed.version} and loads 9.9.9`
    )
  })
})

/** An entry of its own in the temporary folder. */
const entry = (name: string, source: string) => {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, "action.ts"), source)
  return { entry: join(dir, "action.ts"), outfile: join(dir, "dist", "action.js") }
}

describe("Bundle.build with runtime npm", { timeout }, () => {
  it("fails naming each module the runtime does not carry, and its version; writes nothing", async () => {
    const paths = entry(
      "missing",
      `import * as Schema from "effect/Schema"\nimport * as Effect from "effect/Effect"\n` +
        `import * as Events from "@rulefx/testing/Events"\nexport const x = [Schema, Effect, Events]\n`
    )
    const error = await Bundle.build({ ...paths, runtime: "npm", resolveFrom: [lone] }).then(
      () => assert.fail("built"),
      (e: unknown) => e
    )
    assert.instanceOf(error, ActionRuntime.NotInRuntime)
    assert.deepStrictEqual(error.missing.map((m) => m.module), ["effect/Schema", "@rulefx/testing/Events"])
    assert.strictEqual(error.version, installed.version)
    assert.include(error.message, `effect/Schema (imported by ${paths.entry})`)
    assert.include(error.message, `not in @rulefx/action-runtime ${installed.version}`)
    assert.isFalse(existsSync(paths.outfile))
  })

  it("bundles valibot, which needs no single copy, into the Action's code: the runtime does not carry it", async () => {
    assert.notInclude(installed.modules, "valibot")
    const paths = entry(
      "valibot",
      `import * as v from "valibot"\nimport * as Effect from "effect/Effect"\n` +
        `export const check = (u: unknown) => Effect.runSync(Effect.succeed(v.is(v.pipe(v.string(), v.email()), u)))\n`
    )
    // valibot from core's node_modules (a dev dependency there), as a project's own would be.
    const core = fileURLToPath(new URL("../../core", import.meta.url))
    await Bundle.build({ ...paths, runtime: "npm", resolveFrom: [lone, core] })
    const file = join(lone, "valibot-action.js")
    writeFileSync(file, readFileSync(paths.outfile))
    const action = createRequire(file)(file) as { readonly check: (u: unknown) => boolean }
    assert.isTrue(action.check("ada@shop.example"))
    assert.isFalse(action.check("not an email"))
    assert.isFalse(action.check(7))
  })

  it("loads the whole runtime, not its lean file, for an Action that imports a module only the whole carries", async () => {
    assert.include(installed.modules, "effect/Array")
    assert.isDefined(installed.lean)
    assert.notInclude(installed.lean ?? [], "effect/Array")
    assert.include(installed.lean ?? [], "effect/Effect")
    const paths = entry(
      "whole",
      `import * as Arr from "effect/Array"\nimport * as Effect from "effect/Effect"\n` +
        `export const range = () => Effect.runSync(Effect.succeed(Arr.range(1, 3)))\n`
    )
    const report = await Bundle.build({
      ...paths,
      outfile: join(lone, "whole.js"),
      runtime: "npm",
      resolveFrom: [lone]
    })
    const code = readFileSync(report.outfile, "utf8")
    assert.deepStrictEqual([...new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))], [
      "@rulefx/action-runtime"
    ])
    assert.deepStrictEqual(ActionRuntime.requiredBy(code), [installed.version])
    const action = createRequire(report.outfile)(report.outfile) as { readonly range: () => ReadonlyArray<number> }
    assert.deepStrictEqual(action.range(), [1, 2, 3])
    assert.include(Object.keys(createRequire(import.meta.url).cache), InstalledRuntime.entryIn(lone))
  })

  it("loads the lean file, not the post-login one, for an Action that imports another trigger's module", async () => {
    assert.isDefined(installed.postLogin)
    assert.include(installed.lean ?? [], "@rulefx/adapter-auth0/PostChangePassword")
    assert.notInclude(installed.postLogin ?? [], "@rulefx/adapter-auth0/PostChangePassword")
    assert.include(installed.postLogin ?? [], "@rulefx/adapter-auth0/PostLogin")
    // Every module of the post-login file is in the lean file: an Action loads one of them, whichever it is.
    assert.deepStrictEqual((installed.postLogin ?? []).filter((id) => !(installed.lean ?? []).includes(id)), [])
    const paths = entry(
      "other-trigger",
      `import * as PostChangePassword from "@rulefx/adapter-auth0/PostChangePassword"\n` +
        `export const made = typeof PostChangePassword.make\n`
    )
    const report = await Bundle.build({
      ...paths,
      outfile: join(lone, "other-trigger.js"),
      runtime: "npm",
      resolveFrom: [lone]
    })
    const code = readFileSync(report.outfile, "utf8")
    assert.deepStrictEqual([...new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))], [
      "@rulefx/action-runtime/lean",
      "@rulefx/action-runtime"
    ])
    const action = createRequire(report.outfile)(report.outfile) as { readonly made: string }
    assert.strictEqual(action.made, "function")
    assert.include(Object.keys(createRequire(import.meta.url).cache), InstalledRuntime.leanIn(lone))
  })

  it("loads the whole runtime for an Action whose code requires the runtime itself: one copy, and not the lean file", async () => {
    const paths = entry(
      "direct",
      `// @ts-ignore: the runtime has no types for this use\nimport * as Runtime from "@rulefx/action-runtime"\n` +
        `import * as Effect from "effect/Effect"\n` +
        `export const same = () => Effect.runSync(Effect.succeed(Runtime.modules["effect/Effect"] !== undefined))\n`
    )
    const report = await Bundle.build({
      ...paths,
      outfile: join(lone, "direct.js"),
      runtime: "npm",
      resolveFrom: [lone]
    })
    const code = readFileSync(report.outfile, "utf8")
    assert.deepStrictEqual([...new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))], [
      "@rulefx/action-runtime"
    ])
    const action = createRequire(report.outfile)(report.outfile) as { readonly same: () => boolean }
    assert.isTrue(action.same())
    // The lean and post-login files are the build's choice, not modules user code imports.
    for (const part of ["lean", "post-login"]) {
      const paths = entry(part, `import * as Part from "@rulefx/action-runtime/${part}"\nexport const x = Part\n`)
      // oxlint-disable-next-line no-await-in-loop
      const error = await Bundle.build({ ...paths, runtime: "npm", resolveFrom: [lone] }).then(
        () => assert.fail("built"),
        (e: unknown) => e
      )
      assert.instanceOf(error, ActionRuntime.NotInRuntime)
      assert.deepStrictEqual(error.missing.map((m) => m.module), [`@rulefx/action-runtime/${part}`])
    }
  })

  it("built with rulefx's own runtime when the project has none: the report says so, for a warning", async () => {
    const paths = entry("uninstalled", `import * as Effect from "effect/Effect"\nexport const x = Effect.void\n`)
    const own = await Bundle.build({ ...paths, runtime: "npm" })
    assert.isDefined(own.runtimeNotInProject)
    assert.notInclude(own.runtimeNotInProject!, lone)
    const project = await Bundle.build({ ...paths, runtime: "npm", resolveFrom: [lone] })
    assert.isUndefined(project.runtimeNotInProject)
  })

  it("says where it looked when the runtime is not installed", () => {
    const nowhere = [join(root, "nowhere"), join(root, "pack")]
    assert.throws(() => ActionRuntime.find(nowhere), ActionRuntime.RuntimeNotInstalled)
    assert.throws(
      () => ActionRuntime.find(nowhere),
      `--runtime npm builds against @rulefx/action-runtime, which is not installed in ${nowhere.join(" nor in ")}`
    )
  })

  // Every Action in a process that requires the runtime shares its map (the breaker's finding: one could replace a
  // module for the others).
  it("gives a frozen map of modules, in each of its files", () => {
    for (
      const file of [InstalledRuntime.entryIn(lone), InstalledRuntime.leanIn(lone), InstalledRuntime.postLoginIn(lone)]
    ) {
      const runtime = createRequire(file)(file) as { readonly modules: Record<string, unknown> }
      assert.isTrue(Object.isFrozen(runtime.modules), file)
      // Test files are ES modules, strict: the assignment throws.
      assert.throws(() => {
        runtime.modules["@rulefx/core/Rule"] = {}
      })
    }
  })

  // A default import reads the module's own default export, which none of them has: the build refuses one, as the
  // bundled build does, and a namespace's `default` member too (RuntimeNpmNames.test.ts), so it is read here by
  // Reflect.get, which no build checks.
  it("gives every module's namespace with exactly its own exports, and no default", async () => {
    const imports = installed.modules.map((id, i) => `import * as m${i} from ${JSON.stringify(id)}`).join("\n")
    const paths = entry(
      "namespaces",
      `${imports}\n` +
        `export const keys = {${installed.modules.map((id, i) => `${JSON.stringify(id)}: Object.keys(m${i})`)}}\n` +
        `export const defaults = [${installed.modules.map((_, i) => `Reflect.get(m${i}, "default")`)}]\n`
    )
    // Beside the installed runtime, as an Action runs.
    const report = await Bundle.build({
      entry: paths.entry,
      outfile: join(lone, "namespaces.js"),
      runtime: "npm",
      resolveFrom: [lone]
    })
    const loaded = createRequire(report.outfile)(report.outfile) as {
      readonly keys: Readonly<Record<string, ReadonlyArray<string>>>
      readonly defaults: ReadonlyArray<unknown>
    }
    assert.deepStrictEqual(loaded.defaults, installed.modules.map(() => undefined))
    // Each module itself, resolved where the runtime's build resolves it.
    const resolveAsRuntime = createRequire(join(runtimeFolder, "package.json")).resolve
    const different: Array<string> = []
    for (const id of installed.modules) {
      // oxlint-disable-next-line no-await-in-loop
      const own = Object.keys(await import(pathToFileURL(resolveAsRuntime(id)).href)).toSorted()
      if (JSON.stringify(own) !== JSON.stringify([...(loaded.keys[id] ?? [])].toSorted())) different.push(id)
    }
    assert.deepStrictEqual(different, [])
  })
})

/** The legacy-rules example's Action, migrated: both handlers. */
type LegacyHandler = (event: unknown, api: RecordingApi.RecordingApi) => Promise<void>
interface LegacyAction {
  readonly onExecutePostLogin: LegacyHandler
  readonly onContinuePostLogin: LegacyHandler
}
const example = join(workspace, "examples", "legacy-rules")

const migrated = async (outfile: string, runtime: "bundled" | "npm") => {
  const { report } = await Effect.runPromise(Migrate.migrate(join(example, "rules"), outfile, { runtime }))
  return { report, action: createRequire(outfile)(outfile) as LegacyAction }
}

const calls = async (handler: LegacyHandler, event: unknown) => {
  const api = RecordingApi.make()
  await handler(event, api)
  return api.calls
}

describe("the legacy-rules example migrated with runtime npm", { timeout }, () => {
  it("runs each of its events (and a continue) with the same api calls, in order, as the bundled migration", async () => {
    const bundled = await migrated(join(root, "legacy-bundled", "action.js"), "bundled")
    const npm = await migrated(join(lone, "legacy.js"), "npm")
    assert.deepStrictEqual(npm.report.dependencies, [`@rulefx/action-runtime@${installed.version}`])
    assert.isBelow(npm.report.bytes, bundled.report.bytes / 2)
    const events = readdirSync(join(example, "events")).filter((name) => name.endsWith(".json")).toSorted()
    assert.isAtLeast(events.length, 5)
    const log = console.log
    // The rules log their denials; the comparison is about api calls.
    console.log = () => undefined
    try {
      const seen: Array<string> = []
      for (const name of events) {
        const event = JSON.parse(readFileSync(join(example, "events", name), "utf8")) as unknown
        // In turn, the bundled Action first, so that each login sees the same state (the rules read the clock).
        // oxlint-disable-next-line no-await-in-loop
        const expected = await calls(bundled.action.onExecutePostLogin, event)
        // oxlint-disable-next-line no-await-in-loop
        const actual = await calls(npm.action.onExecutePostLogin, event)
        assert.deepStrictEqual(actual, expected, name)
        seen.push(expected.length === 0 ? "nothing" : expected.map((c) => c.method).join(","))
        // oxlint-disable-next-line no-await-in-loop
        const resumed = await calls(bundled.action.onContinuePostLogin, event)
        // oxlint-disable-next-line no-await-in-loop
        const resumedNpm = await calls(npm.action.onContinuePostLogin, event)
        assert.deepStrictEqual(resumedNpm, resumed, `${name}, continued`)
      }
      // The events do different things: the comparison is not of empty call lists only.
      assert.isAbove(new Set(seen).size, 2, seen.join("; "))
    } finally {
      console.log = log
    }
  })
})
