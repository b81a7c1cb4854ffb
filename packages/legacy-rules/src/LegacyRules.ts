/**
 * LegacyRules: a list of unmodified Auth0 Rules, run in order with Rules semantics inside a rulefx pipeline.
 *
 * The rules run one after another on one per-login `user` and `context` (RulesContext.fromEvent), so what a rule
 * mutates is seen by the rules after it, as under Rules. Their run is a fact, `State`: typed rules read the final
 * `user` and `context` with `yield* legacy.State`, and wait for the legacy rules to finish. The `rule` records what
 * the legacy rules asked of the login, once, after the last of them:
 *
 * | Rules | Decision |
 * |---|---|
 * | `context.idToken[k] = v` / `context.accessToken[k] = v` | ID / access-token claim `k`; one holding a secret denies |
 * | `context.accessToken.scope = [...]` | scopes added / removed against the requested ones |
 * | `user.picture = v` (a standard profile claim) | ID-token claim `picture` |
 * | `context.multifactor = { provider, allowRememberBrowser }` | MFA |
 * | `context.redirect = { url }` | redirect to `url` as parsed, with only the metadata writes (`/continue` sets the rest) |
 * | `context.samlConfiguration.mappings` / `.<setting>` | SAML attributes (values read from the final `user`) and settings, with the `saml` option (SamlConfiguration) |
 * | `auth0.users.updateAppMetadata(user.user_id, md)` | app_metadata writes, per changed top-level key |
 *
 * Nothing else is persisted: changes to `user` itself stay in this login, as they did under Rules. Metadata written
 * through `auth0` before a rule denies is still written, as under Rules (core's Denial.withCommitted); nothing else
 * of a denied login is.
 *
 * @since 0.1.0
 */
import * as ClaimName from "@rulefx/core/ClaimName"
import * as Decision from "@rulefx/core/Decision"
import {
  Class as DenialClass,
  type Denial,
  genericMessage,
  MissingSecret,
  type RuleTimedOut,
  withCommitted
} from "@rulefx/core/Denial"
import * as Fact from "@rulefx/core/Fact"
import { Login } from "@rulefx/core/Login"
import * as Pipeline from "@rulefx/core/Pipeline"
import * as Rule from "@rulefx/core/Rule"
import { Secrets } from "@rulefx/core/Secrets"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import { adopt, own } from "./internal/adopt.ts"
import { callbackErrorsKey as internalCallbackErrorsKey } from "./internal/callbackErrors.ts"
import { install } from "./internal/faults.ts"
import { httpUrl } from "./internal/httpUrl.ts"
import { json } from "./internal/json.ts"
import { moduleName as internalModuleName } from "./internal/moduleName.ts"
import { objectOf } from "./internal/objectOf.ts"
import { running } from "./internal/running.ts"
import { type Scrubber, scrubberOf } from "./internal/scrubber.ts"
import { stringList } from "./internal/stringList.ts"
import * as LegacyRule from "./LegacyRule.ts"
import { empty } from "./Realm.ts"
import * as RulesContext from "./RulesContext.ts"
import type * as SamlConfiguration from "./SamlConfiguration.ts"

/**
 * What the legacy rules left behind: the final `user` and `context`, and the metadata they wrote through `auth0`.
 *
 * @category models
 * @since 0.1.0
 */
export interface State {
  readonly user: RulesContext.RulesUser
  readonly context: RulesContext.RulesContext
  readonly appMetadata: Readonly<Record<string, unknown>>
  readonly userMetadata: Readonly<Record<string, unknown>>
  /** The requested scopes, to diff `context.accessToken.scope` against. */
  readonly requestedScopes: ReadonlyArray<string>
  /** The profile claims as the event had them, to tell which a rule changed. */
  readonly originalClaims: Readonly<Record<string, string>>
  readonly resumed: boolean
}

/**
 * Options of a set of legacy rules.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** What `require(name)` returns, by module name (a pinned `@version` is dropped before the lookup). */
  readonly modules?: Readonly<Record<string, unknown>>
  /** Rules' `global`. Pass one object to the sets for `onExecutePostLogin` and `onContinuePostLogin` to share it. */
  readonly global?: Record<string, unknown>
  /** True for the pass in `onContinuePostLogin`: `context.protocol` is "redirect-callback", redirects are ignored. */
  readonly resumed?: boolean
  /**
   * `context.samlConfiguration` as `api.samlResponse` (SamlConfiguration.support). Opt-in, so that rules that never
   * set it do not carry the mapping; without it, a rule that changes `context.samlConfiguration` is refused.
   */
  readonly saml?: SamlConfiguration.Support
}

/**
 * How a legacy rule's run can deny: its own error (LegacyRuleDenied), its timeout, or a setting it names that the
 * Action lacks.
 *
 * @category models
 * @since 0.1.0
 */
export type Errors = LegacyRule.LegacyRuleDenied | RuleTimedOut | MissingSecret

/**
 * The rules set `context.redirect` without a URL Auth0 can send the user to (a missing setting, say). Under Rules the
 * login would have failed at the redirect; here it is denied rather than let through without the detour.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidRedirect extends /* @__PURE__ */ DenialClass("InvalidRedirect")<{}> {
  override get message(): string {
    return genericMessage
  }
}

/**
 * A legacy rule put the value of one of the Action's secrets into a claim (`context.idToken.x = configuration.KEY`):
 * tokens go to the application and often the browser, so the login is denied rather than the secret sent. `claim`
 * and `secret` are names, for the log line of the denial; the value is never kept.
 *
 * @category errors
 * @since 0.1.0
 */
export class SecretInClaim extends /* @__PURE__ */ DenialClass("SecretInClaim")<{
  readonly claim: string
  readonly secret: string
}> {
  override get message(): string {
    return genericMessage
  }
}

/**
 * A legacy rule put the value of one of the Action's secrets into the URL of `context.redirect`, as a whole part of it
 * (`"https://x?key=" + configuration.KEY`): the browser would carry it, so the login is denied instead, as for a
 * secret in a claim. `secret` is its name, for the log line of the denial; the value is never kept.
 *
 * @category errors
 * @since 0.1.0
 */
export class SecretInRedirect extends /* @__PURE__ */ DenialClass("SecretInRedirect")<{ readonly secret: string }> {
  override get message(): string {
    return genericMessage
  }
}

/**
 * A set of legacy rules: the fact that runs them and the rule that records what they asked.
 *
 * @category models
 * @since 0.1.0
 */
export interface LegacyRules {
  readonly State: Fact.Fact<"LegacyRules", State, Errors, Login | Secrets>
  readonly rule: Rule.Rule<Errors | InvalidRedirect | SecretInClaim | SecretInRedirect, Fact.Id<"LegacyRules">>
}

const rulesMfaProviders = /^(any|guardian|google-authenticator|duo)$/

/**
 * A module name without a pinned version: `lodash@4.17.21` is `lodash`, `@scope/pkg@1.0.0` is `@scope/pkg`,
 * `lodash@4.17.21/fp` is `lodash/fp` (the name Analyze gives it, so the lookup matches the bundle).
 *
 * @category getters
 * @since 0.1.0
 */
export const moduleName: (specifier: string) => string = internalModuleName

// The arguments are joined, then scrubbed (the scrubber skips whitespace, so a secret split across arguments or lines
// still goes), then cut to Auth0's 256 characters per line; a value JSON cannot hold (a cycle, a BigInt) is named.
// Only the first 4096 characters are scrubbed, the cost of a huge line: what a cut there leaves of a secret is a run
// the scrubber would leave anyway, less than half of it.
const consoleFor = (rule: string, scrub: (text: string) => string): LegacyRule.Globals["console"] => {
  const line = (...args: ReadonlyArray<unknown>) => {
    const joined = args.map((a) => typeof a === "string" ? a : json(a)).join(" ")
    const said = scrub(joined.slice(0, 4096)).replace(/\s+/g, " ")
    const text = `rulefx legacy rule=${rule.slice(0, 64)}: ${said}`
    // oxlint-disable-next-line no-console
    console.log(text.length > 256 ? `${text.slice(0, 255)}…` : text)
  }
  return { log: line, info: line, warn: line, error: line, debug: line }
}

// Calls a rule's callback on its behalf; if it throws, the run of the rule that made the call (found through the
// async context) ends with that error, a denial for its login, instead of an uncaught exception that would end the
// Action for every login in flight.
const callSafely = (callback: (...args: Array<unknown>) => void, ...args: Array<unknown>) => {
  try {
    callback(...args)
  } catch (error) {
    LegacyRule.failCurrent(error)
  }
}

type Writes = Record<string, unknown>

// Keys that would reach an object's prototype when merged (a `__proto__` key parsed from JSON replaces it).
const unsafeKeys = /^(__proto__|constructor|prototype)$/

// The login is denied: an answer that never comes cannot become a rejection nobody handles (`.then(cb)` alone).
const refuse = (error: Error): Promise<void> => {
  LegacyRule.failCurrent(error)
  return new Promise(() => {})
}

// Asks the rule whose code reads the field (its async context), not whichever rule runs now. The refusal denies that
// rule's login even where the read is caught or comes late (from a timer).
const guard = (construct: string) => {
  const run = LegacyRule.current()
  if (run?.rule.accepted.includes(construct) !== true) {
    const error = new LegacyRule.UnsupportedConstruct(construct)
    run?.fail(error)
    throw error
  }
}

// Rules' auth0.users.update*Metadata: a top-level merge into the profile, where null deletes a key. The write is
// recorded only for keys whose value differs from the event's (the field as the writer is made, before any rule ran)
// or was written before, and the session's user sees the merge at once (in a new object: the rule's own is left as it
// was), so later rules read it. A write Actions cannot make (another user, not an object, a key that would reach a
// prototype) denies the rule that asked, whether or not it looks at the answer.
const metadataWriter = (
  session: LegacyRule.Session,
  field: "app_metadata" | "user_metadata",
  writes: Writes
) => {
  const original = structuredClone(session.user[field])
  return (userId: string, metadata: unknown, callback?: (error: unknown) => void): Promise<void> => {
    if (userId !== session.user.user_id) {
      return refuse(new Error(`auth0.users: only the user logging in can be updated from a legacy rule in an Action`))
    }
    if (!Predicate.isObject(metadata)) return refuse(new Error(`auth0.users: ${field} must be an object`))
    const keys = Object.keys(metadata)
    const unsafe = keys.find((key) => unsafeKeys.test(key))
    if (unsafe !== undefined) {
      consoleFor(LegacyRule.current()?.rule.name ?? "", session.scrub).error(
        `auth0.users: ${field} key "${unsafe}" refused`
      )
      return refuse(new LegacyRule.UnsupportedConstruct(`a ${field} key "${unsafe}"`))
    }
    // A new object of the data realm (see Realm.empty), like the rest of `user`: the one `user` pointed at may be
    // shared by the rule (a default kept in `global`), and under Rules the write was an API call that changed no
    // object of the rule's.
    const current = empty(false) as Record<string, unknown>
    const before = session.user[field]
    if (Predicate.isObject(before)) {
      for (const key of Object.keys(before)) if (key !== "__proto__") current[key] = before[key]
    }
    for (const key of keys) {
      const value = metadata[key]
      // Rules sent the object as JSON, where an undefined value is simply absent.
      if (value === undefined) continue
      if (key in writes || json(value) !== json(Object.hasOwn(original, key) ? original[key] : null)) {
        writes[key] = structuredClone(value)
      }
      if (value === null) delete current[key]
      else current[key] = adopt(structuredClone(value))
    }
    session.user[field] = current
    if (typeof callback === "function") queueMicrotask(() => callSafely(callback, null))
    return Promise.resolve()
  }
}

const runSignal = () => LegacyRule.current()?.signal

/**
 * The key under which rulefx's `request` shim offers a variant whose callbacks report what they throw (see
 * Request.make); LegacyRules gives the rules that variant, so a throwing callback denies instead of crashing.
 *
 * @category constants
 * @since 0.1.0
 */
export const callbackErrorsKey: string = internalCallbackErrorsKey

// auth0.accessToken, .domain and .baseUrl: no Management API token in an Action. Read only where accepted. Not
// enumerable (defineProperty's default for a new property).
const managementGetters = (auth0: object, guard: (construct: string) => void) => {
  for (const key of ["accessToken", "domain", "baseUrl"]) {
    Object.defineProperty(auth0, key, {
      get: () => {
        guard(`auth0.${key}`)
        return undefined
      }
    })
  }
}

/**
 * Makes a set of legacy rules that run in the order given.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (rules: ReadonlyArray<LegacyRule.LegacyRule>, options: Options = {}): LegacyRules => {
  install()
  // rulefx's request shim offers a variant whose throwing callbacks are reported and whose requests end with the
  // run of the rule that made them (callbackErrorsKey): one for all logins, since both go to the rule whose async
  // context made the call, even if a rule cached the module.
  const modules: Record<string, unknown> = {}
  for (const [name, module] of Object.entries(options.modules ?? {})) {
    const safe = typeof module === "function"
      ? (module as unknown as Record<string, unknown>)[internalCallbackErrorsKey]
      : undefined
    modules[name] = typeof safe === "function" ? safe(LegacyRule.failCurrent, runSignal) : module
  }
  const global = options.global ?? {}
  const resumed = options.resumed === true
  const requireFor = (rule: string, session: LegacyRule.Session) => (id: string): unknown => {
    const name = internalModuleName(String(id))
    if (Object.hasOwn(modules, name)) return modules[name]
    // Thrown inside the rule, like a failed require under Rules: the rule's run turns it into a denial.
    const error = new LegacyRule.ModuleNotBundled(name)
    consoleFor(rule, session.scrub).error(error.message)
    throw error
  }
  const State = Fact.make(
    "LegacyRules",
    Effect.gen(function*() {
      const login = yield* Login
      const secrets = yield* Secrets
      const configuration: Record<string, string> = {}
      for (const name of secrets.names) {
        const value = yield* secrets.getOption(name)
        if (value._tag === "Some") configuration[name] = Redacted.value(value.value)
      }
      // One frozen object for all the rules of this login: no rule can change what the next one reads.
      Object.freeze(configuration)
      const scrubber = scrubberOf(configuration)
      const session: LegacyRule.Session = {
        ...RulesContext.fromEvent(login.raw, { resumed, guard }),
        scrub: scrubber.scrub,
        ...(options.saml && { saml: options.saml })
      }
      const originalClaims: Record<string, string> = {}
      for (const claim of ClaimName.profile) originalClaims[claim] = json(session.user[claim])
      const appMetadata: Writes = Object.create(null)
      const userMetadata: Writes = Object.create(null)
      const auth0: LegacyRule.Auth0Client = {
        users: {
          updateAppMetadata: metadataWriter(session, "app_metadata", appMetadata),
          updateUserMetadata: metadataWriter(session, "user_metadata", userMetadata)
        }
      }
      managementGetters(auth0, guard)
      // Under Rules, a metadata update was written at once: a later denial did not undo it. Copied at the denial, so
      // a rule still running after its timeout adds nothing.
      const committed = <D extends Denial>(denial: D) =>
        withCommitted(denial, {
          appMetadata: structuredClone(appMetadata),
          userMetadata: structuredClone(userMetadata)
        })
      const guardNew = (user: object, context: object) => RulesContext.installGuards(user, context, guard)
      let last = ""
      return yield* Effect.onExit(
        Effect.gen(function*() {
          for (const [i, rule] of rules.entries()) {
            last = rule.name
            // A setting the rule names but the Action lacks is a misconfiguration: denied before the rule runs.
            for (const setting of rule.settings) {
              if (!Object.hasOwn(configuration, setting)) {
                yield* Effect.logError(`missing secret ${setting}`).pipe(
                  Effect.andThen(Effect.fail(committed(new MissingSecret({ name: setting })))),
                  Effect.annotateLogs({ rule: rule.name })
                )
              }
            }
            const globals: LegacyRule.Globals = {
              configuration,
              global,
              auth0,
              UnauthorizedError: LegacyRule.UnauthorizedError,
              require: requireFor(rule.name, session),
              console: consoleFor(rule.name, session.scrub)
            }
            // The run ends with the login's faults settled (LegacyRule.settle): a rejection its code or an earlier rule's
            // left unhandled, a fault raised after an earlier rule ended.
            yield* LegacyRule.run(rule, rule.load(globals), session, guardNew, globals).pipe(
              Effect.mapError(committed),
              Effect.annotateLogs({ rule: rule.name })
            )
            // The next rule works on copies in the data realm, and rulefx and the typed rules read what the last left as
            // rulefx's own objects: nothing keeps a rule's realm. The copy reads what the rule left (a getter, a Proxy),
            // and so may putting the guards back on a class instance it kept: what that throws denies as a fault of the
            // rule, scrubbed for the log.
            const into = i < rules.length - 1 ? empty : own
            yield* leftovers(session, rule.name, committed, () => {
              session.user = adopt(session.user, into)
              session.context = adopt(session.context, into)
              guardNew(session.user, session.context)
            })
          }
          const state: State = {
            user: session.user,
            context: session.context,
            appMetadata,
            userMetadata,
            requestedScopes: stringList(objectOf(login.raw["transaction"])["requested_scopes"]),
            originalClaims,
            resumed
          }
          // What the login becomes is read now, in the last rule's async context, before the last check.
          plans.set(state, yield* leftovers(session, last, committed, () => plan(state, scrubber, options.saml)))
          // A fault raised after the last rule ended, or while its leftovers were read, denies too: looked for after a
          // turn of the event loop, in which Node reports a rejection left unhandled as the last rule called back.
          yield* Effect.mapError(LegacyRule.settle(session, true), committed)
          return state
        }),
        // Let through or denied, the login is decided: what its rules' code raises later is logged only.
        () =>
          Effect.sync(() => {
            session.closed = true
          })
      )
    })
  )
  const rule = Rule.make("legacy-rules", Effect.flatMap(State.asEffect(), record))
  return { State, rule }
}

const scopeList = (u: unknown): ReadonlyArray<string> | undefined =>
  Array.isArray(u)
    ? stringList(u)
    : typeof u === "string"
    ? u.split(" ").filter((s) => s)
    : undefined

// Any value a rule left in context.multifactor asks for MFA (unset, null or false do not): with its provider when
// it names one Rules knew, and "any" otherwise, since requiring a factor is the safe reading of an unclear request.
// "none" was never a Rules provider; in Actions it would lift the requirement, so it reads as "any" too.
const mfaOf = (u: unknown): Effect.Effect<void, never, Decision.Decisions> => {
  if (u === undefined || u === null || u === false) return Effect.void
  const asked = objectOf(u)
  // Each field read once: a getter of what a rule left may answer differently each time, and the provider checked must
  // be the one recorded (a "none" recorded after a "guardian" checked would lift the requirement).
  const named = asked["provider"]
  const provider = typeof named === "string" && rulesMfaProviders.test(named)
    ? named as Decision.Mfa["provider"]
    : "any"
  let providerOptions: Record<string, string> | undefined
  if (provider === "duo") {
    for (const key of ["ikey", "skey", "host", "username"]) {
      const value = asked[key]
      if (typeof value === "string") (providerOptions ??= {})[key] = value
    }
  }
  return Decision.requireMfa(provider, {
    allowRememberBrowser: asked["allowRememberBrowser"] === true,
    providerOptions
  })
}

// The parts of a URL a secret could fill whole, as written and decoded: the user and password, each path segment, and
// each key and value of the query and of the fragment (read as a query). A setting the URL starts with (the page to
// send the user to) is none of them: that is what settings in a redirect are for.
const urlParts = (url: URL): Array<string> => {
  const parts = [url.username, url.password, ...url.pathname.split("/")]
  for (const pair of `${url.search.slice(1)}&${url.hash.slice(1)}`.split("&")) parts.push(...pair.split(/=(.*)/s))
  return parts.concat(parts.map((part) => {
    try {
      return decodeURIComponent(part)
    } catch {
      return part
    }
  }))
}

/** How record can deny: what the rules asked cannot be sent, or reading it ran rule code that failed. */
type RecordDenial = LegacyRule.LegacyRuleDenied | InvalidRedirect | SecretInClaim | SecretInRedirect

// What each State's login becomes (see `plan`), read by `make` before its last check.
const plans = new WeakMap<State, Effect.Effect<void, RecordDenial, Decision.Decisions>>()

// Runs `read`, rulefx reading what rule `rule` left (a getter, a Proxy, a claim's `toJSON` may run the rule's code),
// in that rule's async context: what the code throws denies as the rule's fault, scrubbed for the log, and a
// rejection it leaves is held for the login's next check, as one raised after the rule ended.
const leftovers = <A>(
  session: LegacyRule.Session,
  rule: string,
  committed: <D extends Denial>(denial: D) => D,
  read: () => A
): Effect.Effect<A, LegacyRule.LegacyRuleDenied> =>
  Effect.try({
    try: () => running.run(session.handle!, read),
    catch: (error) => committed(LegacyRule.faultOf(rule, error, session.scrub))
  })

// What the legacy rules asked of the login, read once from what they left, as the decisions to record: every value
// that could run a rule's code is read here, and the Effect returned reads only rulefx's own data.
const plan = (
  state: State,
  scrubber: Scrubber,
  saml: SamlConfiguration.Support | undefined
): Effect.Effect<void, RecordDenial, Decision.Decisions> => {
  // Metadata the rules wrote is kept when they are denied here, as with any other denial of theirs.
  const deny = (denial: RecordDenial) =>
    Effect.fail(withCommitted(denial, { appMetadata: state.appMetadata, userMetadata: state.userMetadata }))
  // Tokens go to the application, often to the browser: a claim holding a secret's value denies the login (with the
  // generic reason; its log line names the claim and the secret, never the value). The claims set before it are
  // dropped with it: a rule's decisions count only when it succeeds. A value JSON has no text for (a function) is
  // recorded as undefined, which the adapter refuses (NotJson).
  const claim = (set: typeof Decision.setIdTokenClaim, name: string, value: unknown) => {
    const text = JSON.stringify(value) as string | undefined
    const secret = scrubber.heldIn(text ?? "")
    return secret === undefined
      ? set(name, text && JSON.parse(text))
      : deny(new SecretInClaim({ claim: name, secret }))
  }
  const { context, user } = state
  const redirect = context.redirect as unknown
  if (!state.resumed && !(redirect === undefined || redirect === null || redirect === false)) {
    const url = httpUrl(objectOf(redirect)["url"])
    // A redirect the rules asked for but that cannot happen must not turn into a login without the detour.
    if (url === undefined) {
      return Effect.logError("context.redirect holds no http(s) url").pipe(Effect.andThen(deny(new InvalidRedirect())))
    }
    // The browser carries the URL (and its history, and the next site's logs): a secret there denies, as in a claim.
    const secret = scrubber.heldIn(json(urlParts(url)))
    // Rules redirected after the last rule and issued tokens only after the pass on /continue, which starts from a
    // fresh context: this pass's claims, scopes and MFA never reached a token. Only its metadata writes (made at once
    // under Rules) and the redirect count.
    return secret === undefined
      ? Effect.andThen(Decision.redirect(url.href), persist(state))
      : deny(new SecretInRedirect({ secret }))
  }
  const steps: Array<Effect.Effect<void, RecordDenial, Decision.Decisions>> = []
  const idToken = objectOf(context.idToken)
  const accessToken = objectOf(context.accessToken)
  for (const name of ClaimName.profile) {
    if (user[name] !== undefined && json(user[name]) !== state.originalClaims[name] && !(name in idToken)) {
      steps.push(claim(Decision.setIdTokenClaim, name, user[name]))
    }
  }
  for (const key of Object.keys(idToken)) {
    if (idToken[key] !== undefined) steps.push(claim(Decision.setIdTokenClaim, key, idToken[key]))
  }
  for (const key of Object.keys(accessToken)) {
    if (key !== "scope" && accessToken[key] !== undefined) {
      steps.push(claim(Decision.setAccessTokenClaim, key, accessToken[key]))
    }
  }
  const scopes = scopeList(accessToken["scope"])
  if (scopes !== undefined) {
    for (const scope of scopes) if (!state.requestedScopes.includes(scope)) steps.push(Decision.addScope(scope))
    for (const scope of state.requestedScopes) if (!scopes.includes(scope)) steps.push(Decision.removeScope(scope))
  }
  // A SAML response goes through the browser, as a token may: a secret in an attribute denies, as in a claim.
  if (saml !== undefined) {
    steps.push(
      saml.record(
        context.samlConfiguration,
        user,
        (uri, secret) => deny(new SecretInClaim({ claim: uri, secret })),
        scrubber.heldIn
      )
    )
  }
  steps.push(mfaOf(context.multifactor), persist(state))
  return Effect.forEach(steps, (step) => step, { discard: true })
}

/**
 * Records what the legacy rules asked of the login (the table in the module's description). A redirect is sent to
 * its URL as the URL parser reads it; a claim, or a whole part of the redirect's URL (a query value, a path segment),
 * that holds the value of one of the Action's secrets denies the login (SecretInClaim, SecretInRedirect). A claim is
 * recorded as the JSON the token will hold, read once: what was checked is what is sent.
 *
 * What the rules left may run their code when read (a class instance's getter, a claim's `toJSON`): `make` reads it
 * all after the last rule, in that rule's async context and before the login's last check, so what that code throws
 * or leaves rejected denies the login as a fault of the last rule (LegacyRuleDenied, the generic reason, its message
 * scrubbed for the log), as the copy between rules does. A State not made by `make` is refused (a defect: denied).
 *
 * @category combinators
 * @since 0.1.0
 */
export const record = (state: State): Effect.Effect<void, RecordDenial, Decision.Decisions> =>
  plans.get(state) ?? Effect.die("LegacyRules.record: a State not made by LegacyRules.make")

// The metadata writes, each top-level key as Decision.persistAppMetadata / persistUserMetadata records it, in one step.
const persist = (state: State): Effect.Effect<void, never, Decision.Decisions> =>
  Decision.recordWith((draft) => {
    Object.assign(draft.appMetadata, state.appMetadata)
    Object.assign(draft.userMetadata, state.userMetadata)
  })

/**
 * The pipeline of a set of legacy rules alone: what `rulefx migrate` builds.
 *
 * @category constructors
 * @since 0.1.0
 */
export const pipeline = (legacy: LegacyRules) => Pipeline.make({ facts: [legacy.State], rules: [legacy.rule] })
