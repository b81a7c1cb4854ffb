/**
 * Plan: the customer's plan, read from `app_metadata.plan` ("free" when the user has none).
 *
 * A fact: a typed value computed once per login, shared by every rule that reads it (`yield* Plan`), never written
 * back to the profile. A rule that reads it puts `Plan` in its requirements, so a pipeline that does not declare it
 * in `facts` does not compile.
 */
import * as Decode from "@rulefx/core/Decode"
import * as Fact from "@rulefx/core/Fact"
import { Login } from "@rulefx/core/Login"
import * as Effect from "effect/Effect"
import * as v from "valibot"

/** The plans, from the lowest to the highest. */
export const plans = ["free", "pro", "enterprise"] as const

/** A plan's name. */
export type PlanName = (typeof plans)[number]

/** Whether `plan` is at least `required`. */
export const includes = (plan: PlanName, required: PlanName): boolean => plans.indexOf(plan) >= plans.indexOf(required)

// app_metadata is untrusted data: a plan that is not one of ours is an InvalidData denial (the user sees a generic
// reason, the log names the field), never a silent "free".
const decodePlan = Decode.decode(v.optional(v.picklist(plans), "free"), "app_metadata.plan")

/** The fact. */
export const Plan = Fact.make(
  "Plan",
  Effect.gen(function*() {
    const login = yield* Login
    return yield* decodePlan(login.user.appMetadata["plan"])
  })
)
