/**
 * Attempts to break the built seed Action now that SellerApi.layer is a ServiceLayer (built per login by running its
 * Effect, no Layer graph): overlapping logins whose layer builds succeed or fail side by side, with their own seller,
 * secret and seller-service URL, must each get exactly their own answer, and nothing of another login in their `api`
 * calls or log lines.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Bundle from "@rulefx/cli/Bundle"
import { genericMessage } from "@rulefx/core/Denial"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as SellerServer from "@rulefx/testing/SellerServer"
import { mkdtempSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

type Handler = (event: unknown, api: RecordingApi.RecordingApi) => Promise<void>

const entry = fileURLToPath(new URL("../src/action.ts", import.meta.url))
const SELLER_CLAIM = "https://example.com/seller"
const LOGINS = 150

let dir = ""
let action: Handler
let sellers: SellerServer.SellerServer

// Every value of login i carries `L<i>x`, so a value of another login shows in a scan.
const marker = (i: number) => `L${i}x`
// 0: a good URL; 1: a URL that is not http(s) (the layer build fails); 2: no URL at all (MissingSecret).
const urlKind = (i: number) => (i % 5 === 1 ? 1 : i % 7 === 2 ? 2 : 0)

// The other logins whose marker shows in `text`.
const others = (i: number, text: string) =>
  [...text.matchAll(/L(\d+)x/g)].map((m) => Number(m[1])).filter((j) => j !== i)

const event = (i: number) => ({
  user: {
    user_id: `auth0|${marker(i)}`,
    email: `${marker(i)}@example.com`,
    app_metadata: { sellerId: `s-${marker(i)}`, roles: ["USER"] }
  },
  client: { client_id: "shop-app", name: "Shop", metadata: { allowed_roles: "USER" } },
  request: { ip: "203.0.113.7" },
  secrets: {
    INTERCOM_SECRET: `intercom-${marker(i)}`,
    ...(urlKind(i) === 0
      ? { SELLER_API_URL: sellers.url }
      : urlKind(i) === 1
      ? { SELLER_API_URL: `ftp://${marker(i)}.example.com` }
      : {})
  }
})

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rulefx-service-layer-break-"))
  const outfile = join(dir, "action.cjs")
  await Bundle.build({ entry, outfile })
  action = (createRequire(outfile)(outfile) as { onExecutePostLogin: Handler }).onExecutePostLogin
  const answers: Record<string, SellerServer.Answer> = {}
  for (let i = 0; i < LOGINS; i++) {
    answers[`s-${marker(i)}`] = {
      _tag: "Json",
      body: { id: `s-${marker(i)}`, email: `seller-${marker(i)}@shop.example`, name: `Seller ${marker(i)}` },
      delayMillis: (i * 37) % 200
    }
  }
  sellers = await SellerServer.start(answers)
}, 60_000)

afterAll(async () => {
  await sellers?.close()
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

describe("the built seed Action, overlapping logins through SellerApi's ServiceLayer", () => {
  it(
    `${LOGINS} at once, builds failing beside builds that succeed: each gets its own answer, nothing of another`,
    async () => {
      const apis = Array.from({ length: LOGINS }, () => RecordingApi.make())
      const { lines } = await LogCapture.around(() => Promise.all(apis.map((api, i) => action(event(i), api))))
      assert.isAbove(sellers.peakInFlight(), 20, "the lookups did not overlap")
      apis.forEach((api, i) => {
        const summary = api.summary()
        if (urlKind(i) === 0) {
          assert.isUndefined(summary.denied, `login ${i}`)
          assert.deepStrictEqual(summary.idTokenClaims[SELLER_CLAIM], {
            id: `s-${marker(i)}`,
            email: `seller-${marker(i)}@shop.example`,
            name: `Seller ${marker(i)}`
          })
        } else {
          assert.deepStrictEqual(api.calls, [{ method: "access.deny", args: [genericMessage] }], `login ${i}`)
        }
        assert.deepStrictEqual(others(i, JSON.stringify(api.calls)), [], `login ${i}'s api holds another login's value`)
      })
      for (const line of lines) {
        const user = /user=auth0\|L(\d+)x/.exec(line)
        if (user !== null) assert.deepStrictEqual(others(Number(user[1]), line), [], line)
        assert.notInclude(line, "intercom-", "a secret reached the log")
      }
      const failures = lines.filter((l) => l.includes("services failed to build"))
      assert.strictEqual(failures.length, apis.filter((_, i) => urlKind(i) !== 0).length, failures.join("\n"))
    },
    60_000
  )
})
