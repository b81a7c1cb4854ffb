import { Argument, Command, Flag } from "effect/cli"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as LocalRun from "../../LocalRun.ts"
import * as SecretsFile from "../../SecretsFile.ts"
import { CommandFailed } from "./errors.ts"

const failed = (e: { readonly message: string }) => new CommandFailed({ reason: e.message })

export const run = Command.make(
  "run",
  {
    action: Argument.String("action").pipe(Argument.withDescription("A built Action file (from rulefx build)")),
    event: Flag.String("event").pipe(Flag.withDescription("A post-login event as JSON")),
    secrets: Flag.String("secrets").pipe(
      Flag.withDescription("Secrets file (JSON object or NAME=value lines), merged over the event's secrets"),
      Flag.optional
    ),
    json: Flag.Boolean("json").pipe(Flag.withDescription("Print the outcome as JSON"), Flag.withDefault(false)),
    resume: Flag.Boolean("continue").pipe(
      Flag.withDescription(
        "Run onContinuePostLogin: the user coming back from a redirect (event.request is /continue)"
      ),
      Flag.withDefault(false)
    )
  },
  Effect.fnUntraced(function*({ action, event, json, resume, secrets }) {
    const handler = yield* LocalRun.loadAction(action, resume ? "onContinuePostLogin" : "onExecutePostLogin").pipe(
      Effect.mapError(failed)
    )
    const input = yield* LocalRun.loadEvent(event).pipe(Effect.mapError(failed))
    const extra = Option.isSome(secrets) ? yield* SecretsFile.load(secrets.value).pipe(Effect.mapError(failed)) : {}
    const result = yield* LocalRun.run(handler, input, extra)
    yield* Console.log(json ? LocalRun.toJson(result) : LocalRun.render(result))
  })
).pipe(Command.withDescription("Run a built Action against an event, with a recording api, and print the outcome"))
