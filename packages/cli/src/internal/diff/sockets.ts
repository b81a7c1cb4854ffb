/**
 * Connections an Action opens outside `fetch` and `node:http(s)`, for `rulefx diff`: a socket of its own
 * (`node:net`, `node:tls`: a database, an SMTP or syslog client), `node:http2` (gRPC and Firestore clients), a datagram
 * (`node:dgram`: StatsD, syslog over UDP) and a worker thread (what it does runs where no observer looks). None can be
 * recorded and replayed as a request: both runs open them for real, and they are only noted (`udp <host>:<port>`,
 * `worker thread`), so that one only one Action opens is still a difference.
 *
 * A client socket is seen where Node opens it (`Socket.prototype.connect`, which `net.connect`, `tls.connect` and
 * `http2.connect` call; wrapped for the length of one run, which names its host and port), and through Node's
 * `net.client.socket` diagnostics channel, which a connect kept from before the run still publishes to. A socket that
 * node:http(s)'s agent or fetch opens (the nearest frame above net's is Node's own `_http_agent`, `_http_client` or
 * undici) is not one: their requests are observed as requests (HttpTape). An HTTP/2 stream is noted as a request (`http2.client.stream.created`,
 * Node 22), by its method and URL, as a node:http one is.
 */
import * as Effect from "effect/Effect"
import * as Dgram from "node:dgram"
import * as DiagnosticsChannel from "node:diagnostics_channel"
import { Socket } from "node:net"
import type { Sent } from "./httpTape.ts"
import * as HttpTape from "./httpTape.ts"
import * as LateCalls from "./lateCalls.ts"
import type { Entry } from "./outcome.ts"

/** The body `requests.*` shows for a request sent as an HTTP/2 stream, which is not recorded. */
const http2Body = "<node:http2, sent live>"

/** Whether a request went out live (node:http(s), HTTP/2), not through the recorded fetch. */
export const isLive = (request: Sent): boolean => request.body === HttpTape.nodeHttpBody || request.body === http2Body

/** What a `sockets.<host:port>` entry holds: both runs opened the connection, and what went over it is not replayed. */
const notReplayed = "<opened, not replayed>"

// Node's frames that open a socket for a request already observed: node:http(s)'s agent and client, fetch's undici.
const observedFrames = ["node:_http_agent", "node:_http_client", "node:internal/deps/undici/"]

// The files of the frames that called this, as far back as 100 frames (whatever the Action set the limit or the
// stack's format to).
const callers = (): ReadonlyArray<string> => {
  const { prepareStackTrace, stackTraceLimit } = Error
  const holder: { stack?: unknown } = {}
  try {
    Error.stackTraceLimit = 100
    Error.prepareStackTrace = (_, frames) => frames.map((frame) => frame.getFileName() ?? "")
    Error.captureStackTrace(holder)
    // The stack is formatted when first read: while the format above is in place.
    const files = holder.stack
    return Array.isArray(files) ? files as ReadonlyArray<string> : []
  } finally {
    Error.prepareStackTrace = prepareStackTrace
    Error.stackTraceLimit = stackTraceLimit
  }
}

// Node's frames between a connect and the code that asked for it: net, tls, http2's session, diagnostics channels.
const plumbing = [
  "node:net",
  "node:tls",
  "node:_tls_wrap",
  "node:internal/tls/",
  "node:internal/net",
  "node:internal/http2/",
  "node:diagnostics_channel"
]

// Whether the code that asked for the connection is not node:http(s)'s or fetch's: judged by the nearest frame that is
// neither this module's nor Node's plumbing, not by any frame on the stack (a socket opened in a node:http response
// callback has node:_http_client frames further down).
const ofItsOwn = (): boolean => {
  const files = callers()
  const asker = files.find((file, i) =>
    file !== "" && file !== files[0] && i > 0 && !plumbing.some((frame) => file.startsWith(frame))
  )
  return asker === undefined || !observedFrames.some((frame) => asker.startsWith(frame))
}

interface Target {
  readonly host?: unknown
  readonly port?: unknown
  readonly path?: unknown
}

const hostPort = (host: unknown, port: unknown): string => {
  const name = typeof host === "string" && host !== "" ? host.toLowerCase() : "localhost"
  return `${name.includes(":") ? `[${name}]` : name}:${String(port)}`
}

/**
 * Where `socket.connect(...args)` connects: `host:port` (`localhost` without a host, an IPv6 address in brackets), or
 * `unix:<path>` for a pipe. `net.connect` passes its arguments as one array.
 */
const targetOf = (args: ReadonlyArray<unknown>): string => {
  const first: unknown = Array.isArray(args[0]) ? args[0][0] : args[0]
  if (typeof first === "object" && first !== null) {
    const { host, path, port } = first as Target
    return typeof path === "string" ? `unix:${path}` : hostPort(host, port)
  }
  if (typeof first === "string" && !/^\d+$/.test(first)) return `unix:${first}`
  return hostPort(args[1], first)
}

// A socket whose connect was not seen (a connect kept from before the run): the options tls keeps, else unknown.
const fallbackTarget = (socket: object): string => {
  const options = Object.getOwnPropertySymbols(socket).find((symbol) => symbol.description === "connect-options")
  const kept: unknown = options === undefined ? undefined : (socket as Record<symbol, unknown>)[options]
  return typeof kept === "object" && kept !== null ? targetOf([kept]) : "<an address rulefx did not see>"
}

/**
 * Where `socket.send(message, ...)` sends a datagram: `udp <host>:<port>`, from its arguments (`port, address` or
 * `offset, length, port, address`), or, for a connected socket, its remote address.
 */
const datagramTarget = (socket: Dgram.Socket, args: ReadonlyArray<unknown>): string => {
  const [port, address] = typeof args[3] === "number" ? [args[3], args[4]] : [args[1], args[2]]
  if (typeof port === "number" || typeof port === "string") {
    return `udp ${hostPort(typeof address === "string" ? address : undefined, port)}`
  }
  try {
    const remote = socket.remoteAddress()
    return `udp ${hostPort(remote.address, remote.port)}`
  } catch {
    return "udp <an address rulefx did not see>"
  }
}

/**
 * What stands in a run's list, once, for the datagrams it sent to targets past the first `LateCalls.listed` it was noted
 * sending to: compared as one target, and shown with how many (`shown`). A StatsD client that puts a tag in the address,
 * or an Action sending to a new port on every turn of the event loop, would otherwise be kept one per target.
 */
const otherTargets = "udp <other targets>"

// How many datagrams each run (by its list of connections) sent to targets past the ones listed.
const others = new WeakMap<ReadonlyArray<string>, number>()

// Whether a datagram socket is bound (its address can be read).
const isBound = (socket: Dgram.Socket): boolean => {
  try {
    socket.address()
    return true
  } catch {
    return false
  }
}

/** What a worker thread an Action starts is noted as: what it does (its fetch, its sockets) is not seen. */
const workerThread = "worker thread"

interface Http2Created {
  readonly headers?: Readonly<Record<string, unknown>>
}

// An HTTP/2 stream as a request: its method and URL from its pseudo-headers.
const http2Request = (message: unknown): Sent => {
  const headers = (message as Http2Created).headers ?? {}
  const method = typeof headers[":method"] === "string" ? headers[":method"] : "GET"
  const scheme = typeof headers[":scheme"] === "string" ? headers[":scheme"] : "https"
  return {
    method,
    url: `${scheme}://${String(headers[":authority"] ?? "")}${String(headers[":path"] ?? "/")}`,
    body: http2Body
  }
}

const socketChannel = "net.client.socket"
const http2Channel = "http2.client.stream.created"

/** Where one run's connections and HTTP/2 streams go. */
type Observer = Pick<HttpTape.Run, "opened" | "sent">

// The run whose code (its handler's, what it started, or its module's top-level code: HttpTape.ownRun) opens a
// socket, else the run in progress: a socket the first Action opens late, while the second runs, is the first's.
const ownerOr = (current: Observer): Observer => HttpTape.ownRun() ?? current

// Sees the sockets and HTTP/2 streams opened while it is up, each given to the run it came from (else `current`);
// gives what takes it down.
const watch = (current: Observer): () => void => {
  const seen = new WeakSet<object>()
  const note = (socket: object, target: () => string) => {
    if (seen.has(socket)) return
    seen.add(socket)
    if (ofItsOwn()) ownerOr(current).opened.push(target())
  }
  const connect = Socket.prototype.connect
  Socket.prototype.connect = function(this: Socket, ...args: Array<unknown>) {
    note(this, () => targetOf(args))
    return (connect as (...args: Array<unknown>) => Socket).apply(this, args)
  } as typeof connect
  const onSocket = (message: unknown) => {
    const socket = (message as { readonly socket: object }).socket
    note(socket, () => fallbackTarget(socket))
  }
  const onStream = (message: unknown) => void ownerOr(current).sent.push(http2Request(message))
  // The datagram targets each run was noted sending to: once each (a StatsD client sends one per metric), the first
  // LateCalls.listed; past them, the datagrams to others are counted (`otherTargets`).
  const datagrams = new WeakMap<ReadonlyArray<string>, Set<string>>()
  const noteDatagram = ({ opened }: Observer, target: string) => {
    const targets = datagrams.get(opened) ?? new Set<string>()
    datagrams.set(opened, targets)
    if (targets.has(target)) return
    if (targets.size < LateCalls.listed) {
      targets.add(target)
      opened.push(target)
      return
    }
    const count = (others.get(opened) ?? 0) + 1
    others.set(opened, count)
    if (count === 1) opened.push(otherTargets)
  }
  // A socket not bound yet queues what it is asked to send and, once bound, sends it through `send` again: noted when
  // asked, not again when sent.
  const queued = new WeakMap<Dgram.Socket, number>()
  const send = Dgram.Socket.prototype.send
  Dgram.Socket.prototype.send = function(this: Dgram.Socket, ...args: Array<unknown>) {
    const waiting = queued.get(this) ?? 0
    const bound = isBound(this)
    if (bound && waiting > 0) {
      queued.set(this, waiting - 1)
    } else {
      if (!bound) queued.set(this, waiting + 1)
      noteDatagram(ownerOr(current), datagramTarget(this, args))
    }
    return (send as (...args: Array<unknown>) => void).apply(this, args)
  } as typeof send
  // Node emits `worker` on process, in the context of the code that started it, for each new worker thread.
  const onWorker = () => void ownerOr(current).opened.push(workerThread)
  process.on("worker", onWorker)
  DiagnosticsChannel.subscribe(socketChannel, onSocket)
  DiagnosticsChannel.subscribe(http2Channel, onStream)
  return () => {
    Socket.prototype.connect = connect
    Dgram.Socket.prototype.send = send
    process.off("worker", onWorker)
    DiagnosticsChannel.unsubscribe(socketChannel, onSocket)
    DiagnosticsChannel.unsubscribe(http2Channel, onStream)
  }
}

/**
 * Runs `effect` noting each socket of its own an Action opens in `opened` (by its target, `targetOf`), and each HTTP/2
 * stream in `sent` (with `http2Body`): those of the run whose code opens it (HttpTape.ownRun: even during a later
 * run), else these.
 */
export const observing = <A, E, R>(
  opened: Array<string>,
  sent: Array<Sent>,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.acquireUseRelease(Effect.sync(() => watch({ opened, sent })), () => effect, (restore) => Effect.sync(restore))

/** A run's `sockets.<target>` entries: one per target it opened a connection to, however many times. */
export const entries = (opened: ReadonlyArray<string>): ReadonlyArray<Entry> =>
  [...new Set(opened)].map((target) => ({ path: ["sockets", target], value: notReplayed }))

/**
 * A run's list of connections (`observing`'s `opened`) as the report shows it: the datagrams to targets past the ones
 * listed as `udp <other targets>: and <n> more datagrams`, how many it had sent by now.
 */
export const shown = (opened: ReadonlyArray<string>): ReadonlyArray<string> =>
  opened.map((target) =>
    target === otherTargets ? `${otherTargets}: ${LateCalls.more(others.get(opened) ?? 0)} datagrams` : target
  )

/**
 * The targets both runs opened a connection to (as `shown`): not compared (what went over them is not replayed). The
 * datagrams to targets past the ones listed are not a target.
 */
export const both = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): ReadonlyArray<string> =>
  [...new Set(a)].filter((target) => !target.startsWith(otherTargets) && b.includes(target))
