import type * as RecordingApi from "@rulefx/testing/RecordingApi"
import { Argument, Command, Flag } from "effect/cli"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import { resolve } from "node:path"
import * as LocalRun from "../../LocalRun.ts"
import * as PartialEvent from "../../PartialEvent.ts"
import * as SecretsFile from "../../SecretsFile.ts"
import * as SourceMapping from "../../SourceMapping.ts"
import * as TriggerLocalRun from "../../TriggerLocalRun.ts"
import * as Triggers from "../../Triggers.ts"
import * as CacheValue from "../diff/cacheValue.ts"
import type * as Guard from "../diff/guard.ts"
import * as Scrub from "../diff/scrub.ts"
import * as NodePlatform from "../nodePlatform.ts"
import * as Resume from "../resume.ts"
import { CommandFailed, invalidOption } from "./errors.ts"
import * as RunEvent from "./runEvent.ts"
import * as RunGuard from "./runGuard.ts"

const failed = (e: { readonly message: string }) => new CommandFailed({ reason: e.message })

// A result as printed: a value the Action cached (a bearer token kept between logins) as its keyed digest.
const printable = <R extends { readonly calls: ReadonlyArray<RecordingApi.Call> }>(result: R): R => ({
  ...result,
  calls: CacheValue.digested(result.calls)
})

export const run = Command.make(
  "run",
  {
    action: Argument.String("action").pipe(Argument.withDescription("A built Action file (from rulefx build)")),
    event: Flag.String("event").pipe(
      Flag.withDescription(
        "An event of the Action's trigger as JSON; what it leaves out of what Auth0 always sends is filled with " +
          "realistic defaults. Or, as rulefx diff reads them, a { \"name\", \"event\" } wrapper, or a .jsonl file of " +
          "them (what rulefx events writes), whose one event --name picks"
      )
    ),
    name: Flag.String("name").pipe(
      Flag.withDescription(
        "The event to run, by its name, from a file of several (a .jsonl file): the wrapper's \"name\", else " +
          "<file>:<line>"
      ),
      Flag.optional
    ),
    secrets: Flag.String("secrets").pipe(
      Flag.withDescription("Secrets file (JSON object or NAME=value lines), merged over the event's secrets"),
      Flag.optional
    ),
    json: Flag.Boolean("json").pipe(Flag.withDescription("Print the outcome as JSON"), Flag.withDefault(false)),
    resume: Flag.Boolean("continue").pipe(
      Flag.withDescription(
        "Run the continue pass (onContinuePostLogin, onContinuePostChallenge): the user coming back from a redirect " +
          "(event.request is /continue)"
      ),
      Flag.withDefault(false)
    ),
    expect: Flag.Literals("expect", ["allowed", "denied"]).pipe(
      Flag.withDescription("Exit 1 unless the login is allowed (or denied): for CI scripts"),
      Flag.optional
    ),
    timeout: Flag.Int("timeout").pipe(
      Flag.withDescription(
        "Seconds the handler may take (default 20, Auth0's limit); past it the run stops, reported as timed out, exit 1"
      ),
      Flag.withDefault(20)
    ),
    strict: Flag.Boolean("strict").pipe(
      Flag.withDescription(
        "Refuse an event that leaves out something Auth0 always sends, naming it, instead of filling it"
      ),
      Flag.withDefault(false)
    ),
    trigger: Flag.String("trigger").pipe(
      Flag.withDescription(
        `The trigger the Action is for (${Triggers.ids.join(", ")}); by default the one whose handler the file exports`
      ),
      Flag.optional
    )
  },
  Effect.fnUntraced(function*(options) {
    // The Action runs in this process: once the report is printed, the process exits with the command's code.
    NodePlatform.exitWhenDone()
    if (options.timeout <= 0) {
      return yield* invalidOption("--timeout must be a positive number of seconds")
    }
    // While it loads and runs, the Action can neither end the process nor crash it printing a secret (RunGuard).
    return yield* RunGuard.guarding("run", resolve(options.action), (guard) => runGuarded(options, guard))
  })
).pipe(Command.withDescription("Run a built Action against an event, with a recording api, and print the outcome"))

// What `rulefx run` was given.
interface RunOptions {
  readonly action: string
  readonly event: string
  readonly expect: Option.Option<"allowed" | "denied">
  readonly json: boolean
  readonly name: Option.Option<string>
  readonly resume: boolean
  readonly secrets: Option.Option<string>
  readonly strict: boolean
  readonly timeout: number
  readonly trigger: Option.Option<string>
}

const runGuarded = Effect.fnUntraced(function*(
  { action, event, expect, json, name, resume, secrets, strict, timeout, trigger }: RunOptions,
  guard: Guard.Guard
) {
  const named = yield* namedTrigger(trigger, resume)
  // The Action's module is loaded once per run, as Auth0 loads it once per container: its top-level code (a timer, a
  // connection, a log line) runs once. The trigger, the handler and the exported handlers all come from this load; a
  // file that cannot be loaded is reported where its handler is taken, after the options are checked.
  const loading = yield* Effect.result(LocalRun.loadModule(action))
  const target = named ?? (yield* exportedTrigger(loading, resume))
  if (target !== postLogin) {
    const options = { action, event, expect, json, name, resume, secrets, strict, timeout, trigger: target }
    return yield* runTrigger(options, loading, guard)
  }
  const module = yield* Effect.fromResult(loading).pipe(Effect.mapError(failed))
  const loaded = yield* RunEvent.pick(event, { trigger: postLogin, strict, resume, name })
  const handler = yield* LocalRun.handlerOf(module, loaded.resume ? "onContinuePostLogin" : "onExecutePostLogin").pipe(
    Effect.mapError(failed)
  )
  const extra = Option.isSome(secrets) ? yield* SecretsFile.load(secrets.value).pipe(Effect.mapError(failed)) : {}
  const sourceMap = yield* SourceMapping.load(action)
  if (sourceMap === "stale" || sourceMap === "unreadable") {
    yield* Console.error(
      `note: ${action}.map is ${
        sourceMap === "stale" ? "not the map of this build" : "not a source map rulefx can read"
      }; stack positions stay as they are (rebuild with --sourcemap)`
    )
  }
  // What is printed never holds a secret of the run: a rule may have put one in a claim, a query, a denial, a log;
  // nor a value it cached (a bearer token), shown as its digest as `rulefx diff` shows it.
  const result = printable(
    Scrub.scrubberOf(LocalRun.secretsOf(loaded.event, extra))(RunGuard.crashed(
      yield* RunGuard.silencedAfter(LocalRun.run(handler, loaded.event, {
        secrets: extra,
        timeout: Duration.seconds(timeout),
        filled: loaded.filled,
        // What a hand-written event left out that a rule may decide by; a whole event is Auth0's to say.
        absent: loaded.filled.length > 0 ? PartialEvent.absent(loaded.event) : [],
        loadLogs: module.logs,
        ...(sourceMap === undefined || typeof sourceMap === "string" ? {} : { sourceMap })
      })),
      guard
    ))
  )
  yield* Console.log(json ? LocalRun.toJson(result) : LocalRun.render(result))
  const lacking = yield* unresumable(module, postLogin, loaded.resume, {
    outcome: result.outcome,
    continues: Resume.sendsAway(result)
  })
  if (Option.isSome(expect) && result.outcome !== expect.value) {
    return yield* new CommandFailed({
      reason: `expected the login to be ${expect.value}, but it was ${result.outcome}${
        (result.reason ?? result.rejection) === undefined ? "" : ` (${result.reason ?? result.rejection})`
      }`
    })
  }
  if (Option.isSome(expect) && expect.value === "allowed" && lacking !== undefined) {
    return yield* new CommandFailed({ reason: `expected the login to be allowed, but ${action} ${lacking}` })
  }
  // Whatever the handler started is still pending: the command fails, and so the process ends, instead of waiting
  // for it (a timer or a socket would keep Node running).
  if (result.timedOutMs !== undefined) {
    return yield* new CommandFailed({
      reason: `${action} did not settle within ${timeout} s: Auth0 would stop it at 20 s and fail the login; the ` +
        `run was stopped there (--timeout <s> changes the limit)`
    })
  }
})

// A first pass that sent the user away from an Action without the continue handler Auth0 resumes the login in: warned
// about on stderr (the outcome printed says allowed), and what is wrong, for `--expect allowed`. Undefined otherwise.
const unresumable = Effect.fnUntraced(function*(
  { exports, file }: LocalRun.Module,
  trigger: Triggers.Trigger,
  resume: boolean,
  run: Resume.Ended
) {
  const pass = trigger.handlers[resume ? 1 : 0] ?? trigger.handlers[0]
  // Where Auth0 resumes the login does not depend on what the Action exports, only whether it can: the module's
  // exports (of the one load, as Auth0 keeps them after the run) are read only for a run that sent the user away.
  const resumed = Resume.resumed(trigger, pass, run, [])
  if (resumed === undefined || Triggers.exportedHandlers(exports).includes(resumed.handler)) return undefined
  const lacking = Resume.cannotResume(resumed.handler)
  yield* Console.error(`warning: ${file} ${lacking} (export ${resumed.handler} from the Action's entry)`)
  return lacking
})

const postLogin = Triggers.byId("post-login")!

// The trigger --trigger names, checked before the Action is loaded (undefined without the flag): one `rulefx run`
// runs, with a continue pass for --continue.
const namedTrigger = Effect.fnUntraced(function*(flag: Option.Option<string>, resume: boolean) {
  if (Option.isNone(flag)) return undefined
  const named = Triggers.byId(flag.value)
  if (named === undefined) {
    return yield* invalidOption(`--trigger ${flag.value} is not a trigger rulefx knows (${Triggers.ids.join(", ")})`)
  }
  if (named !== postLogin && TriggerLocalRun.supported[named.id] === undefined) {
    return yield* new CommandFailed({ reason: `rulefx run does not run ${named.id} Actions yet` })
  }
  return yield* continuable(named, resume)
})

// Without --trigger: the trigger other than post-login whose handler the loaded module exports when it exports no
// onExecutePostLogin; else post-login, also for a module that could not be loaded (taking its handler says why).
const exportedTrigger = (loading: Result.Result<LocalRun.Module, LocalRun.LocalRunError>, resume: boolean) => {
  const exported = Result.isSuccess(loading) ? Triggers.fromExports(loading.success.exports) : []
  const found = exported.find((t) => t !== postLogin && TriggerLocalRun.supported[t.id] !== undefined)
  return exported.includes(postLogin) || found === undefined ? Effect.succeed(postLogin) : continuable(found, resume)
}

// `trigger`, unless --continue asks for the continue pass of a trigger that has none.
const continuable = (trigger: Triggers.Trigger, resume: boolean) =>
  resume && trigger.handlers.length < 2
    ? invalidOption(`--continue is for a trigger with a continue pass, not ${trigger.id}`)
    : Effect.succeed(trigger)

const runTrigger = Effect.fnUntraced(function*(
  options: Omit<RunOptions, "trigger"> & { readonly trigger: Triggers.Trigger },
  loading: Result.Result<LocalRun.Module, LocalRun.LocalRunError>,
  guard: Guard.Guard
) {
  const { action, expect, json, secrets, timeout, trigger } = options
  const module = yield* Effect.fromResult(loading).pipe(Effect.mapError(failed))
  const loaded = yield* RunEvent.pick(options.event, {
    trigger,
    strict: options.strict,
    resume: options.resume,
    name: options.name
  })
  const handler = yield* TriggerLocalRun.handlerOf(module, trigger, loaded.resume ? "continue" : "execute").pipe(
    Effect.mapError(failed)
  )
  const extra = Option.isSome(secrets) ? yield* SecretsFile.load(secrets.value).pipe(Effect.mapError(failed)) : {}
  const result = printable(
    Scrub.scrubberOf(LocalRun.secretsOf(loaded.event, extra))(RunGuard.crashed(
      yield* RunGuard.silencedAfter(TriggerLocalRun.run(handler, trigger, loaded.event, {
        secrets: extra,
        timeout: Duration.seconds(timeout),
        filled: loaded.filled,
        loadLogs: module.logs
      })),
      guard
    ))
  )
  yield* Console.log(json ? TriggerLocalRun.toJson(result) : TriggerLocalRun.render(result))
  const passed = result.outcome === "denied" || result.outcome === "invalid" ? "denied" : "allowed"
  const lacking = yield* unresumable(module, trigger, loaded.resume, {
    outcome: result.outcome,
    continues: Resume.sendsAway(result)
  })
  if (Option.isSome(expect) && expect.value === "allowed" && lacking !== undefined) {
    return yield* new CommandFailed({
      reason: `expected the ${trigger.id} request to be allowed, but ${action} ${lacking}`
    })
  }
  if (Option.isSome(expect) && (result.outcome === "rejected" || passed !== expect.value)) {
    return yield* new CommandFailed({
      reason: `expected the ${trigger.id} request to be ${expect.value}, but it was ${result.outcome}`
    })
  }
  if (result.timedOutMs !== undefined) {
    return yield* new CommandFailed({ reason: `${action} did not settle within ${timeout} s` })
  }
})
