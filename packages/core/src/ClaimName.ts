/**
 * Claim names a token issuer keeps for itself: names a rule may not set, and namespaces that belong to the issuer.
 *
 * The lists are Auth0's (the issuer rulefx targets; its restricted list also covers the registered JWT, JOSE and
 * OIDC protocol claims), and Auth0 silently ignores a claim that breaks them. They live in core, not in the adapter,
 * so that a catalog rule can refuse a bad `claim` option when the option is decoded (a misconfigured rule fails its
 * own unit test) without depending on the adapter; the adapter checks every Decision against the same predicate
 * before it calls Auth0.
 *
 * @since 0.1.0
 */
import { bounded } from "./internal/memo.ts"

/**
 * Why a claim name is refused: a name the issuer sets itself, or a name on the issuer's own namespace.
 *
 * @category models
 * @since 0.1.0
 */
export type Problem = "RestrictedClaim" | "IssuerNamespace"

// The words of a space-separated list. A pure call of string literals: a bundle that reads neither list drops it
// (`new Set("...".split(" "))` would stay, since esbuild cannot tell that `split` has no side effects).
const wordSet = (words: string): ReadonlySet<string> => new Set(words.split(" "))

/**
 * The restricted claim names: a rule that sets one of these would see it silently ignored.
 *
 * @category constructors
 * @since 0.1.0
 */
export const restricted: ReadonlySet<string> = /* @__PURE__ */ wordSet(
  "acr act active amr at_hash ath attest aud auth_time authorization_details azp c_hash client_id cnf cty dest " +
    "entitlements events exp groups gty htm htu iat internalService iss jcard jku jti jwe jwk kid may_act mky nbf " +
    "nonce object_id org_id org_name orig origid permissions roles rph s_hash sid sip_callid sip_cseq_num sip_date " +
    "sip_from_tag sip_via_branch sub sub_jwk toe txn typ uuid vot vtm x5t#S256"
)

/**
 * The hosts of the issuer's namespace: a URL claim name on one of them, or on a subdomain, is refused.
 *
 * @category constructors
 * @since 0.1.0
 */
export const issuerHosts: ReadonlyArray<string> = ["auth0.com", "webtask.io", "webtask.run"]

/**
 * The standard OIDC profile claims an Action may override (Auth0 calls them non-restricted): `name`, `picture`,
 * `email`, ... Auth0 refuses none of them; a compatibility layer emits them when legacy code changes the profile.
 *
 * @category constants
 * @since 0.1.0
 */
export const profile: ReadonlySet<string> = /* @__PURE__ */ wordSet(
  "address birthdate email email_verified family_name gender given_name locale middle_name name nickname " +
    "phone_number phone_number_verified picture preferred_username profile updated_at website zoneinfo"
)

/**
 * Tells whether a claim name is restricted (exact, case-sensitive match, as JWT claim names are).
 *
 * @category guards
 * @since 0.1.0
 */
export const isRestricted = (name: string): boolean => restricted.has(name)

/**
 * Tells whether a claim name is on the issuer's namespace: an http(s) URL whose host is one of `issuerHosts` or a
 * subdomain of one, or a URN starting `urn:auth0`. Hosts are compared as a URL parser reads them (case, percent
 * escapes and a trailing dot do not hide a host).
 *
 * @category guards
 * @since 0.1.0
 */
export const isIssuerNamespace = (name: string): boolean =>
  /^urn:auth0/i.test(name) || (/^https?:/i.test(name) && isIssuerUrl(name))

// Parsing a URL is the costly part, and an Action checks the same few claim names on every login: the answer is kept
// per name, for at most 1,000 names, so a flood of distinct names cannot grow it.
const isIssuerUrl = /* @__PURE__ */ bounded((name: string): boolean => {
  if (!URL.canParse(name)) return false
  const host = new URL(name).hostname.toLowerCase().replace(/\.+$/, "")
  return issuerHosts.some((root) => host === root || host.endsWith(`.${root}`))
}, 1000)

/**
 * The problem with a claim name, or `undefined` when a rule may set it.
 *
 * @category getters
 * @since 0.1.0
 */
export const check = (name: string): Problem | undefined =>
  isRestricted(name) ? "RestrictedClaim" : isIssuerNamespace(name) ? "IssuerNamespace" : undefined
