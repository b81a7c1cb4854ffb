/**
 * PartialEvent: completes a hand-written post-login event for `rulefx run` with what Auth0 always sends.
 *
 * A post-login event (trigger v3) always has some fields: the tenant, the application's id, name and metadata, the
 * connection, the user's id, dates, metadata and identities, the request's IP, method, query, body and geoip, and the
 * login count. A hand-written event often leaves them out; `complete` fills each one that is missing with the
 * realistic value of `@rulefx/testing/Events`' `postLogin` and lists what it filled. Optional fields (an email, a
 * transaction, roles, ...) are never filled: their absence is something a rule may decide by, and JSON cannot say
 * "absent" any other way. Some filled values can decide a rule's outcome (where the login comes from, whether it is
 * the first, through which connection, the application's and the user's metadata, the user's id):
 * `decisive` names those that were filled, with the values used. The optional user fields rules most often decide by
 * (`email_verified`, `email`) are never filled: `absent` names those the event leaves out. Node-side only.
 *
 * @since 0.1.0
 */
import * as Events from "@rulefx/testing/Events"
import * as Predicate from "effect/Predicate"

/**
 * The fields Auth0 sends in every post-login event, as `section.field`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const required: ReadonlyArray<string> = [
  "tenant.id",
  "client.client_id",
  "client.name",
  "client.metadata",
  "connection.id",
  "connection.name",
  "connection.strategy",
  "user.user_id",
  "user.created_at",
  "user.updated_at",
  "user.app_metadata",
  "user.user_metadata",
  "user.identities",
  "request.ip",
  "request.method",
  "request.query",
  "request.body",
  "request.geoip",
  "stats.logins_count"
]

const sections = [...new Set(required.map((path) => path.split(".")[0]!))]

const isSection = (u: unknown): u is Readonly<Record<string, unknown>> => Predicate.isObject(u) && !Array.isArray(u)

/**
 * What a partial event lacks: a section that is absent altogether by its name (`connection`), otherwise each
 * missing field (`user.created_at`). Empty when the event has every field Auth0 always sends.
 *
 * @category getters
 * @since 0.1.0
 */
export const missing = (event: Readonly<Record<string, unknown>>): ReadonlyArray<string> =>
  sections.flatMap((section) => {
    const value = event[section]
    if (value === undefined) return [section]
    const fields = required.filter((path) => path.startsWith(`${section}.`))
    return isSection(value) ? fields.filter((path) => value[path.slice(section.length + 1)] === undefined) : []
  })

/**
 * The event with every missing field Auth0 always sends filled in, and the list of what was filled (as `missing`
 * names it). A section that is there but is not an object is left alone, for the event's check to refuse.
 *
 * @category constructors
 * @since 0.1.0
 */
export const complete = (
  event: Readonly<Record<string, unknown>>
): { readonly event: Record<string, unknown>; readonly filled: ReadonlyArray<string> } => {
  const filled = missing(event)
  if (filled.length === 0) return { event: { ...event }, filled }
  const defaults = Events.postLogin()
  const completed: Record<string, unknown> = structuredClone(event)
  for (const section of sections) {
    const current = completed[section] === undefined ? {} : completed[section]
    if (!isSection(current)) continue
    const own = defaults[section] as Readonly<Record<string, unknown>>
    const fields = required.filter((path) => path.startsWith(`${section}.`)).map((p) => p.slice(section.length + 1))
    completed[section] = {
      ...Object.fromEntries(fields.filter((field) => current[field] === undefined).map((field) => [field, own[field]])),
      ...current
    }
  }
  const user = completed["user"] as Record<string, unknown>
  if (filled.includes("user") || filled.includes("user.identities")) user["identities"] = identities(completed)
  return { event: completed, filled }
}

// The user's one identity, consistent with the user id and connection the event has (`auth0|ada` logging in through
// Username-Password-Authentication), rather than the default user's.
const identities = (event: Readonly<Record<string, unknown>>): ReadonlyArray<Record<string, unknown>> => {
  const user = event["user"] as Readonly<Record<string, unknown>>
  const connection = event["connection"] as Readonly<Record<string, unknown>>
  const id = String(user["user_id"])
  const bar = id.indexOf("|")
  const provider = bar > 0 ? id.slice(0, bar) : "auth0"
  return [{
    connection: connection["name"],
    provider,
    user_id: bar > 0 ? id.slice(bar + 1) : id,
    isSocial: !["auth0", "email", "sms", "ad", "adfs", "waad", "samlp", "oidc", "okta"].includes(provider)
  }]
}

// A value in the default event by its path (`request.geoip.cityName`).
const valueAt = (event: Readonly<Record<string, unknown>>, path: string): string =>
  String(path.split(".").reduce<unknown>((at, key) => (isSection(at) ? at[key] : undefined), event))

// The filled fields a rule most often decides by: the fields that make each, and how it reads with its default.
const decisiveFields: ReadonlyArray<
  { readonly paths: ReadonlyArray<string>; readonly note: (d: Events.PostLoginEvent) => string }
> = [
  {
    paths: ["request.geoip"],
    note: (d) => `request.geoip (${valueAt(d, "request.geoip.cityName")}, ${valueAt(d, "request.geoip.countryCode")})`
  },
  { paths: ["stats.logins_count"], note: (d) => `stats.logins_count (${valueAt(d, "stats.logins_count")})` },
  {
    paths: ["connection.id", "connection.name", "connection.strategy"],
    note: (d) => `connection (${valueAt(d, "connection.name")}, strategy ${valueAt(d, "connection.strategy")})`
  },
  { paths: ["client.metadata"], note: () => "client.metadata (none)" },
  { paths: ["user.user_id"], note: (d) => `user.user_id (${valueAt(d, "user.user_id")})` },
  { paths: ["user.app_metadata"], note: () => "user.app_metadata (none)" },
  // Not user.identities: the one filled is made from the event's own user id and connection.
  { paths: ["user.user_metadata"], note: () => "user.user_metadata (none)" }
]

/**
 * The optional user fields a rule commonly decides by (legacy rules' `user.email_verified`, `user.email`; typed rules'
 * `emailVerified`, `email`), with how a rule reads each when the event leaves it out. `complete` never fills them
 * (JSON cannot say "absent" any other way), so a partial event without them is decided by their absence: `absent`
 * names them, for a warning beside `decisive`'s.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decisiveOptional: ReadonlyArray<{ readonly path: string; readonly reads: string }> = [
  { path: "user.email_verified", reads: "absent: not verified" },
  { path: "user.email", reads: "absent: no email" }
]

/**
 * The fields of `decisiveOptional` the written event leaves out, each with how a rule reads it:
 * `user.email_verified (absent: not verified)`. Empty when the event has them all (or a `user` that is not an object,
 * for the event's check to refuse).
 *
 * @category getters
 * @since 0.1.0
 */
export const absent = (event: Readonly<Record<string, unknown>>): ReadonlyArray<string> => {
  const user = event["user"] === undefined ? {} : event["user"]
  if (!isSection(user)) return []
  return decisiveOptional.filter(({ path }) => user[path.slice("user.".length)] === undefined).map(({ path, reads }) =>
    `${path} (${reads})`
  )
}

/**
 * The filled fields that can change a rule's outcome (where the login comes from, how many logins the user has had,
 * the connection, the application's and the user's metadata, the user's id), each with the default it got: `request.geoip (London, GB)`. Empty when none of them was filled.
 * `filled` is what `complete` (or `missing`) lists: a section's name stands for all its fields.
 *
 * @category getters
 * @since 0.1.0
 */
export const decisive = (filled: ReadonlyArray<string>): ReadonlyArray<string> => {
  const defaults = Events.postLogin()
  const isFilled = (path: string) => filled.includes(path) || filled.includes(path.split(".")[0]!)
  return decisiveFields.filter(({ paths }) => paths.some(isFilled)).map(({ note }) => note(defaults))
}
