import { Argument, Command, Flag } from "effect/cli"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Diff from "../../Diff.ts"
import * as SecretsFile from "../../SecretsFile.ts"
import * as TriggerLocalRun from "../../TriggerLocalRun.ts"
import * as Triggers from "../../Triggers.ts"
import * as EventSet from "../diff/eventSet.ts"
import * as NodePlatform from "../nodePlatform.ts"
import * as Text from "../text.ts"
import { CommandFailed, invalidOption } from "./errors.ts"
import * as RunGuard from "./runGuard.ts"

const failed = (e: { readonly message: string }) => new CommandFailed({ reason: e.message })

const events = (n: number): string => Text.plural(n, "event")

// Why the command fails: events that differ, events that could not be read (the others ran), events both Actions
// stopped on for a missing secret (compared in name only), or, when nothing differs, a handler that timed out.
const failures = (report: Diff.Report, a: string, b: string, timeout: number): ReadonlyArray<string> => {
  const late = Diff.timedOut(report)
  return [
    ...(report.differ === 0 ? [] : [`${report.differ} of ${events(report.events)} differ between ${a} and ${b}`]),
    ...(report.unreadable.length === 0 ? [] : [
      `${events(report.unreadable.length)} could not be read (listed above as unreadable), so ${
        report.unreadable.length === 1 ? "it was" : "they were"
      } not compared`
    ]),
    ...(report.missingSecrets.events === 0 ? [] : [
      `${report.missingSecrets.events} of ${events(report.events)} ${
        report.missingSecrets.events === 1 ? "was" : "were"
      } denied by both Actions for a missing secret (see the warning above)`
    ]),
    ...(report.differ > 0 || late.length === 0 ? [] : [
      `a handler did not settle within ${timeout} s (${late.join(", ")}): Auth0 would stop it at 20 s and ` +
      `fail the login; the run was stopped there (--timeout <s> changes the limit)`
    ])
  ]
}

export const diff = Command.make(
  "diff",
  {
    a: Argument.String("a").pipe(Argument.withDescription("The built Action deployed now (from rulefx build/migrate)")),
    b: Argument.String("b").pipe(Argument.withDescription("The built Action to compare it with")),
    events: Flag.String("events").pipe(
      Flag.withDescription(
        "A folder of .json/.jsonl events, or one such file; a line { \"event\": ..., \"name\": ..., \"continue\": " +
          "true } runs onContinuePostLogin, { \"trigger\": \"credentials-exchange\", \"event\": ... } that trigger's handler"
      )
    ),
    secrets: Flag.String("secrets").pipe(
      Flag.withDescription("Secrets file (JSON object or NAME=value lines), merged over each event's secrets"),
      Flag.optional
    ),
    ignore: Flag.String("ignore").pipe(
      Flag.withDescription(
        "A path whose difference is intended, or a leading part of it (claims.id.https://x/y, metadata.app.last_seen, " +
          "cache.<key>); repeatable. One that can never name a compared path exits 2; one that matched nothing is warned"
      ),
      Flag.atLeast(0)
    ),
    live: Flag.Boolean("live").pipe(
      Flag.withDescription("Send a request only the second Action makes, instead of failing it (no recorded answer)"),
      Flag.withDefault(false)
    ),
    json: Flag.Boolean("json").pipe(Flag.withDescription("Print the report as JSON"), Flag.withDefault(false)),
    resume: Flag.Boolean("continue").pipe(
      Flag.withDescription(
        "Run every event through its continue pass, onContinuePostLogin or onContinuePostChallenge (the user back " +
          "from a redirect; the event's request carries the state and token)"
      ),
      Flag.withDefault(false)
    ),
    strict: Flag.Boolean("strict").pipe(
      Flag.withDescription("Refuse an event that leaves out something Auth0 always sends, instead of filling it"),
      Flag.withDefault(false)
    ),
    timeout: Flag.Int("timeout").pipe(
      Flag.withDescription("Seconds each handler may take (default 20, Auth0's limit)"),
      Flag.withDefault(20)
    ),
    maxFileBytes: Flag.Int("max-file-bytes").pipe(
      Flag.withDescription(
        `The largest events file read, and a folder's files together, in bytes (default ${EventSet.defaultMaxFileBytes}, 256 MiB)`
      ),
      Flag.withDefault(EventSet.defaultMaxFileBytes)
    ),
    maxEventBytes: Flag.Int("max-event-bytes").pipe(
      Flag.withDescription(
        `The largest event read, a .json file or a .jsonl line, in bytes (default ${EventSet.defaultMaxEventBytes}, 1 MiB)`
      ),
      Flag.withDefault(EventSet.defaultMaxEventBytes)
    ),
    trigger: Flag.String("trigger").pipe(
      Flag.withDescription(
        `The trigger of events that do not name one (${
          Triggers.ids.filter((id) => id === "post-login" || TriggerLocalRun.supported[id] !== undefined).join(", ")
        }); by default the one trigger both Actions serve, or post-login`
      ),
      Flag.optional
    )
  },
  Effect.fnUntraced(function*(
    { a, b, events, ignore, json, live, maxEventBytes, maxFileBytes, resume, secrets, strict, timeout, trigger }
  ) {
    // The Actions run in this process: once the report is printed, the process exits with the command's code.
    NodePlatform.exitWhenDone()
    if (timeout <= 0) return yield* invalidOption("--timeout must be a positive number of seconds")
    if (maxFileBytes <= 0 || maxEventBytes <= 0) {
      return yield* invalidOption("--max-file-bytes and --max-event-bytes must be positive")
    }
    if (Option.isSome(trigger)) {
      const named = Triggers.byId(trigger.value)
      if (named === undefined) {
        return yield* invalidOption(
          `--trigger ${trigger.value} is not a trigger rulefx knows (${Triggers.ids.join(", ")})`
        )
      }
      if (named.id !== "post-login" && TriggerLocalRun.supported[named.id] === undefined) {
        return yield* new CommandFailed({ reason: `rulefx diff does not run ${named.id} Actions yet` })
      }
      if (resume && named.handlers[1] === undefined) {
        return yield* invalidOption(`--continue is for ${EventSet.continuable.join(" and ")}, not ${named.id}`)
      }
    }
    const extra = Option.isSome(secrets) ? yield* SecretsFile.load(secrets.value).pipe(Effect.mapError(failed)) : {}
    // Until the report is printed, the process says failure: an Action that ends it (a way out Diff's guard does not
    // cover) cannot pass a CI gate with no output.
    const exitCode = process.exitCode
    process.exitCode = 1
    // What an Action throws after the runs (a timer, a promise; Diff's guard is down by then) must neither print its
    // stack, which may hold a secret, nor let the command pass: this process ends with the command.
    RunGuard.catchAfterDone("diff")
    const report = yield* Diff.diff(a, b, events, {
      secrets: extra,
      ignore,
      live,
      resume,
      strict,
      maxFileBytes,
      maxEventBytes,
      timeout: Duration.seconds(timeout),
      ...(Option.isSome(trigger) ? { trigger: trigger.value } : {})
    }).pipe(
      // What the Actions log outside their loads' and runs' captures, and what they log or write once the runs are over
      // (a timer, a promise), is not printed, before the report, among it or after it.
      RunGuard.silenced,
      Effect.mapError((e) => e._tag === "UnknownIgnorePath" ? invalidOption(e.message) : failed(e))
    )
    yield* Console.log(json ? Diff.toJson(report) : Diff.render(report, { a, b }))
    for (const warning of Diff.warnings(report)) yield* Console.error(warning)
    process.exitCode = exitCode
    // A handler that timed out may have left a timer or a socket behind: failing ends the process, as `rulefx run`
    // does, instead of waiting for it.
    const reasons = failures(report, a, b, timeout)
    if (reasons.length > 0) return yield* new CommandFailed({ reason: reasons.join("; ") })
  })
).pipe(
  Command.withDescription(
    "Run events through two built Actions (HTTP recorded from the first, replayed to the second), each through its " +
      "trigger's handler, and show where the outcomes differ; exit 1 if any does"
  )
)
