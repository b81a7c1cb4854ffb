/**
 * Connections an Action opens outside fetch and node:http(s) (a socket of its own through node:net or node:tls, a
 * gRPC or Firestore client's node:http2): rulefx diff cannot replay them, but one only one Action opens is a
 * difference, and one both open is noted as not compared. Every server here listens on 127.0.0.1.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Diff from "@rulefx/cli/Diff"
import * as Listen from "@rulefx/testing/Listen"
import * as Effect from "effect/Effect"
import * as Dgram from "node:dgram"
import { createServer, type Server } from "node:http"
import * as Http2 from "node:http2"
import * as Net from "node:net"
import * as LateCalls from "../src/internal/diff/lateCalls.ts"
import * as Sockets from "../src/internal/diff/sockets.ts"
import * as Scratch from "./utils/Scratch.ts"

const { action, events, file } = Scratch.scratch("rulefx-diff-sockets-")

// A server for the test's length: what it is given, and its port.
const serving = (server: Net.Server) =>
  Effect.acquireRelease(
    Effect.promise(() => Listen.listen(server as Server)),
    (s) => Effect.promise(() => s.close())
  ).pipe(Effect.map((s) => new URL(s.url).port))

// A TCP server that notes the first line each connection sends, and closes it.
const lines = (received: Array<string>) =>
  Net.createServer((socket) => {
    socket.once("data", (data) => {
      received.push(data.toString().split("\r\n")[0]!)
      socket.end()
    })
  })

// An Action body sending `line` over a socket of its own (node:net) to 127.0.0.1:port, waiting for it to close.
const rawSocket = (port: string, line: string) =>
  `await new Promise((done) => {
     const s = require("node:net").connect(${port}, "127.0.0.1", () => s.end("${line}\\r\\nHost: x\\r\\n\\r\\n"))
     s.on("data", () => {}); s.on("error", done); s.on("close", done)
   })`

const firstResult = (a: string, b: string) =>
  Diff.diff(a, b, events()).pipe(Effect.map((report) => ({ report, result: report.results[0]! })))

describe("Diff: sockets of an Action's own", () => {
  it.effect("a connection only the second Action opens (node:net) is a difference", () =>
    Effect.gen(function*() {
      const received: Array<string> = []
      const port = yield* serving(lines(received))
      const b = action("net-b", rawSocket(port, "POST /admin-grant HTTP/1.1"))
      const { result } = yield* firstResult(action("net-a", ``), b)
      assert.deepStrictEqual(received, ["POST /admin-grant HTTP/1.1"])
      assert.isFalse(result.same, JSON.stringify(result))
      assert.deepStrictEqual(result.differences, [{ path: `sockets.127.0.0.1:${port}`, b: "<opened, not replayed>" }])
      assert.deepStrictEqual(result.b.sockets, [`127.0.0.1:${port}`])
      assert.isUndefined(result.a.sockets)
    }))

  it.effect("a connection only the first Action opens (node:tls, a handshake that fails) is a difference", () =>
    Effect.gen(function*() {
      const port = yield* serving(lines([]))
      const a = action(
        "tls-a",
        `await new Promise((done) => {
           const s = require("node:tls").connect({ port: ${port}, host: "127.0.0.1", rejectUnauthorized: false })
           s.on("error", () => done()); s.on("close", done)
         })`
      )
      const { result } = yield* firstResult(a, action("tls-b", ``))
      assert.deepStrictEqual(result.differences, [{ path: `sockets.127.0.0.1:${port}`, a: "<opened, not replayed>" }])
    }))

  it.effect("an HTTP/2 request only the second Action sends (a gRPC call) is a difference, by method and URL", () =>
    Effect.gen(function*() {
      const received: Array<string> = []
      const server = Http2.createServer((request, response) => {
        received.push(`${request.method} ${request.url}`)
        response.end("{}")
      })
      const port = yield* serving(server as unknown as Net.Server)
      const b = action(
        "h2-b",
        `const session = require("node:http2").connect("http://127.0.0.1:${port}")
         await new Promise((done, fail) => {
           const stream = session.request({ ":method": "POST", ":path": "/google.firestore.v1.Firestore/Commit" })
           stream.on("error", fail); stream.on("data", () => {}); stream.on("end", done); stream.end("{}")
         })
         session.close()`
      )
      const { result } = yield* firstResult(action("h2-a", ``), b)
      assert.deepStrictEqual(received, ["POST /google.firestore.v1.Firestore/Commit"])
      assert.deepStrictEqual(result.differences.map((d) => d.path), [
        `requests.POST http://127.0.0.1:${port}/google.firestore.v1.Firestore/Commit`,
        `sockets.127.0.0.1:${port}`
      ])
      assert.strictEqual(result.b.live, 1)
    }))

  it.effect("a connection both Actions open to the same host and port is the same, and noted as not compared", () =>
    Effect.gen(function*() {
      const received: Array<string> = []
      const port = yield* serving(lines(received))
      const { report, result } = yield* firstResult(
        action("both-a", rawSocket(port, "SET role admin")),
        action("both-b", rawSocket(port, "SET role guest"))
      )
      assert.deepStrictEqual(received, ["SET role admin", "SET role guest"])
      assert.isTrue(result.same, JSON.stringify(result))
      assert.deepStrictEqual(report.notes, [
        `both Actions opened a socket of their own to 127.0.0.1:${port} (1 event): what went over it is not compared ` +
        `(rulefx diff cannot replay a raw socket; both runs connected for real)`
      ])
    }))

  it.effect("only the socket of its own counts, not node:http(s)'s or fetch's (which are requests)", () =>
    Effect.gen(function*() {
      const port = yield* serving(
        createServer((request, response) => request.resume().on("end", () => response.end("{}")))
      )
      const linePort = yield* serving(lines([]))
      const url = `http://127.0.0.1:${port}/risk`
      const both =
        `await new Promise((done) => require("node:http").get("${url}", (r) => { r.resume(); r.on("end", done) }))
         await (await fetch("${url}")).text()`
      const { report, result } = yield* firstResult(
        action("http-a", `${both}\n${rawSocket(linePort, "AUDIT login")}`),
        action("http-b", both)
      )
      assert.deepStrictEqual(result.differences.map((d) => d.path), [`sockets.127.0.0.1:${linePort}`])
      assert.deepStrictEqual(result.a.sockets, [`127.0.0.1:${linePort}`])
      assert.isUndefined(result.b.sockets)
      assert.deepStrictEqual([result.a.requests, result.a.live], [2, 1])
      assert.deepStrictEqual(report.notes, [])
    }))

  it.effect("a connect kept from before the run (Socket.prototype.connect saved at load) is still seen", () =>
    Effect.gen(function*() {
      const received: Array<string> = []
      const port = yield* serving(lines(received))
      const b = file(
        "kept-b.js",
        `const net = require("node:net"); const connect = net.Socket.prototype.connect
         exports.onExecutePostLogin = async () => {
           await new Promise((done) => {
             const s = connect.call(new net.Socket(), ${port}, "127.0.0.1", () => s.end("KEPT\\r\\n"))
             s.on("data", () => {}); s.on("error", done); s.on("close", done)
           })
         }\n`
      )
      const { result } = yield* firstResult(action("kept-a", ``), b)
      assert.deepStrictEqual(received, ["KEPT"])
      // Its address is not known (only the connect it kept saw it): still a difference.
      assert.deepStrictEqual(result.differences.map((d) => d.path), ["sockets.<an address rulefx did not see>"])
    }))

  it.effect("a connection opened after the handler settled is listed as late, not compared", () =>
    Effect.gen(function*() {
      const port = yield* serving(lines([]))
      const a = action(
        "late-a",
        `setTimeout(() => require("node:net").connect(${port}, "127.0.0.1").on("error", () => {}).end(), 5)`
      )
      // The second run takes long enough for the first's timer to fire.
      const { result } = yield* firstResult(a, action("late-b", `await new Promise((r) => setTimeout(r, 100))`))
      assert.isTrue(result.same, JSON.stringify(result))
      assert.deepStrictEqual(result.a.late, [`socket 127.0.0.1:${port}`])
      assert.isUndefined(result.a.sockets)
    }))
})

// Sends one datagram to each of `ports` on 127.0.0.1 (nothing listens there), from one socket, closed once all are sent.
const sendTo = (ports: ReadonlyArray<number>) =>
  Effect.promise(() =>
    new Promise<void>((done) => {
      const socket = Dgram.createSocket("udp4")
      let left = ports.length
      for (const port of ports) {
        socket.send("metric:1|c", port, "127.0.0.1", () => {
          left -= 1
          if (left === 0) socket.close(() => done())
        })
      }
    })
  )

describe("Sockets: datagram targets", () => {
  // Each distinct target was kept, without bound (a StatsD client with a tag in its address, a new port per metric).
  it.effect("a run lists its first LateCalls.listed targets, then counts the datagrams to others", () =>
    Effect.gen(function*() {
      const opened: Array<string> = []
      const ports = Array.from({ length: 100 }, (_, i) => 40_000 + i)
      // The first target again, and one past the listed ones again: the first is listed once, the second counted.
      yield* Sockets.observing(opened, [], sendTo([...ports, ports[0]!, ports[99]!]))
      const listed = ports.slice(0, LateCalls.listed).map((port) => `udp 127.0.0.1:${port}`)
      assert.deepStrictEqual(opened, [...listed, "udp <other targets>"])
      assert.deepStrictEqual(Sockets.shown(opened), [...listed, "udp <other targets>: and 81 more datagrams"])
      assert.strictEqual(Sockets.entries(opened).length, LateCalls.listed + 1)
      assert.deepStrictEqual(Sockets.both(Sockets.shown(opened), Sockets.shown(opened)), listed)
    }))
})
