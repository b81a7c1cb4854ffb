/**
 * Migrate: turns a folder of legacy Auth0 Rules, as auth0-deploy-cli exports it, into one built Action that runs
 * them unchanged (`rulefx migrate <rules-dir> -o <action.js>`), or into a rules module to run next to typed rules
 * (`--emit-rules`). Node-side only.
 *
 * The steps are modules of their own: RulesFolder reads the folder, MigrationPlan analyses the rules and decides
 * what is refused, MigrationSize checks that the rules can fit with rulefx's runtime, GeneratedSource writes the code,
 * Bundle builds it. A refused construct or a missing module stops the build, with every problem listed after the plan;
 * rules too big for one Action stop it too, before bundling, with their sizes.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import * as Bundle from "./Bundle.ts"
import * as GeneratedSource from "./GeneratedSource.ts"
import * as Text from "./internal/text.ts"
import * as MigrationPlan from "./MigrationPlan.ts"
import * as MigrationSize from "./MigrationSize.ts"

const fail = (reason: string) => Effect.fail(new MigrationPlan.MigrateError({ reason }))

/**
 * A refusal with the plan's report before it (a tenant's report is a screenful or more, each rule with its
 * constructs): the refusal comes last, where a terminal leaves the reader, and its gist first, with a pointer, where
 * a reader starts.
 */
const afterPlan = (p: MigrationPlan.Plan, gist: string, refusal: string): string =>
  `${gist} (in full at the end, after the rules' report)\n\n${MigrationPlan.render(p)}\n\n${refusal}`

// The problems that keep `what` from being done (the rules module written, the Action built), after the plan.
const problemsAfterPlan = (p: MigrationPlan.Plan, notDone: string, found: ReadonlyArray<string>): string =>
  afterPlan(
    p,
    `${notDone}: ${Text.plural(found.length, "problem")}`,
    `${notDone}:\n${found.map((f) => `  ${f}`).join("\n")}`
  )

// rulefx's own folder: the generated entry's imports of @rulefx/legacy-rules resolve from here when the user's project
// does not have it.
const cliFolder = fileURLToPath(new URL("..", import.meta.url))

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
  options: MigrationPlan.Options = {}
): Effect.Effect<MigrationPlan.Plan, MigrationPlan.MigrateError> =>
  Effect.gen(function*() {
    if (!file.endsWith(".cjs")) return yield* fail(`${file}: the rules module must be a .cjs file`)
    const p = yield* MigrationPlan.plan(dir, options)
    const found = MigrationPlan.problems(p, options)
    if (found.length > 0) {
      return yield* fail(problemsAfterPlan(p, "the rules module was not written", found))
    }
    yield* Effect.tryPromise({
      try: async () => {
        await mkdir(dirname(resolve(file)), { recursive: true })
        await writeFile(file, GeneratedSource.rulesModuleSource(p, options))
        await writeFile(file.replace(/\.cjs$/, ".d.cts"), GeneratedSource.rulesModuleDeclarations)
      },
      catch: (error) =>
        new MigrationPlan.MigrateError({
          reason: `${file}: cannot be written (${error instanceof Error ? error.message : ""})`
        })
    })
    return p
  })

// Where the generated entry's imports resolve: the rules' folder, the working directory, then rulefx's own folder.
const resolveFromFor = (p: MigrationPlan.Plan): ReadonlyArray<string> => [p.dir, process.cwd(), cliFolder]

/**
 * Checks, without building, that the plan's rules can fit in the budget with rulefx's runtime (MigrationSize.check,
 * the runtime resolved as `migrate` resolves it); `dryRun` words the refusal as "would not be built".
 *
 * @category constructors
 * @since 0.1.0
 */
export const checkSize = (
  p: MigrationPlan.Plan,
  options: Omit<MigrationSize.Options, "resolveFrom"> = {}
): Effect.Effect<MigrationSize.Sizes, MigrationPlan.MigrateError> =>
  MigrationSize.check(p, { ...options, resolveFrom: resolveFromFor(p) })

/**
 * Plans the folder and, when nothing is refused, builds the Action into `out`. Fails with every problem listed
 * when something is refused or missing, and with the rules' sizes (MigrationSize) when they cannot fit in the budget
 * with rulefx's runtime, before bundling.
 *
 * @category constructors
 * @since 0.1.0
 */
export const migrate = (
  dir: string,
  out: string,
  options: MigrationPlan.Options & { readonly budget?: number; readonly runtime?: Bundle.Options["runtime"] } = {}
): Effect.Effect<{ readonly plan: MigrationPlan.Plan; readonly report: Bundle.Report }, MigrationPlan.MigrateError> =>
  Effect.gen(function*() {
    const p = yield* MigrationPlan.plan(dir, options)
    const found = MigrationPlan.problems(p, options)
    if (found.length > 0) {
      return yield* fail(problemsAfterPlan(p, "the Action was not built", found))
    }
    const resolveFrom = resolveFromFor(p)
    // A tenant that cannot fit is refused with its rules' sizes before a bundle is attempted.
    yield* checkSize(p, { budget: options.budget, runtime: options.runtime }).pipe(
      Effect.mapError((e) =>
        new MigrationPlan.MigrateError({ reason: afterPlan(p, e.reason.split("\n")[0]!.replace(/\.$/, ""), e.reason) })
      )
    )
    const report = yield* Effect.acquireUseRelease(
      Effect.promise(() => mkdtemp(join(tmpdir(), "rulefx-migrate-"))),
      (tmp) =>
        Effect.tryPromise({
          try: async () => {
            const entry = join(tmp, "action.mjs")
            await writeFile(entry, GeneratedSource.entrySource(p, options))
            return await Bundle.build({
              entry,
              outfile: out,
              external: p.modules.filter((m) => m.kind === "dependency").map((m) => m.name),
              entryLabel: "the rules' own code",
              resolveFrom,
              ...(options.budget === undefined ? {} : { budget: options.budget }),
              ...(options.runtime === undefined ? {} : { runtime: options.runtime })
            })
          },
          catch: (error) =>
            new MigrationPlan.MigrateError({
              reason: error instanceof Bundle.OverBudget
                ? `${error.message}\n(the rules and the modules they require must fit in Auth0's 100 kB)`
                : `build failed: ${error instanceof Error ? error.message : String(error)}`
            })
        }),
      (tmp) => Effect.promise(() => rm(tmp, { recursive: true, force: true }))
    )
    return { plan: p, report }
  })
