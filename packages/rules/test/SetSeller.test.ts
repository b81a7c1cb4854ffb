import { assert, describe, it } from "@effect/vitest"
import * as Decision from "@rulefx/core/Decision"
import { InvalidData } from "@rulefx/core/Denial"
import * as Fact from "@rulefx/core/Fact"
import * as Pipeline from "@rulefx/core/Pipeline"
import { CurrentSeller, SellerUnavailable } from "@rulefx/rules/CurrentSeller"
import { type Seller, SellerApi, SellerApiError } from "@rulefx/rules/SellerApi"
import * as SetSeller from "@rulefx/rules/SetSeller"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { ada, login } from "./utils/Fixtures.ts"

const claim = "https://example.com/seller"

const runWith = (seller: Option.Option<Seller>, options: SetSeller.Options = {}) =>
  SetSeller.make(options).run.pipe(Effect.provide(Fact.layerValue(CurrentSeller, seller)))

describe("SetSeller", () => {
  it.effect("a seller: the ID-token claim holds exactly {id, email, name}", () =>
    Effect.gen(function*() {
      // A seller object carrying more than the three fields (as a looser API double might hand over).
      const withExtra: Seller = Object.assign({ internal_notes: "not for tokens", password: "hunter2" }, ada)
      const decision = yield* runWith(Option.some(withExtra))
      assert.deepStrictEqual({ ...decision.idTokenClaims }, {
        [claim]: { id: ada.id, email: ada.email, name: ada.name }
      })
      assert.sameMembers(Object.keys(decision.idTokenClaims[claim] as object), ["email", "id", "name"])
      assert.deepStrictEqual({ ...decision.accessTokenClaims }, {})
      assert.deepStrictEqual({ ...decision.appMetadata }, {})
      assert.deepStrictEqual({ ...decision.userMetadata }, {})
    }))

  it.effect("no seller: no claim, no decision at all", () =>
    Effect.gen(function*() {
      const decision = yield* runWith(Option.none())
      assert.isFalse(Object.hasOwn(decision.idTokenClaims, claim))
      assert.isTrue(Decision.isEmpty(decision))
    }))

  it.effect("the claim option names the claim", () =>
    Effect.gen(function*() {
      const custom = "https://shop.example/claims/seller"
      const decision = yield* runWith(Option.some(ada), { claim: custom })
      assert.deepStrictEqual({ ...decision.idTokenClaims }, { [custom]: ada })
    }))

  it.effect.each(["seller", "", "example.com/seller"])(
    "a claim option that is not a URL (%j): InvalidData",
    (bad) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(runWith(Option.some(ada), { claim: bad }))
        assert.instanceOf(error, InvalidData)
        assert.strictEqual(error.what, "SetSeller options")
      })
  )

  it.effect.each([
    "roles",
    "https://x.auth0.com/c",
    "https://auth0.com/seller",
    "https://tenant.eu.webtask.io/seller",
    "http://WEBTASK.RUN/seller",
    "urn:auth0:seller"
  ])("a claim option Auth0 would refuse (%j): InvalidData when the option is decoded", (bad) =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(runWith(Option.some(ada), { claim: bad }))
      assert.instanceOf(error, InvalidData)
      assert.strictEqual(error.what, "SetSeller options")
      assert.isTrue(error.issues.some((issue) => /restricted|namespace/.test(issue)), error.issues.join("; "))
    }))

  it.effect("a claim option Auth0 refuses fails even for a user who is not a seller (the option is decoded first)", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(runWith(Option.none(), { claim: "https://x.auth0.com/c" }))
      assert.instanceOf(error, InvalidData)
    }))

  it.effect("a seller API failure while fetching the seller: SellerUnavailable, no claim", () =>
    Effect.gen(function*() {
      const pipeline = Pipeline.make({ facts: [CurrentSeller], rules: [SetSeller.make()] })
      const failure = new SellerApiError({ reason: "Status", status: 502, detail: "status 502" })
      const error = yield* Effect.flip(
        pipeline.run.pipe(
          Effect.provide(
            Layer.mergeAll(login({ appMetadata: { sellerId: ada.id } }), SellerApi.layerTest({ [ada.id]: failure }))
          )
        )
      )
      assert.instanceOf(error, SellerUnavailable)
      assert.strictEqual(error._tag === "SellerUnavailable" ? error.reason : undefined, "Status")
    }))
})
