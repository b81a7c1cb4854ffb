/**
 * `rulefx run` through the bin, with an Action that tries to end the process or crash it: the run is reported
 * (rejected, as Auth0 fails such a login), a CI gate (`--expect`) cannot pass, and the secret of the event is never
 * printed, whatever the Action threw and when.
 */
import { assert, describe, it } from "@effect/vitest"
import * as RulefxBin from "./utils/RulefxBin.ts"
import * as Scratch from "./utils/Scratch.ts"
import { minimalEvent } from "./utils/Seed.ts"

const scratch = Scratch.scratch("rulefx-run-guard-")
const { action, file } = scratch

const secret = "s3cr3t-run-guard"
const withSecret = () => file("secret.json", JSON.stringify({ ...minimalEvent(), secrets: { API_KEY: secret } }))

const rulefx = (...args: ReadonlyArray<string>) => RulefxBin.run(scratch.dir(), ...args)

const output = (run: RulefxBin.Output): string => `${run.stdout}${run.stderr}`

describe("rulefx run: an Action cannot end the process or crash it", () => {
  it("a deny followed by process.exit(0) is reported rejected, and fails --expect denied", async () => {
    const exits = action("deny-exit", `api.access.deny("no"); process.exit(0)`)
    // Before: the process ended with code 0 and nothing printed, so the CI gate passed.
    const run = await rulefx("run", exits, "--event", withSecret(), "--expect", "denied")
    assert.match(run.stdout, /outcome\s+rejected/, RulefxBin.show(run))
    assert.include(run.stdout, "process.exit(0) called", RulefxBin.show(run))
    assert.strictEqual(run.code, 1, RulefxBin.show(run))
  }, 60_000)

  it("a throw on a timer while the handler runs rejects the run, shown without the secret", async () => {
    const throws = action(
      "timer-throw",
      `api.access.deny("no")
       setTimeout(() => { throw new Error("late " + event.secrets.API_KEY) }, 5)
       await new Promise((r) => setTimeout(r, 50))`
    )
    // Before: Node printed the source line and "Error: late s3cr3t-run-guard" with its stack, and nothing else.
    const run = await rulefx("run", throws, "--event", withSecret())
    assert.notInclude(output(run), secret, RulefxBin.show(run))
    assert.match(run.stdout, /rejected\s+uncaught exception: Error: late \[secret API_KEY\]/, RulefxBin.show(run))
  }, 60_000)

  it("a throw after the run ended fails the command, without printing the secret", async () => {
    const later = action("after-throw", `setTimeout(() => { throw new Error("after " + event.secrets.API_KEY) }, 300)`)
    const run = await rulefx("run", later, "--event", withSecret())
    assert.notInclude(output(run), secret, RulefxBin.show(run))
    assert.match(run.stdout, /outcome\s+allowed/, RulefxBin.show(run))
    assert.include(run.stderr, "rulefx run: an Action threw after its run ended", RulefxBin.show(run))
    assert.strictEqual(run.code, 1, RulefxBin.show(run))
  }, 60_000)

  // brk-late (c): each throw after the run printed the same line, one per turn of the event loop for the second the
  // process waits.
  it("an Action that rejects on every turn after its run prints one line for it, then how many more", async () => {
    const loops = action(
      "after-reject-loop",
      `setTimeout(() => { const loop = () => { Promise.reject(new Error("x")); setImmediate(loop) }; loop() }, 100)`
    )
    const run = await rulefx("run", loops, "--event", withSecret())
    assert.strictEqual(run.stderr.split("an Action threw after its run ended").length - 1, 1, RulefxBin.show(run))
    assert.match(run.stderr, /rulefx run: and \d+ more after it/, RulefxBin.show(run))
    assert.strictEqual(run.code, 1, RulefxBin.show(run))
  }, 60_000)

  // brk-late (d): what the Action logged after its run (on a timer, while the process waited for it) was printed as it
  // was, secret and all, after the outcome (--json then was not JSON).
  it("a secret an Action logs after its run is not printed, and --json stays JSON", async () => {
    const logs = action("after-log", `setTimeout(() => console.log("late " + event.secrets.API_KEY), 200)`)
    const run = await rulefx("run", logs, "--event", withSecret(), "--json")
    assert.notInclude(output(run), secret, RulefxBin.show(run))
    assert.doesNotThrow(() => JSON.parse(run.stdout), undefined, RulefxBin.show(run))
    assert.strictEqual(run.code, 0, RulefxBin.show(run))
  }, 60_000)

  // A write to the process's streams after the run went out as it was, after the outcome: the secret, and --json
  // output that was no longer JSON.
  it("a secret an Action writes to process.stdout or process.stderr after its run is not printed", async () => {
    const writes = action(
      "after-write",
      `setTimeout(() => {
         process.stdout.write("late " + event.secrets.API_KEY + "\\n")
         process.stderr.write("late " + event.secrets.API_KEY + "\\n", () => process.stdout.write("called back\\n"))
       }, 200)`
    )
    const run = await rulefx("run", writes, "--event", withSecret(), "--json")
    assert.notInclude(output(run), secret, RulefxBin.show(run))
    assert.notInclude(output(run), "called back", RulefxBin.show(run))
    assert.doesNotThrow(() => JSON.parse(run.stdout), undefined, RulefxBin.show(run))
    assert.strictEqual(run.code, 0, RulefxBin.show(run))
  }, 60_000)

  // brk-late (c): a run kept every line its Action logged; past 1,000 the rest are counted.
  it("a run keeps the first 1,000 lines its Action logs, then counts the rest", async () => {
    const chatty = action("chatty", `for (let i = 0; i < 1500; i++) console.log("line " + i)`)
    const run = await rulefx("run", chatty, "--event", withSecret(), "--json")
    const logs = (JSON.parse(run.stdout) as { readonly logs: ReadonlyArray<string> }).logs
    assert.strictEqual(logs.length, 1001, RulefxBin.show(run))
    assert.strictEqual(logs[999], "line 999")
    assert.strictEqual(logs[1000], "and 500 more")
  }, 60_000)

  // The guard counted every crash of a run, and the report showed only the first.
  it("a run that crashed several times says how many, as text and as JSON", async () => {
    const rejects = action(
      "reject-thrice",
      `for (let i = 0; i < 3; i++) Promise.reject(new Error("no " + i + " " + event.secrets.API_KEY))
       await new Promise((r) => setTimeout(r, 50))`
    )
    const text = await rulefx("run", rejects, "--event", withSecret())
    assert.notInclude(output(text), secret, RulefxBin.show(text))
    assert.match(
      text.stdout,
      /rejected\s+crashed 3 times; the first: unhandled rejection: Error: no 0 \[secret API_KEY\]/,
      RulefxBin.show(text)
    )
    const json = await rulefx("run", rejects, "--event", withSecret(), "--json")
    const result = JSON.parse(json.stdout) as { readonly rejection?: string }
    assert.strictEqual(
      result.rejection,
      "crashed 3 times; the first: unhandled rejection: Error: no 0 [secret API_KEY]",
      RulefxBin.show(json)
    )
  }, 60_000)

  it(
    "a credentials-exchange Action's unhandled rejection while it runs rejects the run, without the secret",
    async () => {
      const rejects = file(
        "ce-reject.js",
        `exports.onExecuteCredentialsExchange = async (event, api) => {
         Promise.reject(new Error("no " + event.secrets.API_KEY))
         await new Promise((r) => setTimeout(r, 50))
       }\n`
      )
      const event = file("ce.json", JSON.stringify({ secrets: { API_KEY: secret } }))
      const run = await rulefx("run", rejects, "--event", event, "--expect", "allowed")
      assert.notInclude(output(run), secret, RulefxBin.show(run))
      assert.match(run.stdout, /rejected\s+unhandled rejection: Error: no \[secret API_KEY\]/, RulefxBin.show(run))
      assert.strictEqual(run.code, 1, RulefxBin.show(run))
    },
    60_000
  )
})
