/**
 * `context.accessToken.scope`: under Rules, what a rule left there (an array of scopes, or one space-separated string)
 * replaced the access token's scopes. The converted rule keeps the value in a local of its own (`accessTokenScope`),
 * read and written as the legacy code does (assigned, pushed onto, filtered: the same JavaScript on the same value, so
 * whatever the rule does to it is exact), and when the rule ends without denying, turns what it left into decisions as
 * the legacy layer does: each scope left that was not requested is added, each requested one not left is removed
 * (Actions has no "replace all"; `event.transaction.requested_scopes` is what both diff against). A value that is
 * neither a list nor a string changes nothing, as under the legacy layer.
 */
import type { Scope } from "./scope.ts"
import { fresh } from "./scope.ts"

const requested = "login.transaction.requestedScopes"

/** Whether a chain of `context` keys names `context.accessToken.scope` (or something below it). */
export const names = (keys: ReadonlyArray<string | undefined>): boolean =>
  keys[0] === "accessToken" && keys[1] === "scope"

/** Why a use of the scopes on a line that reads the settings `names` is left to the user. */
export const holdsSecrets = (names: string): string =>
  `puts ${names} into the access token's scopes (a secret issued in the token)`

/** The local standing for `context.accessToken.scope`, made on first use (with the requested scopes read). */
export const localOf = (scope: Scope): string => {
  if (scope.accessTokenScope.local !== undefined) return scope.accessTokenScope.local
  const local = fresh(scope, "accessTokenScope")
  scope.accessTokenScope.local = local
  if (!scope.reads.has(requested)) {
    scope.reads.set(requested, {
      expression: requested,
      local: fresh(scope, "requestedScopes"),
      type: "ReadonlyArray<string>",
      record: false
    })
  }
  scope.uses.add("Decision")
  return local
}

/** The declaration before the rule's statements, or nothing when the rule never uses the scope. */
export const declaration = (scope: Scope): ReadonlyArray<string> =>
  scope.accessTokenScope.local === undefined ? [] : [
    "// What the rule leaves in Rules' context.accessToken.scope (nothing until it sets it, as under Rules).",
    `let ${scope.accessTokenScope.local}: any = undefined`
  ]

/** The statements after the rule's own, which turn what it left into scope decisions; nothing when it never used it. */
export const apply = (scope: Scope): ReadonlyArray<string> => {
  const local = scope.accessTokenScope.local
  const requestedLocal = scope.reads.get(requested)?.local
  if (local === undefined || requestedLocal === undefined) return []
  const left = fresh(scope, "scopesLeft")
  return [
    "// Rules replaced the token's scopes with what the rule left: add what was not requested, remove what is gone.",
    `const ${left}: ReadonlyArray<string> | undefined = Array.isArray(${local})`,
    `  ? ${local}.filter((s: unknown): s is string => typeof s === "string")`,
    `  : typeof ${local} === "string"`,
    `  ? ${local}.split(" ").filter((s: string) => s.length > 0)`,
    "  : undefined",
    `if (${left} !== undefined) {`,
    `  for (const s of ${left}) if (!${requestedLocal}.includes(s)) yield* Decision.addScope(s)`,
    `  for (const s of ${requestedLocal}) if (!${left}.includes(s)) yield* Decision.removeScope(s)`,
    "}"
  ]
}
