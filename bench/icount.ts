/**
 * Instructions per login of built Actions, counted by valgrind (cachegrind, no cache simulation): a per-login figure
 * that does not move with the machine's load, for A/B of cuts when the wall clock cannot tell a few µs apart (on a
 * shared 2-CPU machine, ab.ts's medians moved ±25 µs between rounds). Without `--single-threaded` valgrind also
 * counts V8's background threads (concurrent compiling and marking) whenever they run: one Action's seller count read
 * 1,510 K in one run and 1,105 K in the next under load. With it, three counts of one Action's seller login stayed
 * within 1.6 % (1,075 to 1,092 K); the no-seller login's (about a fifth of the seller's work) still moved 10 %.
 *
 * Not part of `pnpm bench`: `node bench/icount.ts name=path ... [--warmup N] [--logins N] [--only ada,bob]
 * [--single-threaded]` (needs valgrind; `--only` keeps the login kinds whose label names one of these). Each
 * Action and login kind (speed.ts's, the same fetch stub) runs in two processes, `warmup + logins` and
 * `warmup + 3 × logins` logins; the difference over `2 × logins` is one login's instructions, without startup,
 * require and warm-up. The hand-written Action (bench/baseline/action.js) is counted too. The figure includes the
 * recording `api` each login makes, as the hand-written one's does: compare differences, not ratios.
 */
import { execFile } from "node:child_process"
import * as Args from "./args.ts"
import { latencyScenarios } from "./speed.ts"

const args = Args.parse(["warmup", "logins", "only"])
const flag = args.number
const warmup = flag("warmup", 600)
// `--single-threaded`: V8 runs no background threads, and collects garbage on a fixed schedule.
const v8Flags = args.has("single-threaded") ? ["--single-threaded", "--predictable-gc-schedule"] : []
const logins = flag("logins", 200)
const files = [
  { name: "hand-written", path: new URL("./baseline/action.js", import.meta.url).pathname },
  ...args.files
]

const recordingApi = new URL("../packages/testing/src/RecordingApi.ts", import.meta.url).href
// One process: requires the Action, stubs fetch as speed.ts does, runs `count` logins of one kind.
const child = `
import { createRequire } from "node:module"
const [file, event, count] = process.argv.slice(1)
const RecordingApi = await import(${JSON.stringify(recordingApi)})
const { stubFetch } = await import(${JSON.stringify(new URL("./speed.ts", import.meta.url).href)})
stubFetch()
const { onExecutePostLogin } = createRequire(file)(file)
console.log = () => {}
const parsed = JSON.parse(event)
for (let i = 0; i < Number(count); i++) await onExecutePostLogin(parsed, RecordingApi.make())
`

const instructions = (path: string, event: unknown, count: number): Promise<number> =>
  new Promise((resolve, reject) =>
    execFile(
      "valgrind",
      [
        "--tool=cachegrind",
        "--cache-sim=no",
        "--cachegrind-out-file=/dev/null",
        process.execPath,
        ...v8Flags,
        "--input-type=module",
        "-e",
        child,
        path,
        JSON.stringify(event),
        String(count)
      ],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        const refs = /I\s+refs:\s+([\d,]+)/.exec(stderr)?.[1]
        return error || refs === undefined
          ? reject(error ?? new Error(`no instruction count: ${stderr}`))
          : resolve(Number(refs.replaceAll(",", "")))
      }
    )
  )

const perLogin = async (path: string, event: unknown): Promise<number> => {
  const [short, long] = await Promise.all([
    instructions(path, event, warmup + logins),
    instructions(path, event, warmup + 3 * logins)
  ])
  return (long - short) / (2 * logins)
}

const only = args.list("only")
for (const { event, who } of latencyScenarios.filter(({ who }) => only?.some((o) => who.includes(o)) ?? true)) {
  const counts: Array<number> = []
  // One Action at a time (two processes each): valgrind is slow, and the machine is shared.
  for (const { path } of files) counts.push(await perLogin(path, event)) // oxlint-disable-line no-await-in-loop
  console.log(who)
  for (const [i, { name }] of files.entries()) {
    const k = counts[i]! / 1000
    console.log(
      `  ${name.padEnd(14)} ${k.toFixed(0).padStart(6)} K instructions  over ${
        (k - counts[0]! / 1000).toFixed(0).padStart(6)
      } K`
    )
  }
}
