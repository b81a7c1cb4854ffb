/**
 * RulesContext: the `user` and `context` a legacy Auth0 Rule expects, rebuilt from a post-login Action event.
 *
 * Actions renamed and regrouped what Rules saw. Each login gets fresh, mutable copies in the Rules shape (section 5
 * of the Auth0 reference): geoip keys back in snake_case, `stats.loginsCount`, authentication timestamps as epoch
 * milliseconds, `clientID`/`connectionStrategy`, `idToken`/`accessToken` as empty writable objects. A rule may
 * mutate them; nothing here reaches Auth0 except through LegacyRules' translation at the end.
 *
 * Fields with no Actions equivalent (`connectionOptions`, `sso.with_auth0`, `sso.with_dbconn`, `user.permissions`)
 * ask a guard when read: `rulefx migrate` refuses rules that use them unless the user accepted the construct, and
 * at run time a read by a rule that did not accept it (through an alias) is refused too; accepted, they read as
 * empty (`{}`, `false`, `undefined`).
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"
import { adopt } from "./internal/adopt.ts"
import { objectOf } from "./internal/objectOf.ts"
import { stringList } from "./internal/stringList.ts"

/**
 * The Rules-shaped user: the Action's `event.user`, deep-copied. Rules saw `app_metadata` as undefined for a user
 * without any; Actions always sends an object, and rules written as `user.app_metadata || {}` work with both.
 *
 * @category models
 * @since 0.1.0
 */
export interface RulesUser {
  user_id: string
  email?: string
  email_verified?: boolean
  app_metadata: Record<string, unknown>
  user_metadata: Record<string, unknown>
  [key: string]: unknown
}

/**
 * The Rules-shaped context. Writable parts (`idToken`, `accessToken`, `multifactor`, `redirect`) are what the
 * rules ask of the login; LegacyRules turns them into a Decision after the last rule.
 *
 * @category models
 * @since 0.1.0
 */
export interface RulesContext {
  tenant: string | undefined
  clientID: string
  clientName: string
  clientMetadata: Record<string, string>
  connection: string
  connectionID: string
  connectionStrategy: string
  connectionMetadata: Record<string, string>
  connectionOptions: Record<string, unknown>
  protocol: string | undefined
  request: {
    userAgent: string | undefined
    ip: string
    hostname: string | undefined
    query: Record<string, unknown>
    body: Record<string, unknown>
    geoip: Record<string, unknown>
  }
  stats: { loginsCount: number }
  sso: { with_auth0: boolean; with_dbconn: boolean; current_clients: Array<string> }
  sessionID: string | undefined
  accessToken: Record<string, unknown>
  idToken: Record<string, unknown>
  multifactor: Record<string, unknown> | undefined
  redirect: { url: string } | undefined
  primaryUser: string | undefined
  authentication: { methods: Array<{ name: string; timestamp: number; [key: string]: unknown }> }
  authorization: { roles: Array<string> }
  organization: Record<string, unknown> | undefined
  riskAssessment: Record<string, unknown> | undefined
  samlConfiguration: Record<string, unknown>
  [key: string]: unknown
}

/**
 * The protocol Rules saw when a login resumed after a redirect: every rule ran again with it.
 *
 * @category constants
 * @since 0.1.0
 */
export const redirectCallback = "redirect-callback"

// Actions' camelCase geoip keys that Rules had in snake_case (countryCode3 is country_code3); latitude, longitude and
// any other key keep their names.
const geoipRenamed = /^(country(Code3?|Name)|cityName|timeZone|continentCode|subdivision(Code|Name))$/

const strings = (u: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(objectOf(u)).filter(([, value]) => typeof value === "string")) as Record<
    string,
    string
  >

const str = (u: unknown): string | undefined => typeof u === "string" ? u : undefined

const text = (u: unknown): string => String(u ?? "")

const geoip = (u: unknown): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  if (Predicate.isObject(u)) {
    for (const key of Object.keys(u)) {
      out[geoipRenamed.test(key) ? key.replace(/[A-Z]/g, "_$&").toLowerCase() : key] = u[key]
    }
  }
  return out
}

const methods = (u: unknown): RulesContext["authentication"]["methods"] =>
  Array.isArray(u)
    ? u.filter(Predicate.isObject).map((m) => {
      const at = typeof m["timestamp"] === "number" ? m["timestamp"] : Date.parse(String(m["timestamp"]))
      return Object.assign(structuredClone(m), { name: String(m["name"]), timestamp: at })
    })
    : []

/**
 * Builds fresh Rules-shaped `user` and `context` from a post-login event (without its secrets). `resumed` is true
 * when the login comes back from a redirect (`onContinuePostLogin`): `context.protocol` is then
 * "redirect-callback", as in Rules, and `context.request` is the `/continue` request.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromEvent = (
  event: Readonly<Record<string, unknown>>,
  options: {
    readonly resumed?: boolean
    /**
     * Called when a rule reads a field with no Actions equivalent (`context.connectionOptions`,
     * `context.sso.with_auth0`, `context.sso.with_dbconn`, `user.permissions`); it throws to refuse the read.
     */
    readonly guard?: (construct: string) => void
  } = {}
): { readonly user: RulesUser; readonly context: RulesContext } => {
  const user = objectOf(event["user"])
  const client = objectOf(event["client"])
  const connection = objectOf(event["connection"])
  const request = objectOf(event["request"])
  const transaction = objectOf(event["transaction"])
  const authentication = objectOf(event["authentication"])
  const session = objectOf(event["session"])
  const stats = objectOf(event["stats"])
  const tenant = objectOf(event["tenant"])
  const rulesUser: RulesUser = {
    ...user,
    user_id: String(user["user_id"]),
    app_metadata: objectOf(user["app_metadata"]),
    user_metadata: objectOf(user["user_metadata"])
  }
  // Without the guarded fields (connectionOptions, sso.with_auth0, sso.with_dbconn): the guards put them on the copy.
  const context = {
    tenant: str(tenant["id"]),
    clientID: text(client["client_id"]),
    clientName: text(client["name"]),
    clientMetadata: strings(client["metadata"]),
    connection: text(connection["name"]),
    connectionID: text(connection["id"]),
    connectionStrategy: text(connection["strategy"]),
    connectionMetadata: strings(connection["metadata"]),
    protocol: options.resumed === true ? redirectCallback : str(transaction["protocol"]),
    request: {
      userAgent: str(request["user_agent"]),
      ip: text(request["ip"]),
      hostname: str(request["hostname"]),
      query: objectOf(request["query"]),
      body: objectOf(request["body"]),
      geoip: geoip(request["geoip"])
    },
    stats: { loginsCount: typeof stats["logins_count"] === "number" ? stats["logins_count"] : 0 },
    sso: {
      current_clients: Array.isArray(session["clients"])
        ? session["clients"].filter(Predicate.isObject).map((c) => String(c["client_id"]))
        : []
    },
    sessionID: str(session["id"]),
    accessToken: {},
    idToken: {},
    multifactor: undefined,
    redirect: undefined,
    primaryUser: undefined,
    authentication: { methods: methods(authentication["methods"]) },
    authorization: { roles: stringList(objectOf(event["authorization"])["roles"]) },
    organization: Predicate.isObject(event["organization"]) ? event["organization"] : undefined,
    riskAssessment: Predicate.isObject(authentication["riskAssessment"]) ? authentication["riskAssessment"] : undefined,
    samlConfiguration: {}
  } as RulesContext
  // Copied into the data realm (see Realm.empty), without the event's own `__proto__` keys (user_metadata is the
  // user's to edit): a rule's hand-written deep merge into `user.app_metadata` reaches no prototype through them.
  const copy = adopt({ user: rulesUser, context })
  installGuards(copy.user, copy.context, options.guard ?? (() => undefined))
  return copy
}

/**
 * Puts the guarded fields (see `fromEvent`) on a `user` and `context` that lack them: a rule that called back with
 * new objects (a deep copy, a rebuilt context) must not read those fields unguarded in the rules after it.
 *
 * @category combinators
 * @since 0.1.0
 */
export const installGuards = (user: object, context: object, guard: (construct: string) => void): void => {
  guarded(context, "context.", "connectionOptions", {}, guard)
  const sso = (context as { sso?: unknown }).sso
  if (typeof sso === "object" && sso !== null) {
    guarded(sso, "context.sso.", "with_auth0", false, guard)
    guarded(sso, "context.sso.", "with_dbconn", false, guard)
  }
  guarded(user, "user.", "permissions", undefined, guard)
}

// A field Actions cannot fill, unless the object has it already: reading it asks `guard` about the construct (`path`
// and `key`) first, which throws unless the rule accepted it, then gives the empty value. Not enumerable
// (defineProperty's default for a new property), so a rule that logs or copies the whole object does not trip it.
const guarded = (target: object, path: string, key: string, empty: unknown, guard: (c: string) => void) => {
  if (key in target) return
  let value = empty
  let set = false
  Object.defineProperty(target, key, {
    configurable: true,
    get: () => {
      if (!set) guard(path + key)
      return value
    },
    set: (v: unknown) => {
      set = true
      value = v
    }
  })
}
