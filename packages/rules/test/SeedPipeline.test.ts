/**
 * The seed scenario (README, "The example Action's contract") end to end, on test layers: the four rules and the two facts in one pipeline.
 */
import { assert, describe, it } from "@effect/vitest"
import type * as Decision from "@rulefx/core/Decision"
import * as Pipeline from "@rulefx/core/Pipeline"
import { Secrets } from "@rulefx/core/Secrets"
import { Crypto } from "@rulefx/rules/Crypto"
import { CurrentSeller, SellerUnavailable } from "@rulefx/rules/CurrentSeller"
import * as DenyRoles from "@rulefx/rules/DenyRoles"
import { EffectiveRoles } from "@rulefx/rules/EffectiveRoles"
import * as HashSellerEmail from "@rulefx/rules/HashSellerEmail"
import { type Seller, SellerApi, SellerApiError } from "@rulefx/rules/SellerApi"
import * as SetRoles from "@rulefx/rules/SetRoles"
import * as SetSeller from "@rulefx/rules/SetSeller"
import * as Hmac from "@rulefx/testing/Hmac"
import * as Leaks from "@rulefx/testing/Leaks"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { ada, intercomSecret, login } from "./utils/Fixtures.ts"

const pipeline = Pipeline.make({
  facts: [CurrentSeller, EffectiveRoles],
  rules: [SetSeller.make(), HashSellerEmail.make(), SetRoles.make(), DenyRoles.make()]
})

const sellerClaim = "https://example.com/seller"
const hashClaim = "https://example.com/seller_email_hash"
const rolesClaim = "https://example.com/roles"

/** Everything the pipeline needs except the login. */
const services = (sellerApi: Layer.Layer<SellerApi>, messages: Ref.Ref<ReadonlyArray<string>>) =>
  Layer.mergeAll(sellerApi, Crypto.layerTest(messages), Secrets.layerTest({ INTERCOM_SECRET: intercomSecret }))

describe("the seed pipeline", () => {
  it.effect("a seller: fetched once though two rules read it; every claim set; nothing persisted", () =>
    Effect.gen(function*() {
      const calls = yield* Ref.make<ReadonlyArray<string>>([])
      const messages = yield* Ref.make<ReadonlyArray<string>>([])
      const withExtra: Seller = Object.assign({ internal_notes: "not for tokens" }, ada)
      const decision = yield* pipeline.run.pipe(
        Effect.provide(
          Layer.mergeAll(
            services(SellerApi.layerTest({ [ada.id]: withExtra }, calls), messages),
            login({
              appMetadata: { sellerId: ada.id, roles: ["SELLER"] },
              clientMetadata: { allowed_roles: "SELLER, ADMIN" }
            })
          )
        )
      )
      assert.deepStrictEqual(yield* Ref.get(calls), [ada.id])
      assert.deepStrictEqual({ ...decision.idTokenClaims }, {
        [sellerClaim]: ada,
        [hashClaim]: Hmac.hex(intercomSecret, ada.email)
      })
      assert.deepStrictEqual({ ...decision.accessTokenClaims }, { [rolesClaim]: ["SELLER"] })
      assert.deepStrictEqual(Object.keys(decision.appMetadata), [])
      assert.deepStrictEqual(Object.keys(decision.userMetadata), [])
      assert.deepStrictEqual(yield* Ref.get(messages), [ada.email])
      Leaks.assertNone(JSON.stringify(decision), [intercomSecret, "internal_notes"])
    }))

  it.effect("not a seller, no roles: no seller claims, the fallback USER in the token only, no seller call", () =>
    Effect.gen(function*() {
      const calls = yield* Ref.make<ReadonlyArray<string>>([])
      const decision = yield* pipeline.run.pipe(
        Effect.provide(
          Layer.mergeAll(
            services(SellerApi.layerTest({ [ada.id]: ada }, calls), yield* Ref.make<ReadonlyArray<string>>([])),
            login({ clientMetadata: { allowed_roles: "USER" } })
          )
        )
      )
      assert.deepStrictEqual(yield* Ref.get(calls), [])
      assert.deepStrictEqual({ ...decision.idTokenClaims }, {})
      assert.deepStrictEqual({ ...decision.accessTokenClaims }, { [rolesClaim]: ["USER"] })
      assert.deepStrictEqual(Object.keys(decision.appMetadata), [])
    }))

  it.effect("a seller id the API does not know (404): no seller claims, the login goes on", () =>
    Effect.gen(function*() {
      const decision = yield* pipeline.run.pipe(
        Effect.provide(
          Layer.mergeAll(
            services(SellerApi.layerTest({}), yield* Ref.make<ReadonlyArray<string>>([])),
            login({ appMetadata: { sellerId: "seller-gone" }, clientMetadata: { allowed_roles: "USER" } })
          )
        )
      )
      assert.deepStrictEqual({ ...decision.idTokenClaims }, {})
      assert.deepStrictEqual({ ...decision.accessTokenClaims }, { [rolesClaim]: ["USER"] })
    }))

  it.effect("a seller API failure: the login is denied with SellerUnavailable", () =>
    Effect.gen(function*() {
      const failure = new SellerApiError({ reason: "Timeout", detail: "no answer in 2000 ms" })
      const error = yield* Effect.flip(
        pipeline.run.pipe(
          Effect.provide(
            Layer.mergeAll(
              services(SellerApi.layerTest({ [ada.id]: failure }), yield* Ref.make<ReadonlyArray<string>>([])),
              login({ appMetadata: { sellerId: ada.id }, clientMetadata: { allowed_roles: "USER" } })
            )
          )
        )
      )
      assert.instanceOf(error, SellerUnavailable)
      assert.strictEqual(error._tag === "SellerUnavailable" ? error.reason : undefined, "Timeout")
    }))

  it.effect("missing allowed_roles: denied with AllowedRolesMissing", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        pipeline.run.pipe(
          Effect.provide(
            Layer.mergeAll(
              services(SellerApi.layerTest({}), yield* Ref.make<ReadonlyArray<string>>([])),
              login()
            )
          )
        )
      )
      assert.instanceOf(error, DenyRoles.AllowedRolesMissing)
    }))

  it.effect("a denial does not wait for the seller: the slow fetch is interrupted", () =>
    Effect.gen(function*() {
      const interrupted = yield* Ref.make(false)
      // The fetch never finishes under the TestClock unless the clock moves; the test never moves it.
      const slowApi = Layer.succeed(
        SellerApi,
        SellerApi.of({
          getSeller: () =>
            Effect.sleep("10 seconds").pipe(
              Effect.as(Option.some(ada)),
              Effect.onInterrupt(() => Ref.set(interrupted, true))
            )
        })
      )
      const error = yield* Effect.flip(
        pipeline.run.pipe(
          Effect.provide(
            Layer.mergeAll(
              services(slowApi, yield* Ref.make<ReadonlyArray<string>>([])),
              login({ appMetadata: { sellerId: ada.id, roles: ["GUEST"] }, clientMetadata: { allowed_roles: "ADMIN" } })
            )
          )
        )
      )
      assert.instanceOf(error, DenyRoles.RoleNotAllowed)
      assert.isTrue(yield* Ref.get(interrupted))
    }))

  it.live("overlapping logins never see each other's seller, hash or roles", () =>
    Effect.gen(function*() {
      const count = 40
      const sellers: Record<string, Seller> = {}
      for (let i = 0; i < count; i++) {
        sellers[`seller-${i}`] = { id: `seller-${i}`, email: `s${i}@shop.example`, name: `Shop ${i}` }
      }
      // Answers arrive out of order, so the logins' fact cells are all in flight at once.
      const jitteryApi = Layer.succeed(
        SellerApi,
        SellerApi.of({
          getSeller: (id) =>
            Effect.sleep(`${(Number(id.slice("seller-".length)) * 7) % 23} millis`).pipe(
              Effect.as(Option.fromNullishOr(sellers[id]))
            )
        })
      )
      const logs: Array<string> = []
      const shared = Layer.mergeAll(
        services(jitteryApi, yield* Ref.make<ReadonlyArray<string>>([])),
        LogCapture.layer(logs)
      )
      const outcomes = yield* Effect.forEach(
        Array.from({ length: count }, (_, i) => i),
        (i) =>
          pipeline.run.pipe(
            Effect.provide(
              login({
                appMetadata: { sellerId: `seller-${i}`, roles: i % 2 === 0 ? ["SELLER"] : ["GUEST"] },
                clientMetadata: { allowed_roles: "SELLER" }
              })
            ),
            Effect.result
          ),
        { concurrency: "unbounded" }
      ).pipe(Effect.provide(shared))
      outcomes.forEach((outcome, i) => {
        if (i % 2 === 1) {
          assert.isTrue(outcome._tag === "Failure" && outcome.failure._tag === "RoleNotAllowed", `login ${i}`)
          return
        }
        if (outcome._tag !== "Success") return assert.fail(`login ${i} must be allowed`)
        const decision: Decision.Decision = outcome.success
        const seller = sellers[`seller-${i}`]!
        assert.deepStrictEqual(decision.idTokenClaims[sellerClaim], seller)
        assert.strictEqual(decision.idTokenClaims[hashClaim], Hmac.hex(intercomSecret, seller.email))
        assert.deepStrictEqual(decision.accessTokenClaims[rolesClaim], ["SELLER"])
      })
      Leaks.assertNone(logs.join("\n"), [intercomSecret])
    }))
})
