/**
 * Logins: core's Login model with Auth0's defaults, for rule tests that need a Login without an event: a verified
 * database user (`auth0|test-user`) logging in to an application without metadata over Username-Password-
 * Authentication. Override any field; the rest stays.
 *
 * @since 0.1.0
 */
import * as Login from "@rulefx/core/Login"
import type * as Layer from "effect/Layer"

/**
 * Overrides of a login, by part.
 *
 * @category models
 * @since 0.1.0
 */
export interface Overrides {
  readonly user?: Partial<Login.User>
  readonly client?: Partial<Login.Client>
  readonly connection?: Partial<Login.Connection>
  readonly request?: Partial<Login.Request>
  readonly transaction?: Partial<Login.Transaction>
  readonly raw?: Readonly<Record<string, unknown>>
}

/**
 * A login with Auth0's defaults and the given overrides.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (overrides: Overrides = {}): Login.LoginInfo =>
  Login.make({
    user: { id: "auth0|test-user", email: "user@example.com", emailVerified: true, loginsCount: 1, ...overrides.user },
    client: { id: "test-client", name: "Test App", ...overrides.client },
    connection: {
      id: "con_test",
      name: "Username-Password-Authentication",
      strategy: "auth0",
      ...overrides.connection
    },
    request: { ip: "127.0.0.1", ...overrides.request },
    transaction: { protocol: "oidc-basic-profile", ...overrides.transaction },
    ...(overrides.raw === undefined ? {} : { raw: overrides.raw })
  })

/**
 * The Login service holding `make(overrides)`.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (overrides: Overrides = {}): Layer.Layer<Login.Login> => Login.Login.layer(make(overrides))
