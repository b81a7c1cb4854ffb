/**
 * What `rulefx convert` writes, through the TypeScript compiler with this repository's settings: a fully converted rule
 * and its differential test type-check; a module with TODOs does not, with one error per TODO, at its line. The files
 * are written inside this package (test/.tmp-*), where their imports resolve.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Convert from "@rulefx/cli/Convert"
import * as Effect from "effect/Effect"
import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"

const rules = fileURLToPath(new URL("../../../examples/legacy-rules/rules", import.meta.url))
const tsc = fileURLToPath(new URL("../../../node_modules/.bin/tsc", import.meta.url))
const base = fileURLToPath(new URL("../../../tsconfig.base.json", import.meta.url))
let dir = ""

beforeAll(() => {
  dir = mkdtempSync(join(fileURLToPath(new URL(".", import.meta.url)), ".tmp-compile-"))
})

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

// The files listed: a folder whose name starts with a dot is not matched by `include`.
const typeCheck = (files: ReadonlyArray<string>): Promise<string> =>
  new Promise((resolve) => {
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({ extends: relative(dir, base), files: files.map((f) => relative(dir, f)) })
    )
    execFile(tsc, ["-p", join(dir, "tsconfig.json"), "--pretty", "false"], { cwd: dir, timeout: 90_000 }, (
      _error,
      stdout,
      stderr
    ) => resolve(`${stdout}${stderr}`))
  })

describe("converted modules through tsc", () => {
  it.live(
    "a converted rule and its test compile; each TODO is an error at its line, nothing else is",
    () =>
      Effect.gen(function*() {
        const converted = yield* Convert.convert(rules, "email-verified", { out: dir })
        const partial = yield* Convert.convert(rules, "first-login-webhook", { out: dir })
        // Its scope code (context.accessToken.scope as a local, applied at the end) type-checks around its TODO.
        const scopes = yield* Convert.convert(rules, "billing-scopes", { out: dir })
        assert.strictEqual(converted.status, "converted")
        assert.isAbove(partial.todos.length, 0)
        assert.include(readFileSync(scopes.moduleFile, "utf8"), "Decision.removeScope")
        // With --after-legacy it converts fully: a function of the legacy set, and a test that runs the set first.
        const after = yield* Convert.convert(rules, "billing-scopes", { out: join(dir, "after"), afterLegacy: true })
        assert.strictEqual(after.status, "converted")
        const files = [converted, partial, scopes, after].flatMap((w) => [w.moduleFile, w.testFile])
        const output = yield* Effect.promise(() => typeCheck(files))
        const errors = output.split("\n").filter((l) => l.includes("error TS"))
        // Only the partial modules fail, and only at their TODOs.
        const expected = [partial, scopes].flatMap((w) => {
          const lines = readFileSync(w.moduleFile, "utf8").split("\n")
          const todoLines = lines.flatMap((l, i) => (l.trim().startsWith("RULEFX_TODO(") ? [i + 1] : []))
          assert.strictEqual(todoLines.length, w.todos.length)
          return todoLines.map((line) =>
            `${w.moduleFile.split("/").at(-1)}(${line},${
              (lines[line - 1]?.indexOf("RULEFX_TODO") ?? 0) + 1
            }): error TS2304: Cannot find name 'RULEFX_TODO'.`
          )
        })
        assert.deepStrictEqual(
          errors.toSorted(),
          expected.toSorted(),
          output
        )
      }),
    120_000
  )
})
