/**
 * What an Action does after its handler settled (api calls, requests, connections of its own), counted instead of
 * kept. Auth0 does not apply a late api call, and a late request cannot change the decision, so diff only lists them
 * (the first few, then how many more); an Action calling the api or fetching on every turn of the event loop after it
 * returned (a loop on setImmediate) would otherwise keep every call and request, hundreds of megabytes a minute,
 * while the other Action runs. Once `settle` is called, what is pushed onto the array is counted and dropped: the
 * snapshot of what Auth0 applies, and the requests sent by then, were taken (Settled.whenSettled, Diff's runSide).
 */

/**
 * How many of a run's items a list of them shows (its late api calls, requests and connections, the datagram targets
 * it sent to): an Action doing one on every turn of the event loop would otherwise make a list without end.
 */
export const listed = 20

/** What stands after a list for the `n` items it leaves out. */
export const more = (n: number): string => `and ${n} more`

/** What an Action did late: its first `listed` late items, each as its label, in order, and how many there were. */
export interface Late {
  readonly listed: ReadonlyArray<string>
  readonly count: number
}

/** A counter over an array the run pushes onto: `settle` stops it growing, `late` reads what came after. */
export const counting = <A>(items: ReadonlyArray<A>, listed: number, label: (item: A) => string): {
  readonly settle: () => void
  readonly late: () => Late
} => {
  const labels: Array<string> = []
  let count = 0
  const counted = (...late: Array<A>): number => {
    for (const item of late) {
      count++
      if (labels.length < listed) labels.push(label(item))
    }
    return items.length
  }
  return {
    // An own `push` on this one array: every push onto it (the recording api's, GenericApi's, the tape's, the
    // observers') is counted from now on.
    settle: () => Object.defineProperty(items, "push", { value: counted, configurable: true, writable: true }),
    late: () => ({ listed: labels, count })
  }
}
