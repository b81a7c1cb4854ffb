/**
 * Attacks on `--runtime npm`: an Action built against an npm-installed @rulefx/action-runtime (InstalledRuntime: packed
 * and installed with npm into a lone folder, as Auth0 installs it) must deny what its bundled build denies, run on one
 * copy of effect, refuse a runtime that is not the one it was built against, and get exactly the dependency it needs
 * declared by deploy and export (ActionDependencies.declare, which both use), within Auth0's 10.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as ActionDependencies from "@rulefx/cli/ActionDependencies"
import * as ActionRuntime from "@rulefx/cli/ActionRuntime"
import * as Bundle from "@rulefx/cli/Bundle"
import * as DeployCliExport from "@rulefx/cli/DeployCliExport"
import * as Events from "@rulefx/testing/Events"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as Effect from "effect/Effect"
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as InstalledRuntime from "./utils/InstalledRuntime.ts"

const { timeout, workspace } = InstalledRuntime

let root = ""
let lone = ""
let installed: ActionRuntime.Manifest

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "rulefx-runtime-break-"))
  ;({ lone, manifest: installed } = InstalledRuntime.install(root))
}, timeout)

afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

/** rulefx's packages and effect resolve from the CLI's folder, as from a project's. */
const cli = join(workspace, "packages", "cli")

/** An entry of its own, built bundled and against the installed runtime; both files written into `lone`. */
const buildBoth = async (name: string, source: string) => {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  const entry = join(dir, "action.ts")
  writeFileSync(entry, source)
  const bundled = join(lone, `${name}-bundled.js`)
  const npm = join(lone, `${name}-npm.js`)
  await Bundle.build({ entry, outfile: bundled, resolveFrom: [cli] })
  await Bundle.build({ entry, outfile: npm, runtime: "npm", resolveFrom: [lone, cli] })
  return { bundled, npm }
}

type Handler = (event: unknown, api: RecordingApi.RecordingApi) => Promise<void>

/** One login through a built file, loaded with plain `require` as Auth0 does: denied (with why), allowed or rejected. */
const login = async (file: string): Promise<string> => {
  const handler = (createRequire(file)(file) as { readonly onExecutePostLogin: Handler }).onExecutePostLogin
  const api = RecordingApi.make()
  try {
    await handler(Events.postLogin(), api)
  } catch (e) {
    return `rejected: ${String(e)}`
  }
  const denied = api.summary().denied
  return denied === undefined ? "allowed" : `denied: ${denied}`
}

const declared = (file: string, given: ReadonlyArray<ActionDependencies.Dependency> = []) =>
  Effect.runPromise(Effect.result(ActionDependencies.declare(file, readFileSync(file, "utf8"), given)))

/** effect's own files, imported by path rather than by package name. */
const effectDist = join(workspace, "node_modules", "effect", "dist")

const denyingRule = (effectImport: string) =>
  `import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"\n` +
  `import * as Denial from "@rulefx/core/Denial"\n` +
  `import * as Pipeline from "@rulefx/core/Pipeline"\n` +
  `import * as Rule from "@rulefx/core/Rule"\n` +
  `import * as Layer from "effect/Layer"\n` +
  `import * as E from ${JSON.stringify(effectImport)}\n` +
  `class Nope extends Denial.Class("Nope")<{}> { override get message() { return "nope" } }\n` +
  `const pipeline = Pipeline.make({ facts: [], rules: [Rule.make("nope", E.fail(new Nope()))] })\n` +
  `export const onExecutePostLogin = PostLogin.make(pipeline, Layer.empty)\n`

describe("a login --runtime npm lets through", { timeout }, () => {
  it("is denied as in the bundled build when a rule denies (effect imported by name)", async () => {
    const { bundled, npm } = await buildBoth("deny", denyingRule("effect/Effect"))
    assert.strictEqual(await login(bundled), "denied: nope")
    assert.strictEqual(await login(npm), "denied: nope")
  })

  it("is never allowed when a rule imports effect by path: bundled it is denied, with npm it is not built", async () => {
    const built = await buildBoth("by-path", denyingRule(join(effectDist, "Effect.js"))).then(
      () => "built",
      (e: unknown) => String(e)
    )
    assert.include(built, "a second copy beside @rulefx/action-runtime@")
    assert.strictEqual(await login(join(lone, "by-path-bundled.js")), "denied: nope")
  })
})

describe("two copies of effect", { timeout }, () => {
  // Found by the review: an import of effect's files by path (`.../node_modules/effect/dist/Effect.js`, or an npm
  // alias of effect) is not `effect/...` to the plugin, so --runtime npm bundled a second copy of effect into the
  // Action's code beside the runtime's, silently. The build now refuses any file of a package the runtime carries.
  it("refuses to build an Action that would bundle effect beside the runtime's", async () => {
    const error = await buildBoth("second-copy", denyingRule(join(effectDist, "Effect.js"))).then(
      () => undefined,
      (e: unknown) => e
    )
    assert.instanceOf(error, Error)
    assert.include((error as Error).message, "a second copy beside @rulefx/action-runtime@")
    assert.include((error as Error).message, "(effect)")
  })
})

/** The installed runtime copied into `folder`, each of its files edited by `edit` (same name, same version). */
const tamperedRuntime = (folder: string, edit: string) => {
  const target = join(folder, "node_modules", "@rulefx", "action-runtime")
  cpSync(join(lone, "node_modules", "@rulefx", "action-runtime"), target, { recursive: true, dereference: true })
  for (const file of ["index.cjs", "lean.cjs", "post-login.cjs"]) {
    const entry = join(target, "dist", file)
    writeFileSync(entry, `${readFileSync(entry, "utf8")}\n${edit}\n`)
  }
}

describe("a runtime other than the one built against", { timeout }, () => {
  it("refuses, at load, a runtime of another version", async () => {
    const { npm } = await buildBoth("other-version", denyingRule("effect/Effect"))
    const other = join(root, "other-version-runtime")
    tamperedRuntime(other, `module.exports = { ...module.exports, version: "0.0.0-other" }`)
    writeFileSync(join(other, "action.js"), readFileSync(npm))
    assert.throws(
      () => createRequire(join(other, "action.js"))(join(other, "action.js")),
      `was built against @rulefx/action-runtime@${installed.version} and loads 0.0.0-other`
    )
  })

  // Was a finding: such a runtime loaded without a word, the shim exporting `undefined`, and the Action failed later
  // with a TypeError that did not name the module (`D.Class is not a function`).
  it("refuses, at load and naming it, a runtime of the same version without a module the Action imports", async () => {
    const { npm } = await buildBoth("missing-module", denyingRule("effect/Effect"))
    const other = join(root, "missing-module-runtime")
    // The map is frozen (a delete would do nothing): the runtime's exports are replaced by a copy without the module.
    tamperedRuntime(
      other,
      `module.exports = { ...module.exports, modules: Object.fromEntries(Object.entries(module.exports.modules)` +
        `.filter(([id]) => id !== "@rulefx/core/Denial")) }`
    )
    writeFileSync(join(other, "action.js"), readFileSync(npm))
    assert.throws(
      () => createRequire(join(other, "action.js"))(join(other, "action.js")),
      /@rulefx\/core\/Denial/
    )
  })
})

const spoof = (version: string) =>
  `export const onExecutePostLogin = async (_event: unknown, api: { access: { deny: (s: string) => void } }) => {\n` +
  `  api.access.deny(${JSON.stringify(`rulefx:requires @rulefx/action-runtime@${version}`)})\n}\n`

describe("the dependency deploy and export declare", { timeout }, () => {
  it("is the runtime at the version built against, once, for an npm build", async () => {
    const { bundled, npm } = await buildBoth("plain", denyingRule("effect/Effect"))
    const fromNpm = await declared(npm)
    assert.isTrue(fromNpm._tag === "Success")
    if (fromNpm._tag === "Success") {
      assert.deepStrictEqual(fromNpm.success.dependencies, [{
        name: ActionRuntime.packageName,
        version: installed.version
      }])
    }
    const fromBundled = await declared(bundled)
    assert.isTrue(fromBundled._tag === "Success")
    if (fromBundled._tag === "Success") assert.deepStrictEqual(fromBundled.success.dependencies, [])
  })

  it("a look-alike marker of another version in the user's code is not a marker: the real one is declared", async () => {
    const { npm } = await buildBoth(
      "two-markers",
      `${denyingRule("effect/Effect")}export const note = ${
        JSON.stringify("rulefx:requires @rulefx/action-runtime@6.6.6")
      }\n`
    )
    const result = await declared(npm)
    assert.isTrue(result._tag === "Success")
    if (result._tag === "Success") {
      assert.deepStrictEqual(result.success.dependencies, [{
        name: "@rulefx/action-runtime",
        version: installed.version
      }])
    }
  })

  // Found by the review: a file built bundled (it needs no runtime) whose code held the marker's text, here a user's
  // string, got `@rulefx/action-runtime@6.6.6` declared by deploy and export. The marker now counts only as the
  // shim's version check uses it, in a file that requires the runtime.
  it("declares nothing for a bundled file whose code holds the marker's text", async () => {
    const { bundled } = await buildBoth("spoof-bundled", spoof("6.6.6"))
    assert.strictEqual(await login(bundled), "denied: rulefx:requires @rulefx/action-runtime@6.6.6")
    const result = await declared(bundled)
    assert.isTrue(result._tag === "Success")
    if (result._tag === "Success") assert.deepStrictEqual(result.success.dependencies, [])
  })
})

/** `n` dependencies other than the runtime. */
const others = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `pkg-${i}`, version: "1.0.0" }))

describe("Auth0's 10 dependencies", { timeout }, () => {
  it("refuses 10 given with the runtime added, and export writes nothing", async () => {
    const { npm } = await buildBoth("ten", denyingRule("effect/Effect"))
    const result = await declared(npm, others(10))
    assert.isTrue(result._tag === "Failure")
    if (result._tag === "Failure") assert.include(result.failure.message, "11 dependencies")
    const out = join(root, "ten-export")
    const exported = await Effect.runPromise(
      Effect.result(DeployCliExport.write({ file: npm, name: "ten", out, dependencies: others(10) }))
    )
    assert.isTrue(exported._tag === "Failure")
    assert.throws(() => readFileSync(join(out, "actions", "ten.json")))
  })

  it("counts the runtime given twice at its version as two", async () => {
    const { npm } = await buildBoth("twice", denyingRule("effect/Effect"))
    const runtime = { name: ActionRuntime.packageName, version: installed.version }
    const result = await declared(npm, [...others(9), runtime, runtime])
    assert.isTrue(result._tag === "Failure")
  })

  it("accepts 9 given and the runtime: 10", async () => {
    const { npm } = await buildBoth("nine", denyingRule("effect/Effect"))
    const result = await declared(npm, others(9))
    assert.isTrue(result._tag === "Success")
    if (result._tag === "Success") assert.strictEqual(result.success.dependencies.length, 10)
  })
})
