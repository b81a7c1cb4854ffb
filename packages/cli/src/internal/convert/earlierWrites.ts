/**
 * What the rules that run before the converted one leave on `user` and `context`: under Rules the converted rule read
 * those values, while a typed rule reads the login's own. Each earlier rule's writes are found as paths (`user.roles`,
 * `user.app_metadata.plan`); a rule that hands `user` or `context` itself to a function, or keeps it under another
 * name, may write anything. A read of the converted rule that overlaps such a path is left as a TODO (Expression).
 */
import * as acorn from "acorn"
import * as walk from "acorn-walk"
import { chainOf, writeOf } from "../analyze/chains.ts"

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

/** The writes of one earlier rule's function (`source` and `params` as Analyze gives them). */
export const ofRule = (rule: string, source: string, params: ReadonlyArray<string>): EarlierWrites => {
  const roots = new Map<string, "user" | "context">()
  if (params[0] !== undefined) roots.set(params[0], "user")
  if (params[1] !== undefined) roots.set(params[1], "context")
  const callback = params[2]
  const paths: Array<{ path: ReadonlyArray<string>; rule: string; computed?: boolean }> = []
  const anything = new Set<"user" | "context">()
  const rootOf = (name: string): "user" | "context" | undefined => roots.get(name)
  const program = acorn.parse(`(${source})`, { ecmaVersion: "latest", sourceType: "script" })
  walk.fullAncestor(program, (node, _state, ancestors) => {
    const n = node as acorn.AnyNode
    const parent = ancestors[ancestors.length - 2] as acorn.AnyNode | undefined
    if (n.type === "MemberExpression") {
      const { keys, root } = chainOf(n)
      const named = root.type === "Identifier" ? roots.get((root as acorn.Identifier).name) : undefined
      if (named === undefined || writeOf(n, parent) === undefined || defaultsItself(n, parent)) return
      const path: Array<string> = [named]
      let computed = false
      for (const key of keys) {
        if (path.length === depth) break
        if (key === undefined) {
          computed = true
          break
        }
        path.push(key)
      }
      paths.push(computed ? { path, rule, computed } : { path, rule })
      return
    }
    if (n.type !== "Identifier" || parent === undefined) return
    const named = rootOf(n.name)
    if (named === undefined) return
    // `user` itself: read through a member, or handed back to callback, it is not written here.
    if (parent.type === "MemberExpression" && parent.object === n) return
    if (parent.type === "CallExpression" && parent.callee.type === "Identifier" && parent.callee.name === callback) {
      return
    }
    if (parent.type === "FunctionExpression" || parent.type === "FunctionDeclaration") return
    anything.add(named)
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

/** The earlier rule that may have changed what `path` (a read: root first) reads, if any. */
export const writerOf = (writes: EarlierWrites, path: ReadonlyArray<string>): string | undefined => {
  const whole = writes.anything.find((w) => w.root === path[0])
  if (whole !== undefined) return whole.rule
  return writes.paths.find((w) => overlaps(w.path, path))?.rule
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
