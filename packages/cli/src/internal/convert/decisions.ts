/**
 * Writes to `context` that are decisions: a token claim (`context.idToken[namespace + "x"] = e`, the same for
 * `context.accessToken`), MFA (`context.multifactor = { provider: "any", allowRememberBrowser: false }`) and a redirect
 * (`context.redirect = { url: e }`). Each becomes the Decision call that records the same thing. A write to another
 * field of `context`, or one of these whose shape is not the plain one, is left as a TODO.
 */
import type * as acorn from "acorn"
import * as walk from "acorn-walk"
import type { Analysis } from "../../Analyze.ts"
import { chainOf, keyOf, propertyKey, staticString } from "../analyze/chains.ts"
import * as EarlierWrites from "./earlierWrites.ts"
import * as Expression from "./expression.ts"
import * as HeldKeys from "./heldKeys.ts"
import { fresh, lineOf, type Scope } from "./scope.ts"
import * as Todo from "./todo.ts"
import * as TokenScope from "./tokenScope.ts"

// The providers Rules knew; any other reads as "any" under Rules, and is left to the user here.
const providers: ReadonlySet<string> = new Set(["any", "guardian", "google-authenticator", "duo"])

const repeats = new Set([
  "ForStatement",
  "ForInStatement",
  "ForOfStatement",
  "WhileStatement",
  "DoWhileStatement",
  "FunctionExpression",
  "FunctionDeclaration",
  "ArrowFunctionExpression"
])

// The computed claim names each rule fixes (HeldKeys over its body), kept by `prepare`.
const heldKeys = new WeakMap<Scope, HeldKeys.Resolve>()

/**
 * Keeps, by line, the settings each claim or redirect reads in any way, as the rule's analysis found them; the claim
 * assignments of `body` that may follow another of the same claim; and the claim names the rule fixes.
 */
export const prepare = (scope: Scope, analysis: Analysis, body: acorn.Node): void => {
  heldKeys.set(scope, HeldKeys.make(body, analysis.params))
  for (
    const { key, line } of [
      ...analysis.configurationClaims,
      ...analysis.configurationRedirects,
      ...analysis.configurationReads
    ]
  ) {
    scope.settingsAt.set(line, (scope.settingsAt.get(line) ?? new Set()).add(key))
  }
  const claims: Array<{ node: acorn.Node; token: string; name: string | undefined }> = []
  walk.ancestor(body, {
    AssignmentExpression(node, _state, ancestors) {
      if (node.left.type !== "MemberExpression") return
      const { keys, root } = chainOf(node.left)
      if (root.type !== "Identifier" || (root as acorn.Identifier).name !== scope.context || keys.length !== 2) return
      const [token, name] = keys
      if (token !== "idToken" && token !== "accessToken") return
      claims.push({ node, token, name })
      if (ancestors.some((a) => a !== body && repeats.has(a.type))) scope.reassigned.add(node)
    }
  })
  for (const one of claims) {
    const same = claims.filter((c) => c.token === one.token && (c.name ?? one.name) === (one.name ?? c.name))
    if (same.length > 1) scope.reassigned.add(one.node)
  }
}

// The `configuration` settings the value assigned by `node` may carry: read in its rewritten text (each setting is a
// local of its own, Expression), or in any way through the rule's locals (Analyze's `configurationReads`).
// `analysed`: with what Analyze found on the line, else only what the text names.
const secretsIn = (scope: Scope, node: acorn.Node, text: string, analysed = true): Array<string> => [
  ...new Set([
    ...[...scope.secrets].filter(([, local]) =>
      new RegExp(`(^|[^\\w$])${local.replace(/\$/g, "\\$")}($|[^\\w$])`).test(text)
    ).map(([key]) => key),
    ...analysed ? scope.settingsAt.get(lineOf(scope, node)) ?? [] : []
  ])
]

const names = (keys: ReadonlyArray<string>) => keys.map((key) => `\`configuration.${key}\``).join(", ")

const claim = (
  scope: Scope,
  node: acorn.AssignmentExpression,
  token: "idToken" | "accessToken",
  target: acorn.MemberExpression
): Array<string> => {
  const name = target.computed
    ? Expression.rewrite(scope, target.property)
    : { _tag: "Ok" as const, text: JSON.stringify(keyOf(target)) }
  if (name._tag === "Refused") return Todo.lines(scope, node, name.reason)
  const value = Expression.rewrite(scope, node.right)
  if (value._tag === "Refused") return Todo.lines(scope, node, value.reason)
  // A setting read for the name through a local shows in Analyze's reads of the line, with the value's.
  const named = secretsIn(scope, node, name.text, false)
  if (named.length > 0) {
    return Todo.lines(scope, node, `names a token claim with ${names(named)} (a secret issued in the token)`)
  }
  const secrets = secretsIn(scope, node, value.text)
  if (secrets.length > 0) {
    return Todo.lines(
      scope,
      node,
      `writes ${names(secrets)} into a token claim (the migrated Action denies such a login: a secret in a token)`
    )
  }
  const set = token === "idToken" ? "Decision.setIdTokenClaim" : "Decision.setAccessTokenClaim"
  // Rules sent the claims as JSON, where an undefined value is absent: only a defined value is set.
  const right = node.right as acorn.AnyNode
  if (right.type === "Literal" || right.type === "TemplateLiteral" || staticString(right) !== undefined) {
    scope.uses.add("Decision")
    return [`yield* ${set}(${name.text}, ${value.text})`]
  }
  const dropped = droppedClaim(scope, token, target)
  if (dropped !== undefined) return Todo.lines(scope, node, dropped)
  scope.uses.add("Decision")
  const local = fresh(scope, "claim")
  if (!scope.reassigned.has(node)) {
    return [`const ${local} = ${value.text}`, `if (${local} !== undefined) yield* ${set}(${name.text}, ${local})`]
  }
  // Assigned again: under Rules an absent value leaves the claim absent, whatever this rule set before.
  return [
    `const ${local} = ${value.text}`,
    `yield* ${local} !== undefined`,
    `  ? ${set}(${name.text}, ${local})`,
    `  : Decision.recordWith((draft) => {`,
    `    delete draft.${token}Claims[${name.text}]`,
    `  })`
  ]
}

// Why a claim this rule sets to a value that may be undefined cannot be translated, if it cannot: an earlier rule may
// set that claim (or one of a name either rule computes). Under Rules the undefined value dropped it (the claims went
// out as JSON); the typed rule sets nothing then, and core's Decision has no way to remove an earlier rule's claim, so
// the earlier value would stay.
const droppedClaim = (
  scope: Scope,
  token: "idToken" | "accessToken",
  target: acorn.MemberExpression
): string | undefined => {
  const name = target.computed ? (heldKeys.get(scope) ?? (() => undefined))(target.property) : keyOf(target)
  const earlier = EarlierWrites.writeAt(scope.earlier, ["context", token, ...(name === undefined ? [] : [name])])
  if (earlier === undefined) return undefined
  const claim = name === undefined ? "a claim whose name it computes" : `the claim ${JSON.stringify(name)}`
  const at = earlier.line === undefined ? "" : ` at line ${earlier.line} of its file`
  return `sets ${claim} of context.${token} to a value that may be undefined, which the earlier rule ` +
    `${earlier.rule} may set${at}: under Rules an undefined value dropped the claim, while the typed rule would ` +
    `keep ${earlier.rule}'s value (core's Decision cannot remove a claim)`
}

const mfa = (scope: Scope, node: acorn.AssignmentExpression): Array<string> => {
  const value = node.right as acorn.AnyNode
  if (value.type !== "ObjectExpression") {
    return Todo.lines(scope, node, "sets `context.multifactor` to something other than an object literal")
  }
  let provider: string | undefined
  let remember = false
  for (const property of value.properties) {
    const key = property.type === "Property" ? propertyKey(property) : undefined
    const literal = property.type === "Property" ? (property.value as acorn.AnyNode) : undefined
    if (key === "provider" && literal?.type === "Literal" && typeof literal.value === "string") {
      provider = literal.value
    } else if (key === "allowRememberBrowser" && literal?.type === "Literal" && typeof literal.value === "boolean") {
      remember = literal.value
    } else {
      return Todo.lines(scope, node, "sets `context.multifactor` with a field other than a literal provider and flag")
    }
  }
  if (provider === undefined || !providers.has(provider) || provider === "duo") {
    return Todo.lines(scope, node, "asks for an MFA provider that needs settings or that Rules did not know")
  }
  scope.uses.add("Decision")
  return [`yield* Decision.requireMfa(${JSON.stringify(provider)}, { allowRememberBrowser: ${remember} })`]
}

const redirect = (scope: Scope, node: acorn.AssignmentExpression): Array<string> => {
  const value = node.right as acorn.AnyNode
  const url = value.type === "ObjectExpression" && value.properties.length === 1 &&
      value.properties[0]?.type === "Property" && propertyKey(value.properties[0]) === "url"
    ? value.properties[0].value
    : undefined
  if (url === undefined) return Todo.lines(scope, node, "sets `context.redirect` to something other than `{ url }`")
  const text = Expression.rewrite(scope, url)
  if (text._tag === "Refused") return Todo.lines(scope, node, text.reason)
  const secrets = [...scope.settingsAt.get(lineOf(scope, node)) ?? []]
  if (secrets.length > 0) {
    return Todo.lines(
      scope,
      node,
      `puts ${names(secrets)} into the redirect's URL (the migrated Action denies such a login: a secret in a redirect)`
    )
  }
  scope.uses.add("Decision")
  return [`yield* Decision.redirect(${text.text})`]
}

/** The statements for an assignment to `context`, or undefined when the assignment is not to `context`. */
export const recognise = (scope: Scope, expression: acorn.Node): Array<string> | undefined => {
  const node = expression as acorn.AnyNode
  if (node.type !== "AssignmentExpression" || node.left.type !== "MemberExpression") return undefined
  const { keys, root } = chainOf(node.left)
  if (root.type !== "Identifier" || (root as acorn.Identifier).name !== scope.context) return undefined
  // context.accessToken.scope is the rule's own local (TokenScope), assigned as written.
  if (TokenScope.names(keys)) {
    const assigned = Expression.rewrite(scope, node)
    if (assigned._tag === "Refused") return Todo.lines(scope, node, assigned.reason)
    const secrets = secretsIn(scope, node, assigned.text)
    return secrets.length === 0 ? [assigned.text] : Todo.lines(scope, node, TokenScope.holdsSecrets(names(secrets)))
  }
  if (node.operator !== "=") return Todo.lines(scope, node, `updates \`context\` with \`${node.operator}\``)
  const [first, ...rest] = keys
  if ((first === "idToken" || first === "accessToken") && keys.length === 2) {
    return claim(scope, node, first, node.left)
  }
  if (first === "multifactor" && rest.length === 0) return mfa(scope, node)
  if (first === "redirect" && rest.length === 0) return redirect(scope, node)
  return Todo.lines(scope, node, `writes context.${keys.map((k) => k ?? "[…]").join(".")}, which no Decision records`)
}
