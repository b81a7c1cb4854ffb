/**
 * Scope resolution: the rule as it runs (inside the generated wrapper, in sloppy mode) analysed by eslint-scope,
 * with the hoisting of block-level functions eslint-scope leaves out (Annex B.3.3), and where each name resolves:
 * the rule's own scopes, the wrapper's parameters, or the global object.
 */
import type * as acorn from "acorn"
import type * as eslintScope from "eslint-scope"
import { createRequire } from "node:module"
import { wrapperNames } from "./globals.ts"
import type { RuleFunction } from "./locate.ts"

export type ScopeNode = acorn.FunctionExpression | acorn.ArrowFunctionExpression

/** Where a name resolves as the rule runs: the rule's own scopes, the wrapper's parameters, or the global object. */
export type Binding = "local" | "wrapper" | "global"

export interface Scopes {
  /** The rule as it runs: a function expression (a declaration is returned as an expression by the wrapper). */
  readonly rule: ScopeNode
  readonly manager: eslintScope.ScopeManager
  readonly parents: WeakMap<acorn.Node, acorn.Node>
  readonly references: Map<acorn.Node, eslintScope.Reference>
  /** Per function scope, the names its block-level functions add to it (sloppy mode, Annex B.3.3). */
  readonly hoisted: Map<eslintScope.Scope, ReadonlySet<string>>
}

const isNode = (value: unknown): value is acorn.Node =>
  typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string"

/** A node's children, in the order of its keys. */
export const childrenOf = (node: acorn.Node): Array<acorn.Node> => {
  const children: Array<acorn.Node> = []
  for (const [key, value] of Object.entries(node)) {
    if (key === "loc" || key === "range") continue
    if (Array.isArray(value)) children.push(...value.filter(isNode))
    else if (isNode(value)) children.push(value)
  }
  return children
}

/** Each node's parent, under `root`. */
export const parentsOf = (root: acorn.Node): WeakMap<acorn.Node, acorn.Node> => {
  const parents = new WeakMap<acorn.Node, acorn.Node>()
  const stack = [root]
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    for (const child of childrenOf(node)) {
      parents.set(child, node)
      stack.push(child)
    }
  }
  return parents
}

// The program the rule is as it runs: `return (<source>)` makes a declaration an expression, whose name is bound
// inside it only.
const programOf = (rule: ScopeNode): acorn.Program => {
  const at = { start: rule.start, end: rule.end, range: [rule.start, rule.end], loc: rule.loc }
  return {
    type: "Program",
    sourceType: "script",
    body: [{ type: "ExpressionStatement", expression: rule, ...at } as acorn.ExpressionStatement],
    ...at
  } as acorn.Program
}

const asExpression = (fn: RuleFunction): ScopeNode =>
  fn.type === "FunctionDeclaration" ? { ...fn, type: "FunctionExpression" } as acorn.FunctionExpression : fn

// A let, const or class of the name between a block-level function and its function scope stops the hoisting, and so
// does a destructured catch parameter (a `var` of its name there would be an early error; a plain `catch (a)` is
// Annex B.3.4's exception and does not stop it).
const blocksHoisting = (d: eslintScope.Definition): boolean =>
  d.type === "ClassName" ||
  (d.type === "Variable" && d.kind !== "var") ||
  (d.type === "CatchClause" && (d.node as unknown as acorn.CatchClause).param?.type !== "Identifier")

const hoistBlocked = (from: eslintScope.Scope | null, target: eslintScope.Scope, name: string): boolean => {
  for (let scope = from; scope !== null; scope = scope.upper) {
    const defs = scope.set.get(name)?.defs ?? []
    if (defs.some(blocksHoisting)) return true
    if (scope === target) return false
  }
  return false
}

const hoistedOf = (manager: eslintScope.ScopeManager): Map<eslintScope.Scope, ReadonlySet<string>> => {
  const hoisted = new Map<eslintScope.Scope, Set<string>>()
  for (const scope of manager.scopes) {
    if (scope.type === "function" || scope.type === "global" || scope.isStrict) continue
    for (const variable of scope.variables) {
      const plain = variable.defs.some((d) =>
        d.type === "FunctionName" && d.node.type === "FunctionDeclaration" && !d.node.async && !d.node.generator
      )
      if (!plain || hoistBlocked(scope.upper, scope.variableScope, variable.name)) continue
      const names = hoisted.get(scope.variableScope) ?? new Set()
      hoisted.set(scope.variableScope, names.add(variable.name))
    }
  }
  return hoisted
}

// Loaded on the first analysis, not with the module: every rulefx command imports this module, few analyse a rule.
let scopeAnalyzer: typeof eslintScope | undefined
/** eslint-scope, loaded on first use (ruleSource.ts's compaction uses it too). */
export const loadScopeAnalyzer = (): typeof eslintScope =>
  scopeAnalyzer ??= createRequire(import.meta.url)("eslint-scope") as typeof eslintScope

export const scopesOf = (fn: RuleFunction): Scopes => {
  const rule = asExpression(fn)
  const program = programOf(rule)
  const manager = loadScopeAnalyzer().analyze(program as never, {
    ecmaVersion: 2025,
    sourceType: "script",
    // A direct eval is refused or accepted on its own; letting it make every scope dynamic would leave every name
    // unresolved.
    ignoreEval: true
  })
  const references = new Map<acorn.Node, eslintScope.Reference>()
  for (const scope of manager.scopes) {
    for (const reference of scope.references) references.set(reference.identifier as never, reference)
  }
  return { rule, manager, parents: parentsOf(program), references, hoisted: hoistedOf(manager) }
}

// A function's parameters do not see the variables of its body (with defaults, the body gets its own environment).
const inParameters = (node: acorn.Node, scope: eslintScope.Scope): boolean => {
  const body = (scope.block as { readonly body?: acorn.Node }).body
  return body !== undefined && node.start >= (scope.block as unknown as acorn.Node).start && node.start < body.start
}

export const bindingOf = (scopes: Scopes, reference: eslintScope.Reference): Binding => {
  if (reference.resolved !== null) return "local"
  const id = reference.identifier as acorn.Identifier
  for (let scope: eslintScope.Scope | null = reference.from; scope !== null; scope = scope.upper) {
    if (scopes.hoisted.get(scope)?.has(id.name) && !inParameters(id, scope)) return "local"
  }
  const name = id.name
  // `arguments` resolves in every non-arrow function: unresolved, it is the wrapper's (an arrow-function rule).
  return wrapperNames.has(name) || name === "arguments" ? "wrapper" : "global"
}

export const inWith = (reference: eslintScope.Reference): boolean => {
  for (let scope: eslintScope.Scope | null = reference.from; scope !== null; scope = scope.upper) {
    if (scope.type === "with") return true
  }
  return false
}

export const parentOf = (scopes: Scopes, node: acorn.Node): acorn.AnyNode | undefined =>
  scopes.parents.get(node) as acorn.AnyNode | undefined

export const bindingAt = (scopes: Scopes, node: acorn.Node): Binding => {
  const reference = scopes.references.get(node)
  return reference === undefined ? "local" : bindingOf(scopes, reference)
}

export const isGlobalName = (scopes: Scopes, node: acorn.Node, name: string): boolean =>
  node.type === "Identifier" && (node as acorn.Identifier).name === name && bindingAt(scopes, node) === "global"
