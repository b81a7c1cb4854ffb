/**
 * The comparison is only meaningful if both Actions behave the same, so before measuring anything the bench runs
 * the demo's logins (and a few edge cases of the seed contract) through the built seed Action and the hand-written
 * one, each with a recording `api` against its own fake seller API on 127.0.0.1, and compares every `api` call and
 * every seller request.
 */
import { createRequire } from "node:module"
import * as RecordingApi from "../packages/testing/src/RecordingApi.ts"
import * as SellerServer from "../packages/testing/src/SellerServer.ts"

/** An Auth0 post-login handler. */
export type Handler = (event: unknown, api: RecordingApi.RecordingApi) => Promise<void>

/** Loads a built Action with plain `require`, as Auth0 does. */
export const load = (file: string): Handler =>
  (createRequire(file)(file) as { onExecutePostLogin: Handler }).onExecutePostLogin

interface Context {
  readonly url: string
  readonly closedUrl: string
}

/** One login of the comparison. */
export interface Scenario {
  readonly who: string
  readonly event: (context: Context) => unknown
  /** The seed Action may or may not have sent its (interrupted) seller request: only api calls are compared. */
  readonly racyRequests?: boolean
}

const INTERCOM_SECRET = "bench-intercom-secret"

const login = (
  index: number,
  appMetadata: Record<string, unknown>,
  options: { readonly secrets?: (c: Context) => Record<string, unknown>; readonly metadata?: Record<string, string> } =
    {}
) =>
(context: Context) => ({
  user: { user_id: `auth0|${index}`, app_metadata: appMetadata, user_metadata: {} },
  client: { client_id: "shop-app", name: "Shop", metadata: options.metadata ?? { allowed_roles: "USER,ADMIN" } },
  request: { ip: "203.0.113.7" },
  secrets: options.secrets?.(context) ?? { SELLER_API_URL: context.url, INTERCOM_SECRET }
})

/** The seller API's answers: the demo's, plus bodies that break one check each. */
export const answers: Readonly<Record<string, SellerServer.Answer>> = {
  ...SellerServer.demoAnswers,
  "seller-other": SellerServer.seller("someone-else", "x@shop.example", "X"),
  "seller-email": SellerServer.seller("seller-email", "not an email", "Y"),
  "seller-big": SellerServer.seller("seller-big", "big@shop.example", "B".repeat(70_000))
}

/** The demo's eight logins first (scripts/demo.ts), then edge cases of the contract. */
export const scenarios: ReadonlyArray<Scenario> = [
  { who: "ada, seller", event: login(1, { sellerId: "seller-1", roles: ["ADMIN"] }) },
  { who: "bob, no seller", event: login(2, {}) },
  { who: "eve, role GUEST", event: login(3, { roles: ["GUEST"] }) },
  { who: "cy, seller API 500", event: login(4, { sellerId: "seller-500" }) },
  { who: "dan, garbage body", event: login(5, { sellerId: "seller-garbage" }) },
  { who: "fay, wrong shape", event: login(6, { sellerId: "seller-shape" }) },
  { who: "flo, flaky (503, retried)", event: login(7, { sellerId: "seller-flaky" }) },
  { who: "hal, seller API hangs", event: login(8, { sellerId: "seller-hang" }) },
  { who: "numeric sellerId, 404", event: login(9, { sellerId: 42 }) },
  { who: "sellerId with spaces", event: login(10, { sellerId: " seller-1 ", roles: ["USER"] }) },
  { who: "sellerId \".\"", event: login(11, { sellerId: "." }) },
  { who: "GUEST with a seller", event: login(12, { sellerId: "seller-1", roles: ["GUEST"] }), racyRequests: true },
  { who: "GUEST, seller API 500", event: login(13, { sellerId: "seller-500", roles: ["GUEST"] }), racyRequests: true },
  { who: "roles not strings", event: login(14, { roles: [1] }) },
  { who: "seller of another id", event: login(15, { sellerId: "seller-other" }) },
  { who: "seller email invalid", event: login(16, { sellerId: "seller-email" }) },
  { who: "seller body over 64 kB", event: login(17, { sellerId: "seller-big" }) },
  {
    who: "no INTERCOM_SECRET",
    event: login(18, { sellerId: "seller-1" }, { secrets: (c) => ({ SELLER_API_URL: c.url }) }),
    racyRequests: true
  },
  { who: "no allowed_roles", event: login(19, { roles: ["ADMIN"] }, { metadata: {} }) },
  {
    who: "SELLER_API_URL with a trailing slash",
    event: login(20, { sellerId: "seller-1" }, { secrets: (c) => ({ SELLER_API_URL: `${c.url}/`, INTERCOM_SECRET }) })
  },
  {
    who: "SELLER_API_URL not http(s)",
    event: login(21, {}, { secrets: () => ({ SELLER_API_URL: "ftp://127.0.0.1/", INTERCOM_SECRET }) })
  },
  {
    who: "connection refused",
    event: login(22, { sellerId: "seller-1" }, { secrets: (c) => ({ SELLER_API_URL: c.closedUrl, INTERCOM_SECRET }) })
  },
  { who: "malformed event (null)", event: () => null },
  {
    who: "event without request.ip",
    event: (c) => ({ ...(login(23, {})(c) as object), request: {} })
  }
]

/** What one handler did for one scenario. */
export interface Observed {
  readonly calls: ReadonlyArray<RecordingApi.Call>
  readonly requests: number
}

const observe = async (handler: Handler): Promise<ReadonlyArray<Observed>> => {
  const server = await SellerServer.start(answers)
  const closed = await SellerServer.start({})
  const closedUrl = closed.url
  await closed.close()
  const out: Array<Observed> = []
  try {
    for (const scenario of scenarios) {
      const api = RecordingApi.make()
      const before = server.requests().length
      // One after another, as the demo runs them: the flaky seller's answers depend on the order.
      // oxlint-disable-next-line no-await-in-loop
      await handler(scenario.event({ url: server.url, closedUrl }), api)
      // An interrupted request may still reach the server a moment later: let it land on this scenario's count.
      // oxlint-disable-next-line no-await-in-loop
      if (scenario.racyRequests === true) await new Promise((resolve) => setTimeout(resolve, 50))
      out.push({ calls: [...api.calls], requests: server.requests().length - before })
    }
  } finally {
    await server.close()
  }
  return out
}

/** A one-line account of what a login became, for the report. */
export const describe = (calls: ReadonlyArray<RecordingApi.Call>): string => {
  const summary = RecordingApi.summarize(calls)
  if (summary.denied !== undefined) return `denied: ${summary.denied}`
  const claims = [...Object.keys(summary.idTokenClaims), ...Object.keys(summary.accessTokenClaims)]
    .map((name) => name.replace(/^https:\/\/example\.com\//, ""))
  return `allowed, claims ${claims.join(", ")}`
}

/** The comparison of several handlers against the first. */
export interface Comparison {
  readonly names: ReadonlyArray<string>
  readonly rows: ReadonlyArray<{
    readonly who: string
    readonly outcome: string
    readonly requests: ReadonlyArray<number>
    /** Seller requests are not compared for this login. */
    readonly racy: boolean
    /** Per handler after the first: same api calls (and same seller requests, unless racy). */
    readonly same: ReadonlyArray<boolean>
  }>
  /** Per handler after the first: every scenario the same. */
  readonly identical: ReadonlyArray<boolean>
}

/** Runs every scenario through every handler (handlers concurrently, scenarios in order) and compares. */
export const compare = async (handlers: ReadonlyArray<{ readonly name: string; readonly handler: Handler }>) => {
  const log = console.log
  // The Actions log their denials; the comparison is about api calls, so their lines are not printed.
  console.log = () => undefined
  let observed: ReadonlyArray<ReadonlyArray<Observed>>
  try {
    observed = await Promise.all(handlers.map((h) => observe(h.handler)))
  } finally {
    console.log = log
  }
  const [reference = [], ...others] = observed
  const rows = scenarios.map((scenario, i) => {
    const mine = reference[i] ?? { calls: [], requests: 0 }
    return {
      who: scenario.who,
      outcome: describe(mine.calls),
      requests: observed.map((o) => o[i]?.requests ?? -1),
      racy: scenario.racyRequests === true,
      same: others.map((other) => {
        const theirs = other[i]
        return theirs !== undefined && JSON.stringify(theirs.calls) === JSON.stringify(mine.calls) &&
          (scenario.racyRequests === true || theirs.requests === mine.requests)
      })
    }
  })
  const identical = others.map((_, k) => rows.every((row) => row.same[k] === true))
  return { names: handlers.map((h) => h.name), rows, identical } satisfies Comparison
}
