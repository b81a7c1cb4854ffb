/**
 * From the third breaker's pass over `rulefx diff` and `rulefx run` (brk3-diff, DiffBreak5): a claim read other than
 * as JSON.stringify writes it, a connection, datagram or worker the observers did not see, a late request of the first
 * Action's module timer counted as the second's, a secret printed by `console.dir`, late api calls that fill the heap.
 * Every server listens on 127.0.0.1.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Dgram from "node:dgram"
import * as Net from "node:net"
import * as DiffServer from "./utils/DiffServer.ts"
import * as RulefxBin from "./utils/RulefxBin.ts"
import * as Scratch from "./utils/Scratch.ts"
import { minimalEvent } from "./utils/Seed.ts"

const { firstResult, serving } = DiffServer

const scratch = Scratch.scratch("rulefx-diff-observers3-")
const { action, file } = scratch

const eventsFor = (url: string) => DiffServer.eventsFor(scratch, url)

const settleLater = `await new Promise((r) => setTimeout(r, 300))`

describe("a claim is read as JSON.stringify writes it", () => {
  it.effect("a claim whose toJSON gives an object with a toJSON of its own (a Date) is read once, as JSON does", () =>
    Effect.gen(function*() {
      // JSON.stringify calls toJSON once: the Date it gives is written as an object, `{}`; the snapshot called the
      // Date's toJSON too, and read the ISO string the second Action sets.
      assert.strictEqual(JSON.stringify({ toJSON: () => new Date(0) }), "{}")
      const a = action(
        "tojson-a",
        `api.idToken.setCustomClaim("https://example.com/expires", { toJSON() { return new Date(0) } })`
      )
      const b = action(
        "tojson-b",
        `api.idToken.setCustomClaim("https://example.com/expires", new Date(0).toISOString())`
      )
      const result = yield* firstResult(a, b, eventsFor("http://127.0.0.1:1"))
      assert.isFalse(result.same, JSON.stringify(result))
    }))

  it.effect("a String object claim with a toString of its own is read as JSON reads it (ToString)", () =>
    Effect.gen(function*() {
      const boxed = `Object.assign(new String("user"), { toString() { return "admin" } })`
      assert.strictEqual(JSON.stringify(Object.assign(new String("user"), { toString: () => "admin" })), `"admin"`)
      const a = action("boxed-a", `api.idToken.setCustomClaim("https://example.com/role", ${boxed})`)
      const b = action("boxed-b", `api.idToken.setCustomClaim("https://example.com/role", "user")`)
      const result = yield* firstResult(a, b, eventsFor("http://127.0.0.1:1"))
      assert.isFalse(result.same, JSON.stringify(result))
    }))
  it.effect("a Map claim's own enumerable properties are what JSON writes of it", () =>
    Effect.gen(function*() {
      assert.strictEqual(JSON.stringify(Object.assign(new Map(), { role: "admin" })), `{"role":"admin"}`)
      const a = action(
        "map-a",
        `api.idToken.setCustomClaim("https://example.com/r", Object.assign(new Map(), { role: "admin" }))`
      )
      const b = action("map-b", `api.idToken.setCustomClaim("https://example.com/r", new Map())`)
      const result = yield* firstResult(a, b, eventsFor("http://127.0.0.1:1"))
      assert.isFalse(result.same, JSON.stringify(result))
    }))
})

// A TCP server that notes the first line each connection sends, for the test's length; its port.
const tcpLines = (received: Array<string>) =>
  Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<Net.Server>((resolve) => {
        const server = Net.createServer((socket) => {
          socket.once("data", (data) => {
            received.push(data.toString().split("\r\n")[0]!)
            socket.end()
          })
          socket.on("error", () => {})
        })
        server.listen(0, "127.0.0.1", () => resolve(server))
      })
    ),
    (server) => Effect.promise(() => new Promise<void>((done) => server.close(() => done())))
  ).pipe(Effect.map((server) => (server.address() as Net.AddressInfo).port))

// Both send the same node:http request; `inResponse` runs in its response callback.
const get = (inResponse: string) =>
  `await new Promise((done) => require("node:http").get(event.secrets.URL + "/risk", (res) => {
     ${inResponse}
     res.resume(); res.on("end", done)
   }))
   ${settleLater}`

describe("connections and requests the observers do not see", () => {
  it.effect("a socket of its own the second Action opens in a node:http response's callback is a difference", () =>
    Effect.gen(function*() {
      const received: Array<string> = []
      const port = yield* tcpLines(received)
      const server = yield* serving((_, __, response) => response.end("{}"))
      // Both send the same node:http request; only the second opens a socket of its own, from the response callback
      // (node:_http_client is then on the stack, which the observer takes for node:http's own connect).
      const a = action("httpcb-a", get(""))
      const b = action(
        "httpcb-b",
        get(
          `const s = require("node:net").connect(${port}, "127.0.0.1", () => s.end("POST /admin-grant HTTP/1.1\\r\\n\\r\\n"))
             s.on("error", () => {})`
        )
      )
      const result = yield* firstResult(a, b, eventsFor(server.url))
      assert.deepStrictEqual(received, ["POST /admin-grant HTTP/1.1"])
      assert.isFalse(result.same, JSON.stringify(result))
    }))

  it.effect("a request only the second Action sends from a worker thread is a difference", () =>
    Effect.gen(function*() {
      const received: Array<string> = []
      const server = yield* serving((request, _, response) => {
        received.push(`${request.method} ${request.url}`)
        response.end("{}")
      })
      const b = action(
        "worker-b",
        `const { Worker } = require("node:worker_threads")
         new Worker("fetch(require('node:worker_threads').workerData + '/admin-grant', { method: 'POST' })", {
           eval: true, workerData: event.secrets.URL
         })
         ${settleLater}`
      )
      const result = yield* firstResult(action("worker-a", settleLater), b, eventsFor(server.url))
      assert.deepStrictEqual(received, ["POST /admin-grant"])
      assert.isFalse(result.same, JSON.stringify(result))
    }))

  it.effect("a datagram only the second Action sends (node:dgram: syslog, StatsD) is a difference", () =>
    Effect.gen(function*() {
      const received: Array<string> = []
      const port = yield* Effect.acquireRelease(
        Effect.promise(() =>
          new Promise<Dgram.Socket>((resolve) => {
            const socket = Dgram.createSocket("udp4").on("message", (message) => received.push(String(message)))
            socket.bind(0, "127.0.0.1", () => resolve(socket))
          })
        ),
        (socket) => Effect.promise(() => new Promise<void>((done) => socket.close(() => done())))
      ).pipe(Effect.map((socket) => socket.address().port))
      const b = action(
        "dgram-b",
        `const s = require("node:dgram").createSocket("udp4")
         s.send("grant admin " + event.user.user_id, ${port}, "127.0.0.1", () => s.close())
         ${settleLater}`
      )
      const result = yield* firstResult(action("dgram-a", settleLater), b, eventsFor("http://127.0.0.1:1"))
      assert.strictEqual(received.length, 1)
      assert.isFalse(result.same, JSON.stringify(result))
    }))

  it.effect("a request the first Action's own module-level timer sends while the second runs is not the second's", () =>
    Effect.gen(function*() {
      const received: Array<string> = []
      const server = yield* serving((request, body, response) => {
        received.push(`${request.method} ${request.url} ${body}`)
        response.end("{}")
      })
      // The first Action sends its audit line at once and queues another, which a timer of its module (started when it
      // loaded, outside any run) sends; the second sends none, and runs while the queue is flushed.
      const a = file(
        "modtimer-a.js",
        `const queue = []
         setInterval(() => { while (queue.length > 0) fetch(queue.shift(), { method: "POST", body: "login" }).catch(() => {}) }, 20).unref()
         exports.onExecutePostLogin = async (event, api) => {
           await fetch(event.secrets.URL + "/audit", { method: "POST", body: "login" })
           queue.push(event.secrets.URL + "/audit")
         }`
      )
      const result = yield* firstResult(a, action("modtimer-b", settleLater), eventsFor(server.url))
      assert.isFalse(result.same, JSON.stringify(result))
      assert.strictEqual(result.b.requests, 0, JSON.stringify(result))
    }))

  it.effect("a socket the first Action's own module-level timer opens while the second runs is not the second's", () =>
    Effect.gen(function*() {
      const received: Array<string> = []
      const port = yield* tcpLines(received)
      // The first Action opens a connection at once and queues another, which a timer of its module (started when it
      // loaded, outside any run) opens while the second runs; the second opens none: the late one is the first's.
      const a = file(
        "modsock-a.js",
        `const net = require("node:net")
         const queue = []
         const open = () => { const s = net.connect(${port}, "127.0.0.1", () => s.end("AUDIT\\r\\n")); s.on("error", () => {}) }
         setInterval(() => { while (queue.length > 0) { queue.shift(); open() } }, 20).unref()
         exports.onExecutePostLogin = async (event, api) => {
           open()
           queue.push(1)
         }`
      )
      const result = yield* firstResult(a, action("modsock-b", settleLater), eventsFor("http://127.0.0.1:1"))
      assert.strictEqual(result.b.sockets, undefined, JSON.stringify(result))
      assert.isFalse(result.same, JSON.stringify(result))
    }))
})

const rulefx = (...args: ReadonlyArray<string>) =>
  Effect.promise(() =>
    RulefxBin.runWith({ timeoutMs: 60_000 }, ...args).then((output) => output.stdout + output.stderr)
  )

describe("a secret never reaches the output", () => {
  const secret = "s3cr3tKEYvalue123"
  for (const method of ["dir", "dirxml"]) {
    it.effect(
      `console.${method} of a secret in the Action is not printed by rulefx diff or rulefx run`,
      () =>
        Effect.gen(function*() {
          const a = action(`console-${method}`, `console.${method}({ key: event.secrets.API_KEY })`)
          const events = file(
            `ev-console-${method}.jsonl`,
            JSON.stringify({ ...minimalEvent(), secrets: { API_KEY: secret } }) + "\n"
          )
          const one = file(
            `ev-console-${method}.json`,
            JSON.stringify({ ...minimalEvent(), secrets: { API_KEY: secret } })
          )
          const diffed = yield* rulefx("diff", a, a, "--events", events)
          const ran = yield* rulefx("run", a, "--event", one)
          assert.include(diffed, "1 same")
          assert.include(ran, "outcome")
          assert.notInclude(diffed, secret)
          assert.notInclude(ran, secret)
        }),
      120_000
    )
  }
})

// Runs `rulefx diff a b` on one minimal event in a child process with a 64 MB heap: its exit code and its output.
const diffIn64MB = (a: string, b: string, name: string) => {
  const events = file(`ev-${name}.jsonl`, JSON.stringify(minimalEvent()) + "\n")
  return Effect.promise(() =>
    RulefxBin.runWith({ heapMB: 64, timeoutMs: 90_000 }, "diff", a, b, "--events", events).then((output) => ({
      code: output.code,
      out: output.stdout + output.stderr
    }))
  )
}

describe("memory", () => {
  it.effect(
    "a request on every turn of the event loop after the handler settled does not fill the heap",
    () =>
      Effect.gen(function*() {
        // The first Action fetches a 10 kB data: URL (no network) on every turn after it returned, while the second
        // runs 10 s. Each late request used to be kept (what was sent, its answer on the tape, its place in the log):
        // thousands of them, and a 64 MB heap ran out (exit 134).
        const a = action(
          "fetchloop-a",
          `const url = "data:," + "x".repeat(10000)
         const loop = () => { fetch(url).then(() => setImmediate(loop), () => setImmediate(loop)) }
         setImmediate(loop)`
        )
        const b = action("fetchloop-b", `await new Promise((r) => setTimeout(r, 10000))`)
        const { code, out } = yield* diffIn64MB(a, b, "fetchloop")
        assert.strictEqual(code, 0, `exit ${code}: ${out.slice(0, 2000)}`)
        assert.include(out, "1 same")
        assert.match(out, /GET data:,x+, .*and \d+ more after its handler returned/s)
      }),
    120_000
  )

  it.effect(
    "an api call on every turn of the event loop after the handler settled does not fill the heap",
    () =>
      Effect.gen(function*() {
        // The first Action calls the api on every turn after it returned, while the second runs 10 s: its late calls
        // are kept one by one (only the note is capped: 600,000+ of them), and a 64 MB heap, enough for the same diff
        // without them, runs out (exit 134, a V8 stack), where counting them would do.
        const a = action(
          "lateloop-a",
          `const loop = () => { api.idToken.setCustomClaim("x", 1); setImmediate(loop) }
         setImmediate(loop)`
        )
        const b = action("lateloop-b", `await new Promise((r) => setTimeout(r, 10000))`)
        const { code, out } = yield* diffIn64MB(a, b, "lateloop")
        assert.strictEqual(code, 0, `exit ${code}: ${out.slice(0, 2000)}`)
        assert.include(out, "1 same")
      }),
    120_000
  )
})
