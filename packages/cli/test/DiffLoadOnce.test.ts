/**
 * `rulefx diff` through the bin loads each Action's module once per diff, as Auth0 loads an Action once per container
 * and runs every login and pass of that container against the same module: its top-level code (a module-level cache, a
 * timer, a counter, a connection) runs once per side, on every path (a first pass, a first pass that sends the user
 * away and a continue pass, `--continue`, another trigger's events, a module that throws as it loads), and what it keeps
 * is shared by the passes of one diff. Two sides are two modules: an Action compared with itself (the same file as `a`
 * and `b`) is loaded once per side, and each side's runs see only its own module's state, as before.
 */
import { assert, describe, it } from "@effect/vitest"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import * as RulefxBin from "./utils/RulefxBin.ts"
import * as Scratch from "./utils/Scratch.ts"
import { minimalEvent } from "./utils/Seed.ts"

const scratch = Scratch.scratch("rulefx-diff-load-once-")
const { file, jsonl } = scratch

// The lines of `<name>.log` beside the Actions; none when it was never written.
const lines = (name: string): ReadonlyArray<string> => {
  const log = join(scratch.dir(), `${name}.log`)
  return existsSync(log) ? readFileSync(log, "utf8").split("\n").filter((line) => line !== "") : []
}

// An Action whose top-level code appends `loaded` to `<name>.log` beside it, then runs `handlers` with `note(text)` in
// scope, which appends `text` to the same log.
const counted = (name: string, handlers: string): { readonly action: string; readonly loads: () => number } => {
  const log = JSON.stringify(join(scratch.dir(), `${name}.log`))
  const action = file(
    `${name}.js`,
    `const note = (text) => require("node:fs").appendFileSync(${log}, text + "\\n")\nnote("loaded")\n${handlers}\n`
  )
  return { action, loads: () => lines(name).filter((line) => line === "loaded").length }
}

// A post-login Action whose first pass runs `first`; each pass notes itself and a module-level count of the passes run.
const postLogin = (first: string) =>
  `let passes = 0
exports.onExecutePostLogin = async (event, api) => { note("execute " + ++passes); ${first} }
exports.onContinuePostLogin = async (event, api) => { note("continue " + ++passes) }`

const rulefx = (...args: ReadonlyArray<string>) => RulefxBin.run(scratch.dir(), ...args)

const login = (name: string, resume = false) => ({ name, ...(resume ? { continue: true } : {}), event: minimalEvent() })

const redirect = `api.redirect.sendUserTo("https://example.com/confirm")`

describe("rulefx diff loads each Action's module once", () => {
  it("a first pass only", async () => {
    const a = counted("first-a", postLogin(""))
    const b = counted("first-b", postLogin(""))
    const events = jsonl("first.jsonl", [login("one"), login("two")])
    const diff = await rulefx("diff", a.action, b.action, "--events", events)
    assert.strictEqual(diff.code, 0, RulefxBin.show(diff))
    assert.include(diff.stdout, "2 events: 2 same, 0 differ", RulefxBin.show(diff))
    // Before: 2 each (once to read what the file exports, once for the first pass's handler).
    assert.deepStrictEqual([a.loads(), b.loads()], [1, 1], RulefxBin.show(diff))
  }, 60_000)

  it("a first pass that sends the user away, then a continue pass: one module, its state shared by both", async () => {
    const a = counted("resume-a", postLogin(redirect))
    const b = counted("resume-b", postLogin(redirect))
    const events = jsonl("resume.jsonl", [login("away"), login("back", true)])
    const diff = await rulefx("diff", a.action, b.action, "--events", events)
    assert.strictEqual(diff.code, 0, RulefxBin.show(diff))
    assert.include(diff.stdout, "2 events: 2 same, 0 differ", RulefxBin.show(diff))
    assert.notInclude(diff.stdout, "neither exports", RulefxBin.show(diff))
    // Before: 3 each (what the file exports, the first pass's handler, the continue pass's), and the continue pass ran
    // against a module of its own: "continue 1".
    assert.deepStrictEqual([a.loads(), b.loads()], [1, 1], RulefxBin.show(diff))
    assert.deepStrictEqual(lines("resume-a"), ["loaded", "execute 1", "continue 2"], RulefxBin.show(diff))
    assert.deepStrictEqual(lines("resume-b"), ["loaded", "execute 1", "continue 2"], RulefxBin.show(diff))
  }, 60_000)

  it("--continue", async () => {
    const a = counted("continue-a", postLogin(""))
    const b = counted("continue-b", postLogin(""))
    const events = jsonl("continue.jsonl", [login("back")])
    const diff = await rulefx("diff", a.action, b.action, "--events", events, "--continue")
    assert.strictEqual(diff.code, 0, RulefxBin.show(diff))
    assert.include(diff.stdout, "1 event: 1 same, 0 differ", RulefxBin.show(diff))
    // Before: 2 each.
    assert.deepStrictEqual([a.loads(), b.loads()], [1, 1], RulefxBin.show(diff))
  }, 60_000)

  it("another trigger's events beside post-login's, through an Action serving both", async () => {
    const both = `${postLogin("")}
exports.onExecuteCredentialsExchange = async (event, api) => { note("exchange " + ++passes) }`
    const a = counted("triggers-a", both)
    const b = counted("triggers-b", both)
    const events = jsonl("triggers.jsonl", [
      login("login"),
      { name: "m2m", trigger: "credentials-exchange", event: { client: { client_id: "c1", name: "m2m" } } }
    ])
    const diff = await rulefx("diff", a.action, b.action, "--events", events)
    assert.strictEqual(diff.code, 0, RulefxBin.show(diff))
    assert.include(diff.stdout, "2 events: 2 same, 0 differ", RulefxBin.show(diff))
    // Before: 3 each (what the file exports, then one load per handler the events run).
    assert.deepStrictEqual([a.loads(), b.loads()], [1, 1], RulefxBin.show(diff))
    assert.deepStrictEqual(lines("triggers-a"), ["loaded", "execute 1", "exchange 2"], RulefxBin.show(diff))
  }, 60_000)

  it("a module that throws as it loads runs once, and the diff fails saying why", async () => {
    const a = counted("fine", postLogin(""))
    const broken = counted("throws", `throw new Error("no connection")\n${postLogin("")}`)
    const diff = await rulefx("diff", a.action, broken.action, "--events", jsonl("broken.jsonl", [login("one")]))
    assert.strictEqual(diff.code, 1, RulefxBin.show(diff))
    assert.include(diff.stderr, "throws.js: cannot be loaded: no connection", RulefxBin.show(diff))
    // Before: 2 (what the file exports, which failed and was taken as nothing, then the handler).
    assert.deepStrictEqual([a.loads(), broken.loads()], [1, 1], RulefxBin.show(diff))
  }, 60_000)

  it(
    "an Action compared with itself is loaded once per side: two modules, each side's runs against its own",
    async () => {
      const same = counted("itself", postLogin(redirect))
      const events = jsonl("itself.jsonl", [login("away"), login("back", true)])
      const diff = await rulefx("diff", same.action, same.action, "--events", events)
      assert.strictEqual(diff.code, 0, RulefxBin.show(diff))
      assert.include(diff.stdout, "2 events: 2 same, 0 differ", RulefxBin.show(diff))
      // Before: 6 (3 per side). The same file as `a` and `b` is still two modules, as it was: each side's runs count
      // their own passes (a's then b's, for each event), so neither sees what the other's runs left in its module.
      assert.strictEqual(same.loads(), 2, RulefxBin.show(diff))
      assert.deepStrictEqual(
        lines("itself"),
        ["loaded", "loaded", "execute 1", "execute 1", "continue 2", "continue 2"],
        RulefxBin.show(diff)
      )
    },
    60_000
  )
})

describe("rulefx diff: what each Action's module logs while it loads", () => {
  // Printed as it was, before the report: the secret in clear, and --json output that was not JSON.
  it("is kept once per side, scrubbed, apart from the runs: --json stays JSON", async () => {
    const secret = "s3cr3t-diff-load"
    const allows = `exports.onExecutePostLogin = async (event, api) => {}`
    const a = file("load-log-a.js", `console.log("key ${secret}")\n${allows}\n`)
    const b = file("load-log-b.js", `console.error("b is up")\n${allows}\n`)
    const events = jsonl("load-log.jsonl", [{ ...login("one"), event: { ...minimalEvent(), secrets: { K: secret } } }])
    const json = await rulefx("diff", a, b, "--events", events, "--json")
    assert.strictEqual(json.code, 0, RulefxBin.show(json))
    assert.notInclude(`${json.stdout}${json.stderr}`, secret, RulefxBin.show(json))
    const report = JSON.parse(json.stdout) as { readonly loadLogs?: unknown }
    assert.deepStrictEqual(report.loadLogs, { a: ["key [secret K]"], b: ["b is up"] }, RulefxBin.show(json))
    const text = await rulefx("diff", a, b, "--events", events)
    assert.notInclude(`${text.stdout}${text.stderr}`, secret, RulefxBin.show(text))
    assert.include(text.stdout, `${a} logged while it loaded (not compared):\n  key [secret K]`, RulefxBin.show(text))
  }, 60_000)

  // A timer the module's top level started fired before the runs, and what it logged was printed as it was.
  it("a line a timer of its top level logs before the runs is not printed", async () => {
    const secret = "s3cr3t-diff-timer"
    const a = file(
      "load-timer.js",
      `setTimeout(() => console.log("early ${secret}"), 0)\nexports.onExecutePostLogin = async () => {}\n`
    )
    const events = jsonl("load-timer.jsonl", [login("one")])
    const json = await rulefx("diff", a, a, "--events", events, "--json")
    assert.strictEqual(json.code, 0, RulefxBin.show(json))
    assert.notInclude(`${json.stdout}${json.stderr}`, secret, RulefxBin.show(json))
    assert.doesNotThrow(() => JSON.parse(json.stdout), undefined, RulefxBin.show(json))
  }, 60_000)
})
