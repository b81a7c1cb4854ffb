/**
 * Builds src/action.ts into dist/action.js through rulefx's bundler, prints its size, and fails over 100 kB.
 */
import * as Bundle from "@rulefx/cli/Bundle"
import { mkdirSync } from "node:fs"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))

try {
  mkdirSync(`${root}dist`, { recursive: true })
  const report = await Bundle.build({ entry: `${root}src/action.ts`, outfile: `${root}dist/action.js` })
  console.log(
    `dist/action.js: ${Bundle.formatBytes(report.bytes)} (${report.bytes} bytes), budget ${
      Bundle.formatBytes(report.budget)
    }`
  )
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
}
