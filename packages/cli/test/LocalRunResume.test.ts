/**
 * `rulefx run` and `rulefx run --continue` of an Action that suspends the login: the consent example, built, run
 * through LocalRun in both passes, and the rows the new decision kinds print.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Bundle from "@rulefx/cli/Bundle"
import * as LocalRun from "@rulefx/cli/LocalRun"
import * as Events from "@rulefx/testing/Events"
import * as Resume from "@rulefx/testing/Resume"
import * as Tokens from "@rulefx/testing/Tokens"
import * as Effect from "effect/Effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const entry = fileURLToPath(new URL("../../../examples/consent-redirect/src/action.ts", import.meta.url))
const SECRET = "local-consent-secret-77-at-least-32-bytes"
let dir = ""
let action = ""

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rulefx-localrun-resume-"))
  action = join(dir, "action.js")
  await Bundle.build({ entry, outfile: action })
}, 60_000)

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

const event = Events.postLogin({
  user: { user_id: "auth0|local", app_metadata: {} },
  request: { hostname: "acme.eu.auth0.com" },
  secrets: { CONSENT_SECRET: SECRET, CONSENT_URL: "https://consent.example.com/" }
})

describe("LocalRun, both passes", () => {
  it.effect("the first pass prints the redirect with its signed token and the transaction metadata", () =>
    Effect.gen(function*() {
      const handler = yield* LocalRun.loadAction(action)
      const result = yield* LocalRun.run(handler, event)
      assert.strictEqual(result.outcome, "allowed")
      const query = result.summary.redirect?.query as Record<string, string>
      const claims = Tokens.verify(query["session_token"] ?? "", { secret: SECRET, nowSeconds: Date.now() / 1000 })
      assert.strictEqual(claims["sub"], "auth0|local")
      const text = LocalRun.render(result)
      assert.match(text, /^redirect +https:\/\/consent\.example\.com\/ query \{"session_token":"eyJ/m)
      assert.match(text, /^transaction +consent_asked = "2026-12"$/m)
    }))

  it.effect("--continue reads the token from the /continue request with its state, and prints what was persisted", () =>
    Effect.gen(function*() {
      const handler = yield* LocalRun.loadAction(action, "onContinuePostLogin")
      const sent = { url: "https://consent.example.com/", query: {}, state: "local-state", token: undefined }
      const token = Resume.sign(SECRET, sent, { accepted: true, version: "2026-12" })
      const back = Resume.continueEvent(event, {
        state: "local-state",
        token,
        transactionMetadata: { consent_asked: "2026-12" }
      })
      const result = yield* LocalRun.run(handler, back)
      assert.strictEqual(result.outcome, "allowed")
      const text = LocalRun.render(result)
      assert.match(text, /^app_metadata +consent = \{"version":"2026-12","at":\d+\}$/m)
      assert.match(text, /^transaction +consent_asked = \(deleted\)$/m)
      const forged = Resume.continueEvent(event, { state: "other-state", token, transactionMetadata: {} })
      assert.strictEqual((yield* LocalRun.run(handler, forged)).outcome, "denied")
    }))

  it("prints a form, a validation error (as a denial) and recorded methods", () => {
    const calls = [
      { method: "prompt.render", args: ["ap_1", { vars: { app: "Shop" } }] },
      { method: "authentication.recordMethod", args: ["https://m.example/"] },
      { method: "validation.error", args: ["too_young", "You must be 18 or older."] }
    ]
    const summary = LocalRun.summarize(calls)
    assert.deepStrictEqual(summary.form, { id: "ap_1", options: { vars: { app: "Shop" } } })
    const text = LocalRun.render({
      outcome: "denied",
      reason: summary.validationError?.message,
      summary,
      calls,
      logs: [],
      filled: [],
      elapsedMs: 1
    })
    assert.match(text, /^form +ap_1 \{"vars":\{"app":"Shop"\}\}$/m)
    assert.match(text, /^validation +too_young: You must be 18 or older\.$/m)
    assert.match(text, /^auth method +https:\/\/m\.example\/$/m)
  })
})
