/**
 * Claims set to a `configuration` setting's value: `context.idToken["https://x/key"] = configuration.API_KEY`, through
 * a local variable (`var key = configuration.API_KEY; ... = key`), in an object or array literal, or inside an object
 * set as the whole token (`context.accessToken = { k: configuration.K }`). Rules copied such a value into the token; a migrated Action denies
 * that login at run time (the legacy layer's SecretInClaim: a secret is never issued in a token), so `rulefx migrate`
 * warns about it before it is deployed.
 */
import type * as acorn from "acorn"
import type * as eslintScope from "eslint-scope"
import { chainOf, keyOf, propertyKey } from "./chains.ts"
import type { Inspection } from "./inspection.ts"
import { startOf } from "./locate.ts"
import { bindingAt } from "./scopes.ts"

// Each configuration key whose whole value `node` may be (or hold, in an object or array literal; either side of a
// condition), directly or through a local variable any write of which does (followed once per variable, so
// `a = b; b = a` ends). This is what the runtime refuses: a string of the claim equal to a secret. A setting inside a
// longer string (`"hi " + configuration.GREETING`, a domain in an email) and what a call makes of it (an HMAC keyed
// with it, `key.slice(-6)`) are let through there, and not warned about here.
const keysIn = (inspection: Inspection, node: acorn.Node, seen: Set<eslintScope.Variable>): Array<string> => {
  const n = node as acorn.AnyNode
  const within = (...nodes: ReadonlyArray<acorn.Node | null | undefined>) =>
    nodes.flatMap((child) => child === null || child === undefined ? [] : keysIn(inspection, child, seen))
  switch (n.type) {
    case "MemberExpression": {
      const root = n.object
      const key = keyOf(n)
      return root.type === "Identifier" && root.name === "configuration" && key !== undefined &&
          bindingAt(inspection.scopes, root) === "wrapper"
        ? [key]
        : []
    }
    case "Identifier": {
      const variable = inspection.scopes.references.get(n)?.resolved
      if (variable === null || variable === undefined || seen.has(variable)) return []
      seen.add(variable)
      return within(...variable.references.map((write) => write.writeExpr as acorn.Node | null | undefined))
    }
    case "ObjectExpression":
      return within(...n.properties.map((p) => p.type === "Property" ? p.value : p.argument))
    case "ArrayExpression":
      return within(...n.elements.map((e) => e?.type === "SpreadElement" ? e.argument : e))
    case "ConditionalExpression":
      return within(n.consequent, n.alternate)
    case "LogicalExpression":
      return within(n.left, n.right)
    case "SequenceExpression":
      return within(n.expressions.at(-1))
    case "AssignmentExpression":
      return within(n.right)
    case "ParenthesizedExpression":
    case "ChainExpression":
      return within(n.expression)
    default:
      return []
  }
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
