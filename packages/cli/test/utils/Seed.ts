/**
 * The seed Action (examples/seller-login) as the CLI tests build and run it: the claims it sets, its secret, and
 * events for it, built with @rulefx/testing's Events.
 *
 * @since 0.1.0
 */
import * as Events from "@rulefx/testing/Events"

/**
 * The claims the seed rules set.
 *
 * @since 0.1.0
 */
export const claims = {
  seller: "https://example.com/seller",
  sellerEmailHash: "https://example.com/seller_email_hash",
  roles: "https://example.com/roles"
} as const

/**
 * The value of INTERCOM_SECRET in tests; long and distinctive, so a leak check cannot match by accident.
 *
 * @since 0.1.0
 */
export const intercomSecret = "intercom-cli-secret-3c9e71b2d4"

/**
 * The fields the seed scenario reads, for one user.
 *
 * @since 0.1.0
 */
export interface EventOptions {
  readonly userId?: string
  readonly appMetadata?: Record<string, unknown>
  readonly secrets?: Record<string, unknown>
}

/**
 * A minimal event for the seed Action, on an application that admits USER and ADMIN.
 *
 * @since 0.1.0
 */
export const minimalEvent = (options: EventOptions = {}): Record<string, unknown> =>
  Events.minimal({
    secrets: options.secrets ?? { INTERCOM_SECRET: intercomSecret },
    user: { user_id: options.userId ?? "auth0|minimal", app_metadata: options.appMetadata ?? {}, user_metadata: {} },
    client: { client_id: "cli_min", name: "Min", metadata: { allowed_roles: "USER, ADMIN" } }
  })
