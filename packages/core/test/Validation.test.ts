import { assert, describe, it } from "@effect/vitest"
import { isDenial } from "@rulefx/core/Denial"
import * as Validation from "@rulefx/core/Validation"
import * as Effect from "effect/Effect"

describe("Validation", () => {
  it.effect("fail is a denial carrying the code, whose message is the team's own", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Validation.fail("age_required", "Please enter your age."))
      assert.isTrue(isDenial(error))
      assert.isTrue(Validation.isValidationFailed(error))
      assert.strictEqual(error.code, "age_required")
      assert.strictEqual(error.message, "Please enter your age.")
    }))

  it("isValidationFailed refuses other values", () => {
    assert.isFalse(Validation.isValidationFailed({ _tag: "ValidationFailed" }))
    assert.isFalse(Validation.isValidationFailed({ _tag: "Other", code: "x" }))
    assert.isFalse(Validation.isValidationFailed(null))
  })
})
