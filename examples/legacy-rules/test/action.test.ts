/**
 * The legacy rules of rules/, migrated once into one Action in a temporary folder outside the repository, loaded
 * with plain require and driven with Auth0-shaped events and a recording `api`.
 *
 * Every event starts from events/default.json (the Customer Portal, which passes every rule's gate and gets nothing
 * added) and changes only what the rule under test looks at: its app, connection, protocol, IP or profile.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Migrate from "@rulefx/cli/Migrate"
import * as MigrationPlan from "@rulefx/cli/MigrationPlan"
import { genericMessage } from "@rulefx/core/Denial"
import * as Events from "@rulefx/testing/Events"
import * as Listen from "@rulefx/testing/Listen"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as Effect from "effect/Effect"
import { execFile } from "node:child_process"
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs"
import { createServer } from "node:http"
import { createRequire, isBuiltin } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { vi } from "vitest"

type Handler = (event: unknown, api: RecordingApi.RecordingApi) => Promise<void>

interface Action {
  readonly onExecutePostLogin: Handler
  readonly onContinuePostLogin: Handler
}

const repo = fileURLToPath(new URL("../../..", import.meta.url))
const example = fileURLToPath(new URL("..", import.meta.url))
const rulesDir = join(example, "rules")
const bin = join(dirname(createRequire(import.meta.url).resolve("@rulefx/cli/package.json")), "bin", "workspace.js")

const DAY = 24 * 60 * 60 * 1000
const CONSENT_URL = "https://consent.example.com/terms"
const DEFAULT_PICTURE = "https://cdn.example.com/avatars/default.png"

const ruleNames = [
  "email-verified",
  "disable-resource-owner",
  "simple-domain-allowlist",
  "check-last-password-reset",
  "access-on-weekdays-only",
  "ip-address-allowlist",
  "ip-range-mfa",
  "require-mfa-once-per-session",
  "roles-creation",
  "add-country",
  "add-email-to-access-token",
  "billing-scopes",
  "add-persistence-attribute",
  "partner-tier",
  "redirect-to-consent",
  "first-login-webhook",
  "default-picture"
]

let dir = ""
let outfile = ""
let action: Action
let plan: MigrationPlan.Plan
let bytes = 0
// What the Action logs (a denial is logged with the rule's name), kept out of the test output.
const logs: Array<string> = []
let capture: LogCapture.Capture | undefined

const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, "utf8"))
const defaultEvent = readJson(join(example, "events", "default.json"))

/** The default event with `patch` merged in by section (see Events.merge); `undefined` removes. */
const event = (patch: Record<string, unknown> = {}) => Events.merge(defaultEvent, patch)

const client = (client_id: string, name: string) => ({ client: { client_id, name, metadata: {} } })

const run = async (handler: Handler, evt: unknown) => {
  const api = RecordingApi.make()
  await handler(evt, api)
  return { calls: api.calls, summary: api.summary() }
}

const login = (patch: Record<string, unknown> = {}) => run(action.onExecutePostLogin, event(patch))
const resume = (patch: Record<string, unknown> = {}) => run(action.onContinuePostLogin, event(patch))

const call = (method: string, ...args: ReadonlyArray<unknown>): RecordingApi.Call => ({ method, args })
const deny = (reason: string) => [call("access.deny", reason)]
const none: ReadonlyArray<RecordingApi.Call> = []

/** `rulefx migrate`'s report of the folder, line by line. */
const rendered = () => MigrationPlan.render(plan).split("\n")

/** An ISO date `days` before now. */
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString()

/**
 * Runs `f` with the clock set to `iso`. The rule reads the day from `new Date()`: only Date is faked (Effect's
 * timers stay real), and only around the call. Mid-day UTC is the same day from UTC-11 to UTC+11, so the local
 * `getDay()` the rule uses is the intended day wherever the tests run.
 */
const at = async <A>(iso: string, f: () => Promise<A>): Promise<A> => {
  vi.useFakeTimers({ toFake: ["Date"] })
  vi.setSystemTime(new Date(iso))
  try {
    return await f()
  } finally {
    vi.useRealTimers()
  }
}

/** `event.authentication.methods` with these method names. */
const methods = (...names: Array<string>) => ({
  authentication: { methods: names.map((name) => ({ name, timestamp: "2025-01-15T12:00:00.000Z" })) }
})

/** The PARTNER_TIERS secret holding this table, and the claim partner-tier sets. */
const tiers = (table: Record<string, string>) => ({ secrets: { PARTNER_TIERS: JSON.stringify(table) } })
const tierClaim = (tier: string) => [call("idToken.setCustomClaim", "https://example.com/partner_tier", tier)]

/** A first login, with the webhook at this URL. */
const firstLogin = (webhook: string) => ({ stats: { logins_count: 1 }, secrets: { WEBHOOK_URL: webhook } })

/** Runs `rulefx ...args` (the workspace's bin) in the example's folder; never rejects. */
const rulefx = (...args: ReadonlyArray<string>) =>
  new Promise<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: example, timeout: 30_000, env: { ...process.env, NO_COLOR: "1" } },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr })
      }
    )
  })

const load = (file: string): Action => createRequire(file)(file) as Action

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rulefx-legacy-rules-"))
  outfile = join(dir, "action.js")
  const result = await Effect.runPromise(Migrate.migrate(rulesDir, outfile))
  plan = result.plan
  bytes = result.report.bytes
  // Bundle.build marks the folder CommonJS; outside a "type": "module" project the file alone is enough.
  rmSync(join(dir, "package.json"), { force: true })
  action = load(outfile)
  capture = LogCapture.start({ lines: logs })
}, 60_000)

afterAll(() => {
  capture?.stop()
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

describe("the migrated Action", () => {
  it("is one file within Auth0's 100 kB, outside the repository, needing nothing installed beside it", () => {
    assert.isFalse(dir.startsWith(repo))
    assert.strictEqual(statSync(outfile).size, bytes)
    assert.isAtMost(bytes, 100_000)
    const source = readFileSync(outfile, "utf8")
    const required = [...source.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? "")
    // The rules' sources are in the file as they were written (minified): their own require calls are answered from
    // the Action's bundled modules, not from node_modules.
    const rulesRequire = new Set(plan.modules.map((m) => m.name === "netmask" ? "netmask@2.0.2" : m.name))
    for (const name of required) assert.isTrue(isBuiltin(name) || rulesRequire.has(name), `requires ${name}`)
    assert.strictEqual(typeof action.onExecutePostLogin, "function")
    assert.strictEqual(typeof action.onContinuePostLogin, "function")
  })

  it("the default event passes every rule's gate and gets nothing added", async () => {
    const { calls } = await login()
    assert.deepStrictEqual(calls, none)
  })
})

describe("migrate's report", () => {
  it("lists every rule in order, numbered, with its order and file", () => {
    const headers = rendered().filter((line) => /^ {2}\d+\. /.test(line))
    assert.deepStrictEqual(headers, ruleNames.map((name, i) => `  ${i + 1}. ${name} (order ${i + 1}) ${name}.js`))
    assert.deepStrictEqual(plan.skipped, [])
    assert.deepStrictEqual(plan.warnings, [])
  })

  it("lists each rule's translated constructs, none refused", () => {
    const constructs: Record<string, Array<string>> = {}
    let current = ""
    for (const line of rendered()) {
      const header = /^ {2}\d+\. (\S+) /.exec(line)
      if (header !== null) {
        current = header[1]!
        constructs[current] = []
        continue
      }
      const finding = /^ {7}line (\d+) +(\S+) (\S+): /.exec(line)
      if (finding !== null) {
        assert.strictEqual(finding[2], "translated", line)
        constructs[current]!.push(`${finding[1]} ${finding[3]}`)
      }
    }
    assert.deepStrictEqual(constructs, {
      "email-verified": ["6 callback(error)", "6 UnauthorizedError"],
      "disable-resource-owner": ["5 context.protocol", "6 callback(error)", "6 UnauthorizedError"],
      "simple-domain-allowlist": ["9 callback(error)", "9 UnauthorizedError"],
      "check-last-password-reset": ["13 callback(error)", "13 UnauthorizedError"],
      "access-on-weekdays-only": ["9 callback(error)", "9 UnauthorizedError"],
      "ip-address-allowlist": ["8 callback(error)"],
      "ip-range-mfa": ["9 require", "10 configuration", "13 context.multifactor"],
      "require-mfa-once-per-session": ["9 context.authentication", "14 context.multifactor"],
      "roles-creation": [
        "11 context.idToken",
        "18 auth0.users.updateAppMetadata",
        "20 context.idToken",
        "24 callback(error)"
      ],
      "add-country": [
        "10 context.request.geoip",
        "11 context.idToken",
        "11 context.request.geoip",
        "12 context.idToken",
        "12 context.request.geoip"
      ],
      "add-email-to-access-token": ["10 context.accessToken"],
      "billing-scopes": ["15 context.accessToken.scope"],
      "add-persistence-attribute": ["11 context.idToken", "13 auth0.users.updateUserMetadata", "18 callback(error)"],
      "partner-tier": ["10 global", "11 global", "11 configuration", "15 context.idToken", "15 global"],
      "redirect-to-consent": [
        "16 context.redirect",
        "16 configuration",
        "19 context.protocol",
        "24 callback(error)",
        "24 UnauthorizedError",
        "27 auth0.users.updateAppMetadata",
        "31 callback(error)"
      ],
      "first-login-webhook": ["6 context.stats", "6 context.protocol", "10 require", "13 configuration"],
      "default-picture": ["6 user.root"]
    })
  })

  it("names the Action secrets and how each module is bundled", () => {
    const lines = rendered()
    assert.include(
      lines,
      "Action secrets (Rules settings, set each as a secret of the Action): CONSENT_URL, CORPORATE_CIDR, " +
        "PARTNER_TIERS, WEBHOOK_URL"
    )
    assert.include(lines, "modules: netmask (bundled), request (rulefx's fetch-based shim)")
    assert.include(
      lines,
      "       line 9    translated require: \"netmask@2.0.2\": bundled from node_modules (version pin dropped)"
    )
    assert.deepStrictEqual(Object.keys(defaultEvent["secrets"] as object).toSorted(), plan.configurationKeys)
  })
})

describe("email-verified", () => {
  it("denies a user whose email is not verified, with the rule's message, and logs which rule denied", async () => {
    const before = logs.length
    const { calls } = await login({ user: { email_verified: false } })
    assert.deepStrictEqual(calls, deny("Please verify your email before logging in."))
    const logged = logs.slice(before)
    assert.strictEqual(logged.length, 1)
    assert.include(logged[0], "rule=email-verified reason=Please verify your email before logging in.")
  })

  it("lets a verified user in", async () => {
    const { calls } = await login({ user: { email_verified: true } })
    assert.deepStrictEqual(calls, none)
  })
})

describe("disable-resource-owner", () => {
  it("denies the resource owner password grant", async () => {
    const { calls } = await login({ transaction: { protocol: "oauth2-resource-owner" } })
    assert.deepStrictEqual(calls, deny("The resource owner endpoint cannot be used."))
  })

  it("lets other protocols through (refresh token)", async () => {
    const { calls } = await login({ transaction: { protocol: "oauth2-refresh-token" } })
    assert.deepStrictEqual(calls, none)
  })
})

describe("simple-domain-allowlist", () => {
  it("denies an email outside the allowed domains", async () => {
    const { calls } = await login({ user: { email: "mallory@evil.test" } })
    assert.deepStrictEqual(calls, deny("Access denied."))
  })

  it("denies a user without an email", async () => {
    const { calls } = await login({ user: { email: undefined } })
    assert.deepStrictEqual(calls, deny("Access denied."))
  })

  it("lets the second allowed domain in, whatever its case", async () => {
    const { calls } = await login({ user: { email: "grace@EXAMPLE.ORG" } })
    assert.deepStrictEqual(calls, none)
  })
})

describe("check-last-password-reset", () => {
  const database = { connection: { id: "con_db", name: "Username-Password-Authentication", strategy: "auth0" } }

  it("denies a database user whose last password reset is older than 30 days", async () => {
    const { calls } = await login({ ...database, user: { last_password_reset: ago(31), created_at: ago(400) } })
    assert.deepStrictEqual(calls, deny("Your password has expired."))
  })

  it("falls back to created_at when the password was never reset", async () => {
    const { calls } = await login({ ...database, user: { created_at: ago(40) } })
    assert.deepStrictEqual(calls, deny("Your password has expired."))
  })

  it("lets a database user with a recent password in", async () => {
    assert.deepStrictEqual((await login({ ...database, user: { last_password_reset: ago(29) } })).calls, none)
    assert.deepStrictEqual((await login({ ...database, user: { created_at: ago(10) } })).calls, none)
  })

  it("does not look at other connections", async () => {
    const { calls } = await login({ user: { last_password_reset: ago(365) } })
    assert.deepStrictEqual(calls, none)
  })
})

describe("access-on-weekdays-only", () => {
  const timesheets = client("timesheets-id", "Timesheets")

  it("denies Timesheets on Saturday and Sunday", async () => {
    const saturday = await at("2025-01-18T12:00:00Z", () => login(timesheets))
    assert.deepStrictEqual(saturday.calls, deny("This app is only available during the week."))
    const sunday = await at("2025-01-19T12:00:00Z", () => login(timesheets))
    assert.deepStrictEqual(sunday.calls, deny("This app is only available during the week."))
  })

  it("lets Timesheets in on a weekday, and other apps in at the weekend", async () => {
    assert.deepStrictEqual((await at("2025-01-15T12:00:00Z", () => login(timesheets))).calls, none)
    assert.deepStrictEqual((await at("2025-01-18T12:00:00Z", () => login())).calls, none)
  })
})

describe("ip-address-allowlist", () => {
  const intranet = client("intranet-id", "Intranet")

  it("denies the Intranet from an IP outside the list", async () => {
    const { calls } = await login({ ...intranet, request: { ip: "203.0.113.10" } })
    assert.deepStrictEqual(calls, deny("Access denied from this IP address."))
  })

  it("lets the Intranet in from an office IP", async () => {
    const { calls } = await login({ ...intranet, request: { ip: "198.51.100.8" } })
    assert.deepStrictEqual(calls, none)
  })
})

describe("ip-range-mfa (netmask from node_modules)", () => {
  const vpn = client("vpn-portal-id", "VPN Portal")

  it("asks for Guardian MFA outside the corporate CIDR (the CORPORATE_CIDR secret)", async () => {
    const { calls } = await login({ ...vpn, request: { ip: "198.51.100.23" } })
    assert.deepStrictEqual(calls, [call("multifactor.enable", "guardian", { allowRememberBrowser: false })])
  })

  it("asks for nothing inside it", async () => {
    const { calls } = await login({ ...vpn, request: { ip: "10.20.7.1" } })
    assert.deepStrictEqual(calls, none)
  })

  it("follows the secret: the same IP outside another CIDR gets MFA", async () => {
    const { calls } = await login({ ...vpn, request: { ip: "10.20.7.1" }, secrets: { CORPORATE_CIDR: "10.30.0.0/16" } })
    assert.deepStrictEqual(calls, [call("multifactor.enable", "guardian", { allowRememberBrowser: false })])
  })
})

describe("require-mfa-once-per-session", () => {
  const banking = client("banking-id", "Online Banking")

  it("asks for any factor when the session has no MFA yet", async () => {
    const { calls } = await login({ ...banking, ...methods("pwd") })
    assert.deepStrictEqual(calls, [call("multifactor.enable", "any", { allowRememberBrowser: false })])
  })

  it("asks for nothing once MFA was done in the session", async () => {
    const { calls } = await login({ ...banking, ...methods("pwd", "mfa") })
    assert.deepStrictEqual(calls, none)
  })
})

describe("roles-creation", () => {
  const admin = client("admin-console-id", "Admin Console")

  it("gives an example.com user the admin role, persisted once, and the roles claim", async () => {
    const { calls } = await login(admin)
    assert.deepStrictEqual(calls, [
      call("idToken.setCustomClaim", "https://example.com/roles", ["admin"]),
      call("user.setAppMetadata", "roles", ["admin"])
    ])
  })

  it("gives users of other domains the user role", async () => {
    const { calls } = await login({ ...admin, user: { email: "grace@example.org" } })
    assert.deepStrictEqual(calls, [
      call("idToken.setCustomClaim", "https://example.com/roles", ["user"]),
      call("user.setAppMetadata", "roles", ["user"])
    ])
  })

  it("keeps roles already set: the claim only, nothing persisted", async () => {
    const { calls } = await login({ ...admin, user: { app_metadata: { roles: ["auditor"] } } })
    assert.deepStrictEqual(calls, [call("idToken.setCustomClaim", "https://example.com/roles", ["auditor"])])
  })
})

describe("add-country", () => {
  const geoip = { request: { geoip: { countryCode: "FR", countryName: "France", timeZone: "Europe/Paris" } } }

  it("adds the country and time zone (Actions' camelCase geoip read as Rules' snake_case)", async () => {
    const { calls } = await login({ ...client("travel-id", "Travel Planner"), ...geoip })
    assert.deepStrictEqual(calls, [
      call("idToken.setCustomClaim", "https://example.com/country", "France"),
      call("idToken.setCustomClaim", "https://example.com/timezone", "Europe/Paris")
    ])
  })

  it("adds nothing for other apps", async () => {
    const { calls } = await login(geoip)
    assert.deepStrictEqual(calls, none)
  })
})

describe("add-email-to-access-token", () => {
  it("puts the email in a namespaced access-token claim for Reports", async () => {
    const { calls } = await login(client("reports-id", "Reports"))
    assert.deepStrictEqual(calls, [call("accessToken.setCustomClaim", "https://example.com/email", "ada@example.com")])
  })

  it("adds nothing for other apps", async () => {
    const { calls } = await login(client("reports-other-id", "Reports"))
    assert.deepStrictEqual(calls, none)
  })
})

describe("billing-scopes", () => {
  const billing = {
    ...client("billing-id", "Billing"),
    request: { query: { scope: "openid profile write:invoices" } },
    transaction: { requested_scopes: ["openid", "profile", "write:invoices"] }
  }

  it("adds read:invoices and removes write:invoices for a non-admin", async () => {
    const { calls } = await login(billing)
    assert.deepStrictEqual(calls, [
      call("accessToken.removeScope", "write:invoices"),
      call("accessToken.addScope", "read:invoices")
    ])
  })

  it("lets a billing admin keep write:invoices", async () => {
    const { calls } = await login({ ...billing, user: { app_metadata: { billing_admin: true } } })
    assert.deepStrictEqual(calls, [call("accessToken.addScope", "read:invoices")])
  })

  it("changes no scope for other apps", async () => {
    const { calls } = await login({ ...billing, ...client("portal-id", "Customer Portal") })
    assert.deepStrictEqual(calls, none)
  })
})

describe("add-persistence-attribute", () => {
  const paint = client("paint-id", "Paint Studio")

  it("gives a user without a color purple, persisted in user_metadata, and the claim", async () => {
    const { calls } = await login(paint)
    assert.deepStrictEqual(calls, [
      call("idToken.setCustomClaim", "https://example.com/favorite_color", "purple"),
      call("user.setUserMetadata", "color", "purple")
    ])
  })

  it("keeps a color already chosen: the claim only, nothing written", async () => {
    const { calls } = await login({ ...paint, user: { user_metadata: { color: "green", theme: "dark" } } })
    assert.deepStrictEqual(calls, [call("idToken.setCustomClaim", "https://example.com/favorite_color", "green")])
  })
})

describe("default-picture", () => {
  it("a user without a picture gets the default avatar as the picture claim", async () => {
    const { calls } = await login({ user: { picture: undefined } })
    assert.deepStrictEqual(calls, [call("idToken.setCustomClaim", "picture", DEFAULT_PICTURE)])
  })

  it("a user's own picture is left alone", async () => {
    const { calls } = await login({ user: { picture: "https://cdn.example.com/ada.png" } })
    assert.deepStrictEqual(calls, none)
  })
})

describe("partner-tier: global", () => {
  const partner = client("partner-hub-id", "Partner Hub")

  it("two logins through the same loaded Action share global: the table parsed first is kept", async () => {
    const first = await login({ ...partner, ...tiers({ "example.com": "gold" }) })
    assert.deepStrictEqual(first.calls, tierClaim("gold"))
    // A changed setting is not seen: the rule cached the first table in global, as under Rules.
    const second = await login({ ...partner, ...tiers({ "example.com": "platinum" }) })
    assert.deepStrictEqual(second.calls, tierClaim("gold"))
    const unknown = await login({ ...partner, user: { email: "grace@example.org" } })
    assert.deepStrictEqual(unknown.calls, tierClaim("none"))
  })

  it("the continue pass shares it too, and a freshly loaded Action starts with an empty global", async () => {
    const resumed = await resume({ ...partner, ...tiers({ "example.com": "platinum" }) })
    assert.deepStrictEqual(resumed.calls, tierClaim("gold"))
    const copy = join(dir, "action-copy.js")
    copyFileSync(outfile, copy)
    const fresh = load(copy)
    const { calls } = await run(fresh.onExecutePostLogin, event({ ...partner, ...tiers({ "example.com": "bronze" }) }))
    assert.deepStrictEqual(calls, tierClaim("bronze"))
  })
})

describe("redirect-to-consent", () => {
  const marketplace = client("marketplace-id", "Marketplace")

  it("onExecutePostLogin sends a user without consent to CONSENT_URL", async () => {
    const { calls } = await login(marketplace)
    assert.deepStrictEqual(calls, [call("redirect.sendUserTo", CONSENT_URL, { query: {} })])
  })

  it("without the CONSENT_URL secret the login is denied, never let through without the consent page", async () => {
    const { calls } = await login({ ...marketplace, secrets: { CONSENT_URL: undefined } })
    assert.deepStrictEqual(calls, deny(genericMessage))
  })

  it("a user who already consented is not redirected", async () => {
    const { calls } = await login({ ...marketplace, user: { app_metadata: { consent_given: true } } })
    assert.deepStrictEqual(calls, none)
  })

  it("onContinuePostLogin with consent=yes persists the consent; the redirect the rule sets again is ignored", async () => {
    const { calls } = await resume({ ...marketplace, request: { query: { consent: "yes", state: "st-1" } } })
    assert.deepStrictEqual(calls, [call("user.setAppMetadata", "consent_given", true)])
  })

  it("onContinuePostLogin without consent=yes denies", async () => {
    const refused = await resume({ ...marketplace, request: { query: { consent: "no", state: "st-1" } } })
    assert.deepStrictEqual(refused.calls, deny("You must accept the terms."))
    const missing = await resume({ ...marketplace, request: { query: { state: "st-1" } } })
    assert.deepStrictEqual(missing.calls, deny("You must accept the terms."))
  })

  it("onContinuePostLogin runs every rule again from the first", async () => {
    const { calls } = await resume({
      ...marketplace,
      user: { email_verified: false },
      request: { query: { consent: "yes", state: "st-1" } }
    })
    assert.deepStrictEqual(calls, deny("Please verify your email before logging in."))
  })

  it("other apps are never redirected", async () => {
    const { calls } = await resume({ request: { query: { consent: "no" } } })
    assert.deepStrictEqual(calls, none)
  })
})

describe("first-login-webhook", () => {
  interface Received {
    readonly method: string | undefined
    readonly url: string | undefined
    readonly contentType: string | undefined
    readonly body: unknown
  }

  let listening: Listen.Listening | undefined
  let url = ""
  let status = 204
  const received: Array<Received> = []

  beforeAll(async () => {
    const server = createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (chunk: Buffer) => chunks.push(chunk))
      req.on("end", () => {
        received.push({
          method: req.method,
          url: req.url,
          contentType: req.headers["content-type"],
          body: JSON.parse(Buffer.concat(chunks).toString("utf8"))
        })
        res.writeHead(status).end()
      })
    })
    listening = await Listen.listen(server)
    url = `${listening.url}/hooks/first-login`
  })

  afterAll(async () => {
    await listening?.close()
  })

  it("POSTs the new user as JSON on the first login, and the login goes on", async () => {
    received.length = 0
    const { calls } = await login(firstLogin(url))
    assert.deepStrictEqual(calls, none)
    assert.deepStrictEqual(received, [{
      method: "POST",
      url: "/hooks/first-login",
      contentType: "application/json",
      body: { user_id: "google-oauth2|1001", email: "ada@example.com" }
    }])
  })

  it("a failing webhook (500) does not block the login", async () => {
    received.length = 0
    status = 500
    try {
      const { calls } = await login(firstLogin(url))
      assert.deepStrictEqual(calls, none)
      assert.strictEqual(received.length, 1)
    } finally {
      status = 204
    }
  })

  it("when the webhook is down, the login still succeeds and the rule logs why", async () => {
    const closed = await Listen.listen(createServer())
    await closed.close()
    const down = `${closed.url}/hooks/first-login`
    const { lines: logs, result } = await LogCapture.around(() => login(firstLogin(down)))
    assert.deepStrictEqual(result.calls, none)
    assert.deepStrictEqual(logs, ["rulefx legacy rule=first-login-webhook: webhook failed: ECONNREFUSED"])
  })

  it("is not called on later logins, nor again when the login resumes from a redirect", async () => {
    received.length = 0
    assert.deepStrictEqual((await login({ stats: { logins_count: 2 }, secrets: { WEBHOOK_URL: url } })).calls, none)
    assert.deepStrictEqual((await resume(firstLogin(url))).calls, none)
    assert.deepStrictEqual(received, [])
  })
})

describe("rulefx run", () => {
  it("prints the outcome of events/admin-console.json run against the built Action", async () => {
    const out = await rulefx("run", outfile, "--event", join("events", "admin-console.json"))
    assert.strictEqual(out.code, 0, out.stderr)
    const lines = out.stdout.trimEnd().split("\n")
    assert.match(lines.at(-1) ?? "", /^elapsed {7}\d+\.\d ms$/)
    // The sample events are written by hand: what they leave out of what Auth0 always sends is filled, and listed.
    assert.deepStrictEqual(lines.slice(0, -1), [
      "outcome       allowed",
      "id token      https://example.com/roles = [\"admin\"]",
      "app_metadata  roles = [\"admin\"]",
      "filled        tenant, user.updated_at, user.identities, request.method, request.body (missing from the event, " +
      "filled with realistic defaults; --strict refuses instead)"
    ])
  }, 30_000)

  it("prints the denial of events/unverified-email.json", async () => {
    const out = await rulefx("run", outfile, "--event", join("events", "unverified-email.json"), "--json")
    assert.strictEqual(out.code, 0, out.stderr)
    const result = JSON.parse(out.stdout) as { outcome: string; reason: string; calls: unknown }
    assert.strictEqual(result.outcome, "denied")
    assert.strictEqual(result.reason, "Please verify your email before logging in.")
    assert.deepStrictEqual(result.calls, deny("Please verify your email before logging in."))
  }, 30_000)
})
