/**
 * Outbound HTTP for `rulefx diff`: the first Action's requests go out and are recorded on a tape (the answer or the
 * error, by method, URL, body and headers); the second Action gets the recorded answer for the same method, URL, body
 * and headers, in order, the last one again once they are used up. A request the first Action did not make fails as a connection
 * error would (code `ENOTRECORDED`), or, with `live`, goes out. Both runs list what they sent, so that the comparison
 * can show a request made by one Action only. Answers that do not match the network's state at a later time cannot
 * make the two runs differ: the second run never sees the network for a recorded request. Requests to different URLs
 * are matched in any order (facts send together), but an answer given out of its recorded order relative to a
 * state-changing request, where both runs' order was certain, is noted (`Replay.outOfOrder`). A replayed answer comes
 * as long after the request as it came to the first run, and its body's parts and end as long after as they came
 * (capped by the run's time limit); an AbortSignal that fires before the answer came (a timeout the second Action set,
 * also while the first run's answer is still to come) rejects the fetch with its reason, and one that fires before the
 * body ended errors the body's read, as on the network. An answer the first Action gave up on during its body is
 * replayed as its error (the body's read fails, when it did); one it gave up on before it came is not known: the
 * second's request fails as not recorded, noted (`Replay.unanswered`) unless the second gives up as soon. A request
 * is read as fetch builds it (init's `body: null` leaves the Request's body, `signal: null` takes its signal away),
 * and a binary body that is not UTF-8 by its bytes (`<bytes n digest>`). A stream body is
 * read (up to `maxRecordedBytes`) and sent on as bytes, so that it is compared like any other; a `Request`'s body is
 * read from a copy, with the same cap. A request Node's fetch refuses (a stream body without `duplex: "half"`,
 * `cache: "only-if-cached"`, a `window`...: what `new Request` throws) is refused in both runs as fetch refuses it, and
 * is not sent; an answer that does not match the request's `integrity` fails the replayed fetch, as it fails Node's.
 *
 * What is intercepted is `globalThis.fetch`, which both the typed runtime (core's HttpBody) and the legacy runtime's
 * `request` stand-in call when they send; it is replaced for the length of one run (the runs are one after another).
 * A request is the run's whose handler's code sends it (an AsyncLocalStorage the handler runs in, which its timers and
 * promises carry): one the first Action sends after its handler settled, while the second runs, goes through the
 * first run's fetch and is listed as the first's (late), not the second's.
 * The first Action gets each answer as the network gives it; the tape reads a copy (a branch of a tee) of at most
 * `maxRecordedBytes`, and an answer longer than that, or without an end, is not replayed (the second Action's request
 * fails, code `ETOOLARGE`). Requests sent through `node:http` or `node:https` directly (a rule's own
 * `require("https")`, an npm client built on it) are not intercepted: they go out from both runs, and are only
 * noted (`observingNodeHttp`), so that one only one Action sends is still a difference.
 *
 * This module is a `fetch`: it works with promises, as the function it replaces does.
 */
import * as Effect from "effect/Effect"
import { AsyncLocalStorage } from "node:async_hooks"
import { createHash, createHmac, randomBytes } from "node:crypto"
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
  /** The content-type the body goes out with (its header, or the one fetch gives it: a form's, a Blob's, text's). */
  readonly type?: string
  /** How the request treats a redirect (`manual`, `error`), when not fetch's default `follow`. */
  readonly redirect?: string
}

/**
 * An answer's body as it came to the first run: its bytes, how many of them had come by when (milliseconds after the
 * request was sent), when it ended, and, when it failed on the way (the first Action's abort, a connection reset), the
 * error it failed with.
 */
interface Paced {
  readonly body: Uint8Array
  readonly steps: ReadonlyArray<readonly [ms: number, bytes: number]>
  readonly endMs: number
  readonly failed?: { readonly error: unknown }
}

type Answer =
  | Paced & {
    readonly ok: true
    /** The answer's URL and whether it came through a redirect, as fetch's Response has them. */
    readonly url: string
    readonly redirected: boolean
    readonly status: number
    readonly statusText: string
    readonly headers: ReadonlyArray<[string, string]>
  }
  | {
    readonly ok: false
    readonly error: unknown
    /** The first Action gave up on the answer before it came (its own AbortSignal): what it would have been is unknown. */
    readonly gaveUp?: true
  }

/**
 * One request the first run sent through `fetch`, in order: when it was sent and when its answer (or error) came, on
 * one clock (`tick`), so that a request sent only after another was answered is known to depend on it.
 */
interface Logged {
  readonly sent: Sent
  readonly sentAt: number
  settledAt: number
  /** How long the answer (its status and headers) or the error took to come, in milliseconds. */
  tookMs: number
}

/**
 * The first run's requests: their answers by request (each with its place in `log`), and the order they were sent in.
 * Once `closed` (the first Action's handler settled), its first `maxLateRecorded` requests are still recorded (the
 * second Action may send the same one late, to warm a cache its next login reads); later ones go out unrecorded, so
 * that an Action fetching on every turn after it returned cannot fill the tape. `lateRecorded` counts them.
 */
export interface Tape {
  readonly answers: Map<string, Array<{ readonly answer: Promise<Answer>; readonly at: number }>>
  readonly log: Array<Logged>
  readonly sent: Array<Sent>
  closed: boolean
  lateRecorded: number
}

/**
 * How many requests the first Action sends after its handler settled are recorded, for the second's same requests.
 *
 * @category constants
 * @since 0.1.0
 */
export const maxLateRecorded = 100

/**
 * What the second run sent, and each of its requests answered from the tape out of the order the first run had it
 * in relative to a request that changes state (not GET or HEAD), as a sentence.
 */
export interface Replay {
  readonly sent: Array<Sent>
  /** The second Action's handler settled: what it sends from then on is answered but not noted as out of order. */
  closed: boolean
  readonly outOfOrder: Array<string>
  /** Each request the first Action gave up on before its answer came, which the second waited for longer, as a sentence. */
  readonly unanswered: Array<string>
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
  // Anything else fetch sends as its text (`1`, `[object Object]`), so that is what is compared.
  return String(body)
}

// The content-type a request goes out with: its own header, or the one fetch gives its body (a form's, a Blob's type,
// text's), without a multipart boundary (random per request).
const contentType = (headers: Headers, body: unknown): string | undefined => {
  const type = headers.get("content-type") ?? impliedType(body)
  return type === undefined || type === "" ? undefined : type.replace(/;\s*boundary=[^;]*/i, "")
}

const impliedType = (body: unknown): string | undefined =>
  body === undefined || body === null || body instanceof ArrayBuffer || ArrayBuffer.isView(body) || isStream(body)
    ? undefined
    : body instanceof URLSearchParams
    ? "application/x-www-form-urlencoded;charset=UTF-8"
    : body instanceof Blob
    ? body.type
    : body instanceof FormData
    ? "multipart/form-data"
    : "text/plain;charset=UTF-8"

// Headers that differ on every request by nature (tracing ids): left out of the digest.
const perRequest: ReadonlySet<string> = new Set(["traceparent", "tracestate", "b3", "x-b3-traceid", "x-b3-spanid"])

const digestKey = randomBytes(32)

/**
 * A text as a keyed digest (HMAC-SHA256 under a key of this process, 16 hex digits): equal texts give equal digests
 * within one diff, and what the text holds (an API key, a bearer token) is never shown.
 */
export const digest = (text: string | Uint8Array): string =>
  createHmac("sha256", digestKey).update(text).digest("hex").slice(0, 16)

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

// A binary body (a Blob's, a file's, a Request's) as compared: its text when its bytes are UTF-8 (a BOM kept), else
// `<bytes n digest>`, a keyed digest of the bytes themselves: two bodies that differ only in bytes that are not UTF-8
// must not read as one lossy text (each invalid sequence a U+FFFD) and match one recorded answer.
const bytesText = (bytes: Uint8Array): string => {
  try {
    return utf8.decode(bytes)
  } catch {
    return `<bytes ${bytes.byteLength} ${digest(bytes)}>`
  }
}

const blobText = (blob: Blob): Promise<string> => blob.bytes().then(bytesText)

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
      [name, typeof value === "string" ? value : `<File ${value.name} ${value.type}> ${await blobText(value)}`] as const
    )
  )
  return `<FormData> ${JSON.stringify(fields)}`
}

// A Request's body is read from `copy` (asFetchBuildsIt's, built of a clone of it) up to `maxRecordedBytes`, as a
// stream body given in `init` is: past that it is not compared (the request itself still goes out whole).
const requestText = async (request: Request, copy: Request): Promise<string> => {
  const type = request.headers.get("content-type") ?? ""
  const bytes = await readCapped(copy.body).catch(() => null)
  if (bytes === null) return "<Request body>"
  if (bytes === undefined) return notCompared()
  if (!type.startsWith("multipart/form-data")) return bytesText(bytes)
  return new Response(bytes, { headers: { "content-type": type } }).formData().then(formText).catch(() =>
    "<Request body>"
  )
}

// The body of a stream over maxRecordedBytes, as compared: marked with a value of this request only, so that it can
// never match (and be "the same" as) another.
const notCompared = (): string =>
  `<stream body over ${maxRecordedBytes} bytes, not compared ${randomBytes(8).toString("hex")}>`

// A request's URL as fetch sends it: `HTTP://h` and `new URL("http://h/")` are one URL.
const urlOf = (input: Parameters<Fetch>[0]): string => {
  const written = input instanceof Request ? input.url : input instanceof URL ? input.href : String(input)
  return URL.canParse(written) ? new URL(written).href : written
}

// Each run's requests whose body is still being read (a Blob, a stream, a form), by the run's `sent`: see `described`.
const describing = new WeakMap<ReadonlyArray<Sent>, Set<Promise<unknown>>>()

// Puts a request on `sent` the moment fetch is called, as it goes out then, with its method and URL, and fills in the
// rest (its body, headers, type) once `describe` has read it: a request whose body is read after the handler settled
// (a Blob is read asynchronously) was still sent before, and is compared, not counted late.
const listed = async (
  sent: Array<Sent>,
  input: Parameters<Fetch>[0],
  init: Parameters<Fetch>[1],
  built: Request
): Promise<{ readonly sent: Sent; readonly init: Parameters<Fetch>[1] }> => {
  const slot: Sent = { method: built.method, url: urlOf(input), body: "" }
  sent.push(slot)
  const reading = describe(input, init, built)
  const pending = describing.get(sent) ?? new Set()
  describing.set(sent, pending.add(reading))
  try {
    const described = await reading
    return { sent: Object.assign(slot, described.sent), init: described.init }
  } catch (error) {
    // fetch fails as well (a stream body that errors): what it would have sent is not known.
    Object.assign(slot, { body: "<body could not be read>" })
    throw error
  } finally {
    pending.delete(reading)
  }
}

/**
 * Waits until the requests a run put on `sent` are described (their bodies read), for at most `waitMs`: what the run
 * sent is complete once this resolves, unless a body took longer to read (its request then shows without it).
 *
 * @category constructors
 * @since 0.1.0
 */
export const described = (sent: ReadonlyArray<Sent>, waitMs: number): Promise<void> => {
  const pending = describing.get(sent)
  if (pending === undefined || pending.size === 0) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, waitMs)
    void Promise.allSettled(pending).then(() => {
      clearTimeout(timer)
      resolve()
    })
  })
}

// The request as sent (`init` with a stream body read into bytes) and what is compared of it: its method and redirect
// mode as `built` (the Request fetch builds of `input` and `init`) has them, its body `init`'s unless that is absent or
// null (then the Request's own, as fetch sends it: `fetch(request, { body: null })` sends the request's body).
const describe = async (
  input: Parameters<Fetch>[0],
  given: Parameters<Fetch>[1],
  built: Request
): Promise<{ readonly sent: Sent; readonly init: Parameters<Fetch>[1] }> => {
  const { init, over } = await buffered(given)
  const request = input instanceof Request ? input : undefined
  const url = urlOf(input)
  const body = over
    ? notCompared()
    : init?.body != null
    ? init.body instanceof Blob
      ? await blobText(init.body)
      : init.body instanceof FormData
      ? await formText(init.body)
      : bodyText(init.body)
    : request?.body != null
    ? await requestText(request, built)
    : ""
  const headerList = new Headers(init?.headers ?? request?.headers)
  const headers = headersDigest(headerList)
  const type = init?.body != null ? contentType(headerList, init.body) : request?.body != null
    ? contentType(headerList, undefined)
    : undefined
  const redirect = built.redirect
  const sent = {
    method: built.method,
    url,
    body,
    ...(headers === undefined ? {} : { headers }),
    ...(type === undefined ? {} : { type }),
    ...(redirect === "follow" ? {} : { redirect })
  }
  return { sent, init }
}

const keyOf = (sent: Sent): string =>
  JSON.stringify([sent.method, sent.url, sent.body, sent.headers ?? "", sent.type ?? "", sent.redirect ?? "follow"])

const nullBody = new Set([101, 204, 205, 304])

// A Response made here with the URL it came from and whether it came through a redirect, which its constructor cannot
// set (its clones too), so an Action that reads `response.url` or `response.redirected` sees what fetch gave.
const withOrigin = (response: Response, url: string, redirected: boolean): Response => {
  const clone = response.clone.bind(response)
  return Object.defineProperties(response, {
    url: { value: url },
    redirected: { value: redirected },
    clone: { value: () => withOrigin(clone(), url, redirected) }
  })
}

type Recorded = Extract<Answer, { readonly ok: true }>

const toResponse = (answer: Recorded, body: ReadableStream<Uint8Array> | null): Response =>
  withOrigin(
    new Response(body, {
      status: answer.status,
      statusText: answer.statusText,
      headers: answer.headers as Array<[string, string]>
    }),
    answer.url,
    answer.redirected
  )

type Signal = AbortSignal | null | undefined

// The signal fetch follows: init's replaces the Request's, and a null one takes it away, as in the Request fetch builds
// (whose own signal follows the given one only while that Request is alive: not relied on).
const signalOf = (input: Parameters<Fetch>[0], init: Parameters<Fetch>[1]): Signal =>
  init?.signal !== undefined ? init.signal : input instanceof Request ? input.signal : undefined

const gaveUp = { gaveUp: true } as const

// How long a replayed request the first Action gave up on waits past that time for the second's own signal to fire
// (the same timeout fires a little later in the second run, and later still on a loaded machine: a second, not 100 ms,
// so that two identical Actions never differ by it), before its answer is taken as unknown.
const gaveUpGraceMs = 1000

const aborted = (signal: Signal): unknown =>
  signal?.aborted === true ? signal.reason ?? new DOMException("This operation was aborted", "AbortError") : undefined

// `promise`, or, when `signal` aborts first, its reason (as fetch rejects): a recorded answer still pending does not
// hold up a request its own signal gave up on.
const unlessAborted = <T>(promise: Promise<T>, signal: Signal): Promise<T> =>
  signal == null ? promise : new Promise((resolve, reject) => {
    const early = aborted(signal)
    if (early !== undefined) return reject(early)
    const onAbort = () => reject(aborted(signal))
    signal.addEventListener("abort", onAbort, { once: true })
    const done = () => signal.removeEventListener("abort", onAbort)
    promise.then((value) => (done(), resolve(value)), (error: unknown) => (done(), reject(error)))
  })

// Resolves after `ms` (at once when not above 0), or rejects when `signal` aborts first, with its reason as fetch does.
// The timer does not keep the process alive.
const delayed = (ms: number, signal: Signal): Promise<void> =>
  new Promise((resolve, reject) => {
    const early = aborted(signal)
    if (early !== undefined) return reject(early)
    if (!(ms > 0)) return resolve()
    const onAbort = () => {
      clearTimeout(timer)
      reject(aborted(signal))
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort)
      resolve()
    }, ms)
    timer.unref()
    signal?.addEventListener("abort", onAbort, { once: true })
  })

/** The most bytes of one answer the tape holds; a longer one (or one without an end) is not replayed. */
export const maxRecordedBytes = 16 * 1024 * 1024

// Parts of a body that came within this many milliseconds of each other are replayed as one.
const paceStepMs = 2

// Reads an answer's body (a copy) as it comes, noting when its parts came, up to `maxRecordedBytes`; past that, stops
// reading it and gives undefined. A body that fails on the way is what came, and the error.
const readPaced = (body: ReadableStream<Uint8Array> | null, started: number): Promise<Paced | undefined> => {
  const chunks: Array<Uint8Array> = []
  const steps: Array<[number, number]> = []
  let size = 0
  const ended = (failed?: Paced["failed"]): Paced => ({
    body: Buffer.concat(chunks),
    steps,
    endMs: performance.now() - started,
    ...(failed === undefined ? {} : { failed })
  })
  if (body === null) return Promise.resolve(ended())
  const reader = body.getReader()
  const next = (): Promise<Paced | undefined> =>
    reader.read().then(({ done, value }) => {
      if (done) return ended()
      size += value.byteLength
      if (size > maxRecordedBytes) return reader.cancel().then(() => undefined)
      chunks.push(value)
      const ms = performance.now() - started
      const last = steps.at(-1)
      if (last !== undefined && ms - last[0] < paceStepMs) last[1] = size
      else steps.push([ms, size])
      return next()
    }, (error: unknown) => ended({ error }))
  return next()
}

// The recorded body as the second Action reads it: each part as long after its request (sent at `since`) as it came to
// the first run, within the run's time limit, and its end (or its failure) when it came. An abort of `signal` before
// the body ended errors it with the signal's reason, as Node's fetch errors a body still being read; after, it changes
// nothing. Nothing is read ahead of the Action (a part is given when the Action reads).
const pacedBody = (
  answer: Paced,
  since: number,
  limitMs: number,
  signal: Signal
): ReadableStream<Uint8Array> => {
  let step = 0
  let stop: (() => void) | undefined
  const wait = (ms: number) => delayed(Math.min(ms, limitMs) - (performance.now() - since), signal)
  return new ReadableStream<Uint8Array>({
    start: (controller) => {
      const onAbort = () => controller.error(aborted(signal))
      if (signal?.aborted === true) return onAbort()
      signal?.addEventListener("abort", onAbort, { once: true })
      stop = () => signal?.removeEventListener("abort", onAbort)
    },
    pull: (controller) => {
      const next = answer.steps[step]
      if (next === undefined) {
        return wait(answer.endMs).then(() => {
          stop?.()
          return answer.failed === undefined ? controller.close() : controller.error(answer.failed.error)
        })
      }
      return wait(next[0]).then(() => {
        controller.enqueue(answer.body.slice(answer.steps[step - 1]?.[1] ?? 0, next[1]))
        step++
      })
    },
    cancel: () => stop?.()
  }, { highWaterMark: 0 })
}

// The hash algorithms of subresource integrity, weakest first.
const integrityAlgorithms = ["sha256", "sha384", "sha512"]

// Whether `body` matches a request's `integrity` as Node's fetch checks it: metadata naming no known algorithm
// matches any body; otherwise one hash of the strongest algorithm named must be the body's.
const matchesIntegrity = (integrity: string, body: Uint8Array): boolean => {
  const hashes = integrity.split(/\s+/).flatMap((token) => {
    const match = /^(sha256|sha384|sha512)-([A-Za-z0-9+/_-]+)={0,2}(?:\?.*)?$/i.exec(token)
    return match === null ? [] : [{ algorithm: match[1]!.toLowerCase(), hash: match[2]! }]
  })
  if (hashes.length === 0) return true
  const strongest = integrityAlgorithms[Math.max(...hashes.map((h) => integrityAlgorithms.indexOf(h.algorithm)))]!
  const actual = createHash(strongest).update(body).digest("base64").replace(/=+$/, "")
  return hashes.some((h) => h.algorithm === strongest && h.hash.replace(/-/g, "+").replace(/_/g, "/") === actual)
}

const integrityMismatch = (): Error => new TypeError("fetch failed", { cause: new Error("integrity mismatch") })

/**
 * The request as Node's fetch builds it (`new Request(input, init)`): it throws the TypeError that fetch rejects with
 * for a request it refuses (a stream body without `duplex: "half"`, `cache: "only-if-cached"`, a `window`, a body on a
 * GET, credentials in the URL, a Request whose body was used). A Request's body is built from a copy, so the request
 * itself still goes out: `describe` reads what is compared of it from that copy (its only reader, which the tee behind
 * it waits for).
 */
const asFetchBuildsIt = (input: Parameters<Fetch>[0], init: Parameters<Fetch>[1]): Request => {
  if (!(input instanceof Request) || input.body === null || input.bodyUsed || init?.body != null) {
    return new Request(input, init)
  }
  const copy = input.clone()
  try {
    return new Request(copy, init)
  } catch (error) {
    // Refused: nothing reads the copy's body, cancelled so that the tee behind it does not keep what the request sends.
    void copy.body?.cancel().catch(() => {})
    throw error
  }
}

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

/**
 * A fetch that sends with `real` and records each answer (or error) on `tape`. A request Node's fetch refuses is
 * refused as it would be (the stream body it would not send is not read, and not sent another way).
 */
export const recording = (real: Fetch, tape: Tape): Fetch => async (input, init) => {
  const late = tape.closed
  const { sent, init: sending } = await listed(tape.sent, input, init, asFetchBuildsIt(input, init))
  if (late && tape.lateRecorded++ >= maxLateRecorded) return real(input, sending)
  const started = performance.now()
  // The Action gets the answer as the network gives it (its body one branch of a tee); the tape reads the other
  // branch as it comes (when each part came), up to maxRecordedBytes, so a huge or endless answer neither holds the
  // Action up nor fills memory.
  const teed = real(input, sending).then((response) => {
    const [recorded, returned] = response.body === null ? [null, null] : response.body.tee()
    return { response, recorded, returned }
  })
  const answer: Promise<Answer> = teed.then(
    ({ recorded, response }) => {
      const { redirected, status, statusText, url } = response
      const headers = [...response.headers]
      return readPaced(recorded, started).then((paced): Answer =>
        paced === undefined
          ? { ok: false, error: tooLarge(sent) }
          : { ok: true, url, redirected, status, statusText, headers, ...paced }
      )
    },
    (error: unknown): Answer => ({ ok: false, error, ...(aborted(signalOf(input, init)) === undefined ? {} : gaveUp) })
  )
  const logged: Logged = { sent, sentAt: tick(), settledAt: Infinity, tookMs: 0 }
  const settled = () => {
    logged.settledAt = tick()
    logged.tookMs = performance.now() - started
  }
  void teed.then(settled, settled)
  const key = keyOf(sent)
  tape.answers.set(key, [...(tape.answers.get(key) ?? []), { answer, at: tape.log.push(logged) - 1 }])
  return teed.then(({ response, returned }) =>
    withOrigin(
      new Response(nullBody.has(response.status) ? null : returned, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers
      }),
      response.url,
      response.redirected
    )
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
 * out of its recorded order relative to a state-changing request is noted in `replay.outOfOrder`. A request Node's
 * fetch refuses is refused, and an answer that does not match the request's `integrity` fails as Node's fetch fails it.
 */
export const replaying = (real: Fetch, tape: Tape, replay: Replay, live: boolean, limitMs = Infinity): Fetch => {
  const used = new Map<string, number>()
  const answered = new Map<number, number>()
  return async (input, init) => {
    const built = asFetchBuildsIt(input, init)
    const { integrity } = built
    const late = replay.closed
    const { sent, init: sending } = await listed(replay.sent, input, init, built)
    const key = keyOf(sent)
    const answers = tape.answers.get(key)
    if (answers === undefined || answers.length === 0) {
      return live ? real(input, sending) : Promise.reject(notRecorded(sent))
    }
    const index = used.get(key) ?? 0
    used.set(key, index + 1)
    const started = performance.now()
    const signal = signalOf(input, init)
    const early = aborted(signal)
    if (early !== undefined) return Promise.reject(early)
    const recorded = answers[Math.min(index, answers.length - 1)]!
    if (index < answers.length) {
      const problem = orderProblem(tape.log, recorded.at, answered, tick())
      if (problem !== undefined && !late) replay.outOfOrder.push(problem)
      answered.set(recorded.at, Infinity)
    }
    // The answer comes as late as it came to the first run (within the run's time limit), and an abort before then
    // (a timeout the second Action gives the request) rejects the fetch, as it would have on the network, also while
    // the first run's answer is still to come.
    const answer = await unlessAborted(recorded.answer, signal)
    const wait = (ms: number) => delayed(Math.min(ms, limitMs) - (performance.now() - started), signal)
    await wait(tape.log[recorded.at]!.tookMs)
    answered.set(recorded.at, tick())
    if (!answer.ok && answer.gaveUp === true) {
      // The first Action gave up on it; unless the second gives up as soon, what it would get is not known.
      await delayed(gaveUpGraceMs, signal)
      if (!late) {
        replay.unanswered.push(
          `${show(sent)}: the first Action gave up on its answer, which the second waited for longer (not recorded)`
        )
      }
      throw notRecorded(sent)
    }
    if (!answer.ok) throw answer.error
    // With `integrity`, fetch checks the whole body before it answers.
    if (integrity !== "") {
      await wait(answer.endMs)
      if (answer.failed !== undefined) throw answer.failed.error
      if (!matchesIntegrity(integrity, answer.body)) throw integrityMismatch()
    }
    return toResponse(answer, nullBody.has(answer.status) ? null : pacedBody(answer, started, limitMs, signal))
  }
}

/** The body `requests.*` shows for a request sent through `node:http`/`node:https`, which is not recorded. */
export const nodeHttpBody = "<node:http, sent live>"

const nodeHttpStart = "http.client.request.start"

/**
 * Runs `effect` noting each request sent through `node:http` or `node:https` in `sent` (with `nodeHttpBody`): such
 * requests are not intercepted, they go out from both runs, but a request only one Action sends is still seen. One
 * that code of an earlier run sends (`withFetch`'s `own`) goes in that run's list.
 */
export const observingNodeHttp = <A, E, R>(
  sent: Array<Sent>,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => {
  const onStart = (message: unknown) => {
    const request = (message as { readonly request: ClientRequest }).request
    const host = request.getHeader("host")
    // A request an earlier run's code sends (after its handler settled) is that run's.
    const into = ownRun()?.sent ?? sent
    into.push({
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
export const makeTape = (): Tape => ({ answers: new Map(), log: [], sent: [], closed: false, lateRecorded: 0 })

/** One run's fetch, the list of what it sent, and of the connections of its own it opened (sockets.ts). */
export interface Run {
  readonly fetch: Fetch
  readonly sent: Array<Sent>
  readonly opened: Array<string>
}

// The run whose handler's code is running: what the handler started carries it (its timers, its promises), so that
// a request an Action sends after its handler settled (a retry on a timer), while the next run is in progress, goes
// through its own run's fetch and list.
const owner = new AsyncLocalStorage<Run>()

/**
 * An Action's module: what its top-level code started when it loaded (a timer flushing a queue, an SDK's client) is
 * its code too, outside any run; a request it sends is its latest run's (late, when that run settled), never the
 * run in progress of the other Action.
 */
export interface Module {
  latest: Run | undefined
}

/** A module that has not run yet. */
export const makeModule = (): Module => ({ latest: undefined })

// The module whose top-level code is running, carried by what it started as it loaded.
const loadedBy = new AsyncLocalStorage<Module>()

/** Calls `f` (the loading of an Action's module) as `module`'s code (see Module). */
export const asModule = <T>(module: Module, f: () => T): T => loadedBy.run(module, f)

/**
 * The run whose code is running: a handler's (what it started carries it), else the latest run of the module whose
 * top-level code it is; undefined outside any run's code.
 */
export const ownRun = (): Run | undefined => owner.getStore() ?? loadedBy.getStore()?.latest

// The fetch of the run whose code sends (ownRun), else `otherwise`'s.
const dispatching = (otherwise: () => Fetch): Fetch => (input, init) => (ownRun()?.fetch ?? otherwise())(input, init)

/**
 * The tag of the run whose code is running (what the handler started carries it: its timers, sockets, promises; and
 * what its module's top-level code started, as its latest run's), the list `withFetch` was given; undefined outside
 * any run's code. The guard gives a crash to the run whose code it came from by it.
 */
export const runTag = (): object | undefined => ownRun()?.sent

// The fetch installed by `routing`: one function that sends through the fetch of the run whose code sends, else what
// the run in progress set (`current`), or, between runs, the real fetch.
interface Routed {
  readonly real: Fetch
  readonly fetch: Fetch
  current: Fetch | undefined
}

let routed: Routed | undefined

/**
 * Runs `effect` (the loading of the Actions and their runs) with `globalThis.fetch` replaced by one function that
 * sends through the fetch of the run in progress (`withFetch`): a module that keeps `globalThis.fetch` when it loads
 * (`const send = globalThis.fetch`, an SDK client built at the top) sends through the recording and the replay too.
 * The previous fetch is put back after.
 */
export const routing = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const previous = routed
      const real = globalThis.fetch
      const route: Routed = { real, current: undefined, fetch: dispatching(() => route.current ?? real) }
      routed = route
      globalThis.fetch = route.fetch
      return { previous, real }
    }),
    () => effect,
    ({ previous, real }) =>
      Effect.sync(() => {
        routed = previous
        globalThis.fetch = real
      })
  )

/**
 * Runs `use` with fetch replaced by `fetch`: inside `routing`, what its function sends through (and
 * `globalThis.fetch` is that function again, in case the previous run replaced it); else `globalThis.fetch` itself.
 * The previous one is put back after. `use` gets `own`, which calls a function (the handler) as this run's code:
 * what it sends, then or after the run (on a timer), goes through this run's fetch, and is listed in `sent`. The run
 * is `module`'s latest from now on: what the module's top-level code sends is this run's too. `opened` is where the
 * connections of its own the run's code opens are listed (sockets.ts, by `ownRun`).
 */
export const withFetch = <A, E, R>(
  fetch: (real: Fetch) => Fetch,
  sent: Array<Sent>,
  use: (own: <T>(f: () => T) => T) => Effect.Effect<A, E, R>,
  module: Module = makeModule(),
  opened: Array<string> = []
): Effect.Effect<A, E, R> =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const route = routed
      if (route === undefined) {
        const real = globalThis.fetch
        const run: Run = module.latest = { fetch: fetch(real), sent, opened }
        globalThis.fetch = dispatching(() => run.fetch)
        return { run, restore: () => void (globalThis.fetch = real) }
      }
      const previous = route.current
      const run: Run = module.latest = { fetch: fetch(route.real), sent, opened }
      route.current = run.fetch
      globalThis.fetch = route.fetch
      return { run, restore: () => void (route.current = previous) }
    }),
    ({ run }) => use((f) => owner.run(run, f)),
    ({ restore }) => Effect.sync(restore)
  )
