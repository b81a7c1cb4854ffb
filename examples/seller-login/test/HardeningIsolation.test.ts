/**
 * Hardening: 1,000 overlapping logins through one loaded built Action share nothing (docs/architecture.md, "What must hold" 7).
 *
 * src/action.ts is bundled once and loaded with plain require. A seeded PRNG (RULEFX_ISOLATION_SEED overrides the
 * seed) gives each login its own user, application, roles, INTERCOM_SECRET and seller, and each seller its own delay
 * and fault (slow, 404, 500, 503 then good, not JSON, wrong shape, someone else's seller, a reset, a hang), served by
 * a local server on 127.0.0.1 (answers take up to 1 s). Some logins share a seller, some have none. All 1,000 are
 * launched at once and start within 3 s, so well over a hundred are in flight at any moment and they overlap in every
 * phase: decoding, the seller fetch, its retry, hashing, deciding, applying. (Starting all 1,000 in the same few
 * milliseconds would measure this machine's CPU, with client and server in one process, not isolation: the 2 s
 * attempt timeouts would fire on a saturated event loop.) A login whose fast seller still timed out on a busy machine
 * must have failed closed; at most 10% may (a few on a quiet machine).
 *
 * Each login's expected outcome is computed here, independently of rulefx (claims from its own data, the hash with
 * node:crypto), and checked exactly. Every value that belongs to one login carries the marker `L<i>x`, so a scan of
 * what each login's `api` received, and of each log line, shows any value of another login. An `api` is also
 * watched after its handler resolved: a late call would be work leaking out of its login.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Bundle from "@rulefx/cli/Bundle"
import { genericMessage } from "@rulefx/core/Denial"
import * as Events from "@rulefx/testing/Events"
import * as Hmac from "@rulefx/testing/Hmac"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import { mkdtempSync, rmSync } from "node:fs"
import { createServer, type ServerResponse } from "node:http"
import { createRequire } from "node:module"
import type { AddressInfo, Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

type Handler = (event: unknown, api: RecordingApi.RecordingApi) => Promise<void>

const entry = fileURLToPath(new URL("../src/action.ts", import.meta.url))

const SEED = Number(process.env["RULEFX_ISOLATION_SEED"] ?? 7_001)
const LOGINS = 1_000
const SELLER_CLAIM = "https://example.com/seller"
const HASH_CLAIM = "https://example.com/seller_email_hash"
const ROLES_CLAIM = "https://example.com/roles"
const NOT_ALLOWED = "Your account is not allowed to use this application."
/**
 * Logins start within this window, so they overlap by the hundred without 1,000 TCP requests and 1,000 runs landing in
 * the same few milliseconds of one CPU (which would test the machine, not isolation).
 */
const START_WINDOW_MILLIS = 3_000
const DEADLINE_MILLIS = 5_000
const MARGIN_MILLIS = 250

/** mulberry32: a small seeded PRNG, so a failing run can be replayed. */
const prng = (seed: number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

const random = prng(SEED)
const int = (n: number) => Math.floor(random() * n)
const pick = <A>(weighted: ReadonlyArray<readonly [A, number]>): A => {
  const total = weighted.reduce((sum, [, w]) => sum + w, 0)
  let r = random() * total
  for (const [value, weight] of weighted) {
    r -= weight
    if (r < 0) return value
  }
  return weighted[weighted.length - 1]![0]
}

// ---------------------------------------------------------------------------------------------------------------
// The logins, drawn from the PRNG.
// ---------------------------------------------------------------------------------------------------------------

type SellerKind =
  | "none"
  | "ok"
  | "shared"
  | "s404"
  | "s500"
  | "flaky"
  | "garbage"
  | "shape"
  | "stolen"
  | "reset"
  | "hang"

interface Seller {
  readonly id: string
  readonly email: string
  readonly name: string
}

interface Login {
  readonly i: number
  readonly userId: string
  readonly clientId: string
  readonly sellerKind: SellerKind
  readonly sellerId: string | undefined
  readonly seller: Seller | undefined
  /** What the server sends for a "stolen" seller: another login's seller. */
  readonly stolenFrom: number | undefined
  readonly delayMillis: number
  readonly roles: ReadonlyArray<string> | undefined
  readonly allowedRoles: string | undefined
  readonly secret: string | undefined
  readonly startMillis: number
}

const marker = (i: number) => `L${i}x`
const sellerFor = (i: number): Seller => ({
  id: `seller-${marker(i)}`,
  email: `s-${marker(i)}@iso.example`,
  name: `Shop ${marker(i)} "${int(1_000_000)}"`
})
const sharedSellers: ReadonlyArray<Seller> = Array.from({ length: 5 }, (_, k) => ({
  id: `shared-S${k}x`,
  email: `shared-S${k}x@iso.example`,
  name: `Shared S${k}x`
}))

const logins: ReadonlyArray<Login> = Array.from({ length: LOGINS }, (_, i): Login => {
  const sellerKind = pick<SellerKind>([
    ["none", 10],
    ["ok", 45],
    ["shared", 8],
    ["s404", 7],
    ["s500", 5],
    ["flaky", 6],
    ["garbage", 4],
    ["shape", 4],
    ["stolen", 4],
    ["reset", 5],
    ["hang", 1.5]
  ])
  const own = sellerFor(i)
  const shared = sharedSellers[int(sharedSellers.length)]!
  const team = `team-${marker(i)}`
  return {
    i,
    userId: `auth0|iso-${marker(i)}`,
    clientId: `cli-${marker(i)}`,
    sellerKind,
    sellerId: sellerKind === "none" ? undefined : sellerKind === "shared" ? shared.id : own.id,
    seller: sellerKind === "shared" ? shared : own,
    stolenFrom: sellerKind === "stolen" ? (i + 1 + int(LOGINS - 1)) % LOGINS : undefined,
    delayMillis: int(1_000),
    roles: pick<ReadonlyArray<string> | undefined>([
      [undefined, 2],
      [["USER", team], 4],
      [["ADMIN", team], 2],
      [["GUEST", team], 2]
    ]),
    allowedRoles: pick<string | undefined>([["USER,ADMIN", 16], [`ADMIN, ${team}-app`, 2], [undefined, 1]]),
    secret: pick<string | undefined>([[`k-${marker(i)}-${int(1e9).toString(36)}`, 30], [undefined, 1]]),
    startMillis: int(START_WINDOW_MILLIS)
  }
})

// ---------------------------------------------------------------------------------------------------------------
// What each login must become, computed without rulefx.
// ---------------------------------------------------------------------------------------------------------------

interface Expected {
  /** Undefined when the login must be allowed; otherwise the reasons it may be denied with. */
  readonly denyReasons: ReadonlyArray<string> | undefined
  readonly idTokenClaims: Record<string, unknown>
  readonly accessTokenClaims: Record<string, unknown>
}

const sellerFails = (kind: SellerKind) => ["s500", "garbage", "shape", "stolen", "reset", "hang"].includes(kind)
const sellerFound = (kind: SellerKind) => ["ok", "shared", "flaky"].includes(kind)

const expect = (l: Login): Expected => {
  const roles = l.roles ?? ["USER"]
  const allowed = (l.allowedRoles ?? "").split(",").map((r) => r.trim()).filter((r) => r.length > 0)
  const allowedMissing = allowed.length === 0
  const roleDenied = !allowedMissing && !roles.some((r) => allowed.includes(r))
  const generic = allowedMissing || l.secret === undefined || sellerFails(l.sellerKind)
  if (roleDenied || generic) {
    return {
      // Rules run concurrently: with two reasons to deny, either may come first.
      denyReasons: [...(roleDenied ? [NOT_ALLOWED] : []), ...(generic ? [genericMessage] : [])],
      idTokenClaims: {},
      accessTokenClaims: {}
    }
  }
  const idTokenClaims: Record<string, unknown> = {}
  if (sellerFound(l.sellerKind)) {
    idTokenClaims[SELLER_CLAIM] = l.seller
    idTokenClaims[HASH_CLAIM] = Hmac.hex(l.secret!, l.seller!.email)
  }
  return { denyReasons: undefined, idTokenClaims, accessTokenClaims: { [ROLES_CLAIM]: [...roles] } }
}

// ---------------------------------------------------------------------------------------------------------------
// The seller server.
// ---------------------------------------------------------------------------------------------------------------

const byId = new Map<string, Login>()
for (const l of logins) if (l.sellerId !== undefined && l.sellerKind !== "shared") byId.set(l.sellerId, l)
const requests = new Map<string, number>()
// The sellers one of whose requests was closed by the client before its answer was sent.
const abandoned = new Set<string>()

const send = (res: ServerResponse, status: number, body: string) => {
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
  res.end(body)
}

const answer = (res: ServerResponse, id: string, attempt: number) => {
  const shared = sharedSellers.find((s) => s.id === id)
  if (shared !== undefined) return send(res, 200, JSON.stringify({ ...shared, extra: "not for tokens" }))
  const l = byId.get(id)
  if (l === undefined) return send(res, 404, "{}")
  switch (l.sellerKind) {
    case "ok":
      return send(res, 200, JSON.stringify({ ...l.seller, owner: l.userId }))
    case "s404":
      return send(res, 404, JSON.stringify({ error: `no ${marker(l.i)}` }))
    case "s500":
      return send(res, 500, `boom ${marker(l.i)}`)
    case "flaky":
      return attempt === 0 ? send(res, 503, "busy") : send(res, 200, JSON.stringify(l.seller))
    case "garbage":
      return send(res, 200, `<html>${marker(l.i)}`)
    case "shape":
      return send(res, 200, JSON.stringify({ id: l.i, mail: l.seller!.email }))
    case "stolen":
      return send(res, 200, JSON.stringify(sellerFor(l.stolenFrom!)))
    case "reset":
      res.writeHead(200, { "content-type": "application/json", "content-length": 500 })
      res.write(`{"id":"${marker(l.i)}`)
      return setTimeout(() => res.socket?.destroy(), 5)
    case "hang":
    case "none":
    case "shared":
      return undefined
  }
}

const sockets = new Set<Socket>()
const server = createServer((req, res) => {
  const match = /^\/seller\/([^/?]+)$/.exec(req.url ?? "/")
  const id = match?.[1] === undefined ? "" : decodeURIComponent(match[1])
  const attempt = requests.get(id) ?? 0
  requests.set(id, attempt + 1)
  const l = byId.get(id)
  const timer = setTimeout(() => answer(res, id, attempt), l?.delayMillis ?? int(50))
  res.on("close", () => {
    clearTimeout(timer)
    if (!res.writableFinished) abandoned.add(id)
  })
})
server.keepAliveTimeout = 60_000
server.on("connection", (socket) => {
  sockets.add(socket)
  socket.on("close", () => sockets.delete(socket))
})

// ---------------------------------------------------------------------------------------------------------------
// The run.
// ---------------------------------------------------------------------------------------------------------------

let dir = ""
let url = ""
let action: Handler
const lines: Array<string> = []
let capture: LogCapture.Capture | undefined

interface Outcome {
  readonly login: Login
  readonly api: RecordingApi.RecordingApi
  readonly millis: number
  readonly startedAt: number
  readonly endedAt: number
  readonly rejected: boolean
  /** Calls the api received after its handler had resolved. */
  readonly late: Array<string>
}

let outcomes: ReadonlyArray<Outcome> = []

/** The most logins in flight at one moment. */
const peakInFlight = (): number => {
  const edges = outcomes.flatMap((o) => [[o.startedAt, 1], [o.endedAt, -1]] as const).toSorted((a, b) => a[0] - b[0])
  let current = 0
  let peak = 0
  for (const [, delta] of edges) {
    current += delta
    peak = Math.max(peak, current)
  }
  return peak
}

/** A recording api that notes any call made after its login's handler resolved. */
const watchedApi = (late: Array<string>, done: () => boolean): RecordingApi.RecordingApi => {
  const api = RecordingApi.make()
  const watch = <F extends (...args: Array<never>) => unknown>(method: string, f: F): F =>
    ((...args: Parameters<F>) => {
      if (done()) late.push(method)
      return f(...args)
    }) as F
  return {
    ...api,
    access: { deny: watch("access.deny", api.access.deny) },
    idToken: { setCustomClaim: watch("idToken.setCustomClaim", api.idToken.setCustomClaim) },
    accessToken: {
      setCustomClaim: watch("accessToken.setCustomClaim", api.accessToken.setCustomClaim),
      addScope: watch("accessToken.addScope", api.accessToken.addScope),
      removeScope: watch("accessToken.removeScope", api.accessToken.removeScope)
    },
    user: {
      setAppMetadata: watch("user.setAppMetadata", api.user.setAppMetadata),
      setUserMetadata: watch("user.setUserMetadata", api.user.setUserMetadata)
    },
    multifactor: { enable: watch("multifactor.enable", api.multifactor.enable) },
    redirect: { ...api.redirect, sendUserTo: watch("redirect.sendUserTo", api.redirect.sendUserTo) }
  }
}

const eventOf = (l: Login) => {
  const appMetadata: Record<string, unknown> = { note: `profile of ${marker(l.i)}` }
  if (l.sellerId !== undefined) appMetadata["sellerId"] = l.sellerId
  if (l.roles !== undefined) appMetadata["roles"] = [...l.roles]
  const secrets: Record<string, unknown> = { SELLER_API_URL: url, OTHER: `unused-${marker(l.i)}` }
  if (l.secret !== undefined) secrets["INTERCOM_SECRET"] = l.secret
  const metadata: Record<string, string> = { theme: `theme-${marker(l.i)}` }
  if (l.allowedRoles !== undefined) metadata["allowed_roles"] = l.allowedRoles
  // Every field that differs between logins carries the login's marker, so a leak names its source.
  return Events.postLogin({
    user: {
      user_id: l.userId,
      email: `u-${marker(l.i)}@users.example`,
      name: `User ${marker(l.i)}`,
      app_metadata: appMetadata,
      user_metadata: { locale: `loc-${marker(l.i)}` }
    },
    client: { client_id: l.clientId, name: `App ${marker(l.i)}`, metadata },
    connection: { id: `con-${marker(l.i)}`, name: "db" },
    request: { hostname: "login.iso.example", user_agent: `agent-${marker(l.i)}` },
    secrets
  })
}

const runLogin = async (l: Login): Promise<Outcome> => {
  await new Promise((resolve) => setTimeout(resolve, l.startMillis))
  const late: Array<string> = []
  let done = false
  const api = watchedApi(late, () => done)
  const start = performance.now()
  let rejected = false
  await action(eventOf(l), api).catch(() => {
    rejected = true
  })
  done = true
  const end = performance.now()
  return { login: l, api, millis: end - start, startedAt: start, endedAt: end, rejected, late }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rulefx-hardening-isolation-"))
  const outfile = join(dir, "action.js")
  await Bundle.build({ entry, outfile })
  rmSync(join(dir, "package.json"), { force: true })
  action = (createRequire(outfile)(outfile) as { onExecutePostLogin: Handler }).onExecutePostLogin
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    // A backlog above 1,000, so no connection waits for a SYN retry.
    server.listen({ port: 0, host: "127.0.0.1", backlog: 2_048 }, () => resolve())
  })
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  // Open and pool the connections first: hundreds of TCP handshakes at once (client and server in this one process)
  // would otherwise be charged to the first logins' 2 s attempt timeouts.
  await Promise.all(
    Array.from({ length: 300 }, () => fetch(`${url}/seller/warm-up`).then((response) => response.text()))
  )
  capture = LogCapture.start({ lines })
  outcomes = await Promise.all(logins.map(runLogin))
  // Anything still running for a finished login would call its api now.
  await new Promise((resolve) => setTimeout(resolve, 200))
}, 60_000)

afterAll(async () => {
  capture?.stop()
  for (const socket of sockets) socket.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

/**
 * The login lost its time to a busy machine: its seller lookup timed out, or the run's deadline came first (its log
 * says so); or a request to its seller was given up before the server answered it (`abandoned`): the client's 2 s
 * attempt timeout, and the retry's own answer is what the log then says. Seen with a seller that answers 503 once:
 * the first attempt sat unread for 2 s, the server read the retry first and gave it the 503 (under 4 busy loops on
 * 2 cores, about 1 login in 1,000).
 */
const timedOut = (l: Login): boolean =>
  lines.some((line) =>
    line.includes(`user=${l.userId} `) && (line.includes("no answer in") || line.includes("(DeadlineExceeded)"))
  ) || (l.sellerId !== undefined && abandoned.has(l.sellerId))

/** Every login marker (`L<i>x`) in a text. */
const markersIn = (text: string): ReadonlySet<string> => new Set(text.match(/L\d+x/g) ?? [])

const allHashes = new Map<string, number>()
for (const l of logins) {
  if (l.secret !== undefined && l.seller !== undefined) allHashes.set(Hmac.hex(l.secret, l.seller.email), l.i)
}

describe("isolation: 1,000 overlapping logins through one loaded Action", () => {
  it("every login ran, overlapping, resolved, and inside the deadline", () => {
    assert.strictEqual(outcomes.length, LOGINS)
    for (const o of outcomes) {
      assert.isFalse(o.rejected, `login ${o.login.i} rejected`)
      assert.isBelow(o.millis, DEADLINE_MILLIS + MARGIN_MILLIS, `login ${o.login.i}: ${o.millis} ms`)
    }
    // Over a hundred were in flight at once (a count: a loaded machine cannot make it flaky, as wall time could).
    assert.isAbove(peakInFlight(), 100)
    // The draw covers every kind of seller and both outcomes.
    const kinds = new Set(logins.map((l) => l.sellerKind))
    assert.strictEqual(kinds.size, 11, [...kinds].join(","))
  })

  it("each login got exactly its own expected outcome and claims, computed independently", () => {
    let allowed = 0
    let shed = 0
    for (const o of outcomes) {
      const expected = expect(o.login)
      const summary = o.api.summary()
      const who = `login ${o.login.i} (${o.login.sellerKind})`
      if (expected.denyReasons === undefined && timedOut(o.login) && summary.denied === genericMessage) {
        // A machine too busy to read a fast seller's answer within 2 s, or to finish the login within its deadline:
        // the login was denied, failing closed as it should. Rare, and still one deny call and nothing else.
        shed++
        assert.deepStrictEqual(
          RecordingApi.decisive(o.api.calls),
          [{ method: "access.deny", args: [genericMessage] }],
          who
        )
        continue
      }
      if (expected.denyReasons === undefined) {
        allowed++
        assert.isUndefined(summary.denied, who)
        assert.deepStrictEqual(summary.idTokenClaims, expected.idTokenClaims, who)
        assert.deepStrictEqual(summary.accessTokenClaims, expected.accessTokenClaims, who)
        assert.strictEqual(
          RecordingApi.decisive(o.api.calls).length,
          Object.keys(expected.idTokenClaims).length + 1,
          who
        )
      } else {
        const calls = RecordingApi.decisive(o.api.calls)
        assert.strictEqual(calls.length, 1, `${who}: ${JSON.stringify(calls)}`)
        assert.strictEqual(calls[0]!.method, "access.deny", who)
        assert.include(expected.denyReasons, summary.denied, who)
      }
    }
    // Shed logins failed closed, as checked above; the bound only keeps the draw meaningful on a loaded machine
    // (the allowed ones, which carry the claims, are counted next).
    assert.isAtMost(shed, LOGINS / 10)
    assert.isAbove(allowed, LOGINS / 3)
    assert.isBelow(allowed, LOGINS - 100)
  })

  it("no api object ever received another login's value, nor a call after its login had ended", () => {
    for (const o of outcomes) {
      const text = JSON.stringify(o.api.calls)
      const mine = marker(o.login.i)
      for (const found of markersIn(text)) assert.strictEqual(found, mine, `login ${o.login.i} saw ${found}`)
      for (const k of sharedSellers.keys()) {
        if (text.includes(`S${k}x`)) assert.strictEqual(o.login.seller?.id, sharedSellers[k]!.id)
      }
      for (const [hash, owner] of allHashes) {
        if (text.includes(hash)) assert.strictEqual(owner, o.login.i, `login ${o.login.i} got ${owner}'s hash`)
      }
      assert.deepStrictEqual(o.late, [], `login ${o.login.i}`)
    }
  })

  it("each seller was asked for at most twice (one retry); an allowed login's seller as often as the policy says", () => {
    for (const [id, count] of requests) {
      if (id.startsWith("shared-") || id === "warm-up") continue
      assert.isAtMost(count, 2, id)
    }
    for (const o of outcomes) {
      const l = o.login
      if (o.api.summary().denied !== undefined || l.sellerId === undefined || l.sellerKind === "shared") continue
      // Once (503 then good: twice); twice also when a busy machine let the first attempt time out.
      assert.isAtLeast(requests.get(l.sellerId) ?? 0, l.sellerKind === "flaky" ? 2 : 1, `login ${l.i}`)
    }
  })

  it("no login's INTERCOM_SECRET appears in any api call or log line", () => {
    const secrets = logins.flatMap((l) => (l.secret === undefined ? [] : [l.secret]))
    const everything = [...outcomes.map((o) => JSON.stringify(o.api.calls)), ...lines].join("\n")
    for (const secret of secrets) assert.notInclude(everything, secret)
  })

  it("each log line names one user and carries no other login's value", () => {
    assert.isAbove(lines.length, 50)
    for (const line of lines) {
      assert.isAtMost(line.length, 256, line)
      const user = /user=auth0\|iso-(L\d+x)/.exec(line)?.[1]
      assert.isDefined(user, `a line without its user: ${line}`)
      for (const found of markersIn(line)) assert.strictEqual(found, user, line)
    }
  })
})
