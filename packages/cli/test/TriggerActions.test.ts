/**
 * The triggers other than post-login through built Actions: each fixture in utils/triggers/ (written as a user
 * writes an Action) is bundled as `rulefx build` bundles, loaded with plain require, and called with the trigger's
 * recording api, as Auth0 calls it.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as CredentialsExchange from "@rulefx/adapter-auth0/CredentialsExchange"
import * as CustomEmailProvider from "@rulefx/adapter-auth0/CustomEmailProvider"
import * as CustomTokenExchange from "@rulefx/adapter-auth0/CustomTokenExchange"
import * as PasswordResetPostChallenge from "@rulefx/adapter-auth0/PasswordResetPostChallenge"
import * as PreUserRegistration from "@rulefx/adapter-auth0/PreUserRegistration"
import * as Bundle from "@rulefx/cli/Bundle"
import * as LogCapture from "@rulefx/testing/LogCapture"
import type * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as Resume from "@rulefx/testing/Resume"
import * as TriggerApis from "@rulefx/testing/TriggerApis"
import * as TriggerEvents from "@rulefx/testing/TriggerEvents"
import { mkdtempSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

type Handler = (event: unknown, api: unknown) => Promise<void>

const fixtures = [
  "credentials-exchange",
  "pre-user-registration",
  "post-user-registration",
  "post-change-password",
  "send-phone-message",
  "custom-phone-provider",
  "password-reset-post-challenge",
  "custom-token-exchange",
  "custom-email-provider"
]
const dir = mkdtempSync(join(tmpdir(), "rulefx-triggers-"))
const built: Record<string, { readonly exports: Record<string, unknown>; readonly bytes: number }> = {}

beforeAll(async () => {
  for (const name of fixtures) {
    const outfile = join(dir, name, "action.js")
    // One at a time: two esbuild runs at once only compete for the machine's two cores.
    // oxlint-disable-next-line no-await-in-loop
    const report = await Bundle.build({
      entry: fileURLToPath(new URL(`./utils/triggers/${name}.ts`, import.meta.url)),
      outfile
    })
    built[name] = { exports: createRequire(outfile)(outfile) as Record<string, unknown>, bytes: report.bytes }
  }
}, 120_000)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

const handler = (name: string, exported: string): Handler => {
  const exports = built[name]?.exports ?? {}
  assert.deepStrictEqual(Object.keys(exports), [exported])
  return exports[exported] as Handler
}

describe("built Actions of the other triggers", () => {
  it("each file exports only its trigger's handler, far inside 100 kB", () => {
    handler("credentials-exchange", "onExecuteCredentialsExchange")
    handler("pre-user-registration", "onExecutePreUserRegistration")
    handler("post-user-registration", "onExecutePostUserRegistration")
    handler("post-change-password", "onExecutePostChangePassword")
    handler("send-phone-message", "onExecuteSendPhoneMessage")
    handler("custom-phone-provider", "onExecuteCustomPhoneProvider")
    handler("custom-token-exchange", "onExecuteCustomTokenExchange")
    handler("custom-email-provider", "onExecuteCustomEmailProvider")
    assert.deepStrictEqual(Object.keys(built["password-reset-post-challenge"]?.exports ?? {}).toSorted(), [
      "onContinuePostChallenge",
      "onExecutePostChallenge"
    ])
    // 85 kB: 15 kB left for a user's own rules in the largest (password-reset: redirect, form and challenges).
    for (const name of fixtures) assert.isBelow(built[name]?.bytes ?? Infinity, 85_000, name)
  })

  it("credentials-exchange: the claim when every scope is allowed, invalid_scope otherwise, server_error on junk", async () => {
    const run = handler("credentials-exchange", "onExecuteCredentialsExchange")
    const client = { metadata: { allowed_scopes: "read:reports", tier: "gold" } }
    const allowed = TriggerApis.credentialsExchange()
    await run(TriggerEvents.credentialsExchange({ client }), allowed)
    assert.deepStrictEqual(allowed.calls, [
      { method: "accessToken.setCustomClaim", args: ["https://example.com/tier", "gold"] }
    ])
    const refused = TriggerApis.credentialsExchange()
    await run(
      TriggerEvents.credentialsExchange({ client, transaction: { requested_scopes: ["write:reports"] } }),
      refused
    )
    assert.deepStrictEqual(refused.calls, [
      { method: "access.deny", args: ["invalid_scope", "This client may not request write:reports."] }
    ])
    const junk = TriggerApis.credentialsExchange()
    await LogCapture.around(() => run({ client: "nope" }, junk))
    assert.deepStrictEqual(junk.calls, [
      { method: "access.deny", args: ["server_error", CredentialsExchange.genericReason] }
    ])
  })

  it("pre-user-registration: metadata, a denial with a user message, a validation error, fail closed", async () => {
    const run = handler("pre-user-registration", "onExecutePreUserRegistration")
    const cases: ReadonlyArray<readonly [unknown, ReadonlyArray<unknown>]> = [
      [TriggerEvents.preUserRegistration(), [{ method: "user.setAppMetadata", args: ["plan", "trial"] }]],
      [TriggerEvents.preUserRegistration({ user: { email: "a@mailinator.com" } }), [{
        method: "access.deny",
        args: ["DisposableEmail domain=mailinator.com", "Please sign up with a permanent email address."]
      }]],
      [TriggerEvents.preUserRegistration({ user: { email: "a@gmail.com" } }), [{
        method: "validation.error",
        args: ["work_email_required", "Use your work email."]
      }]],
      [{ user: null }, [{
        method: "access.deny",
        args: ["rulefx failed closed: InvalidEvent", PreUserRegistration.genericMessage]
      }]]
    ]
    for (const [event, calls] of cases) {
      const api = TriggerApis.preUserRegistration()
      // oxlint-disable-next-line no-await-in-loop
      await LogCapture.around(() => run(event, api))
      assert.deepStrictEqual(api.calls, calls)
    }
  })

  it("post-user-registration: the rule's side effect happens though another rule dies, and nothing is denied", async () => {
    const run = handler("post-user-registration", "onExecutePostUserRegistration")
    const api = TriggerApis.sideEffects()
    const { lines } = await LogCapture.around(() => run(TriggerEvents.postUserRegistration(), api))
    assert.strictEqual(api.cache.get("last-registered")?.value, "auth0|ada")
    assert.isTrue(lines.some((line) => line.includes("rule=dies")), lines.join("\n"))
    const junk = TriggerApis.sideEffects()
    const resolved = await LogCapture.around(() => run(null, junk).then(() => "resolved"))
    assert.strictEqual(resolved.result, "resolved")
  })

  it("post-change-password: the rule's side effect happens", async () => {
    const run = handler("post-change-password", "onExecutePostChangePassword")
    const api = TriggerApis.sideEffects()
    await run(TriggerEvents.postChangePassword(), api)
    assert.strictEqual(api.cache.get("changed:auth0|ada")?.value, "2026-12-02T00:00:00.000Z")
  })

  it("send-phone-message: delivered resolves; undeliverable rejects, naming the denial, never the code", async () => {
    const run = handler("send-phone-message", "onExecuteSendPhoneMessage")
    const api = TriggerApis.sideEffects()
    await run(TriggerEvents.sendPhoneMessage(), api)
    assert.strictEqual(api.cache.get("sms:+31600000000")?.value, "Your code is 123456")
    const { lines, result } = await LogCapture.around(() =>
      run(TriggerEvents.sendPhoneMessage({ message_options: { recipient: "+990000" } }), TriggerApis.sideEffects())
        .then(() => "resolved", (e: Error) => e.message)
    )
    assert.strictEqual(result, "rulefx: the phone message was not delivered (Unreachable)")
    assert.isFalse(lines.some((line) => line.includes("123456")), lines.join("\n"))
  })

  it("custom-phone-provider: delivered calls nothing; drop and retry by the denial's class", async () => {
    const run = handler("custom-phone-provider", "onExecuteCustomPhoneProvider")
    const ok = TriggerApis.customPhoneProvider()
    await run(TriggerEvents.customPhoneProvider(), ok)
    assert.deepStrictEqual(TriggerApis.decisive(ok.calls), [])
    assert.strictEqual(ok.cache.get("text:+31600000000")?.value, "Your code is 654321")
    const dropped = TriggerApis.customPhoneProvider()
    await LogCapture.around(() =>
      run(TriggerEvents.customPhoneProvider({ notification: { recipient: "0600" } }), dropped)
    )
    assert.deepStrictEqual(dropped.calls, [
      { method: "notification.drop", args: ["the recipient is not an E.164 number"] }
    ])
    const retried = TriggerApis.customPhoneProvider()
    await LogCapture.around(() =>
      run(TriggerEvents.customPhoneProvider({ notification: { delivery_method: "voice" } }), retried)
    )
    assert.deepStrictEqual(retried.calls, [{ method: "notification.retry", args: ["voice is not available yet"] }])
  })

  it("custom-email-provider: delivered calls nothing; drop and retry by the denial's class; junk retries", async () => {
    const run = handler("custom-email-provider", "onExecuteCustomEmailProvider")
    const ok = TriggerApis.customEmailProvider()
    await run(TriggerEvents.customEmailProvider(), ok)
    assert.deepStrictEqual(TriggerApis.decisive(ok.calls), [])
    assert.strictEqual(
      ok.cache.get("email:ada@example.com")?.value,
      "Verify your email Verify: https://example.eu.auth0.com/u/email-verification?ticket=t1c2k3t"
    )
    const dropped = TriggerApis.customEmailProvider()
    await LogCapture.around(() =>
      run(TriggerEvents.customEmailProvider({ notification: { to: "ada@example.invalid" } }), dropped)
    )
    assert.deepStrictEqual(dropped.calls, [
      { method: "notification.drop", args: ["the recipient's domain does not receive email"] }
    ])
    const retried = TriggerApis.customEmailProvider()
    await LogCapture.around(() =>
      run(TriggerEvents.customEmailProvider({ notification: { message_type: "organization_invitation" } }), retried)
    )
    assert.deepStrictEqual(retried.calls, [{ method: "notification.retry", args: ["invitations are not sent yet"] }])
    const junk = TriggerApis.customEmailProvider()
    const { lines } = await LogCapture.around(() =>
      run(TriggerEvents.customEmailProvider({ notification: { html: 1 } }), junk)
    )
    assert.deepStrictEqual(junk.calls, [{ method: "notification.retry", args: [CustomEmailProvider.genericReason] }])
    assert.isFalse(lines.some((line) => line.includes("t1c2k3t")), lines.join("\n"))
  })

  it("password-reset-post-challenge: OTP challenge and result URL, a locked account denied, an admin confirms on a page and resumes", async () => {
    const exports = built["password-reset-post-challenge"]?.exports ?? {}
    const execute = exports["onExecutePostChallenge"] as Handler
    const resume = exports["onContinuePostChallenge"] as Handler
    const calls = async (run: Handler, event: Record<string, unknown>, state?: string) => {
      const api = TriggerApis.passwordResetPostChallenge({ event, ...(state === undefined ? {} : { state }) })
      await LogCapture.around(() => run(event, api))
      return { api, calls: TriggerApis.decisive(api.calls).filter((c) => c.method !== "redirect.validateToken") }
    }
    assert.deepStrictEqual((await calls(execute, TriggerEvents.passwordResetPostChallenge())).calls, [
      { method: "authentication.challengeWith", args: [{ type: "otp" }, { additionalFactors: [] }] },
      {
        method: "transaction.setResultUrl",
        args: ["https://app.example.com/welcome-back", { query: { from: "reset" } }]
      }
    ])
    assert.deepStrictEqual(
      (await calls(execute, TriggerEvents.passwordResetPostChallenge({ user: { app_metadata: { locked: true } } })))
        .calls,
      [{ method: "access.deny", args: ["This account is locked. Please contact support."] }]
    )
    const secret = "confirm-page-secret-of-at-least-32-bytes"
    const admin = TriggerEvents.passwordResetPostChallenge({
      authorization: { roles: ["admin"] },
      user: { enrolledFactors: [] },
      secrets: { CONFIRM_SECRET: secret }
    })
    const first = await calls(execute, admin)
    assert.deepStrictEqual(first.calls.map((c) => c.method), ["redirect.encodeToken", "redirect.sendUserTo"])
    const sent = Resume.redirectOf(first.api as unknown as RecordingApi.RecordingApi)
    assert.strictEqual(sent.url, "https://confirm.example.com/reset")
    const back = (confirmed: boolean, key = secret) =>
      Resume.continueEvent(admin, { state: sent.state, token: Resume.sign(key, sent, { confirmed }) })
    assert.deepStrictEqual((await calls(resume, back(true), sent.state)).calls, [
      { method: "transaction.setResultUrl", args: ["https://admin.example.com/", { query: {} }] }
    ])
    assert.deepStrictEqual((await calls(resume, back(false), sent.state)).calls, [
      { method: "access.deny", args: ["The password reset was not confirmed."] }
    ])
    assert.deepStrictEqual((await calls(resume, back(true, "forged"), sent.state)).calls.map((c) => c.method), [
      "access.deny"
    ])
    assert.deepStrictEqual((await calls(execute, { user: null })).calls, [
      { method: "access.deny", args: [PasswordResetPostChallenge.genericReason] }
    ])
  })

  it("custom-token-exchange: the user by connection with metadata, an invalid subject token, a coded denial, server_error on junk", async () => {
    const run = handler("custom-token-exchange", "onExecuteCustomTokenExchange")
    const cases: ReadonlyArray<readonly [unknown, ReadonlyArray<unknown>]> = [
      [TriggerEvents.customTokenExchange(), [
        {
          method: "authentication.setUserByConnection",
          args: ["Legacy-Users", { user_id: "ada", email: "ada@example.com" }, {
            creationBehavior: "create_if_not_exists",
            updateBehavior: "none"
          }]
        },
        { method: "user.setAppMetadata", args: ["migrated_from", "legacy"] }
      ]],
      [TriggerEvents.customTokenExchange({ transaction: { subject_token: "jwt.ada.sig" } }), [
        { method: "access.rejectInvalidSubjectToken", args: ["The subject token is not a legacy token."] }
      ]],
      [TriggerEvents.customTokenExchange({ transaction: { subject_token: "legacy.mallory.signed" } }), [
        { method: "access.deny", args: ["access_denied", "This user may not exchange tokens."] }
      ]],
      [{ transaction: null }, [{ method: "access.deny", args: ["server_error", CustomTokenExchange.genericReason] }]]
    ]
    for (const [event, calls] of cases) {
      const api = TriggerApis.customTokenExchange()
      // oxlint-disable-next-line no-await-in-loop
      await LogCapture.around(() => run(event, api))
      assert.deepStrictEqual(TriggerApis.decisive(api.calls), calls)
    }
  })
})
