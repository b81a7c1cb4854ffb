/**
 * What a handler did by the time it settled. Auth0 applies the api calls a handler made before its promise settled;
 * a call made later (on a timer, from an un-awaited promise) is not applied, and neither is a later change to an object
 * the handler passed to the api (a claim's object it mutates afterwards). `whenSettled` calls the handler and, the
 * moment it settles (or throws, or the run is stopped), keeps a copy of the calls recorded so far: values copied
 * deeply (plain objects, arrays, Maps, Sets, Dates, URLs, typed arrays, and other objects with their prototype and
 * own properties), shared and cyclic references kept as they were. The copy is bounded: below `maxDepth` levels, or
 * past `maxNodes` values in all, a value is kept as it is (by reference). A value that cannot be read (a revoked Proxy,
 * one whose traps throw) is copied as a marker of its own (`unreadable`), which never equals another value.
 *
 * This module works with promises: it wraps the handler's own.
 */
import type * as RecordingApi from "@rulefx/testing/RecordingApi"
import { randomBytes } from "node:crypto"

/** Levels of a value copied; deeper values are kept by reference. */
export const maxDepth = 64

/** Values copied in one snapshot; past that, values are kept by reference. */
export const maxNodes = 100_000

/**
 * What a value that cannot be read is copied as: a marker with a random part, so that it never equals another (two
 * unreadable claims are not "the same"), and carries nothing the value held.
 */
export const unreadable = (): string => `<unreadable value, not compared ${randomBytes(8).toString("hex")}>`

const copyOf = (seen: Map<object, unknown>, budget: { nodes: number }) => {
  const copy = (value: unknown, depth: number): unknown => {
    try {
      return copyValue(value, depth)
    } catch {
      return unreadable()
    }
  }
  const copyValue = (value: unknown, depth: number): unknown => {
    if (typeof value !== "object" || value === null) return value
    const known = seen.get(value)
    if (known !== undefined) return known
    if (depth >= maxDepth || budget.nodes-- <= 0) return value
    if (Array.isArray(value)) {
      const out: Array<unknown> = []
      seen.set(value, out)
      for (const item of value) out.push(copy(item, depth + 1))
      return out
    }
    if (value instanceof Date) return new Date(value.getTime())
    if (value instanceof URL) return new URL(value.href)
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return (value as Uint8Array).slice()
    if (value instanceof Map) {
      const out = new Map()
      seen.set(value, out)
      for (const [k, v] of value) out.set(copy(k, depth + 1), copy(v, depth + 1))
      return out
    }
    if (value instanceof Set) {
      const out = new Set()
      seen.set(value, out)
      for (const v of value) out.add(copy(v, depth + 1))
      return out
    }
    return copyObject(value, depth, copy, seen)
  }
  return copy
}

// An object with its prototype and own properties (a value's getters kept as they are). One whose properties cannot be
// read (a Proxy that throws) is `unreadable`.
const copyObject = (
  value: object,
  depth: number,
  copy: (value: unknown, depth: number) => unknown,
  seen: Map<object, unknown>
): unknown => {
  const descriptors = ownDescriptors(value)
  if (descriptors === undefined) return unreadable()
  const out = Object.create(Object.getPrototypeOf(value) as object | null) as object
  seen.set(value, out)
  for (const key of Reflect.ownKeys(descriptors)) {
    const descriptor = descriptors[key as keyof typeof descriptors]!
    if ("value" in descriptor) descriptor.value = copy(descriptor.value, depth + 1)
    Object.defineProperty(out, key, descriptor)
  }
  return out
}

const ownDescriptors = (value: object): PropertyDescriptorMap | undefined => {
  try {
    return Object.getOwnPropertyDescriptors(value)
  } catch {
    return undefined
  }
}

/** A copy of recorded calls (bounded: see the module). */
export const snapshot = (calls: ReadonlyArray<RecordingApi.Call>): ReadonlyArray<RecordingApi.Call> => {
  const copy = copyOf(new Map(), { nodes: maxNodes })
  return calls.map((call) => ({ method: call.method, args: copy(call.args, 0) as ReadonlyArray<unknown> }))
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
