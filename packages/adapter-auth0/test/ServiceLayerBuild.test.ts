// A ServiceLayer (SellerApi.layer) is built per login by running its Effect, without a memo map or scope: the same
// isolation and failure handling as a Layer, with less work per login.
import { assert, describe, it } from "@effect/vitest"
import * as CredentialsExchange from "@rulefx/adapter-auth0/CredentialsExchange"
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Exchange from "@rulefx/core/CredentialsExchange"
import * as Decision from "@rulefx/core/Decision"
import { genericMessage } from "@rulefx/core/Denial"
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

// Who the service was built for, and whether its build ran inside a Layer build (which provides a memo map).
class Built extends Context.Service<Built, { readonly user: string; readonly inLayerBuild: boolean }>()(
  "test/Built"
) {}

let builds = 0

const built = Effect.gen(function*() {
  builds++
  const login = yield* Login
  const memoMap = yield* Effect.serviceOption(Layer.CurrentMemoMap)
  // Out of order: a later login's build finishes first.
  yield* Effect.sleep(`${login.user.id.endsWith("0") ? 20 : 1} millis`)
  return { user: login.user.id, inLayerBuild: Option.isSome(memoMap) }
})

const claimBuilt = Rule.make(
  "claimBuilt",
  Built.use((b) => Decision.setIdTokenClaim("built", { ...b }))
)

const handlerWith = (layer: Layer.Layer<Built, never, Login>) =>
  PostLogin.make(Pipeline.make({ facts: [], rules: [claimBuilt] }), layer)

const login = async (handler: PostLogin.Handler, userId: string) => {
  const api = RecordingApi.make()
  await handler(minimalEvent({ userId }), api)
  return api.summary()
}

describe("a ServiceLayer given to PostLogin.make", () => {
  it("is built by its Effect alone, once per login; a Layer.effect of the same Effect goes through a Layer build", async () => {
    builds = 0
    const fast = await LogCapture.around(() => login(handlerWith(ServiceLayer.effect(Built, built)), "auth0|a"))
    assert.deepStrictEqual(fast.result.idTokenClaims, { built: { user: "auth0|a", inLayerBuild: false } })
    const slow = await LogCapture.around(() => login(handlerWith(Layer.effect(Built, built)), "auth0|a"))
    assert.deepStrictEqual(slow.result.idTokenClaims, { built: { user: "auth0|a", inLayerBuild: true } })
    assert.strictEqual(builds, 2)
  })

  it("ServiceLayer.mergeAll of several is built by their Effects too; Layer.mergeAll of the same is a Layer build", async () => {
    class Other extends Context.Service<Other, { readonly inLayerBuild: boolean }>()("test/Other") {}
    const other = ServiceLayer.effect(
      Other,
      Effect.map(Effect.serviceOption(Layer.CurrentMemoMap), (memoMap) => ({ inLayerBuild: Option.isSome(memoMap) }))
    )
    const both = Rule.make(
      "both",
      Effect.flatMap(
        Effect.all([Effect.service(Built), Effect.service(Other)]),
        ([b, o]) => Decision.setIdTokenClaim("built", { ...b, other: o.inLayerBuild })
      )
    )
    const handler = (layer: Layer.Layer<Built | Other, never, Login>) =>
      PostLogin.make(Pipeline.make({ facts: [], rules: [both] }), layer)
    const fast = ServiceLayer.mergeAll(ServiceLayer.effect(Built, built), other)
    const slow = Layer.mergeAll(ServiceLayer.effect(Built, built), other)
    const viaFast = await LogCapture.around(() => login(handler(fast), "auth0|m"))
    assert.deepStrictEqual(viaFast.result.idTokenClaims, {
      built: { user: "auth0|m", inLayerBuild: false, other: false }
    })
    const viaSlow = await LogCapture.around(() => login(handler(slow), "auth0|m"))
    assert.deepStrictEqual(viaSlow.result.idTokenClaims, {
      built: { user: "auth0|m", inLayerBuild: true, other: true }
    })
  })

  it("overlapping logins each build their own service from their own Login", async () => {
    builds = 0
    const handler = handlerWith(ServiceLayer.effect(Built, built))
    const users = Array.from({ length: 20 }, (_, i) => `auth0|user-${i}`)
    const { result } = await LogCapture.around(() => Promise.all(users.map((user) => login(handler, user))))
    result.forEach((summary, i) =>
      assert.deepStrictEqual(summary.idTokenClaims, { built: { user: users[i], inLayerBuild: false } })
    )
    assert.strictEqual(builds, users.length)
  })

  it("a build that fails denies with the generic reason and logs why, before any rule", async () => {
    class Keyed extends Context.Service<Keyed, { readonly key: string }>()("test/Keyed") {}
    const keyed = ServiceLayer.effect(
      Keyed,
      Effect.map(Secrets.get("API_KEY"), (key) => ({ key: Redacted.value(key) }))
    )
    let ran = false
    const rule = Rule.make("usesKey", Keyed.use(() => Effect.sync(() => (ran = true))))
    const handler = PostLogin.make(Pipeline.make({ facts: [], rules: [rule] }), keyed)
    const api = RecordingApi.make()
    const { lines } = await LogCapture.around(() => handler(minimalEvent(), api))
    assert.deepStrictEqual(api.calls, [{ method: "access.deny", args: [genericMessage] }])
    assert.isFalse(ran)
    const ours = LogCapture.rulefxLines(lines)
    assert.isTrue(ours.some((line) => line.includes("services failed to build: MissingSecret")), ours.join("\n"))
  })

  it("one that provides Resumed (the adapter's alone) fails the login closed", async () => {
    const resumed = ServiceLayer.effect(Resumed, Effect.succeed(Resumed.of({ payload: { confirmed: true } } as never)))
    const handler = PostLogin.make(
      Pipeline.make({ facts: [], rules: [Rule.make("allow", Decision.setIdTokenClaim("ok", true))] }),
      resumed as never
    )
    const api = RecordingApi.make()
    const { lines } = await LogCapture.around(() => handler(minimalEvent(), api))
    assert.deepStrictEqual(api.calls, [{ method: "access.deny", args: [genericMessage] }])
    assert.isTrue(lines.some((line) => line.includes("must not provide Resumed")))
  })
})

describe("a ServiceLayer given to another trigger (CredentialsExchange)", () => {
  it("is built per event by its Effect, over the event's own Secrets", async () => {
    class Tier
      extends Context.Service<Tier, { readonly tier: string; readonly inLayerBuild: boolean }>()("test/Tier")
    {}
    const tier = ServiceLayer.effect(
      Tier,
      Effect.gen(function*() {
        const value = yield* Secrets.get("TIER")
        const memoMap = yield* Effect.serviceOption(Layer.CurrentMemoMap)
        return { tier: Redacted.value(value), inLayerBuild: Option.isSome(memoMap) }
      })
    )
    const rule = Exchange.makeRule(
      "tier",
      Tier.use((t) => Exchange.setAccessTokenClaim("tier", `${t.tier}/${t.inLayerBuild}`))
    )
    const handler = CredentialsExchange.make(Exchange.makePipeline({ facts: [], rules: [rule] }), tier)
    const claims = await Promise.all(["gold", "silver"].map(async (value) => {
      const api = TriggerApis.credentialsExchange()
      await LogCapture.around(() => handler(TriggerEvents.credentialsExchange({ secrets: { TIER: value } }), api))
      return TriggerApis.decisive(api.calls)
    }))
    assert.deepStrictEqual(claims, [
      [{ method: "accessToken.setCustomClaim", args: ["tier", "gold/false"] }],
      [{ method: "accessToken.setCustomClaim", args: ["tier", "silver/false"] }]
    ])
  })
})
