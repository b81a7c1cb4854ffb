/**
 * Events: Auth0 post-login events (trigger v3) for tests, as plain JSON objects an Action's handler receives.
 *
 * `postLogin` is a realistic event, as Auth0 sends it for a database login: every section, fields rulefx does not
 * read included. `minimal` is the smallest event Auth0 could send: a user id, a client id and an IP. Both take
 * overrides by section: each section given (`user`, `client`, `request`, ...) is merged one level deep into the
 * default's (a field given replaces the default's field; `undefined` removes it), any other value replaces the
 * section, and `undefined` removes the section. Every call returns a fresh object.
 *
 * ```ts
 * import * as Events from "@rulefx/testing/Events"
 *
 * const event = Events.postLogin({
 *   user: { user_id: "auth0|ada", app_metadata: { sellerId: "seller-1" } },
 *   client: { metadata: { allowed_roles: "USER,ADMIN" } },
 *   secrets: { INTERCOM_SECRET: "..." }
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"

/**
 * A post-login event: JSON, as Auth0 passes it to `onExecutePostLogin`.
 *
 * @category models
 * @since 0.1.0
 */
export type PostLoginEvent = Record<string, unknown>

/**
 * Overrides by section (see the module's description).
 *
 * @category models
 * @since 0.1.0
 */
export type Overrides = Readonly<Record<string, unknown>>

const isSection = (u: unknown): u is Readonly<Record<string, unknown>> => Predicate.isObject(u) && !Array.isArray(u)

const withoutUndefined = (record: Readonly<Record<string, unknown>>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined))

/**
 * Merges overrides into an event by section: a section object into the event's section, one level deep; a field
 * or section given as `undefined` is removed.
 *
 * @category combinators
 * @since 0.1.0
 */
export const merge = (event: Readonly<PostLoginEvent>, overrides: Overrides): PostLoginEvent => {
  const merged: PostLoginEvent = structuredClone(event)
  for (const [section, value] of Object.entries(overrides)) {
    const current = merged[section]
    if (value === undefined) delete merged[section]
    else if (isSection(value) && isSection(current)) merged[section] = withoutUndefined({ ...current, ...value })
    else merged[section] = isSection(value) ? withoutUndefined(value) : value
  }
  return merged
}

const realistic: PostLoginEvent = {
  secrets: {},
  configuration: {},
  tenant: { id: "acme-dev" },
  client: { client_id: "cli_8fQ2xZ4kLm", name: "My App", metadata: {} },
  connection: { id: "con_Db42Xq9w", name: "Username-Password-Authentication", strategy: "auth0", metadata: {} },
  user: {
    user_id: "auth0|64f0c0ffee1234",
    email: "ada@example.com",
    email_verified: true,
    username: "ada",
    name: "Ada Lovelace",
    nickname: "ada",
    given_name: "Ada",
    family_name: "Lovelace",
    picture: "https://s.gravatar.com/avatar/ada.png",
    created_at: "2024-01-02T03:04:05.000Z",
    updated_at: "2026-05-01T10:00:00.000Z",
    last_password_reset: "2025-02-03T04:05:06.000Z",
    app_metadata: {},
    user_metadata: {},
    identities: [{
      connection: "Username-Password-Authentication",
      provider: "auth0",
      user_id: "64f0c0ffee1234",
      isSocial: false
    }],
    multifactor: [],
    enrolledFactors: []
  },
  request: {
    ip: "203.0.113.7",
    method: "GET",
    hostname: "login.example.com",
    user_agent: "Mozilla/5.0 (X11; Linux x86_64)",
    language: "en-GB",
    asn: "64500",
    query: {},
    body: {},
    geoip: {
      cityName: "London",
      continentCode: "EU",
      countryCode: "GB",
      countryCode3: "GBR",
      countryName: "United Kingdom",
      latitude: 51.5,
      longitude: -0.12,
      subdivisionCode: "ENG",
      subdivisionName: "England",
      timeZone: "Europe/London"
    }
  },
  stats: { logins_count: 1 },
  transaction: {
    id: "tx_5c1e",
    protocol: "oidc-basic-profile",
    requested_scopes: ["openid", "profile", "email"],
    metadata: {},
    acr_values: [],
    ui_locales: ["en"],
    response_type: ["code"],
    response_mode: "query",
    redirect_uri: "https://app.example.com/callback",
    state: "app-state"
  },
  authentication: { methods: [{ name: "pwd", timestamp: "2026-05-01T10:00:00.000Z" }] },
  authorization: { roles: [] },
  session: { id: "sess_3b7a" },
  security_context: {}
}

/**
 * A realistic post-login event (a database login to an application without metadata, no RBAC roles, no secrets),
 * with `overrides` merged in by section.
 *
 * @category constructors
 * @since 0.1.0
 */
export const postLogin = (overrides: Overrides = {}): PostLoginEvent => merge(realistic, overrides)

/**
 * The smallest event Auth0 could send (`user.user_id`, `client.client_id`, `request.ip`), with `overrides` merged
 * in by section.
 *
 * @category constructors
 * @since 0.1.0
 */
export const minimal = (overrides: Overrides = {}): PostLoginEvent =>
  merge(
    { user: { user_id: "auth0|minimal" }, client: { client_id: "cli_min" }, request: { ip: "203.0.113.9" } },
    overrides
  )
