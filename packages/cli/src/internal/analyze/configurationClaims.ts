/**
 * Claims set from a `configuration` setting: `context.idToken["https://x/key"] = configuration.API_KEY`, through a
 * local variable (`var key = configuration.API_KEY; ... = key`), or inside an object set as the whole token
 * (`context.accessToken = { k: configuration.K }`). Rules copied such a value into the token; a migrated Action denies
 * that login at run time (the legacy layer's SecretInClaim: a secret is never issued in a token), so `rulefx migrate`
 * warns about it before it is deployed.
 */
import type * as acorn from "acorn"
import * as walk from "acorn-walk"
import type * as eslintScope from "eslint-scope"
import { chainOf, keyOf, propertyKey } from "./chains.ts"
import type { Inspection } from "./inspection.ts"
import { startOf } from "./locate.ts"
import { bindingAt, parentOf } from "./scopes.ts"

// Each configuration key `node` reads: directly, or through a local variable any write of which reads one (followed
// once per variable, so `a = b; b = a` ends).
const keysIn = (inspection: Inspection, node: acorn.Node, seen: Set<eslintScope.Variable>): Array<string> => {
  const keys: Array<string> = []
  walk.full(node, (raw) => {
    const id = raw as acorn.AnyNode
    if (id.type !== "Identifier") return
    const p = parentOf(inspection.scopes, id)
    if (id.name === "configuration" && bindingAt(inspection.scopes, id) === "wrapper") {
      const key = p?.type === "MemberExpression" && p.object === id ? keyOf(p) : undefined
      if (key !== undefined) keys.push(key)
      return
    }
    const variable = inspection.scopes.references.get(id)?.resolved
    if (variable === null || variable === undefined || seen.has(variable)) return
    seen.add(variable)
    for (const write of variable.references) {
      if (write.writeExpr !== null && write.writeExpr !== undefined) {
        keys.push(...keysIn(inspection, write.writeExpr as acorn.Node, seen))
      }
    }
  })
  return keys
}

const record = (
  inspection: Inspection,
  at: acorn.Node,
  token: "idToken" | "accessToken",
  claim: string | undefined,
  value: acorn.Node
) => {
  for (const key of new Set(keysIn(inspection, value, new Set()))) {
    inspection.configurationClaims.push({ ...startOf(at), token, ...(claim === undefined ? {} : { claim }), key })
  }
}

/** An assignment whose target is a claim of the rule's `context.idToken`/`context.accessToken`, or the whole token. */
export const onAssignment = (inspection: Inspection, node: acorn.AssignmentExpression): void => {
  if (node.left.type !== "MemberExpression") return
  const chain = chainOf(node.left)
  if (chain.root.type !== "Identifier" || (chain.root as acorn.Identifier).name !== inspection.contextName) return
  const [token, claim] = chain.keys
  if (token !== "idToken" && token !== "accessToken") return
  if (chain.keys.length >= 2) return record(inspection, node, token, claim, node.right)
  const right = node.right as acorn.AnyNode
  if (right.type !== "ObjectExpression") return record(inspection, node, token, undefined, right)
  for (const property of right.properties) {
    if (property.type === "Property") record(inspection, property, token, propertyKey(property), property.value)
  }
}
