/**
 * The one way this example builds its Action, shared by `pnpm build` (scripts/build.ts) and `pnpm demo`
 * (scripts/demo.ts): src/action.ts into dist/action.js through rulefx's bundler.
 */
import * as Bundle from "@rulefx/cli/Bundle"
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import { fileURLToPath } from "node:url"

/** The example's folder, with a trailing slash. */
export const root = fileURLToPath(new URL("..", import.meta.url))

/** The Action's source. */
export const entry = `${root}src/action.ts`

/** Where `pnpm build` writes the Action. */
export const outfile = `${root}dist/action.js`

/** Builds the Action; rejects with Bundle.OverBudget over 100 kB (writing nothing: an earlier file stays). */
export const build = (out: string = outfile): Promise<Bundle.Report> => {
  mkdirSync(dirname(out), { recursive: true })
  return Bundle.build({ entry, outfile: out })
}

/** The size line of a report, e.g. `dist/action.js: 79.7 kB (81638 bytes), budget 100.0 kB`. */
export const sizeLine = (report: Bundle.Report, name = "dist/action.js"): string =>
  `${name}: ${Bundle.formatBytes(report.bytes)} (${report.bytes} bytes), budget ${Bundle.formatBytes(report.budget)}`

/** The largest contributors of a report, one indented line each. */
export const contributorLines = (report: Bundle.Report): Array<string> =>
  report.contributors.map((c) => `  ${Bundle.formatBytes(c.bytes).padStart(9)}  ${c.path}`)
