/**
 * The replay gives the second Action what the network would have given it (tests copied from brk2-diff's
 * DiffBreak4.test.ts, W1 W2 W3 U3 W11 of its FINDINGS.md, and a few more): an answer's body at the pace it came, tied
 * to the request's AbortSignal; a request Node's fetch refuses refused; a request whose recorded answer is still pending
 * aborted by its own signal; a request the first Action sends after its handler settled counted as its own.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Diff from "@rulefx/cli/Diff"
import * as Listen from "@rulefx/testing/Listen"
import * as Effect from "effect/Effect"
import { createHash } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import * as Scratch from "./utils/Scratch.ts"
import { minimalEvent } from "./utils/Seed.ts"

const { action, file } = Scratch.scratch("rulefx-diff-replay-")

type Handler = (request: IncomingMessage, response: ServerResponse) => void

const serving = (handle: Handler) =>
  Effect.acquireRelease(
    Effect.promise(() =>
      Listen.listen(createServer((request, response) => request.resume().on("end", () => handle(request, response))))
    ),
    (s) => Effect.promise(() => s.close())
  )

const eventsFor = (url: string) =>
  file(`ev-${url.replace(/\W/g, "")}.jsonl`, JSON.stringify({ ...minimalEvent(), secrets: { URL: url } }) + "\n")

// A risk check that fails open: it denies when the service says "high", and lets the login in when the fetch fails.
const riskCheck = (name: string, fetchCall: string) =>
  action(
    name,
    `let risk = "unknown"
     try { ${fetchCall}; risk = (await r.json()).risk } catch {}
     if (risk === "high") api.access.deny("risky login")`
  )

const firstResult = (a: string, b: string, ev: string, options: Diff.Options = {}) =>
  Diff.diff(a, b, ev, options).pipe(Effect.map((report) => report.results[0]!))

const high = `{"risk":"high"}`

describe("DiffReplay: an answer's body comes at the pace it came", () => {
  const slowBody = serving((_, response) => {
    response.writeHead(200, { "content-type": "application/json" })
    response.flushHeaders()
    setTimeout(() => response.end(high), 600)
  })

  it.effect(
    "an answer whose body comes slowly, read by an Action that times out first, is a difference",
    () =>
      Effect.gen(function*() {
        const server = yield* slowBody
        const a = riskCheck("slow-a", `const r = await fetch(event.secrets.URL, { signal: AbortSignal.timeout(5000) })`)
        const b = riskCheck("slow-b", `const r = await fetch(event.secrets.URL, { signal: AbortSignal.timeout(200) })`)
        // On the network B's timeout fires while the body is read: B fails open and lets a risky login in.
        const result = yield* firstResult(a, b, eventsFor(server.url))
        assert.isFalse(result.same, JSON.stringify(result))
        assert.deepStrictEqual([result.a.outcome, result.b.outcome], ["denied", "allowed"])
      }),
    20_000
  )

  it.effect("a second Action that waits long enough for the slow body gets it", () =>
    Effect.gen(function*() {
      const server = yield* slowBody
      const a = riskCheck("slow-a2", `const r = await fetch(event.secrets.URL, { signal: AbortSignal.timeout(5000) })`)
      const b = riskCheck("slow-b2", `const r = await fetch(event.secrets.URL, { signal: AbortSignal.timeout(3000) })`)
      const result = yield* firstResult(a, b, eventsFor(server.url))
      assert.isTrue(result.same, JSON.stringify(result))
      assert.strictEqual(result.b.outcome, "denied")
    }), 20_000)

  it.effect("a request aborted after its headers came, before its body was read, is a difference", () =>
    Effect.gen(function*() {
      const server = yield* serving((_, response) => response.end(high))
      const a = riskCheck("abort-a", `const r = await fetch(event.secrets.URL)`)
      const b = riskCheck(
        "abort-b",
        `const ac = new AbortController(); const r = await fetch(event.secrets.URL, { signal: ac.signal }); ac.abort()`
      )
      // On the network the abort errors B's body read (AbortError): B fails open.
      const result = yield* firstResult(a, b, eventsFor(server.url))
      assert.isFalse(result.same, JSON.stringify(result))
      assert.deepStrictEqual([result.a.outcome, result.b.outcome], ["denied", "allowed"])
    }))

  it.effect("an abort after the body was read changes nothing, as on the network", () =>
    Effect.gen(function*() {
      const server = yield* serving((_, response) => response.end(high))
      const a = riskCheck("read-a", `const r = await fetch(event.secrets.URL)`)
      const b = riskCheck(
        "read-b",
        `const ac = new AbortController(); const q = await fetch(event.secrets.URL, { signal: ac.signal })
         const text = await q.text(); ac.abort(); const r = new Response(text)`
      )
      assert.isTrue((yield* firstResult(a, b, eventsFor(server.url))).same)
    }))
})

describe("DiffReplay: a request whose recorded answer is still pending", () => {
  // Live: the time limit runs on the real clock.
  it.live(
    "is aborted by the second Action's own signal, not held until the first run's answer comes",
    () =>
      Effect.gen(function*() {
        const server = yield* serving((_, response) => void setTimeout(() => response.end(high), 2500))
        const a = riskCheck("pending-a", `const r = await fetch(event.secrets.URL)`)
        const b = riskCheck(
          "pending-b",
          `const r = await fetch(event.secrets.URL, { signal: AbortSignal.timeout(200) })`
        )
        // A waits past the time limit (1 s); B gives up after 200 ms and lets the login in, as on the network.
        const result = yield* firstResult(a, b, eventsFor(server.url), { timeout: "1 second" })
        assert.deepStrictEqual([result.a.outcome, result.b.outcome], ["rejected", "allowed"])
        assert.strictEqual(result.b.timedOutMs, undefined)
      }),
    20_000
  )
})

// An Action that POSTs a stream body to the risk service, with `duplex` as given.
const streaming = (name: string, duplex: string) =>
  riskCheck(
    name,
    `const r = await fetch(event.secrets.URL, { method: "POST", body: new Blob(["x"]).stream()${duplex} })`
  )

const plain = () => riskCheck("plain", `const r = await fetch(event.secrets.URL)`)

describe("DiffReplay: a request Node's fetch refuses is refused", () => {
  const refused = [
    ["a stream body without duplex", () => streaming("duplex-b", "")],
    [
      "a wrong integrity",
      () =>
        riskCheck("integrity", `const r = await fetch(event.secrets.URL, { integrity: "sha256-${"A".repeat(43)}=" })`)
    ],
    [
      "only-if-cached",
      () => riskCheck("cached", `const r = await fetch(event.secrets.URL, { cache: "only-if-cached" })`)
    ],
    ["a window", () => riskCheck("window", `const r = await fetch(event.secrets.URL, { window: {} })`)]
  ] as const

  for (const [what, second] of refused) {
    it.effect(`${what}: the second Action's fetch fails, as Node's does`, () =>
      Effect.gen(function*() {
        const server = yield* serving((_, response) => response.end(high))
        const first = what.startsWith("a stream") ? streaming("duplex-a", `, duplex: "half"`) : plain()
        // Node's fetch rejects B's request (TypeError), so B fails open; replayed, B got A's answer and denied.
        const result = yield* firstResult(first, second(), eventsFor(server.url))
        assert.deepStrictEqual([result.a.outcome, result.b.outcome], ["denied", "allowed"], JSON.stringify(result))
      }))
  }

  it.effect("a stream body without duplex fails in the first Action too, as in Auth0", () =>
    Effect.gen(function*() {
      const server = yield* serving((_, response) => response.end(high))
      const result = yield* firstResult(
        streaming("no-duplex-a", ""),
        streaming("duplex-b2", `, duplex: "half"`),
        eventsFor(server.url)
      )
      // A's request is refused before it is sent; B's, which A did not send, has no answer to replay.
      assert.isFalse(result.same)
      assert.deepStrictEqual([result.a.outcome, result.a.requests, result.b.requests], ["allowed", 0, 1])
    }))

  it.effect("the right integrity is answered", () =>
    Effect.gen(function*() {
      const server = yield* serving((_, response) => response.end(high))
      const integrity = `sha256-${createHash("sha256").update(high).digest("base64")}`
      const b = riskCheck("integrity-ok", `const r = await fetch(event.secrets.URL, { integrity: "${integrity}" })`)
      const result = yield* firstResult(plain(), b, eventsFor(server.url))
      assert.isTrue(result.same, JSON.stringify(result))
      assert.strictEqual(result.b.outcome, "denied")
    }))
})

describe("DiffReplay: whose request is whose", () => {
  it.effect("a request the first Action sends after settling is not counted as one the second sent", () =>
    Effect.gen(function*() {
      const server = yield* serving((_, response) => response.end("ok"))
      const post = `fetch(event.secrets.URL + "/audit", { method: "POST", body: "login" })`
      // A posts the audit event, and posts it again on a timer (a retry); B never posts it.
      const a = action("audit-a", `await ${post}; setTimeout(() => ${post}.catch(() => {}), 10)`)
      const b = action("audit-b", `await new Promise((r) => setTimeout(r, 100))`)
      const result = yield* firstResult(a, b, eventsFor(server.url))
      assert.isFalse(result.same, JSON.stringify(result))
      assert.strictEqual(result.b.requests, 0)
      assert.deepStrictEqual(result.a.late, [`POST ${server.url}/audit`])
    }))

  it.effect("a node:http request the first Action sends after settling is its late request, not the second's", () =>
    Effect.gen(function*() {
      const server = yield* serving((_, response) => response.end("ok"))
      const a = action(
        "late-http-a",
        `setTimeout(() => require("node:http").request(event.secrets.URL + "/audit", { method: "POST" }).on("error", () => {}).end("x"), 10)`
      )
      const b = action("late-http-b", `await new Promise((r) => setTimeout(r, 100))`)
      const result = yield* firstResult(a, b, eventsFor(server.url))
      assert.isTrue(result.same, JSON.stringify(result))
      assert.strictEqual(result.b.requests, 0)
      assert.deepStrictEqual(result.a.late, [`POST ${server.url}/audit`])
    }))
})
