/**
 * PostLogin: turns a pipeline and a layer into Auth0's `onExecutePostLogin(event, api)` handler.
 *
 * One way through: decode the event into the Login model; build the user's layer over per-login Login and
 * Secrets (from `event.secrets`, Redacted); run the pipeline under a deadline; then map the outcome to `api`
 * calls, once, at the end. A denial calls `api.access.deny(message)`. A malformed event, a defect, a timeout or
 * an interruption denies with a generic reason and logs the detail: the handler fails closed, and it never throws
 * or rejects.
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
import type { PostLoginApi } from "./PostLoginApi.ts"

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

const denied = (reason: string, denial: string): Outcome => ({ _tag: "Denied", reason, denial })

/**
 * Runs a pipeline against an event and returns the Outcome, without touching `api`. The handler is this plus
 * `apply`; tests and `rulefx run` use it to look at the outcome as data.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decide = <E extends Denial, R, LE extends Denial>(
  pipeline: Pipeline.Pipeline<E, R>,
  layer: Layer.Layer<Exclude<R, Login | Secrets>, LE, Login | Secrets>,
  options: Options = {}
) => {
  const deadline = Duration.fromInputUnsafe(options.deadline ?? defaultDeadline)
  const millis = Duration.toMillis(deadline)
  return (event: unknown): Promise<Outcome> =>
    Effect.runPromiseExit(
      Effect.gen(function*() {
        const { login, secrets } = yield* Auth0Event.decode(event)
        const perLogin = Layer.provideMerge(
          layer,
          Layer.mergeAll(Login.layer(login), Secrets.layerFrom(secrets))
        ).pipe(
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
        if (
          error._tag === "Some" && isDenial(error.value) && !(error.value instanceof Auth0Event.InvalidEvent) &&
          !(error.value instanceof DeadlineExceeded)
        ) {
          return denied(error.value.message, error.value._tag)
        }
        const tag = error._tag === "Some" ? isDenial(error.value) ? error.value._tag : "NonDenialFailure" : "Defect"
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
  const badScope = [...d.addScopes, ...d.removeScopes].find((s) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s))
  if (badScope !== undefined) {
    // oxlint-disable-next-line no-console
    console.log("rulefx ERROR a rule asked for a scope Auth0 would reject; login denied")
    api.access.deny(genericMessage)
    return
  }
  for (const scope of d.removeScopes) api.accessToken.removeScope(scope)
  for (const scope of d.addScopes) api.accessToken.addScope(scope)
  for (const key of Object.keys(d.appMetadata)) api.user.setAppMetadata(key, d.appMetadata[key])
  for (const key of Object.keys(d.userMetadata)) api.user.setUserMetadata(key, d.userMetadata[key])
  if (d.mfa !== undefined) api.multifactor.enable(d.mfa.provider, { allowRememberBrowser: d.mfa.allowRememberBrowser })
  if (d.redirect !== undefined) api.redirect.sendUserTo(d.redirect.url, { query: { ...d.redirect.query } })
  for (const key of Object.keys(d.idTokenClaims)) api.idToken.setCustomClaim(key, d.idTokenClaims[key])
  for (const key of Object.keys(d.accessTokenClaims)) api.accessToken.setCustomClaim(key, d.accessTokenClaims[key])
}

const lastResort = (api: PostLoginApi, error: unknown): void => {
  try {
    // oxlint-disable-next-line no-console
    console.log(
      `rulefx ERROR handler failed closed: ${String(error instanceof Error ? error.message : error).slice(0, 200)}`
    )
    api.access.deny(genericMessage)
  } catch {
    // Nothing is left to call: a throwing `api` cannot be asked to deny. Auth0 fails the login on a rejection, but
    // the contract is that the handler never rejects, and the login was not allowed by us either way.
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
export const make = <E extends Denial, R, LE extends Denial>(
  pipeline: Pipeline.Pipeline<E, R>,
  layer: Layer.Layer<Exclude<R, Login | Secrets>, LE, Login | Secrets>,
  options: Options = {}
): Handler => {
  const run = decide(pipeline, layer, options)
  return async (event, api) => {
    try {
      apply(await run(event), api)
    } catch (error) {
      lastResort(api, error)
    }
  }
}
