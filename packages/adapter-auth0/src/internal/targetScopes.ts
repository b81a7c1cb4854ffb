// The early-access target scope calls (`api.transaction.*TargetScope(s)`), shared by credentials-exchange and
// post-login (Auth0TargetScopes): what Auth0 would throw on, whether the api has the calls, and the calls in order.
import type * as Decision from "@rulefx/core/Decision"
import type { Target, Violation } from "../Auth0Limits.ts"
import { isValidScope, type TargetScopesApi } from "../PostLoginApi.ts"

const scopesOf = (change: Decision.TargetScopeChange): ReadonlyArray<string> =>
  change._tag === "Set" ? change.scopes : change._tag === "Clear" ? [] : [change.scope]

// A scope that is not a string of the characters a scope may hold (no spaces, no quotes, no backslashes).
export const check = (
  changes: ReadonlyArray<Decision.TargetScopeChange>,
  target: Target
): ReadonlyArray<Violation> =>
  changes.flatMap((change) =>
    scopesOf(change).filter((scope) => typeof scope !== "string" || !isValidScope(scope)).map((scope) => ({
      target,
      name: String(scope),
      rule: "InvalidScope" as const,
      bytes: undefined
    }))
  )

const calls = ["addTargetScope", "removeTargetScope", "setTargetScopes", "clearTargetScopes"] as const

// An `api.transaction` without the four calls: a tenant without the feature, or a stand-in.
export const lacks = (transaction: unknown): boolean =>
  typeof transaction !== "object" || transaction === null ||
  calls.some((call) => typeof (transaction as Record<string, unknown>)[call] !== "function")

// The calls, in rule order. Only for checked changes and a transaction that has the calls.
export const apply = (changes: ReadonlyArray<Decision.TargetScopeChange>, transaction: TargetScopesApi): void => {
  for (const change of changes) {
    if (change._tag === "Add") transaction.addTargetScope(change.scope)
    else if (change._tag === "Remove") transaction.removeTargetScope(change.scope)
    else if (change._tag === "Set") transaction.setTargetScopes([...change.scopes])
    else transaction.clearTargetScopes()
  }
}
