/**
 * What `rulefx convert` writes, through the TypeScript compiler with this repository's settings: a fully converted rule
 * and its differential test type-check; a module with TODOs does not, with one error per TODO, at its line. The files
 * are written inside this package (test/.tmp-*), where their imports resolve.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Convert from "@rulefx/cli/Convert"
import * as TypeCheck from "@rulefx/cli/TypeCheck"
import * as Effect from "effect/Effect"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as LegacyFolder from "./utils/LegacyFolder.ts"

const rules = fileURLToPath(new URL("../../../examples/legacy-rules/rules", import.meta.url))
let dir = ""

beforeAll(() => {
  dir = mkdtempSync(join(fileURLToPath(new URL(".", import.meta.url)), ".tmp-compile-"))
})

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

// The files alone, with this package's settings (TypeCheck.checkFiles, as convert's own check): a folder whose name
// starts with a dot is not matched by the tsconfig's `include`.
const typeCheck = (files: ReadonlyArray<string>) =>
  TypeCheck.checkFiles(dir, files).pipe(Effect.map((result) => result.diagnostics))

describe("converted modules through tsc", () => {
  it.live(
    "a converted rule and its test compile; each TODO is an error at its line, nothing else is",
    () =>
      Effect.gen(function*() {
        // Convert type-checks a fully converted module with its test itself, with this package's settings.
        const converted = yield* Convert.convert(rules, "email-verified", { out: dir })
        assert.strictEqual(converted.typeCheck?.ok, true, converted.typeCheck?.diagnostics)
        assert.strictEqual(converted.typeCheck?.tsconfig, fileURLToPath(new URL("../tsconfig.json", import.meta.url)))
        const partial = yield* Convert.convert(rules, "first-login-webhook", { out: dir })
        // Its scope code (context.accessToken.scope as a local, applied at the end) type-checks around its TODO.
        const scopes = yield* Convert.convert(rules, "billing-scopes", { out: dir })
        assert.strictEqual(converted.status, "converted")
        assert.isAbove(partial.todos.length, 0)
        assert.include(readFileSync(scopes.moduleFile, "utf8"), "Decision.removeScope")
        // With --after-legacy it converts fully: a function of the legacy set, and a test that runs the set first;
        // not after ip-range-mfa, which reads a setting that may have reached the State.
        const afterSetting = yield* Convert.convert(rules, "billing-scopes", {
          out: join(dir, "after-setting"),
          afterLegacy: true,
          check: false
        })
        assert.strictEqual(afterSetting.status, "partial")
        assert.include(afterSetting.todos.map((t) => t.reason).join("\n"), "ip-range-mfa")
        const after = yield* Convert.convert(LegacyFolder.exampleWithoutSettingReader(dir), "billing-scopes", {
          out: join(dir, "after"),
          afterLegacy: true
        })
        assert.strictEqual(after.status, "converted")
        assert.strictEqual(after.typeCheck?.ok, true, after.typeCheck?.diagnostics)
        const files = [converted, partial, scopes, after].flatMap((w) => [w.moduleFile, w.testFile])
        const output = yield* typeCheck(files)
        // Paths as tsc prints them (from the working directory), to the file's name.
        const errors = output.split("\n").filter((l) => l.includes("error TS")).map((l) => l.replace(/^[^(]*\//, ""))
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

describe("convert's own type-check", () => {
  it.live(
    "a translated module that does not type-check is partial, with tsc's diagnostics; user.email.split type-checks",
    () =>
      Effect.gen(function*() {
        const rulesDir = join(dir, "checked", "rules")
        mkdirSync(rulesDir, { recursive: true })
        const rule = (name: string, body: string) => {
          writeFileSync(join(rulesDir, `${name}.js`), `function (user, context, callback) {\n${body}\n}\n`)
          writeFileSync(join(rulesDir, `${name}.json`), JSON.stringify({ name, enabled: true, order: 1 }))
        }
        // Rules threw on a login without an email, and so does the typed rule (`userEmail!.split`).
        rule(
          "domain",
          `  if (user.email.split("@")[1] !== "example.com") return callback(new UnauthorizedError("no"));\n` +
            `  callback(null, user, context);`
        )
        // `indexOf(undefined)` is -1 in JavaScript, but TypeScript wants a string: not converted, with the reason.
        rule(
          "allow-list",
          `  if (["a@example.com"].indexOf(user.email) < 0) return callback(new UnauthorizedError("no"));\n` +
            `  callback(null, user, context);`
        )
        const out = join(dir, "checked", "out")
        const domain = yield* Convert.convert(rulesDir, "domain", { out })
        assert.isTrue(domain.typeCheck?.ok, domain.typeCheck?.diagnostics)
        assert.include(domain.module, `userEmail!.split("@")`)
        // It type-checks; where it throws the two deny with different messages (the TypeError's, the generic one):
        // both stop the login, which the comparison counts as the same outcome, with a note.
        assert.strictEqual(domain.status, "converted", Convert.render(domain))
        assert.isAbove(domain.comparison?.crashes?.length ?? 0, 0)
        const allowList = yield* Convert.convert(rulesDir, "allow-list", { out })
        assert.strictEqual(allowList.status, "partial")
        assert.deepStrictEqual(allowList.todos, [])
        assert.isFalse(allowList.typeCheck?.ok)
        assert.include(allowList.typeCheck?.diagnostics, "allow-list.ts(")
        assert.include(allowList.typeCheck?.diagnostics, "error TS2345")
        assert.include(Convert.render(allowList), "allow-list: translated, but does not type-check with ")
        assert.include(Convert.render(allowList), "  tsc         ")
        // Unchecked, it says so.
        const unchecked = yield* Convert.convert(rulesDir, "allow-list", { out, check: false })
        assert.strictEqual(unchecked.status, "converted")
        assert.include(Convert.render(unchecked), "allow-list: converted (not type-checked)")
      }),
    120_000
  )
})
