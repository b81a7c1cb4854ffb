import { Argument, Command, Flag } from "effect/cli"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { readFile } from "node:fs/promises"
import * as ActionRuntime from "../../ActionRuntime.ts"
import * as Bundle from "../../Bundle.ts"
import * as Triggers from "../../Triggers.ts"
import * as TypeCheck from "../../TypeCheck.ts"
import * as WaysOut from "../waysOut.ts"
import { CommandFailed, invalidOption } from "./errors.ts"

export const report = (r: Bundle.Report): string =>
  [
    `${r.outfile}: ${Bundle.formatBytes(r.bytes)} (${r.bytes} bytes), budget ${Bundle.formatBytes(r.budget)}`,
    "largest contributors:",
    ...r.contributors.map((c) => `  ${Bundle.formatBytes(c.bytes).padStart(9)}  ${c.path}`),
    ...(r.sourcemap === undefined
      ? []
      : [`source map: ${r.sourcemap} (for rulefx run; not part of the Action, never deployed or exported)`]),
    ...(r.dependencies === undefined ? [] : [
      `runtime: npm; the Action must declare ${r.dependencies.join(", ")} as its dependency (exact version): ` +
      `rulefx deploy and rulefx export add it, read from the file`
    ]),
    ...(r.runtimeNotInProject === undefined ? [] : [
      `warning: ${r.dependencies?.join(", ")} is not installed in this project (the build used rulefx's own copy, ` +
      `${r.runtimeNotInProject}): install it at that exact version so that rulefx run and your tests can load the ` +
      `file (${ActionRuntime.installWays(r.dependencies?.join(" ") ?? ActionRuntime.packageName)})`
    ]),
    ...(r.otherEffect === undefined ? [] : [otherEffectWarning(r, r.otherEffect)]),
    ...r.duplicates.map((d) => `warning: ${Bundle.describeDuplicate(d)}`),
    ...r.barrelImportsLeft.map((file) =>
      `warning: ${file} still imports from the "effect" barrel in a form that cannot be rewritten ` +
      `(use import { Effect } from "effect" or import * as Effect from "effect/Effect")`
    )
  ].join("\n")

// The project's effect is not the runtime's: which one the types are checked against, which one the Action runs.
const otherEffectWarning = (r: Bundle.Report, other: NonNullable<Bundle.Report["otherEffect"]>): string =>
  `warning: your project has effect ${other.project.version} (in ${other.project.folder}), but ` +
  `${r.dependencies?.join(", ") ?? ActionRuntime.packageName} carries effect ${other.runtime}: your code is ` +
  `type-checked (and its tests run) against effect ${other.project.version}, the Action runs effect ` +
  `${other.runtime}. Install effect ${other.runtime} in the project (npm install --save-exact ` +
  `effect@${other.runtime}) so that both are the same`

/**
 * The ways out of a build over its budget, as migrate's refusal words them: the runtime out of the file (unless it is
 * already), the bundled packages left to the Action's npm dependencies, else the code itself must shrink.
 */
export const waysOut = (r: Bundle.Report): string => {
  const ways = [
    ...(r.dependencies === undefined ? [WaysOut.runtimeNpm("your code and the packages it bundles")] : []),
    ...(r.packages === undefined
      ? []
      : [`${WaysOut.external("your code imports is")} (this build bundles: ${r.packages.join(", ")})`])
  ]
  return [
    "ways out:",
    ...(ways.length === 0 ? ["your own code must shrink: the largest contributors above are where the bytes go"] : ways)
      .map((way) => `  - ${way}`)
  ].join("\n")
}

const typeScriptSource = /\.[cm]?tsx?$/

/** Type-checks the entry's project; fails with TypeScript's diagnostics, so that nothing is built. */
const typecheck = Effect.fnUntraced(function*(entry: string) {
  const result = yield* TypeCheck.check(entry).pipe(
    Effect.mapError((e) => new CommandFailed({ reason: `${e.message}` }))
  )
  if (result === undefined) {
    if (typeScriptSource.test(entry)) {
      yield* Console.log(`note: no tsconfig.json is above ${entry}, so it was not type-checked`)
    }
    return
  }
  if (!result.ok) {
    return yield* new CommandFailed({
      reason: `${result.diagnostics}\n\n${entry} does not type-check with ${TypeCheck.describe(result)}: nothing ` +
        `was built (--no-typecheck builds without checking)`
    })
  }
  yield* Console.log(`type-checked: ${TypeCheck.describe(result)}`)
})

export const build = Command.make(
  "build",
  {
    entry: Argument.String("entry").pipe(
      Argument.withDescription("The Action's entry file (TypeScript or JavaScript)")
    ),
    out: Flag.String("out").pipe(Flag.withAlias("o"), Flag.withDescription("The file to write, e.g. dist/action.js")),
    budget: Flag.Int("budget").pipe(
      Flag.withDescription("Size budget in kB (1 kB = 1000 bytes; Auth0 allows 100); the build fails above it"),
      Flag.withDefault(100)
    ),
    typecheck: Flag.Boolean("typecheck").pipe(
      Flag.withDescription(
        "Type-check the entry's project (its tsconfig.json, its TypeScript) before bundling; --no-typecheck skips it"
      ),
      Flag.withDefault(true)
    ),
    sourcemap: Flag.Boolean("sourcemap").pipe(
      Flag.withDescription("Also write <file>.map beside the file, for rulefx run's stack positions (never deployed)"),
      Flag.withDefault(false)
    ),
    external: Flag.String("external").pipe(
      Flag.withDescription(
        "A package to leave out of the file and declare as the Action's npm dependency (repeatable; rulefx deploy " +
          "--dependency <name>@<version>): Auth0 installs it, and it does not count towards the 100 kB"
      ),
      Flag.atLeast(0)
    ),
    runtime: Flag.Literals("runtime", ["bundled", "npm"]).pipe(
      Flag.withDescription(
        "Where the rulefx runtime (effect, @rulefx/*, valibot) lives: bundled into the file (the default), or npm: " +
          "the file holds only your code and requires @rulefx/action-runtime, which must be installed in your " +
          "project and declared as the Action's dependency at that exact version (the budget counts your code only)"
      ),
      Flag.withDefault("bundled" as const)
    )
  },
  Effect.fnUntraced(function*({ budget, entry, external, out, runtime, sourcemap, typecheck: check }) {
    if (budget <= 0) return yield* invalidOption("--budget must be a positive number of kB")
    if (check) yield* typecheck(entry)
    const result = yield* Effect.tryPromise({
      try: () =>
        Bundle.build({
          entry,
          outfile: out,
          budget: budget * Bundle.bytesPerKb,
          sourcemap,
          runtime,
          ...(external.length === 0 ? {} : { external })
        }),
      catch: (error) =>
        new CommandFailed({
          reason: error instanceof Bundle.OverBudget
            ? `${error.message}\n${report(error.report)}\n\n${waysOut(error.report)}\n\nnothing was written`
            : `build failed, nothing was written: ${error instanceof Error ? error.message : String(error)}`
        })
    })
    yield* Console.log(report(result))
    if (external.length > 0) {
      yield* Console.log(
        `external: ${external.join(", ")}: not in the file; declare each as the Action's npm dependency at the ` +
          `version you installed (rulefx deploy and rulefx export: --dependency <name>@<version>)`
      )
    }
    const line = triggerLine(yield* Effect.promise(() => readFile(out, "utf8").catch(() => "")))
    if (line !== undefined) yield* Console.log(line)
  })
).pipe(
  Command.withDescription(
    "Type-check and build an Action into one minified CommonJS file for Auth0 (node22), with a size report"
  )
)

// Which trigger the built file is for, read from the handlers it exports (deploy and export read it the same way).
// Nothing for post-login, the default, whose output stays as it was.
export const triggerLine = (code: string): string | undefined => {
  const found = Triggers.fromSource(code)
  if (found.length === 1) {
    const [t] = found as [Triggers.Trigger]
    if (t.id === "post-login") return undefined
    return `trigger: ${t.id} ${t.version} (exports ${t.handlers.filter((h) => code.includes(h)).join(", ")})`
  }
  return found.length === 0
    ? `warning: the file exports no handler of a trigger rulefx knows (${
      Triggers.all.map((t) => t.handlers[0]).join(", ")
    })`
    : `warning: the file exports the handlers of several triggers (${
      found.map((t) => t.id).join(", ")
    }); an Action is for one trigger`
}
