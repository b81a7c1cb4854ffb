/**
 * A value an Action sets in Auth0's cache, as `rulefx diff` and `rulefx run` show it: typically a bearer token the
 * Action keeps between logins, so it is shown as a keyed digest (HttpTape.digest, as the requests' headers), never
 * itself: a changed value still shows as a change. What is compared is the value as it was set.
 */
import type * as RecordingApi from "@rulefx/testing/RecordingApi"
import { inspect } from "node:util"
import { digest } from "./httpTape.ts"

// Deep-equal values (compared with isDeepStrictEqual) print alike, and a string apart from a number: every level,
// keys in order, strings quoted.
const inspectAll = { depth: Infinity, sorted: true, maxArrayLength: Infinity, maxStringLength: Infinity } as const

/** A cached value's keyed digest: equal values give equal digests within one process. */
export const digestOf = (value: unknown): string => digest(inspect(value, inspectAll))

/** A cached value as printed among other values: its digest, labelled. */
export const shown = (value: unknown): string => `<digest ${digestOf(value)}>`

/** Calls with each value set in Auth0's cache (`cache.set`) as `shown`; the rest as they were made. */
export const digested = (calls: ReadonlyArray<RecordingApi.Call>): ReadonlyArray<RecordingApi.Call> =>
  calls.map((call) =>
    call.method === "cache.set" && call.args.length > 1
      ? { ...call, args: call.args.map((arg, i) => i === 1 ? shown(arg) : arg) }
      : call
  )
