/**
 * Attempts to break the ServiceLayer fast path (internal/userServices: a ServiceLayer or Layer.empty is built by
 * running its Effect, not as a Layer graph). Each test names what it tried. A plain failing test here is a finding
 * against the code it was written on; the rest guard what held.
 */
import { assert, describe, it, vi } from "@effect/vitest"
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as PreUserRegistration from "@rulefx/adapter-auth0/PreUserRegistration"
import * as Resumable from "@rulefx/adapter-auth0/Resumable"
import * as Decision from "@rulefx/core/Decision"
import { Login } from "@rulefx/core/Login"
import * as Pipeline from "@rulefx/core/Pipeline"
import * as SignUp from "@rulefx/core/PreUserRegistration"
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
import * as Redacted from "effect/Redacted"
import * as v8 from "node:v8"
import { runInNewContext } from "node:vm"
import { minimalEvent } from "./utils/Events.ts"
import { assertResumedRefused, deniedClosed } from "./utils/Refusals.ts"

class Keyed extends Context.Service<Keyed, { readonly key: string; readonly user: string }>()("test/Keyed") {}

let ruleRuns = 0

// Puts what the service was built from in the token, and logs it.
const claimKeyed = Rule.make(
  "claimKeyed",
  Keyed.use((k) =>
    Effect.andThen(
      Effect.sync(() => void ruleRuns++),
      Effect.andThen(Effect.logInfo(`built with ${k.key}`), Decision.setIdTokenClaim("keyed", `${k.user}:${k.key}`))
    )
  )
)

const pipeline = Pipeline.make({ facts: [], rules: [claimKeyed] })

// Reads this login's secret and user, after a delay that differs per login, so builds finish out of order.
const keyedBuild = Effect.gen(function*() {
  const login = yield* Login
  const key = Redacted.value(yield* Secrets.get("KEY"))
  yield* Effect.sleep(`${(login.user.id.length * 7) % 13} millis`)
  return { key, user: login.user.id }
})

const keyed = ServiceLayer.effect(Keyed, keyedBuild)

const login = async (handler: PostLogin.Handler, userId: string, key = `key-of-${userId}`) => {
  const api = RecordingApi.make()
  const { lines } = await LogCapture.around(() => handler(minimalEvent({ userId, secrets: { KEY: key } }), api))
  return { summary: api.summary(), calls: api.calls, lines: LogCapture.rulefxLines(lines) }
}

const handlerOf = (layer: unknown, deadline?: number) =>
  PostLogin.make(pipeline, layer as never, deadline === undefined ? {} : { deadline })

describe("overlapping logins through one ServiceLayer", () => {
  it("150 logins at once: each token and each log line holds its own secret and user, no other", async () => {
    const handler = handlerOf(keyed)
    const users = Array.from({ length: 150 }, (_, i) => `auth0|u${"x".repeat(i % 11)}${i}`)
    const api = users.map(() => RecordingApi.make())
    const { lines } = await LogCapture.around(() =>
      Promise.all(users.map((u, i) => handler(minimalEvent({ userId: u, secrets: { KEY: `K${i}K` } }), api[i]!)))
    )
    users.forEach((u, i) => assert.deepStrictEqual(api[i]!.summary().idTokenClaims, { keyed: `${u}:K${i}K` }))
    for (const line of LogCapture.rulefxLines(lines).filter((l) => l.includes("built with"))) {
      const user = /user=(\S+)/.exec(line)?.[1]
      const key = /built with (K\d+K)/.exec(line)?.[1]
      assert.strictEqual(key, `K${users.indexOf(user!)}K`, line)
    }
  })
})

describe("a build that does not end well denies, and no rule runs", () => {
  const cases: ReadonlyArray<readonly [string, Effect.Effect<Keyed["Service"], unknown, never>]> = [
    ["fails", Effect.fail(new Error("boom"))],
    ["dies", Effect.die("dead")],
    ["interrupts itself", Effect.interrupt],
    ["throws in sync", Effect.sync(() => assert.fail("thrown"))],
    ["never ends (the deadline)", Effect.never],
    ["is uninterruptible past the deadline", Effect.uninterruptible(Effect.as(Effect.sleep("2 seconds"), keyed0()))]
  ]
  for (const [what, build] of cases) {
    it(what, async () => {
      ruleRuns = 0
      const started = Date.now()
      const result = await login(handlerOf(ServiceLayer.effect(Keyed, build), 100), "auth0|a")
      deniedClosed(result)
      assert.strictEqual(ruleRuns, 0)
      // The build would take 2 s: an answer within 1 s did not wait for it, even on a loaded machine.
      assert.isBelow(Date.now() - started, 1000, "the answer waited for the build")
    })
  }
})

function keyed0(): Keyed["Service"] {
  return { key: "late", user: "late" }
}

describe("a ServiceLayer whose build needs a Scope", () => {
  it("does not compile at PostLogin.make, and forced past the types it denies (Layer.effect would have allowed)", async () => {
    const scoped = Effect.acquireRelease(Effect.succeed(keyed0()), () => Effect.void)
    // @ts-expect-error -- Scope is not a per-login service: a ServiceLayer's build gets none (refused at the call)
    PostLogin.make(pipeline, ServiceLayer.effect(Keyed, scoped))
    PostLogin.make(pipeline, Layer.effect(Keyed, scoped))
    // @ts-expect-error -- forced past the types
    const result = await login(handlerOf(ServiceLayer.effect(Keyed, scoped)), "auth0|a")
    deniedClosed(result)
    assert.isTrue(result.lines.some((l) => l.includes("services failed to build") && l.includes("Scope")))
  })
})

describe("a ServiceLayer that provides what only the adapter may", () => {
  it("Login and Secrets: the login's own win, merged with others or alone on the fast path", async () => {
    const forgedLogin = ServiceLayer.effect(Login, Effect.succeed({ user: { user_id: "auth0|forged" } } as never))
    const forgedSecrets = ServiceLayer.effect(Secrets.Secrets, Effect.succeed(Secrets.make({ KEY: "forged-key" })))
    const merged = await login(handlerOf(Layer.mergeAll(keyed, forgedLogin, forgedSecrets)), "auth0|real", "real-key")
    assert.deepStrictEqual(merged.summary.idTokenClaims, { keyed: "auth0|real:real-key" })
    const readsKey = Pipeline.make({
      facts: [],
      rules: [
        Rule.make("k", Effect.flatMap(Secrets.get("KEY"), (k) => Decision.setIdTokenClaim("k", Redacted.value(k))))
      ]
    })
    const alone = await login(PostLogin.make(readsKey, forgedSecrets as never), "auth0|real", "real-key")
    assert.deepStrictEqual(alone.summary.idTokenClaims, { k: "real-key" })
  })

  it("Resumed, in Resumable.make's continue pass: fails closed before any rule", async () => {
    ruleRuns = 0
    const forged = ServiceLayer.effect(Resumed, Effect.succeed(Resumed.of({ payload: { accepted: true } } as never)))
    const { onContinuePostLogin, onExecutePostLogin } = Resumable.make({
      execute: pipeline,
      resume: pipeline,
      layer: Layer.merge(keyed, forged) as never
    })
    const alone = Resumable.make({ execute: pipeline, resume: pipeline, layer: forged as never })
    const handlers = [onContinuePostLogin, onExecutePostLogin, alone.onContinuePostLogin, alone.onExecutePostLogin]
    await assertResumedRefused(handlers, (handler) => login(handler, "auth0|a"))
    assert.strictEqual(ruleRuns, 0)
  })
})

describe("identity", () => {
  it("a property named as the first version's marker, set after make, changes nothing", async () => {
    const layer = ServiceLayer.effect(Keyed, keyedBuild)
    const handler = handlerOf(layer)
    ;(layer as unknown as Record<string, unknown>)["~@rulefx/core/ServiceLayer"] = Effect.die("replaced")
    const result = await login(handler, "auth0|a", "k1")
    assert.deepStrictEqual(result.summary.idTokenClaims, { keyed: "auth0|a:k1" })
  })

  it("a layer derived from a ServiceLayer with its own build (Object.create, build replaced) is built by that build", async () => {
    // As a test harness might wrap a layer to count or fake its builds: an ordinary Layer whose `build` is its own.
    const base = ServiceLayer.effect(Keyed, keyedBuild)
    const wrapped = Object.create(base) as Layer.Layer<Keyed, never, Login | Secrets.Secrets>
    let wrappedBuilds = 0
    ;(wrapped as unknown as { build: unknown }).build = () => {
      wrappedBuilds++
      return Effect.succeed(Context.make(Keyed, { key: "wrapped", user: "wrapped" }))
    }
    // As a Layer (Effect.provide), the wrapper's build is what runs:
    const viaLayer = await Effect.runPromise(
      Effect.provide(Keyed.use(Effect.succeed), wrapped).pipe(Effect.provideContext(Context.empty() as never))
    )
    assert.strictEqual(viaLayer.key, "wrapped")
    // Given to PostLogin.make, the adapter must build it the same way, not run the inherited marker's Effect.
    const result = await login(handlerOf(wrapped), "auth0|a", "k1")
    assert.deepStrictEqual(result.summary.idTokenClaims, { keyed: "wrapped:wrapped" })
    assert.strictEqual(wrappedBuilds, 2)
  })

  it("a ServiceLayer whose build is spied on (vi.spyOn, as a test fakes a live layer) is built through the spy", async () => {
    const layer = ServiceLayer.effect(Keyed, keyedBuild)
    // Layer's type does not show `build`; a harness reaches it with a cast.
    const spy = vi.spyOn(layer as unknown as { build: () => unknown }, "build").mockImplementation(() =>
      Effect.succeed(Context.make(Keyed, { key: "fake", user: "fake" }))
    )
    const result = await login(handlerOf(layer), "auth0|a", "live-key")
    // As a Layer (Effect.provide) the fake is what runs; the adapter runs the live Effect behind the spy's back.
    assert.deepStrictEqual(result.summary.idTokenClaims, { keyed: "fake:fake" })
    assert.strictEqual(spy.mock.calls.length, 1)
  })

  it("an ordinary layer carrying the marker property runs as the Layer it is", async () => {
    const plain = Layer.succeed(Keyed, { key: "layer", user: "layer" })
    const marked = Object.assign(Layer.effect(Keyed, Effect.succeed({ key: "layer", user: "layer" })), {
      "~@rulefx/core/ServiceLayer": Effect.succeed(Context.make(Keyed, { key: "marker", user: "marker" }))
    })
    assert.deepStrictEqual((await login(handlerOf(plain), "auth0|a")).summary.idTokenClaims, { keyed: "layer:layer" })
    assert.deepStrictEqual((await login(handlerOf(marked), "auth0|a")).summary.idTokenClaims, { keyed: "layer:layer" })
  })
})

describe("another trigger (PreUserRegistration)", () => {
  const signUpRule = SignUp.makeRule(
    "meta",
    Keyed.use((k) => SignUp.setUserMetadata("key", k.key))
  )
  const signUp = (layer: unknown) =>
    PreUserRegistration.make(SignUp.makePipeline({ facts: [], rules: [signUpRule] }), layer as never, { deadline: 100 })
  const signUpKeyed = ServiceLayer.effect(
    Keyed,
    Effect.map(Secrets.get("KEY"), (k) => ({ key: Redacted.value(k), user: "" }))
  )
  const run = async (handler: ReturnType<typeof signUp>, key: string) => {
    const api = TriggerApis.preUserRegistration()
    await LogCapture.around(() => handler(TriggerEvents.preUserRegistration({ secrets: { KEY: key } }), api))
    return TriggerApis.decisive(api.calls).map((c) => c.method)
  }

  it("overlapping events each get their own secret; a forged Secrets loses; a build that never ends denies", async () => {
    const handler = signUp(signUpKeyed)
    const apis = Array.from({ length: 30 }, () => TriggerApis.preUserRegistration())
    await LogCapture.around(() =>
      Promise.all(apis.map((api, i) => handler(TriggerEvents.preUserRegistration({ secrets: { KEY: `S${i}` } }), api)))
    )
    apis.forEach((api, i) =>
      assert.deepStrictEqual(TriggerApis.decisive(api.calls), [{
        method: "user.setUserMetadata",
        args: ["key", `S${i}`]
      }])
    )
    const forged = Layer.merge(
      signUpKeyed,
      ServiceLayer.effect(Secrets.Secrets, Effect.succeed(Secrets.Secrets.of({} as never)))
    )
    assert.deepStrictEqual(await run(signUp(forged), "own"), ["user.setUserMetadata"])
    assert.deepStrictEqual(await run(signUp(ServiceLayer.effect(Keyed, Effect.never)), "own"), ["access.deny"])
    assert.deepStrictEqual(await run(signUp(ServiceLayer.effect(Keyed, Effect.die("x"))), "own"), ["access.deny"])
  })
})

describe("memory", () => {
  // No log line per login, so nothing is captured while the heap is measured.
  const quiet = Pipeline.make({
    facts: [],
    rules: [Rule.make("quiet", Keyed.use((k) => Decision.setIdTokenClaim("keyed", k.key)))]
  })

  it("20,000 logins through a ServiceLayer retain nothing (heap growth under 4 MB)", async () => {
    v8.setFlagsFromString("--expose-gc")
    const gc = runInNewContext("gc") as () => void
    const handler = PostLogin.make(quiet, keyed)
    const batch = (from: number) =>
      Promise.all(
        Array.from({ length: 500 }, (_, i) =>
          handler(
            minimalEvent({ userId: `auth0|m${from + i}`, secrets: { KEY: `k${from + i}` } }),
            RecordingApi.make()
          ))
      )
    // Batches one after another (no await in a loop).
    const batches = (count: number, from: number): Promise<unknown> =>
      Array.from({ length: count }, (_, i) => from + i * 500).reduce<Promise<unknown>>(
        (done, start) => done.then(() => batch(start)),
        Promise.resolve()
      )
    const heap = () => {
      gc()
      gc()
      return process.memoryUsage().heapUsed
    }
    const { result: grew } = await LogCapture.around(async () => {
      await batches(10, 0)
      const before = heap()
      await batches(40, 100_000)
      return heap() - before
    })
    assert.isBelow(grew, 4 * 1024 * 1024, `grew ${grew} bytes`)
  }, 120_000)
})
