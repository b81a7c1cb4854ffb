/**
 * Builds a migrated Action from a rules folder as `rulefx migrate` would, but without refusing what the analysis
 * finds: it stands in for a rule whose mistake the analysis missed, so that the run-time barrier is tested on its
 * own. Only for tests: a real migration never builds a refused rule.
 *
 * @since 0.1.0
 */
import * as Bundle from "@rulefx/cli/Bundle"
import * as GeneratedSource from "@rulefx/cli/GeneratedSource"
import * as MigrationPlan from "@rulefx/cli/MigrationPlan"
import * as Effect from "effect/Effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

// Where @rulefx/legacy-rules resolves from, as it does for migrate: the CLI's own dependencies.
const cli = fileURLToPath(new URL("../../../cli", import.meta.url))

/**
 * Plans the folder and builds its Action into `out`, whatever the plan refuses.
 *
 * @since 0.1.0
 */
export const build = async (dir: string, out: string, options: MigrationPlan.Options = {}): Promise<void> => {
  const plan = await Effect.runPromise(MigrationPlan.plan(dir, options))
  const tmp = mkdtempSync(join(tmpdir(), "rulefx-unchecked-"))
  try {
    const entry = join(tmp, "action.mjs")
    writeFileSync(entry, GeneratedSource.entrySource(plan, options))
    await Bundle.build({ entry, outfile: out, resolveFrom: [plan.dir, cli] })
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}
