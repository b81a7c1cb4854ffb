/**
 * What legacy rules read of a login, for `rulefx events --generate --rules`: the post-login event fields (v3 names)
 * behind the `user` and `context` fields each rule reads, and the string values each field is compared with.
 *
 * A rule's function is found and checked by Analyze (its `source` and `params`), then its member chains are followed
 * from the `user` and `context` parameters, from local names given one of them (`var md = user.app_metadata ||
 * {}`), and through a fallback written in place (`(user.app_metadata || {}).crm_tier`). A string literal is tied to a field when the rule compares it with the field (`===`, `!==`, `==`, `!=`, a
 * `switch` case), tests the field with it (`.indexOf`, `.includes`, `.startsWith`, `.endsWith`), or looks the field
 * up in a list of them (`["a", "b"].indexOf(context.clientName)`, `context.clientName in { a: 1 }`). A list, string
 * or object held in a variable counts as written there: `const CLIENTS = ["a"]` then `CLIENTS.indexOf(context.clientID)`,
 * `const ALLOWED = { app: ["a"] }` then `ALLOWED.app.includes(...)` or `context.clientName in ALLOWED`. Every other
 * short string literal is kept as the rule's vocabulary.
 *
 * A number is tied to a field when the rule compares the field with it (`>`, `>=`, `<`, `<=`, `===`, `!==`, `==`,
 * `!=`, either side), directly or through `Number(...)`, `parseInt(...)`, `parseFloat(...)` or a unary `+`, the
 * number written there or held in a variable (`const THRESHOLD = 70`). A field's `.length` compared is not the field.
 *
 * A method a rule calls on a field says what its value is (its `Shape`): `roles.indexOf("admin")` a list (an array or a
 * string: both have it), `roles.some(...)` an array, `plan.toLowerCase()` a string, `score.toFixed(1)` a number. Only
 * the field itself counts: `prefs.theme.toLowerCase()` says nothing of `prefs`.
 */
import * as acorn from "acorn"
import * as walk from "acorn-walk"
import { chainOf, keyOf, staticString } from "../analyze/chains.ts"
import type { EarlierWrites } from "../convert/earlierWrites.ts"
import * as Held from "./held.ts"

/** Fields by event path (`user.app_metadata.roles`, `client.name`), each with the literals it is compared with. */
export interface RuleReads {
  readonly fields: ReadonlyMap<string, ReadonlySet<string>>
  readonly vocabulary: ReadonlySet<string>
  /** Fields by event path, each with the numbers it is compared with (`user.app_metadata.fraud_score > 70`). */
  readonly numbers?: ReadonlyMap<string, ReadonlySet<number>>
  /**
   * The fields read only after an earlier rule wrote them (`user.tier`, set by one rule and read by the next), each
   * with the rule that wrote it first: not inputs of the login.
   */
  readonly writtenEarlier?: ReadonlyMap<string, string>
  /** Fields by event path, each with what the methods the rules call on it need its value to be. */
  readonly shapes?: ReadonlyMap<string, ReadonlySet<Shape>>
}

/**
 * What a field's value must be for a method a rule calls on it not to throw: an array, a string, either (`list`:
 * `indexOf`, `includes`, `slice`...), a number.
 */
export type Shape = "array" | "string" | "list" | "number"

const methodShapes: ReadonlyMap<string, Shape> = new Map([
  ...[
    "push",
    "pop",
    "shift",
    "unshift",
    "splice",
    "some",
    "every",
    "map",
    "filter",
    "forEach",
    "find",
    "findIndex",
    "findLast",
    "findLastIndex",
    "reduce",
    "reduceRight",
    "sort",
    "reverse",
    "join",
    "flat",
    "flatMap",
    "fill"
  ].map((m) => [m, "array"] as const),
  ...[
    "toLowerCase",
    "toUpperCase",
    "toLocaleLowerCase",
    "toLocaleUpperCase",
    "split",
    "trim",
    "trimStart",
    "trimEnd",
    "startsWith",
    "endsWith",
    "match",
    "matchAll",
    "replace",
    "replaceAll",
    "charAt",
    "charCodeAt",
    "codePointAt",
    "substring",
    "substr",
    "padStart",
    "padEnd",
    "localeCompare",
    "normalize",
    "search",
    "repeat"
  ].map((m) => [m, "string"] as const),
  ...["indexOf", "lastIndexOf", "includes", "slice", "concat", "at"].map((m) => [m, "list"] as const),
  ...["toFixed", "toPrecision", "toExponential"].map((m) => [m, "number"] as const)
])

const contextFields: Readonly<Record<string, string>> = {
  clientID: "client.client_id",
  clientName: "client.name",
  connection: "connection.name",
  connectionID: "connection.id",
  connectionStrategy: "connection.strategy",
  protocol: "transaction.protocol",
  tenant: "tenant.id",
  sessionID: "session.id"
}

const geoipFields: Readonly<Record<string, string>> = {
  country_code: "countryCode",
  country_code3: "countryCode3",
  country_name: "countryName",
  city_name: "cityName",
  continent_code: "continentCode",
  time_zone: "timeZone"
}

const requestFields: Readonly<Record<string, string>> = {
  ip: "request.ip",
  hostname: "request.hostname",
  userAgent: "request.user_agent",
  language: "request.language"
}

const metadataSections: Readonly<Record<string, string>> = {
  clientMetadata: "client.metadata",
  connectionMetadata: "connection.metadata"
}

// `context.authentication.methods` and what a rule reads of one method (`method.name`, `methods[0].timestamp`);
// `context.authentication` alone is the section, not a field.
const authenticationPath = (keys: ReadonlyArray<string>): string | undefined => {
  const [section, ...rest] = keys
  if (section === "riskAssessment") return "authentication.riskAssessment"
  if (section !== "methods") return undefined
  const key = rest.find((k) => !/^\d+$/.test(k))
  return key === undefined || key === "length" || methodShapes.has(key)
    ? "authentication.methods"
    : `authentication.methods.${key}`
}

/** The event path a Rules chain reads, or undefined when it is not part of the login (a method, `callback`). */
export const eventPath = (root: "user" | "context", keys: ReadonlyArray<string>): string | undefined => {
  const [first, second, third] = keys
  if (first === undefined) return undefined
  if (root === "user") {
    if (first === "app_metadata" || first === "user_metadata") {
      return second === undefined ? `user.${first}` : `user.${first}.${second}`
    }
    return `user.${first}`
  }
  if (first in contextFields) return contextFields[first]
  if (first in metadataSections) {
    return second === undefined ? metadataSections[first] : `${metadataSections[first]}.${second}`
  }
  if (first === "stats" && second === "loginsCount") return "stats.logins_count"
  if (first === "authentication") return authenticationPath(keys.slice(1))
  if (first === "riskAssessment") return "authentication.riskAssessment"
  if (first === "organization") return second === undefined ? "organization" : `organization.${second}`
  if (first === "sso" && second === "current_clients") return "session.clients"
  if (first === "authorization" && second === "roles") return "authorization.roles"
  if (first === "request") {
    if (second === "geoip") {
      return third === undefined
        ? "request.geoip"
        : `request.geoip.${geoipFields[third] ?? third}`
    }
    if (second === "query" || second === "body") {
      return third === undefined
        ? `request.${second}`
        : `request.${second}.${third}`
    }
    return second === undefined ? undefined : requestFields[second]
  }
  return undefined
}

// The array methods whose callback gets each element first: `methods.some((m) => ...)`.
const elementCallbacks = new Set([
  "some",
  "every",
  "find",
  "findIndex",
  "findLast",
  "findLastIndex",
  "filter",
  "map",
  "forEach",
  "flatMap"
])
const comparisons = new Set(["===", "!==", "==", "!="])
const orderings = new Set([...comparisons, ">", ">=", "<", "<="])
const conversions = new Set(["Number", "parseInt", "parseFloat"])
const tests = new Set(["indexOf", "includes", "startsWith", "endsWith", "lastIndexOf"])
const maxLiteral = 80

type Root = { readonly root: "user" | "context"; readonly keys: ReadonlyArray<string> }

// `a || {}`, `a ?? []`, `(a)`, `a && a.b` give the chain they read.
const unwrap = (node: acorn.Node): acorn.Node => {
  const n = node as acorn.AnyNode
  if (n.type === "LogicalExpression") return unwrap(n.operator === "&&" ? n.right : n.left)
  return node
}

// The event path a chain reads, through the rule's parameters and the aliases it declares of their fields.
const pathsOf = (program: acorn.Program, params: ReadonlyArray<string>) => {
  const roots = new Map<string, Root>()
  if (params[0] !== undefined) roots.set(params[0], { root: "user", keys: [] })
  if (params[1] !== undefined) roots.set(params[1], { root: "context", keys: [] })
  const resolve = (node: acorn.Node): Root | undefined => {
    const n = unwrap(node) as acorn.AnyNode
    if (n.type === "Identifier") return roots.get(n.name)
    if (n.type === "CallExpression") return listOf(n)
    if (n.type !== "MemberExpression") return undefined
    const chain = chainOf(n)
    // `(user.app_metadata || {}).crm_tier` reads through `user.app_metadata`, as `md.crm_tier` does after `var md = ...`
    const base = chain.root.type === "Identifier"
      ? roots.get((chain.root as acorn.Identifier).name)
      : chain.root.type === "LogicalExpression"
      ? resolve(chain.root)
      : undefined
    if (base === undefined) return undefined
    const keys: Array<string> = [...base.keys]
    for (const key of chain.keys) {
      if (key === undefined) break
      keys.push(key)
    }
    return { root: base.root, keys }
  }
  // `methods.map((m) => m.name)` lists what the callback reads of each element; `methods.filter(...)` the elements.
  const listOf = (call: acorn.CallExpression): Root | undefined => {
    if (call.callee.type !== "MemberExpression") return undefined
    const method = keyOf(call.callee)
    const [callback] = call.arguments
    if (method === "filter" || method === "slice") return resolve(call.callee.object)
    if (method !== "map" || callback?.type !== "ArrowFunctionExpression" || callback.body.type === "BlockStatement") {
      return undefined
    }
    return resolve(callback.body)
  }
  const alias = (name: acorn.Node, value: acorn.Node) => {
    if (name.type !== "Identifier") return
    const r = resolve(value)
    if (r !== undefined && r.keys.length > 0) roots.set((name as acorn.Identifier).name, r)
  }
  // Aliases first (`var md = user.app_metadata || {}`, `methods = context.authentication.methods`, the element a
  // callback or a `for...of` gets of a list: `methods.find((m) => m.name === "mfa")`), in source order, so later reads
  // through them resolve.
  walk.simple(program, {
    VariableDeclarator(node) {
      if (node.init != null) alias(node.id, node.init)
    },
    AssignmentExpression(node) {
      if (node.operator === "=") alias(node.left, node.right)
    },
    ForOfStatement(node) {
      const declared = node.left.type === "VariableDeclaration" ? node.left.declarations[0]?.id : node.left
      if (declared !== undefined) alias(declared, node.right)
    },
    CallExpression(node) {
      const [callback] = node.arguments
      if (node.callee.type !== "MemberExpression" || !elementCallbacks.has(keyOf(node.callee) ?? "")) return
      if (callback?.type !== "ArrowFunctionExpression" && callback?.type !== "FunctionExpression") return
      const [element] = callback.params
      if (element !== undefined) alias(element, node.callee.object)
    }
  })
  // `exact`: only a chain that reads the field itself, not a key under it (`prefs.theme` is not `prefs`).
  return (node: acorn.Node, exact = false): string | undefined => {
    const r = resolve(node)
    if (r === undefined) return undefined
    const path = eventPath(r.root, r.keys)
    return exact && path !== undefined && eventPath(r.root, r.keys.slice(0, -1)) === path ? undefined : path
  }
}

// What the visitor's cases share: where a chain reads, the literals a node holds, and what was read so far.
interface Reader {
  readonly pathOf: (node: acorn.Node, exact?: boolean) => string | undefined
  readonly held: Held.Held
  /** What the rule assigns (`user.tier = ...`) it does not read there: the field is its output. */
  readonly assigned: ReadonlySet<acorn.Node>
  readonly fields: Map<string, Set<string>>
  readonly numbers: Map<string, Set<number>>
  readonly vocabulary: Set<string>
  readonly shapes: Map<string, Set<Shape>>
}

const readerOf = (program: acorn.Program, params: ReadonlyArray<string>): Reader => {
  const pathOf = pathsOf(program, params)
  const held = Held.ofProgram(program)
  const assigned = new Set<acorn.Node>()
  walk.simple(program, {
    AssignmentExpression(node) {
      if (node.operator === "=") assigned.add(node.left)
    }
  })
  return { pathOf, held, assigned, fields: new Map(), numbers: new Map(), vocabulary: new Set(), shapes: new Map() }
}

const read = (reader: Reader, path: string | undefined, literal?: string) => {
  if (path === undefined) return
  const values = reader.fields.get(path) ?? new Set<string>()
  if (literal !== undefined && literal.length <= maxLiteral) values.add(literal)
  reader.fields.set(path, values)
}

const literalsOf = (reader: Reader, node: acorn.Node): ReadonlyArray<string> => Held.strings(reader.held, node)

// The field a number is compared with: `field`, `Number(field)`, `parseInt(field, 10)`, `+field`; not `field.length`.
const numericPathOf = (reader: Reader, node: acorn.Node): string | undefined => {
  const n = node as acorn.AnyNode
  if (n.type === "UnaryExpression" && n.operator === "+") return numericPathOf(reader, n.argument)
  if (n.type === "CallExpression" && n.callee.type === "Identifier" && conversions.has(n.callee.name)) {
    const [argument] = n.arguments
    return argument === undefined || argument.type === "SpreadElement" ? undefined : numericPathOf(reader, argument)
  }
  if (
    n.type === "MemberExpression" && !n.computed && n.property.type === "Identifier" && n.property.name === "length"
  ) {
    return undefined
  }
  return reader.pathOf(n)
}

const readNumber = (reader: Reader, path: string | undefined, number: number) => {
  if (path === undefined || !Number.isFinite(number)) return
  read(reader, path)
  reader.numbers.set(path, new Set([...(reader.numbers.get(path) ?? []), number]))
}

// field > 70, LIMIT <= Number(field)
const numericRead = (reader: Reader, n: acorn.BinaryExpression) => {
  if (!orderings.has(n.operator) || n.left.type === "PrivateIdentifier") return
  for (const right of Held.numbers(reader.held, n.right)) readNumber(reader, numericPathOf(reader, n.left), right)
  for (const left of Held.numbers(reader.held, n.left)) readNumber(reader, numericPathOf(reader, n.right), left)
}

const memberRead = (reader: Reader, n: acorn.MemberExpression) => {
  if (!reader.assigned.has(n)) read(reader, reader.pathOf(n))
  // ROLES_BY_CLIENT[context.clientName]: the object's keys
  if (n.computed) { for (const key of Held.keys(reader.held, n.object)) read(reader, reader.pathOf(n.property), key) }
}

const word = (reader: Reader, n: acorn.Node) => {
  // Text only: a number is harvested as a threshold, not as a word.
  const text = n.type === "Literal" && typeof (n as acorn.Literal).value === "number" ? undefined : staticString(n)
  if (text !== undefined && text.length > 0 && text.length <= maxLiteral) reader.vocabulary.add(text)
}

const comparisonRead = (reader: Reader, n: acorn.BinaryExpression) => {
  numericRead(reader, n)
  // context.clientName in ALLOWED: the object's keys
  if (n.operator === "in") {
    for (const key of Held.keys(reader.held, n.right)) read(reader, reader.pathOf(n.left), key)
    return
  }
  if (!comparisons.has(n.operator)) return
  for (const right of literalsOf(reader, n.right)) read(reader, reader.pathOf(n.left), right)
  for (const left of literalsOf(reader, n.left)) read(reader, reader.pathOf(n.right), left)
}

const switchRead = (reader: Reader, n: acorn.SwitchStatement) => {
  const path = reader.pathOf(n.discriminant)
  for (const c of n.cases) {
    if (c.test != null) { for (const value of literalsOf(reader, c.test)) read(reader, path, value) }
  }
}

const testCallRead = (reader: Reader, n: acorn.CallExpression) => {
  if (n.callee.type !== "MemberExpression" || n.callee.property.type !== "Identifier") return
  if (!tests.has(n.callee.property.name)) return
  const argument = n.arguments[0]
  if (argument === undefined || argument.type === "SpreadElement") return
  // field.indexOf("x"), field.includes(PREFIX)
  for (const literal of literalsOf(reader, argument)) read(reader, reader.pathOf(n.callee.object), literal)
  // ["a", "b"].indexOf(field), CLIENTS.indexOf(field), "a,b".includes(field)
  const path = reader.pathOf(argument)
  if (path !== undefined) { for (const value of literalsOf(reader, n.callee.object)) read(reader, path, value) }
}

// field.some(...), field.toLowerCase(): what the field's value must be
const shapeRead = (reader: Reader, n: acorn.CallExpression) => {
  if (n.callee.type !== "MemberExpression" || n.callee.computed || n.callee.property.type !== "Identifier") return
  const shape = methodShapes.get(n.callee.property.name)
  const path = shape === undefined ? undefined : reader.pathOf(n.callee.object, true)
  if (path === undefined || shape === undefined) return
  reader.shapes.set(path, new Set([...(reader.shapes.get(path) ?? []), shape]))
}

const visit = (reader: Reader, node: acorn.Node) => {
  const n = node as acorn.AnyNode
  switch (n.type) {
    case "MemberExpression":
      return memberRead(reader, n)
    case "Literal":
    case "TemplateLiteral":
      return word(reader, n)
    case "BinaryExpression":
      return comparisonRead(reader, n)
    case "SwitchStatement":
      return switchRead(reader, n)
    case "CallExpression":
      shapeRead(reader, n)
      return testCallRead(reader, n)
  }
}

/** The fields one rule's function reads (`source` and `params` as Analyze gives them). */
export const ofRule = (source: string, params: ReadonlyArray<string>): RuleReads => {
  const program = acorn.parse(`(${source})`, {
    ecmaVersion: "latest",
    sourceType: "script",
    allowReturnOutsideFunction: true
  })
  const reader = readerOf(program, params)
  walk.full(program, (node) => visit(reader, node))
  return { fields: reader.fields, numbers: reader.numbers, vocabulary: reader.vocabulary, shapes: reader.shapes }
}

/** The reads of several rules together. */
export const merge = (all: ReadonlyArray<RuleReads>): RuleReads => {
  const fields = new Map<string, Set<string>>()
  const numbers = new Map<string, Set<number>>()
  const vocabulary = new Set<string>()
  const shapes = new Map<string, Set<Shape>>()
  for (const reads of all) {
    for (const [path, values] of reads.shapes ?? []) shapes.set(path, new Set([...(shapes.get(path) ?? []), ...values]))
    for (const [path, values] of reads.fields) fields.set(path, new Set([...(fields.get(path) ?? []), ...values]))
    for (const [path, values] of reads.numbers ?? []) {
      numbers.set(path, new Set([...(numbers.get(path) ?? []), ...values]))
    }
    for (const word of reads.vocabulary) vocabulary.add(word)
  }
  return { fields, numbers, vocabulary, shapes }
}

/** One rule of a folder: its name, what it reads and what it writes. */
export interface OfRule {
  readonly rule: string
  readonly reads: RuleReads
  readonly writes: EarlierWrites
}

/**
 * The reads of a folder's rules, in the order they run: a field read only after an earlier rule wrote it is in
 * `writtenEarlier` with that rule (still in `fields`: the earlier rule may not write it on every login).
 */
export const inOrder = (rules: ReadonlyArray<OfRule>): RuleReads => {
  const written = new Map<string, string>()
  const input = new Set<string>()
  const writtenEarlier = new Map<string, string>()
  for (const { reads, rule, writes } of rules) {
    for (const path of reads.fields.keys()) {
      const writer = written.get(path)
      if (writer === undefined) input.add(path)
      else if (!input.has(path)) writtenEarlier.set(path, writer)
    }
    for (const { path } of writes.paths) {
      const [root, ...keys] = path
      const at = root === "user" || root === "context" ? eventPath(root, keys) : undefined
      if (at !== undefined && !written.has(at)) written.set(at, rule)
    }
  }
  for (const path of input) writtenEarlier.delete(path)
  return { ...merge(rules.map((r) => r.reads)), writtenEarlier }
}
