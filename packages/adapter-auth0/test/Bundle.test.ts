import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Bundle from "@rulefx/adapter-auth0/Bundle"
import type { Handler } from "@rulefx/adapter-auth0/PostLogin"
import * as RecordingApi from "@rulefx/adapter-auth0/RecordingApi"
import { genericMessage } from "@rulefx/core/Denial"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { minimalEvent } from "./utils/Events.ts"
import { captureLogs } from "./utils/Logs.ts"

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

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "rulefx-bundle-"))
})

afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

describe("Bundle.build", () => {
  let report: Bundle.Report
  let outfile = ""

  beforeAll(async () => {
    const paths = project("ok")
    outfile = paths.outfile
    report = await Bundle.build(paths)
  })

  it("writes one file and reports its size against the default budget, Auth0's 100 kB", () => {
    assert.strictEqual(report.outfile, outfile)
    assert.strictEqual(report.bytes, statSync(outfile).size)
    assert.strictEqual(report.budget, Bundle.auth0Limit)
    assert.strictEqual(Bundle.auth0Limit, 100 * 1024)
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
    const { lines } = await captureLogs(() => mod.onExecutePostLogin(null, denied))
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

  it("over the budget: rejects with OverBudget naming the largest contributors, and still writes the file", async () => {
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
    assert.isTrue(existsSync(paths.outfile))
    assert.strictEqual(statSync(paths.outfile).size, error.report.bytes)
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
  it("kB with one decimal, 1 kB = 1024 bytes", () => {
    assert.strictEqual(Bundle.formatBytes(0), "0.0 kB")
    assert.strictEqual(Bundle.formatBytes(1536), "1.5 kB")
    assert.strictEqual(Bundle.formatBytes(100 * 1024), "100.0 kB")
  })
})
