/**
 * The key of a computed member (`context.idToken[k]`, `context.accessToken[field]`, `user[name]`) when the rule fixes
 * it: a string literal, a local that only ever holds one (`var field = "scope"`), or `+` and template literals of those
 * (`namespace + "roles"`). Any other key is unknown: a write under it may be to any key of its object.
 *
 * A local holds its literal only where it certainly has it: declared once in the whole rule (no other declaration,
 * assignment, parameter or `catch` of its name anywhere), by a statement of the rule's body itself (not under an `if`),
 * above the use; a `var` read in an inner function (which may run before the declaration, when the `var` is still
 * `undefined`) is unknown. A `let` or `const` read there before its declaration throws instead.
 */
import type * as acorn from "acorn"
import * as walk from "acorn-walk"

/** The key `node` (a computed member's property) certainly is, or undefined. */
export type Resolve = (node: acorn.Node) => string | undefined

interface Held {
  readonly init: acorn.Node
  readonly kind: acorn.VariableDeclaration["kind"]
  readonly end: number
}

// Every name a pattern binds.
const namesOf = (pattern: acorn.Node | null | undefined): Array<string> => {
  const p = pattern as acorn.AnyNode | null | undefined
  if (p == null) return []
  if (p.type === "Identifier") return [p.name]
  if (p.type === "ObjectPattern") {
    return p.properties.flatMap((prop) => namesOf(prop.type === "RestElement" ? prop.argument : prop.value))
  }
  if (p.type === "ArrayPattern") return p.elements.flatMap((e) => namesOf(e))
  if (p.type === "RestElement") return namesOf(p.argument)
  if (p.type === "AssignmentPattern") return namesOf(p.left)
  return []
}

// How many times each name is bound in `root`, by any construct; and the inner functions' ranges.
const bindingsOf = (root: acorn.Node) => {
  const counts = new Map<string, number>()
  const bind = (names: ReadonlyArray<string>) => names.forEach((n) => counts.set(n, (counts.get(n) ?? 0) + 1))
  const functions: Array<readonly [number, number]> = []
  walk.full(root, (node) => {
    const n = node as acorn.AnyNode
    if (n.type === "VariableDeclarator") bind(namesOf(n.id))
    if (n.type === "AssignmentExpression") bind(namesOf(n.left))
    if (n.type === "UpdateExpression") bind(namesOf(n.argument))
    if ((n.type === "ForInStatement" || n.type === "ForOfStatement") && n.left.type !== "VariableDeclaration") {
      bind(namesOf(n.left))
    }
    if (n.type === "CatchClause") bind(namesOf(n.param))
    if (n.type === "ClassDeclaration" || n.type === "ClassExpression") bind(namesOf(n.id))
    if (n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression") {
      bind([...namesOf(n.type === "ArrowFunctionExpression" ? null : n.id), ...n.params.flatMap(namesOf)])
      functions.push([n.start, n.end])
    }
  })
  return { counts, functions }
}

/**
 * The resolver of a rule's function: `body` its block, `params` the names of its parameters.
 */
export const make = (body: acorn.Node, params: ReadonlyArray<string>): Resolve => {
  const { counts, functions } = bindingsOf(body)
  const held = new Map<string, Held>()
  const statements = (body as acorn.AnyNode).type === "BlockStatement" ? (body as acorn.BlockStatement).body : []
  for (const statement of statements) {
    if (statement.type !== "VariableDeclaration") continue
    for (const d of statement.declarations) {
      if (d.id.type !== "Identifier" || d.init == null || params.includes(d.id.name)) continue
      if (counts.get(d.id.name) === 1) held.set(d.id.name, { init: d.init, kind: statement.kind, end: d.end })
    }
  }
  const inner = (at: number): boolean => functions.some(([start, end]) => start < at && at < end)
  const value = (node: acorn.Node, at: number, depth: number): string | undefined => {
    const n = node as acorn.AnyNode
    if (depth > 20) return undefined
    if (n.type === "Literal") return typeof n.value === "string" ? n.value : undefined
    if (n.type === "TemplateLiteral") {
      const parts = n.expressions.map((e) => value(e, at, depth + 1))
      if (parts.some((p) => p === undefined)) return undefined
      return n.quasis.map((q, i) => `${q.value.cooked ?? ""}${parts[i] ?? ""}`).join("")
    }
    if (n.type === "BinaryExpression" && n.operator === "+") {
      const left = value(n.left, at, depth + 1)
      const right = value(n.right, at, depth + 1)
      return left === undefined || right === undefined ? undefined : left + right
    }
    if (n.type !== "Identifier") return undefined
    const h = held.get(n.name)
    if (h === undefined || h.end > at || (h.kind === "var" && inner(at))) return undefined
    return value(h.init, h.end, depth + 1)
  }
  return (node) => {
    const n = node as acorn.AnyNode
    // A number key is its decimal text, as JavaScript names the member.
    if (n.type === "Literal" && typeof n.value === "number") return String(n.value)
    return value(node, node.start, 0)
  }
}
