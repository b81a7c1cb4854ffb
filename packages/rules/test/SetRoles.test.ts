import { assert, describe, it } from "@effect/vitest"
import { InvalidData } from "@rulefx/core/Denial"
import * as Fact from "@rulefx/core/Fact"
import * as Pipeline from "@rulefx/core/Pipeline"
import { EffectiveRoles, fallback } from "@rulefx/rules/EffectiveRoles"
import * as SetRoles from "@rulefx/rules/SetRoles"
import * as Effect from "effect/Effect"
import { login } from "./utils/Fixtures.ts"

const claim = "https://example.com/roles"

const runWith = (roles: ReadonlyArray<string>, options: SetRoles.Options = {}) =>
  SetRoles.make(options).run.pipe(Effect.provide(Fact.layerValue(EffectiveRoles, roles)))

/** Runs the rule with the real EffectiveRoles fact over a user with `appMetadata`. */
const runFromLogin = (appMetadata: Readonly<Record<string, unknown>>) =>
  Pipeline.make({ facts: [EffectiveRoles], rules: [SetRoles.make()] }).run.pipe(
    Effect.provide(login({ appMetadata }))
  )

describe("SetRoles", () => {
  it.effect("the access-token claim holds the roles", () =>
    Effect.gen(function*() {
      const decision = yield* runWith(["ADMIN", "SELLER"])
      assert.deepStrictEqual({ ...decision.accessTokenClaims }, { [claim]: ["ADMIN", "SELLER"] })
      assert.deepStrictEqual({ ...decision.idTokenClaims }, {})
    }))

  it.effect("roles from app_metadata reach the claim", () =>
    Effect.gen(function*() {
      const decision = yield* runFromLogin({ roles: ["EDITOR"] })
      assert.deepStrictEqual(decision.accessTokenClaims[claim], ["EDITOR"])
    }))

  it.effect("no roles: the claim holds the fallback [\"USER\"], which is not written to app_metadata", () =>
    Effect.gen(function*() {
      const decision = yield* runFromLogin({})
      assert.deepStrictEqual(decision.accessTokenClaims[claim], ["USER"])
      assert.deepStrictEqual(Object.keys(decision.appMetadata), [])
      assert.deepStrictEqual(Object.keys(decision.userMetadata), [])
    }))

  it.effect("the claim is a copy: changing it cannot change the shared fallback", () =>
    Effect.gen(function*() {
      const decision = yield* runWith(fallback)
      const value = decision.accessTokenClaims[claim]
      assert.notStrictEqual(value, fallback)
      assert.deepStrictEqual(value, ["USER"])
    }))

  it.effect("malformed roles: InvalidData, no claim", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(runFromLogin({ roles: "ADMIN" }))
      assert.instanceOf(error, InvalidData)
      assert.strictEqual(error.what, "app_metadata.roles")
    }))

  it.effect("the claim option names the claim", () =>
    Effect.gen(function*() {
      const custom = "https://shop.example/claims/roles"
      const decision = yield* runWith(["ADMIN"], { claim: custom })
      assert.deepStrictEqual({ ...decision.accessTokenClaims }, { [custom]: ["ADMIN"] })
    }))

  it.effect.each(["roles", "https://x.auth0.com/c", "https://sub.webtask.run/roles", "urn:auth0:roles"])(
    "a claim option Auth0 would refuse (%j): InvalidData",
    (bad) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(runWith(["ADMIN"], { claim: bad }))
        assert.instanceOf(error, InvalidData)
        assert.strictEqual(error.what, "SetRoles options")
      })
  )

  it.effect("a claim option that is not a URL: InvalidData", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(runWith(["ADMIN"], { claim: "roles" }))
      assert.instanceOf(error, InvalidData)
      assert.strictEqual(error.what, "SetRoles options")
    }))
})
