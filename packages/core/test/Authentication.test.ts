import { assert, describe, it } from "@effect/vitest"
import * as Authentication from "@rulefx/core/Authentication"
import * as Decision from "@rulefx/core/Decision"
import * as Effect from "effect/Effect"

describe("Authentication", () => {
  describe("constructors", () => {
    it.effect("each records its step with its factor, options and additional factors", () =>
      Effect.gen(function*() {
        const d = yield* Decision.collect(Effect.all([
          Authentication.challengeWith({ type: "phone", options: { preferredMethod: "sms" } }, {
            additionalFactors: [{ type: "otp" }]
          }),
          Authentication.challengeWithAny([{ type: "email" }, { type: "push", options: { otpFallback: true } }]),
          Authentication.enrollWith({ type: "webauthn-roaming" }),
          Authentication.enrollWithAny([{ type: "otp" }, { type: "recovery-code" }])
        ]))
        assert.deepStrictEqual(d.mfaSteps, [
          {
            _tag: "ChallengeWith",
            factor: { type: "phone", options: { preferredMethod: "sms" } },
            additionalFactors: [{ type: "otp" }]
          },
          { _tag: "ChallengeWithAny", factors: [{ type: "email" }, { type: "push", options: { otpFallback: true } }] },
          { _tag: "EnrollWith", factor: { type: "webauthn-roaming" }, additionalFactors: [] },
          { _tag: "EnrollWithAny", factors: [{ type: "otp" }, { type: "recovery-code" }] }
        ])
        assert.isFalse(Decision.isEmpty(d))
      }))

    it.effect("setPrimaryUser records the id; the same id twice is one request", () =>
      Effect.gen(function*() {
        const d = yield* Decision.collect(
          Effect.all([Authentication.setPrimaryUser("auth0|a"), Authentication.setPrimaryUser("auth0|a")])
        )
        assert.deepStrictEqual(d.primaryUsers, ["auth0|a"])
      }))

    it.effect("a decision without them has neither field, and is empty", () =>
      Effect.gen(function*() {
        const d = yield* Decision.collect(Effect.void)
        assert.isUndefined(d.mfaSteps)
        assert.isUndefined(d.primaryUsers)
        assert.isTrue(Decision.isEmpty(d))
      }))
  })

  describe("two rules that disagree (Decision.merge)", () => {
    it.effect("steps are kept in rule order, an equal step once", () =>
      Effect.gen(function*() {
        const first = yield* Decision.collect(Authentication.challengeWith({ type: "otp" }))
        const second = yield* Decision.collect(Effect.all([
          Authentication.challengeWith({ type: "otp" }),
          Authentication.challengeWith({ type: "email" })
        ]))
        assert.deepStrictEqual(Decision.merge([first, second]).mfaSteps?.map((s) => "factor" in s && s.factor.type), [
          "otp",
          "email"
        ])
        assert.deepStrictEqual(Decision.merge([second, first]).mfaSteps?.map((s) => "factor" in s && s.factor.type), [
          "otp",
          "email"
        ])
      }))

    it.effect("two different primary users are both kept, for the adapter to refuse", () =>
      Effect.gen(function*() {
        const a = yield* Decision.collect(Authentication.setPrimaryUser("auth0|a"))
        const b = yield* Decision.collect(Authentication.setPrimaryUser("auth0|b"))
        assert.deepStrictEqual(Decision.merge([a, b]).primaryUsers, ["auth0|a", "auth0|b"])
      }))

    it("isChallenge: challenges override requireMfa, enrollments do not", () => {
      assert.isTrue(Authentication.isChallenge({ _tag: "ChallengeWithAny", factors: [{ type: "otp" }] }))
      assert.isFalse(Authentication.isChallenge({ _tag: "EnrollWithAny", factors: [{ type: "otp" }] }))
    })
  })
})
