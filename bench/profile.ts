/**
 * What one login costs inside effect's runtime, from the seed Action's sources: fibers started, effect operations
 * evaluated, and bytes allocated, per login and per scenario (speed.ts's logins, the same fetch stub).
 *
 * Not part of `pnpm bench`: a tool for per-login work, run as
 * `node --expose-gc --max-semi-space-size=64 bench/profile.ts [logins, default 50] [--ops]` (`--ops` lists the
 * operations by kind). Also counted: fiber suspensions and exits ("fiber yields"), AbortControllers, and timers and
 * immediates set. It counts through
 * effect's own fiber class (its run loop's operation counter), so it loads effect's internal module by file path,
 * the same instance the sources use; allocation is the heap's growth over the logins with the collector kept out of
 * the way (a young generation large enough that no collection runs, checked).
 */
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { PerformanceObserver } from "node:perf_hooks"
import { pathToFileURL } from "node:url"
import * as RecordingApi from "../packages/testing/src/RecordingApi.ts"
import { latencyScenarios, stubFetch } from "./speed.ts"

const seed = new URL("../examples/seller-login/src/action.ts", import.meta.url)
const effectDir = dirname(createRequire(seed).resolve("effect/Effect"))
const internal = await import(pathToFileURL(join(effectDir, "internal", "effect.js")).href) as {
  readonly FiberImpl: { readonly prototype: { runLoop: (this: { currentOpCount: number }, e: unknown) => unknown } }
}
const core = await import(pathToFileURL(join(effectDir, "internal", "core.js")).href) as {
  readonly evaluate: string
  readonly identifier: string
}
const { onExecutePostLogin } = await import(seed.href) as {
  readonly onExecutePostLogin: (event: unknown, api: RecordingApi.RecordingApi) => Promise<void>
}

let fibers = new WeakSet<object>()
let fiberCount = 0
let ops = 0
const runLoop = internal.FiberImpl.prototype.runLoop
internal.FiberImpl.prototype.runLoop = function(effect) {
  if (!fibers.has(this)) {
    fibers.add(this)
    fiberCount++
  }
  try {
    return runLoop.call(this, effect)
  } finally {
    ops += this.currentOpCount
  }
}

const counted: Record<string, number> = {}
const count = (name: string) => {
  counted[name] = (counted[name] ?? 0) + 1
}
for (const name of ["setImmediate", "setTimeout", "queueMicrotask"] as const) {
  const original = globalThis[name] as (...args: Array<unknown>) => unknown
  ;(globalThis as Record<string, unknown>)[name] = (...args: Array<unknown>) => {
    count(name)
    return original(...args)
  }
}
const proto = internal.FiberImpl.prototype as unknown as Record<string, (...args: Array<unknown>) => unknown>
const yieldWith = proto["yieldWith"]!
proto["yieldWith"] = function(this: unknown, ...args: Array<unknown>) {
  count("fiber yields")
  return yieldWith.apply(this, args)
}
const OriginalAbort = globalThis.AbortController
globalThis.AbortController = class extends OriginalAbort {
  constructor() {
    super()
    count("AbortController")
  }
}

// With --ops, every operation's kind is counted (through the fiber's tracer hook, which the run loop calls per op).
const opKinds: Record<string, number> = {}
if (process.argv.includes("--ops")) {
  const setContext = proto["setContext"]!
  proto["setContext"] = function(this: { cache: Record<string, unknown> }, ...args: Array<unknown>) {
    setContext.apply(this, args)
    this.cache["tracerContext"] = (current: Record<string, (f: unknown) => unknown>, fiber: unknown) => {
      const kind = String(current[core.identifier] ?? "?")
      opKinds[kind] = (opKinds[kind] ?? 0) + 1
      return current[core.evaluate]!(fiber)
    }
  }
}

let collections = 0
new PerformanceObserver((list) => {
  collections += list.getEntries().length
}).observe({ entryTypes: ["gc"] })

// One login after another, as Auth0 runs them in one instance.
const runLogins = async (event: unknown, n: number) => {
  for (let i = 0; i < n; i++) {
    // oxlint-disable-next-line no-await-in-loop -- one after another on purpose
    await onExecutePostLogin(event, RecordingApi.make())
  }
}

const logins = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 50)
const log = console.log
console.log = () => undefined
stubFetch()
const rows: Array<string> = []
for (const { event, who } of latencyScenarios) {
  // oxlint-disable-next-line no-await-in-loop -- the scenarios are measured one after another
  await runLogins(event, 2000)
  globalThis.gc?.()
  // oxlint-disable-next-line no-await-in-loop -- the scenarios are measured one after another
  await new Promise((resolve) => setTimeout(resolve, 10))
  fibers = new WeakSet()
  fiberCount = 0
  ops = 0
  collections = 0
  for (const key of Object.keys(counted)) delete counted[key]
  for (const key of Object.keys(opKinds)) delete opKinds[key]
  const before = process.memoryUsage().heapUsed
  // oxlint-disable-next-line no-await-in-loop -- the scenarios are measured one after another
  await runLogins(event, logins)
  const grown = process.memoryUsage().heapUsed - before
  // oxlint-disable-next-line no-await-in-loop -- the scenarios are measured one after another
  await new Promise((resolve) => setTimeout(resolve, 10))
  rows.push(
    `${who.padEnd(22)} fibers ${(fiberCount / logins).toFixed(1)}  ops ${(ops / logins).toFixed(0)}  ` +
      (collections === 0 ? `alloc ${(grown / logins / 1000).toFixed(1)} kB` : `alloc ? (${collections} GCs)`) +
      Object.entries(counted).map(([k, n]) => `  ${k} ${(n / logins).toFixed(1)}`).join("") +
      Object.entries(opKinds).toSorted((a, b) => b[1] - a[1]).map(([k, n]) => `\n    ${k} ${(n / logins).toFixed(1)}`)
        .join("")
  )
}
console.log = log
console.log(rows.join("\n"))
