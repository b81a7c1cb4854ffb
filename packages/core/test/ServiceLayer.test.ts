import { assert, describe, it } from "@effect/vitest"
import { MissingSecret } from "@rulefx/core/Denial"
import * as Secrets from "@rulefx/core/Secrets"
import * as ServiceLayer from "@rulefx/core/ServiceLayer"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

class Greeter extends Context.Service<Greeter, { readonly greet: (name: string) => string }>()("test/Greeter") {}

let builds = 0

// Reads a secret, as a rule package's live layer does.
const greeter = ServiceLayer.effect(
  Greeter,
  Effect.map(Secrets.get("GREETING"), (greeting) => {
    builds++
    return { greet: (name: string) => `${Redacted.value(greeting)}, ${name}` }
  })
)

const greet = (name: string) => Greeter.use((g) => Effect.succeed(g.greet(name)))

describe("ServiceLayer", () => {
  it.effect("is a Layer: Effect.provide builds it, once per provide, from what it requires", () =>
    Effect.gen(function*() {
      builds = 0
      const secrets = Secrets.Secrets.layerTest({ GREETING: "Hello" })
      assert.strictEqual(yield* greet("Ada").pipe(Effect.provide(greeter), Effect.provide(secrets)), "Hello, Ada")
      assert.strictEqual(
        yield* greet("Bob").pipe(Effect.provide(Layer.provide(greeter, secrets))),
        "Hello, Bob"
      )
      assert.strictEqual(builds, 2)
    }))

  it.effect("buildOf gives the Effect that builds its context, failing as the build fails", () =>
    Effect.gen(function*() {
      const build = ServiceLayer.buildOf(greeter)
      assert.isDefined(build)
      const context = yield* build!.pipe(Effect.provide(Secrets.Secrets.layerTest({ GREETING: "Hi" })))
      assert.strictEqual(Context.get(context, Greeter).greet("Cy"), "Hi, Cy")
      const error = yield* Effect.flip(build!.pipe(Effect.provide(Secrets.Secrets.layerTest({}))))
      assert.instanceOf(error, MissingSecret)
    }))

  it.effect("buildOf: any layer not made here is built as a Layer (undefined), Layer.empty too", () =>
    Effect.gen(function*() {
      assert.isUndefined(ServiceLayer.buildOf(Layer.empty))
      assert.isUndefined(ServiceLayer.buildOf(Layer.succeed(Greeter, { greet: (name) => name })))
      assert.isUndefined(ServiceLayer.buildOf(Layer.effect(Greeter, Effect.succeed({ greet: (name) => name }))))
      // Composed with Layer's own combinators, it is an ordinary Layer.
      assert.isUndefined(ServiceLayer.buildOf(Layer.merge(greeter, Layer.empty)))
      yield* Effect.void
    }))

  it.effect("mergeAll of ServiceLayers is one: built by its Effect, the members in order, a later one winning", () =>
    Effect.gen(function*() {
      class Farewell extends Context.Service<Farewell, { readonly bye: string }>()("test/Farewell") {}
      const order: Array<string> = []
      const first = ServiceLayer.effect(
        Greeter,
        Effect.sync(() => (order.push("greeter"), { greet: (n: string) => n }))
      )
      const bye = ServiceLayer.effect(Farewell, Effect.sync(() => (order.push("farewell"), { bye: "Bye" })))
      const later = ServiceLayer.effect(
        Greeter,
        Effect.sync(() => (order.push("later"), { greet: (n: string) => `Hey ${n}` }))
      )
      const merged = ServiceLayer.mergeAll(first, bye, later)
      const build = ServiceLayer.buildOf(merged)
      assert.isDefined(build)
      const context = yield* build!
      assert.deepStrictEqual(order, ["greeter", "farewell", "later"])
      assert.strictEqual(Context.get(context, Greeter).greet("Ada"), "Hey Ada")
      assert.strictEqual(Context.get(context, Farewell).bye, "Bye")
      // As a Layer it builds the same, in the same order.
      order.length = 0
      assert.strictEqual(yield* greet("Bob").pipe(Effect.provide(merged)), "Hey Bob")
      assert.deepStrictEqual(order, ["greeter", "farewell", "later"])
    }))

  it("mergeAll: buildOf gives the same Effect while the members are unchanged (it runs per login), none once one is", () => {
    const bye = ServiceLayer.effect(Greeter, Effect.succeed({ greet: (name: string) => `Bye ${name}` }))
    const merged = ServiceLayer.mergeAll(greeter, bye)
    const first = ServiceLayer.buildOf(merged)
    assert.isDefined(first)
    assert.strictEqual(ServiceLayer.buildOf(merged), first)
    ;(bye as unknown as { build: unknown }).build = () => Effect.succeed(Context.empty())
    assert.isUndefined(ServiceLayer.buildOf(merged))
  })

  it.effect("mergeAll with a member that is not a ServiceLayer is an ordinary Layer, which still provides them all", () =>
    Effect.gen(function*() {
      const plain = Layer.succeed(Greeter, { greet: (name) => `Yo ${name}` })
      const merged = ServiceLayer.mergeAll(Layer.empty, plain)
      assert.isUndefined(ServiceLayer.buildOf(merged))
      assert.strictEqual(yield* greet("Cy").pipe(Effect.provide(merged)), "Yo Cy")
      assert.isDefined(ServiceLayer.buildOf(ServiceLayer.mergeAll(Layer.empty, greeter)))
    }))
})
