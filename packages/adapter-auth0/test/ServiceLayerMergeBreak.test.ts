/**
 * Attempts to break ServiceLayer.mergeAll (several ServiceLayers as one, built by the adapter by running their Effects
 * in order). Each test names what it tried. The three under "found by the breaker" failed against the first version
 * (18318cf: members read once at the merge, the layer checked once at make, a shared member built twice); the rest
 * guard what held.
 */
import { assert, describe, it, vi } from "@effect/vitest"
import * as CredentialsExchange from "@rulefx/adapter-auth0/CredentialsExchange"
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Resumable from "@rulefx/adapter-auth0/Resumable"
import { Cache } from "@rulefx/core/Cache"
import * as Exchange from "@rulefx/core/CredentialsExchange"
import * as Decision from "@rulefx/core/Decision"
import { Login } from "@rulefx/core/Login"
import * as Pipeline from "@rulefx/core/Pipeline"
import { Resumed } from "@rulefx/core/Resumed"
import * as Rule from "@rulefx/core/Rule"
import * as Secrets from "@rulefx/core/Secrets"
import * as ServiceLayer from "@rulefx/core/ServiceLayer"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as TriggerApis from "@rulefx/testing/TriggerApis"
import * as TriggerEvents from "@rulefx/testing/TriggerEvents"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { minimalEvent } from "./utils/Events.ts"
import { assertResumedRefused, deniedClosed } from "./utils/Refusals.ts"

class Keyed extends Context.Service<Keyed, { readonly key: string; readonly user: string }>()("test/Keyed") {}
class Tier extends Context.Service<Tier, { readonly tier: string }>()("test/Tier") {}

let ruleRuns = 0
let keyedBuilds = 0

// Reads this login's secret and user, after a delay that differs per login, so builds finish out of order.
const keyedBuild = Effect.gen(function*() {
  keyedBuilds++
  const login = yield* Login
  const key = Redacted.value(yield* Secrets.get("KEY"))
  yield* Effect.sleep(`${(login.user.id.length * 7) % 13} millis`)
  return { key, user: login.user.id }
})
const tierBuild = Effect.map(Secrets.get("TIER"), (t) => ({ tier: Redacted.value(t) }))

const keyed = ServiceLayer.effect(Keyed, keyedBuild)
const tier = ServiceLayer.effect(Tier, tierBuild)

// Puts both services in the token.
const claimBoth = Rule.make(
  "claimBoth",
  Effect.flatMap(Effect.all([Effect.service(Keyed), Effect.service(Tier)]), ([k, t]) =>
    Effect.andThen(
      Effect.sync(() => void ruleRuns++),
      Decision.setIdTokenClaim("both", `${k.user}:${k.key}:${t.tier}`)
    ))
)
const pipeline = Pipeline.make({ facts: [], rules: [claimBoth] })

const handlerOf = (layer: unknown, deadline?: number) =>
  PostLogin.make(pipeline, layer as never, deadline === undefined ? {} : { deadline })

const login = async (handler: PostLogin.Handler, userId: string, key = `key-of-${userId}`, tierValue = "gold") => {
  const api = RecordingApi.make()
  const { lines } = await LogCapture.around(() =>
    handler(minimalEvent({ userId, secrets: { KEY: key, TIER: tierValue } }), api)
  )
  return { summary: api.summary(), calls: api.calls, lines: LogCapture.rulefxLines(lines) }
}

// What Effect.provide of `layer` builds for Keyed and Tier, over a login's Login and Secrets.
const viaProvide = (layer: Layer.Layer<Keyed | Tier, unknown, Login | Secrets.Secrets>) =>
  Effect.runPromise(
    Effect.provide(Effect.all([Effect.service(Keyed), Effect.service(Tier)]), layer).pipe(
      Effect.provideService(Login, { user: { id: "auth0|p" } } as never),
      Effect.provideService(Secrets.Secrets, Secrets.make({ KEY: "pk", TIER: "pt" })),
      Effect.map(([k, t]) => `${k.user}:${k.key}:${t.tier}`)
    )
  )

// A service built after 200 ms.
const slow = <I, S>(key: Context.Key<I, S>, service: S) =>
  ServiceLayer.effect(key, Effect.as(Effect.sleep("200 millis"), service))

const fakeKeyed = () => Effect.succeed(Context.make(Keyed, { key: "fake", user: "fake" }))

describe("found by the breaker", () => {
  it("a member spied on after mergeAll is built through the spy, as alone and in Layer.mergeAll", async () => {
    // As a test fakes SellerApi.layer after importing the tenant's pipeline module, which merged it at load.
    const live = ServiceLayer.effect(Keyed, keyedBuild)
    const viaLayer = Layer.mergeAll(live, tier)
    const merged = ServiceLayer.mergeAll(live, tier)
    const spy = vi.spyOn(live as unknown as { build: () => unknown }, "build").mockImplementation(fakeKeyed)
    // Alone, and in Layer.mergeAll, the fake is what runs (as a Layer and in the adapter):
    assert.strictEqual(await viaProvide(viaLayer), "fake:fake:pt")
    assert.deepStrictEqual((await login(handlerOf(viaLayer), "auth0|a", "k1")).summary.idTokenClaims, {
      both: "fake:fake:gold"
    })
    spy.mockClear()
    // ServiceLayer.mergeAll kept the live Effect it read at the call: the fake is silently bypassed (a live call).
    const result = await login(handlerOf(merged), "auth0|a", "k1")
    assert.deepStrictEqual(result.summary.idTokenClaims, { both: "fake:fake:gold" })
    assert.strictEqual(await viaProvide(merged), "fake:fake:pt")
  })

  it("a merged layer spied on after PostLogin.make: the adapter builds what Effect.provide builds", async () => {
    // As a test fakes the tenant's layer after importing the module that made the handler at load.
    const merged = ServiceLayer.mergeAll(keyed, tier)
    const handler = handlerOf(merged)
    vi.spyOn(merged as unknown as { build: () => unknown }, "build").mockImplementation(() =>
      Effect.succeed(Context.make(Keyed, { key: "fake", user: "fake" }).pipe(Context.add(Tier, { tier: "fake" })))
    )
    assert.strictEqual(await viaProvide(merged), "fake:fake:fake")
    // The adapter read buildOf(merged) once, at make, and runs the live Effect behind the spy's back.
    const result = await login(handler, "auth0|a", "k1")
    assert.deepStrictEqual(result.summary.idTokenClaims, { both: "fake:fake:fake" })
  })

  it("a duplicated member is built once per login, as Layer.mergeAll's memo map builds it", async () => {
    keyedBuilds = 0
    assert.strictEqual(await viaProvide(Layer.mergeAll(keyed, tier, keyed)), "auth0|p:pk:pt")
    assert.strictEqual(keyedBuilds, 1, "Layer.mergeAll builds a shared member once")
    keyedBuilds = 0
    // Nested, as two packages' merged layers that both include a shared one are merged by the tenant.
    const twice = ServiceLayer.mergeAll(ServiceLayer.mergeAll(keyed, tier), ServiceLayer.mergeAll(keyed))
    const result = await login(handlerOf(twice), "auth0|a", "k1")
    assert.deepStrictEqual(result.summary.idTokenClaims, { both: "auth0|a:k1:gold" })
    // Built (and so fetched, for a live API) twice per login.
    assert.strictEqual(keyedBuilds, 1)
  })
})

describe("overlapping logins through a merged layer", () => {
  it("100 logins at once: each token holds its own user, secret and tier", async () => {
    const handler = handlerOf(ServiceLayer.mergeAll(keyed, ServiceLayer.mergeAll(tier, Layer.empty)))
    const users = Array.from({ length: 100 }, (_, i) => `auth0|u${"x".repeat(i % 11)}${i}`)
    const apis = users.map(() => RecordingApi.make())
    await LogCapture.around(() =>
      Promise.all(
        users.map((u, i) => handler(minimalEvent({ userId: u, secrets: { KEY: `K${i}`, TIER: `T${i}` } }), apis[i]!))
      )
    )
    users.forEach((u, i) => assert.deepStrictEqual(apis[i]!.summary().idTokenClaims, { both: `${u}:K${i}:T${i}` }))
  })
})

describe("a member whose build does not end well denies, and no rule runs", () => {
  const cases: ReadonlyArray<readonly [string, Effect.Effect<Tier["Service"], unknown, never>]> = [
    ["fails", Effect.fail(new Error("boom"))],
    ["dies", Effect.die("dead")],
    ["interrupts itself", Effect.interrupt],
    ["never ends (the deadline)", Effect.never],
    [
      "is uninterruptible past the deadline",
      Effect.uninterruptible(Effect.as(Effect.sleep("2 seconds"), { tier: "late" }))
    ]
  ]
  for (const [what, build] of cases) {
    it(what, async () => {
      ruleRuns = 0
      const started = Date.now()
      const result = await login(
        handlerOf(ServiceLayer.mergeAll(keyed, ServiceLayer.effect(Tier, build)), 100),
        "auth0|a"
      )
      deniedClosed(result)
      assert.strictEqual(ruleRuns, 0)
      // The build would take 2 s: an answer within 1 s did not wait for it, even on a loaded machine.
      assert.isBelow(Date.now() - started, 1000, "the answer waited for the build")
    })
  }

  it("members build one after another: their times add up against the deadline, and past it the login is denied", async () => {
    ruleRuns = 0
    const both = [slow(Keyed, { key: "k", user: "u" }), slow(Tier, { tier: "t" })] as const
    // Layer.mergeAll builds them concurrently, within 350 ms (150 ms to spare, for a loaded machine); the adapter
    // builds ServiceLayer.mergeAll's one after another (documented): at least 400 ms, always past the deadline.
    assert.deepStrictEqual((await login(handlerOf(Layer.mergeAll(...both), 350), "auth0|a")).summary.idTokenClaims, {
      both: "u:k:t"
    })
    deniedClosed(await login(handlerOf(ServiceLayer.mergeAll(...both), 350), "auth0|a"))
    assert.strictEqual(ruleRuns, 1)
  })
})

describe("a member that provides what only the adapter may", () => {
  it("Login, Secrets and Cache: the login's own win, in any position", async () => {
    const forgedLogin = ServiceLayer.effect(Login, Effect.succeed({ user: { id: "auth0|forged" } } as never))
    const forgedSecrets = ServiceLayer.effect(Secrets.Secrets, Effect.succeed(Secrets.make({ KEY: "f", TIER: "f" })))
    const forgedCache = ServiceLayer.effect(
      Cache,
      Effect.succeed(Cache.of({
        get: () => Effect.succeed(Option.some("forged")),
        set: () => Effect.succeed(true),
        delete: () => Effect.void
      }))
    )
    const readsCache = Rule.make(
      "readsCache",
      Effect.flatMap(
        Effect.flatMap(Effect.service(Cache), (c) => c.get("x")),
        (v) => Decision.setIdTokenClaim("cache", Option.getOrElse(v, () => "none"))
      )
    )
    const both = Pipeline.make({ facts: [], rules: [claimBoth, readsCache] })
    const layers = [
      ServiceLayer.mergeAll(keyed, tier, forgedLogin, forgedSecrets, forgedCache),
      ServiceLayer.mergeAll(forgedCache, forgedSecrets, forgedLogin, keyed, tier),
      ServiceLayer.mergeAll(ServiceLayer.mergeAll(keyed, forgedLogin), ServiceLayer.mergeAll(forgedSecrets, tier))
    ]
    const results = await layers.reduce<Promise<Array<unknown>>>(
      (done, layer) =>
        done.then(async (all) => [
          ...all,
          (await login(PostLogin.make(both, layer as never), "auth0|real", "real", "t")).summary.idTokenClaims
        ]),
      Promise.resolve([])
    )
    for (const claims of results) assert.deepStrictEqual(claims, { both: "auth0|real:real:t", cache: "none" })
  })

  it("Resumed, anywhere in a merged layer: every pass fails closed before any rule", async () => {
    ruleRuns = 0
    const forged = ServiceLayer.effect(Resumed, Effect.succeed(Resumed.of({ payload: { accepted: true } } as never)))
    const handlers = [
      ServiceLayer.mergeAll(keyed, tier, forged),
      ServiceLayer.mergeAll(ServiceLayer.mergeAll(forged, keyed), tier)
    ].flatMap((layer) => {
      const made = Resumable.make({ execute: pipeline, resume: pipeline, layer: layer as never })
      return [made.onContinuePostLogin, made.onExecutePostLogin, handlerOf(layer)]
    })
    await assertResumedRefused(handlers, (handler) => login(handler, "auth0|a"))
    assert.strictEqual(ruleRuns, 0)
  })
})

describe("identity", () => {
  it("a member spied on before mergeAll: mergeAll is Layer.mergeAll, and the fake runs in the adapter and as a Layer", async () => {
    const live = ServiceLayer.effect(Keyed, keyedBuild)
    vi.spyOn(live as unknown as { build: () => unknown }, "build").mockImplementation(fakeKeyed)
    const merged = ServiceLayer.mergeAll(live, tier)
    assert.isUndefined(ServiceLayer.buildOf(merged))
    assert.strictEqual(await viaProvide(merged), "fake:fake:pt")
    assert.deepStrictEqual((await login(handlerOf(merged), "auth0|a")).summary.idTokenClaims, {
      both: "fake:fake:gold"
    })
  })

  it("a member derived with Object.create (own build) runs its own build, in the adapter and as a Layer", async () => {
    const derived = Object.create(keyed) as typeof keyed
    ;(derived as unknown as { build: unknown }).build = fakeKeyed
    const inherited = Object.create(keyed) as typeof keyed
    for (const member of [derived, inherited]) {
      const merged = ServiceLayer.mergeAll(member, tier)
      assert.isUndefined(ServiceLayer.buildOf(merged))
    }
    const merged = ServiceLayer.mergeAll(derived, tier)
    assert.strictEqual(await viaProvide(merged), "fake:fake:pt")
    assert.deepStrictEqual((await login(handlerOf(merged), "auth0|a")).summary.idTokenClaims, {
      both: "fake:fake:gold"
    })
    // Inheriting the ServiceLayer's build: built as a Layer, live.
    const viaInherited = ServiceLayer.mergeAll(inherited, tier)
    const result = await login(handlerOf(viaInherited), "auth0|a", "k1")
    assert.deepStrictEqual(result.summary.idTokenClaims, { both: "auth0|a:k1:gold" })
  })

  it("nested and with Layer.empty: one fast path, members in order, a later service winning", async () => {
    const first = ServiceLayer.effect(Tier, Effect.succeed({ tier: "first" }))
    const last = ServiceLayer.effect(Tier, Effect.succeed({ tier: "last" }))
    const merged = ServiceLayer.mergeAll(ServiceLayer.mergeAll(first, keyed), Layer.empty, ServiceLayer.mergeAll(last))
    assert.isDefined(ServiceLayer.buildOf(merged))
    assert.strictEqual(await viaProvide(merged), "auth0|p:pk:last")
    const result = await login(handlerOf(merged), "auth0|a", "k1")
    assert.deepStrictEqual(result.summary.idTokenClaims, { both: "auth0|a:k1:last" })
  })
})

describe("types at PostLogin.make", () => {
  it("a missing service, a member that provides Login, or one that needs a Scope does not compile", () => {
    // @ts-expect-error -- a ServiceLayer's build gets no Scope: refused at ServiceLayer.effect itself
    const scoped = ServiceLayer.effect(Tier, Effect.acquireRelease(Effect.succeed({ tier: "s" }), () => Effect.void))
    const forgedLogin = ServiceLayer.effect(Login, Effect.succeed({ user: { id: "x" } } as never))
    const make = () => {
      // @ts-expect-error -- Tier is provided by no member
      PostLogin.make(pipeline, ServiceLayer.mergeAll(keyed))
      // @ts-expect-error -- Tier is provided by no member, even nested
      PostLogin.make(pipeline, ServiceLayer.mergeAll(ServiceLayer.mergeAll(keyed), Layer.empty))
      // @ts-expect-error -- Login is the adapter's
      PostLogin.make(pipeline, ServiceLayer.mergeAll(keyed, tier, forgedLogin))
      // @ts-expect-error -- Scope is not a per-login service
      PostLogin.make(pipeline, ServiceLayer.mergeAll(keyed, scoped))
      // @ts-expect-error -- a non-Denial error
      PostLogin.make(pipeline, ServiceLayer.mergeAll(keyed, tier, ServiceLayer.effect(Tier, Effect.fail(new Error()))))
      return PostLogin.make(pipeline, ServiceLayer.mergeAll(keyed, tier))
    }
    assert.isFunction(make)
  })
})

describe("another trigger (CredentialsExchange)", () => {
  const rule = Exchange.makeRule(
    "tier",
    Effect.flatMap(
      Effect.all([Effect.service(Tier), Effect.service(Keyed)]),
      ([t, k]) => Exchange.setAccessTokenClaim("tier", `${t.tier}/${k.key}`)
    )
  )
  const keyedBySecret = ServiceLayer.effect(
    Keyed,
    Effect.map(Secrets.get("KEY"), (k) => ({ key: Redacted.value(k), user: "" }))
  )
  const exchange = (layer: unknown) =>
    CredentialsExchange.make(Exchange.makePipeline({ facts: [], rules: [rule] }), layer as never, { deadline: 100 })
  const run = async (handler: ReturnType<typeof exchange>, i: number) => {
    const api = TriggerApis.credentialsExchange()
    await LogCapture.around(() =>
      handler(TriggerEvents.credentialsExchange({ secrets: { TIER: `T${i}`, KEY: `K${i}` } }), api)
    )
    return TriggerApis.decisive(api.calls)
  }

  it("overlapping events each get their own; a forged Secrets loses; a member that never ends or dies denies", async () => {
    const forged = ServiceLayer.effect(Secrets.Secrets, Effect.succeed(Secrets.make({ TIER: "f", KEY: "f" })))
    const handler = exchange(ServiceLayer.mergeAll(tier, forged, keyedBySecret))
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => run(handler, i)))
    all.forEach((calls, i) =>
      assert.deepStrictEqual(calls, [{ method: "accessToken.setCustomClaim", args: ["tier", `T${i}/K${i}`] }])
    )
    const denied = await Promise.all(
      [Effect.never, Effect.die("x")].map((bad) =>
        run(exchange(ServiceLayer.mergeAll(tier, ServiceLayer.effect(Keyed, bad))), 0)
      )
    )
    for (const calls of denied) assert.deepStrictEqual(calls.map((c) => c.method), ["access.deny"])
  })
})
