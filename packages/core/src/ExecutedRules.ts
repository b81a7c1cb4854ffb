/**
 * Which legacy Auth0 Rules already ran in this transaction (Auth0's `api.rules.wasExecuted`), for tenants that run a
 * Rule and its converted rulefx rule side by side while migrating: the converted rule skips what its Rule already did.
 *
 * The adapter provides it per login from Auth0's `api`, as it provides the Cache. Where the platform cannot tell
 * (no `api.rules`, or a call that throws), every answer is `false`: the converted rule then runs, which is the safe
 * side, since a Rule that denied would have ended the login before any Action ran.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"

/**
 * The service. `wasExecuted` answers for a Rule id (`rul_...`).
 *
 * **Example** (Skip the converted rule while its Rule is still on)
 *
 * ```ts
 * import * as ExecutedRules from "@rulefx/core/ExecutedRules"
 * import * as Rule from "@rulefx/core/Rule"
 * import * as Effect from "effect/Effect"
 *
 * declare const addRolesClaim: Effect.Effect<void>
 *
 * const rule = Rule.make(
 *   "add-roles",
 *   Effect.gen(function*() {
 *     if (yield* ExecutedRules.wasExecuted("rul_8fE2kqcD")) return
 *     yield* addRolesClaim
 *   })
 * )
 * ```
 *
 * @category services
 * @since 0.1.0
 */
export class ExecutedRules extends Context.Service<ExecutedRules, {
  readonly wasExecuted: (ruleId: string) => Effect.Effect<boolean>
}>()("@rulefx/core/ExecutedRules") {}

/**
 * Makes the service from a synchronous predicate; a predicate that throws, or answers anything but `true`, means
 * `false`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (wasExecuted: (ruleId: string) => unknown): ExecutedRules["Service"] =>
  ExecutedRules.of({
    // Plain try/catch rather than Effect.try: this and Auth0Cache were what kept Effect.try (180 bytes) in an Action.
    wasExecuted: (ruleId) =>
      Effect.sync(() => {
        try {
          return wasExecuted(ruleId) === true
        } catch {
          return false
        }
      })
  })

/**
 * The service where no Rule ever ran (tests, and platforms without Rules).
 *
 * @category constructors
 * @since 0.1.0
 */
export const none: ExecutedRules["Service"] = /* @__PURE__ */ make(() => false)

/**
 * Tells whether the Rule `ruleId` already ran in this transaction.
 *
 * @category getters
 * @since 0.1.0
 */
export const wasExecuted = (ruleId: string): Effect.Effect<boolean, never, ExecutedRules> =>
  Effect.flatMap(ExecutedRules, (service) => service.wasExecuted(ruleId))
