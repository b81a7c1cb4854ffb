/**
 * What one run of an Action made of a login, as a flat list of paths and values for `rulefx diff` to compare: the
 * outcome, whether a login it sent away can come back (`continue`, added by Diff: the Action exports the continue
 * handler Auth0 resumes it in, or not), the deny reason, each claim, each scope, each metadata key, MFA, the redirect, each key of Auth0's cache it
 * wrote (`cache.<key>`: the last set or delete), each kind of api call it does not know (by method path, with the arguments of every call in order), and the requests it sent. Values are what
 * Auth0 applies at the end of the Action (LocalRun.summarize: the last write of a key wins), so the order of calls
 * counts only where it changes that. The other triggers' runs (TriggerLocalRun) are compared the same way: outcome,
 * reason (the deny or validation error's arguments, or the notification's), access-token claims and metadata by key,
 * every other call by method (`calls.transaction.addTargetScope`), and the requests.
 */
import type * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as Predicate from "effect/Predicate"
import { isDeepStrictEqual } from "node:util"
import type * as LocalRun from "../../LocalRun.ts"
import * as TriggerLocalRun from "../../TriggerLocalRun.ts"
import * as Settled from "../settled.ts"
import * as CacheValue from "./cacheValue.ts"
import * as Depth from "./depth.ts"
import { digest, type Sent } from "./httpTape.ts"

/** One thing a run decided: its path (`["claims", "id", "https://example.com/seller"]`) and value. */
export interface Entry {
  readonly path: ReadonlyArray<string>
  readonly value: unknown
}

/** A path whose values differ; a side without it has no value (`undefined`). */
export interface Difference {
  readonly path: ReadonlyArray<string>
  readonly a: unknown
  readonly b: unknown
}

// The api methods LocalRun.summarize reads; every other call (but Auth0's cache, compared by key) is compared as it
// was made.
const summarized = new Set([
  "access.deny",
  "idToken.setCustomClaim",
  "accessToken.setCustomClaim",
  "accessToken.addScope",
  "accessToken.removeScope",
  "user.setAppMetadata",
  "user.setUserMetadata",
  "multifactor.enable",
  "redirect.sendUserTo"
])

const keyed = (prefix: ReadonlyArray<string>, values: Record<string, unknown>): Array<Entry> =>
  Object.entries(values).map(([key, value]) => ({ path: [...prefix, key], value }))

/** The entries of a run, from its result and the requests it sent. */
export const entries = (result: LocalRun.Result, sent: ReadonlyArray<Sent>): ReadonlyArray<Entry> => {
  const { summary } = result
  const out: Array<Entry> = [{ path: ["outcome"], value: result.outcome }]
  if (result.reason !== undefined) out.push({ path: ["reason"], value: result.reason })
  if (result.rejection !== undefined) out.push({ path: ["rejection"], value: result.rejection })
  out.push(...keyed(["claims", "id"], summary.idTokenClaims), ...keyed(["claims", "access"], summary.accessTokenClaims))
  for (const scope of summary.scopesAdded) out.push({ path: ["scopes", scope], value: "added" })
  for (const scope of summary.scopesRemoved) out.push({ path: ["scopes", scope], value: "removed" })
  out.push(...keyed(["metadata", "app"], summary.appMetadata), ...keyed(["metadata", "user"], summary.userMetadata))
  if (summary.mfa !== undefined) out.push({ path: ["mfa"], value: summary.mfa })
  if (summary.redirect !== undefined) out.push({ path: ["redirect"], value: summary.redirect })
  out.push(...cacheWrites(result.calls), ...otherCalls(result.calls, summarized), ...requests(sent))
  return out
}

/**
 * What a `cache.<key>` entry holds: the last write to that key, a set (its value, and options if given) or a delete.
 * The value is compared as it was set, and shown as its digest (`shown`).
 */
export type CacheWrite = { readonly set: unknown; readonly options?: unknown } | "deleted"

/**
 * A difference as a report shows it: a value set in Auth0's cache (typically a bearer token an Action keeps between
 * logins) as its keyed digest (HttpTape.digest, as the requests' headers), so that a changed value still shows as a
 * change and the value itself is never printed; the rest as it is.
 */
export const shown = (difference: Difference): Difference =>
  difference.path[0] === "cache"
    ? { path: difference.path, a: cacheShown(difference.a), b: cacheShown(difference.b) }
    : difference

const cacheShown = (value: unknown): unknown =>
  Predicate.hasProperty(value, "set")
    ? { ...value, set: CacheValue.digestOf(value.set) }
    : value

// Auth0's cache by key, as the run left it: the last `cache.set` or `cache.delete` of each key wins, so only an order
// that changes what the cache ends up holding is a difference. Reads (`cache.get`) change nothing and are left out.
const cacheWrites = (calls: ReadonlyArray<RecordingApi.Call>): Array<Entry> => {
  const last = new Map<string, Entry>()
  for (const { args, method } of calls) {
    if (method !== "cache.set" && method !== "cache.delete") continue
    const path = ["cache", String(args[0])]
    const value: CacheWrite = method === "cache.delete"
      ? "deleted"
      : args.length > 2 && args[2] !== undefined
      ? { set: args[1], options: args[2] }
      : { set: args[1] }
    last.set(key(path), { path, value })
  }
  return [...last.values()]
}

// The other triggers' calls read into the outcome and reason, and those compared by key (the last write wins).
const decisive = TriggerLocalRun.decisiveMethods
const keyedCalls: Readonly<Record<string, ReadonlyArray<string>>> = {
  "accessToken.setCustomClaim": ["claims", "access"],
  "user.setAppMetadata": ["metadata", "app"],
  "user.setUserMetadata": ["metadata", "user"]
}
const triggerSummarized = new Set([...decisive, ...Object.keys(keyedCalls)])

/** The entries of a run of another trigger's handler, from its result and the requests it sent. */
export const triggerEntries = (result: TriggerLocalRun.Result, sent: ReadonlyArray<Sent>): ReadonlyArray<Entry> => {
  const out: Array<Entry> = [{ path: ["outcome"], value: result.outcome }]
  if (result.reason !== undefined) out.push({ path: ["reason"], value: result.reason.join(" | ") })
  if (result.rejection !== undefined) out.push({ path: ["rejection"], value: result.rejection })
  const last = new Map<string, Entry>()
  for (const { args, method } of result.calls) {
    const prefix = keyedCalls[method]
    if (prefix === undefined) continue
    const path = [...prefix, String(args[0])]
    last.delete(key(path))
    last.set(key(path), { path, value: args[1] })
  }
  out.push(
    ...last.values(),
    ...cacheWrites(result.calls),
    ...otherCalls(result.calls, triggerSummarized),
    ...requests(sent)
  )
  return out
}

// Calls whose effect depends on their order across methods (add then clear is not clear then add): compared as one
// list of [method, args] in call order, under one path.
const ordered: Readonly<Record<string, string>> = {
  "transaction.addTargetScope": "transaction.targetScopes",
  "transaction.removeTargetScope": "transaction.targetScopes",
  "transaction.setTargetScopes": "transaction.targetScopes",
  "transaction.clearTargetScopes": "transaction.targetScopes"
}

const otherCalls = (calls: ReadonlyArray<RecordingApi.Call>, known: ReadonlySet<string>): Array<Entry> => {
  const byMethod = new Map<string, Array<unknown>>()
  for (const { args, method } of calls) {
    if (known.has(method) || method.startsWith("cache.")) continue
    const group = Object.hasOwn(ordered, method) ? ordered[method]! : undefined
    const name = group ?? method
    byMethod.set(name, [...(byMethod.get(name) ?? []), group === undefined ? args : [method, args]])
  }
  return [...byMethod].map(([method, args]) => ({ path: ["calls", method], value: args }))
}

// By method and URL: the bodies sent, sorted (concurrent requests may go out in either order), and, when any had
// headers, their digests (never their values), sorted, under `requests.<target>.headers`; their content-types (a
// body's implied one too) under `requests.<target>.type`; when any did not follow
// redirects, each one's redirect mode under `requests.<target>.redirect`. The lists are sorted apart, so two requests
// with those parts swapped between them (alice sent with the admin's token, bob with the user's) give the same lists:
// when there are several, each whole request (its body with its own headers, type and redirect mode), as a keyed
// digest, sorted, under `requests.<target>.whole`.
const wholeDigest = (r: Sent): string =>
  digest(JSON.stringify([r.body, r.headers ?? "", r.type ?? "", r.redirect ?? "follow"]))

const requests = (sent: ReadonlyArray<Sent>): Array<Entry> => {
  const byTarget = new Map<string, Array<Sent>>()
  for (const request of sent) {
    const target = `${request.method} ${request.url}`
    byTarget.set(target, [...(byTarget.get(target) ?? []), request])
  }
  const out: Array<Entry> = []
  for (const [target, list] of byTarget) {
    out.push({ path: ["requests", target], value: list.map((r) => r.body).toSorted() })
    if (list.some((r) => r.headers !== undefined)) {
      out.push({ path: ["requests", target, "headers"], value: list.map((r) => r.headers ?? "").toSorted() })
    }
    if (list.some((r) => r.type !== undefined)) {
      out.push({ path: ["requests", target, "type"], value: list.map((r) => r.type ?? "").toSorted() })
    }
    if (list.some((r) => r.redirect !== undefined)) {
      out.push({ path: ["requests", target, "redirect"], value: list.map((r) => r.redirect ?? "follow").toSorted() })
    }
    if (
      list.length > 1 && list.some((r) => r.headers !== undefined || r.type !== undefined || r.redirect !== undefined)
    ) {
      out.push({ path: ["requests", target, "whole"], value: list.map(wholeDigest).toSorted() })
    }
  }
  return out
}

// What goes into the tokens Auth0 issues when the login ends: the ID- and access-token claims, and the scopes.
const tokenFields: ReadonlySet<string> = new Set(["claims", "scopes"])

/**
 * Whether both runs redirect: the claims and scopes either set on that pass are then listed apart (`redirected.*`),
 * still counted: Auth0 is believed to keep them for the tokens issued after the continue pass.
 */
export const bothRedirect = (a: ReadonlyArray<Entry>, b: ReadonlyArray<Entry>): boolean =>
  [a, b].every((entries) => entries.some((entry) => entry.path.length === 1 && entry.path[0] === "redirect"))

/** The first part of a claim's or scope's path set on a pass both Actions redirect on. */
export const redirectedField = "redirected"

/**
 * A run's entries on a pass both Actions redirect on: its claims and scopes under `redirected.` (so that `--ignore
 * redirected` names exactly them), the rest as they were.
 */
export const onRedirectingPass = (entries: ReadonlyArray<Entry>): ReadonlyArray<Entry> =>
  entries.map((entry) =>
    tokenFields.has(entry.path[0] ?? "") ? { ...entry, path: [redirectedField, ...entry.path] } : entry
  )

/** The path as `--ignore` and the report write it: its parts joined by dots. */
export const pathText = (path: ReadonlyArray<string>): string => path.join(".")

/** Whether `--ignore <ignore>` covers this path: it names the path or one of its leading parts. */
export const isIgnored = (path: ReadonlyArray<string>, ignore: ReadonlyArray<string>): boolean =>
  path.some((_, i) => ignore.includes(pathText(path.slice(0, i + 1))))

const key = (path: ReadonlyArray<string>): string => JSON.stringify(path)

// Differences are listed by kind, in this order; within a kind, the first run's paths come first.
const kinds = [
  "outcome",
  "continue",
  "reason",
  "rejection",
  "claims",
  "scopes",
  "redirected",
  "metadata",
  "mfa",
  "redirect",
  "cache",
  "calls",
  "requests",
  "sockets"
]
const rank = (path: ReadonlyArray<string>): number => kinds.indexOf(path[0] ?? "")

/** The fields a compared path starts with, in the report's order: what an `--ignore` path must start with. */
export const fields: ReadonlyArray<string> = kinds

// The second part a field allows (none for a single value; undefined: any key).
const parts: Readonly<Record<string, ReadonlyArray<string> | undefined>> = {
  outcome: [],
  continue: [],
  reason: [],
  rejection: [],
  mfa: [],
  redirect: [],
  claims: ["id", "access"],
  redirected: ["claims", "scopes"],
  metadata: ["app", "user"]
}

/**
 * Why an `--ignore` path can never name a compared path (its field is not one rulefx compares, or the part after it
 * is not one that field has), or undefined when it can.
 */
export const ignoreProblem = (ignore: string): string | undefined => {
  const [field = "", second] = ignore.split(".")
  if (!kinds.includes(field)) return `"${field}" is not a field rulefx diff compares`
  const allowed = parts[field]
  if (second === undefined || allowed === undefined || allowed.includes(second)) return undefined
  return allowed.length === 0
    ? `${field} is one value, with no parts after it`
    : `${field} has ${allowed.map((part) => `${field}.${part}`).join(" and ")}, not ${field}.${second}`
}

// A value nested deeper than Depth.maxDepth (the settle snapshot marks an argument deeper than that; an entry adds a
// level or two to one), as compared and shown: marked with a value of this entry only (Settled.tooDeep), so that it can
// never match (and be "the same" as) another, and is never walked (compared, printed, scrubbed) level by level. One
// that cannot be walked is marked as one that cannot be read: it differs from every other.
const bounded = (entry: Entry): Entry => {
  try {
    return Depth.nestsDeeper(entry.value) ? { path: entry.path, value: Settled.tooDeep() } : entry
  } catch {
    return { path: entry.path, value: Settled.unreadable() }
  }
}

const byKey = (list: ReadonlyArray<Entry>) => new Map(list.map((entry) => [key(entry.path), bounded(entry)]))

/**
 * The paths whose values differ between two runs, by kind (outcome first, requests and sockets last). A value nested deeper than
 * Depth.maxDepth always differs, shown as a marker: comparing or printing it would overflow the stack.
 */
export const compare = (a: ReadonlyArray<Entry>, b: ReadonlyArray<Entry>): ReadonlyArray<Difference> => {
  const left = byKey(a)
  const right = byKey(b)
  const paths = [...new Map([...a, ...b].map((entry) => [key(entry.path), entry.path])).values()]
    .toSorted((x, y) => rank(x) - rank(y))
  return paths.flatMap((path) => {
    const valueA = left.get(key(path))?.value
    const valueB = right.get(key(path))?.value
    return isDeepStrictEqual(valueA, valueB) ? [] : [{ path, a: valueA, b: valueB }]
  })
}
