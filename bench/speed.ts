/**
 * Speed of the built Actions: cold `require` in fresh Node processes, and per-login latency in-process with the
 * seller call stubbed.
 */
import { execFileSync } from "node:child_process"
import * as RecordingApi from "../packages/testing/src/RecordingApi.ts"
import type { Handler } from "./equivalence.ts"
import { median, quantile } from "./report.ts"

// --- Cold require ---------------------------------------------------------------------------------------------

// Runs in a fresh `node`: times require() of the file, then one login that needs no network (a user without a
// seller), as Auth0's first call after a cold start would. Prints both in milliseconds as JSON.
const child = `
// process.stdout is created lazily and costs milliseconds: touch it before the clock starts.
const write = process.stdout.write.bind(process.stdout)
const c0 = process.cpuUsage()
const t0 = process.hrtime.bigint()
const { onExecutePostLogin } = require(process.argv[1])
const t1 = process.hrtime.bigint()
const cpu = process.cpuUsage(c0)
const noop = () => api
const api = {
  access: { deny: noop }, idToken: { setCustomClaim: noop },
  accessToken: { setCustomClaim: noop, addScope: noop, removeScope: noop },
  user: { setAppMetadata: noop, setUserMetadata: noop }, multifactor: { enable: noop }, redirect: { sendUserTo: noop }
}
const event = {
  user: { user_id: "auth0|cold", app_metadata: {}, user_metadata: {} },
  client: { client_id: "shop-app", name: "Shop", metadata: { allowed_roles: "USER,ADMIN" } },
  request: { ip: "203.0.113.7" },
  secrets: { SELLER_API_URL: "http://127.0.0.1:9", INTERCOM_SECRET: "cold-secret" }
}
console.log = () => {}
onExecutePostLogin(event, api).then(() => {
  const t2 = process.hrtime.bigint()
  const total = process.cpuUsage(c0)
  write(JSON.stringify({
    require: Number(t1 - t0) / 1e6, first: Number(t2 - t1) / 1e6, requireCpu: (cpu.user + cpu.system) / 1000,
    coldCpu: (total.user + total.system) / 1000
  }))
})
`

/** The environment of a process that starts cold: no compile cache, no options from the parent. */
export const coldEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env }
  delete env["NODE_COMPILE_CACHE"]
  delete env["NODE_OPTIONS"]
  return env
}

/** Cold-start figures of one file, in milliseconds. */
export interface Cold {
  readonly name: string
  readonly requireMillis: ReadonlyArray<number>
  readonly firstLoginMillis: ReadonlyArray<number>
  readonly medianRequire: number
  readonly p90Require: number
  readonly medianFirstLogin: number
  /**
   * The process's CPU time (user + system, all its threads) during `require`, median: what the require costs, less
   * the time the process waited for a CPU, which on a shared machine moves the wall-clock figures.
   */
  readonly medianRequireCpu: number
  /**
   * The process's CPU time from the start of `require` to the end of the first login, median: work moved from the
   * require to the first login (built on first use rather than at load) shows here as no change.
   */
  readonly medianColdCpu: number
}

/**
 * Requires each file in `runs` fresh processes (process.execPath, no compile cache), interleaved so that machine
 * noise spreads evenly; one discarded round first warms the disk cache.
 */
export const coldRequire = (
  files: ReadonlyArray<{ readonly name: string; readonly path: string }>,
  runs: number
): ReadonlyArray<Cold> => {
  const env = coldEnv()
  const samples = files.map(() => ({
    require: [] as Array<number>,
    first: [] as Array<number>,
    cpu: [] as Array<number>,
    cold: [] as Array<number>
  }))
  for (let round = -1; round < runs; round++) {
    for (const [i, file] of files.entries()) {
      const out = execFileSync(process.execPath, ["-e", child, file.path], { env, encoding: "utf8" })
      const { coldCpu, first, require, requireCpu } = JSON.parse(out) as {
        require: number
        first: number
        requireCpu: number
        coldCpu: number
      }
      if (round >= 0) {
        samples[i]?.require.push(require)
        samples[i]?.first.push(first)
        samples[i]?.cpu.push(requireCpu)
        samples[i]?.cold.push(coldCpu)
      }
    }
  }
  return files.map((file, i) => {
    const s = samples[i] ?? { require: [], first: [], cpu: [], cold: [] }
    return {
      name: file.name,
      requireMillis: s.require,
      firstLoginMillis: s.first,
      medianRequire: median(s.require),
      p90Require: quantile(s.require, 0.9),
      medianFirstLogin: median(s.first),
      medianRequireCpu: median(s.cpu),
      medianColdCpu: median(s.cold)
    }
  })
}

// --- Per-login latency ----------------------------------------------------------------------------------------

/** The stubbed seller's body (the demo's seller-1, with a field the claim must drop). */
const sellerBody = JSON.stringify({
  id: "seller-1",
  email: "ada@shop.example",
  name: "Ada's Shop",
  internal_notes: "not for tokens"
})

/**
 * Replaces globalThis.fetch for every Action alike: each call answers at once with 200 and the seller body, as an
 * object with what either Action reads: `status`, `headers` and `body` (core's HttpBody reads the body as a capped
 * stream) and `text()` (the hand-written Action). No sockets are timed; rulefx's reading of the stream is, as it is
 * part of its work. The same code runs in the timing processes (`stubSource`) and here, for the check that the
 * Actions agree.
 */
const stubSource = `
const sellerText = ${JSON.stringify(sellerBody)}
globalThis.fetch = () => Promise.resolve({
  status: 200,
  headers: new Headers(),
  body: new Blob([sellerText]).stream(),
  text: () => Promise.resolve(sellerText)
})
`

export const stubFetch = (): () => void => {
  const original = globalThis.fetch
  globalThis.fetch = (() =>
    Promise.resolve({
      status: 200,
      headers: new Headers(),
      body: new Blob([sellerBody]).stream(),
      text: () => Promise.resolve(sellerBody)
    })) as unknown as typeof fetch
  return () => {
    globalThis.fetch = original
  }
}

const secrets = { SELLER_API_URL: "https://sellers.example", INTERCOM_SECRET: "latency-secret" }

/** The logins timed: the full seller path, a user without a seller, and a denial by role. */
export const latencyScenarios: ReadonlyArray<{ readonly who: string; readonly event: unknown }> = [
  { who: "seller (ada)", event: { sellerId: "seller-1", roles: ["ADMIN"] } },
  { who: "no seller (bob)", event: {} },
  { who: "denied by role (eve)", event: { roles: ["GUEST"] } }
].map(({ who, event }) => ({
  who,
  event: {
    user: { user_id: "auth0|latency", app_metadata: event, user_metadata: {} },
    client: { client_id: "shop-app", name: "Shop", metadata: { allowed_roles: "USER,ADMIN" } },
    request: { ip: "203.0.113.7" },
    secrets
  }
}))

/** Per-login figures of one handler for one scenario, in microseconds. */
export interface Latency {
  readonly medianMicros: number
  readonly p99Micros: number
  readonly samples: number
  /** The median of each process, to show how much one run of the bench can move. */
  readonly processMedians: ReadonlyArray<number>
}

// Runs in a fresh `node` per Action: loads the built file, stubs fetch, and for each scenario runs `warmup` untimed
// logins, then `logins` timed ones, one at a time, each with a fresh recording api. Prints the samples (µs) as JSON.
const timer = (recordingApi: string) => `
import { createRequire } from "node:module"
const [file, scenarios, logins, warmup] = process.argv.slice(1)
const RecordingApi = await import(${JSON.stringify(recordingApi)})
const { onExecutePostLogin } = createRequire(file)(file)
${stubSource}
const write = process.stdout.write.bind(process.stdout)
console.log = () => {}
const out = {}
for (const { who, event } of JSON.parse(scenarios)) {
  for (let i = 0; i < Number(warmup); i++) await onExecutePostLogin(event, RecordingApi.make())
  const samples = []
  for (let i = 0; i < Number(logins); i++) {
    const api = RecordingApi.make()
    const start = performance.now()
    await onExecutePostLogin(event, api)
    samples.push(Math.round((performance.now() - start) * 10000) / 10)
  }
  out[who] = samples
}
write(JSON.stringify(out))
`

/**
 * Times `logins` logins per Action and scenario after `warmup` untimed ones, in one fresh process per Action and
 * round (`rounds` rounds, Actions interleaved), so that no Action's garbage or JIT state lands on another's figures.
 * Checks first, in this process, that the Actions marked `sameCalls` make the same api calls under the stub.
 */
export const perLogin = async (
  handlers: ReadonlyArray<
    { readonly name: string; readonly path: string; readonly handler: Handler; readonly sameCalls: boolean }
  >,
  logins: number,
  warmup: number,
  rounds: number
): Promise<ReadonlyArray<{ readonly who: string; readonly results: ReadonlyArray<Latency> }>> => {
  const restore = stubFetch()
  const log = console.log
  console.log = () => undefined
  try {
    const checks = await Promise.all(latencyScenarios.map(async (scenario) => {
      const calls = await Promise.all(
        handlers.filter((h) => h.sameCalls).map(async ({ handler }) => {
          const api = RecordingApi.make()
          await handler(scenario.event, api)
          return JSON.stringify(api.calls)
        })
      )
      return { who: scenario.who, calls }
    }))
    for (const { who, calls } of checks) {
      if (new Set(calls).size !== 1) throw new Error(`under the fetch stub, "${who}" differs: ${calls.join(" vs ")}`)
    }
  } finally {
    console.log = log
    restore()
  }
  const script = timer(new URL("../packages/testing/src/RecordingApi.ts", import.meta.url).href)
  const scenarios = JSON.stringify(latencyScenarios)
  // samples[handler][scenario][round]
  const samples = handlers.map(() => latencyScenarios.map(() => [] as Array<ReadonlyArray<number>>))
  for (let round = 0; round < rounds; round++) {
    for (const [h, { path }] of handlers.entries()) {
      const out = execFileSync(
        process.execPath,
        ["--input-type=module", "-e", script, path, scenarios, String(logins), String(warmup)],
        { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }
      )
      const parsed = JSON.parse(out) as Record<string, ReadonlyArray<number>>
      for (const [i, { who }] of latencyScenarios.entries()) samples[h]?.[i]?.push(parsed[who] ?? [])
    }
  }
  return latencyScenarios.map(({ who }, i) => ({
    who,
    results: handlers.map((_, h) => {
      const perRound = samples[h]?.[i] ?? []
      const all = perRound.flat()
      return {
        medianMicros: median(all),
        p99Micros: quantile(all, 0.99),
        samples: all.length,
        processMedians: perRound.map(median)
      }
    })
  }))
}
