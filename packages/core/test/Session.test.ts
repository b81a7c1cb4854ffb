import { assert, describe, it } from "@effect/vitest"
import * as Decision from "@rulefx/core/Decision"
import { isDenial } from "@rulefx/core/Denial"
import { Login, make as makeLogin } from "@rulefx/core/Login"
import * as RefreshToken from "@rulefx/core/RefreshToken"
import * as Revocation from "@rulefx/core/Revocation"
import * as Session from "@rulefx/core/Session"
import * as Effect from "effect/Effect"

const loginWith = (protocol: string | undefined) =>
  makeLogin({ user: { id: "auth0|1" }, transaction: { protocol } } as Parameters<typeof makeLogin>[0])

describe("Session", () => {
  it.effect("the constructors record expiries, cookie mode and metadata on the session", () =>
    Effect.gen(function*() {
      const d = yield* Decision.collect(Effect.all([
        Session.setExpiresAt(2_000),
        Session.setIdleExpiresAt(1_000),
        Session.setCookieMode("non-persistent"),
        Session.setMetadata("device", "laptop"),
        Session.deleteMetadata("old")
      ]))
      assert.deepStrictEqual({ ...d.session, metadata: { ...d.session?.metadata } }, {
        expiresAt: 2_000,
        idleExpiresAt: 1_000,
        cookieMode: "non-persistent",
        evictMetadata: false,
        metadata: { device: "laptop", old: null }
      })
      assert.isUndefined(d.refreshToken)
    }))

  it.effect("two rules that disagree: the earliest expiry wins, the later cookie mode and metadata write win", () =>
    Effect.gen(function*() {
      const first = yield* Decision.collect(Effect.all([
        Session.setExpiresAt(1_000),
        Session.setIdleExpiresAt(5_000),
        Session.setCookieMode("persistent"),
        Session.setMetadata("k", "first")
      ]))
      const second = yield* Decision.collect(Effect.all([
        Session.setExpiresAt(3_000),
        Session.setIdleExpiresAt(4_000),
        Session.setCookieMode("non-persistent"),
        Session.setMetadata("k", "second")
      ]))
      for (const order of [[first, second], [second, first]]) {
        const s = Decision.merge(order).session!
        assert.strictEqual(s.expiresAt, 1_000)
        assert.strictEqual(s.idleExpiresAt, 4_000)
      }
      const s = Decision.merge([first, second]).session!
      assert.strictEqual(s.cookieMode, "non-persistent")
      assert.deepStrictEqual({ ...s.metadata }, { k: "second" })
    }))

  it.effect("an eviction drops what earlier rules wrote and keeps what later rules write", () =>
    Effect.gen(function*() {
      const before = yield* Decision.collect(Session.setMetadata("a", "1"))
      const evict = yield* Decision.collect(Effect.andThen(Session.setMetadata("b", "2"), Session.evictMetadata))
      const after = yield* Decision.collect(Session.setMetadata("c", "3"))
      const s = Decision.merge([before, evict, after]).session!
      assert.isTrue(s.evictMetadata)
      assert.deepStrictEqual({ ...s.metadata }, { c: "3" })
    }))

  it.effect("revoke is a denial with the reason as its message, carrying the session revocation", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Session.revoke("Signed out everywhere", { preserveRefreshTokens: true }))
      assert.isTrue(isDenial(error))
      assert.strictEqual(error.message, "Signed out everywhere")
      assert.deepStrictEqual(Revocation.revocationOf(error), { target: "session", preserveRefreshTokens: true })
      const plain = yield* Effect.flip(Session.revoke("x"))
      assert.deepStrictEqual(Revocation.revocationOf(plain), { target: "session", preserveRefreshTokens: false })
    }))
})

describe("RefreshToken", () => {
  it.effect("the constructors record on the refresh token, by the session's rules", () =>
    Effect.gen(function*() {
      const a = yield* Decision.collect(Effect.all([
        RefreshToken.setExpiresAt(9_000),
        RefreshToken.setIdleExpiresAt(8_000),
        RefreshToken.setMetadata("k", "v"),
        RefreshToken.deleteMetadata("gone")
      ]))
      const b = yield* Decision.collect(Effect.all([RefreshToken.evictMetadata, RefreshToken.setExpiresAt(7_000)]))
      const r = Decision.merge([a, b]).refreshToken!
      assert.strictEqual(r.expiresAt, 7_000)
      assert.strictEqual(r.idleExpiresAt, 8_000)
      assert.isTrue(r.evictMetadata)
      assert.deepStrictEqual({ ...r.metadata }, {})
      assert.isUndefined(Decision.merge([a, b]).session)
    }))

  it.effect("revoke denies; it carries a revocation only in a refresh-token exchange", () =>
    Effect.gen(function*() {
      const inFlow = yield* Effect.flip(RefreshToken.revoke("Token reuse detected")).pipe(
        Effect.provideService(Login, loginWith("oauth2-refresh-token"))
      )
      assert.strictEqual(inFlow.message, "Token reuse detected")
      assert.deepStrictEqual(Revocation.revocationOf(inFlow), { target: "refreshToken" })
      const elsewhere = yield* Effect.flip(RefreshToken.revoke("Token reuse detected")).pipe(
        Effect.provideService(Login, loginWith("oidc-basic-profile"))
      )
      assert.isTrue(isDenial(elsewhere))
      assert.isUndefined(Revocation.revocationOf(elsewhere))
    }))
})
