/**
 * Hardening: the built seed Action's memory stays bounded whatever the seller API answers (docs/architecture.md, "What must hold" 8).
 *
 * src/action.ts is bundled once into a temporary folder; each login runs in a child Node process (ChildAction)
 * whose peak resident set size is measured, against a seller API on 127.0.0.1 (FloodServer) that answers 500 MB,
 * chunked or announced by Content-Length, or a body that drips one byte every 50 ms past every timeout. A seller
 * answering 3 GiB used to run the process out of memory after the login had been denied: the body was read whole
 * with response.text() before its size was checked, and Node 22 loses the abort of a fetch made with
 * `redirect: "error"` (nodejs/undici#4627), so the read went on after the attempt's timeout.
 *
 * The bound is generous and far below the body: 200 MB of resident memory for a 500 MB answer (a login with a normal
 * seller takes about a third of that). A control proves the measurement can fail: the same answer read with
 * response.text() by a two-line Action goes far over it.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Bundle from "@rulefx/cli/Bundle"
import { genericMessage } from "@rulefx/core/Denial"
import * as ChildAction from "@rulefx/testing/ChildAction"
import * as FloodServer from "@rulefx/testing/FloodServer"
import * as SellerServer from "@rulefx/testing/SellerServer"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const entry = fileURLToPath(new URL("../src/action.ts", import.meta.url))

const MB = 1024 * 1024
const BODY = 500 * MB
const BOUND = 200 * MB
const INTERCOM_SECRET = "memory-intercom-secret-41c9"

let dir = ""
let action = ""
let control = ""
let flood: FloodServer.FloodServer
let sellers: SellerServer.SellerServer

const event = (sellerId: string, url: string) => ({
  user: { user_id: `auth0|${sellerId}`, email: "user@example.com", app_metadata: { sellerId, roles: ["USER"] } },
  client: { client_id: "shop-app", name: "Shop", metadata: { allowed_roles: "USER" } },
  request: { ip: "203.0.113.7" },
  secrets: { SELLER_API_URL: url, INTERCOM_SECRET }
})

const seenFor = (id: string) => flood.seen.filter((s) => s.path === `/seller/${id}`)

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rulefx-hardening-memory-"))
  action = join(dir, "action.js")
  await Bundle.build({ entry, outfile: action })
  // What the seller lookup did before HttpBody: read the answer whole, then look at it.
  control = join(dir, "control.cjs")
  writeFileSync(
    control,
    "exports.onExecutePostLogin = async (event, api) => {\n" +
      "  const body = await (await fetch(`${event.secrets.SELLER_API_URL}/seller/control`)).text()\n" +
      "  if (body.length > 65536) api.access.deny('too large')\n" +
      "}\n"
  )
  flood = await FloodServer.start((path) =>
    path.includes("announced")
      ? { _tag: "Flood", bytes: BODY, announce: true }
      : path.includes("drip")
      ? { _tag: "Drip", everyMillis: 50 }
      : { _tag: "Flood", bytes: BODY }
  )
  sellers = await SellerServer.start({ "seller-1": SellerServer.seller("seller-1", "ada@shop.example", "Ada") })
}, 60_000)

afterAll(async () => {
  await flood?.close()
  await sellers?.close()
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

describe("the built seed Action's memory, in a child process", () => {
  it("a normal seller: allowed, well under the bound (the baseline)", async () => {
    const report = await ChildAction.run({ action, event: event("seller-1", sellers.url) })
    assert.strictEqual(report.outcome, "resolved")
    assert.isFalse(report.calls.some((c) => c.method === "access.deny"))
    assert.isBelow(report.maxRssBytes, BOUND / 2)
  }, 30_000)

  it("500 MB, chunked: denied at 64 kB, memory bounded, the connection closed, the rest never sent", async () => {
    const report = await ChildAction.run({
      action,
      event: event("chunked", flood.url),
      lingerMillis: 500,
      gcEveryMillis: 100
    })
    assert.deepStrictEqual(report.calls, [{ method: "access.deny", args: [genericMessage] }])
    assert.isBelow(report.maxRssBytes, BOUND)
    assert.isTrue(report.lines.some((l) => l.includes("seller lookup failed: body is over 65536 bytes")))
    const seen = seenFor("chunked")
    assert.strictEqual(seen.length, 1, "a Body failure is not retried")
    for (const s of seen) {
      assert.isDefined(s.closedAt, "the connection is still open")
      assert.isFalse(s.finished)
      // Socket buffers, not the body: the client stopped reading at 64 kB.
      assert.isBelow(s.sent, 32 * MB)
    }
  }, 30_000)

  it("500 MB announced by Content-Length: denied before a byte of it is read", async () => {
    const report = await ChildAction.run({ action, event: event("announced", flood.url), lingerMillis: 500 })
    assert.deepStrictEqual(report.calls, [{ method: "access.deny", args: [genericMessage] }])
    assert.isBelow(report.maxRssBytes, BOUND)
    for (const s of seenFor("announced")) {
      assert.isDefined(s.closedAt)
      assert.isBelow(s.sent, 32 * MB)
    }
  }, 30_000)

  it("a body that drips past every timeout: denied, and nothing reads on after the login is decided", async () => {
    const report = await ChildAction.run({
      action,
      event: event("drip", flood.url),
      lingerMillis: 1_000,
      gcEveryMillis: 100
    })
    assert.deepStrictEqual(report.calls, [{ method: "access.deny", args: [genericMessage] }])
    assert.isBelow(report.maxRssBytes, BOUND)
    const seen = seenFor("drip")
    assert.strictEqual(seen.length, 2, "a timeout is retried once")
    for (const s of seen) {
      assert.isDefined(s.closedAt, "a drip is still being read")
      // Closed when its attempt gave up, before the login was decided (with a margin for the event loops).
      assert.isBelow(s.closedAt!, report.settledAt + 250)
    }
  }, 30_000)

  it("the control: the same 500 MB read with response.text() goes far over the bound", async () => {
    const report = await ChildAction.run({ action: control, event: event("control", flood.url) })
    assert.isAbove(report.maxRssBytes, BOUND * 2)
  }, 60_000)
})
