/**
 * SetPlanClaim: puts the user's plan in the ID token, as the claim `https://example.com/plan`.
 */
import * as Decision from "@rulefx/core/Decision"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"
import { Plan } from "../Plan.ts"

/** The claim's name: a URL of yours, so that it cannot clash with Auth0's own claims. */
export const claim = "https://example.com/plan"

/** The rule. */
export const make = () =>
  Rule.make(
    "setPlanClaim",
    Effect.gen(function*() {
      yield* Decision.setIdTokenClaim(claim, yield* Plan)
    })
  )
