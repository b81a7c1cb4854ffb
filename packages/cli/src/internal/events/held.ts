/**
 * Literals a rule holds in variables, for RuleReads: `const CLIENTS = ["a", "b"]`, `var PREFIX = "admin-"`,
 * `const THRESHOLD = 70`, `const ALLOWED = { app: ["a"], portal: "b" }` (objects of such, nested). A rule compares a
 * login field with them through the name (`CLIENTS.indexOf(context.clientID)`, `ALLOWED.app.includes(...)`,
 * `context.clientName in ALLOWED`, `user.app_metadata.score > THRESHOLD`), so the values the field must take to reach
 * the branch are there, not at the comparison. The element parameter of a function iterating such a list stands for
 * its strings too (`BLOCKED.some(function (ip) { return context.request.ip === ip })`).
 *
 * Every declaration of a name counts, whatever its scope or later writes: a value too many only adds a candidate to
 * the generated events, a value missed leaves a branch untested.
 */
import type * as acorn from "acorn"
import * as walk from "acorn-walk"
import { chainOf, propertyKey, staticString } from "../analyze/chains.ts"

/** A held value: the strings of a string or list, a number, or the members of an object literal. */
export type Value =
  | { readonly _tag: "Strings"; readonly strings: ReadonlyArray<string> }
  | { readonly _tag: "Number"; readonly number: number }
  | { readonly _tag: "Object"; readonly members: ReadonlyMap<string, Value> }

export type Held = ReadonlyMap<string, ReadonlyArray<Value>>

const stringsOfList = (node: acorn.AnyNode): ReadonlyArray<string> | undefined => {
  const one = staticString(node)
  if (one !== undefined) return [one]
  if (node.type !== "ArrayExpression") return undefined
  const strings: Array<string> = []
  for (const element of node.elements) {
    const value = element == null ? undefined : staticString(element)
    if (value !== undefined) strings.push(value)
  }
  return strings
}

// A number literal, negative ones too (`70`, `-1`, `0.5`).
const numberOf = (node: acorn.AnyNode): number | undefined => {
  if (node.type === "Literal" && typeof node.value === "number") return node.value
  if (node.type === "UnaryExpression" && node.operator === "-") {
    const n = numberOf(node.argument)
    return n === undefined ? undefined : -n
  }
  return undefined
}

// The value of a literal initialiser, or undefined when it holds something else (a call, a login field).
const valueOf = (node: acorn.AnyNode): Value | undefined => {
  const number = numberOf(node)
  if (number !== undefined) return { _tag: "Number", number }
  const strings = stringsOfList(node)
  if (strings !== undefined) return { _tag: "Strings", strings }
  if (node.type !== "ObjectExpression") return undefined
  const members = new Map<string, Value>()
  for (const property of node.properties) {
    if (property.type !== "Property") continue
    const key = propertyKey(property)
    if (key === undefined) continue
    members.set(key, valueOf(property.value as acorn.AnyNode) ?? { _tag: "Strings", strings: [] })
  }
  return { _tag: "Object", members }
}

const iterators = new Set(["some", "every", "find", "findIndex", "filter", "forEach", "map"])

/**
 * Every name declared with a literal string, list or object (`const`, `let`, `var`), and every element parameter of a
 * function iterating such a list (`LIST.some(function (x) {...})`).
 */
export const ofProgram = (program: acorn.Node): Held => {
  const held = new Map<string, Array<Value>>()
  const hold = (name: string, value: Value) => held.set(name, [...(held.get(name) ?? []), value])
  walk.simple(program, {
    VariableDeclarator(node) {
      if (node.id.type !== "Identifier" || node.init == null) return
      const value = valueOf(node.init as acorn.AnyNode)
      if (value !== undefined) hold(node.id.name, value)
    }
  })
  walk.simple(program, {
    CallExpression(node) {
      const [f] = node.arguments
      if (node.callee.type !== "MemberExpression" || node.callee.property.type !== "Identifier") return
      if (!iterators.has(node.callee.property.name)) return
      if (f?.type !== "FunctionExpression" && f?.type !== "ArrowFunctionExpression") return
      const [element] = f.params
      if (element?.type === "Identifier") {
        hold(element.name, { _tag: "Strings", strings: strings(held, node.callee.object) })
      }
    }
  })
  return held
}

// The values a name or a static member of one (`ALLOWED.app`, `ALLOWED["app"]`) stands for.
const resolve = (held: Held, node: acorn.AnyNode): ReadonlyArray<Value> => {
  if (node.type === "Identifier") return held.get(node.name) ?? []
  if (node.type === "LogicalExpression") return [...resolve(held, node.left), ...resolve(held, node.right)]
  if (node.type !== "MemberExpression") {
    const value = valueOf(node)
    return value === undefined ? [] : [value]
  }
  const { keys, root } = chainOf(node)
  if (root.type !== "Identifier") return []
  let values = held.get((root as acorn.Identifier).name) ?? []
  for (const key of keys) {
    if (key === undefined) return []
    values = values.flatMap((v) => v._tag === "Object" && v.members.has(key) ? [v.members.get(key)!] : [])
  }
  return values
}

/**
 * The strings a node stands for: a literal, a list literal, or a name (or member of one) holding them. A number
 * counts as its text (`=== 70` keeps "70"), as before numbers were held apart.
 */
export const strings = (held: Held, node: acorn.Node): ReadonlyArray<string> =>
  resolve(held, node as acorn.AnyNode).flatMap((v) =>
    v._tag === "Strings" ? v.strings : v._tag === "Number" ? [String(v.number)] : []
  )

/** The numbers a node stands for: a number literal, or a name (or member of one) holding one (`const LIMIT = 70`). */
export const numbers = (held: Held, node: acorn.Node): ReadonlyArray<number> =>
  resolve(held, node as acorn.AnyNode).flatMap((v) => v._tag === "Number" ? [v.number] : [])

/** The keys of the object literal a node is or stands for (`field in ALLOWED`, `ALLOWED[field]`). */
export const keys = (held: Held, node: acorn.Node): ReadonlyArray<string> =>
  resolve(held, node as acorn.AnyNode).flatMap((v) => v._tag === "Object" ? Array.from(v.members.keys()) : [])
