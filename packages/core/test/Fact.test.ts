import { assert, describe, it } from "@effect/vitest"
import * as Decision from "@rulefx/core/Decision"
import * as Fact from "@rulefx/core/Fact"
import * as Pipeline from "@rulefx/core/Pipeline"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Ref from "effect/Ref"
import { TestClock } from "effect/testing"

describe("Fact", () => {
  it.effect("a fact read by three rules is computed once", () =>
    Effect.gen(function*() {
      const runs = yield* Ref.make(0)
      const Counted = Fact.make("Counted", Ref.updateAndGet(runs, (n) => n + 1))
      const reader = (name: string) =>
        Rule.make(name, Effect.flatMap(Counted, (n) => Decision.setIdTokenClaim(name, n)))
      const pipeline = Pipeline.make({ facts: [Counted], rules: [reader("a"), reader("b"), reader("c")] })
      const decision = yield* pipeline.run
      assert.strictEqual(yield* Ref.get(runs), 1)
      assert.deepStrictEqual({ ...decision.idTokenClaims }, { a: 1, b: 1, c: 1 })
    }))

  it.effect("a fact nobody reads is never computed", () =>
    Effect.gen(function*() {
      const runs = yield* Ref.make(0)
      const Unread = Fact.make("Unread", Ref.updateAndGet(runs, (n) => n + 1))
      const pipeline = Pipeline.make({ facts: [Unread], rules: [Rule.make("noop", Effect.void)] })
      yield* pipeline.run
      assert.strictEqual(yield* Ref.get(runs), 0)
    }))

  it.effect("independent facts are computed concurrently", () =>
    Effect.gen(function*() {
      const A = Fact.make("A", Effect.as(Effect.sleep("200 millis"), 1))
      const B = Fact.make("B", Effect.as(Effect.sleep("200 millis"), 2))
      const pipeline = Pipeline.make({
        facts: [A, B],
        rules: [Rule.make("a", A), Rule.make("b", B)]
      })
      const fiber = yield* Effect.forkChild(pipeline.run)
      yield* TestClock.adjust("200 millis")
      // Both finished after one 200 ms step: they ran side by side.
      assert.isTrue((yield* Fiber.join(fiber)) !== undefined)
    }))

  it.effect("a fact reads another fact", () =>
    Effect.gen(function*() {
      const Base = Fact.make("Base", Effect.succeed(20))
      const Derived = Fact.make("Derived", Effect.map(Base, (n) => n + 1))
      const pipeline = Pipeline.make({
        facts: [Derived, Base],
        rules: [Rule.make("r", Effect.flatMap(Derived, (n) => Decision.setIdTokenClaim("n", n)))]
      })
      const decision = yield* pipeline.run
      assert.strictEqual(decision.idTokenClaims["n"], 21)
    }))
})
