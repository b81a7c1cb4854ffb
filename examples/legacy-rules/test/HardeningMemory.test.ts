/**
 * Hardening: the migrated Action's memory stays bounded whatever a server answers the request shim (docs/architecture.md,
 * "What must hold", 8). The rules of rules/ are migrated once into a temporary folder; each login runs in a child Node process
 * (ChildAction) whose peak resident set size is measured, the first-login webhook answered by a server on 127.0.0.1
 * (FloodServer) with 500 MB, chunked or announced by Content-Length, or a drip past the webhook's 2 s timeout. The
 * shim reads at most 1 MiB of a body, refuses an announced one before reading it, and lets go of the connection; the
 * rule logs why the webhook failed and the login goes on.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Migrate from "@rulefx/cli/Migrate"
import * as ChildAction from "@rulefx/testing/ChildAction"
import * as FloodServer from "@rulefx/testing/FloodServer"
import * as Effect from "effect/Effect"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const example = fileURLToPath(new URL("..", import.meta.url))
const MB = 1024 * 1024
const BOUND = 200 * MB

let dir = ""
let action = ""
let flood: FloodServer.FloodServer

const defaultEvent = JSON.parse(readFileSync(join(example, "events", "default.json"), "utf8")) as Record<string, any>

/** A first login, whose webhook is `path` on the flood server. */
const firstLogin = (path: string) => ({
  ...defaultEvent,
  stats: { logins_count: 1 },
  secrets: { ...defaultEvent["secrets"], WEBHOOK_URL: `${flood.url}${path}` }
})

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rulefx-legacy-memory-"))
  action = join(dir, "action.js")
  await Effect.runPromise(Migrate.migrate(join(example, "rules"), action))
  flood = await FloodServer.start((path) =>
    path.includes("announced")
      ? { _tag: "Flood", bytes: 500 * MB, announce: true }
      : path.includes("drip")
      ? { _tag: "Drip", everyMillis: 50 }
      : { _tag: "Flood", bytes: 500 * MB }
  )
}, 60_000)

afterAll(async () => {
  await flood?.close()
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

describe("the migrated Action's memory, in a child process, when the webhook answers too much", () => {
  it.each([
    ["/hooks/chunked", "500 MB chunked", "EBODYTOOLARGE"],
    ["/hooks/announced", "500 MB announced by Content-Length", "EBODYTOOLARGE"],
    ["/hooks/drip", "a drip past the webhook's 2 s timeout", "ETIMEDOUT"]
  ])(
    "%s (%s): the login goes on, the rule logs %s, memory stays bounded, the connection is let go",
    async (path, _, code) => {
      const report = await ChildAction.run({ action, event: firstLogin(path), lingerMillis: 500, gcEveryMillis: 100 })
      assert.strictEqual(report.outcome, "resolved")
      assert.isFalse(report.calls.some((c) => c.method === "access.deny"), JSON.stringify(report.calls))
      assert.include(report.lines, `rulefx legacy rule=first-login-webhook: webhook failed: ${code}`)
      assert.isBelow(report.maxRssBytes, BOUND)
      const seen = flood.seen.filter((s) => s.path === path)
      assert.strictEqual(seen.length, 1)
      for (const s of seen) {
        assert.isDefined(s.closedAt, "the connection is still open")
        assert.isBelow(s.closedAt!, report.settledAt + 250)
        assert.isBelow(s.sent, 32 * MB)
      }
    },
    30_000
  )
})
