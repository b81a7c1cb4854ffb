/**
 * TargetScopes: the early-access target scopes of a login (Auth0's post-login `api.transaction.addTargetScope`,
 * `removeTargetScope`, `setTargetScopes`, `clearTargetScopes` and `event.transaction.target_scopes`), and how the
 * changes of several rules combine, shared with CredentialsExchange's own constructors.
 *
 * The target scopes start as the scopes the login asked for; each change of an earlier Action shows in the set a
 * later one reads. After every Action has run, Auth0 filters the final set through the authorization policies (API
 * access, RBAC, consent) and silently drops what they refuse. That is the difference with Decision.addScope and
 * Decision.removeScope (`api.accessToken.addScope`), which change the access token directly and bypass the policies:
 * the two are separate, and a rule may use both. The changes are decisions, recorded in the rule's Decision and
 * applied by the adapter (Auth0TargetScopes.kind) after the claims, in rule order; the rules of this run read the set
 * as the login arrived with it (`current`).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Decision from "./Decision.ts"
import * as Denial from "./Denial.ts"
import { Login } from "./Login.ts"

/**
 * How the target scope changes of several rules combine: in rule order, each rule's changes in the order it made
 * them, so a later `set` or `clear` replaces what earlier rules added.
 *
 * @category combinators
 * @since 0.1.0
 */
export const merge: Decision.Merge = (out, d) => {
  if (d.targetScopes?.length) out.targetScopes = [...(out.targetScopes ?? []), ...d.targetScopes]
}

/**
 * Appends one change to a draft, and marks it (Decision.withKind) so that `merge` folds it in: what the post-login
 * constructors here and CredentialsExchange's are built on.
 *
 * @category constructors
 * @since 0.1.0
 */
export const push = (draft: Decision.Draft, change: Decision.TargetScopeChange): void => {
  Decision.withKind(draft, merge)
  ;(draft.targetScopes ??= []).push(change)
}

const record = (change: Decision.TargetScopeChange): Effect.Effect<void, never, Decision.Decisions> =>
  Decision.recordWith((draft) => push(draft, change))

/**
 * Adds a scope to the target scopes (`api.transaction.addTargetScope`). Auth0 drops it, silently, when the
 * authorization policies refuse it.
 *
 * @category constructors
 * @since 0.1.0
 */
export const add = (scope: string): Effect.Effect<void, never, Decision.Decisions> => record({ _tag: "Add", scope })

/**
 * Removes a scope from the target scopes (`api.transaction.removeTargetScope`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const remove = (scope: string): Effect.Effect<void, never, Decision.Decisions> =>
  record({ _tag: "Remove", scope })

/**
 * Replaces the target scopes (`api.transaction.setTargetScopes`). Leaving out `openid` or `offline_access` may keep
 * Auth0 from issuing an ID token or a refresh token.
 *
 * @category constructors
 * @since 0.1.0
 */
export const set = (scopes: ReadonlyArray<string>): Effect.Effect<void, never, Decision.Decisions> =>
  record({ _tag: "Set", scopes: [...scopes] })

/**
 * Empties the target scopes (`api.transaction.clearTargetScopes`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const clear: Effect.Effect<void, never, Decision.Decisions> = /* @__PURE__ */ record({ _tag: "Clear" })

/**
 * The tenant does not send `event.transaction.target_scopes` (the early-access feature is off), and a rule needs
 * them: the login is denied with the generic message, never guessed from the requested scopes.
 *
 * @category errors
 * @since 0.1.0
 */
export class TargetScopesUnavailable extends /* @__PURE__ */ Denial.Class("TargetScopesUnavailable") {
  override get message() {
    return Denial.genericMessage
  }
}

/**
 * The target scopes as this login arrived with them (`event.transaction.target_scopes`: the requested scopes, with
 * the changes of earlier Actions); fails with TargetScopesUnavailable when the tenant does not send them.
 *
 * @category getters
 * @since 0.1.0
 */
export const current: Effect.Effect<ReadonlyArray<string>, TargetScopesUnavailable, Login> = Effect.flatMap(
  Login,
  (login) => {
    const scopes = login.transaction.targetScopes ?? fromEvent(login.raw)
    return scopes === undefined ? Effect.fail(new TargetScopesUnavailable()) : Effect.succeed(scopes)
  }
)

// Read from the event here rather than decoded with every login, so an Action that never reads them carries none of
// this: anything but a list of strings is as absent.
const fromEvent = (raw: Readonly<Record<string, unknown>>): ReadonlyArray<string> | undefined => {
  const scopes = (raw["transaction"] as { readonly target_scopes?: unknown } | null | undefined)?.target_scopes
  return Array.isArray(scopes) && scopes.every((scope) => typeof scope === "string") ? scopes : undefined
}
