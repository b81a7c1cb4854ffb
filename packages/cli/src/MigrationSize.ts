/**
 * MigrationSize: whether a MigrationPlan's rules can fit in one Action with rulefx's runtime bundled in, checked before
 * anything is built. Node-side only.
 *
 * Each rule goes into the Action as its function's source minified (esbuild, the bundle's target), carried as a
 * string; rulefx's legacy runtime (effect, core, the adapter, the legacy-rules realm, and the `request` shim when a
 * rule requires `request`) comes with it. The runtime is measured, not assumed: an Action of one trivial rule is built
 * in memory with the plan's shim, and the trivial rule's own minified bytes taken off. The rules' minified bytes plus
 * that are a lower bound of the Action (modules the rules bundle come on top), so a plan refused here could never
 * have been built, and a plan that passes is still checked by the build itself.
 *
 * When the lower bound is over the budget, `check` fails before bundling with a table of the rules' sizes and the
 * ways out (`waysOut`); when the rules' minified code alone is over it, it says so first: moving the runtime out of the
 * Action would not be enough. With `runtime: "npm"` the runtime is the Action's npm dependency and only the rules
 * count.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { statSync } from "node:fs"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Analyze from "./Analyze.ts"
import * as Bundle from "./Bundle.ts"
import * as GeneratedSource from "./GeneratedSource.ts"
import { compact } from "./internal/ruleSource.ts"
import * as WaysOut from "./internal/waysOut.ts"
import * as MigrationPlan from "./MigrationPlan.ts"

/**
 * One rule's size: its file, and its function minified as the Action carries it.
 *
 * @category models
 * @since 0.1.0
 */
export interface RuleSize {
  readonly name: string
  /** Bytes of the rule's `.js` file. */
  readonly sourceBytes: number
  /** Bytes of the rule's function minified (esbuild, target node22), as the Action carries it. */
  readonly minifiedBytes: number
}

/**
 * What the check measured.
 *
 * @category models
 * @since 0.1.0
 */
export interface Sizes {
  /** Largest (minified) first; ties by name. */
  readonly rules: ReadonlyArray<RuleSize>
  readonly sourceBytes: number
  readonly minifiedBytes: number
  /**
   * rulefx's legacy runtime as this plan needs it (with the `request` shim when a rule requires `request`); 0 with
   * `runtime: "npm"`, where it is the Action's npm dependency, not its code.
   */
  readonly runtimeBytes: number
  readonly runtime: "bundled" | "npm"
  readonly shim: boolean
  /** The npm packages the rules require that would be bundled: what `--external` can take out. */
  readonly bundled: ReadonlyArray<string>
  readonly budget: number
}

/**
 * A rule no Action could do without: it calls back at once. The runtime is an Action of this rule, minus the rule.
 *
 * @category constructors
 * @since 0.1.0
 */
export const trivialRule = "function (user, context, callback) {\n  callback(null, user, context);\n}\n"

/**
 * The ways out of a tenant too big to bundle, one line each: kept here, in one place, so that the advice follows
 * what rulefx offers.
 *
 * @category constructors
 * @since 0.1.0
 */
export const waysOut = {
  runtimeNpm: WaysOut.runtimeNpm("the rules, the modules they bundle and a small entry"),
  external: WaysOut.external("the rules require is"),
  externalNone: "(these rules bundle no npm package)",
  convert: "convert rules to typed rulefx rules, one at a time (--skip <rule> leaves a converted rule out of the " +
    "migrated ones): see docs/migration-guide.md, section 6",
  drop: "leave out rules you no longer need: disable them in their JSON (\"enabled\": false) or --skip <rule>"
} as const

/**
 * What the check needs besides the plan.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** Bytes. Default 100,000, Auth0's limit. */
  readonly budget?: number | undefined
  /** Where the generated entry finds `@rulefx/legacy-rules`, as for the real build. */
  readonly resolveFrom: ReadonlyArray<string>
  /** Where rulefx's runtime goes. Default "bundled"; with "npm" only the rules count. */
  readonly runtime?: "bundled" | "npm" | undefined
  /** Words the refusal as "would not be built" (`--dry-run`). */
  readonly dryRun?: boolean | undefined
}

const bytes = (text: string): number => Buffer.byteLength(text, "utf8")

// Grouped by thousands, as a user reads a byte count next to Auth0's 100,000.
const grouped = (n: number): string => n.toLocaleString("en-US")

const fail = (reason: string) => Effect.fail(new MigrationPlan.MigrateError({ reason }))

/**
 * Each rule's size, largest (minified) first.
 *
 * @category constructors
 * @since 0.1.0
 */
export const measureRules = (
  p: MigrationPlan.Plan
): Effect.Effect<ReadonlyArray<RuleSize>, MigrationPlan.MigrateError> =>
  Effect.try({
    try: () =>
      p.rules.map((r): RuleSize => ({
        name: r.file.name,
        sourceBytes: statSync(r.file.script).size,
        minifiedBytes: bytes(compact(r.analysis.source))
      })).toSorted((a, b) => b.minifiedBytes - a.minifiedBytes || a.name.localeCompare(b.name)),
    catch: (error) =>
      new MigrationPlan.MigrateError({
        reason: `the rules could not be measured: ${error instanceof Error ? error.message : String(error)}`
      })
  })

/**
 * rulefx's legacy runtime in bytes, as an Action of this plan's rules carries it: an Action of one trivial rule
 * (with the `request` shim when `shim`) built in memory, minus that rule's minified bytes. `resolveFrom` is where the
 * generated entry finds `@rulefx/legacy-rules`, as for the real build.
 *
 * @category constructors
 * @since 0.1.0
 */
export const measureRuntime = Effect.fn("MigrationSize.measureRuntime")(function*(
  shim: boolean,
  resolveFrom: ReadonlyArray<string>
) {
  const analysis = yield* Analyze.analyze("trivial.js", trivialRule).pipe(
    Effect.mapError((error) => new MigrationPlan.MigrateError({ reason: error.message }))
  )
  const p: MigrationPlan.Plan = {
    dir: "trivial",
    rules: [{
      file: {
        name: "trivial",
        json: "trivial.json",
        script: "trivial.js",
        enabled: true,
        order: 1,
        stage: "login_success",
        accept: []
      },
      analysis,
      accepts: [],
      accepted: [],
      refused: []
    }],
    skipped: [],
    modules: shim ? [{ name: "request", kind: "shim", path: undefined, rule: "trivial", line: 1 }] : [],
    configurationKeys: [],
    warnings: []
  }
  const built = yield* Effect.acquireUseRelease(
    Effect.promise(() => mkdtemp(join(tmpdir(), "rulefx-runtime-size-"))),
    (tmp) =>
      Effect.tryPromise({
        try: async () => {
          const entry = join(tmp, "action.mjs")
          await writeFile(entry, GeneratedSource.entrySource(p))
          return await Bundle.build({
            entry,
            outfile: join(tmp, "out", "action.js"),
            resolveFrom,
            budget: Number.POSITIVE_INFINITY
          })
        },
        catch: (error) =>
          new MigrationPlan.MigrateError({
            reason: `rulefx's runtime could not be measured: ${error instanceof Error ? error.message : String(error)}`
          })
      }),
    (tmp) => Effect.promise(() => rm(tmp, { recursive: true, force: true }))
  )
  return built.bytes - bytes(compact(analysis.source))
})

/**
 * Measures the plan's rules and the runtime it needs. Fails only when something cannot be measured.
 *
 * @category constructors
 * @since 0.1.0
 */
export const measure = Effect.fn("MigrationSize.measure")(function*(
  p: MigrationPlan.Plan,
  options: Options
) {
  const rules = yield* measureRules(p)
  const shim = p.modules.some((m) => m.kind === "shim")
  const runtime = options.runtime ?? "bundled"
  // With the runtime as an npm dependency, the Action's code is the rules and a small entry: nothing to measure.
  const runtimeBytes = runtime === "npm" ? 0 : yield* measureRuntime(shim, options.resolveFrom)
  return {
    rules,
    sourceBytes: rules.reduce((sum, r) => sum + r.sourceBytes, 0),
    minifiedBytes: rules.reduce((sum, r) => sum + r.minifiedBytes, 0),
    runtimeBytes,
    runtime,
    shim,
    bundled: p.modules.filter((m) => m.kind === "bundled").map((m) => m.name),
    budget: options.budget ?? Bundle.auth0Limit
  } satisfies Sizes
})

/**
 * Whether the rules can fit: their minified bytes plus the runtime's at most the budget.
 *
 * @category guards
 * @since 0.1.0
 */
export const fits = (s: Sizes): boolean => s.minifiedBytes + s.runtimeBytes <= s.budget

/**
 * The rules' sizes as a table: name, source bytes, minified bytes, largest first, and the total.
 *
 * @category getters
 * @since 0.1.0
 */
export const table = (s: Sizes): string => {
  const total = `total (${s.rules.length} ${s.rules.length === 1 ? "rule" : "rules"})`
  const width = Math.max(4, ...s.rules.map((r) => r.name.length), total.length)
  const row = (name: string, source: string, minified: string) =>
    `  ${name.padEnd(width)}  ${source.padStart(12)}  ${minified.padStart(14)}`
  return [
    row("rule", "source bytes", "minified bytes"),
    ...s.rules.map((r) => row(r.name, grouped(r.sourceBytes), grouped(r.minifiedBytes))),
    row(total, grouped(s.sourceBytes), grouped(s.minifiedBytes))
  ].join("\n")
}

/**
 * Why the rules cannot fit, with the sizes, the table and the ways out. The rules alone over the budget come first:
 * then only smaller rules help, not moving the runtime out.
 *
 * @category getters
 * @since 0.1.0
 */
export const renderRefusal = (s: Sizes, options: { readonly dryRun?: boolean | undefined } = {}): string => {
  const notBuilt = options.dryRun === true ? "the Action would not be built" : "the Action was not built"
  const runtime = `rulefx's legacy runtime${s.shim ? " (with the request shim)" : ""}`
  const rulesAlone = s.minifiedBytes > s.budget
  const head = rulesAlone && s.runtime === "npm"
    ? [
      `${notBuilt}: the rules alone are ${grouped(s.minifiedBytes)} bytes minified, over the budget of ` +
      `${grouped(s.budget)} bytes. rulefx's runtime is already out of the Action (runtime npm): the rules themselves ` +
      `must shrink.`
    ]
    : rulesAlone
    ? [
      `${notBuilt}: the rules alone are ${grouped(s.minifiedBytes)} bytes minified, over the budget of ` +
      `${grouped(s.budget)} bytes before any of rulefx's runtime (${grouped(s.runtimeBytes)} bytes more).`,
      `Moving the runtime out of the Action (--runtime npm) would not be enough: the rules themselves must shrink.`
    ]
    : [
      `${notBuilt}: its rules and ${runtime} cannot fit in the budget of ${grouped(s.budget)} bytes.`,
      `  ${runtime}: ${grouped(s.runtimeBytes)} bytes (measured: an Action of one trivial rule, minus the rule)`,
      `  the rules, minified: ${grouped(s.minifiedBytes)} bytes`,
      `  together at least ${grouped(s.minifiedBytes + s.runtimeBytes)} bytes, ` +
      `${grouped(s.minifiedBytes + s.runtimeBytes - s.budget)} over (modules the rules bundle come on top)`
    ]
  const ways = rulesAlone
    ? [waysOut.convert, waysOut.drop]
    : [
      waysOut.runtimeNpm,
      `${waysOut.external} ${
        s.bundled.length === 0 ? waysOut.externalNone : `(these rules bundle: ${s.bundled.join(", ")})`
      }`,
      waysOut.convert
    ]
  return [
    ...head,
    ``,
    `the rules' sizes, largest first (minified: the rule's function as the Action carries it):`,
    table(s),
    ``,
    `ways out:`,
    ...ways.map((w) => `  - ${w}`)
  ].join("\n")
}

/**
 * The check's verdict on rules that fit, one line (`rulefx migrate --dry-run` prints it): the rules' minified bytes
 * and, with the runtime bundled, the runtime's, against the budget. A lower bound: the modules the rules bundle come
 * on top, and the build measures the file itself.
 *
 * @category getters
 * @since 0.1.0
 */
export const renderVerdict = (s: Sizes): string => {
  const total = s.minifiedBytes + s.runtimeBytes
  const measured = s.runtime === "npm"
    ? `the rules, ${grouped(s.minifiedBytes)} bytes minified (runtime npm: rulefx's runtime is the Action's npm ` +
      `dependency, outside the budget)`
    : `the rules, ${grouped(s.minifiedBytes)} bytes minified, and rulefx's legacy runtime${
      s.shim ? " (with the request shim)" : ""
    }, ${grouped(s.runtimeBytes)} bytes, at least ${grouped(total)} bytes together`
  return `size: ${measured}, of the budget of ${grouped(s.budget)} bytes (${
    grouped(s.budget - total)
  } left): they fit; the modules the rules bundle come on top, and the build measures the file itself`
}

/**
 * Measures the plan and fails, before anything is bundled, when its rules cannot fit with the runtime; the failure's
 * reason is `renderRefusal`'s text.
 *
 * @category constructors
 * @since 0.1.0
 */
export const check = Effect.fn("MigrationSize.check")(function*(
  p: MigrationPlan.Plan,
  options: Options
) {
  const sizes = yield* measure(p, options)
  if (!fits(sizes)) return yield* fail(renderRefusal(sizes, options))
  return sizes
})
