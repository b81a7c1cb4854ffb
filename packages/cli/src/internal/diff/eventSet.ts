/**
 * The events `rulefx diff` runs: a folder of `.json` files (one event each) and `.jsonl` files (one a line), or one
 * such file. Each event is either an event as `rulefx run` takes it, or a wrapper that says more about it:
 * `{ "event": {...}, "name": "admin login", "trigger": "post-login", "continue": true }`, where `continue: true` runs
 * onContinuePostLogin (the user coming back from a redirect) instead of onExecutePostLogin, and `trigger` names the
 * trigger the event is for (its first handler runs it: `credentials-exchange` runs onExecuteCredentialsExchange). An
 * event without a `trigger` is for the default trigger of the read (`--trigger`, or what the Actions serve; post-login
 * when nothing says). An Auth0 event has no top-level `event` field, so an object with one is a wrapper. Each event is
 * filled and checked as `rulefx run` does it for its trigger (PartialEvent and Auth0Event for post-login,
 * TriggerLocalRun's table for the others), and a problem names the file and, in a `.jsonl` file, the line. `continue`
 * is for the triggers with a second pass: post-login (onContinuePostLogin) and password-reset-post-challenge
 * (onContinuePostChallenge). A continue pass needs nothing but the event: the redirect state is read from the event's
 * `request.query.state` (or `request.body.state`), and the token the user came back with from the same place under its
 * parameter name (`session_token` by default), as Auth0 sends them to /continue.
 */
import * as Auth0Event from "@rulefx/adapter-auth0/Auth0Event"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import { readdirSync, statSync } from "node:fs"
import { basename, extname, join } from "node:path"
import * as PartialEvent from "../../PartialEvent.ts"
import * as TriggerLocalRun from "../../TriggerLocalRun.ts"
import * as Triggers from "../../Triggers.ts"
import { readTextUpTo } from "../files.ts"
import * as Text from "../text.ts"
import * as Depth from "./depth.ts"

/** An event file (or one line of it) that cannot be used; `line` is 1-based, for `.jsonl` files. */
export class EventFileError extends Data.TaggedError("EventFileError")<{
  readonly file: string
  readonly line?: number | undefined
  readonly problem: string
}> {
  override get message(): string {
    return `${this.file}${this.line === undefined ? "" : `:${this.line}`}: ${this.problem}`
  }
}

/**
 * An events file, one event in it, or a folder's events files together, larger than the read allows: `what` says
 * which limit (`file`: the whole file, `event`: one `.json` file's or `.jsonl` line's event, `folder`: the folder's
 * files together, under the file limit), and the message names the flag that raises it. `bytes` is the size, when it
 * is known: a pipe (`--events <(zcat events.jsonl.gz)`) has none and is read only up to the limit.
 */
export class EventsTooLarge extends Data.TaggedError("EventsTooLarge")<{
  readonly file: string
  readonly line?: number | undefined
  readonly what: "file" | "event" | "folder"
  readonly bytes?: number | undefined
  readonly limit: number
}> {
  override get message(): string {
    const size = this.bytes === undefined ? "" : `${this.bytes} bytes${this.what === "folder" ? " together" : ""}, `
    return `${this.file}${this.line === undefined ? "" : `:${this.line}`}: ${tooLargeSubject[this.what]} ${size}` +
      `more than the limit of ${this.limit} (--max-${this.what === "event" ? "event" : "file"}-bytes <n> raises it)`
  }
}

const tooLargeSubject = {
  file: "the file is",
  event: "the event is",
  folder: "the folder's .json and .jsonl files are"
} as const

/**
 * The largest events file read by default (256 MiB), and the most bytes a folder's events files may hold together:
 * the events are held in memory while they run.
 */
export const defaultMaxFileBytes = 256 * 1024 * 1024

/**
 * The largest event read by default (1 MiB): Auth0 caps each metadata object at 16 kB, so a real event is a few kB,
 * and one a thousand times larger is a wrong file, not a login.
 */
export const defaultMaxEventBytes = 1024 * 1024

/**
 * Which handler an event is for, by its name: `onExecutePostLogin`, `onContinuePostLogin`, another trigger's first
 * handler (`onExecuteCredentialsExchange`), or its continue pass (`onContinuePostChallenge`).
 */
export type Pass = string

/** One event, ready to run. */
export interface Case {
  /** The file's name, with `:line` for a `.jsonl` line, or the wrapper's `name`. */
  readonly name: string
  /** The trigger's id (`post-login`, `credentials-exchange`, ...). */
  readonly trigger: string
  readonly pass: Pass
  readonly event: Record<string, unknown>
  /** What the event left out of what Auth0 always sends, filled with defaults. */
  readonly filled: ReadonlyArray<string>
}

/**
 * How events are read: `maxFileBytes` and `maxEventBytes` cap a file and one event in it; `strict` refuses a partial
 * event; `resume` makes every event a continue pass;
 * `trigger` is the trigger of events that do not name one (post-login by default; `null`: such an event is refused,
 * with `triggerHint` saying why).
 */
export interface ReadOptions {
  readonly strict?: boolean
  /** The largest events file, and the most a folder's files hold together, in bytes (defaultMaxFileBytes). */
  readonly maxFileBytes?: number
  /** The largest event, a `.json` file or a `.jsonl` line, in bytes (defaultMaxEventBytes). */
  readonly maxEventBytes?: number
  readonly resume?: boolean
  readonly trigger?: string | null
  readonly triggerHint?: string
}

const wrapperFields = new Set(["event", "name", "continue", "trigger"])

/** The triggers with a continue pass (a second handler), which `"continue": true` and `--continue` run. */
export const continuable: ReadonlyArray<string> = Triggers.all.filter((t) => t.handlers[1] !== undefined).map((t) =>
  t.id
)

type Where = { readonly file: string; readonly line?: number }

const fail = (where: Where, problem: string) => Effect.fail(new EventFileError({ ...where, problem }))

// Only the position of a JSON syntax error: V8's message quotes the text around it, which may hold a secret.
const notJson = (cause: unknown): string => {
  const at = cause instanceof Error ? /position \d+(?: \(line \d+ column \d+\))?/.exec(cause.message) : null
  return at === null ? "not valid JSON" : `not valid JSON (at ${at[0]})`
}

const parse = (where: Where, text: string): Effect.Effect<unknown, EventFileError> =>
  Effect.try({
    try: () => JSON.parse(text) as unknown,
    catch: (cause) => new EventFileError({ ...where, problem: notJson(cause) })
  }).pipe(
    Effect.flatMap((value) =>
      Depth.nestsDeeper(value) ? fail(where, `nested deeper than ${Depth.maxDepth} levels`) : Effect.succeed(value)
    )
  )

// The trigger a wrapper names, or the read's default; an error text when there is none or rulefx cannot run it.
const triggerOf = (named: unknown, options: ReadOptions): Triggers.Trigger | string => {
  if (named !== undefined && !Predicate.isString(named)) return "\"trigger\" is not a string"
  const id = named ?? (options.trigger === undefined ? "post-login" : options.trigger)
  if (id === null) {
    return `the event does not name its trigger ({ "trigger": ..., "event": ... }, or --trigger)${
      options.triggerHint === undefined ? "" : `: ${options.triggerHint}`
    }`
  }
  const trigger = Triggers.byId(id)
  if (trigger === undefined) return `"trigger": ${id} is not a trigger rulefx knows (${Triggers.ids.join(", ")})`
  if (trigger.id !== "post-login" && TriggerLocalRun.supported[trigger.id] === undefined) {
    return `rulefx diff does not run ${trigger.id} events yet`
  }
  return trigger
}

// Fills and checks an event of a trigger other than post-login, as `rulefx run --trigger` does.
const otherEvent = (
  where: Where,
  trigger: Triggers.Trigger,
  written: Record<string, unknown>,
  options: ReadOptions
): Effect.Effect<
  { readonly event: Record<string, unknown>; readonly filled: ReadonlyArray<string> },
  EventFileError
> => {
  const support = TriggerLocalRun.supported[trigger.id]!
  const lacking = TriggerLocalRun.missing(support, written)
  if (options.strict === true && lacking.length > 0) {
    return fail(where, `a partial ${trigger.id} event (--strict): missing ${lacking.join(", ")}`)
  }
  const loaded = TriggerLocalRun.complete(support, written)
  return support.decode(loaded.event).pipe(
    Effect.mapError((e) =>
      new EventFileError({ ...where, problem: `not a ${trigger.id} event rulefx can read: ${e.issues.join("; ")}` })
    ),
    Effect.as(loaded)
  )
}

// Fills and checks a post-login event.
const postLoginEvent = (
  where: Where,
  written: Record<string, unknown>,
  options: ReadOptions
): Effect.Effect<
  { readonly event: Record<string, unknown>; readonly filled: ReadonlyArray<string> },
  EventFileError
> => {
  const lacking = PartialEvent.missing(written)
  if (options.strict === true && lacking.length > 0) {
    return fail(where, `a partial post-login event (--strict): missing ${lacking.join(", ")}`)
  }
  const loaded = PartialEvent.complete(written)
  return Auth0Event.decode(loaded.event).pipe(
    Effect.mapError((e) =>
      new EventFileError({ ...where, problem: `not a post-login event rulefx can read: ${e.issues.join("; ")}` })
    ),
    Effect.as(loaded)
  )
}

// What a wrapper's fields on an event of its own (no "event") are: an Auth0 event has none of them at its top level,
// and left there they would be dropped (`"continue": true` would run the first pass).
const outsideWrapper = (fields: ReadonlyArray<string>): string => {
  const wrapper = fields.map((field) => field === "continue" ? `"continue": true` : `"${field}": ...`).join(", ")
  return `${fields.map((field) => `"${field}"`).join(", ")} outside a wrapper: an Auth0 event has no such field; ` +
    `put the event under "event" ({ ${wrapper}, "event": {...} })`
}

// A parsed JSON value into a case: a wrapper is unwrapped, the event filled and checked for its trigger.
const toCase = (
  where: Where,
  name: string,
  json: unknown,
  options: ReadOptions
): Effect.Effect<Case, EventFileError> => {
  if (!Predicate.isObject(json)) {
    return fail(where, "expected a JSON object (an event, or { \"event\": ... })")
  }
  const wrapped = json["event"] !== undefined
  if (wrapped) {
    const unknown = Object.keys(json).filter((key) => !wrapperFields.has(key))
    if (unknown.length > 0) {
      return fail(
        where,
        `unknown field ${unknown.join(", ")} beside "event" (a wrapper has event, name, trigger and continue)`
      )
    }
    if (!Predicate.isObject(json["event"])) return fail(where, "\"event\" is not a JSON object")
    if (json["continue"] !== undefined && !Predicate.isBoolean(json["continue"])) {
      return fail(where, "\"continue\" is not true or false")
    }
    if (json["name"] !== undefined && !Predicate.isString(json["name"])) return fail(where, "\"name\" is not a string")
  }
  const misplaced = wrapped ? [] : Object.keys(json).filter((key) => wrapperFields.has(key))
  if (misplaced.length > 0) return fail(where, outsideWrapper(misplaced))
  const trigger = triggerOf(wrapped ? json["trigger"] : undefined, options)
  if (Predicate.isString(trigger)) return fail(where, trigger)
  const resume = options.resume === true || (wrapped && json["continue"] === true)
  const second = trigger.handlers[1]
  if (resume && second === undefined) {
    return fail(where, `"continue" (and --continue) is for ${continuable.join(" and ")} events, not ${trigger.id}`)
  }
  const written = wrapped ? json["event"] as Record<string, unknown> : json
  const loaded = trigger.id === "post-login"
    ? postLoginEvent(where, written, options)
    : otherEvent(where, trigger, written, options)
  return Effect.map(loaded, ({ event, filled }): Case => ({
    name: wrapped && Predicate.isString(json["name"]) ? json["name"] : name,
    trigger: trigger.id,
    pass: resume && second !== undefined ? second : trigger.handlers[0],
    event,
    filled
  }))
}

// What one file's read may take: `limit` bytes, and what to blame past them (the event, the file, or the folder the
// file is in, whose files together are under the file limit: `used` bytes of it went to the files before).
interface Budget {
  readonly limit: number
  readonly over: (bytes: number | undefined) => EventsTooLarge
}

const budgetOf = (file: string, options: ReadOptions, oneEvent: boolean, folder: Folder | undefined): Budget => {
  const fileLimit = options.maxFileBytes ?? defaultMaxFileBytes
  const eventLimit = options.maxEventBytes ?? defaultMaxEventBytes
  const used = folder?.used ?? 0
  const left = fileLimit - used
  if (oneEvent && eventLimit <= left) {
    return { limit: eventLimit, over: (bytes) => new EventsTooLarge({ file, what: "event", bytes, limit: eventLimit }) }
  }
  if (folder === undefined || used === 0) {
    return { limit: left, over: (bytes) => new EventsTooLarge({ file, what: "file", bytes, limit: fileLimit }) }
  }
  return {
    limit: left,
    over: (bytes) =>
      new EventsTooLarge({
        file: folder.path,
        what: "folder",
        bytes: bytes === undefined ? undefined : used + bytes,
        limit: fileLimit
      })
  }
}

// A file's text and how many bytes it held.
interface Read {
  readonly text: string
  readonly bytes: number
}

// A folder being read: its path, and the bytes its files read so far held.
interface Folder {
  readonly path: string
  readonly used: number
}

// The file's text, read up to the budget's limit: a regular file whose size is over it is refused before it is read;
// any file (a pipe has no size, a file may grow) is read through a capped stream, and refused once past the limit.
const readCapped = (file: string, budget: Budget) =>
  Effect.try({
    try: () => statSync(file),
    catch: () => new EventFileError({ file, problem: "cannot be read" })
  }).pipe(
    Effect.flatMap((stat): Effect.Effect<Read, EventFileError | EventsTooLarge> =>
      stat.isFile() && stat.size > budget.limit
        ? Effect.fail(budget.over(stat.size))
        : readTextUpTo(file, budget.limit, (problem) => new EventFileError({ file, problem })).pipe(
          Effect.flatMap((read) => read === undefined ? Effect.fail(budget.over(undefined)) : Effect.succeed(read))
        )
    )
  )

// A file's events, and the bytes it held.
interface FileCases {
  readonly cases: ReadonlyArray<Case>
  readonly bytes: number
}

/**
 * Where a read puts an event it cannot use (its EventFileError), leaving the event out and reading on; without one,
 * the read fails with the first. A problem with a whole file (it cannot be read, it or one event in it is too large)
 * fails the read either way.
 */
type Unreadable = Array<EventFileError>

// One event's case, or none when it cannot be used and `unreadable` keeps its problem.
const oneEvent = (
  read: Effect.Effect<Case, EventFileError>,
  unreadable: Unreadable | undefined
): Effect.Effect<ReadonlyArray<Case>, EventFileError> =>
  unreadable === undefined
    ? Effect.map(read, (one) => [one])
    : read.pipe(
      Effect.map((one): ReadonlyArray<Case> => [one]),
      Effect.catchTag("EventFileError", (e) => Effect.sync((): ReadonlyArray<Case> => (unreadable.push(e), [])))
    )

const readJsonFile = (
  file: string,
  options: ReadOptions,
  folder: Folder | undefined,
  unreadable: Unreadable | undefined
) =>
  readCapped(file, budgetOf(file, options, true, folder)).pipe(
    Effect.flatMap(({ bytes, text }) =>
      oneEvent(
        parse({ file }, text).pipe(Effect.flatMap((json) => toCase({ file }, basename(file), json, options))),
        unreadable
      ).pipe(Effect.map((cases): FileCases => ({ cases, bytes })))
    )
  )

const eventBytes = (
  file: string,
  line: number,
  text: string,
  options: ReadOptions
): Effect.Effect<void, EventsTooLarge> => {
  const bytes = Buffer.byteLength(text)
  const limit = options.maxEventBytes ?? defaultMaxEventBytes
  return bytes > limit ? Effect.fail(new EventsTooLarge({ file, line, what: "event", bytes, limit })) : Effect.void
}

const readJsonLines = (
  file: string,
  options: ReadOptions,
  folder: Folder | undefined,
  unreadable: Unreadable | undefined
) =>
  readCapped(file, budgetOf(file, options, false, folder)).pipe(
    Effect.flatMap(({ bytes, text }) =>
      Effect.forEach(
        text.split(/\r?\n/).flatMap((line, i) => line.trim() === "" ? [] : [{ line: i + 1, text: line }]),
        ({ line, text }) =>
          eventBytes(file, line, text, options).pipe(
            Effect.andThen(oneEvent(
              parse({ file, line }, text).pipe(
                Effect.flatMap((json) => toCase({ file, line }, `${basename(file)}:${line}`, json, options))
              ),
              unreadable
            ))
          )
      ).pipe(Effect.map((cases): FileCases => ({ cases: cases.flat(), bytes })))
    )
  )

const readFile = (
  file: string,
  options: ReadOptions,
  unreadable: Unreadable | undefined,
  folder?: Folder
): Effect.Effect<FileCases, EventFileError | EventsTooLarge> =>
  extname(file) === ".jsonl"
    ? readJsonLines(file, options, folder, unreadable)
    : readJsonFile(file, options, folder, unreadable)

// A folder's files in turn, each within what the files before left of the file limit.
const readFolder = Effect.fnUntraced(function*(
  path: string,
  files: ReadonlyArray<string>,
  options: ReadOptions,
  unreadable: Unreadable | undefined
) {
  const cases: Array<Case> = []
  let used = 0
  for (const file of files) {
    const read = yield* readFile(file, options, unreadable, { path, used })
    cases.push(...read.cases)
    used += read.bytes
  }
  return cases
})

/**
 * Reads the events at `path`: a `.json` or `.jsonl` file, or a folder whose `.json` and `.jsonl` files (not its
 * subfolders) are read in name order. A folder without any, or an empty file, is an error: a diff over no events
 * would pass whatever the Actions do. A file larger than `maxFileBytes`, a folder whose files hold more than
 * `maxFileBytes` together, or an event larger than `maxEventBytes`, is an EventsTooLarge naming the file (and line)
 * or the folder, and the limit: found from a file's size before it is read, and in any case (a pipe has no size) by
 * reading no more than the limit (a `.jsonl` file is read whole, then line by line: the file limit bounds the memory
 * the events take).
 */
export const read = (
  path: string,
  options: ReadOptions = {}
): Effect.Effect<ReadonlyArray<Case>, EventFileError | EventsTooLarge> =>
  Effect.map(readSet(path, options), ({ cases }) => cases)

/**
 * The events at `path` that can be used, and the problem of each one that cannot (a `.json` file or a `.jsonl` line
 * that is not JSON, not an event, or not one rulefx can read), in the order read: one bad event does not keep the
 * others from running. A problem with a whole file (it cannot be read; it, a folder's files together, or one event is
 * too large) fails the read as `read` does. When no event can be used, the read fails with the first problem (naming
 * how many more events could not be used).
 */
export const readAll = (
  path: string,
  options: ReadOptions = {}
): Effect.Effect<
  { readonly cases: ReadonlyArray<Case>; readonly unreadable: ReadonlyArray<EventFileError> },
  EventFileError | EventsTooLarge
> => readSet(path, options, [])

const readSet = Effect.fn("Diff.readEvents")(function*(
  path: string,
  options: ReadOptions,
  unreadable?: Unreadable
) {
  const kind = yield* Effect.try({
    try: () => statSync(path).isDirectory() ? "folder" as const : "file" as const,
    catch: () => new EventFileError({ file: path, problem: "no such file or folder" })
  })
  const files = kind === "file"
    ? [path]
    : yield* Effect.try({
      try: () =>
        readdirSync(path, { withFileTypes: true })
          .filter((entry) => entry.isFile() && /\.jsonl?$/.test(entry.name))
          .map((entry) => entry.name)
          .toSorted()
          .map((name) => join(path, name)),
      catch: () => new EventFileError({ file: path, problem: "cannot be read" })
    })
  const cases = kind === "file"
    ? (yield* readFile(path, options, unreadable)).cases
    : yield* readFolder(path, files, options, unreadable)
  const [first, ...more] = unreadable ?? []
  if (cases.length === 0 && first !== undefined) {
    return yield* new EventFileError({
      file: first.file,
      line: first.line,
      problem: `${first.problem}${
        more.length === 0 ? "" : ` (and ${Text.plural(more.length, "more event")} that cannot be read)`
      }`
    })
  }
  if (cases.length === 0) {
    return yield* new EventFileError({
      file: path,
      problem: kind === "folder" ? "no .json or .jsonl events in this folder" : "no events in this file"
    })
  }
  return { cases, unreadable: unreadable ?? [] }
})
