/**
 * Auth0Limits: Auth0's rules on what a Decision may ask, checked before any `api` call.
 *
 * Auth0 silently ignores a restricted claim or one on its own namespace, fails the whole login when a token's custom
 * claims pass 100 KB, and refuses metadata with forbidden or malformed keys or past 32 kB. rulefx never lets a
 * Decision reach Auth0 that would be silently cut down or fail late: `check` lists every violation, and the adapter
 * denies such a login (with the generic reason) before it sets anything. The limits of `api.cache` are here too,
 * for the Cache service over it (Auth0Cache) and the in-memory stand-in (RecordingApi).
 *
 * The claim-name predicate itself lives in core (ClaimName), so that catalog rules can refuse a bad `claim`
 * option when it is decoded without depending on this adapter; this module applies it to a whole Decision.
 *
 * Sizes are UTF-8 bytes; a kB is 1024 bytes.
 *
 * @since 0.1.0
 */
import * as ClaimName from "@rulefx/core/ClaimName"
import type * as Decision from "@rulefx/core/Decision"
import { byteLength } from "./internal/utf8.ts"
import { isValidScope } from "./PostLoginApi.ts"

/**
 * Custom claims per token, names plus JSON values, counted for the ID and the access token separately.
 *
 * @category constructors
 * @since 0.1.0
 */
export const customClaimBudget = 100 * 1024

/**
 * The most app_metadata, and separately user_metadata, one login may write (keys plus JSON values).
 *
 * @category constructors
 * @since 0.1.0
 */
export const metadataWriteCap = 32 * 1024

/**
 * The restricted claim names (Auth0's list; see core's ClaimName).
 *
 * @category constructors
 * @since 0.1.0
 */
export const restrictedClaimNames: ReadonlySet<string> = ClaimName.restricted

/**
 * Tells whether a claim name is on an Auth0 namespace: an http(s) URL on auth0.com, webtask.io, webtask.run or a
 * subdomain of them, or a `urn:auth0` URN.
 *
 * @category guards
 * @since 0.1.0
 */
export const isAuth0Namespace: (name: string) => boolean = ClaimName.isIssuerNamespace

/**
 * The top-level app_metadata keys Auth0 keeps for itself.
 *
 * @category constructors
 * @since 0.1.0
 */
export const forbiddenAppMetadataKeys: ReadonlySet<string> = /* @__PURE__ */ new Set(
  // One string rather than an array literal: fewer bytes in every Action.
  ("__tenant _id blocked clientID created_at email_verified email globalClientID global_client_id identities lastIP " +
    "lastLogin loginsCount metadata multifactor_last_modified multifactor updated_at user_id").split(" ")
)

/**
 * Where a violation is: a token's claims, the scopes, a kind of metadata, or the decision as a whole (a value that
 * cannot be serialised at all).
 *
 * @category models
 * @since 0.1.0
 */
export type Target =
  | "idToken"
  | "accessToken"
  | "scope"
  | "app_metadata"
  | "user_metadata"
  | "decision"
  | "transaction_metadata"
  | "redirect"
  | "prompt"
  | "authentication"
  | "samlResponse"
  | "session"
  | "refreshToken"
  | "api"
  | "flow"
  | "targetScopes"

/**
 * The rule a Decision breaks.
 *
 * @category models
 * @since 0.1.0
 */
export type Broken =
  | ClaimName.Problem
  | "ClaimBudgetExceeded"
  | "InvalidScope"
  | "ForbiddenKey"
  | "InvalidKeyName"
  | "MetadataTooLarge"
  | "NotJson"
  | "KeyTooLong"
  | "ValueTooLarge"
  | "NotScalar"
  | "UnsafeInteger"
  | "TwoSuspensions"
  | "InvalidUrl"
  | "ContinueOnly"
  | "MissingApi"
  | "TooManyMfaSteps"
  | "InvalidFactor"
  | "ConflictingPrimaryUsers"
  | "InvalidPrimaryUser"
  | "PrimaryUserWithMetadata"
  | "TooManyAttributes"
  | "AttributeNameTooLarge"
  | "AttributeValueTooLarge"
  | "InvalidAttributeValue"
  | "AttributesTooLarge"
  | "InvalidSetting"
  | "SettingTooLarge"
  | "UnpairedSetting"
  | "InvalidExpiry"
  | "TooManyMetadataKeys"
  | "KindNotEnabled"
  | "ConflictingResultUrls"
  | "NotInteractive"
  | "InsecureUrl"

/**
 * One thing Auth0 would refuse, ignore or fail on. It names the claim or key (`undefined` for a whole token or
 * metadata kind) and the rule, never the value.
 *
 * @category models
 * @since 0.1.0
 */
export interface Violation {
  readonly target: Target
  readonly name: string | undefined
  readonly rule: Broken
  /** For the size rules: the bytes counted. */
  readonly bytes: number | undefined
}

/**
 * Makes a Violation: the `rule` that the `target` part of a Decision (its `name` within it, when one) breaks, and the
 * bytes counted for a size rule.
 *
 * @category constructors
 * @since 0.1.0
 */
export const violation = (target: Target, name: string | undefined, rule: Broken, bytes?: number): Violation => ({
  target,
  name,
  rule,
  bytes
})

// Metadata field names may not contain "." or "$", at any depth: the replacer sees every key of the value.
const hasBadKey = /[.$]/

const jsonBytes = (value: unknown, onKey?: (key: string) => void): number | undefined => {
  const json = JSON.stringify(
    value,
    onKey === undefined ? undefined : function(this: unknown, key, v: unknown) {
      if (!Array.isArray(this)) onKey(key)
      return v
    }
  )
  return json === undefined ? undefined : byteLength(json)
}

const checkClaims = (
  target: "idToken" | "accessToken",
  claims: Readonly<Record<string, unknown>>,
  out: Array<Violation>
) => {
  let total = 0
  for (const name of Object.keys(claims)) {
    const problem = ClaimName.check(name)
    if (problem !== undefined) out.push(violation(target, name, problem))
    const bytes = jsonBytes(claims[name])
    if (bytes === undefined) out.push(violation(target, name, "NotJson"))
    total += byteLength(name) + (bytes ?? 0)
  }
  if (total > customClaimBudget) out.push(violation(target, undefined, "ClaimBudgetExceeded", total))
}

const checkMetadata = (
  target: "app_metadata" | "user_metadata",
  metadata: Readonly<Record<string, unknown>>,
  out: Array<Violation>
) => {
  let total = 0
  for (const key of Object.keys(metadata)) {
    if (target === "app_metadata" && forbiddenAppMetadataKeys.has(key)) out.push(violation(target, key, "ForbiddenKey"))
    let badKey = hasBadKey.test(key)
    const bytes = jsonBytes(metadata[key], (inner) => {
      badKey ||= hasBadKey.test(inner)
    })
    if (badKey) out.push(violation(target, key, "InvalidKeyName"))
    if (bytes === undefined) out.push(violation(target, key, "NotJson"))
    total += byteLength(key) + (bytes ?? 0)
  }
  if (total > metadataWriteCap) out.push(violation(target, undefined, "MetadataTooLarge", total))
}

/**
 * Lists everything in a Decision that Auth0 would refuse, silently ignore, or fail the login on: restricted claim
 * names and claims on Auth0 namespaces, a token whose custom claims pass 100 KB, a claim or metadata value that is
 * not JSON (`undefined` included: use `null` to delete a metadata key), scopes Auth0 would throw on, forbidden
 * app_metadata keys, metadata field names (at any depth) with "." or "$", and more than 32 kB of one kind of metadata.
 * The kinds a handler opts into (DecisionKind: MFA steps, SAML, session) are checked by their own modules. An empty
 * list means the Decision can be applied as it is.
 *
 * **Gotchas**
 *
 * Throws when a value cannot be serialised at all (a cycle, a BigInt), as JSON.stringify does; PostLogin.apply
 * counts that as a violation too.
 *
 * @category getters
 * @since 0.1.0
 */
export const check = (decision: Decision.Decision): ReadonlyArray<Violation> => {
  const out: Array<Violation> = []
  checkClaims("idToken", decision.idTokenClaims, out)
  checkClaims("accessToken", decision.accessTokenClaims, out)
  for (const scope of [...decision.addScopes, ...decision.removeScopes]) {
    if (!isValidScope(scope)) out.push(violation("scope", scope, "InvalidScope"))
  }
  checkMetadata("app_metadata", decision.appMetadata, out)
  checkMetadata("user_metadata", decision.userMetadata, out)
  return out
}

/**
 * Renders a violation for the log: where, which claim or key (quoted, cut to 80 characters), the rule broken, and
 * the bytes counted for the size rules. Never the value.
 *
 * @category getters
 * @since 0.1.0
 */
export const describe = (v: Violation): string => {
  const name = v.name === undefined ? "" : ` ${JSON.stringify(v.name.length > 80 ? `${v.name.slice(0, 80)}…` : v.name)}`
  return `${v.target}${name}: ${v.rule}${v.bytes === undefined ? "" : ` (${v.bytes} bytes)`}`
}

/**
 * The limits of Auth0's `api.cache` (per trigger): entries, key and value size, total size of keys and values,
 * and the longest and default lifetimes.
 *
 * @category constructors
 * @since 0.1.0
 */
export const cache = {
  maxEntries: 20,
  maxKeyBytes: 64,
  maxValueBytes: 4 * 1024,
  maxTotalBytes: 8 * 1024,
  maxTtlMillis: 24 * 60 * 60 * 1000,
  defaultTtlMillis: 15 * 60 * 1000
} as const

/**
 * The error codes of Auth0's `api.cache`.
 *
 * @category models
 * @since 0.1.0
 */
export type CacheErrorCode =
  | "MaxSideEffectsExceeded"
  | "CacheKeySizeExceeded"
  | "CacheValueSizeExceeded"
  | "CacheSizeExceeded"
  | "ItemAlreadyExpired"
  | "InvalidExpiry"
  | "FailedToSetCacheRecord"
  | "FailedToDeleteCacheRecord"
  | "CacheKeyDoesNotExist"

/**
 * The size of one cache entry as the total limit counts it: key plus value, in bytes.
 *
 * @category getters
 * @since 0.1.0
 */
export const cacheEntryBytes = (key: string, value: string): number => byteLength(key) + byteLength(value)

/**
 * Why Auth0 would refuse to store `value` under `key` in a cache that holds `entries` (key to entry bytes), with
 * the code Auth0 returns, or `undefined` when the write fits. Replacing a key does not add an entry.
 *
 * @category getters
 * @since 0.1.0
 */
export const checkCacheWrite = (
  entries: ReadonlyMap<string, number>,
  key: string,
  value: string
): CacheErrorCode | undefined => {
  const keyBytes = byteLength(key)
  if (keyBytes > cache.maxKeyBytes) return "CacheKeySizeExceeded"
  const valueBytes = byteLength(value)
  if (valueBytes > cache.maxValueBytes) return "CacheValueSizeExceeded"
  const previous = entries.get(key)
  if (previous === undefined && entries.size >= cache.maxEntries) return "CacheSizeExceeded"
  let total = keyBytes + valueBytes - (previous ?? 0)
  for (const bytes of entries.values()) total += bytes
  return total > cache.maxTotalBytes ? "CacheSizeExceeded" : undefined
}
