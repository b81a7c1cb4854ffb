import { Argument, Command, Flag } from "effect/cli"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Bundle from "../../Bundle.ts"
import * as Migrate from "../../Migrate.ts"
import * as MigrationPlan from "../../MigrationPlan.ts"
import * as MigrationSize from "../../MigrationSize.ts"
import * as PackageManager from "../packageManager.ts"
import { report } from "./build.ts"
import { CommandFailed, invalidOption } from "./errors.ts"
import { userAgent } from "./userAgent.ts"

const failed = (e: MigrationPlan.MigrateError) => new CommandFailed({ reason: e.reason })

export const migrate = Command.make(
  "migrate",
  {
    dir: Argument.String("rules-dir").pipe(
      Argument.withDescription("A folder of legacy Rules as auth0-deploy-cli exports it (<name>.js + <name>.json)")
    ),
    out: Flag.String("out").pipe(Flag.withAlias("o"), Flag.withDescription("The Action file to write"), Flag.optional),
    emitRules: Flag.String("emit-rules").pipe(
      Flag.withDescription(
        "Instead of an Action, write the rules as a module (a .cjs and its .d.cts) to run next to typed rules"
      ),
      Flag.optional
    ),
    accept: Flag.String("accept").pipe(
      Flag.withDescription("Accept a construct with no Actions equivalent: <construct> or <rule>:<construct>"),
      Flag.atLeast(0)
    ),
    skip: Flag.String("skip").pipe(
      Flag.withDescription("Leave a rule out by name (repeatable), e.g. one already converted to a typed rule"),
      Flag.atLeast(0)
    ),
    external: Flag.String("external").pipe(
      Flag.withDescription(
        "A package to leave out of the bundle and declare as the Action's npm dependency (repeatable): Auth0 installs " +
          "it, and it does not count towards the 100 kB"
      ),
      Flag.atLeast(0)
    ),
    optionalSetting: Flag.String("optional-setting").pipe(
      Flag.withDescription(
        "A Rules setting the rules may run without (repeatable); any other missing setting denies the login"
      ),
      Flag.atLeast(0)
    ),
    ruleTimeout: Flag.Int("rule-timeout").pipe(
      Flag.withDescription("Milliseconds each rule has to call back; past it the login is denied"),
      Flag.withDefault(5000)
    ),
    deadline: Flag.Int("deadline").pipe(
      Flag.withDescription("Milliseconds for the whole run (Auth0 allows 20 s for the whole flow)"),
      Flag.withDefault(10_000)
    ),
    budget: Flag.Int("budget").pipe(
      Flag.withDescription("Size budget in kB (1 kB = 1000 bytes; Auth0 allows 100); the build fails above it"),
      Flag.withDefault(100)
    ),
    runtime: Flag.Literals("runtime", ["bundled", "npm"]).pipe(
      Flag.withDescription(
        "Where the rulefx runtime (effect, @rulefx/*, the legacy-rules realm) lives: bundled into the file (the " +
          "default), or npm: the file holds the rules, the modules they bundle and a small entry, and requires " +
          "@rulefx/action-runtime, which must be installed in your project (npm install --save-exact " +
          "@rulefx/action-runtime) and declared as the Action's dependency at that exact version (rulefx deploy and " +
          "rulefx export add it); the budget counts the file only"
      ),
      Flag.withDefault("bundled" as const)
    ),
    dryRun: Flag.Boolean("dry-run").pipe(
      Flag.withDescription("Only print what was found; write nothing"),
      Flag.withDefault(false)
    )
  },
  Effect.fnUntraced(
    function*(
      { accept, budget, deadline, dir, dryRun, emitRules, external, optionalSetting, out, ruleTimeout, runtime, skip }
    ) {
      if (ruleTimeout <= 0 || deadline <= 0 || budget <= 0) {
        return yield* invalidOption("--rule-timeout, --deadline and --budget must be positive")
      }
      if (ruleTimeout >= deadline) {
        yield* Console.log(
          `warning: --rule-timeout ${ruleTimeout} is not below --deadline ${deadline}; a hanging rule then ` +
            `ends the whole run instead of being named`
        )
      }
      const options = {
        packageManager: PackageManager.fromUserAgent(yield* userAgent),
        accept,
        skip,
        external,
        optionalSettings: optionalSetting,
        ruleTimeoutMillis: ruleTimeout,
        deadlineMillis: deadline,
        budget: budget * Bundle.bytesPerKb,
        runtime
      }
      if (dryRun) {
        const plan = yield* MigrationPlan.plan(dir, options).pipe(Effect.mapError(failed))
        const problems = MigrationPlan.problems(plan, options)
        yield* Console.log(MigrationPlan.render(plan))
        if (problems.length > 0) {
          return yield* new CommandFailed({
            reason: `the Action would not be built:\n${problems.map((p) => `  ${p}`).join("\n")}`
          })
        }
        const sizes = yield* Migrate.checkSize(plan, { budget: options.budget, runtime, dryRun: true }).pipe(
          Effect.mapError(failed)
        )
        yield* Console.log(MigrationSize.renderVerdict(sizes))
        return
      }
      if (Option.isSome(emitRules) && runtime === "npm") {
        return yield* invalidOption(
          "--runtime is where the Action's runtime lives, and --emit-rules writes no Action: build the Action " +
            "that imports the rules module with rulefx build --runtime npm"
        )
      }
      if (Option.isSome(emitRules)) {
        const plan = yield* Migrate.emitRules(dir, emitRules.value, options).pipe(Effect.mapError(failed))
        yield* Console.log(MigrationPlan.render(plan))
        yield* Console.log(
          `${emitRules.value}: ${plan.rules.length} rules (with ${emitRules.value.replace(/\.cjs$/, ".d.cts")})`
        )
        return
      }
      if (Option.isNone(out)) {
        return yield* invalidOption("say where to write the Action with -o <file> (or use --emit-rules)")
      }
      const result = yield* Migrate.migrate(dir, out.value, options).pipe(Effect.mapError(failed))
      yield* Console.log(MigrationPlan.render(result.plan))
      yield* Console.log(report(result.report))
    }
  )
).pipe(
  Command.withDescription(
    "Turn a deploy-cli folder of legacy Rules into one Action that runs them unchanged, and print every construct"
  )
)
