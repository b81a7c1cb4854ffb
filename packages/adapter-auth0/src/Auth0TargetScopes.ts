/**
 * Auth0TargetScopes: checks a Decision's early-access target scope changes (core's TargetScopes) and applies them
 * through `api.transaction.addTargetScope`, `removeTargetScope`, `setTargetScopes` and `clearTargetScopes`, in rule
 * order, in either pass of a login.
 *
 * Checked before any `api` call: every scope a change names is a string of the characters a scope may hold (no
 * spaces, no quotes, no backslashes: Auth0 throws on them), and `api.transaction` has the four calls (a tenant
 * without the feature lacks them). Applied with the other kinds, in the order they were given to `PostLogin.make`:
 * after the access-token scopes, the MFA, the plain redirect and the claims, before the metadata. Auth0 filters the
 * final set through the authorization policies after every Action has run; `api.accessToken.addScope` and
 * `removeScope` (Decision.addScope) are separate and bypass them.
 *
 * @since 0.1.0
 */
import type * as Decision from "@rulefx/core/Decision"
import type { Violation } from "./Auth0Limits.ts"
import type { DecisionKind } from "./DecisionKind.ts"
import * as TargetScopeCalls from "./internal/targetScopes.ts"
import type { PostLoginApi, TargetScopesApi } from "./PostLoginApi.ts"

/**
 * Adds to `out` the scopes of the Decision's target scope changes that Auth0 would throw on.
 *
 * @category getters
 * @since 0.1.0
 */
export const check = (d: Decision.Decision, out: Array<Violation>): void => {
  out.push(...TargetScopeCalls.check(d.targetScopes ?? [], "targetScopes"))
}

/**
 * Tells whether the Decision changes the target scopes and `api.transaction` lacks one of the four calls.
 *
 * @category guards
 * @since 0.1.0
 */
export const lacksApi = (d: Decision.Decision, api: PostLoginApi): boolean =>
  (d.targetScopes ?? []).length > 0 && TargetScopeCalls.lacks(api.transaction)

/**
 * Makes the calls, in rule order. Call only with a checked Decision.
 *
 * @category constructors
 * @since 0.1.0
 */
export const apply = (d: Decision.Decision, api: PostLoginApi): void => {
  if (d.targetScopes?.length) TargetScopeCalls.apply(d.targetScopes, api.transaction as TargetScopesApi)
}

/**
 * The kind, to pass to `PostLogin.make` (`{ kinds: [Auth0TargetScopes.kind] }`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const kind: DecisionKind = { target: "targetScopes", check, lacksApi, apply }
