/**
 * LegacyRule: one unmodified Auth0 Rule, `function (user, context, callback) {...}`, and how it runs.
 *
 * A legacy rule's source runs in a realm of its own (Realm), where the globals Rules gave it (`configuration`,
 * `global`, `auth0`, `UnauthorizedError`, `require`, `console`) are those of the run; it is called with the
 * Rules-shaped `user` and `context`. It ends when
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
import * as Predicate from "effect/Predicate"
import { json } from "./internal/json.ts"
import { active, kindOf, type Run, running } from "./internal/running.ts"
import * as Realm from "./Realm.ts"
import type { RulesContext, RulesUser } from "./RulesContext.ts"
import type * as SamlConfiguration from "./SamlConfiguration.ts"

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
  /**
   * The names of the parameters `rulefx migrate` shortened, by their short name (`{ e: "user" }`): an error the
   * engine writes about one (`e.app_metadata.roles.indexOf is not a function`) is given the rule's own name.
   */
  readonly params?: Readonly<Record<string, string>> | undefined
}

/**
 * The time a legacy rule has to call back, unless it is given its own.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultTimeout: Duration.Duration = Duration.seconds(5)

/**
 * Makes a legacy rule from its source, as Rules stored it (a function expression), or from a function that receives
 * the globals and returns the rule's function. `rulefx migrate` passes the source, which runs unchanged behind the
 * barrier of Realm: in a realm of its own, compiled on the first login, with every global it names (the Rules
 * globals, an undeclared variable, `this`) resolved per run. It fills `settings` (the `configuration` keys the source
 * names) and `accepted` (the constructs the user accepted) from its analysis.
 *
 * A function runs in rulefx's own realm, without that barrier: for tests and for rules written for rulefx.
 *
 * **Example** (A Rules function, as `rulefx migrate` passes it)
 *
 * ```ts
 * import * as LegacyRule from "@rulefx/legacy-rules/LegacyRule"
 *
 * const emailVerified = LegacyRule.make("email-verified", `function (user, context, callback) {
 *   if (!user.email_verified) return callback(new UnauthorizedError("Please verify your email before logging in."))
 *   return callback(null, user, context)
 * }`)
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  name: string,
  load: string | ((globals: Globals) => RuleFunction),
  options: {
    readonly timeout?: Duration.Input
    readonly settings?: ReadonlyArray<string>
    readonly accepted?: ReadonlyArray<string>
    readonly params?: Readonly<Record<string, string>>
  } = {}
): LegacyRule => ({
  name,
  load: typeof load === "string" ? compiled(name, load) : load,
  timeout: options.timeout === undefined ? defaultTimeout : Duration.fromInputUnsafe(options.timeout),
  settings: options.settings ?? [],
  accepted: options.accepted ?? [],
  params: options.params
})

// Compiled once, on the first login that runs the rule, as a function of the Rules globals (the keys of `Globals`)
// that returns the rule's function: each login's rule function closes over its own globals, so a callback that runs
// in another login's async context (one a shared timer, socket or queue calls) still sees the globals of the login
// that made it. Undeclared names and `this` are resolved per run by Realm. A failure (no node:vm) is kept and fails
// every login closed.
const compiled = (name: string, source: string) => {
  let make: Function | undefined
  let names: Array<string> = []
  let error: unknown
  return (globals: Globals): RuleFunction => {
    if (!make && error === undefined) {
      try {
        names = Object.keys(globals)
        make = Realm.compile(name, `function (${names}) { return (${source}\n) }`)
      } catch (e) {
        error = e ?? new Error("the rule did not compile")
      }
    }
    if (!make) throw error
    return make(...names.map((key) => globals[key as keyof Globals]))
  }
}

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
 * message for anything else (an empty message, a module the Action did not bundle, a construct refused at run time).
 * `scrub` is applied before the text is cut to 500 characters.
 *
 * @category getters
 * @since 0.1.0
 */
export const reasonOf = (error: unknown, scrub: (text: string) => string = (text) => text): string => {
  if (isRulefx(error)) return Denial.genericMessage
  // Scrubbed whole, then cut: a secret across the cut must not leave its first half behind.
  const text = scrub(messageOf(error))
  if (!text.trim()) return Denial.genericMessage
  return text.length > maxReason ? `${text.slice(0, maxReason - 1)}…` : text
}

// What rulefx itself refused or caught (a module, a construct, a late fault): denied generically, detailed in the log.
const isRulefx = (error: unknown): error is ModuleNotBundled | UnsupportedConstruct | RuleFault =>
  error instanceof ModuleNotBundled || error instanceof UnsupportedConstruct || error instanceof RuleFault

// Read once, and never thrown from: a rule's error may compute its message (or name) in a getter that throws (over
// an API's answer that never came), and this runs in the fault handlers too, where a throw would end the process.
const messageOf = (error: unknown, key: "message" | "name" = "message"): string => {
  try {
    const message = typeof error === "object" && error !== null ? (error as Record<string, unknown>)[key] : error
    return typeof message === "string" ? message : ""
  } catch {
    return ""
  }
}

/**
 * What a legacy rule's `require` throws for a module the Action did not bundle. It denies with the generic message:
 * the module's name is for the log, not for the user.
 *
 * @category errors
 * @since 0.1.0
 */
export class ModuleNotBundled extends Error {
  /**
   * The module the rule required.
   *
   * @since 0.1.0
   */
  declare readonly module: string
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
  /**
   * The construct's id, as the analysis names it (`context.primaryUser`).
   *
   * @since 0.1.0
   */
  declare readonly construct: string
  constructor(construct: string) {
    super(`${construct} has no Actions equivalent and was not accepted for this rule`)
    this.construct = construct
    this.name = "UnsupportedConstruct"
  }
}

/**
 * What rule code raised outside the rule's own call and promise: an exception thrown from a timer, a microtask or an
 * event handler, or a promise rejection nobody handled. It denies the login whose rule raised it with the generic
 * message; the original error is for the log.
 *
 * @category errors
 * @since 0.1.0
 */
export class RuleFault extends Error {
  /**
   * What the rule code threw, or the reason of the rejection nobody handled.
   *
   * @since 0.1.0
   */
  declare readonly error: unknown
  constructor(error: unknown) {
    super(`rule code raised, outside its call: ${messageOf(error).slice(0, 160)}`)
    this.error = error
    this.name = "RuleFault"
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
  /** For the log only, when rulefx itself refused something (a construct, a module): what, without secrets. */
  readonly detail?: string
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
  /** Replaces the values of the Action's secrets in a text that may reach the user or the log. */
  readonly scrub: (text: string) => string
  /**
   * Faults of the rules' code that deny the login if still here when a rule ends or the last has (see `settle`): a
   * rejection Node reported unhandled, under its promise, until a handler is attached to it after all; an exception
   * raised after its rule ended, for good.
   */
  faults?: Map<object, LegacyRuleDenied>
  /**
   * The login is decided (let through or denied): a fault its rules' code raises from now on is logged, not kept, so a
   * run that outlives its login (a background refresh started from it) cannot grow the session without end.
   */
  closed?: boolean
  /**
   * The run of the rule that ran last: rulefx reads what that rule left in its async context, so that what the rule's
   * code a read runs (a getter, a `toJSON`) raises a moment later is this login's fault, not a fault of no run.
   */
  handle?: Run
  /** `context.samlConfiguration` as `api.samlResponse` (LegacyRules' `saml` option); without it, a change is refused. */
  readonly saml?: SamlConfiguration.Support
}

/**
 * The rule whose code is running, as the async context sees it: set while a rule's function runs and carried into
 * every callback, promise and timer it starts. rulefx's shims use it to deny the login whose rule made a call, and the
 * guards to ask whether that rule (not whichever rule runs now) accepted a construct.
 *
 * @category models
 * @since 0.1.0
 */
export interface Running extends Run {
  readonly rule: LegacyRule
  /** Aborts when the run is interrupted (its timeout, the login's deadline, a denial elsewhere): shims cancel then. */
  readonly signal: AbortSignal
}

/**
 * The rule whose code is running in this async context, if any.
 *
 * @category getters
 * @since 0.1.0
 */
export const current = (): Running | undefined => running.getStore() as Running | undefined

/**
 * Reports an error a rule's callback threw inside one of rulefx's shims: it denies the login of the rule that made
 * the call, or is logged (scrubbed) when that rule's run is over. When no rule's code made the call, no login's secrets
 * are known to scrub the message with: the log line names the error's kind only.
 *
 * @category combinators
 * @since 0.1.0
 */
export const failCurrent = (error: unknown): void => {
  const run = running.getStore()
  if (run) return run.fail(error)
  // oxlint-disable-next-line no-console
  console.log(
    `rulefx legacy: a callback threw outside any rule (${kindOf(error)})`
  )
}

/**
 * The denial for what a rule's code raised outside its call (RuleFault): the generic reason, the error's message
 * scrubbed for the log.
 *
 * @category constructors
 * @since 0.1.0
 */
export const faultOf = (rule: string, error: unknown, scrub: (text: string) => string): LegacyRuleDenied =>
  deny(rule, new RuleFault(error), scrub)

/**
 * The login's faults (`session.faults`), checked when a rule ends and after the last: a rejection a rule's code left
 * unhandled, an exception raised after its rule ended. When there is one, or `always`, they are looked at after a
 * turn of the event loop: Node reports a handler attached in this turn (`rejectionHandled`), and a rejection made in it
 * and left unhandled (`unhandledRejection`), only once its microtasks have run out. So a rule that handles a rejection
 * and calls back in the same microtasks is not denied, and, with `always` (the last check), one that leaves a rejection
 * unhandled as it calls back is.
 *
 * @category combinators
 * @since 0.1.0
 */
export const settle = (session: Session, always = false): Effect.Effect<void, LegacyRuleDenied> =>
  Effect.suspend(() =>
    always || session.faults?.size
      ? Effect.callback<void, LegacyRuleDenied>((resume) => {
        setImmediate(() => {
          const [fault] = session.faults?.values() ?? []
          resume(fault ? Effect.fail(fault) : Effect.void)
        })
      })
      : Effect.void
  )

const deny = (rule: string, error: unknown, scrub: (text: string) => string) =>
  new LegacyRuleDenied({
    rule,
    reason: reasonOf(error, scrub),
    unauthorized: error instanceof UnauthorizedError,
    ...(isRulefx(error) ? { detail: scrub(error.message) } : {})
  })

// What a rule set on `context` that Actions cannot do: compared with the same fields before the rule ran, so only
// this rule's own change counts, and only when it did not accept the construct.
// Of context.samlConfiguration, with the `saml` option, only the keys Actions has no setter for count
// (SamlConfiguration.unsupported): the rest becomes api.samlResponse calls. Without it, any change counts.
const snapshot = (session: Session) => [
  json(session.context.primaryUser),
  json(
    session.saml ? session.saml.unsupported(session.context.samlConfiguration) : session.context.samlConfiguration ?? {}
  )
]

const refusedChange = (rule: LegacyRule, before: ReturnType<typeof snapshot>, session: Session) => {
  const after = snapshot(session)
  return ["context.primaryUser", "context.samlConfiguration"].find((construct, i) =>
    after[i] !== before[i] && !rule.accepted.includes(construct)
  )
}

// What a rule threw, with the rule's own name for a parameter `rulefx migrate` shortened where the engine's message
// starts with it (`e.app_metadata.roles.indexOf is not a function`): the message the user and the log see.
const named = (rule: LegacyRule, error: unknown): unknown => {
  const text = messageOf(error)
  const short = /^[\w$]+(?=[.[]| is not)/.exec(text)?.[0] ?? ""
  const name = rule.params?.[short]
  return typeof name === "string" && /^(Type|Reference)Error$/.test(messageOf(error, "name")) ?
    name + text.slice(short.length) :
    error
}

// An object a rule called back with in place of the one it was given.
const fresh = (u: unknown, old: unknown) => typeof u === "object" && u !== null && u !== old

/**
 * Runs a rule's function once on the session, under the rule's timeout. Succeeds when it calls back without an
 * error (the session then holds the `user` and `context` it passed) and the login has no fault (`settle`: a rejection
 * this rule's code left unhandled, say); fails with LegacyRuleDenied or RuleTimedOut.
 * `adopted` is called with the `user` and `context` a rule called back with, when they are new objects. `globals`
 * are what a rule compiled from source (Realm) finds under the Rules globals' names during this run.
 *
 * @category combinators
 * @since 0.1.0
 */
export const run = (
  rule: LegacyRule,
  fn: RuleFunction,
  session: Session,
  adopted: (user: RulesUser, context: RulesContext) => void = () => undefined,
  globals: Globals | {} = {}
): Effect.Effect<void, LegacyRuleDenied | Denial.RuleTimedOut> =>
  Effect.clockWith((clock) =>
    Effect.callback<void, LegacyRuleDenied | Denial.RuleTimedOut>((resume) => {
      let done = false
      const before = snapshot(session)
      // The rule's timeout: a sleep on the Effect clock (a test's TestClock too), started before anything can end the
      // run. Not Effect.timeoutOrElse, whose race machinery (raceFirst, timeoutOption) only this module would bring
      // into the Action: about 350 bytes of the 100 kB.
      const timer = Effect.runFork(clock.sleep(rule.timeout))
      // The run's signal: aborted when the run ends before its rule does (its timeout, or the run interrupted by the
      // login's deadline or a denial elsewhere), so the shims' requests end with it. One controller per run: the
      // callback's own signal (a second one) is not asked for.
      const stopped = new AbortController()
      const end = () => {
        done = true
        active.delete(handle)
        timer.interruptUnsafe()
      }
      const finish = (error: unknown, ok: boolean) => {
        if (done) return
        end()
        // An error without a value (`throw undefined`, a rejection without a reason) still denies, generically.
        resume(ok ? Effect.void : Effect.fail(deny(rule.name, error ?? "", session.scrub)))
      }
      // What the rule's code raised: thrown, rejected, or thrown by its callback inside a shim (`failCurrent`).
      const crashed = (error: unknown) => finish(named(rule, error), false)
      const succeed = () => {
        const refused = refusedChange(rule, before, session)
        finish(refused && new UnsupportedConstruct(refused), refused === undefined)
      }
      // A fault of the login (see `settle`). One raised after the rule ended is logged, and denies the login if it is
      // still in flight when the next rule ends or the last has.
      const hold = (key: object, error: unknown) => {
        if (!session.closed) (session.faults ??= new Map()).set(key, faultOf(rule.name, error, session.scrub))
        if (done) {
          // oxlint-disable-next-line no-console
          console.log(session.scrub(
            `rulefx legacy rule=${rule.name.slice(0, 64)}: its code raised after the rule ended: ${
              messageOf(error).slice(0, 160)
            }`
          ))
        }
      }
      const handle: Running = {
        rule,
        signal: stopped.signal,
        globals: globals as Readonly<Record<string, unknown>>,
        vars: Object.create(null),
        fail: (error) => done ? hold({}, error) : crashed(error),
        hold,
        release: (promise) => void session.faults?.delete(promise)
      }
      active.add(handle)
      session.handle = handle
      timer.addObserver((exit) => {
        if (done || exit._tag === "Failure") return
        end()
        stopped.abort()
        // A rejection the rule still leaves unhandled names the cause of the wait in the log.
        resume(Effect.fail(
          session.faults?.values().next().value ??
            new Denial.RuleTimedOut({ rule: rule.name, millis: Duration.toMillis(rule.timeout) })
        ))
      })
      const callback = (error?: unknown, user?: unknown, context?: unknown) => {
        if (done) return
        if (error !== null && error !== undefined) return finish(error, false)
        const newUser = fresh(user, session.user)
        const newContext = fresh(context, session.context)
        if (newUser) session.user = user as RulesUser
        if (newContext) session.context = context as RulesContext
        if (newUser || newContext) adopted(session.user, session.context)
        succeed()
      }
      // A timeout that ended at once (0 or less, on a TestClock) has denied: the rule's code does not run after it.
      if (!done) {
        try {
          const result: unknown = running.run(handle, () => fn(session.user, session.context, callback))
          if (Predicate.isPromiseLike(result)) {
            result.then(
              () => {
                // An async rule without a callback parameter is done when it resolves; one with it must still call
                // back.
                if (fn.length < 3 && !done) succeed()
              },
              crashed
            )
          }
        } catch (error) {
          crashed(error)
        }
      }
      // Interrupted (by the login's deadline, or a denial elsewhere): whatever the rule does later is ignored.
      return Effect.sync(() => {
        end()
        stopped.abort()
      })
    })
  ).pipe(Effect.andThen(settle(session)))
