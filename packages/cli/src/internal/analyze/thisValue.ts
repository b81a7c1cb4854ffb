/**
 * The `this` rule: a `this` is refused (`global.this`) where it can be the global object or the runtime's own object:
 * at the rule's own level, in a sloppy-mode function called plainly or handed to code that may call it so, and in
 * arrow functions that inherit either. A function has a receiver when it is strict, or when the rule visibly uses it
 * as a method or a constructor and never calls it plainly.
 */
import type * as acorn from "acorn"
import type * as eslintScope from "eslint-scope"
import { keyOf } from "./chains.ts"
import { type Inspection, koNamed } from "./inspection.ts"
import { isGlobalName, parentOf, type Scopes } from "./scopes.ts"

// `null`, `undefined`, `void x`: a call with one of these as its receiver gives a sloppy function the global object.
const isNullish = (scopes: Scopes, node: acorn.Node): boolean => {
  const n = node as acorn.AnyNode
  return (n.type === "Literal" && n.value === null) || isGlobalName(scopes, n, "undefined") ||
    (n.type === "UnaryExpression" && n.operator === "void")
}

/**
 * What a `this` is: fine (an object of the rule's own, or `undefined`), the global object at the rule's own level
 * or in a function called without a receiver, or the runtime's own object (in an arrow-function rule).
 */
type ThisKind = "fine" | "rule" | "plain" | "runtime"

const thisDetail: Record<Exclude<ThisKind, "fine">, string> = {
  rule: "this at the rule's own level",
  plain: "this in a function called without a receiver",
  runtime: "this in an arrow-function rule"
}

interface Uses {
  receiver: number
  plain: number
  other: number
}

const receiverMethods: ReadonlySet<string> = new Set(["call", "apply", "bind"])

type Use = keyof Uses | "none"

// A member read off the function: `F.prototype`, `f.call(obj)`, `f.apply(null)`, `f.name`.
const memberUse = (scopes: Scopes, member: acorn.MemberExpression): Use => {
  const key = keyOf(member)
  if (key === "prototype") return "receiver"
  const call = parentOf(scopes, member)
  if (key !== undefined && receiverMethods.has(key) && call?.type === "CallExpression" && call.callee === member) {
    const [receiver] = call.arguments
    return receiver === undefined || isNullish(scopes, receiver) ? "plain" : "receiver"
  }
  // `f.name`, `f.length`; a computed key could be `call`.
  return key === undefined ? "other" : "none"
}

// How a function value (or a name holding it) is used at `node`: with a receiver (a method, a constructor,
// `.call(obj)`), plainly (`f()`, `.call(null)`), handed on to code that may do either, or not at all.
const useAt = (scopes: Scopes, node: acorn.Node, parent: acorn.AnyNode | undefined): Use => {
  switch (parent?.type) {
    case "Property":
      return parent.value === node && parentOf(scopes, parent)?.type === "ObjectExpression" ? "receiver" : "other"
    case "MethodDefinition":
      return "receiver"
    case "NewExpression":
      return parent.callee === node ? "receiver" : "other"
    case "CallExpression":
      return parent.callee === node ? "plain" : "other"
    case "MemberExpression":
      return parent.object === node ? memberUse(scopes, parent) : "other"
    case "AssignmentExpression":
      return parent.right === node && parent.left.type === "MemberExpression" ? "receiver" : "other"
    case "UnaryExpression":
      return parent.operator === "typeof" ? "none" : "other"
    // A comparison or a bare expression calls nothing.
    case "BinaryExpression":
    case "ExpressionStatement":
      return "none"
    default:
      return "other"
  }
}

// The variables a function value is stored in, whose uses are then the function's: `var f = function () {}`,
// `f = function () {}`.
const aliasesAt = (
  scopes: Scopes,
  node: acorn.Node,
  parent: acorn.AnyNode | undefined
): ReadonlyArray<eslintScope.Variable> | undefined => {
  if (
    parent?.type === "AssignmentExpression" && parent.right === node && parent.operator === "=" &&
    parent.left.type === "Identifier"
  ) {
    const variable = scopes.references.get(parent.left)?.resolved
    return variable === null || variable === undefined ? undefined : [variable]
  }
  if (parent?.type === "VariableDeclarator" && parent.init === node && parent.id.type === "Identifier") {
    return scopes.manager.getDeclaredVariables(parent as never)
  }
  return undefined
}

const countUse = (scopes: Scopes, node: acorn.Node, uses: Uses, follow: boolean): void => {
  const parent = parentOf(scopes, node)
  const aliases = follow ? aliasesAt(scopes, node, parent) : undefined
  if (aliases !== undefined) {
    for (const variable of aliases) countVariable(scopes, variable, uses)
    return
  }
  const use = useAt(scopes, node, parent)
  if (use !== "none") uses[use]++
}

const countVariable = (scopes: Scopes, variable: eslintScope.Variable, uses: Uses): void => {
  for (const reference of variable.references) {
    if (!reference.isWrite()) countUse(scopes, reference.identifier as never, uses, false)
  }
}

const usesOf = (scopes: Scopes, fn: acorn.Function): Uses => {
  const uses = { receiver: 0, plain: 0, other: 0 }
  for (const variable of scopes.manager.getDeclaredVariables(fn as never)) {
    if (variable.defs.some((def) => def.type === "FunctionName" && (def.node as unknown) === fn)) {
      countVariable(scopes, variable, uses)
    }
  }
  if (fn.type !== "FunctionDeclaration") countUse(scopes, fn, uses, true)
  return uses
}

const functionThis = (scopes: Scopes, fn: acorn.Function): ThisKind => {
  const strict = scopes.manager.acquire(fn as never, true)?.isStrict === true
  // The runtime calls the rule itself without a receiver.
  if (fn === scopes.rule) return strict ? "fine" : "rule"
  if (strict) return "fine"
  const uses = usesOf(scopes, fn)
  return uses.plain === 0 && uses.receiver > 0 ? "fine" : "plain"
}

const thisKind = (scopes: Scopes, node: acorn.ThisExpression): ThisKind => {
  let child: acorn.Node = node
  for (let parent = parentOf(scopes, child); parent !== undefined; child = parent, parent = parentOf(scopes, parent)) {
    switch (parent.type) {
      case "FunctionExpression":
      case "FunctionDeclaration":
        return functionThis(scopes, parent)
      // A class field's initializer and a static block see the instance or the class.
      case "PropertyDefinition":
        if (parent.value === child) return "fine"
        break
      case "StaticBlock":
        return "fine"
    }
  }
  // Above an arrow-function rule: the wrapper, which the runtime calls on its own object.
  return "runtime"
}

export const onThis = (inspection: Inspection, node: acorn.ThisExpression): void => {
  const kind = thisKind(inspection.scopes, node)
  if (kind !== "fine") koNamed(inspection, node, "global.this", thisDetail[kind])
}
