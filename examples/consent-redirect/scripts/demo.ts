/**
 * The consent demo: builds the Action, loads the built dist/action.js with plain require (as Auth0 would), and plays
 * logins through both passes, a fake consent page in between (it signs its answer with the shared secret and the
 * redirect's state, as the page would). Prints one line per pass (outcome, what Auth0 was asked to do), the Action's
 * own log lines, and the bundle size.
 */
import * as Bundle from "@rulefx/cli/Bundle"
import * as Events from "@rulefx/testing/Events"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as Resume from "@rulefx/testing/Resume"
import { mkdirSync } from "node:fs"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"

type Handler = (event: unknown, api: RecordingApi.RecordingApi) => Promise<void>

const root = fileURLToPath(new URL("..", import.meta.url))
const outfile = `${root}dist/action.js`
const CONSENT_SECRET = "demo-consent-secret-of-at-least-32-bytes"
const TERMS = "2026-12"

interface Sample {
  readonly who: string
  readonly appMetadata?: Record<string, unknown>
  readonly protocol?: string
  /** What the page answers; absent: the login does not reach the page. */
  readonly answer?: Record<string, unknown>
  /** The page signs with another secret: a forged answer. */
  readonly forged?: boolean
}

const samples: ReadonlyArray<Sample> = [
  { who: "ada, accepts", answer: { accepted: true, version: TERMS } },
  { who: "bob, refuses", answer: { accepted: false, version: TERMS } },
  { who: "eve, forges the answer", answer: { accepted: true, version: TERMS }, forged: true },
  { who: "cy, consented before", appMetadata: { consent: { version: TERMS, at: 1 } } },
  { who: "dan, password grant", protocol: "oauth2-password" }
]

const did = (summary: RecordingApi.Summary): string =>
  [
    summary.redirect && `redirect ${summary.redirect}`,
    Object.keys(summary.appMetadata).length > 0 && `app_metadata ${JSON.stringify(summary.appMetadata)}`,
    summary.transactionMetadata && `transaction ${JSON.stringify(summary.transactionMetadata)}`
  ].filter(Boolean).join("; ") || "-"

const main = async (): Promise<void> => {
  mkdirSync(`${root}dist`, { recursive: true })
  const report = await Bundle.build({ entry: `${root}src/action.ts`, outfile })
  const action = createRequire(import.meta.url)(outfile) as Record<
    "onExecutePostLogin" | "onContinuePostLogin",
    Handler
  >
  const rows: Array<Array<string>> = []
  const logs: Array<string> = []
  const pass = async (
    index: number,
    name: string,
    handler: Handler,
    event: Record<string, unknown>,
    api: RecordingApi.RecordingApi
  ) => {
    const { lines } = await LogCapture.around(() => handler(event, api))
    logs.push(...lines.map((line) => `[${index + 1}] ${line}`))
    const summary = api.summary()
    rows.push([
      String(index + 1),
      name,
      summary.denied === undefined ? "allowed" : "denied",
      summary.denied ?? did(summary)
    ])
  }
  for (const [index, sample] of samples.entries()) {
    const event = Events.postLogin({
      user: { user_id: `auth0|${index + 1}`, app_metadata: sample.appMetadata ?? {} },
      client: { client_id: "shop-app", name: "Shop" },
      request: { hostname: "acme.eu.auth0.com" },
      ...(sample.protocol === undefined ? {} : { transaction: { protocol: sample.protocol } }),
      secrets: { CONSENT_SECRET, CONSENT_URL: "https://consent.example.com/terms" }
    })
    const first = RecordingApi.make({ event })
    // One after another on purpose: each pass's log lines are its own.
    // oxlint-disable-next-line no-await-in-loop
    await pass(index, `${sample.who}: first pass`, action.onExecutePostLogin, event, first)
    if (sample.answer === undefined) continue
    const sent = Resume.redirectOf(first)
    const token = Resume.sign(sample.forged === true ? "not-the-secret" : CONSENT_SECRET, sent, sample.answer)
    const back = Resume.continueEvent(event, {
      state: sent.state,
      token,
      transactionMetadata: first.transactionMetadata
    })
    // oxlint-disable-next-line no-await-in-loop
    await pass(
      index,
      `${sample.who}: continue`,
      action.onContinuePostLogin,
      back,
      RecordingApi.make({ event: back, state: sent.state })
    )
  }
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]?.length ?? 0)))
  for (const row of rows) console.log(row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i] ?? 0) : cell)).join("  "))
  console.log("")
  console.log("Action log lines:")
  for (const line of logs) console.log(`  ${line}`)
  console.log("")
  console.log(
    `dist/action.js: ${Bundle.formatBytes(report.bytes)} (${report.bytes} bytes), budget ${
      Bundle.formatBytes(report.budget)
    }`
  )
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  }
)
