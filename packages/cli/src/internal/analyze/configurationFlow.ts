/**
 * Where `configuration` settings may flow among the rule's locals: a sound over-approximation, for `rulefx convert` to
 * leave a claim or redirect to the user whenever its value may hold one. Locals that exchange values in any way are
 * put in one class (a union-find): a write (`var p = o`, `x = f(o)`), a fill (`o.k = e`, `o.push(e)`, `f(o, e)`), the
 * parts of one call (`[o].forEach(...)`, `Object.assign(o, e)`). Every parameter of every function the rule declares is
 * one class with whatever any call that may reach such a function is given (a call handed a function, or of a local
 * that holds one: `[configuration.KEY].forEach(function (v) { o.k = v })`, `setK(configuration.KEY)`), and so is a
 * caught error with whatever is thrown. A class holds each setting read anywhere in what flows into it. Aliases
 * share their class both ways (`var p = o; p.k = configuration.KEY` taints `o`), and a write takes in the whole
 * expression written, functions and all (what a function returns flows into its result). The rule's own `user`,
 * `context` and `callback` are not locals here.
 */
import type * as acorn from "acorn"
import * as walk from "acorn-walk"
import type * as eslintScope from "eslint-scope"
import { keyOf } from "./chains.ts"
import type { Inspection } from "./inspection.ts"
import { bindingAt, parentOf } from "./scopes.ts"

/** The settings that may flow into each local of the rule. */
export interface Flow {
  readonly keysOf: (variable: eslintScope.Variable) => ReadonlySet<string>
}

/** The setting `node` reads when it is `configuration.KEY` (the Rules global, not a local of that name). */
export const settingOf = (inspection: Inspection, node: acorn.Node): string | undefined => {
  const n = node as acorn.AnyNode
  if (n.type !== "MemberExpression") return undefined
  const root = n.object
  return root.type === "Identifier" && root.name === "configuration" && bindingAt(inspection.scopes, root) === "wrapper"
    ? keyOf(n)
    : undefined
}

/**
 * What one reference to a local puts into it: the value written, the right side of an assignment to one of its fields,
 * the arguments of a call of one of its methods or of a call it is passed to.
 */
export const fillsOf = (inspection: Inspection, reference: eslintScope.Reference): Array<acorn.Node> => {
  const written = reference.writeExpr as acorn.Node | null | undefined
  const identifier = reference.identifier as unknown as acorn.Node
  let at = identifier
  let parent = parentOf(inspection.scopes, at)
  while (parent?.type === "MemberExpression" && parent.object === at) {
    at = parent
    parent = parentOf(inspection.scopes, at)
  }
  const fills = written === null || written === undefined ? [] : [written]
  if (parent?.type === "AssignmentExpression" && parent.left === at && at !== identifier) {
    fills.push(parent.right)
  }
  if (parent?.type === "CallExpression" && (parent.callee !== at || at !== identifier)) {
    fills.push(...parent.arguments)
  }
  return fills
}

const isFunction = (node: acorn.Node): boolean =>
  node.type === "FunctionExpression" || node.type === "ArrowFunctionExpression" ||
  node.type === "FunctionDeclaration"

// One class of locals: its settings and whether a function flows into it.
interface Class {
  parent: Class | undefined
  readonly keys: Set<string>
  functions: boolean
}

const find = (c: Class): Class => {
  let root = c
  while (root.parent !== undefined) root = root.parent
  return root
}

const union = (a: Class, b: Class): Class => {
  const [ra, rb] = [find(a), find(b)]
  if (ra === rb) return ra
  rb.parent = ra
  rb.keys.forEach((key) => ra.keys.add(key))
  ra.functions ||= rb.functions
  return ra
}

const fresh = (): Class => ({ parent: undefined, keys: new Set(), functions: false })

const cache = new WeakMap<Inspection, Flow>()

/** The rule's flow, computed once per inspection. */
export const flowOf = (inspection: Inspection): Flow => {
  const known = cache.get(inspection)
  if (known !== undefined) return known
  const flow = compute(inspection)
  cache.set(inspection, flow)
  return flow
}

// The classes of the rule's locals, and how what a node reads joins one.
interface Classes {
  // Every parameter of the rule's own functions, `arguments` there, caught errors: what calls and throws hand over.
  readonly handed: Class
  readonly classOf: (variable: eslintScope.Variable) => Class | undefined
  // Everything `node` reads flows into `into`: its locals and settings, and whether it holds a function; `whole`:
  // what the functions in it read too (what they return), else only that they are functions (a call's callback).
  readonly mix: (into: Class, node: acorn.Node, whole: boolean) => Class
}

const classesOf = (inspection: Inspection): Classes => {
  const { rule } = inspection.scopes
  const handed = fresh()
  const classes = new Map<eslintScope.Variable, Class>()
  const isHanded = (variable: eslintScope.Variable): boolean =>
    variable.defs.some((def) => (def.type === "Parameter" && def.node !== rule) || def.type === "CatchClause") ||
    (variable.name === "arguments" && variable.defs.length === 0 && variable.scope.block !== rule)
  // The rule's parameters, its own name, `arguments` (its parameters again) and the globals are not locals here.
  const isRuleOwn = (variable: eslintScope.Variable): boolean =>
    variable.scope.type === "global" || variable.defs.some((def) => (def.node as unknown) === rule) ||
    (variable.name === "arguments" && variable.scope.block === rule)
  const classOf = (variable: eslintScope.Variable): Class | undefined => {
    if (isRuleOwn(variable)) return undefined
    if (isHanded(variable)) return handed
    const known = classes.get(variable)
    if (known !== undefined) return known
    const made = fresh()
    classes.set(variable, made)
    return made
  }
  const classAt = (node: acorn.Node): Class | undefined => {
    const variable = node.type === "Identifier" ? inspection.scopes.references.get(node)?.resolved : undefined
    return variable === null || variable === undefined ? undefined : classOf(variable)
  }
  const mix = (into: Class, node: acorn.Node, whole: boolean): Class => {
    let at = into
    walk.fullAncestor(node, (n, _state, ancestors) => {
      if (!whole && ancestors.slice(0, -1).some(isFunction)) return
      if (isFunction(n)) find(at).functions = true
      const key = settingOf(inspection, n)
      if (key !== undefined) find(at).keys.add(key)
      const other = classAt(n)
      if (other !== undefined) at = union(at, other)
    })
    return at
  }
  return { handed, classOf, mix }
}

// Each local with what any write or fill of it reads, and a function the rule declares with its body.
const joinWrites = (inspection: Inspection, { classOf, mix }: Classes): void => {
  for (const variable of inspection.scopes.manager.scopes.flatMap((scope) => scope.variables)) {
    const own = classOf(variable)
    if (own === undefined) continue
    for (const def of variable.defs) {
      if (def.type === "FunctionName") mix(own, def.node as unknown as acorn.Node, true)
    }
    for (const reference of variable.references) {
      for (const filled of fillsOf(inspection, reference)) mix(own, filled, true)
    }
  }
}

// A call's callee and arguments exchange values; one that may reach a function of the rule's (a function among them)
// hands them to its parameters. What is thrown reaches a caught error.
const joinCalls = (inspection: Inspection, { handed, mix }: Classes): void => {
  const parts: Array<Class> = []
  walk.full(inspection.scopes.rule, (n) => {
    if (n.type === "ThrowStatement") union(handed, mix(fresh(), (n as acorn.ThrowStatement).argument, true))
    if (n.type !== "CallExpression" && n.type !== "NewExpression") return
    const call = n as acorn.CallExpression | acorn.NewExpression
    const callee = call.callee.type === "MemberExpression" ? call.callee.object : call.callee
    parts.push([callee, ...call.arguments].reduce((c: Class, part) => mix(c, part, false), fresh()))
  })
  // Until no call joins: one joining gives its locals what the parameters hold, functions among them.
  for (let changed = true; changed;) {
    changed = false
    for (const part of parts) {
      if (find(part).functions && find(part) !== find(handed)) {
        union(handed, part)
        changed = true
      }
    }
  }
}

const none: ReadonlySet<string> = new Set()

const compute = (inspection: Inspection): Flow => {
  const classes = classesOf(inspection)
  joinWrites(inspection, classes)
  joinCalls(inspection, classes)
  return {
    keysOf: (variable) => {
      const own = classes.classOf(variable)
      return own === undefined ? none : find(own).keys
    }
  }
}
