/**
 * Builds src/action.ts into dist/action.js, prints its size and largest contributors, and fails over 100 kB.
 */
import { build, contributorLines, sizeLine } from "./bundle.ts"

try {
  const report = await build()
  console.log(sizeLine(report))
  for (const line of contributorLines(report)) console.log(line)
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
}
