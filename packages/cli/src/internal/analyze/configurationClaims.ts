/**
 * Claims set to a `configuration` setting's value: `context.idToken["https://x/key"] = configuration.API_KEY`, through
 * a local variable (`var key = configuration.API_KEY; ... = key`), in an object or array literal, or inside an object
 * set as the whole token (`context.accessToken = { k: configuration.K }`). Rules copied such a value into the token; a migrated Action denies
 * that login at run time (the legacy layer's SecretInClaim: a secret is never issued in a token), so `rulefx migrate`
 * warns about it before it is deployed.
 */
import type * as acorn from "acorn"
import * as walk from "acorn-walk"
import type * as eslintScope from "eslint-scope"
import { chainOf, propertyKey } from "./chains.ts"
import { fillsOf, flowOf, settingOf } from "./configurationFlow.ts"
import type { Inspection } from "./inspection.ts"
import { startOf } from "./locate.ts"
import { bindingAt } from "./scopes.ts"

// Each configuration key whose whole value `node` may be (or hold, in an object or array literal; either side of a
// condition), directly or through a local variable any write of which does (followed once per variable, so
// `a = b; b = a` ends). This is what the runtime refuses: a string of the claim equal to a secret. A setting inside a
// longer string (`"hi " + configuration.GREETING`, a domain in an email) and what a call makes of it (an HMAC keyed
// with it, `key.slice(-6)`) are let through there, and not warned about here.
const keysIn = (inspection: Inspection, node: acorn.Node, seen: Set<eslintScope.Variable>): Array<string> => {
  const n = node as acorn.AnyNode
  const within = (...nodes: ReadonlyArray<acorn.Node | null | undefined>) =>
    nodes.flatMap((child) => child === null || child === undefined ? [] : keysIn(inspection, child, seen))
  switch (n.type) {
    case "MemberExpression": {
      const key = settingOf(inspection, n)
      return key === undefined ? [] : [key]
    }
    case "Identifier": {
      const variable = inspection.scopes.references.get(n)?.resolved
      if (variable === null || variable === undefined || seen.has(variable)) return []
      seen.add(variable)
      return within(...variable.references.map((write) => write.writeExpr as acorn.Node | null | undefined))
    }
    case "ObjectExpression":
      return within(...n.properties.map((p) => p.type === "Property" ? p.value : p.argument))
    case "ArrayExpression":
      return within(...n.elements.map((e) => e?.type === "SpreadElement" ? e.argument : e))
    case "ConditionalExpression":
      return within(n.consequent, n.alternate)
    case "LogicalExpression":
      return within(n.left, n.right)
    case "SequenceExpression":
      return within(n.expressions.at(-1))
    case "AssignmentExpression":
      return within(n.right)
    case "ParenthesizedExpression":
    case "ChainExpression":
      return within(n.expression)
    default:
      return []
  }
}

// Each configuration key `node` reads in any way: in any part of it (a call's argument or receiver, a string built with
// it), or through a local of the rule's any write of which reads one, or which a statement fills with one
// (`o.k = e`, `o.push(e)`, `f(o, e)`), or a function the rule declares whose body reads one; and any that may flow
// into a local it reads in any other way (an alias, a callback's parameter: configurationFlow). Rough on purpose:
// `rulefx convert` leaves each such claim or redirect to the user rather than guess what the runtime lets through.
const readsIn = (inspection: Inspection, node: acorn.Node, seen: Set<eslintScope.Variable>): Array<string> => {
  const keys: Array<string> = []
  walk.full(node, (n) => {
    if (n.type === "MemberExpression") keys.push(...keysIn(inspection, n, new Set()))
    const variable = n.type === "Identifier" ? inspection.scopes.references.get(n)?.resolved : undefined
    if (variable !== null && variable !== undefined) keys.push(...flowOf(inspection).keysOf(variable))
    if (variable === null || variable === undefined || seen.has(variable) || isParameter(inspection, variable)) return
    seen.add(variable)
    for (const reference of variable.references) {
      for (const filled of fillsOf(inspection, reference)) keys.push(...readsIn(inspection, filled, seen))
    }
    // A function the rule declares: what its body reads.
    for (const def of variable.defs) {
      if (def.type === "FunctionName") keys.push(...readsIn(inspection, def.node as unknown as acorn.Node, seen))
    }
  })
  return keys
}

const isParameter = (inspection: Inspection, variable: eslintScope.Variable) =>
  variable.defs.some((def) => def.type === "Parameter" && def.node === inspection.scopes.rule)

const record = (
  inspection: Inspection,
  at: acorn.Node,
  token: "idToken" | "accessToken",
  claim: string | undefined,
  value: acorn.Node
) => {
  for (const key of new Set(keysIn(inspection, value, new Set()))) {
    inspection.configurationClaims.push({ ...startOf(at), token, ...(claim === undefined ? {} : { claim }), key })
  }
  readsAt(inspection, at, value)
}

// Each setting `node` reads in any way, as read at `at`.
const readsAt = (inspection: Inspection, at: acorn.Node, node: acorn.Node) => {
  for (const key of new Set(readsIn(inspection, node, new Set()))) {
    inspection.configurationReads.push({ ...startOf(at), key })
  }
}

// The pieces of a string built with `+` or a template, in order: static text, or an expression. A local written once
// (`var url = "https://x?k=" + key`) stands for its pieces.
const piecesOf = (
  inspection: Inspection,
  node: acorn.Node,
  seen: Set<eslintScope.Variable>
): Array<string | acorn.Node> => {
  const n = node as acorn.AnyNode
  if (n.type === "Literal" && typeof n.value === "string") return [n.value]
  if (n.type === "BinaryExpression" && n.operator === "+") {
    return [...piecesOf(inspection, n.left, seen), ...piecesOf(inspection, n.right, seen)]
  }
  if (n.type === "TemplateLiteral") {
    return n.quasis.flatMap((quasi, i) => {
      const expression = n.expressions[i]
      const text = quasi.value.cooked ?? quasi.value.raw
      return expression === undefined ? [text] : [text, ...piecesOf(inspection, expression, seen)]
    })
  }
  if (n.type === "ParenthesizedExpression") return piecesOf(inspection, n.expression, seen)
  const variable = n.type === "Identifier" ? inspection.scopes.references.get(n)?.resolved : undefined
  const writes = variable?.references.filter((r) => r.writeExpr !== null && r.writeExpr !== undefined) ?? []
  if (variable !== null && variable !== undefined && !seen.has(variable) && writes.length === 1) {
    seen.add(variable)
    return piecesOf(inspection, writes[0]!.writeExpr as acorn.Node, seen)
  }
  return [n]
}

// Whether `node` is, on every path, a setting's whole value or a literal: `configuration.K`, a local every write of
// which is, either side of a condition.
const isWhole = (inspection: Inspection, node: acorn.Node, seen: Set<eslintScope.Variable>): boolean => {
  const n = node as acorn.AnyNode
  switch (n.type) {
    case "Literal":
      return true
    case "MemberExpression":
      return keysIn(inspection, n, seen).length > 0
    case "ParenthesizedExpression":
      return isWhole(inspection, n.expression, seen)
    case "ConditionalExpression":
      return isWhole(inspection, n.consequent, seen) && isWhole(inspection, n.alternate, seen)
    case "LogicalExpression":
      return isWhole(inspection, n.left, seen) && isWhole(inspection, n.right, seen)
    case "Identifier": {
      const variable = inspection.scopes.references.get(n)?.resolved
      if (variable === null || variable === undefined || seen.has(variable) || isParameter(inspection, variable)) {
        return false
      }
      seen.add(variable)
      return variable.references.every((r) =>
        fillsOf(inspection, r).every((filled) => isWhole(inspection, filled, seen))
      )
    }
    default:
      return false
  }
}

// What ends a part of a URL the runtime compares with a secret (user, password, path segment, query key or value).
const separator = /[/?#&=:@;]/

// Each configuration key a redirect's URL may hold as a whole part, which the runtime refuses (SecretInRedirect): a
// setting in the URL's pieces, unless it starts the URL (the page to send the user to), sits in its host
// (`"https://" + configuration.DOMAIN + "/x"`), or is glued to static text that is no separator (`"?k=v" + key`):
// the part is then longer than the setting, and the runtime lets it through.
const urlKeysIn = (inspection: Inspection, url: acorn.Node, reads = false): Array<string> => {
  const pieces = piecesOf(inspection, url, new Set()).filter((piece) => piece !== "")
  return pieces.flatMap((piece, i) => {
    if (typeof piece === "string" || (i === 0 && !reads)) return []
    const before = pieces[i - 1]
    const after = pieces[i + 1]
    const prefix = pieces.slice(0, i)
    const inHost = prefix.every((p) => typeof p === "string") && /^https?:\/\/[\w.-]*$/i.test(prefix.join("")) &&
      (after === undefined || (typeof after === "string" && /^[./?#]/.test(after)))
    const glued = (typeof before === "string" && !separator.test(before.at(-1)!)) ||
      (typeof after === "string" && !separator.test(after[0]!))
    if (!reads) return inHost || glued ? [] : keysIn(inspection, piece, new Set())
    // Let through only where the piece is a setting's whole value (what the runtime's check is about), nothing else.
    return (inHost || glued || i === 0) && isWhole(inspection, piece, new Set())
      ? []
      : readsIn(inspection, piece, new Set())
  })
}

/** An assignment whose target is a claim of the rule's `context.idToken`/`context.accessToken`, or the whole token. */
export const onAssignment = (inspection: Inspection, node: acorn.AssignmentExpression): void => {
  if (node.left.type !== "MemberExpression") return
  const chain = chainOf(node.left)
  if (chain.root.type !== "Identifier" || (chain.root as acorn.Identifier).name !== inspection.contextName) return
  const [token, claim] = chain.keys
  if (token === "redirect" && chain.keys.length === 1) return onRedirect(inspection, node)
  if (token !== "idToken" && token !== "accessToken") return
  if (chain.keys.length >= 2) {
    // A claim named with a setting (`context.idToken[configuration.KEY] = "x"`) issues it in the token too.
    if (node.left.computed) readsAt(inspection, node, node.left.property)
    return record(inspection, node, token, claim, node.right)
  }
  const right = node.right as acorn.AnyNode
  if (right.type !== "ObjectExpression") return record(inspection, node, token, undefined, right)
  for (const property of right.properties) {
    if (property.type === "Property") record(inspection, property, token, propertyKey(property), property.value)
  }
}

// `context.redirect = { url: e }`: the settings `e` may carry as a whole part of the URL.
const onRedirect = (inspection: Inspection, node: acorn.AssignmentExpression): void => {
  const right = node.right as acorn.AnyNode
  if (right.type !== "ObjectExpression") return
  for (const property of right.properties) {
    if (property.type !== "Property" || propertyKey(property) !== "url") continue
    for (const key of new Set(urlKeysIn(inspection, property.value))) {
      inspection.configurationRedirects.push({ ...startOf(node), key })
    }
    for (const key of new Set(urlKeysIn(inspection, property.value, true))) {
      inspection.configurationReads.push({ ...startOf(node), key })
    }
  }
}

/**
 * `console.log(...)` (any method of the Rules global `console`), `context.accessToken.scope.push(...)` (any method of
 * the scopes): the settings its arguments read in any way, which the log or the token would show.
 */
export const onLog = (inspection: Inspection, node: acorn.CallExpression | acorn.NewExpression): void => {
  const callee = node.callee
  if (callee.type !== "MemberExpression") return
  const chain = chainOf(callee)
  const scopes = chain.root.type === "Identifier" && (chain.root as acorn.Identifier).name === inspection.contextName &&
    chain.keys[0] === "accessToken" && chain.keys[1] === "scope"
  if (!scopes && !isGlobalConsole(inspection, callee.object)) return
  for (const argument of node.arguments) readsAt(inspection, node, argument)
}

const isGlobalConsole = (inspection: Inspection, node: acorn.Node): boolean =>
  node.type === "Identifier" && (node as acorn.Identifier).name === "console" &&
  bindingAt(inspection.scopes, node) !== "local"
