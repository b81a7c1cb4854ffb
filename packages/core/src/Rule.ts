/**
 * Rules: named Effects that read the login and facts and record decisions, or deny.
 *
 * A rule's error channel holds denials only; anything else is a defect, and the adapter fails closed on it. A
 * rule's decisions are collected as data and only reach the login's Decision when the rule succeeds, so a denied
 * or dropped rule leaves no claim behind. Combinators say how rules run together: `all` concurrently (order comes
 * from the facts they read), `sequence` in list order, `any` for the first that allows; a denial interrupts the
 * rest. Per-rule policy: `optional` (failures are logged and dropped), `timeout`, and `enabledBy` (an on/off
 * switch read from the Action's settings).
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Pipeable from "effect/Pipeable"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"
import * as Decision from "./Decision.ts"
import { type Denial, describe, InvalidData, RuleTimedOut } from "./Denial.ts"
import { Secrets } from "./Secrets.ts"

/**
 * A rule: its name and the Effect that runs it and yields what it decided. Pipeable, as effect's own data types are:
 * `rule.pipe(Rule.timeout("1 second"), Rule.optional)`.
 *
 * @category models
 * @since 0.1.0
 */
export interface Rule<out E extends Denial, out R> extends Pipeable.Pipeable {
  readonly name: string
  readonly run: Effect.Effect<Decision.Decision, E, R>
}

/**
 * Any rule, for constraints.
 *
 * @category utility types
 * @since 0.1.0
 */
// oxlint-disable-next-line no-explicit-any
export type Any = Rule<any, any>

/**
 * The denials of a union of rules.
 *
 * @category utility types
 * @since 0.1.0
 */
export type Errors<T> = T extends Rule<infer E, infer _R> ? E : never

/**
 * The services a union of rules needs.
 *
 * @category utility types
 * @since 0.1.0
 */
export type Services<T> = T extends Rule<infer _E, infer R> ? R : never

// Every rule is built here, with effect's one shared Pipeable `pipe` as an own property (no class, no per-rule
// function), so that each constructor and combinator returns a pipeable rule, and so does a copy of one
// (`{ ...rule, name }`, whose type has `pipe`: on a prototype, the copy's `pipe` was undefined).
const pipe = Pipeable.Prototype.pipe
const fromRun = <E extends Denial, R>(name: string, run: Effect.Effect<Decision.Decision, E, R>): Rule<E, R> => ({
  name,
  run,
  pipe
})

const logFailure = (cause: Cause.Cause<Denial>): Effect.Effect<void> => {
  if (Cause.hasInterruptsOnly(cause)) return Effect.void
  const denial = Cause.findErrorOption(cause)
  return denial._tag === "Some"
    ? Effect.logInfo(`denied: ${describe(denial.value)}`)
    : Effect.logError(`failed: ${Cause.pretty(cause)}`)
}

// Logs a failure that arises in a combinator (a timeout, a bad switch, a failing predicate): outside the rule's own
// run, where Rule.make's log would not see it.
const logged = <A, E extends Denial, R>(name: string, self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  self.pipe(Effect.tapCause(logFailure), Effect.annotateLogs({ rule: name }))

/**
 * Makes a rule from its name and its check. The check reads the Login, facts and services, records decisions with
 * the Decision module, and either succeeds (allow) or fails with a denial.
 *
 * **Example** (A rule that requires a verified email)
 *
 * ```ts
 * import * as Denial from "@rulefx/core/Denial"
 * import { Login } from "@rulefx/core/Login"
 * import * as Rule from "@rulefx/core/Rule"
 * import * as Effect from "effect/Effect"
 *
 * class EmailNotVerified extends Denial.Class("EmailNotVerified")<{ readonly userId: string }> {
 *   override get message() {
 *     return "Please verify your email address first."
 *   }
 * }
 *
 * const requireVerifiedEmail = Rule.make(
 *   "require-verified-email",
 *   Effect.gen(function*() {
 *     const login = yield* Login
 *     if (!login.user.emailVerified) return yield* new EmailNotVerified({ userId: login.user.id })
 *   })
 * )
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <E extends Denial = never, R = never>(
  name: string,
  check: Effect.Effect<unknown, E, R>
): Rule<E, Exclude<R, Decision.Decisions>> =>
  fromRun(
    name,
    // The recorder and the `rule` log annotation in one change of context (Effect.annotateLogs would be a second).
    Decision.collect(
      Effect.tapCause(check, logFailure),
      (context) =>
        Context.add(context, References.CurrentLogAnnotations, {
          ...Context.get(context, References.CurrentLogAnnotations),
          rule: name
        })
    )
  )

/**
 * Makes a rule optional: a denial or defect is logged and the rule's decisions are dropped; the login goes on.
 * For rules such as "notify Slack" whose failure must not block anyone. A gate's failure (see `gate`: a returned
 * token or form submission that cannot be trusted) is never dropped: it still denies the login.
 *
 * @category combinators
 * @since 0.1.0
 */
export const optional = <E extends Denial, R>(self: Rule<E, R>): Rule<never, R> =>
  fromRun(
    self.name,
    self.run.pipe(
      Effect.catchCause((cause) => {
        const denial = Cause.findErrorOption(cause)
        return Cause.hasInterruptsOnly(cause) || isGate(denial)
          ? Effect.failCause(cause as Cause.Cause<never>)
          // What failed is named, so that the rule's own `denied:` line before this one does not read as the login's.
          : Effect.logWarning(
            `optional rule failed (${
              denial._tag === "Some" ? describe(denial.value) : "a defect"
            }); its decisions are dropped and the login goes on`
          ).pipe(
            Effect.annotateLogs({ rule: self.name }),
            Effect.andThen(Effect.sync((): Decision.Decision => Decision.empty()))
          )
      })
    )
  )

/**
 * Gives a rule its own time limit; past it the rule fails with RuleTimedOut (a denial, unless the rule is
 * optional). External calls inside the rule should still have their own, shorter timeouts.
 *
 * @category combinators
 * @since 0.1.0
 */
export const timeout: {
  (duration: Duration.Input): <E extends Denial, R>(self: Rule<E, R>) => Rule<E | RuleTimedOut, R>
  <E extends Denial, R>(self: Rule<E, R>, duration: Duration.Input): Rule<E | RuleTimedOut, R>
} = /* @__PURE__ */ dual(
  2,
  <E extends Denial, R>(self: Rule<E, R>, duration: Duration.Input): Rule<E | RuleTimedOut, R> => {
    const millis = Duration.toMillis(Duration.fromInputUnsafe(duration))
    return fromRun(
      self.name,
      self.run.pipe(
        Effect.timeoutOrElse({
          duration,
          orElse: () => logged(self.name, Effect.fail(new RuleTimedOut({ rule: self.name, millis })))
        })
      )
    )
  }
)

const switchValues: Readonly<Record<string, boolean>> = {
  true: true,
  on: true,
  "1": true,
  yes: true,
  false: false,
  off: false,
  "0": false,
  no: false
}

/**
 * Switches a rule on or off from a setting (in an Auth0 Action, a secret): "true"/"on"/"1"/"yes" or
 * "false"/"off"/"0"/"no", case-insensitive. An absent setting takes `defaultValue`; any other value is an
 * InvalidData denial, since guessing could switch a deny rule off.
 *
 * @category combinators
 * @since 0.1.0
 */
export const enabledBy: {
  (setting: string, options?: { readonly defaultValue?: boolean }): <E extends Denial, R>(
    self: Rule<E, R>
  ) => Rule<E | InvalidData, R | Secrets>
  <E extends Denial, R>(
    self: Rule<E, R>,
    setting: string,
    options?: { readonly defaultValue?: boolean }
  ): Rule<E | InvalidData, R | Secrets>
} = /* @__PURE__ */ dual(
  (args) => typeof args[0] === "object" && args[0] !== null && "run" in args[0],
  <E extends Denial, R>(
    self: Rule<E, R>,
    setting: string,
    options: { readonly defaultValue?: boolean } = {}
  ): Rule<E | InvalidData, R | Secrets> =>
    fromRun(
      self.name,
      Effect.gen(function*() {
        const secrets = yield* Secrets
        const raw = yield* secrets.getOption(setting)
        let enabled = options.defaultValue ?? true
        if (raw._tag === "Some") {
          const key = Redacted.value(raw.value).trim().toLowerCase()
          // Own keys only: "constructor" or "__proto__" must not read Object.prototype and count as on.
          const value = Object.hasOwn(switchValues, key) ? switchValues[key] : undefined
          if (value === undefined) {
            return yield* logged(
              self.name,
              Effect.fail(new InvalidData({ what: `setting ${setting}`, issues: ["expected on or off"] }))
            )
          }
          enabled = value
        }
        return enabled ? yield* self.run : Decision.empty() as Decision.Decision
      })
    )
)

/**
 * Runs rules concurrently and merges their decisions in list order. The first denial interrupts the others, so a
 * denied login does not wait for an unrelated lookup. Rules that must run after others read the facts those
 * compute; where plain list order matters, use `sequence`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const all = <const Rules extends ReadonlyArray<Any>>(
  name: string,
  rules: Rules
): Rule<Errors<Rules[number]>, Services<Rules[number]>> =>
  fromRun(
    name,
    Effect.forEach(rules, (rule) => rule.run, { concurrency: "unbounded" }).pipe(Effect.map(Decision.merge))
  )

/**
 * Runs rules one after another in list order, as legacy Rules did; the first denial stops the rest.
 *
 * @category combinators
 * @since 0.1.0
 */
export const sequence = <const Rules extends ReadonlyArray<Any>>(
  name: string,
  rules: Rules
): Rule<Errors<Rules[number]>, Services<Rules[number]>> =>
  fromRun(name, Effect.forEach(rules, (rule) => rule.run).pipe(Effect.map(Decision.merge)))

/**
 * Lets the first rule that allows win, trying them in order; if every rule denies, fails with the last denial.
 * Decisions of the denying rules are dropped.
 *
 * @category combinators
 * @since 0.1.0
 */
export const any = <const Rules extends readonly [Any, ...Array<Any>]>(
  name: string,
  rules: Rules
): Rule<Errors<Rules[number]>, Services<Rules[number]>> =>
  fromRun(
    name,
    Effect.suspend(() => {
      const [first, ...rest] = rules
      return rest.reduce(
        (acc, rule) => Effect.catch(acc, () => rule.run),
        first.run as Effect.Effect<Decision.Decision, Errors<Rules[number]>, Services<Rules[number]>>
      )
    })
  )

/**
 * Runs a rule only when `predicate` (an Effect that may read the login and facts) is true; otherwise it decides
 * nothing.
 *
 * @category combinators
 * @since 0.1.0
 */
export const when: {
  <E2 extends Denial, R2>(predicate: Effect.Effect<boolean, E2, R2>): <E extends Denial, R>(
    self: Rule<E, R>
  ) => Rule<E | E2, R | R2>
  <E extends Denial, R, E2 extends Denial, R2>(
    self: Rule<E, R>,
    predicate: Effect.Effect<boolean, E2, R2>
  ): Rule<E | E2, R | R2>
} = /* @__PURE__ */ dual(2, <E extends Denial, R, E2 extends Denial, R2>(
  self: Rule<E, R>,
  predicate: Effect.Effect<boolean, E2, R2>
): Rule<E | E2, R | R2> =>
  fromRun(
    self.name,
    Effect.flatMap(
      logged(self.name, predicate),
      (ok): Effect.Effect<Decision.Decision, E | E2, R | R2> => ok ? self.run : Effect.succeed(Decision.empty())
    )
  ))

/**
 * Runs a rule only when `predicate` is false.
 *
 * @category combinators
 * @since 0.1.0
 */
export const unless: {
  <E2 extends Denial, R2>(predicate: Effect.Effect<boolean, E2, R2>): <E extends Denial, R>(
    self: Rule<E, R>
  ) => Rule<E | E2, R | R2>
  <E extends Denial, R, E2 extends Denial, R2>(
    self: Rule<E, R>,
    predicate: Effect.Effect<boolean, E2, R2>
  ): Rule<E | E2, R | R2>
} = /* @__PURE__ */ dual(2, <E extends Denial, R, E2 extends Denial, R2>(
  self: Rule<E, R>,
  predicate: Effect.Effect<boolean, E2, R2>
): Rule<E | E2, R | R2> => when(self, Effect.map(predicate, (b) => !b)))

const GateId: unique symbol = Symbol.for("@rulefx/core/Rule/Gate")

const isGate = (error: { readonly _tag: string; readonly value?: unknown }): boolean =>
  error._tag === "Some" && (error.value as { readonly [GateId]?: true } | null)?.[GateId] === true

/**
 * Marks a failure as a gate's: what came back from a redirect or a form could not be trusted. Rule.optional does not
 * drop such a failure (the login is denied even when the rule that read it is optional): otherwise a user could skip
 * the gate by coming back without a token. Redirect's and Form's facts mark theirs.
 *
 * @category combinators
 * @since 0.1.0
 */
export const gate = <E>(error: E): E => {
  if (typeof error === "object" && error !== null) Object.defineProperty(error, GateId, { value: true })
  return error
}
