/**
 * The local registry's seed: what `rulefx init` pins is installed on this machine, so the registry can serve it; a
 * pin it cannot serve fails at once, naming the package, the range and the versions there are.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Init from "@rulefx/cli/Init"
import * as Outside from "./utils/Outside.ts"
import * as Seed from "./utils/Seed.ts"

const pool = Seed.installed(Outside.workspaceStore())

describe("Seed.covering", () => {
  it("every third-party version the project rulefx init writes pins is installed here", () => {
    const pins = Object.entries(Init.defaultVersions()).filter(([name]) => !name.startsWith("@rulefx/"))
    assert.isAbove(pins.length, 0)
    Seed.covering(pool, Object.fromEntries(pins), "rulefx init's project")
  })

  it("a version that is not installed, or a package that is not: an error naming each, with what is installed", () => {
    const effect = pool.get("effect")?.map((installed) => installed.manifest.version) ?? []
    assert.isAbove(effect.length, 0)
    assert.throws(
      () => Seed.covering(pool, { effect: "3.0.0", "left-pad": "1.3.0", valibot: Init.defaultVersions().valibot }, "x"),
      `x pins versions that this machine has not installed (node_modules/.pnpm), so the local registry cannot serve ` +
        `them: effect@3.0.0 (installed: ${effect.toSorted().join(", ")}); left-pad@1.3.0 (none installed).`
    )
  })
})
