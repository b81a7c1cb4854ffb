/**
 * Shared fixtures for the legacy-rules tests: a full post-login v3 event, a minimal one, and a way to run a set of
 * legacy rules through its pipeline without Auth0.
 *
 * @since 0.1.0
 */
import type * as Login from "@rulefx/core/Login"
import { Secrets } from "@rulefx/core/Secrets"
import * as LegacyRules from "@rulefx/legacy-rules/LegacyRules"
import * as Events from "@rulefx/testing/Events"
import * as Logins from "@rulefx/testing/Logins"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * A realistic, full post-login v3 event (without its secrets), built with @rulefx/testing's Events: client and
 * connection metadata of every JSON type, identities with profile data, a risk assessment, an organization and a
 * session with two clients. A fresh object on every call.
 *
 * @since 0.1.0
 */
export const fullEvent = (): Record<string, unknown> =>
  Events.postLogin({
    secrets: undefined,
    configuration: undefined,
    tenant: { id: "acme-prod" },
    client: {
      client_id: "cli_SPA123",
      name: "Acme Shop",
      metadata: { tier: "gold", region: "eu", retries: 3, flags: { beta: true }, empty: "" }
    },
    connection: { id: "con_DB456", metadata: { source: "legacy", weight: 7 } },
    user: {
      user_id: "auth0|64f0c1",
      email: "ada@shop.example",
      picture: "https://cdn.example/ada.png",
      created_at: "2023-01-02T03:04:05.000Z",
      updated_at: "2024-05-06T07:08:09.000Z",
      multifactor: ["guardian"],
      groups: ["sellers", "beta"],
      identities: [
        {
          connection: "Username-Password-Authentication",
          provider: "auth0",
          user_id: "64f0c1",
          isSocial: false,
          profileData: { locale: "en" }
        }
      ],
      app_metadata: { plan: "pro", sellerId: "seller-1", nested: { a: 1 } },
      user_metadata: { theme: "dark", languages: ["en", "fr"] }
    },
    request: {
      hostname: "login.acme.example",
      query: { prompt: "login", scope: "openid profile email", audience: "https://api.acme.example" },
      body: { extra: "value" }
    },
    stats: { logins_count: 42 },
    transaction: { id: "tx_1", requested_scopes: ["openid", "profile", "email", "read:orders"] },
    authentication: {
      methods: [
        { name: "pwd", timestamp: "2024-05-06T07:08:09.000Z" },
        { name: "mfa", timestamp: "2024-05-06T07:09:10.500Z", type: "otp" }
      ],
      riskAssessment: {
        confidence: "high",
        version: "1",
        assessments: { NewDevice: { code: "match", confidence: "high" } }
      }
    },
    authorization: { roles: ["admin", "seller"] },
    organization: { id: "org_1", name: "acme", display_name: "Acme Inc.", metadata: { plan: "enterprise" } },
    session: { id: "sess_789", clients: [{ client_id: "cli_SPA123" }, { client_id: "cli_Other" }] }
  })

/**
 * The smallest event Auth0 could send: a user id, a client id and an IP.
 *
 * @since 0.1.0
 */
export const minimalEvent = (): Record<string, unknown> =>
  Events.minimal({ user: { user_id: "auth0|min" }, client: { client_id: "cli_min" }, request: { ip: "198.51.100.1" } })

/**
 * The Login and Secrets layers of one login, from its raw event.
 *
 * @since 0.1.0
 */
export const loginLayer = (
  event: Readonly<Record<string, unknown>> = fullEvent(),
  secrets: Readonly<Record<string, string>> = {}
): Layer.Layer<Login.Login | Secrets> => Layer.mergeAll(Logins.layer({ raw: event }), Secrets.layerTest(secrets))

/**
 * Runs a set of legacy rules through its own pipeline for one login, as an Exit.
 *
 * @since 0.1.0
 */
export const runLegacy = (
  legacy: LegacyRules.LegacyRules,
  event: Readonly<Record<string, unknown>> = fullEvent(),
  secrets: Readonly<Record<string, string>> = {}
) => LegacyRules.pipeline(legacy).run.pipe(Effect.provide(loginLayer(event, secrets)), Effect.exit)
