import { Argument, Command, Flag } from "effect/cli"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as DeployCliExport from "../../DeployCliExport.ts"
import * as SecretsFile from "../../SecretsFile.ts"
import { CommandFailed, invalidOption } from "./errors.ts"

const failed = (e: { readonly message: string }) => new CommandFailed({ reason: `secrets file ${e.message}` })

const dependency = (spec: string) => {
  const at = spec.lastIndexOf("@")
  return at <= 0 ? undefined : { name: spec.slice(0, at), version: spec.slice(at + 1) }
}

export const exportCommand = Command.make(
  "export",
  {
    action: Argument.String("action").pipe(Argument.withDescription("A built Action file (from rulefx build)")),
    name: Flag.String("name").pipe(Flag.withDescription("The Action's name in Auth0")),
    out: Flag.String("out").pipe(Flag.withDescription("The deploy-cli directory (holds actions/ and triggers/)")),
    secret: Flag.String("secret").pipe(
      Flag.withDescription("A secret the Action needs (repeatable); exported as a ##NAME## keyword, never a value"),
      Flag.atLeast(0)
    ),
    secretsFile: Flag.String("secrets-file").pipe(
      Flag.withDescription(
        "Secrets as a JSON object of strings or NAME=value lines (as rulefx deploy reads them): each name is exported " +
          "as a ##NAME## keyword, values never"
      ),
      Flag.optional
    ),
    dependency: Flag.String("dependency").pipe(
      Flag.withDescription(
        "An npm dependency as name@version (repeatable); a file built with --runtime npm adds " +
          "@rulefx/action-runtime at the version it was built against by itself"
      ),
      Flag.atLeast(0)
    ),
    bind: Flag.Boolean("bind").pipe(
      Flag.withDescription(
        "Create triggers/triggers.json if it does not exist (it replaces the tenant's flow of the Action's trigger)"
      ),
      Flag.withDefault(false)
    ),
    trigger: Flag.String("trigger").pipe(
      Flag.withDescription("The trigger (default: the one whose handler the file exports)"),
      Flag.optional
    ),
    triggerVersion: Flag.String("trigger-version").pipe(
      Flag.withDescription("The trigger's version (default: the one rulefx targets, e.g. v3 for post-login)"),
      Flag.optional
    )
  },
  Effect.fnUntraced(
    function*({ action, bind, dependency: deps, name, out, secret, secretsFile, trigger, triggerVersion }) {
      const dependencies = []
      for (const spec of deps) {
        const parsed = dependency(spec)
        if (parsed === undefined) {
          return yield* invalidOption(`--dependency ${spec}: expected name@version`)
        }
        dependencies.push(parsed)
      }
      // The names only: an export writes keywords, never values.
      const fromFile = Option.isSome(secretsFile)
        ? Object.keys(yield* SecretsFile.load(secretsFile.value).pipe(Effect.mapError(failed)))
        : []
      const report = yield* DeployCliExport.write({
        file: action,
        name,
        out,
        secrets: [...new Set([...fromFile, ...secret])],
        dependencies,
        bind,
        ...(Option.isSome(trigger) ? { trigger: trigger.value } : {}),
        ...(Option.isSome(triggerVersion) ? { triggerVersion: triggerVersion.value } : {})
      }).pipe(
        Effect.mapError((e) => new CommandFailed({ reason: e.message }))
      )
      for (const file of report.written) yield* Console.log(`wrote ${file}`)
      for (const note of report.notes) yield* Console.log(`note: ${note}`)
      for (const warning of report.warnings) yield* Console.error(`warning: ${warning}`)
      if (report.trigger !== undefined) yield* Console.log(`trigger: ${report.trigger.id} ${report.trigger.version}`)
    }
  )
).pipe(Command.withDescription("Write the Action in auth0-deploy-cli's directory layout"))
