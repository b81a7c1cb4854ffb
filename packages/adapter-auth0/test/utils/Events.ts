/**
 * Post-login events for the adapter tests: a realistic full event (as Auth0 sends it, with many fields rulefx
 * ignores) and a small builder for the fields the seed scenario reads.
 *
 * @since 0.1.0
 */

/**
 * The value of INTERCOM_SECRET in tests; long and distinctive, so a leak check cannot match by accident.
 *
 * @since 0.1.0
 */
export const intercomSecret = "intercom-adapter-secret-5be1c04d9a"

/**
 * The client metadata key the seed's DenyRoles reads, and the roles the test application allows.
 *
 * @since 0.1.0
 */
export const allowedRoles = "USER, ADMIN"

/**
 * A full post-login event (v3) as Auth0 sends it, fields rulefx does not read included.
 *
 * @since 0.1.0
 */
export const fullEvent = (): Record<string, unknown> => ({
  secrets: { INTERCOM_SECRET: intercomSecret, SELLER_API_URL: "https://sellers.internal.example/api" },
  configuration: {},
  tenant: { id: "acme-prod" },
  client: {
    client_id: "cli_9aQ2xZ",
    name: "Shop Admin",
    metadata: { allowed_roles: allowedRoles, theme: "dark" }
  },
  connection: {
    id: "con_db42",
    name: "Username-Password-Authentication",
    strategy: "auth0",
    metadata: {}
  },
  user: {
    user_id: "auth0|64f0c0ffee",
    email: "ada@shop.example",
    email_verified: true,
    username: "ada",
    name: "Ada Lovelace",
    nickname: "ada",
    given_name: "Ada",
    family_name: "Lovelace",
    picture: "https://s.gravatar.com/avatar/x.png",
    phone_number: "+15555550100",
    phone_verified: false,
    created_at: "2024-01-02T03:04:05.000Z",
    updated_at: "2026-05-01T10:00:00.000Z",
    last_password_reset: "2025-02-03T04:05:06.000Z",
    app_metadata: { sellerId: "seller-1", roles: ["ADMIN"], plan: { tier: "gold" } },
    user_metadata: { locale: "en-GB" },
    identities: [{
      connection: "Username-Password-Authentication",
      provider: "auth0",
      user_id: "64f0c0ffee",
      isSocial: false
    }],
    multifactor: ["guardian"],
    enrolledFactors: [{ type: "push-notification" }],
    groups: ["root-level-attribute"]
  },
  request: {
    ip: "2001:db8::1",
    method: "GET",
    hostname: "login.shop.example",
    user_agent: "Mozilla/5.0 (X11; Linux x86_64)",
    language: "en-GB",
    asn: "64500",
    query: { prompt: "login", acr_values: "" },
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
  stats: { logins_count: 42 },
  transaction: {
    id: "tx_123",
    protocol: "oidc-basic-profile",
    requested_scopes: ["openid", "profile", "email"],
    metadata: {},
    acr_values: [],
    ui_locales: ["en"],
    response_type: ["code"],
    response_mode: "query",
    redirect_uri: "https://shop.example/callback",
    state: "app-state"
  },
  authentication: { methods: [{ name: "pwd", timestamp: "2026-05-01T10:00:00.000Z" }] },
  authorization: { roles: ["rbac-admin", "rbac-viewer"] },
  organization: { id: "org_1", name: "acme", display_name: "Acme", metadata: {} },
  resource_server: { identifier: "https://api.shop.example" },
  session: { id: "sess_1" },
  security_context: {}
})

/**
 * The fields the seed scenario reads, for one user.
 *
 * @since 0.1.0
 */
export interface MinimalOptions {
  readonly userId?: string
  readonly appMetadata?: Record<string, unknown>
  readonly clientMetadata?: Record<string, unknown>
  readonly secrets?: Record<string, unknown>
}

/**
 * A minimal valid event: only the fields Auth0Event.decode requires, plus what the options add.
 *
 * @since 0.1.0
 */
export const minimalEvent = (options: MinimalOptions = {}): Record<string, unknown> => ({
  secrets: options.secrets ?? { INTERCOM_SECRET: intercomSecret },
  user: { user_id: options.userId ?? "auth0|minimal", app_metadata: options.appMetadata ?? {}, user_metadata: {} },
  client: { client_id: "cli_min", name: "Min", metadata: options.clientMetadata ?? { allowed_roles: allowedRoles } },
  request: { ip: "203.0.113.9" }
})
