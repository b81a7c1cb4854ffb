/**
 * ChildAction: runs one login through a built Action in a child Node process and reports what it did and the most
 * memory it took, so that a test can bound an Action's memory without its own process muddying the numbers.
 *
 * The child loads the Action with plain `require`, calls `onExecutePostLogin(event, api)` with a recording `api`,
 * collects what the Action prints, and samples its heap and external memory every 5 ms (and, if asked, collects
 * garbage at a steady pace, as a busy process would). When the handler settles it
 * prints `SETTLED` at once (so the test can tell when that happened, on its own clock), waits `lingerMillis` (so
 * that anything the Action left running shows), and prints its report, with the peak resident set size from
 * `process.resourceUsage()`.
 *
 * @since 0.1.0
 */
import { spawn } from "node:child_process"

/**
 * What the child saw.
 *
 * @category models
 * @since 0.1.0
 */
export interface Report {
  readonly outcome: "resolved" | "rejected"
  /** The `api` calls, in order. */
  readonly calls: ReadonlyArray<{ readonly method: string; readonly args: ReadonlyArray<unknown> }>
  /** The Action's console lines. */
  readonly lines: ReadonlyArray<string>
  /** The peak resident set size of the child, in bytes. */
  readonly maxRssBytes: number
  /** The peak of heap used plus external memory (Buffers, stream chunks) sampled every 5 ms, in bytes. */
  readonly peakMemoryBytes: number
  /** How long the handler took, in milliseconds. */
  readonly millis: number
  /** When the handler settled, on the parent's `performance.now()` clock. */
  readonly settledAt: number
}

/**
 * Options of a run.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The built Action file. */
  readonly action: string
  readonly event: unknown
  /** How long the child stays after the handler settled. Default 0. */
  readonly lingerMillis?: number
  /** Extra `node` flags, e.g. `--max-old-space-size=...`. */
  readonly execArgv?: ReadonlyArray<string>
  /**
   * Collect garbage this often, as a busy process would: Node 22's fetch loses the abort of a `redirect: "error"`
   * request once its Request object is collected (nodejs/undici#4627), which a quiet child may never do.
   */
  readonly gcEveryMillis?: number
}

const child = String.raw`
const [action, event, linger, gcEvery] = [process.argv[1], JSON.parse(process.argv[2]), Number(process.argv[3]), Number(process.argv[4])]
const collector = gcEvery > 0 ? setInterval(() => globalThis.gc(), gcEvery) : undefined
const calls = []
const lines = []
let peak = 0
const sample = () => {
  const m = process.memoryUsage()
  peak = Math.max(peak, m.heapUsed + m.external + m.arrayBuffers)
}
const sampler = setInterval(sample, 5)
console.log = (...args) => void lines.push(args.map(String).join(" "))
const record = (method) => (...args) => void calls.push({ method, args })
const api = {
  access: { deny: record("access.deny") },
  idToken: { setCustomClaim: record("idToken.setCustomClaim") },
  accessToken: {
    setCustomClaim: record("accessToken.setCustomClaim"),
    addScope: record("accessToken.addScope"),
    removeScope: record("accessToken.removeScope")
  },
  multifactor: { enable: record("multifactor.enable") },
  redirect: { sendUserTo: record("redirect.sendUserTo") },
  user: { setAppMetadata: record("user.setAppMetadata"), setUserMetadata: record("user.setUserMetadata") }
}
const started = performance.now()
const done = (outcome) => {
  const millis = performance.now() - started
  sample()
  process.stdout.write("SETTLED\n")
  setTimeout(() => {
    sample()
    clearInterval(sampler)
    clearInterval(collector)
    const maxRssBytes = process.resourceUsage().maxRSS * 1024
    process.stdout.write("REPORT " + JSON.stringify({ outcome, calls, lines, maxRssBytes, peakMemoryBytes: peak, millis }) + "\n")
    process.exit(0)
  }, linger)
}
require(action).onExecutePostLogin(event, api).then(() => done("resolved"), () => done("rejected"))
`

/**
 * Runs one login in a child process; rejects if the child exits without a report (it crashed, or ran out of
 * memory).
 *
 * @category constructors
 * @since 0.1.0
 */
export const run = (options: Options): Promise<Report> =>
  new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [
        ...(options.execArgv ?? []),
        ...(options.gcEveryMillis === undefined ? [] : ["--expose-gc"]),
        "-e",
        child,
        options.action,
        JSON.stringify(options.event),
        String(options.lingerMillis ?? 0),
        String(options.gcEveryMillis ?? 0)
      ],
      { stdio: ["ignore", "pipe", "pipe"] }
    )
    let out = ""
    let err = ""
    let settledAt = Number.NaN
    proc.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      if (Number.isNaN(settledAt) && (out + chunk).includes("SETTLED\n")) settledAt = performance.now()
      out += chunk
    })
    proc.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      err += chunk
    })
    proc.on("error", reject)
    proc.on("close", (code, signal) => {
      const line = out.split("\n").find((l) => l.startsWith("REPORT "))
      if (line === undefined) {
        return reject(
          new Error(`the child ended without a report (code ${code}, signal ${signal}): ${err.slice(-500)}`)
        )
      }
      resolve({ ...(JSON.parse(line.slice("REPORT ".length)) as Omit<Report, "settledAt">), settledAt })
    })
  })
