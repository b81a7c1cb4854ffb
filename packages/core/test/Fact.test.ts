import { assert, describe, it } from "@effect/vitest"
import * as Decision from "@rulefx/core/Decision"
import { Class as DenialClass } from "@rulefx/core/Denial"
import * as Fact from "@rulefx/core/Fact"
import * as Login from "@rulefx/core/Login"
import * as Pipeline from "@rulefx/core/Pipeline"
import * as Rule from "@rulefx/core/Rule"
import * as Logins from "@rulefx/testing/Logins"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Ref from "effect/Ref"
import { TestClock } from "effect/testing"

class Blocked extends DenialClass("Blocked")<{ readonly by: string }> {
  override get message(): string {
    return "Access denied."
  }
}

type Log = Ref.Ref<ReadonlyArray<string>>
const push = (log: Log, entry: string) => Ref.update(log, (entries) => [...entries, entry])

/** A 200 ms fact that logs its start, its end, and its interruption. */
const slowFact = (log: Log) =>
  Fact.make(
    "Slow",
    Effect.gen(function*() {
      yield* push(log, "fact:start")
      yield* Effect.sleep("200 millis")
      yield* push(log, "fact:done")
      return 42
    }).pipe(Effect.onInterrupt(() => push(log, "fact:interrupted")))
  )

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
      yield* TestClock.adjust("199 millis")
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust("1 millis")
      // Both finished after one 200 ms step: they ran side by side.
      assert.isDefined(fiber.pollUnsafe())
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

  it("make keeps the name", () => {
    assert.strictEqual(Fact.make("Named", Effect.succeed(1)).name, "Named")
  })

  it.effect("a fact is yieldable: layerValue provides it without computing", () =>
    Effect.gen(function*() {
      const runs = yield* Ref.make(0)
      const Expensive = Fact.make("Expensive", Effect.as(Ref.update(runs, (n) => n + 1), "computed"))
      const rule = Rule.make("r", Effect.flatMap(Expensive, (value) => Decision.setIdTokenClaim("value", value)))
      const layer = Fact.layerValue(Expensive, "fixed")
      assert.strictEqual(yield* Effect.provide(Expensive.asEffect(), layer), "fixed")
      const decision = yield* Effect.provide(rule.run, layer)
      assert.strictEqual(decision.idTokenClaims["value"], "fixed")
      assert.strictEqual(yield* Ref.get(runs), 0)
    }))

  it.effect("a fact reads the login", () =>
    Effect.gen(function*() {
      const UserId = Fact.make("UserId", Effect.map(Login.Login, (login) => login.user.id))
      const pipeline = Pipeline.make({
        facts: [UserId],
        rules: [Rule.make("r", Effect.flatMap(UserId, (id) => Decision.setIdTokenClaim("id", id)))]
      })
      const decision = yield* pipeline.run.pipe(
        Effect.provide(Logins.layer({ user: { id: "auth0|ada" } }))
      )
      assert.strictEqual(decision.idTokenClaims["id"], "auth0|ada")
    }))

  it.effect("a fact that denies is computed once, and every reader sees the same denial", () =>
    Effect.gen(function*() {
      const runs = yield* Ref.make(0)
      const log = yield* Ref.make<ReadonlyArray<string>>([])
      const Failing = Fact.make(
        "Failing",
        Effect.andThen(Ref.update(runs, (n) => n + 1), Effect.fail(new Blocked({ by: "fact" })))
      )
      const reader = (name: string) =>
        Rule.make(
          name,
          Effect.flatMap(Effect.flip(Failing), (error) => push(log, `${name}:${error._tag}:${error.by}`))
        )
      const pipeline = Pipeline.make({
        facts: [Failing],
        rules: [Rule.sequence("readers", [reader("a"), reader("b")])]
      })
      yield* pipeline.run
      assert.strictEqual(yield* Ref.get(runs), 1)
      assert.deepStrictEqual(yield* Ref.get(log), ["a:Blocked:fact", "b:Blocked:fact"])
    }))

  it.effect("a fact is interrupted when its only reader has gone", () =>
    Effect.gen(function*() {
      const log = yield* Ref.make<ReadonlyArray<string>>([])
      const Slow = slowFact(log)
      const impatient = Rule.optional(Rule.timeout(Rule.make("impatient", Slow), "50 millis"))
      const pipeline = Pipeline.make({ facts: [Slow], rules: [impatient, Rule.make("other", Effect.void)] })
      const fiber = yield* Effect.forkChild(pipeline.run)
      yield* TestClock.adjust("50 millis")
      // The login does not wait for the abandoned fact.
      const exit = fiber.pollUnsafe()
      assert.isTrue(exit !== undefined && Exit.isSuccess(exit))
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(yield* Ref.get(log), ["fact:start", "fact:interrupted"])
    }))

  it.effect("a fact keeps running while another reader still waits for it", () =>
    Effect.gen(function*() {
      const log = yield* Ref.make<ReadonlyArray<string>>([])
      const Slow = slowFact(log)
      const impatient = Rule.optional(
        Rule.timeout(Rule.make("impatient", Effect.flatMap(Slow, (n) => Decision.setIdTokenClaim("impatient", n))), 50)
      )
      const patient = Rule.make("patient", Effect.flatMap(Slow, (n) => Decision.setIdTokenClaim("patient", n)))
      const pipeline = Pipeline.make({ facts: [Slow], rules: [impatient, patient] })
      const fiber = yield* Effect.forkChild(pipeline.run)
      yield* TestClock.adjust("50 millis")
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust("150 millis")
      const decision = yield* Fiber.join(fiber)
      assert.deepStrictEqual({ ...decision.idTokenClaims }, { patient: 42 })
      assert.deepStrictEqual(yield* Ref.get(log), ["fact:start", "fact:done"])
    }))

  it.effect("facts are not shared between runs of the same pipeline", () =>
    Effect.gen(function*() {
      const UserId = Fact.make("UserId", Effect.map(Login.Login, (login) => login.user.id))
      const pipeline = Pipeline.make({
        facts: [UserId],
        rules: [Rule.make("r", Effect.flatMap(UserId, (id) => Decision.setIdTokenClaim("id", id)))]
      })
      const runAs = (id: string) => pipeline.run.pipe(Effect.provide(Logins.layer({ user: { id } })))
      assert.strictEqual((yield* runAs("a")).idTokenClaims["id"], "a")
      assert.strictEqual((yield* runAs("b")).idTokenClaims["id"], "b")
    }))
})
