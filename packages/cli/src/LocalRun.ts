/**
 * LocalRun: runs a built Action file against an event on this machine, with a recording `api`, and reports what
 * Auth0 would have done. Behind `rulefx run`; Node-side only.
 *
 * The event file is checked before the run: a file that is not JSON, not an object, or not a post-login event rulefx
 * can read is an error naming the problem (the Action itself would only deny with a generic reason). What a
 * hand-written event leaves out of what Auth0 always sends is filled with realistic defaults and listed
 * (PartialEvent), or, with `strict`, refused. Secrets from a file are merged over the event's own `secrets`. With a
 * source map beside the Action (`rulefx build --sourcemap`), stack positions in its log lines point at the sources.
 *
 * Only a built Action is run (a `.js` or `.cjs` file, as `rulefx build` writes): a TypeScript entry would run without
 * its type check, or not at all. A handler that has not settled after Auth0's 20 seconds is stopped there, as Auth0
 * stops it, and reported as rejected (timed out).
 *
 * @since 0.1.0
 */
import * as Auth0Event from "@rulefx/adapter-auth0/Auth0Event"
import type { PostLoginApi } from "@rulefx/adapter-auth0/PostLoginApi"
import * as Printable from "@rulefx/testing/Printable"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import { existsSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { extname, resolve } from "node:path"
import * as ActionRuntime from "./ActionRuntime.ts"
import { readText } from "./internal/files.ts"
import * as RunLogs from "./internal/runLogs.ts"
import * as Settled from "./internal/settled.ts"
import * as PartialEvent from "./PartialEvent.ts"
import * as SourceMapping from "./SourceMapping.ts"

/**
 * A file could not be used: the message names the file and the problem.
 *
 * @category errors
 * @since 0.1.0
 */
export class LocalRunError
  extends Data.TaggedError("LocalRunError")<{ readonly file: string; readonly problem: string }>
{
  override get message(): string {
    return `${this.file}: ${this.problem}`
  }
}

/**
 * What the run made of the login, from the `api` calls: as Auth0 would apply them at the end of the Action.
 *
 * @category models
 * @since 0.1.0
 */
export interface Summary {
  /** The reason of the last `access.deny`. */
  readonly denied: string | undefined
  /** Claims by name, the last value set. */
  readonly idTokenClaims: Record<string, unknown>
  readonly accessTokenClaims: Record<string, unknown>
  /** Net scopes: a scope added and then removed is in `scopesRemoved` only (the raw calls are in `calls`). */
  readonly scopesAdded: ReadonlyArray<string>
  readonly scopesRemoved: ReadonlyArray<string>
  readonly appMetadata: Record<string, unknown>
  readonly userMetadata: Record<string, unknown>
  /** The last `multifactor.enable`: the provider and its options (`allowRememberBrowser`, ...), if any. */
  readonly mfa: { readonly provider: string; readonly options?: unknown } | undefined
  /** The last `redirect.sendUserTo`: the URL and its `query` option, if any. */
  readonly redirect: { readonly url: string; readonly query?: unknown } | undefined
  /** The form rendered (`prompt.render`): its id and options. Present only when the run rendered one. */
  readonly form?: { readonly id: string; readonly options?: unknown }
  /** The last `validation.error`: code and message. Present only when the run stopped with one. */
  readonly validationError?: { readonly code: string; readonly message: string } | undefined
  /** Transaction metadata written (`null`: deleted). Present only when the run wrote some. */
  readonly transactionMetadata?: Record<string, unknown> | undefined
  /** Authentication methods recorded (continue pass). Present only when the run recorded some. */
  readonly authenticationMethods?: ReadonlyArray<string> | undefined
}

/**
 * What a run did.
 *
 * @category models
 * @since 0.1.0
 */
export interface Result {
  /** "rejected" when the handler's promise rejected, or did not settle in time: Auth0 fails such a login. */
  readonly outcome: "allowed" | "denied" | "rejected"
  readonly reason: string | undefined
  /**
   * Why the handler rejected (the first line of what it threw), or that it timed out, when the outcome is "rejected".
   */
  readonly rejection?: string
  /** The time limit, in milliseconds, when the handler had not settled by then: the run was stopped there. */
  readonly timedOutMs?: number
  readonly summary: Summary
  readonly calls: ReadonlyArray<RecordingApi.Call>
  /**
   * What the Action logged while the run went on: the first 1,000 calls to the console, 1,000,000 characters in all
   * (the call that reaches it cut there, ending in "…"), then `and <n> more`.
   */
  readonly logs: ReadonlyArray<string>
  /**
   * What the Action's module logged at its top level while it loaded (`Module.logs`), when `rulefx run` loaded it and it
   * logged: before the run, and kept apart from its lines.
   */
  readonly loadLogs?: ReadonlyArray<string>
  /** What the event left out of what Auth0 always sends, filled with defaults (see PartialEvent). */
  readonly filled: ReadonlyArray<string>
  /**
   * The optional user fields a rule commonly decides by that the event left out (`PartialEvent.absent`), when there
   * are any: never filled, so a rule that reads them decided by their absence.
   */
  readonly absent?: ReadonlyArray<string>
  readonly elapsedMs: number
}

/**
 * An event file, read: the event as the run gets it and what was filled in.
 *
 * @category models
 * @since 0.1.0
 */
export interface Loaded {
  readonly event: Record<string, unknown>
  readonly filled: ReadonlyArray<string>
}

type Handler = (event: unknown, api: PostLoginApi) => Promise<unknown>

/**
 * A built Action's module, loaded once: the file and what its module exports. `rulefx run` loads it once, as Auth0 loads
 * an Action's module once per container, and takes the handler and the list of exported handlers from this one load.
 *
 * @category models
 * @since 0.1.0
 */
export interface Module {
  readonly file: string
  readonly exports: unknown
  /**
   * What its top-level code logged while it loaded, kept as a run keeps its lines (`Result.logs`: the first 1,000
   * calls, 1,000,000 characters, then `and <n> more`), not printed: `rulefx run` and `rulefx diff` show them, scrubbed,
   * as the load's.
   */
  readonly logs: ReadonlyArray<string>
}

// What to do about a file that cannot be loaded, when the cause says: an ES module scope (a package.json above it), or
// the runtime a `--runtime npm` build requires, not installed where the file is.
const loadHint = (file: string, message: string): string => {
  if (/ES module scope|ERR_REQUIRE_ESM/.test(message)) {
    return ` (a package.json above it says "type": "module"; build the Action into a folder of its own, such as dist/, ` +
      `where rulefx marks it CommonJS)`
  }
  if (!message.includes(`Cannot find module '${ActionRuntime.packageName}`)) return ""
  const required = ActionRuntime.requiredBy(readFileSync(resolve(file), "utf8"))[0]
  const dependency = required === undefined ? ActionRuntime.packageName : `${ActionRuntime.packageName}@${required}`
  // The file's own load error (a --runtime npm build's) says what Auth0 needs; this says what `run` needs.
  return ` (to run it here, install ${dependency} where the file can require it, at that exact version: ` +
    `${ActionRuntime.installWays(dependency)})`
}

/**
 * Loads a built Action file with a fresh `require`: its module's top-level code runs, once per call, with the console
 * captured (`Module.logs`). A file that is not built (`.js`, `.cjs`), missing or cannot be loaded is a LocalRunError
 * saying why, and is not run.
 *
 * @category constructors
 * @since 0.1.0
 */
export const loadModule = (file: string): Effect.Effect<Module, LocalRunError> =>
  builtAction(file).pipe(
    Effect.andThen(Effect.try({
      try: (): Module => {
        const path = resolve(file)
        const require = createRequire(path)
        delete require.cache[path]
        const capture = RunLogs.capture()
        try {
          const exports = require(path) as unknown
          return { file, exports, logs: RunLogs.kept(capture) }
        } finally {
          capture.stop()
        }
      },
      catch: (cause) =>
        new LocalRunError({
          file,
          // MODULE_NOT_FOUND may also come from a require() inside the file, for a package not installed.
          problem: !existsSync(resolve(file))
            ? "no such file"
            : `cannot be loaded: ${Printable.firstLine(cause instanceof Error ? cause.message : cause)}${
              loadHint(file, Printable.text(cause instanceof Error ? cause.message : cause))
            }`
        })
    }))
  )

/**
 * A loaded module's `onExecutePostLogin`, or, with `"onContinuePostLogin"`, the handler Auth0 calls when the user
 * comes back from a redirect; a LocalRunError when the module does not export it as a function.
 *
 * @category getters
 * @since 0.1.0
 */
export const handlerOf = (
  { exports, file }: Module,
  handler: "onExecutePostLogin" | "onContinuePostLogin" = "onExecutePostLogin"
): Effect.Effect<Handler, LocalRunError> =>
  Predicate.hasProperty(exports, handler) && Predicate.isFunction(exports[handler])
    ? Effect.succeed(exports[handler] as Handler)
    : Effect.fail(new LocalRunError({ file, problem: `does not export an ${handler} function` }))

/**
 * Loads a built Action file with a fresh `require` (loadModule) and returns its `onExecutePostLogin`, or, with
 * `"onContinuePostLogin"`, the handler Auth0 calls when the user comes back from a redirect (handlerOf). What its
 * top-level code logged is not kept (loadModule's `Module.logs` has it).
 *
 * @category constructors
 * @since 0.1.0
 */
export const loadAction = (
  file: string,
  handler: "onExecutePostLogin" | "onContinuePostLogin" = "onExecutePostLogin"
): Effect.Effect<Handler, LocalRunError> =>
  loadModule(file).pipe(Effect.flatMap((module) => handlerOf(module, handler)))

// What `rulefx build` writes: a .js or .cjs file. A TypeScript entry would be loaded without its type check (Node 22
// strips the types) or not load at all, and it is not what Auth0 runs.
const builtAction = (file: string): Effect.Effect<void, LocalRunError> => {
  const extension = extname(file)
  if (extension === ".js" || extension === ".cjs") return Effect.void
  const entry = /^\.[cm]?tsx?$/.test(extension) ? file : "src/action.ts"
  return Effect.fail(
    new LocalRunError({
      file,
      problem: `not a built Action: rulefx run takes the .js (or .cjs) file rulefx build writes, the one Auth0 ` +
        `runs; build it first (rulefx build ${entry} -o dist/action.js) and run that (rulefx run dist/action.js)`
    })
  )
}

/**
 * Reads an event file, fills what it leaves out of what Auth0 always sends (or, with `strict`, fails naming it), and
 * checks that the result is a post-login event rulefx can read.
 *
 * @category constructors
 * @since 0.1.0
 */
export const loadEvent = (
  file: string,
  options: { readonly strict?: boolean } = {}
): Effect.Effect<Loaded, LocalRunError> =>
  readEvent(file).pipe(
    Effect.flatMap((written) => {
      const lacking = PartialEvent.missing(written)
      return options.strict === true && lacking.length > 0
        ? Effect.fail(
          new LocalRunError({
            file,
            problem: `a partial post-login event (--strict): missing ${lacking.join(", ")}`
          })
        )
        : Effect.succeed(PartialEvent.complete(written))
    }),
    Effect.tap(({ event }) =>
      Auth0Event.decode(event).pipe(
        Effect.mapError((e) =>
          new LocalRunError({ file, problem: `not a post-login event rulefx can read: ${e.issues.join("; ")}` })
        )
      )
    )
  )

/**
 * Why an event file's object is not an event but a wrapper, `{ "name": ..., "event": {...} }` (as `rulefx events` writes
 * them; `rulefx run` and `rulefx diff` read them): Auth0 sends no top-level `event`, and taken as an event of its own
 * every field would be filled with defaults, a silent wrong run. Undefined for an object without `event`.
 *
 * @category getters
 * @since 0.1.0
 */
export const wrapperProblem = (json: Readonly<Record<string, unknown>>): string | undefined =>
  json["event"] === undefined
    ? undefined
    : `a { "name", "event" } wrapper, not an event (Auth0 sends no "event" field): load the event inside it ` +
      `(rulefx run and rulefx diff read wrappers)`

const readEvent = (file: string): Effect.Effect<Record<string, unknown>, LocalRunError> =>
  readText(file, (problem) => new LocalRunError({ file, problem })).pipe(
    Effect.flatMap((text) =>
      Effect.try({
        try: () => JSON.parse(text) as unknown,
        catch: (cause) => {
          // Only the position: V8's message quotes the text around the error, which may be a secret.
          const at = cause instanceof Error ? /position \d+(?: \(line \d+ column \d+\))?/.exec(cause.message) : null
          return new LocalRunError({ file, problem: at === null ? "not valid JSON" : `not valid JSON (at ${at[0]})` })
        }
      })
    ),
    Effect.filterOrFail(
      (json): json is Record<string, unknown> => Predicate.isObject(json) && !Array.isArray(json),
      () => new LocalRunError({ file, problem: "expected a JSON object (a post-login event)" })
    ),
    Effect.filterOrFail(
      (json) => wrapperProblem(json) === undefined,
      (json) => new LocalRunError({ file, problem: wrapperProblem(json)! })
    )
  )

/**
 * Options of a run.
 *
 * @category models
 * @since 0.1.0
 */
export interface RunOptions {
  /** Secrets merged over the event's own `secrets`. */
  readonly secrets?: Readonly<Record<string, string>>
  /** How long the handler may take before the run is stopped and reported as timed out. Default Auth0's 20 s. */
  readonly timeout?: Duration.Input
  /** What `loadEvent` filled in, reported with the result. */
  readonly filled?: ReadonlyArray<string>
  /** The optional fields a rule may decide by that the event left out (`PartialEvent.absent`), reported with the result. */
  readonly absent?: ReadonlyArray<string>
  /** The Action's source map (SourceMapping.load): stack positions in log lines point at the sources. */
  readonly sourceMap?: SourceMapping.Mapping
  /** What the Action's module logged while it loaded (`Module.logs`): in the result as `loadLogs`, when there are any. */
  readonly loadLogs?: ReadonlyArray<string>
  /**
   * Wraps the recording api the handler gets (bound to the event, as Auth0's is); the result's calls are the wrapped
   * api's. `rulefx diff` records calls the recording api does not know this way.
   */
  readonly wrapApi?: (api: RecordingApi.RecordingApi) => RecordingApi.RecordingApi
  /**
   * Called the moment the handler settles (or the run is stopped), when the calls it made are kept: `rulefx diff`
   * notes the requests sent by then.
   */
  readonly settled?: () => void
  /**
   * The api's clock, in milliseconds since the epoch (encodeToken's `iat`, validateToken's expiry, the cache's TTLs);
   * the wall clock by default. `rulefx diff` gives both runs of one event the same one.
   */
  readonly now?: () => number
  /**
   * Whether a console call is this run's, asked when it is made: `rulefx diff` keeps out what the other Action's code
   * logs late while this one runs. Default: every call is.
   */
  readonly owns?: () => boolean
}

/**
 * Auth0's limit on one run of an Action: past it Auth0 stops the Action and fails the login.
 *
 * @category constructors
 * @since 0.1.0
 */
export const auth0TimeLimit: Duration.Duration = Duration.seconds(20)

/**
 * The redirect state an event's request carries (`request.body.state` or `request.query.state`), if any. A recording
 * api is bound to its event as Auth0's is: encodeToken signs for its user, and in a continue pass validateToken reads
 * the token from its request and expects this state (Auth0 checked it against the transaction).
 *
 * @category getters
 * @since 0.1.0
 */
export const stateOf = (event: Readonly<Record<string, unknown>>): string | undefined => {
  const request = Predicate.isObject(event["request"]) ? event["request"] as Record<string, unknown> : {}
  return [request["body"], request["query"]].map((part) =>
    Predicate.hasProperty(part, "state") && Predicate.isString(part.state) ? part.state : undefined
  ).find(Predicate.isString)
}

/**
 * Runs the handler once against `event` (with `secrets` merged over its own) and records what it did, including the
 * lines it logged. A handler that has not settled within `timeout` (Auth0's 20 s) is stopped waiting for there: the
 * outcome is "rejected", with `timedOutMs`, as Auth0 fails such a login; whatever it started is left running.
 *
 * @category constructors
 * @since 0.1.0
 */
export const run = Effect.fn("LocalRun.run")(function*(
  handler: Handler,
  event: Record<string, unknown>,
  options: RunOptions = {}
) {
  const withSecrets = { ...event, secrets: secretsOf(event, options.secrets) }
  const limit = Duration.fromInputUnsafe(options.timeout ?? auth0TimeLimit)
  const state = stateOf(event)
  const recording = RecordingApi.make({
    event: withSecrets,
    ...(state === undefined ? {} : { state }),
    ...(options.now === undefined ? {} : { now: options.now })
  })
  const api = options.wrapApi ? options.wrapApi(recording) : recording
  // What Auth0 applies: the calls made by the time the handler settled, as they were then.
  const settled = Settled.whenSettled(api.calls, options.settled)
  const capture = RunLogs.capture(options.owns)
  const started = performance.now()
  const { rejection, timedOut } = yield* Effect.tryPromise({
    try: () => settled.run(() => handler(withSecrets, api)),
    catch: Printable.firstLine
  }).pipe(
    Effect.timeoutOption(limit),
    Effect.match({
      onFailure: (thrown) => ({ rejection: thrown, timedOut: false }),
      onSuccess: (settled) =>
        Option.isSome(settled)
          ? { rejection: undefined, timedOut: false }
          : { rejection: `timed out: the handler did not settle within ${formatSeconds(limit)}`, timedOut: true }
    }),
    Effect.ensuring(Effect.sync(() => capture.stop()))
  )
  const elapsedMs = performance.now() - started
  const calls = settled.calls()
  const summary = summarize(calls)
  const sourceMap = options.sourceMap
  const reason = summary.denied ?? summary.validationError?.message
  const result: Result = {
    outcome: rejection !== undefined ? "rejected" : reason === undefined ? "allowed" : "denied",
    reason,
    ...(rejection === undefined ? {} : { rejection }),
    ...(timedOut ? { timedOutMs: Duration.toMillis(limit) } : {}),
    summary,
    calls,
    logs: mapped(RunLogs.kept(capture), sourceMap),
    ...(options.loadLogs === undefined || options.loadLogs.length === 0
      ? {}
      : { loadLogs: mapped(options.loadLogs, sourceMap) }),
    filled: options.filled ?? [],
    ...(options.absent === undefined || options.absent.length === 0 ? {} : { absent: options.absent }),
    elapsedMs
  }
  return result
})

/**
 * The secrets a run hands the Action: the event's own, then `extra` (a secrets file) over them. What prints a run's
 * result scrubs these from it (`rulefx run`; `rulefx diff` scrubs its report).
 *
 * @category getters
 * @since 0.1.0
 */
export const secretsOf = (
  event: Record<string, unknown>,
  extra: Readonly<Record<string, unknown>> = {}
): Readonly<Record<string, unknown>> => ({
  ...(Predicate.isObject(event["secrets"]) ? event["secrets"] as Record<string, unknown> : {}),
  ...extra
})

// Log lines with their stack positions pointing at the sources, when there is a source map.
const mapped = (lines: ReadonlyArray<string>, sourceMap: SourceMapping.Mapping | undefined): ReadonlyArray<string> =>
  sourceMap === undefined ? lines : lines.map((line) => SourceMapping.mapText(sourceMap, line))

const formatSeconds = (duration: Duration.Duration): string => `${Duration.toMillis(duration) / 1000} s`

/**
 * Summarises `api` calls as Auth0 applies them: claims and metadata by key (the last write wins), net scopes, the
 * last MFA and redirect with their options.
 *
 * @category constructors
 * @since 0.1.0
 */
export const summarize = (calls: ReadonlyArray<RecordingApi.Call>): Summary => {
  const base = RecordingApi.summarize(calls)
  const scopes = new Map<string, "added" | "removed">()
  let mfa: Summary["mfa"]
  let redirect: Summary["redirect"]
  let form: Summary["form"]
  for (const { args, method } of calls) {
    if (method === "accessToken.addScope" || method === "accessToken.removeScope") {
      const scope = Printable.text(args[0])
      scopes.delete(scope)
      scopes.set(scope, method === "accessToken.addScope" ? "added" : "removed")
    } else if (method === "multifactor.enable") {
      mfa = { provider: Printable.text(args[0]), ...(args[1] === undefined ? {} : { options: args[1] }) }
    } else if (method === "redirect.sendUserTo") {
      const query = Predicate.hasProperty(args[1], "query") ? args[1].query : undefined
      redirect = { url: Printable.text(args[0]), ...(query === undefined ? {} : { query }) }
    } else if (method === "prompt.render") {
      form = { id: Printable.text(args[0]), ...(args[1] === undefined ? {} : { options: args[1] }) }
    }
  }
  const net = (state: "added" | "removed") => [...scopes].filter(([, s]) => s === state).map(([scope]) => scope)
  const { prompt: _prompt, ...rest } = base
  return {
    ...rest,
    scopesAdded: net("added"),
    scopesRemoved: net("removed"),
    mfa,
    redirect,
    ...(form === undefined ? {} : { form })
  }
}

// A value as JSON, or its string form; never throws (a BigInt, a cycle, a throwing getter or toString).
const show = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? Printable.text(value)
  } catch {
    return Printable.text(value)
  }
}

// The rows of the kinds that suspend or outlive the login: a form, a validation error, transaction metadata, methods.
const flowRows = (summary: Summary): Array<[string, string]> => {
  const rows: Array<[string, string]> = []
  const { authenticationMethods, form, transactionMetadata, validationError } = summary
  if (form !== undefined) rows.push(["form", form.options === undefined ? form.id : `${form.id} ${show(form.options)}`])
  if (validationError !== undefined) {
    rows.push(["validation", `${validationError.code}: ${validationError.message}`])
  }
  for (const [key, value] of Object.entries(transactionMetadata ?? {})) {
    rows.push(["transaction", `${key} = ${value === null ? "(deleted)" : show(value)}`])
  }
  for (const url of authenticationMethods ?? []) rows.push(["auth method", url])
  return rows
}
// The decisions shown call by call, in order: MFA steps and linking, SAML, session and refresh token (what Auth0 does
// with several calls differs by method, so each is shown as made), early-access target scopes. Recorded methods and
// transaction metadata are the flow rows' (above).
const surfaceCall =
  /^(authentication\.(?!recordMethod)|samlResponse\.|session\.|refreshToken\.|transaction\.\w+TargetScope)/

/**
 * Renders a result as an aligned plain-text table. Calls of `api.authentication`, `api.samlResponse`, `api.session`,
 * `api.refreshToken` and `api.transaction.*TargetScope(s)` are rows of their own, one per call, in order, labelled
 * with the method.
 *
 * @category getters
 * @since 0.1.0
 */
export const render = (result: Result): string => {
  const rows: Array<[string, string]> = [["outcome", result.outcome]]
  if (result.reason !== undefined) rows.push(["reason", result.reason])
  if (result.timedOutMs !== undefined) {
    rows.push([
      "timed out",
      `the handler did not settle within ${result.timedOutMs / 1000} s: Auth0 stops an Action at 20 s and fails the ` +
      `login (rulefx run --timeout <s> changes the limit here)`
    ])
  } else if (result.rejection !== undefined) {
    rows.push(["rejected", `${result.rejection} (Auth0 fails the login)`])
  }
  for (const [name, value] of Object.entries(result.summary.idTokenClaims)) {
    rows.push(["id token", `${name} = ${show(value)}`])
  }
  for (const [name, value] of Object.entries(result.summary.accessTokenClaims)) {
    rows.push(["access token", `${name} = ${show(value)}`])
  }
  for (const scope of result.summary.scopesAdded) rows.push(["scope added", scope])
  for (const scope of result.summary.scopesRemoved) rows.push(["scope removed", scope])
  for (const [key, value] of Object.entries(result.summary.appMetadata)) {
    rows.push(["app_metadata", `${key} = ${show(value)}`])
  }
  for (const [key, value] of Object.entries(result.summary.userMetadata)) {
    rows.push(["user_metadata", `${key} = ${show(value)}`])
  }
  const { mfa, redirect } = result.summary
  if (mfa !== undefined) {
    rows.push(["mfa", mfa.options === undefined ? mfa.provider : `${mfa.provider} ${show(mfa.options)}`])
  }
  if (redirect !== undefined) {
    rows.push([
      "redirect",
      redirect.query === undefined ? redirect.url : `${redirect.url} query ${show(redirect.query)}`
    ])
  }
  rows.push(...flowRows(result.summary))
  for (const call of result.calls) {
    if (surfaceCall.test(call.method)) rows.push([call.method, call.args.map(show).join(", ")])
  }
  rows.push(...RunLogs.rows(result))
  if (result.filled.length > 0) {
    rows.push([
      "filled",
      `${result.filled.join(", ")} (missing from the event, filled with realistic defaults; --strict refuses instead)`
    ])
    const decisive = PartialEvent.decisive(result.filled)
    if (decisive.length > 0) {
      rows.push([
        "warning",
        `filled with defaults that can change a rule's outcome: ${decisive.join(", ")}; a rule that reads them ` +
        `decided by these, not by your event (write them in the event; use --strict in CI)`
      ])
    }
  }
  if (result.absent !== undefined && result.absent.length > 0) {
    rows.push([
      "warning",
      `left out of the event, and never filled: ${result.absent.join(", ")}; a rule that reads them decided by ` +
      `their absence (write them in the event)`
    ])
  }
  rows.push(["elapsed", `${result.elapsedMs.toFixed(1)} ms`])
  const width = Math.max(...rows.map(([label]) => label.length))
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n")
}

/**
 * A result as plain JSON data, with `decisive`: the filled fields that can change an outcome (`PartialEvent.decisive`),
 * then the optional ones left out (`absent`).
 *
 * @category getters
 * @since 0.1.0
 */
export const toJson = (result: Result): string =>
  JSON.stringify({ ...result, decisive: [...PartialEvent.decisive(result.filled), ...(result.absent ?? [])] }, null, 2)
