/**
 * `rulefx build` over its budget names the ways out, as `rulefx migrate`'s refusal does: the runtime out of the file
 * unless it is already, the bundled npm packages left to the Action's dependencies, else the code itself.
 */
import { assert, describe, it } from "@effect/vitest"
import type * as Bundle from "@rulefx/cli/Bundle"
import { waysOut } from "../src/internal/cli/build.ts"
import * as WaysOut from "../src/internal/waysOut.ts"

const report = (extra: Partial<Bundle.Report>): Bundle.Report => ({
  outfile: "dist/action.js",
  bytes: 109_181,
  budget: 100_000,
  contributors: [],
  barrelImportsLeft: [],
  duplicates: [],
  ...extra
})

describe("build's ways out of a budget", () => {
  it("bundled runtime and packages: --runtime npm and --external, naming the packages", () => {
    assert.strictEqual(
      waysOut(report({ packages: ["valibot", "jose"] })),
      [
        "ways out:",
        `  - ${WaysOut.runtimeNpm("your code and the packages it bundles")}`,
        `  - ${WaysOut.external("your code imports is")} (this build bundles: valibot, jose)`
      ].join("\n")
    )
  })

  it("already --runtime npm, no package bundled: only the code itself", () => {
    assert.strictEqual(
      waysOut(report({ dependencies: ["@rulefx/action-runtime@0.1.0"] })),
      "ways out:\n  - your own code must shrink: the largest contributors above are where the bytes go"
    )
    assert.notInclude(
      waysOut(report({ dependencies: ["@rulefx/action-runtime@0.1.0"], packages: ["jose"] })),
      "--runtime npm"
    )
  })
})
