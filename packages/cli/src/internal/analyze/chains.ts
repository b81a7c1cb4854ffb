/**
 * Member chains as the analysis reads them: the static key of a member, the root and keys of `a.b["c"].d`, whether
 * a member is written, and how a chain prints in a finding.
 */
import type * as acorn from "acorn"

export const staticString = (node: acorn.Node): string | undefined => {
  const n = node as acorn.AnyNode
  if (n.type === "Literal" && (typeof n.value === "string" || typeof n.value === "number")) return String(n.value)
  if (n.type === "TemplateLiteral" && n.expressions.length === 0) return n.quasis[0]?.value.cooked ?? undefined
  return undefined
}

// The key a member expression reads: its name when static, `undefined` when computed at run time.
export const keyOf = (member: acorn.MemberExpression): string | undefined =>
  member.computed
    ? staticString(member.property)
    : member.property.type === "Identifier"
    ? member.property.name
    : undefined

export const propertyKey = (property: Pick<acorn.Property, "computed" | "key">): string | undefined =>
  property.computed || property.key.type !== "Identifier" ? staticString(property.key) : property.key.name

interface Chain {
  readonly root: acorn.Node
  readonly keys: ReadonlyArray<string | undefined>
}

// `a.b["c"].d` gives root `a` and keys [b, c, d].
export const chainOf = (member: acorn.MemberExpression): Chain => {
  const keys: Array<string | undefined> = []
  let node: acorn.Node = member
  while (node.type === "MemberExpression") {
    const m = node as acorn.MemberExpression
    keys.unshift(keyOf(m))
    node = m.object
  }
  return { root: node, keys }
}

// `a || {}`, `a ?? []`: a fallback to an empty object or array, read through as `a` (the most common Rules idiom,
// `(user.app_metadata || {}).plan`).
export const isEmptyFallback = (node: acorn.Node): node is acorn.LogicalExpression => {
  const n = node as acorn.AnyNode
  if (n.type !== "LogicalExpression" || n.operator === "&&") return false
  const right = n.right as acorn.AnyNode
  return (right.type === "ObjectExpression" && right.properties.length === 0) ||
    (right.type === "ArrayExpression" && right.elements.length === 0)
}

// Like chainOf, but through empty fallbacks: `(a.b || {}).c` gives root `a` and keys [b, c].
export const fallbackChainOf = (member: acorn.MemberExpression): Chain => {
  const chain = chainOf(member)
  if (!isEmptyFallback(chain.root)) return chain
  const left = chain.root.left as acorn.AnyNode
  if (left.type === "Identifier") return { root: left, keys: chain.keys }
  if (left.type !== "MemberExpression") return chain
  const inner = fallbackChainOf(left)
  return { root: inner.root, keys: [...inner.keys, ...chain.keys] }
}

// Like chainOf, but also through calls and optional chains: `user.identities.find(f).x` gives root `user` and keys
// [identities, find, x].
export const looseChainOf = (
  start: acorn.Node
): { readonly root: string | undefined; readonly keys: Array<string> } => {
  const keys: Array<string> = []
  let node = start as acorn.AnyNode
  for (;;) {
    if (node.type === "MemberExpression") {
      const key = keyOf(node)
      if (key !== undefined) keys.unshift(key)
      node = node.object as acorn.AnyNode
    } else if (node.type === "CallExpression") {
      node = node.callee as acorn.AnyNode
    } else if (node.type === "ChainExpression") {
      node = node.expression as acorn.AnyNode
    } else {
      return { root: node.type === "Identifier" ? node.name : undefined, keys }
    }
  }
}

export type Write = "assign" | "delete" | undefined

export const writeOf = (node: acorn.Node, parent: acorn.Node | undefined): Write => {
  const p = parent as acorn.AnyNode | undefined
  if (p === undefined) return undefined
  if (p.type === "AssignmentExpression" && p.left === node) return "assign"
  if (p.type === "UpdateExpression") return "assign"
  if ((p.type === "ForInStatement" || p.type === "ForOfStatement") && p.left === node) return "assign"
  if (p.type === "UnaryExpression" && p.operator === "delete") return "delete"
  return undefined
}

const rootText = (node: acorn.Node): string => {
  const n = node as acorn.AnyNode
  if (n.type === "Identifier") return n.name
  if (n.type === "ThisExpression") return "this"
  if (n.type === "ArrayExpression") return "[]"
  if (n.type === "ObjectExpression") return "{}"
  if (n.type === "Literal") return n.raw ?? "(…)"
  if (n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression") return "(function)"
  if (n.type === "CallExpression" && n.callee.type === "MemberExpression") return `${render(n.callee)}(…)`
  if (n.type === "CallExpression" && n.callee.type === "Identifier") return `${n.callee.name}(…)`
  return "(…)"
}

// `process.env.X`, `x.__proto__.y`, `require(…).config[…]`.
export const render = (node: acorn.Node): string => {
  if (node.type !== "MemberExpression") return rootText(node)
  const { keys, root } = chainOf(node as acorn.MemberExpression)
  return rootText(root) + keys.map((key) => (key === undefined ? "[…]" : `.${key}`)).join("")
}
