/**
 * RulesFolder: the legacy Rules of a tenant as auth0-deploy-cli exports them (the `rules/` folder of an export, or
 * that folder itself), read and checked. Node-side only.
 *
 * The folder holds `<name>.json` (`name`, `script`, `enabled`, `order`, `stage`, and rulefx's own
 * `"rulefx": { "accept": [...] }`) next to `<name>.js` (one function). A `.js` file no JSON refers to is a warning;
 * a JSON file that cannot be used is an error naming the file and the field.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import { existsSync, statSync } from "node:fs"
import { readdir } from "node:fs/promises"
import { basename, join, resolve } from "node:path"
import { readText } from "./internal/files.ts"

/**
 * A rule as the folder describes it.
 *
 * @category models
 * @since 0.1.0
 */
export interface RuleFile {
  readonly name: string
  /** The `.json` file that describes the rule. */
  readonly json: string
  /** The `.js` file that holds its function. */
  readonly script: string
  readonly enabled: boolean
  readonly order: number | undefined
  readonly stage: string
  /** Constructs accepted in the rule's own JSON (`"rulefx": { "accept": [...] }`). */
  readonly accept: ReadonlyArray<string>
}

/**
 * The folder's rules, as read.
 *
 * @category models
 * @since 0.1.0
 */
export interface RulesFolder {
  /** The folder the rules are in (`rules/` of an export root). */
  readonly folder: string
  readonly rules: ReadonlyArray<RuleFile>
  /** Notes that do not stop a migration (a JS file without JSON). */
  readonly warnings: ReadonlyArray<string>
}

// A deploy-cli export has the rules under rules/; accept either that folder or the export's root.
/**
 * The folder the rules are in: `dir/rules` when `dir` is an export's root, else `dir`.
 *
 * @category getters
 * @since 0.1.0
 */
export const folderOf = (dir: string): string => {
  const nested = join(dir, "rules")
  return existsSync(nested) && statSync(nested).isDirectory() ? nested : dir
}

const readFileText = (file: string): Effect.Effect<string, RulesFolderError> =>
  readText(file, (problem) => new RulesFolderError({ reason: `${file}: ${problem}` }))

const readJson = (file: string): Effect.Effect<unknown, RulesFolderError> =>
  readFileText(file).pipe(
    Effect.flatMap((text) =>
      Effect.try({
        try: () => JSON.parse(text) as unknown,
        catch: (error) =>
          new RulesFolderError({ reason: `${file}: not valid JSON (${error instanceof Error ? error.message : ""})` })
      })
    )
  )

/**
 * Reads the rules a deploy-cli folder describes (the `rules/` folder of an export, or that folder itself), and
 * notes `.js` files no JSON refers to.
 *
 * @category constructors
 * @since 0.1.0
 */
export const read = (
  dir: string
): Effect.Effect<RulesFolder, RulesFolderError> =>
  Effect.gen(function*() {
    const folder = folderOf(resolve(dir))
    const entries = yield* Effect.tryPromise({
      try: () => readdir(folder),
      catch: () => new RulesFolderError({ reason: `${dir}: no such folder (expected a deploy-cli export of rules)` })
    })
    // A build written into the folder leaves a package.json ({"type":"commonjs"}) there: not a rule.
    const jsonFiles = entries.filter((f) => f.endsWith(".json") && f !== "package.json").toSorted()
    if (jsonFiles.length === 0) {
      return yield* fail(`${folder}: no <name>.json rule files (expected a deploy-cli export of rules)`)
    }
    const rules: Array<RuleFile> = []
    const referenced = new Set<string>()
    for (const file of jsonFiles) {
      const json = join(folder, file)
      const data = yield* readJson(json)
      if (!Predicate.isObject(data)) {
        return yield* fail(`${json}: expected an object with name, script, enabled, order, stage`)
      }
      if (data["script"] !== undefined && typeof data["script"] !== "string") {
        return yield* fail(`${json}: "script" must be a string, not ${JSON.stringify(data["script"])}`)
      }
      const script = typeof data["script"] === "string" ? data["script"] : `./${basename(file, ".json")}.js`
      const path = resolve(folder, script)
      if (!existsSync(path)) return yield* fail(`${json}: its script ${script} does not exist`)
      referenced.add(path)
      const order = data["order"]
      if (order !== undefined && (typeof order !== "number" || !Number.isFinite(order))) {
        return yield* fail(`${json}: "order" must be a number`)
      }
      for (const [field, type] of [["name", "string"], ["enabled", "boolean"], ["stage", "string"]] as const) {
        if (data[field] !== undefined && typeof data[field] !== type) {
          return yield* fail(`${json}: "${field}" must be a ${type}, not ${JSON.stringify(data[field])}`)
        }
      }
      const name = typeof data["name"] === "string" && data["name"].length > 0 ? data["name"] : basename(file, ".json")
      // The name goes into the generated code's comments and the log: no line breaks or other control characters.
      // oxlint-disable-next-line no-control-regex -- control characters are what this refuses
      if (/[\u0000-\u001f\u007f\u2028\u2029]/.test(name)) {
        return yield* fail(`${json}: the rule's name ${JSON.stringify(name)} holds a line break or control character`)
      }
      const duplicate = rules.find((r) => r.name === name)
      if (duplicate !== undefined) return yield* fail(`${json}: a second rule named "${name}" (${duplicate.json})`)
      const rulefx = Predicate.isObject(data["rulefx"]) ? data["rulefx"] : {}
      const accept = Array.isArray(rulefx["accept"]) ? rulefx["accept"].filter((a) => typeof a === "string") : []
      rules.push({
        name,
        json,
        script: path,
        enabled: data["enabled"] !== false,
        order,
        stage: typeof data["stage"] === "string" ? data["stage"] : "login_success",
        accept
      })
    }
    const warnings = entries.filter((f) => f.endsWith(".js") && !referenced.has(join(folder, f))).map((f) =>
      `${join(folder, f)}: no JSON refers to it; not run`
    )
    return { folder, rules, warnings }
  })

const fail = (reason: string) => Effect.fail(new RulesFolderError({ reason }))

/**
 * The folder or a rule's JSON could not be read or used; `reason` names the file and the problem.
 *
 * @category errors
 * @since 0.1.0
 */
export class RulesFolderError extends Data.TaggedError("RulesFolderError")<{ readonly reason: string }> {
  override get message(): string {
    return this.reason
  }
}

/**
 * The order rules ran in under Rules: by `order`, then by name (a rule without an order last).
 *
 * @category combinators
 * @since 0.1.0
 */
export const byOrder = (a: RuleFile, b: RuleFile): number =>
  (a.order ?? Number.POSITIVE_INFINITY) - (b.order ?? Number.POSITIVE_INFINITY) || a.name.localeCompare(b.name)

/**
 * The rules that ran at login before `file` (enabled, stage `login_success`), in order, and `file` last.
 *
 * @category getters
 * @since 0.1.0
 */
export const upTo = (folder: RulesFolder, file: RuleFile): ReadonlyArray<RuleFile> => {
  const ordered = folder.rules.filter((r) => (r.enabled && r.stage === "login_success") || r === file).toSorted(byOrder)
  return ordered.slice(0, ordered.indexOf(file) + 1)
}
