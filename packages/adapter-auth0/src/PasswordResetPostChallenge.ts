/**
 * PasswordResetPostChallenge: turns the two pipelines of a password reset (the first pass and the continue pass) and
 * a layer into Auth0's `onExecutePostChallenge(event, api)` and `onContinuePostChallenge(event, api)` handlers
 * (trigger `password-reset-post-challenge`, v1).
 *
 * The same way through as the other triggers (TriggerRun: decode, per-event services, deadline), then the limits,
 * then `api` once, at the end. The continue pass's rules may also read the Resumed service, as post-login's continue
 * pass does: a declared Redirect's fact (the returned token, verified by `api.redirect.validateToken`, decoded) and a
 * declared Form's fact (`event.prompt`'s fields, decoded). The checks and calls of post-login's redirects, forms and
 * MFA steps are reused (Auth0Flow, Auth0Authentication), with this trigger's api.
 *
 * Fail closed: a denial calls `api.access.deny(reason)` with the denial's message. A malformed event, a defect, the
 * deadline, a decision Auth0 would refuse (two suspensions, a redirect or result URL that is not http(s), a payload
 * that is not JSON, more than 4 MFA steps or a factor Auth0 does not know, two different result URLs, a call the
 * `api` lacks), or a decision this trigger cannot apply (claims, metadata, enrollment, ...) denies with a generic
 * reason and logs the detail. Nothing is called on `api` but the deny when the reset is denied.
 *
 * @since 0.1.0
 */
import * as Decision from "@rulefx/core/Decision"
import type { Denial } from "@rulefx/core/Denial"
import { type ResultUrl, ResultUrls } from "@rulefx/core/PasswordResetPostChallenge"
import type * as Pipeline from "@rulefx/core/Pipeline"
import { Resumed, type Submission, TokenRejected } from "@rulefx/core/Resumed"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Auth0Authentication from "./Auth0Authentication.ts"
import * as Auth0Flow from "./Auth0Flow.ts"
import type * as Auth0Limits from "./Auth0Limits.ts"
import { printLine } from "./internal/logger.ts"
import { isHttpUrl, isSecureUrl } from "./internal/url.ts"
import * as PasswordResetPostChallengeEvent from "./PasswordResetPostChallengeEvent.ts"
import type { AuthenticationApi, CacheApi, EncodeTokenOptions, PostLoginApi } from "./PostLoginApi.ts"
import * as TriggerRun from "./TriggerRun.ts"

/**
 * The part of Auth0's password-reset-post-challenge `api` that rulefx calls.
 *
 * @category models
 * @since 0.1.0
 */
export interface PasswordResetPostChallengeApi {
  readonly access: { readonly deny: (reason: string) => unknown }
  readonly authentication?: Pick<AuthenticationApi, "challengeWith" | "challengeWithAny">
  readonly redirect?: {
    readonly sendUserTo: (url: string, options?: { query?: Record<string, string> }) => unknown
    readonly encodeToken?: (options: EncodeTokenOptions) => string
    readonly validateToken?: (options: { secret: string; tokenParameterName?: string }) => unknown
  }
  readonly prompt?: {
    readonly render: (
      promptId: string,
      options?: { fields?: Record<string, unknown>; vars?: Record<string, unknown> }
    ) => unknown
  }
  readonly transaction?: {
    readonly setResultUrl: (url: string, options?: { query?: Record<string, string> }) => unknown
  }
  /** Auth0's cache, shared by the Actions of the trigger. */
  readonly cache?: CacheApi
}

/**
 * What the run decided: go on (with the challenge steps, the suspension and the result URL to apply), or deny.
 *
 * @category models
 * @since 0.1.0
 */
export type Outcome =
  | { readonly _tag: "Allowed"; readonly decision: Decision.Decision; readonly resultUrl: ResultUrl | undefined }
  | { readonly _tag: "Denied"; readonly reason: string; readonly denial: string }

/**
 * The handler Auth0 calls, in either pass.
 *
 * @category models
 * @since 0.1.0
 */
export type Handler = (event: unknown, api: PasswordResetPostChallengeApi) => Promise<void>

/**
 * The two handlers.
 *
 * @category models
 * @since 0.1.0
 */
export interface Handlers {
  readonly onExecutePostChallenge: Handler
  readonly onContinuePostChallenge: Handler
}

/**
 * The services each event brings.
 *
 * @category utility types
 * @since 0.1.0
 */
export type PerReset = PasswordResetPostChallengeEvent.Services | ResultUrls

/**
 * The reason when the reset fails closed. Leaks nothing.
 *
 * @category constructors
 * @since 0.1.0
 */
export const genericReason = "Password reset is temporarily unavailable. Please try again later."

const failedClosed = (what: string): Outcome => ({ _tag: "Denied", reason: genericReason, denial: what })

// What this trigger can apply: challenge steps, one redirect with a token, one form, and their conflicts.
const foreign = (d: Decision.Decision): boolean =>
  !Decision.isEmpty({ ...d, redirect: undefined, prompt: undefined, mfaSteps: undefined, conflicts: undefined }) ||
  (d.redirect !== undefined && d.redirect.token === undefined) ||
  (d.mfaSteps ?? []).some((s) => s._tag !== "ChallengeWith" && s._tag !== "ChallengeWithAny")

const violation = (name: string, rule: Auth0Limits.Broken): Auth0Limits.Violation => ({
  target: name === "setResultUrl" ? "redirect" : "api",
  name,
  rule,
  bytes: undefined
})

const checkResultUrls = (
  urls: ReadonlyArray<ResultUrl>,
  api: PasswordResetPostChallengeApi,
  out: Array<Auth0Limits.Violation>
): void => {
  const distinct = new Set(urls.map((u) => JSON.stringify([u.url, u.query])))
  if (distinct.size > 1) out.push(violation("setResultUrl", "ConflictingResultUrls"))
  for (const u of urls) {
    if (!isHttpUrl(u.url) || !Object.values(u.query).every(Predicate.isString)) {
      out.push(violation("setResultUrl", "InvalidUrl"))
    } else if (!isSecureUrl(u.url)) out.push(violation("setResultUrl", "InsecureUrl"))
  }
  if (urls.length > 0 && typeof api.transaction?.setResultUrl !== "function") {
    out.push(violation("setResultUrl", "MissingApi"))
  }
}

/**
 * Lists what Auth0 would refuse or fail on in a Decision and its result URLs, before any `api` call.
 *
 * @category getters
 * @since 0.1.0
 */
export const check = (
  d: Decision.Decision,
  urls: ReadonlyArray<ResultUrl>,
  api: PasswordResetPostChallengeApi
): ReadonlyArray<Auth0Limits.Violation> => {
  const out: Array<Auth0Limits.Violation> = []
  // Post-login's checks of redirects and forms, over this trigger's api (redirect may be absent here).
  out.push(
    ...Auth0Flow.check(d, { pass: "execute" }, { ...api, redirect: api.redirect ?? {} } as unknown as PostLoginApi)
  )
  if (d.redirect !== undefined && typeof api.redirect?.sendUserTo !== "function") {
    out.push(violation("sendUserTo", "MissingApi"))
  }
  Auth0Authentication.check(d, out)
  if ((d.mfaSteps ?? []).length > 0 && typeof api.authentication !== "object") {
    out.push(violation("authentication", "MissingApi"))
  }
  checkResultUrls(urls, api, out)
  return out
}

const toOutcome = (
  result: TriggerRun.Result,
  recorded: ReadonlyArray<ResultUrl>,
  api: PasswordResetPostChallengeApi
): Outcome => {
  if (result._tag === "Failed") {
    return result.denial === undefined
      ? failedClosed(result.tag)
      : { _tag: "Denied", reason: result.denial.message, denial: result.tag }
  }
  const d = result.decision
  // The URLs the rules recorded in their decisions (setResultUrl), after any set on the ResultUrls service directly.
  const urls = [...recorded, ...(d.resultUrls ?? [])]
  if (foreign(d)) {
    printLine("rulefx ERROR password reset denied: the decision holds what this trigger cannot apply")
    return failedClosed("ForeignDecision")
  }
  let violations: ReadonlyArray<Auth0Limits.Violation>
  try {
    violations = check(d, urls, api)
  } catch {
    violations = [{ target: "decision", name: undefined, rule: "NotJson", bytes: undefined }]
  }
  if (violations.length > 0) {
    for (const v of violations.slice(0, 10)) {
      printLine(
        `rulefx ERROR password reset denied, Auth0 would refuse the decision: ${v.target}${
          v.name === undefined ? "" : ` ${JSON.stringify(v.name)}`
        }: ${v.rule}`
      )
    }
    return failedClosed("Limits")
  }
  return { _tag: "Allowed", decision: d, resultUrl: urls[0] }
}

// A provider's error, for the log: its name and the start of its message, without anything token-like in it.
const reasonOf = (error: unknown): string => {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : "not an Error"
  return text.replace(/[\w-]{24,}(?:\.[\w-]+)*/g, "…").slice(0, 120)
}

/**
 * The Resumed service of one continue pass: the token through `api.redirect.validateToken` (signature, expiry,
 * state), and the submitted form from `event.prompt`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const resumed = (
  submission: Submission | undefined,
  api: PasswordResetPostChallengeApi | undefined
): Resumed["Service"] =>
  Resumed.of({
    submission,
    validateToken: ({ parameter, secret }) =>
      Effect.try({
        try: () => api?.redirect?.validateToken?.({ secret: Redacted.value(secret), tokenParameterName: parameter }),
        catch: (error) => new TokenRejected({ reason: reasonOf(error) })
      }).pipe(
        Effect.flatMap((payload) =>
          Predicate.isObject(payload) && !Array.isArray(payload)
            ? Effect.succeed(payload as Readonly<Record<string, unknown>>)
            : Effect.fail(
              new TokenRejected({ reason: payload === undefined ? "no validateToken on the api" : "not an object" })
            )
        )
      )
  })

/**
 * Runs a pipeline against an event and returns the Outcome, limits checked; with `resume`, as the continue pass (the
 * rules may read Resumed). Only `api.cache` and, in the continue pass, `api.redirect.validateToken` are called.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decide = <E extends Denial, R, ROut, LE extends Denial>(
  pipeline: Pipeline.Pipeline<E, R>,
  layer: Layer.Layer<ROut, LE, PerReset | TriggerRun.PerEvent>,
  options: TriggerRun.Options & { readonly resume?: boolean } = {}
) =>
(event: unknown, api: PasswordResetPostChallengeApi): Promise<Outcome> => {
  const urls: Array<ResultUrl> = []
  const recorder = ResultUrls.of({ record: (u) => void urls.push(u) })
  const decode = (e: unknown) =>
    Effect.map(PasswordResetPostChallengeEvent.decode(e), (decoded) => ({
      ...decoded,
      services: decoded.services.pipe(
        Context.add(ResultUrls, recorder),
        options.resume === true
          ? Context.add(Resumed, resumed(PasswordResetPostChallengeEvent.submissionOf(e), api))
          : (c) => c
      ) as Context.Context<PerReset>
    }))
  return TriggerRun.decider(decode, pipeline, layer, options, "password reset failed closed")(event, api)
    .then((result) => toOutcome(result, urls, api))
}

/**
 * Applies an outcome through Auth0's `api`: the denial; or the challenge steps in order, the result URL, then the
 * redirect (its token signed by `api.redirect.encodeToken`) or the form.
 *
 * @category constructors
 * @since 0.1.0
 */
export const apply = (outcome: Outcome, api: PasswordResetPostChallengeApi): void => {
  if (outcome._tag === "Denied") {
    api.access.deny(outcome.reason)
    return
  }
  const d = outcome.decision
  if ((d.mfaSteps ?? []).length > 0) Auth0Authentication.apply(d, api as unknown as PostLoginApi)
  if (outcome.resultUrl !== undefined) {
    api.transaction?.setResultUrl(outcome.resultUrl.url, { query: { ...outcome.resultUrl.query } })
  }
  if (d.redirect !== undefined || d.prompt !== undefined) Auth0Flow.apply(d, api as unknown as PostLoginApi)
}

const denyClosed = (api: PasswordResetPostChallengeApi): unknown => api.access.deny(genericReason)

/**
 * Builds both handlers: `execute` runs after the reset's first challenge, `resume` when it comes back from a redirect
 * or a form (only `resume` may read the Resumed service). The layer provides what both need besides PasswordReset,
 * ResultUrls, Secrets, Cache and Resumed.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <E1 extends Denial, R1, E2 extends Denial, R2, ROut, LE extends Denial>(
  options: {
    readonly execute: Pipeline.Pipeline<E1, R1>
    readonly resume: Pipeline.Pipeline<E2, R2>
    readonly layer:
      & Layer.Layer<ROut, LE, PerReset | TriggerRun.PerEvent>
      & TriggerRun.CheckLayer<R1 | Exclude<R2, Resumed>, ROut, PerReset>
  } & TriggerRun.Options
): Handlers => {
  const { execute, layer, resume, ...rest } = options
  const l = layer as Layer.Layer<ROut, LE, PerReset | TriggerRun.PerEvent>
  return {
    onExecutePostChallenge: TriggerRun.blockingHandler<PasswordResetPostChallengeApi, Outcome>(
      decide(execute, l, rest),
      apply,
      denyClosed
    ),
    onContinuePostChallenge: TriggerRun.blockingHandler<PasswordResetPostChallengeApi, Outcome>(
      decide(resume, l, { ...rest, resume: true }),
      apply,
      denyClosed
    )
  }
}
