/**
 * Hardening: dependency faults against a real HTTP server on 127.0.0.1, through the built Action.
 *
 * src/action.ts is bundled once into a temporary folder and loaded with plain require, as in action.e2e.test.ts.
 * A local fault server (SellerServer's idea, extended here with the faults the shared one lacks) answers
 * `GET /seller/{fault}--{who}` with the fault the id names and records every request: when it came, with which
 * method, and whether its answer was ever finished. The global fetch is watched, to check that each request given
 * up on (an attempt's timeout) is aborted. A second server on another 127.0.0.1 port stands for
 * "another host" and counts what reaches it.
 *
 * Every fault runs through the built Action and, as a cross-check, through the hand-written ORACLE of
 * bench/baseline (verified call-for-call against the seed Action by the bench), all concurrently, so the slow
 * faults (hang, slow drip) cost their 4 seconds once. Each test then asserts the documented policy:
 * - retried once: a timeout, a connection failure, a 5xx (GET is idempotent; one retry is the budget);
 * - treated as absent: a 404;
 * - denied, generic reason, no claim: everything else (4xx including 429, whatever its Retry-After; a body that is
 *   not JSON, of the wrong shape, of another seller, over 64 kB; a redirect, which is never followed);
 * and always inside the 5 s deadline (plus a 250 ms margin), with the detail in the log and nothing internal in
 * the reason or the log.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Bundle from "@rulefx/cli/Bundle"
import { genericMessage } from "@rulefx/core/Denial"
import * as Events from "@rulefx/testing/Events"
import * as Hmac from "@rulefx/testing/Hmac"
import * as Listen from "@rulefx/testing/Listen"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import { mkdtempSync, rmSync } from "node:fs"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as FetchWatch from "./utils/FetchWatch.ts"

type Handler = (event: unknown, api: RecordingApi.RecordingApi) => Promise<void>

const entry = fileURLToPath(new URL("../src/action.ts", import.meta.url))
const oracleFile = fileURLToPath(new URL("../../../bench/baseline/action.js", import.meta.url))

const INTERCOM_SECRET = "faults-intercom-secret-62d0f3e1"
const SELLER_CLAIM = "https://example.com/seller"
const HASH_CLAIM = "https://example.com/seller_email_hash"
const ROLES_CLAIM = "https://example.com/roles"
const DEADLINE_MILLIS = 5_000
const MARGIN_MILLIS = 250
const ATTEMPT_MILLIS = 2_000
const DRIP_MILLIS = 300
const MAX_BODY_BYTES = 64 * 1024
/** A slow answer, still well inside the attempt timeout. */
const SLOW_MILLIS = 1_000

// ---------------------------------------------------------------------------------------------------------------
// The fault server.
// ---------------------------------------------------------------------------------------------------------------

interface Hit {
  readonly id: string
  readonly method: string
  readonly at: number
  /** The response was written in full. */
  finished: boolean
}

interface Running {
  readonly url: string
  readonly hits: Array<Hit>
  readonly close: () => Promise<void>
}

const listen = (server: Server, hits: Array<Hit>): Promise<Running> =>
  Listen.listen(server, { backlog: 1024 }).then((listening) => ({ ...listening, hits }))

const sellerOf = (id: string) => ({ id, email: `${id.split("--")[0]}@shop.example`, name: `Shop ${id}` })

/** A seller body of exactly `chars` characters (JSON), padded in the name. */
const bodyOfLength = (id: string, chars: number): string => {
  const base = JSON.stringify({ ...sellerOf(id), name: "" })
  return JSON.stringify({ ...sellerOf(id), name: "N".repeat(chars - base.length) })
}

let other: Running

type Respond = (req: IncomingMessage, res: ServerResponse, id: string, attempt: number) => void

const sendJson = (res: ServerResponse, body: string, status = 200) => {
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
  res.end(body)
}
const sendStatus = (code: number, headers: Record<string, string> = {}): Respond => (_req, res) => {
  res.writeHead(code, { "content-type": "text/plain", ...headers })
  res.end(`status ${code} at ${other.url}`)
}
const ok: Respond = (_req, res, id) => sendJson(res, JSON.stringify({ ...sellerOf(id), internal: "not for tokens" }))
const redirect = (code: number): Respond => (_req, res, id) => {
  res.writeHead(code, { location: `${other.url}/seller/${encodeURIComponent(id)}` })
  res.end()
}

const faults: Readonly<Record<string, Respond>> = {
  ok,
  s404: sendStatus(404),
  s500: sendStatus(500),
  s502: sendStatus(502),
  s503: sendStatus(503),
  s504: sendStatus(504),
  s429: sendStatus(429, { "retry-after": "3" }),
  s400: sendStatus(400),
  s401: sendStatus(401),
  s403: sendStatus(403),
  flaky: (
    req,
    res,
    id,
    attempt
  ) => (attempt === 0 ? sendStatus(503)(req, res, id, attempt) : ok(req, res, id, attempt)),
  hangThenOk: (req, res, id, attempt) => (attempt === 0 ? undefined : ok(req, res, id, attempt)),
  slowOk: (req, res, id, attempt) => {
    const timer = setTimeout(() => ok(req, res, id, attempt), SLOW_MILLIS)
    res.on("close", () => clearTimeout(timer))
  },
  hang: () => undefined,
  drip: (_req, res, id) => {
    const body = JSON.stringify(sellerOf(id))
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
    let sent = 0
    const timer = setInterval(() => {
      res.write(body.slice(sent, sent + 1))
      sent++
      if (sent >= body.length) {
        clearInterval(timer)
        res.end()
      }
    }, DRIP_MILLIS)
    res.on("close", () => clearInterval(timer))
  },
  resetBeforeHeaders: (req) => req.socket.destroy(),
  resetMidBody: (_req, res, id) => {
    const body = JSON.stringify(sellerOf(id))
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
    res.write(body.slice(0, 10))
    setTimeout(() => res.socket?.destroy(), 20)
  },
  garbage: (_req, res) => sendJson(res, "<html>not json"),
  empty: (_req, res) => sendJson(res, ""),
  shape: (_req, res) => sendJson(res, JSON.stringify({ id: 7, mail: "nobody" })),
  array: (_req, res, id) => sendJson(res, JSON.stringify([sellerOf(id)])),
  otherSeller: (_req, res) => sendJson(res, JSON.stringify(sellerOf("someone-else"))),
  badEmail: (_req, res, id) => sendJson(res, JSON.stringify({ ...sellerOf(id), email: "not an email" })),
  big: (_req, res, id) => sendJson(res, bodyOfLength(id, 70_000)),
  atCap: (_req, res, id) => sendJson(res, bodyOfLength(id, MAX_BODY_BYTES)),
  overCap: (_req, res, id) => sendJson(res, bodyOfLength(id, MAX_BODY_BYTES + 1)),
  r301: redirect(301),
  r302: redirect(302),
  r307: redirect(307),
  r308: redirect(308),
  gzipLie: (_req, res, id) => {
    const body = JSON.stringify(sellerOf(id))
    res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" })
    res.end(body)
  }
}

const startFaultServer = (): Promise<Running> => {
  const hits: Array<Hit> = []
  const attempts = new Map<string, number>()
  const server = createServer((req, res) => {
    const match = /^\/seller\/([^/?]+)$/.exec(req.url ?? "/")
    const id = match?.[1] === undefined ? "" : decodeURIComponent(match[1])
    const hit: Hit = { id, method: req.method ?? "", at: performance.now(), finished: false }
    hits.push(hit)
    res.on("finish", () => {
      hit.finished = true
    })
    const fault = id.split("--")[0] ?? ""
    const respond = Object.hasOwn(faults, fault) ? faults[fault] : undefined
    if (respond === undefined) {
      res.writeHead(404).end()
      return
    }
    const attempt = attempts.get(id) ?? 0
    attempts.set(id, attempt + 1)
    respond(req, res, id, attempt)
  })
  return listen(server, hits)
}

const startOtherHost = (): Promise<Running> => {
  const hits: Array<Hit> = []
  const server = createServer((req, res) => {
    hits.push({
      id: req.url ?? "",
      method: req.method ?? "",
      at: performance.now(),
      finished: true
    })
    sendJson(res, JSON.stringify(sellerOf("redirected")))
  })
  return listen(server, hits)
}

// ---------------------------------------------------------------------------------------------------------------
// Running the faults.
// ---------------------------------------------------------------------------------------------------------------

const { calls: fetches, realFetch, watchingFetch } = FetchWatch.make()

/** The built Action's requests for a fault, in order. */
const fetchesFor = (fault: string): ReadonlyArray<FetchWatch.FetchCall> =>
  fetches.filter((f) => f.url.endsWith(`/seller/${fault}--rfx`))

/** The request was aborted when its 2 s attempt timed out. */
const assertAbortedAfterAttempt = (call: FetchWatch.FetchCall | undefined) => {
  assert.isDefined(call, "no such request")
  assert.isDefined(call!.abortedAt, `${call!.url} was never aborted`)
  const after = call!.abortedAt! - call!.startedAt
  assert.isAtLeast(after, ATTEMPT_MILLIS - 50, call!.url)
  assert.isBelow(after, ATTEMPT_MILLIS + 500, call!.url)
}

let dir = ""
let action: Handler
let oracle: Handler
let server: Running
let closedUrl = ""
const lines: Array<string> = []
let capture: LogCapture.Capture | undefined

interface Result {
  readonly summary: RecordingApi.Summary
  /** The calls that decide the login (see RecordingApi.decisive). */
  readonly calls: ReadonlyArray<RecordingApi.Call>
  readonly allCalls: ReadonlyArray<RecordingApi.Call>
  readonly millis: number
  readonly rejected: boolean
}

interface Observed {
  readonly ours: Result
  readonly theirs: Result
  readonly id: string
  /** Requests for this fault through the built Action. */
  readonly hits: ReadonlyArray<Hit>
  /** Requests for this fault through the oracle. */
  readonly oracleHits: ReadonlyArray<Hit>
  /** The built Action's log lines for this login. */
  readonly lines: ReadonlyArray<string>
}

const observed = new Map<string, Observed>()

const event = (id: string, who: string, url: string) =>
  Events.postLogin({
    user: { user_id: `auth0|${id}--${who}`, app_metadata: { sellerId: `${id}--${who}`, roles: ["USER"] } },
    client: { client_id: "shop-app", name: "Shop", metadata: { allowed_roles: "USER,ADMIN" } },
    secrets: { SELLER_API_URL: url, INTERCOM_SECRET }
  })

const runOne = async (handler: Handler, evt: unknown): Promise<Result> => {
  const api = RecordingApi.make()
  const start = performance.now()
  let rejected = false
  await handler(evt, api).catch(() => {
    rejected = true
  })
  const millis = performance.now() - start
  return { summary: api.summary(), calls: RecordingApi.decisive(api.calls), allCalls: [...api.calls], millis, rejected }
}

const observe = async (fault: string, url: () => string = () => server.url): Promise<void> => {
  const [ours, theirs] = await Promise.all([
    runOne(action, event(fault, "rfx", url())),
    runOne(oracle, event(fault, "ora", url()))
  ])
  observed.set(fault, {
    id: fault,
    ours,
    theirs,
    hits: server.hits.filter((h) => h.id === `${fault}--rfx`),
    oracleHits: server.hits.filter((h) => h.id === `${fault}--ora`),
    lines: lines.filter((line) => line.includes(`user=auth0|${fault}--rfx`))
  })
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rulefx-hardening-faults-"))
  const outfile = join(dir, "action.js")
  await Bundle.build({ entry, outfile })
  rmSync(join(dir, "package.json"), { force: true })
  action = (createRequire(outfile)(outfile) as { onExecutePostLogin: Handler }).onExecutePostLogin
  oracle = (createRequire(import.meta.url)(oracleFile) as { onExecutePostLogin: Handler }).onExecutePostLogin
  globalThis.fetch = watchingFetch
  other = await startOtherHost()
  server = await startFaultServer()
  const closed = await startOtherHost()
  closedUrl = closed.url
  await closed.close()
  capture = LogCapture.start({ lines })
  // One login each first, so that loading and compiling are not charged to the first fault's attempt timeout.
  await Promise.all([runOne(action, event("ok", "warm", server.url)), runOne(oracle, event("ok", "warm", server.url))])
  // Every fault at once: the slow ones (hang, drip) cost their seconds once.
  await Promise.all([
    ...Object.keys(faults).map((fault) => observe(fault)),
    observe("refused", () => closedUrl)
  ])
  // Let connections the clients aborted reach the server's close events.
  await new Promise((resolve) => setTimeout(resolve, 100))
}, 60_000)

afterAll(async () => {
  globalThis.fetch = realFetch
  capture?.stop()
  await server?.close()
  await other?.close()
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

const get = (fault: string): Observed => {
  const o = observed.get(fault)
  assert.isDefined(o, `fault ${fault} was not observed`)
  return o!
}

/** The outcome the policy names, through the built Action, the same as the oracle's. */
const assertPolicy = (
  fault: string,
  expected: {
    readonly outcome: "seller" | "absent" | "denied"
    readonly requests: number
    readonly seller?: { readonly id: string; readonly email: string; readonly name: string }
  }
) => {
  const o = get(fault)
  const { ours } = o
  assert.isFalse(ours.rejected, `${fault}: the handler rejected`)
  if (expected.outcome === "denied") {
    assert.deepStrictEqual(ours.calls, [{ method: "access.deny", args: [genericMessage] }], fault)
  } else {
    assert.isUndefined(ours.summary.denied, fault)
    const seller = expected.seller ?? sellerOf(`${fault}--rfx`)
    assert.deepStrictEqual(
      ours.summary.idTokenClaims,
      expected.outcome === "seller"
        ? { [SELLER_CLAIM]: seller, [HASH_CLAIM]: Hmac.hex(INTERCOM_SECRET, seller.email) }
        : {},
      fault
    )
    assert.deepStrictEqual(ours.summary.accessTokenClaims, { [ROLES_CLAIM]: ["USER"] }, fault)
  }
  // Within the deadline, with a margin for the event loop.
  assert.isBelow(ours.millis, DEADLINE_MILLIS + MARGIN_MILLIS, `${fault}: ${ours.millis} ms`)
  // Retries only of the idempotent GET, and within the budget of one.
  if (fault !== "refused") assert.strictEqual(o.hits.length, expected.requests, `${fault}: requests`)
  for (const hit of o.hits) assert.strictEqual(hit.method, "GET")
  // The oracle agrees, call for call and request for request.
  const sellerClaim = (calls: ReadonlyArray<RecordingApi.Call>, who: string) =>
    JSON.stringify(calls).replaceAll(`${fault}--${who}`, "ID").replace(/"[0-9a-f]{64}"/g, "\"HASH\"")
  assert.strictEqual(sellerClaim(ours.calls, "rfx"), sellerClaim(o.theirs.calls, "ora"), `${fault}: the oracle differs`)
  if (fault !== "refused") assert.strictEqual(o.oracleHits.length, o.hits.length, `${fault}: oracle requests`)
  return o
}

/** The built Action's log says what happened, in one short line, with nothing internal. */
const assertLogged = (o: Observed, detail: string | RegExp) => {
  const text = o.lines.join("\n")
  assert.isTrue(
    o.lines.some((line) => (typeof detail === "string" ? line.includes(detail) : detail.test(line))),
    `${o.id}: no log line with ${String(detail)}:\n${text}`
  )
  const leaks = [server.url, other.url, closedUrl, "127.0.0.1", INTERCOM_SECRET, "<html", "nobody", "not for tokens"]
  for (const line of o.lines) {
    assert.isAtMost(line.length, 256, line)
    for (const leak of leaks) assert.notInclude(line, leak, line)
    assert.notMatch(line, /:\d{4,5}\b/, line)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The policy, fault by fault.
// ---------------------------------------------------------------------------------------------------------------

describe("faults: answers the policy accepts", () => {
  it("a seller: allowed with the seller claims, one request", () => {
    const o = assertPolicy("ok", { outcome: "seller", requests: 1 })
    assert.deepStrictEqual(o.lines, [])
  })

  it("404: treated as absent, no seller claims, login allowed, one request", () => {
    assertPolicy("s404", { outcome: "absent", requests: 1 })
  })

  it("a slow answer inside the 2 s attempt timeout: allowed, one request", () => {
    const o = assertPolicy("slowOk", { outcome: "seller", requests: 1 })
    assert.isAtLeast(o.ours.millis, SLOW_MILLIS - 50)
  })

  it("a body of exactly 64 kB: allowed", () => {
    const seller = JSON.parse(bodyOfLength("atCap--rfx", MAX_BODY_BYTES)) as ReturnType<typeof sellerOf>
    assert.strictEqual(JSON.stringify(seller).length, MAX_BODY_BYTES)
    assertPolicy("atCap", { outcome: "seller", requests: 1, seller })
  })
})

describe("faults: retried once (idempotent GET), then the policy", () => {
  it.each(["s500", "s502", "s503", "s504"])("%s: retried once at once, then denied", (fault) => {
    const o = assertPolicy(fault, { outcome: "denied", requests: 2 })
    assert.isBelow(o.ours.millis, 1_000)
    assertLogged(o, `status ${fault.slice(1)}`)
  })

  it("503 then the seller: allowed after one retry", () => {
    assertPolicy("flaky", { outcome: "seller", requests: 2 })
  })

  it("a hang, then the seller: the first attempt times out after 2 s, the retry answers, allowed", () => {
    const o = assertPolicy("hangThenOk", { outcome: "seller", requests: 2 })
    assert.isAtLeast(o.ours.millis, ATTEMPT_MILLIS - 50)
    // The first request was aborted when its attempt timed out, and the retry went out then.
    const [first, second] = fetchesFor("hangThenOk")
    assertAbortedAfterAttempt(first)
    assert.isAtLeast(second!.startedAt, first!.abortedAt! - 5)
  })

  it("a hang: two attempts of 2 s, both aborted, denied inside the deadline", () => {
    const o = assertPolicy("hang", { outcome: "denied", requests: 2 })
    assert.isAtLeast(o.ours.millis, 2 * ATTEMPT_MILLIS - 100)
    for (const hit of o.hits) assert.isFalse(hit.finished)
    const calls = fetchesFor("hang")
    assert.strictEqual(calls.length, 2)
    for (const call of calls) assertAbortedAfterAttempt(call)
    // The retry went out once the first attempt had given up.
    assert.isAtLeast(calls[1]!.startedAt, calls[0]!.abortedAt! - 5)
    assertLogged(o, `no answer in ${ATTEMPT_MILLIS} ms`)
  })

  it("a slow drip (one byte every 300 ms): the 2 s attempt timeout fires mid-body, twice, denied", () => {
    const o = assertPolicy("drip", { outcome: "denied", requests: 2 })
    assert.isAtLeast(o.ours.millis, 2 * ATTEMPT_MILLIS - 100)
    for (const hit of o.hits) assert.isFalse(hit.finished, "the drip finished: the timeout did not cut it")
    const calls = fetchesFor("drip")
    assert.strictEqual(calls.length, 2)
    for (const call of calls) assertAbortedAfterAttempt(call)
    assertLogged(o, `no answer in ${ATTEMPT_MILLIS} ms`)
  })

  it("a connection reset before the headers: retried once, denied", () => {
    const o = assertPolicy("resetBeforeHeaders", { outcome: "denied", requests: 2 })
    assertLogged(o, "connection failed")
  })

  it("a connection reset mid-body (socket.destroy()): retried once, denied", () => {
    const o = assertPolicy("resetMidBody", { outcome: "denied", requests: 2 })
    assertLogged(o, "connection failed")
  })

  it("a body that claims gzip and is not: a failed read, retried once, denied", () => {
    const o = assertPolicy("gzipLie", { outcome: "denied", requests: 2 })
    assertLogged(o, "connection failed")
  })

  it("connection refused: denied inside the deadline", () => {
    const o = assertPolicy("refused", { outcome: "denied", requests: 0 })
    assertLogged(o, "ECONNREFUSED")
  })
})

describe("faults: denied without a retry", () => {
  it("429 with Retry-After: 3 is a 4xx: one request, no wait for Retry-After, denied", () => {
    const o = assertPolicy("s429", { outcome: "denied", requests: 1 })
    assert.isBelow(o.ours.millis, 1_000)
    assertLogged(o, "status 429")
  })

  it.each(["s400", "s401", "s403"])("%s: one request, denied", (fault) => {
    const o = assertPolicy(fault, { outcome: "denied", requests: 1 })
    assertLogged(o, `status ${fault.slice(1)}`)
  })

  it.each(
    [
      ["garbage", "a body that is not JSON", "body is not JSON"],
      ["empty", "an empty body", "body is not JSON"],
      ["shape", "valid JSON of the wrong shape", "body is not a seller"],
      ["array", "a JSON array holding the seller", "body is not a seller"],
      ["badEmail", "a seller whose email is not one", "body is not a seller"],
      ["otherSeller", "another seller than the one asked for", "body is a different seller"],
      ["big", "a 70 kB body", `body is over ${MAX_BODY_BYTES} bytes`],
      ["overCap", "a body one character over 64 kB", `body is over ${MAX_BODY_BYTES} bytes`]
    ] as const
  )("%s (%s): one request, denied, the log says why", (fault, _, detail) => {
    const o = assertPolicy(fault, { outcome: "denied", requests: 1 })
    assertLogged(o, detail)
  })

  it.each(["r301", "r302", "r307", "r308"])(
    "a redirect (%s) to another host on 127.0.0.1: never followed, denied",
    (fault) => {
      const o = assertPolicy(fault, { outcome: "denied", requests: 2 })
      assert.deepStrictEqual(other.hits.filter((h) => h.id.includes(fault)), [])
      assertLogged(o, "connection failed")
    }
  )
})

describe("faults: over all of them", () => {
  it("the other host never received a request", () => {
    assert.deepStrictEqual(other.hits, [])
  })

  it("no login was ever allowed with someone else's seller, and none wrote metadata", () => {
    for (const o of observed.values()) {
      for (const c of o.ours.calls) assert.notInclude(["user.setAppMetadata", "user.setUserMetadata"], c.method)
      const seller = o.ours.summary.idTokenClaims[SELLER_CLAIM] as { id?: string } | undefined
      if (seller !== undefined) assert.strictEqual(seller.id, `${o.id}--rfx`)
    }
  })

  it("no secret in any claim, denial reason or log line, of any fault", () => {
    assert.isAbove(lines.length, 20)
    for (const o of observed.values()) assert.notInclude(JSON.stringify(o.ours.allCalls), INTERCOM_SECRET, o.id)
    for (const line of lines) assert.notInclude(line, INTERCOM_SECRET, line)
  })

  it("every request the built Action gave up on was aborted; none was left running", () => {
    const timedOut = new Set(["hang", "drip", "hangThenOk"])
    for (const call of fetches) {
      const fault = /\/seller\/([^/?]+)--rfx$/.exec(call.url)?.[1]
      if (fault === undefined || !timedOut.has(fault)) continue
      if (fault === "hangThenOk" && call !== fetchesFor("hangThenOk")[0]) continue
      assertAbortedAfterAttempt(call)
    }
  })
})
