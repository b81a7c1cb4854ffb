/**
 * The demo: builds the Action, loads the built dist/action.js with plain require (as Auth0 would), and runs sample
 * logins through it against a fake seller API on 127.0.0.1, one after another. Prints one line per login (outcome,
 * deny reason, claims set, elapsed ms), the Action's own log lines, and the bundle size.
 */
import * as Events from "@rulefx/testing/Events"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as SellerServer from "@rulefx/testing/SellerServer"
import { createRequire } from "node:module"
import { build, outfile, sizeLine } from "./bundle.ts"

type Handler = (event: unknown, api: RecordingApi.RecordingApi) => Promise<void>

interface Sample {
  readonly who: string
  readonly appMetadata: Record<string, unknown>
}

const samples: ReadonlyArray<Sample> = [
  { who: "ada, seller", appMetadata: { sellerId: "seller-1", roles: ["ADMIN"] } },
  { who: "bob, no seller", appMetadata: {} },
  { who: "eve, role GUEST", appMetadata: { roles: ["GUEST"] } },
  { who: "cy, seller API 500", appMetadata: { sellerId: "seller-500" } },
  { who: "dan, garbage body", appMetadata: { sellerId: "seller-garbage" } },
  { who: "fay, wrong shape", appMetadata: { sellerId: "seller-shape" } },
  { who: "flo, flaky (503, retried)", appMetadata: { sellerId: "seller-flaky" } },
  { who: "hal, seller API hangs", appMetadata: { sellerId: "seller-hang" } }
]

const short = (value: unknown): string => {
  if (typeof value === "string") return /^[0-9a-f]{64}$/.test(value) ? `${value.slice(0, 8)}…` : value
  if (Array.isArray(value)) return `[${value.map(short).join(",")}]`
  if (typeof value === "object" && value !== null) return `{${Object.values(value).map(short).join(", ")}}`
  return String(value)
}

const claims = (summary: RecordingApi.Summary): string => {
  const all = { ...summary.idTokenClaims, ...summary.accessTokenClaims }
  const parts = Object.keys(all).map((name) => `${name.replace(/^https:\/\/example\.com\//, "")}=${short(all[name])}`)
  return parts.length === 0 ? "-" : parts.join("  ")
}

const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): Array<string> => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)))
  // The last column (ms) is a number: aligned right.
  const pad = (cell: string, i: number) =>
    i === header.length - 1 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)
  const line = (cells: ReadonlyArray<string>) => cells.map(pad).join("  ").trimEnd()
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)]
}

const main = async (): Promise<void> => {
  const report = await build()
  const { onExecutePostLogin } = createRequire(import.meta.url)(outfile) as { onExecutePostLogin: Handler }
  const server = await SellerServer.start(SellerServer.demoAnswers)
  const rows: Array<Array<string>> = []
  const logs: Array<string> = []
  try {
    for (const [index, sample] of samples.entries()) {
      const event = Events.postLogin({
        user: { user_id: `auth0|${index + 1}`, app_metadata: sample.appMetadata },
        client: { client_id: "shop-app", name: "Shop", metadata: { allowed_roles: "USER,ADMIN" } },
        secrets: { SELLER_API_URL: server.url, INTERCOM_SECRET: "demo-intercom-secret" }
      })
      const api = RecordingApi.make()
      const start = performance.now()
      // One after another on purpose: each login's time and log lines are its own.
      // oxlint-disable-next-line no-await-in-loop
      const { lines } = await LogCapture.around(() => onExecutePostLogin(event, api))
      const millis = performance.now() - start
      logs.push(...lines.map((line) => `[${index + 1}] ${line}`))
      const summary = api.summary()
      rows.push([
        String(index + 1),
        sample.who,
        summary.denied === undefined ? "allowed" : "denied",
        summary.denied ?? "-",
        claims(summary),
        millis.toFixed(0)
      ])
    }
  } finally {
    await server.close()
  }
  for (const line of table(["#", "who", "outcome", "why", "claims set", "ms"], rows)) console.log(line)
  console.log("")
  console.log("Action log lines:")
  for (const line of logs) console.log(`  ${line}`)
  console.log("")
  console.log(sizeLine(report))
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  }
)
