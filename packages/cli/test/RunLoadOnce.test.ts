/**
 * `rulefx run` through the bin loads the Action's module once, as Auth0 loads it once per container: its top-level
 * code (a timer, a connection, a counter, a log line) runs once per run, on every path (the first pass, a first pass
 * that sends the user away and so reads which handlers the file exports, the continue pass, another trigger).
 */
import { assert, describe, it } from "@effect/vitest"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import * as RulefxBin from "./utils/RulefxBin.ts"
import * as Scratch from "./utils/Scratch.ts"
import { minimalEvent } from "./utils/Seed.ts"

const scratch = Scratch.scratch("rulefx-run-load-once-")
const { file } = scratch

// An Action whose top-level code appends a line to `<name>.loads` beside it, then exports `handlers`.
const counted = (name: string, handlers: string): { readonly action: string; readonly loads: () => number } => {
  const log = join(scratch.dir(), `${name}.loads`)
  const action = file(
    `${name}.js`,
    `require("node:fs").appendFileSync(${JSON.stringify(log)}, "loaded\\n")\n${handlers}\n`
  )
  return {
    action,
    loads: () => existsSync(log) ? readFileSync(log, "utf8").split("\n").filter((line) => line !== "").length : 0
  }
}

const postLogin = (first: string) =>
  `exports.onExecutePostLogin = async (event, api) => { ${first} }
exports.onContinuePostLogin = async (event, api) => {}`

const rulefx = (...args: ReadonlyArray<string>) => RulefxBin.run(scratch.dir(), ...args)

const loginEvent = () => file("login.json", JSON.stringify(minimalEvent()))

describe("rulefx run loads the Action's module once", () => {
  it("a post-login first pass that allows", async () => {
    const { action, loads } = counted("allows", postLogin(""))
    const run = await rulefx("run", action, "--event", loginEvent(), "--expect", "allowed")
    assert.strictEqual(run.code, 0, RulefxBin.show(run))
    // Before: 2 (once to find the trigger the file is for, once for the handler).
    assert.strictEqual(loads(), 1, RulefxBin.show(run))
  }, 60_000)

  it("a post-login first pass that sends the user away, checked for its continue handler", async () => {
    const { action, loads } = counted("redirects", postLogin(`api.redirect.sendUserTo("https://example.com/confirm")`))
    const run = await rulefx("run", action, "--event", loginEvent(), "--expect", "allowed")
    assert.strictEqual(run.code, 0, RulefxBin.show(run))
    assert.match(run.stdout, /redirect\s+https:\/\/example\.com\/confirm/, RulefxBin.show(run))
    assert.notInclude(run.stderr, "warning", RulefxBin.show(run))
    // Before: 3 (the trigger, the handler, and the exports read again for onContinuePostLogin).
    assert.strictEqual(loads(), 1, RulefxBin.show(run))
  }, 60_000)

  it(
    "a first pass that sends the user away from an Action without a continue handler is still warned about",
    async () => {
      const { action, loads } = counted(
        "unresumable",
        `exports.onExecutePostLogin = async (event, api) => { api.redirect.sendUserTo("https://example.com/x") }`
      )
      const run = await rulefx("run", action, "--event", loginEvent(), "--expect", "allowed")
      assert.strictEqual(run.code, 1, RulefxBin.show(run))
      assert.include(run.stderr, "exports no onContinuePostLogin", RulefxBin.show(run))
      assert.strictEqual(loads(), 1, RulefxBin.show(run))
    },
    60_000
  )

  it("with --trigger post-login, a redirecting first pass", async () => {
    const { action, loads } = counted("flagged", postLogin(`api.redirect.sendUserTo("https://example.com/confirm")`))
    const run = await rulefx("run", action, "--trigger", "post-login", "--event", loginEvent())
    assert.strictEqual(run.code, 0, RulefxBin.show(run))
    // Before: 2 (the handler, and the exports read again).
    assert.strictEqual(loads(), 1, RulefxBin.show(run))
  }, 60_000)

  it("the continue pass", async () => {
    const { action, loads } = counted("continues", postLogin(""))
    const run = await rulefx("run", action, "--event", loginEvent(), "--continue")
    assert.strictEqual(run.code, 0, RulefxBin.show(run))
    assert.strictEqual(loads(), 1, RulefxBin.show(run))
  }, 60_000)

  it("another trigger: a password-reset-post-challenge first pass that sends the user away", async () => {
    const { action, loads } = counted(
      "challenge",
      `exports.onExecutePostChallenge = async (event, api) => { api.redirect.sendUserTo("https://example.com/c") }
exports.onContinuePostChallenge = async (event, api) => {}`
    )
    const event = file("challenge.json", JSON.stringify({ user: { user_id: "auth0|grace" } }))
    const run = await rulefx("run", action, "--event", event, "--expect", "allowed")
    assert.strictEqual(run.code, 0, RulefxBin.show(run))
    assert.include(run.stdout, "https://example.com/c", RulefxBin.show(run))
    // Before: 3.
    assert.strictEqual(loads(), 1, RulefxBin.show(run))
  }, 60_000)

  it("a refused option or a TypeScript entry never runs the module", async () => {
    const { action, loads } = counted("refused", postLogin(""))
    const unknown = await rulefx("run", action, "--trigger", "post-logout", "--event", loginEvent())
    assert.strictEqual(unknown.code, 2, RulefxBin.show(unknown))
    const noContinue = await rulefx(
      "run",
      action,
      "--trigger",
      "credentials-exchange",
      "--continue",
      "--event",
      loginEvent()
    )
    assert.include(noContinue.stderr, "--continue is for a trigger with a continue pass", RulefxBin.show(noContinue))
    assert.strictEqual(loads(), 0)
    const log = join(scratch.dir(), "typescript.loads")
    const entry = file(
      "typescript.ts",
      `require("node:fs").appendFileSync(${JSON.stringify(log)}, "loaded\\n")\n${postLogin("")}\n`
    )
    const typescript = await rulefx("run", entry, "--event", loginEvent())
    assert.strictEqual(typescript.code, 1, RulefxBin.show(typescript))
    assert.include(typescript.stderr, "not a built Action", RulefxBin.show(typescript))
    // Before: Node 22 stripped its types and ran it, to find the trigger it is for, before refusing it.
    assert.isFalse(existsSync(log), RulefxBin.show(typescript))
  }, 60_000)
})

describe("rulefx run: what the Action's module logs while it loads", () => {
  const secret = "s3cr3t-load-line"
  const withSecret = () => file("secret.json", JSON.stringify({ ...minimalEvent(), secrets: { API_KEY: secret } }))
  // The module's top level logs the secret (a client's config printed as it starts), then exports `handlers`.
  const logging = (name: string, handlers: string) =>
    file(
      `${name}.js`,
      `console.log("connecting with ${secret}")\nconsole.error("warming up")\n${handlers}\n`
    )

  // Printed as it was, before the report: the secret in clear, and --json output that was not JSON.
  it("is kept, scrubbed, as the load's lines: --json stays JSON", async () => {
    const action = logging("load-log", postLogin(`console.log("in the run")`))
    const json = await rulefx("run", action, "--event", withSecret(), "--json")
    assert.notInclude(`${json.stdout}${json.stderr}`, secret, RulefxBin.show(json))
    const result = JSON.parse(json.stdout) as { readonly loadLogs?: ReadonlyArray<string>; readonly logs: unknown }
    assert.deepStrictEqual(result.loadLogs, ["connecting with [secret API_KEY]", "warming up"], RulefxBin.show(json))
    assert.deepStrictEqual(result.logs, ["in the run"], RulefxBin.show(json))
    const text = await rulefx("run", action, "--event", withSecret())
    assert.notInclude(`${text.stdout}${text.stderr}`, secret, RulefxBin.show(text))
    assert.match(text.stdout, /^load log +connecting with \[secret API_KEY\]$/m, RulefxBin.show(text))
    assert.match(text.stdout, /^outcome/, RulefxBin.show(text))
  }, 60_000)

  // A timer the module's top level started fired before the run, and what it logged was printed as it was.
  it("a line a timer of its top level logs before the run is not printed", async () => {
    const action = file(
      "load-timer.js",
      `setTimeout(() => console.log("early ${secret}"), 0)\n${postLogin("")}\n`
    )
    const json = await rulefx("run", action, "--event", withSecret(), "--json")
    assert.notInclude(`${json.stdout}${json.stderr}`, secret, RulefxBin.show(json))
    assert.doesNotThrow(() => JSON.parse(json.stdout), undefined, RulefxBin.show(json))
  }, 60_000)

  it("another trigger's Action: the same", async () => {
    const action = logging("load-log-ce", `exports.onExecuteCredentialsExchange = async (event, api) => {}`)
    const event = file("ce-secret.json", JSON.stringify({ secrets: { API_KEY: secret } }))
    const json = await rulefx("run", action, "--event", event, "--json")
    assert.notInclude(`${json.stdout}${json.stderr}`, secret, RulefxBin.show(json))
    const result = JSON.parse(json.stdout) as { readonly loadLogs?: ReadonlyArray<string> }
    assert.deepStrictEqual(result.loadLogs, ["connecting with [secret API_KEY]", "warming up"], RulefxBin.show(json))
  }, 60_000)
})
