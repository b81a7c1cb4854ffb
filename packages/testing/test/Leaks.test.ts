import { assert, describe, it } from "@effect/vitest"
import * as Leaks from "@rulefx/testing/Leaks"
import { AssertionError } from "node:assert"

describe("Leaks.assertNone", () => {
  it("passes when none of the values appears", () => {
    Leaks.assertNone("Your account is not allowed", ["s3cr3t", "ada@shop.example"])
  })

  it("throws an AssertionError naming the value that appears", () => {
    const error = (() => {
      try {
        Leaks.assertNone("reason: s3cr3t", ["other", "s3cr3t"])
      } catch (e) {
        return e
      }
    })()
    assert.instanceOf(error, AssertionError)
    assert.include((error as AssertionError).message, `leaked "s3cr3t"`)
  })
})
