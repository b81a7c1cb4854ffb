import { assert, describe, it } from "@effect/vitest"
import * as Auth0Authentication from "@rulefx/adapter-auth0/Auth0Authentication"
import * as Authentication from "@rulefx/core/Authentication"
import * as Decision from "@rulefx/core/Decision"
import { genericMessage } from "@rulefx/core/Denial"
import * as Effect from "effect/Effect"
import { minimalEvent } from "./utils/Events.ts"
import { apiWithout, checked, runRules } from "./utils/Surface.ts"

const decision = (overrides: Partial<Decision.Decision>): Decision.Decision => ({ ...Decision.empty(), ...overrides })
const rules = (d: Decision.Decision) =>
  checked(Auth0Authentication.kind, d).map((v) => `${v.target} ${v.name} ${v.rule}`)
const otp: Authentication.Factor = { type: "otp" }

const event = (transaction: Record<string, unknown>, query: Record<string, unknown> = {}) => {
  const e = minimalEvent()
  return { ...e, transaction, request: { ...(e["request"] as object), query } }
}

const bad = (step: unknown) => rules(decision({ mfaSteps: [step as Authentication.Step] }))

describe("Auth0Authentication", () => {
  describe("check", () => {
    it("4 steps pass, a 5th is refused", () => {
      const step: Authentication.Step = { _tag: "ChallengeWithAny", factors: [otp] }
      assert.deepStrictEqual(rules(decision({ mfaSteps: [step, step, step, step] })), [])
      assert.deepStrictEqual(rules(decision({ mfaSteps: [step, step, step, step, step] })), [
        "authentication undefined TooManyMfaSteps"
      ])
    })

    it("factor types and options as Auth0 takes them; no email enrollment; no empty picker", () => {
      assert.deepStrictEqual(bad({ _tag: "ChallengeWith", factor: { type: "sms" }, additionalFactors: [] }), [
        "authentication ChallengeWith InvalidFactor"
      ])
      assert.deepStrictEqual(
        bad({
          _tag: "ChallengeWith",
          factor: { type: "phone", options: { preferredMethod: "fax" } },
          additionalFactors: []
        }),
        ["authentication ChallengeWith InvalidFactor"]
      )
      assert.deepStrictEqual(
        bad({ _tag: "ChallengeWith", factor: { type: "otp", options: { otpFallback: true } }, additionalFactors: [] }),
        ["authentication ChallengeWith InvalidFactor"]
      )
      assert.deepStrictEqual(bad({ _tag: "EnrollWithAny", factors: [{ type: "email" }] }), [
        "authentication EnrollWithAny InvalidFactor"
      ])
      assert.deepStrictEqual(bad({ _tag: "ChallengeWithAny", factors: [] }), [
        "authentication ChallengeWithAny InvalidFactor"
      ])
      assert.deepStrictEqual(
        bad({
          _tag: "ChallengeWith",
          factor: { type: "push-notification", options: { otpFallback: false } },
          additionalFactors: [{ type: "phone", options: { preferredMethod: "both" } }, { type: "email" }]
        }),
        []
      )
    })

    it("one primary user of at most 128 characters, and never with metadata writes", () => {
      assert.deepStrictEqual(rules(decision({ primaryUsers: ["auth0|a"] })), [])
      assert.deepStrictEqual(rules(decision({ primaryUsers: ["auth0|a", "auth0|b"] })), [
        "authentication setPrimaryUser ConflictingPrimaryUsers"
      ])
      assert.deepStrictEqual(rules(decision({ primaryUsers: ["x".repeat(128)] })), [])
      assert.deepStrictEqual(rules(decision({ primaryUsers: ["x".repeat(129)] })), [
        "authentication setPrimaryUser InvalidPrimaryUser"
      ])
      assert.deepStrictEqual(rules(decision({ primaryUsers: ["auth0|a"], userMetadata: { k: 1 } })), [
        "authentication setPrimaryUser PrimaryUserWithMetadata"
      ])
    })
  })

  describe("through the handler and a recording api", () => {
    it("steps are applied in rule order, then the primary user", async () => {
      const { calls } = await runRules([
        Authentication.challengeWith({ type: "phone", options: { preferredMethod: "voice" } }, {
          additionalFactors: [otp]
        }),
        Effect.all([
          Authentication.enrollWithAny([otp, { type: "webauthn-platform" }]),
          Authentication.setPrimaryUser("auth0|main")
        ])
      ])
      assert.deepStrictEqual(calls, [
        {
          method: "authentication.challengeWith",
          args: [{ type: "phone", options: { preferredMethod: "voice" } }, { additionalFactors: [{ type: "otp" }] }]
        },
        { method: "authentication.enrollWithAny", args: [[{ type: "otp" }, { type: "webauthn-platform" }]] },
        { method: "authentication.setPrimaryUser", args: ["auth0|main"] }
      ])
    })

    it("a challenge overrides requireMfa: multifactor.enable is not called; an enrollment does not", async () => {
      const challenged = await runRules([Decision.requireMfa("guardian"), Authentication.challengeWithAny([otp])])
      assert.deepStrictEqual(challenged.calls.map((c) => c.method), ["authentication.challengeWithAny"])
      const enrolled = await runRules([Decision.requireMfa("guardian"), Authentication.enrollWith(otp)])
      assert.deepStrictEqual(enrolled.calls.map((c) => c.method), ["multifactor.enable", "authentication.enrollWith"])
    })

    it("two rules with different primary users: denied with the generic reason before any call, and logged", async () => {
      const { calls, lines } = await runRules([
        Effect.andThen(Decision.setIdTokenClaim("https://example.com/a", 1), Authentication.setPrimaryUser("auth0|a")),
        Authentication.setPrimaryUser("auth0|b")
      ])
      assert.deepStrictEqual(calls, [{ method: "access.deny", args: [genericMessage] }])
      assert.strictEqual(lines.length, 1)
      assert.match(lines[0]!, /authentication "setPrimaryUser": ConflictingPrimaryUsers/)
    })

    it("a fifth step denies before any call", async () => {
      const { calls } = await runRules([
        Effect.all(
          (["otp", "email", "recovery-code"] as const).map((type) => Authentication.challengeWith({ type }))
        ),
        Effect.all([Authentication.enrollWith({ type: "recovery-code" }), Authentication.enrollWith(otp)])
      ])
      assert.deepStrictEqual(calls, [{ method: "access.deny", args: [genericMessage] }])
    })

    it("a primary user with a metadata write from another rule denies: Auth0 would drop the write", async () => {
      const { calls, lines } = await runRules([
        Authentication.setPrimaryUser("auth0|a"),
        Decision.persistAppMetadata("plan", "pro")
      ])
      assert.deepStrictEqual(calls, [{ method: "access.deny", args: [genericMessage] }])
      assert.match(lines[0]!, /PrimaryUserWithMetadata/)
    })

    it("an api without authentication: denied before any call", async () => {
      const api = apiWithout("authentication")
      const { calls, lines } = await runRules([
        Decision.setIdTokenClaim("https://example.com/a", 1),
        Authentication.challengeWithAny([otp])
      ], { api })
      assert.deepStrictEqual(calls, [{ method: "access.deny", args: [genericMessage] }])
      assert.match(lines[0]!, /authentication: MissingApi/)
    })

    it("an MFA step in a login with no browser (a back-channel grant, prompt=none) denies before any call", async () => {
      for (
        const protocol of [
          "oauth2-refresh-token",
          "oauth2-password",
          "oauth2-resource-owner",
          "oauth2-token-exchange",
          "oidc-ciba",
          "oauth2-webauthn"
        ]
      ) {
        for (const step of [Authentication.challengeWith(otp), Authentication.enrollWithAny([otp])]) {
          // oxlint-disable-next-line no-await-in-loop
          const { calls, lines } = await runRules([Decision.setIdTokenClaim("https://example.com/a", 1), step], {
            event: event({ protocol })
          })
          assert.deepStrictEqual(calls, [{ method: "access.deny", args: [genericMessage] }], protocol)
          assert.match(lines[0]!, new RegExp(`authentication "${protocol}": NotInteractive`))
        }
      }
      const silent = await runRules([Authentication.challengeWith(otp)], {
        event: event({ protocol: "oidc-basic-profile" }, { prompt: "none" })
      })
      assert.deepStrictEqual(silent.calls, [{ method: "access.deny", args: [genericMessage] }])
      assert.match(silent.lines[0]!, /authentication "prompt=none": NotInteractive/)
      // An interactive login, and a back-channel one without MFA steps, go through.
      const interactive = await runRules([Authentication.challengeWith(otp)], {
        event: event({ protocol: "oidc-basic-profile" }, { prompt: "login" })
      })
      assert.deepStrictEqual(interactive.calls.map((c) => c.method), ["authentication.challengeWith"])
      const refresh = await runRules([Authentication.setPrimaryUser("auth0|a")], {
        event: event({ protocol: "oauth2-refresh-token" })
      })
      assert.deepStrictEqual(refresh.calls.map((c) => c.method), ["authentication.setPrimaryUser"])
    })
  })
})
