/**
 * End-to-end tests of the built consent Action: src/action.ts is bundled into a temporary folder outside the
 * repository, loaded from there with plain require, and driven through both passes with Auth0-shaped events and
 * recording apis, a fake consent page in between: it reads the token Auth0 signed, signs its answer with the shared
 * secret and the redirect's state, and posts it back to /continue.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Bundle from "@rulefx/cli/Bundle"
import { genericMessage } from "@rulefx/core/Denial"
import * as Events from "@rulefx/testing/Events"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as Resume from "@rulefx/testing/Resume"
import * as Tokens from "@rulefx/testing/Tokens"
import { mkdtempSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

type Handler = (event: unknown, api: RecordingApi.RecordingApi) => Promise<void>

const entry = fileURLToPath(new URL("../src/action.ts", import.meta.url))

const CONSENT_SECRET = "e2e-consent-secret-5d1c88a0-b7f3e2c9"
const CONSENT_URL = "https://consent.example.com/terms"
const TERMS = "2026-12"
const REFUSED = "You must accept the terms of use to sign in."

let dir = ""
let action: { readonly onExecutePostLogin: Handler; readonly onContinuePostLogin: Handler }
const logs: Array<string> = []
let capture: LogCapture.Capture | undefined

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rulefx-consent-e2e-"))
  const outfile = join(dir, "action.js")
  await Bundle.build({ entry, outfile })
  rmSync(join(dir, "package.json"), { force: true })
  action = createRequire(outfile)(outfile) as typeof action
  capture = LogCapture.start({ lines: logs })
}, 60_000)

afterAll(() => {
  capture?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const event = (overrides: Record<string, unknown> = {}) =>
  Events.postLogin({
    user: { user_id: "auth0|consent-e2e", app_metadata: {} },
    client: { client_id: "shop-app", name: "Shop" },
    request: { hostname: "acme.eu.auth0.com" },
    secrets: { CONSENT_SECRET, CONSENT_URL },
    ...overrides
  })

/** The first pass: it must resolve, and it returns the api and where the user was sent (if anywhere). */
const firstPass = async (evt: Record<string, unknown> = event()) => {
  const api = RecordingApi.make({ event: evt })
  await action.onExecutePostLogin(evt, api)
  return api
}

/** The fake consent page's answer, then the continue pass with it. */
const answer = async (
  first: RecordingApi.RecordingApi,
  evt: Record<string, unknown>,
  claims: Record<string, unknown>,
  options: { readonly secret?: string; readonly state?: string; readonly expiresInSeconds?: number } = {}
) => {
  const sent = Resume.redirectOf(first)
  const token = Resume.sign(
    options.secret ?? CONSENT_SECRET,
    { ...sent, state: options.state ?? sent.state },
    claims,
    options.expiresInSeconds === undefined ? {} : { expiresInSeconds: options.expiresInSeconds }
  )
  const back = Resume.continueEvent(evt, {
    state: sent.state,
    token,
    transactionMetadata: first.transactionMetadata
  })
  const api = RecordingApi.make({ event: back, state: sent.state })
  const before = logs.length
  await action.onContinuePostLogin(back, api)
  return { api, summary: api.summary(), logs: logs.slice(before) }
}

describe("consent-redirect, built", () => {
  it("sends a user without consent to the consent page with a token Auth0 signed, persisting nothing", async () => {
    const first = await firstPass()
    const summary = first.summary()
    assert.isUndefined(summary.denied)
    assert.strictEqual(summary.redirect, CONSENT_URL)
    assert.deepStrictEqual(summary.appMetadata, {})
    assert.deepStrictEqual(summary.transactionMetadata, { consent_asked: TERMS })
    const sent = Resume.redirectOf(first)
    const claims = Tokens.verify(sent.token ?? "", {
      secret: CONSENT_SECRET,
      nowSeconds: Math.floor(Date.now() / 1000)
    })
    assert.strictEqual(claims["sub"], "auth0|consent-e2e")
    assert.strictEqual(claims["version"], TERMS)
    assert.strictEqual(claims["application"], "Shop")
    assert.strictEqual(claims["continue_uri"], "https://acme.eu.auth0.com/continue")
    const lifetime = (claims["exp"] as number) - (claims["iat"] as number)
    assert.strictEqual(lifetime, 900)
  })

  it("resumes with the page's signed acceptance and persists the consent once", async () => {
    const evt = event()
    const first = await firstPass(evt)
    const { api, summary } = await answer(first, evt, { accepted: true, version: TERMS })
    assert.isUndefined(summary.denied)
    const writes = api.calls.filter((c) => c.method === "user.setAppMetadata")
    assert.strictEqual(writes.length, 1)
    assert.strictEqual(writes[0]?.args[0], "consent")
    const consent = writes[0]?.args[1] as { version: string; at: number }
    assert.strictEqual(consent.version, TERMS)
    assert.isTrue(Math.abs(consent.at - Date.now()) < 60_000)
    assert.deepStrictEqual(summary.transactionMetadata, { consent_asked: null })
    assert.isUndefined(summary.redirect)
    // The next login, with the consent persisted: no redirect, nothing written again.
    const next = await firstPass(event({ user: { user_id: "auth0|consent-e2e", app_metadata: { consent } } }))
    assert.deepStrictEqual(RecordingApi.decisive(next.calls), [])
  })

  it("denies a refusal with its own reason and persists nothing", async () => {
    const evt = event()
    const { api, summary } = await answer(await firstPass(evt), evt, { accepted: false, version: TERMS })
    assert.strictEqual(summary.denied, REFUSED)
    assert.deepStrictEqual(api.calls.filter((c) => c.method.startsWith("user.")), [])
  })

  const forged = [
    ["signed with another secret", { secret: "not-the-shared-secret" }, "BadSignature"],
    ["bound to another transaction's state", { state: "someone-elses-state" }, "WrongState"],
    ["expired", { expiresInSeconds: -5 }, "Expired"]
  ] as const
  for (const [what, options, problem] of forged) {
    it(`fails closed on a token ${what}, logging why and neither the token nor the secret`, async () => {
      const evt = event()
      const first = await firstPass(evt)
      const { api, logs: lines, summary } = await answer(first, evt, { accepted: true, version: TERMS }, options)
      assert.strictEqual(summary.denied, genericMessage)
      assert.deepStrictEqual(api.calls.filter((c) => c.method.startsWith("user.")), [])
      const text = lines.join("\n")
      assert.include(text, "ConsentReturn")
      assert.include(text, problem)
      assert.notInclude(text, CONSENT_SECRET)
      assert.notInclude(text, "eyJ")
    })
  }

  it("fails closed on a payload the redirect does not expect", async () => {
    const evt = event()
    const { logs: lines, summary } = await answer(await firstPass(evt), evt, { accepted: "yes", version: TERMS })
    assert.strictEqual(summary.denied, genericMessage)
    assert.include(lines.join("\n"), "accepted")
  })

  it("fails closed on an answer for other terms than the ones asked", async () => {
    const evt = event()
    const { summary } = await answer(await firstPass(evt), evt, { accepted: true, version: "2020-01" })
    assert.strictEqual(summary.denied, genericMessage)
  })

  it("fails closed on a /continue without a token", async () => {
    const evt = event()
    const first = await firstPass(evt)
    const back = Resume.continueEvent(evt, { state: first.state })
    const api = RecordingApi.make({ event: back, state: first.state })
    await action.onContinuePostLogin(back, api)
    assert.strictEqual(api.summary().denied, genericMessage)
  })

  it("denies a login that cannot be redirected (resource-owner password) instead of skipping the consent", async () => {
    const api = await firstPass(event({ transaction: { protocol: "oauth2-resource-owner" } }))
    const summary = api.summary()
    assert.isDefined(summary.denied)
    assert.notStrictEqual(summary.denied, genericMessage)
    assert.deepStrictEqual(api.calls.map((c) => c.method), ["access.deny"])
  })

  it("denies silent authentication (prompt=none) of a user without consent", async () => {
    const api = await firstPass(event({ request: { hostname: "acme.eu.auth0.com", query: { prompt: "none" } } }))
    assert.deepStrictEqual(api.calls.map((c) => c.method), ["access.deny"])
  })

  it("denies with the generic reason when the shared secret is missing, sending the user nowhere", async () => {
    const api = await firstPass(event({ secrets: { CONSENT_URL } }))
    assert.deepStrictEqual(api.calls.map((c) => c.method), ["access.deny"])
    assert.strictEqual(api.summary().denied, genericMessage)
  })

  it("denies with the generic reason when the shared secret is shorter than 32 bytes, logging its name, not its value", async () => {
    const weak = "consent-secret-31-bytes-long-00"
    const before = logs.length
    const api = await firstPass(event({ secrets: { CONSENT_SECRET: weak, CONSENT_URL } }))
    assert.deepStrictEqual(api.calls.map((c) => c.method), ["access.deny"])
    assert.strictEqual(api.summary().denied, genericMessage)
    const text = logs.slice(before).join("\n")
    assert.include(text, "CONSENT_SECRET is shorter than 32 bytes")
    assert.notInclude(text, weak)
  })
})
