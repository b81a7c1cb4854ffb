/**
 * The catalog of constructs: what each one rulefx translates becomes in Actions, why each one it cannot run is
 * refused and what to do instead, which of those can never be accepted, and the details of the findings that carry
 * the rule's own words (a required module, a configuration key).
 */
import type * as ClaimName from "@rulefx/core/ClaimName"
import { builtinModules } from "node:module"

export const translated = {
  "context.idToken": "ID-token claim: api.idToken.setCustomClaim after all rules",
  "context.accessToken": "access-token claim: api.accessToken.setCustomClaim after all rules",
  "context.accessToken.scope":
    "access-token scopes: added/removed with api.accessToken.addScope/removeScope against the requested scopes",
  "context.multifactor": "MFA: api.multifactor.enable(provider, {allowRememberBrowser}) after all rules",
  "context.redirect":
    "redirect: api.redirect.sendUserTo(url) after all rules; on /continue all rules run again with context.protocol 'redirect-callback'",
  "context.protocol":
    "event.transaction.protocol; 'redirect-callback' only on the migrated Action's continue pass, where every rule runs again (Actions itself never sends it): rulefx convert leaves such a read in a rule that redirects as a TODO, to split the rule into its two passes",
  "context.request.geoip": "event.request.geoip, keys renamed back to Rules' snake_case",
  "context.authentication": "event.authentication.methods, timestamps as epoch milliseconds",
  "context.stats": "event.stats.logins_count as loginsCount",
  "context.sso.current_clients": "event.session.clients[].client_id",
  "context.sessionID": "event.session.id",
  "context.samlConfiguration.settings":
    "SAML settings: api.samlResponse.set<Setting>(value) after all rules (RelayState: setRelayState); logout, wctx and unknown keys are refused when a rule sets them",
  "context.samlConfiguration.mappings":
    "SAML attributes: api.samlResponse.setAttribute(uri, value) after all rules, the value read at the mapped path (email, user_metadata.x) of the final user",
  "callback(error)": "denies the login with the error's message (api.access.deny)",
  "UnauthorizedError": "denies with the message; Actions has no error=unauthorized, apps see access_denied",
  "throw": "a thrown error denies the login with its message",
  "configuration.dynamic": "all of the Action's secrets are visible; name each one as an Action secret",
  "global": "module-scope object kept across logins in the same Action instance (no guarantee, like Rules)",
  "auth0.users.updateAppMetadata":
    "api.user.setAppMetadata per top-level key (the only writes to the profile); later rules see the new values",
  "auth0.users.updateUserMetadata":
    "api.user.setUserMetadata per top-level key (the only writes to the profile); later rules see the new values"
} as const

const managementApi = "no Management API token in Actions; call the Management API with an M2M client instead"

export const unsupported = {
  "context.primaryUser":
    "account linking: api.authentication.setPrimaryUser discards the Action's metadata writes, so it cannot run with the other rules; do the linking in a separate Action",
  "context.samlConfiguration":
    "this SAML setting has no api.samlResponse setter in Actions (logout, wctx, or a key Auth0 does not know); remove it, or set what Actions has in a hand-written Action",
  "context.connectionOptions":
    "connection options are not in the Actions event; mirror the values into connection metadata (event.connection.metadata) or read them with the Management API",
  "context.sso.with_auth0": "no equivalent in Actions; rewrite the check (e.g. against event.session) or remove it",
  "context.sso.with_dbconn": "no equivalent in Actions; rewrite the check (e.g. against event.session) or remove it",
  "user.identities.access_token":
    "IdP tokens are not in Actions; fetch them with the Management API (GET /api/v2/users/{id}, scope read:user_idp_tokens)",
  "user.permissions": "Authorization Extension permissions are not in Actions; use RBAC (event.authorization.roles)",
  "auth0.accessToken": managementApi,
  "auth0.baseUrl": managementApi,
  "auth0.domain": managementApi,
  "require.dynamic": "modules must be named literally so they can be bundled; write require(\"name\")",
  "eval": "code built at run time cannot be checked or bundled; write the code out",
  "eval.indirect":
    "eval reached other than by a direct call runs its code in the global scope, where its variables are shared by every login in flight; write the code out",
  "eval.constructor":
    "the Function constructor builds code at run time that runs in the global scope, where what it assigns is shared by every login in flight; write the code out",
  "eval.module":
    "runs code built at run time or loads modules around the rule's require (vm, module, inspector, repl, worker_threads, import(), process.getBuiltinModule and the like); write the code out and require modules by name",
  "context.jwtConfiguration":
    "token settings (lifetime, scopes) are not in Actions; configure them on the application or API, or use api.accessToken.addScope",
  "global.undeclared":
    "the rule uses a name it never declares and that no Action provides (Rules' sandbox had some modules as globals, like _ or request); require it (var _ = require(\"lodash\"))",
  "global.implicit":
    "assigns a global (a variable no scope of the rule declares, or a property of globalThis): in an Action it is shared by every login in flight, so one user's value can reach another's token; declare it where it is used (var)",
  "global.this":
    "this there is the global object (or, in an arrow-function rule, the runtime's own object), shared by every login in flight, so one user's value can reach another's token; use a local variable, or call the function as a method (obj.f()) or with new",
  "global.object":
    "takes an object every login in flight shares (the global object, or the Action module's own module or exports) as a value: what is written through it can carry one user's value into another's token; name the globals you read directly (globalThis.URL) and keep values in local variables",
  "global.shared":
    "writes into an object every login in flight shares (a built-in such as process.env or Object.prototype, a required module, UnauthorizedError), or takes a built-in as a value rulefx cannot follow (var max = Math.max; var p = Object.prototype), through which it could be changed; so one user's value can reach another's token; keep the value in a local variable, and use a built-in where it is named (Math.max(a, b))",
  "global.escaped":
    "a Rules global written with \\u escapes is not given to the rule (the wrapper looks for the plain name), so it reaches the Action's own module instead; write the name plainly"
} as const

export type Translated = keyof typeof translated

export type Unsupported = keyof typeof unsupported

// Through each, overlapping logins could share state.
const sharedState = [
  "global.implicit",
  "global.this",
  "global.object",
  "global.shared",
  "global.escaped",
  "eval.indirect",
  "eval.constructor",
  "eval.module"
] as const

// Why a construct can never be accepted (public as Analyze.neverAccepted and Analyze.whyNeverAccepted): accepted, it
// would either let one user's value reach another's token, or build an Action that denies every login reaching it.
export const whyNeverAccepted: Readonly<Record<string, string>> = {
  ...Object.fromEntries(sharedState.map((construct) => [construct, "overlapping logins could share state through it"])),
  "claim.restricted": "the Action would deny every login that sets the claim; rename the claim"
}

export const neverAccepted: ReadonlySet<string> = new Set(Object.keys(whyNeverAccepted))

// A Node built-in, with or without the `node:` prefix (public as Analyze.isBuiltin).
export const isBuiltin = (name: string): boolean =>
  builtinModules.includes(name) || (name.startsWith("node:") && builtinModules.includes(name.slice(5)))

// `delete user.app_metadata` is a metadata write, not a standard claim removed.
export const metadataKeys: ReadonlySet<string> = new Set(["app_metadata", "user_metadata"])

// The IdP tokens an identity held in Rules.
export const idpTokenKeys: ReadonlySet<string> = new Set(["access_token", "access_token_secret", "refresh_token"])

export const requireDetail = (specifier: string, name: string): string => {
  const pinDropped = name !== specifier ? " (version pin dropped)" : ""
  if (isBuiltin(name)) return `"${specifier}": Node built-in, provided by the runtime${pinDropped}`
  if (name === "request") return `"${specifier}": rulefx's fetch-based request shim${pinDropped}`
  return `"${specifier}": bundled from node_modules${pinDropped}`
}

export const secretDetail = (key: string): string =>
  `Action secret "${key}" (event.secrets${/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`})`

// A claim name as a rule writes it after the token: `.roles`, `["https://acme.auth0.com/roles"]`.
const memberText = (name: string): string => /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`

// The namespaced claim to suggest instead: https://example.com/ and the name's last word (`roles` for `roles`,
// `https://acme.auth0.com/roles` and `urn:auth0:roles`).
const namespacedName = (name: string): string => {
  const word = name.split(/[/:#?]/).findLast((part) => part.length > 0) ?? "claim"
  return `https://example.com/${word}`
}

export const claimDetail = (
  token: "idToken" | "accessToken",
  name: string,
  problem: ClaimName.Problem
): string =>
  `context.${token}${memberText(name)}: ${JSON.stringify(name)} is ${
    problem === "RestrictedClaim"
      ? "a restricted claim name, one Auth0 sets itself"
      : "on Auth0's own namespace (auth0.com, webtask.io, webtask.run, urn:auth0)"
  }: Auth0 ignores such a claim, so rulefx denies every login that sets one rather than issue a token without it ` +
  `(under Rules the claim was dropped silently and the login went on); rename it to a namespaced claim, such as ` +
  `${namespacedName(name)}, and read it under that name in your applications`
