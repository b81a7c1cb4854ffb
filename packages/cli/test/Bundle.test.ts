import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import type { Handler } from "@rulefx/adapter-auth0/PostLogin"
import * as Bundle from "@rulefx/cli/Bundle"
import { genericMessage } from "@rulefx/core/Denial"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { minimalEvent } from "./utils/Seed.ts"

const require = createRequire(import.meta.url)

// The entry lives outside the workspace, so its imports are resolved here, from this package, to absolute paths.
const from = (specifier: string) => JSON.stringify(require.resolve(specifier))

const entrySource = `
import * as PostLogin from ${from("@rulefx/adapter-auth0/PostLogin")}
import * as Decision from ${from("@rulefx/core/Decision")}
import { Login } from ${from("@rulefx/core/Login")}
import * as Pipeline from ${from("@rulefx/core/Pipeline")}
import * as Rule from ${from("@rulefx/core/Rule")}
import * as Effect from ${from("effect/Effect")}
import * as Layer from ${from("effect/Layer")}

const tiny = Rule.make(
  "tiny",
  Effect.flatMap(Login, (login) => Decision.setIdTokenClaim("https://example.com/user", login.user.id))
)

export const onExecutePostLogin = PostLogin.make(Pipeline.make({ facts: [], rules: [tiny] }), Layer.empty)
`

let root = ""

// A project of "type": "module" around the output: without the package.json the build writes beside it, Node would
// load the .js file as ESM and `require` would fail.
const project = (name: string) => {
  const dir = join(root, name)
  mkdirSync(join(dir, "dist"), { recursive: true })
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }))
  const entry = join(dir, "action.ts")
  writeFileSync(entry, entrySource)
  return { entry, outfile: join(dir, "dist", "action.js") }
}

/** An esbuild build takes 0.1 to 1 s on a quiet machine, many times that on a loaded 2-core one. */
const buildTimeout = 30_000

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "rulefx-bundle-"))
})

afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

describe("Bundle.build", { timeout: buildTimeout }, () => {
  let report: Bundle.Report
  let outfile = ""

  beforeAll(async () => {
    const paths = project("ok")
    outfile = paths.outfile
    report = await Bundle.build(paths)
  }, buildTimeout)

  it("writes one file and reports its size against the default budget, Auth0's 100 kB", () => {
    assert.strictEqual(report.outfile, outfile)
    assert.strictEqual(report.bytes, statSync(outfile).size)
    assert.strictEqual(report.budget, Bundle.auth0Limit)
    assert.strictEqual(Bundle.auth0Limit, 100_000)
    assert.isAbove(report.bytes, 1000)
    assert.isBelow(report.bytes, report.budget)
  })

  it("bundles effect and the workspace packages in: nothing but Node built-ins is required at run time", () => {
    const text = readFileSync(outfile, "utf8")
    assert.notMatch(text, /require\(["'](?:effect|@rulefx|valibot)/)
    assert.notInclude(text, "import ")
    for (const [, name] of text.matchAll(/require\(["']([^"']+)["']\)/g)) {
      assert.isTrue(name !== undefined && (name.startsWith("node:") || !name.includes("/")), `requires ${name}`)
    }
  })

  it("keeps a regex with a Unicode property escape a literal (Node 22 has them), so an unused one is dropped", async () => {
    // valibot (the event decoder's) defines an emoji regex that nothing here uses; as `new RegExp(...)` it would stay.
    assert.notInclude(readFileSync(outfile, "utf8"), "Emoji_Presentation")
    const dir = join(root, "property-escape")
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, "action.ts"), `export const isWord = (s: string): boolean => /^\\p{L}+$/u.test(s)\n`)
    const built = join(dir, "dist", "action.js")
    await Bundle.build({ entry: join(dir, "action.ts"), outfile: built })
    assert.include(readFileSync(built, "utf8"), "/^\\p{L}+$/u")
    const { isWord } = createRequire(built)(built) as { readonly isWord: (s: string) => boolean }
    assert.isTrue(isWord("Zoë"))
    assert.isFalse(isWord("Zoë!"))
  })

  it("writes {\"type\": \"commonjs\"} beside the output", () => {
    const file = join(outfile, "..", "package.json")
    assert.deepStrictEqual(JSON.parse(readFileSync(file, "utf8")), { type: "commonjs" })
  })

  it("reports the largest contributors, biggest first, at most ten, within the file's size", () => {
    const { contributors } = report
    assert.isAbove(contributors.length, 0)
    assert.isAtMost(contributors.length, 10)
    for (let i = 1; i < contributors.length; i++) {
      assert.isAtLeast(contributors[i - 1]!.bytes, contributors[i]!.bytes)
    }
    for (const c of contributors) {
      assert.isAbove(c.bytes, 0)
      assert.isAbove(c.path.length, 0)
    }
    assert.isAtMost(contributors.reduce((sum, c) => sum + c.bytes, 0), report.bytes)
    assert.isTrue(contributors.some((c) => c.path.startsWith("effect/")), contributors.map((c) => c.path).join(", "))
  })

  it("the file loads with require inside an ESM project and its handler works", async () => {
    const mod = createRequire(outfile)(outfile) as { readonly onExecutePostLogin: Handler }
    assert.strictEqual(typeof mod.onExecutePostLogin, "function")
    const allowed = RecordingApi.make()
    await mod.onExecutePostLogin(minimalEvent({ userId: "auth0|bundled" }), allowed)
    assert.deepStrictEqual(allowed.calls, [
      { method: "idToken.setCustomClaim", args: ["https://example.com/user", "auth0|bundled"] }
    ])
    const denied = RecordingApi.make()
    const { lines } = await LogCapture.around(() => mod.onExecutePostLogin(null, denied))
    assert.deepStrictEqual(denied.calls, [{ method: "access.deny", args: [genericMessage] }])
    assert.isTrue(lines.some((line) => line.startsWith("rulefx ERROR")), lines.join("\n"))
  })

  it("an existing package.json beside the output is left alone", async () => {
    const paths = project("keep")
    const own = { type: "commonjs", name: "my-action" }
    writeFileSync(join(paths.outfile, "..", "package.json"), JSON.stringify(own))
    await Bundle.build(paths)
    assert.deepStrictEqual(JSON.parse(readFileSync(join(paths.outfile, "..", "package.json"), "utf8")), own)
  })

  it("over the budget: rejects with OverBudget naming the largest contributors, and writes nothing", async () => {
    const paths = project("over")
    const error = await Bundle.build({ ...paths, budget: 1024 }).then(
      () => assert.fail("expected OverBudget"),
      (e: unknown) => e
    )
    assert.instanceOf(error, Bundle.OverBudget)
    if (!(error instanceof Bundle.OverBudget)) return
    assert.strictEqual(error.report.budget, 1024)
    assert.isAbove(error.report.bytes, 1024)
    assert.include(error.message, "over the budget of 1.0 kB")
    assert.include(error.message, Bundle.formatBytes(error.report.bytes))
    for (const c of error.report.contributors.slice(0, 5)) assert.include(error.message, c.path)
    assert.deepStrictEqual(readdirSync(dirname(paths.outfile)), [])
  })

  it("outside a \"type\": \"module\" project no package.json is written (the file is CommonJS there already)", async () => {
    // A package.json dropped into /tmp or a home folder would change how Node and npm treat everything below it.
    const dir = join(root, "plain")
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "plain" }))
    writeFileSync(join(dir, "action.ts"), entrySource)
    const outfile = join(dir, "out", "action.js")
    await Bundle.build({ entry: join(dir, "action.ts"), outfile })
    assert.deepStrictEqual(readdirSync(dirname(outfile)), ["action.js"])
    const mod = createRequire(outfile)(outfile) as { readonly onExecutePostLogin: unknown }
    assert.strictEqual(typeof mod.onExecutePostLogin, "function")
  })

  it("an output that is one of the Action's own sources: rejects, and the source is left as it was", async () => {
    // esbuild refuses to overwrite the entry, but not a source the entry imports, such as a JavaScript module.
    const paths = project("own-source")
    const imported = join(dirname(paths.entry), "claim.js")
    const claim = `export const claim = "https://example.com/user"\n`
    writeFileSync(imported, claim)
    writeFileSync(paths.entry, `import { claim } from "./claim.js"\nexport const used = claim\n${entrySource}`)
    const error = await Bundle.build({ entry: paths.entry, outfile: imported }).then(() => undefined, (e) => e)
    assert.instanceOf(error, Error)
    assert.include(String(error), "is one of the Action's own sources")
    assert.strictEqual(readFileSync(imported, "utf8"), claim)
    assert.deepStrictEqual(readdirSync(dirname(paths.entry)).toSorted(), [
      "action.ts",
      "claim.js",
      "dist",
      "package.json"
    ])
  })

  it("an output that is not a .js or .cjs file (tsconfig.json, a .ts source, a folder name): rejects, writes nothing", async () => {
    const paths = project("not-js")
    const config = join(dirname(paths.entry), "tsconfig.json")
    writeFileSync(config, "{}")
    const outfiles = [config, join(dirname(paths.entry), "rules.ts"), join(dirname(paths.entry), "dist")]
    const errors = await Promise.all(
      outfiles.map((outfile) => Bundle.build({ entry: paths.entry, outfile }).then(() => undefined, (e: unknown) => e))
    )
    for (const error of errors) {
      assert.instanceOf(error, Error)
      assert.include(String(error), "written to a .js (or .cjs) file")
    }
    assert.strictEqual(readFileSync(config, "utf8"), "{}")
    assert.isFalse(existsSync(join(dirname(paths.entry), "rules.ts")))
  })

  it("an entry that does not exist: rejects", async () => {
    const dir = join(root, "missing")
    mkdirSync(dir, { recursive: true })
    const rejected = await Bundle.build({ entry: join(dir, "nope.ts"), outfile: join(dir, "out.js") }).then(
      () => false,
      () => true
    )
    assert.isTrue(rejected)
  })
})

describe("Bundle.formatBytes", () => {
  it("kB with one decimal, 1 kB = 1000 bytes (Auth0's 100 kB read strictly)", () => {
    assert.strictEqual(Bundle.formatBytes(0), "0.0 kB")
    assert.strictEqual(Bundle.formatBytes(1500), "1.5 kB")
    assert.strictEqual(Bundle.formatBytes(100_000), "100.0 kB")
    assert.strictEqual(Bundle.formatBytes(102_400), "102.4 kB")
  })
})

describe("Bundle.build, the output directory", { timeout: buildTimeout }, () => {
  it("is created when missing, with the package.json beside the file", async () => {
    const paths = project("nested")
    const outfile = join(root, "nested", "out", "deeper", "still", "action.js")
    const report = await Bundle.build({ entry: paths.entry, outfile })
    assert.strictEqual(statSync(outfile).size, report.bytes)
    assert.deepStrictEqual(JSON.parse(readFileSync(join(outfile, "..", "package.json"), "utf8")), { type: "commonjs" })
  })

  it("a failed build (over budget, an esbuild error) leaves the earlier good file as it was, and no temporary file", async () => {
    const paths = project("keep-good")
    await Bundle.build(paths)
    const good = readFileSync(paths.outfile)
    const before = readdirSync(dirname(paths.outfile)).toSorted()
    const over = await Bundle.build({ ...paths, budget: 1000 }).then(() => undefined, (e: unknown) => e)
    assert.instanceOf(over, Bundle.OverBudget)
    writeFileSync(
      paths.entry,
      `${entrySource}
export const broken = (
`
    )
    const syntax = await Bundle.build(paths).then(() => undefined, (e: unknown) => e)
    assert.instanceOf(syntax, Error)
    assert.include(String(syntax), "action.ts")
    assert.deepStrictEqual(readFileSync(paths.outfile), good)
    assert.deepStrictEqual(readdirSync(dirname(paths.outfile)).toSorted(), before)
  })

  it("a failed build into a folder that does not exist does not create it", async () => {
    const paths = project("no-folder")
    const outfile = join(root, "no-folder", "never", "action.js")
    const error = await Bundle.build({ entry: paths.entry, outfile, budget: 1000 }).then(() => undefined, (e) => e)
    assert.instanceOf(error, Bundle.OverBudget)
    assert.isFalse(existsSync(join(root, "no-folder", "never")))
  })
})

describe("Bundle.build, source maps", () => {
  let paths = { entry: "", outfile: "" }
  let report: Bundle.Report

  beforeAll(async () => {
    paths = project("mapped")
    report = await Bundle.build({ ...paths, sourcemap: true })
  })

  it("writes <file>.map beside the file, mapping to the sources, stamped with the file's hash", () => {
    assert.strictEqual(report.sourcemap, `${paths.outfile}.map`)
    const map = JSON.parse(readFileSync(`${paths.outfile}.map`, "utf8")) as Record<string, unknown>
    assert.strictEqual(map["version"], 3)
    const sources = (map["sources"] as Array<string>).map((s) => resolve(dirname(paths.outfile), s))
    assert.include(sources, paths.entry)
    assert.strictEqual(map[Bundle.sourceMapHashField], Bundle.contentHash(readFileSync(paths.outfile)))
  })

  it("the file does not point at the map (what is deployed is the file alone), and its size is the file's", () => {
    const code = readFileSync(paths.outfile, "utf8")
    assert.notInclude(code, "sourceMappingURL")
    assert.strictEqual(report.bytes, Buffer.byteLength(code))
  })

  it("without sourcemap, no map is written", async () => {
    const plain = project("unmapped")
    const built = await Bundle.build(plain)
    assert.isUndefined(built.sourcemap)
    assert.isFalse(existsSync(`${plain.outfile}.map`))
  })
})

describe("Bundle.build, one copy of effect and of each rulefx package", () => {
  it("two copies of a @rulefx package (one nested in a dependency): rejects naming both folders, writes nothing", async () => {
    const dir = projectAt("two-cores", {
      "package.json": JSON.stringify({ name: "two-cores", type: "module" }),
      ...fakePackage("@rulefx/core", `exports.a = 1`),
      ...fakePackage("dep", `exports.b = require("@rulefx/core").a + 1`),
      ...Object.fromEntries(
        Object.entries(fakePackage("@rulefx/core", `exports.a = 2`)).map((
          [path, text]
        ) => [`node_modules/dep/${path}`, text])
      ),
      "src/action.ts":
        `import { a } from "@rulefx/core"\nimport { b } from "dep"\nexport const onExecutePostLogin = async () => a + b\n`
    })
    const outfile = join(dir, "dist", "action.js")
    const error = await Bundle.build({ entry: join(dir, "src", "action.ts"), outfile }).then(() => undefined, (e) => e)
    assert.instanceOf(error, Bundle.DuplicatePackages)
    if (!(error instanceof Bundle.DuplicatePackages)) return
    const first = join(dir, "node_modules", "@rulefx", "core")
    const second = join(dir, "node_modules", "dep", "node_modules", "@rulefx", "core")
    assert.deepStrictEqual(error.duplicates.map(({ folders, name }) => ({ name, folders })), [
      { name: "@rulefx/core", folders: [first, second].toSorted() }
    ])
    assert.include(error.message, "two copies of @rulefx/core")
    assert.include(error.message, first)
    assert.include(error.message, second)
    assert.isFalse(existsSync(join(dir, "dist")))
  })

  it("a second copy of effect that the one-effect rule cannot redirect (a vendored copy): rejects naming both", async () => {
    const dir = projectAt("vendored-effect", {
      "package.json": JSON.stringify({ name: "vendored-effect", type: "module" }),
      ...fakePackage("effect", marker("installed"), { "./Marker": "./Marker.js", "./package.json": "./package.json" }),
      "vendor/effect/package.json": JSON.stringify({ name: "effect", version: "0.0.0-vendored" }),
      "vendor/effect/Marker.js": marker("vendored"),
      "src/action.ts": `import * as A from "effect/Marker"\nimport * as B from "../vendor/effect/Marker.js"\n` +
        `export const both = [A, B]\n`
    })
    const error = await Bundle.build({ entry: join(dir, "src", "action.ts"), outfile: join(dir, "dist", "a.js") }).then(
      () => undefined,
      (e) => e
    )
    assert.instanceOf(error, Bundle.DuplicatePackages)
    assert.include(String(error), join(dir, "node_modules", "effect"))
    assert.include(String(error), join(dir, "vendor", "effect"))
  })

  it("two copies of any other package (valibot 1.4 and 1.5): built, with a warning naming both folders and sizes", async () => {
    const dir = projectAt("two-valibots", {
      "package.json": JSON.stringify({ name: "two-valibots", type: "module" }),
      ...versioned("valibot", "1.4.0", `exports.check = (x) => typeof x === "string" && "one-four"`),
      ...versioned("@acme/rules", "1.0.0", `exports.rule = require("valibot").check`),
      ...versioned(
        "valibot",
        "1.5.0",
        `exports.check = (x) => typeof x === "number" && "one-five"`,
        "node_modules/@acme/rules/"
      ),
      "src/action.ts": `import { check } from "valibot"
import { rule } from "@acme/rules"
` +
        `export const both = [check("a"), rule(1)]
`
    })
    const outfile = join(dir, "dist", "action.js")
    const report = await Bundle.build({ entry: join(dir, "src", "action.ts"), outfile })
    assert.deepStrictEqual(load(outfile)["both"], ["one-four", "one-five"])
    const first = join(dir, "node_modules", "@acme", "rules", "node_modules", "valibot")
    const second = join(dir, "node_modules", "valibot")
    assert.deepStrictEqual(report.packages?.toSorted(), ["@acme/rules", "valibot"])
    assert.strictEqual(report.duplicates.length, 1)
    const [valibot] = report.duplicates
    assert.strictEqual(valibot!.name, "valibot")
    assert.deepStrictEqual(valibot!.folders, [first, second])
    assert.deepStrictEqual(valibot!.copies.map((c) => c.version), ["1.5.0", "1.4.0"])
    for (const copy of valibot!.copies) assert.isAbove(copy.bytes, 0)
    assert.match(
      Bundle.describeDuplicate(valibot!),
      new RegExp(
        `^valibot is bundled twice: ${escape(first)} \\(1\\.5\\.0, 0\\.\\d kB\\) and ${escape(second)} ` +
          `\\(1\\.4\\.0, 0\\.\\d kB\\)\\. One version everywhere bundles one copy \\(\`npm ls valibot\` or ` +
          `\`pnpm why valibot\` shows who brings each\\)$`
      )
    )
  })

  it("one copy reached through two paths is one copy", async () => {
    const dir = projectAt("one-core", {
      "package.json": JSON.stringify({ name: "one-core", type: "module" }),
      ...fakePackage("@rulefx/core", `exports.a = 1`),
      ...fakePackage("dep", `exports.b = require("@rulefx/core").a + 1`),
      "src/action.ts": `import { a } from "@rulefx/core"\nimport { b } from "dep"\nexport const sum = a + b\n`
    })
    const outfile = join(dir, "dist", "action.js")
    const report = await Bundle.build({ entry: join(dir, "src", "action.ts"), outfile })
    assert.strictEqual(load(outfile)["sum"], 3)
    // The npm packages bundled, for a refusal's --external: not rulefx's own (nor effect).
    assert.deepStrictEqual(report.packages, ["dep"])
  })
})

/** Writes `files` (paths relative to `dir`). */
const writeTree = (dir: string, files: Readonly<Record<string, string>>) => {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
}

/** A package in `node_modules` of `dir` whose main module is `source`. */
const fakePackage = (
  name: string,
  source: string,
  exports: Readonly<Record<string, string>> = { ".": "./index.js" }
) => ({
  [`node_modules/${name}/package.json`]: JSON.stringify({ name, version: "1.0.0", exports }),
  ...Object.fromEntries(
    Object.values(exports).filter((file) => file !== "./package.json").map((file) => [
      `node_modules/${name}/${file.slice(2)}`,
      source
    ])
  )
})

// The entry is written into a folder of its own, as migrate writes its generated entry into a temporary folder:
// nothing it requires by name can be found from there.
const entryAt = (name: string, source: string) => {
  const dir = join(root, "outside", name)
  writeTree(dir, { "entry.cjs": source })
  return join(dir, "entry.cjs")
}

const projectAt = (name: string, files: Readonly<Record<string, string>>) => {
  const dir = join(root, "projects", name)
  writeTree(dir, files)
  return dir
}

const load = (file: string) => createRequire(file)(file) as Record<string, unknown>

/** A package of one file at a version, installed under `at` (a folder inside the project, or the project itself). */
const versioned = (name: string, version: string, source: string, at = "") => ({
  [`${at}node_modules/${name}/package.json`]: JSON.stringify({ name, version, main: "index.js" }),
  [`${at}node_modules/${name}/index.js`]: source
})

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** A module that says which copy of a package it is. */
const marker = (copy: string) => `module.exports = { copy: ${JSON.stringify(copy)} }`

describe("Bundle.build, an entry outside any project (resolveFrom)", { timeout: buildTimeout }, () => {
  it("without resolveFrom, a package the entry requires is not found", async () => {
    const entry = entryAt("alone", `module.exports = require("@rulefx/legacy-rules/LegacyRule")`)
    const error = await Bundle.build({ entry, outfile: join(root, "outside", "alone", "dist", "action.js") }).then(
      () => undefined,
      (e: unknown) => e
    )
    assert.instanceOf(error, Error)
    assert.include(String(error), "@rulefx/legacy-rules/LegacyRule")
  })

  it("resolves the entry's packages from the first folder that has them, in order", async () => {
    const first = projectAt("first", fakePackage("pick", `module.exports = "first"`))
    const second = projectAt("second", {
      ...fakePackage("pick", `module.exports = "second"`),
      ...fakePackage("only-second", `module.exports = "only in second"`)
    })
    const entry = entryAt("ordered", `module.exports = { pick: require("pick"), other: require("only-second") }`)
    const outfile = join(root, "outside", "ordered", "dist", "action.js")
    await Bundle.build({ entry, outfile, resolveFrom: [join(root, "projects", "none"), first, second] })
    assert.deepStrictEqual({ ...load(outfile) }, { pick: "first", other: "only in second" })
  })

  it("finds rulefx's runtime from this package's dependencies, and its modules work", async () => {
    const cli = fileURLToPath(new URL("..", import.meta.url))
    const entry = entryAt(
      "runtime",
      `const LegacyRule = require("@rulefx/legacy-rules/LegacyRule")\n` +
        `module.exports = { rule: LegacyRule.make("r", function () { return function (u, c, cb) { cb(null, u, c) } }) }`
    )
    const outfile = join(root, "outside", "runtime", "dist", "action.js")
    const built = await Bundle.build({ entry, outfile, resolveFrom: [cli] })
    assert.strictEqual((load(outfile)["rule"] as { readonly name: string }).name, "r")
    assert.isTrue(built.contributors.some((c) => c.path.startsWith("effect/")))
  })

  it("every import of effect gets one copy, from the first folder that has effect", async () => {
    // A project with its own effect, and a dependency that brings a second copy: the bundle holds the project's.
    const project = projectAt("two-effects", {
      ...fakePackage("effect", marker("project"), { "./Marker": "./Marker.js", "./package.json": "./package.json" }),
      ...fakePackage("dep", `module.exports = require("effect/Marker")`),
      ...Object.fromEntries(
        Object.entries(fakePackage("effect", marker("nested"), { "./Marker": "./Marker.js" })).map((
          [path, text]
        ) => [`node_modules/dep/${path}`, text])
      )
    })
    const entry = entryAt(
      "one-effect",
      `const a = require("effect/Marker")\nconst b = require("dep")\n` +
        `module.exports = { same: a === b, a: a.copy, b: b.copy }`
    )
    const outfile = join(root, "outside", "one-effect", "dist", "action.js")
    await Bundle.build({ entry, outfile, resolveFrom: [project] })
    assert.deepStrictEqual({ ...load(outfile) }, { same: true, a: "project", b: "project" })
  })
})

// The same small Action written with three import styles. Its rule lives in a second file, so rewriting is shown to
// apply to every source file, not only the entry. The entries are written inside this package (test/.tmp-*), where
// "effect" and "@rulefx/core" resolve by name as they do in a user's project.
const importStyles = {
  barrel: `import { Effect, type Layer as L, pipe } from "effect"`,
  deep: `import * as Effect from "effect/Effect"\nimport { pipe } from "effect/Function"`,
  namespace: `import * as E from "effect"\nconst { Effect, pipe } = E`
} as const

const ruleSource = (imports: string) =>
  `${imports}
import * as Decision from "@rulefx/core/Decision"
import { Login } from "@rulefx/core/Login"
import * as Rule from "@rulefx/core/Rule"

export const tiny = Rule.make(
  "tiny",
  pipe(Login, Effect.flatMap((login) => Decision.setIdTokenClaim("https://example.com/user", login.user.id)))
)
`

const actionSource = (imports: string) =>
  `${imports}
import * as Pipeline from "@rulefx/core/Pipeline"
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import { tiny } from "./rule.ts"

export const onExecutePostLogin = PostLogin.make(Pipeline.make({ facts: [], rules: [tiny] }), Layer.empty)
`

const layerImports = {
  barrel: `import { Layer } from "effect"`,
  deep: `import * as Layer from "effect/Layer"`,
  namespace: `import * as E from "effect"\nconst { Layer } = E`
} as const

describe("Bundle.build, imports from the \"effect\" barrel", () => {
  let workspaceTmp = ""
  const entries: Record<string, string> = {}
  const reports: Record<string, Bundle.Report> = {}

  const buildStyle = async (style: keyof typeof importStyles, label: string, rewriteBarrelImports?: boolean) => {
    const outfile = join(root, "styles", label, "action.js")
    reports[label] = await Bundle.build({
      entry: entries[style]!,
      outfile,
      // The barrel-imported builds can exceed Auth0's limit; only their sizes matter here.
      budget: 10 * 1024 * 1024,
      ...(rewriteBarrelImports === undefined ? {} : { rewriteBarrelImports })
    })
  }

  beforeAll(async () => {
    workspaceTmp = mkdtempSync(join(fileURLToPath(new URL(".", import.meta.url)), ".tmp-"))
    for (const style of ["barrel", "deep", "namespace"] as const) {
      const dir = join(workspaceTmp, style)
      mkdirSync(dir)
      writeFileSync(join(dir, "rule.ts"), ruleSource(importStyles[style]))
      entries[style] = join(dir, "action.ts")
      writeFileSync(entries[style], actionSource(layerImports[style]))
    }
    await buildStyle("deep", "deep")
    await buildStyle("barrel", "barrel")
    await buildStyle("barrel", "barrel-unrewritten", false)
    await buildStyle("namespace", "namespace")
  }, 60_000)

  afterAll(() => {
    if (workspaceTmp !== "") rmSync(workspaceTmp, { recursive: true, force: true })
  })

  it("named barrel imports, rewritten, build as small as deep imports (within 2%)", () => {
    const deep = reports["deep"]!.bytes
    const barrel = reports["barrel"]!.bytes
    assert.isBelow(Math.abs(barrel - deep) / deep, 0.02, `barrel ${barrel} bytes, deep ${deep} bytes`)
    assert.deepStrictEqual(reports["barrel"]!.barrelImportsLeft, [])
    assert.deepStrictEqual(reports["deep"]!.barrelImportsLeft, [])
  })

  it("without the rewrite (rewriteBarrelImports: false) the same Action is much larger (> 1.3x)", () => {
    const deep = reports["deep"]!.bytes
    const unrewritten = reports["barrel-unrewritten"]!.bytes
    assert.isAbove(unrewritten / deep, 1.3, `unrewritten ${unrewritten} bytes, deep ${deep} bytes`)
    assert.deepStrictEqual(reports["barrel-unrewritten"]!.barrelImportsLeft, [])
  })

  it("import * as E from \"effect\" cannot be rewritten: the files are listed in barrelImportsLeft", () => {
    const left = reports["namespace"]!.barrelImportsLeft
    const dir = join(workspaceTmp, "namespace")
    assert.deepStrictEqual([...left].toSorted(), [join(dir, "action.ts"), join(dir, "rule.ts")])
    assert.isAbove(reports["namespace"]!.bytes / reports["deep"]!.bytes, 1.3)
  })

  it("every build works: the rewritten imports bind the same functions", async () => {
    const labels = ["deep", "barrel", "barrel-unrewritten", "namespace"]
    const runs = labels.map(async (label) => {
      const outfile = reports[label]!.outfile
      const mod = createRequire(outfile)(outfile) as { readonly onExecutePostLogin: Handler }
      const api = RecordingApi.make()
      await mod.onExecutePostLogin(minimalEvent({ userId: `auth0|${label}` }), api)
      return api.calls
    })
    const calls = await Promise.all(runs)
    assert.deepStrictEqual(
      calls,
      labels.map((label) => [
        { method: "idToken.setCustomClaim", args: ["https://example.com/user", `auth0|${label}`] }
      ])
    )
  })
})

describe("Bundle.rewriteBarrelImports", () => {
  // Shaped as the plugin reads effect's barrel: namespaces, and plain functions re-exported from Function.
  const map = new Map([
    ["Effect", { module: "effect/Effect", namespace: true }],
    ["Layer", { module: "effect/Layer", namespace: true }],
    ["Schema", { module: "effect/Schema", namespace: true }],
    ["Function", { module: "effect/Function", namespace: true }],
    ["pipe", { module: "effect/Function", namespace: false }],
    ["identity", { module: "effect/Function", namespace: false }]
  ])

  const rewrite = (source: string) => Bundle.rewriteBarrelImports(source, map)

  it("namespaces become `import * as` from their module", () => {
    assert.deepStrictEqual(rewrite(`import { Effect, Layer } from "effect";\nEffect.void`), {
      code: `import * as Effect from "effect/Effect"; import * as Layer from "effect/Layer";\nEffect.void`,
      complete: true
    })
  })

  it("pipe and the other plain functions come from effect/Function", () => {
    assert.deepStrictEqual(rewrite(`import { pipe, identity, Function } from "effect"`), {
      code: `import { pipe as pipe } from "effect/Function"; import { identity as identity } from "effect/Function"; ` +
        `import * as Function from "effect/Function";`,
      complete: true
    })
  })

  it("aliases keep their local names", () => {
    assert.deepStrictEqual(rewrite(`import { Effect as E, pipe as p } from "effect"`), {
      code: `import * as E from "effect/Effect"; import { pipe as p } from "effect/Function";`,
      complete: true
    })
  })

  it("inline `type X` names are dropped; `import type { ... }` is removed", () => {
    assert.deepStrictEqual(rewrite(`import { Effect, type Layer, type Schema as S } from "effect"`), {
      code: `import * as Effect from "effect/Effect";`,
      complete: true
    })
    assert.deepStrictEqual(rewrite(`import type { Effect, Layer } from "effect";\nconst x = 1`), {
      code: "\nconst x = 1",
      complete: true
    })
  })

  it("an import of inline types only disappears and is not reported as left over", () => {
    assert.deepStrictEqual(rewrite(`import { type Layer } from "effect"`), { code: "", complete: true })
  })

  it("multi-line lists, single quotes, trailing commas and no semicolon", () => {
    assert.deepStrictEqual(rewrite(`import {\n  Effect,\n  Layer as L,\n} from 'effect'\nL.empty`), {
      code: `import * as Effect from "effect/Effect"; import * as L from "effect/Layer";\nL.empty`,
      complete: true
    })
  })

  it("unknown names stay in a residual barrel import, and the rewrite is not complete", () => {
    assert.deepStrictEqual(rewrite(`import { Effect, Nope, Other as O } from "effect"`), {
      code: `import * as Effect from "effect/Effect"; import { Nope, Other as O } from "effect";`,
      complete: false
    })
    assert.deepStrictEqual(rewrite(`import { Nope } from "effect"`), {
      code: `import { Nope } from "effect";`,
      complete: false
    })
  })

  it("`import * as E from \"effect\"` and re-exports from the barrel are left as they are, not complete", () => {
    for (const source of [`import * as E from "effect"`, `export { Effect } from "effect"`, `export * from "effect"`]) {
      assert.deepStrictEqual(rewrite(source), { code: source, complete: false }, source)
    }
  })

  it("deep imports and other packages are untouched, and complete", () => {
    const source = [
      `import * as Effect from "effect/Effect"`,
      `import { pipe } from "effect/Function"`,
      `import { Command } from "effect/cli"`,
      `import { NodeRuntime } from "@effect/platform-node"`,
      `import { thing } from "effect-extra"`,
      `const s = "effect"`
    ].join("\n")
    assert.deepStrictEqual(rewrite(source), { code: source, complete: true })
  })

  it("every barrel import in a file is rewritten, the rest of the source kept", () => {
    const source =
      `// header\nimport { Effect } from "effect"\nconst a = 1\nimport { Layer, pipe } from "effect"\nexport { a }\n`
    assert.deepStrictEqual(rewrite(source), {
      code: `// header\nimport * as Effect from "effect/Effect";\nconst a = 1\n` +
        `import * as Layer from "effect/Layer"; import { pipe as pipe } from "effect/Function";\nexport { a }\n`,
      complete: true
    })
  })
})
