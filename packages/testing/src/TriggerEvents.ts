/**
 * TriggerEvents: realistic Auth0 events of the triggers other than post-login (each at its current version), for
 * tests, as plain JSON objects a handler receives. Overrides merge by section as Events.merge does.
 *
 * ```ts
 * import * as TriggerEvents from "@rulefx/testing/TriggerEvents"
 *
 * const event = TriggerEvents.credentialsExchange({
 *   client: { metadata: { allowed_scopes: "read:reports" } },
 *   transaction: { requested_scopes: ["read:reports"] }
 * })
 * ```
 *
 * @since 0.1.0
 */
import { merge, type Overrides } from "./Events.ts"

const request = {
  ip: "203.0.113.7",
  hostname: "example.eu.auth0.com",
  method: "POST",
  user_agent: "Mozilla/5.0",
  language: "en",
  body: {},
  geoip: { countryCode: "NL", countryName: "Netherlands", cityName: "Amsterdam", timeZone: "Europe/Amsterdam" }
}

const tenant = { id: "example" }

const connection = { id: "con_db1", name: "Username-Password-Authentication", strategy: "auth0", metadata: {} }

/**
 * A credentials-exchange event (v2): a client credentials grant for an API.
 *
 * @category constructors
 * @since 0.1.0
 */
export const credentialsExchange = (overrides: Overrides = {}): Record<string, unknown> =>
  merge({
    client: { client_id: "m2m_reports", name: "Reports job", metadata: {} },
    resource_server: { identifier: "https://api.example.com" },
    accessToken: { scope: ["read:reports"], customClaims: {} },
    transaction: { requested_scopes: ["read:reports"] },
    request,
    tenant,
    secrets: {}
  }, overrides)

/**
 * A pre-user-registration event (v2): a database sign-up; the user has no id yet.
 *
 * @category constructors
 * @since 0.1.0
 */
export const preUserRegistration = (overrides: Overrides = {}): Record<string, unknown> =>
  merge({
    user: { email: "ada@example.com", name: "Ada", app_metadata: {}, user_metadata: {} },
    connection,
    client: { client_id: "app_web", name: "Web", metadata: {} },
    request,
    transaction: { locale: "en" },
    tenant,
    secrets: {}
  }, overrides)

/**
 * A post-user-registration event (v2): the user just created.
 *
 * @category constructors
 * @since 0.1.0
 */
export const postUserRegistration = (overrides: Overrides = {}): Record<string, unknown> =>
  merge({
    user: {
      user_id: "auth0|ada",
      email: "ada@example.com",
      email_verified: false,
      name: "Ada",
      created_at: "2026-12-02T00:00:00.000Z",
      app_metadata: {},
      user_metadata: {}
    },
    connection,
    request,
    tenant,
    secrets: {}
  }, overrides)

/**
 * A post-change-password event (v2).
 *
 * @category constructors
 * @since 0.1.0
 */
export const postChangePassword = (overrides: Overrides = {}): Record<string, unknown> =>
  merge({
    user: {
      user_id: "auth0|ada",
      email: "ada@example.com",
      email_verified: true,
      last_password_reset: "2026-12-02T00:00:00.000Z"
    },
    connection,
    request,
    tenant,
    secrets: {}
  }, overrides)

/**
 * A send-phone-message event (v2): an MFA code by SMS.
 *
 * @category constructors
 * @since 0.1.0
 */
export const sendPhoneMessage = (overrides: Overrides = {}): Record<string, unknown> =>
  merge({
    message_options: {
      action: "second-factor-authentication",
      code: "123456",
      message_type: "sms",
      recipient: "+31600000000",
      text: "Your code is 123456"
    },
    user: { user_id: "auth0|ada", email: "ada@example.com" },
    client: { client_id: "app_web", name: "Web", metadata: {} },
    request,
    tenant,
    secrets: {}
  }, overrides)

/**
 * A custom-phone-provider event (v1): a one-time code by text.
 *
 * @category constructors
 * @since 0.1.0
 */
export const customPhoneProvider = (overrides: Overrides = {}): Record<string, unknown> =>
  merge({
    notification: {
      message_type: "otp_verify",
      delivery_method: "text",
      recipient: "+31600000000",
      as_text: "Your code is 654321",
      as_voice: "Your code is 6 5 4 3 2 1",
      code: "654321",
      locale: "en"
    },
    user: { user_id: "auth0|ada", email: "ada@example.com" },
    client: { client_id: "app_web", name: "Web" },
    request,
    tenant: { id: "example", friendly_name: "Example" },
    secrets: {}
  }, overrides)

/**
 * A password-reset-post-challenge event (v1): the user followed the reset email's link and has one OTP factor.
 *
 * @category constructors
 * @since 0.1.0
 */
export const passwordResetPostChallenge = (overrides: Overrides = {}): Record<string, unknown> =>
  merge({
    user: {
      user_id: "auth0|ada",
      email: "ada@example.com",
      email_verified: true,
      enrolledFactors: [{ type: "otp" }],
      app_metadata: {},
      user_metadata: {}
    },
    authentication: { methods: [{ name: "email", timestamp: "2026-12-02T00:00:00.000Z" }] },
    authorization: { roles: [] },
    client: { client_id: "app_web", name: "Web", metadata: {} },
    connection,
    request: { ...request, method: "GET", query: {} },
    stats: { logins_count: 3 },
    transaction: { locale: "en", ui_locales: ["en"] },
    tenant,
    secrets: {}
  }, overrides)

/**
 * A custom-token-exchange event (v1): a client exchanging a subject token of its own kind.
 *
 * @category constructors
 * @since 0.1.0
 */
export const customTokenExchange = (overrides: Overrides = {}): Record<string, unknown> =>
  merge({
    transaction: { subject_token: "legacy.ada.signed", subject_token_type: "urn:example:legacy-token" },
    client: { client_id: "app_native", name: "Native app", metadata: {} },
    request: { ...request, body: {} },
    tenant,
    secrets: {}
  }, overrides)

/**
 * A custom-email-provider event (v1): a verification email, its templates rendered.
 *
 * @category constructors
 * @since 0.1.0
 */
export const customEmailProvider = (overrides: Overrides = {}): Record<string, unknown> =>
  merge({
    notification: {
      message_type: "verify_email",
      to: "ada@example.com",
      from: "no-reply@example.com",
      subject: "Verify your email",
      html: "<p>Verify: <a href=\"https://example.eu.auth0.com/u/email-verification?ticket=t1c2k3t\">link</a></p>",
      text: "Verify: https://example.eu.auth0.com/u/email-verification?ticket=t1c2k3t",
      locale: "en"
    },
    user: { user_id: "auth0|ada", email: "ada@example.com" },
    client: { client_id: "app_web", name: "Web", metadata: {} },
    connection,
    request,
    tenant,
    secrets: {}
  }, overrides)
