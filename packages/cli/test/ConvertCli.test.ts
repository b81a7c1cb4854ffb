/**
 * `rulefx convert` as a user runs it (the workspace's bin in a separate Node process): the files it writes, what it
 * prints, and its exit status (1 when a TODO is left, when what it wrote does not type-check, when a decision is reached
 * by none of the test's logins, and on a rule the folder does not have).
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as LegacyFolder from "./utils/LegacyFolder.ts"
import * as RulefxBin from "./utils/RulefxBin.ts"

const rules = fileURLToPath(new URL("../../../examples/legacy-rules/rules", import.meta.url))

const rulefx = RulefxBin.run

const show = RulefxBin.show

let dir = ""

const scratch = LegacyFolder.convertScratch(".tmp-convert-cli-")

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "rulefx-convert-"))
})

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

describe("rulefx convert", () => {
  it(
    "converts a rule: the typed module and its differential test, exit 0; a TODO left: exit 1, each listed",
    async () => {
      const [converted, partial, missing, afterLegacy, unchecked] = await Promise.all([
        rulefx(
          dir,
          "convert",
          rules,
          "email-verified",
          "-o",
          "src/rules",
          "--tests",
          "test",
          "--count",
          "50",
          "--no-check"
        ),
        rulefx(dir, "convert", rules, "first-login-webhook", "-o", "src/rules"),
        rulefx(dir, "convert", rules, "no-such-rule"),
        rulefx(
          dir,
          "convert",
          LegacyFolder.exampleWithoutSettingReader(dir),
          "billing-scopes",
          "-o",
          "after",
          "--after-legacy",
          "--no-check"
        ),
        // Checked by default: outside any project, with strict settings of its own, where rulefx is not installed.
        rulefx(dir, "convert", rules, "email-verified", "-o", "checked")
      ])
      // billing-scopes reads user.app_metadata, which the earlier roles-creation writes: through the legacy State
      // (once no earlier rule reads a setting: ip-range-mfa left out).
      assert.strictEqual(afterLegacy.code, 0, show(afterLegacy))
      assert.include(readFileSync(join(dir, "after/billing-scopes.ts"), "utf8"), "legacyUser.app_metadata")
      assert.include(readFileSync(join(dir, "after/billing-scopes.differential.test.ts"), "utf8"), "afterLegacy: true")
      assert.strictEqual(converted.code, 0, show(converted))
      assert.include(converted.stdout, "email-verified: converted (not type-checked)\n")
      assert.include(converted.stdout, "typed rule  src/rules/email-verified.ts (export emailVerified)")
      assert.include(converted.stdout, "its test    test/email-verified.differential.test.ts")
      assert.include(
        converted.stdout,
        `denial      PleaseVerifyYourEmailBefore: "Please verify your email before logging in."`
      )
      const test = readFileSync(join(dir, "test/email-verified.differential.test.ts"), "utf8")
      assert.include(test, `import { emailVerified } from "../src/rules/email-verified.ts"`)
      assert.include(test, `process.env["RULEFX_DIFFERENTIAL_COUNT"] ?? 50`)
      assert.include(test, `rule: "email-verified"`)
      assert.isTrue(existsSync(join(dir, "src/rules/email-verified.ts")))

      assert.strictEqual(partial.code, 1, show(partial))
      assert.match(partial.stdout, /^first-login-webhook: \d+ TODOs? left \((partial|none)\)$/m)
      assert.match(partial.stdout, /^ {2}TODO line \d+: .*require/m)
      assert.include(partial.stderr, "left as RULEFX_TODO in")
      assert.include(readFileSync(join(dir, "src/rules/first-login-webhook.ts"), "utf8"), "RULEFX_TODO(\"line ")

      assert.strictEqual(unchecked.code, 1, show(unchecked))
      assert.include(
        unchecked.stdout,
        "email-verified: translated, but does not type-check with rulefx's strict settings"
      )
      assert.match(unchecked.stdout, /^ {2}tsc {9}checked\/email-verified\.ts\(\d+,\d+\): error TS2307/m)
      assert.include(unchecked.stderr, "do not type-check (above)")

      assert.strictEqual(missing.code, 1, show(missing))
      assert.include(missing.stderr, "no rule named no-such-rule (the folder has: ")
      assert.include(missing.stderr, "email-verified")
    },
    60_000
  )

  it("a decision no generated login reaches: listed as untested, exit 1 (its test would fail)", async () => {
    const folder = join(dir, "veteran-rules")
    mkdirSync(folder, { recursive: true })
    writeFileSync(
      join(folder, "veteran.js"),
      `function (user, context, callback) {
  if (context.stats.loginsCount > 100000) context.idToken["https://example.com/veteran"] = true;
  callback(null, user, context);
}`
    )
    writeFileSync(join(folder, "veteran.json"), JSON.stringify({ name: "veteran", enabled: true, order: 1 }))
    const output = await rulefx(dir, "convert", folder, "veteran", "-o", "veteran", "--count", "50", "--no-check")
    assert.strictEqual(output.code, 1, show(output))
    assert.include(output.stdout, "veteran: converted, but its test cannot show it (partial)\n")
    assert.match(output.stdout, /^ {2}untested {4}line 2: the legacy rule sets an ID token claim/m)
    assert.include(output.stderr, "1 decision of veteran reached by none of the test's logins")
  }, 30_000)

  it("a comparison that cannot run: partial, its reason on `compare` lines, exit 1", async () => {
    // Inside the workspace, so that what convert writes type-checks; the handler it bundles cannot be (unbundledTests).
    const base = scratch.dir()
    const folder = scratch.rulesFolder("unbundled", [
      [
        "set-tier",
        `function (user, context, callback) {\n  user.tier = "gold";\n  return callback(null, user, context);\n}`
      ],
      [
        "claim",
        `function (user, context, callback) {\n  context.idToken["https://x/a"] = true;\n  return callback(null, user, context);\n}`
      ]
    ])
    const tests = LegacyFolder.unbundledTests(base)
    const output = await rulefx(base, "convert", folder, "claim", "-o", "out", "--tests", tests, "--after-legacy")
    assert.strictEqual(output.code, 1, show(output))
    assert.include(output.stdout, "claim: translated, but its test's comparison could not run, so nothing was compared")
    assert.match(output.stdout, /^ {2}compare {5}.*LegacyRule\.js/m)
    assert.include(output.stderr, "could not run (above), so nothing was compared")
  }, 60_000)

  it("a usage error prints convert's usage line", async () => {
    const output = await rulefx(dir, "convert", rules)
    assert.strictEqual(output.code, 2, show(output))
    assert.include(output.stderr, "usage: rulefx convert <rules-dir> <rule> [-o <dir>] [--tests <dir>] [--count <n>]")
  }, 30_000)
})
