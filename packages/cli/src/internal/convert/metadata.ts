/**
 * Metadata writes: `user.app_metadata.plan = v` in a rule that persists it with
 * `auth0.users.updateAppMetadata(user.user_id, user.app_metadata)` (then calling back), and the same for
 * `user_metadata`. The converted rule writes into its own copy of the metadata (so its later reads see the new value,
 * as the legacy rule's did) and records `Decision.persistAppMetadata` for each key it wrote whose value changed, where
 * the legacy rule called Auth0. `user.app_metadata = user.app_metadata || {}` is dropped: Login's metadata is always
 * an object. A metadata write the rule does not persist is seen by later rules only: it is left as a TODO.
 */
import type * as acorn from "acorn"
import * as walk from "acorn-walk"
import { chainOf, keyOf, looseChainOf } from "../analyze/chains.ts"
import * as Expression from "./expression.ts"
import * as LoginReads from "./loginReads.ts"
import { fresh, isName, type Metadata, type Scope } from "./scope.ts"
import * as Todo from "./todo.ts"

const methods: Readonly<Record<string, Metadata>> = {
  updateAppMetadata: "app_metadata",
  updateUserMetadata: "user_metadata"
}

const isUserField = (scope: Scope, node: acorn.Node | undefined, field: string): boolean => {
  const n = node as acorn.AnyNode | undefined
  if (n?.type !== "MemberExpression") return false
  const { keys, root } = chainOf(n)
  return root.type === "Identifier" && (root as acorn.Identifier).name === scope.user && keys.length === 1 &&
    keys[0] === field
}

// `auth0.users.updateAppMetadata(user.user_id, user.app_metadata)`: the metadata it persists.
const persistCall = (scope: Scope, node: acorn.Node | undefined): Metadata | undefined => {
  const n = node as acorn.AnyNode | undefined
  if (n?.type !== "CallExpression" || n.callee.type !== "MemberExpression") return undefined
  const { keys, root } = chainOf(n.callee)
  if (root.type !== "Identifier" || (root as acorn.Identifier).name !== "auth0" || keys.length !== 2) return undefined
  const metadata = keys[0] === "users" && keys[1] !== undefined ? methods[keys[1]] : undefined
  if (metadata === undefined || n.arguments.length !== 2) return undefined
  return isUserField(scope, n.arguments[0], "user_id") && isUserField(scope, n.arguments[1], metadata)
    ? metadata
    : undefined
}

/** Finds which metadata the rule persists, before its statements are translated. */
export const prepare = (scope: Scope, body: acorn.Node): void => {
  walk.simple(body, {
    CallExpression(node) {
      const metadata = persistCall(scope, node)
      if (metadata !== undefined) scope.persisted.add(metadata)
    }
  })
}

// A function whose one statement passes `check` (or, where `bare`, `callback` itself, as in `.catch(callback)`).
const single = (
  scope: Scope,
  fn: acorn.Node | undefined,
  check: (call: acorn.Node, params: ReadonlyArray<string>) => boolean,
  bare: boolean
): boolean => {
  const f = fn as acorn.AnyNode | undefined
  if (f?.type === "Identifier") return bare && f.name === scope.callback
  if (f?.type !== "FunctionExpression" && f?.type !== "ArrowFunctionExpression") return false
  const params = f.params.map((p) => (p.type === "Identifier" ? p.name : ""))
  if (f.body.type !== "BlockStatement") return check(f.body, params)
  if (f.body.body.length !== 1) return false
  const s = f.body.body[0] as acorn.AnyNode
  const e = s.type === "ExpressionStatement" ? s.expression : s.type === "ReturnStatement" ? s.argument : undefined
  return e != null && check(e, params)
}

const callbackArgs = (scope: Scope, node: acorn.Node): ReadonlyArray<acorn.Node> | undefined => {
  const n = node as acorn.AnyNode
  return n.type === "CallExpression" && isName(n.callee, scope.callback) ? n.arguments : undefined
}

// callback(null, user, context)
const isSuccess = (scope: Scope, node: acorn.Node): boolean => {
  const args = callbackArgs(scope, node)
  const error = args?.[0] as acorn.AnyNode | undefined
  return args?.length === 3 && error?.type === "Literal" && error.value === null && isName(args[1], scope.user) &&
    isName(args[2], scope.context)
}

// callback(err), `err` the function's parameter
const isError = (scope: Scope, node: acorn.Node, params: ReadonlyArray<string>): boolean => {
  const args = callbackArgs(scope, node)
  return args?.length === 1 && isName(args[0], params[0])
}

// The persisting call, alone or as `.then(() => callback(null, user, context)).catch((e) => callback(e))`.
const persistStatement = (scope: Scope, node: acorn.Node): { metadata: Metadata; ends: boolean } | undefined => {
  const direct = persistCall(scope, node)
  if (direct !== undefined) return { metadata: direct, ends: false }
  const n = node as acorn.AnyNode
  if (n.type !== "CallExpression" || n.callee.type !== "MemberExpression" || keyOf(n.callee) !== "catch") {
    return undefined
  }
  const then = n.callee.object as acorn.AnyNode
  if (then.type !== "CallExpression" || then.callee.type !== "MemberExpression" || keyOf(then.callee) !== "then") {
    return undefined
  }
  const metadata = persistCall(scope, then.callee.object)
  if (metadata === undefined || then.arguments.length !== 1 || n.arguments.length !== 1) return undefined
  const ok = single(scope, then.arguments[0], (e) => isSuccess(scope, e), false) &&
    single(scope, n.arguments[0], (e, params) => isError(scope, e, params), true)
  return ok ? { metadata, ends: true } : undefined
}

const localOf = (scope: Scope, metadata: Metadata): string => {
  const found = LoginReads.lookup("user", [metadata]) as { read: LoginReads.LoginRead }
  const existing = scope.reads.get(found.read.expression)
  if (existing !== undefined) return existing.local
  const read = { ...found.read, local: fresh(scope, found.read.local) }
  scope.reads.set(found.read.expression, read)
  return read.local
}

// The decisions for each key the rule wrote whose value changed, where the legacy rule persisted the metadata.
const persistLines = (scope: Scope, metadata: Metadata): Array<string> => {
  const local = localOf(scope, metadata)
  const original = metadata === "app_metadata" ? "login.user.appMetadata" : "login.user.userMetadata"
  const record = metadata === "app_metadata" ? "Decision.persistAppMetadata" : "Decision.persistUserMetadata"
  scope.uses.add("Decision")
  return (scope.written.get(metadata) ?? []).map((key) => {
    const k = JSON.stringify(key)
    // Rules persisted the metadata as JSON, where an undefined value is absent.
    return `if (${local}[${k}] !== undefined && ${local}[${k}] !== ${original}[${k}]) {\n  yield* ${record}(${k}, ${local}[${k}])\n}`
  })
}

/**
 * The statements for `return <the persisting call, then calling back>` (Rules ignored what a rule returned: the same
 * as the call followed by `return`), or undefined when `argument` is not that.
 */
export const recogniseReturned = (scope: Scope, argument: acorn.Node, tail: boolean): Array<string> | undefined => {
  const persist = persistStatement(scope, argument)
  if (persist?.ends !== true) return undefined
  return [...persistLines(scope, persist.metadata), ...(tail ? [] : ["return"])]
}

/**
 * Why a returned call of `auth0.users.updateAppMetadata` (or `updateUserMetadata`) in another form is left, and what
 * to write instead; undefined when `argument` calls neither.
 */
export const returnedReason = (argument: acorn.Node): string | undefined => {
  const { keys, root } = looseChainOf(argument)
  const method = keys[1]
  const metadata = root === "auth0" && keys[0] === "users" && method !== undefined ? methods[method] : undefined
  if (metadata === undefined) return undefined
  const decision = metadata === "app_metadata" ? "Decision.persistAppMetadata" : "Decision.persistUserMetadata"
  return `returns the promise of auth0.users.${method} in a form convert does not translate: it translates ` +
    `\`auth0.users.${method}(user.user_id, user.${metadata}).then(() => callback(null, user, context))` +
    `.catch((err) => callback(err))\`, returned or not, into ${decision} for each key the rule wrote; write it that ` +
    `way, or by hand: \`yield* ${decision}(key, value)\` for each key, then end the rule where it called back`
}

/** The statements for a metadata write or its persisting call, or undefined when `expression` is neither. */
export const recognise = (scope: Scope, expression: acorn.Node, tail: boolean): Array<string> | undefined => {
  const e = expression as acorn.AnyNode
  const persist = persistStatement(scope, e)
  if (persist !== undefined) {
    const lines = persistLines(scope, persist.metadata)
    // Rules ran the statements after it before the promise called back; a typed `return` would skip them.
    if (persist.ends && !tail) {
      return Todo.lines(scope, e, "persists and calls back without `return`: Rules still ran the statements after it")
    }
    return lines
  }
  if (e.type !== "AssignmentExpression" || e.operator !== "=" || e.left.type !== "MemberExpression") return undefined
  const { keys, root } = chainOf(e.left)
  if (root.type !== "Identifier" || (root as acorn.Identifier).name !== scope.user) return undefined
  const [metadata, key, ...rest] = keys
  if (metadata !== "app_metadata" && metadata !== "user_metadata") return undefined
  // `user.app_metadata = user.app_metadata || {}`: Login's metadata is always an object.
  if (key === undefined && rest.length === 0 && keys.length === 1) {
    const right = e.right as acorn.AnyNode
    if (
      right.type === "LogicalExpression" && right.operator === "||" && isUserField(scope, right.left, metadata) &&
      right.right.type === "ObjectExpression" && right.right.properties.length === 0
    ) return []
    return undefined
  }
  if (keys.length !== 2 || key === undefined || !scope.persisted.has(metadata)) return undefined
  const value = Expression.rewrite(scope, e.right)
  if (value._tag === "Refused") return Todo.lines(scope, e, value.reason)
  const local = localOf(scope, metadata)
  const written = scope.written.get(metadata) ?? []
  if (!written.includes(key)) written.push(key)
  scope.written.set(metadata, written)
  return [`${local}[${JSON.stringify(key)}] = ${value.text}`]
}
