/**
 * examples/m2m-scopes through its built file: src/action.ts bundled once as `rulefx build` bundles it, loaded with
 * plain require, and called as Auth0 calls `onExecuteCredentialsExchange`, with the trigger's recording api.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as CredentialsExchange from "@rulefx/adapter-auth0/CredentialsExchange"
import * as Bundle from "@rulefx/cli/Bundle"
import { genericMessage } from "@rulefx/core/Denial"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as TriggerApis from "@rulefx/testing/TriggerApis"
import * as TriggerEvents from "@rulefx/testing/TriggerEvents"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

type Handler = (event: unknown, api: TriggerApis.CredentialsExchange) => Promise<void>

const entry = fileURLToPath(new URL("../src/action.ts", import.meta.url))
const dir = mkdtempSync(join(tmpdir(), "rulefx-m2m-"))
let onExecuteCredentialsExchange: Handler
let bytes = 0

beforeAll(async () => {
  const outfile = join(dir, "action.js")
  bytes = (await Bundle.build({ entry, outfile })).bytes
  const exports = createRequire(outfile)(outfile) as Record<string, unknown>
  onExecuteCredentialsExchange = exports["onExecuteCredentialsExchange"] as Handler
}, 60_000)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

const tier = "https://example.com/tier"
const rateLimit = "https://example.com/rate_limit"
const org = "https://example.com/org"

const request = (metadata: Record<string, string>, scopes: ReadonlyArray<string>, audience?: string) =>
  TriggerEvents.credentialsExchange({
    client: { client_id: "m2m_reports", name: "Reports job", metadata },
    transaction: { requested_scopes: scopes },
    ...(audience === undefined ? {} : { resource_server: { identifier: audience } })
  })

const run = async (event: unknown) => {
  const api = TriggerApis.credentialsExchange()
  const { lines } = await LogCapture.around(() => onExecuteCredentialsExchange(event, api))
  return { calls: TriggerApis.decisive(api.calls), lines }
}

describe("examples/m2m-scopes (built)", () => {
  it("is one file exporting only the handler, inside the budget", () => {
    const file = readFileSync(join(dir, "action.js"), "utf8")
    assert.isBelow(bytes, Bundle.auth0Limit)
    assert.include(file, "onExecuteCredentialsExchange")
    assert.notInclude(file, "onExecutePostLogin")
  })

  it("allowed scopes: the tier, its rate limit and the customer as claims", async () => {
    const { calls } = await run(
      request({ allowed_scopes: "read:reports, read:usage", tier: "pro", org: "acme" }, ["read:reports", "read:usage"])
    )
    assert.deepStrictEqual(calls, [
      { method: "accessToken.setCustomClaim", args: [tier, "pro"] },
      { method: "accessToken.setCustomClaim", args: [rateLimit, 600] },
      { method: "accessToken.setCustomClaim", args: [org, "acme"] }
    ])
  })

  it("no tier: free, and no customer claim", async () => {
    const { calls } = await run(request({ allowed_scopes: "read:reports" }, ["read:reports"]))
    assert.deepStrictEqual(calls, [
      { method: "accessToken.setCustomClaim", args: [tier, "free"] },
      { method: "accessToken.setCustomClaim", args: [rateLimit, 60] }
    ])
  })

  it("a scope the metadata does not allow: invalid_scope naming it, and no claim", async () => {
    const { calls } = await run(request({ allowed_scopes: "read:reports" }, ["read:reports", "delete:reports"]))
    assert.deepStrictEqual(calls, [
      { method: "access.deny", args: ["invalid_scope", "This client may not request the scope delete:reports."] }
    ])
  })

  it("a client never configured, or an API it does not list: invalid_request", async () => {
    assert.deepStrictEqual((await run(request({ tier: "pro" }, ["read:reports"]))).calls, [
      {
        method: "access.deny",
        args: ["invalid_request", "This client is not configured for machine-to-machine access."]
      }
    ])
    const other = request(
      { allowed_scopes: "read:reports", allowed_audiences: "https://api.example.com" },
      ["read:reports"],
      "https://billing.example.com"
    )
    assert.deepStrictEqual((await run(other)).calls, [
      { method: "access.deny", args: ["invalid_request", "This client may not request tokens for this API."] }
    ])
  })

  it("misconfigured metadata or a malformed event fails closed with server_error, the detail in the log", async () => {
    const badTier = await run(request({ allowed_scopes: "read:reports", tier: "platinum" }, ["read:reports"]))
    assert.deepStrictEqual(badTier.calls, [{ method: "access.deny", args: ["server_error", genericMessage] }])
    assert.isTrue(badTier.lines.some((line) => line.includes("InvalidData")), badTier.lines.join("\n"))
    const malformed = await run({ client: { client_id: "m2m_reports" }, request: { ip: "1.2.3.4" } })
    assert.deepStrictEqual(malformed.calls, [
      { method: "access.deny", args: ["server_error", CredentialsExchange.genericReason] }
    ])
  })

  it("overlapping requests through the one loaded file never see each other's policy", async () => {
    const tiers = ["free", "pro", "enterprise"] as const
    const results = await Promise.all(Array.from({ length: 60 }, async (_, i) => {
      const wanted = tiers[i % 3]!
      const api = TriggerApis.credentialsExchange()
      await onExecuteCredentialsExchange(
        request({ allowed_scopes: "read:reports", tier: wanted, org: `org-${i}` }, ["read:reports"]),
        api
      )
      return { wanted, i, calls: api.calls }
    }))
    for (const { calls, i, wanted } of results) {
      assert.deepStrictEqual(calls, [
        { method: "accessToken.setCustomClaim", args: [tier, wanted] },
        { method: "accessToken.setCustomClaim", args: [rateLimit, { free: 60, pro: 600, enterprise: 6000 }[wanted]] },
        { method: "accessToken.setCustomClaim", args: [org, `org-${i}`] }
      ])
    }
  })
})
