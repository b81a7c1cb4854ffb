/**
 * Rewrites one expression of a legacy rule into the converted rule's terms: each `user`/`context` chain Login has
 * becomes the local it is read into (`user.email` → `userEmail`, `user.app_metadata.plan` → `appMetadata["plan"]`),
 * each `configuration.X` the local its secret is read into. Everything else stays as written, so it keeps its
 * JavaScript meaning. An expression that reaches anything else of the Rules world (another `user` or `context` field,
 * `callback`, `auth0`, `require`, an undeclared global, `this`, `await`) is not rewritten: the caller leaves a TODO.
 */
import type * as acorn from "acorn"
import * as walk from "acorn-walk"
import { chainOf, isEmptyFallback, keyOf, writeOf } from "../analyze/chains.ts"
import * as EarlierWrites from "./earlierWrites.ts"
import * as Facts from "./facts.ts"
import * as LoginReads from "./loginReads.ts"
import * as Passes from "./passes.ts"
import { fresh, lineOf, type Scope, textOf } from "./scope.ts"
import * as TokenScope from "./tokenScope.ts"

export type Rewritten =
  | { readonly _tag: "Ok"; readonly text: string }
  | { readonly _tag: "Refused"; readonly node: acorn.Node; readonly reason: string }

// Standard globals whose use means the same in a typed rule: no timers, no I/O, no process, no promises.
export const allowedGlobals: ReadonlySet<string> = new Set(
  ("Array Boolean Date Error Infinity JSON Map Math NaN Number Object RangeError RegExp Set String Symbol TypeError " +
    "URL URLSearchParams decodeURI decodeURIComponent encodeURI encodeURIComponent isFinite isNaN parseFloat " +
    "parseInt undefined structuredClone console").split(" ")
)

interface Replacement {
  readonly start: number
  readonly end: number
  readonly text: string
}

const refused = (node: acorn.Node, reason: string): Rewritten => ({ _tag: "Refused", node, reason })

const isReference = (node: acorn.Identifier, parent: acorn.Node | undefined): boolean => {
  const p = parent as acorn.AnyNode | undefined
  if (p === undefined) return true
  if (p.type === "MemberExpression") return p.object === node || p.computed
  if (p.type === "Property") return p.value === node || p.computed || p.shorthand
  if (p.type === "MethodDefinition" || p.type === "PropertyDefinition") return p.computed
  if (p.type === "LabeledStatement" || p.type === "BreakStatement" || p.type === "ContinueStatement") return false
  return true
}

// Whether a value is only tested for truthiness where it stands.
const isTest = (node: acorn.Node, parent: acorn.Node | undefined, rootIsTest: boolean): boolean => {
  const p = parent as acorn.AnyNode | undefined
  if (p === undefined) return rootIsTest
  if (p.type === "IfStatement" || p.type === "ConditionalExpression") return p.test === node
  return p.type === "UnaryExpression" && p.operator === "!"
}

// Whether the value of the node at `ancestors[index]` only counts for its truthiness: tested where it stands, or an
// operand of `&&`/`||` whose value is (`if (user.email && user.email_verified)`).
const truthinessOnly = (ancestors: ReadonlyArray<acorn.Node>, index: number, rootIsTest: boolean): boolean => {
  let i = index
  for (;;) {
    const parent = ancestors[i - 1] as acorn.AnyNode | undefined
    if (parent?.type !== "LogicalExpression" || parent.operator === "??") break
    i--
  }
  return isTest(ancestors[i] as acorn.Node, ancestors[i - 1], rootIsTest)
}

// Whether only the truthiness of the node at `ancestors[index]` counts: truthinessOnly, or the left operand of `&&`,
// whose value is the expression's only when falsy (`context.request && context.request.ip`).
const truthOnly = (ancestors: ReadonlyArray<acorn.Node>, index: number, rootIsTest: boolean): boolean => {
  const parent = ancestors[index - 1] as acorn.AnyNode | undefined
  return truthinessOnly(ancestors, index, rootIsTest) ||
    (parent?.type === "LogicalExpression" && parent.operator === "&&" && parent.left === ancestors[index])
}

// The objects of `context` that Login has no read for but that every login has, on both sides: Actions' event always
// has a request, and the legacy runtime (RulesContext) always builds `context.request`. Only tested, they are true (an
// earlier rule that writes them leaves a TODO instead). `context.request.geoip` has Login's read: tested whole, it is
// an object on both sides (readOf).
const alwaysObjects: ReadonlySet<string> = new Set(["context.request"])

// Login fields decoded with a default where Rules' `user` kept the field absent: `email_verified` (false). Read from
// Login only where just their truthiness counts; elsewhere (`=== false`, `=== undefined`, `!== true`, a claim's value)
// from the event's own user, absent as it was.
const defaulted: ReadonlySet<string> = new Set(["email_verified"])

// A function's parameters typed `any`, what JavaScript gave them (`function (x)` → `function (x: any)`, `x => ...` →
// `(x: any) => ...`); undefined when one is not a plain name.
const untypedParams = (
  fn: acorn.FunctionExpression | acorn.ArrowFunctionExpression
): ReadonlyArray<Replacement> | undefined => {
  if (fn.params.some((p) => p.type !== "Identifier")) return undefined
  const [only] = fn.params
  if (
    fn.type === "ArrowFunctionExpression" && fn.params.length === 1 && only !== undefined && only.start === fn.start
  ) {
    return [{ start: only.start, end: only.end, text: `(${(only as acorn.Identifier).name}: any)` }]
  }
  return fn.params.map((p) => ({ start: p.end, end: p.end, text: ": any" }))
}

// `--after-legacy`: what the earlier (legacy) rules left, read through their State as written (`user.roles` →
// `legacyUser.roles`), so the rule's own code keeps its JavaScript meaning on the same value. A write is refused: the
// State is the legacy rules', which record from it. A read once any earlier rule reads a setting is refused, as a fact
// made from a setting is (Facts): convert follows a setting within one rule only, so through the State (by way of
// any rule, from anywhere it was left) it could reach a token, a URL or a log unseen.
const legacyReadOf = (
  scope: Scope,
  { root, what }: { readonly root: "user" | "context"; readonly what: string },
  identifier: acorn.Identifier,
  ancestors: ReadonlyArray<acorn.Node>,
  members: ReadonlyArray<acorn.MemberExpression>
): Replacement | Rewritten => {
  const outermost = members.at(-1) ?? identifier
  if (writeOf(outermost, ancestors[ancestors.length - 2 - members.length]) !== undefined) {
    return refused(outermost, `writes ${what}, which the earlier legacy rules own (make it a Fact)`)
  }
  // Not only the rules that wrote the field read: a rule may leave a setting anywhere (`user.tmp`, `global.tmp`) for
  // another to copy into it (`context.bag.sig = user.tmp`), so any earlier rule's setting may be there.
  const settings = EarlierWrites.settingsOf(scope.earlier)
  if (settings.length > 0) {
    const keys = settings.map(({ key }) => `\`configuration${key === EarlierWrites.anyKey ? key : `.${key}`}\``).join(
      ", "
    )
    return refused(
      outermost,
      `reads ${what}, which ${
        earlierRules([...new Set(settings.map(({ rule }) => rule))])
      } may have set from ${keys}: ` +
        `convert follows a setting within one rule only, and through the legacy rules' State it could reach a ` +
        `token, a URL or a log unseen (the legacy runtime denied or scrubbed it)`
    )
  }
  // A metadata the rule persists is its own copy of Login's (Metadata): reading the legacy rules' one instead would
  // miss what the rule wrote to it.
  const metadata = members[0] === undefined ? undefined : keyOf(members[0])
  if (
    root === "user" && (metadata === "app_metadata" || metadata === "user_metadata") && scope.persisted.has(metadata)
  ) {
    return refused(outermost, `reads ${what}, of the metadata it persists, which an earlier legacy rule may change`)
  }
  scope.legacyReads.add(root)
  return { start: identifier.start, end: identifier.end, text: root === "user" ? "legacyUser" : "legacyContext" }
}

// A field a rule's write leaves for the rules after it (Facts): read through its fact by those rules, and not at all
// by the writer itself (its own reads would see the login's value, not what it wrote).
const factOf = (
  scope: Scope,
  root: "user" | "context",
  staticKeys: ReadonlyArray<string>,
  writer: string | undefined,
  ancestors: ReadonlyArray<acorn.Node>,
  members: ReadonlyArray<acorn.MemberExpression>
): Replacement | Rewritten | undefined => {
  const own = Facts.lookup(scope.facts.own, root, staticKeys[0])
  const first = members[0]
  if (own !== undefined && first !== undefined) {
    return refused(first, `reads ${own.name}, which this rule sets (later rules read it as the fact ${own.exportName})`)
  }
  const fact = writer === undefined ? undefined : Facts.lookup(scope.facts.readable, root, staticKeys[0])
  if (fact === undefined || first === undefined) return undefined
  // The earlier rule's protocol, read by a rule with two passes: the same question as its own read of it.
  if (scope.twoPasses && fact.reads.some((read) => read.expression === Passes.protocolRead)) {
    return refused(
      first,
      Passes.protocolReason(`${fact.name} (the earlier rule ${fact.rule} sets it from context.protocol)`)
    )
  }
  const outermost = members.at(-1) as acorn.MemberExpression
  if (writeOf(outermost, ancestors[ancestors.length - 2 - members.length]) !== undefined) {
    return refused(
      outermost,
      `writes ${fact.name}, which the earlier rule ${fact.rule} leaves as the fact ${fact.exportName}`
    )
  }
  let local = scope.factReads.get(fact.exportName)
  if (local === undefined) {
    local = fresh(scope, fact.exportName.charAt(0).toLowerCase() + fact.exportName.slice(1))
    scope.factReads.set(fact.exportName, local)
  }
  return { start: first.object.start, end: first.end, text: local }
}

type Found = NonNullable<ReturnType<typeof LoginReads.lookup>>

// The members above the identifier, innermost first.
const membersAbove = (
  identifier: acorn.Identifier,
  ancestors: ReadonlyArray<acorn.Node>
): Array<acorn.MemberExpression> => {
  const members: Array<acorn.MemberExpression> = []
  let current: acorn.Node = identifier
  for (let i = ancestors.length - 2; i >= 0; i--) {
    const parent = ancestors[i] as acorn.AnyNode
    if (parent.type !== "MemberExpression" || parent.object !== current) break
    members.push(parent)
    current = parent
  }
  return members
}

// `context.accessToken.scope`: the rule's own scopes local, unless an earlier rule may set them.
const tokenScopeReadOf = (
  scope: Scope,
  identifier: acorn.Identifier,
  members: ReadonlyArray<acorn.MemberExpression>
): Replacement | Rewritten => {
  const writer = EarlierWrites.scopeWriterOf(scope.earlier)
  if (writer !== undefined) {
    return refused(
      members.at(-1) as acorn.MemberExpression,
      `uses context.accessToken.scope, which the earlier rule ${writer} may set: under Rules this rule saw (and ` +
        `replaced) what it left, while scope decisions of two rules add up`
    )
  }
  // A setting put in the scopes (`context.accessToken.scope.push(configuration.KEY)`, as Analyze found on the line).
  const secrets = [...scope.settingsAt.get(lineOf(scope, identifier)) ?? []]
  if (secrets.length > 0) {
    const names = secrets.map((key) => `\`configuration.${key}\``).join(", ")
    return refused(members.at(-1) as acorn.MemberExpression, TokenScope.holdsSecrets(names))
  }
  const scopeMember = members[1] as acorn.MemberExpression
  return { start: identifier.start, end: scopeMember.end, text: TokenScope.localOf(scope) }
}

// The Login read behind the chain. A defaulted profile field (`user.email_verified`) used where its absence matters
// (anything but a truthiness test) is read from the event's profile, where it may be absent as under Rules.
const loginReadOf = (
  root: "user" | "context",
  keys: ReadonlyArray<string | undefined>,
  ancestors: ReadonlyArray<acorn.Node>,
  members: ReadonlyArray<acorn.MemberExpression>,
  rootIsTest: boolean
): Found | undefined => {
  const outerIndex = ancestors.length - 1 - members.length
  const absentMatters = root === "user" && keys.length === 1 && defaulted.has(keys[0] ?? "") &&
    !truthinessOnly(ancestors, outerIndex, rootIsTest)
  return absentMatters ? { read: LoginReads.profile, length: 0 } : LoginReads.lookup(root, keys)
}

// The local the read is held in, declared on the first read.
const localOf = (scope: Scope, found: Found): string => {
  const known = scope.reads.get(found.read.expression)?.local
  if (known !== undefined) return known
  const read = { ...found.read, local: fresh(scope, found.read.local) }
  scope.reads.set(found.read.expression, read)
  return read.local
}

// A metadata the rule persists is its own copy, written key by key (Metadata): a read that could change it in place
// (the whole object handed on, a method called on one of its values) would be persisted by Rules, not here.
const persistedMisuse = (
  scope: Scope,
  root: "user" | "context",
  keys: ReadonlyArray<string | undefined>,
  found: Found,
  ancestors: ReadonlyArray<acorn.Node>,
  members: ReadonlyArray<acorn.MemberExpression>,
  what: string
): Rewritten | undefined => {
  const persisted = root === "user" && found.length === 1 && (keys[0] === "app_metadata" || keys[0] === "user_metadata")
    ? scope.persisted.has(keys[0])
    : false
  if (!persisted) return undefined
  const outermost = members.at(-1) as acorn.MemberExpression
  const parentOfOuter = ancestors[ancestors.length - 2 - members.length]
  const next = members[found.length]
  const after = members[found.length + 1]
  const parentOfAfter = after === undefined ? undefined : ancestors[ancestors.length - 2 - (found.length + 2)]
  const called = after !== undefined && (parentOfAfter as acorn.AnyNode | undefined)?.type === "CallExpression" &&
    (parentOfAfter as acorn.CallExpression).callee === after
  const handed = (parentOfOuter as acorn.AnyNode | undefined)?.type === "CallExpression" &&
    (parentOfOuter as acorn.CallExpression).arguments.includes(outermost as acorn.Expression)
  if (next === undefined || next.computed || called || handed || (after !== undefined && outermost !== after)) {
    return refused(outermost, `reads ${what}, of the metadata it persists, other than as a value by its key`)
  }
  return undefined
}

// The read's text: a record's key by its event name, or the local; `user.email.split("@")`: Rules threw a TypeError
// on a login without one, and so does the typed rule; `!` says so to TypeScript, which would otherwise refuse the
// module (Login types the field `string | undefined`).
const readTextOf = (
  local: string,
  found: Found,
  identifier: acorn.Identifier,
  members: ReadonlyArray<acorn.MemberExpression>
): Replacement => {
  const at: acorn.Node = found.length === 0 ? identifier : members[found.length - 1] as acorn.MemberExpression
  const next = members[found.length]
  if (found.read.record && next !== undefined && !next.computed) {
    const key = keyOf(next) as string
    const renamed = found.read.keys?.[key] ?? key
    return { start: at.start, end: next.end, text: `${local}[${JSON.stringify(renamed)}]` }
  }
  const absent = next !== undefined && !next.optional && mayBeAbsent.has(found.read.expression)
  return { start: at.start, end: at.end, text: absent ? `${local}!` : local }
}

// The static keys read through an empty fallback above `ancestors[index]` (a chain read whole): `(x || {}).a`,
// `(x ?? []).a`, `((x || {}).a || {}).b`.
const keysThroughFallback = (ancestors: ReadonlyArray<acorn.Node>, index: number): Array<string> => {
  const keys: Array<string> = []
  let at = index
  for (;;) {
    const fallback = ancestors[at - 1]
    if (fallback === undefined || !isEmptyFallback(fallback) || fallback.left !== ancestors[at]) return keys
    let current: acorn.Node = fallback
    at -= 2
    for (; at >= 0; at--) {
      const member = ancestors[at] as acorn.AnyNode
      if (member.type !== "MemberExpression" || member.object !== current) break
      const key = keyOf(member)
      if (key === undefined) return keys
      keys.push(key)
      current = member
    }
    at++
    if (current === fallback) return keys
  }
}

// "the earlier rule a", "the earlier rules a and b": the rules that may change a read, most specific first.
const earlierRules = (rules: ReadonlyArray<string>): string =>
  rules.length === 1
    ? `the earlier rule ${rules[0]}`
    : `the earlier rules ${rules.slice(0, -1).join(", ")} and ${rules.at(-1)}`

/** The read of a `user`/`context` chain starting at `identifier`, as a replacement; or why it cannot be read. */
const readOf = (
  scope: Scope,
  root: "user" | "context",
  identifier: acorn.Identifier,
  ancestors: ReadonlyArray<acorn.Node>,
  rootIsTest: boolean
): Replacement | Rewritten => {
  const members = membersAbove(identifier, ancestors)
  const outer = members.at(-1)
  const keys = outer === undefined ? [] : chainOf(outer).keys
  if (root === "context" && TokenScope.names(keys)) return tokenScopeReadOf(scope, identifier, members)
  if (root === "context" && keys[0] === "protocol" && scope.twoPasses) {
    return refused(members[0] as acorn.MemberExpression, Passes.protocolReason())
  }
  const what = `${root}${keys.map((k) => (k === undefined ? "[…]" : `.${k}`)).join("")}`
  const staticKeys: Array<string> = []
  for (const key of keys) {
    if (key === undefined) break
    staticKeys.push(key)
  }
  // `(user.app_metadata || {}).crm_tier` reads user.app_metadata.crm_tier, as `user.app_metadata.crm_tier` does.
  const whole = staticKeys.length === keys.length
  const read = whole
    ? [...staticKeys, ...keysThroughFallback(ancestors, ancestors.length - 1 - members.length)]
    : staticKeys
  const readWhat = whole ? [root, ...read].join(".") : what
  const writers = EarlierWrites.writersOf(scope.earlier, [root, ...read])
  const writer = writers[0]
  if (writer !== undefined && scope.afterLegacy) {
    return legacyReadOf(scope, { root, what }, identifier, ancestors, members)
  }
  const fact = factOf(scope, root, staticKeys, writer, ancestors, members)
  if (fact !== undefined) return fact
  const found = loginReadOf(root, keys, ancestors, members, rootIsTest)
  const outerIndex = ancestors.length - 1 - members.length
  if (found === undefined) {
    // `context.request && context.request.ip`: an object of every login's, on both sides, only tested.
    const always = whole && outer !== undefined && alwaysObjects.has(readWhat) &&
      truthOnly(ancestors, outerIndex, rootIsTest)
    if (always && writer === undefined) return { start: outer.start, end: outer.end, text: "true" }
    return refused(outer ?? identifier, `reads ${what}, which Login does not have`)
  }
  const outermost = outer as acorn.MemberExpression
  if (writer !== undefined) {
    return refused(
      outermost,
      `reads ${readWhat}, which ${earlierRules(writers)} may change (a typed rule reads the login's own value), ` +
        `not always to one expression over the login that convert makes a fact of: write a Fact for it, or convert ` +
        `with --after-legacy`
    )
  }
  const parentOfOuter = ancestors[ancestors.length - 2 - members.length]
  if (writeOf(outermost, parentOfOuter) !== undefined) {
    return refused(outermost, `writes ${what}: a change to \`${root}\` is seen by later rules (make it a Fact)`)
  }
  const local = localOf(scope, found)
  const next = members[found.length]
  // Tested whole (`if (context.request.geoip)`, `context.request.geoip && ...`), the record is an object on both sides.
  const tested = next === undefined && truthOnly(ancestors, outerIndex, rootIsTest)
  if (found.read.keys !== undefined && !tested && (next === undefined || next.computed)) {
    return refused(outermost, `reads ${what} as a whole (its keys were renamed from Rules' to the event's)`)
  }
  return persistedMisuse(scope, root, keys, found, ancestors, members, what) ??
    readTextOf(local, found, identifier, members)
}

// The Login fields typed `... | undefined`, as LoginReads reads them.
const mayBeAbsent: ReadonlySet<string> = new Set([
  "login.user.email",
  "login.user.name",
  "login.user.nickname",
  "login.user.username",
  "login.user.phoneNumber",
  "login.user.createdAt",
  "login.request.hostname",
  "login.request.userAgent",
  "login.request.countryCode",
  "login.transaction.protocol"
])

const secretOf = (
  scope: Scope,
  identifier: acorn.Identifier,
  parent: acorn.Node | undefined
): Replacement | Rewritten => {
  const p = parent as acorn.AnyNode | undefined
  const key = p?.type === "MemberExpression" && p.object === identifier ? keyOf(p) : undefined
  if (p === undefined || key === undefined) return refused(identifier, "reads `configuration` other than by a key")
  let local = scope.secrets.get(key)
  if (local === undefined) {
    local = fresh(scope, `configuration${key.replace(/[^\w$]/g, "_").replace(/^./, (c) => c.toUpperCase())}`)
    scope.secrets.set(key, local)
  }
  return { start: p.start, end: p.end, text: local }
}

// `console` inside an expression stays `console`: refused where it could print a secret the legacy runtime scrubbed
// from its logs (a call whose arguments read a setting, as Analyze found on the line; `console` as a value).
const consoleOf = (
  scope: Scope,
  identifier: acorn.Identifier,
  ancestors: ReadonlyArray<acorn.Node>
): Rewritten | undefined => {
  const [call, member] = [ancestors.at(-3) as acorn.AnyNode | undefined, ancestors.at(-2) as acorn.AnyNode | undefined]
  if (member?.type !== "MemberExpression" || call?.type !== "CallExpression" || call.callee !== member) {
    return refused(identifier, "uses `console` other than calling one of its methods")
  }
  const secrets = [...scope.settingsAt.get(lineOf(scope, identifier)) ?? []]
  if (secrets.length === 0) return undefined
  const names = secrets.map((key) => `\`configuration.${key}\``).join(", ")
  return refused(call, `logs ${names}, which the legacy runtime scrubbed from its logs`)
}

/**
 * Rewrites `node` (an expression of the rule's source), or says what in it cannot be; `test`: the expression is an
 * `if`'s condition, only tested for truthiness.
 */
export const rewrite = (scope: Scope, node: acorn.Node, test = false): Rewritten => {
  const replacements: Array<Replacement> = []
  let failure: Rewritten | undefined
  walk.fullAncestor(node, (n, _state, ancestors) => {
    if (failure !== undefined) return
    const any = n as acorn.AnyNode
    if (any.type === "ThisExpression") failure = refused(n, "uses `this`")
    if (any.type === "AwaitExpression" || any.type === "YieldExpression") failure = refused(n, "waits (async code)")
    if (any.type === "FunctionExpression" || any.type === "ArrowFunctionExpression") {
      const typed = untypedParams(any)
      if (typed === undefined) failure = refused(n, "has a function with destructured or default parameters")
      else replacements.push(...typed)
      return
    }
    if (any.type !== "Identifier") return
    const parent = ancestors[ancestors.length - 2]
    if (!isReference(any, parent)) return
    // Inside a replacement already made (a record's key): nothing more to do.
    if (replacements.some((r) => r.start < r.end && r.start <= any.start && any.end <= r.end)) return
    const name = any.name
    let result: Replacement | Rewritten | undefined
    if (name === scope.user || name === scope.context) {
      result = readOf(scope, name === scope.user ? "user" : "context", any, ancestors, test)
    } else if (name === scope.callback) {
      result = refused(any, "uses `callback` as a value (asynchronous code)")
    } else if (scope.declared.has(name)) {
      return
    } else if (name === "configuration") {
      result = secretOf(scope, any, parent)
    } else if (name === "console") {
      result = consoleOf(scope, any, ancestors)
    } else if (!allowedGlobals.has(name)) {
      result = refused(any, `uses \`${name}\`, which a typed rule does not have`)
    }
    if (result === undefined) return
    if ("_tag" in result) failure = result
    else replacements.push(result)
  })
  if (failure !== undefined) return failure
  const text = textOf(scope, node)
  let out = ""
  let at = node.start
  for (const r of replacements.toSorted((a, b) => a.start - b.start)) {
    out += scope.source.slice(at, r.start) + r.text
    at = r.end
  }
  out += scope.source.slice(at, node.end)
  return { _tag: "Ok", text: replacements.length === 0 ? text : out }
}
