/**
 * `rulefx diff`'s HTTP tape and event reading, where a review found the comparison could be fooled or the run crash:
 * stream request bodies compared by their bytes, an answer replayed out of its order with a request that changes the
 * server's state, and an event nested too deep for the run to copy.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Diff from "@rulefx/cli/Diff"
import * as Listen from "@rulefx/testing/Listen"
import * as Effect from "effect/Effect"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import * as Scratch from "./utils/Scratch.ts"
import { minimalEvent } from "./utils/Seed.ts"

const scratch = Scratch.scratch("rulefx-diff-tape-")
const { file, action } = scratch

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void

const serving = (handle: Handler) =>
  Effect.acquireRelease(
    Effect.promise(() =>
      Listen.listen(createServer((request, response) => {
        let body = ""
        request.on("data", (chunk) => (body += chunk))
        request.on("end", () => handle(request, body, response))
      }))
    ),
    (s) => Effect.promise(() => s.close())
  )

const eventsFor = (url: string) =>
  file(`ev-${url.replace(/\W/g, "")}.jsonl`, JSON.stringify({ ...minimalEvent(), secrets: { URL: url } }) + "\n")

/** An Action that POSTs `amount=<amount>` as a stream of this kind and sets the answer as a claim. */
const charging = (kind: "stream" | "iterable", amount: string) =>
  action(
    `charge-${kind}-${amount}`,
    `const body = ${
      kind === "stream"
        ? `new Blob(["amount=${amount}"]).stream()`
        : `(async function*() { yield new TextEncoder().encode("amount="); yield new TextEncoder().encode("${amount}") })()`
    }
     const r = await fetch(event.secrets.URL + "/charge", { method: "POST", body, duplex: "half" })
     api.idToken.setCustomClaim("charged", await r.text())`
  )

describe("Diff: stream request bodies", () => {
  it.effect("a ReadableStream or async iterable body is compared by its bytes, and sent on whole", () =>
    Effect.gen(function*() {
      const received: Array<string> = []
      const server = yield* serving((_, body, response) => {
        received.push(body)
        response.end(body)
      })
      const events = eventsFor(server.url)
      for (const kind of ["stream", "iterable"] as const) {
        // Before: both bodies were "<ReadableStream>" (or "<Object>"): B got A's answer and the two were the same.
        const report = yield* Diff.diff(charging(kind, "1"), charging(kind, "1000"), events)
        assert.isFalse(report.results[0]!.same, JSON.stringify(report.results[0]))
        assert.include(
          report.results[0]!.differences.map((d) => d.path),
          `requests.POST ${server.url}/charge`
        )
        const again = yield* Diff.diff(charging(kind, "1"), charging(kind, "1"), events)
        assert.isTrue(again.results[0]!.same, JSON.stringify(again.results[0]))
      }
      // Only the first Action's requests go out; each with its whole body.
      assert.deepStrictEqual(received, ["amount=1", "amount=1", "amount=1", "amount=1"])
    }).pipe(Effect.scoped))

  // A stream given in init, and one a Request holds (its copy was read whole, without the cap, before).
  for (
    const [form, name, send] of [
      ["a stream body", "big-stream", `fetch(event.secrets.URL + "/upload", { method: "POST", body, duplex: "half" })`],
      [
        "a Request object's stream body",
        "big-request-stream",
        `fetch(new Request(event.secrets.URL + "/upload", { method: "POST", body, duplex: "half" }))`
      ]
    ] as const
  ) {
    it.effect(`${form} over the cap is sent whole, and is never the same as another`, () =>
      Effect.gen(function*() {
        const sizes: Array<number> = []
        const server = yield* serving((_, body, response) => {
          sizes.push(body.length)
          response.end("ok")
        })
        const big = action(
          name,
          `const chunk = new Uint8Array(1024 * 1024).fill(97)
           let n = 0
           const body = new ReadableStream({ pull: (c) => n++ < 17 ? c.enqueue(chunk) : c.close() })
           await ${send}`
        )
        const report = yield* Diff.diff(big, big, eventsFor(server.url))
        assert.isFalse(report.results[0]!.same, JSON.stringify(report.results[0]))
        assert.include(JSON.stringify(report.results[0]!.differences), "not compared")
        assert.deepStrictEqual(sizes, [17 * 1024 * 1024])
      }).pipe(Effect.scoped))
  }
})

/** An Action that POSTs to `first` and `second` together, as facts do. */
const together = (name: string, first: string, second: string) =>
  action(
    name,
    `await Promise.all([
       fetch(event.secrets.URL + "/${first}", { method: "POST", body: "${first}" }),
       fetch(event.secrets.URL + "/${second}", { method: "POST", body: "${second}" })
     ])`
  )

describe("Diff: call order across URLs", () => {
  it.effect("an answer recorded after a state-changing request, replayed before it, is a difference", () =>
    Effect.gen(function*() {
      let locked = false
      const server = yield* serving((request, _, response) => {
        if (request.method === "POST" && request.url === "/lock") locked = true
        response.end(JSON.stringify({ locked }))
      })
      const lockFirst = action(
        "lock-first",
        `await fetch(event.secrets.URL + "/lock", { method: "POST" })
         const s = await (await fetch(event.secrets.URL + "/status")).json()
         if (s.locked) api.access.deny("locked")`
      )
      const statusFirst = action(
        "status-first",
        `const s = await (await fetch(event.secrets.URL + "/status")).json()
         await fetch(event.secrets.URL + "/lock", { method: "POST" })
         if (s.locked) api.access.deny("locked")`
      )
      // Before: B's GET /status got the answer A recorded after the lock: both denied, "the same".
      const report = yield* Diff.diff(lockFirst, statusFirst, eventsFor(server.url))
      assert.isFalse(report.results[0]!.same, JSON.stringify(report.results[0]))
      assert.include(report.results[0]!.differences.map((d) => d.path), "requests.order")
      locked = false
      // The other way round: B locked first, then got the status A had before its lock.
      const converse = yield* Diff.diff(statusFirst, lockFirst, eventsFor(server.url))
      assert.include(JSON.stringify(converse.results[0]!.differences), "which it had sent first")
      locked = false
      const again = yield* Diff.diff(lockFirst, lockFirst, eventsFor(server.url))
      assert.isTrue(again.results[0]!.same, JSON.stringify(again.results[0]))
    }).pipe(Effect.scoped))

  it.effect("requests sent together (facts) may be answered in any order", () =>
    Effect.gen(function*() {
      const server = yield* serving((_, body, response) => response.end(body))
      const report = yield* Diff.diff(together("xy", "x", "y"), together("yx", "y", "x"), eventsFor(server.url))
      assert.isTrue(report.results[0]!.same, JSON.stringify(report.results[0]))
    }).pipe(Effect.scoped))
})

describe("Diff: events nested too deep", () => {
  it.effect("an event nested 2000 deep is an EventFileError naming the file and line, not a stack overflow", () =>
    Effect.gen(function*() {
      const deep = "[".repeat(2000) + "]".repeat(2000)
      const events = file("deep.jsonl", `${JSON.stringify(minimalEvent())}\n{"user":{"x":${deep}}}\n`)
      const none = action("nothing", ``)
      // The event that can be read runs; the deep one is listed as unreadable, by its line.
      const report = yield* Diff.diff(none, none, events)
      assert.strictEqual(report.events, 1)
      assert.strictEqual(report.unreadable.length, 1)
      assert.include(report.unreadable[0]!.file, "deep.jsonl")
      assert.strictEqual(report.unreadable[0]!.line, 2)
      assert.include(report.unreadable[0]!.problem, "nested deeper than")
    }))
})

/** An Action that sets app metadata `d` to an object nested `depth` levels deep (and `extra` beside it, if given). */
const nesting = (name: string, depth: number, extra = "") =>
  action(
    name,
    `let v = {}
     for (let i = 0; i < ${depth}; i++) v = { v }
     api.user.setAppMetadata("d", { v${extra} })`
  )

describe("Diff: values an Action nested too deep", () => {
  it.effect("metadata nested 100,000 deep is a difference shown as a marker, not a stack overflow", () =>
    Effect.gen(function*() {
      const events = file("one.jsonl", `${JSON.stringify(minimalEvent())}\n`)
      // Before: comparing (isDeepStrictEqual) and scrubbing recursed once a level: a RangeError, the diff a defect.
      for (
        const [a, b] of [[nesting("deep", 100_000), nesting("deep-x", 100_000, ", x: 1")], [
          nesting("deep", 100_000),
          nesting("deep", 100_000)
        ]] as const
      ) {
        const report = yield* Diff.diff(a, b, events)
        const result = report.results[0]!
        // Never "the same": what is not compared cannot be known to be equal.
        assert.isFalse(result.same)
        assert.deepStrictEqual(result.differences.map((d) => d.path), ["metadata.app.d"])
        assert.include(String(result.differences[0]!.a), "nested deeper than 256 levels, not compared")
        assert.include(Diff.render(report, { a: "a", b: "b" }), "nested deeper than 256 levels")
        assert.include(Diff.toJson(report), "nested deeper than 256 levels")
      }
      // Under the bound, values are compared as ever.
      const shallow = yield* Diff.diff(nesting("shallow", 200), nesting("shallow", 200), events)
      assert.isTrue(shallow.results[0]!.same, JSON.stringify(shallow.results[0]))
    }))
})
