/**
 * What a handler did by the time it settled. Auth0 applies the api calls a handler made before its promise settled;
 * a call made later (on a timer, from an un-awaited promise) is not applied, and neither is a later change to an object
 * the handler passed to the api (a claim's object it mutates afterwards). `whenSettled` calls the handler and, the
 * moment it settles (or throws, or the run is stopped), keeps a copy of the calls recorded so far.
 *
 * The copy reads each argument as Auth0 serialises it (a claim goes into the token as JSON.stringify writes it), then,
 * not later: an object's `toJSON` is called, its own enumerable string keys are read through [[Get]] (a getter is
 * evaluated, a Proxy answers through its `get` trap), a key whose value JSON leaves out (undefined, a function, a
 * symbol) is left out, and an array's such item is null; objects become plain objects (their prototype, symbol and
 * non-enumerable keys are not in the token). As JSON does, `toJSON` is called once (not on what it gave), a boxed
 * primitive is unwrapped (a String object through its own `toString`), a number that is not finite is null, and a
 * Map or Set is its own enumerable properties (`{}`, not its entries). Shared and cyclic references are kept as they
 * were (JSON would throw on a cycle). Nothing is kept by
 * reference (but functions and primitives): an argument nested deeper than `Depth.maxDepth` (what comparing and printing
 * it may walk), or holding more once `maxNodes`
 * values were copied in the snapshot, is a marker saying so (`tooDeep`, `tooBig`), and a value that cannot be read (a revoked
 * Proxy, a trap, getter or `toJSON` that throws) is one of its own (`unreadable`); each never equals another value.
 *
 * This module works with promises: it wraps the handler's own.
 */
import type * as RecordingApi from "@rulefx/testing/RecordingApi"
import { randomBytes } from "node:crypto"
import { types } from "node:util"
import * as Depth from "./diff/depth.ts"

// Values copied in one snapshot (each object, and each item or property value in one); an argument that holds more
// once they are spent is `tooBig`.
const maxNodes = 100_000

// A marker with a random part, so that it never equals another (two such claims are not "the same"), and carries
// nothing the value held.
const marker = (what: string): string => `<${what}, not compared ${randomBytes(8).toString("hex")}>`

/** What a value that cannot be read is copied as. */
export const unreadable = (): string => marker("unreadable value")

/** What an argument nested deeper than `Depth.maxDepth` is copied as. */
export const tooDeep = (): string => marker(`nested deeper than ${Depth.maxDepth} levels`)

// What an argument holding objects past the snapshot's `maxNodes` is copied as.
const tooBig = (): string => marker(`too big to copy: more than ${maxNodes.toLocaleString("en")} values`)

// Thrown from inside a copy that went past a bound: its whole argument is then the marker.
class Cut {
  readonly marker: () => string
  constructor(marker: () => string) {
    this.marker = marker
  }
}

// What JSON leaves out of an object, and writes as null in an array.
const unwritten = (value: unknown): boolean =>
  value === undefined || typeof value === "function" || typeof value === "symbol"

// The value JSON.stringify writes in place of `value` (under `key`): what its `toJSON` gives, if it has one.
const serialised = (value: object, key: string): unknown => {
  const toJSON = (value as { readonly toJSON?: unknown }).toJSON
  return typeof toJSON === "function" ? toJSON.call(value, key) : value
}

// Counts `values` against the snapshot's budget as they are copied (an array's `length` may say a trillion); past it,
// the argument being copied is `tooBig`, and so is every later one that holds an object.
const spend = (state: Copying, values: number): void => {
  state.budget.nodes -= values
  if (state.budget.nodes < 0) throw new Cut(tooBig)
}

interface Copying {
  readonly seen: Map<object, unknown>
  readonly budget: { nodes: number }
}

// A copy of `value` (an argument, or what it holds) at `depth`, read as JSON.stringify reads it.
const copy = (state: Copying, value: unknown, key: string, depth: number): unknown => {
  try {
    return copyValue(state, value, key, depth)
  } catch (error) {
    if (error instanceof Cut) throw error
    return unreadable()
  }
}

const copyValue = (state: Copying, value: unknown, key: string, depth: number): unknown => {
  if (typeof value !== "object" || value === null) return written(value)
  const known = state.seen.get(value)
  if (known !== undefined) return known
  if (depth >= Depth.maxDepth) throw new Cut(tooDeep)
  spend(state, 1)
  // JSON calls `toJSON` once: what it gives is written as it is (a Date it gives is an object, `{}`), though what
  // that holds has its own `toJSON` called in turn.
  return copyWritten(state, serialised(value, key), depth)
}

// A number as JSON writes it: one that is not finite is null, and -0 is 0.
const written = (value: unknown): unknown =>
  typeof value !== "number" ? value : Number.isFinite(value) ? value + 0 : null

// What JSON writes of a boxed primitive: a Number object's ToNumber, a String object's ToString (each through its own
// valueOf or toString), a Boolean's or BigInt's own value; `notBoxed` for anything else (a Symbol object is an object).
const notBoxed: unique symbol = Symbol("notBoxed")
const unboxed = (value: object): unknown =>
  types.isNumberObject(value)
    ? written(Number(value))
    : types.isStringObject(value)
    ? String(value)
    : types.isBooleanObject(value)
    ? Boolean.prototype.valueOf.call(value)
    : types.isBigIntObject(value)
    ? BigInt.prototype.valueOf.call(value)
    : notBoxed

// `value` (what toJSON gave, or the value itself) as JSON writes it: an array's items, or an object's own enumerable
// properties (a Map's, a Set's and a typed array's too: JSON writes no entries, a typed array's items are its keys).
const copyWritten = (state: Copying, value: unknown, depth: number): unknown => {
  if (typeof value !== "object" || value === null) return written(value)
  const known = state.seen.get(value)
  if (known !== undefined) return known
  const primitive = unboxed(value)
  if (primitive !== notBoxed) return primitive
  if (!Array.isArray(value)) return copyObject(state, value, depth)
  const out: Array<unknown> = []
  state.seen.set(value, out)
  // As JSON's LengthOfArrayLike (a Proxy's `length` may be anything): a whole number, 0 for what is not one.
  const length = Math.max(0, Math.trunc(Number(value.length)) || 0)
  for (let i = 0; i < length; i++) {
    spend(state, 1)
    const item = copy(state, value[i], String(i), depth + 1)
    out.push(unwritten(item) ? null : item)
  }
  return out
}

// An object as a plain one: its own enumerable string keys, each read through [[Get]], those JSON writes.
const copyObject = (state: Copying, value: object, depth: number): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  state.seen.set(value, out)
  for (const key of Object.keys(value)) {
    spend(state, 1)
    const item = copy(state, (value as Record<string, unknown>)[key], key, depth + 1)
    if (!unwritten(item)) {
      Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true })
    }
  }
  return out
}

// One argument of a call: a copy, or the marker of the bound it went past (what it copied of itself is dropped, so
// that a later argument sharing a part gets it whole or marked, never cut short).
const argument = (budget: { nodes: number }) => (value: unknown): unknown => {
  const seen = new Map<object, unknown>()
  try {
    return copy({ seen, budget }, value, "", 1)
  } catch (error) {
    return error instanceof Cut ? error.marker() : unreadable()
  }
}

/** A copy of recorded calls (read and bounded: see the module). */
export const snapshot = (calls: ReadonlyArray<RecordingApi.Call>): ReadonlyArray<RecordingApi.Call> => {
  const copyArgument = argument({ nodes: maxNodes })
  return calls.map((call) => ({ method: call.method, args: call.args.map((arg) => copyArgument(arg)) }))
}

/**
 * Calls `start` (the handler) and keeps a snapshot of `calls` the moment what it returned settles (or it throws):
 * `calls()` gives that snapshot, or, when the handler has not settled yet (the run was stopped), takes it then.
 */
export const whenSettled = (
  calls: ReadonlyArray<RecordingApi.Call>,
  onSettled: () => void = () => {}
): {
  readonly run: (start: () => unknown) => Promise<unknown>
  readonly calls: () => ReadonlyArray<RecordingApi.Call>
} => {
  let kept: ReadonlyArray<RecordingApi.Call> | undefined
  const seal = () => {
    if (kept !== undefined) return kept
    kept = snapshot(calls)
    onSettled()
    return kept
  }
  return {
    // The executor calls the handler at once, so a throw is a rejection at the same moment.
    run: (start) => new Promise((resolve) => resolve(start())).finally(seal),
    calls: seal
  }
}
