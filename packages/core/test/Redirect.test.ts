import { assert, describe, it } from "@effect/vitest"
import * as Decision from "@rulefx/core/Decision"
import { genericMessage } from "@rulefx/core/Denial"
import * as Login from "@rulefx/core/Login"
import * as Pipeline from "@rulefx/core/Pipeline"
import * as Redirect from "@rulefx/core/Redirect"
import { Resumed } from "@rulefx/core/Resumed"
import * as Rule from "@rulefx/core/Rule"
import { Secrets } from "@rulefx/core/Secrets"
import * as v from "@rulefx/core/Validator"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

const Consent = Redirect.make("Consent", {
  secret: "CONSENT_SECRET",
  returns: v.object({ accepted: v.boolean() })
})

const info = (protocol = "oidc-basic-profile", query: Record<string, unknown> = {}) =>
  Login.make({
    user: { id: "auth0|ada" },
    client: { id: "app" },
    request: { ip: "203.0.113.9", query },
    transaction: { protocol }
  })

const login = (protocol?: string, query?: Record<string, unknown>) => Login.Login.layer(info(protocol, query))

const services = (layer = login()) =>
  Layer.mergeAll(layer, Secrets.layerTest({ CONSENT_SECRET: "consent-s3cret-for-the-redirect-test" }))

const send = (url = "https://consent.example.com/", options: Redirect.SendOptions = {}) =>
  Decision.collect(Consent.sendUserTo(url, options))

describe("Redirect", () => {
  describe("sendUserTo", () => {
    it.effect("records the redirect with a token: the shared secret, the payload, 900 s and session_token", () =>
      Effect.gen(function*() {
        const d = yield* send("https://consent.example.com/", { query: { lang: "de" }, payload: { v: 2 } })
        assert.strictEqual(d.redirect?.url, "https://consent.example.com/")
        assert.deepStrictEqual(d.redirect?.query, { lang: "de" })
        const token = d.redirect?.token
        assert.strictEqual(Redacted.value(token!.secret), "consent-s3cret-for-the-redirect-test")
        assert.deepStrictEqual(token?.payload, { v: 2 })
        assert.strictEqual(token?.expiresInSeconds, Redirect.defaultExpiresInSeconds)
        assert.strictEqual(token?.parameter, "session_token")
        assert.isUndefined(d.conflicts)
      }).pipe(Effect.provide(services())))

    it.effect("a second redirect in the same rule is a conflict, not a silent replacement", () =>
      Effect.gen(function*() {
        const d = yield* Decision.collect(Effect.andThen(
          Consent.sendUserTo("https://a.example.com/"),
          Consent.sendUserTo("https://b.example.com/")
        ))
        assert.deepStrictEqual(d.conflicts, ["redirect"])
      }).pipe(Effect.provide(services())))

    it.effect("two rules that redirect in one pass merge into a conflict", () =>
      Effect.gen(function*() {
        const pipeline = Pipeline.make({
          facts: [],
          rules: [
            Rule.make("a", Consent.sendUserTo("https://a.example.com/")),
            Rule.make("b", Consent.sendUserTo("https://b.example.com/"))
          ]
        })
        const d = yield* pipeline.run
        assert.deepStrictEqual(d.conflicts, ["redirect"])
      }).pipe(Effect.provide(services())))

    for (const protocol of ["oauth2-resource-owner", "oauth2-password", "oauth2-refresh-token"]) {
      it.effect(`fails with RedirectImpossible in a ${protocol} login, recording nothing`, () =>
        Effect.gen(function*() {
          const error = yield* Effect.flip(send())
          assert.strictEqual(error._tag, "RedirectImpossible")
          assert.strictEqual((error as Redirect.RedirectImpossible).protocol, protocol)
          assert.isFalse(yield* Effect.provide(Redirect.canRedirect, login(protocol)))
        }).pipe(Effect.provide(services(login(protocol)))))
    }

    it.effect("fails with RedirectImpossible in silent authentication (prompt=none)", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(send())
        assert.strictEqual(error._tag, "RedirectImpossible")
      }).pipe(Effect.provide(services(login("oidc-basic-profile", { prompt: "none" })))))

    it("nonInteractiveReason names why, alike for a Login and an event as Auth0 sends it", () => {
      assert.strictEqual(Redirect.nonInteractiveReason(info("oauth2-refresh-token")), "oauth2-refresh-token")
      assert.strictEqual(Redirect.nonInteractiveReason(info("oidc-basic-profile", { prompt: "none" })), "prompt=none")
      assert.isUndefined(Redirect.nonInteractiveReason(info("oidc-basic-profile", { prompt: "login" })))
      assert.strictEqual(Redirect.nonInteractiveReason({ transaction: { protocol: "oidc-ciba" } }), "oidc-ciba")
      assert.strictEqual(Redirect.nonInteractiveReason({ request: { query: { prompt: "none" } } }), "prompt=none")
      // Parts missing, null or of another type: a browser, as far as this can tell (the decode refuses what is malformed).
      for (
        const event of [undefined, null, {}, { transaction: null, request: { query: null } }, {
          transaction: { protocol: 7 }
        }]
      ) {
        assert.isUndefined(Redirect.nonInteractiveReason(event))
      }
    })

    it.effect("fails with MissingSecret when the shared secret is not set", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(send())
        assert.strictEqual(error._tag, "MissingSecret")
      }).pipe(Effect.provide(Layer.mergeAll(login(), Secrets.layerTest({})))))

    // 16 characters, 32 bytes in UTF-8: the minimum counts bytes, the key HS256 gets.
    const twoByteChars = "é".repeat(16)

    it.effect("fails with WeakSecret, naming the secret and the minimum, when the secret is under 32 bytes", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(send())
        assert.strictEqual(error._tag, "WeakSecret")
        assert.deepStrictEqual(
          { name: (error as Redirect.WeakSecret).name, minimum: (error as Redirect.WeakSecret).minimum },
          { name: "CONSENT_SECRET", minimum: 32 }
        )
        assert.strictEqual(error.message, genericMessage)
      }).pipe(
        Effect.provide(Layer.mergeAll(login(), Secrets.layerTest({ CONSENT_SECRET: twoByteChars.slice(1) + "a" })))
      ))

    it.effect("accepts a secret of exactly 32 bytes (UTF-8), however few its characters", () =>
      Effect.gen(function*() {
        const d = yield* send()
        assert.strictEqual(Redacted.value(d.redirect!.token!.secret), twoByteChars)
      }).pipe(Effect.provide(Layer.mergeAll(login(), Secrets.layerTest({ CONSENT_SECRET: twoByteChars })))))
  })

  describe("the returned token, as a fact", () => {
    const continuePass = Effect.provideService(Consent.asEffect(), Consent.key, Consent.compute)

    it.effect("is the verified payload, decoded", () =>
      Effect.gen(function*() {
        assert.deepStrictEqual(yield* continuePass, { accepted: true })
      }).pipe(Effect.provide(Layer.mergeAll(services(), Resumed.layerTest({ payload: { accepted: true, extra: 1 } })))))

    it.effect("denies with ReturnRejected (the generic reason) when the token does not verify", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(continuePass)
        assert.strictEqual(error._tag, "ReturnRejected")
        assert.strictEqual(error.message, genericMessage)
      }).pipe(Effect.provide(Layer.mergeAll(services(), Resumed.layerTest({})))))

    it.effect("denies with ReturnRejected when the payload does not decode", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(continuePass)
        assert.strictEqual(error._tag, "ReturnRejected")
        assert.include((error as Redirect.ReturnRejected).problem, "accepted")
      }).pipe(Effect.provide(Layer.mergeAll(services(), Resumed.layerTest({ payload: { accepted: "yes" } })))))

    it.effect("denies with WeakSecret before the token is verified when the secret is under 32 bytes", () =>
      Effect.gen(function*() {
        // The token would verify: the short secret is refused first, whatever came back.
        const error = yield* Effect.flip(continuePass)
        assert.strictEqual(error._tag, "WeakSecret")
        assert.strictEqual(error.message, genericMessage)
      }).pipe(Effect.provide(Layer.mergeAll(
        login(),
        Secrets.layerTest({ CONSENT_SECRET: "x".repeat(31) }),
        Resumed.layerTest({ payload: { accepted: true } })
      ))))
  })
})
