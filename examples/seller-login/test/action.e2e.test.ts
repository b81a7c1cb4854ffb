/**
 * End-to-end tests of the built Action, as a new user would run it: src/action.ts is bundled into a temporary folder
 * outside the repository, loaded from there with plain require (nothing installed beside it), and called with
 * Auth0-shaped events and a recording `api`, against a fake seller API on 127.0.0.1.
 *
 * Each test checks one point of the seed scenario's contract (README, "The example Action's contract").
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Bundle from "@rulefx/cli/Bundle"
import { genericMessage } from "@rulefx/core/Denial"
import * as Events from "@rulefx/testing/Events"
import * as Hmac from "@rulefx/testing/Hmac"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as SellerServer from "@rulefx/testing/SellerServer"
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs"
import { createRequire, isBuiltin } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

type Handler = (event: unknown, api: RecordingApi.RecordingApi) => Promise<void>

const repo = fileURLToPath(new URL("../../..", import.meta.url))
const entry = fileURLToPath(new URL("../src/action.ts", import.meta.url))

const INTERCOM_SECRET = "e2e-intercom-secret-7f3a91c2"
const SELLER_CLAIM = "https://example.com/seller"
const HASH_CLAIM = "https://example.com/seller_email_hash"
const ROLES_CLAIM = "https://example.com/roles"
const NOT_ALLOWED = "Your account is not allowed to use this application."

// The concurrency test's sellers: each answers after its own delay, so the logins overlap and finish out of order.
const concurrent = Array.from({ length: 50 }, (_, i) => i)
const concurrentSellers: Record<string, SellerServer.Answer> = Object.fromEntries(
  concurrent.map((i) => [`c-${i}`, {
    _tag: "Json",
    body: { id: `c-${i}`, email: `seller${i}@shop.example`, name: `Shop ${i}`, owner: `owner-${i}` },
    delayMillis: 10 + (i * 37) % 90
  }])
)

// What the i-th concurrent login is: denied by role, denied by a failing seller API, allowed without or with a seller.
const kindOf = (i: number) => ["guest", "broken", "plain", "seller", "seller"][i % 5]

const answers: Record<string, SellerServer.Answer> = {
  "seller-1": SellerServer.seller("seller-1", "ada@shop.example", "Ada's Shop", {
    internal_notes: "not for tokens",
    iban: "DE00 0000",
    nested: { a: 1 }
  }),
  "seller-404": { _tag: "Status", status: 404 },
  "seller-500": { _tag: "Status", status: 500 },
  "seller-garbage": { _tag: "Garbage" },
  "seller-shape": { _tag: "Json", body: { id: 7, mail: "nobody" } },
  "seller-hang": { _tag: "Hang" },
  "seller-flaky": {
    _tag: "FailTimes",
    times: 1,
    status: 503,
    after: SellerServer.seller("seller-flaky", "flo@shop.example", "Flo")
  },
  "c-500": { _tag: "Status", status: 500 },
  ...concurrentSellers
}

let dir = ""
let outfile = ""
let onExecutePostLogin: Handler
let server: SellerServer.SellerServer
let closedUrl = ""
const logs: Array<string> = []
const apis: Array<RecordingApi.RecordingApi> = []
let capture: LogCapture.Capture | undefined

interface Options {
  readonly userId?: string
  readonly secrets?: Record<string, unknown>
  readonly clientMetadata?: Record<string, string>
}

const event = (appMetadata: Record<string, unknown>, options: Options = {}) =>
  Events.postLogin({
    user: { user_id: options.userId ?? "auth0|e2e", app_metadata: appMetadata, user_metadata: { theme: "dark" } },
    client: {
      client_id: "shop-app",
      name: "Shop",
      metadata: options.clientMetadata ?? { allowed_roles: "USER,ADMIN" }
    },
    secrets: options.secrets ?? { SELLER_API_URL: server.url, INTERCOM_SECRET }
  })

/** Runs one login through the built file; it must resolve (never reject) and never write metadata. */
const run = async (evt: unknown) => {
  const api = RecordingApi.make()
  apis.push(api)
  const before = logs.length
  const start = performance.now()
  await onExecutePostLogin(evt, api)
  const millis = performance.now() - start
  assert.deepStrictEqual(api.calls.filter((c) => c.method.startsWith("user.")), [])
  return { api, summary: api.summary(), millis, logs: logs.slice(before) }
}

const login = (appMetadata: Record<string, unknown>, options: Options = {}) => run(event(appMetadata, options))

const requestsFor = (id: string) => server.requests().filter((path) => path === `/seller/${id}`).length

/** A denial that sets nothing else and whose reason names nothing internal. */
const assertSafeDenial = (result: Awaited<ReturnType<typeof run>>, reason: string = genericMessage) => {
  const { api, summary } = result
  assert.deepStrictEqual(api.calls.map((c) => c.method), ["access.deny"])
  assert.strictEqual(summary.denied, reason)
  const text = summary.denied ?? ""
  const ports = [new URL(server.url).port, new URL(closedUrl).port]
  const leaks = ["http", "127.0.0.1", ...ports, "/seller", "status", "<html", "json", "at "]
  assert.isAtMost(text.length, 100)
  for (const leak of leaks) assert.notInclude(text.toLowerCase(), leak.toLowerCase())
  assert.notInclude(text, INTERCOM_SECRET)
  assert.notMatch(text, /\n|Error|\d{3}/)
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rulefx-seller-login-e2e-"))
  outfile = join(dir, "action.js")
  await Bundle.build({ entry, outfile })
  // Bundle.build marks the folder CommonJS for builds inside "type": "module" projects; outside, the file alone is
  // enough, so the folder is left with nothing but it.
  rmSync(join(dir, "package.json"), { force: true })
  onExecutePostLogin = (createRequire(outfile)(outfile) as { onExecutePostLogin: Handler }).onExecutePostLogin
  server = await SellerServer.start(answers)
  const closed = await SellerServer.start({})
  closedUrl = closed.url
  await closed.close()
  capture = LogCapture.start({ lines: logs })
}, 60_000)

afterAll(async () => {
  capture?.stop()
  await server?.close()
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

describe("the built Action", () => {
  it("is one file of at most 100 kB outside the repository that needs nothing installed beside it", () => {
    assert.isFalse(dir.startsWith(repo))
    assert.deepStrictEqual(readdirSync(dir), ["action.js"])
    assert.isAtMost(statSync(outfile).size, 100_000)
    const source = readFileSync(outfile, "utf8")
    const required = [...source.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? "")
    for (const name of required) assert.isTrue(isBuiltin(name), `requires ${name}`)
    assert.strictEqual(typeof onExecutePostLogin, "function")
  })
})

describe("seller", () => {
  it("a seller gets the seller claim with exactly {id, email, name}, the email hash and the roles", async () => {
    const result = await login({ sellerId: "seller-1", roles: ["ADMIN"] })
    assert.isUndefined(result.summary.denied)
    assert.deepStrictEqual(result.summary.idTokenClaims, {
      [SELLER_CLAIM]: { id: "seller-1", email: "ada@shop.example", name: "Ada's Shop" },
      [HASH_CLAIM]: Hmac.hex(INTERCOM_SECRET, "ada@shop.example")
    })
    assert.deepStrictEqual(Object.keys(result.summary.idTokenClaims[SELLER_CLAIM] as object).toSorted(), [
      "email",
      "id",
      "name"
    ])
    assert.match(result.summary.idTokenClaims[HASH_CLAIM] as string, /^[0-9a-f]{64}$/)
    assert.deepStrictEqual(result.summary.accessTokenClaims, { [ROLES_CLAIM]: ["ADMIN"] })
    assert.deepStrictEqual(result.api.calls.map((c) => c.method).toSorted(), [
      "accessToken.setCustomClaim",
      "idToken.setCustomClaim",
      "idToken.setCustomClaim"
    ])
    assert.strictEqual(requestsFor("seller-1"), 1)
  })

  it("a 404 from the seller API means no seller: no seller claims, login allowed", async () => {
    const result = await login({ sellerId: "seller-404" })
    assert.isUndefined(result.summary.denied)
    assert.deepStrictEqual(result.summary.idTokenClaims, {})
    assert.deepStrictEqual(result.summary.accessTokenClaims, { [ROLES_CLAIM]: ["USER"] })
    assert.strictEqual(requestsFor("seller-404"), 1)
  })

  it("a flaky seller API (503, then the seller) is retried once and the login allowed", async () => {
    const result = await login({ sellerId: "seller-flaky" })
    assert.isUndefined(result.summary.denied)
    assert.deepStrictEqual(result.summary.idTokenClaims, {
      [SELLER_CLAIM]: { id: "seller-flaky", email: "flo@shop.example", name: "Flo" },
      [HASH_CLAIM]: Hmac.hex(INTERCOM_SECRET, "flo@shop.example")
    })
    assert.strictEqual(requestsFor("seller-flaky"), 2)
  })

  it("a numeric sellerId is asked for as a string", async () => {
    const result = await login({ sellerId: 42 })
    assert.isUndefined(result.summary.denied)
    assert.deepStrictEqual(result.summary.idTokenClaims, {})
    assert.strictEqual(requestsFor("42"), 1)
  })
})

describe("roles", () => {
  it("a user without roles gets the fallback [\"USER\"] in the token only, never persisted", async () => {
    const result = await login({})
    assert.isUndefined(result.summary.denied)
    assert.deepStrictEqual(result.summary.idTokenClaims, {})
    assert.deepStrictEqual(result.summary.accessTokenClaims, { [ROLES_CLAIM]: ["USER"] })
    assert.deepStrictEqual(result.summary.appMetadata, {})
    assert.deepStrictEqual(result.summary.userMetadata, {})
    assert.deepStrictEqual(result.api.calls.map((c) => c.method), ["accessToken.setCustomClaim"])
  })

  it("a user whose roles are not allowed is denied with RoleNotAllowed's message and no claims", async () => {
    const result = await login({ sellerId: "seller-1", roles: ["GUEST", "SUPPORT"] })
    assertSafeDenial(result, NOT_ALLOWED)
  })

  it("the log line of that denial names the user by id and nothing else of theirs: no role", async () => {
    const result = await login({ roles: ["GUEST-ROLE-7c1", "SUPPORT-ROLE-9d2"] }, { userId: "auth0|roles-log" })
    assert.deepStrictEqual(result.logs, ["rulefx INFO user=auth0|roles-log rule=denyRoles denied: RoleNotAllowed"])
  })

  it("one allowed role among others is enough", async () => {
    const result = await login({ roles: ["GUEST", "ADMIN"] })
    assert.isUndefined(result.summary.denied)
    assert.deepStrictEqual(result.summary.accessTokenClaims, { [ROLES_CLAIM]: ["GUEST", "ADMIN"] })
  })

  it("roles that are not an array of strings deny instead of falling back", async () => {
    assertSafeDenial(await login({ roles: "ADMIN" }))
    assertSafeDenial(await login({ roles: [1] }))
  })
})

describe("seller API failures deny with a reason that leaks nothing; the detail goes to the log", () => {
  it("500 (retried once)", async () => {
    const result = await login({ sellerId: "seller-500" })
    assertSafeDenial(result)
    assert.strictEqual(requestsFor("seller-500"), 2)
    assert.isTrue(result.logs.some((line) => line.includes("status 500")), result.logs.join("\n"))
  })

  it("a body that is not JSON", async () => {
    const result = await login({ sellerId: "seller-garbage" })
    assertSafeDenial(result)
    assert.isTrue(result.logs.some((line) => line.includes("not JSON")), result.logs.join("\n"))
  })

  it("JSON of the wrong shape", async () => {
    const result = await login({ sellerId: "seller-shape" })
    assertSafeDenial(result)
    assert.isTrue(result.logs.some((line) => line.includes("not a seller")), result.logs.join("\n"))
  })

  it("connection refused (a closed server)", async () => {
    const result = await login({ sellerId: "seller-1" }, { secrets: { SELLER_API_URL: closedUrl, INTERCOM_SECRET } })
    assertSafeDenial(result)
    assert.isTrue(result.logs.some((line) => line.includes("ECONNREFUSED")), result.logs.join("\n"))
  })

  it("a hanging seller API: seller timeout 2 s, one retry, denied well inside the 5 s deadline", async () => {
    const result = await login({ sellerId: "seller-hang" })
    assertSafeDenial(result)
    assert.strictEqual(requestsFor("seller-hang"), 2)
    assert.isAtLeast(result.millis, 3_500)
    assert.isBelow(result.millis, 5_500)
    assert.isTrue(result.logs.some((line) => line.includes("no answer in 2000 ms")), result.logs.join("\n"))
  }, 10_000)
})

describe("configuration", () => {
  it("missing INTERCOM_SECRET denies, seller or not", async () => {
    assertSafeDenial(await login({ sellerId: "seller-1" }, { secrets: { SELLER_API_URL: server.url } }))
    assertSafeDenial(await login({}, { secrets: { SELLER_API_URL: server.url } }))
    assertSafeDenial(await login({}, { secrets: { SELLER_API_URL: server.url, INTERCOM_SECRET: "" } }))
  })

  it("missing SELLER_API_URL denies, seller or not", async () => {
    assertSafeDenial(await login({ sellerId: "seller-1" }, { secrets: { INTERCOM_SECRET } }))
    assertSafeDenial(await login({}, { secrets: { INTERCOM_SECRET } }))
    assertSafeDenial(await login({}, { secrets: {} }))
  })

  it("missing or empty allowed_roles denies", async () => {
    assertSafeDenial(await login({ roles: ["ADMIN"] }, { clientMetadata: {} }))
    assertSafeDenial(await login({ sellerId: "seller-1" }, { clientMetadata: { allowed_roles: " , " } }))
  })

  it("a malformed event denies generically and never rejects", async () => {
    const results = await Promise.all([null, undefined, 42, {}, { ...event({}), user: { app_metadata: {} } }].map(run))
    for (const result of results) assertSafeDenial(result)
  })

  it("a malformed api (null, no access.deny) never rejects either; it denies where it can", async () => {
    const apis: ReadonlyArray<unknown> = [null, undefined, {}, { access: {} }, { access: { deny: 1 } }]
    for (const api of apis) {
      for (const evt of [event({ roles: ["ADMIN"] }), event({ roles: ["GUEST"] }), null]) {
        // oxlint-disable-next-line no-await-in-loop -- one after another, each login on its own
        const settled = await onExecutePostLogin(evt, api as RecordingApi.RecordingApi).then(() => "resolved", String)
        assert.strictEqual(settled, "resolved", JSON.stringify(api))
      }
    }
    const reasons: Array<string> = []
    const onlyDeny = { access: { deny: (reason: string) => void reasons.push(reason) } }
    await onExecutePostLogin(event({ sellerId: "seller-1", roles: ["ADMIN"] }), onlyDeny as RecordingApi.RecordingApi)
    assert.deepStrictEqual(reasons, [genericMessage])
  })
})

describe("isolation", () => {
  it("50 overlapping logins through the one loaded module never see each other's claims", async () => {
    server.resetPeak()
    const results = await Promise.all(concurrent.map((i) => {
      const secrets = { SELLER_API_URL: server.url, INTERCOM_SECRET: `secret-${i}` }
      switch (kindOf(i)) {
        case "guest":
          return login({ sellerId: `c-${i}`, roles: ["GUEST"] }, { userId: `auth0|c${i}`, secrets })
        case "broken":
          return login({ sellerId: "c-500" }, { userId: `auth0|c${i}`, secrets })
        case "plain":
          return login({ roles: [`ADMIN`, `team-${i}`] }, { userId: `auth0|c${i}`, secrets })
        default:
          return login({ sellerId: `c-${i}`, roles: ["USER", `team-${i}`] }, { userId: `auth0|c${i}`, secrets })
      }
    }))
    for (const [i, result] of results.entries()) {
      const { summary } = result
      switch (kindOf(i)) {
        case "guest":
          assertSafeDenial(result, NOT_ALLOWED)
          break
        case "broken":
          assertSafeDenial(result)
          break
        case "plain":
          assert.isUndefined(summary.denied)
          assert.deepStrictEqual(summary.idTokenClaims, {})
          assert.deepStrictEqual(summary.accessTokenClaims, { [ROLES_CLAIM]: ["ADMIN", `team-${i}`] })
          break
        default:
          assert.isUndefined(summary.denied, `login ${i}`)
          assert.deepStrictEqual(summary.idTokenClaims, {
            [SELLER_CLAIM]: { id: `c-${i}`, email: `seller${i}@shop.example`, name: `Shop ${i}` },
            [HASH_CLAIM]: Hmac.hex(`secret-${i}`, `seller${i}@shop.example`)
          })
          assert.deepStrictEqual(summary.accessTokenClaims, { [ROLES_CLAIM]: ["USER", `team-${i}`] })
      }
    }
    // They overlapped: the seller API was answering several of them at once (a count, not a timing, so a loaded
    // machine cannot make it flaky).
    assert.isAbove(server.peakInFlight(), 1)
  }, 10_000)
})

describe("logs and persistence, over every login above", () => {
  it("the Action's log lines are at most 256 characters and never hold a secret", () => {
    assert.isAbove(logs.length, 0)
    const ports = [new URL(server.url).port, new URL(closedUrl).port]
    const leaks = [INTERCOM_SECRET, server.url, closedUrl, "127.0.0.1", ...ports, "<html", "nobody", "not for tokens"]
    for (const line of logs) {
      assert.isAtMost(line.length, 256, line)
      assert.notInclude(line, "\n")
      for (const leak of leaks) assert.notInclude(line, leak, line)
      // The concurrency test's secrets are secret-0 ... secret-49.
      assert.notMatch(line, /secret-\d/, line)
    }
  })

  it("no login ever wrote app_metadata or user_metadata", () => {
    assert.isAbove(apis.length, 60)
    for (const api of apis) {
      assert.deepStrictEqual(api.calls.filter((c) => c.method.startsWith("user.")), [])
      assert.deepStrictEqual(api.summary().appMetadata, {})
      assert.deepStrictEqual(api.summary().userMetadata, {})
    }
  })
})
