/**
 * The seed scenario half-way through a migration from Rules: three of the forum user's legacy Rules still run
 * unchanged (legacy-rules/, emitted into src/legacy-rules.cjs by `pnpm emit-legacy`, which leaves denyRoles out),
 * and denyRoles is now a typed rule. It reads what the legacy rules left in `user`, through their fact, exactly as
 * the legacy denyRoles did, so the Action decides what the all-legacy Action decided:
 * test/LegacyDifferential.test.ts runs the same generated logins through both and compares every api call.
 *
 * The next step converts setRoles (to the catalog's SetRoles and EffectiveRoles), and so on, until src/action.ts.
 */
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Denial from "@rulefx/core/Denial"
import { Login } from "@rulefx/core/Login"
import * as Pipeline from "@rulefx/core/Pipeline"
import * as Rule from "@rulefx/core/Rule"
import * as LegacyAction from "@rulefx/legacy-rules/LegacyAction"
import * as LegacyRules from "@rulefx/legacy-rules/LegacyRules"
import { AllowedRolesMissing, RoleNotAllowed } from "@rulefx/rules/DenyRoles"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { modules, rules } from "./legacy-rules.cjs"

/** setSeller, hashSellerEmail and setRoles, as they ran under Rules. */
export const legacy = LegacyRules.make(rules, { modules })

/** The legacy setSeller could not fetch the seller (it logged why). */
export class SellerLookupFailed extends Denial.Class("SellerLookupFailed")<{}> {
  override get message(): string {
    return Denial.genericMessage
  }
}

const isStringList = (u: unknown): u is ReadonlyArray<string> =>
  Array.isArray(u) && u.every((role) => typeof role === "string")

/** The legacy denyRoles, converted: the same checks in the same order, on the `user` the legacy rules left. */
export const denyRoles = Rule.make(
  "denyRoles",
  Effect.gen(function*() {
    const { user } = yield* legacy.State
    const login = yield* Login
    const allowed = (login.client.metadata["allowed_roles"] ?? "").split(",").map((role) => role.trim()).filter((
      role
    ) => role.length > 0)
    if (allowed.length === 0) return yield* new AllowedRolesMissing({ key: "allowed_roles" })
    // Set by the legacy setRoles, for this login only.
    const roles = isStringList(user["effective_roles"]) ? user["effective_roles"] : []
    if (!roles.some((role) => allowed.includes(role))) return yield* new RoleNotAllowed()
    // The legacy setSeller could not fetch the seller: denied after the role check, as before.
    if (user["seller_lookup_failed"] === true) return yield* new SellerLookupFailed()
  })
)

export const pipeline = Pipeline.make({ facts: [legacy.State], rules: [legacy.rule, denyRoles] })

// The migrated Action's deadline (10 s), not PostLogin's 5 s: the legacy rules still make their own calls.
export const onExecutePostLogin = PostLogin.make(pipeline, Layer.empty, { deadline: LegacyAction.defaultDeadline })
