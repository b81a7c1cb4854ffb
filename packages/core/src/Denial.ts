/**
 * The denial contract: every reason a rule may give for refusing a login.
 *
 * A denial is a tagged error whose `message` is safe to show the user (Auth0 sends it to the application as
 * `error_description`). Rules declare one class per reason with `Denial.Class`; the error channel of a rule
 * holds denials only, so anything else that goes wrong is a defect and the adapter fails closed.
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Predicate from "effect/Predicate"
import type * as Types from "effect/Types"

/**
 * The brand every denial carries. Only classes built with `Denial.Class` have it, so an error that merely looks like
 * a denial (Effect's own UnknownError or TimeoutError, a library error with a `message`) never reaches the user.
 *
 * @category models
 * @since 0.1.0
 */
export const DenialTypeId: unique symbol = Symbol.for("@rulefx/core/Denial")

/**
 * What every denial satisfies: the brand, a tag naming the reason and a user-safe message.
 *
 * @category models
 * @since 0.1.0
 */
export interface Denial {
  readonly [DenialTypeId]: typeof DenialTypeId
  readonly _tag: string
  readonly message: string
}

/**
 * Tells whether a value is a denial (carries the brand).
 *
 * @category guards
 * @since 0.1.0
 */
export const isDenial = (u: unknown): u is Denial =>
  Predicate.hasProperty(u, DenialTypeId) && Predicate.hasProperty(u, "_tag") && Predicate.isString(u._tag) &&
  Predicate.hasProperty(u, "message") && Predicate.isString(u.message)

/**
 * The base class of a denial: `Data.TaggedError` plus the brand. Give it a `message` getter with the text the
 * user sees; fields hold data for the log (ids, counts, keys), never secrets. A denial carries no stack trace: it is
 * an expected outcome, and capturing one costs more than the rest of a denied login's rule.
 *
 * **Example** (A denial)
 *
 * ```ts
 * import * as Denial from "@rulefx/core/Denial"
 *
 * export class EmailNotVerified extends Denial.Class("EmailNotVerified")<{ readonly userId: string }> {
 *   override get message() {
 *     return "Please verify your email address first."
 *   }
 * }
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const Class = <Tag extends string>(tag: Tag): new<A extends Record<string, any> = {}>(
  args: Types.VoidIfEmpty<{ readonly [P in keyof A as P extends "_tag" ? never : P]: A[P] }>
) => Cause.YieldableError & Denial & { readonly _tag: Tag } & Readonly<A> => {
  // A denial is an answer, not a bug: nothing reads its stack (the log names it by tag and fields), and capturing one
  // under effect's deep call stacks was about a quarter of a denied login. So none is captured.
  const Tagged = Data.TaggedError(tag) as unknown as new(args?: {}) => object
  const Base = class extends Tagged {
    constructor(args?: {}) {
      const limit = Error.stackTraceLimit
      Error.stackTraceLimit = 0
      try {
        super(args)
      } finally {
        Error.stackTraceLimit = limit
      }
    }
  }
  Object.defineProperty(Base.prototype, DenialTypeId, { value: DenialTypeId })
  return Base as any
}

const renderField = (value: unknown): string =>
  Array.isArray(value)
    ? `[${value.map(renderField).join(",")}]`
    : Predicate.isString(value) || Predicate.isNumber(value) || Predicate.isBoolean(value)
    ? String(value)
    : typeof value

/**
 * Renders a failure for the log: a denial's tag and data fields (ids, counts, keys: what rules put there), never
 * its message; anything else by its tag or as "NonDenialFailure".
 *
 * @category getters
 * @since 0.1.0
 */
export const describe = (failure: unknown): string => {
  if (!Predicate.hasProperty(failure, "_tag") || !Predicate.isString(failure._tag)) return "NonDenialFailure"
  const fields = Object.entries(failure).filter(([key]) => key !== "_tag" && !key.startsWith("~"))
  return [failure._tag, ...fields.map(([key, value]) => `${key}=${renderField(value)}`)].join(" ")
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
export class MissingSecret extends /* @__PURE__ */ Class("MissingSecret")<{ readonly name: string }> {
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
export class InvalidData extends /* @__PURE__ */ Class("InvalidData")<{
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
export class RuleTimedOut extends /* @__PURE__ */ Class("RuleTimedOut")<{
  readonly rule: string
  readonly millis: number
}> {
  override get message(): string {
    return genericMessage
  }
}

const CommittedId: unique symbol = Symbol.for("@rulefx/core/Denial/committed")

/**
 * Metadata writes that were already made when a login was denied.
 *
 * @category models
 * @since 0.1.0
 */
export interface Committed {
  readonly appMetadata: Readonly<Record<string, unknown>>
  readonly userMetadata: Readonly<Record<string, unknown>>
}

/**
 * Marks metadata writes as made before the denial, so the adapter applies them although the login is denied.
 * Typed rules never need this (a denied login persists nothing); it is for compatibility layers whose semantics
 * persisted at once: a legacy Rule's `auth0.users.updateAppMetadata` was written before a later rule denied, and
 * Auth0's `api.access.deny` does not cancel metadata writes either. Empty writes leave the denial as it is.
 *
 * @category combinators
 * @since 0.1.0
 */
export const withCommitted = <D extends Denial>(denial: D, committed: Committed): D => {
  if (Object.keys(committed.appMetadata).length > 0 || Object.keys(committed.userMetadata).length > 0) {
    // Not enumerable: describe() and logs never see the values.
    Object.defineProperty(denial, CommittedId, { value: committed, enumerable: false, configurable: true })
  }
  return denial
}

/**
 * The metadata writes a denial carries (see `withCommitted`), if any.
 *
 * @category getters
 * @since 0.1.0
 */
export const committedOf = (denial: Denial): Committed | undefined =>
  (denial as { readonly [CommittedId]?: Committed })[CommittedId]

/**
 * Where a denial keeps what it asks of the adapter besides the deny, as fields of the adapter's outcome: Validation's
 * `validation` code, Session's and RefreshToken's `revoke`. The adapter copies them into the outcome without knowing
 * the denials that set them, and the decision kind that owns each field applies it.
 *
 * @category symbols
 * @since 0.1.0
 */
export const OutcomeId: unique symbol = Symbol.for("@rulefx/core/Denial/outcome")

/**
 * The outcome fields a denial carries (see `OutcomeId`), if any.
 *
 * @category getters
 * @since 0.1.0
 */
export const outcomeOf = (denial: Denial): Readonly<Record<string, unknown>> | undefined =>
  (denial as { readonly [OutcomeId]?: Readonly<Record<string, unknown>> })[OutcomeId]
