/**
 * The barrier around legacy rules, through a built Action: the security review's five findings, each as a regression
 * test. The fixture rules (tes./fixtures/barrier/rules, each gated by the authorize request's `?mode=`) are
 * migrated once; every scenario runs in a child process (utils/Child.ts), so that a fault that would end the process
 * is seen as an exit code, with every other login of the batch checked too.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Bundle from "@rulefx/cli/Bundle"
import { genericMessage } from "@rulefx/core/Denial"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type Login, runLogins } from "./utils/Child.ts"
import * as Unchecked from "./utils/Unchecked.ts"

const fixture = fileURLToPath(new URL("./fixtures/barrier", import.meta.url))
const apiKey = "sk-barrier-secret-5d1e7a90c3"
const EMAIL = "https://example.com/email"

let dir = ""
let action = ""

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rulefx-barrier-"))
  action = join(dir, "action.js")
  await Unchecked.build(fixture, action, { ruleTimeoutMillis: 2000, deadlineMillis: 5000 })
}, 30_000)

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

const login = (id: string, query: Record<string, unknown>, appMetadata: Record<string, unknown> = {}): Login => ({
  event: {
    secrets: { API_KEY: apiKey },
    user: { user_id: `auth0|${id}`, email: `${id}@shop.example`, app_metadata: appMetadata, user_metadata: {} },
    client: { client_id: "cli_barrier", name: "Barrier" },
    request: { ip: "203.0.113.9", query },
    transaction: { protocol: "oidc-basic-profile", requested_scopes: ["openid"] }
  }
})

// Deterministic delays that make the logins overlap in every order.
const delay = (i: number) => (i * 7919) % 40

// Every test spawns one or two child processes (execFile gives each up to 60 s).
describe("legacy barrier, through a built Action in a child process", { timeout: 60_000 }, () => {
  it.each(["implicit", "this-nested", "this-arrow"])(
    "finding 1 (%s): 300 overlapping logins each get their own user's value, never another's",
    async (mode) => {
      const logins = Array.from({ length: 300 }, (_, i) => login(`u${i}`, { mode, delay: delay(i) }))
      const report = await runLogins(dir, action, logins)
      assert.strictEqual(report.code, 0, report.stderr)
      const wrong = report.outcomes.filter((o, i) => o.denied !== undefined || o.claims[EMAIL] !== `u${i}@shop.example`)
      assert.strictEqual(wrong.length, 0, JSON.stringify(wrong.slice(0, 3)))
    },
    60_000
  )

  it("finding 2: a __proto__ key in a metadata write is refused: denied, the key logged, nothing persisted", async () => {
    const patch = JSON.stringify({ plan: "gold", ["__proto__"]: { roles: ["admin"] } })
    const report = await runLogins(dir, action, [login("p", { mode: "proto", patch }), login("q", { mode: "plain" })])
    assert.strictEqual(report.code, 0, report.stderr)
    const [polluted, bystander] = report.outcomes
    assert.deepStrictEqual(polluted!.calls, [["access.deny", genericMessage]])
    assert.deepStrictEqual(bystander!.calls, [])
    assert.isTrue(report.lines.some((l) => l.includes(`app_metadata key "__proto__" refused`)), report.lines.join("\n"))
    // Without the key, the same write goes through and the admins-only rule denies as it should.
    const clean = await runLogins(dir, action, [login("r", { mode: "proto", patch: JSON.stringify({ plan: "x" }) })])
    assert.strictEqual(clean.outcomes[0]!.denied, "admins only")
  })

  it("finding 3: a refused construct read from a timer denies that login only; the process lives on", async () => {
    const logins = [
      ...Array.from({ length: 20 }, (_, i) => login(`g${i}`, { mode: "late-guard" })),
      ...Array.from({ length: 20 }, (_, i) => login(`b${i}`, { mode: "implicit", delay: delay(i) }))
    ]
    const report = await runLogins(dir, action, logins)
    assert.strictEqual(report.code, 0, report.stderr)
    report.outcomes.slice(0, 20).forEach((o) => assert.deepStrictEqual(o.calls, [["access.deny", genericMessage]]))
    report.outcomes.slice(20).forEach((o, i) => assert.strictEqual(o.claims[EMAIL], `b${i}@shop.example`))
  })

  it("finding 4: a refused write for another user with .then(cb) and no catch: denied, no unhandled rejection", async () => {
    const logins = [login("o", { mode: "other-user" }), login("n", { mode: "implicit", delay: 10 })]
    const report = await runLogins(dir, action, logins)
    assert.strictEqual(report.code, 0, report.stderr)
    assert.strictEqual(
      report.outcomes[0]!.denied,
      "auth0.users: only the user logging in can be updated from a legacy rule in an Action"
    )
    assert.deepStrictEqual(report.outcomes[0]!.calls.length, 1)
    assert.strictEqual(report.outcomes[1]!.claims[EMAIL], "n@shop.example")
  })

  it("finding 5: patched built-ins reach neither the other rules, later logins, scrubbing nor the claim limit", async () => {
    const report = await runLogins(dir, action, [
      login("patcher", { mode: "patch", role: "GUEST" }),
      login("big", { mode: "patch", big: "1" }),
      login("guest", { role: "GUEST" }),
      login("admin", { role: "ADMIN" })
    ])
    assert.strictEqual(report.code, 0, report.stderr)
    const [patcher, big, guest, admin] = report.outcomes
    // The rule after the patcher, in the same login, and the later logins still tell GUEST from ADMIN.
    assert.strictEqual(patcher!.denied, "role not allowed")
    assert.strictEqual(guest!.denied, "role not allowed")
    // No enumerable Object.prototype.toLocaleString in for-in over rulefx's objects.
    assert.deepStrictEqual(admin!.calls, [["idToken.setCustomClaim", "https://example.com/keys", 0]])
    // The claim-size limit still counts the 120 kB claim: denied before any call.
    assert.deepStrictEqual(big!.calls, [["access.deny", genericMessage]])
    // The secret the patcher logged is scrubbed, String.prototype.split patched or not.
    const logged = report.lines.filter((l) => l.includes("calling with key"))
    assert.lengthOf(logged, 2)
    for (const line of logged) assert.notInclude(line, apiKey)
  })

  it("a fault no login can be found for ends the rules in flight (denied) and nothing else; the process lives", async () => {
    // The ten logins are inside the slow rule (2 s) when the fault comes at 700 ms: wide margins, so that a loaded
    // machine starting the child slowly still has every login in flight when it comes, and none finished.
    const inFlight = Array.from({ length: 10 }, (_, i) => login(`f${i}`, { mode: "implicit", delay: 2000 }))
    const report = await runLogins(dir, action, inFlight, 200, 700)
    assert.strictEqual(report.code, 0, report.stderr)
    report.outcomes.forEach((o) => assert.deepStrictEqual(o.calls, [["access.deny", genericMessage]]))
    assert.isTrue(
      report.lines.some((l) => l.includes("a fault outside any rule's run (Error): 10 rules in flight denied"))
    )
    // A fault after the logins ended touches none of them.
    const done = Array.from({ length: 10 }, (_, i) => login(`f${i}`, { mode: "implicit", delay: 60 }))
    const after = await runLogins(dir, action, done, 2000, 1500)
    after.outcomes.forEach((o, i) => assert.strictEqual(o.claims[EMAIL], `f${i}@shop.example`))
  })

  it("the legacy Action installs one handler of each; the seed Action, without legacy rules, none", async () => {
    const legacy = await runLogins(dir, action, [])
    assert.deepStrictEqual(legacy.listeners, { uncaughtException: 1, unhandledRejection: 1 })
    const seed = join(dir, "seed", "action.js")
    await Bundle.build({
      entry: fileURLToPath(new URL("../../../examples/seller-login/src/action.ts", import.meta.url)),
      outfile: seed
    })
    const typed = await runLogins(dir, seed, [])
    assert.strictEqual(typed.code, 0, typed.stderr)
    assert.deepStrictEqual(typed.listeners, { uncaughtException: 0, unhandledRejection: 0 })
  }, 30_000)
})
