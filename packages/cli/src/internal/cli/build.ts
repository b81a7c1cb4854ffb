import { Argument, Command, Flag } from "effect/cli"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Bundle from "../../Bundle.ts"
import { CommandFailed } from "./errors.ts"

export const report = (r: Bundle.Report): string =>
  [
    `${r.outfile}: ${Bundle.formatBytes(r.bytes)} (${r.bytes} bytes), budget ${Bundle.formatBytes(r.budget)}`,
    "largest contributors:",
    ...r.contributors.map((c) => `  ${Bundle.formatBytes(c.bytes).padStart(9)}  ${c.path}`),
    ...r.barrelImportsLeft.map((file) =>
      `warning: ${file} still imports from the "effect" barrel in a form that cannot be rewritten ` +
      `(use import { Effect } from "effect" or import * as Effect from "effect/Effect")`
    )
  ].join("\n")

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
    )
  },
  Effect.fnUntraced(function*({ budget, entry, out }) {
    if (budget <= 0) return yield* new CommandFailed({ reason: "--budget must be a positive number of kB" })
    const result = yield* Effect.tryPromise({
      try: () => Bundle.build({ entry, outfile: out, budget: budget * Bundle.bytesPerKb }),
      catch: (error) =>
        new CommandFailed({
          reason: error instanceof Bundle.OverBudget
            ? `${error.message}\n${report(error.report)}`
            : `build failed: ${error instanceof Error ? error.message : String(error)}`
        })
    })
    yield* Console.log(report(result))
  })
).pipe(
  Command.withDescription("Build an Action into one minified CommonJS file for Auth0 (node22), with a size report")
)
