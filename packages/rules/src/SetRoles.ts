/**
 * SetRoles: puts the effective roles (app_metadata.roles, or the fallback `["USER"]`) in an access-token claim.
 *
 * The fallback goes into the token only; it is never persisted.
 *
 * @since 0.1.0
 */
import * as Decision from "@rulefx/core/Decision"
import * as Decode from "@rulefx/core/Decode"
import * as Rule from "@rulefx/core/Rule"
import * as v from "@rulefx/core/Validator"
import * as Effect from "effect/Effect"
import { EffectiveRoles } from "./EffectiveRoles.ts"
import { claimOption } from "./internal/claimOption.ts"

const Options = v.object({
  claim: claimOption("https://example.com/roles")
})

/**
 * Options: `claim`, the claim name (default `https://example.com/roles`): a URL that is neither a restricted
 * claim name nor on the token issuer's namespace (see core's ClaimName), or the options are InvalidData.
 *
 * @category models
 * @since 0.1.0
 */
export type Options = v.InferInput<typeof Options>

const decodeOptions = Decode.decodeOnce(Options, "SetRoles options")

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
    "setRoles",
    Effect.gen(function*() {
      const { claim } = yield* decoded
      yield* Decision.setAccessTokenClaim(claim, [...(yield* EffectiveRoles)])
    })
  )
}
