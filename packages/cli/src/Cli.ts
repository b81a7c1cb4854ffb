/**
 * Cli: the `rulefx` command (a bin of this package): scaffold a project, build, run, deploy and export an Auth0
 * Action, and migrate legacy Rules into one. Node-side only.
 *
 * ```sh
 * rulefx init [dir] [--name my-login-action] [--force]
 * rulefx build src/action.ts -o dist/action.js [--budget 100] [--no-typecheck] [--sourcemap] [--runtime npm]
 *   [--external <package>]
 * rulefx run dist/action.js --event event.json [--secrets secrets.env] [--json] [--expect allowed|denied] [--strict]
 * rulefx run dist/action.js --event events/events.jsonl --name "auth0|ada @ Admin Console"
 * rulefx deploy dist/action.js --name seller-login [--secrets-file secrets.env] [--dependency name@version] [--dry-run]
 * rulefx export dist/action.js --name seller-login --out tenant/ [--secret NAME] [--dependency name@version] [--bind]
 * rulefx migrate tenant/rules -o dist/action.js [--accept <rule>:<construct>] [--skip <rule>] [--external <package>]
 *   [--optional-setting NAME] [--rule-timeout 5000] [--deadline 10000] [--budget 100] [--runtime npm] [--dry-run]
 * rulefx migrate tenant/rules --emit-rules src/legacy-rules.cjs [--skip <rule>]
 * rulefx diff dist/old.js dist/new.js --events events/ [--secrets secrets.env] [--ignore <path>] [--live] [--json]
 *   [--trigger credentials-exchange]
 * rulefx events --from-tenant --out events/ [--users 10] [--clients id,...] [--seed 1] [--no-roles] [--no-factors]
 * rulefx events --generate 200 --out events/ [--seed 1] [--rules tenant/rules]
 * rulefx convert tenant/rules email-verified [-o src/rules] [--tests test] [--count 300] [--after-legacy] [--no-check]
 * ```
 *
 * @since 0.1.0
 */
import { CliOutput, Command } from "effect/cli"
import * as CliError from "effect/cli/CliError"
import * as Effect from "effect/Effect"
import { createRequire } from "node:module"
import { build } from "./internal/cli/build.ts"
import { convert } from "./internal/cli/convert.ts"
import { deploy } from "./internal/cli/deploy.ts"
import { diff } from "./internal/cli/diff.ts"
import { UsageError } from "./internal/cli/errors.ts"
import { events } from "./internal/cli/events.ts"
import { exportCommand } from "./internal/cli/export.ts"
import { init } from "./internal/cli/init.ts"
import { migrate } from "./internal/cli/migrate.ts"
import { run } from "./internal/cli/run.ts"
import { presenter } from "./internal/cli/usage.ts"
import * as NodePlatform from "./internal/nodePlatform.ts"

/**
 * The root command.
 *
 * @category constructors
 * @since 0.1.0
 */
export const rulefx = Command.make("rulefx").pipe(
  Command.withDescription(
    "Scaffold, build, run, deploy and export Auth0 Actions written with rulefx; migrate legacy Rules, convert them"
  ),
  Command.withSubcommands([init, build, run, deploy, exportCommand, migrate, diff, events, convert])
)

// The installed package's own manifest, found by name (its exports list ./package.json) from src/ and dist/ alike.
const version = (createRequire(import.meta.url)("@rulefx/cli/package.json") as { readonly version: string }).version

/**
 * Runs the command line (`argv` as in `process.argv`) and exits with its status.
 *
 * @category constructors
 * @since 0.1.0
 */
export const main = (argv: ReadonlyArray<string>): void =>
  Command.runWith(rulefx, { version })(argv.slice(2)).pipe(
    // effect/cli ends a usage error (printed by the presenter) with 1; rulefx's usage errors all exit 2.
    Effect.mapError((error) =>
      CliError.isCliError(error) && error._tag === "ShowHelp" && error.errors.length > 0 ? new UsageError() : error
    ),
    Effect.provideService(CliOutput.Presenter, presenter),
    Effect.provide(NodePlatform.layer),
    NodePlatform.runMain
  )
