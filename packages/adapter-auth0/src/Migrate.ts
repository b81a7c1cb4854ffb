/**
 * Migrate: turns a folder of legacy Auth0 Rules, as auth0-deploy-cli exports it, into one built Action that runs
 * them unchanged (`rulefx migrate <rules-dir> -o <action.js>`). Node-side only.
 *
 * The folder holds `<name>.json` (`name`, `script`, `enabled`, `order`, `stage`) next to `<name>.js` (one
 * function). The enabled `login_success` rules run in `order` (then by name). Each rule is analysed
 * (`@rulefx/legacy-rules/Analyze`): every construct it uses is either translated to its Actions equivalent or has
 * none. A construct without an equivalent refuses the build, naming the rule, the line and the construct, unless
 * the user accepts it: `--accept <construct>` for every rule, `--accept <rule>:<construct>`, or
 * `"rulefx": { "accept": ["<construct>"] }` in the rule's JSON. An accepted construct runs as an inert value.
 *
 * Modules the rules `require` are bundled into the Action: Node built-ins as they are, `request` as rulefx's
 * fetch-based shim, anything else resolved from the rules folder's (or the working directory's) node_modules,
 * with any `@version` pin dropped.
 *
 * @since 0.1.0
 */
import * as Analyze from "@rulefx/legacy-rules/Analyze"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import { existsSync, readFileSync, statSync } from "node:fs"
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { basename, dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import * as Bundle from "./Bundle.ts"
import { readText } from "./internal/files.ts"
import { compact } from "./internal/ruleSource.ts"

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
 * How a required module reaches the Action.
 *
 * @category models
 * @since 0.1.0
 */
export interface Module {
  readonly name: string
  readonly kind: "builtin" | "shim" | "bundled" | "dependency" | "missing"
  /** The file esbuild bundles (for "bundled"). */
  readonly path: string | undefined
  /** The installed version, which the Action must declare as an npm dependency (for "dependency"). */
  readonly version?: string | undefined
  readonly rule: string
  readonly line: number
}

/**
 * A rule that runs, with what its analysis found.
 *
 * @category models
 * @since 0.1.0
 */
export interface PlannedRule {
  readonly file: RuleFile
  readonly analysis: Analyze.Analysis
  /** Every construct accepted for the rule (its JSON, --accept), whether or not the analysis found it. */
  readonly accepts: ReadonlyArray<string>
  readonly accepted: ReadonlyArray<Analyze.Finding>
  readonly refused: ReadonlyArray<Analyze.Finding>
}

/**
 * What `migrate` found in the folder.
 *
 * @category models
 * @since 0.1.0
 */
export interface Plan {
  readonly dir: string
  /** The rules that run, in order. */
  readonly rules: ReadonlyArray<PlannedRule>
  readonly skipped: ReadonlyArray<{ readonly name: string; readonly why: string }>
  readonly modules: ReadonlyArray<Module>
  /** The Rules settings the rules read, which must be set as the Action's secrets. */
  readonly configurationKeys: ReadonlyArray<string>
  /** Notes that do not stop the build (a deploy-cli keyword left in a script, a JS file without JSON). */
  readonly warnings: ReadonlyArray<string>
}

/**
 * Options of a migration.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** Accepted constructs: `<construct>` for every rule or `<rule>:<construct>`. */
  readonly accept?: ReadonlyArray<string>
  /** Rules left out by name: those already converted to typed rules. */
  readonly skip?: ReadonlyArray<string>
  /**
   * Packages left out of the bundle: the Action declares them as npm dependencies (Auth0 installs them, and they do
   * not count towards the 100 kB of code). Their installed version is what the Action must declare.
   */
  readonly external?: ReadonlyArray<string>
  /**
   * Rules settings a rule may run without (it checks for them itself). Every other setting a rule names must be an
   * Action secret, or the login is denied before that rule runs.
   */
  readonly optionalSettings?: ReadonlyArray<string>
  /** Each rule's time to call back, in milliseconds. Default 5000. */
  readonly ruleTimeoutMillis?: number
  /** The whole run's deadline, in milliseconds. Default 10000. */
  readonly deadlineMillis?: number
}

/**
 * The folder could not be migrated; `reason` says why, naming files, rules and lines.
 *
 * @category errors
 * @since 0.1.0
 */
export class MigrateError extends Data.TaggedError("MigrateError")<{ readonly reason: string }> {
  override get message(): string {
    return this.reason
  }
}

const fail = (reason: string) => Effect.fail(new MigrateError({ reason }))

// A deploy-cli export has the rules under rules/; accept either that folder or the export's root.
const rulesFolder = (dir: string): string => {
  const nested = join(dir, "rules")
  return existsSync(nested) && statSync(nested).isDirectory() ? nested : dir
}

const read = (file: string): Effect.Effect<string, MigrateError> =>
  readText(file, (problem) => new MigrateError({ reason: `${file}: ${problem}` }))

const readJson = (file: string): Effect.Effect<unknown, MigrateError> =>
  read(file).pipe(
    Effect.flatMap((text) =>
      Effect.try({
        try: () => JSON.parse(text) as unknown,
        catch: (error) =>
          new MigrateError({ reason: `${file}: not valid JSON (${error instanceof Error ? error.message : ""})` })
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
export const readRules = (
  dir: string
): Effect.Effect<{ readonly rules: ReadonlyArray<RuleFile>; readonly warnings: ReadonlyArray<string> }, MigrateError> =>
  Effect.gen(function*() {
    const folder = rulesFolder(resolve(dir))
    const entries = yield* Effect.tryPromise({
      try: () => readdir(folder),
      catch: () => new MigrateError({ reason: `${dir}: no such folder (expected a deploy-cli export of rules)` })
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
    return { rules, warnings }
  })

const byOrder = (a: RuleFile, b: RuleFile): number =>
  (a.order ?? Number.POSITIVE_INFINITY) - (b.order ?? Number.POSITIVE_INFINITY) || a.name.localeCompare(b.name)

// Resolved only from node_modules folders next to the rules or the working directory, or above them. Node would also
// look in NODE_PATH (which pnpm's node sets), where rulefx's own dependencies live: a rule must not get those.
const resolveModule = (name: string, dirs: ReadonlyArray<string>): string | undefined => {
  for (const dir of dirs) {
    for (let at = resolve(dir);; at = dirname(at)) {
      if (existsSync(join(at, "node_modules", packageName(name)))) {
        try {
          return createRequire(join(at, "noop.js")).resolve(name)
        } catch {
          // There, but not resolvable (a subpath it does not export): try further up.
        }
      }
      if (dirname(at) === at) break
    }
  }
  return undefined
}

// The package a module specifier belongs to: "lodash/fp" is lodash, "@scope/pkg/sub" is @scope/pkg.
const packageName = (name: string): string => name.split("/").slice(0, name.startsWith("@") ? 2 : 1).join("/")

// The version in the package's own package.json: found from the resolved module upwards, since a package's
// `exports` may hide `./package.json` from require.resolve.
const installedVersion = (name: string, resolved: string): string | undefined => {
  for (let dir = dirname(resolved); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, "package.json")
    if (!existsSync(manifest)) continue
    try {
      const data = JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown; version?: unknown }
      if (data.name === packageName(name)) return typeof data.version === "string" ? data.version : undefined
    } catch {
      return undefined
    }
  }
  return undefined
}

const moduleOf = (
  name: string,
  dirs: ReadonlyArray<string>,
  external: ReadonlyArray<string>
): Pick<Module, "kind" | "path" | "version"> => {
  if (Analyze.isBuiltin(name)) return { kind: "builtin", path: undefined }
  if (name === "request") return { kind: "shim", path: undefined }
  const path = resolveModule(name, dirs)
  if (path === undefined) return { kind: "missing", path }
  if (!external.includes(packageName(name))) return { kind: "bundled", path }
  const version = installedVersion(name, path)
  // Without the installed version there is nothing to declare as the Action's dependency.
  return version === undefined ? { kind: "missing", path: undefined } : { kind: "dependency", path, version }
}

// Overlapping logins would share the variable: one user's value could reach another's token. Never accepted.
const neverAccepted: ReadonlySet<string> = new Set(["global.implicit"])

// The constructs accepted for a rule: in its JSON, for every rule (`--accept c`) or for it (`--accept rule:c`).
const acceptedFor = (rule: RuleFile, accept: ReadonlyArray<string>): ReadonlyArray<string> =>
  [
    ...new Set([
      ...rule.accept,
      ...accept.filter((a) => !a.includes(":")),
      ...accept.filter((a) => a.startsWith(`${rule.name}:`)).map((a) => a.slice(rule.name.length + 1))
    ])
  ].filter((c) => !neverAccepted.has(c))

const isAccepted = (finding: Analyze.Finding, rule: RuleFile, accept: ReadonlyArray<string>): boolean =>
  acceptedFor(rule, accept).includes(finding.construct)

/**
 * Reads and analyses the folder. Fails only when the folder or a rule cannot be read or parsed; refused constructs
 * and missing modules are in the plan (see `problems`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const plan = (dir: string, options: Options = {}): Effect.Effect<Plan, MigrateError> =>
  Effect.gen(function*() {
    const accept = options.accept ?? []
    const { rules, warnings } = yield* readRules(dir)
    const folder = rulesFolder(resolve(dir))
    const dirs = [folder, process.cwd()]
    const skipped: Array<{ name: string; why: string }> = []
    const planned: Array<PlannedRule> = []
    const modules: Array<Module> = []
    const keys = new Set<string>()
    const notes = [...warnings]
    const skip = options.skip ?? []
    for (const name of skip) {
      if (!rules.some((r) => r.name === name)) notes.push(`--skip ${name}: there is no rule named "${name}"`)
    }
    for (const rule of rules.toSorted(byOrder)) {
      if (skip.includes(rule.name)) {
        skipped.push({ name: rule.name, why: "left out with --skip" })
        continue
      }
      if (!rule.enabled) {
        skipped.push({ name: rule.name, why: "disabled" })
        continue
      }
      if (rule.stage !== "login_success") {
        skipped.push({ name: rule.name, why: `stage ${rule.stage} (only login_success rules run after a login)` })
        continue
      }
      const text = yield* read(rule.script)
      const analysis = yield* Analyze.analyze(rule.script, text).pipe(
        Effect.mapError((error) => new MigrateError({ reason: `rule "${rule.name}": ${error.message}` }))
      )
      if (/##\w+##|@@\w+@@/.test(text)) {
        notes.push(`${rule.script}: holds a deploy-cli keyword (##KEY## or @@KEY@@) that was never replaced`)
      }
      const unsupported = analysis.findings.filter((f) => f.status === "unsupported")
      planned.push({
        file: rule,
        analysis,
        accepts: acceptedFor(rule, accept),
        accepted: unsupported.filter((f) => isAccepted(f, rule, accept)),
        refused: unsupported.filter((f) => !isAccepted(f, rule, accept))
      })
      for (const key of analysis.configurationKeys) keys.add(key)
      for (const r of analysis.requires) {
        if (!modules.some((m) => m.name === r.name)) {
          modules.push({
            name: r.name,
            ...moduleOf(r.name, dirs, options.external ?? []),
            rule: rule.name,
            line: r.line
          })
        }
      }
    }
    for (const name of accept) {
      const ruleName = name.includes(":") ? name.slice(0, name.lastIndexOf(":")) : undefined
      const construct = name.slice(name.lastIndexOf(":") + 1)
      if (neverAccepted.has(construct)) {
        notes.push(`--accept ${name}: ${construct} cannot be accepted (overlapping logins would share the variable)`)
      } else if (ruleName !== undefined && !rules.some((r) => r.name === ruleName)) {
        notes.push(`--accept ${name}: there is no rule named "${ruleName}"`)
      } else if (!planned.some((r) => r.accepted.some((f) => isAccepted(f, { ...r.file, accept: [] }, [name])))) {
        notes.push(
          `--accept ${name}: no rule uses that construct where the analysis sees it; it still applies when a rule ` +
            `reaches it through an alias at run time`
        )
      }
    }
    for (const name of options.external ?? []) {
      if (name === "request") {
        notes.push("--external request: rules always get rulefx's request shim (timeouts, body cap, safe callbacks)")
      } else if (!modules.some((m) => m.kind === "dependency" && packageName(m.name) === name)) {
        notes.push(`--external ${name}: no rule requires it`)
      }
    }
    for (const name of options.optionalSettings ?? []) {
      if (!keys.has(name)) notes.push(`--optional-setting ${name}: no rule reads configuration.${name}`)
    }
    return { dir: folder, rules: planned, skipped, modules, configurationKeys: [...keys].toSorted(), warnings: notes }
  })

/**
 * What stops the build: refused constructs and modules that are not installed, one line each.
 *
 * @category getters
 * @since 0.1.0
 */
export const problems = (p: Plan): ReadonlyArray<string> => [
  ...p.rules.flatMap((r) =>
    r.refused.map((f) =>
      `rule "${r.file.name}" (${relative(process.cwd(), r.file.script)}:${f.line}): ${f.construct} has no Actions ` +
      `equivalent: ${f.detail} (accept with --accept ${r.file.name}:${f.construct})`
    )
  ),
  ...p.modules.filter((m) => m.kind === "missing").map((m) =>
    `rule "${m.rule}" (line ${m.line}): require("${m.name}"): the module is not installed; ` +
    `run npm install ${m.name} next to the rules folder`
  )
]

/**
 * The npm dependencies the Action must declare (`name@version`), for the modules left out of the bundle.
 *
 * @category getters
 * @since 0.1.0
 */
export const dependencies = (p: Plan): ReadonlyArray<string> => [
  ...new Set(p.modules.filter((m) => m.kind === "dependency").map((m) => `${packageName(m.name)}@${m.version}`))
]

const here = dirname(fileURLToPath(import.meta.url))
const legacyRuleModule = fileURLToPath(import.meta.resolve("@rulefx/legacy-rules/LegacyRule"))
const requestModule = fileURLToPath(import.meta.resolve("@rulefx/legacy-rules/Request"))

// The source as a template literal: the rule's realm compiles it at run time (@rulefx/legacy-rules/Realm), minified,
// each statement on its original line (stack traces name the rule's lines). Its globals come from each run.
const template = (text: string): string => `\`${text.replace(/[\\`]|\$\{/g, (c) => `\\${c}`)}\``

const ruleEntries = (p: Plan, options: Options): Array<string> =>
  p.rules.map((r) => {
    const settings = r.analysis.configurationKeys.filter((key) => !(options.optionalSettings ?? []).includes(key))
    // Every construct accepted for the rule, found by the analysis or not: at run time it may come through an alias.
    const accepted = r.accepts
    const extra = [
      ...(settings.length === 0 ? [] : [`settings: ${JSON.stringify(settings)}`]),
      ...(accepted.length === 0 ? [] : [`accepted: ${JSON.stringify(accepted)}`])
    ]
    return [
      // Names and paths in comments lose anything that could end the comment (names are checked when read).
      `  // ${comment(JSON.stringify(r.file.name))} from ${comment(basename(r.file.script))}`,
      `  LegacyRule.make(${JSON.stringify(r.file.name)}, ${template(compact(r.analysis.source))}, ${
        extra.length === 0 ? "ruleOptions" : `{ ...ruleOptions, ${extra.join(", ")} }`
      }),`
    ].join("\n")
  })

const comment = (text: string): string => text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, "?")

// `request` is the expression of rulefx's shim; any other module is required as the rules would have required it.
const moduleEntries = (p: Plan, specifier: (m: Module) => string, request: string): Array<string> =>
  p.modules.map((m) =>
    `  ${JSON.stringify(m.name)}: ${m.kind === "shim" ? request : `require(${JSON.stringify(specifier(m))})`},`
  )

/**
 * The generated entry of the Action: each rule's source, minified but otherwise unchanged, as a string that runs in
 * a realm of its own (sloppy mode, the Rules globals per run). An ES module, so that esbuild inlines rulefx's modules
 * instead of wrapping each in a lazy CommonJS initialiser (about 4 kB of the Action); the modules the rules require
 * are required, as the rules would have. It refers to rulefx and to the modules by absolute path: it is built at once
 * and never kept.
 *
 * @category constructors
 * @since 0.1.0
 */
export const entrySource = (p: Plan, options: Options = {}): string =>
  [
    `// Generated by rulefx migrate from ${comment(p.dir)}. Do not edit: change the rules and migrate again.`,
    `import * as LegacyAction from ${JSON.stringify(join(here, "LegacyAction.ts"))}`,
    `import * as LegacyRule from ${JSON.stringify(legacyRuleModule)}`,
    ...(p.modules.some((m) => m.kind === "shim") ? [`import { request } from ${JSON.stringify(requestModule)}`] : []),
    `const modules = {`,
    // A bundled module by its resolved path; built-ins and the Action's npm dependencies by name.
    ...moduleEntries(p, (m) => m.kind === "bundled" && m.path !== undefined ? m.path : m.name, "request"),
    `}`,
    `const ruleOptions = { timeout: ${options.ruleTimeoutMillis ?? 5000} }`,
    `const rules = [`,
    ...ruleEntries(p, options),
    `]`,
    `const handlers = LegacyAction.make(rules, { modules, deadline: ${options.deadlineMillis ?? 10_000} })`,
    `export const onExecutePostLogin = handlers.onExecutePostLogin`,
    `export const onContinuePostLogin = handlers.onContinuePostLogin`,
    ``
  ].join("\n")

/**
 * A CommonJS module that exports the rules (`rules`, in order) and what they require (`modules`), for an Action
 * that runs them next to typed rules while they are converted one at a time
 * (`LegacyRules.make(rules, { modules })`). Unlike the entry, it names packages, not paths, so it can be kept in
 * the project: `rulefx migrate --emit-rules src/legacy-rules.cjs` writes it with its type declarations.
 *
 * @category constructors
 * @since 0.1.0
 */
export const rulesModuleSource = (p: Plan, options: Options = {}): string =>
  [
    `// Generated by rulefx migrate from ${
      comment(relative(process.cwd(), p.dir) || ".")
    }. Do not edit: change the rules ` +
    `and migrate again.`,
    `const LegacyRule = require("@rulefx/legacy-rules/LegacyRule")`,
    `exports.modules = {`,
    ...moduleEntries(p, (m) => m.name, `require("@rulefx/legacy-rules/Request").request`),
    `}`,
    `const ruleOptions = { timeout: ${options.ruleTimeoutMillis ?? 5000} }`,
    `exports.rules = [`,
    ...ruleEntries(p, options),
    `]`,
    ``
  ].join("\n")

/**
 * The type declarations of `rulesModuleSource` (a `.d.cts` next to the `.cjs`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const rulesModuleDeclarations = [
  `import type { LegacyRule } from "@rulefx/legacy-rules/LegacyRule"`,
  `/** The legacy rules, in the order they run. */`,
  `export declare const rules: ReadonlyArray<LegacyRule>`,
  `/** What the rules require, by module name. */`,
  `export declare const modules: Readonly<Record<string, unknown>>`,
  ``
].join("\n")

/**
 * Plans the folder and, when nothing is refused, writes the rules module (`file`, a `.cjs`) and its declarations
 * (the same name with \`.d.cts\`). Fails with every problem listed when something is refused or missing.
 *
 * @category constructors
 * @since 0.1.0
 */
export const emitRules = (
  dir: string,
  file: string,
  options: Options = {}
): Effect.Effect<Plan, MigrateError> =>
  Effect.gen(function*() {
    if (!file.endsWith(".cjs")) return yield* fail(`${file}: the rules module must be a .cjs file`)
    const p = yield* plan(dir, options)
    const found = problems(p)
    if (found.length > 0) {
      return yield* fail(`${render(p)}\n\nthe rules module was not written:\n${found.map((f) => `  ${f}`).join("\n")}`)
    }
    yield* Effect.tryPromise({
      try: async () => {
        await mkdir(dirname(resolve(file)), { recursive: true })
        await writeFile(file, rulesModuleSource(p, options))
        await writeFile(file.replace(/\.cjs$/, ".d.cts"), rulesModuleDeclarations)
      },
      catch: (error) =>
        new MigrateError({ reason: `${file}: cannot be written (${error instanceof Error ? error.message : ""})` })
    })
    return p
  })

/**
 * Renders what was found: each rule in order with every construct it translated or could not, the rules skipped,
 * the settings to set as secrets, the modules bundled, and warnings.
 *
 * @category getters
 * @since 0.1.0
 */
export const render = (p: Plan): string => {
  const lines = [`rules in ${relative(process.cwd(), p.dir) || "."}, in the order they run:`]
  p.rules.forEach((r, i) => {
    const order = r.file.order === undefined ? "no order" : `order ${r.file.order}`
    lines.push(`  ${i + 1}. ${r.file.name} (${order}) ${basename(r.file.script)}`)
    for (const f of r.analysis.findings) {
      const status = f.status === "translated"
        ? "translated"
        : r.accepted.includes(f)
        ? "accepted  "
        : "REFUSED   "
      lines.push(`       line ${String(f.line).padEnd(4)} ${status} ${f.construct}: ${f.detail}`)
    }
  })
  if (p.rules.length === 0) lines.push("  (none)")
  for (const s of p.skipped) lines.push(`  -  ${s.name}: skipped, ${s.why}`)
  lines.push(
    p.configurationKeys.length === 0
      ? "Action secrets (Rules settings): none"
      : `Action secrets (Rules settings, set each as a secret of the Action): ${p.configurationKeys.join(", ")}`
  )
  if (p.configurationKeys.length > 0) {
    lines.push("  a rule that names a setting the Action lacks is denied before it runs (unless --optional-setting)")
  }
  if (p.modules.length > 0) {
    const kinds = {
      builtin: "Node built-in",
      shim: "rulefx's fetch-based shim",
      bundled: "bundled",
      dependency: "an npm dependency of the Action",
      missing: "NOT INSTALLED"
    }
    lines.push(`modules: ${p.modules.map((m) => `${m.name} (${kinds[m.kind]})`).join(", ")}`)
  }
  const deps = dependencies(p)
  if (deps.length > 0) {
    lines.push(
      `Action dependencies (declare them: rulefx deploy ${deps.map((d) => `--dependency ${d}`).join(" ")}): ` +
        deps.join(", ")
    )
  }
  for (const w of p.warnings) lines.push(`warning: ${w}`)
  return lines.join("\n")
}

/**
 * Plans the folder and, when nothing is refused, builds the Action into `out`. Fails with every problem listed
 * when something is refused or missing.
 *
 * @category constructors
 * @since 0.1.0
 */
export const migrate = (
  dir: string,
  out: string,
  options: Options & { readonly budget?: number } = {}
): Effect.Effect<{ readonly plan: Plan; readonly report: Bundle.Report }, MigrateError> =>
  Effect.gen(function*() {
    const p = yield* plan(dir, options)
    const found = problems(p)
    if (found.length > 0) {
      return yield* fail(`${render(p)}\n\nthe Action was not built:\n${found.map((f) => `  ${f}`).join("\n")}`)
    }
    const report = yield* Effect.acquireUseRelease(
      Effect.promise(() => mkdtemp(join(tmpdir(), "rulefx-migrate-"))),
      (tmp) =>
        Effect.tryPromise({
          try: async () => {
            const entry = join(tmp, "action.mjs")
            await writeFile(entry, entrySource(p, options))
            return await Bundle.build({
              entry,
              outfile: out,
              external: p.modules.filter((m) => m.kind === "dependency").map((m) => m.name),
              entryLabel: "the rules' own code",
              ...(options.budget === undefined ? {} : { budget: options.budget })
            })
          },
          catch: (error) =>
            new MigrateError({
              reason: error instanceof Bundle.OverBudget
                ? `${error.message}\n(the rules and the modules they require must fit in Auth0's 100 kB)`
                : `build failed: ${error instanceof Error ? error.message : String(error)}`
            })
        }),
      (tmp) => Effect.promise(() => rm(tmp, { recursive: true, force: true }))
    )
    return { plan: p, report }
  })
