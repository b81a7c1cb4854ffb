/**
 * PasswordResetPostChallenge: the model of a password reset after its first challenge (Auth0's
 * `password-reset-post-challenge` trigger: the user followed the email link and has not yet chosen a new password),
 * for rules that decide whether the reset may go on, with what extra challenge, and where the user lands after it.
 *
 * Rules read the `PasswordReset` service (the user with their enrolled factors, the methods already passed, roles,
 * the application, connection, organization, request and transaction) and may:
 * - deny the reset: any denial; its message is the reason Auth0 shows (`api.access.deny(reason)`);
 * - challenge the user with an MFA factor (`challengeWith`, `challengeWithAny`: Authentication's factors and steps,
 *   at most 4 per flow, as post-login's);
 * - send the user to a page with a signed token (`sendUserTo`, a Redirect declared with `Redirect.make`) or show a
 *   form (`render`, a Form declared with `Form.make`), and read what came back in the continue pass
 *   (`onContinuePostChallenge`) as the declared redirect's or form's fact, exactly as post-login's continue pass does;
 * - set where the user goes once the password is reset (`setResultUrl`).
 *
 * Post-login's own decisions (claims, scopes, metadata, `Redirect#sendUserTo`, which needs Login) do not compile in
 * a rule made with this module's `makeRule` (see Trigger.ts). Two suspensions (two redirects, a redirect and a form)
 * in one pass, and two different result URLs, are conflicts the adapter refuses. The trigger is blocking, so the
 * adapter fails closed: a malformed event, a defect, the deadline or a value Auth0 would refuse denies the reset with
 * a generic reason.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Authentication from "./Authentication.ts"
import * as Decision from "./Decision.ts"
import type { MissingSecret } from "./Denial.ts"
import type * as Form from "./Form.ts"
import * as Redirect from "./Redirect.ts"
import type { Secrets } from "./Secrets.ts"
import * as Trigger from "./Trigger.ts"

/**
 * The trigger's id.
 *
 * @category models
 * @since 0.1.0
 */
export const id = "password-reset-post-challenge" as const

/**
 * An MFA factor the user has enrolled (`event.user.enrolledFactors`).
 *
 * @category models
 * @since 0.1.0
 */
export interface EnrolledFactor {
  readonly type: string
  readonly options: Readonly<Record<string, unknown>>
}

/**
 * Everything a password-reset-post-challenge rule may read.
 *
 * @category models
 * @since 0.1.0
 */
export interface ResetInfo {
  readonly user: {
    readonly id: string
    readonly email: string | undefined
    readonly emailVerified: boolean
    readonly enrolledFactors: ReadonlyArray<EnrolledFactor>
    readonly appMetadata: Readonly<Record<string, unknown>>
    readonly userMetadata: Readonly<Record<string, unknown>>
  }
  /** The methods the user has passed in this transaction (`event.authentication.methods`), by name. */
  readonly authenticationMethods: ReadonlyArray<{ readonly name: string; readonly timestamp?: string | undefined }>
  readonly roles: ReadonlyArray<string>
  readonly client: { readonly id: string; readonly name: string; readonly metadata: Readonly<Record<string, string>> }
  readonly connection: { readonly id: string; readonly name: string; readonly strategy: string }
  readonly organization:
    | { readonly id: string; readonly name: string; readonly metadata: Readonly<Record<string, string>> }
    | undefined
  readonly request: {
    readonly ip: string
    readonly hostname: string | undefined
    readonly userAgent: string | undefined
    readonly language: string | undefined
    readonly countryCode: string | undefined
    readonly query: Readonly<Record<string, unknown>>
  }
  readonly loginsCount: number
  readonly transaction: {
    readonly locale: string | undefined
    readonly uiLocales: ReadonlyArray<string>
    readonly state: string | undefined
    readonly loginHint: string | undefined
    readonly correlationId: string | undefined
  }
  readonly tenant: string
  /** The event as it arrived, without its secrets. */
  readonly raw: Readonly<Record<string, unknown>>
}

/**
 * The current password reset, as a service.
 *
 * @category services
 * @since 0.1.0
 */
export class PasswordReset extends Context.Service<PasswordReset, ResetInfo>()(
  "@rulefx/core/PasswordResetPostChallenge/PasswordReset"
) {
  /** Provides the given reset; the adapter builds it per event. */
  static readonly layer = (info: ResetInfo): Layer.Layer<PasswordReset> => Layer.succeed(PasswordReset, info)
}

/**
 * Where the user goes once the password is reset (`api.transaction.setResultUrl(url, { query })`).
 *
 * @category models
 * @since 0.1.0
 */
export interface ResultUrl {
  readonly url: string
  readonly query: Readonly<Record<string, string>>
}

/**
 * A per-event recorder of result URLs beside the Decision, which the adapter still provides and reads after the run.
 * `setResultUrl` no longer uses it: it records into the rule's Decision (`resultUrls`), so the URL of a rule that
 * fails is dropped with its other decisions. A call made on this service directly is kept even when its rule fails.
 *
 * @category services
 * @since 0.1.0
 */
export class ResultUrls extends Context.Service<ResultUrls, {
  readonly record: (result: ResultUrl) => void
}>()("@rulefx/core/PasswordResetPostChallenge/ResultUrls") {}

/**
 * The marker of this trigger's rules.
 *
 * @category services
 * @since 0.1.0
 */
export const On: Context.Key<On, typeof id> = /* @__PURE__ */ Trigger.marker(id)

/**
 * The type of this trigger's marker.
 *
 * @category models
 * @since 0.1.0
 */
export type On = Trigger.On<typeof id>

/**
 * The type of this trigger's recorder.
 *
 * @category models
 * @since 0.1.0
 */
export type Recorder = Trigger.Recorder<typeof id>

const recorder = /* @__PURE__ */ Trigger.recorder(id)

const step = (s: Authentication.Step): Effect.Effect<void, never, Recorder> =>
  Trigger.record(
    recorder,
    (d) => Decision.mergeMore(Decision.withKind(d, Decision.mergeMore), { ...Decision.empty(), mfaSteps: [s] })
  )

/**
 * Challenges the user with `factor` before the new password (the user may pick one of `additionalFactors`
 * instead), as post-login's Authentication.challengeWith.
 *
 * @category constructors
 * @since 0.1.0
 */
export const challengeWith = (
  factor: Authentication.Factor,
  options: { readonly additionalFactors?: ReadonlyArray<Authentication.Factor> } = {}
): Effect.Effect<void, never, Recorder> =>
  step({ _tag: "ChallengeWith", factor, additionalFactors: options.additionalFactors ?? [] })

/**
 * Challenges the user with one of `factors`, letting them pick.
 *
 * @category constructors
 * @since 0.1.0
 */
export const challengeWithAny = (
  factors: ReadonlyArray<Authentication.Factor>
): Effect.Effect<void, never, Recorder> => step({ _tag: "ChallengeWithAny", factors })

// As Redirect's and Form's: one suspension per pass; a second is recorded as a conflict the adapter refuses.
const suspend = (draft: Decision.Draft, kind: "redirect" | "prompt"): void => {
  if ((draft.redirect ?? draft.prompt) !== undefined) draft.conflicts = [...(draft.conflicts ?? []), kind]
}

/**
 * Sends the user to `url` at the end of this pass with a token signed with the declared redirect's secret (HS256,
 * `encodeToken`; a secret under 32 bytes is refused with WeakSecret); the reset resumes in `onContinuePostChallenge`, whose rules read `yield* redirect`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const sendUserTo = (
  redirect: Redirect.Any,
  url: string,
  options: Redirect.SendOptions = {}
): Effect.Effect<void, MissingSecret | Redirect.WeakSecret, Recorder | Secrets> =>
  Effect.flatMap(
    Redirect.signingSecret(redirect.secret),
    (secret) =>
      Trigger.record(recorder, (draft) => {
        // Folded by Decision.merge through post-login's flow merge (the later form wins, two suspensions conflict).
        Decision.withKind(draft, Decision.mergeFlow)
        suspend(draft, "redirect")
        draft.redirect = {
          url,
          query: options.query ?? {},
          token: {
            secret,
            payload: options.payload ?? {},
            expiresInSeconds: options.expiresInSeconds ?? Redirect.defaultExpiresInSeconds,
            parameter: redirect.parameter
          }
        }
      })
  )

/**
 * Shows the declared form at the end of this pass (`api.prompt.render`); the reset resumes in
 * `onContinuePostChallenge`, whose rules read `yield* form`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const render = (
  // oxlint-disable-next-line no-explicit-any
  form: Form.Form<any, any>,
  options: Form.RenderOptions = {}
): Effect.Effect<void, never, Recorder> =>
  Trigger.record(recorder, (draft) => {
    Decision.withKind(draft, Decision.mergeFlow)
    suspend(draft, "prompt")
    draft.prompt = { id: form.id, fields: options.fields, vars: options.vars }
  })

/**
 * How the result URLs of several rules combine: in rule order, all kept (the adapter refuses two different ones).
 *
 * @category combinators
 * @since 0.1.0
 */
export const mergeResultUrls: Decision.Merge = (out, d) => {
  if (d.resultUrls?.length) out.resultUrls = [...(out.resultUrls ?? []), ...d.resultUrls]
}

/**
 * Sets where the user goes once the password is reset, with `query` added to it. Two rules that set different
 * result URLs are a conflict the adapter refuses; the same one twice is one request. Recorded in the rule's Decision:
 * a rule that sets it and then fails (inside `Rule.any` or `Rule.optional`) sends no one anywhere.
 *
 * @category constructors
 * @since 0.1.0
 */
export const setResultUrl = (
  url: string,
  options: { readonly query?: Readonly<Record<string, string>> } = {}
): Effect.Effect<void, never, Recorder> =>
  Trigger.record(recorder, (d) => {
    Decision.withKind(d, mergeResultUrls)
    ;(d.resultUrls ??= []).push({ url, query: options.query ?? {} })
  })

/**
 * Makes a password-reset-post-challenge rule (see Trigger.makeRule).
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeRule = /* @__PURE__ */ Trigger.makeRule(id)

/**
 * Makes a password-reset-post-challenge pipeline, for either pass (see Trigger.makePipeline).
 *
 * @category constructors
 * @since 0.1.0
 */
export const makePipeline = /* @__PURE__ */ Trigger.makePipeline(id)
