/**
 * The pipeline: the facts a login may compute and the rules that decide it, and the services the rules need.
 *
 * Rules run concurrently; each waits only for the facts it reads, and a fact is computed at most once per login. Its
 * type lists every way a login can be denied and every service it needs: leave a fact out of `facts`, or a service
 * out of `layer`, and `rulefx build` stops with TypeScript's error naming it.
 */
import * as Pipeline from "@rulefx/core/Pipeline"
import * as Layer from "effect/Layer"
import { Plan } from "./Plan.ts"
import * as RequirePlan from "./rules/RequirePlan.ts"
import * as SetPlanClaim from "./rules/SetPlanClaim.ts"

export const pipeline = Pipeline.make({
  facts: [Plan],
  rules: [SetPlanClaim.make(), RequirePlan.make()]
})

/**
 * The services the rules need beyond the login itself (none yet): e.g. `MyApi.layer`, or
 * `ServiceLayer.mergeAll(A.layer, B.layer)` (core's ServiceLayer, which Actions build per login without a Layer graph).
 */
export const layer = Layer.empty
