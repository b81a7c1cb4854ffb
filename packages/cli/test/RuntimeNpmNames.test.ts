/**
 * `--runtime npm` and the names a runtime module exports. Found: a named import the runtime's module does not export
 * (`import { notAThing } from "effect/Effect"`, or a name of the project's newer effect that the runtime's lacks) was a
 * shim's `undefined` when the Action ran, where the bundled build fails (esbuild: "No matching export"), and only the
 * type check, which `rulefx build --no-typecheck` skips, caught it. The runtime's manifest now lists each module's
 * names and the effect it carries; the build refuses such an import (or re-export), and warns when the project's
 * effect is another version than the runtime's. Built against the workspace's runtime (what a build finds when the
 * project has none), or against a fake one (a manifest in a project's node_modules): nothing is packed or installed.
 */
import { assert, describe, it } from "@effect/vitest"
import * as ActionRuntime from "@rulefx/cli/ActionRuntime"
import * as Bundle from "@rulefx/cli/Bundle"
import type * as esbuild from "esbuild"
import { execFile } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"
import { report } from "../src/internal/cli/build.ts"
import { runtimeFolder, timeout, workspace } from "./utils/InstalledRuntime.ts"
import { scratch } from "./utils/Scratch.ts"

const folder = scratch("rulefx-runtime-npm-names-")

/** The workspace's runtime, which a build of a project without one uses. */
const workspaceRuntime = () => ActionRuntime.find([join(workspace, "packages", "cli")])

/** The version of the effect the workspace's runtime is built with. */
const effectVersion = (JSON.parse(
  readFileSync(createRequire(join(runtimeFolder, "package.json")).resolve("effect/package.json"), "utf8")
) as { readonly version: string }).version

/** Writes `files` (name to source) into the scratch folder's `project`; the path of its first file. */
const project = (name: string, files: Readonly<Record<string, string>>): string => {
  const written = Object.entries(files).map(([file, source]) => folder.file(join(name, file), source))
  return written[0]!
}

/** A project's node_modules/<name>, as a package.json (and any other file) of its own. */
const installed = (name: string, pkg: string, files: Readonly<Record<string, unknown>>) => {
  for (const [file, json] of Object.entries(files)) {
    folder.file(join(name, "node_modules", pkg, file), JSON.stringify(json))
  }
}

const build = (entry: string, outfile: string) => Bundle.build({ entry, outfile, runtime: "npm" })

const refused = (promise: Promise<unknown>) => promise.then(() => assert.fail("built"), (e: unknown) => e)

/** `rulefx init`'s tsconfig: its `verbatimModuleSyntax` keeps an import whose names are all `type` ones. */
const initTsconfig = readFileSync(join(workspace, "packages", "cli", "template", "tsconfig.json"), "utf8")

const handler = `export const onExecutePostLogin = async () => {}\n`

describe("the runtime's manifest", () => {
  it("lists each carried module's names, sorted, as the runtime exports them, and the effect it carries", () => {
    const manifest = workspaceRuntime()
    assert.strictEqual(manifest.effect, effectVersion)
    assert.deepStrictEqual(Object.keys(manifest.exports ?? {}).toSorted(), manifest.modules.toSorted())
    const runtime = createRequire(import.meta.url)(join(runtimeFolder, "dist", "index.cjs")) as {
      readonly modules: Readonly<Record<string, object>>
    }
    for (const id of manifest.modules) {
      assert.deepStrictEqual(manifest.exports?.[id], Object.keys(runtime.modules[id]!).toSorted(), id)
    }
    assert.include(manifest.exports?.["effect/Effect"] ?? [], "gen")
    assert.include(manifest.exports?.["@rulefx/core/Rule"] ?? [], "make")
  })
})

describe("a name a runtime module does not export", { timeout }, () => {
  it("a named import is refused before anything is written, naming the file, module, name and versions", async () => {
    const entry = project("named", {
      "src/action.ts": `import { deny } from "./rules.ts"\nexport const onExecutePostLogin = deny\n`,
      // Type-only imports of names no module exports are not refused (they are gone from the build), nor is a name
      // the module exports; a namespace's member the module lacks is (`Opt.nope`, undefined in the Action too).
      "src/rules.ts": `import { gen, notAThing, type NotAType } from "effect/Effect"\n` +
        `import type { AlsoNot } from "effect/Option"\nimport * as Opt from "effect/Option"\n` +
        `export type T = NotAType | AlsoNot\nexport const deny = () => [gen, notAThing, Opt.nope]\n`,
      "tsconfig.json": initTsconfig
    })
    const outfile = join(folder.dir(), "named", "dist", "action.js")
    const error = await refused(build(entry, outfile))
    assert.instanceOf(error, ActionRuntime.NotExported)
    const rules = join(folder.dir(), "named", "src", "rules.ts")
    assert.sameDeepMembers([...error.unexported], [
      { file: rules, module: "effect/Effect", name: "notAThing" },
      { file: rules, module: "effect/Option", name: "nope" }
    ])
    const runtime = workspaceRuntime()
    assert.include(
      error.message,
      `${rules} imports notAThing from effect/Effect; ${rules} imports nope from effect/Option, which ` +
        `@rulefx/action-runtime@${runtime.version} (effect ${effectVersion}) does not export`
    )
    assert.isFalse(existsSync(outfile))
  })

  it("a re-export is refused, of TypeScript (whose types are stripped to tell) and of JavaScript", async () => {
    const entry = project("reexport", {
      "action.ts": `import { make, x } from "./helpers.ts"\nimport { y } from "./more.js"\n` +
        `export const onExecutePostLogin = [make, x, y]\n`,
      "helpers.ts":
        `export { make, notAThing as x } from "@rulefx/core/Rule"\nexport type { Nope } from "effect/Effect"\n`,
      "more.js": `export { alsoNot as y } from "effect/Option"\n`
    })
    const error = await refused(build(entry, join(folder.dir(), "reexport", "action.js")))
    assert.instanceOf(error, ActionRuntime.NotExported)
    assert.sameDeepMembers([...error.unexported], [
      { file: join(folder.dir(), "reexport", "helpers.ts"), module: "@rulefx/core/Rule", name: "notAThing" },
      { file: join(folder.dir(), "reexport", "more.js"), module: "effect/Option", name: "alsoNot" }
    ])
  })

  it("a default import is refused: no module of the runtime has a default export", async () => {
    const entry = project("default", {
      "action.ts": `import Effect from "effect/Effect"\nexport const onExecutePostLogin = () => Effect.void\n`
    })
    const error = await refused(build(entry, join(folder.dir(), "default", "action.js")))
    assert.instanceOf(error, ActionRuntime.NotExported)
    assert.deepStrictEqual(error.unexported.map((u) => `${u.module} ${u.name}`), ["effect/Effect default"])
    assert.include(error.message, "none of its modules has a default export: import * as X from the module")
  })

  it("names the file relative to the working directory, as `rulefx build` run in the project does", async () => {
    project("cli", {
      "src/action.ts": `import { deny } from "./rules.ts"\nexport const onExecutePostLogin = deny\n`,
      "src/rules.ts": `import { notAThing } from "effect/Effect"\nexport const deny = notAThing\n`
    })
    const cwd = join(folder.dir(), "cli")
    const bin = join(workspace, "packages", "cli", "bin", "workspace.js")
    const run = await new Promise<{ readonly code: number | null; readonly output: string }>((resolve) => {
      execFile(
        process.execPath,
        [bin, "build", "src/action.ts", "-o", "dist/action.js", "--runtime", "npm", "--no-typecheck"],
        { cwd, timeout, env: { ...process.env, NO_COLOR: "1" } },
        (error, stdout, stderr) =>
          resolve({
            code: error === null ? 0 : typeof error.code === "number" ? error.code : null,
            output: stdout + stderr
          })
      )
    })
    assert.notStrictEqual(run.code, 0)
    assert.include(
      run.output,
      `src/rules.ts imports notAThing from effect/Effect, which @rulefx/action-runtime@${workspaceRuntime().version} ` +
        `(effect ${effectVersion}) does not export`
    )
    assert.isFalse(existsSync(join(cwd, "dist", "action.js")))
  })

  it("is checked against the installed runtime's names, and not at all with an older manifest that lists none", async () => {
    const manifest = {
      name: ActionRuntime.packageName,
      version: "9.9.9",
      effect: "4.0.0",
      modules: ["effect/Effect"],
      exports: { "effect/Effect": ["succeed"] }
    }
    const pkg = { name: ActionRuntime.packageName, version: "9.9.9" }
    installed("older", ActionRuntime.packageName, { "package.json": pkg, "modules.json": manifest })
    const entry = project("older", {
      "src/action.ts":
        `import { gen, succeed } from "effect/Effect"\nexport const onExecutePostLogin = [gen, succeed]\n`
    })
    const outfile = join(folder.dir(), "older", "dist", "action.js")
    const error = await refused(build(entry, outfile))
    assert.instanceOf(error, ActionRuntime.NotExported)
    assert.include(error.message, `imports gen from effect/Effect, which @rulefx/action-runtime@9.9.9 (effect 4.0.0)`)
    const { effect: _, exports: __, ...older } = manifest
    installed("older", ActionRuntime.packageName, { "modules.json": older })
    const built = await build(entry, outfile)
    assert.deepStrictEqual(built.dependencies, ["@rulefx/action-runtime@9.9.9"])
    assert.isUndefined(built.otherEffect)
  })
})

describe("the project's effect and the runtime's", { timeout }, () => {
  it("another version is a warning naming both; the same version is none", async () => {
    installed("skew", "effect", { "package.json": { name: "effect", version: "4.0.99" } })
    const entry = project("skew", { "src/action.ts": `import * as Effect from "effect/Effect"\n${handler}` })
    const built = await build(entry, join(folder.dir(), "skew", "dist", "action.js"))
    assert.deepStrictEqual(built.otherEffect, {
      project: { name: "effect", version: "4.0.99", folder: join(folder.dir(), "skew") },
      runtime: effectVersion
    })
    const warning = report(built).split("\n").find((line) => line.includes("effect 4.0.99")) ?? ""
    assert.match(warning, /^warning: /)
    assert.include(warning, `carries effect ${effectVersion}`)
    assert.include(
      warning,
      `type-checked (and its tests run) against effect 4.0.99, the Action runs effect ${effectVersion}`
    )
    // A refused name says the project's effect is another.
    folder.file("skew/src/bad.ts", `import { notAThing } from "effect/Effect"\nexport const a = notAThing\n`)
    const error = await refused(
      build(join(folder.dir(), "skew", "src", "bad.ts"), join(folder.dir(), "skew", "bad.js"))
    )
    assert.include(
      String(error),
      `your project has effect 4.0.99, whose types may have names effect ${effectVersion} lacks`
    )

    installed("same", "effect", { "package.json": { name: "effect", version: effectVersion } })
    const same = project("same", { "src/action.ts": `import * as Effect from "effect/Effect"\n${handler}` })
    const sameBuilt = await build(same, join(folder.dir(), "same", "dist", "action.js"))
    assert.isUndefined(sameBuilt.otherEffect)
    assert.notInclude(report(sameBuilt), "carries effect")
  })
})

/** esbuild's error for an import of `name` that `module`'s stub does not export, in `file`. */
const noMatch = (file: string, module: string, name: string): esbuild.Message => ({
  id: "",
  pluginName: "",
  text: `No matching export in "rulefx-runtime:${module}" for import "${name}"`,
  location: { file, namespace: "", line: 1, column: 0, length: 1, lineText: "", suggestion: "" },
  notes: [],
  detail: undefined
})

describe("ActionRuntime.unexportedIn", () => {
  it("reads esbuild's errors on the stubs, once each, the file relative to the working directory inside it", () => {
    const found = ActionRuntime.unexportedIn([
      noMatch("src/rules.ts", "effect/Effect", "notAThing"),
      noMatch("src/rules.ts", "effect/Effect", "notAThing"),
      noMatch("../elsewhere/a.ts", "@rulefx/core/Rule", "default"),
      { ...noMatch("src/x.ts", "effect/Effect", "x"), text: `No matching export in "src/y.ts" for import "x"` }
    ], "/p/project")
    assert.deepStrictEqual(found, [
      { file: "src/rules.ts", module: "effect/Effect", name: "notAThing" },
      { file: "/p/elsewhere/a.ts", module: "@rulefx/core/Rule", name: "default" }
    ])
  })
})
