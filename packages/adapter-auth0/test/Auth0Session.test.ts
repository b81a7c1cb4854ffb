import { assert, describe, it } from "@effect/vitest"
import * as Auth0Session from "@rulefx/adapter-auth0/Auth0Session"
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Decision from "@rulefx/core/Decision"
import { genericMessage } from "@rulefx/core/Denial"
import * as ExecutedRules from "@rulefx/core/ExecutedRules"
import * as Pipeline from "@rulefx/core/Pipeline"
import * as RefreshToken from "@rulefx/core/RefreshToken"
import * as Rule from "@rulefx/core/Rule"
import * as Session from "@rulefx/core/Session"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { minimalEvent } from "./utils/Events.ts"
import { apiWithout, checked, runRules } from "./utils/Surface.ts"

const changes = (c: Partial<Session.Changes>): Session.Changes => ({ evictMetadata: false, metadata: {}, ...c })
const rules = (d: Partial<Decision.Decision>) =>
  checked(Auth0Session.kind, { ...Decision.empty(), ...d }).map((v) => `${v.target} ${v.name} ${v.rule}`)

const refreshEvent = () => ({
  ...minimalEvent(),
  transaction: { protocol: "oauth2-refresh-token", requested_scopes: [] }
})

const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]))

describe("Auth0Session", () => {
  describe("check", () => {
    it("expiries are whole positive milliseconds; the cookie mode is one of two, and for sessions only", () => {
      assert.deepStrictEqual(
        rules({ session: changes({ expiresAt: 1_800_000_000_000, cookieMode: "persistent" }) }),
        []
      )
      assert.deepStrictEqual(
        rules({
          session: changes({ expiresAt: 1.5, idleExpiresAt: -1, cookieMode: "forever" as never }),
          refreshToken: changes({ expiresAt: Number.NaN, cookieMode: "persistent" })
        }),
        [
          "session expiresAt InvalidExpiry",
          "session idleExpiresAt InvalidExpiry",
          "session cookieMode InvalidSetting",
          "refreshToken expiresAt InvalidExpiry",
          "refreshToken cookieMode InvalidSetting"
        ]
      )
    })

    it("metadata: at most 25 keys, keys and values of at most 255 characters, strings or null", () => {
      assert.deepStrictEqual(rules({ session: changes({ metadata: keys(25) }) }), [])
      assert.deepStrictEqual(rules({ session: changes({ metadata: keys(26) }) }), [
        "session undefined TooManyMetadataKeys"
      ])
      assert.deepStrictEqual(
        rules({
          refreshToken: changes({
            metadata: {
              ["k".repeat(256)]: "v",
              long: "v".repeat(256),
              num: 1 as never,
              gone: null,
              ok: "v".repeat(255)
            }
          })
        }).map((r) => r.replace(/k{256}/, "k*256")),
        [
          "refreshToken k*256 InvalidKeyName",
          "refreshToken long MetadataTooLarge",
          "refreshToken num InvalidSetting"
        ]
      )
    })
  })

  describe("through the handler and a recording api", () => {
    it("applies expiries (the earliest of two rules), cookie mode, eviction and metadata, session then refresh token", async () => {
      const { calls } = await runRules([
        Effect.all([
          Session.setExpiresAt(2_000_000_000_000),
          Session.setCookieMode("persistent"),
          Session.setMetadata("a", "1"),
          RefreshToken.setIdleExpiresAt(1_900_000_000_000)
        ]),
        Effect.all([
          Session.setExpiresAt(1_700_000_000_000),
          Session.setCookieMode("non-persistent"),
          Session.evictMetadata,
          Session.setMetadata("b", "2"),
          Session.deleteMetadata("c"),
          RefreshToken.setIdleExpiresAt(1_950_000_000_000),
          RefreshToken.setMetadata("device", "phone")
        ])
      ])
      assert.deepStrictEqual(calls, [
        { method: "session.setExpiresAt", args: [1_700_000_000_000] },
        { method: "session.setCookieMode", args: ["non-persistent"] },
        { method: "session.evictMetadata", args: [] },
        { method: "session.setMetadata", args: ["b", "2"] },
        { method: "session.deleteMetadata", args: ["c"] },
        { method: "refreshToken.setIdleExpiresAt", args: [1_900_000_000_000] },
        { method: "refreshToken.setMetadata", args: ["device", "phone"] }
      ])
    })

    it("Session.revoke: the login is denied with the reason, then the session revoked; nothing else is applied", async () => {
      const { calls } = await runRules([
        Decision.setIdTokenClaim("https://example.com/a", 1),
        Session.revoke("Your session has ended.", { preserveRefreshTokens: true })
      ])
      assert.deepStrictEqual(calls, [
        { method: "access.deny", args: ["Your session has ended."] },
        { method: "session.revoke", args: ["Your session has ended.", { preserveRefreshTokens: true }] }
      ])
    })

    it("RefreshToken.revoke: revoked in a refresh-token exchange; elsewhere only denied", async () => {
      const inFlow = await runRules([RefreshToken.revoke("Token reuse.")], { event: refreshEvent() })
      assert.deepStrictEqual(inFlow.calls, [
        { method: "access.deny", args: ["Token reuse."] },
        { method: "refreshToken.revoke", args: ["Token reuse."] }
      ])
      const elsewhere = await runRules([RefreshToken.revoke("Token reuse.")])
      assert.deepStrictEqual(elsewhere.calls, [{ method: "access.deny", args: ["Token reuse."] }])
    })

    it("a revoke in a handler not given Auth0Session.kind: denied, not revoked, and the log names the kind", async () => {
      const { calls, lines } = await runRules([Session.revoke("Ended.")], { kinds: [] })
      assert.deepStrictEqual(calls, [{ method: "access.deny", args: ["Ended."] }])
      assert.isTrue(
        lines.some((line) =>
          /ERROR .*login denied, but not as the denial asked: session "pass Auth0Session.kind to PostLogin.make": KindNotEnabled/
            .test(line)
        )
      )
    })

    it("an api without session: a revoke still denies (and logs it was not revoked); changes deny before any call", async () => {
      const revoked = await runRules([Session.revoke("Ended.")], { api: apiWithout("session") })
      assert.deepStrictEqual(revoked.calls, [{ method: "access.deny", args: ["Ended."] }])
      assert.isTrue(
        revoked.lines.some((line) => /ERROR .*login denied, but not revoked: session: MissingApi/.test(line))
      )
      const changed = await runRules([Session.setCookieMode("persistent")], { api: apiWithout("session") })
      assert.deepStrictEqual(changed.calls, [{ method: "access.deny", args: [genericMessage] }])
    })

    it("a session.revoke that throws leaves the login denied", async () => {
      const api = RecordingApi.make()
      const throwing = {
        ...api,
        session: {
          ...api.session,
          revoke: () => {
            throw new Error("not on this plan")
          }
        }
      }
      const { calls } = await runRules([Session.revoke("Ended.")], { api: throwing })
      assert.deepStrictEqual(calls.map((c) => c.method), ["access.deny", "access.deny"])
    })
  })

  describe("ExecutedRules, from api.rules per login", () => {
    const rule = Effect.gen(function*() {
      if (yield* ExecutedRules.wasExecuted("rul_abc")) return
      yield* Decision.setIdTokenClaim("https://example.com/converted", true)
    })

    it("a rule skips what its Rule already did in this transaction", async () => {
      const ran = await runRules([rule], { api: RecordingApi.make({ executedRules: ["rul_abc"] }) })
      assert.deepStrictEqual(ran.calls, [])
      const notRan = await runRules([rule], { api: RecordingApi.make({ executedRules: ["rul_other"] }) })
      assert.deepStrictEqual(notRan.calls, [
        { method: "idToken.setCustomClaim", args: ["https://example.com/converted", true] }
      ])
    })

    it("without api.rules (PostLogin.decide alone), or when it throws, no Rule ran: the converted rule runs", async () => {
      const pipeline = Pipeline.make({ facts: [], rules: [Rule.make("converted", rule)] })
      const outcome = await PostLogin.decide(pipeline, Layer.empty)(minimalEvent())
      assert.deepStrictEqual(
        outcome._tag === "Allowed" ? { ...outcome.decision.idTokenClaims } : outcome,
        { "https://example.com/converted": true }
      )
      const api = RecordingApi.make()
      const throwing = {
        ...api,
        rules: {
          wasExecuted: () => {
            throw new Error("no Rules on this tenant")
          }
        }
      }
      const { calls } = await runRules([rule], { api: throwing })
      assert.deepStrictEqual(calls.map((c) => c.method), ["idToken.setCustomClaim"])
    })
  })
})
