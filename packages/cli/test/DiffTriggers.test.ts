/**
 * `rulefx diff` for the triggers other than post-login: the M2M example (examples/m2m-scopes, credentials-exchange)
 * built as it is and with one rule changed (the pro tier's rate limit), through the library and the command (exit 1
 * when a claim changed, 0 for the unchanged pair); hand-written Actions for what the example does not do (a call the
 * recording api does not know, HTTP replayed, an Action serving two triggers); and the refusals: Actions serving
 * different triggers, an Action without the handler the events need, a continue pass of another trigger, events that
 * do not say their trigger when the Actions serve several.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Bundle from "@rulefx/cli/Bundle"
import * as Diff from "@rulefx/cli/Diff"
import * as LocalRun from "@rulefx/cli/LocalRun"
import * as Listen from "@rulefx/testing/Listen"
import * as Effect from "effect/Effect"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as RulefxBin from "./utils/RulefxBin.ts"

const m2mFolder = fileURLToPath(new URL("../../../examples/m2m-scopes", import.meta.url))
const rateLimit = "https://example.com/rate_limit"

let dir = ""
let m2m = ""
let changed = ""
let counter: Listen.Listening

const file = (name: string, text: string) => {
  const path = join(dir, name)
  mkdirSync(join(path, ".."), { recursive: true })
  writeFileSync(path, text)
  return path
}

const jsonl = (name: string, events: ReadonlyArray<unknown>) =>
  file(name, events.map((event) => JSON.stringify(event)).join("\n") + "\n")

/** The example's two sample events: a pro client allowed, a free client asking for a scope it may not have. */
const sampleEvents = () =>
  ["allowed", "refused"].map((name) =>
    JSON.parse(readFileSync(join(m2mFolder, "events", `${name}.json`), "utf8")) as Record<string, unknown>
  )

/** A hand-written credentials-exchange Action (CommonJS) with this handler body; `event` and `api` are in scope. */
const exchange = (name: string, body: string) =>
  file(`${name}.js`, `exports.onExecuteCredentialsExchange = async (event, api) => {\n${body}\n}\n`)

/** Runs `rulefx ...args`; never rejects. */
const rulefx = (...args: ReadonlyArray<string>) => RulefxBin.run(dir, ...args)

const show = RulefxBin.show

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rulefx-diff-triggers-"))
  m2m = join(dir, "m2m", "action.js")
  changed = join(dir, "changed", "action.js")
  // The changed copy: the pro tier's rate limit 900, not 600. One entry file holds the rules and the Action (only an
  // entry's imports resolve from the example's packages); the policy is the example's own.
  const src = join(m2mFolder, "src")
  const local = (text: string) => text.replaceAll("\"./policy.ts\"", JSON.stringify(join(src, "policy.ts")))
  const rules = local(readFileSync(join(src, "rules.ts"), "utf8"))
  const variant = rules.replace("rateLimits[policy.tier]", "(policy.tier === \"pro\" ? 900 : rateLimits[policy.tier])")
  if (variant === rules) throw new Error("examples/m2m-scopes no longer sets rateLimits[policy.tier]: update this test")
  const action = local(readFileSync(join(src, "action.ts"), "utf8")).split("\n")
    .filter((line) => !line.includes("\"./rules.ts\"") && !(line.startsWith("import ") && variant.includes(line)))
  const entry = file("changed-src/action.ts", `${variant}\n${action.join("\n")}`)
  await Bundle.build({ entry: join(src, "action.ts"), outfile: m2m })
  await Bundle.build({ entry, outfile: changed, resolveFrom: [m2mFolder] })
  let hits = 0
  counter = await Listen.listen(createServer((_request, response) => response.end(String(++hits))))
}, 120_000)

afterAll(async () => {
  await counter?.close()
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

describe("Diff of credentials-exchange Actions", () => {
  it.effect("the unchanged pair is the same; the changed one differs in the claim, on the allowed request only", () =>
    Effect.gen(function*() {
      const events = jsonl("m2m.jsonl", sampleEvents())
      const same = yield* Diff.diff(m2m, m2m, events)
      assert.deepStrictEqual([same.events, same.same, same.differ], [2, 2, 0])
      assert.deepStrictEqual(same.results.map((r) => [r.trigger, r.pass, r.a.outcome, r.a.reason]), [
        ["credentials-exchange", "onExecuteCredentialsExchange", "allowed", undefined],
        [
          "credentials-exchange",
          "onExecuteCredentialsExchange",
          "denied",
          "invalid_scope | This client may not request the scope delete:reports."
        ]
      ])
      const report = yield* Diff.diff(m2m, changed, events)
      assert.deepStrictEqual([report.events, report.same, report.differ], [2, 1, 1])
      assert.deepStrictEqual(report.results[0]!.differences, [{ path: `claims.access.${rateLimit}`, a: 600, b: 900 }])
      assert.include(Diff.render(report, { a: "a", b: "b" }), "m2m.jsonl:1 (credentials-exchange): differs")
      // An intended change is ignored as for post-login.
      const ignored = yield* Diff.diff(m2m, changed, events, { ignore: [`claims.access.${rateLimit}`] })
      assert.strictEqual(ignored.differ, 0)
      assert.deepStrictEqual(ignored.results[0]!.ignored, [`claims.access.${rateLimit}`])
    }))

  it("rulefx diff: exit 1 and the claim in the table for the changed pair, exit 0 for the unchanged one", async () => {
    const events = jsonl("m2m-cli.jsonl", sampleEvents())
    const differs = await rulefx("diff", m2m, changed, "--events", events)
    assert.strictEqual(differs.code, 1, show(differs))
    assert.include(differs.stdout, "m2m-cli.jsonl:1 (credentials-exchange): differs", show(differs))
    assert.match(differs.stdout, new RegExp(`claims\\.access\\.${rateLimit.replaceAll(".", "\\.")}\\s+600\\s+900`))
    assert.include(differs.stdout, "2 events: 1 same, 1 differ", show(differs))
    const same = await rulefx("diff", m2m, m2m, "--events", events, "--trigger", "credentials-exchange", "--json")
    assert.strictEqual(same.code, 0, show(same))
    const json = JSON.parse(same.stdout) as Diff.Report
    assert.deepStrictEqual(json.results.map((r) => [r.trigger, r.same]), [
      ["credentials-exchange", true],
      ["credentials-exchange", true]
    ])
    const unknown = await rulefx("diff", m2m, m2m, "--events", events, "--trigger", "post-logon")
    assert.strictEqual(unknown.code, 2, show(unknown))
    assert.include(unknown.stderr, "--trigger post-logon is not a trigger rulefx knows")
    const resumed = await rulefx(
      "diff",
      m2m,
      m2m,
      "--events",
      events,
      "--trigger",
      "credentials-exchange",
      "--continue"
    )
    assert.strictEqual(resumed.code, 2, show(resumed))
    assert.include(
      resumed.stderr,
      "--continue is for post-login and password-reset-post-challenge, not credentials-exchange"
    )
  }, 60_000)

  it.effect("a call the recording api does not know is compared by method; fetch is recorded and replayed", () =>
    Effect.gen(function*() {
      const events = jsonl("generic.jsonl", [{ trigger: "credentials-exchange", event: sampleEvents()[0] }])
      const target = (scope: string) =>
        exchange(`target-${scope}`, `api.transaction.addTargetScope(${JSON.stringify(scope)})`)
      const report = yield* Diff.diff(target("read:a"), target("read:b"), events)
      assert.deepStrictEqual(report.results[0]!.differences, [
        {
          path: "calls.transaction.targetScopes",
          a: [["transaction.addTargetScope", ["read:a"]]],
          b: [["transaction.addTargetScope", ["read:b"]]]
        }
      ])
      assert.isTrue((yield* Diff.diff(target("read:a"), target("read:a"), events)).results[0]!.same)
      // The counter answers each request with a new number: the same claim on both sides means the second Action got
      // the first one's answer.
      const fetching = exchange(
        "fetching",
        `const r = await fetch(${JSON.stringify(counter.url)} + "/n")
         api.accessToken.setCustomClaim("https://example.com/n", await r.text())`
      )
      const replayed = yield* Diff.diff(fetching, fetching, events)
      assert.isTrue(replayed.results[0]!.same, JSON.stringify(replayed.results[0]))
      assert.deepStrictEqual([replayed.results[0]!.a.requests, replayed.results[0]!.b.requests], [1, 1])
    }))

  it.effect("an Action serving two triggers: each event runs through its trigger's handler", () =>
    Effect.gen(function*() {
      const both = (claim: string) =>
        file(
          `both-${claim}.js`,
          `exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim("k", "login") }
           exports.onExecuteCredentialsExchange = async (event, api) => {
             api.accessToken.setCustomClaim("k", ${JSON.stringify(claim)})
           }\n`
        )
      const events = jsonl("mixed.jsonl", [
        { name: "login", event: { user: { user_id: "auth0|1" } } },
        { name: "m2m", trigger: "credentials-exchange", event: sampleEvents()[0] }
      ])
      const report = yield* Diff.diff(both("x"), both("y"), events)
      assert.deepStrictEqual(report.results.map((r) => [r.name, r.pass, r.same]), [
        ["login", "onExecutePostLogin", true],
        ["m2m", "onExecuteCredentialsExchange", false]
      ])
      assert.deepStrictEqual(report.results[1]!.differences, [{ path: "claims.access.k", a: "x", b: "y" }])
      // Without post-login, an event that does not name its trigger is refused, naming what the Actions serve.
      const noLogin = file(
        "no-login.js",
        `exports.onExecuteCredentialsExchange = async () => {}
         exports.onExecutePreUserRegistration = async () => {}\n`
      )
      const unnamed = yield* Effect.flip(Diff.diff(noLogin, noLogin, jsonl("unnamed.jsonl", [sampleEvents()[0]])))
      assert.include(unnamed.message, "the event does not name its trigger")
      assert.include(unnamed.message, "the Actions serve credentials-exchange and pre-user-registration")
    }))
})

/** Why diffing the example against itself over these events fails. */
const problem = (events: ReadonlyArray<unknown>, options: Diff.Options & { strict?: boolean } = {}) =>
  Effect.flip(Diff.diff(m2m, m2m, jsonl("bad.jsonl", events), options)).pipe(Effect.map((e) => e.message))

describe("Diff's refusals for triggers", () => {
  it.effect("a continue pass only one Action exports, which no event runs: a note once a first pass redirected", () =>
    Effect.gen(function*() {
      const execute = file("execute.js", "exports.onExecutePostLogin = async () => {}\n")
      const both = file(
        "both-passes.js",
        "exports.onExecutePostLogin = async () => {}\nexports.onContinuePostLogin = async () => {}\n"
      )
      const events = jsonl("login.jsonl", [{ user: { user_id: "auth0|1" } }])
      // Before: noted whether or not any rule redirects, so every migration without a redirect saw it.
      const quiet = yield* Diff.diff(both, execute, events)
      assert.strictEqual(quiet.differ, 0)
      assert.deepStrictEqual(quiet.notes, [])
      assert.notInclude(Diff.render(quiet, { a: "a", b: "b" }), "note:")
      // A first pass that redirects (or renders a form) on either side: Auth0 would call the continue pass.
      for (const away of [`api.redirect.sendUserTo("https://consent.example.com")`, `api.prompt.render("consent")`]) {
        const redirects = file(
          `away-${away.length}.js`,
          `exports.onExecutePostLogin = async (event, api) => { ${away} }\nexports.onContinuePostLogin = async () => {}\n`
        )
        const sends = file(
          `sends-${away.length}.js`,
          `exports.onExecutePostLogin = async (event, api) => { ${away} }\n`
        )
        const report = yield* Diff.diff(redirects, sends, events)
        // The Action without the continue pass cannot take the user back: a difference, not only a note.
        assert.strictEqual(report.differ, 1)
        assert.deepStrictEqual(report.results[0]!.differences.map((d) => d.path), ["continue"])
        const note = `only ${redirects} exports onContinuePostLogin, and no event ran it`
        assert.deepStrictEqual(report.notes, [`${note} (a { "continue": true } event, or --continue, would)`])
        assert.include(Diff.render(report, { a: "a", b: "b" }), `note: ${note}`)
      }
    }))

  it.effect("two Actions serving different triggers: TriggersDiffer naming each file's triggers", () =>
    Effect.gen(function*() {
      const login = file("login.js", "exports.onExecutePostLogin = async () => {}\n")
      const events = jsonl("any.jsonl", [sampleEvents()[0]])
      const error = yield* Effect.flip(Diff.diff(login, m2m, events))
      assert.instanceOf(error, Diff.TriggersDiffer)
      assert.include(error.message, `${login} serves post-login, ${m2m} serves credentials-exchange`)
    }))

  it.effect("events an Action has no handler for: the handler and the events named", () =>
    Effect.gen(function*() {
      const events = jsonl("login-events.jsonl", [{ trigger: "post-login", event: { user: { user_id: "auth0|1" } } }])
      const error = yield* Effect.flip(Diff.diff(m2m, m2m, events))
      assert.instanceOf(error, LocalRun.LocalRunError)
      assert.include(
        error.message,
        "does not export an onExecutePostLogin function, which 1 post-login event needs (login-events.jsonl:1)"
      )
    }))

  it.effect("a continue pass of another trigger, an unknown trigger, a partial event with strict: named", () =>
    Effect.gen(function*() {
      assert.include(
        yield* problem([{ continue: true, event: sampleEvents()[0] }]),
        "\"continue\" (and --continue) is for post-login and password-reset-post-challenge events, not credentials-exchange"
      )
      assert.include(
        yield* problem([{ trigger: "post-logon", event: sampleEvents()[0] }]),
        "\"trigger\": post-logon is not a trigger rulefx knows"
      )
      assert.include(
        yield* problem([{ client: { client_id: "c" } }], { strict: true }),
        "a partial credentials-exchange event (--strict): missing"
      )
      assert.match(
        yield* problem([{ client: "not an object" }]),
        /bad\.jsonl:1: not a credentials-exchange event rulefx can read/
      )
    }))
})
