/**
 * Fixes for a second breaker's pass over `rulefx diff` and `rulefx run` (the tests copied from brk2-diff's
 * DiffBreak4.test.ts; repros in its FINDINGS.md): claims set before a redirect both Actions make count, ...
 */
import { assert, describe, it } from "@effect/vitest"
import * as Diff from "@rulefx/cli/Diff"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { execFile } from "node:child_process"
import * as RulefxBin from "./utils/RulefxBin.ts"
import * as Scratch from "./utils/Scratch.ts"
import { minimalEvent } from "./utils/Seed.ts"

const scratch = Scratch.scratch("rulefx-diff-sound2-")
const { action, events, file } = scratch

/** Runs `rulefx ...args` in the scratch folder; never rejects. */
const rulefx = (...args: ReadonlyArray<string>) => RulefxBin.run(scratch.dir(), ...args)

// How a `rulefx` command ended within 15 s.
const exits = (args: ReadonlyArray<string>) =>
  new Promise<string>((resolve) => {
    execFile(
      process.execPath,
      [RulefxBin.bin, ...args],
      { cwd: scratch.dir(), timeout: 15_000 },
      (error) => resolve(error === null ? "exit 0" : error.killed ? "killed after 15 s" : `exit ${String(error.code)}`)
    )
  })

const firstSame = (a: string, b: string, ev: string) =>
  Diff.diff(a, b, ev).pipe(Effect.map((report) => report.results[0]!))

describe("DiffSound2: claims set before a redirect both Actions make", () => {
  it.effect("are compared somewhere when every pass of the login ran", () =>
    Effect.gen(function*() {
      const redirecting = (name: string, role: string) =>
        file(
          `${name}.js`,
          `exports.onExecutePostLogin = async (event, api) => {
             api.idToken.setCustomClaim("https://example.com/role", "${role}")
             api.redirect.sendUserTo("https://terms.example.com/accept")
           }
           exports.onContinuePostLogin = async () => {}\n`
        )
      const event = minimalEvent()
      const both = file(
        "both-passes.jsonl",
        `${JSON.stringify(event)}\n${JSON.stringify({ continue: true, name: "back", event })}\n`
      )
      // Auth0 suspends the pipeline, it does not drop what the Action asked for before the redirect (the reference,
      // §3.2); the token issued after the continue pass carries role=admin for B.
      const report = yield* Diff.diff(redirecting("role-user", "user"), redirecting("role-admin", "admin"), both)
      assert.isAbove(report.differ, 0, JSON.stringify(report.results))
      assert.deepStrictEqual(report.results[0]!.onRedirectingPass.map((d) => d.path), [
        "redirected.claims.id.https://example.com/role"
      ])
    }))
})

// A step-up that needs a redirect: A denies where it cannot redirect, B lets the login through.
const stepUp = () =>
  [
    action(
      "can-a",
      `if (!api.redirect.canRedirect()) return api.access.deny("step-up needs an interactive login")
     api.redirect.sendUserTo("https://mfa.example.com/step")`
    ),
    action(
      "can-b",
      `if (!api.redirect.canRedirect()) return
     api.redirect.sendUserTo("https://mfa.example.com/step")`
    )
  ] as const

describe("DiffSound2: api stand-ins that answer what Auth0 would", () => {
  it.effect("api.redirect.canRedirect() on a refresh-token, prompt=none login", () =>
    Effect.gen(function*() {
      const ev = file(
        "refresh.jsonl",
        JSON.stringify({
          ...minimalEvent(),
          transaction: { protocol: "oauth2-refresh-token", prompt: ["none"], requested_scopes: [] }
        }) + "\n"
      )
      // Auth0's canRedirect() is false here: A denies, B lets the refresh through without its step-up.
      const [a, b] = stepUp()
      const result = yield* firstSame(a, b, ev)
      assert.isFalse(result.same, JSON.stringify(result))
      assert.deepStrictEqual([result.a.outcome, result.b.outcome], ["denied", "allowed"])
    }))

  it.effect("api.redirect.canRedirect() is false with prompt=none in the query, true on an interactive login", () =>
    Effect.gen(function*() {
      const [a, b] = stepUp()
      const base = minimalEvent()
      const request = base["request"] as Record<string, unknown>
      const silent = file(
        "silent.jsonl",
        JSON.stringify({ ...base, request: { ...request, query: { prompt: "none" } } }) + "\n"
      )
      assert.isFalse((yield* firstSame(a, b, silent)).same)
      const interactive = yield* firstSame(a, b, events())
      assert.isTrue(interactive.same, JSON.stringify(interactive))
      assert.strictEqual(interactive.a.outcome, "allowed")
    }))
})

describe("DiffSound2: what an Action throws cannot crash the diff or print a secret", () => {
  const secret = "s3cr3t-brk4-value"
  const withSecret = () =>
    file("secret.jsonl", JSON.stringify({ ...minimalEvent(), secrets: { API_KEY: secret } }) + "\n")
  const reported = (a: string, b: string) =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Diff.diff(a, b, withSecret()))
      assert.isTrue(Exit.isSuccess(exit), Exit.isFailure(exit) ? String(exit.cause).slice(0, 500) : "")
      if (Exit.isSuccess(exit)) {
        assert.isFalse(exit.value.results[0]!.same)
        assert.notInclude(Diff.toJson(exit.value), secret)
      }
    })

  it.effect("a thrown object without a string form (Object.create(null))", () =>
    reported(action("null-proto", `throw Object.create(null)`), action("fine-1", ``)))

  it.effect("a thrown object whose toString throws an Error holding a secret", () =>
    reported(
      action("throwing-tostring", `throw { toString() { throw new Error("nested " + event.secrets.API_KEY) } }`),
      action("fine-2", ``)
    ))

  it.effect("a deny reason whose toString throws an Error holding a secret", () =>
    reported(
      action("deny-tostring", `api.access.deny({ toString() { throw new Error("r " + event.secrets.API_KEY) } })`),
      action("fine-5", ``)
    ))

  it.effect("a claim that is a Proxy whose ownKeys trap throws", () =>
    reported(
      action(
        "proxy-claim",
        `api.idToken.setCustomClaim("k", new Proxy({}, {
           ownKeys() { throw new Error("keys " + event.secrets.API_KEY) },
           getOwnPropertyDescriptor() { throw new Error("d") }
         }))`
      ),
      action("fine-3", `api.idToken.setCustomClaim("k", {})`)
    ))

  it.effect("a claim that is a revoked Proxy", () =>
    reported(
      action(
        "revoked-claim",
        `const p = Proxy.revocable({}, {}); p.revoke(); api.idToken.setCustomClaim("k", p.proxy)`
      ),
      action("fine-4", `api.idToken.setCustomClaim("k", {})`)
    ))
})

describe("DiffSound2: the command's exit code and output, with the guard up", () => {
  const secret = "s3cr3t-brk4-cli"
  const withSecret = () =>
    file("cli-secret.jsonl", JSON.stringify({ ...minimalEvent(), secrets: { API_KEY: secret } }) + "\n")

  it("an Action that calls process.reallyExit(0) does not end the diff with success", async () => {
    const a = action("really-a", `api.access.deny("blocked")`)
    const b = action("really-b", `process.reallyExit(0)`)
    // The guard's doc says a way out it does not cover "still exits non-zero": reallyExit takes its own code.
    const run = await rulefx("diff", a, b, "--events", withSecret())
    assert.notStrictEqual(run.code, 0, RulefxBin.show(run))
  }, 60_000)

  it("an Action's 'exit' listener does not turn a diff that differs into exit 0", async () => {
    const a = action("listener-a", `api.access.deny("blocked")`)
    const b = action("listener-b", `process.once("exit", () => { process.exitCode = 0 })`)
    const run = await rulefx("diff", a, b, "--events", withSecret())
    assert.include(run.stdout, "differs", RulefxBin.show(run))
    assert.strictEqual(run.code, 1, RulefxBin.show(run))
  }, 60_000)

  it("an exit listener that calls process.reallyExit(0) does not turn a diff that differs into exit 0", async () => {
    const a = action("listener2-a", `api.access.deny("blocked")`)
    const b = action("listener2-b", `process.once("exit", () => process.reallyExit(0))`)
    const run = await rulefx("diff", a, b, "--events", withSecret())
    assert.include(run.stdout, "differs", RulefxBin.show(run))
    assert.strictEqual(run.code, 1, RulefxBin.show(run))
  }, 60_000)

  it("a throw on a timer of a value whose toString throws neither kills the diff nor prints the secret", async () => {
    const a = action(
      "timer-a",
      `setTimeout(() => { throw { toString() { throw "inner " + event.secrets.API_KEY } } }, 1)
       await new Promise((r) => setTimeout(r, 20))`
    )
    const run = await rulefx("diff", a, action("timer-b", ``), "--events", withSecret())
    // Before: the guard's listener threw while describing it; Node printed the source line and the secret, exit 7.
    assert.notInclude(`${run.stdout}${run.stderr}`, secret, RulefxBin.show(run))
    assert.strictEqual(run.code, 1, RulefxBin.show(run))
  }, 60_000)

  it(
    "an Action with a module-level setInterval (a cache sweep) does not keep rulefx diff or rulefx run from exiting",
    async () => {
      const sweeping = file(
        "sweeping.js",
        `const seen = new Map(); setInterval(() => seen.clear(), 60000)
       exports.onExecutePostLogin = async (event) => { seen.set(event.user.user_id, Date.now()) }\n`
      )
      const event = file("one-event.json", JSON.stringify(minimalEvent()))
      // Auth0 freezes or ends the instance between logins; here the interval keeps the process alive: a CI job hangs.
      assert.strictEqual(await exits(["diff", sweeping, sweeping, "--events", events()]), "exit 0")
      assert.strictEqual(await exits(["run", sweeping, "--event", event]), "exit 0")
    },
    60_000
  )
})

describe("DiffSound2: bounded late calls", () => {
  it.effect("an api call on every turn of the event loop after settling is not kept (nor listed) without end", () =>
    Effect.gen(function*() {
      const a = action(
        "loop-a",
        `const loop = () => { if (globalThis.__sound2Stop) return; api.idToken.setCustomClaim("x", 1); setImmediate(loop) }
         setImmediate(loop)`
      )
      const b = action("loop-b", `await new Promise((r) => setTimeout(r, 300))`)
      const report = yield* Diff.diff(a, b, events()).pipe(
        Effect.ensuring(Effect.sync(() => void ((globalThis as Record<string, unknown>)["__sound2Stop"] = true)))
      )
      // Every call is listed, once per call: tens of thousands of entries in 300 ms, megabytes of `note:` line per
      // second, and the array keeps growing as long as the process lives (`rulefx diff` never exits then).
      const late = report.results[0]!.a.late ?? []
      assert.isAtMost(late.length, Diff.lateListed + 1, `late has ${late.length} entries`)
      assert.match(late.at(-1)!, /^and \d+ more$/)
    }))
})

describe("what the report prints is printable", () => {
  it.effect("a late api call's method and the event's name in a note are escaped like the table", () =>
    Effect.gen(function*() {
      const a = action("ansi-a", `setTimeout(() => api["\\u001b[8m"](), 5)`)
      const b = action("ansi-b", `await new Promise((r) => setTimeout(r, 100))`)
      const named = file("ansi.jsonl", JSON.stringify({ name: "evil\u001b[2J", event: minimalEvent() }) + "\n")
      const report = yield* Diff.diff(a, b, named)
      // ESC[8m hides what follows (the summary, the ERROR lines) on a terminal: escaped in the notes as in the table.
      const text = Diff.render(report, { a: "a", b: "b" })
      assert.notInclude(text, "\u001b")
      assert.include(text, "\\u001b[8m")
    }))
})
