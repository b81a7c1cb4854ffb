/**
 * The denial contract: every reason a rule may give for refusing a login.
 *
 * A denial is a tagged error whose `message` is safe to show the user (Auth0 sends it to the application as
 * `error_description`). Rules declare one class per reason with `Data.TaggedError`; the error channel of a rule
 * holds denials only, so anything else that goes wrong is a defect and the adapter fails closed.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Predicate from "effect/Predicate"

/**
 * What every denial satisfies: a tag naming the reason and a user-safe message.
 *
 * @category models
 * @since 0.1.0
 */
export interface Denial {
  readonly _tag: string
  readonly message: string
}

/**
 * Tells whether a value has the shape of a denial.
 *
 * @category guards
 * @since 0.1.0
 */
export const isDenial = (u: unknown): u is Denial =>
  Predicate.hasProperty(u, "_tag") && Predicate.isString(u._tag) && Predicate.hasProperty(u, "message") &&
  Predicate.isString(u.message)

/**
 * Renders a failure for the log: a denial's tag and data fields (ids, counts, keys: what rules put there), never
 * its message; anything that is not a denial as "NonDenialFailure".
 *
 * @category getters
 * @since 0.1.0
 */
export const describe = (failure: unknown): string => {
  if (!isDenial(failure)) return "NonDenialFailure"
  const fields = Object.fromEntries(Object.entries(failure).filter(([key]) => key !== "_tag"))
  try {
    return Object.keys(fields).length === 0 ? failure._tag : `${failure._tag} ${JSON.stringify(fields)}`
  } catch {
    return failure._tag
  }
}

/**
 * The message shown when a login fails for a reason the user cannot act on (a defect, a timeout, a
 * misconfiguration). It names nothing internal.
 *
 * @category constructors
 * @since 0.1.0
 */
export const genericMessage = "Login is temporarily unavailable. Please try again later."

/**
 * A secret or setting the login needs is absent. The user sees the generic message; the name is for the log.
 *
 * @category errors
 * @since 0.1.0
 */
export class MissingSecret extends Data.TaggedError("MissingSecret")<{ readonly name: string }> {
  override get message(): string {
    return genericMessage
  }
}

/**
 * Data the login depends on (app metadata, client metadata, an external API's answer) does not have the
 * expected shape. `issues` is for the log and never holds the value itself.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidData extends Data.TaggedError("InvalidData")<{
  readonly what: string
  readonly issues: ReadonlyArray<string>
}> {
  override get message(): string {
    return genericMessage
  }
}

/**
 * A rule did not finish within its own timeout.
 *
 * @category errors
 * @since 0.1.0
 */
export class RuleTimedOut extends Data.TaggedError("RuleTimedOut")<{
  readonly rule: string
  readonly millis: number
}> {
  override get message(): string {
    return genericMessage
  }
}
