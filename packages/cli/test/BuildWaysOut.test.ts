/**
 * `rulefx build` over its budget names the ways out, as `rulefx migrate`'s refusal does: the runtime out of the file
 * unless it is already, the bundled npm packages left to the Action's dependencies, else the code itself.
 */
import { assert, describe, it } from "@effect/vitest"
import type * as Bundle from "@rulefx/cli/Bundle"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { waysOut } from "../src/internal/cli/build.ts"
import * as WaysOut from "../src/internal/waysOut.ts"
import * as RulefxBin from "./utils/RulefxBin.ts"
import * as Scratch from "./utils/Scratch.ts"

const scratch = Scratch.scratch("rulefx-build-ways-out-")

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

  it(
    "rulefx build: over budget, the packages it bundles are named; --external leaves one out of the file",
    async () => {
      scratch.file("node_modules/left-pad-x/package.json", JSON.stringify({ name: "left-pad-x", version: "1.0.0" }))
      scratch.file("node_modules/left-pad-x/index.js", `module.exports = (s) => "  " + s + "${"x".repeat(2000)}"\n`)
      scratch.file("package.json", JSON.stringify({ name: "p", private: true }))
      scratch.file(
        "src/action.js",
        `const pad = require("left-pad-x")\nexports.onExecutePostLogin = async (event, api) => { pad("a") }\n`
      )
      const rulefx = (...args: ReadonlyArray<string>) =>
        RulefxBin.run(scratch.dir(), "build", "src/action.js", "--no-typecheck", ...args)
      const [over, external] = await Promise.all([
        rulefx("-o", "over/action.js", "--budget", "1"),
        rulefx("-o", "dist/action.js", "--external", "left-pad-x")
      ])
      assert.strictEqual(over.code, 1, RulefxBin.show(over))
      assert.include(over.stderr, `  - ${WaysOut.external("your code imports is")} (this build bundles: left-pad-x)`)
      assert.strictEqual(external.code, 0, RulefxBin.show(external))
      assert.include(
        external.stdout,
        "external: left-pad-x: not in the file; declare each as the Action's npm dependency"
      )
      const code = readFileSync(join(scratch.dir(), "dist", "action.js"), "utf8")
      assert.include(code, `require("left-pad-x")`)
      assert.notInclude(code, "x".repeat(2000))
    },
    60_000
  )
})
