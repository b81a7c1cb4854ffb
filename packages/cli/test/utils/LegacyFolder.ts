/** A legacy rules folder for convert's tests, in deploy-cli's layout. */
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"

/** A rules folder under `base` holding the rules given (function bodies), enabled, in this order; its path. */
export const rulesFolder = (base: string, rules: Record<string, string>): string => {
  const rulesDir = join(base, "rules")
  mkdirSync(rulesDir, { recursive: true })
  for (const [i, [name, body]] of Object.entries(rules).entries()) {
    writeFileSync(join(rulesDir, `${name}.js`), `function rule(user, context, callback) {\n${body}\n}\n`)
    writeFileSync(join(rulesDir, `${name}.json`), JSON.stringify({ name, enabled: true, order: i + 1 }))
  }
  return rulesDir
}
