/**
 * `rulefx build`'s report, read as a user reads it: each warning one line, saying what it means.
 */
import { assert, describe, it } from "@effect/vitest"
import type * as Bundle from "@rulefx/cli/Bundle"
import { report } from "../src/internal/cli/build.ts"

const built: Bundle.Report = {
  outfile: "dist/action.js",
  bytes: 70_000,
  budget: 100_000,
  contributors: [],
  barrelImportsLeft: ["src/rules.ts"],
  duplicates: []
}

describe("build's report", () => {
  // Found: the warning on a barrel import left ended in a line of rulefx's own source (`import { readFile } from
  // "node:fs/promises")`), an edit that landed inside its text.
  it("warns of a barrel import left in one line that ends with the advice", () => {
    const lines = report(built).split("\n")
    const warning = lines.filter((line) => line.startsWith("warning:"))
    assert.deepStrictEqual(warning, [
      `warning: src/rules.ts still imports from the "effect" barrel in a form that cannot be rewritten (use ` +
      `import { Effect } from "effect" or import * as Effect from "effect/Effect")`
    ])
    assert.notInclude(report(built), "node:fs/promises")
  })
})
