/**
 * A watched global fetch, for suites that check rulefx aborts every request it gives up on (so the connection can
 * be let go of): each call records its URL, when it started and when its signal aborted.
 */

/** One call of the global fetch. */
export interface FetchCall {
  readonly url: string
  readonly startedAt: number
  abortedAt: number | undefined
}

/** A fetch that records its calls into `calls`, and the real fetch to restore afterwards. */
export const make = () => {
  const calls: Array<FetchCall> = []
  const realFetch = globalThis.fetch
  const watchingFetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const call: FetchCall = {
      url: input instanceof Request ? input.url : String(input),
      startedAt: performance.now(),
      abortedAt: undefined
    }
    calls.push(call)
    const signal = init?.signal
    if (signal?.aborted === true) call.abortedAt = call.startedAt
    signal?.addEventListener("abort", () => {
      call.abortedAt = performance.now()
    }, { once: true })
    return realFetch(input, init)
  }
  return { calls, realFetch, watchingFetch }
}
