/**
 * HttpBody: an HTTP request through the platform's fetch whose response body is read as a stream, up to a byte cap.
 *
 * `response.text()` reads a body whole before anyone can look at its size, so one dependency answering gigabytes
 * ends the process. Here the body is read chunk by chunk and counted; at the cap, or when the caller's signal aborts
 * (a timeout, an interrupted fiber), the stream is cancelled AND the request aborted. Both, because in Node 22 a
 * fetch made with `redirect: "error"` loses its abort once its Request object is garbage collected, and goes on
 * reading (nodejs/undici#4627, fixed in undici 7.19; measured here: a 600 MB body read to its end, 1.3 GB of memory,
 * after an abort at 300 ms); cancelling the stream ends a pending read and closes the connection whatever fetch does.
 * A Content-Length over the cap is refused before any byte is read, but never trusted alone: chunked bodies have
 * none, and a server may lie. An optional time limit covers the request and the body together, with one timer.
 *
 * Promise-based (async/await and try/finally, like the adapter's entry) and importing nothing, on purpose: it is an
 * edge between the platform's fetch and rulefx, for Effect services (SellerApi wraps it in `Effect.callback`, whose
 * signal aborts on interruption) and for promise code such as the legacy `request` shim, which must stay free of
 * `effect`. It goes into every Action that makes a request, so it is kept tiny (about 0.7 kB minified).
 *
 * @since 0.1.0
 */

/**
 * A response and its body, as bytes (decode text with a TextDecoder: no Blob and no second stream). `body` is undefined when the body was over the cap (by its Content-Length or by the bytes
 * that came): the status and headers are still there (a huge 404 is still a 404), and the rest of the body was
 * never read. The response's own body stream is used up either way.
 *
 * @category models
 * @since 0.1.0
 */
export interface Answer {
  readonly response: Response
  readonly body?: Uint8Array
}

/**
 * Sends a request with the global fetch (looked up at each call) and reads the body, at most `maxBytes` of it.
 * Rejects with the signal's reason when `init.signal` aborts (before the answer or while the body is read), with a
 * TimeoutError (see `isTimeout`) when `timeoutMillis` is given and passes first, and with fetch's own error otherwise.
 * Whatever the outcome, nothing of the request is left running: a body not read to its end is cancelled and the
 * request aborted, and the timer and the listener on `init.signal` are removed.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fetch = async (
  input: string | URL,
  init: RequestInit,
  maxBytes: number,
  timeoutMillis?: number
): Promise<Answer> => {
  const controller = new AbortController()
  const signal = controller.signal
  const outer = init.signal
  let reader: ReadableStreamDefaultReader<Uint8Array<ArrayBuffer>> | undefined
  const stop = (reason?: unknown) => {
    controller.abort(reason)
    // Cancelling an errored stream rejects: nothing to do about it, and it must not be an unhandled rejection.
    reader?.cancel(reason).catch(() => {})
  }
  const onAbort = () => stop(outer!.reason)
  outer?.addEventListener("abort", onAbort)
  // One timer for the request and the body together: the caller's time limit needs no timer or fiber of its own.
  const timer = timeoutMillis === undefined
    ? undefined
    : setTimeout(() => stop(new DOMException("timed out", "TimeoutError")), timeoutMillis)
  try {
    outer?.throwIfAborted()
    const response = await globalThis.fetch(input, { ...init, signal })
    const chunks: Array<Uint8Array<ArrayBuffer>> = []
    // A compressed body is counted once decoded: only a plain body's Content-Length is its size (`+null` is 0).
    let size = response.headers.has("content-encoding") ? 0 : +response.headers.get("content-length")! || 0
    let read = 0
    // No body (HEAD, 204): an empty one.
    reader = (response.body ?? new Blob().stream()).getReader()
    while (size <= maxBytes) {
      // oxlint-disable-next-line no-await-in-loop -- a stream is read one chunk after another
      const { done, value } = await reader.read()
      // An abort (the caller's or the timer's) ends a pending read as if the body were done: it must not pass for the
      // whole body.
      signal.throwIfAborted()
      if (done) return { response, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, read) }
      chunks.push(value)
      size = read += value.length
    }
    stop()
    return { response }
  } catch (error) {
    stop(error)
    throw error
  } finally {
    clearTimeout(timer)
    outer?.removeEventListener("abort", onAbort)
  }
}

/**
 * Whether an error is a TimeoutError: what `fetch` rejects with when its `timeoutMillis` passes (the same DOMException
 * as `AbortSignal.timeout`'s, so a caller's own timeout signal counts too).
 *
 * @category guards
 * @since 0.1.0
 */
export const isTimeout = (error: unknown): boolean => error instanceof DOMException && error.name === "TimeoutError"
