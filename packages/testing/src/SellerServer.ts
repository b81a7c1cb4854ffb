/**
 * A fake seller API on 127.0.0.1 for tests, the demo and benchmarks: `GET /seller/{id}` answers as told, and every
 * request is recorded.
 *
 * Answers cover what the seed contract names: a seller, a status (404, 500, ...), a body that is not JSON, JSON of
 * the wrong shape, a hang (never answers; the socket is destroyed on close), a delay, and a number of failures
 * before a good answer (for retries).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { createServer, type ServerResponse } from "node:http"
import { listen } from "./Listen.ts"

/**
 * How the server answers one request.
 *
 * @category models
 * @since 0.1.0
 */
export type Answer =
  | { readonly _tag: "Json"; readonly body: unknown; readonly delayMillis?: number }
  | { readonly _tag: "Status"; readonly status: number }
  | { readonly _tag: "Garbage" }
  | { readonly _tag: "Hang" }
  | { readonly _tag: "FailTimes"; readonly times: number; readonly status: number; readonly after: Answer }

/**
 * A running server.
 *
 * @category models
 * @since 0.1.0
 */
export interface SellerServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`; the seller is at `${url}/seller/${id}`. */
  readonly url: string
  /** Paths requested so far, in order. */
  readonly requests: () => ReadonlyArray<string>
  /** The most requests the server was answering at one time since it started or `resetPeak`: above 1, callers overlapped. */
  readonly peakInFlight: () => number
  readonly resetPeak: () => void
  readonly close: () => Promise<void>
}

/**
 * A seller body.
 *
 * @category constructors
 * @since 0.1.0
 */
export const seller = (id: string, email: string, name: string, extra: Record<string, unknown> = {}): Answer => ({
  _tag: "Json",
  body: { id, email, name, ...extra }
})

/**
 * The answers the demo and end-to-end tests use, by seller id; unknown ids get 404.
 *
 * @category constructors
 * @since 0.1.0
 */
export const demoAnswers: Readonly<Record<string, Answer>> = {
  "seller-1": seller("seller-1", "ada@shop.example", "Ada's Shop", { internal_notes: "not for tokens" }),
  "seller-500": { _tag: "Status", status: 500 },
  "seller-garbage": { _tag: "Garbage" },
  "seller-shape": { _tag: "Json", body: { id: 7, mail: "nobody" } },
  "seller-hang": { _tag: "Hang" },
  "seller-flaky": { _tag: "FailTimes", times: 1, status: 503, after: seller("seller-flaky", "flo@shop.example", "Flo") }
}

const decodeSegment = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

const respond = (res: ServerResponse, answer: Answer, attempt: number): void => {
  switch (answer._tag) {
    case "Json": {
      const send = () => {
        res.writeHead(200, { "content-type": "application/json" })
        res.end(JSON.stringify(answer.body))
      }
      if (answer.delayMillis === undefined) send()
      else setTimeout(send, answer.delayMillis)
      return
    }
    case "Status":
      res.writeHead(answer.status, { "content-type": "text/plain" })
      res.end(`status ${answer.status}`)
      return
    case "Garbage":
      res.writeHead(200, { "content-type": "application/json" })
      res.end("<html>not json")
      return
    case "Hang":
      return
    case "FailTimes":
      if (attempt < answer.times) respond(res, { _tag: "Status", status: answer.status }, attempt)
      else respond(res, answer.after, attempt - answer.times)
      return
  }
}

/**
 * Starts a server on 127.0.0.1 with a free port. `answers` maps seller ids to answers; other ids and paths get 404.
 *
 * @category constructors
 * @since 0.1.0
 */
export const start = (answers: Readonly<Record<string, Answer>> = demoAnswers): Promise<SellerServer> => {
  const requests: Array<string> = []
  const attempts = new Map<string, number>()
  let inFlight = 0
  let peak = 0
  const server = createServer((req, res) => {
    const path = req.url ?? "/"
    requests.push(path)
    peak = Math.max(peak, ++inFlight)
    res.once("close", () => inFlight--)
    const match = /^\/seller\/([^/?]+)$/.exec(path)
    const id = match?.[1] === undefined ? undefined : decodeSegment(match[1])
    const answer = id !== undefined && Object.hasOwn(answers, id) ? answers[id] : undefined
    if (id === undefined || answer === undefined) {
      res.writeHead(404).end()
      return
    }
    const attempt = attempts.get(id) ?? 0
    attempts.set(id, attempt + 1)
    respond(res, answer, attempt)
  })
  return listen(server).then(({ close, url }) => ({
    url,
    requests: () => [...requests],
    peakInFlight: () => peak,
    resetPeak: () => void (peak = inFlight),
    close
  }))
}

/**
 * The server as a scoped resource, closed when the scope ends.
 *
 * @category constructors
 * @since 0.1.0
 */
export const scoped = (
  answers: Readonly<Record<string, Answer>> = demoAnswers
): Effect.Effect<SellerServer, never, Scope.Scope> =>
  Effect.acquireRelease(Effect.promise(() => start(answers)), (server) => Effect.promise(() => server.close()))
