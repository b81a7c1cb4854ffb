/**
 * Validation: stopping the login with a validation error of the team's own code and message (Auth0's
 * `api.validation.error`), mainly for forms whose input a rule refuses.
 *
 * It is a denial: a login stopped this way sets nothing, as any denied login. The adapter calls the provider's
 * validation error instead of its plain deny.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import { Class, OutcomeId } from "./Denial.ts"

/**
 * The login stopped with a validation error: `code` for the application, `message` for the user.
 *
 * @category errors
 * @since 0.1.0
 */
export class ValidationFailed extends /* @__PURE__ */ Class("ValidationFailed")<{
  readonly code: string
  readonly reason: string
}> {
  override get message(): string {
    return this.reason
  }

  get [OutcomeId](): { readonly validation: string } {
    return { validation: this.code }
  }
}

/**
 * Stops the login with a validation error: `code` reaches the application, `message` the user (no secrets in it).
 *
 * @category constructors
 * @since 0.1.0
 */
export const fail = (code: string, message: string): Effect.Effect<never, ValidationFailed> =>
  Effect.fail(new ValidationFailed({ code, reason: message }))

/**
 * Tells whether a denial is a validation error.
 *
 * @category guards
 * @since 0.1.0
 */
export const isValidationFailed = (u: unknown): u is ValidationFailed =>
  Predicate.isTagged(u, "ValidationFailed") && Predicate.hasProperty(u, "code") && Predicate.isString(u.code)
