/**
 * PostLogin: turns a pipeline and a layer into Auth0's `onExecutePostLogin(event, api)` handler.
 *
 * One way through: decode the event into the Login model; build the user's layer over per-login Login, Secrets
 * (from `event.secrets`, Redacted) and Cache (over `api.cache`, or in memory when there is none), given to it as one
 * Context rather than as layers; run the pipeline under a deadline; check the Decision against Auth0's limits
 * (Auth0Limits); then map the outcome to `api` calls, once, at the end. A denial calls `api.access.deny(message)`. A
 * Decision Auth0 would refuse, silently cut down or fail on (a restricted claim, 100 KB of claims, a forbidden
 * metadata key) is denied with the generic reason before any call, so nothing is set or persisted. A malformed event,
 * a defect, a timeout or an interruption denies with a generic reason and logs the detail: the handler fails closed,
 * and it never throws or rejects, with one exception: when Auth0's own `api.access.deny` throws, the handler rejects,
 * since a rejected handler fails the login and a resolved one would let it through. A malformed `api` (null, or without a callable
 * `access.deny`; Auth0's never is) resolves too: what can be denied is, and the rest is logged.
 *
 * Everything login-specific is built inside the run, so overlapping logins through one loaded Action share
 * nothing but the immutable pipeline and layer descriptions. A layer that is a core ServiceLayer (SellerApi.layer) is
 * built by running its Effect; any other in a memo map and scope of the login's own.
 *
 * @since 0.1.0
 */
import { Cache } from "@rulefx/core/Cache"
import * as Decision from "@rulefx/core/Decision"
import {
  type Committed,
  committedOf,
  type Denial,
  describe,
  genericMessage,
  isDenial,
  outcomeOf
} from "@rulefx/core/Denial"
import * as ExecutedRules from "@rulefx/core/ExecutedRules"
import { Login, type LoginInfo } from "@rulefx/core/Login"
import type * as Pipeline from "@rulefx/core/Pipeline"
import type { Interaction } from "@rulefx/core/Redirect"
import type { Resumed } from "@rulefx/core/Resumed"
import type { Revocation } from "@rulefx/core/Revocation"
import { make as makeSecrets, Secrets } from "@rulefx/core/Secrets"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Auth0Cache from "./Auth0Cache.ts"
import * as Auth0Event from "./Auth0Event.ts"
import * as Auth0Limits from "./Auth0Limits.ts"
import * as DecisionKind from "./DecisionKind.ts"
import { withDeadline } from "./internal/deadline.ts"
import { lastResort, transactionMetadataOf, userIdOf } from "./internal/lastResort.ts"
import { printLine, userField } from "./internal/logger.ts"
import { refusedLayer } from "./internal/ownedServices.ts"
import { type Builder, builderOf } from "./internal/userServices.ts"
import type { PostLoginApi } from "./PostLoginApi.ts"
import type { Unprovided } from "./TriggerRun.ts"

/**
 * What the run decided: allow with a Decision, or deny with a user-safe reason.
 *
 * @category models
 * @since 0.1.0
 */
export type Outcome =
  | { readonly _tag: "Allowed"; readonly decision: Decision.Decision }
  | {
    readonly _tag: "Denied"
    readonly reason: string
    readonly denial: string
    /** Metadata a compatibility layer had already written before the denial (Denial.withCommitted); rare. */
    readonly committed?: Committed | undefined
    /** The code of a validation error (core's Validation.fail): applied with `api.validation.error` (Auth0Flow.kind). */
    readonly validation?: string | undefined
    /**
     * The session or refresh token the denial revokes (Session.revoke, RefreshToken.revoke): applied after the deny
     * (Auth0Session.kind).
     */
    readonly revoke?: Revocation | undefined
  }

/**
 * Options of the handler.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The whole run's deadline. Default 5 seconds, far inside Auth0's 20 s for the whole flow. */
  readonly deadline?: Duration.Input
  /**
   * Set by Resumable.make for the continue pass: the services a resumed login adds to Login, Secrets and Cache (the
   * Resumed service, from the event and `api`). Also tells `apply` that decisions of the continue pass are allowed.
   */
  readonly resumed?: (login: LoginInfo, api: PostLoginApi | undefined) => Context.Context<never>
  /**
   * The decision kinds beyond claims, scopes, metadata, MFA and plain redirect this Action applies (Auth0Flow.kind,
   * which Resumable.make adds; Auth0Authentication.kind, Auth0SamlResponse.kind, Auth0Session.kind). Opt-in, so an
   * Action carries only the ones it uses; a Decision holding a kind not given here is denied with the generic reason
   * before any `api` call, and logged.
   */
  readonly kinds?: ReadonlyArray<DecisionKind.DecisionKind>
  /** Set by Resumable.make: the constructor the log names when a Decision holds a kind not given in `kinds`. */
  readonly madeBy?: "Resumable.make"
}

/**
 * The run did not finish before its deadline.
 *
 * @category errors
 * @since 0.1.0
 */
export class DeadlineExceeded extends Data.TaggedError("DeadlineExceeded")<{ readonly millis: number }> {}

/**
 * The handler Auth0 calls.
 *
 * @category models
 * @since 0.1.0
 */
export type Handler = (event: unknown, api: PostLoginApi) => Promise<void>

/**
 * The default deadline of a run.
 *
 * @category constructors
 * @since 0.1.0
 */
export const defaultDeadline: Duration.Duration = Duration.seconds(5)

/**
 * The services the adapter provides to every login from its event and `api`: Login, Secrets and Cache.
 *
 * @category utility types
 * @since 0.1.0
 */
export type PerLogin = Login | Secrets | Cache | ExecutedRules.ExecutedRules

/**
 * Resolves to `unknown` when `ROut` (what the layer provides) covers what the pipeline needs besides the per-login
 * services (Login, Secrets, Cache), and does not itself provide one of them, nor the continue pass's Resumed (the
 * adapter provides them per login; a layer that provides Resumed anyway fails every login closed); otherwise to an object type whose properties name the problem (TriggerRun.Unprovided: "continue pass only" for a first-pass pipeline that reads Resumed), so the call does not compile.
 * Also `unknown` when what the pipeline needs is `any` or `unknown`: the pipeline, or one of its rules, is `any`
 * because of a mistake where it is made, whose own error says why (see TriggerRun.CheckLayer).
 *
 * @category utility types
 * @since 0.1.0
 */
export type CheckLayer<R, ROut> = [unknown] extends [NoInfer<R>] ? unknown
  : [Extract<ROut, PerLogin | Resumed>] extends [never] ? [Exclude<R, ROut | PerLogin>] extends [never] ? unknown
    : Unprovided<Exclude<R, ROut | PerLogin>>
  : {
    readonly "rulefx: Login, Secrets, Cache and Resumed come from each login's event and api; the layer must not provide":
      Extract<ROut, PerLogin | Resumed>
  }

// Runs the pipeline over this login's own services (one Context, no Layer graph of their own) and the services the
// user's layer builds from them (internal/userServices). `base` last, so this login's own services win even over a
// layer that (wrongly) provides its own.
const runWith = <E, ROut, LE>(
  run: Effect.Effect<Decision.Decision, E>,
  build: Builder<ROut, LE, PerLogin>,
  base: Context.Context<PerLogin>
): Effect.Effect<Decision.Decision, E | LE> =>
  build(
    Effect.updateContext((context: Context.Context<never>) => withAll(context, base)),
    (services) =>
      refusedLayer(services as Context.Context<never>) ??
        Effect.updateContext(run, (context: Context.Context<never>) => withAll(withAll(context, services), base))
  )

// `context` with every service of `services` added, as Effect.provideContext would merge them, but without copying
// every service of `context` into a new map (Context.add layers one entry over the old context).
const withAll = <R>(context: Context.Context<never>, services: Context.Context<R>): Context.Context<R> => {
  let out = context as Context.Context<R>
  services.mapUnsafe.forEach((service, key) => {
    out = Context.addUnsafe(out, key, service)
  })
  return out
}

// What a denial asks besides the deny (core's Denial.OutcomeId: a validation code, a revocation) joins the outcome as
// it is, for the kind that owns it.
const denied = (reason: string, denial: string, committed?: Committed, more?: object): Outcome => ({
  _tag: "Denied",
  reason,
  denial,
  ...(committed && { committed }),
  ...more
})

/**
 * Runs a pipeline against an event and returns the Outcome. The handler is this plus `apply`; tests and
 * `rulefx run` use it to look at the outcome as data. The only part of `api` it uses is `api.cache`, through the
 * Cache service (no claim, scope or metadata call); without an `api`, or an `api` without a cache, the login gets
 * an in-memory cache that starts empty.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decide = <E extends Denial, R, ROut, LE extends Denial>(
  pipeline: Pipeline.Pipeline<E, R>,
  layer: Layer.Layer<ROut, LE, PerLogin> & CheckLayer<R, ROut>,
  options: Options = {}
) => {
  const deadline = Duration.fromInputUnsafe(options.deadline ?? defaultDeadline)
  const millis = Duration.toMillis(deadline)
  const build = builderOf(layer as Layer.Layer<ROut, LE, PerLogin>)
  // This login's own services (Login, Secrets, Cache, ExecutedRules) and the run over them, its lines naming the user.
  const runLogin = (login: LoginInfo, secrets: Readonly<Record<string, unknown>>, api: PostLoginApi | undefined) =>
    Effect.flatMap(Auth0Cache.forLogin(api), (cache) =>
      runWith(
        pipeline.run as Effect.Effect<Decision.Decision, E>,
        build,
        Context.make(Login, login).pipe(
          Context.add(Secrets, makeSecrets(secrets)),
          Context.add(Cache, cache),
          // Read per call from this login's api; without one (tests, `decide` alone) no Rule ran.
          Context.add(ExecutedRules.ExecutedRules, ExecutedRules.make((id) => api!.rules!.wasExecuted(id))),
          Context.merge(options.resumed?.(login, api) ?? Context.empty())
        ) as Context.Context<PerLogin>
      )).pipe(Effect.annotateLogs({ user: login.user.id }))
  return (event: unknown, api?: PostLoginApi): Promise<Outcome> =>
    withDeadline(
      // flatMap rather than Effect.gen: no generator per login.
      Effect.flatMap(Auth0Event.decode(event), ({ login, secrets }) => runLogin(login, secrets, api)).pipe(
        Effect.map((decision): Outcome => ({ _tag: "Allowed", decision })),
        Effect.catchCause((cause) => failed(cause, event))
      ),
      millis,
      () => failed(Cause.fail(new DeadlineExceeded({ millis })), event)
    )
}

// The outcome of a run that failed. Only a denial passes; anything else is logged and denied with the generic reason.
const failed = (cause: Cause.Cause<unknown>, event: unknown): Effect.Effect<Outcome> => {
  const error = Cause.findErrorOption(cause)
  // Only a branded denial's message reaches the user; any other failure gets the generic reason.
  if (error._tag === "Some" && isDenial(error.value)) {
    return Effect.succeed(
      denied(error.value.message, error.value._tag, committedOf(error.value), outcomeOf(error.value))
    )
  }
  const tag = error._tag === "Some" ? describe(error.value).split(" ")[0] ?? "NonDenialFailure" : "Defect"
  const detail = error._tag === "Some" && error.value instanceof Auth0Event.InvalidEvent
    ? error.value.issues.join("; ")
    : Cause.pretty(cause)
  return Effect.logError(`login failed closed (${tag}): ${detail}`).pipe(
    // Outside the login's own run (past a deadline, a malformed event): the line names the user when the event does.
    Effect.annotateLogs({ user: userIdOf(event) }),
    Effect.as(denied(genericMessage, tag))
  )
}

// At most this many violation lines per login, then one line with the count of the rest.
const maxViolationLines = 10

const logViolations = (
  violations: ReadonlyArray<Auth0Limits.Violation>,
  user: unknown,
  what = "login denied, Auth0 would refuse the decision"
): void => {
  const prefix = `rulefx ERROR${userField(user)}`
  for (const v of violations.slice(0, maxViolationLines)) printLine(`${prefix} ${what}: ${Auth0Limits.describe(v)}`)
  if (violations.length > maxViolationLines) {
    printLine(`${prefix} and ${violations.length - maxViolationLines} more violations`)
  }
}

const unserialisable: ReadonlyArray<Auth0Limits.Violation> = [Auth0Limits.violation("decision", undefined, "NotJson")]

// A value JSON cannot hold (a cycle, a BigInt) is a violation too: Auth0 could not put it in a token or the profile.
const violationsOf = (decision: Decision.Decision): ReadonlyArray<Auth0Limits.Violation> => {
  try {
    return Auth0Limits.check(decision)
  } catch {
    return unserialisable
  }
}

const writeMetadata = (
  metadata: {
    readonly appMetadata: Decision.Decision["appMetadata"]
    readonly userMetadata: Decision.Decision["userMetadata"]
  },
  api: PostLoginApi
): void => {
  for (const key of Object.keys(metadata.appMetadata)) api.user.setAppMetadata(key, metadata.appMetadata[key])
  for (const key of Object.keys(metadata.userMetadata)) api.user.setUserMetadata(key, metadata.userMetadata[key])
}

// Writes made before a denial (legacy Rules' auth0.users.update*): applied after the deny, within Auth0's limits;
// writes Auth0 would refuse are dropped and logged, and the login stays denied either way.
const applyCommitted = (committed: Committed, api: PostLoginApi, user: unknown): void => {
  const violations = violationsOf({ ...Decision.empty(), ...committed })
  if (violations.length > 0) return logViolations(violations, user, "metadata written before the denial dropped")
  writeMetadata(committed, api)
}

/**
 * Applies an outcome through Auth0's `api`. A denial calls `api.access.deny` and then writes only the metadata a
 * compatibility layer had committed before it (Denial.withCommitted), if any. The Decision of an allowed login is
 * checked against Auth0's limits first (Auth0Limits:
 * claim names, the 100 KB claim budget per token, scopes, metadata keys and sizes): any violation denies the login
 * with the generic reason and logs one line per violation, before any claim, scope or metadata call; the lines name
 * `user` when it is given (the handler gives the event's user id). Metadata is written last, and only the keys a rule
 * asked to persist.
 *
 * @category constructors
 * @since 0.1.0
 */
export const apply = (
  outcome: Outcome,
  api: PostLoginApi,
  user?: string,
  pass: DecisionKind.Pass = { pass: "execute" },
  kinds: ReadonlyArray<DecisionKind.DecisionKind> = []
): void => {
  if (outcome._tag === "Denied") {
    // A denial that asks for a kind (a validation error, a revocation) is applied by that kind; without it, denied.
    const log = (violations: ReadonlyArray<Auth0Limits.Violation>, what: string) =>
      logViolations(violations, user, what)
    if (!kinds.some((kind) => kind.deny?.(outcome, api, log))) {
      api.access.deny(outcome.reason)
      const missing = DecisionKind.present(outcome)
      if (missing.length > 0) {
        log(missing.map((target) => notGiven(target, pass)), "login denied, but not as the denial asked")
      }
    }
    if (outcome.committed !== undefined) applyCommitted(outcome.committed, api, user)
    return
  }
  const d = outcome.decision
  const violations = [...violationsOf(d), ...kindViolations(d, api, kinds, pass)]
  if (violations.length > 0) {
    logViolations(violations, user)
    api.access.deny(genericMessage)
    return
  }
  for (const scope of d.removeScopes) api.accessToken.removeScope(scope)
  for (const scope of d.addScopes) api.accessToken.addScope(scope)
  // A challenge overrides multifactor.enable in Auth0: not calling it keeps the calls what Auth0 does.
  if (d.mfa !== undefined && !d.mfaSteps?.some((step) => step._tag.startsWith("Challenge"))) {
    const { allowRememberBrowser, provider, providerOptions } = d.mfa
    api.multifactor.enable(provider, {
      allowRememberBrowser,
      ...(providerOptions && { providerOptions: { ...providerOptions } })
    })
  }
  if (d.redirect !== undefined && d.redirect.token === undefined) {
    api.redirect.sendUserTo(d.redirect.url, { query: { ...d.redirect.query } })
  }
  for (const key of Object.keys(d.idTokenClaims)) api.idToken.setCustomClaim(key, d.idTokenClaims[key])
  for (const key of Object.keys(d.accessTokenClaims)) api.accessToken.setCustomClaim(key, d.accessTokenClaims[key])
  for (const kind of kinds) kind.apply(d, api)
  // Metadata last: if anything before it throws, the login is denied and nothing has been persisted.
  writeMetadata(d, api)
}

// A kind the handler was not given. The module to pass: Auth0Flow (Resumable.make passes it), Auth0Authentication,
// Auth0SamlResponse, Auth0Session; to the constructor that made the handler.
const notGiven = (target: Auth0Limits.Target, pass: DecisionKind.Pass): Auth0Limits.Violation =>
  Auth0Limits.violation(
    target,
    `pass Auth0${target[0]!.toUpperCase()}${target.slice(1)}.kind to ${pass.madeBy ?? "PostLogin.make"}${
      target === "flow" ? " (use Resumable.make)" : ""
    }`,
    "KindNotEnabled"
  )

// The opt-in kinds (DecisionKind): one the Decision holds but the handler was not given, Auth0's limits of those it
// was (in this pass), and a part of `api` one needs that this api lacks (a plan without sessions, a stand-in). Each
// denies before any call, rather than applying the Decision in part.
const kindViolations = (
  d: Decision.Decision,
  api: PostLoginApi,
  kinds: ReadonlyArray<DecisionKind.DecisionKind>,
  pass: DecisionKind.Pass
): ReadonlyArray<Auth0Limits.Violation> => {
  const out: Array<Auth0Limits.Violation> = []
  for (const target of DecisionKind.present(d)) {
    const kind = kinds.find((k) => k.target === target)
    if (kind === undefined) {
      out.push(notGiven(target, pass))
      continue
    }
    try {
      kind.check(d, out, pass, api)
    } catch {
      out.push(Auth0Limits.violation(target, undefined, "NotJson"))
    }
    if (kind.lacksApi(d, api)) out.push(Auth0Limits.violation(target, undefined, "MissingApi"))
  }
  return out
}

/**
 * Builds `onExecutePostLogin` from a pipeline and the layer of the services it needs (Login, Secrets and Cache are
 * provided per login by the adapter).
 *
 * **Example** (The seed Action)
 *
 * ```ts
 * import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
 * import * as Pipeline from "@rulefx/core/Pipeline"
 * import { CurrentSeller } from "@rulefx/rules/CurrentSeller"
 * import * as DenyRoles from "@rulefx/rules/DenyRoles"
 * import { EffectiveRoles } from "@rulefx/rules/EffectiveRoles"
 * import * as HashSellerEmail from "@rulefx/rules/HashSellerEmail"
 * import { SellerApi } from "@rulefx/rules/SellerApi"
 * import * as SetRoles from "@rulefx/rules/SetRoles"
 * import * as SetSeller from "@rulefx/rules/SetSeller"
 *
 * const pipeline = Pipeline.make({
 *   facts: [CurrentSeller, EffectiveRoles],
 *   rules: [SetSeller.make(), HashSellerEmail.make(), SetRoles.make(), DenyRoles.make()]
 * })
 *
 * // Crypto needs no layer: Node's crypto is its default.
 * export const onExecutePostLogin = PostLogin.make(pipeline, SellerApi.layer)
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <E extends Denial, R, ROut, LE extends Denial>(
  pipeline: Pipeline.Pipeline<E, R>,
  layer: Layer.Layer<ROut, LE, PerLogin> & CheckLayer<R, ROut>,
  options: Options = {}
): Handler => {
  const run = decide<E, R, ROut, LE>(pipeline, layer, options)
  const pass = options.resumed === undefined ? "execute" : "continue"
  const kinds = options.kinds ?? []
  return async (event, api) => {
    try {
      apply(await run(event, api), api, userIdOf(event) as string | undefined, {
        pass,
        transactionMetadata: transactionMetadataOf(event),
        // Read only through optional chains (Redirect.nonInteractiveReason), so any value Auth0 sends is safe here.
        event: event as Interaction,
        madeBy: options.madeBy
      }, kinds)
    } catch (error) {
      lastResort(api, error, (a) => a.access.deny(genericMessage))
    }
  }
}
