/**
 * The packed packages, as a user gets them: publint (strict, suggestions included) and arethetypeswrong (every
 * public module as an entrypoint; the ESM-only profile, since effect 4 and these packages are ESM only) find
 * nothing, and each tarball holds what its manifest promises.
 */
import { assert, describe, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { promisify } from "node:util"
import { publint } from "publint"
import { formatMessage } from "publint/utils"
import { inject } from "vitest"
import * as Packed from "./utils/Packed.ts"

const packed = inject("packed")
const workspace = new URL("../../", import.meta.url).pathname

interface Manifest {
  readonly name: string
  readonly version: string
  readonly exports: Readonly<Record<string, unknown>>
  readonly bin?: Readonly<Record<string, string>>
  readonly dependencies?: Readonly<Record<string, string>>
  readonly peerDependencies?: Readonly<Record<string, string>>
  readonly publishConfig?: Readonly<Record<string, unknown>>
  readonly [key: string]: unknown
}

const files = async (tarball: string): Promise<ReadonlyArray<string>> =>
  (await promisify(execFile)("tar", ["-tzf", tarball])).stdout.split("\n").filter((line) => line !== "")

const manifestOf = async (tarball: string): Promise<Manifest> =>
  JSON.parse((await promisify(execFile)("tar", ["-xzOf", tarball, "package/package.json"])).stdout) as Manifest

/** The public modules: `./X` for every dist module the `./*` export serves (internal ones are blocked). */
const entrypoints = (list: ReadonlyArray<string>, manifest: Manifest): ReadonlyArray<string> => {
  const pattern = (manifest.exports["./*"] as { readonly default: string }).default
  const folder = `package/${pattern.slice(2, pattern.indexOf("*"))}`
  return list
    .filter((file) => file.startsWith(folder) && file.endsWith(".js") && !file.slice(folder.length).includes("/"))
    .map((file) => `./${file.slice(folder.length, -".js".length)}`)
    .filter((entry) => entry !== "./index")
}

interface AttwResult {
  readonly problems: Readonly<Record<string, ReadonlyArray<{ readonly resolutionKind?: string }>>>
}

// The ESM-only profile leaves out node10 and require() from CommonJS, which ESM-only packages do not serve.
const ignoredResolutions = new Set(["node10", "node16-cjs"])

// The library packages (ES modules with their types and sources); the runtime, one prebuilt CommonJS file, below.
const libraries = packed.filter((pkg) => pkg.folder !== Packed.runtimeFolder)

describe.each(libraries)("$name, packed", (pkg) => {
  it("publint, strict, finds nothing", async () => {
    const data = readFileSync(pkg.tarball)
    const { messages, pkg: manifest } = await publint({
      pack: { tarball: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) },
      level: "suggestion",
      strict: true
    })
    assert.deepStrictEqual(messages.map((message) => formatMessage(message, manifest) ?? message.code), [])
  }, 60_000)

  it("arethetypeswrong finds no problem in any public module", async () => {
    const list = await files(pkg.tarball)
    const entries = entrypoints(list, await manifestOf(pkg.tarball))
    assert.isAbove(entries.length, 0)
    const attw = join(workspace, "node_modules", ".bin", "attw")
    const args = [pkg.tarball, "--profile", "esm-only", "--format", "json", "--include-entrypoints", ...entries]
    const { stdout } = await promisify(execFile)(attw, args, { maxBuffer: 64 * 1024 * 1024 }).catch(
      (error: { readonly stdout: string; readonly code: number }) => {
        throw new Error(`attw exited ${error.code}: ${error.stdout.slice(0, 4000)}`)
      }
    )
    const result = JSON.parse(stdout) as AttwResult
    const problems = Object.values(result.problems).flat().filter((problem) =>
      !ignoredResolutions.has(problem.resolutionKind ?? "")
    )
    assert.deepStrictEqual(problems, [])
  }, 120_000)

  it(
    "holds its README, LICENSE, dist and sources; exports point at dist with types first; versions are resolved",
    async () => {
      const list = await files(pkg.tarball)
      const manifest = await manifestOf(pkg.tarball)
      for (const file of ["package/package.json", "package/README.md", "package/LICENSE"]) assert.include(list, file)
      assert.isTrue(list.includes("package/dist/index.js") || list.includes("package/dist/src/index.js"))
      for (const file of list) {
        assert.match(file, /^package\/(dist\/|src\/|bin\/|template\/|package\.json$|README\.md$|LICENSE$)/)
      }
      // rulefx init's project ships with the CLI, and only with it.
      if (pkg.name === "@rulefx/cli") assert.include(list, "package/template/src/action.ts")
      else assert.notInclude(list.join("\n"), "package/template/")
      assert.notInclude(list.join("\n"), ".tsbuildinfo")
      for (const [subpath, target] of Object.entries(manifest.exports)) {
        if (target === null || typeof target === "string") continue
        const conditions = target as Readonly<Record<string, string>>
        assert.deepStrictEqual(Object.keys(conditions), ["types", "default"], subpath)
        for (const file of Object.values(conditions)) assert.match(file, /^\.\/dist\//, subpath)
      }
      assert.isNull(manifest.exports["./internal/*"])
      assert.deepStrictEqual(manifest.publishConfig, { access: "public", provenance: true })
      const specifiers = JSON.stringify([manifest.dependencies, manifest.peerDependencies])
      assert.notMatch(specifiers, /workspace:|catalog:/)
      assert.strictEqual(manifest.peerDependencies?.["effect"], "^4.1.0")
      assert.isUndefined(manifest.dependencies?.["effect"])
      // What an Action bundles takes caret ranges: an exact pin next to a user's own other version (valibot 1.4 in
      // the project, 1.5 pinned here) would put two copies into the Action. The CLI's own are never bundled.
      if (pkg.name !== "@rulefx/cli") {
        for (const [dependency, range] of Object.entries(manifest.dependencies ?? {})) {
          assert.match(range, /^\^\d/, `${pkg.name}: ${dependency}@${range}`)
        }
      }
      for (const shared of ["valibot", "@standard-schema/spec"]) {
        const range = manifest.dependencies?.[shared]
        if (range !== undefined) assert.match(range, /^\^1\.\d+\.\d+$/, `${pkg.name}: ${shared}@${range}`)
      }
      assert.strictEqual(manifest.license, "MIT")
      assert.deepStrictEqual(manifest.repository, {
        type: "git",
        url: "git+https://github.com/rulefx/rulefx.git",
        directory: pkg.folder.slice(workspace.length).replace(/\/$/, "")
      })
    },
    60_000
  )
})

describe("@rulefx/action-runtime, packed", () => {
  it("holds the runtime's files, each export's target, and nothing to install with it", async () => {
    const runtime = packed.find((pkg) => pkg.folder === Packed.runtimeFolder)
    assert.isDefined(runtime)
    const list = await files(runtime.tarball)
    const manifest = await manifestOf(runtime.tarball)
    for (
      const target of Object.values(manifest.exports).flatMap((t) =>
        typeof t === "string" ? [t] : Object.values(t as object)
      )
    ) {
      assert.include(list, `package/${String(target).slice(2)}`)
    }
    assert.include(list, "package/dist/modules.json")
    // An Action dependency: everything it runs is in its files.
    assert.isUndefined(manifest.dependencies)
    assert.isUndefined(manifest.peerDependencies)
    assert.deepStrictEqual(manifest.publishConfig, { access: "public", provenance: true })
  }, 60_000)
})

describe("@rulefx/cli's bin", () => {
  it("is compiled JavaScript with a shebang, in the tarball", async () => {
    const cli = packed.find((pkg) => pkg.name === "@rulefx/cli")
    assert.isDefined(cli)
    const manifest = await manifestOf(cli.tarball)
    assert.deepStrictEqual(manifest.bin, { rulefx: "./dist/bin/rulefx.js" })
    // The workspace's bin (the TypeScript sources, Node 22.18) is not what a user installs.
    assert.notInclude(await files(cli.tarball), "package/bin/workspace.js")
    const bin = (await promisify(execFile)("tar", ["-xzOf", cli.tarball, "package/dist/bin/rulefx.js"])).stdout
    assert.match(bin, /^#!\/usr\/bin\/env node\n/)
    assert.include(bin, `import("../src/Cli.js")`)
  })

  it.each(["18.20.8", "20.17.0"])(
    "on Node %s, says it needs 20.18 and exits 1 before loading anything",
    async (version) => {
      const cli = packed.find((pkg) => pkg.name === "@rulefx/cli")
      assert.isDefined(cli)
      const bin = join(cli.folder, "dist", "bin", "rulefx.js")
      // The version Node reports, replaced before the bin runs: the check is all that reads it.
      const fake = `data:text/javascript,Object.defineProperty(process.versions, "node", { value: "${version}" })`
      const ran = await promisify(execFile)(process.execPath, ["--import", fake, bin, "--help"]).then(
        () => ({ code: 0, stderr: "" }),
        (error: { readonly code: number; readonly stderr: string }) => error
      )
      assert.strictEqual(ran.code, 1)
      assert.strictEqual(
        ran.stderr,
        `rulefx needs Node.js 20.18 or newer; this is Node.js ${version}. Install a newer Node.js (Auth0 Actions run ` +
          "Node 22) and run rulefx again.\n"
      )
    }
  )
})
