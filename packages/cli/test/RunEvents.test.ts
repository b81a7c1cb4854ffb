/**
 * `rulefx run` takes what `rulefx events` writes and `rulefx diff` reads: a `.jsonl` file of `{ "name", "event" }`
 * lines (fixtures/tenant-events.jsonl: three lines of a migrated tenant's `rulefx events --from-tenant`), one of which
 * `--name` picks, and one such wrapper saved as a `.json` file. A wrapper is never run as an event of its own (every
 * field filled with defaults, as it once was). A partial event that leaves out what a rule decides by, and that is
 * never filled (`email_verified`), is said so.
 */
import { assert, describe, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import * as RulefxBin from "./utils/RulefxBin.ts"
import * as Scratch from "./utils/Scratch.ts"

const scratch = Scratch.scratch("rulefx-run-events-")
const tenantEvents = new URL("./fixtures/tenant-events.jsonl", import.meta.url).pathname
const lines = readFileSync(tenantEvents, "utf8").trimEnd().split("\n")

// Denies an unverified email, as the tenant's email-verified rule does; else names the application in a claim.
const action = () =>
  scratch.file(
    "action.js",
    `exports.onExecutePostLogin = async (event, api) => {
  if (!event.user.email_verified) return api.access.deny("Please verify your email before logging in.")
  api.idToken.setCustomClaim("https://example.com/app", event.client.name)
}
exports.onContinuePostLogin = async (event, api) => {
  api.idToken.setCustomClaim("https://example.com/continued", event.client.name)
}
`
  )

const rulefx = (...args: ReadonlyArray<string>) => RulefxBin.run(scratch.dir(), ...args)

describe("rulefx run, the events rulefx events writes", () => {
  it("a .jsonl file: --name picks the login; without it, a usage error naming them", async () => {
    const file = action()
    const [all, picked, unknown] = await Promise.all([
      rulefx("run", file, "--event", tenantEvents),
      rulefx("run", file, "--event", tenantEvents, "--name", "auth0|ada @ Partner Portal", "--expect", "allowed"),
      rulefx("run", file, "--event", tenantEvents, "--name", "nobody")
    ])
    assert.strictEqual(all.code, 2, RulefxBin.show(all))
    assert.include(
      all.stderr,
      `${tenantEvents} holds 3 events, and rulefx run runs one: pick it with --name <name> ("auth0|ada @ Admin ` +
        `Console", "auth0|ada @ Partner Portal", `
    )
    assert.strictEqual(picked.code, 0, RulefxBin.show(picked))
    assert.match(picked.stdout, /^id token +https:\/\/example\.com\/app = "Partner Portal"$/m)
    // The tenant's event as it is: only what `rulefx events` leaves out is filled.
    assert.match(picked.stdout, /^filled +user\.updated_at \(missing from the event/m)
    assert.strictEqual(unknown.code, 2, RulefxBin.show(unknown))
    assert.include(unknown.stderr, `--name nobody: no event of ${tenantEvents} has that name (3 events: "auth0|ada`)
  }, 60_000)

  it(
    "one line saved as .json is its event, never an empty one filled with defaults; \"continue\" runs the continue pass",
    async () => {
      const file = action()
      const one = scratch.file("one.json", lines[0]!)
      const wrapper = JSON.parse(lines[0]!) as Record<string, unknown>
      const resumed = scratch.file("resumed.json", JSON.stringify({ ...wrapper, continue: true }))
      const notEvent = scratch.file("not-event.json", JSON.stringify({ name: "x", event: "ada" }))
      const [ran, continued, refused] = await Promise.all([
        rulefx("run", file, "--event", one, "--expect", "allowed"),
        rulefx("run", file, "--event", resumed),
        rulefx("run", file, "--event", notEvent)
      ])
      assert.strictEqual(ran.code, 0, RulefxBin.show(ran))
      assert.match(ran.stdout, /^id token +https:\/\/example\.com\/app = "Admin Console"$/m)
      assert.match(ran.stdout, /^filled +user\.updated_at \(missing from the event/m)
      assert.strictEqual(continued.code, 0, RulefxBin.show(continued))
      assert.match(continued.stdout, /^id token +https:\/\/example\.com\/continued = "Admin Console"$/m)
      assert.strictEqual(refused.code, 1, RulefxBin.show(refused))
      assert.include(refused.stderr, `${notEvent}: "event" is not a JSON object`)
    },
    60_000
  )

  it("a name two events share, or an event of another trigger: refused, naming why, and nothing run", async () => {
    const file = action()
    const twins = scratch.file(
      "twins.jsonl",
      `${JSON.stringify({ name: "twin", event: { user: { user_id: "auth0|a" } } })}\n` +
        `${JSON.stringify({ name: "twin", event: { user: { user_id: "auth0|b" } } })}\n`
    )
    const m2m = scratch.file(
      "m2m.jsonl",
      `${JSON.stringify({ name: "m2m", trigger: "credentials-exchange", event: { client: { client_id: "c1" } } })}\n`
    )
    const [shared, other] = await Promise.all([
      rulefx("run", file, "--event", twins, "--name", "twin"),
      rulefx("run", file, "--event", m2m)
    ])
    assert.strictEqual(shared.code, 2, RulefxBin.show(shared))
    assert.include(shared.stderr, `--name twin: 2 events of ${twins} have that name; rulefx run runs one`)
    assert.notMatch(shared.stdout, /^outcome/m)
    assert.strictEqual(other.code, 1, RulefxBin.show(other))
    assert.include(
      other.stderr,
      `${m2m}: "m2m" is a credentials-exchange event, and this run is for post-login (--trigger credentials-exchange ` +
        `runs it)`
    )
    assert.notMatch(other.stdout, /^outcome/m)
  }, 60_000)

  it("a partial event without email_verified: denied by the rule that reads it, and the warning names it", async () => {
    const file = action()
    const partial = scratch.file("partial.json", JSON.stringify({ user: { email: "x@acme.com" } }))
    const run = await rulefx("run", file, "--event", partial, "--json")
    assert.strictEqual(run.code, 0, RulefxBin.show(run))
    const result = JSON.parse(run.stdout) as { readonly outcome: string; readonly decisive: ReadonlyArray<string> }
    assert.strictEqual(result.outcome, "denied")
    assert.include(result.decisive, "user.email_verified (absent: not verified)")
    assert.notInclude(result.decisive, "user.email (absent: no email)")
    const text = await rulefx("run", file, "--event", partial)
    assert.match(
      text.stdout,
      /^warning +left out of the event, and never filled: user\.email_verified \(absent: not verified\); a rule that reads them decided by their absence \(write them in the event\)$/m
    )
  }, 60_000)
})
