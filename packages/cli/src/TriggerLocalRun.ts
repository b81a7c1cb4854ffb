/**
 * TriggerLocalRun: `rulefx run --trigger <id>` for the triggers other than post-login (LocalRun keeps post-login's).
 * Loads a built Action's handler for the trigger, fills what a partial event leaves out of what Auth0 always sends
 * for that trigger (realistic defaults from @rulefx/testing's TriggerEvents, reported), checks the event decodes as
 * the adapter decodes it, runs the handler with the trigger's recording api under Auth0's 20 s, and reports every
 * decision: the denial with its code or user message, the validation error, access-token claims, metadata, and the
 * cache writes (the only thing a side-effect trigger can do; the value shown as its keyed digest, as `rulefx diff`
 * shows it, since a cached value is typically a bearer token).
 *
 * @since 0.1.0
 */
import * as CredentialsExchangeEvent from "@rulefx/adapter-auth0/CredentialsExchangeEvent"
import * as CustomEmailProviderEvent from "@rulefx/adapter-auth0/CustomEmailProviderEvent"
import * as CustomPhoneProviderEvent from "@rulefx/adapter-auth0/CustomPhoneProviderEvent"
import * as CustomTokenExchangeEvent from "@rulefx/adapter-auth0/CustomTokenExchangeEvent"
import * as PasswordResetPostChallengeEvent from "@rulefx/adapter-auth0/PasswordResetPostChallengeEvent"
import * as PostChangePasswordEvent from "@rulefx/adapter-auth0/PostChangePasswordEvent"
import * as PostUserRegistrationEvent from "@rulefx/adapter-auth0/PostUserRegistrationEvent"
import * as PreUserRegistrationEvent from "@rulefx/adapter-auth0/PreUserRegistrationEvent"
import * as SendPhoneMessageEvent from "@rulefx/adapter-auth0/SendPhoneMessageEvent"
import * as Printable from "@rulefx/testing/Printable"
import type { Call } from "@rulefx/testing/RecordingApi"
import * as TriggerApis from "@rulefx/testing/TriggerApis"
import * as TriggerEvents from "@rulefx/testing/TriggerEvents"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as CacheValue from "./internal/diff/cacheValue.ts"
import { readText } from "./internal/files.ts"
import * as RunLogs from "./internal/runLogs.ts"
import * as Settled from "./internal/settled.ts"
import * as LocalRun from "./LocalRun.ts"
import type * as Triggers from "./Triggers.ts"

/**
 * How `rulefx run` treats one trigger: its defaults, the paths Auth0 always sends, its decoder and recording api.
 *
 * @category models
 * @since 0.1.0
 */
export interface Support {
  readonly defaults: () => Record<string, unknown>
  readonly required: ReadonlyArray<string>
  readonly decode: (event: unknown) => Effect.Effect<unknown, { readonly issues: ReadonlyArray<string> }>
  /** The trigger's recording api, bound to the event (and its redirect state) where the trigger's api is. */
  /** The trigger's recording api, bound to its event (and redirect state), on the clock `now` (the wall clock). */
  readonly api: (
    event: Readonly<Record<string, unknown>>,
    state: string | undefined,
    now: (() => number) | undefined
  ) => TriggerApis.Recording
  /** The rules deliver a message: success is "done", not "allowed". */
  readonly delivers?: boolean
}

/**
 * The triggers `rulefx run --trigger` supports besides post-login.
 *
 * @category constructors
 * @since 0.1.0
 */
export const supported: Readonly<Record<string, Support>> = {
  "credentials-exchange": {
    defaults: TriggerEvents.credentialsExchange,
    required: [
      "tenant.id",
      "client.client_id",
      "client.name",
      "client.metadata",
      "resource_server.identifier",
      "accessToken.scope",
      "transaction.requested_scopes",
      "request.ip",
      "request.geoip"
    ],
    decode: CredentialsExchangeEvent.decode,
    api: () => TriggerApis.credentialsExchange()
  },
  "pre-user-registration": {
    defaults: TriggerEvents.preUserRegistration,
    required: [
      "tenant.id",
      "user.app_metadata",
      "user.user_metadata",
      "connection.id",
      "connection.name",
      "connection.strategy",
      "request.ip",
      "request.geoip"
    ],
    decode: PreUserRegistrationEvent.decode,
    api: () => TriggerApis.preUserRegistration()
  },
  "post-user-registration": {
    defaults: TriggerEvents.postUserRegistration,
    required: [
      "tenant.id",
      "user.user_id",
      "user.app_metadata",
      "user.user_metadata",
      "connection.id",
      "connection.name",
      "connection.strategy"
    ],
    decode: PostUserRegistrationEvent.decode,
    api: () => TriggerApis.sideEffects()
  },
  "post-change-password": {
    defaults: TriggerEvents.postChangePassword,
    required: ["tenant.id", "user.user_id", "connection.id", "connection.name", "request.ip"],
    decode: PostChangePasswordEvent.decode,
    api: () => TriggerApis.sideEffects()
  },
  "send-phone-message": {
    defaults: TriggerEvents.sendPhoneMessage,
    required: ["tenant.id", "message_options.action", "message_options.message_type", "request.ip"],
    decode: SendPhoneMessageEvent.decode,
    api: () => TriggerApis.sideEffects(),
    delivers: true
  },
  "custom-phone-provider": {
    defaults: TriggerEvents.customPhoneProvider,
    required: ["tenant.id", "notification.message_type", "notification.delivery_method", "notification.as_voice"],
    decode: CustomPhoneProviderEvent.decode,
    api: () => TriggerApis.customPhoneProvider(),
    delivers: true
  },
  // Two passes, as post-login's: onExecutePostChallenge, and with --continue onContinuePostChallenge, whose api reads
  // the signed answer from the event's request and expects the state it carries.
  "password-reset-post-challenge": {
    defaults: TriggerEvents.passwordResetPostChallenge,
    required: [
      "tenant.id",
      "user.user_id",
      "user.enrolledFactors",
      "client.client_id",
      "client.metadata",
      "request.ip",
      "request.geoip",
      "transaction.locale"
    ],
    decode: PasswordResetPostChallengeEvent.decode,
    api: (event, state, now) =>
      TriggerApis.passwordResetPostChallenge({
        event,
        ...(state === undefined ? {} : { state }),
        ...(now === undefined ? {} : { now })
      })
  },
  "custom-token-exchange": {
    defaults: TriggerEvents.customTokenExchange,
    required: ["tenant.id", "client.client_id", "client.metadata", "request.ip", "request.geoip"],
    decode: CustomTokenExchangeEvent.decode,
    api: () => TriggerApis.customTokenExchange()
  },
  "custom-email-provider": {
    defaults: TriggerEvents.customEmailProvider,
    required: ["tenant.id", "notification.message_type", "notification.html", "notification.text"],
    decode: CustomEmailProviderEvent.decode,
    api: () => TriggerApis.customEmailProvider(),
    delivers: true
  }
}

/**
 * What a run did.
 *
 * @category models
 * @since 0.1.0
 */
export interface Result {
  readonly trigger: string
  /**
   * "allowed" (a blocking trigger let it through), "denied" (access.deny, or a notification dropped or retried),
   * "invalid" (validation.error), "done" (a side-effect trigger resolved, a message delivered), "rejected" (the
   * handler rejected, as send-phone-message does when nothing was delivered, or did not settle in time).
   */
  readonly outcome: "allowed" | "denied" | "invalid" | "done" | "rejected"
  /** The arguments of the deny or validation error: code and reason, reason and user message, or code and message. */
  readonly reason: ReadonlyArray<string> | undefined
  readonly rejection?: string
  readonly timedOutMs?: number
  /** Every decision, as `[kind, text]` rows in call order. */
  readonly decisions: ReadonlyArray<readonly [string, string]>
  readonly calls: ReadonlyArray<Call>
  /** What the Action logged, as LocalRun.Result's `logs` (the first 1,000 calls, 1,000,000 characters, then a count). */
  readonly logs: ReadonlyArray<string>
  /** What the Action's module logged while it loaded, as LocalRun.Result's `loadLogs`. */
  readonly loadLogs?: ReadonlyArray<string>
  readonly filled: ReadonlyArray<string>
  readonly elapsedMs: number
}

const isSection = (u: unknown): u is Readonly<Record<string, unknown>> => Predicate.isObject(u) && !Array.isArray(u)

/**
 * The required paths an event leaves out (a whole section counts once, by its name).
 *
 * @category getters
 * @since 0.1.0
 */
export const missing = (support: Support, event: Readonly<Record<string, unknown>>): ReadonlyArray<string> => {
  const sections = [...new Set(support.required.map((path) => path.split(".")[0]!))]
  return sections.flatMap((section) => {
    const value = event[section]
    if (value === undefined) return [section]
    const fields = support.required.filter((path) => path.startsWith(`${section}.`))
    return isSection(value) ? fields.filter((path) => value[path.slice(section.length + 1)] === undefined) : []
  })
}

/**
 * Fills what the event leaves out: a missing section is the default's whole section, a missing field the default's
 * field; what the event has is kept.
 *
 * @category constructors
 * @since 0.1.0
 */
export const complete = (
  support: Support,
  event: Readonly<Record<string, unknown>>
): { readonly event: Record<string, unknown>; readonly filled: ReadonlyArray<string> } => {
  const filled = missing(support, event)
  const defaults = support.defaults()
  const completed: Record<string, unknown> = structuredClone(event)
  for (const path of filled) {
    const [section, field] = path.split(".") as [string, string | undefined]
    const own = defaults[section]
    if (field === undefined) completed[section] = structuredClone(own)
    else if (isSection(completed[section]) && isSection(own)) {
      completed[section] = { [field]: structuredClone(own[field]), ...completed[section] }
    }
  }
  return { event: completed, filled }
}

/**
 * Reads, fills and checks an event for `trigger`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const loadEvent = Effect.fn("TriggerLocalRun.loadEvent")(function*(
  file: string,
  trigger: string,
  options: { readonly strict?: boolean } = {}
) {
  const support = supported[trigger]
  if (support === undefined) {
    return yield* new LocalRun.LocalRunError({ file, problem: `rulefx run does not support the ${trigger} trigger` })
  }
  const raw = yield* readText(file, (problem) => new LocalRun.LocalRunError({ file, problem }))
  // Only "not valid JSON": V8's message quotes the text around the error, which may be a secret.
  const text = yield* Effect.try({
    try: () => JSON.parse(raw) as unknown,
    catch: () => new LocalRun.LocalRunError({ file, problem: "not valid JSON" })
  })
  if (!isSection(text)) {
    return yield* new LocalRun.LocalRunError({ file, problem: `expected a JSON object (a ${trigger} event)` })
  }
  const wrapper = LocalRun.wrapperProblem(text)
  if (wrapper !== undefined) return yield* new LocalRun.LocalRunError({ file, problem: wrapper })
  const lacking = missing(support, text)
  if (options.strict === true && lacking.length > 0) {
    return yield* new LocalRun.LocalRunError({
      file,
      problem: `a partial ${trigger} event (--strict): missing ${lacking.join(", ")}`
    })
  }
  const loaded = complete(support, text)
  yield* support.decode(loaded.event).pipe(
    Effect.mapError((e) =>
      new LocalRun.LocalRunError({ file, problem: `not a ${trigger} event rulefx can read: ${e.issues.join("; ")}` })
    )
  )
  return loaded
})

type Handler = (event: unknown, api: unknown) => Promise<unknown>

/**
 * A loaded module's handler for `trigger` (LocalRun.loadModule): its first handler, or with `pass` "continue" the one
 * Auth0 calls when the user comes back (password-reset-post-challenge's `onContinuePostChallenge`); a trigger without
 * one, or a module that does not export it, is an error.
 *
 * @category getters
 * @since 0.1.0
 */
export const handlerOf = (
  module: LocalRun.Module,
  trigger: Triggers.Trigger,
  pass: "execute" | "continue" = "execute"
): Effect.Effect<Handler, LocalRun.LocalRunError> => {
  const name = pass === "continue" ? trigger.handlers[1] : trigger.handlers[0]
  if (name === undefined) {
    return Effect.fail(new LocalRun.LocalRunError({ file: module.file, problem: `${trigger.id} has no continue pass` }))
  }
  // LocalRun.handlerOf only reads `exports[name]`, with its own message when it is not a function.
  return LocalRun.handlerOf(module, name as "onExecutePostLogin") as unknown as Effect.Effect<
    Handler,
    LocalRun.LocalRunError
  >
}

// A value as JSON, or its string form; never throws (a BigInt, a cycle, a throwing getter or toString).
const show = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? Printable.text(value)
  } catch {
    return Printable.text(value)
  }
}

const rowOf = ({ args, method }: Call): readonly [string, string] | undefined => {
  switch (method) {
    case "access.deny":
      return ["denied", args.map(Printable.text).join(" | ")]
    case "validation.error":
      return ["validation error", args.map(Printable.text).join(" | ")]
    case "accessToken.setCustomClaim":
      return ["access token", `${Printable.text(args[0])} = ${show(args[1])}`]
    case "user.setAppMetadata":
      return ["app_metadata", `${Printable.text(args[0])} = ${show(args[1])}`]
    case "user.setUserMetadata":
      return ["user_metadata", `${Printable.text(args[0])} = ${show(args[1])}`]
    case "notification.drop":
    case "notification.retry":
      return [method, Printable.text(args[0])]
    case "authentication.challengeWith":
    case "authentication.challengeWithAny":
      return ["challenge", args.map(show).join(", ")]
    case "redirect.sendUserTo":
      return ["redirect", Printable.text(args[0])]
    case "prompt.render":
      return ["form", Printable.text(args[0])]
    case "access.rejectInvalidSubjectToken":
      return ["invalid subject token", Printable.text(args[0])]
    case "authentication.setUserById":
      return ["user", Printable.text(args[0])]
    case "authentication.setUserByConnection":
      return ["user", `${Printable.text(args[0])} ${show(args[1])} ${show(args[2])}`]
    case "transaction.setResultUrl":
      return ["result url", `${Printable.text(args[0])} ${show(args[1])}`]
    case "cache.set":
      // Typically a bearer token kept between runs: shown as its digest, as `rulefx diff` shows it.
      return ["cache set", `${Printable.text(args[0])} = ${CacheValue.shown(args[1])}`]
    case "cache.delete":
      return ["cache delete", Printable.text(args[0])]
    default:
      return method === "cache.get" ? undefined : [method, args.map(show).join(", ")]
  }
}

/**
 * The calls of the other triggers' apis that decide the outcome (the last one made is the outcome); the rest are
 * decisions printed in call order. `rulefx diff` reads the outcome from the same calls.
 *
 * @category constants
 * @since 0.1.0
 */
export const decisiveMethods: ReadonlySet<string> = new Set([
  "access.deny",
  "validation.error",
  "notification.drop",
  "notification.retry",
  "access.rejectInvalidSubjectToken"
])

/**
 * Runs a handler against an event with the trigger's recording api.
 *
 * @category constructors
 * @since 0.1.0
 */
export const run = Effect.fn("TriggerLocalRun.run")(function*(
  handler: (event: unknown, api: unknown) => Promise<unknown>,
  trigger: Triggers.Trigger,
  event: Record<string, unknown>,
  options: LocalRun.RunOptions = {}
) {
  const support = supported[trigger.id]!
  const withSecrets = { ...event, secrets: LocalRun.secretsOf(event, options.secrets) }
  const limit = Duration.fromInputUnsafe(options.timeout ?? LocalRun.auth0TimeLimit)
  const recording = support.api(withSecrets, LocalRun.stateOf(event), options.now)
  // `rulefx diff` records calls the trigger's recording api does not know (LocalRun.RunOptions.wrapApi).
  const api = options.wrapApi === undefined ? recording : options.wrapApi(recording as never) as typeof recording
  // What Auth0 applies: the calls made by the time the handler settled, as they were then (LocalRun.run).
  const settled = Settled.whenSettled(api.calls, options.settled)
  const capture = RunLogs.capture(options.owns)
  const started = performance.now()
  const { rejection, timedOut } = yield* Effect.tryPromise({
    try: () => settled.run(() => handler(withSecrets, api)),
    catch: Printable.firstLine
  }).pipe(
    Effect.timeoutOption(limit),
    Effect.match({
      onFailure: (thrown) => ({ rejection: thrown as string | undefined, timedOut: false }),
      onSuccess: (settled) =>
        Option.isSome(settled)
          ? { rejection: undefined, timedOut: false }
          : {
            rejection: `timed out: the handler did not settle within ${Duration.toMillis(limit) / 1000} s`,
            timedOut: true
          }
    }),
    Effect.ensuring(Effect.sync(() => capture.stop()))
  )
  const calls = settled.calls()
  const decisive = calls.filter((call) => decisiveMethods.has(call.method))
  const last = decisive.at(-1)
  const outcome: Result["outcome"] = rejection !== undefined
    ? "rejected"
    : last?.method === "access.deny"
    ? "denied"
    : last?.method === "validation.error"
    ? "invalid"
    : last !== undefined
    ? "denied"
    : trigger.blocking && support.delivers !== true
    ? "allowed"
    : "done"
  const result: Result = {
    trigger: trigger.id,
    outcome,
    reason: last?.args.map(Printable.text),
    ...(rejection === undefined ? {} : { rejection }),
    ...(timedOut ? { timedOutMs: Duration.toMillis(limit) } : {}),
    decisions: calls.flatMap((call) => {
      const row = rowOf(call)
      return row === undefined ? [] : [row]
    }),
    calls,
    logs: RunLogs.kept(capture),
    ...(options.loadLogs === undefined || options.loadLogs.length === 0 ? {} : { loadLogs: options.loadLogs }),
    filled: options.filled ?? [],
    elapsedMs: performance.now() - started
  }
  return result
})

/**
 * Renders a result as aligned `label  value` lines, as LocalRun.render does for post-login.
 *
 * @category getters
 * @since 0.1.0
 */
export const render = (result: Result): string => {
  const rows: Array<readonly [string, string]> = [["trigger", result.trigger], ["outcome", result.outcome]]
  if (result.rejection !== undefined) rows.push(["rejected", `${result.rejection} (Auth0 fails the request)`])
  rows.push(...result.decisions)
  rows.push(...RunLogs.rows(result))
  if (result.filled.length > 0) {
    rows.push([
      "filled",
      `${result.filled.join(", ")} (missing from the event, filled with realistic defaults; --strict refuses instead)`
    ])
  }
  rows.push(["elapsed", `${result.elapsedMs.toFixed(1)} ms`])
  const width = Math.max(...rows.map(([label]) => label.length))
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n")
}

/**
 * The result as JSON.
 *
 * @category getters
 * @since 0.1.0
 */
export const toJson = (result: Result): string => JSON.stringify(result, null, 2)
