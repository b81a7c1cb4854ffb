/**
 * What a whole tenant costs at run time: the generated 60-rule tenant (packages/cli/test/utils/BigTenant.ts), built
 * with `--runtime npm` by bench/npm.ts, loaded the way Auth0 loads it. Each fresh `node` process times the `require`
 * of the Action's file (its code and the runtime beside it), its first login (every rule's realm is created then), and
 * then, after untimed logins, the per-login time of the same case. The case is the tenant's plain allowed login (its
 * claims, no network); a process whose first login does not make exactly the case's expected api calls fails the bench,
 * so a denial is never timed as a login.
 */
import { execFileSync } from "node:child_process"
import { median, quantile } from "./report.ts"
import { coldEnv } from "./speed.ts"

/** The case timed: an event and the api calls it must make. */
export interface TimedCase {
  readonly name: string
  readonly event: Record<string, unknown>
  readonly calls: ReadonlyArray<unknown>
}

/** The tenant's figures, in milliseconds. */
export interface TenantSpeed {
  readonly case: string
  readonly processes: number
  readonly medianRequire: number
  readonly medianFirstLogin: number
  /** CPU time of the process (user + system) from the start of `require` to the end of the first login, median. */
  readonly medianColdCpu: number
  readonly medianPerLogin: number
  readonly p99PerLogin: number
  readonly logins: number
}

// Runs in a fresh `node`: requires the file, runs the first login, checks its calls, then `warmup` untimed and
// `logins` timed logins of the same event, one at a time. Prints milliseconds as JSON.
const child = (recordingApi: string) => `
import { createRequire } from "node:module"
const [file, caseJson, logins, warmup] = process.argv.slice(1)
const RecordingApi = await import(${JSON.stringify(recordingApi)})
const { event, calls } = JSON.parse(caseJson)
const write = process.stdout.write.bind(process.stdout)
console.log = () => {}
const c0 = process.cpuUsage()
const t0 = performance.now()
const { onExecutePostLogin } = createRequire(file)(file)
const t1 = performance.now()
const api = RecordingApi.make()
await onExecutePostLogin(structuredClone(event), api)
const t2 = performance.now()
const cpu = process.cpuUsage(c0)
const same = JSON.stringify(api.calls) === JSON.stringify(calls)
for (let i = 0; i < Number(warmup); i++) await onExecutePostLogin(structuredClone(event), RecordingApi.make())
const samples = []
for (let i = 0; i < Number(logins); i++) {
  const e = structuredClone(event)
  const a = RecordingApi.make()
  const start = performance.now()
  await onExecutePostLogin(e, a)
  samples.push(performance.now() - start)
}
write(JSON.stringify({ require: t1 - t0, first: t2 - t1, coldCpu: (cpu.user + cpu.system) / 1000, same, samples }))
`

/** Times the tenant's Action at `path` in `processes` fresh processes of `logins` timed logins each. */
export const tenantSpeed = (
  path: string,
  timed: TimedCase,
  processes: number,
  logins: number,
  warmup: number
): TenantSpeed => {
  const env = coldEnv()
  const script = child(new URL("../packages/testing/src/RecordingApi.ts", import.meta.url).href)
  const runs = Array.from({ length: processes }, () => {
    const out = execFileSync(
      process.execPath,
      ["--input-type=module", "-e", script, path, JSON.stringify(timed), String(logins), String(warmup)],
      { env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }
    )
    const run = JSON.parse(out) as {
      readonly require: number
      readonly first: number
      readonly coldCpu: number
      readonly same: boolean
      readonly samples: ReadonlyArray<number>
    }
    if (!run.same) throw new Error(`the tenant's case "${timed.name}" did not make its expected api calls`)
    return run
  })
  const all = runs.flatMap((r) => r.samples)
  return {
    case: timed.name,
    processes,
    medianRequire: median(runs.map((r) => r.require)),
    medianFirstLogin: median(runs.map((r) => r.first)),
    medianColdCpu: median(runs.map((r) => r.coldCpu)),
    medianPerLogin: median(all),
    p99PerLogin: quantile(all, 0.99),
    logins: all.length
  }
}
