/**
 * Diff: runs the same events through two built Actions and reports, per event, where what they made of the login
 * differs. Behind `rulefx diff`; Node-side only. The question it answers before a deploy: "will anyone's login
 * change?".
 *
 * Each event runs through the first Action (`a`), then the second (`b`), one event at a time, each run with a fresh
 * recording `api` (LocalRun.run, so as `rulefx run` runs it: secrets merged over the event's, Auth0's 20 s limit).
 * What each run decided is compared as Auth0 applies it: the outcome, the deny reason (or why the handler rejected),
 * each ID- and access-token claim, each scope, each `app_metadata` and `user_metadata` key, MFA, the redirect and each
 * key of Auth0's cache the run wrote (`cache.<key>`: its last `api.cache.set` or `api.cache.delete`, a set value shown
 * as its keyed digest, never in clear); the last write of a key wins, so call order counts only where it changes the
 * result. On a pass where both Actions redirect, their claims and scopes are compared under `redirected.` (`redirected.claims.id.<name>`,
 * `redirected.scopes`) and listed apart (`EventResult.onRedirectingPass`), counted: Auth0 is believed to keep them for the
 * tokens issued after the continue pass (unconfirmed); `--ignore redirected` leaves out exactly them. An api call of a kind rulefx does
 * not summarise (one Auth0 adds later) is compared by its method path and the arguments of each call, never skipped.
 *
 * Outbound HTTP cannot make the comparison flaky: the first Action's `fetch` requests (the typed runtime's and the
 * legacy `request` stand-in's, and a fetch a module kept when it loaded) go out and are recorded; the second Action gets
 * the recorded answer (with its `url` and `redirected`, as long after the request as it came to the first, its body's
 * parts and end too; an abort before the answer rejects the fetch, one before the body ended fails its read) for the
 * same method, URL, body, headers, content-type and redirect mode (a Request's body and a Blob are read from a copy;
 * headers are compared as keyed digests, never shown). A request Node's fetch refuses is refused in both runs. A
 * request an Action's handler code sends after it settled is that Action's (late), even while the other runs. A request only one Action sends is a difference (`requests.<METHOD> <url>`); the second
 * Action's request that the first did not send fails as a refused connection would, or, with `live`, goes out. A
 * stream body is read (up to 16 MiB) and compared as bytes. An answer replayed out of the order the first run had it
 * in relative to a state-changing request (where that order was certain) is a difference, `requests.order`, and so is
 * an answer the first gave up on before it came that the second waited for longer, `requests.unanswered`.
 * Requests sent through `node:http`/`node:https` directly, or as `node:http2` streams, are not replayed: both runs send
 * them, and they are counted (`Side.live`) and compared by method and URL. A connection an Action opens over a socket
 * of its own (`node:net`, `node:tls`, an HTTP/2 session) cannot be replayed at all: both runs connect for real, one
 * only one Action opens is a difference (`sockets.<host>:<port>`), and one both open is noted as not compared
 * (internal/diff/sockets.ts).
 *
 * A run is compared as its handler left it when it settled (its api calls and their arguments copied then, the requests
 * sent by then); what it did later is noted in its Side (`late`), not compared, as Auth0 does not apply it. Both runs of
 * an event share one api clock. While they run, `process.exit` throws and an uncaught exception or unhandled rejection
 * rejects the run of the Action it came from (internal/diff/guard.ts).
 *
 * Differences that are intended are left out with `ignore`: a path as the report writes it, or one of its leading
 * parts (`claims.id.https://example.com/seller`, `metadata.app.last_seen`, `cache.k`, `requests`). A path that can
 * never name a compared one is an UnknownIgnorePath before anything runs; one that matched nothing in any event is
 * listed in the report (`unusedIgnores`, and `warnings`), so a typo cannot hide a difference.
 *
 * Every trigger rulefx runs locally is diffed the same way (internal/diff/runners.ts holds, per handler, how it is
 * called and what is compared): an event names its trigger (a wrapper's `"trigger"`), or takes the read's default
 * (`trigger`; without it, the one trigger both Actions serve, or post-login), and runs through that trigger's first
 * handler (post-login: onExecutePostLogin, or onContinuePostLogin for a continue pass; password-reset-post-challenge's
 * continue pass runs onContinuePostChallenge, with the state and token the event's request carries). A
 * credentials-exchange run is
 * compared by its outcome, the deny's code and reason, each access-token claim and every other call. Two Actions that
 * serve different triggers are refused (TriggersDiffer): no event can show what one does for a trigger the other does
 * not serve. An Action without the handler an event needs is a LocalRunError naming the handler; a handler either
 * Action has and no event runs (an onContinuePostLogin, a second trigger's handler) is noted in the report.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Result from "effect/Result"
import { resolve } from "node:path"
import * as EventSet from "./internal/diff/eventSet.ts"
import * as Guard from "./internal/diff/guard.ts"
import * as HttpTape from "./internal/diff/httpTape.ts"
import * as LateCalls from "./internal/diff/lateCalls.ts"
import * as Outcome from "./internal/diff/outcome.ts"
import * as Runners from "./internal/diff/runners.ts"
import * as Scrub from "./internal/diff/scrub.ts"
import * as Sockets from "./internal/diff/sockets.ts"
import * as Resume from "./internal/resume.ts"
import { plural } from "./internal/text.ts"
import * as LocalRun from "./LocalRun.ts"
import * as Triggers from "./Triggers.ts"

/**
 * An events file, or one line of a `.jsonl` file, that cannot be used: the message names the file, the line and the
 * problem.
 *
 * @category errors
 * @since 0.1.0
 */
export const EventFileError = EventSet.EventFileError

/**
 * @category errors
 * @since 0.1.0
 */
export type EventFileError = EventSet.EventFileError

/**
 * An events file larger than `maxFileBytes`, a folder's events files larger than it together, or one event (a `.json`
 * file, a `.jsonl` line) larger than `maxEventBytes`: the message names the file (and line) or the folder, the size
 * (unless read from a pipe, which has none) and the limit.
 *
 * @category errors
 * @since 0.1.0
 */
export const EventsTooLarge = EventSet.EventsTooLarge

/**
 * @category errors
 * @since 0.1.0
 */
export type EventsTooLarge = EventSet.EventsTooLarge

/**
 * One event, read and ready to run through both Actions.
 *
 * @category models
 * @since 0.1.0
 */
export type Case = EventSet.Case

/**
 * How a run of one side ended, for the report.
 *
 * @category models
 * @since 0.1.0
 */
export interface Side {
  /** Post-login: allowed, denied or rejected; other triggers also invalid (validation error) and done. */
  readonly outcome: Runners.Run["outcome"]
  readonly reason?: string
  readonly rejection?: string
  /**
   * How many times something escaped the run's code while it ran (an uncaught exception, an unhandled rejection), when
   * more than once: the first is its rejection (unless its handler rejected first). Not compared: how many depends on
   * timing.
   */
  readonly crashes?: number
  /** How many HTTP requests the run sent (the second run's replayed ones included). */
  readonly requests: number
  /** How many of them went out through `node:http`/`node:https` or as HTTP/2 streams, which are not recorded and replayed. */
  readonly live: number
  /**
   * The connections the run opened over a socket of its own (`node:net`, `node:tls`, `node:http2`) by the time its
   * handler settled, as `host:port`: not replayed (both runs open them), compared only by whether each run opened one
   * (`sockets.<host:port>`); absent when there were none. Datagrams (`udp <host:port>`) are listed for their first
   * `lateListed` targets, those to others as one `udp <other targets>: and <n> more datagrams`.
   */
  readonly sockets?: ReadonlyArray<string>
  /** The time limit, in milliseconds, when the handler had not settled by then (the outcome is "rejected"). */
  readonly timedOutMs?: number
  /**
   * What the Action did after its handler settled (on a timer, from an un-awaited promise), while the event ran: the
   * api methods it called (`api.idToken.setCustomClaim`) and the requests it sent (`POST https://...`), the first
   * `lateListed` of them, then `and <n> more`. Auth0 does not apply such calls, so they are not compared; absent when
   * there were none.
   */
  readonly late?: ReadonlyArray<string>
  /**
   * The secrets the run stopped for: its log said `missing secret <NAME>` (a rulefx Action's Secrets, a migrated
   * rule's settings) and the login did not go on; absent when there were none.
   */
  readonly missingSecrets?: ReadonlyArray<string>
}

/**
 * One path whose values differ: `a` and `b` are absent where that side has no value.
 *
 * @category models
 * @since 0.1.0
 */
export interface Difference {
  readonly path: string
  readonly a?: unknown
  readonly b?: unknown
}

/**
 * What the diff found for one event.
 *
 * @category models
 * @since 0.1.0
 */
export interface EventResult {
  readonly name: string
  /** The event's trigger, and the handler that ran it. */
  readonly trigger: string
  readonly pass: EventSet.Pass
  readonly same: boolean
  readonly differences: ReadonlyArray<Difference>
  /**
   * On a pass where both Actions redirect, the differences in the claims and scopes they set there (paths under
   * `redirected.`), counted in `same` like `differences`: Auth0 is believed to keep them for the tokens issued after
   * the continue pass (unconfirmed), while a migrated legacy Action sets none there (its continue pass sets them
   * again). `--ignore redirected` leaves them out knowingly. Empty on any other pass.
   */
  readonly onRedirectingPass: ReadonlyArray<Difference>
  /** Paths that differ but are covered by `ignore`. */
  readonly ignored: ReadonlyArray<string>
  /** The `ignore` paths that cover a path either run has (differing or not). */
  readonly covered: ReadonlyArray<string>
  readonly a: Side
  readonly b: Side
}

/**
 * The whole diff: counts, and a result per event in the order the events were read.
 *
 * @category models
 * @since 0.1.0
 */
export interface Report {
  readonly events: number
  readonly same: number
  readonly differ: number
  readonly results: ReadonlyArray<EventResult>
  /**
   * What the diff could not compare: a handler either Action exports (both, or only one) that no event ran, with the
   * events that would run it (a continue pass only when some event's run sent the user away, with a redirect or a
   * form).
   */
  readonly notes: ReadonlyArray<string>
  /**
   * The `ignore` paths that matched nothing any run of any event had: a typo there would otherwise hide nothing and
   * say nothing, so each is warned about.
   */
  readonly unusedIgnores: ReadonlyArray<string>
  /**
   * The events each Action stopped on for a missing secret (`Side.missingSecrets` on both sides): how many, and the
   * secrets. They count as `same`, but nothing past the secret was compared (a forgotten `--secrets <file>`), so
   * `rulefx diff` warns and exits 1 when there is one.
   */
  readonly missingSecrets: { readonly secrets: ReadonlyArray<string>; readonly events: number }
  /**
   * The events that could not be read (not JSON, not an event, not one rulefx can read), each with its file, its line
   * in a `.jsonl` file, and the problem: the others ran; `rulefx diff` exits 1 when there is one.
   */
  readonly unreadable: ReadonlyArray<Unreadable>
  /**
   * What each Action's module logged at its top level while it loaded, once per side (LocalRun.Module.logs: the first
   * 1,000 calls, 1,000,000 characters, then `and <n> more`), scrubbed of every secret the diff knows (each event's own
   * and `secrets`): not compared. Absent when neither logged.
   */
  readonly loadLogs?: { readonly a: ReadonlyArray<string>; readonly b: ReadonlyArray<string> }
}

/**
 * An event the diff could not read: its file, its line in a `.jsonl` file, and why.
 *
 * @category models
 * @since 0.1.0
 */
export interface Unreadable {
  readonly file: string
  readonly line?: number
  readonly problem: string
}

/**
 * A handler no event ran, and `who` exports it ("both Actions export", or "only <file> exports").
 *
 * @category models
 * @since 0.1.0
 */
export interface Unran {
  readonly who: string
  readonly handler: string
}

/**
 * Options of a diff.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** Secrets merged over each event's own `secrets`, for both Actions. */
  readonly secrets?: Readonly<Record<string, string>>
  /** Paths (or leading parts of them) whose differences are intended. */
  readonly ignore?: ReadonlyArray<string>
  /** Send a request the second Action makes and the first did not, instead of failing it. */
  readonly live?: boolean
  /** How long each handler may take (Auth0's 20 s by default). */
  readonly timeout?: Duration.Input
  /**
   * The trigger of the events that do not name one (`credentials-exchange`); by default the one trigger both Actions
   * serve, or post-login.
   */
  readonly trigger?: string
}

/**
 * The two Actions serve different triggers: the message names what each exports.
 *
 * @category errors
 * @since 0.1.0
 */
export class TriggersDiffer extends Data.TaggedError("TriggersDiffer")<{
  readonly a: string
  readonly b: string
  readonly triggersA: ReadonlyArray<string>
  readonly triggersB: ReadonlyArray<string>
}> {
  override get message(): string {
    return `${this.a} serves ${this.triggersA.join(" and ")}, ${this.b} serves ${this.triggersB.join(" and ")}: ` +
      "rulefx diff compares two Actions " +
      "for the same triggers (no event can show what one does for a trigger the other does not serve)"
  }
}

/**
 * An `ignore` path that can never match what rulefx diff compares (`claim.id.x`, `metadata.application.k`): the message
 * says why and lists the fields a path starts with. The command exits 2, as for any misuse.
 *
 * @category errors
 * @since 0.1.0
 */
export class UnknownIgnorePath extends Data.TaggedError("UnknownIgnorePath")<{
  readonly path: string
  readonly problem: string
}> {
  override get message(): string {
    return `--ignore ${this.path}: ${this.problem}; a path starts with one of ${Outcome.fields.join(", ")} ` +
      "(claims.id.<claim>, claims.access.<claim>, metadata.app.<key>, metadata.user.<key>, scopes.<scope>, " +
      "cache.<key>, calls.<method>, requests.<METHOD> <url>, sockets.<host>:<port>)"
  }
}

/**
 * Checks each `ignore` path can name something rulefx diff compares: the first that cannot is an UnknownIgnorePath.
 *
 * @category constructors
 * @since 0.1.0
 */
export const checkIgnore = (ignore: ReadonlyArray<string>): Effect.Effect<void, UnknownIgnorePath> =>
  Effect.forEach(ignore, (path) => {
    const problem = Outcome.ignoreProblem(path)
    return problem === undefined ? Effect.void : Effect.fail(new UnknownIgnorePath({ path, problem }))
  }, { discard: true })

/**
 * Reads the events at `path` (a `.json` or `.jsonl` file, or a folder of them): see the module's description of the
 * format. `strict` refuses partial events; `resume` runs every event as a continue pass; `maxFileBytes` (256 MiB) caps a file
 * and a folder's files together, `maxEventBytes` (1 MiB) one event.
 *
 * @category constructors
 * @since 0.1.0
 */
export const readEvents: (
  path: string,
  options?: EventSet.ReadOptions
) => Effect.Effect<ReadonlyArray<Case>, EventFileError | EventsTooLarge> = EventSet.read

/**
 * A built Action's handlers, loaded.
 *
 * @category models
 * @since 0.1.0
 */
export interface Action {
  readonly file: string
  readonly handlers: Partial<Record<EventSet.Pass, Runners.Handler>>
  /**
   * Every handler the file exports (`served`): a first pass that sends the user away is compared by whether the
   * continue handler Auth0 resumes it in is among them (`continue`).
   */
  readonly exported: ReadonlyArray<string>
}

/**
 * Takes the handlers `cases` need from a built Action's module, loaded once (LocalRun.loadModule): each event's
 * trigger's (onExecutePostLogin, onContinuePostLogin for a continue pass, onExecuteCredentialsExchange for a
 * credentials-exchange event), every pass from that one load, as Auth0 runs every login of a container against the
 * module it loaded once. A module that could not be loaded is its LocalRunError once a case needs a handler; an Action
 * that lacks one is a LocalRunError naming the file, the handler and the events that need it. `exported` is every
 * handler the module exports (`served`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const loadAction = Effect.fn("Diff.loadAction")(function*(
  file: string,
  loaded: Result.Result<LocalRun.Module, LocalRun.LocalRunError>,
  cases: ReadonlyArray<Case>
) {
  const passes = [...new Set(cases.map((c) => c.pass))]
  const handlers: Action["handlers"] = {}
  for (const pass of passes) {
    const needing = cases.filter((c) => c.pass === pass)
    // LocalRun.handlerOf only reads `exports[pass]`.
    handlers[pass] = yield* Effect.fromResult(loaded).pipe(
      Effect.flatMap((module) => LocalRun.handlerOf(module, pass as "onExecutePostLogin")),
      Effect.mapError((e) =>
        e.problem.startsWith("does not export")
          ? new LocalRun.LocalRunError({
            file,
            problem: `${e.problem}, which ${plural(needing.length, `${needing[0]!.trigger} event`)} need${
              needing.length === 1 ? "s" : ""
            } (${needing[0]!.name}${needing.length > 1 ? ", ..." : ""})`
          })
          : e
      )
    )
  }
  return { file, handlers, exported: served(loaded).handlers } satisfies Action
})

/**
 * What a built Action's module exports: the triggers it serves (by their first handler) and every known handler name
 * it exports as a function. Empty when it was not loaded (not a built file, `.js` or `.cjs`: a TypeScript entry is
 * never loaded; or it could not be: loadAction then says why).
 *
 * @category getters
 * @since 0.1.0
 */
export const served = (
  loaded: Result.Result<LocalRun.Module, LocalRun.LocalRunError>
): { readonly triggers: ReadonlyArray<string>; readonly handlers: ReadonlyArray<string> } => {
  const exports = Result.isSuccess(loaded) ? loaded.success.exports : undefined
  return { triggers: Triggers.fromExports(exports).map((t) => t.id), handlers: Triggers.exportedHandlers(exports) }
}

const sideOf = (
  result: Runners.Run,
  sent: ReadonlyArray<HttpTape.Sent>,
  opened: ReadonlyArray<string>,
  late: ReadonlyArray<string>,
  crash: Guard.Crash | undefined
): Side => ({
  outcome: result.outcome,
  ...(result.reason === undefined ? {} : { reason: result.reason }),
  ...(result.rejection === undefined ? {} : { rejection: result.rejection }),
  ...(crash === undefined || crash.count === 1 ? {} : { crashes: crash.count }),
  requests: sent.length,
  live: sent.filter(Sockets.isLive).length,
  ...(opened.length === 0 ? {} : { sockets: opened }),
  ...(result.timedOutMs === undefined ? {} : { timedOutMs: result.timedOutMs }),
  ...(late.length === 0 ? {} : { late }),
  ...(result.missingSecrets.length === 0 ? {} : { missingSecrets: result.missingSecrets })
})

// The api's clock of one run (the wall clock's milliseconds, as Auth0's): `startedAt`, the event's start, when the run
// starts, then advancing with the time the run takes. Both runs of an event start on the same instant, so a token
// either encodes carries the same `iat` unless one reaches it a second later than the other, and a cache entry set
// with a `ttl` expires when that much time passed in the run, as in Auth0 (a clock stopped at the event's start never
// expired one).
const runClock = (startedAt: number): () => number => {
  const began = performance.now()
  return () => startedAt + Math.floor(performance.now() - began)
}

// One run of one side, with HTTP through `fetch`: what it decided by the time its handler settled (the calls and the
// requests sent by then), and what it did later, read when asked (`late`).
const runSide = Effect.fn("Diff.runSide")(function*(
  runner: Runners.Runner,
  handler: Runners.Handler,
  one: Case,
  options: Runners.RunOptions,
  fetch: (real: typeof globalThis.fetch) => typeof globalThis.fetch,
  sent: ReadonlyArray<HttpTape.Sent>,
  module: HttpTape.Module | undefined,
  close: () => void
) {
  // The connections it opens over sockets of its own (Sockets).
  const opened: Array<string> = []
  // What it sends and opens once it settled is counted, not kept (LateCalls).
  const lateSent = LateCalls.counting(sent, lateListed, (request) => `${request.method} ${request.url}`)
  const lateOpened = LateCalls.counting(opened, lateListed, (target) => `socket ${target}`)
  const settled = () => {
    lateSent.settle()
    lateOpened.settle()
    close()
  }
  // The handler runs as this run's code: a request it sends or a socket it opens after it settled (on a timer, while
  // the next run is in progress) is this run's, late.
  const result = yield* HttpTape.withFetch(
    fetch,
    sent as Array<HttpTape.Sent>,
    (own) =>
      HttpTape.observingNodeHttp(
        sent as Array<HttpTape.Sent>,
        Sockets.observing(
          opened,
          sent as Array<HttpTape.Sent>,
          runner.run((event: unknown, api: never) => own(() => handler(event, api)), structuredClone(one.event), {
            ...options,
            settled,
            // What the other Action's code logs while this one runs (late, on a timer) is not this run's.
            owns: () => {
              const tag = HttpTape.runTag()
              return tag === undefined || tag === sent
            }
          })
        )
      ),
    module,
    opened
  )
  // A request sent before it settled whose body was still being read then (a Blob, a stream) is complete first.
  yield* Effect.promise(() => HttpTape.described(sent, describedWaitMs))
  const sentBy = [...sent]
  const openedBy = [...opened]
  return {
    result,
    sent: sentBy,
    // As the report shows them: the datagrams to targets past the listed ones with how many (Sockets.shown).
    opened: Sockets.shown(opened),
    entries: [...result.entries(sentBy), ...Sockets.entries(openedBy)],
    late: () => {
      const late = [result.late(), lateSent.late(), lateOpened.late()]
      const listed = late.flatMap((l) => l.listed)
      return capped(listed, late.reduce((n, l) => n + l.count, 0) - listed.length)
    }
  }
})

// How long a run's end waits for the bodies of the requests it sent to be read (HttpTape.described).
const describedWaitMs = 1000

/**
 * How many late calls and requests a side lists: an Action calling the api on every turn of the event loop after its
 * handler settled would otherwise make a list (and a `note:` line) without end.
 *
 * @category constants
 * @since 0.1.0
 */
export const lateListed: number = LateCalls.listed

// The first `lateListed` of what a side did late, then how many more (`unlisted`: late api calls counted, not listed).
const capped = (late: ReadonlyArray<string>, unlisted: number): ReadonlyArray<string> => {
  const total = late.length + unlisted
  return total <= lateListed ? late : [...late.slice(0, lateListed), LateCalls.more(total - lateListed)]
}

// A side without a value has no key, so JSON output can tell "no claim" from a claim set to null. A cache value is
// shown as its digest (Outcome.shown).
const toDifference = (compared: Outcome.Difference): Difference => {
  const d = Outcome.shown(compared)
  const out: { path: string; a?: unknown; b?: unknown } = { path: Outcome.pathText(d.path) }
  if (d.a !== undefined) out.a = d.a
  if (d.b !== undefined) out.b = d.b
  return out
}

// The runs of one event: `a` with HTTP recorded, then `b` with it replayed. Each gets its own copy of the event, so
// what the first handler changes in it cannot reach the second.
const runEvent = Effect.fn("Diff.runEvent")(function*(
  a: Action,
  b: Action,
  one: Case,
  options: Options,
  guard: Guard.Guard
) {
  // One clock for both runs of the event (runClock), from its start on a whole second.
  const startedAt = Math.floor(Date.now() / 1000) * 1000
  const runOptions = {
    secrets: options.secrets ?? {},
    lateListed,
    ...(options.timeout === undefined ? {} : { timeout: options.timeout })
  }
  const runner = Runners.runners.get(one.pass)!
  const limitMs = Duration.toMillis(Duration.fromInputUnsafe(options.timeout ?? LocalRun.auth0TimeLimit))
  const tape = HttpTape.makeTape()
  const replay: HttpTape.Replay = { sent: [], outOfOrder: [], unanswered: [], closed: false }
  // One Action's run, with the guard told which is running and the run's tag (what escapes its code is that run's).
  const side = (
    name: "a" | "b",
    action: Action,
    fetch: Parameters<typeof runSide>[4],
    sent: ReadonlyArray<HttpTape.Sent>,
    close: () => void
  ) => {
    guard.running = name
    guard.runs.set(sent, name)
    const options = { ...runOptions, now: runClock(startedAt) }
    return runSide(runner, action.handlers[one.pass]!, one, options, fetch, sent, modules.get(action), close)
  }
  const ranA = yield* side("a", a, (real) => HttpTape.recording(real, tape), tape.sent, () => {
    tape.closed = true
  })
  const ranB = yield* side(
    "b",
    b,
    (real) => HttpTape.replaying(real, tape, replay, options.live === true, limitMs),
    replay.sent,
    () => {
      replay.closed = true
    }
  )
  // What escaped a handler (process.exit, a throw on a timer, an unhandled rejection) fails that Action's run.
  const crashes = guard.take()
  const [crashA, crashB] = (["a", "b"] as const).map((name) => crashes.find((crash) => crash.side === name))
  const runA = crashed(ranA, crashA?.text)
  const runB = crashed(ranB, crashB?.text)
  // A first pass that sends the user away: whether the Action has the continue handler Auth0 resumes it in.
  const resumeA = Resume.resumed(runner.trigger, one.pass, runA.result, a.exported)
  const resumeB = Resume.resumed(runner.trigger, one.pass, runB.result, b.exported)
  // On a pass both redirect, their claims and scopes go under `redirected.`: counted, and ignorable on their own.
  const redirecting = Outcome.bothRedirect(runA.entries, runB.entries)
  const entriesA = [
    ...(redirecting ? Outcome.onRedirectingPass(runA.entries) : runA.entries),
    ...resumeEntry(resumeA)
  ]
  // An answer replayed out of its order with a state-changing request is a difference the runs alone cannot show.
  const entriesB = [
    ...(redirecting ? Outcome.onRedirectingPass(runB.entries) : runB.entries),
    ...resumeEntry(resumeB),
    ...(replay.outOfOrder.length === 0 ? [] : [{ path: ["requests", "order"], value: replay.outOfOrder }]),
    ...(replay.unanswered.length === 0 ? [] : [{ path: ["requests", "unanswered"], value: replay.unanswered }])
  ]
  const all = Outcome.compare(entriesA, entriesB)
  const ignore = options.ignore ?? []
  const covered = ignore.filter((path) =>
    [...entriesA, ...entriesB].some((entry) => Outcome.isIgnored(entry.path, [path]))
  )
  const kept = all.filter((d) => !Outcome.isIgnored(d.path, ignore))
  const differences = kept.filter((d) => !isRedirected(d)).map(toDifference)
  const onRedirectingPass = kept.filter(isRedirected).map(toDifference)
  // Compared as they were; what the report holds is scrubbed of the run's secrets.
  const scrub = Scrub.scrubberOf(LocalRun.secretsOf(one.event, options.secrets))
  const result: EventResult = {
    name: one.name,
    trigger: one.trigger,
    pass: one.pass,
    same: kept.length === 0,
    differences: scrub(differences),
    onRedirectingPass: scrub(onRedirectingPass),
    ignored: scrub(all.filter((d) => Outcome.isIgnored(d.path, ignore)).map((d) => Outcome.pathText(d.path))),
    covered,
    a: scrub(sideOf(runA.result, runA.sent, runA.opened, runA.late(), crashA)),
    b: scrub(sideOf(runB.result, runB.sent, runB.opened, runB.late(), crashB))
  }
  const unresumable = [resumeA, resumeB].every((r) => r !== undefined && !r.exported) ? resumeA?.handler : undefined
  return { result, continues: runA.result.continues || runB.result.continues, unresumable }
})

// A run's `continue` entry: a login it sent away that Auth0 cannot resume (no continue handler). An Action that has
// the handler has no entry, so it adds nothing where the redirect itself already differs.
const resumeEntry = (resume: Resume.Resumed | undefined): ReadonlyArray<Outcome.Entry> =>
  resume === undefined || resume.exported ? [] : [{ path: ["continue"], value: Resume.cannotResume(resume.handler) }]

// A claim's or scope's difference on a pass both Actions redirect on (listed apart, counted).
const isRedirected = (d: Outcome.Difference): boolean => d.path[0] === Outcome.redirectedField

// The notes on handlers no event ran: a continue pass only when a run sent the user away (a redirect, a form), so that
// Auth0 would have called it; otherwise it is not a pass the events could have missed.
const notesOn = (unran: ReadonlyArray<Unran>, continues: boolean, cases: ReadonlyArray<Case>): ReadonlyArray<string> =>
  unran.filter(({ handler }) => continues || !handler.startsWith("onContinue")).map(({ who, handler }) =>
    `${who} ${handler}, and no event ran it (${eventsFor(handler, cases)} would)`
  )

// A run that something escaped from (`text`): rejected, with that as its rejection unless its handler rejected first.
const crashed = <S extends { readonly result: Runners.Run; readonly entries: ReadonlyArray<Outcome.Entry> }>(
  run: S,
  text: string | undefined
): S => {
  if (text === undefined) return run
  const result = Guard.crashed(run.result, text)
  const entries = [
    ...run.entries.filter((entry) => entry.path[0] !== "outcome" && entry.path[0] !== "rejection"),
    { path: ["outcome"], value: "rejected" },
    { path: ["rejection"], value: result.rejection }
  ]
  return { ...run, result, entries }
}

// The connections both Actions opened to one target, each with the number of events it was in: what went over them
// is not compared.
const socketNotes = (results: ReadonlyArray<EventResult>): ReadonlyArray<string> => {
  const events = new Map<string, number>()
  for (const r of results) {
    for (const target of Sockets.both(r.a.sockets ?? [], r.b.sockets ?? [])) {
      events.set(target, (events.get(target) ?? 0) + 1)
    }
  }
  return [...events].map(([target, n]) =>
    `both Actions opened a socket of their own to ${target} (${plural(n, "event")}): what went over it is ` +
    `not compared (rulefx diff cannot replay a raw socket; both runs connected for real)`
  )
}

/**
 * Runs every event through both Actions, one event at a time, and compares what each made of the login. `unran`: the
 * handlers only one Action exports, which no case runs, for the report's notes.
 *
 * @category constructors
 * @since 0.1.0
 */
export const compare = Effect.fn("Diff.compare")(function*(
  a: Action,
  b: Action,
  cases: ReadonlyArray<Case>,
  options: Options = {},
  unran: ReadonlyArray<Unran> = []
) {
  yield* checkIgnore(options.ignore ?? [])
  // While the Actions run, neither can end the process or crash it (Guard).
  const runs = yield* Guard.guarded(
    { a: resolve(a.file), b: resolve(b.file) },
    (guard) => Effect.forEach(cases, (one) => runEvent(a, b, one, options, guard))
  )
  const results = runs.map((run) => run.result)
  const notes = [
    ...notesOn(unran, runs.some((run) => run.continues), cases),
    ...unresumableNotes(runs),
    ...socketNotes(results)
  ]
  const same = results.filter((r) => r.same).length
  const unusedIgnores = [...new Set(options.ignore ?? [])].filter((path) =>
    !results.some((r) => r.covered.includes(path))
  )
  const report: Report = {
    events: results.length,
    same,
    differ: results.length - same,
    results,
    notes,
    unusedIgnores,
    missingSecrets: missingSecretsOf(results),
    unreadable: []
  }
  return report
})

// The events both Actions sent away with no continue handler to come back to: the same in both, so not a difference,
// and still a login Auth0 fails.
const unresumableNotes = (runs: ReadonlyArray<{ readonly unresumable: string | undefined }>): ReadonlyArray<string> => {
  const byHandler = new Map<string, number>()
  for (const { unresumable } of runs) {
    if (unresumable !== undefined) byHandler.set(unresumable, (byHandler.get(unresumable) ?? 0) + 1)
  }
  return [...byHandler].map(([handler, n]) =>
    `both Actions send the user away on ${plural(n, "event")} and neither exports ${handler}: ` +
    `Auth0 fails these logins when the user comes back`
  )
}

// The events both Actions stopped on for a missing secret, and the secrets.
const missingSecretsOf = (results: ReadonlyArray<EventResult>): Report["missingSecrets"] => {
  const stopped = results.filter((r) => r.a.missingSecrets !== undefined && r.b.missingSecrets !== undefined)
  const secrets = new Set(stopped.flatMap((r) => [...r.a.missingSecrets!, ...r.b.missingSecrets!]))
  return { secrets: [...secrets], events: stopped.length }
}

/**
 * Reads the events, loads both Actions and compares them: `rulefx diff` without the printing.
 *
 * @category constructors
 * @since 0.1.0
 */
export const diff = Effect.fn("Diff.diff")(function*(
  fileA: string,
  fileB: string,
  events: string,
  options: Options & Omit<EventSet.ReadOptions, "trigger" | "triggerHint"> = {}
) {
  yield* checkIgnore(options.ignore ?? [])
  // Loading an Action runs its module's top: one that calls process.exit there fails to load, not ends the process.
  return yield* Guard.exitGuarded(diffLoaded(fileA, fileB, events, options))
})

const diffLoaded = Effect.fnUntraced(function*(
  fileA: string,
  fileB: string,
  events: string,
  options: Options & Omit<EventSet.ReadOptions, "trigger" | "triggerHint">
) {
  // Each side's module: what its top-level code started (a timer) sends as that Action's latest run (HttpTape.Module).
  const [moduleA, moduleB] = [HttpTape.makeModule(), HttpTape.makeModule()]
  // The Actions load with the routing fetch in place, so a fetch a module keeps from its load is recorded too.
  return yield* HttpTape.routing(Effect.gen(function*() {
    // Each Action's module is loaded once per diff, as Auth0 loads it once per container: its top-level code (a cache,
    // a timer, a counter, a connection) runs once, as that side's module, and every pass of every event runs against
    // it. Two sides are two loads, even of one file. What a module exports, and its handlers, come from that load; one
    // that cannot be loaded is reported once an event needs its handler (loadAction).
    const loadedA = yield* asModule(moduleA, Effect.result(LocalRun.loadModule(fileA)))
    const loadedB = yield* asModule(moduleB, Effect.result(LocalRun.loadModule(fileB)))
    const { cases, unran, unreadable } = yield* readFor(fileA, fileB, served(loadedA), served(loadedB), events, options)
    const a = yield* loadAction(fileA, loadedA, cases)
    const b = yield* loadAction(fileB, loadedB, cases)
    modules.set(a, moduleA)
    modules.set(b, moduleB)
    const report = yield* compare(a, b, cases, options, unran)
    const loadLogs = loadLogsOf(loadedA, loadedB, cases, options.secrets)
    return {
      ...report,
      unreadable: unreadable.map(unreadableOf),
      ...(loadLogs === undefined ? {} : { loadLogs })
    } satisfies Report
  }))
})

// What each side's module logged while it loaded, scrubbed of every secret the diff knows: a load is no one event's, so
// of each event's (with `secrets` over them), one distinct set at a time (the events of one tenant share theirs).
const loadLogsOf = (
  loadedA: Result.Result<LocalRun.Module, LocalRun.LocalRunError>,
  loadedB: Result.Result<LocalRun.Module, LocalRun.LocalRunError>,
  cases: ReadonlyArray<Case>,
  secrets: Readonly<Record<string, string>> = {}
): Report["loadLogs"] => {
  const logs = { a: logsOf(loadedA), b: logsOf(loadedB) }
  if (logs.a.length === 0 && logs.b.length === 0) return undefined
  const sets = new Map(
    [secrets, ...cases.map((one) => LocalRun.secretsOf(one.event, secrets))].map((set) => [JSON.stringify(set), set])
  )
  return [...sets.values()].reduce<typeof logs>((scrubbed, set) => Scrub.scrubberOf(set)(scrubbed), logs)
}

// What a module logged while it loaded; nothing when it could not be loaded.
const logsOf = (loaded: Result.Result<LocalRun.Module, LocalRun.LocalRunError>): ReadonlyArray<string> =>
  Result.isSuccess(loaded) ? loaded.success.logs : []

// The events, read for the triggers the two Actions serve (two that serve different triggers are TriggersDiffer), and
// the handlers they export that no event runs.
const readFor = Effect.fnUntraced(function*(
  fileA: string,
  fileB: string,
  servedA: ReturnType<typeof served>,
  servedB: ReturnType<typeof served>,
  events: string,
  options: Options & Omit<EventSet.ReadOptions, "trigger" | "triggerHint">
) {
  const [triggersA, triggersB] = [servedA.triggers, servedB.triggers]
  if (
    triggersA.length > 0 && triggersB.length > 0 &&
    (triggersA.length !== triggersB.length || triggersA.some((id) => !triggersB.includes(id)))
  ) {
    return yield* new TriggersDiffer({ a: fileA, b: fileB, triggersA, triggersB })
  }
  const serves = triggersA.length > 0 ? triggersA : triggersB
  const trigger = options.trigger ??
    (serves.length === 0 || serves.includes("post-login") ? "post-login" : serves.length === 1 ? serves[0]! : null)
  const { cases, unreadable } = yield* EventSet.readAll(events, {
    ...options,
    trigger,
    triggerHint: `the Actions serve ${serves.join(" and ")}`
  })
  const ran = new Set(cases.map((c) => c.pass))
  const unran = [...new Set([...servedA.handlers, ...servedB.handlers])]
    .filter((name) => !ran.has(name))
    .map((handler): Unran => {
      const inA = servedA.handlers.includes(handler)
      const who = inA === servedB.handlers.includes(handler)
        ? "both Actions export"
        : `only ${inA ? fileA : fileB} exports`
      return { who, handler }
    })
  return { cases, unran, unreadable }
})

const unreadableOf = (e: EventSet.EventFileError): Unreadable =>
  e.line === undefined ? { file: e.file, problem: e.problem } : { file: e.file, line: e.line, problem: e.problem }

// The module each loaded Action's handlers came from (diffLoaded).
const modules = new WeakMap<Action, HttpTape.Module>()

// Runs `effect` (which loads an Action: all of it runs at once) as `module`'s top-level code (HttpTape.asModule).
const asModule = <A, E>(module: HttpTape.Module, effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.flatten(Effect.sync(() => HttpTape.asModule(module, () => Effect.runSyncExit(effect))))

// How to write events that run a handler: a continue pass, a first pass (when the events ran the continue pass of its
// trigger), or an event of its trigger.
const eventsFor = (handler: string, cases: ReadonlyArray<Case>): string => {
  const trigger = Triggers.all.find((t) => t.handlers.includes(handler))
  return !handler.startsWith("onContinue") && cases.some((c) => c.trigger === trigger?.id)
    ? `an event without "continue": true, and without --continue,`
    : handler.startsWith("onContinue")
    ? `a { "continue": true${
      trigger === undefined || trigger.id === "post-login" ? "" : `, "trigger": "${trigger.id}"`
    } } event, or --continue,`
    : `an event with "trigger": "${trigger?.id ?? "?"}" (or --trigger ${trigger?.id ?? "?"} for events that name none)`
}

const absent = "(none)"

const show = (value: unknown): string =>
  value === undefined ? absent : typeof value === "string" ? value : JSON.stringify(value, bigints) ?? String(value)

// JSON has no BigInt (a claim an Action set to `1n`): shown as its digits and `n`, not a crash of the report.
const bigints = (_key: string, value: unknown): unknown => typeof value === "bigint" ? `${value}n` : value

// Requests by body: a list of empty bodies is shown as a count. A cache key: `set <digest>` (and its options) or
// `deleted`.
const showAt = (path: string, value: unknown): string =>
  path.startsWith("requests.") && Array.isArray(value) && value.every((body) => body === "")
    ? `${value.length} sent`
    : path.startsWith("cache.") && Predicate.hasProperty(value, "set")
    ? `set ${show(value.set)}${Predicate.hasProperty(value, "options") ? ` ${show(value.options)}` : ""}`
    : show(value)

// A value as the terminal shows it: control characters (an ANSI escape that would hide or rewrite what follows) and
// the bidirectional overrides written as `\u001b`, not acted on.
const printable = (text: string): string =>
  // oxlint-disable-next-line no-control-regex
  text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) =>
    `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

const table = (written: ReadonlyArray<readonly [string, string, string]>): Array<string> => {
  const rows = written.map(([path, a, b]) => [printable(path), printable(a), printable(b)] as const)
  const widths = [0, 1].map((column) => Math.max(...rows.map((row) => row[column]!.length)))
  return rows.map(([path, a, b]) => `  ${path.padEnd(widths[0]!)}  ${a.padEnd(widths[1]!)}  ${b}`.trimEnd())
}

/**
 * The line a report puts above the claim and scope differences of a pass both Actions redirect on
 * (`EventResult.onRedirectingPass`).
 *
 * @category constants
 * @since 0.1.0
 */
export const onRedirectingPassNote =
  "set on a pass that redirects: Auth0 is believed to keep them for the tokens issued after the continue pass " +
  "(unconfirmed); a migrated legacy Action sets none there, its continue pass sets them again"

const rowsOf = (differences: ReadonlyArray<Difference>) =>
  differences.map((d) => [d.path, showAt(d.path, d.a), showAt(d.path, d.b)] as const)

const headingOf = (r: EventResult): string =>
  `${printable(r.name)}${
    r.trigger === "post-login"
      ? r.pass === "onContinuePostLogin" ? " (continue)" : ""
      : r.pass.startsWith("onContinue")
      ? ` (${r.trigger}, continue)`
      : ` (${r.trigger})`
  }: ${r.same ? "same" : "differs"}`

// An event's table: what differs, then the claims and scopes set on a pass both redirect on, under their note.
const blockOf = (r: EventResult, labels: { readonly a: string; readonly b: string }): string => {
  const counted = table([["path", labels.a, labels.b], ...rowsOf(r.differences), ...rowsOf(r.onRedirectingPass)])
  const at = 1 + r.differences.length
  const lines = r.onRedirectingPass.length === 0
    ? counted
    : [...counted.slice(0, at), `  ${onRedirectingPassNote}`, ...counted.slice(at)]
  return [headingOf(r), ...lines].join("\n")
}

/**
 * Renders a report as text: a table per event that differs (path, the first Action's value, the second's; the claims
 * and scopes set on a pass both redirect on under their own note), then one summary line.
 *
 * @category getters
 * @since 0.1.0
 */
export const render = (report: Report, labels: { readonly a: string; readonly b: string }): string => {
  const blocks = report.results.filter((r) => !r.same).map((r) => blockOf(r, labels))
  const ignored = report.results.reduce((n, r) => n + r.ignored.length, 0)
  const redirected = report.results.reduce((n, r) => n + r.onRedirectingPass.length, 0)
  const asides = [
    ...(ignored === 0 ? [] : [plural(ignored, "ignored difference")]),
    ...(redirected === 0 ? [] : [
      `${plural(redirected, "token difference")} on passes that redirect`
    ])
  ]
  const summary = `${plural(report.events, "event")}: ${report.same} same, ${report.differ} ` +
    `differ${asides.length === 0 ? "" : ` (${asides.join("; ")})`}${
      report.unreadable.length === 0 ? "" : `; ${plural(report.unreadable.length, "event")} unreadable`
    }`
  const unreadable = report.unreadable.map((u) =>
    `unreadable: ${u.file}${u.line === undefined ? "" : `:${u.line}`}: ${u.problem} (not run)`
  )
  const live = report.results.reduce((n, r) => n + r.a.live + r.b.live, 0)
  const note = live === 0
    ? []
    : [
      `note: ${plural(live, "request")} went out through node:http(s) or HTTP/2, from both Actions: rulefx diff ` +
      `records and replays fetch only, so a service whose answers change can make these runs differ`
    ]
  const late = sideNotes(report, labels, ({ late }) =>
    late === undefined
      ? undefined
      : `called ${late.join(", ")} after its handler returned (not compared: Auth0 does not apply an api call made ` +
        `then, and a request or connection made then cannot change this login's decision)`)
  const crashed = sideNotes(report, labels, ({ crashes }) =>
    crashes === undefined
      ? undefined
      : `crashed ${crashes} times while it ran (uncaught exceptions or unhandled rejections; the first is compared, ` +
        `not how many, which depends on timing)`)
  // Notes name events and api methods as the Actions gave them: printed escaped, as the table is.
  return [
    ...blocks,
    ...unreadable.map(printable),
    summary,
    ...note,
    ...[...late, ...crashed, ...report.notes.map((n) => `note: ${n}`)].map(printable),
    ...loadLogsText(report, labels)
  ].join("\n\n")
}

// What each Action's module logged while it loaded, under a line naming it, each line escaped and indented.
const loadLogsText = (report: Report, labels: { readonly a: string; readonly b: string }): ReadonlyArray<string> =>
  (["a", "b"] as const).flatMap((side) => {
    const logs = report.loadLogs?.[side] ?? []
    return logs.length === 0 ? [] : [
      [
        `${printable(labels[side])} logged while it loaded (not compared):`,
        ...logs.map((line) => `  ${printable(line)}`)
      ]
        .join("\n")
    ]
  })

// A note for each run `note` has something to say of (`note: <event>: <Action> <what>`), by event, `a` first.
const sideNotes = (
  report: Report,
  labels: { readonly a: string; readonly b: string },
  note: (side: Side) => string | undefined
): ReadonlyArray<string> =>
  report.results.flatMap((r) =>
    (["a", "b"] as const).flatMap((side) => {
      const text = note(r[side])
      return text === undefined ? [] : [`note: ${r.name}: ${labels[side]} ${text}`]
    })
  )

/**
 * The report's warnings, one line each: every `ignore` path that matched nothing in any event (a typo in it would
 * otherwise pass unseen), and the events both Actions stopped on for a missing secret (`missingSecrets`: a forgotten
 * `--secrets <file>` makes every such event "the same"). `rulefx diff` prints them to stderr, and `--json` holds them
 * as `unusedIgnores` and `missingSecrets`.
 *
 * @category getters
 * @since 0.1.0
 */
export const warnings = (report: Report): ReadonlyArray<string> => [
  ...report.unusedIgnores.map((path) =>
    `warning: --ignore ${path} matched nothing in any of the ${
      plural(report.events, "event")
    } (a typo? it hides no difference)`
  ),
  ...(report.missingSecrets.events === 0 ? [] : [`warning: ${missingSecretsText(report)}`])
]

// What the report says of the events both Actions stopped on for a missing secret: how many, the secrets, and the flag
// that gives them; empty when there were none.
const missingSecretsText = (report: Report): string => {
  const { events, secrets } = report.missingSecrets
  return events === 0 ?
    "" :
    `${events} of ${plural(report.events, "event")} ${
      events === 1 ? "was" : "were"
    } denied by both Actions for a missing secret (${secrets.join(", ")}), so nothing past it was compared: ` +
    `pass --secrets <file> with ${secrets.length === 1 ? "its value" : "their values"}`
}

/**
 * A report as JSON, for scripts: `{ events, same, differ, results: [{ name, trigger, pass, same, differences: [{ path,
 * a?, b? }], onRedirectingPass, ignored, covered, a, b }], notes, unusedIgnores, missingSecrets: { secrets, events },
 * unreadable: [{ file, line?, problem }] }`, where a side without a value at a path has no `a` (or `b`); `onRedirectingPass` holds, on a pass both Actions redirect on, the claim and scope differences (paths under `redirected.`), counted in `same` as `differences` are; `a` and `b` of a result are each run's outcome,
 * reason, rejection, `crashes` (how many times it crashed, when more than once), number of requests (`live`: of them through node:http(s) or HTTP/2), the `sockets` of its own it opened (when any), the `missingSecrets` it stopped for (when any) and, when it timed out, `timedOutMs`.
 *
 * @category getters
 * @since 0.1.0
 */
export const toJson = (report: Report): string => JSON.stringify(report, bigints, 2)

/**
 * The events whose handler, in either Action, had not settled within the time limit: what it started may still be
 * running.
 *
 * @category getters
 * @since 0.1.0
 */
export const timedOut = (report: Report): ReadonlyArray<string> =>
  report.results.filter((r) => r.a.timedOutMs !== undefined || r.b.timedOutMs !== undefined).map((r) => r.name)
