/**
 * `rulefx build --runtime npm`'s warning when the project has no @rulefx/action-runtime installed and the build used
 * rulefx's own copy: how to install it. A clone's build of the runtime (0.0.0) is on no registry, so `npm install` of
 * it would answer 404: only the clone's way is given (a new user was told to `npm install ...@0.0.0` first).
 */
import { assert, describe, it } from "@effect/vitest"
import type * as Bundle from "@rulefx/cli/Bundle"
import * as ActionRuntime from "../src/ActionRuntime.ts"
import { report } from "../src/internal/cli/build.ts"

const built = (version: string): Bundle.Report => ({
  outfile: "dist/action.js",
  bytes: 2_268,
  budget: 100_000,
  contributors: [],
  barrelImportsLeft: [],
  duplicates: [],
  dependencies: [`@rulefx/action-runtime@${version}`],
  runtimeNotInProject: "/opt/rulefx/packages/action-runtime/dist/modules.json"
})

const warning = (r: Bundle.Report): string => report(r).split("\n").find((line) => line.startsWith("warning:")) ?? ""

describe("build's warning when the runtime is not in the project", () => {
  it("a released runtime: install that exact version from a registry, or link a clone", () => {
    const line = warning(built("0.1.0"))
    assert.include(line, "npm install --save-exact @rulefx/action-runtime@0.1.0")
    assert.include(line, ActionRuntime.fromClone)
  })

  it("a clone's build (0.0.0): only the clone's way, never an npm install no registry can answer", () => {
    const line = warning(built("0.0.0"))
    assert.notInclude(line, "npm install")
    assert.include(line, ActionRuntime.fromClone)
  })
})
