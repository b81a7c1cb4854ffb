/**
 * The api calls an Action makes after its handler settled, counted instead of kept. Auth0 does not apply them, so diff
 * only lists them (the first few, then how many more); an Action calling the api on every turn of the event loop
 * after it returned (a loop on setImmediate) would otherwise keep every call and its arguments, hundreds of megabytes a
 * minute, while the other Action runs. Once `settle` is called, what the recording api pushes onto its `calls` is
 * counted and dropped: the snapshot of what Auth0 applies was taken by then (Settled.whenSettled).
 */
import type * as RecordingApi from "@rulefx/testing/RecordingApi"

/** What an Action called late: the methods of its first `listed` late calls, in order, and how many there were. */
export interface Late {
  readonly listed: ReadonlyArray<string>
  readonly count: number
}

/** A counter over a recording api's `calls`: `settle` stops them growing, `late` reads what came after. */
export const counting = (calls: ReadonlyArray<RecordingApi.Call>, listed: number): {
  readonly settle: () => void
  readonly late: () => Late
} => {
  const methods: Array<string> = []
  let count = 0
  const counted = (...late: Array<RecordingApi.Call>): number => {
    for (const call of late) {
      count++
      if (methods.length < listed) methods.push(call.method)
    }
    return calls.length
  }
  return {
    // An own `push` on this one array: the recording api's (and GenericApi's) pushes are counted from now on.
    settle: () => Object.defineProperty(calls, "push", { value: counted, configurable: true, writable: true }),
    late: () => ({ listed: methods, count })
  }
}
