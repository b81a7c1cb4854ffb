import { assert, describe, it } from "@effect/vitest"
import * as Tokens from "@rulefx/testing/Tokens"
import { createHmac } from "node:crypto"

const now = 1_800_000_000

const problemOf = (f: () => unknown): string => {
  try {
    f()
  } catch (error) {
    assert.instanceOf(error, Tokens.TokenError)
    return (error as Tokens.TokenError).problem
  }
  return "none"
}

describe("Tokens", () => {
  it("signs an HS256 JWT that an independent HMAC agrees with, and verifies it", () => {
    const token = Tokens.sign("k", { sub: "auth0|ada", exp: now + 60, state: "s1" })
    const [header, payload, signature] = token.split(".")
    assert.deepStrictEqual(JSON.parse(Buffer.from(header!, "base64url").toString()), { alg: "HS256", typ: "JWT" })
    assert.strictEqual(signature, createHmac("sha256", "k").update(`${header}.${payload}`).digest("base64url"))
    assert.deepStrictEqual(Tokens.verify(token, { secret: "k", nowSeconds: now, state: "s1" }), {
      sub: "auth0|ada",
      exp: now + 60,
      state: "s1"
    })
  })

  it("refuses a wrong secret, an expired token, another state, another algorithm and garbage", () => {
    const token = Tokens.sign("k", { exp: now + 60, state: "s1" })
    assert.strictEqual(problemOf(() => Tokens.verify(token, { secret: "other", nowSeconds: now })), "BadSignature")
    assert.strictEqual(problemOf(() => Tokens.verify(token, { secret: "k", nowSeconds: now + 60 })), "Expired")
    assert.strictEqual(
      problemOf(() => Tokens.verify(token, { secret: "k", nowSeconds: now, state: "s2" })),
      "WrongState"
    )
    const none = `${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${token.split(".")[1]}.`
    assert.strictEqual(problemOf(() => Tokens.verify(none, { secret: "k", nowSeconds: now })), "WrongAlgorithm")
    assert.strictEqual(problemOf(() => Tokens.verify("not.a-token", { secret: "k", nowSeconds: now })), "Malformed")
    const noExp = Tokens.sign("k", { state: "s1" })
    assert.strictEqual(problemOf(() => Tokens.verify(noExp, { secret: "k", nowSeconds: now })), "Expired")
  })

  it("a refusal's message names the problem, never the token or the secret", () => {
    const token = Tokens.sign("top-secret", { exp: 1 })
    try {
      Tokens.verify(token, { secret: "top-secret", nowSeconds: now })
      assert.fail("expected a TokenError")
    } catch (error) {
      const message = (error as Error).message
      assert.notInclude(message, "top-secret")
      assert.notInclude(message, token.split(".")[1]!)
    }
  })
})
