/**
 * Every post-login decision kind beyond claims, through a built Action (test/fixtures/SurfaceAction.ts) run as
 * `rulefx run` runs it: the calls Auth0 would get, and the rows `rulefx run` prints for them.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Bundle from "@rulefx/cli/Bundle"
import * as LocalRun from "@rulefx/cli/LocalRun"
import * as Events from "@rulefx/testing/Events"
import * as Effect from "effect/Effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const entry = fileURLToPath(new URL("fixtures/SurfaceAction.ts", import.meta.url))
let dir = ""
let action = ""

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rulefx-surface-"))
  action = join(dir, "action.js")
  await Bundle.build({ entry, outfile: action })
}, 60_000)

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

const runWith = (
  appMetadata: Record<string, unknown>,
  protocol = "oidc-basic-profile",
  transaction: Record<string, unknown> = {}
) =>
  Effect.gen(function*() {
    const handler = yield* LocalRun.loadAction(action)
    const event = Events.postLogin({
      user: { user_id: "auth0|ada", email: "ada@example.com", app_metadata: appMetadata, user_metadata: {} },
      transaction: { protocol, ...transaction }
    })
    const result = yield* LocalRun.run(handler, event)
    return { result, rows: LocalRun.render(result).split("\n").map((row) => row.replace(/ {2,}/g, "  ")) }
  })

describe("the post-login api surface through a built Action and rulefx run", () => {
  it.effect("MFA steps override requireMfa and are printed one row per call, in order", () =>
    Effect.gen(function*() {
      const { result, rows } = yield* runWith({ stepUp: true })
      assert.strictEqual(result.outcome, "allowed")
      assert.isUndefined(result.summary.mfa)
      assert.includeMembers(rows, [
        `authentication.challengeWith  {"type":"phone","options":{"preferredMethod":"sms"}}, {"additionalFactors":[{"type":"otp"}]}`,
        `authentication.enrollWithAny  [{"type":"webauthn-platform"},{"type":"otp"}]`,
        `id token  https://example.com/converted = true`
      ])
    }))

  it.effect("a primary user, SAML settings and attributes, session and refresh token changes are printed", () =>
    Effect.gen(function*() {
      const { result, rows } = yield* runWith({ primary: "auth0|main", shortSession: true }, "samlp")
      assert.strictEqual(result.outcome, "allowed")
      assert.includeMembers(rows, [
        `authentication.setPrimaryUser  "auth0|main"`,
        `samlResponse.setAudience  "urn:sp"`,
        `samlResponse.setLifetimeInSeconds  900`,
        `samlResponse.setSignatureAlgorithm  "rsa-sha256"`,
        `samlResponse.setAttribute  "http://schemas.example.com/email", "ada@example.com"`,
        `session.setExpiresAt  1900000000000`,
        `session.setCookieMode  "non-persistent"`,
        `session.setMetadata  "device", "kiosk"`,
        `refreshToken.setIdleExpiresAt  1890000000000`,
        `refreshToken.setMetadata  "device", "kiosk"`
      ])
    }))

  it.effect("a session revocation denies with its reason and is printed", () =>
    Effect.gen(function*() {
      const { result, rows } = yield* runWith({ compromised: true, shortSession: true })
      assert.strictEqual(result.outcome, "denied")
      assert.strictEqual(result.reason, "Please sign in again.")
      assert.deepStrictEqual(result.calls.filter((c) => !c.method.startsWith("cache.")), [
        { method: "access.deny", args: ["Please sign in again."] },
        { method: "session.revoke", args: ["Please sign in again.", { preserveRefreshTokens: false }] }
      ])
      assert.include(rows, `session.revoke  "Please sign in again.", {"preserveRefreshTokens":false}`)
    }))

  it.effect("early-access target scopes: read from the event, changed in rule order, printed", () =>
    Effect.gen(function*() {
      const { result, rows } = yield* runWith({ narrowScopes: true }, "oidc-basic-profile", {
        requested_scopes: ["openid", "profile", "read:orders", "write:orders"],
        target_scopes: ["openid", "profile", "read:orders", "write:orders"]
      })
      assert.strictEqual(result.outcome, "allowed")
      assert.deepStrictEqual(result.calls.filter((c) => c.method.startsWith("transaction.")), [
        { method: "transaction.setTargetScopes", args: [["openid", "read:orders"]] },
        { method: "transaction.addTargetScope", args: ["read:reports"] }
      ])
      assert.includeMembers(rows, [`transaction.setTargetScopes  ["openid","read:orders"]`])
      const without = yield* runWith({ narrowScopes: true })
      assert.strictEqual(without.result.outcome, "denied")
      assert.isFalse(without.result.calls.some((c) => c.method.startsWith("transaction.")))
    }))
})
