/**
 * MigrationPlan: what `rulefx migrate` found in a folder of legacy Rules, before anything is built. Node-side only.
 *
 * The enabled `login_success` rules run in `order` (then by name). Each rule is analysed (Analyze): every construct
 * it uses is either translated to its Actions equivalent or has none. A construct without an equivalent is refused,
 * naming the rule, the line and the construct, unless the user accepts it: `--accept <construct>` for every rule,
 * `--accept <rule>:<construct>`, or `"rulefx": { "accept": ["<construct>"] }` in the rule's JSON. An accepted
 * construct runs as an inert value.
 *
 * Modules the rules `require` reach the Action as Node built-ins, as rulefx's fetch-based `request` shim, bundled
 * (resolved from the rules folder's, or the working directory's, node_modules, with any `@version` pin dropped), or
 * as the Action's npm dependencies (`--external`).
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { existsSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { basename, dirname, join, relative, resolve } from "node:path"
import * as Analyze from "./Analyze.ts"
import { readText } from "./internal/files.ts"
import * as PackageManager from "./internal/packageManager.ts"
import * as RulesFolder from "./RulesFolder.ts"

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
  readonly file: RulesFolder.RuleFile
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
  /**
   * The package manager that ran rulefx (from `npm_config_user_agent`): the advice for a module that is not installed
   * names its command (`npm install x`, `pnpm add x`), or both when it is not known.
   */
  readonly packageManager?: "npm" | "pnpm" | undefined
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

const read = (file: string): Effect.Effect<string, MigrateError> =>
  readText(file, (problem) => new MigrateError({ reason: `${file}: ${problem}` }))

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

// Through most, overlapping logins would share state; a restricted claim would deny every login. Never accepted.
const neverAccepted: ReadonlySet<string> = Analyze.neverAccepted

// The constructs accepted for a rule: in its JSON, for every rule (`--accept c`) or for it (`--accept rule:c`).
const acceptedFor = (rule: RulesFolder.RuleFile, accept: ReadonlyArray<string>): ReadonlyArray<string> =>
  [
    ...new Set([
      ...rule.accept,
      ...accept.filter((a) => !a.includes(":")),
      ...accept.filter((a) => a.startsWith(`${rule.name}:`)).map((a) => a.slice(rule.name.length + 1))
    ])
  ].filter((c) => !neverAccepted.has(c))

const isAccepted = (finding: Analyze.Finding, rule: RulesFolder.RuleFile, accept: ReadonlyArray<string>): boolean =>
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
    const { folder, rules, warnings } = yield* RulesFolder.read(dir).pipe(
      Effect.mapError((e) => new MigrateError({ reason: e.reason }))
    )
    const dirs = [folder, process.cwd()]
    const skipped: Array<{ name: string; why: string }> = []
    const planned: Array<PlannedRule> = []
    const modules: Array<Module> = []
    const keys = new Set<string>()
    const notes = [...warnings]
    const skip = options.skip ?? []
    // A misspelt --skip would run a converted rule twice, once as legacy code and once typed: refused, not a warning.
    const unknown = skip.filter((name) => !rules.some((r) => r.name === name))
    if (unknown.length > 0) {
      return yield* new MigrateError({
        reason: `${unknown.map((name) => `--skip ${name}: there is no rule named "${name}"`).join("; ")} (the rules: ${
          rules.map((r) => r.name).toSorted().join(", ")
        })`
      })
    }
    for (const rule of rules.toSorted(RulesFolder.byOrder)) {
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
      notes.push(...analysis.configurationClaims.map((c) => configurationClaimWarning(rule.name, rule.script, c)))
      notes.push(...analysis.configurationRedirects.map((r) => configurationRedirectWarning(rule.name, rule.script, r)))
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
        notes.push(`--accept ${name}: ${construct} cannot be accepted (${Analyze.whyNeverAccepted(construct)})`)
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

// A rule that copies a setting into a token: Rules issued it; the migrated Action denies that login (SecretInClaim).
const configurationClaimWarning = (
  name: string,
  script: string,
  c: Analyze.Analysis.ConfigurationClaim
): string =>
  `rule "${name}" (${relative(process.cwd(), script)}:${c.line}) copies configuration.${c.key} into ` +
  `${c.token === "idToken" ? "an ID-token" : "an access-token"} claim${
    c.claim === undefined ? "" : ` (${c.claim})`
  }: an Action secret is never issued in a token, so the migrated Action denies that login (SecretInClaim); ` +
  `put a value that is not secret in the claim, or drop it`

// A rule that puts a setting into a redirect's URL as a whole part: the migrated Action denies that login too.
const configurationRedirectWarning = (
  name: string,
  script: string,
  r: Analyze.Analysis.ConfigurationRedirect
): string =>
  `rule "${name}" (${relative(process.cwd(), script)}:${r.line}) puts configuration.${r.key} into a redirect's URL ` +
  `as a whole part (a query value, a path segment): an Action secret never goes through the browser, so the ` +
  `migrated Action denies that login (SecretInRedirect); put a value that is not secret in the URL, or drop it`

/**
 * What stops the build: refused constructs and modules that are not installed, one line each (the advice to install
 * a module names `options.packageManager`'s command, or npm's and pnpm's, and the folder to run it in, relative to the
 * working directory).
 *
 * @category getters
 * @since 0.1.0
 */
export const problems = (p: Plan, options: Pick<Options, "packageManager"> = {}): ReadonlyArray<string> => [
  ...p.rules.flatMap((r) =>
    r.refused.map((f) =>
      `rule "${r.file.name}" (${relative(process.cwd(), r.file.script)}:${f.line}): ${
        f.construct === "claim.restricted" ? "" : `${f.construct} has no Actions equivalent: `
      }${f.detail} (${
        neverAccepted.has(f.construct)
          ? "cannot be accepted: change the rule"
          : `accept with --accept ${r.file.name}:${f.construct}`
      })`
    )
  ),
  ...p.modules.filter((m) => m.kind === "missing").map((m) =>
    `rule "${m.rule}" (line ${m.line}): require("${m.name}"): the module is not installed; ` +
    `run ${PackageManager.addCommand(options.packageManager, packageName(m.name))} in ${
      relative(process.cwd(), dirname(p.dir)) || "."
    } (the folder that holds ${basename(p.dir)}/) or in your project`
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

// rulefx's own folder: the generated entry's imports of @rulefx/legacy-rules resolve from here when the user's project
// does not have it.
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
