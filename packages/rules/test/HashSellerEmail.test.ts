import { assert, describe, it } from "@effect/vitest"
import * as Decision from "@rulefx/core/Decision"
import { InvalidData, MissingSecret } from "@rulefx/core/Denial"
import * as Fact from "@rulefx/core/Fact"
import { Secrets } from "@rulefx/core/Secrets"
import { Crypto } from "@rulefx/rules/Crypto"
import { CurrentSeller } from "@rulefx/rules/CurrentSeller"
import * as HashSellerEmail from "@rulefx/rules/HashSellerEmail"
import type { Seller } from "@rulefx/rules/SellerApi"
import * as Hmac from "@rulefx/testing/Hmac"
import * as Leaks from "@rulefx/testing/Leaks"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { ada, intercomSecret } from "./utils/Fixtures.ts"

const claim = "https://example.com/seller_email_hash"

/** The rule's dependencies: a fixed seller, a recording Crypto and the given secrets. */
const layers = (
  seller: Option.Option<Seller>,
  secrets: Readonly<Record<string, string>>,
  messages: Ref.Ref<ReadonlyArray<string>>
) => Layer.mergeAll(Fact.layerValue(CurrentSeller, seller), Crypto.layerTest(messages), Secrets.layerTest(secrets))

const noMessages = Ref.make<ReadonlyArray<string>>([])

describe("HashSellerEmail", () => {
  it.effect("a seller: the claim is hex HMAC-SHA256(INTERCOM_SECRET, seller.email)", () =>
    Effect.gen(function*() {
      const messages = yield* noMessages
      const decision = yield* HashSellerEmail.make().run.pipe(
        Effect.provide(layers(Option.some(ada), { INTERCOM_SECRET: intercomSecret }, messages))
      )
      assert.deepStrictEqual({ ...decision.idTokenClaims }, { [claim]: Hmac.hex(intercomSecret, ada.email) })
      assert.match(decision.idTokenClaims[claim] as string, /^[0-9a-f]{64}$/)
      assert.deepStrictEqual(yield* Ref.get(messages), [ada.email])
    }))

  it.effect("the live Crypto layer gives the same claim", () =>
    Effect.gen(function*() {
      const decision = yield* HashSellerEmail.make().run.pipe(
        Effect.provide(
          Layer.mergeAll(
            Fact.layerValue(CurrentSeller, Option.some(ada)),
            Crypto.layer,
            Secrets.layerTest({ INTERCOM_SECRET: intercomSecret })
          )
        )
      )
      assert.strictEqual(decision.idTokenClaims[claim], Hmac.hex(intercomSecret, ada.email))
    }))

  it.effect("the secret value never appears in the decision", () =>
    Effect.gen(function*() {
      const decision = yield* HashSellerEmail.make().run.pipe(
        Effect.provide(layers(Option.some(ada), { INTERCOM_SECRET: intercomSecret }, yield* noMessages))
      )
      Leaks.assertNone(JSON.stringify(decision), [intercomSecret])
      Leaks.assertNone(Object.values(decision.idTokenClaims).map(String).join(" "), [intercomSecret])
    }))

  it.effect("no seller: no claim, nothing hashed", () =>
    Effect.gen(function*() {
      const messages = yield* noMessages
      const decision = yield* HashSellerEmail.make().run.pipe(
        Effect.provide(layers(Option.none(), { INTERCOM_SECRET: intercomSecret }, messages))
      )
      assert.isTrue(Decision.isEmpty(decision))
      assert.deepStrictEqual(yield* Ref.get(messages), [])
    }))

  it.effect.each([
    { label: "a seller", seller: Option.some(ada) },
    { label: "not a seller", seller: Option.none<Seller>() }
  ])("a missing INTERCOM_SECRET: MissingSecret, even for $label", ({ seller }) =>
    Effect.gen(function*() {
      const messages = yield* noMessages
      const error = yield* Effect.flip(
        HashSellerEmail.make().run.pipe(Effect.provide(layers(seller, { OTHER_SECRET: "x" }, messages)))
      )
      assert.instanceOf(error, MissingSecret)
      assert.strictEqual(error._tag === "MissingSecret" ? error.name : undefined, "INTERCOM_SECRET")
      assert.deepStrictEqual(yield* Ref.get(messages), [])
    }))

  it.effect("an empty INTERCOM_SECRET counts as missing", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        HashSellerEmail.make().run.pipe(
          Effect.provide(layers(Option.none(), { INTERCOM_SECRET: "" }, yield* noMessages))
        )
      )
      assert.instanceOf(error, MissingSecret)
    }))

  it.effect("the secret and claim options are honoured", () =>
    Effect.gen(function*() {
      const custom = "https://shop.example/claims/email_hash"
      const decision = yield* HashSellerEmail.make({ claim: custom, secret: "HASH_KEY" }).run.pipe(
        Effect.provide(layers(Option.some(ada), { HASH_KEY: "other-key-123" }, yield* noMessages))
      )
      assert.deepStrictEqual({ ...decision.idTokenClaims }, { [custom]: Hmac.hex("other-key-123", ada.email) })
    }))

  it.effect.each([
    { label: "a claim that is not a URL", options: { claim: "email_hash" } },
    { label: "a restricted claim", options: { claim: "sub" } },
    { label: "a claim on an Auth0 namespace", options: { claim: "https://x.auth0.com/c" } },
    { label: "an empty secret name", options: { secret: "" } }
  ])("invalid options ($label): InvalidData", ({ options }) =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        HashSellerEmail.make(options).run.pipe(
          Effect.provide(layers(Option.some(ada), { INTERCOM_SECRET: intercomSecret }, yield* noMessages))
        )
      )
      assert.instanceOf(error, InvalidData)
      assert.strictEqual(error._tag === "InvalidData" ? error.what : undefined, "HashSellerEmail options")
    }))
})
