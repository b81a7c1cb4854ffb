/**
 * Concurrency: three independent facts, each a 100 ms lookup on 127.0.0.1, in a rulefx pipeline (run through the
 * real PostLogin handler), against the same three lookups awaited one after another in plain JS and against one
 * lookup alone; and a denial that must not wait for an unrelated 1 s lookup still in flight.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as PostLogin from "../packages/adapter-auth0/src/PostLogin.ts"
import * as Decision from "../packages/core/src/Decision.ts"
import * as Denial from "../packages/core/src/Denial.ts"
import * as Fact from "../packages/core/src/Fact.ts"
import * as Pipeline from "../packages/core/src/Pipeline.ts"
import * as Rule from "../packages/core/src/Rule.ts"
import * as RecordingApi from "../packages/testing/src/RecordingApi.ts"
import * as SellerServer from "../packages/testing/src/SellerServer.ts"
import type { Handler } from "./equivalence.ts"
import { median } from "./report.ts"

/** How long each lookup's endpoint takes to answer. */
export const lookupMillis = 100

/** How long the lookup a denial must not wait for takes. */
export const slowMillis = 1000

const json = (id: string, delayMillis: number): SellerServer.Answer => ({
  _tag: "Json",
  body: { id, email: `${id}@shop.example`, name: id },
  delayMillis
})

const answers: Record<string, SellerServer.Answer> = {
  a: json("a", lookupMillis),
  b: json("b", lookupMillis),
  c: json("c", lookupMillis),
  slow: json("slow", slowMillis),
  "slow-seller": json("slow-seller", slowMillis)
}

const event = (appMetadata: Record<string, unknown>, secrets: Record<string, string> = {}) => ({
  user: { user_id: "auth0|concurrency", app_metadata: appMetadata, user_metadata: {} },
  client: { client_id: "shop-app", name: "Shop", metadata: { allowed_roles: "USER,ADMIN" } },
  request: { ip: "203.0.113.7" },
  secrets
})

/** A plain lookup: GET the endpoint and parse its JSON. */
const fetchJson = (url: string, signal?: AbortSignal): Promise<{ readonly id: string }> =>
  fetch(url, signal === undefined ? {} : { signal }).then((r) => r.json() as Promise<{ readonly id: string }>)

/** The same lookup as an Effect; interruption aborts the request. `signals` records each request's signal. */
const lookup = (url: string, signals: Array<AbortSignal>) =>
  Effect.promise((signal) => {
    signals.push(signal)
    return fetchJson(url, signal)
  })

/** A rule that reads a fact and puts its id in a claim. */
const claimFrom = <Name extends string>(fact: Fact.Fact<Name, { readonly id: string }, never, never>) =>
  Rule.make(
    `read-${fact.name}`,
    Effect.gen(function*() {
      const value = yield* fact
      yield* Decision.setIdTokenClaim(`https://example.com/${fact.name}`, value.id)
    })
  )

/** The denial of the "does not wait" case. */
class BenchDenied extends Denial.Class("BenchDenied")<{}> {
  override get message(): string {
    return "Denied by the bench."
  }
}

const handlers = (url: string, signals: Array<AbortSignal>) => {
  const A = Fact.make("a", lookup(`${url}/seller/a`, signals))
  const B = Fact.make("b", lookup(`${url}/seller/b`, signals))
  const C = Fact.make("c", lookup(`${url}/seller/c`, signals))
  const Slow = Fact.make("slow", lookup(`${url}/seller/slow`, signals))
  const deny = Rule.make("deny", Effect.fail(new BenchDenied()))
  const denyAfter20 = Rule.make(
    "deny-after-20ms",
    Effect.flatMap(Effect.sleep(Duration.millis(20)), () => Effect.fail(new BenchDenied()))
  )
  return {
    one: PostLogin.make(Pipeline.make({ facts: [A], rules: [claimFrom(A)] }), Layer.empty),
    three: PostLogin.make(
      Pipeline.make({ facts: [A, B, C], rules: [claimFrom(A), claimFrom(B), claimFrom(C)] }),
      Layer.empty
    ),
    denyNow: PostLogin.make(Pipeline.make({ facts: [Slow], rules: [claimFrom(Slow), deny] }), Layer.empty),
    denyAfter20: PostLogin.make(Pipeline.make({ facts: [Slow], rules: [claimFrom(Slow), denyAfter20] }), Layer.empty)
  }
}

const elapsed = async (f: () => Promise<unknown>): Promise<number> => {
  const start = performance.now()
  await f()
  return performance.now() - start
}

const run = (handler: Handler, evt: unknown) => async () => {
  const api = RecordingApi.make()
  await handler(evt, api)
  return api.summary()
}

/** One named measurement: its median over the rounds, and every round. */
export interface Timed {
  readonly name: string
  readonly medianMillis: number
  readonly millis: ReadonlyArray<number>
}

/** The results of the concurrency section. */
export interface ConcurrencyResults {
  readonly rounds: number
  readonly oneLookupPlain: Timed
  readonly oneLookupRulefx: Timed
  readonly threeRulefx: Timed
  readonly threeSequentialPlain: Timed
  readonly threePromiseAll: Timed
  readonly denial: ReadonlyArray<{
    readonly name: string
    readonly millis: number
    readonly outcome: string
    /** Whether the slow lookup's request had reached the server when the run ended. */
    readonly requestSeen: boolean | undefined
    /** Whether the slow lookup's AbortSignal was aborted when the run ended (rulefx pipelines only). */
    readonly aborted: boolean | undefined
  }>
}

/** Runs the section; `seed` and `baseline` are the built Actions, for the real-world denial case. */
export const concurrency = async (
  seed: Handler,
  baseline: Handler,
  rounds: number
): Promise<ConcurrencyResults> => {
  const server = await SellerServer.start(answers)
  const log = console.log
  console.log = () => undefined
  try {
    const signals: Array<AbortSignal> = []
    const h = handlers(server.url, signals)
    const url = (id: string) => `${server.url}/seller/${id}`
    const cases: Array<[keyof Omit<ConcurrencyResults, "rounds" | "denial">, () => Promise<unknown>]> = [
      ["oneLookupPlain", () => fetchJson(url("a"))],
      ["oneLookupRulefx", run(h.one, event({}))],
      ["threeRulefx", run(h.three, event({}))],
      ["threeSequentialPlain", async () => {
        await fetchJson(url("a"))
        await fetchJson(url("b"))
        await fetchJson(url("c"))
      }],
      ["threePromiseAll", () => Promise.all([fetchJson(url("a")), fetchJson(url("b")), fetchJson(url("c"))])]
    ]
    // The rulefx pipeline must really have claimed all three.
    const three = await run(h.three, event({}))()
    if (Object.keys(three.idTokenClaims).length !== 3) throw new Error("the three-fact pipeline did not set 3 claims")
    const samples = new Map<string, Array<number>>(cases.map(([name]) => [name, []]))
    // Round -1 warms up connections and the JIT; it is not counted.
    for (let round = -1; round < rounds; round++) {
      for (const [name, f] of cases) {
        // oxlint-disable-next-line no-await-in-loop
        const millis = await elapsed(f)
        if (round >= 0) samples.get(name)?.push(millis)
      }
    }
    const timed = (name: string): Timed => {
      const millis = samples.get(name) ?? []
      return { name, medianMillis: median(millis), millis }
    }

    const denial: Array<ConcurrencyResults["denial"][number]> = []
    const slowRequests = (id: string) => server.requests().filter((p) => p === `/seller/${id}`).length
    for (
      const [name, handler, evt, id, viaSignal] of [
        ["rulefx pipeline: a rule denies at once", h.denyNow, event({}), "slow", true],
        ["rulefx pipeline: a rule denies after 20 ms", h.denyAfter20, event({}), "slow", true],
        [
          "seed Action: role GUEST, seller API answers in 1 s",
          seed,
          event({ sellerId: "slow-seller", roles: ["GUEST"] }, { SELLER_API_URL: server.url, INTERCOM_SECRET: "x" }),
          "slow-seller",
          false
        ],
        [
          "hand-written Action: the same login",
          baseline,
          event({ sellerId: "slow-seller", roles: ["GUEST"] }, { SELLER_API_URL: server.url, INTERCOM_SECRET: "x" }),
          "slow-seller",
          false
        ]
      ] as const
    ) {
      const before = slowRequests(id)
      signals.length = 0
      let outcome = ""
      // One at a time: each denial's time is its own.
      // oxlint-disable-next-line no-await-in-loop
      const millis = await elapsed(async () => {
        const summary = await run(handler, evt)()
        outcome = summary.denied === undefined ? "allowed" : `denied: ${summary.denied}`
      })
      denial.push({
        name,
        millis,
        outcome,
        requestSeen: slowRequests(id) > before,
        aborted: viaSignal ? signals.length > 0 && signals.every((s) => s.aborted) : undefined
      })
    }
    const plainSlow = await elapsed(async () => {
      await fetchJson(`${server.url}/seller/slow`)
    })
    denial.push({
      name: "plain JS, one after another: await the lookup, then deny",
      millis: plainSlow,
      outcome: "denied",
      requestSeen: true,
      aborted: undefined
    })
    return {
      rounds,
      oneLookupPlain: timed("oneLookupPlain"),
      oneLookupRulefx: timed("oneLookupRulefx"),
      threeRulefx: timed("threeRulefx"),
      threeSequentialPlain: timed("threeSequentialPlain"),
      threePromiseAll: timed("threePromiseAll"),
      denial
    }
  } finally {
    console.log = log
    await server.close()
  }
}
