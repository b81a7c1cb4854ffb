/**
 * Shared fixtures for the rules tests: a seller, a secret and logins (built with @rulefx/testing's Logins).
 *
 * @since 0.1.0
 */
import type * as Login from "@rulefx/core/Login"
import type { Seller } from "@rulefx/rules/SellerApi"
import * as Logins from "@rulefx/testing/Logins"
import type * as Layer from "effect/Layer"

/**
 * The seller most tests use.
 *
 * @since 0.1.0
 */
export const ada: Seller = { id: "seller-1", email: "ada@shop.example", name: "Ada's Shop" }

/**
 * The value of INTERCOM_SECRET in tests; long and distinctive, so a leak check cannot match by accident.
 *
 * @since 0.1.0
 */
export const intercomSecret = "intercom-test-secret-7d3f9a1c"

/**
 * A login whose user has `appMetadata` and whose application has `clientMetadata`.
 *
 * @since 0.1.0
 */
export const login = (
  options: {
    readonly appMetadata?: Readonly<Record<string, unknown>>
    readonly clientMetadata?: Readonly<Record<string, string>>
  } = {}
): Layer.Layer<Login.Login> =>
  Logins.layer({ user: { appMetadata: options.appMetadata ?? {} }, client: { metadata: options.clientMetadata ?? {} } })
