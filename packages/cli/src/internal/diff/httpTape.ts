/**
 * Outbound HTTP for `rulefx diff`: the first Action's requests go out and are recorded on a tape (the answer or the
 * error, by method, URL, body and headers); the second Action gets the recorded answer for the same method, URL, body
 * and headers, in order, the last one again once they are used up. A request the first Action did not make fails as a connection
 * error would (code `ENOTRECORDED`), or, with `live`, goes out. Both runs list what they sent, so that the comparison
 * can show a request made by one Action only. Answers that do not match the network's state at a later time cannot
 * make the two runs differ: the second run never sees the network for a recorded request. Requests to different URLs
 * are matched in any order (facts send together), but an answer given out of its recorded order relative to a
 * state-changing request, where both runs' order was certain, is noted (`Replay.outOfOrder`). A stream body is read
 * (up to `maxRecordedBytes`) and sent on as bytes, so that it is compared like any other; a `Request`'s body is read
 * from a copy, with the same cap.
 *
 * What is intercepted is `globalThis.fetch`, which both the typed runtime (core's HttpBody) and the legacy runtime's
 * `request` stand-in call when they send; it is replaced for the length of one run (the runs are one after another).
 * The first Action gets each answer as the network gives it; the tape reads a copy (a branch of a tee) of at most
 * `maxRecordedBytes`, and an answer longer than that, or without an end, is not replayed (the second Action's request
 * fails, code `ETOOLARGE`). Requests sent through `node:http` or `node:https` directly (a rule's own
 * `require("https")`, an npm client built on it) are not intercepted: they go out from both runs, and are only
 * noted (`observingNodeHttp`), so that one only one Action sends is still a difference.
 *
 * This module is a `fetch`: it works with promises, as the function it replaces does.
 */
import * as Effect from "effect/Effect"
import { createHmac, randomBytes } from "node:crypto"
import * as DiagnosticsChannel from "node:diagnostics_channel"
import type { ClientRequest } from "node:http"
import { readUpTo } from "../cappedRead.ts"

/** One request as it was sent: the method, the URL and the body as text (`""` without one). */
export interface Sent {
  readonly method: string
  readonly url: string
  readonly body: string
  /**
   * The request's headers as a keyed digest (HMAC-SHA256 under a key of this process, so equal headers give equal
   * digests within one diff and the value of an API key or a bearer token is never shown); absent without headers.
   */
  readonly headers?: string
}

type Answer =
  | {
    readonly ok: true
    readonly status: number
    readonly statusText: string
    readonly headers: ReadonlyArray<[string, string]>
    readonly body: Uint8Array
  }
  | { readonly ok: false; readonly error: unknown }

/**
 * One request the first run sent through `fetch`, in order: when it was sent and when its answer (or error) came, on
 * one clock (`tick`), so that a request sent only after another was answered is known to depend on it.
 */
interface Logged {
  readonly sent: Sent
  readonly sentAt: number
  settledAt: number
}

/** The first run's requests: their answers by request (each with its place in `log`), and the order they were sent in. */
export interface Tape {
  readonly answers: Map<string, Array<{ readonly answer: Promise<Answer>; readonly at: number }>>
  readonly log: Array<Logged>
  readonly sent: Array<Sent>
}

/**
 * What the second run sent, and each of its requests answered from the tape out of the order the first run had it
 * in relative to a request that changes state (not GET or HEAD), as a sentence.
 */
export interface Replay {
  readonly sent: Array<Sent>
  readonly outOfOrder: Array<string>
}

let clock = 0
const tick = (): number => ++clock

// Requests that do not change the server's state: their relative order does not change an answer.
const reading: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"])

type Fetch = typeof globalThis.fetch

const bodyText = (body: unknown): string => {
  if (body === undefined || body === null) return ""
  if (typeof body === "string") return body
  if (body instanceof URLSearchParams) return body.toString()
  if (body instanceof ArrayBuffer) return Buffer.from(body).toString("latin1")
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("latin1")
  // A stream is read into bytes before (buffered); a Blob and a FormData are read where the request is described.
  return `<${Object.prototype.toString.call(body).slice(8, -1)}>`
}

// Headers that differ on every request by nature (tracing ids): left out of the digest.
const perRequest: ReadonlySet<string> = new Set(["traceparent", "tracestate", "b3", "x-b3-traceid", "x-b3-spanid"])

const digestKey = randomBytes(32)

/**
 * A text as a keyed digest (HMAC-SHA256 under a key of this process, 16 hex digits): equal texts give equal digests
 * within one diff, and what the text holds (an API key, a bearer token) is never shown.
 */
export const digest = (text: string): string => createHmac("sha256", digestKey).update(text).digest("hex").slice(0, 16)

const headersDigest = (headers: Headers): string | undefined => {
  const entries = [...headers].filter(([name]) => !perRequest.has(name)).toSorted(([x], [y]) => x < y ? -1 : 1)
  return entries.length === 0 ? undefined : digest(JSON.stringify(entries))
}

// What a request sends: method, URL, body and headers. A Request's body and a Blob are read from a copy (the
// request itself goes out untouched); a stream body is read into bytes, which are sent on (buffered).
// A form's fields in order (a file as its name, type and text): its multipart encoding has a random boundary, and
// two forms with other values must not match one recorded answer.
const formText = async (form: FormData): Promise<string> => {
  const fields = await Promise.all(
    [...form].map(async ([name, value]) =>
      [name, typeof value === "string" ? value : `<File ${value.name} ${value.type}> ${await value.text()}`] as const
    )
  )
  return `<FormData> ${JSON.stringify(fields)}`
}

// A Request's body is read from a copy up to `maxRecordedBytes`, as a stream body given in `init` is: past that it is
// not compared (the request itself still goes out whole).
const requestText = async (request: Request): Promise<string> => {
  const type = request.headers.get("content-type") ?? ""
  const copy = request.clone()
  const bytes = await readCapped(copy.body).catch(() => null)
  if (bytes === null) return "<Request body>"
  if (bytes === undefined) return notCompared()
  const read = new Response(bytes, { headers: { "content-type": type } })
  return (type.startsWith("multipart/form-data") ? read.formData().then(formText) : read.text()).catch(() =>
    "<Request body>"
  )
}

// The body of a stream over maxRecordedBytes, as compared: marked with a value of this request only, so that it can
// never match (and be "the same" as) another.
const notCompared = (): string =>
  `<stream body over ${maxRecordedBytes} bytes, not compared ${randomBytes(8).toString("hex")}>`

// The request as sent (`init` with a stream body read into bytes) and what is compared of it.
const describe = async (
  input: Parameters<Fetch>[0],
  given: Parameters<Fetch>[1]
): Promise<{ readonly sent: Sent; readonly init: Parameters<Fetch>[1] }> => {
  const { init, over } = await buffered(given)
  const request = input instanceof Request ? input : undefined
  const url = request !== undefined ? request.url : input instanceof URL ? input.href : String(input)
  const body = over
    ? notCompared()
    : init?.body !== undefined
    ? init.body instanceof Blob
      ? await init.body.text()
      : init.body instanceof FormData
      ? await formText(init.body)
      : bodyText(init.body)
    : request?.body != null
    ? await requestText(request)
    : ""
  const headers = headersDigest(new Headers(init?.headers ?? request?.headers))
  const sent = {
    method: String(init?.method ?? request?.method ?? "GET").toUpperCase(),
    url,
    body,
    ...(headers === undefined ? {} : { headers })
  }
  return { sent, init }
}

const keyOf = (sent: Sent): string => JSON.stringify([sent.method, sent.url, sent.body, sent.headers ?? ""])

const nullBody = new Set([101, 204, 205, 304])

const toResponse = (answer: Answer): Promise<Response> =>
  answer.ok
    ? Promise.resolve(
      new Response(nullBody.has(answer.status) ? null : answer.body.slice(), {
        status: answer.status,
        statusText: answer.statusText,
        headers: answer.headers as Array<[string, string]>
      })
    )
    : Promise.reject(answer.error)

const aborted = (init: Parameters<Fetch>[1]): unknown =>
  init?.signal?.aborted === true ? init.signal.reason ?? new DOMException("aborted", "AbortError") : undefined

/** The most bytes of one answer the tape holds; a longer one (or one without an end) is not replayed. */
export const maxRecordedBytes = 16 * 1024 * 1024

type Capped =
  | { readonly ended: true; readonly bytes: Uint8Array<ArrayBuffer> }
  | { readonly ended: false; readonly head: ReadonlyArray<Uint8Array>; readonly rest: ReadableStreamDefaultReader }

// Reads a stream body up to `maxRecordedBytes`: all of it, or (past that) what was read and the reader of the rest.
const readHead = (reader: ReadableStreamDefaultReader<Uint8Array | string>): Promise<Capped> => {
  const chunks: Array<Uint8Array> = []
  let size = 0
  const next = (): Promise<Capped> =>
    reader.read().then(({ done, value }) => {
      if (done) return { ended: true, bytes: Buffer.concat(chunks) }
      const chunk = typeof value === "string" ? Buffer.from(value) : value
      chunks.push(chunk)
      size += chunk.byteLength
      return size > maxRecordedBytes ? { ended: false, head: chunks, rest: reader } : next()
    })
  return next()
}
// Reads a copy of a body up to `maxRecordedBytes`; past that, stops reading it and gives undefined.
const readCapped = (body: ReadableStream<Uint8Array> | null): Promise<Uint8Array<ArrayBuffer> | undefined> =>
  body === null ? Promise.resolve(new Uint8Array()) : readUpTo(body, maxRecordedBytes)

const isStream = (body: unknown): body is ReadableStream | AsyncIterable<Uint8Array | string> =>
  body instanceof ReadableStream ||
  (typeof body === "object" && body !== null && Symbol.asyncIterator in body && !(body instanceof Blob))

// An async iterable as a stream, read as it is pulled.
const fromIterable = (iterable: AsyncIterable<Uint8Array | string>): ReadableStream<Uint8Array | string> => {
  const iterator = iterable[Symbol.asyncIterator]()
  return new ReadableStream({
    pull: (controller) =>
      iterator.next().then(({ done, value }) => done === true ? controller.close() : controller.enqueue(value)),
    cancel: (reason) => void iterator.return?.(reason)
  })
}

// What was read, then the rest of the reader: the request goes out with all its bytes.
const resumed = (head: ReadonlyArray<Uint8Array>, rest: ReadableStreamDefaultReader): ReadableStream =>
  new ReadableStream({
    start: (controller) => head.forEach((chunk) => controller.enqueue(chunk)),
    pull: (controller) => rest.read().then(({ done, value }) => done ? controller.close() : controller.enqueue(value)),
    cancel: (reason) => rest.cancel(reason)
  })

// A stream body (a ReadableStream, an async iterable) read, so that it is compared like any other body; the request
// is sent with the bytes read. One over `maxRecordedBytes` is sent whole (`over`), and not compared.
const buffered = async (
  init: Parameters<Fetch>[1]
): Promise<{ readonly init: Parameters<Fetch>[1]; readonly over: boolean }> => {
  if (!isStream(init?.body)) return { init, over: false }
  const body = init.body
  const read = await readHead((body instanceof ReadableStream ? body : fromIterable(body)).getReader())
  return read.ended
    ? { init: { ...init, body: read.bytes }, over: false }
    : { init: { ...init, body: resumed(read.head, read.rest) }, over: true }
}

const tooLarge = (sent: Sent): Error =>
  new TypeError("fetch failed", {
    cause: Object.assign(
      new Error(
        `rulefx diff: the answer to ${sent.method} ${sent.url} was over ${maxRecordedBytes} bytes or did not end, so ` +
          `it was not recorded to replay`
      ),
      { code: "ETOOLARGE" }
    )
  })

/** A fetch that sends with `real` and records each answer (or error) on `tape`. */
export const recording = (real: Fetch, tape: Tape): Fetch => async (input, init) => {
  const { sent, init: sending } = await describe(input, init)
  tape.sent.push(sent)
  // The Action gets the answer as the network gives it (its body one branch of a tee); the tape reads the other
  // branch, up to maxRecordedBytes, so a huge or endless answer neither holds the Action up nor fills memory.
  const teed = real(input, sending).then((response) => {
    const [recorded, returned] = response.body === null ? [null, null] : response.body.tee()
    return { response, recorded, returned }
  })
  const answer: Promise<Answer> = teed.then(
    ({ recorded, response }) => {
      const { status, statusText } = response
      const headers = [...response.headers]
      return readCapped(recorded).then(
        (body): Answer =>
          body === undefined ? { ok: false, error: tooLarge(sent) } : { ok: true, status, statusText, headers, body },
        (error: unknown): Answer => ({ ok: false, error })
      )
    },
    (error: unknown): Answer => ({ ok: false, error })
  )
  const logged: Logged = { sent, sentAt: tick(), settledAt: Infinity }
  const settled = () => void (logged.settledAt = tick())
  void teed.then(settled, settled)
  const key = keyOf(sent)
  tape.answers.set(key, [...(tape.answers.get(key) ?? []), { answer, at: tape.log.push(logged) - 1 }])
  return teed.then(({ response, returned }) =>
    new Response(nullBody.has(response.status) ? null : returned, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers
    })
  )
}

const notRecorded = (sent: Sent): Error =>
  new TypeError("fetch failed", {
    cause: Object.assign(
      new Error(
        `rulefx diff: ${sent.method} ${sent.url} was not sent by the first Action, so there is no answer to replay ` +
          `(--live sends it)`
      ),
      { code: "ENOTRECORDED" }
    )
  })

const show = (sent: Sent): string => `${sent.method} ${sent.url}`

/**
 * Why the answer recorded at `at` is not what the second run would have got, if it is not: the first run sent it
 * only after a state-changing request was answered, which the second has not sent; or the first run had its answer
 * before it sent a state-changing request, which the second run sent, and had answered, first. Requests in flight
 * together (facts) have no order, and are never reported. `answered` holds, by place in the log, when each
 * recorded request the second run sent was answered (Infinity until it is).
 */
const orderProblem = (log: ReadonlyArray<Logged>, at: number, answered: ReadonlyMap<number, number>, now: number) => {
  const asked = log[at]!
  for (const [index, other] of log.entries()) {
    if (index === at || reading.has(other.sent.method)) continue
    if (other.settledAt < asked.sentAt && !answered.has(index)) {
      return `${show(asked.sent)} got the answer recorded after ${show(other.sent)}, which it had not sent yet`
    }
    if (asked.settledAt < other.sentAt && (answered.get(index) ?? Infinity) < now) {
      return `${show(asked.sent)} got the answer recorded before ${show(other.sent)}, which it had sent first`
    }
  }
  return undefined
}

/**
 * A fetch that answers from `tape`; a request not on it fails, or with `live` is sent with `real`. An answer given
 * out of its recorded order relative to a state-changing request is noted in `replay.outOfOrder`.
 */
export const replaying = (real: Fetch, tape: Tape, replay: Replay, live: boolean): Fetch => {
  const used = new Map<string, number>()
  const answered = new Map<number, number>()
  return async (input, init) => {
    const { sent, init: sending } = await describe(input, init)
    replay.sent.push(sent)
    const key = keyOf(sent)
    const answers = tape.answers.get(key)
    if (answers === undefined || answers.length === 0) {
      return live ? real(input, sending) : Promise.reject(notRecorded(sent))
    }
    const index = used.get(key) ?? 0
    used.set(key, index + 1)
    const early = aborted(init)
    if (early !== undefined) return Promise.reject(early)
    const recorded = answers[Math.min(index, answers.length - 1)]!
    if (index < answers.length) {
      const problem = orderProblem(tape.log, recorded.at, answered, tick())
      if (problem !== undefined) replay.outOfOrder.push(problem)
      answered.set(recorded.at, Infinity)
    }
    const settled = () => void answered.set(recorded.at, tick())
    return recorded.answer.then((answer) => (settled(), toResponse(answer)))
  }
}

/** The body `requests.*` shows for a request sent through `node:http`/`node:https`, which is not recorded. */
export const nodeHttpBody = "<node:http, sent live>"

const nodeHttpStart = "http.client.request.start"

/**
 * Runs `effect` noting each request sent through `node:http` or `node:https` in `sent` (with `nodeHttpBody`): such
 * requests are not intercepted, they go out from both runs, but a request only one Action sends is still seen.
 */
export const observingNodeHttp = <A, E, R>(
  sent: Array<Sent>,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => {
  const onStart = (message: unknown) => {
    const request = (message as { readonly request: ClientRequest }).request
    const host = request.getHeader("host")
    sent.push({
      method: request.method,
      url: `${request.protocol}//${typeof host === "string" ? host : request.host}${request.path}`,
      body: nodeHttpBody
    })
  }
  return Effect.acquireUseRelease(
    Effect.sync(() => DiagnosticsChannel.subscribe(nodeHttpStart, onStart)),
    () => effect,
    () => Effect.sync(() => void DiagnosticsChannel.unsubscribe(nodeHttpStart, onStart))
  )
}

/** An empty tape. */
export const makeTape = (): Tape => ({ answers: new Map(), log: [], sent: [] })

/** Runs `effect` with `globalThis.fetch` replaced by `fetch`, and puts the previous one back after it. */
export const withFetch = <A, E, R>(
  fetch: (real: Fetch) => Fetch,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const real = globalThis.fetch
      globalThis.fetch = fetch(real)
      return real
    }),
    () => effect,
    (real) => Effect.sync(() => void (globalThis.fetch = real))
  )
