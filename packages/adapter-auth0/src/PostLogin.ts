/**
 * PostLogin: turns a pipeline and a layer into Auth0's `onExecutePostLogin(event, api)` handler.
 *
 * One way through: decode the event into the Login model; build the user's layer over per-login Login and
 * Secrets (from `event.secrets`, Redacted); run the pipeline under a deadline; then map the outcome to `api`
 * calls, once, at the end. A denial calls `api.access.deny(message)`. A malformed event, a defect, a timeout or
 * an interruption denies with a generic reason and logs the detail: the handler fails closed, and it never throws
 * or rejects, with one exception: when Auth0's own `api.access.deny` throws, the handler rejects, since a rejected
 * handler fails the login and a resolved one would let it through.
 *
 * Everything login-specific is built inside the run, so overlapping logins through one loaded Action share
 * nothing but the immutable pipeline and layer descriptions.
 *
 * @since 0.1.0
 */
import type * as Decision from "@rulefx/core/Decision"
import { type Denial, describe, genericMessage, isDenial } from "@rulefx/core/Denial"
import { Login } from "@rulefx/core/Login"
import type * as Pipeline from "@rulefx/core/Pipeline"
import { Secrets } from "@rulefx/core/Secrets"
import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as References from "effect/References"
import * as Auth0Event from "./Auth0Event.ts"
import { logger } from "./internal/logger.ts"
import { isValidScope, type PostLoginApi } from "./PostLoginApi.ts"

/**
 * What the run decided: allow with a Decision, or deny with a user-safe reason.
 *
 * @category models
 * @since 0.1.0
 */
export type Outcome =
  | { readonly _tag: "Allowed"; readonly decision: Decision.Decision }
  | { readonly _tag: "Denied"; readonly reason: string; readonly denial: string }

/**
 * Options of the handler.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The whole run's deadline. Default 5 seconds, far inside Auth0's 20 s for the whole flow. */
  readonly deadline?: Duration.Input
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

const describeCause = (cause: Cause.Cause<unknown>): string => {
  const error = Cause.findErrorOption(cause)
  return error._tag === "Some" ? describe(error.value) : Cause.pretty(cause)
}

/**
 * Resolves to `unknown` when `ROut` (what the layer provides) covers what the pipeline needs besides Login and
 * Secrets, and does not itself provide Login or Secrets (the adapter provides them per login); otherwise to an
 * object type whose one property names the problem, so the call does not compile.
 *
 * @category utility types
 * @since 0.1.0
 */
export type CheckLayer<R, ROut> = [Extract<ROut, Login | Secrets>] extends [never]
  ? [Exclude<R, ROut | Login | Secrets>] extends [never] ? unknown
  : { readonly "rulefx: the layer does not provide": Exclude<R, ROut | Login | Secrets> }
  : {
    readonly "rulefx: Login and Secrets come from each login's event; the layer must not provide": Extract<
      ROut,
      Login | Secrets
    >
  }

const denied = (reason: string, denial: string): Outcome => ({ _tag: "Denied", reason, denial })

/**
 * Runs a pipeline against an event and returns the Outcome, without touching `api`. The handler is this plus
 * `apply`; tests and `rulefx run` use it to look at the outcome as data.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decide = <E extends Denial, R, ROut, LE extends Denial>(
  pipeline: Pipeline.Pipeline<E, R>,
  layer: Layer.Layer<ROut, LE, Login | Secrets> & CheckLayer<R, ROut>,
  options: Options = {}
) => {
  const deadline = Duration.fromInputUnsafe(options.deadline ?? defaultDeadline)
  const millis = Duration.toMillis(deadline)
  return (event: unknown): Promise<Outcome> =>
    Effect.runPromiseExit(
      Effect.gen(function*() {
        const { login, secrets } = yield* Auth0Event.decode(event)
        const base = Layer.mergeAll(Login.layer(login), Secrets.layerFrom(secrets))
        // `base` last, so this login's Login and Secrets win even over a layer that (wrongly) provides its own.
        const perLogin = Layer.merge(Layer.provide(layer as Layer.Layer<ROut, LE, Login | Secrets>, base), base).pipe(
          // No rule has run yet, so no rule logs this failure.
          Layer.tapCause((cause) => Effect.logError(`services failed to build: ${describeCause(cause)}`))
        ) as Layer.Layer<R, LE>
        return yield* pipeline.run.pipe(
          Effect.provide(perLogin, { local: true }),
          Effect.annotateLogs({ user: login.user.id })
        )
      }).pipe(
        Effect.timeoutOrElse({ duration: deadline, orElse: () => Effect.fail(new DeadlineExceeded({ millis })) }),
        Effect.provideService(References.CurrentLoggers, new Set([logger]))
      )
    ).then(
      (exit): Outcome | Promise<Outcome> => {
        if (Exit.isSuccess(exit)) return { _tag: "Allowed", decision: exit.value }
        const error = Cause.findErrorOption(exit.cause)
        // Only a branded denial's message reaches the user; any other failure gets the generic reason.
        if (error._tag === "Some" && isDenial(error.value)) return denied(error.value.message, error.value._tag)
        const tag = error._tag === "Some" ? describe(error.value).split(" ")[0] ?? "NonDenialFailure" : "Defect"
        const detail = error._tag === "Some" && error.value instanceof Auth0Event.InvalidEvent
          ? error.value.issues.join("; ")
          : Cause.pretty(exit.cause)
        return Effect.runPromise(
          Effect.logError(`login failed closed (${tag}): ${detail}`).pipe(
            Effect.provideService(References.CurrentLoggers, new Set([logger])),
            Effect.as(denied(genericMessage, tag))
          )
        )
      }
    )
}

/**
 * Applies an outcome through Auth0's `api`. Checks run first (scope strings), so a decision that cannot be
 * applied is turned into a denial before any claim is set; claims come last.
 *
 * @category constructors
 * @since 0.1.0
 */
export const apply = (outcome: Outcome, api: PostLoginApi): void => {
  if (outcome._tag === "Denied") {
    api.access.deny(outcome.reason)
    return
  }
  const d = outcome.decision
  const badScope = [...d.addScopes, ...d.removeScopes].find((scope) => !isValidScope(scope))
  if (badScope !== undefined) {
    // oxlint-disable-next-line no-console
    console.log("rulefx ERROR a rule asked for a scope Auth0 would reject; login denied")
    api.access.deny(genericMessage)
    return
  }
  for (const scope of d.removeScopes) api.accessToken.removeScope(scope)
  for (const scope of d.addScopes) api.accessToken.addScope(scope)
  if (d.mfa !== undefined) api.multifactor.enable(d.mfa.provider, { allowRememberBrowser: d.mfa.allowRememberBrowser })
  if (d.redirect !== undefined) api.redirect.sendUserTo(d.redirect.url, { query: { ...d.redirect.query } })
  for (const key of Object.keys(d.idTokenClaims)) api.idToken.setCustomClaim(key, d.idTokenClaims[key])
  for (const key of Object.keys(d.accessTokenClaims)) api.accessToken.setCustomClaim(key, d.accessTokenClaims[key])
  // Metadata last: if anything before it throws, the login is denied and nothing has been persisted.
  for (const key of Object.keys(d.appMetadata)) api.user.setAppMetadata(key, d.appMetadata[key])
  for (const key of Object.keys(d.userMetadata)) api.user.setUserMetadata(key, d.userMetadata[key])
}

// Deny first, log second. If Auth0's own `api.access.deny` throws, this throws too and the handler rejects: Auth0
// fails a login whose handler rejects, and resolving would let it through.
const lastResort = (api: PostLoginApi, error: unknown): void => {
  api.access.deny(genericMessage)
  try {
    // oxlint-disable-next-line no-console
    console.log(
      `rulefx ERROR handler failed closed: ${String(error instanceof Error ? error.message : error).slice(0, 200)}`
    )
  } catch {
    // The login is already denied; a console that throws changes nothing.
  }
}

/**
 * Builds `onExecutePostLogin` from a pipeline and the layer of the services it needs (Login and Secrets are
 * provided per login by the adapter).
 *
 * **Example** (The seed Action)
 *
 * ```ts
 * export const onExecutePostLogin = PostLogin.make(pipeline, Layer.mergeAll(SellerApi.layer, Crypto.layer))
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <E extends Denial, R, ROut, LE extends Denial>(
  pipeline: Pipeline.Pipeline<E, R>,
  layer: Layer.Layer<ROut, LE, Login | Secrets> & CheckLayer<R, ROut>,
  options: Options = {}
): Handler => {
  const run = decide<E, R, ROut, LE>(pipeline, layer, options)
  return async (event, api) => {
    try {
      apply(await run(event), api)
    } catch (error) {
      lastResort(api, error)
    }
  }
}
