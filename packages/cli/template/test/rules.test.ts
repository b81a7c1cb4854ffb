/**
 * The fact and the rules, each run with test layers: the login from @rulefx/testing's Logins, the facts a rule
 * reads with fixed values (Fact.layerValue). No Auth0, no network.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Decision from "@rulefx/core/Decision"
import { genericMessage, InvalidData } from "@rulefx/core/Denial"
import * as Fact from "@rulefx/core/Fact"
import * as Logins from "@rulefx/testing/Logins"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { pipeline } from "../src/pipeline.ts"
import { Plan, type PlanName } from "../src/Plan.ts"
import * as RequirePlan from "../src/rules/RequirePlan.ts"
import * as SetPlanClaim from "../src/rules/SetPlanClaim.ts"

const planOf = (appMetadata: Record<string, unknown>) =>
  Plan.compute.pipe(Effect.provide(Logins.layer({ user: { appMetadata } })))

const requirePlan = (plan: PlanName, metadata: Record<string, string>) =>
  RequirePlan.make().run.pipe(
    Effect.provide(Layer.mergeAll(Fact.layerValue(Plan, plan), Logins.layer({ client: { metadata } })))
  )

describe("Plan", () => {
  it.effect("the plan in app_metadata, or free when there is none", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* planOf({ plan: "pro" }), "pro")
      assert.strictEqual(yield* planOf({}), "free")
    }))

  it.effect("a plan that is not one of ours: InvalidData, whose message names nothing internal", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(planOf({ plan: "platinum" }))
      assert.instanceOf(error, InvalidData)
      assert.strictEqual(error.what, "app_metadata.plan")
      assert.strictEqual(error.message, genericMessage)
    }))
})

describe("SetPlanClaim", () => {
  it.effect("puts the plan in the ID token", () =>
    Effect.gen(function*() {
      const decision = yield* SetPlanClaim.make().run.pipe(Effect.provide(Fact.layerValue(Plan, "enterprise")))
      assert.deepStrictEqual({ ...decision.idTokenClaims }, { [SetPlanClaim.claim]: "enterprise" })
    }))
})

describe("RequirePlan", () => {
  it.effect("an application without required_plan admits every plan", () =>
    Effect.gen(function*() {
      assert.isTrue(Decision.isEmpty(yield* requirePlan("free", {})))
    }))

  it.effect("the plan required, or a higher one: allowed", () =>
    Effect.gen(function*() {
      yield* requirePlan("pro", { required_plan: "pro" })
      yield* requirePlan("enterprise", { required_plan: "pro" })
    }))

  it.effect("a lower plan: PlanTooLow, with the message the user sees", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(requirePlan("free", { required_plan: "pro" }))
      assert.instanceOf(error, RequirePlan.PlanTooLow)
      assert.strictEqual(error.required, "pro")
      assert.strictEqual(error.message, "This application needs the pro plan.")
    }))

  it.effect("a required_plan that is not a plan denies (InvalidData), rather than let everyone in", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(requirePlan("enterprise", { required_plan: "gold" }))
      assert.instanceOf(error, InvalidData)
    }))
})

describe("the pipeline", () => {
  it.effect("computes the plan once for both rules and decides the login", () =>
    Effect.gen(function*() {
      const decision = yield* pipeline.run.pipe(
        Effect.provide(
          Logins.layer({ user: { appMetadata: { plan: "pro" } }, client: { metadata: { required_plan: "pro" } } })
        )
      )
      assert.deepStrictEqual({ ...decision.idTokenClaims }, { [SetPlanClaim.claim]: "pro" })
    }))

  it.effect("a lower plan: denied, with no claim set", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        pipeline.run.pipe(Effect.provide(Logins.layer({ client: { metadata: { required_plan: "enterprise" } } })))
      )
      assert.instanceOf(error, RequirePlan.PlanTooLow)
    }))
})
