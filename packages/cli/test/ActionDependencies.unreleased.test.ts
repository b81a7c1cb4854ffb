import { assert, describe, it } from "@effect/vitest"
import * as ActionDependencies from "@rulefx/cli/ActionDependencies"

describe("ActionDependencies.unreleased", () => {
  it("warns of a clone's build (0.0.0), which no registry has; nothing for a released version", () => {
    const warnings = ActionDependencies.unreleased([
      { name: "lodash", version: "0.0.0" },
      { name: "@rulefx/action-runtime", version: "0.0.0" }
    ])
    assert.strictEqual(warnings.length, 1)
    assert.include(
      warnings[0],
      "@rulefx/action-runtime@0.0.0 is an unreleased build (a rulefx clone's) that no registry has"
    )
    assert.deepStrictEqual(ActionDependencies.unreleased([{ name: "@rulefx/action-runtime", version: "0.1.0" }]), [])
  })
})
