/**
 * Event-loop turns and async resources per login of built Actions, counted with async_hooks: how many of each
 * resource type (Immediate, Timeout, TickObject, PROMISE, TCPWRAP, effect/Fiber...) one login creates, and how many
 * callbacks of each type run ("ran"). A deterministic figure: it does not move with the machine's load, so a change
 * that adds or removes an event-loop hop (a setImmediate from effect's scheduler, a timer, a socket read) shows at
 * once, where the wall clock could not tell it apart.
 *
 * Not part of `pnpm bench`: `node bench/turns.ts name=path ... [--only ada,bob] [--server] [--warmup N] [--logins N]`.
 * The hand-written Action (bench/baseline/action.js) is counted too. By default the seller call is speed.ts's fetch
 * stub (what the per-login timing sees); `--server` sends it to packages/testing's SellerServer on 127.0.0.1 instead,
 * run in this process, so that only the Action's own resources are counted (the real fetch: sockets, undici's timers).
 */
import { execFile } from "node:child_process"
import { promisify } from "node:util"
import * as SellerServer from "../packages/testing/src/SellerServer.ts"
import * as Args from "./args.ts"
import { latencyScenarios } from "./speed.ts"

const args = Args.parse(["only", "warmup", "logins"])
const flag = args.number
const server = args.has("server")
const files = [
  { name: "hand-written", path: new URL("./baseline/action.js", import.meta.url).pathname },
  ...args.files
]
const only = args.list("only")

const recordingApi = new URL("../packages/testing/src/RecordingApi.ts", import.meta.url).href
// One process per Action and login kind: `warmup` logins untouched, then `count` logins with the hook on. Prints, per
// resource type, how many were created ("new") and how many of their callbacks ran ("ran"), per login.
const child = `
import { createHook } from "node:async_hooks"
import { createRequire } from "node:module"
const [file, event, warmup, count, stub] = process.argv.slice(1)
const RecordingApi = await import(${JSON.stringify(recordingApi)})
if (stub === "stub") (await import(${JSON.stringify(new URL("./speed.ts", import.meta.url).href)})).stubFetch()
const { onExecutePostLogin } = createRequire(file)(file)
console.log = () => {}
const parsed = JSON.parse(event)
for (let i = 0; i < Number(warmup); i++) await onExecutePostLogin(parsed, RecordingApi.make())
const types = new Map()
const counts = {}
const bump = (key) => { counts[key] = (counts[key] ?? 0) + 1 }
const hook = createHook({
  init(id, type) { types.set(id, type); bump("new " + type) },
  before(id) { bump("ran " + (types.get(id) ?? "(older)")) }
})
hook.enable()
for (let i = 0; i < Number(count); i++) await onExecutePostLogin(parsed, RecordingApi.make())
hook.disable()
process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v / Number(count)]))))
`

const run = promisify(execFile)
const count = async (path: string, event: unknown): Promise<Record<string, number>> => {
  const { stdout } = await run(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      child,
      path,
      JSON.stringify(event),
      String(flag("warmup", 300)),
      String(flag("logins", 200)),
      server ? "server" : "stub"
    ],
    { maxBuffer: 16 * 1024 * 1024 }
  )
  return JSON.parse(stdout) as Record<string, number>
}

const seller = server ? await SellerServer.start() : undefined
try {
  for (const { event, who } of latencyScenarios.filter(({ who }) => only?.some((o) => who.includes(o)) ?? true)) {
    const withUrl = seller === undefined
      ? event
      : { ...(event as object), secrets: { ...(event as { secrets: object }).secrets, SELLER_API_URL: seller.url } }
    // One Action at a time: the counts do not depend on it, the machine is shared.
    const counts: Array<Record<string, number>> = []
    for (const { path } of files) counts.push(await count(path, withUrl)) // oxlint-disable-line no-await-in-loop
    const keys = [...new Set(counts.flatMap(Object.keys))].toSorted()
    console.log(`${who}${server ? " (SellerServer on 127.0.0.1)" : " (fetch stub)"}: per login`)
    console.log(`  ${"".padEnd(24)}${files.map(({ name }) => name.padStart(14)).join("")}`)
    for (const key of keys) {
      console.log(`  ${key.padEnd(24)}${counts.map((c) => (c[key] ?? 0).toFixed(2).padStart(14)).join("")}`)
    }
  }
} finally {
  await seller?.close()
}
