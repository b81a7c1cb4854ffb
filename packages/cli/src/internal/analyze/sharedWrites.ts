/**
 * Global-write detection: whether a member written (`a.b = 1`, `delete a.b`, a destructuring target) or handed to a
 * call that writes into its first argument (`Object.assign`, `Reflect.set`) is an object every login in flight
 * shares: a built-in, a prototype, a required module, `UnauthorizedError`. Writes to a bare name are references,
 * checked with the other names (references.ts).
 */
import type * as acorn from "acorn"
import type * as eslintScope from "eslint-scope"
import { chainOf, keyOf, render } from "./chains.ts"
import { globalObjectNames, mutators, standardGlobals } from "./globals.ts"
import { type Inspection, koNamed } from "./inspection.ts"
import { bindingAt, bindingOf, isGlobalName, parentOf, type Scopes } from "./scopes.ts"

// Whether a node is written: the target of an assignment, an update, a delete or a for-in/of, or part of one's
// destructuring pattern.
export const isTarget = (scopes: Scopes, node: acorn.Node): boolean => {
  let child = node
  for (let parent = parentOf(scopes, child); parent !== undefined; child = parent, parent = parentOf(scopes, parent)) {
    switch (parent.type) {
      case "AssignmentExpression":
      case "ForInStatement":
      case "ForOfStatement":
        return parent.left === child
      case "UpdateExpression":
        return true
      case "UnaryExpression":
        return parent.operator === "delete"
      case "ArrayPattern":
      case "ObjectPattern":
      case "RestElement":
        continue
      case "AssignmentPattern":
        if (parent.left === child) continue
        return false
      case "Property":
        if (parent.value === child && parentOf(scopes, parent)?.type === "ObjectPattern") continue
        return false
      default:
        return false
    }
  }
  return false
}

// The members a write target pattern writes: `a.b = 1`, `[a.b, c.d] = x`, `({ k: a.b } = x)`.
const memberTargets = (pattern: acorn.Node | null | undefined, into: Array<acorn.MemberExpression> = []) => {
  const p = pattern as acorn.AnyNode | null | undefined
  switch (p?.type) {
    case "MemberExpression":
      into.push(p)
      break
    case "ObjectPattern":
      for (const property of p.properties) memberTargets(property.type === "Property" ? property.value : property, into)
      break
    case "ArrayPattern":
      for (const element of p.elements) memberTargets(element, into)
      break
    case "RestElement":
      memberTargets(p.argument, into)
      break
    case "AssignmentPattern":
      memberTargets(p.left, into)
      break
  }
  return into
}

const isRequireCall = (scopes: Scopes, node: acorn.Node): boolean => {
  const n = node as acorn.AnyNode
  return n.type === "CallExpression" && n.callee.type === "Identifier" && n.callee.name === "require" &&
    bindingAt(scopes, n.callee) === "wrapper"
}

// `Object.getPrototypeOf(x)`, `Reflect.getPrototypeOf(x)`.
export const isPrototypeCall = (scopes: Scopes, node: acorn.Node): boolean => {
  const n = node as acorn.AnyNode
  if (n.type !== "CallExpression" || n.callee.type !== "MemberExpression") return false
  const callee = n.callee
  return keyOf(callee) === "getPrototypeOf" &&
    (isGlobalName(scopes, callee.object, "Object") || isGlobalName(scopes, callee.object, "Reflect"))
}

// A variable that only ever holds a required module or a part of one (`var _ = require("lodash")`,
// `const { X } = require("x")`, `var c = require("x").config`).
const holdsModule = (scopes: Scopes, variable: eslintScope.Variable): boolean =>
  variable.defs.length > 0 &&
  variable.defs.every((def) => {
    const init = def.type === "Variable" ? (def.node.init as acorn.Node | null | undefined) : undefined
    if (init === undefined || init === null) return false
    const root = init.type === "MemberExpression" ? chainOf(init as acorn.MemberExpression).root : init
    return isRequireCall(scopes, root)
  }) &&
  variable.references.every((reference) => !reference.isWrite() || reference.init === true)

// Whether the object `depth` properties below `root` is shared by every login in flight. The global object's own
// properties (depth 1) and the module objects are reported where their name is read.
const sharedValue = (scopes: Scopes, root: acorn.Node, depth: number): boolean => {
  if (isRequireCall(scopes, root) || isPrototypeCall(scopes, root)) return true
  if (root.type !== "Identifier") return false
  const id = root as acorn.Identifier
  const reference = scopes.references.get(id)
  if (reference === undefined) return false
  switch (bindingOf(scopes, reference)) {
    case "global":
      // A name that is no standard global is refused where it is read (global.undeclared).
      return globalObjectNames.has(id.name)
        ? depth > 1
        : standardGlobals.has(id.name) || id.name === "Function" || id.name === "eval"
    case "wrapper":
      return id.name === "UnauthorizedError"
    case "local":
      return reference.resolved !== null && holdsModule(scopes, reference.resolved)
  }
}

// Whether writing `node` (extra 0) or into it (extra 1, as Object.assign does) writes into a shared object.
const sharedTarget = (scopes: Scopes, node: acorn.Node, extra: 0 | 1): boolean => {
  const { keys, root } = node.type === "MemberExpression"
    ? chainOf(node as acorn.MemberExpression)
    : { keys: [], root: node }
  // The objects written into: a prototype every object of its kind shares.
  const reached = keys.slice(0, keys.length - 1 + extra)
  if (reached.includes("__proto__")) return true
  if (reached.some((key, i) => key === "constructor" && reached[i + 1] === "prototype")) return true
  return sharedValue(scopes, root, keys.length + extra)
}

// `Object.assign(process.env, ...)`, `Object.defineProperty(Object.prototype, ...)`.
export const onMutator = (inspection: Inspection, call: acorn.CallExpression | acorn.NewExpression): void => {
  const { scopes } = inspection
  if (call.callee.type !== "MemberExpression" || call.callee.object.type !== "Identifier") return
  const methods = mutators.get(call.callee.object.name)
  const key = keyOf(call.callee)
  const [target] = call.arguments
  if (methods === undefined || key === undefined || !methods.has(key) || target === undefined) return
  if (bindingAt(scopes, call.callee.object) !== "global") return
  if (sharedTarget(scopes, target, 1)) {
    koNamed(inspection, call, "global.shared", `${render(call.callee)}(${render(target)}, …)`)
  }
}

// Writes into an object every login shares; writes to a bare name are references (references.ts).
export const onWrite = (inspection: Inspection, target: acorn.Node | null | undefined): void => {
  for (const member of memberTargets(target)) {
    if (sharedTarget(inspection.scopes, member, 0)) koNamed(inspection, member, "global.shared", render(member))
  }
}

// Array methods that call what they are given (`roles.map(String)`, `values.filter(Boolean)`) without handing it on.
const callingMethods = new Set([
  "map",
  "filter",
  "some",
  "every",
  "find",
  "findIndex",
  "forEach",
  "flatMap",
  "reduce",
  "then"
])

// `Math.PI`, `Number.MAX_SAFE_INTEGER`, `Date.length`: a primitive, which nothing can change.
const isPrimitiveMember = (member: acorn.MemberExpression, root: string): boolean => {
  const key = keyOf(member)
  if (key === "length" || key === "name") return true
  return (root === "Math" || root === "Number") && member.object.type === "Identifier" && key !== undefined &&
    /^[A-Z][A-Z0-9_]*$/.test(key)
}

const isArgument = (scopes: Scopes, node: acorn.Node): boolean => {
  const parent = parentOf(scopes, node) as acorn.AnyNode | undefined
  return (parent?.type === "CallExpression" || parent?.type === "NewExpression") && parent.callee !== node
}

// Whether the built-in value `node` is only read where it is: called (`Date.now()`, `new Date()`), compared or tested
// (`x instanceof Date`, `typeof Symbol`), a key (`o[Symbol.iterator]`), a statement of its own, written (refused as a
// write: onWrite), or called back by an array method. Anywhere else (a local, a literal, an argument, returned) it
// is a value the analysis no longer follows, through which a built-in every login shares may be changed (`var pr =
// Object.prototype; Object.assign(pr, …)`, `var d = Date; d.now = …`).
const onlyRead = (scopes: Scopes, node: acorn.Node): boolean => {
  const parent = parentOf(scopes, node) as acorn.AnyNode | undefined
  switch (parent?.type) {
    case undefined:
    case "BinaryExpression":
    case "ExpressionStatement":
    case "UnaryExpression":
      return true
    // A template's part, not a tagged template's (whose tag is given it as a value).
    case "TemplateLiteral":
      return parentOf(scopes, parent)?.type !== "TaggedTemplateExpression"
    case "CallExpression":
    case "NewExpression": {
      if (parent.callee === node) return true
      const callee = parent.callee as acorn.AnyNode
      if (callee.type !== "MemberExpression") return false
      // `Object.assign(Object.prototype, …)`: refused as the write it is (onMutator).
      const mutator = callee.object.type === "Identifier" && mutators.get(callee.object.name)?.has(keyOf(callee) ?? "")
      // `Object.create(Error.prototype)`, `Object.setPrototypeOf(o, Error.prototype)`: a prototype inherited from.
      const inherited = callee.object.type === "Identifier" && callee.object.name === "Object" &&
        parent.arguments[keyOf(callee) === "create" ? 0 : keyOf(callee) === "setPrototypeOf" ? 1 : -1] === node
      return callingMethods.has(keyOf(callee) ?? "") || (mutator === true && parent.arguments[0] === node) || inherited
    }
    case "LogicalExpression":
      return onlyRead(scopes, parent)
    case "ConditionalExpression":
      return parent.test === node || onlyRead(scopes, parent)
    case "IfStatement":
    case "WhileStatement":
    case "DoWhileStatement":
    case "ForStatement":
      return parent.test === node
    case "MemberExpression":
      return parent.computed && parent.property === node
    case "Property":
    case "MethodDefinition":
    case "PropertyDefinition":
      return parent.computed && parent.key === node
    default:
      return isTarget(scopes, node)
  }
}

/**
 * A standard global that is an object (`Object`, `Date`, `JSON`, not `undefined`), read by the rule: what it and its
 * members (`Object.prototype`) are used for. Taken as a value the analysis does not follow, it is refused as a write
 * into a shared object could be (global.shared).
 */
export const onBuiltin = (inspection: Inspection, id: acorn.Identifier): void => {
  const { scopes } = inspection
  // `util.inherits(F, Error)`: an error class handed on to be extended.
  if (id.name.endsWith("Error") && isArgument(scopes, id)) return
  let top: acorn.Node = id
  for (let parent = parentOf(scopes, top); parent?.type === "MemberExpression" && parent.object === top;) {
    // `navigator.userAgent`, `Math.PI`: a value of an instance global (lowercase), or a primitive.
    if (isPrimitiveMember(parent, id.name) || (/^[a-z]/.test(id.name) && keyOf(parent) !== "prototype")) return
    top = parent
    parent = parentOf(scopes, top)
  }
  if (!onlyRead(scopes, top)) koNamed(inspection, top, "global.shared", `${render(top)} taken as a value`)
}
