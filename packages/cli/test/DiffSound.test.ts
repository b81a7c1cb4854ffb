/**
 * `rulefx diff` is sound for pairs of Actions that Auth0 runs differently (from brk-diff's DiffBreak3): what an Action
 * does after its handler settled, requests that differ on the wire, the network's timing, handlers no event ran, a
 * fetch kept at load, and an Action that exits or throws outside its handler.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Diff from "@rulefx/cli/Diff"
import * as Listen from "@rulefx/testing/Listen"
import * as Effect from "effect/Effect"
import { createServer } from "node:http"
import * as RulefxBin from "./utils/RulefxBin.ts"
import * as Scratch from "./utils/Scratch.ts"
import { minimalEvent } from "./utils/Seed.ts"

const scratch = Scratch.scratch("rulefx-diff-sound-")
const { action, events, file } = scratch

const first = (a: string, b: string, path: string = events()) =>
  Diff.diff(a, b, path).pipe(Effect.map((report) => report.results[0]!))

describe("DiffSound: calls and values after the handler resolved", () => {
  it.effect("an api call the first Action makes after its handler resolved is not counted as made", () =>
    Effect.gen(function*() {
      // Auth0 applies what the handler did by the time it resolved. The first Action's SAML attribute is set on a
      // timer after that (an un-awaited promise): its login has no `role` attribute; the second's has `admin`.
      const late = action(
        "saml-late",
        `setTimeout(() => api.samlResponse.setAttribute("http://schemas.example/role", "admin"), 5)`
      )
      const now = action(
        "saml-now",
        `api.samlResponse.setAttribute("http://schemas.example/role", "admin")
         await new Promise((resolve) => setTimeout(resolve, 100))`
      )
      const report = yield* Diff.diff(late, now, events())
      assert.isFalse(report.results[0]!.same, JSON.stringify(report.results[0]))
      assert.include(Diff.render(report, { a: "a", b: "b" }), "after its handler returned")
    }))

  it.effect("credentials-exchange: an access-token claim set after the handler resolved is not counted", () =>
    Effect.gen(function*() {
      const exchange = (name: string, body: string) =>
        file(`${name}.js`, `exports.onExecuteCredentialsExchange = async (event, api) => {\n${body}\n}\n`)
      // The first Action's token has no admin claim (it is set on a timer); the second's has it.
      const late = exchange(
        "cx-late",
        `setTimeout(() => api.accessToken.setCustomClaim("https://example.com/admin", true), 5)`
      )
      const now = exchange(
        "cx-now",
        `api.accessToken.setCustomClaim("https://example.com/admin", true)
         await new Promise((resolve) => setTimeout(resolve, 100))`
      )
      const m2m = file(
        "cx.jsonl",
        JSON.stringify({ client: { client_id: "m2m" }, request: { ip: "203.0.113.9" } }) + "\n"
      )
      const result = yield* first(late, now, m2m)
      assert.strictEqual(result.trigger, "credentials-exchange")
      assert.isFalse(result.same, JSON.stringify(result))
    }))

  it.effect("a claim's object the first Action changes after its handler resolved is compared as it was then", () =>
    Effect.gen(function*() {
      const mutated = action(
        "claim-mutated-late",
        `const roles = { role: "user" }
         api.idToken.setCustomClaim("https://example.com/roles", roles)
         setTimeout(() => { roles.role = "admin" }, 5)`
      )
      const admin = action(
        "claim-admin",
        `api.idToken.setCustomClaim("https://example.com/roles", { role: "admin" })
         await new Promise((resolve) => setTimeout(resolve, 100))`
      )
      const result = yield* first(mutated, admin)
      assert.isFalse(result.same, JSON.stringify(result))
    }))
})

// A server that answers `/go` with a redirect to `/landing`.
const redirectingServer = Effect.acquireRelease(
  Effect.promise(() =>
    Listen.listen(createServer((request, response) => {
      if (request.url === "/go") response.writeHead(302, { location: "/landing" }).end()
      else response.end("{}")
    }))
  ),
  (s) => Effect.promise(() => s.close())
)

const withUrl = (url: string) => file("url.jsonl", JSON.stringify({ ...minimalEvent(), secrets: { URL: url } }) + "\n")

describe("DiffSound: a redirect is part of the request and of its answer", () => {
  it.effect("an answer that came through a redirect says so to the second Action as it did to the first", () =>
    Effect.gen(function*() {
      const server = yield* redirectingServer
      // The first denies a login whose check was redirected (as `rulefx run` shows it does); the second does not look.
      const checks = action(
        "checks-redirect",
        `const r = await fetch(event.secrets.URL + "/go"); await r.text()
         if (r.redirected && r.url.endsWith("/landing")) api.access.deny("upstream redirected")`
      )
      const ignores = action("ignores-redirect", `await (await fetch(event.secrets.URL + "/go")).text()`)
      const result = yield* first(checks, ignores, withUrl(server.url))
      assert.isFalse(result.same, JSON.stringify(result))
      assert.strictEqual(result.a.outcome, "denied")
      // The same Action sees the redirect in both runs.
      assert.isTrue((yield* first(checks, checks, withUrl(server.url))).same)
    }).pipe(Effect.scoped))

  it.effect("a request that follows redirects and one that does not are not answered from one tape", () =>
    Effect.gen(function*() {
      const server = yield* redirectingServer
      // The first gets the 302 and denies; deployed, the second follows it, gets 200 and lets the login in (`rulefx
      // run` says allowed); replayed, it gets the first's 302 and denies too.
      const manual = action(
        "redirect-manual",
        `const r = await fetch(event.secrets.URL + "/go", { redirect: "manual" })
         if (r.status !== 200) api.access.deny("not verified")`
      )
      const follow = action(
        "redirect-follow",
        `const r = await fetch(event.secrets.URL + "/go")
         if (r.status !== 200) api.access.deny("not verified")`
      )
      const result = yield* first(manual, follow, withUrl(server.url))
      assert.isFalse(result.same, JSON.stringify(result))
      assert.isTrue(result.differences.some((d) => d.path.endsWith(".redirect")), JSON.stringify(result))
    }).pipe(Effect.scoped))
})

// A server that keeps what it was sent, by method, URL, content-type and body, and answers a form "ok", else "415".
const recordingServer = Effect.acquireRelease(
  Effect.promise(async () => {
    const seen: Array<string> = []
    const listening = await Listen.listen(createServer((request, response) => {
      let body = ""
      request.on("data", (chunk) => (body += chunk))
      request.on("end", () => {
        seen.push(`${request.method} ${request.url} ${request.headers["content-type"] ?? ""} ${body}`)
        response.end(request.headers["content-type"]?.startsWith("application/x-www-form-urlencoded") ? "ok" : "415")
      })
    }))
    return { ...listening, seen }
  }),
  (s) => Effect.promise(() => s.close())
)

// An Action that POSTs `body` (source text) to /oauth/token and keeps the answer as a claim.
const posting = (name: string, body: string) =>
  action(
    name,
    `const r = await fetch(event.secrets.URL + "/oauth/token", { method: "POST", body: ${body} })
     api.idToken.setCustomClaim("answer", await r.text())`
  )

const blob = (type: string) => `new Blob(["grant_type=client_credentials"], { type: "${type}" })`
const amount = (n: number) => posting(`amount-${n}`, String(n))

describe("DiffSound: requests that differ on the wire are not answered from one tape", () => {
  it.effect("a form body and the same text as a string body (another content-type) are a difference", () =>
    Effect.gen(function*() {
      const server = yield* recordingServer
      const form = posting("token-form", `new URLSearchParams({ grant_type: "client_credentials" })`)
      const text = posting("token-text", `"grant_type=client_credentials"`)
      const result = yield* first(form, text, withUrl(server.url))
      // The server answers the form "ok" and text/plain "415"; the second Action got the first's "ok".
      assert.isFalse(result.same, JSON.stringify(result))
      assert.isTrue(result.differences.some((d) => d.path === `requests.POST ${server.url}/oauth/token.type`))
    }).pipe(Effect.scoped))

  it.effect("two Blob bodies of other types are a difference", () =>
    Effect.gen(function*() {
      const server = yield* recordingServer
      const form = posting("blob-form", blob("application/x-www-form-urlencoded"))
      const json = posting("blob-json", blob("application/json"))
      assert.isFalse((yield* first(form, json, withUrl(server.url))).same)
      assert.isTrue((yield* first(form, form, withUrl(server.url))).same)
    }).pipe(Effect.scoped))

  it.effect("two number bodies are compared by their value", () =>
    Effect.gen(function*() {
      const server = yield* recordingServer
      const result = yield* first(amount(1), amount(1000000), withUrl(server.url))
      assert.isFalse(result.same, JSON.stringify(result))
      assert.deepStrictEqual(result.differences.find((d) => d.path === `requests.POST ${server.url}/oauth/token`), {
        path: `requests.POST ${server.url}/oauth/token`,
        a: ["1"],
        b: ["1000000"]
      })
    }).pipe(Effect.scoped))
})

// An Action that denies a high-risk login, giving up on the risk service after `ms` (and then letting it in).
const riskCheck = (name: string, ms: number) =>
  action(
    name,
    `let risk = "unknown"
     try {
       const r = await fetch(event.secrets.URL + "/risk", { signal: AbortSignal.timeout(${ms}) })
       risk = (await r.json()).risk
     } catch {}
     if (risk === "high") api.access.deny("risky login")`
  )

describe("DiffSound: the replay keeps the network's timing", () => {
  it.effect("a second Action that gives up (fails open) before a slow answer comes is a difference", () =>
    Effect.gen(function*() {
      const server = yield* Effect.acquireRelease(
        Effect.promise(() =>
          Listen.listen(createServer((_request, response) => {
            setTimeout(() => response.end(JSON.stringify({ risk: "high" })), 300)
          }))
        ),
        (s) => Effect.promise(() => s.close())
      )
      // Deployed, the second Action's 100 ms timeout fires before the 300 ms answer and it lets the login in (as
      // `rulefx run` shows); replayed, the recorded answer is there at once and it denies, as the first does.
      const result = yield* first(riskCheck("risk-patient", 5000), riskCheck("risk-hasty", 100), withUrl(server.url))
      assert.isFalse(result.same, JSON.stringify(result))
      assert.deepStrictEqual([result.a.outcome, result.b.outcome], ["denied", "allowed"])
      // One that waits long enough gets the answer.
      assert.isTrue(
        (yield* first(riskCheck("risk-patient", 5000), riskCheck("risk-enough", 2000), withUrl(server.url))).same
      )
    }).pipe(Effect.scoped))
})

describe("DiffSound: the same Action is the same", () => {
  it.effect(
    "a redirect token encoded a second later is no difference (both runs share one clock)",
    () =>
      Effect.gen(function*() {
        // encodeToken signs iat and exp from the api's clock: on the wall clock, the two runs of one Action a second
        // apart differ.
        const body = `await new Promise((resolve) => setTimeout(resolve, 1100))
        const token = api.redirect.encodeToken({ secret: "0123456789abcdef", payload: { step: "mfa" } })
        api.redirect.sendUserTo("https://mfa.example/step", { query: { session_token: token } })`
        const result = yield* first(action("encode-a", body), action("encode-b", body))
        assert.isTrue(result.same, JSON.stringify(result))
      }),
    { timeout: 15_000 }
  )
})

// An Action that redirects, and whose continue pass runs `body`.
const continuing = (name: string, body: string) =>
  file(
    `${name}.js`,
    `exports.onExecutePostLogin = async (event, api) => { api.redirect.sendUserTo("https://mfa.example/verify") }
     exports.onContinuePostLogin = async (event, api) => { ${body} }\n`
  )

// An Action serving post-login (doing nothing) and credentials-exchange (running `exchange`).
const both = (name: string, exchange: string) =>
  file(
    `${name}.js`,
    `exports.onExecutePostLogin = async () => {}
     exports.onExecuteCredentialsExchange = async (event, api) => { ${exchange} }\n`
  )

describe("DiffSound: a handler both Actions export that no event ran is named", () => {
  it.effect("two Actions that redirect, with other onContinuePostLogin, and no continue event: a note says so", () =>
    Effect.gen(function*() {
      const checks = continuing(
        "continue-checks",
        `try { api.redirect.validateToken({ secret: "0123456789abcdef" }) } catch { api.access.deny("bad token") }`
      )
      const trusts = continuing("continue-trusts", "")
      const report = yield* Diff.diff(checks, trusts, events())
      // Every event redirected, and neither Action's continue pass (which lets in any token in the second) ran.
      assert.deepStrictEqual(report.notes, [
        `both Actions export onContinuePostLogin, and no event ran it (a { "continue": true } event, or --continue, would)`
      ])
      // With continue events, it runs; the first pass did not.
      assert.deepStrictEqual((yield* Diff.diff(checks, trusts, events(), { resume: true })).notes, [
        `both Actions export onExecutePostLogin, and no event ran it (an event without "continue": true, and ` +
        `without --continue, would)`
      ])
    }))

  it.effect("a trigger both Actions serve and no event ran: a note says so", () =>
    Effect.gen(function*() {
      const denies = both("cx-denies", `api.access.deny("invalid_request", "no machine tokens")`)
      const grants = both("cx-grants", `api.accessToken.setCustomClaim("https://example.com/admin", true)`)
      const report = yield* Diff.diff(denies, grants, events())
      // The post-login events ran post-login only.
      assert.deepStrictEqual(report.notes, [
        `both Actions export onExecuteCredentialsExchange, and no event ran it (an event with "trigger": ` +
        `"credentials-exchange" (or --trigger credentials-exchange for events that name none) would)`
      ])
      assert.include(Diff.render(report, { a: "a", b: "b" }), "note: both Actions export onExecuteCredentialsExchange")
    }))
})

// An Action that POSTs to `path` with a fetch it kept when its module loaded.
const kept = (name: string, path: string) =>
  file(
    `${name}.js`,
    `const send = globalThis.fetch
     exports.onExecutePostLogin = async (event, api) => {
       await (await send(event.secrets.URL + ${JSON.stringify(path)}, { method: "POST", body: "x" })).text()
     }\n`
  )

describe("DiffSound: a fetch kept at load", () => {
  it.effect("a fetch an Action keeps from its module's load is recorded and replayed too", () =>
    Effect.gen(function*() {
      const server = yield* recordingServer
      const result = yield* first(kept("kept-users", "/users"), kept("kept-grant", "/grant-admin"), withUrl(server.url))
      // Only the first Action's request went out (the second's was not recorded, so it failed), and both are compared.
      assert.deepStrictEqual(server.seen, ["POST /users text/plain;charset=UTF-8 x"])
      assert.isFalse(result.same, JSON.stringify(result))
      assert.deepStrictEqual([result.a.requests, result.b.requests], [1, 1])
      // The same Action is the same, and after the diff, globalThis.fetch is the one it was.
      const before = globalThis.fetch
      assert.isTrue((yield* first(kept("kept-a", "/users"), kept("kept-b", "/users"), withUrl(server.url))).same)
      assert.strictEqual(globalThis.fetch, before)
    }).pipe(Effect.scoped))
})

const withSecret = (secret: string) =>
  file("secret.jsonl", JSON.stringify({ ...minimalEvent(), secrets: { API_KEY: secret } }) + "\n")

describe("DiffSound: an Action cannot end or crash the diff", () => {
  it.effect("process.exit in the second Action is its run's rejection, and the process keeps running", () =>
    Effect.gen(function*() {
      const exitCode = process.exitCode
      const result = yield* first(action("stays", ""), action("exits", "process.exit(0)"))
      assert.isFalse(result.same)
      assert.strictEqual(result.b.outcome, "rejected")
      assert.include(result.b.rejection, "process.exit(0) called")
      assert.strictEqual(process.exitCode, exitCode)
    }))

  it.effect(
    "rulefx diff: a throw after the runs ended fails the command without printing it",
    () =>
      Effect.gen(function*() {
        const secret = "s3cr3tKEYvalue123"
        const late = action(
          "throws-after",
          `setTimeout(() => { throw new Error("late " + event.secrets.API_KEY) }, 500)`
        )
        const output = yield* Effect.promise(() =>
          RulefxBin.run(undefined, "diff", late, late, "--events", withSecret(secret))
        )
        assert.strictEqual(output.code, 1, RulefxBin.show(output))
        assert.include(output.stdout, "1 same")
        assert.include(output.stderr, "an Action threw after its run ended")
        assert.notInclude(output.stdout + output.stderr, secret)
      }),
    { timeout: 60_000 }
  )

  it.effect("an Action whose module calls process.exit when it loads cannot be loaded", () =>
    Effect.gen(function*() {
      const exits = file("exits-at-load.js", "process.exit(0)\nexports.onExecutePostLogin = async () => {}\n")
      const error = yield* Effect.flip(Diff.diff(action("loads", ""), exits, events()))
      assert.include(error.message, "process.exit(0) called")
    }))

  it.effect("process.exit on a timer is an uncaught exception of that Action", () =>
    Effect.gen(function*() {
      const result = yield* first(
        action("exits-later", "setTimeout(() => process.exit(0), 1)\nawait new Promise((r) => setTimeout(r, 20))"),
        action("stays-later", "await new Promise((r) => setTimeout(r, 20))")
      )
      assert.isFalse(result.same)
      assert.strictEqual(result.a.outcome, "rejected")
      assert.include(result.a.rejection, "uncaught exception: Error: process.exit(0) called")
    }))

  it.effect("an unhandled rejection or a throw on a timer is an error of the Action it came from, scrubbed", () =>
    Effect.gen(function*() {
      const secret = "s3cr3tKEYvalue123"
      // The first throws on a timer after its handler returned, while the second runs; the second leaves a rejection
      // unhandled.
      const throws = action("throws-late", `setTimeout(() => { throw new Error("late " + event.secrets.API_KEY) }, 5)`)
      const rejects = action(
        "rejects",
        `Promise.reject(new Error("boom " + event.secrets.API_KEY))
         await new Promise((resolve) => setTimeout(resolve, 100))`
      )
      const report = yield* Diff.diff(throws, rejects, withSecret(secret))
      const result = report.results[0]!
      assert.deepStrictEqual([result.a.outcome, result.b.outcome], ["rejected", "rejected"])
      assert.strictEqual(result.a.rejection, "uncaught exception: Error: late [secret API_KEY]")
      assert.strictEqual(result.b.rejection, "unhandled rejection: Error: boom [secret API_KEY]")
      assert.notInclude(Diff.render(report, { a: "a", b: "b" }), secret)
    }))
})

describe("DiffSound: what is printed and what is one request", () => {
  it.effect("a value holding an ANSI escape is printed escaped, not acted on", () =>
    Effect.gen(function*() {
      const report = yield* Diff.diff(
        action("ansi-ok", `api.idToken.setCustomClaim("x", "ok")`),
        action("ansi-hide", `api.idToken.setCustomClaim("x", "ok\\u001b[8m")`),
        events()
      )
      const text = Diff.render(report, { a: "a", b: "b" })
      assert.notInclude(text, "\u001b")
      assert.include(text, "ok\\u001b[8m")
    }))

  it.effect("a URL written in another form is one request", () =>
    Effect.gen(function*() {
      const server = yield* recordingServer
      const upper = action("url-upper", `await (await fetch(event.secrets.URL.replace("http:", "HTTP:"))).text()`)
      const object = action("url-object", `await (await fetch(new URL(event.secrets.URL + "/"))).text()`)
      const result = yield* first(upper, object, withUrl(server.url))
      assert.isTrue(result.same, JSON.stringify(result))
      assert.strictEqual(server.seen.length, 1)
    }).pipe(Effect.scoped))
})
