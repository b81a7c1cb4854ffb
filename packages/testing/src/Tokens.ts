/**
 * Tokens: HS256 JSON Web Tokens, signed and verified with Node's crypto, as Auth0's `api.redirect.encodeToken` and
 * `validateToken` handle them and as a page the login was redirected to signs its answer. For the recording api and
 * for tests that play the page; never in an Action.
 *
 * @since 0.1.0
 */
import { createHmac, timingSafeEqual } from "node:crypto"

const base64url = (data: string | Buffer): string => Buffer.from(data).toString("base64url")

const signature = (secret: string, signingInput: string): string =>
  createHmac("sha256", secret).update(signingInput, "utf8").digest("base64url")

/**
 * Signs `claims` with `secret` (HS256).
 *
 * @category constructors
 * @since 0.1.0
 */
export const sign = (secret: string, claims: Readonly<Record<string, unknown>>): string => {
  const input = `${base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${base64url(JSON.stringify(claims))}`
  return `${input}.${signature(secret, input)}`
}

/**
 * Why a token was refused.
 *
 * @category models
 * @since 0.1.0
 */
export type Problem = "Malformed" | "WrongAlgorithm" | "BadSignature" | "Expired" | "WrongState"

/**
 * A token refused by `verify`. The message names the problem, never the token or the secret.
 *
 * @category errors
 * @since 0.1.0
 */
export class TokenError extends Error {
  /**
   * Why the token was refused.
   *
   * @since 0.1.0
   */
  readonly problem: Problem
  constructor(problem: Problem) {
    super(`Invalid session token: ${problem}`)
    this.name = "TokenError"
    this.problem = problem
  }
}

/**
 * The claims of a token, without verifying it.
 *
 * @category getters
 * @since 0.1.0
 */
export const decode = (token: string): Record<string, unknown> => {
  const parts = token.split(".")
  if (parts.length !== 3) throw new TokenError("Malformed")
  try {
    const claims = JSON.parse(Buffer.from(parts[1] ?? "", "base64url").toString("utf8")) as unknown
    if (typeof claims !== "object" || claims === null || Array.isArray(claims)) throw new TokenError("Malformed")
    return claims as Record<string, unknown>
  } catch {
    throw new TokenError("Malformed")
  }
}

/**
 * Verifies a token as Auth0's `validateToken` does: HS256 with `secret`, `exp` after `now` (seconds), and, when
 * `state` is given, a `state` claim equal to it. Returns the claims; throws a TokenError otherwise.
 *
 * @category getters
 * @since 0.1.0
 */
export const verify = (
  token: string,
  options: { readonly secret: string; readonly nowSeconds: number; readonly state?: string }
): Record<string, unknown> => {
  const claims = decode(token)
  const [header = "", payload = "", sig = ""] = token.split(".")
  let alg: unknown
  try {
    alg = (JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as { alg?: unknown }).alg
  } catch {
    throw new TokenError("Malformed")
  }
  if (alg !== "HS256") throw new TokenError("WrongAlgorithm")
  const expected = Buffer.from(signature(options.secret, `${header}.${payload}`))
  const given = Buffer.from(sig)
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new TokenError("BadSignature")
  if (typeof claims["exp"] !== "number" || claims["exp"] <= options.nowSeconds) throw new TokenError("Expired")
  if (options.state !== undefined && claims["state"] !== options.state) throw new TokenError("WrongState")
  return claims
}
