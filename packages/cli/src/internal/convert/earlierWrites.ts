/**
 * What the rules that run before the converted one leave on `user` and `context`: under Rules the converted rule read
 * those values, while a typed rule reads the login's own. Each earlier rule's writes are found as paths (`user.roles`,
 * `user.app_metadata.plan`); a rule that hands `user` or `context` itself to a function, or keeps it under another
 * name, may write anything. A read of the converted rule that overlaps such a path is left as a TODO (Expression).
 */
import * as acorn from "acorn"
import * as walk from "acorn-walk"
import { chainOf, keyOf, writeOf } from "../analyze/chains.ts"

/** The writes of the earlier rules: paths with the rule that writes each, and the rules that may write anything. */
export interface EarlierWrites {
  readonly paths: ReadonlyArray<
    { readonly path: ReadonlyArray<string>; readonly rule: string; readonly computed?: boolean }
  >
  readonly anything: ReadonlyArray<{ readonly root: "user" | "context"; readonly rule: string }>
}

export const none: EarlierWrites = { paths: [], anything: [] }

// A path kept to two keys: a write below them (`user.app_metadata.plan.tier = 1`) changes what the two name.
const depth = 3

// `user.app_metadata = user.app_metadata || {}`: Login's metadata is always an object, so this changes nothing a typed
// rule reads.
const defaultsItself = (member: acorn.MemberExpression, parent: acorn.AnyNode | undefined): boolean => {
  if (parent?.type !== "AssignmentExpression" || parent.operator !== "=") return false
  const right = parent.right as acorn.AnyNode
  if (right.type !== "LogicalExpression" || right.operator !== "||" || right.left.type !== "MemberExpression") {
    return false
  }
  const same = JSON.stringify(chainOf(right.left).keys) === JSON.stringify(chainOf(member).keys) &&
    chainOf(right.left).root.type === "Identifier" &&
    (chainOf(right.left).root as acorn.Identifier).name === (chainOf(member).root as acorn.Identifier).name
  return same && right.right.type === "ObjectExpression" && right.right.properties.length === 0
}

// Array and collection methods that change their receiver (`user.groups.push("x")`).
const mutators = new Set([
  "push",
  "pop",
  "shift",
  "unshift",
  "splice",
  "sort",
  "reverse",
  "fill",
  "copyWithin",
  "set",
  "add",
  "delete",
  "clear"
])

// Calls that only read their arguments: `/re/.test(user.email)`, `JSON.stringify(user)`, `String(context.x)`.
const pureGlobals = new Set([
  "String",
  "Number",
  "Boolean",
  "parseInt",
  "parseFloat",
  "encodeURIComponent",
  "decodeURIComponent",
  "isNaN"
])
const pureMembers = new Set(["JSON.stringify", "Array.isArray", "Object.keys", "Object.values", "Object.entries"])

// Methods of strings, arrays, regular expressions and collections that only read their arguments
// (`allowed.indexOf(user.email)`, `/re/.test(user.email)`); taken by name, whatever the receiver.
const readingMethods = new Set([
  "indexOf",
  "lastIndexOf",
  "includes",
  "startsWith",
  "endsWith",
  "test",
  "exec",
  "match",
  "search",
  "split",
  "concat",
  "join",
  "slice",
  "has",
  "get",
  "localeCompare",
  "hasOwnProperty"
])

// Whether a call of `callee` only reads what it is given (a builtin of a plain value, or one of the pure globals).
const onlyReads = (callee: acorn.AnyNode, isData: (name: string) => boolean): boolean => {
  if (callee.type === "Identifier") return pureGlobals.has(callee.name)
  if (callee.type !== "MemberExpression") return false
  const key = keyOf(callee)
  const object = callee.object as acorn.AnyNode
  if (readingMethods.has(key ?? "")) return true
  if (object.type === "Identifier" && pureMembers.has(`${object.name}.${key}`)) return true
  if (object.type === "Identifier" && object.name === "console") return true
  // A method of the login's own data (`user.email.indexOf(x)`) other than a mutator does not write its arguments.
  const { root } = chainOf(callee)
  return root.type === "Identifier" && isData((root as acorn.Identifier).name) && !mutators.has(key ?? "")
}

// `[user.x] = a`, `({ a: user.x } = o)`, `[user.x = 1] = a`, `[...user.x] = a`: a destructuring target (acorn-walk
// visits an object pattern's values with the pattern as their parent).
const isPatternTarget = (node: acorn.AnyNode, parent: acorn.AnyNode): boolean =>
  parent.type === "ArrayPattern" || parent.type === "ObjectPattern" ||
  (parent.type === "RestElement" && parent.argument === node) ||
  (parent.type === "AssignmentPattern" && parent.left === node)

const isPattern = (node: acorn.Node): boolean => node.type === "ObjectPattern" || node.type === "ArrayPattern"

// A use of a value of the login's that may change it: written, destructured into, or handed to a call that may write
// it (`Object.assign(user.app_metadata, …)`, `_.merge(md, …)`), or the receiver of a mutator (`user.groups.push(…)`).
const mayChange = (
  node: acorn.AnyNode,
  ancestors: ReadonlyArray<acorn.Node>,
  isData: (name: string) => boolean
): boolean => {
  const parent = ancestors[ancestors.length - 2] as acorn.AnyNode | undefined
  const grand = ancestors[ancestors.length - 3] as acorn.AnyNode | undefined
  if (parent === undefined) return false
  if (writeOf(node, parent) !== undefined || isPatternTarget(node, parent)) return true
  // `var { prefs } = user.x`: what it destructures is not followed.
  if (parent.type === "VariableDeclarator" && parent.init === node) return isPattern(parent.id)
  if (parent.type === "AssignmentExpression" && parent.right === node) return isPattern(parent.left)
  if ((parent.type === "CallExpression" || parent.type === "NewExpression") && parent.callee !== node) {
    return !onlyReads(parent.callee as acorn.AnyNode, isData)
  }
  return parent.type === "MemberExpression" && parent.object === node && grand?.type === "CallExpression" &&
    grand.callee === parent && mutators.has(keyOf(parent) ?? "")
}

// A path kept to `depth` keys and cut before a computed key or `__proto__` (which changes every field of its object).
const pathOf = (prefix: ReadonlyArray<string>, keys: ReadonlyArray<string | undefined>): {
  path: ReadonlyArray<string>
  computed: boolean
} => {
  const path = [...prefix]
  for (const key of keys) {
    if (path.length >= depth) break
    if (key === undefined) return { path, computed: true }
    if (key === "__proto__") break
    path.push(key)
  }
  return { path, computed: false }
}

type Path = ReadonlyArray<string>

// The values of the login's an expression may name, root first (`user.app_metadata || {}` gives [user, app_metadata]).
const pathsNamed = (node: acorn.AnyNode, bound: (name: string) => ReadonlyArray<Path>): ReadonlyArray<Path> => {
  if (node.type === "Identifier") return bound(node.name)
  if (node.type === "ChainExpression") return pathsNamed(node.expression as acorn.AnyNode, bound)
  if (node.type === "LogicalExpression") {
    return [...pathsNamed(node.left as acorn.AnyNode, bound), ...pathsNamed(node.right as acorn.AnyNode, bound)]
  }
  if (node.type === "ConditionalExpression") {
    return [
      ...pathsNamed(node.consequent as acorn.AnyNode, bound),
      ...pathsNamed(node.alternate as acorn.AnyNode, bound)
    ]
  }
  if (node.type !== "MemberExpression") return []
  const { keys, root } = chainOf(node)
  const prefixes = root.type === "Identifier" ? bound((root as acorn.Identifier).name) : []
  return prefixes.map((prefix) => pathOf(prefix, keys).path)
}

// The locals that may hold a value of the login's (`var md = user.app_metadata`), with its paths: what is done to them
// is done to it. By name, over the whole rule (a shadowing name only adds writes, never hides one).
const aliasesOf = (
  program: acorn.Node,
  roots: ReadonlyMap<string, "user" | "context">
): ReadonlyMap<string, ReadonlyArray<Path>> => {
  const aliases = new Map<string, Array<Path>>()
  const bound = (name: string): ReadonlyArray<Path> => {
    const root = roots.get(name)
    return root === undefined ? aliases.get(name) ?? [] : [[root]]
  }
  let grew = true
  // `name = value`: each path of the login's the value may name is one the local may hold.
  const bind = (name: string, value: acorn.Node): void => {
    if (roots.has(name)) return
    const held = aliases.get(name) ?? []
    for (const path of pathsNamed(value as acorn.AnyNode, bound)) {
      if (held.some((p) => p.join(".") === path.join("."))) continue
      held.push(path)
      aliases.set(name, held)
      grew = true
    }
  }
  while (grew) {
    grew = false
    walk.simple(program, {
      VariableDeclarator(node) {
        if (node.id.type === "Identifier" && node.init != null) bind(node.id.name, node.init)
      },
      AssignmentExpression(node) {
        if (node.left.type === "Identifier") bind(node.left.name, node.right)
      }
    })
  }
  return aliases
}

// A use of a local that only reads it: `md === x`, `!md`, `typeof md`, `if (md)`, `${md}`, or (re)binding it; through
// `md && …` or `c ? md : …`, what the whole expression is used for.
const onlyReadsLocal = (ancestors: ReadonlyArray<acorn.Node>, at: number): boolean => {
  const node = ancestors[at] as acorn.AnyNode
  const parent = ancestors[at - 1] as acorn.AnyNode | undefined
  if (parent === undefined) return false
  if (
    parent.type === "LogicalExpression" || (parent.type === "ConditionalExpression" && parent.test !== node)
  ) return onlyReadsLocal(ancestors, at - 1)
  return parent.type === "BinaryExpression" || (parent.type === "UnaryExpression" && parent.operator !== "delete") ||
    parent.type === "TemplateLiteral" || (parent.type === "VariableDeclarator" && parent.id.type === "Identifier") ||
    (parent.type === "AssignmentExpression" &&
      (parent.left === node || (parent.operator === "=" && parent.left.type === "Identifier"))) ||
    ((parent.type === "IfStatement" || parent.type === "ConditionalExpression" || parent.type === "WhileStatement") &&
      parent.test === node)
}

/**
 * The writes of one earlier rule's function (`source` and `params` as Analyze gives them). A write the scan cannot
 * follow to a field (through a local alias, a call, a destructuring, `__proto__`) is taken to write the whole value it
 * reaches (`user.app_metadata`), or all of `user`/`context`.
 */
export const ofRule = (rule: string, source: string, params: ReadonlyArray<string>): EarlierWrites => {
  const roots = new Map<string, "user" | "context">()
  if (params[0] !== undefined) roots.set(params[0], "user")
  if (params[1] !== undefined) roots.set(params[1], "context")
  const callback = params[2]
  const paths: Array<{ path: ReadonlyArray<string>; rule: string; computed?: boolean }> = []
  const anything = new Set<"user" | "context">()
  const program = acorn.parse(`(${source})`, { ecmaVersion: "latest", sourceType: "script" })
  const aliases = aliasesOf(program, roots)
  const prefixesOf = (name: string): ReadonlyArray<Path> => {
    const root = roots.get(name)
    return root === undefined ? aliases.get(name) ?? [] : [[root]]
  }
  const isData = (name: string): boolean => prefixesOf(name).length > 0
  const add = (prefix: Path, keys: ReadonlyArray<string | undefined>): void => {
    const { computed, path } = pathOf(prefix, keys)
    if (path.length === 1) anything.add(path[0] as "user" | "context")
    else paths.push(computed ? { path, rule, computed } : { path, rule })
  }
  walk.fullAncestor(program, (node, _state, ancestors) => {
    const n = node as acorn.AnyNode
    const parent = ancestors[ancestors.length - 2] as acorn.AnyNode | undefined
    if (n.type === "MemberExpression") {
      const { keys, root } = chainOf(n)
      const prefixes = root.type === "Identifier" ? prefixesOf((root as acorn.Identifier).name) : []
      if (prefixes.length === 0 || defaultsItself(n, parent)) return
      // `user.__proto__ = …` (or any use of it) may change every field of `user`.
      const proto = keys.indexOf("__proto__")
      if (proto >= 0) return prefixes.forEach((prefix) => add(prefix, keys.slice(0, proto)))
      if (mayChange(n, ancestors as ReadonlyArray<acorn.Node>, isData)) prefixes.forEach((prefix) => add(prefix, keys))
      return
    }
    if (n.type !== "Identifier" || parent === undefined) return
    const alias = aliases.get(n.name)
    const named = roots.get(n.name)
    if (named === undefined && alias === undefined) return
    // `user` itself: read through a member, or handed back to callback, it is not written here.
    if (parent.type === "MemberExpression" && parent.object === n) return
    if (parent.type === "CallExpression" && parent.callee.type === "Identifier" && parent.callee.name === callback) {
      return
    }
    if (parent.type === "FunctionExpression" || parent.type === "FunctionDeclaration") return
    if (named !== undefined) return void anything.add(named)
    if (alias === undefined || onlyReadsLocal(ancestors, ancestors.length - 1)) return
    // Anything else done to the local (handed to a call, put in an array, returned) may change what it holds.
    const call = parent.type === "CallExpression" || parent.type === "NewExpression"
    if (!call || parent.callee === n || !onlyReads(parent.callee as acorn.AnyNode, isData)) {
      alias.forEach((path) => add(path, []))
    }
  })
  return { paths, anything: [...anything].map((root) => ({ root, rule })) }
}

export const merge = (all: ReadonlyArray<EarlierWrites>): EarlierWrites => ({
  paths: all.flatMap((w) => w.paths),
  anything: all.flatMap((w) => w.anything)
})

// One path is a prefix of the other.
const overlaps = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean =>
  a.every((key, i) => i >= b.length || b[i] === key)

/**
 * The earlier rules that may have changed what `path` (a read: root first) reads, most specific first: a write of the
 * field itself, then of the values nearest it above or below (`user.app_metadata` for `user.app_metadata.plan`), then
 * a rule that may write anything of the root.
 */
export const writersOf = (writes: EarlierWrites, path: ReadonlyArray<string>): ReadonlyArray<string> => {
  const near = writes.paths
    .filter((w) => overlaps(w.path, path))
    .map((w, order) => ({ rule: w.rule, distance: Math.abs(w.path.length - path.length), order }))
    .toSorted((a, b) => a.distance - b.distance || a.order - b.order)
  const whole = writes.anything.filter((w) => w.root === path[0])
  return [...new Set([...near, ...whole].map((w) => w.rule))]
}

/**
 * The earlier rule that may have left something in `context.accessToken.scope`, if any. A claim written under a
 * computed name (`context.accessToken[namespace + "email"]`) is taken to be a claim, as convert's claim translation
 * takes it.
 */
export const scopeWriterOf = (writes: EarlierWrites): string | undefined => {
  const whole = writes.anything.find((w) => w.root === "context")
  if (whole !== undefined) return whole.rule
  const path = ["context", "accessToken", "scope"]
  return writes.paths.find((w) =>
    overlaps(w.path, path) && !(w.computed === true && w.path.length === 2 && w.path[1] === "accessToken")
  )?.rule
}
