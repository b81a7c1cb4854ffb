/**
 * What legacy rules read of a login, for `rulefx events --generate --rules`: the post-login event fields (v3 names)
 * behind the `user` and `context` fields each rule reads, and the string values each field is compared with.
 *
 * A rule's function is found and checked by Analyze (its `source` and `params`), then its member chains are followed
 * from the `user` and `context` parameters, and from local names given one of them (`var md = user.app_metadata ||
 * {}`). A string literal is tied to a field when the rule compares it with the field (`===`, `!==`, `==`, `!=`, a
 * `switch` case), tests the field with it (`.indexOf`, `.includes`, `.startsWith`, `.endsWith`), or looks the field
 * up in a list of them (`["a", "b"].indexOf(context.clientName)`, `context.clientName in { a: 1 }`). A list, string
 * or object held in a variable counts as written there: `const CLIENTS = ["a"]` then `CLIENTS.indexOf(context.clientID)`,
 * `const ALLOWED = { app: ["a"] }` then `ALLOWED.app.includes(...)` or `context.clientName in ALLOWED`. Every other
 * short string literal is kept as the rule's vocabulary.
 */
import * as acorn from "acorn"
import * as walk from "acorn-walk"
import { chainOf } from "../analyze/chains.ts"
import type { EarlierWrites } from "../convert/earlierWrites.ts"
import * as Held from "./held.ts"

/** Fields by event path (`user.app_metadata.roles`, `client.name`), each with the literals it is compared with. */
export interface RuleReads {
  readonly fields: ReadonlyMap<string, ReadonlySet<string>>
  readonly vocabulary: ReadonlySet<string>
  /**
   * The fields read only after an earlier rule wrote them (`user.tier`, set by one rule and read by the next), each
   * with the rule that wrote it first: not inputs of the login.
   */
  readonly writtenEarlier?: ReadonlyMap<string, string>
}

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

const comparisons = new Set(["===", "!==", "==", "!="])
const tests = new Set(["indexOf", "includes", "startsWith", "endsWith", "lastIndexOf"])
const maxLiteral = 80

type Root = { readonly root: "user" | "context"; readonly keys: ReadonlyArray<string> }

const stringOf = (node: acorn.Node): string | undefined => {
  const n = node as acorn.AnyNode
  if (n.type === "Literal" && typeof n.value === "string") return n.value
  if (n.type === "TemplateLiteral" && n.expressions.length === 0) return n.quasis[0]?.value.cooked ?? undefined
  return undefined
}

// `a || {}`, `(a)`, `a && a.b` give the chain they read.
const unwrap = (node: acorn.Node): acorn.Node => {
  const n = node as acorn.AnyNode
  if (n.type === "LogicalExpression") return unwrap(n.operator === "&&" ? n.right : n.left)
  return node
}

/** The fields one rule's function reads (`source` and `params` as Analyze gives them). */
export const ofRule = (source: string, params: ReadonlyArray<string>): RuleReads => {
  const program = acorn.parse(`(${source})`, {
    ecmaVersion: "latest",
    sourceType: "script",
    allowReturnOutsideFunction: true
  })
  const roots = new Map<string, Root>()
  if (params[0] !== undefined) roots.set(params[0], { root: "user", keys: [] })
  if (params[1] !== undefined) roots.set(params[1], { root: "context", keys: [] })

  const resolve = (node: acorn.Node): Root | undefined => {
    const n = unwrap(node) as acorn.AnyNode
    if (n.type === "Identifier") return roots.get(n.name)
    if (n.type !== "MemberExpression") return undefined
    const chain = chainOf(n)
    if (chain.root.type !== "Identifier") return undefined
    const base = roots.get((chain.root as acorn.Identifier).name)
    if (base === undefined) return undefined
    const keys: Array<string> = [...base.keys]
    for (const key of chain.keys) {
      if (key === undefined) break
      keys.push(key)
    }
    return { root: base.root, keys }
  }
  const pathOf = (node: acorn.Node): string | undefined => {
    const r = resolve(node)
    return r === undefined ? undefined : eventPath(r.root, r.keys)
  }

  // Aliases first (`var md = user.app_metadata || {}`), in source order, so later reads through them resolve.
  walk.simple(program, {
    VariableDeclarator(node) {
      if (node.id.type !== "Identifier" || node.init == null) return
      const r = resolve(node.init)
      if (r !== undefined && r.keys.length > 0) roots.set(node.id.name, r)
    }
  })

  const held = Held.ofProgram(program)
  // What the rule assigns (`user.tier = ...`) it does not read there: the field is its output.
  const assigned = new Set<acorn.Node>()
  walk.simple(program, {
    AssignmentExpression(node) {
      if (node.operator === "=") assigned.add(node.left)
    }
  })
  const literalsOf = (node: acorn.Node): ReadonlyArray<string> => Held.strings(held, node)
  const fields = new Map<string, Set<string>>()
  const vocabulary = new Set<string>()
  const read = (path: string | undefined, literal?: string) => {
    if (path === undefined) return
    const values = fields.get(path) ?? new Set<string>()
    if (literal !== undefined && literal.length <= maxLiteral) values.add(literal)
    fields.set(path, values)
  }
  walk.full(program, (node) => {
    const n = node as acorn.AnyNode
    switch (n.type) {
      case "MemberExpression":
        if (!assigned.has(n)) read(pathOf(n))
        // ROLES_BY_CLIENT[context.clientName]: the object's keys
        if (n.computed) { for (const key of Held.keys(held, n.object)) read(pathOf(n.property), key) }
        return
      case "Literal":
      case "TemplateLiteral": {
        const text = stringOf(n)
        if (text !== undefined && text.length > 0 && text.length <= maxLiteral) vocabulary.add(text)
        return
      }
      case "BinaryExpression": {
        // context.clientName in ALLOWED: the object's keys
        if (n.operator === "in") {
          for (const key of Held.keys(held, n.right)) read(pathOf(n.left), key)
          return
        }
        if (!comparisons.has(n.operator)) return
        for (const right of literalsOf(n.right)) read(pathOf(n.left), right)
        for (const left of literalsOf(n.left)) read(pathOf(n.right), left)
        return
      }
      case "SwitchStatement": {
        const path = pathOf(n.discriminant)
        for (const c of n.cases) if (c.test != null) { for (const value of literalsOf(c.test)) read(path, value) }
        return
      }
      case "CallExpression": {
        if (n.callee.type !== "MemberExpression" || n.callee.property.type !== "Identifier") return
        if (!tests.has(n.callee.property.name)) return
        const argument = n.arguments[0]
        if (argument === undefined || argument.type === "SpreadElement") return
        // field.indexOf("x"), field.includes(PREFIX)
        for (const literal of literalsOf(argument)) read(pathOf(n.callee.object), literal)
        // ["a", "b"].indexOf(field), CLIENTS.indexOf(field), "a,b".includes(field)
        const path = pathOf(argument)
        if (path !== undefined) { for (const value of literalsOf(n.callee.object)) read(path, value) }
        return
      }
    }
  })
  return { fields, vocabulary }
}

/** The reads of several rules together. */
export const merge = (all: ReadonlyArray<RuleReads>): RuleReads => {
  const fields = new Map<string, Set<string>>()
  const vocabulary = new Set<string>()
  for (const reads of all) {
    for (const [path, values] of reads.fields) fields.set(path, new Set([...(fields.get(path) ?? []), ...values]))
    for (const word of reads.vocabulary) vocabulary.add(word)
  }
  return { fields, vocabulary }
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
