/**
 * TriggerRun: how the handlers of the triggers other than post-login run a pipeline, shared by them: decode the
 * event into the trigger's own services, add Secrets (from `event.secrets`) and Cache (over `api.cache`), build the
 * user's layer per event in a fresh memo map, run under a deadline (one timer beside the run, as PostLogin's), and
 * return the Decision or the failure. A failure that is not a branded denial (a malformed event, a defect, the
 * deadline) is logged here; each trigger's handler decides what it becomes (deny, or nothing for the side-effect
 * triggers).
 *
 * @since 0.1.0
 */
import { Cache } from "@rulefx/core/Cache"
import * as Decision from "@rulefx/core/Decision"
import { type Denial, describe, isDenial } from "@rulefx/core/Denial"
import type * as Pipeline from "@rulefx/core/Pipeline"
import type { Resumed } from "@rulefx/core/Resumed"
import { make as makeSecrets, Secrets } from "@rulefx/core/Secrets"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Auth0Cache from "./Auth0Cache.ts"
import { withDeadline } from "./internal/deadline.ts"
import { type CanDeny as SharedCanDeny, lastResort, userIdOf as sharedUserIdOf } from "./internal/lastResort.ts"
import { printLine, userField } from "./internal/logger.ts"
import { refusedLayer } from "./internal/ownedServices.ts"
import { type Builder, builderOf } from "./internal/userServices.ts"
import type { PostLoginApi } from "./PostLoginApi.ts"

/**
 * A trigger's event is not one rulefx can read. `issues` name paths and problems, never values.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidEvent extends Data.TaggedError("InvalidEvent")<{ readonly issues: ReadonlyArray<string> }> {}

/**
 * The run did not finish before its deadline.
 *
 * @category errors
 * @since 0.1.0
 */
export class DeadlineExceeded extends Data.TaggedError("DeadlineExceeded")<{ readonly millis: number }> {}

/**
 * What a trigger's event decodes into: its own services (input and marker), its secrets, and who it is about.
 *
 * @category models
 * @since 0.1.0
 */
export interface Decoded<I> {
  readonly services: Context.Context<I>
  readonly secrets: Readonly<Record<string, unknown>>
  readonly user: string | undefined
}

/**
 * A run's result: the Decision, or the failure (a branded denial, or something else that is logged).
 *
 * @category models
 * @since 0.1.0
 */
export type Result =
  | { readonly _tag: "Decided"; readonly decision: Decision.Decision }
  | { readonly _tag: "Failed"; readonly denial: Denial | undefined; readonly tag: string }

/**
 * What every trigger gets per event from the adapter.
 *
 * @category models
 * @since 0.1.0
 */
export type PerEvent = Secrets | Cache

/**
 * The api part every trigger has: Auth0's cache, optional in stand-ins.
 *
 * @category models
 * @since 0.1.0
 */
export interface WithCache {
  readonly cache?: PostLoginApi["cache"]
}

// As PostLogin's: the user's layer built per event over this event's own services (internal/userServices); the
// event's services last, so they win over a layer that provides its own.
const runWith = <E, ROut, LE, I>(
  run: Effect.Effect<Decision.Decision, E>,
  build: Builder<ROut, LE, I | PerEvent>,
  base: Context.Context<I | PerEvent>
): Effect.Effect<Decision.Decision, E | LE> =>
  build(
    Effect.provideContext(base),
    (services) =>
      refusedLayer(services as Context.Context<never>) ?? Effect.provideContext(run, Context.merge(services, base))
  )

const failed = (cause: Cause.Cause<unknown>, user: unknown, what: string): Effect.Effect<Result> => {
  const error = Cause.findErrorOption(cause)
  if (error._tag === "Some" && isDenial(error.value)) {
    return Effect.succeed({ _tag: "Failed", denial: error.value, tag: error.value._tag })
  }
  const tag = error._tag === "Some" ? describe(error.value).split(" ")[0] ?? "NonDenialFailure" : "Defect"
  const detail = error._tag === "Some" && error.value instanceof InvalidEvent
    ? error.value.issues.join("; ")
    : Cause.pretty(cause)
  return Effect.logError(`${what} (${tag}): ${detail}`).pipe(
    Effect.annotateLogs(typeof user === "string" ? { user } : {}),
    Effect.as<Result>({ _tag: "Failed", denial: undefined, tag })
  )
}

/**
 * Options every trigger's handler takes.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The whole run's deadline. Default 5 seconds, far inside Auth0's 20 s. */
  readonly deadline?: Duration.Input
}

/**
 * Runs a trigger's pipeline against an event: decode, build the per-event services, run under the deadline. Never
 * fails: a failure that is not a branded denial is logged (`what` says how) and returned without its denial.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decider = <I, E extends Denial, R, ROut, LE>(
  decode: (event: unknown) => Effect.Effect<Decoded<I>, InvalidEvent>,
  pipeline: Pipeline.Pipeline<E, R>,
  layer: Layer.Layer<ROut, LE, I | PerEvent>,
  options: Options,
  what: string
) => {
  const millis = Duration.toMillis(Duration.fromInputUnsafe(options.deadline ?? "5 seconds"))
  const build = builderOf(layer)
  return (event: unknown, api?: WithCache): Promise<Result> => {
    const user = userIdOf(event)
    return withDeadline(
      Effect.gen(function*() {
        const decoded = yield* decode(event)
        // Auth0Cache reads only `api.cache`.
        const cache = yield* Auth0Cache.forLogin(api as PostLoginApi | undefined)
        const base = decoded.services.pipe(
          Context.add(Secrets, makeSecrets(decoded.secrets)),
          Context.add(Cache, cache)
        ) as Context.Context<I | PerEvent>
        return yield* runWith(pipeline.run as Effect.Effect<Decision.Decision, E>, build, base).pipe(
          Effect.annotateLogs(decoded.user === undefined ? {} : { user: decoded.user })
        )
      }).pipe(
        Effect.map((decision): Result => ({ _tag: "Decided", decision })),
        Effect.catchCause((cause) => failed(cause, user, what))
      ),
      millis,
      () => failed(Cause.fail(new DeadlineExceeded({ millis })), user, what)
    )
  }
}

/**
 * The event without its secrets, nor `configuration`, which Auth0 marks private.
 *
 * @category constructors
 * @since 0.1.0
 */
export const withoutSecrets = (event: unknown): Readonly<Record<string, unknown>> => {
  const { configuration: _configuration, secrets: _secrets, ...rest } = event as Record<string, unknown>
  return rest
}

/**
 * What a layer check says of a first-pass pipeline that reads the continue pass's Resumed (a redirect's returned
 * token, a form's answer, a recorded method): it compiles only as the `resume` pipeline of `Resumable.make` or
 * `PasswordResetPostChallenge.make`. Named so that the compile error says "continue pass only", not that the layer
 * lacks a service no layer may give.
 *
 * @category utility types
 * @since 0.1.0
 */
export interface ContinuePassOnly {
  readonly "rulefx: continue pass only: read a returned token, a form's answer or a recorded method in `resume`":
    Resumed
}

/**
 * What a layer check resolves to when the pipeline needs `Needs` and the layer does not give it: `ContinuePassOnly`
 * for Resumed, and an object whose one property names the rest.
 *
 * @category utility types
 * @since 0.1.0
 */
export type Unprovided<Needs> =
  & ([Extract<Needs, Resumed>] extends [never] ? unknown : ContinuePassOnly)
  & ([Exclude<Needs, Resumed>] extends [never] ? unknown
    : { readonly "rulefx: the layer does not provide": Exclude<Needs, Resumed> })

/**
 * Resolves to `unknown` when `ROut` (what the layer provides) covers what the pipeline needs besides the services
 * each event brings (`PerEvent` and the trigger's own, `I`), and provides none of those itself, nor the continue pass's
 * Resumed (a layer that provides it anyway fails every event closed); otherwise to an object
 * type whose properties name the problem (`Unprovided`), so the handler does not compile. Also `unknown` when what
 * the pipeline needs is `any` or `unknown`: the pipeline, or one of its rules, is `any` because of a mistake where it
 * is made, whose own error says why; naming `any` here would send the reader to the layer, or to the continue pass, for
 * nothing. (`NoInfer`: so that this test does not infer the pipeline's needs from the layer.)
 *
 * @category utility types
 * @since 0.1.0
 */
export type CheckLayer<R, ROut, I> = [unknown] extends [NoInfer<R>] ? unknown
  : [Extract<ROut, I | PerEvent | Resumed>] extends [never]
    ? [Exclude<R, ROut | I | PerEvent>] extends [never] ? unknown
    : Unprovided<Exclude<R, ROut | I | PerEvent>>
  : { readonly "rulefx: these come from each event; the layer must not provide": Extract<ROut, I | PerEvent | Resumed> }

/**
 * The outcome of a side-effect trigger (post-user-registration, post-change-password): done, or failed with what
 * failed (already logged). Either way nothing is asked of Auth0: the trigger cannot block anything.
 *
 * @category models
 * @since 0.1.0
 */
export type SideEffectsOutcome = { readonly _tag: "Done" } | { readonly _tag: "Failed"; readonly what: string }

/**
 * Maps a side-effect trigger's result: a denial that escaped the rules (a layer's, say) is logged here; a decision
 * with anything in it came from a rule the trigger cannot apply, and is logged and dropped.
 *
 * @category constructors
 * @since 0.1.0
 */
export const sideEffectsOutcome = (result: Result, user: unknown): SideEffectsOutcome => {
  const prefix = `rulefx ERROR${userField(user)}`
  if (result._tag === "Failed") {
    if (result.denial !== undefined) printLine(`${prefix} side effects failed: ${describe(result.denial)}`)
    return { _tag: "Failed", what: result.tag }
  }
  if (!Decision.isEmpty(result.decision)) {
    printLine(`${prefix} side effects: a decision this trigger cannot apply was dropped`)
    return { _tag: "Failed", what: "ForeignDecision" }
  }
  return { _tag: "Done" }
}

/**
 * The user id of an event, when it has one, for log lines written outside a run. Never throws: an event whose getter
 * throws (a Proxy, say) has none here, and fails in the run's decode, where the trigger's failure path handles it.
 *
 * @category getters
 * @since 0.1.0
 */
export const userIdOf: (event: unknown) => unknown = sharedUserIdOf

/**
 * The run of a side-effect trigger (post-user-registration, post-change-password): `decider` over the trigger's
 * event decoder, its result mapped by `sideEffectsOutcome`. `trigger` names it in log lines.
 *
 * @category constructors
 * @since 0.1.0
 */
export const sideEffects = <I, E extends Denial, R, ROut, LE>(
  decode: (event: unknown) => Effect.Effect<Decoded<I>, InvalidEvent>,
  pipeline: Pipeline.Pipeline<E, R>,
  layer: Layer.Layer<ROut, LE, I | PerEvent>,
  options: Options,
  trigger: string
) => {
  const run = decider(decode, pipeline, layer, options, `${trigger} side effects failed`)
  return (event: unknown, api?: WithCache): Promise<SideEffectsOutcome> =>
    run(event, api).then((result) => sideEffectsOutcome(result, userIdOf(event)))
}

/**
 * The handler of a side-effect trigger: it runs and always resolves. Only a logger that throws reaches the catch; the
 * trigger cannot block anything, so that is logged (if the console still works) and the handler still resolves.
 *
 * @category constructors
 * @since 0.1.0
 */
export const sideEffectsHandler = <A>(
  run: (event: unknown, api: A) => Promise<SideEffectsOutcome>,
  trigger: string
) =>
async (event: unknown, api: A): Promise<void> => {
  try {
    await run(event, api)
  } catch (error) {
    try {
      printLine(
        `rulefx ERROR ${trigger} handler failed: ${
          String(error instanceof Error ? error.message : error).slice(0, 200)
        }`
      )
    } catch {
      // Nothing left to tell.
    }
  }
}

/**
 * The outcome of a trigger whose api is `notification.drop` / `notification.retry` (custom-phone-provider,
 * custom-email-provider): delivered (nothing is called), dropped for good, or to be retried, with the reason given to
 * Auth0 and the tag of what failed (for the log).
 *
 * @category models
 * @since 0.1.0
 */
export type NotificationOutcome =
  | { readonly _tag: "Delivered" }
  | { readonly _tag: "Dropped"; readonly reason: string; readonly denial: string }
  | { readonly _tag: "Retry"; readonly reason: string; readonly denial: string }

/**
 * The part of a notification trigger's `api` that rulefx calls.
 *
 * @category models
 * @since 0.1.0
 */
export interface NotificationApi extends WithCache {
  readonly notification: {
    readonly drop: (reason: string) => unknown
    readonly retry: (reason: string) => unknown
  }
}

/**
 * Auth0's limit on a drop or retry reason, in characters.
 *
 * @category constructors
 * @since 0.1.0
 */
export const maxNotificationReason = 1024

/**
 * How a notification trigger reads a failure: which denials drop, and the reason of a retry when the run failed
 * closed (it must leak nothing).
 *
 * @category models
 * @since 0.1.0
 */
export interface NotificationPolicy {
  readonly isDrop: (denial: Denial) => boolean
  readonly genericReason: string
}

const cutReason = (reason: string): string =>
  reason.length > maxNotificationReason ? reason.slice(0, maxNotificationReason) : reason

/**
 * Maps a notification trigger's result: success with an empty decision is delivered; a drop denial drops; any other
 * denial retries with its message; anything else (a malformed event, a defect, the deadline, a decision the trigger
 * cannot apply) retries with the generic reason. Reasons are cut to Auth0's 1,024 characters here, before any call.
 *
 * @category constructors
 * @since 0.1.0
 */
export const notificationOutcome = (result: Result, policy: NotificationPolicy): NotificationOutcome => {
  if (result._tag === "Failed") {
    const denial = result.denial
    if (denial === undefined) return { _tag: "Retry", reason: policy.genericReason, denial: result.tag }
    return { _tag: policy.isDrop(denial) ? "Dropped" : "Retry", reason: cutReason(denial.message), denial: result.tag }
  }
  if (!Decision.isEmpty(result.decision)) {
    printLine("rulefx ERROR notification retried: the decision holds something this trigger cannot apply")
    return { _tag: "Retry", reason: policy.genericReason, denial: "ForeignDecision" }
  }
  return { _tag: "Delivered" }
}

/**
 * Applies a notification outcome: nothing when delivered, otherwise one drop or one retry with the reason.
 *
 * @category constructors
 * @since 0.1.0
 */
export const applyNotification = (outcome: NotificationOutcome, api: NotificationApi): void => {
  if (outcome._tag === "Dropped") api.notification.drop(outcome.reason)
  else if (outcome._tag === "Retry") api.notification.retry(outcome.reason)
}

/**
 * The run of a notification trigger: `decider` over the trigger's event decoder, its result mapped by
 * `notificationOutcome`. Only `api.cache` is used.
 *
 * @category constructors
 * @since 0.1.0
 */
export const notifications = <I, E extends Denial, R, ROut, LE>(
  decode: (event: unknown) => Effect.Effect<Decoded<I>, InvalidEvent>,
  pipeline: Pipeline.Pipeline<E, R>,
  layer: Layer.Layer<ROut, LE, I | PerEvent>,
  options: Options,
  what: string,
  policy: NotificationPolicy
): (event: unknown, api?: WithCache) => Promise<NotificationOutcome> =>
  outcomes(decode, pipeline, layer, options, what, (result) => notificationOutcome(result, policy))

/**
 * The handler of a notification trigger: runs, logs a drop or retry by the failure's tag (never its reason, which may
 * quote the message), and applies the outcome. If applying throws (Auth0's own `api`), the handler rejects: Auth0
 * then counts the delivery as failed, never as sent.
 *
 * @category constructors
 * @since 0.1.0
 */
export const notificationHandler = <A extends NotificationApi>(
  run: (event: unknown, api: A) => Promise<NotificationOutcome>
) =>
async (event: unknown, api: A): Promise<void> => {
  const outcome = await run(event, api)
  if (outcome._tag !== "Delivered") {
    printLine(`rulefx WARN notification ${outcome._tag.toLowerCase()}: ${describe({ _tag: outcome.denial })}`)
  }
  applyNotification(outcome, api)
}

/**
 * The run of a trigger that decides something (the blocking ones and the notification ones): `decider` over the
 * trigger's event decoder, its result mapped to the trigger's own Outcome by `toOutcome`, which also gets the event.
 *
 * @category constructors
 * @since 0.1.0
 */
export const outcomes = <I, E extends Denial, R, ROut, LE, O>(
  decode: (event: unknown) => Effect.Effect<Decoded<I>, InvalidEvent>,
  pipeline: Pipeline.Pipeline<E, R>,
  layer: Layer.Layer<ROut, LE, I | PerEvent>,
  options: Options,
  what: string,
  toOutcome: (result: Result, event: unknown) => O
) => {
  const run = decider(decode, pipeline, layer, options, what)
  return (event: unknown, api?: WithCache): Promise<O> => run(event, api).then((result) => toOutcome(result, event))
}

/**
 * The part of a blocking trigger's `api` its last resort needs.
 *
 * @category models
 * @since 0.1.0
 */
export type CanDeny = SharedCanDeny

/**
 * The handler of a blocking trigger: runs, then applies the outcome through Auth0's `api`; when anything throws, denies
 * closed through `denyClosed` (the trigger's deny with its generic reason) and logs what threw.
 *
 * @category constructors
 * @since 0.1.0
 */
export const blockingHandler = <A extends CanDeny, O>(
  run: (event: unknown, api: A) => Promise<O>,
  apply: (outcome: O, api: A) => void,
  denyClosed: (api: A) => void
) =>
async (event: unknown, api: A): Promise<void> => {
  try {
    apply(await run(event, api), api)
  } catch (error) {
    lastResort(api, error, denyClosed)
  }
}

/**
 * Wraps a trigger's `apply` so that an outcome needing a call the `api` lacks (an early-access call, a stand-in without
 * it) is replaced, before any call, by `closed` (the trigger's generic denial), with `line` logged.
 *
 * @category constructors
 * @since 0.1.0
 */
export const applyChecked = <A, O>(
  apply: (outcome: O, api: A) => void,
  lacksApi: (outcome: O, api: A) => boolean,
  closed: O,
  line: string
) =>
(outcome: O, api: A): void => {
  if (!lacksApi(outcome, api)) return apply(outcome, api)
  printLine(`rulefx ERROR ${line}`)
  apply(closed, api)
}
