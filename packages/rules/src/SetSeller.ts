/**
 * SetSeller: puts the current seller (`{id, email, name}`, nothing more) in an ID-token claim.
 *
 * Users who are not sellers get no claim.
 *
 * @since 0.1.0
 */
import * as Decision from "@rulefx/core/Decision"
import * as Decode from "@rulefx/core/Decode"
import * as Rule from "@rulefx/core/Rule"
import * as v from "@rulefx/core/Validator"
import * as Effect from "effect/Effect"
import { CurrentSeller } from "./CurrentSeller.ts"
import { claimOption } from "./internal/claimOption.ts"

const Options = v.object({
  claim: claimOption("https://example.com/seller")
})

/**
 * Options: `claim`, the claim name (default `https://example.com/seller`): a URL that is neither a restricted
 * claim name nor on the token issuer's namespace (see core's ClaimName), or the options are InvalidData.
 *
 * @category models
 * @since 0.1.0
 */
export type Options = v.InferInput<typeof Options>

const decodeOptions = Decode.decodeOnce(Options, "SetSeller options")

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
    "setSeller",
    Effect.gen(function*() {
      const { claim } = yield* decoded
      const seller = yield* CurrentSeller
      if (seller._tag === "None") return
      const { id, email, name } = seller.value
      yield* Decision.setIdTokenClaim(claim, { id, email, name })
    })
  )
}
