/** Legacy rules folders for convert's tests, in deploy-cli's layout, and a scratch folder to hold them. */
import { afterAll, beforeAll } from "@effect/vitest"
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

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

/**
 * A scratch folder beside the tests (so that what convert writes there resolves the workspace's packages), made
 * before the calling test file's tests and removed after them, and rules folders in it: `rulesFolder(folder, rules)`
 * holds the rules as given (name and whole source), enabled, in this order (the last is the one a test converts).
 */
export const convertScratch = (prefix: string) => {
  let dir = ""
  beforeAll(() => {
    dir = mkdtempSync(join(fileURLToPath(new URL("..", import.meta.url)), prefix))
  })
  afterAll(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true })
  })
  const rulesFolder = (folder: string, rules: ReadonlyArray<readonly [string, string]>): string => {
    const path = join(dir, `${folder}-rules`)
    mkdirSync(path, { recursive: true })
    rules.forEach(([name, source], i) => {
      writeFileSync(join(path, `${name}.js`), source)
      writeFileSync(
        join(path, `${name}.json`),
        JSON.stringify({ name, script: `./${name}.js`, stage: "login_success", enabled: true, order: i + 1 })
      )
    })
    return path
  }
  return { dir: () => dir, rulesFolder }
}

/**
 * A tests folder (`--tests`) where the comparison convert runs cannot bundle its handler: the handler's packages
 * resolve from there first, and there `@rulefx/legacy-rules/LegacyRule` (which only the handler of a rule converted
 * with `--after-legacy` imports; the module and its test, type-checked, do not) is a file esbuild cannot parse. Its
 * path.
 */
export const unbundledTests = (base: string): string => {
  const tests = join(base, "unbundled-tests")
  const broken = join(tests, "node_modules", "@rulefx", "legacy-rules")
  mkdirSync(broken, { recursive: true })
  writeFileSync(
    join(broken, "package.json"),
    JSON.stringify({ name: "@rulefx/legacy-rules", type: "module", exports: { "./LegacyRule": "./LegacyRule.js" } })
  )
  writeFileSync(join(broken, "LegacyRule.js"), "export const = 1\n")
  return tests
}

/**
 * examples/legacy-rules' rules copied into `base`/`name`, without ip-range-mfa, the one rule before billing-scopes that
 * reads a setting (with it, convert --after-legacy leaves billing-scopes' State reads as TODOs).
 */
export const exampleWithoutSettingReader = (base: string, name = "no-setting-reader"): string => {
  const to = join(base, name)
  cpSync(fileURLToPath(new URL("../../../../examples/legacy-rules/rules", import.meta.url)), to, {
    recursive: true,
    filter: (path) => !/ip-range-mfa\.(js|json)$/.test(path)
  })
  return to
}
