/**
 * Review of issue 11 (the barrier), through a built Action in a child process: what a reviewer found still crosses
 * from one login to another, or leaks a secret. The fixture rules (./fixtures/break/rules, each gated by `?mode=` or
 * the client) are ordinary Rules code; each test says what it shows.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Analyze from "@rulefx/cli/Analyze"
import { genericMessage } from "@rulefx/core/Denial"
import * as Effect from "effect/Effect"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type Login, runLogins } from "./utils/Child.ts"
import * as Unchecked from "./utils/Unchecked.ts"

const fixture = fileURLToPath(new URL("./fixtures/break", import.meta.url))
const apiKey = "sk-break-secret-8c41f07e2b"

let dir = ""
let action = ""

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rulefx-break-"))
  action = join(dir, "action.js")
  await Unchecked.build(fixture, action, { ruleTimeoutMillis: 1000, deadlineMillis: 3000 })
}, 30_000)

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

const login = (
  id: string,
  query: Record<string, unknown>,
  user: Record<string, unknown> = {},
  client = "cli_break"
): Login => ({
  event: {
    secrets: { API_KEY: apiKey },
    user: { user_id: `auth0|${id}`, email: `${id}@shop.example`, app_metadata: {}, user_metadata: {}, ...user },
    client: { client_id: client, name: "Break" },
    request: { ip: "203.0.113.9", query },
    transaction: { protocol: "oidc-basic-profile", requested_scopes: ["openid"] }
  }
})

const analysed = (file: string) =>
  Effect.runPromise(Analyze.analyze(file, readFileSync(join(fixture, "rules", file), "utf8")))

describe("break: issue 11's barrier through a built Action", () => {
  it("the real analysis accepts every fixture rule: each is ordinary code a migration builds as it is", async () => {
    const files = [
      "token-cache.js",
      "merge-defaults.js",
      "admin-gate.js",
      "redirect-key.js",
      "getter-throws.js",
      "merge-prefs.js"
    ]
    const analyses = await Promise.all(files.map(analysed))
    analyses.forEach((analysis, i) =>
      assert.deepStrictEqual(analysis.findings.filter((f) => f.status !== "translated"), [], files[i])
    )
  })

  // A callback one login queued and another login's timer (or socket, or pooled connection) calls runs in that other
  // login's async context. The Rules globals (`auth0` here) were resolved through that context, so the write was
  // checked against the wrong login's user: the first login was denied for another's write, the rest hung to their
  // timeout.
  it("a token fetched once for concurrent logins: each login's auth0 stays its own", async () => {
    const logins = Array.from({ length: 5 }, (_, i) => login(`c${i}`, { mode: "coalesce" }))
    const report = await runLogins(dir, action, logins, 300)
    assert.strictEqual(report.code, 0, report.stderr)
    report.outcomes.forEach((o, i) =>
      assert.deepStrictEqual(o.calls, [["user.setAppMetadata", "synced", `c${i}@shop.example`]], JSON.stringify(o))
    )
  }, 30_000)

  // The event's own `__proto__` key (user_metadata a user can edit, JSON a rule parses) reached the first rule as an
  // own key; a hand-written deep merge into user.app_metadata (rulefx's object, with rulefx's Object.prototype)
  // then polluted the host's Object.prototype: every later login of the instance failed closed (valibot walks its
  // schema with for-in), and a rule checking `app_metadata.isAdmin` would have let anyone in.
  it("an own __proto__ key in the event's user_metadata reaches no prototype through a deep merge", async () => {
    const polluter = login("p", { mode: "merge" }, {
      user_metadata: JSON.parse(`{"defaults":{"__proto__":{"isAdmin":true}}}`)
    })
    const report = await runLogins(dir, action, [polluter, login("q", {}, {}, "cli_admin"), login("s", {})], 300)
    assert.strictEqual(report.code, 0, report.stderr)
    const [p, q, s] = report.outcomes
    assert.deepStrictEqual(p!.calls, [])
    assert.deepStrictEqual(q!.calls, [["access.deny", "admins only"]])
    assert.deepStrictEqual(s!.calls, [])
  }, 30_000)

  // A getter a rule left on `user` is read by rulefx's copy between rules: what it throws is a defect, logged with
  // Cause.pretty, unscrubbed.
  it("a throwing getter left on user: denied, and its message is scrubbed in the log", async () => {
    const report = await runLogins(dir, action, [login("g", { mode: "getter" })], 100)
    assert.strictEqual(report.code, 0, report.stderr)
    assert.strictEqual(report.outcomes[0]!.denied !== undefined, true)
    for (const line of report.lines) assert.notInclude(line, apiKey)
  }, 30_000)

  // JSON the rule parses itself (an API's answer, here the query) carries its `__proto__` key into the merge. It
  // polluted rulefx's Object.prototype: later logins failed closed (the generic reason) instead of "admins only".
  it("a __proto__ key in JSON a rule parses reaches no prototype through a deep merge", async () => {
    const polluter = login("p", { mode: "merge", defaults: `{"__proto__":{"isAdmin":true}}` })
    const report = await runLogins(dir, action, [polluter, login("q", {}, {}, "cli_admin")], 300)
    assert.strictEqual(report.code, 0, report.stderr)
    assert.deepStrictEqual(report.outcomes[1]!.calls, [["access.deny", "admins only"]])
  }, 30_000)

  // The same merge into an object the rule made itself: the rule's own realm's Object.prototype took the key, and
  // every later login through that rule inherited it (a beta claim here; a grant for a rule that checks a role).
  it(
    "a __proto__ key merged into a rule's own object reaches no prototype of its realm: no later login inherits it",
    async () => {
      const polluter = login("p", { mode: "prefs", prefs: `{"__proto__":{"beta":true}}` })
      const later = [login("q", { mode: "prefs" }), login("s", { mode: "prefs", prefs: `{"theme":"dark"}` })]
      const report = await runLogins(dir, action, [polluter, ...later], 300)
      assert.strictEqual(report.code, 0, report.stderr)
      for (const outcome of report.outcomes) assert.deepStrictEqual(outcome.calls, [], JSON.stringify(outcome))
      // A tester flagged in their own preferences still gets it: the merge itself works.
      const tester = await runLogins(dir, action, [login("t", { mode: "prefs", prefs: `{"beta":true}` })], 300)
      assert.deepStrictEqual(tester.outcomes[0]!.calls, [["idToken.setCustomClaim", "https://example.com/beta", true]])
    },
    30_000
  )

  // A secret in a redirect URL went to the browser: only claims were checked. It is refused like a secret in a claim:
  // denied with the generic reason, the log naming the setting, never its value.
  it("a redirect URL holding a secret is not sent: denied, the log names the setting", async () => {
    const report = await runLogins(dir, action, [login("r", { mode: "redirect-key" })], 100)
    assert.strictEqual(report.code, 0, report.stderr)
    assert.deepStrictEqual(report.outcomes[0]!.calls, [["access.deny", genericMessage]])
    assert.isTrue(
      report.lines.some((line) => line.includes("denied: SecretInRedirect secret=API_KEY")),
      report.lines.join("\n")
    )
    for (const line of report.lines) assert.notInclude(line, apiKey)
    for (const line of report.lines) assert.notInclude(line, encodeURIComponent(apiKey))
  }, 30_000)
})
