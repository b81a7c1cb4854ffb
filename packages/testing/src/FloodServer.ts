/**
 * FloodServer: an HTTP server on 127.0.0.1 whose answers are bodies no client should hold: hundreds of megabytes
 * (chunked, or announced by Content-Length) or a drip that never ends. It records, per request, how many bytes it
 * sent and when the client let go of the connection, which is how a test sees that a client stopped reading.
 *
 * Bodies are written from one reused chunk, honouring backpressure: the server itself stays small however big the
 * body.
 *
 * @since 0.1.0
 */
import { createServer, type ServerResponse } from "node:http"
import { listen } from "./Listen.ts"

/**
 * The answer to a request.
 *
 * @category models
 * @since 0.1.0
 */
export type Answer =
  /** `bytes` bytes of `{"x":"xxx…` (never valid JSON), chunked, or announced by Content-Length with `announce`. */
  | {
    readonly _tag: "Flood"
    readonly bytes: number
    readonly status?: number
    readonly announce?: boolean
  }
  /** One byte every `everyMillis`, forever. */
  | { readonly _tag: "Drip"; readonly everyMillis: number; readonly status?: number }

/**
 * One request, as the server saw it.
 *
 * @category models
 * @since 0.1.0
 */
export interface Seen {
  readonly path: string
  readonly method: string
  readonly at: number
  /** Body bytes written so far. */
  sent: number
  /** When the connection closed (`performance.now()`), if it has. */
  closedAt: number | undefined
  /** The whole body was written. */
  finished: boolean
}

/**
 * A running server.
 *
 * @category models
 * @since 0.1.0
 */
export interface FloodServer {
  readonly url: string
  readonly seen: ReadonlyArray<Seen>
  readonly close: () => Promise<void>
}

const chunk = Buffer.alloc(64 * 1024, "x")

const flood = (res: ServerResponse, seen: Seen, total: number): void => {
  const pump = () => {
    while (seen.closedAt === undefined && seen.sent < total) {
      const part = seen.sent === 0
        ? Buffer.from("{\"x\":\"")
        : chunk.subarray(0, Math.min(chunk.length, total - seen.sent))
      seen.sent += part.length
      if (!res.write(part)) return void res.once("drain", pump)
    }
    if (seen.closedAt === undefined) res.end()
  }
  pump()
}

/**
 * Starts a server answering each request with `answer(path)`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const start = (answer: (path: string) => Answer): Promise<FloodServer> => {
  const seen: Array<Seen> = []
  const server = createServer((req, res) => {
    const record: Seen = {
      path: req.url ?? "/",
      method: req.method ?? "",
      at: performance.now(),
      sent: 0,
      closedAt: undefined,
      finished: false
    }
    seen.push(record)
    res.on("close", () => {
      record.closedAt = performance.now()
    })
    res.on("finish", () => {
      record.finished = true
    })
    // Drain the request body, if any: the answer does not wait for it.
    req.resume()
    const a = answer(record.path)
    if (a._tag === "Drip") {
      res.writeHead(a.status ?? 200, { "content-type": "application/json" })
      const timer = setInterval(() => {
        record.sent++
        res.write(" ")
      }, a.everyMillis)
      res.on("close", () => clearInterval(timer))
      return
    }
    res.writeHead(a.status ?? 200, {
      "content-type": "application/json",
      ...(a.announce === true ? { "content-length": String(a.bytes) } : {})
    })
    flood(res, record, a.bytes)
  })
  return listen(server).then(({ close, url }) => ({ url, seen, close }))
}
