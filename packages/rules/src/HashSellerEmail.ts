/**
 * HashSellerEmail: puts the hex HMAC-SHA256 of the seller's email, keyed by a secret (Intercom's identity
 * verification), in an ID-token claim.
 *
 * The secret is read on every login, seller or not, so a missing secret denies at once rather than only for
 * sellers, where it would go unnoticed longest.
 *
 * @since 0.1.0
 */
import * as Decision from "@rulefx/core/Decision"
import * as Decode from "@rulefx/core/Decode"
import * as Rule from "@rulefx/core/Rule"
import * as Secrets from "@rulefx/core/Secrets"
import * as v from "@rulefx/core/Validator"
import * as Effect from "effect/Effect"
import { Crypto } from "./Crypto.ts"
import { CurrentSeller } from "./CurrentSeller.ts"
import { claimOption } from "./internal/claimOption.ts"

const Options = v.object({
  claim: claimOption("https://example.com/seller_email_hash"),
  secret: v.optional(v.pipe(v.string(), v.minLength(1)), "INTERCOM_SECRET")
})

/**
 * Options: `claim` (default `https://example.com/seller_email_hash`; a URL that is neither a restricted claim name
 * nor on the token issuer's namespace, see core's ClaimName) and `secret`, the name of the secret holding the key
 * (default `INTERCOM_SECRET`).
 *
 * @category models
 * @since 0.1.0
 */
export type Options = v.InferInput<typeof Options>

const decodeOptions = Decode.decodeOnce(Options, "HashSellerEmail options")

/**
 * The rule.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: Options = {}) => {
  // Decoded once, on the first login (not at load): bad options are an InvalidData denial on every login.
  const decoded = decodeOptions(options)
  return Rule.make(
    "hashSellerEmail",
    Effect.gen(function*() {
      const { claim, secret } = yield* decoded
      const key = yield* Secrets.get(secret)
      const seller = yield* CurrentSeller
      if (seller._tag === "None") return
      const crypto = yield* Crypto
      yield* Decision.setIdTokenClaim(claim, yield* crypto.hmacSha256Hex(key, seller.value.email))
    })
  )
}
