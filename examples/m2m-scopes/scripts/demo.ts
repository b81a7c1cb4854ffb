/**
 * The M2M demo: builds the credentials-exchange Action, loads the built dist/action.js with plain require (as Auth0
 * would), and plays client credentials grants through it with the trigger's recording api: the sample events in
 * events/, a client asking for a scope its metadata does not allow, a client whose metadata is malformed, an event
 * rulefx cannot read. Prints one line per grant (outcome, what Auth0 was asked to do), the Action's own log lines,
 * and the bundle size.
 */
import * as Bundle from "@rulefx/cli/Bundle"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as TriggerApis from "@rulefx/testing/TriggerApis"
import * as TriggerEvents from "@rulefx/testing/TriggerEvents"
import { mkdirSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"

type Handler = (event: unknown, api: TriggerApis.CredentialsExchange) => Promise<void>

const root = fileURLToPath(new URL("..", import.meta.url))
const outfile = `${root}dist/action.js`

const sampleEvent = (name: string): Record<string, unknown> =>
  TriggerEvents.credentialsExchange(JSON.parse(readFileSync(`${root}events/${name}.json`, "utf8")))

const samples: ReadonlyArray<readonly [string, unknown]> = [
  ["events/allowed.json (pro tier)", sampleEvent("allowed")],
  ["events/refused.json (delete:reports)", sampleEvent("refused")],
  [
    "free tier, allowed scope",
    TriggerEvents.credentialsExchange({
      client: { metadata: { allowed_scopes: "read:reports", tier: "free" } },
      transaction: { requested_scopes: ["read:reports"] }
    })
  ],
  ["no client section (unreadable event)", { resource_server: { identifier: "https://api.example.com" } }]
]

const show = (call: { readonly method: string; readonly args: ReadonlyArray<unknown> }): string =>
  `${call.method}(${call.args.map((a) => JSON.stringify(a)).join(", ")})`

const main = async (): Promise<void> => {
  mkdirSync(`${root}dist`, { recursive: true })
  const report = await Bundle.build({ entry: `${root}src/action.ts`, outfile })
  const action = createRequire(import.meta.url)(outfile) as Record<"onExecuteCredentialsExchange", Handler>
  console.log("examples/m2m-scopes: client credentials grants through the built Action\n")
  for (const [who, event] of samples) {
    const api = TriggerApis.credentialsExchange()
    // One grant at a time, so each one's log lines stay with it.
    // oxlint-disable-next-line no-await-in-loop
    const { lines } = await LogCapture.around(() => action.onExecuteCredentialsExchange(event, api))
    const calls = TriggerApis.decisive(api.calls)
    const outcome = calls.some((c) => c.method === "access.deny") ? "denied " : "allowed"
    console.log(`${outcome}  ${who}`)
    for (const call of calls) console.log(`           ${show(call)}`)
    for (const line of lines) console.log(`           log: ${line}`)
  }
  console.log(`\nbundle: ${report.bytes.toLocaleString("en")} bytes (limit 100,000) at ${outfile}`)
}

await main()
