/**
 * The names that hold one of the user's identities, matched by name like everything else here, so that an IdP
 * token read through one (`const id = user.identities[0]; id.access_token`) is found.
 */
import type * as acorn from "acorn"
import * as walk from "acorn-walk"
import { looseChainOf } from "./chains.ts"
import type { RuleFunction } from "./locate.ts"

export const reachesIdentities = (node: acorn.Node, identityNames: ReadonlySet<string>): boolean => {
  const chain = looseChainOf(node)
  return chain.keys.includes("identities") ||
    (chain.root !== undefined && (chain.root === "identities" || identityNames.has(chain.root)))
}

const isFunctionValue = (node: acorn.Node): node is acorn.FunctionExpression | acorn.ArrowFunctionExpression =>
  node.type === "FunctionExpression" || node.type === "ArrowFunctionExpression"

// Names that hold an identity: `const id = user.identities[0]`, `for (const id of user.identities)`,
// `user.identities.find((id) => ...)`. Matched by name, like everything else here.
// `_.find(user.identities, fn)`, `lodash.filter(identities, ...)[0]`: a call handed the identities picks one of them.
const picksIdentity = (node: acorn.Node, identityNames: ReadonlySet<string>): boolean => {
  let n = node as acorn.AnyNode
  while (n.type === "MemberExpression") n = n.object as acorn.AnyNode
  return n.type === "CallExpression" && n.arguments.some((argument) => reachesIdentities(argument, identityNames))
}

export const collectIdentityNames = (fn: RuleFunction): ReadonlySet<string> => {
  const names = new Set<string>()
  walk.fullAncestor(fn, (raw) => {
    const node = raw as acorn.AnyNode
    if (node.type === "VariableDeclarator" && node.id.type === "Identifier" && node.init) {
      if (reachesIdentities(node.init, names) || picksIdentity(node.init, names)) names.add(node.id.name)
    } else if (node.type === "AssignmentExpression" && node.left.type === "Identifier") {
      if (reachesIdentities(node.right, names) || picksIdentity(node.right, names)) names.add(node.left.name)
    } else if (node.type === "ForOfStatement" && node.left.type === "VariableDeclaration") {
      const id = node.left.declarations[0]?.id
      if (id?.type === "Identifier" && reachesIdentities(node.right, names)) names.add(id.name)
    } else if (node.type === "CallExpression" && node.callee.type === "MemberExpression") {
      if (reachesIdentities(node.callee.object, names)) {
        for (const argument of node.arguments) {
          const param = isFunctionValue(argument) ? argument.params[0] : undefined
          if (param?.type === "Identifier") names.add(param.name)
        }
      }
    }
  })
  return names
}
