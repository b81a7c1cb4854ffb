/**
 * The constructs read through member chains: on the rule's `context` and `user` (matched by the names its
 * parameters give them), on the wrapper's `auth0`, and IdP tokens read off an identity.
 */
import * as ClaimName from "@rulefx/core/ClaimName"
import * as SamlResponse from "@rulefx/core/SamlResponse"
import type * as acorn from "acorn"
import { claimDetail, idpTokenKeys, metadataKeys } from "./catalog.ts"
import { fallbackChainOf, keyOf, propertyKey, type Write, writeOf } from "./chains.ts"
import { reachesIdentities } from "./identities.ts"
import { add, type Inspection, ko, ok } from "./inspection.ts"
import { bindingAt } from "./scopes.ts"

type Keys = ReadonlyArray<string | undefined>

const onSso = (inspection: Inspection, node: acorn.Node, second: string | undefined) =>
  second === "current_clients"
    ? ok(inspection, node, "context.sso.current_clients")
    : second === "with_auth0"
    ? ko(inspection, node, "context.sso.with_auth0")
    : second === "with_dbconn"
    ? ko(inspection, node, "context.sso.with_dbconn")
    : undefined

// A claim Auth0 keeps for itself, set under a name written literally: refused, naming it (a name computed at run time
// is checked when the login runs). True when it was.
const onRestrictedClaim = (
  inspection: Inspection,
  node: acorn.Node,
  token: "idToken" | "accessToken",
  name: string | undefined
): boolean => {
  const problem = name === undefined ? undefined : ClaimName.check(name)
  if (name === undefined || problem === undefined) return false
  add(inspection, node, "claim.restricted", "unsupported", claimDetail(token, name, problem))
  return true
}

// `context.idToken = { roles: [...] }`: each literal key of the object is a claim.
const onTokenObject = (
  inspection: Inspection,
  token: "idToken" | "accessToken",
  value: acorn.Node
): boolean => {
  const object = value as acorn.AnyNode
  if (object.type !== "ObjectExpression") return false
  let refused = false
  for (const property of object.properties) {
    if (property.type !== "Property") continue
    refused = onRestrictedClaim(inspection, property.key, token, propertyKey(property)) || refused
  }
  return refused
}

const onToken = (
  inspection: Inspection,
  node: acorn.Node,
  token: "idToken" | "accessToken",
  keys: Keys,
  parent: acorn.Node | undefined
) => {
  const write = writeOf(node, parent)
  const p = parent as acorn.AnyNode | undefined
  // A claim set: `context.idToken.roles = ...`, `context.idToken.roles[0] = ...`, or the whole object at once.
  const refused = write === "assign" && keys.length >= 2
    ? onRestrictedClaim(inspection, node, token, keys[1])
    : write === "assign" && keys.length === 1 && p?.type === "AssignmentExpression"
    ? onTokenObject(inspection, token, p.right)
    : false
  if (refused) return
  if (token === "idToken") return ok(inspection, node, "context.idToken")
  return ok(inspection, node, keys[1] === "scope" ? "context.accessToken.scope" : "context.accessToken")
}

const onContext = (
  inspection: Inspection,
  node: acorn.Node,
  keys: Keys,
  write: Write,
  parent: acorn.Node | undefined
) => {
  const [first, second] = keys
  switch (first) {
    case "idToken":
    case "accessToken":
      return onToken(inspection, node, first, keys, parent)
    case "multifactor":
      return write !== undefined ? ok(inspection, node, "context.multifactor") : undefined
    case "redirect":
      return write !== undefined ? ok(inspection, node, "context.redirect") : undefined
    case "primaryUser":
      return write !== undefined ? ko(inspection, node, "context.primaryUser") : undefined
    case "protocol":
      return ok(inspection, node, "context.protocol")
    case "request":
      return second === "geoip" ? ok(inspection, node, "context.request.geoip") : undefined
    case "authentication":
      return ok(inspection, node, "context.authentication")
    case "stats":
      return ok(inspection, node, "context.stats")
    case "sessionID":
      return ok(inspection, node, "context.sessionID")
    case "sso":
      return onSso(inspection, node, second)
    case "samlConfiguration":
      return onSaml(inspection, node, second, write)
    case "connectionOptions":
      return ko(inspection, node, "context.connectionOptions")
    case "jwtConfiguration":
      return ko(inspection, node, "context.jwtConfiguration")
    default:
      return undefined
  }
}

// The keys api.samlResponse has a setter for (RelayState as setRelayState); a key computed at run time is checked when
// the rule runs (the legacy layer refuses a rule that sets a key without a setter).
const samlSettings: ReadonlySet<string> = new Set([
  ...SamlResponse.settingNames.filter((name) => name !== "relayState"),
  "RelayState"
])

const onSaml = (inspection: Inspection, node: acorn.Node, second: string | undefined, write: Write) =>
  second === "mappings"
    ? ok(inspection, node, "context.samlConfiguration.mappings")
    : second === undefined || samlSettings.has(second) || write === undefined
    ? ok(inspection, node, "context.samlConfiguration.settings")
    : ko(inspection, node, "context.samlConfiguration")

const onUser = (inspection: Inspection, node: acorn.Node, keys: Keys, write: Write) => {
  const [first] = keys
  if (write === "delete" && keys.length === 1 && (first === undefined || !metadataKeys.has(first))) {
    return add(
      inspection,
      node,
      "user.delete",
      "unsupported",
      `delete user${
        first === undefined ? "[…]" : `.${first}`
      }: standard claims cannot be removed in Actions; remove the delete and do not rely on the attribute being hidden`
    )
  }
  if (first === undefined) return
  if (first === "permissions") return ko(inspection, node, "user.permissions")
  if (write !== undefined && ClaimName.profile.has(first)) {
    return add(
      inspection,
      node,
      "user.root",
      "translated",
      `ID-token claim ${first} (Actions cannot change the profile Auth0 returns)`
    )
  }
}

const onAuth0 = (inspection: Inspection, node: acorn.Node, keys: Keys) => {
  const [first, second] = keys
  if (first === "accessToken") return ko(inspection, node, "auth0.accessToken")
  if (first === "baseUrl") return ko(inspection, node, "auth0.baseUrl")
  if (first === "domain") return ko(inspection, node, "auth0.domain")
  if (first !== "users" || keys.length < 2) return
  if (second === "updateAppMetadata") return ok(inspection, node, "auth0.users.updateAppMetadata")
  if (second === "updateUserMetadata") return ok(inspection, node, "auth0.users.updateUserMetadata")
  return add(
    inspection,
    node,
    "auth0.users.other",
    "unsupported",
    `auth0.users.${second ?? "[…]"}: only updateAppMetadata and updateUserMetadata are shimmed; ` +
      "call the Management API with an M2M client instead"
  )
}

export const onMember = (
  inspection: Inspection,
  member: acorn.MemberExpression,
  parent: acorn.Node | undefined
): void => {
  const key = keyOf(member)
  if (key !== undefined && idpTokenKeys.has(key)) {
    if (key === "access_token_secret" || reachesIdentities(member.object, inspection.identityNames)) {
      ko(inspection, member.property, "user.identities.access_token")
    }
  }
  // The rest looks at whole chains only: `context.accessToken.scope` is not also `context.accessToken`.
  const p = parent as acorn.AnyNode | undefined
  if (p?.type === "MemberExpression" && p.object === member) return
  // `(context.sso || {}).with_auth0` reads context.sso.with_auth0.
  const chain = fallbackChainOf(member)
  if (chain.root.type !== "Identifier") return
  const root = (chain.root as acorn.Identifier).name
  const write = writeOf(member, parent)
  if (root === inspection.contextName) onContext(inspection, member, chain.keys, write, parent)
  if (root === inspection.userName) onUser(inspection, member, chain.keys, write)
  if (root === "auth0" && bindingAt(inspection.scopes, chain.root) === "wrapper") {
    onAuth0(inspection, member, chain.keys)
  }
}

// `const { access_token } = user.identities[0]`
export const onDeclarator = (inspection: Inspection, node: acorn.VariableDeclarator): void => {
  if (node.id.type !== "ObjectPattern" || !node.init || !reachesIdentities(node.init, inspection.identityNames)) return
  for (const property of node.id.properties) {
    const key = property.type === "Property" ? propertyKey(property) : undefined
    if (key !== undefined && idpTokenKeys.has(key)) ko(inspection, property, "user.identities.access_token")
  }
}
