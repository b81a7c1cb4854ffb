import { assert, describe, it } from "@effect/vitest"
import { genericMessage, InvalidData } from "@rulefx/core/Denial"
import { EffectiveRoles, fallback } from "@rulefx/rules/EffectiveRoles"
import * as Leaks from "@rulefx/testing/Leaks"
import * as Effect from "effect/Effect"
import { login } from "./utils/Fixtures.ts"

const computeRoles = (appMetadata: Readonly<Record<string, unknown>>) =>
  EffectiveRoles.compute.pipe(Effect.provide(login({ appMetadata })))

describe("EffectiveRoles", () => {
  it.effect("roles present: those roles", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* computeRoles({ roles: ["ADMIN", "SELLER"] }), ["ADMIN", "SELLER"])
    }))

  it.effect("an empty roles array is kept, not replaced by the fallback", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* computeRoles({ roles: [] }), [])
    }))

  it.effect("roles absent: the fallback [\"USER\"]", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* computeRoles({ sellerId: "seller-1" }), ["USER"])
      assert.deepStrictEqual(fallback, ["USER"])
    }))

  it.effect("roles null (a cleared key): the fallback, as for absent roles", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* computeRoles({ roles: null }), ["USER"])
    }))

  it.effect.each([
    { label: "a string", roles: "ADMIN" },
    { label: "an array of numbers", roles: [1, 2] },
    { label: "a mixed array", roles: ["ADMIN", 7] },
    { label: "an object", roles: { ADMIN: "role-value-must-not-leak" } }
  ])("malformed roles ($label): InvalidData, not the fallback", ({ roles }) =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(computeRoles({ roles }))
      assert.instanceOf(error, InvalidData)
      assert.strictEqual(error.what, "app_metadata.roles")
      assert.isAbove(error.issues.length, 0)
      assert.strictEqual(error.message, genericMessage)
      Leaks.assertNone(JSON.stringify(error.issues), ["role-value-must-not-leak"])
    }))
})
