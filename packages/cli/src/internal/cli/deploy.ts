import { Argument, Command, Flag } from "effect/cli"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Deploy from "../../Deploy.ts"
import { CommandFailed, invalidOption } from "./errors.ts"

// Options that cannot make a deploy (a bad --dependency, --secret or --trigger, refused before anything is sent) are
// usage errors; the rest (a file, the tenant, the build) failed while running.
const failed = (e: Deploy.DeployError) =>
  e.reason === "InvalidConfig" ? invalidOption(e.message) : new CommandFailed({ reason: e.message })

/** The variables a deploy reads its credentials from, each with what to set it to. */
const variables = [
  ["AUTH0_DOMAIN", "the tenant's domain, e.g. acme.eu.auth0.com"],
  ["AUTH0_CLIENT_ID", "the client id of a machine-to-machine application authorized for the Auth0 Management API"],
  ["AUTH0_CLIENT_SECRET", "that application's client secret"]
] as const

// A variable that is unset, empty or blank is missing.
const present = <A>(config: Config.Config<A>, text: (a: A) => string) =>
  config.pipe(
    Config.option,
    Effect.map(Option.filter((a: A) => text(a).trim() !== "")),
    Effect.orElseSucceed(() => Option.none<A>())
  )

/**
 * Credentials from AUTH0_DOMAIN, AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET; the secret stays Redacted. Every missing one
 * is named at once, so that a user does not find them one run at a time.
 */
export const credentials = Effect.gen(function*() {
  const domain = yield* present(Config.String("AUTH0_DOMAIN"), (a) => a)
  const clientId = yield* present(Config.String("AUTH0_CLIENT_ID"), (a) => a)
  const clientSecret = yield* present(Config.Redacted("AUTH0_CLIENT_SECRET"), Redacted.value)
  if (Option.isSome(domain) && Option.isSome(clientId) && Option.isSome(clientSecret)) {
    return { domain: domain.value, clientId: clientId.value, clientSecret: clientSecret.value }
  }
  const found: ReadonlyArray<Option.Option<unknown>> = [domain, clientId, clientSecret]
  const missing = variables.filter((_, i) => Option.isNone(found[i]!))
  const names = missing.map(([name]) => name)
  return yield* new CommandFailed({
    reason: `${
      names.length === 1 ? `${names[0]} is` : `${names.slice(0, -1).join(", ")} and ${names.at(-1)} are`
    } not set:\n${missing.map(([name, hint]) => `  ${name}: ${hint}`).join("\n")}`
  })
})

/** Where https://<AUTH0_DOMAIN> really is, for a proxy or a local fake tenant; unset in normal use. */
export const baseUrl = Config.String("RULEFX_AUTH0_BASE_URL").pipe(
  Config.option,
  Effect.map(Option.getOrUndefined),
  Effect.mapError(() => new CommandFailed({ reason: "RULEFX_AUTH0_BASE_URL cannot be read" }))
)

export const deploy = Command.make(
  "deploy",
  {
    action: Argument.String("action").pipe(Argument.withDescription("A built Action file (from rulefx build)")),
    name: Flag.String("name").pipe(Flag.withDescription("The Action's name in Auth0 (created if absent)")),
    secretsFile: Flag.String("secrets-file").pipe(
      Flag.withDescription("Secrets as a JSON object of strings or NAME=value lines; the Action gets exactly these"),
      Flag.optional
    ),
    secret: Flag.String("secret").pipe(
      Flag.withDescription("A secret read from the environment variable of that name (repeatable); wins over the file"),
      Flag.atLeast(0)
    ),
    dependency: Flag.String("dependency").pipe(
      Flag.withDescription(
        "An npm dependency as name@version (repeatable); a file built with --runtime npm adds " +
          "@rulefx/action-runtime at the version it was built against by itself"
      ),
      Flag.atLeast(0)
    ),
    dryRun: Flag.Boolean("dry-run").pipe(
      Flag.withDescription("Only read the tenant and print the plan; change nothing"),
      Flag.withDefault(false)
    ),
    buildTimeout: Flag.Int("build-timeout").pipe(
      Flag.withDescription("Seconds to wait for Auth0 to build the Action (default 120)"),
      Flag.withDefault(120)
    ),
    trigger: Flag.String("trigger").pipe(
      Flag.withDescription(
        "The trigger to deploy for (default: the one whose handler the file exports); its version comes from the " +
          "tenant's trigger list"
      ),
      Flag.optional
    )
  },
  Effect.fnUntraced(function*({ action, buildTimeout, dependency, dryRun, name, secret, secretsFile, trigger }) {
    if (buildTimeout <= 0) return yield* invalidOption("--build-timeout must be a positive number")
    const dependencies = yield* Effect.forEach(dependency, Deploy.parseDependency).pipe(Effect.mapError(failed))
    const secrets = yield* Deploy.loadSecrets({ file: Option.getOrUndefined(secretsFile), names: secret }).pipe(
      Effect.mapError(failed)
    )
    const auth = yield* credentials
    const base = yield* baseUrl
    const console = yield* Console.Console
    const report = yield* Deploy.run({
      file: action,
      name,
      secrets,
      dependencies,
      dryRun,
      credentials: auth,
      ...(base === undefined ? {} : { baseUrl: base }),
      buildTimeout: Duration.seconds(buildTimeout),
      onProgress: (line) => console.log(line),
      ...(Option.isSome(trigger) ? { trigger: trigger.value } : {})
    }).pipe(Effect.mapError(failed))
    yield* Console.log(Deploy.render(report))
    for (const warning of report.warnings) yield* Console.error(`warning: ${warning}`)
  })
).pipe(
  Command.withDescription(
    "Create or update the Action in Auth0, wait for its build, deploy it and bind it to its trigger after the " +
      "existing bindings (credentials from AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET)"
  )
)
