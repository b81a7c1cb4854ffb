/**
 * Post-login events for the adapter tests, built with @rulefx/testing's Events: a realistic full event (fields
 * rulefx ignores included) and a small one with the fields the seed scenario reads.
 *
 * @since 0.1.0
 */
import * as Events from "@rulefx/testing/Events"

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
 * A full post-login event (v3) as Auth0 sends it, fields rulefx does not read included: Ada, a seller and an ADMIN,
 * on an application that admits USER and ADMIN.
 *
 * @since 0.1.0
 */
export const fullEvent = (): Record<string, unknown> =>
  Events.postLogin({
    secrets: { INTERCOM_SECRET: intercomSecret, SELLER_API_URL: "https://sellers.internal.example/api" },
    tenant: { id: "acme-prod" },
    client: { client_id: "cli_9aQ2xZ", name: "Shop Admin", metadata: { allowed_roles: allowedRoles, theme: "dark" } },
    connection: { id: "con_db42" },
    user: {
      user_id: "auth0|64f0c0ffee",
      email: "ada@shop.example",
      phone_number: "+15555550100",
      phone_verified: false,
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
    request: { ip: "2001:db8::1", hostname: "login.shop.example", query: { prompt: "login", acr_values: "" } },
    stats: { logins_count: 42 },
    authorization: { roles: ["rbac-admin", "rbac-viewer"] },
    organization: { id: "org_1", name: "acme", display_name: "Acme", metadata: {} },
    resource_server: { identifier: "https://api.shop.example" }
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
export const minimalEvent = (options: MinimalOptions = {}): Record<string, unknown> =>
  Events.minimal({
    secrets: options.secrets ?? { INTERCOM_SECRET: intercomSecret },
    user: { user_id: options.userId ?? "auth0|minimal", app_metadata: options.appMetadata ?? {}, user_metadata: {} },
    client: { client_id: "cli_min", name: "Min", metadata: options.clientMetadata ?? { allowed_roles: allowedRoles } }
  })
