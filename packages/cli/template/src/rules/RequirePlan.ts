/**
 * RequirePlan: denies the login when the application asks for a plan the user does not have.
 *
 * The application says which plan it needs in its client metadata, `required_plan` (`free`, `pro` or `enterprise`);
 * an application without it admits everyone. A value that is not a plan denies every login: failing open would let
 * everyone in.
 */
import * as Decode from "@rulefx/core/Decode"
import * as Denial from "@rulefx/core/Denial"
import { Login } from "@rulefx/core/Login"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"
import * as v from "valibot"
import { includes, Plan, type PlanName, plans } from "../Plan.ts"

/**
 * The user's plan is below the application's. A denial: its message is what the user sees (Auth0 passes it to the
 * application as `error_description`); its fields go to the log.
 */
export class PlanTooLow extends Denial.Class("PlanTooLow")<{ readonly required: PlanName }> {
  override get message(): string {
    return `This application needs the ${this.required} plan.`
  }
}

const decodeRequired = Decode.decode(v.optional(v.picklist(plans)), "client_metadata.required_plan")

/** The rule. */
export const make = () =>
  Rule.make(
    "requirePlan",
    Effect.gen(function*() {
      const login = yield* Login
      const required = yield* decodeRequired(login.client.metadata["required_plan"])
      if (required === undefined) return
      if (!includes(yield* Plan, required)) return yield* new PlanTooLow({ required })
    })
  )
