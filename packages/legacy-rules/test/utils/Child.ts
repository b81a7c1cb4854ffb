/**
 * Running logins through a built Action in a child process, so that a fault that ends the process is observed, not
 * suffered: the child loads the Action with plain `require`, runs the logins given to it all at once (they overlap),
 * records every `api` call and every console line, waits for late timers, and prints one JSON report. The parent
 * gets the report and the child's exit code.
 *
 * @since 0.1.0
 */
import { execFile } from "node:child_process"
import { writeFileSync } from "node:fs"
import { join } from "node:path"

/**
 * One login: its event and the handler to call.
 *
 * @since 0.1.0
 */
export interface Login {
  readonly event: Record<string, unknown>
  readonly handler?: "onExecutePostLogin" | "onContinuePostLogin"
}

/**
 * What one login did: the api calls in order (`[method, ...args]`) and the reason, if denied.
 *
 * @since 0.1.0
 */
export interface Outcome {
  readonly calls: ReadonlyArray<ReadonlyArray<unknown>>
  readonly denied: string | undefined
  readonly claims: Readonly<Record<string, unknown>>
}

/**
 * The child's report.
 *
 * @since 0.1.0
 */
export interface Report {
  /** The child's exit code (0 when it lived to the end). */
  readonly code: number | null
  readonly outcomes: ReadonlyArray<Outcome>
  readonly lines: ReadonlyArray<string>
  readonly stderr: string
  /** The process handlers the Action installed when it loaded. */
  readonly listeners: { readonly uncaughtException: number; readonly unhandledRejection: number }
}

// Plain CommonJS: the child runs the built Action as Auth0 would, without vitest or TypeScript.
const driver = `
const [actionFile, loginsFile, settleMillis, orphanMillis] = process.argv.slice(2)
const lines = []
console.log = (...args) => { lines.push(args.map(String).join(" ")) }
const action = require(actionFile)
const logins = JSON.parse(require("fs").readFileSync(loginsFile, "utf8"))
const listeners = { uncaughtException: process.listenerCount("uncaughtException"), unhandledRejection: process.listenerCount("unhandledRejection") }
// A fault raised outside any login's async context, as a bug outside the rules would.
if (orphanMillis !== "") setTimeout(() => process.emit("uncaughtException", new Error("orphan fault")), Number(orphanMillis))
const api = () => {
  const calls = []
  const rec = (name) => (...args) => { calls.push([name, ...args]) }
  return {
    calls,
    access: { deny: rec("access.deny") },
    idToken: { setCustomClaim: rec("idToken.setCustomClaim") },
    accessToken: { setCustomClaim: rec("accessToken.setCustomClaim"), addScope: rec("accessToken.addScope"), removeScope: rec("accessToken.removeScope") },
    user: { setAppMetadata: rec("user.setAppMetadata"), setUserMetadata: rec("user.setUserMetadata") },
    multifactor: { enable: rec("multifactor.enable") },
    redirect: { sendUserTo: rec("redirect.sendUserTo") }
  }
}
Promise.all(logins.map(async (login) => {
  const a = api()
  await action[login.handler || "onExecutePostLogin"](login.event, a)
  const denied = a.calls.find((c) => c[0] === "access.deny")
  const claims = {}
  for (const c of a.calls) if (c[0] === "idToken.setCustomClaim") claims[c[1]] = c[2]
  return { calls: a.calls, denied: denied === undefined ? undefined : denied[1], claims }
})).then((outcomes) => setTimeout(() => {
  process.stdout.write(JSON.stringify({ outcomes, lines, listeners }))
  process.exitCode = 0
}, Number(settleMillis)))
`

/**
 * Runs the logins through the Action file in a child process (Node 22, as the tests run).
 *
 * @since 0.1.0
 */
export const runLogins = (
  dir: string,
  actionFile: string,
  logins: ReadonlyArray<Login>,
  settleMillis = 200,
  /** When set, the child raises a fault outside any login after this many milliseconds. */
  orphanMillis?: number
): Promise<Report> => {
  const driverFile = join(dir, "driver.cjs")
  const loginsFile = join(dir, `logins-${Math.random().toString(36).slice(2)}.json`)
  writeFileSync(driverFile, driver)
  writeFileSync(loginsFile, JSON.stringify(logins))
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        driverFile,
        actionFile,
        loginsFile,
        String(settleMillis),
        orphanMillis === undefined ? "" : String(orphanMillis)
      ],
      { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : null
        let parsed: Pick<Report, "outcomes" | "lines" | "listeners"> = {
          outcomes: [],
          lines: [],
          listeners: { uncaughtException: -1, unhandledRejection: -1 }
        }
        try {
          parsed = JSON.parse(stdout)
        } catch {
          // The child died before its report: the code and stderr say why.
        }
        resolve({ code, ...parsed, stderr })
      }
    )
  })
}
