/**
 * Builds src/action.ts into dist/action.js, prints its size and largest contributors, and fails over 100 kB.
 */
import * as Bundle from "@rulefx/adapter-auth0/Bundle"
import { mkdirSync } from "node:fs"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
mkdirSync(`${root}dist`, { recursive: true })
try {
  const report = await Bundle.build({ entry: `${root}src/action.ts`, outfile: `${root}dist/action.js` })
  console.log(
    `dist/action.js: ${Bundle.formatBytes(report.bytes)} (${report.bytes} bytes), budget ${
      Bundle.formatBytes(report.budget)
    }`
  )
  for (const c of report.contributors) console.log(`  ${Bundle.formatBytes(c.bytes).padStart(9)}  ${c.path}`)
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
}
