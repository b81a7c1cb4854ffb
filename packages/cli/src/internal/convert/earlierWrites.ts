/**
 * What the rules that run before the converted one leave on `user` and `context`: under Rules the converted rule read
 * those values, while a typed rule reads the login's own. Each earlier rule's writes are found as paths (`user.roles`,
 * `user.app_metadata.plan`); a rule that hands `user` or `context` itself to a function, keeps it under another
 * name, or reads `arguments`, may write anything. A read of the converted rule that overlaps such a path is left as a TODO (Expression).
 */
import * as acorn from "acorn"
import * as walk from "acorn-walk"
import { chainOf, keyOf, writeOf } from "../analyze/chains.ts"
import * as HeldKeys from "./heldKeys.ts"

/**
 * The writes of the earlier rules: paths with the rule that writes each (and the line of the rule's file, when known),
 * and the rules that may write anything.
 */
export interface EarlierWrites {
  readonly paths: ReadonlyArray<
    {
      readonly path: ReadonlyArray<string>
      readonly rule: string
      readonly computed?: boolean
      readonly line?: number
      /**
       * A plain `=` to the path itself (`user.perms = x`): it replaces the value there, and so changes nothing of an
       * object that was there (Copy).
       */
      readonly replaces?: boolean
    }
  >
  readonly anything: ReadonlyArray<{ readonly root: "user" | "context"; readonly rule: string; readonly line?: number }>
  /**
   * The `configuration` settings each rule reads (`configuration[…]` for one it reads by a computed key): any of its
   * writes may hold one. Convert follows a setting within one rule only.
   */
  readonly settings: ReadonlyArray<{ readonly rule: string; readonly keys: ReadonlyArray<string> }>
  /** The login's values a rule puts in another field of `user`/`context` as they are (Copy). */
  readonly copies: ReadonlyArray<Copy>
}

/**
 * `user.perms = user.app_metadata.perms`: the field `path` holds the very value at `from` (an object the two share),
 * so a change in place through either (`user.perms.push(x)`, `user.app_metadata.perms.splice(0)`) is a change of the
 * other.
 */
export interface Copy {
  readonly path: ReadonlyArray<string>
  readonly from: ReadonlyArray<string>
  readonly rule: string
}

export const none: EarlierWrites = { paths: [], anything: [], settings: [], copies: [] }

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

// Calls that only read their arguments and return a fresh primitive: `/re/.test(user.email)`, `JSON.stringify(user)`,
// `String(context.x)` (`Object.values(md)` is not one: it returns md's own values, which the caller may then change).
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
const pureMembers = new Set(["JSON.stringify", "Array.isArray", "Object.keys"])

// Methods of strings, arrays, regular expressions and collections that only read their receiver and arguments and
// return a primitive or fresh strings (`allowed.indexOf(user.email)`, `/re/.test(user.email)`,
// `user.email.split("@")`); taken by name, whatever the receiver. Any other method (`splice`, `sort`, `forEach`,
// whose callback is handed the receiver, `slice` or `find`, whose result holds the receiver's own values) may change
// its receiver and its arguments.
const readOnlyMethods = new Set([
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
  "join",
  "has",
  "localeCompare",
  "hasOwnProperty",
  "toString",
  "toLowerCase",
  "toUpperCase",
  "trim",
  "trimStart",
  "trimEnd",
  "charAt",
  "charCodeAt",
  "substring",
  "substr",
  "padStart",
  "padEnd",
  "replace",
  "replaceAll"
])

// Whether a method call of key `key` (undefined: computed) only reads its receiver.
const isReadOnlyMethod = (key: string | undefined): boolean => key !== undefined && readOnlyMethods.has(key)

// Whether a call of `callee` only reads what it is given (a read-only method, or one of the pure globals).
const onlyReads = (callee: acorn.AnyNode): boolean => {
  if (callee.type === "Identifier") return pureGlobals.has(callee.name)
  if (callee.type !== "MemberExpression") return false
  const key = keyOf(callee)
  const object = callee.object as acorn.AnyNode
  if (isReadOnlyMethod(key)) return true
  if (object.type === "Identifier" && pureMembers.has(`${object.name}.${key}`)) return true
  return object.type === "Identifier" && object.name === "console"
}

// The call of which `node` is the receiver (`node.splice(0)`), if it is one.
const receiverOf = (node: acorn.Node, parent: acorn.AnyNode | undefined, grand: acorn.AnyNode | undefined) =>
  parent?.type === "MemberExpression" && parent.object === node && grand?.type === "CallExpression" &&
    grand.callee === parent
    ? parent
    : undefined

// Where a value is only read, and not handed on to anything that may keep or change it: compared or tested (`md ===
// x`, `typeof md`, `if (md)`, `switch (md)`, `k in md`), a statement of its own, iterated by key (`for … in`), a key
// (`o[md]`), the object of a member (whose own use is asked on its own) or the callee of a call (whose receiver is
// asked on its own), in an untagged template, or bound to a local name (which is followed: aliasesOf). Anything else
// (thrown, yielded, awaited, returned, put in a literal, a member, a class field or a default value, spread, a `with`
// scope, a tagged template…) hands it to code the scan does not follow, which may change it.
const isReadOnly = (node: acorn.Node, parent: acorn.AnyNode, grand: acorn.AnyNode | undefined): boolean => {
  switch (parent.type) {
    case "BinaryExpression":
    case "ExpressionStatement":
      return true
    case "UnaryExpression":
      return parent.operator !== "delete"
    case "IfStatement":
    case "WhileStatement":
    case "DoWhileStatement":
    case "ForStatement":
    case "ConditionalExpression":
    case "SwitchCase":
      return parent.test === node
    case "SwitchStatement":
      return parent.discriminant === node
    case "ForInStatement":
      return parent.right === node
    case "MemberExpression":
      return parent.object === node || (parent.computed && parent.property === node)
    case "CallExpression":
      return parent.callee === node
    case "TemplateLiteral":
      return grand?.type !== "TaggedTemplateExpression"
    case "VariableDeclarator":
      return parent.init === node && parent.id.type === "Identifier"
    case "AssignmentExpression":
      return parent.right === node && parent.left.type === "Identifier"
    default:
      return false
  }
}

// `[user.x] = a`, `({ a: user.x } = o)`, `[user.x = 1] = a`, `[...user.x] = a`: a destructuring target (acorn-walk
// visits an object pattern's values with the pattern as their parent).
const isPatternTarget = (node: acorn.AnyNode, parent: acorn.AnyNode): boolean =>
  parent.type === "ArrayPattern" || parent.type === "ObjectPattern" ||
  (parent.type === "RestElement" && parent.argument === node) ||
  (parent.type === "AssignmentPattern" && parent.left === node)

const isPattern = (node: acorn.Node): boolean => node.type === "ObjectPattern" || node.type === "ArrayPattern"

// Where the value at `ancestors[at]` is used: through `a || v`, `a && v`, `a ?? v`, `c ? v : b`, `(a, v)` and `v?.x`,
// the whole expression may be it (`Object.assign(x || user.app_metadata, …)` hands the call `user.app_metadata`).
// The index in `ancestors` of the outermost such expression.
const usedAt = (ancestors: ReadonlyArray<acorn.Node>, at: number): number => {
  const node = ancestors[at] as acorn.AnyNode
  const parent = ancestors[at - 1] as acorn.AnyNode | undefined
  const passes = parent !== undefined && (
    parent.type === "LogicalExpression" || parent.type === "ChainExpression" ||
    (parent.type === "ConditionalExpression" && parent.test !== node) ||
    (parent.type === "SequenceExpression" && parent.expressions.at(-1) === node)
  )
  return passes ? usedAt(ancestors, at - 1) : at
}

// Whether `ancestors[at]`, a value put in a literal or a member, is put there only to be a token's claim:
// `context.idToken[k] = user.app_metadata.roles` or `= { roles: … }` sends a copy (Auth0 serialized the claims). A
// later rule changing the claim in place is not followed back to the value. `isClaim(member, whole)`: whether a
// member is a claim, or (`whole`: the value itself is assigned) one of the login's (`context.entry =
// context.protocol`), whose writes are the login's own, followed by their path.
const onlyClaimed = (
  ancestors: ReadonlyArray<acorn.Node>,
  at: number,
  isClaim: (node: acorn.Node, whole: boolean) => boolean,
  whole = true
): boolean => {
  const node = ancestors[at] as acorn.AnyNode
  const parent = ancestors[at - 1] as acorn.AnyNode | undefined
  if (parent === undefined) return false
  if (parent.type === "AssignmentExpression") return parent.right === node && isClaim(parent.left, whole)
  if (parent.type === "ArrayExpression") return onlyClaimed(ancestors, at - 1, isClaim, false)
  return parent.type === "Property" && parent.value === node && onlyClaimed(ancestors, at - 2, isClaim, false)
}

// A use of a value of the login's that may change it: written, destructured into, handed to a call that may write it
// (`Object.assign(user.app_metadata, …)`, `_.merge(md, …)`), the receiver of a method not known to only read
// (`user.groups.push(…)`, `roles.splice(0)`, `roles.forEach(…)`), or handed on where the rule no longer follows it (an
// array or object literal, a member, a `return`). `isClaim`: whether a member is a token's claim.
const mayChange = (
  node: acorn.AnyNode,
  ancestors: ReadonlyArray<acorn.Node>,
  isClaim: (node: acorn.Node, whole: boolean) => boolean
): boolean => {
  const parent = ancestors[ancestors.length - 2] as acorn.AnyNode | undefined
  if (parent === undefined) return false
  if (writeOf(node, parent) !== undefined || isPatternTarget(node, parent)) return true
  const at = usedAt(ancestors, ancestors.length - 1)
  return usedToChange(ancestors, at, isClaim)
}

// Whether `ancestors[at]`, a value of the login's (or a local holding one), is used in a way that may change it: see
// mayChange.
const usedToChange = (
  ancestors: ReadonlyArray<acorn.Node>,
  at: number,
  isClaim: (node: acorn.Node, whole: boolean) => boolean
): boolean => {
  const value = ancestors[at] as acorn.AnyNode
  const parent = ancestors[at - 1] as acorn.AnyNode | undefined
  const grand = ancestors[at - 2] as acorn.AnyNode | undefined
  if (parent === undefined) return false
  // `var { prefs } = user.x`: what it destructures is not followed.
  if (parent.type === "VariableDeclarator" && parent.init === value) return isPattern(parent.id)
  if (parent.type === "AssignmentExpression" && parent.right === value && parent.left.type !== "MemberExpression") {
    return isPattern(parent.left)
  }
  if ((parent.type === "CallExpression" || parent.type === "NewExpression") && parent.callee !== value) {
    return !onlyReads(parent.callee as acorn.AnyNode)
  }
  const method = receiverOf(value, parent, grand)
  if (method !== undefined) return !methodOnlyReads(method, grand as acorn.CallExpression, isClaim)
  // `(x || user.app_metadata).plan = 1`: a member of the whole expression is not a chain the walk sees as the
  // login's, so what is done to it is asked here (a chain alone is walked on its own, with its own keys).
  if (parent.type === "MemberExpression" && parent.object === value && at !== ancestors.length - 1) {
    return mayChange(parent, ancestors.slice(0, at), isClaim)
  }
  return !isReadOnly(value, parent, grand) && !onlyClaimed(ancestors, at, isClaim)
}

// Methods that hand each element (and the receiver) to a callback, and return none of them: `roles.some(function (r) {
// return r === "admin" })` only reads `roles` when its callback only reads what it is handed.
const iterating = new Set(["forEach", "some", "every", "findIndex", "findLastIndex"])

// Whether a call of the method `method` only reads its receiver: a read-only method, or an iterating one given only
// function literals that only read their parameters.
const methodOnlyReads = (
  method: acorn.MemberExpression,
  call: acorn.CallExpression,
  isClaim: (node: acorn.Node, whole: boolean) => boolean
): boolean => {
  const key = keyOf(method)
  if (isReadOnlyMethod(key)) return true
  return key !== undefined && iterating.has(key) && call.arguments.length > 0 &&
    call.arguments.every((a) =>
      (a.type === "FunctionExpression" || a.type === "ArrowFunctionExpression") && paramsOnlyRead(a, isClaim)
    )
}

// Whether a callback only reads its parameters: each use compares or tests it (or a field of it), or hands it to
// something known to only read, or returns it (as a truth value); binding it (or a field of it) to another name, or
// anything else, may change it.
const paramsOnlyRead = (
  fn: acorn.FunctionExpression | acorn.ArrowFunctionExpression,
  isClaim: (node: acorn.Node, whole: boolean) => boolean
): boolean => {
  if (!fn.params.every((p) => p.type === "Identifier")) return false
  const names = new Set(fn.params.map((p) => (p as acorn.Identifier).name))
  let reads = true
  walk.fullAncestor(fn, (node, _state, ancestors) => {
    if (node === fn || node.type !== "Identifier" || !names.has((node as acorn.Identifier).name)) return
    if (!paramUseReads(fn, ancestors as ReadonlyArray<acorn.Node>, isClaim)) reads = false
  })
  return reads
}

// One use of a callback's parameter (the last of `ancestors`), as paramsOnlyRead takes it.
const paramUseReads = (
  fn: acorn.Node,
  ancestors: ReadonlyArray<acorn.Node>,
  isClaim: (node: acorn.Node, whole: boolean) => boolean
): boolean => {
  let top = ancestors.length - 1
  // Up its member chain (`o.roles.length`): no member of it may be changed.
  while (top > 0) {
    const parent = ancestors[top - 1] as acorn.AnyNode
    if (parent.type !== "MemberExpression" || parent.object !== ancestors[top]) break
    // `all.pop()`: the receiver of a method; `o.roles = []`, `o.roles.push(x)`: a member changed.
    const call = ancestors[top - 2] as acorn.AnyNode | undefined
    const method = receiverOf(ancestors[top] as acorn.Node, parent, call)
    if (method !== undefined && !methodOnlyReads(method, call as acorn.CallExpression, isClaim)) return false
    if (mayChange(parent, ancestors.slice(0, top), isClaim)) return false
    top--
  }
  const at = usedAt(ancestors, top)
  const value = ancestors[at] as acorn.AnyNode
  const parent = ancestors[at - 1] as acorn.AnyNode | undefined
  const grand = ancestors[at - 2] as acorn.AnyNode | undefined
  if (parent === undefined || parent === fn) return true
  if (parent.type === "ReturnStatement") {
    return ancestors.slice(0, at - 1).findLast((a) => a.type.includes("Function")) === fn
  }
  if (parent.type === "VariableDeclarator" || (parent.type === "AssignmentExpression" && parent.right === value)) {
    return false
  }
  if (writeOf(value, parent) !== undefined || isPatternTarget(value, parent)) return false
  const method = receiverOf(value, parent, grand)
  if (method !== undefined) return methodOnlyReads(method, grand as acorn.CallExpression, isClaim)
  if ((parent.type === "CallExpression" || parent.type === "NewExpression") && parent.callee !== value) {
    return onlyReads(parent.callee as acorn.AnyNode)
  }
  if (parent.type === "MemberExpression" && parent.object === value) return false
  if (parent.type === "TemplateLiteral" && grand?.type === "TaggedTemplateExpression") return false
  return top === ancestors.length - 1 ? onlyReadsLocal(ancestors, at) : !usedToChange(ancestors, at, isClaim)
}

// `user.perms = user.app_metadata.perms` (through `||`, `? :`, a comma): the member of `user`/`context` the value at
// the end of `ancestors` is put in as it is, if any (a token's claim is sent as a copy, and is none).
const copiedTo = (
  ancestors: ReadonlyArray<acorn.Node>,
  isClaim: (node: acorn.Node, whole: boolean) => boolean
): acorn.MemberExpression | undefined => {
  const at = usedAt(ancestors, ancestors.length - 1)
  const parent = ancestors[at - 1] as acorn.AnyNode | undefined
  if (parent?.type !== "AssignmentExpression" || parent.right !== ancestors[at]) return undefined
  if (parent.left.type !== "MemberExpression" || isClaim(parent.left, false)) return undefined
  return parent.left
}

/**
 * A key convert cannot name: the last key of a path a local holds when it was reached through a computed key the scan
 * does not resolve (`var m = user["app_" + "metadata"]`: what is done to the local is done to anything of the value
 * before it), and the setting a rule reads by a computed key (`configuration[name]`, in `settings`).
 */
export const anyKey = "[…]"

// A path kept to `depth` keys and cut before a computed key or `__proto__` (which changes every field of its object).
const pathOf = (prefix: ReadonlyArray<string>, keys: ReadonlyArray<string | undefined>): {
  path: ReadonlyArray<string>
  computed: boolean
} => {
  const unknown = prefix.indexOf(anyKey)
  if (unknown >= 0) return { path: prefix.slice(0, unknown), computed: true }
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
  // `(0, user.app_metadata)` is its last expression; `a = user.app_metadata` (also `m = a = ...`) is its value.
  if (node.type === "SequenceExpression") return pathsNamed(node.expressions.at(-1) as acorn.AnyNode, bound)
  if (node.type === "AssignmentExpression") return pathsNamed(node.right as acorn.AnyNode, bound)
  if (node.type === "ParenthesizedExpression") return pathsNamed(node.expression as acorn.AnyNode, bound)
  if (node.type !== "MemberExpression") return []
  const { keys, root } = chainOf(node)
  return pathsNamed(root as acorn.AnyNode, bound).map((prefix) => {
    const { computed, path } = pathOf(prefix, keys)
    return computed ? path.concat(anyKey) : path
  })
}

// The paths a name holds: its root for `user`/`context` (as the rule names them), else those of its aliases.
const boundIn = (
  roots: ReadonlyMap<string, "user" | "context">,
  aliases: ReadonlyMap<string, ReadonlyArray<Path>>
) =>
(name: string): ReadonlyArray<Path> => {
  const root = roots.get(name)
  return root === undefined ? aliases.get(name) ?? [] : [[root]]
}

// The locals that may hold a value of the login's (`var md = user.app_metadata`), with its paths: what is done to them
// is done to it. By name, over the whole rule (a shadowing name only adds writes, never hides one).
const aliasesOf = (
  program: acorn.Node,
  roots: ReadonlyMap<string, "user" | "context">
): ReadonlyMap<string, ReadonlyArray<Path>> => {
  const aliases = new Map<string, Array<Path>>()
  const bound = boundIn(roots, aliases)
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

// The keys of a member chain, a computed key the rule fixes (`context.accessToken[field]`, `var field = "scope"`)
// resolved (HeldKeys).
const keysOf = (member: acorn.MemberExpression, resolve: HeldKeys.Resolve): Array<string | undefined> => {
  const keys: Array<string | undefined> = []
  let node: acorn.Node = member
  while (node.type === "MemberExpression") {
    const m = node as acorn.MemberExpression
    keys.unshift(keyOf(m) ?? (m.computed ? resolve(m.property) : undefined))
    node = m.object
  }
  return keys
}

/**
 * The writes of one earlier rule's function (`source` and `params` as Analyze gives them, `lineOffset` as Scope takes
 * it). A write the scan cannot follow to a field (through a local alias, a call, a destructuring, `__proto__`, a
 * computed key the rule does not fix) is taken to write the whole value it reaches (`user.app_metadata`,
 * `context.accessToken`), or all of `user`/`context`.
 */
export const ofRule = (
  rule: string,
  source: string,
  params: ReadonlyArray<string>,
  lineOffset = 0
): EarlierWrites => {
  const roots = new Map<string, "user" | "context">()
  if (params[0] !== undefined) roots.set(params[0], "user")
  if (params[1] !== undefined) roots.set(params[1], "context")
  const callback = params[2]
  const paths: Array<EarlierWrites["paths"][number]> = []
  const copies: Array<Copy> = []
  const anything = new Map<"user" | "context", number>()
  const program = acorn.parse(`(${source})`, { ecmaVersion: "latest", sourceType: "script", locations: true })
  const fn = (program.body[0] as acorn.ExpressionStatement | undefined)?.expression as acorn.AnyNode | undefined
  const resolve = fn?.type === "FunctionExpression" || fn?.type === "ArrowFunctionExpression"
    ? HeldKeys.make(fn.body, params)
    : () => undefined
  const aliases = aliasesOf(program, roots)
  const prefixesOf = boundIn(roots, aliases)
  // `context.idToken[k]`, `context.accessToken[k]`: a claim, which Auth0 sent as a copy.
  // (`whole`: or any member of `user`/`context`, the value itself assigned to it.)
  const isClaim = (node: acorn.Node, whole: boolean): boolean => {
    if (node.type !== "MemberExpression") return false
    const { keys, root } = chainOf(node as acorn.MemberExpression)
    const named = root.type === "Identifier" ? roots.get((root as acorn.Identifier).name) : undefined
    if (whole && named !== undefined) return true
    return named === "context" && keys.length === 2 && (keys[0] === "idToken" || keys[0] === "accessToken")
  }
  let line = 0
  const whole = (root: "user" | "context"): void => void anything.set(root, anything.get(root) ?? line)
  const add = (prefix: Path, keys: ReadonlyArray<string | undefined>, replacing = false): void => {
    const { computed, path } = pathOf(prefix, keys)
    const replaces = replacing && !computed && path.length === prefix.length + keys.length
    if (path.length === 1) whole(path[0] as "user" | "context")
    else paths.push({ path, rule, ...(computed ? { computed } : {}), line, ...(replaces ? { replaces } : {}) })
  }
  // The login's values the member `target` names, root first.
  const targetsOf = (target: acorn.MemberExpression): ReadonlyArray<Path> => {
    const { root } = chainOf(target)
    return pathsNamed(root as acorn.AnyNode, prefixesOf).map((prefix) => pathOf(prefix, keysOf(target, resolve)).path)
  }
  walk.fullAncestor(program, (node, _state, ancestors) => {
    const n = node as acorn.AnyNode
    const parent = ancestors[ancestors.length - 2] as acorn.AnyNode | undefined
    line = (n.loc?.start.line ?? 1) + lineOffset
    if (n.type === "MemberExpression") {
      const { root } = chainOf(n)
      const keys = keysOf(n, resolve)
      // `(t = user.app_metadata).plan = …`, `(0, context.idToken)[k] = …`: the login's value the base expression is.
      const prefixes = pathsNamed(root as acorn.AnyNode, prefixesOf)
      if (prefixes.length === 0 || defaultsItself(n, parent)) return
      // `user.__proto__ = …` (or any use of it) may change every field of `user`.
      const proto = keys.indexOf("__proto__")
      if (proto >= 0) return prefixes.forEach((prefix) => add(prefix, keys.slice(0, proto)))
      if (mayChange(n, ancestors as ReadonlyArray<acorn.Node>, isClaim)) {
        const replacing = parent?.type === "AssignmentExpression" && parent.left === n && parent.operator === "="
        return prefixes.forEach((prefix) => add(prefix, keys, replacing))
      }
      const target = copiedTo(ancestors as ReadonlyArray<acorn.Node>, isClaim)
      if (target === undefined) return
      for (const to of targetsOf(target)) {
        for (const prefix of prefixes) copies.push({ path: to, from: pathOf(prefix, keys).path, rule })
      }
      return
    }
    // `callback(null, { tier: "basic" }, context)`: the next rule gets that object, not the `user` written here.
    if (n.type === "CallExpression" && n.callee.type === "Identifier" && n.callee.name === callback) {
      const [, userArg, contextArg] = n.arguments
      if (userArg !== undefined && !(userArg.type === "Identifier" && roots.get(userArg.name) === "user")) whole("user")
      if (contextArg !== undefined && !(contextArg.type === "Identifier" && roots.get(contextArg.name) === "context")) {
        whole("context")
      }
      return
    }
    if (n.type !== "Identifier" || parent === undefined) return
    // `arguments[0].tier = …`: the rule's (or a function of its) arguments may be `user` and `context` themselves.
    if (n.name === "arguments") {
      whole("user")
      whole("context")
      return
    }
    const alias = aliases.get(n.name)
    const named = roots.get(n.name)
    if (named === undefined && alias === undefined) return
    const all = (): void => named !== undefined ? whole(named) : alias?.forEach((path) => add(path, []))
    // `user` itself or a local holding a value of its: read through a member (whose writes are the member's), or handed
    // back to callback, it is not written here; the receiver of a method not known to only read (`roles.splice(0)`,
    // `md.forEach(…)`) may change all of it.
    if (parent.type === "MemberExpression" && parent.object === n) {
      const call = ancestors[ancestors.length - 3] as acorn.AnyNode | undefined
      const method = receiverOf(n, parent, call)
      return method === undefined || methodOnlyReads(method, call as acorn.CallExpression, isClaim) ? undefined : all()
    }
    if (parent.type === "CallExpression" && parent.callee.type === "Identifier" && parent.callee.name === callback) {
      return
    }
    if (parent.type === "FunctionExpression" || parent.type === "FunctionDeclaration") return
    if (named !== undefined) return whole(named)
    if (onlyReadsLocal(ancestors, ancestors.length - 1)) return
    // Anything else done to the local (handed to a call, put in an array, returned) may change what it holds, but for
    // a read-only method of `roles || []` or a call that only reads its arguments.
    const at = usedAt(ancestors, ancestors.length - 1)
    const value = ancestors[at] as acorn.AnyNode
    const outer = ancestors[at - 1] as acorn.AnyNode | undefined
    const called = ancestors[at - 2] as acorn.AnyNode | undefined
    const method = receiverOf(value, outer, called)
    if (method !== undefined && methodOnlyReads(method, called as acorn.CallExpression, isClaim)) return
    const call = outer?.type === "CallExpression" || outer?.type === "NewExpression"
    if (!call || outer.callee === value || !onlyReads(outer.callee as acorn.AnyNode)) all()
  })
  return { paths, anything: [...anything].map(([root, at]) => ({ root, rule, line: at })), settings: [], copies }
}

export const merge = (all: ReadonlyArray<EarlierWrites>): EarlierWrites => ({
  paths: all.flatMap((w) => w.paths),
  anything: all.flatMap((w) => w.anything),
  settings: all.flatMap((w) => w.settings),
  copies: all.flatMap((w) => w.copies)
})

/** The settings the earlier rules read, each with the first of them that reads it. */
export const settingsOf = (writes: EarlierWrites): ReadonlyArray<{ readonly rule: string; readonly key: string }> => {
  const found = new Map<string, string>()
  for (const read of writes.settings) {
    for (const key of read.keys) if (!found.has(key)) found.set(key, read.rule)
  }
  return [...found].map(([key, rule]) => ({ rule, key }))
}

// One path is a prefix of the other.
const overlaps = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean =>
  a.every((key, i) => i >= b.length || b[i] === key)

// The values that may be the very object `path` reads, through Copies either way (`user.perms` for
// `user.app_metadata.perms` once a rule wrote `user.perms = user.app_metadata.perms`), `path` not among them.
const sharing = (writes: EarlierWrites, path: ReadonlyArray<string>): ReadonlyArray<ReadonlyArray<string>> => {
  const found: Array<ReadonlyArray<string>> = [path]
  for (let i = 0; i < found.length; i++) {
    const at = found[i]!
    for (const copy of writes.copies) {
      for (const [one, other] of [[copy.from, copy.path], [copy.path, copy.from]] as const) {
        const shared = overlaps(one, at) ? sharedOf(one, other, at) : undefined
        if (shared !== undefined && !found.some((p) => p.join(".") === shared.join("."))) found.push(shared)
      }
    }
  }
  return found.slice(1)
}

// What of `other` a read of `at` reads, when `one` (overlapping `at`) holds the very object `other` does: the same
// keys below it (`user.app_metadata.terms` through a copy of `user.app_metadata` is `<other>.terms`, not all of
// `<other>`, whose other fields a later write may change without changing this read); `other` itself for a read above
// `one` (`user.app_metadata` read whole, `user.app_metadata.perms` copied).
const sharedOf = (
  one: ReadonlyArray<string>,
  other: ReadonlyArray<string>,
  at: ReadonlyArray<string>
): ReadonlyArray<string> => at.length <= one.length ? other : [...other, ...at.slice(one.length)].slice(0, depth)

// The writes that may change in place the object at `path`: a `=` replacing it (or a value above it) does not.
const inPlace = (writes: EarlierWrites, path: ReadonlyArray<string>): Array<EarlierWrites["paths"][number]> =>
  writes.paths.filter((w) => overlaps(w.path, path) && !(w.replaces === true && w.path.length <= path.length))

// The writes that may have changed what `path` reads: those overlapping it, then those that change in place an object
// it shares (Copy).
const writesOf = (writes: EarlierWrites, path: ReadonlyArray<string>): Array<EarlierWrites["paths"][number]> => [
  ...writes.paths.filter((w) => overlaps(w.path, path)),
  ...sharing(writes, path).flatMap((shared) => inPlace(writes, shared))
]

// The rules that may write anything of the root of `path` or of a value it shares.
const wholeOf = (writes: EarlierWrites, path: ReadonlyArray<string>) => {
  const roots = new Set([path, ...sharing(writes, path)].map((p) => p[0]))
  return writes.anything.filter((w) => roots.has(w.root))
}

/**
 * The earlier rule that may have changed what `path` (a read: root first) reads, with the line of its first such write
 * when known, if any.
 */
export const writeAt = (
  writes: EarlierWrites,
  path: ReadonlyArray<string>
): { readonly rule: string; readonly line: number | undefined } | undefined => {
  const whole = wholeOf(writes, path)[0]
  if (whole !== undefined) return { rule: whole.rule, line: whole.line }
  const found = writesOf(writes, path)[0]
  return found === undefined ? undefined : { rule: found.rule, line: found.line }
}

/**
 * The earlier rules that may have changed what `path` (a read: root first) reads, most specific first: a write of the
 * field itself, then of the values nearest it above or below (`user.app_metadata` for `user.app_metadata.plan`), then
 * a rule that may write anything of the root.
 */
export const writersOf = (writes: EarlierWrites, path: ReadonlyArray<string>): ReadonlyArray<string> => {
  const near = writesOf(writes, path)
    .map((w, order) => ({ rule: w.rule, distance: Math.abs(w.path.length - path.length), order }))
    .toSorted((a, b) => a.distance - b.distance || a.order - b.order)
  const whole = wholeOf(writes, path)
  return [...new Set([...near, ...whole].map((w) => w.rule))]
}

/**
 * The rules that may change in place the object at `path` (root first), or one it shares (Copy): what a value taken
 * from there as it is (`user.perms = user.app_metadata.perms`) may see change after it was taken.
 */
export const changersOf = (writes: EarlierWrites, path: ReadonlyArray<string>): ReadonlyArray<string> => [
  ...new Set([
    ...[path, ...sharing(writes, path)].flatMap((p) => inPlace(writes, p)),
    ...wholeOf(writes, path)
  ].map((w) => w.rule))
]

/** The earlier rule that may have changed what `path` (a read: root first) reads, if any. */
export const writerOf = (writes: EarlierWrites, path: ReadonlyArray<string>): string | undefined =>
  writeAt(writes, path)?.rule

/**
 * The earlier rule that may have left something in `context.accessToken.scope`, if any. A write under a computed key
 * the rule does not fix (`context.accessToken[field]`, `field` a parameter or computed) may be to `scope`.
 */
export const scopeWriterOf = (writes: EarlierWrites): string | undefined =>
  writerOf(writes, ["context", "accessToken", "scope"])
