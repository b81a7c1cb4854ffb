/**
 * Auth0Session: checks a Decision's session and refresh token changes against Auth0's rules and applies them
 * through `api.session` and `api.refreshToken`; and revokes a session or refresh token for a denial that asks for
 * it (core's Session.SessionRevoked, RefreshToken.RefreshTokenRevoked). See core's Session for the model and the rule
 * of two rules that disagree.
 *
 * Checked before any `api` call: expiries are whole, positive milliseconds since the epoch; the cookie mode is
 * `persistent` or `non-persistent`; metadata values are strings (or `null` to delete), keys and values at most 255
 * characters, at most 25 keys written.
 *
 * @since 0.1.0
 */
import type * as Decision from "@rulefx/core/Decision"
import type { Revocation } from "@rulefx/core/Revocation"
import type { Violation } from "./Auth0Limits.ts"
import type { DecisionKind } from "./DecisionKind.ts"
import type { PostLoginApi, RefreshTokenApi } from "./PostLoginApi.ts"

// Auth0's session metadata limits (refresh token metadata is taken to have the same).
const metadataLimits = { maxKeys: 25, maxKeyLength: 255, maxValueLength: 255 } as const

const targets = ["session", "refreshToken"] as const

/**
 * Adds to `out` what Auth0 would refuse in the Decision's session and refresh token changes.
 *
 * @category getters
 * @since 0.1.0
 */
export const check = (d: Decision.Decision, out: Array<Violation>): void => {
  for (const target of targets) {
    const changes = d[target]
    if (changes === undefined) continue
    const push = (name: string | undefined, rule: Violation["rule"]) =>
      out.push({ target, name, rule, bytes: undefined })
    for (const name of ["expiresAt", "idleExpiresAt"] as const) {
      const at = changes[name]
      if (at !== undefined && !(Number.isSafeInteger(at) && at > 0)) push(name, "InvalidExpiry")
    }
    const mode = changes.cookieMode
    if (mode !== undefined && (target === "refreshToken" || (mode !== "persistent" && mode !== "non-persistent"))) {
      push("cookieMode", "InvalidSetting")
    }
    const keys = Object.keys(changes.metadata)
    if (keys.length > metadataLimits.maxKeys) push(undefined, "TooManyMetadataKeys")
    for (const key of keys) {
      const value: unknown = changes.metadata[key]
      if (key.length === 0 || key.length > metadataLimits.maxKeyLength) push(key, "InvalidKeyName")
      if (value !== null && typeof value !== "string") push(key, "InvalidSetting")
      else if (value !== null && value.length > metadataLimits.maxValueLength) push(key, "MetadataTooLarge")
    }
  }
}

/**
 * Tells whether the Decision changes a session or refresh token and the api has no `api.session` (or
 * `api.refreshToken`) to do it with.
 *
 * @category guards
 * @since 0.1.0
 */
export const lacksApi = (d: Decision.Decision, api: PostLoginApi): boolean =>
  targets.some((target) => d[target] !== undefined && typeof api[target] !== "object")

/**
 * Applies the session's changes, then the refresh token's: expiries, cookie mode, eviction, metadata writes (`null`
 * deletes). Call only with a checked Decision.
 *
 * @category constructors
 * @since 0.1.0
 */
export const apply = (d: Decision.Decision, api: PostLoginApi): void => {
  for (const target of targets) {
    const changes = d[target]
    if (changes === undefined) continue
    const to = api[target] as RefreshTokenApi & { readonly setCookieMode?: (mode: string) => unknown }
    if (changes.expiresAt !== undefined) to.setExpiresAt(changes.expiresAt)
    if (changes.idleExpiresAt !== undefined) to.setIdleExpiresAt(changes.idleExpiresAt)
    if (changes.cookieMode !== undefined) to.setCookieMode!(changes.cookieMode)
    if (changes.evictMetadata) to.evictMetadata()
    for (const key of Object.keys(changes.metadata)) {
      const value = changes.metadata[key]
      if (value === null || value === undefined) to.deleteMetadata(key)
      else to.setMetadata(key, value)
    }
  }
}

/**
 * Revokes, after the login was denied. Auth0's revocation denies too; rulefx denies first so that a tenant without
 * the feature (no `api.session`, or a method that throws) still fails the login. An api without the object is
 * logged by the caller (returns false).
 *
 * @category constructors
 * @since 0.1.0
 */
export const revoke = (revocation: Revocation, reason: string, api: PostLoginApi): boolean => {
  if (revocation.target === "session") {
    if (typeof api.session?.revoke !== "function") return false
    api.session.revoke(reason, { preserveRefreshTokens: revocation.preserveRefreshTokens })
    return true
  }
  if (typeof api.refreshToken?.revoke !== "function") return false
  api.refreshToken.revoke(reason)
  return true
}

/**
 * The kind, to pass to `PostLogin.make` (`{ kinds: [Auth0Session.kind] }`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const kind: DecisionKind = {
  target: "session",
  check,
  lacksApi,
  apply,
  // A denial that revokes (Session.revoke, RefreshToken.revoke in a refresh-token exchange): denied, then revoked.
  deny: (denied, api, log) => {
    if (denied.revoke === undefined) return false
    api.access.deny(denied.reason)
    if (!revoke(denied.revoke, denied.reason, api)) {
      log(
        [{ target: denied.revoke.target, name: undefined, rule: "MissingApi", bytes: undefined }],
        "login denied, but not revoked"
      )
    }
    return true
  }
}
