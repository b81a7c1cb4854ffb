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
 * result. On a pass where both Actions redirect Auth0 issues no token, so their differences in claims and scopes are
 * listed apart (`EventResult.notIssued`), not counted; everything else there counts. An api call of a kind rulefx does
 * not summarise (one Auth0 adds later) is compared by its method path and the arguments of each call, never skipped.
 *
 * Outbound HTTP cannot make the comparison flaky: the first Action's `fetch` requests (the typed runtime's and the
 * legacy `request` stand-in's) go out and are recorded; the second Action gets the recorded answer for the same
 * method, URL, body and headers (a Request's body and a Blob are read from a copy; headers are compared as keyed
 * digests, never shown). A request only one Action sends is a difference (`requests.<METHOD> <url>`); the second
 * Action's request that the first did not send fails as a refused connection would, or, with `live`, goes out. A
 * stream body is read (up to 16 MiB) and compared as bytes. An answer replayed out of the order the first run had it
 * in relative to a state-changing request (where that order was certain) is a difference, `requests.order`.
 * Requests sent through `node:http`/`node:https` directly are not replayed: both runs send them, and they are
 * counted (`Side.live`) and compared by method and URL.
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
 * not serve. An Action without the handler an event needs is a LocalRunError naming the handler; a handler only one
 * Action has and no event runs (an onContinuePostLogin) is noted in the report.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import { createRequire } from "node:module"
import { resolve } from "node:path"
import * as EventSet from "./internal/diff/eventSet.ts"
import * as HttpTape from "./internal/diff/httpTape.ts"
import * as Outcome from "./internal/diff/outcome.ts"
import * as Runners from "./internal/diff/runners.ts"
import * as Scrub from "./internal/diff/scrub.ts"
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
  /** How many HTTP requests the run sent (the second run's replayed ones included). */
  readonly requests: number
  /** How many of them went out through `node:http`/`node:https`, which is not recorded and replayed. */
  readonly live: number
  /** The time limit, in milliseconds, when the handler had not settled by then (the outcome is "rejected"). */
  readonly timedOutMs?: number
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
   * On a pass where both Actions redirect, the differences in their tokens (claims, scopes), not counted in `same`:
   * Auth0 issues no token on a pass that redirects (the tokens come from the continue pass, compared as its own
   * event), so what either set there cannot reach one. Empty on any other pass, where they count.
   */
  readonly notIssued: ReadonlyArray<Difference>
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
   * What the diff could not compare: a handler only one Action exports, which no event ran (a continue pass only when
   * some event's run sent the user away, with a redirect or a form).
   */
  readonly notes: ReadonlyArray<string>
  /**
   * The `ignore` paths that matched nothing any run of any event had: a typo there would otherwise hide nothing and
   * say nothing, so each is warned about.
   */
  readonly unusedIgnores: ReadonlyArray<string>
}

/**
 * A handler only one Action exports, which no event ran: `file` exports `handler`.
 *
 * @category models
 * @since 0.1.0
 */
export interface Unran {
  readonly file: string
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
      "cache.<key>, calls.<method>, requests.<METHOD> <url>)"
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
}

/**
 * Loads the handlers of a built Action that `cases` need, each event's trigger's (onExecutePostLogin,
 * onContinuePostLogin for a continue pass, onExecuteCredentialsExchange for a credentials-exchange event). An Action
 * that lacks one is a LocalRunError naming the file, the handler and the events that need it.
 *
 * @category constructors
 * @since 0.1.0
 */
export const loadAction = Effect.fn("Diff.loadAction")(function*(file: string, cases: ReadonlyArray<Case>) {
  const passes = [...new Set(cases.map((c) => c.pass))]
  const handlers: Action["handlers"] = {}
  for (const pass of passes) {
    const needing = cases.filter((c) => c.pass === pass)
    // LocalRun.loadAction checks the file is built and loads it with clear errors; it only reads `exports[pass]`.
    handlers[pass] = yield* LocalRun.loadAction(file, pass as "onExecutePostLogin").pipe(
      Effect.mapError((e) =>
        e.problem.startsWith("does not export")
          ? new LocalRun.LocalRunError({
            file,
            problem: `${e.problem}, which ${needing.length} ${needing[0]!.trigger} event${
              needing.length === 1 ? "" : "s"
            } need${needing.length === 1 ? "s" : ""} (${needing[0]!.name}${needing.length > 1 ? ", ..." : ""})`
          })
          : e
      )
    )
  }
  return { file, handlers } satisfies Action
})

/**
 * What a built Action exports: the triggers it serves (by their first handler) and every known handler name it
 * exports as a function. Empty when it is not a built file (`.js`, `.cjs`: a TypeScript entry is never loaded) or
 * cannot be loaded (loadAction then says why).
 *
 * @category getters
 * @since 0.1.0
 */
export const served = (
  file: string
): Effect.Effect<{ readonly triggers: ReadonlyArray<string>; readonly handlers: ReadonlyArray<string> }> =>
  Effect.try({
    try: () => {
      if (!/\.c?js$/.test(file)) return undefined
      const path = resolve(file)
      const load = createRequire(path)
      delete load.cache[path]
      return load(path) as unknown
    },
    catch: () => undefined
  }).pipe(
    Effect.map((exports) => ({
      triggers: Triggers.fromExports(exports).map((t) => t.id),
      handlers: Triggers.all.flatMap((t) => t.handlers).filter((name) =>
        Predicate.hasProperty(exports, name) && Predicate.isFunction(exports[name])
      )
    })),
    Effect.orElseSucceed(() => ({ triggers: [], handlers: [] }))
  )

const sideOf = (result: Runners.Run, sent: ReadonlyArray<HttpTape.Sent>): Side => ({
  outcome: result.outcome,
  ...(result.reason === undefined ? {} : { reason: result.reason }),
  ...(result.rejection === undefined ? {} : { rejection: result.rejection }),
  requests: sent.length,
  live: sent.filter((request) => request.body === HttpTape.nodeHttpBody).length,
  ...(result.timedOutMs === undefined ? {} : { timedOutMs: result.timedOutMs })
})

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
const runEvent = Effect.fn("Diff.runEvent")(function*(a: Action, b: Action, one: Case, options: Options) {
  const runOptions = {
    secrets: options.secrets ?? {},
    ...(options.timeout === undefined ? {} : { timeout: options.timeout })
  }
  const runner = Runners.runners.get(one.pass)!
  const tape = HttpTape.makeTape()
  const replay: HttpTape.Replay = { sent: [], outOfOrder: [] }
  const resultA = yield* HttpTape.withFetch(
    (real) => HttpTape.recording(real, tape),
    HttpTape.observingNodeHttp(tape.sent, runner.run(a.handlers[one.pass]!, structuredClone(one.event), runOptions))
  )
  const resultB = yield* HttpTape.withFetch(
    (real) => HttpTape.replaying(real, tape, replay, options.live === true),
    HttpTape.observingNodeHttp(replay.sent, runner.run(b.handlers[one.pass]!, structuredClone(one.event), runOptions))
  )
  const entriesA = resultA.entries(tape.sent)
  // An answer replayed out of its order with a state-changing request is a difference the runs alone cannot show.
  const entriesB = [
    ...resultB.entries(replay.sent),
    ...(replay.outOfOrder.length === 0 ? [] : [{ path: ["requests", "order"], value: replay.outOfOrder }])
  ]
  const all = Outcome.compare(entriesA, entriesB)
  const ignore = options.ignore ?? []
  const covered = ignore.filter((path) =>
    [...entriesA, ...entriesB].some((entry) => Outcome.isIgnored(entry.path, [path]))
  )
  const kept = all.filter((d) => !Outcome.isIgnored(d.path, ignore))
  // No token is issued on a pass both redirect: their token differences are listed, not counted.
  const noTokens = Outcome.bothRedirect(entriesA, entriesB)
  const differences = kept.filter((d) => !(noTokens && Outcome.isToken(d.path))).map(toDifference)
  const notIssued = noTokens ? kept.filter((d) => Outcome.isToken(d.path)).map(toDifference) : []
  // Compared as they were; what the report holds is scrubbed of the run's secrets.
  const own = (one.event as { readonly secrets?: unknown }).secrets
  const scrub = Scrub.scrubberOf({ ...(typeof own === "object" && own !== null ? own : {}), ...options.secrets })
  const result: EventResult = {
    name: one.name,
    trigger: one.trigger,
    pass: one.pass,
    same: differences.length === 0,
    differences: scrub(differences),
    notIssued: scrub(notIssued),
    ignored: scrub(all.filter((d) => Outcome.isIgnored(d.path, ignore)).map((d) => Outcome.pathText(d.path))),
    covered,
    a: scrub(sideOf(resultA, tape.sent)),
    b: scrub(sideOf(resultB, replay.sent))
  }
  return { result, continues: resultA.continues || resultB.continues }
})

// The notes on handlers no event ran: a continue pass only when a run sent the user away (a redirect, a form), so that
// Auth0 would have called it; otherwise it is not a pass the events could have missed.
const notesOn = (unran: ReadonlyArray<Unran>, continues: boolean): ReadonlyArray<string> =>
  unran.filter(({ handler }) => continues || !handler.startsWith("onContinue")).map(({ file, handler }) =>
    `only ${file} exports ${handler}, and no event ran it` +
    (handler.startsWith("onContinue") ? ` (a { "continue": true } event, or --continue, would)` : "")
  )

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
  const runs = yield* Effect.forEach(cases, (one) => runEvent(a, b, one, options))
  const results = runs.map((run) => run.result)
  const notes = notesOn(unran, runs.some((run) => run.continues))
  const same = results.filter((r) => r.same).length
  const unusedIgnores = [...new Set(options.ignore ?? [])].filter((path) =>
    !results.some((r) => r.covered.includes(path))
  )
  const report: Report = { events: results.length, same, differ: results.length - same, results, notes, unusedIgnores }
  return report
})

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
  const servedA = yield* served(fileA)
  const servedB = yield* served(fileB)
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
  const cases = yield* readEvents(events, {
    ...options,
    trigger,
    triggerHint: `the Actions serve ${serves.join(" and ")}`
  })
  const a = yield* loadAction(fileA, cases)
  const b = yield* loadAction(fileB, cases)
  const ran = new Set(cases.map((c) => c.pass))
  const unran = [...new Set([...servedA.handlers, ...servedB.handlers])]
    .filter((name) => !ran.has(name) && servedA.handlers.includes(name) !== servedB.handlers.includes(name))
    .map((handler): Unran => ({ file: servedA.handlers.includes(handler) ? fileA : fileB, handler }))
  return yield* compare(a, b, cases, options, unran)
})

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

const table = (rows: ReadonlyArray<readonly [string, string, string]>): Array<string> => {
  const widths = [0, 1].map((column) => Math.max(...rows.map((row) => row[column]!.length)))
  return rows.map(([path, a, b]) => `  ${path.padEnd(widths[0]!)}  ${a.padEnd(widths[1]!)}  ${b}`.trimEnd())
}

/**
 * The line a report puts above the token differences of a pass both Actions redirect on (`EventResult.notIssued`).
 *
 * @category constants
 * @since 0.1.0
 */
export const notIssuedNote =
  "not counted: tokens are not issued on a pass that redirects; compared on the continue pass"

const rowsOf = (differences: ReadonlyArray<Difference>) =>
  differences.map((d) => [d.path, showAt(d.path, d.a), showAt(d.path, d.b)] as const)

const headingOf = (r: EventResult): string =>
  `${r.name}${
    r.trigger === "post-login"
      ? r.pass === "onContinuePostLogin" ? " (continue)" : ""
      : r.pass.startsWith("onContinue")
      ? ` (${r.trigger}, continue)`
      : ` (${r.trigger})`
  }: ${r.same ? "same" : "differs"}`

// An event's table: what differs, then what is not counted (the tokens of a pass both redirect on) under its note.
const blockOf = (r: EventResult, labels: { readonly a: string; readonly b: string }): string => {
  const counted = table([["path", labels.a, labels.b], ...rowsOf(r.differences), ...rowsOf(r.notIssued)])
  const at = 1 + r.differences.length
  const lines = r.notIssued.length === 0
    ? counted
    : [...counted.slice(0, at), `  ${notIssuedNote}`, ...counted.slice(at)]
  return [headingOf(r), ...lines].join("\n")
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`

/**
 * Renders a report as text: a table per event that differs or has token differences not counted (path, the first
 * Action's value, the second's), then one summary line.
 *
 * @category getters
 * @since 0.1.0
 */
export const render = (report: Report, labels: { readonly a: string; readonly b: string }): string => {
  const blocks = report.results.filter((r) => !r.same || r.notIssued.length > 0).map((r) => blockOf(r, labels))
  const ignored = report.results.reduce((n, r) => n + r.ignored.length, 0)
  const notIssued = report.results.reduce((n, r) => n + r.notIssued.length, 0)
  const asides = [
    ...(ignored === 0 ? [] : [plural(ignored, "ignored difference", "ignored differences")]),
    ...(notIssued === 0 ? [] : [
      `${plural(notIssued, "token difference", "token differences")} on passes that redirect, not counted`
    ])
  ]
  const summary = `${report.events} event${report.events === 1 ? "" : "s"}: ${report.same} same, ${report.differ} ` +
    `differ${asides.length === 0 ? "" : ` (${asides.join("; ")})`}`
  const live = report.results.reduce((n, r) => n + r.a.live + r.b.live, 0)
  const note = live === 0
    ? []
    : [
      `note: ${live} request${live === 1 ? "" : "s"} went out through node:http(s), from both Actions: rulefx diff ` +
      `records and replays fetch only, so a service whose answers change can make these runs differ`
    ]
  return [...blocks, summary, ...note, ...report.notes.map((n) => `note: ${n}`)].join("\n\n")
}

/**
 * The report's warnings, one line each: every `ignore` path that matched nothing in any event (a typo in it would
 * otherwise pass unseen). `rulefx diff` prints them to stderr, and `--json` holds the paths as `unusedIgnores`.
 *
 * @category getters
 * @since 0.1.0
 */
export const warnings = (report: Report): ReadonlyArray<string> =>
  report.unusedIgnores.map((path) =>
    `warning: --ignore ${path} matched nothing in any of the ${report.events} event${
      report.events === 1 ? "" : "s"
    } (a typo? it hides no difference)`
  )

/**
 * A report as JSON, for scripts: `{ events, same, differ, results: [{ name, trigger, pass, same, differences: [{ path,
 * a?, b? }], notIssued, ignored, covered, a, b }], notes, unusedIgnores }`, where a side without a value at a path has no `a` (or `b`); `notIssued` holds, on a pass both Actions redirect on, the token differences (claims, scopes) not counted in `same`, as `differences` does; `a` and `b` of a result are each run's outcome,
 * reason, rejection, number of requests (`live`: of them through node:http) and, when it timed out, `timedOutMs`.
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
