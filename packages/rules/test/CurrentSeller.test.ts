import { assert, describe, it } from "@effect/vitest"
import { genericMessage, InvalidData } from "@rulefx/core/Denial"
import { CurrentSeller, SellerUnavailable } from "@rulefx/rules/CurrentSeller"
import { type Seller, SellerApi, SellerApiError } from "@rulefx/rules/SellerApi"
import * as Leaks from "@rulefx/testing/Leaks"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { ada, login } from "./utils/Fixtures.ts"

/** Computes the fact for a user with `appMetadata`, against an in-memory seller API; returns the ids asked for too. */
const compute = (
  appMetadata: Readonly<Record<string, unknown>>,
  sellers: Readonly<Record<string, Seller | SellerApiError>> = { [ada.id]: ada }
) =>
  Effect.gen(function*() {
    const calls = yield* Ref.make<ReadonlyArray<string>>([])
    const result = yield* Effect.exit(
      CurrentSeller.compute.pipe(
        Effect.provide(Layer.mergeAll(login({ appMetadata }), SellerApi.layerTest(sellers, calls)))
      )
    )
    return { result, calls: yield* Ref.get(calls) }
  })

const computeSeller = (
  appMetadata: Readonly<Record<string, unknown>>,
  sellers: Readonly<Record<string, Seller | SellerApiError>> = { [ada.id]: ada }
) => CurrentSeller.compute.pipe(Effect.provide(Layer.mergeAll(login({ appMetadata }), SellerApi.layerTest(sellers))))

describe("CurrentSeller", () => {
  it.effect("no sellerId: no seller, and the seller API is never called", () =>
    Effect.gen(function*() {
      const { result, calls } = yield* compute({ roles: ["ADMIN"] })
      assert.isTrue(result._tag === "Success" && Option.isNone(result.value))
      assert.deepStrictEqual(calls, [])
    }))

  it.effect("a null sellerId (a cleared key): no seller, and the seller API is never called", () =>
    Effect.gen(function*() {
      const calls = yield* Ref.make<ReadonlyArray<string>>([])
      const seller = yield* CurrentSeller.compute.pipe(
        Effect.provide(Layer.mergeAll(login({ appMetadata: { sellerId: null } }), SellerApi.layerTest({}, calls)))
      )
      assert.isTrue(Option.isNone(seller))
      assert.deepStrictEqual(yield* Ref.get(calls), [])
    }))

  it.effect("a string sellerId: the seller", () =>
    Effect.gen(function*() {
      const { result, calls } = yield* compute({ sellerId: ada.id })
      assert.isTrue(result._tag === "Success")
      if (result._tag === "Success") assert.deepStrictEqual(Option.getOrThrow(result.value), ada)
      assert.deepStrictEqual(calls, [ada.id])
    }))

  it.effect("a sellerId with spaces around it is trimmed", () =>
    Effect.gen(function*() {
      const { calls } = yield* compute({ sellerId: `  ${ada.id}  ` })
      assert.deepStrictEqual(calls, [ada.id])
    }))

  it.effect("a number sellerId is asked for as a string", () =>
    Effect.gen(function*() {
      const bob: Seller = { id: "42", email: "bob@shop.example", name: "Bob" }
      const { result, calls } = yield* compute({ sellerId: 42 }, { "42": bob })
      assert.deepStrictEqual(calls, ["42"])
      if (result._tag === "Success") assert.deepStrictEqual(Option.getOrThrow(result.value), bob)
      else assert.fail("expected a seller")
    }))

  it.effect("a 404 (an id the API does not know): no seller", () =>
    Effect.gen(function*() {
      const { result, calls } = yield* compute({ sellerId: "seller-unknown" })
      assert.isTrue(result._tag === "Success" && Option.isNone(result.value))
      assert.deepStrictEqual(calls, ["seller-unknown"])
    }))

  it.effect.each([
    { label: "an object", sellerId: { id: "seller-1", leak: "value-must-not-leak" } },
    { label: "an empty string", sellerId: "" },
    { label: "only spaces", sellerId: "   " },
    { label: "a fraction", sellerId: 1.5 },
    { label: "a boolean", sellerId: true },
    { label: "an array", sellerId: ["seller-1"] },
    { label: "a string over 256 characters", sellerId: "s".repeat(257) },
    { label: "a dot segment", sellerId: ".." },
    { label: "a dot", sellerId: " . " }
  ])("a malformed sellerId ($label): InvalidData, and no call", ({ sellerId }) =>
    Effect.gen(function*() {
      const calls = yield* Ref.make<ReadonlyArray<string>>([])
      const error = yield* Effect.flip(
        CurrentSeller.compute.pipe(
          Effect.provide(Layer.mergeAll(login({ appMetadata: { sellerId } }), SellerApi.layerTest({}, calls)))
        )
      )
      assert.instanceOf(error, InvalidData)
      if (error._tag !== "InvalidData") return assert.fail("expected InvalidData")
      assert.strictEqual(error.what, "app_metadata.sellerId")
      assert.isAbove(error.issues.length, 0)
      Leaks.assertNone(JSON.stringify(error.issues), ["value-must-not-leak"])
      assert.strictEqual(error.message, genericMessage)
      assert.deepStrictEqual(yield* Ref.get(calls), [])
    }))

  it.effect.each(["Status", "Timeout", "Network", "Body"] as const)(
    "a SellerApiError (%s): a SellerUnavailable denial that leaks nothing",
    (reason) =>
      Effect.gen(function*() {
        const detail = `GET http://10.1.2.3:8443/seller/seller-1 failed: <html>stack trace</html>`
        const error = yield* Effect.flip(
          computeSeller({ sellerId: ada.id }, { [ada.id]: new SellerApiError({ reason, status: 500, detail }) })
        )
        assert.instanceOf(error, SellerUnavailable)
        if (error._tag !== "SellerUnavailable") return assert.fail("expected SellerUnavailable")
        assert.strictEqual(error.reason, reason)
        assert.strictEqual(error.message, genericMessage)
        const shown = `${error.message} ${JSON.stringify(error)} ${String(error)}`
        Leaks.assertNone(shown, [detail, "10.1.2.3", "8443", "http", "<html>", "stack trace", "seller-1"])
      })
  )

  it.effect("a SellerApiError's detail goes to the log", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const failure = new SellerApiError({ reason: "Timeout", detail: "no answer in 2000 ms" })
      yield* Effect.flip(
        computeSeller({ sellerId: ada.id }, { [ada.id]: failure }).pipe(Effect.provide(LogCapture.layer(lines)))
      )
      assert.isTrue(lines.some((line) => line.includes("no answer in 2000 ms")), JSON.stringify(lines))
    }))
})
