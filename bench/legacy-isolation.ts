/**
 * `node bench/legacy-isolation.ts [auth0-rules-checkout]`: what the barrier around legacy rules costs, measured
 * against the same rules run in rulefx's own realm (no barrier), in one run. Figures for docs/legacy-isolation.md:
 *
 * 1. the realm: creating one (the barrier: once per rule per Action instance), against a new context per login;
 * 2. cold start: the first login through examples/legacy-rules' 17 rules (every realm created), then the median of
 *    later logins, each with and without the barrier, and the memory the realms hold;
 * 3. with a checkout of the public auth0/rules repository (its src/rules/*.js): every classic template compiled in a
 *    realm and in strict mode, and run through both with one login (a permissive stub for what it requires), to
 *    list the templates whose outcome the barrier changes.
 *
 * Prints a Markdown summary. Nothing is written.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"
import * as vm from "node:vm"
// Logins and templates are measured one after another, on purpose; a Script is built only to see whether it compiles.
// oxlint-disable no-await-in-loop, no-new
import * as PostLogin from "../packages/adapter-auth0/src/PostLogin.ts"
import * as Analyze from "../packages/cli/src/Analyze.ts"
import * as LegacyRule from "../packages/legacy-rules/src/LegacyRule.ts"
import * as LegacyRules from "../packages/legacy-rules/src/LegacyRules.ts"
import * as Realm from "../packages/legacy-rules/src/Realm.ts"
import * as RecordingApi from "../packages/testing/src/RecordingApi.ts"

const root = new URL("..", import.meta.url).pathname
const median = (xs: ReadonlyArray<number>) => [...xs].toSorted((a, b) => a - b)[Math.floor(xs.length / 2)]!
const ms = (n: number) => `${n.toFixed(3)} ms`
const out = (line = "") => process.stdout.write(`${line}\n`)
const quiet = <A>(f: () => Promise<A>): Promise<A> => {
  const log = console.log
  console.log = () => undefined
  return f().finally(() => (console.log = log))
}

// --- 1. The realm itself ----------------------------------------------------------------------------------------

const time = (n: number, f: () => void) => {
  const t0 = performance.now()
  for (let i = 0; i < n; i++) f()
  return (performance.now() - t0) / n
}
const source = "function (user, context, callback) { callback(null, user, context) }"
// Warmed up, then each measured twice, interleaved, the lower kept (the machine is shared).
time(50, () => Realm.compile("r", source))
time(50, () => vm.createContext(vm.constants.DONT_CONTEXTIFY))
const contextMillis = Math.min(...[0, 1].map(() => time(200, () => vm.createContext(vm.constants.DONT_CONTEXTIFY))))
const realmMillis = Math.min(...[0, 1].map(() => time(200, () => Realm.compile("r", source))))
globalThis.gc?.()
const heap0 = process.memoryUsage().heapUsed
const kept = Array.from({ length: 100 }, () => Realm.compile("r", source))
globalThis.gc?.()
const heapPerRealm = (process.memoryUsage().heapUsed - heap0) / kept.length

out("## The realm")
out()
out(`| what | per item |`)
out(`|---|---:|`)
out(`| a bare node:vm context (DONT_CONTEXTIFY) | ${ms(contextMillis)} |`)
out(`| a rule realm (context, globals moved behind the proxy, Date, compile) | ${ms(realmMillis)} |`)
out(
  `| heap held per realm (100 kept${globalThis.gc === undefined ? ", without --expose-gc" : ""}) | ${
    (heapPerRealm / 1024).toFixed(0)
  } kB |`
)
out()

// --- 2. Cold start and per login, examples/legacy-rules ---------------------------------------------------------

const rulesDir = join(root, "examples/legacy-rules/rules")
const names = readdirSync(rulesDir).filter((f) => f.endsWith(".json")).toSorted()
const specs = names.map((f) => {
  const meta = JSON.parse(readFileSync(join(rulesDir, f), "utf8")) as { name?: string; order?: number }
  const text = readFileSync(join(rulesDir, f.replace(/\.json$/, ".js")), "utf8")
  return { name: meta.name ?? f, order: meta.order ?? 0, text }
}).toSorted((a, b) => a.order - b.order)

// The same source in rulefx's own realm: the rule's globals as parameters, as the Action had them before.
const unisolated = (text: string) =>
  new Function(
    "{ configuration, global, auth0, UnauthorizedError, require, console }",
    `return (${text}\n)`
  ) as (globals: LegacyRule.Globals) => LegacyRule.RuleFunction

const modules = {
  netmask: createRequire(join(root, "examples/legacy-rules/package.json"))("netmask") as unknown,
  request: (await import("../packages/legacy-rules/src/Request.ts")).request
}
const secrets = {
  CONSENT_URL: "https://consent.example.com/terms",
  CORPORATE_CIDR: "10.0.0.0/8",
  PARTNER_TIERS: "{}",
  WEBHOOK_URL: "http://127.0.0.1:9/hook"
}
const event = (i: number) => ({
  secrets,
  user: {
    user_id: `auth0|u${i}`,
    email: `u${i}@example.com`,
    email_verified: true,
    app_metadata: {},
    user_metadata: {},
    created_at: new Date().toISOString()
  },
  client: { client_id: "portal", name: "Customer Portal", metadata: {} },
  connection: { id: "c", name: "google-oauth2", strategy: "google-oauth2" },
  request: { ip: "203.0.113.7", query: {}, geoip: {} },
  stats: { logins_count: 5 },
  transaction: { protocol: "oidc-basic-profile", requested_scopes: ["openid"] }
})

const handlerOf = (isolated: boolean) => {
  const rules = specs.map((s) => LegacyRule.make(s.name, isolated ? s.text : unisolated(s.text)))
  return PostLogin.make(LegacyRules.pipeline(LegacyRules.make(rules, { modules })), Layer.empty)
}

const measure = async (isolated: boolean) => {
  const handler = handlerOf(isolated)
  const t0 = performance.now()
  await quiet(() => handler(event(0), RecordingApi.make()))
  const first = performance.now() - t0
  const times: Array<number> = []
  await quiet(async () => {
    for (let i = 1; i <= 3000; i++) {
      const t = performance.now()
      await handler(event(i), RecordingApi.make())
      times.push(performance.now() - t)
    }
  })
  return { first, perLogin: median(times.slice(1000)) }
}

// rulefx's own code compiled first, so that a first login measures the realms, not the JIT.
await quiet(async () => {
  const warm = handlerOf(false)
  for (let i = 0; i < 300; i++) await warm(event(i), RecordingApi.make())
})
// Interleaved rounds, the lower median kept for each.
const rounds = [await measure(false), await measure(true), await measure(false), await measure(true)]
// The first login of the first round: the later rounds find rulefx's own code compiled already.
const best = (xs: ReadonlyArray<{ first: number; perLogin: number }>) => ({
  first: xs[0]!.first,
  perLogin: Math.min(...xs.map((x) => x.perLogin))
})
const plain = best([rounds[0]!, rounds[2]!])
const barrier = best([rounds[1]!, rounds[3]!])
out(`## examples/legacy-rules (${specs.length} rules), in-process, 3000 logins, median of the last 2000, best of 2`)
out()
out(`| | first login (every realm made) | per login |`)
out(`|---|---:|---:|`)
out(`| rulefx's realm (no barrier) | ${ms(plain.first)} | ${ms(plain.perLogin)} |`)
out(`| a realm per rule (the barrier) | ${ms(barrier.first)} | ${ms(barrier.perLogin)} |`)
out(`| a context per login instead (estimate: realm x rules) | | ${ms(realmMillis * specs.length)} more |`)
out()

// --- 3. The classic templates -----------------------------------------------------------------------------------

const templatesDir = process.argv[2]
if (templatesDir !== undefined && existsSync(templatesDir)) {
  const files = readdirSync(templatesDir).filter((f) => f.endsWith(".js") && !f.endsWith(".test.js")).toSorted()
  // A stand-in for any module: callable, constructible, every property another stand-in, callbacks never called.
  const stub: unknown = new Proxy(function() {}, {
    get: (_, key) => (key === "then" ? undefined : key === Symbol.toPrimitive ? () => "stub" : stub),
    apply: () => stub,
    construct: () => stub as object
  })
  const rows: Array<string> = []
  let realmCompiles = 0
  let strictCompiles = 0
  let same = 0
  for (const file of files) {
    const text = readFileSync(join(templatesDir, file), "utf8")
    // The template files are `function name(user, context, callback) {...}`, some with a leading comment block.
    let compiled = true
    try {
      Realm.compile(file, text)
      realmCompiles++
    } catch {
      compiled = false
    }
    try {
      new vm.Script(`"use strict";(${text}\n)`)
      strictCompiles++
    } catch (error) {
      rows.push(`| ${file} | strict mode: ${String((error as Error).message).slice(0, 60)} |`)
    }
    if (!compiled) {
      rows.push(`| ${file} | does not compile in a realm |`)
      continue
    }
    const analysis = await Effect.runPromise(Effect.result(Analyze.analyze(file, text)))
    const outcome = async (isolated: boolean) => {
      const rule = LegacyRule.make(file, isolated ? text : unisolated(text), { timeout: 300 })
      const handler = PostLogin.make(
        LegacyRules.pipeline(
          LegacyRules.make([rule], { modules: new Proxy({}, { get: () => stub, has: () => true }) })
        ),
        Layer.empty,
        { deadline: 1000 }
      )
      const api = RecordingApi.make()
      await quiet(() => handler(event(1), api))
      // Timestamps differ from run to run: not the barrier's doing.
      return JSON.stringify(api.calls).replace(/\d{4}-\d\d-\d\dT[\d:.]+Z|1\d{12}/g, "<time>")
    }
    const [a, b] = [await outcome(false), await outcome(true)]
    if (a === b) same++
    else rows.push(`| ${file} | outcome differs: ${a.slice(0, 80)} vs ${b.slice(0, 80)} |`)
    void analysis
  }
  out(`## The ${files.length} classic templates (${templatesDir})`)
  out()
  out(
    `compile in a realm: ${realmCompiles}/${files.length}; compile in strict mode: ${strictCompiles}/${files.length}; `
  )
  out(`same outcome with and without the barrier (one login, modules stubbed): ${same}/${realmCompiles}`)
  out()
  if (rows.length > 0) {
    out(`| template | what differs |`)
    out(`|---|---|`)
    for (const row of rows) out(row)
  }
}
