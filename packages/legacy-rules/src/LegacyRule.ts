/**
 * LegacyRule: one unmodified Auth0 Rule, `function (user, context, callback) {...}`, and how it runs.
 *
 * A legacy rule is loaded per login with the globals Rules gave it (`configuration`, `global`, `auth0`,
 * `UnauthorizedError`, `require`, `console`), then called with the Rules-shaped `user` and `context`. It ends when
 * it calls back: `callback(null, user, context)` goes on (with the objects it passed, if any), `callback(error)`
 * denies with the error's message. A thrown error or a rejected promise denies the same way. A rule that returns a
 * promise and declares no callback parameter ends when the promise resolves. A rule that never ends is stopped by
 * its timeout, which denies. Only the first outcome counts: a second callback, or one after the timeout, is
 * ignored.
 *
 * Legacy rules are callback code, so this module holds the one bridge from callbacks to an Effect
 * (`Effect.callback`); the rule's own code runs as it did under Rules.
 *
 * @since 0.1.0
 */
import * as Denial from "@rulefx/core/Denial"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { RulesContext, RulesUser } from "./RulesContext.ts"

/**
 * What a Rules function looks like.
 *
 * @category models
 * @since 0.1.0
 */
export type RuleFunction = (
  user: RulesUser,
  context: RulesContext,
  callback: (error?: unknown, user?: unknown, context?: unknown) => void
) => unknown

/**
 * The restricted Management API client Rules gave as `auth0`: only metadata writes for the user logging in.
 *
 * @category models
 * @since 0.1.0
 */
export interface Auth0Client {
  readonly users: {
    readonly updateAppMetadata: (
      userId: string,
      metadata: unknown,
      callback?: (error: unknown) => void
    ) => Promise<void>
    readonly updateUserMetadata: (
      userId: string,
      metadata: unknown,
      callback?: (error: unknown) => void
    ) => Promise<void>
  }
}

/**
 * The globals a Rules function saw, rebuilt per login.
 *
 * @category models
 * @since 0.1.0
 */
export interface Globals {
  /** The Action's secrets under the names Rules' settings had. */
  readonly configuration: Readonly<Record<string, string>>
  /** Kept across logins in the same Action instance, like Rules' sandbox global: no guarantee it survives. */
  readonly global: Record<string, unknown>
  readonly auth0: Auth0Client
  readonly UnauthorizedError: typeof UnauthorizedError
  readonly require: (id: string) => unknown
  readonly console: Pick<Console, "log" | "info" | "warn" | "error" | "debug">
}

/**
 * A legacy rule: its name, how to load its function with the globals, and its own time limit.
 *
 * @category models
 * @since 0.1.0
 */
export interface LegacyRule {
  readonly name: string
  readonly load: (globals: Globals) => RuleFunction
  readonly timeout: Duration.Duration
  /** The Rules settings (`configuration.X`) the rule reads: a missing one denies before the rule runs. */
  readonly settings: ReadonlyArray<string>
  /** Constructs with no Actions equivalent the user accepted for this rule; any other is refused at run time too. */
  readonly accepted: ReadonlyArray<string>
}

/**
 * The time a legacy rule has to call back, unless it is given its own.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultTimeout: Duration.Duration = Duration.seconds(5)

/**
 * Makes a legacy rule. `load` receives the globals and returns the rule's function; `rulefx migrate` generates it
 * around the rule's source, so the source itself runs unchanged, and fills `settings` (the `configuration` keys the
 * source names) and `accepted` (the constructs the user accepted) from its analysis.
 *
 * **Example** (A Rules function, as `rulefx migrate` wraps it)
 *
 * ```ts
 * const emailVerified = LegacyRule.make("email-verified", ({ UnauthorizedError }) =>
 *   function(user, context, callback) {
 *     if (!user.email_verified) return callback(new UnauthorizedError("Please verify your email before logging in."))
 *     return callback(null, user, context)
 *   })
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  name: string,
  load: (globals: Globals) => RuleFunction,
  options: {
    readonly timeout?: Duration.Input
    readonly settings?: ReadonlyArray<string>
    readonly accepted?: ReadonlyArray<string>
  } = {}
): LegacyRule => ({
  name,
  load,
  timeout: options.timeout === undefined ? defaultTimeout : Duration.fromInputUnsafe(options.timeout),
  settings: options.settings ?? [],
  accepted: options.accepted ?? []
})

/**
 * Rules' `UnauthorizedError`. Under Rules the application got `error=unauthorized`; Actions has only
 * `access_denied`, so it denies like any other error, with its message.
 *
 * @category errors
 * @since 0.1.0
 */
export class UnauthorizedError extends Error {
  constructor(message?: string) {
    super(message)
    this.name = "UnauthorizedError"
  }
}

// Auth0 shows the reason to the user; a legacy rule's message was shown under Rules too, so it is kept, but cut.
const maxReason = 500

/**
 * The user-facing reason for what a legacy rule failed with: an Error's message, a string as is, and the generic
 * message for anything else (an empty message, or a module the Action did not bundle).
 *
 * @category getters
 * @since 0.1.0
 */
export const reasonOf = (error: unknown): string => {
  if (error instanceof ModuleNotBundled || error instanceof UnsupportedConstruct) return Denial.genericMessage
  const text = typeof error === "string"
    ? error
    : typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string"
    ? (error as { message: string }).message
    : ""
  if (text.trim().length === 0) return Denial.genericMessage
  return text.length > maxReason ? `${text.slice(0, maxReason - 1)}…` : text
}

/**
 * What a legacy rule's `require` throws for a module the Action did not bundle. It denies with the generic message:
 * the module's name is for the log, not for the user.
 *
 * @category errors
 * @since 0.1.0
 */
export class ModuleNotBundled extends Error {
  readonly module: string
  constructor(module: string) {
    super(`module "${module}" was not bundled into this Action`)
    this.module = module
    this.name = "ModuleNotBundled"
  }
}

/**
 * What a legacy rule meets when it reaches, at run time, a construct with no Actions equivalent that was not
 * accepted for it (through an alias the analysis could not see, say): it denies with the generic message.
 *
 * @category errors
 * @since 0.1.0
 */
export class UnsupportedConstruct extends Error {
  readonly construct: string
  constructor(construct: string) {
    super(`${construct} has no Actions equivalent and was not accepted for this rule`)
    this.construct = construct
    this.name = "UnsupportedConstruct"
  }
}

/**
 * A legacy rule called back with an error, threw, or rejected. The user sees the rule's own message, as under
 * Rules.
 *
 * @category errors
 * @since 0.1.0
 */
export class LegacyRuleDenied extends /* @__PURE__ */ Denial.Class("LegacyRuleDenied")<{
  readonly rule: string
  readonly reason: string
  readonly unauthorized: boolean
}> {
  override get message(): string {
    return this.reason
  }
}

/**
 * The state a legacy rule works on: the `user` and `context` the previous rule called back with.
 *
 * @category models
 * @since 0.1.0
 */
export interface Session {
  user: RulesUser
  context: RulesContext
  /**
   * While a rule runs: ends it with a denial. rulefx's own shims (`auth0.users`, `request`) call it when a callback
   * of the rule throws, so the error denies this login instead of crashing the Action for every login in flight.
   */
  fail: ((error: unknown) => void) | undefined
  /** Replaces the values of the Action's secrets in a text that may reach the user or the log. */
  readonly scrub: (text: string) => string
}

const deny = (rule: string, error: unknown, scrub: (text: string) => string) =>
  new LegacyRuleDenied({ rule, reason: scrub(reasonOf(error)), unauthorized: error instanceof UnauthorizedError })

// What a rule may have set on `context` that Actions cannot do, unless the user accepted it for the rule.
const refusedSettings = (rule: LegacyRule, context: RulesContext): string | undefined => {
  if (context.primaryUser !== undefined && !rule.accepted.includes("context.primaryUser")) {
    return "context.primaryUser"
  }
  const saml = context.samlConfiguration as unknown
  const samlSet = typeof saml !== "object" || saml === null || Object.keys(saml).length > 0
  return samlSet && !rule.accepted.includes("context.samlConfiguration") ? "context.samlConfiguration" : undefined
}

/**
 * Runs a rule's function once on the session, under the rule's timeout. Succeeds when it calls back without an
 * error (the session then holds the `user` and `context` it passed); fails with LegacyRuleDenied or RuleTimedOut.
 *
 * @category combinators
 * @since 0.1.0
 */
export const run = (
  rule: LegacyRule,
  fn: RuleFunction,
  session: Session
): Effect.Effect<void, LegacyRuleDenied | Denial.RuleTimedOut> =>
  Effect.callback<void, LegacyRuleDenied>((resume) => {
    let done = false
    const finish = (error: unknown, ok: boolean) => {
      if (done) return
      done = true
      session.fail = undefined
      resume(ok ? Effect.void : Effect.fail(deny(rule.name, error, session.scrub)))
    }
    session.fail = (error) => finish(error ?? "", false)
    const callback = (error?: unknown, user?: unknown, context?: unknown) => {
      if (done) return
      if (error !== null && error !== undefined) return finish(error, false)
      if (typeof user === "object" && user !== null) session.user = user as RulesUser
      if (typeof context === "object" && context !== null) session.context = context as RulesContext
      const refused = refusedSettings(rule, session.context)
      if (refused !== undefined) return finish(new UnsupportedConstruct(refused), false)
      finish(undefined, true)
    }
    try {
      const result: unknown = fn(session.user, session.context, callback)
      if (
        typeof result === "object" && result !== null && typeof (result as PromiseLike<unknown>).then === "function"
      ) {
        ;(result as PromiseLike<unknown>).then(
          () => {
            // An async rule without a callback parameter is done when it resolves; one with it must still call back.
            if (fn.length < 3) finish(undefined, true)
          },
          // A rejection without a reason still denies (with the generic message).
          (error: unknown) => finish(error ?? "", false)
        )
      }
    } catch (error) {
      finish(error ?? "", false)
    }
    // Interrupted (by the timeout, or a denial elsewhere): whatever the rule does later is ignored.
    return Effect.sync(() => {
      done = true
      session.fail = undefined
    })
  }).pipe(
    Effect.timeoutOrElse({
      duration: rule.timeout,
      orElse: () => Effect.fail(new Denial.RuleTimedOut({ rule: rule.name, millis: Duration.toMillis(rule.timeout) }))
    })
  )
