import { assert, describe, it } from "@effect/vitest"
import * as ExecutedRules from "@rulefx/core/ExecutedRules"
import * as Effect from "effect/Effect"

describe("ExecutedRules", () => {
  it.effect("answers from the predicate: true only for a true answer", () =>
    Effect.gen(function*() {
      const service = ExecutedRules.make((id) => id === "rul_1" ? true : id === "rul_2" ? "yes" : false)
      const ask = (id: string) =>
        ExecutedRules.wasExecuted(id).pipe(Effect.provideService(ExecutedRules.ExecutedRules, service))
      assert.isTrue(yield* ask("rul_1"))
      assert.isFalse(yield* ask("rul_2"))
      assert.isFalse(yield* ask("rul_3"))
    }))

  it.effect("a predicate that throws answers false (the converted rule runs: the safe side)", () =>
    Effect.gen(function*() {
      const service = ExecutedRules.make(() => {
        throw new TypeError("api.rules is undefined")
      })
      assert.isFalse(yield* service.wasExecuted("rul_1"))
      assert.isFalse(yield* ExecutedRules.none.wasExecuted("rul_1"))
    }))
})
