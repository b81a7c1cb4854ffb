/**
 * Resumed: what the user brought back when a suspended login resumes (the continue pass), as a service.
 *
 * A login suspends when a rule sends the user away (Redirect.sendUserTo) or shows a form (Form.render); it resumes
 * in a second pass whose rules read what came back: a signed token from the page the user was sent to, or the fields
 * the form submitted. The adapter provides this service in the continue pass only, so reading it in the first pass
 * does not compile: the handler's layer check names `Resumed` as missing. Rules do not read it directly; they read a
 * Continuation's or a Form's fact, which decodes what came back into a typed value.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"

/**
 * A submitted form: its id, the fields and the variables, as the provider passed them.
 *
 * @category models
 * @since 0.1.0
 */
export interface Submission {
  readonly id: string
  readonly fields: Readonly<Record<string, unknown>>
  readonly vars: Readonly<Record<string, unknown>>
}

/**
 * The returned token could not be read: absent, badly signed, expired, or for another transaction. `reason` is
 * the provider's error name, never the token or the secret.
 *
 * @category errors
 * @since 0.1.0
 */
export class TokenRejected extends Data.TaggedError("TokenRejected")<{ readonly reason: string }> {}

/**
 * The continue pass's inputs.
 *
 * @category services
 * @since 0.1.0
 */
export class Resumed extends Context.Service<Resumed, {
  /**
   * Reads and verifies the token the user brought back in `parameter` (HS256 with `secret`, not expired, and bound
   * to this transaction's state), and returns its payload.
   */
  readonly validateToken: (
    options: { readonly secret: Redacted.Redacted<string>; readonly parameter: string }
  ) => Effect.Effect<Readonly<Record<string, unknown>>, TokenRejected>
  /** The form that was submitted, if the login resumes from one. */
  readonly submission: Submission | undefined
}>()("@rulefx/core/Resumed") {
  /**
   * A continue pass for tests: the payload a verified token would carry (or `undefined`: no valid token) and the
   * submitted form, if any.
   */
  static readonly layerTest = (
    options: {
      readonly payload?: Readonly<Record<string, unknown>> | undefined
      readonly submission?: Submission | undefined
    } = {}
  ): Layer.Layer<Resumed> =>
    Layer.succeed(
      Resumed,
      Resumed.of({
        validateToken: () =>
          options.payload === undefined
            ? Effect.fail(new TokenRejected({ reason: "NoToken" }))
            : Effect.succeed(options.payload),
        submission: options.submission
      })
    )
}
