/**
 * Resumable: the two handlers of an Action whose rules may suspend the login (a redirect, a form) and resume it.
 *
 * `Resumable.make({ execute, resume, layer })` gives `onExecutePostLogin`, built from the first pass's pipeline as
 * PostLogin.make builds it, and `onContinuePostLogin`, built from the continue pass's pipeline, whose rules may also
 * read the Resumed service: the facts of core's Redirect (the returned token, verified by
 * `api.redirect.validateToken` and decoded) and Form (`event.prompt`'s fields, decoded), and record
 * AuthenticationMethod. Both passes share one layer; each login builds its own services, as PostLogin's do.
 *
 * Why two pipelines and not one run twice: Auth0 resumes only the Action that suspended, in its own handler, with a
 * new `event.request` (the `/continue` request), and the first pass's decisions were applied before the redirect.
 * Rules of the first pass would decide again on a request that is no longer the login's (legacy Rules did that, and
 * LegacyAction keeps their semantics). The continue pass is a pipeline of its own, whose type says it reads what came
 * back, so a first-pass rule that reads a returned token does not compile.
 *
 * @since 0.1.0
 */
import type { Denial } from "@rulefx/core/Denial"
import type { LoginInfo } from "@rulefx/core/Login"
import type * as Pipeline from "@rulefx/core/Pipeline"
import { Resumed, TokenRejected } from "@rulefx/core/Resumed"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Auth0Flow from "./Auth0Flow.ts"
import * as PostLogin from "./PostLogin.ts"
import type { PostLoginApi } from "./PostLoginApi.ts"

/**
 * The two handlers.
 *
 * @category models
 * @since 0.1.0
 */
export interface Handlers {
  readonly onExecutePostLogin: PostLogin.Handler
  readonly onContinuePostLogin: PostLogin.Handler
}

// A provider's error, for the log: its name and the start of its message, without anything token-like in it.
const reasonOf = (error: unknown): string => {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : "not an Error"
  return text.replace(/[\w-]{24,}(?:\.[\w-]+)*/g, "…").slice(0, 120)
}

/**
 * The Resumed service of one continue pass: the token through `api.redirect.validateToken` (which checks the HS256
 * signature, the expiry and the state), and the submitted form from `event.prompt`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const resumed = (login: LoginInfo, api: PostLoginApi | undefined): Resumed["Service"] =>
  Resumed.of({
    submission: login.transaction.prompt,
    validateToken: ({ parameter, secret }) =>
      Effect.try({
        try: () => {
          const validate = api?.redirect.validateToken
          if (validate === undefined) return undefined
          return validate({ secret: Redacted.value(secret), tokenParameterName: parameter })
        },
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
 * Builds both handlers: `execute` runs when the login starts, `resume` when it comes back from a redirect or a form
 * (only `resume` may read the Resumed service). The layer provides what both need besides Login, Secrets, Cache and
 * Resumed.
 *
 * **Example** (Consent on a page of your own)
 *
 * ```ts
 * import * as Resumable from "@rulefx/adapter-auth0/Resumable"
 * import * as Decision from "@rulefx/core/Decision"
 * import * as Pipeline from "@rulefx/core/Pipeline"
 * import * as Redirect from "@rulefx/core/Redirect"
 * import * as Rule from "@rulefx/core/Rule"
 * import * as v from "@rulefx/core/Validator"
 * import * as Effect from "effect/Effect"
 * import * as Layer from "effect/Layer"
 *
 * const Consent = Redirect.make("Consent", { secret: "CONSENT_SECRET", returns: v.object({ accepted: v.boolean() }) })
 *
 * const execute = Pipeline.make({
 *   facts: [],
 *   rules: [Rule.make("ask", Consent.sendUserTo("https://consent.example.com/"))]
 * })
 * const resume = Pipeline.make({
 *   facts: [Consent],
 *   rules: [
 *     Rule.make(
 *       "record",
 *       Effect.gen(function*() {
 *         if ((yield* Consent).accepted) yield* Decision.persistAppMetadata("consent", true)
 *       })
 *     )
 *   ]
 * })
 *
 * export const { onContinuePostLogin, onExecutePostLogin } = Resumable.make({ execute, resume, layer: Layer.empty })
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <E1 extends Denial, R1, E2 extends Denial, R2, ROut, LE extends Denial>(
  options: {
    readonly execute: Pipeline.Pipeline<E1, R1>
    readonly resume: Pipeline.Pipeline<E2, R2>
    readonly layer: Layer.Layer<ROut, LE, PostLogin.PerLogin> & PostLogin.CheckLayer<R1 | Exclude<R2, Resumed>, ROut>
  } & PostLogin.Options
): Handlers => {
  const { execute, layer, resume, ...rest } = options
  // The flow kinds first, then the ones the caller gives (MFA steps, SAML, session).
  const kinds = [Auth0Flow.kind, ...(rest.kinds ?? [])]
  const madeBy = "Resumable.make"
  return {
    onExecutePostLogin: PostLogin.make(execute, layer as never, { ...rest, kinds, madeBy }),
    onContinuePostLogin: PostLogin.make(resume as Pipeline.Pipeline<E2, Exclude<R2, Resumed>>, layer as never, {
      ...rest,
      kinds,
      madeBy,
      resumed: (login, api) => Context.make(Resumed, resumed(login, api)) as Context.Context<never>
    })
  }
}
