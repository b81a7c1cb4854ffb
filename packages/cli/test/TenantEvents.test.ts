/**
 * `rulefx events --from-tenant` against the fake tenant (@rulefx/testing ManagementServer, on 127.0.0.1): one event
 * per (user, application), users sampled by seed and read page by page, nothing secret in the output, and the
 * Management API's failures named (bad credentials, a missing scope, rate limits retried then given up on).
 */
import { afterEach, assert, describe, it } from "@effect/vitest"
import * as Diff from "@rulefx/cli/Diff"
import * as ManagementClient from "@rulefx/cli/ManagementClient"
import * as TenantEvents from "@rulefx/cli/TenantEvents"
import * as ManagementServer from "@rulefx/testing/ManagementServer"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const bin = fileURLToPath(new URL("../bin/workspace.js", import.meta.url))

// Distinctive secret values: none may appear in any output.
const clientSecret = "client-secret-9f3b2a7c61"
const idpToken = "idp-access-token-5d8e1c0a"
const idpRefresh = "idp-refresh-token-2b7f9e44"
const connectionSecret = "google-client-secret-77aa13"
const secrets = [clientSecret, idpToken, idpRefresh, connectionSecret, "client-secret"]

const user = (i: number) => ({
  user_id: i % 3 === 0 ? `google-oauth2|${1000 + i}` : `auth0|user${i}`,
  email: `user${i}@${i % 2 === 0 ? "example.com" : "example.org"}`,
  email_verified: i % 4 !== 1,
  name: `User ${i}`,
  nickname: `user${i}`,
  picture: `https://s.gravatar.com/avatar/${i}.png`,
  created_at: "2024-03-04T05:06:07.000Z",
  updated_at: "2026-01-02T03:04:05.000Z",
  logins_count: i,
  last_ip: "198.51.100.20",
  app_metadata: i % 2 === 0 ? { roles: ["ADMIN"], plan: `plan-${i}` } : {},
  user_metadata: { color: "green" },
  identities: [
    i % 3 === 0
      ? {
        connection: "google-oauth2",
        provider: "google-oauth2",
        user_id: String(1000 + i),
        isSocial: true,
        access_token: idpToken,
        refresh_token: idpRefresh
      }
      : { connection: "Username-Password-Authentication", provider: "auth0", user_id: `user${i}`, isSocial: false }
  ]
})

const users = Array.from({ length: 23 }, (_, i) => user(i))

const clients = [
  { client_id: "global-client", name: "All Applications", global: true, client_secret: clientSecret },
  {
    client_id: "cli_portal",
    name: "Partner Portal",
    app_type: "regular_web",
    global: false,
    client_secret: clientSecret,
    client_metadata: { allowed_roles: "USER, ADMIN" },
    signing_keys: [{ cert: "cert" }]
  },
  { client_id: "cli_spa", name: "Shop SPA", app_type: "spa", global: false, client_metadata: {} },
  { client_id: "cli_m2m", name: "Billing Job", app_type: "non_interactive", global: false, client_secret: clientSecret }
]

const connections = [
  {
    id: "con_db1",
    name: "Username-Password-Authentication",
    strategy: "auth0",
    options: { passwordPolicy: "good" },
    metadata: {}
  },
  {
    id: "con_google",
    name: "google-oauth2",
    strategy: "google-oauth2",
    options: { client_id: "goog", client_secret: connectionSecret },
    metadata: { tier: "social" }
  }
]

let server: ManagementServer.ManagementServer | undefined
let dir = ""

afterEach(async () => {
  await server?.close()
  server = undefined
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
  dir = ""
})

const tenant = async (options: ManagementServer.Options = {}) => {
  server = await ManagementServer.start({ users, clients, connections, ...options })
  return server
}

const credentials = {
  domain: "acme.eu.auth0.com",
  clientId: "client-id",
  clientSecret: Redacted.make("client-secret")
}

const read = (s: ManagementServer.ManagementServer, options: Partial<TenantEvents.Options> = {}) =>
  TenantEvents.read({ credentials, baseUrl: s.url, perPage: 5, users: 4, ...options })

const userPages = (s: ManagementServer.ManagementServer) =>
  s.requests().filter((r) => r.path.split("?")[0] === "/api/v2/users").map((r) =>
    Object.fromEntries(new URL(r.path, "http://x").searchParams)
  )

const sampledIds = (
  made: TenantEvents.TenantEvents
) => [...new Set(made.events.map((e) => (e.event["user"] as { user_id: string }).user_id))]

describe("TenantEvents.read", () => {
  it.effect("one event per sampled user and login application, the user, app and connection as the tenant has them", () =>
    Effect.gen(function*() {
      const s = yield* Effect.promise(() => tenant())
      const made = yield* read(s, { seed: 3 })
      assert.strictEqual(made.users, 4)
      assert.strictEqual(made.usersInTenant, 23)
      // Neither the global client nor the machine-to-machine one logs users in.
      assert.deepStrictEqual(made.clients, ["cli_portal", "cli_spa"])
      assert.strictEqual(made.events.length, 8)
      const sampled = [...new Set(made.events.map((e) => (e.event["user"] as { user_id: string }).user_id))]
      assert.strictEqual(sampled.length, 4)
      for (const { event, name } of made.events) {
        const u = event["user"] as Record<string, unknown>
        const stored = users.find((x) => x.user_id === u["user_id"])!
        const client = event["client"] as Record<string, unknown>
        assert.strictEqual(name, `${stored.user_id} @ ${client["name"]}`)
        assert.deepStrictEqual(
          [u["email"], u["email_verified"], u["name"], u["app_metadata"], u["user_metadata"], u["created_at"]],
          [
            stored.email,
            stored.email_verified,
            stored.name,
            stored.app_metadata,
            stored.user_metadata,
            stored.created_at
          ]
        )
        // Fields the event's user does not have are not written (the last IP, the stored count).
        assert.isFalse("last_ip" in u || "logins_count" in u)
        assert.deepStrictEqual(event["stats"], { logins_count: stored.logins_count + 1 })
        assert.deepStrictEqual(event["tenant"], { id: "acme" })
        assert.isFalse("secrets" in event)
        const connection = event["connection"] as Record<string, unknown>
        const expected = connections.find((c) => c.name === stored.identities[0]!.connection)!
        assert.deepStrictEqual(connection, {
          id: expected.id,
          name: expected.name,
          strategy: expected.strategy,
          metadata: expected.metadata
        })
      }
      const portal = made.events.find((e) => (e.event["client"] as { client_id: string }).client_id === "cli_portal")!
      assert.deepStrictEqual(portal.event["client"], {
        client_id: "cli_portal",
        name: "Partner Portal",
        metadata: { allowed_roles: "USER, ADMIN" }
      })
    }))

  it.effect("nothing secret is requested or written: no client secret, no IdP tokens, no connection options", () =>
    Effect.gen(function*() {
      const s = yield* Effect.promise(() => tenant())
      const made = yield* read(s, { users: 23 })
      const text = JSON.stringify(made)
      for (const secret of secrets) assert.notInclude(text, secret)
      assert.notInclude(text, "options")
      // The Google users keep their identity, without its tokens.
      const google = made.events.find((e) => (e.event["user"] as { user_id: string }).user_id === "google-oauth2|1000")!
      assert.deepStrictEqual((google.event["user"] as { identities: unknown }).identities, [
        { connection: "google-oauth2", provider: "google-oauth2", user_id: "1000", isSocial: true }
      ])
      // The applications are asked for without their secrets.
      const clientQuery = s.requests().find((r) => r.path.startsWith("/api/v2/clients"))!.path
      const fields = new URL(clientQuery, "http://x").searchParams.get("fields")!.split(",")
      assert.deepStrictEqual(fields, [...ManagementClient.clientFields])
      // Written out, the file holds what was read, a line an event, and diff reads every line.
      dir = mkdtempSync(join(tmpdir(), "rulefx-events-"))
      const file = yield* TenantEvents.write(join(dir, "out"), made.events)
      const written = readFileSync(file, "utf8")
      for (const secret of secrets) assert.notInclude(written, secret)
      const cases = yield* Diff.readEvents(file, { strict: true })
      assert.strictEqual(cases.length, 46)
      assert.strictEqual(cases[0]!.name, made.events[0]!.name)
    }))

  it.effect("sampling: the same seed reads the same users, another seed others; only the pages holding them", () =>
    Effect.gen(function*() {
      const s = yield* Effect.promise(() => tenant())
      const first = yield* read(s, { seed: 3 })
      const pagesFirst = userPages(s)
      const again = yield* read(s, { seed: 3 })
      const other = yield* read(s, { seed: 4 })
      assert.deepStrictEqual(sampledIds(again), sampledIds(first))
      assert.notDeepEqual(sampledIds(other), sampledIds(first))
      // Page 0 first (for the total), with the totals and the event's user fields; then each page a sampled user is on.
      assert.deepStrictEqual(pagesFirst[0], {
        page: "0",
        per_page: "5",
        include_totals: "true",
        fields: ManagementClient.userFields.join(","),
        include_fields: "true"
      })
      const expectedPages = [
        ...new Set([0, ...sampledIds(first).map((id) => Math.floor(users.findIndex((u) => u.user_id === id) / 5))])
      ]
      assert.deepStrictEqual(pagesFirst.map((p) => Number(p["page"])), expectedPages)
      // More users asked for than the tenant has: every one, every page.
      const all = yield* read(s, { users: 50 })
      assert.strictEqual(all.users, 23)
      assert.strictEqual(all.events.length, 46)
    }))

  it.effect("a tenant of more than 1000 users: sampled from the first 1000, never a page past them, with a note", () =>
    Effect.gen(function*() {
      const many = Array.from({ length: 1234 }, (_, i) => ({ ...user(i), user_id: `auth0|many${i}` }))
      const s = yield* Effect.promise(() => tenant({ users: many }))
      const made = yield* read(s, { users: 30, perPage: 100, seed: 9 })
      assert.strictEqual(made.users, 30)
      assert.strictEqual(made.usersInTenant, 1234)
      assert.isTrue(made.notes.some((n) => n.includes("1234 users") && n.includes("first 1000")), made.notes.join())
      const pages = userPages(s).map((p) => Number(p["page"]))
      assert.isTrue(pages.every((p) => p <= 9), String(pages))
      assert.isTrue(s.requests().every((r) => r.status === 200), "no request refused")
    }))

  it.effect("--clients: only the applications named, a machine-to-machine one too; an unknown id is named", () =>
    Effect.gen(function*() {
      const s = yield* Effect.promise(() => tenant())
      const made = yield* read(s, { clients: ["cli_m2m", "cli_portal"], users: 2 })
      assert.deepStrictEqual(made.clients, ["cli_m2m", "cli_portal"])
      assert.strictEqual(made.events.length, 4)
      // Written as asked, with a warning that no login reaches a machine-to-machine application.
      assert.strictEqual(made.warnings.length, 1)
      assert.include(made.warnings[0], "cli_m2m")
      assert.include(made.warnings[0], "machine-to-machine application")
      assert.deepStrictEqual((yield* read(s, { clients: ["cli_portal"], users: 2 })).warnings, [])
      const error = yield* Effect.flip(read(s, { clients: ["cli_portal", "Shop SPA"] }))
      assert.strictEqual(error.reason, "UnknownClient")
      assert.include(error.message, "Shop SPA")
      assert.include(error.message, "client ids, not names")
    }))

  it.effect("a connection the tenant no longer has: named from the identity, with a note", () =>
    Effect.gen(function*() {
      const s = yield* Effect.promise(() => tenant({ connections: [connections[0]!] }))
      const made = yield* read(s, { users: 23 })
      const google = made.events.find((e) => (e.event["user"] as { user_id: string }).user_id === "google-oauth2|1000")!
      assert.deepStrictEqual(google.event["connection"], {
        id: "con_unknown_google-oauth2",
        name: "google-oauth2",
        strategy: "google-oauth2",
        metadata: {}
      })
      assert.isTrue(made.notes.some((n) => n.includes("google-oauth2|1000 (google-oauth2)")), made.notes.join())
    }))
  it.effect("a page of users larger than maxAnswerBytes is a ManagementApiError naming the step and the limit", () =>
    Effect.gen(function*() {
      const big = users.map((u) => Object.assign(structuredClone(u), { user_metadata: { bio: "x".repeat(5_000) } }))
      const s = yield* Effect.promise(() => tenant({ users: big }))
      // The token, the clients and the connections fit; a page of five 5 kB users does not.
      const error = yield* Effect.flip(read(s, { maxAnswerBytes: 20_000 }))
      assert.strictEqual(error.reason, "Api")
      assert.match(error.message, /^Auth0's answer while reading the users\b.*is larger than 20000 bytes/)
      // Within the limit, the same tenant reads.
      assert.strictEqual((yield* read(s, { maxAnswerBytes: 200_000 })).events.length > 0, true)
    }))
})

// Roles (one user with more than a page of them) and authentication methods, with values that must not be written.
const phoneNumber = "+15550100777"
const publicKey = "pk-9a8b7c6d5e"
const roles = {
  "auth0|user1": [{ id: "rol_1", name: "EDITOR", description: "Edits" }, { id: "rol_2", name: "BILLING" }],
  "auth0|user2": Array.from({ length: 130 }, (_, i) => ({ id: `rol_${i}`, name: `ROLE_${i}` }))
}
const authenticationMethods = {
  "auth0|user1": [
    { id: "totp|dev_1", type: "totp", confirmed: true, created_at: "2024-01-01T00:00:00.000Z" },
    { id: "phone|dev_2", type: "phone", confirmed: false, phone_number: phoneNumber, created_at: "2024-01-01" },
    { id: "webauthn-roaming|dev_3", type: "webauthn-roaming", confirmed: true, public_key: publicKey },
    { id: "password|x", type: "password", confirmed: true },
    { id: "passkey|y", type: "passkey", confirmed: true, public_key: publicKey },
    { id: "recovery-code|z", type: "recovery-code", confirmed: true }
  ],
  "auth0|user2": [
    {
      id: "guardian|dev_4",
      type: "guardian",
      confirmed: true,
      authentication_methods: [{ id: "push|a", type: "push" }, { id: "totp|b", type: "totp" }]
    },
    { id: "totp|dev_5", type: "totp", confirmed: true }
  ]
}

const byUser = (made: TenantEvents.TenantEvents, id: string) =>
  made.events.find((e) => (e.event["user"] as { user_id: string }).user_id === id)!.event

describe("TenantEvents.read: roles and enrolled factors", () => {
  it.effect("each user's roles and confirmed MFA factors, read page after page; nothing else of a method written", () =>
    Effect.gen(function*() {
      const s = yield* Effect.promise(() => tenant({ roles, authenticationMethods }))
      const made = yield* read(s, { users: 23, clients: ["cli_portal"] })
      assert.deepStrictEqual(byUser(made, "auth0|user1")["authorization"], { roles: ["EDITOR", "BILLING"] })
      assert.deepStrictEqual((byUser(made, "auth0|user1")["user"] as Record<string, unknown>)["enrolledFactors"], [
        { type: "otp" },
        { type: "webauthn-roaming" },
        { type: "recovery-code" }
      ])
      const many = byUser(made, "auth0|user2")
      assert.deepStrictEqual(
        (many["authorization"] as { roles: Array<string> }).roles,
        roles["auth0|user2"].map((r) => r.name)
      )
      // A Guardian enrollment is the factors it holds; a factor listed twice is one.
      assert.deepStrictEqual((many["user"] as Record<string, unknown>)["enrolledFactors"], [
        { type: "push-notification" },
        { type: "otp" }
      ])
      // A user with neither: empty lists, as Auth0 sends them.
      const none = byUser(made, "auth0|user4")
      assert.deepStrictEqual([none["authorization"], (none["user"] as Record<string, unknown>)["enrolledFactors"]], [
        { roles: [] },
        []
      ])
      const text = JSON.stringify(made)
      for (const value of [phoneNumber, publicKey, "dev_1", "Edits"]) assert.notInclude(text, value)
      // The 130 roles took two pages of 100.
      const rolePages = s.requests().filter((r) => r.path.startsWith("/api/v2/users/auth0%7Cuser2/roles"))
      assert.deepStrictEqual(
        rolePages.map((r) => new URL(r.path, "http://x").searchParams.get("page")),
        ["0", "1"]
      )
      // The events still read as post-login events, strictly.
      dir = mkdtempSync(join(tmpdir(), "rulefx-events-"))
      const cases = yield* Diff.readEvents(yield* TenantEvents.write(dir, made.events), { strict: true })
      assert.strictEqual(cases.length, 23)
    }))

  it.effect("roles: false and factors: false: not requested, and the events say nothing about them", () =>
    Effect.gen(function*() {
      const s = yield* Effect.promise(() => tenant({ roles, authenticationMethods }))
      const made = yield* read(s, { users: 23, roles: false, factors: false })
      assert.isFalse(s.requests().some((r) => /\/(roles|authentication-methods)/.test(r.path)))
      const event = byUser(made, "auth0|user1")
      assert.isFalse("authorization" in event)
      assert.isFalse("enrolledFactors" in (event["user"] as Record<string, unknown>))
    }))

  it.effect("a token without read:roles or read:authentication_methods: Forbidden, naming the scope and the flag", () =>
    Effect.gen(function*() {
      const s = yield* Effect.promise(() =>
        tenant({
          failures: [{ method: "GET", path: /\/roles$/, status: 403, body: { message: "Insufficient scope" } }]
        })
      )
      const error = yield* Effect.flip(read(s))
      assert.strictEqual(error.reason, "Forbidden")
      assert.include(error.message, "reading the roles of")
      assert.include(error.message, "read:roles")
      assert.include(error.message, "--no-roles")
      // Without roles, the same tenant gives events.
      assert.strictEqual((yield* read(s, { roles: false })).users, 4)
      yield* Effect.promise(() => s.close())
      const methods = yield* Effect.promise(() =>
        tenant({ failures: [{ method: "GET", path: /\/authentication-methods$/, status: 403 }] })
      )
      const refused = yield* Effect.flip(read(methods))
      assert.strictEqual(refused.reason, "Forbidden")
      assert.include(refused.message, "read:authentication_methods")
      assert.include(refused.message, "--no-factors")
    }))

  it.effect("a user deleted between the list and their roles: left out, with a note", () =>
    Effect.gen(function*() {
      const s = yield* Effect.promise(() =>
        tenant({ failures: [{ method: "GET", path: "/api/v2/users/auth0%7Cuser1/roles", status: 404 }] })
      )
      const made = yield* read(s, { users: 23, clients: ["cli_portal"] })
      assert.strictEqual(made.events.length, 22)
      assert.isTrue(made.notes.some((n) => n.includes("auth0|user1")), made.notes.join())
    }))
})

describe("TenantEvents.read: failures are named", () => {
  it.effect("bad client credentials: Unauthorized, naming the variables to check", () =>
    Effect.gen(function*() {
      const s = yield* Effect.promise(() => tenant({ clientSecret: "another-secret" }))
      const error = yield* Effect.flip(read(s))
      assert.strictEqual(error.reason, "Unauthorized")
      assert.include(error.message, "AUTH0_CLIENT_SECRET")
      // Nothing but the token was asked for.
      assert.deepStrictEqual(ManagementServer.calls(s), ["POST /oauth/token"])
    }))

  it.effect("a missing scope (403 on the users): Forbidden, naming the scopes events needs", () =>
    Effect.gen(function*() {
      const s = yield* Effect.promise(() =>
        tenant({ failures: [{ method: "GET", path: "/api/v2/users", status: 403 }] })
      )
      const error = yield* Effect.flip(read(s))
      assert.strictEqual(error.reason, "Forbidden")
      assert.include(error.message, "reading the users")
      assert.include(error.message, "read:users")
      assert.notInclude(error.message, "create:actions")
    }))

  it.effect("a 401 on the API (a token the tenant no longer accepts): Unauthorized", () =>
    Effect.gen(function*() {
      const s = yield* Effect.promise(() =>
        tenant({ failures: [{ method: "GET", path: "/api/v2/clients", status: 401 }] })
      )
      const error = yield* Effect.flip(read(s))
      assert.strictEqual(error.reason, "Unauthorized")
      assert.include(error.message, "reading the applications")
    }))

  it.effect("429: waited out as retry-after says and retried; given up on after the retries, as RateLimited", () =>
    Effect.gen(function*() {
      const limited = { method: "GET", path: "/api/v2/users", status: 429, headers: { "retry-after": "0" } }
      const s = yield* Effect.promise(() => tenant({ failures: [{ ...limited, times: 2 }] }))
      const lines: Array<string> = []
      const made = yield* read(s, { onProgress: (line) => lines.push(line) })
      assert.strictEqual(made.users, 4)
      assert.strictEqual(lines.length, 2)
      assert.include(lines[0]!, "rate limited while reading the users")
      assert.deepStrictEqual(userPages(s).slice(0, 3).map((p) => p["page"]), ["0", "0", "0"])
      yield* Effect.promise(() => s.close())
      const always = yield* Effect.promise(() =>
        tenant({
          failures: [{ method: "GET", path: "/api/v2/connections", status: 429, headers: { "retry-after": "0" } }]
        })
      )
      const error = yield* Effect.flip(read(always, { rateLimitRetries: 2 }))
      assert.strictEqual(error.reason, "RateLimited")
      assert.include(error.message, "reading the connections")
      assert.strictEqual(ManagementServer.calls(always).filter((c) => c === "GET /api/v2/connections").length, 3)
    }))

  it.effect("--users below 1 and a domain that is not one are refused before anything is requested", () =>
    Effect.gen(function*() {
      const s = yield* Effect.promise(() => tenant())
      assert.strictEqual((yield* Effect.flip(read(s, { users: 0 }))).reason, "InvalidConfig")
      const bad = yield* Effect.flip(read(s, { credentials: { ...credentials, domain: "https://x.auth0.com/path" } }))
      assert.strictEqual(bad.reason, "InvalidConfig")
      assert.deepStrictEqual(s.requests(), [])
    }))

  it.effect("a tenant without users, or with only machine-to-machine applications, says so", () =>
    Effect.gen(function*() {
      const s = yield* Effect.promise(() => tenant({ users: [] }))
      assert.strictEqual((yield* Effect.flip(read(s))).reason, "NoUsers")
      yield* Effect.promise(() => s.close())
      const m2m = yield* Effect.promise(() => tenant({ clients: [clients[3]!] }))
      assert.strictEqual((yield* Effect.flip(read(m2m))).reason, "NoClients")
    }))
})

interface Output {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const rulefx = (env: Record<string, string | undefined>, ...args: ReadonlyArray<string>): Promise<Output> =>
  new Promise((resolve) => {
    const base: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1" }
    for (const name of ["AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET", "RULEFX_AUTH0_BASE_URL"]) {
      delete base[name]
    }
    execFile(
      process.execPath,
      [bin, ...args],
      { timeout: 45_000, env: { ...base, ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr })
    )
  })

describe("rulefx events --from-tenant", () => {
  it("writes events.jsonl and says what it read; no secret in the file or the output", async () => {
    const s = await tenant()
    dir = mkdtempSync(join(tmpdir(), "rulefx-events-"))
    const out = join(dir, "events")
    const result = await rulefx(
      {
        AUTH0_DOMAIN: "acme.eu.auth0.com",
        AUTH0_CLIENT_ID: "client-id",
        AUTH0_CLIENT_SECRET: "client-secret",
        RULEFX_AUTH0_BASE_URL: s.url
      },
      "events",
      "--from-tenant",
      "--out",
      out,
      "--users",
      "3",
      "--clients",
      "cli_portal",
      "--seed",
      "5"
    )
    assert.strictEqual(result.code, 0, result.stderr)
    assert.include(result.stdout, "3 events, 3 of 23 users x 1 application (seed 5)")
    const text = readFileSync(join(out, "events.jsonl"), "utf8")
    assert.strictEqual(text.trim().split("\n").length, 3)
    for (const secret of secrets) {
      assert.notInclude(text, secret)
      assert.notInclude(result.stdout + result.stderr, secret)
    }
  }, 60_000)

  it("--clients naming a machine-to-machine application: written, with a warning on stderr", async () => {
    const s = await tenant()
    const out = join(mkdtempSync(join(tmpdir(), "rulefx-events-m2m-")), "events")
    const env = {
      AUTH0_DOMAIN: "acme.eu.auth0.com",
      AUTH0_CLIENT_ID: "client-id",
      AUTH0_CLIENT_SECRET: "client-secret",
      RULEFX_AUTH0_BASE_URL: s.url
    }
    const result = await rulefx(env, "events", "--from-tenant", "--out", out, "--users", "2", "--clients", "cli_m2m")
    assert.strictEqual(result.code, 0, result.stderr)
    assert.include(result.stderr, "warning: cli_m2m")
    assert.include(result.stderr, "no post-login runs for it")
    assert.notInclude(result.stdout, "machine-to-machine")
    assert.strictEqual(readFileSync(join(out, "events.jsonl"), "utf8").trim().split("\n").length, 2)
  }, 60_000)

  it("missing credentials: every missing variable named at once, nothing requested", async () => {
    const s = await tenant()
    const result = await rulefx(
      { AUTH0_DOMAIN: "acme.eu.auth0.com", RULEFX_AUTH0_BASE_URL: s.url },
      "events",
      "--from-tenant",
      "--out",
      join(tmpdir(), "never-written")
    )
    assert.notStrictEqual(result.code, 0)
    assert.include(result.stderr, "AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET are not set")
    assert.deepStrictEqual(s.requests(), [])
  }, 60_000)

  it("--no-roles --no-factors: a token without those scopes still writes events", async () => {
    const s = await tenant({
      failures: [{ method: "GET", path: /\/(roles|authentication-methods)$/, status: 403 }]
    })
    dir = mkdtempSync(join(tmpdir(), "rulefx-events-"))
    const env = {
      AUTH0_DOMAIN: "acme.eu.auth0.com",
      AUTH0_CLIENT_ID: "client-id",
      AUTH0_CLIENT_SECRET: "client-secret",
      RULEFX_AUTH0_BASE_URL: s.url
    }
    const refused = await rulefx(env, "events", "--from-tenant", "--out", join(dir, "a"), "--users", "2")
    assert.strictEqual(refused.code, 1, refused.stderr)
    assert.include(refused.stderr, "read:roles")
    assert.include(refused.stderr, "--no-roles")
    const out = join(dir, "b")
    const result = await rulefx(
      env,
      "events",
      "--from-tenant",
      "--out",
      out,
      "--users",
      "2",
      "--no-roles",
      "--no-factors"
    )
    assert.strictEqual(result.code, 0, result.stderr)
    const first = JSON.parse(readFileSync(join(out, "events.jsonl"), "utf8").split("\n")[0]!) as {
      event: Record<string, unknown>
    }
    assert.isFalse("authorization" in first.event)
  }, 60_000)

  it("neither or both of --from-tenant and --generate is a usage error", async () => {
    const neither = await rulefx({}, "events", "--out", "x")
    assert.notStrictEqual(neither.code, 0)
    assert.include(neither.stderr, "either --from-tenant or --generate")
    const both = await rulefx({}, "events", "--from-tenant", "--generate", "3", "--out", "x")
    assert.notStrictEqual(both.code, 0)
    assert.include(both.stderr, "either --from-tenant or --generate")
  }, 60_000)
})
