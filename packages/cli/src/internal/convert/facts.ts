/**
 * Facts for what a rule leaves on `user` and `context` for the rules after it (`user.tier = expr`). Under Rules the
 * later rule read the mutated `user`; a typed rule reads a Fact instead, computed from the same expression over the
 * login, so a pipeline that lacks it does not compile (Pipeline.make names the missing fact).
 *
 * A write becomes a fact only when the value it leaves is, on every login the writer allows, its expression over the
 * login: a statement of the rule's body itself (not under an `if` or in a function, so it always runs), `root.key =
 * expr` with `=`, the rule's only write to that field, no `return` or allowing `callback` before it (a rule that ended
 * first left nothing), and an expression convert translates from Login alone (no local of the rule's, no field the rule
 * or an earlier one writes, no setting: a value made from one could reach a later rule's token, URL or log unseen). Any other write stays a TODO in its readers: a field written on some paths
 * only reads `undefined` on the others, which a fact of the expression would not.
 */
import * as acorn from "acorn"
import * as walk from "acorn-walk"
import { chainOf, keyOf } from "../analyze/chains.ts"
import * as EarlierWrites from "./earlierWrites.ts"
import { pascal } from "./emit.ts"
import * as Expression from "./expression.ts"
import type { LoginRead } from "./loginReads.ts"
import * as Passes from "./passes.ts"
import * as Scope from "./scope.ts"
import * as Stamp from "./stamp.ts"
import * as Todo from "./todo.ts"

/** One fact: the field, the rule and statement that write it, and its translated expression with what it reads. */
export interface Fact {
  readonly root: "user" | "context"
  readonly key: string
  readonly rule: string
  /** The line of the write in the rule's file. */
  readonly line: number
  /** The offsets of the write's statement in the rule's function source (as Analyze gives it). */
  readonly start: number
  readonly end: number
  /** `UserTier`: the export of the facts module. */
  readonly exportName: string
  /** `user.tier`: the fact's name, as a pipeline missing it names it. */
  readonly name: string
  readonly expression: string
  readonly reads: ReadonlyArray<LoginRead>
  /**
   * The login's values (root first: `user.app_metadata.perms`) the fact's value may be, as an object it shares with
   * them: under Rules a later change to one in place (`user.app_metadata.perms.splice(0)`) changed the field too.
   */
  readonly shares: ReadonlyArray<ReadonlyArray<string>>
}

// Fields that are decisions or metadata, not values left for later rules.
const decisions: Readonly<Record<"user" | "context", ReadonlySet<string>>> = {
  user: new Set(["app_metadata", "user_metadata"]),
  context: new Set(["idToken", "accessToken", "multifactor", "redirect", "sessionID"])
}

// `new Error(…)`, `new UnauthorizedError(…)`: certainly an error.
const isNewError = (node: acorn.AnyNode | null | undefined): boolean =>
  node?.type === "NewExpression" && node.callee.type === "Identifier" && node.callee.name.endsWith("Error")

// Whether the local `name` is only ever given a `new …Error(…)` in `fn` (`var err = null` is not; nor a value other
// than `=`: `err += …`, `err++`, a parameter or `catch (err)` of that name).
const onlyErrors = (name: string, fn: acorn.Node): boolean => {
  const given: Array<acorn.AnyNode | null | undefined> = []
  walk.simple(fn, {
    VariableDeclarator(d) {
      if (d.id.type === "Identifier" && d.id.name === name) given.push(d.init as acorn.AnyNode | null | undefined)
    },
    AssignmentExpression(a) {
      if (a.left.type === "Identifier" && a.left.name === name) {
        given.push(a.operator === "=" ? a.right as acorn.AnyNode : undefined)
      }
    },
    UpdateExpression(u) {
      if (u.argument.type === "Identifier" && u.argument.name === name) given.push(undefined)
    },
    CatchClause(c) {
      if (c.param?.type === "Identifier" && c.param.name === name) given.push(undefined)
    },
    Function(f) {
      if (f !== fn && f.params.some((p) => p.type === "Identifier" && p.name === name)) given.push(undefined)
    }
  })
  return given.length > 0 && given.every(isNewError)
}

// Whether `statement` is `var name = new …Error(…)` (or `let`/`const`).
const declaresError = (statement: acorn.Node, name: string): boolean => {
  const s = statement as acorn.AnyNode
  return s.type === "VariableDeclaration" &&
    s.declarations.some((d) => d.id.type === "Identifier" && d.id.name === name && isNewError(d.init as acorn.AnyNode))
}

// The statements that certainly ran before the last of `ancestors` (which start at `body[at]`, a statement of the
// rule's body), in straight-line order: those of the body above it and, in each block on the way down, those above;
// undefined in a function of the rule's, which may run at any time.
const ranBefore = (
  body: ReadonlyArray<acorn.Node>,
  at: number,
  ancestors: ReadonlyArray<acorn.Node>
): ReadonlyArray<acorn.Node> | undefined => {
  const before = body.slice(0, at)
  for (const [k, a] of ancestors.entries()) {
    if (a.type.includes("Function")) return undefined
    if (a.type === "BlockStatement") {
      const list = (a as acorn.BlockStatement).body
      before.push(...list.slice(0, Math.max(0, list.indexOf(ancestors[k + 1] as acorn.Statement))))
    }
  }
  return before
}

// Whether `node`, the error handed to `callback` after the statements `before` (ranBefore), is certainly an error
// there: a `new …Error(…)`, or a local only ever given one AND given it by one of `before`. A `var err` read above its
// declaration (hoisted) is still `undefined` there, and `callback(err)` then allows.
const isError = (
  node: acorn.AnyNode | undefined,
  fn: acorn.Node,
  before: ReadonlyArray<acorn.Node> | undefined
): boolean => {
  if (node === undefined) return false
  if (node.type !== "Identifier") return isNewError(node)
  const name = node.name
  return before !== undefined && before.some((s) => declaresError(s, name)) && onlyErrors(name, fn)
}

// `callback(error)`: denies, so nothing the rule left is read by a later rule. Only a certain error: a callback that may
// pass `null` (`callback(err)` with `var err = null`, or read above `var err = new Error(…)`) may allow.
const isDenial = (
  node: acorn.AnyNode,
  callback: string | undefined,
  fn: acorn.Node,
  before: ReadonlyArray<acorn.Node> | undefined
): boolean =>
  node.type === "CallExpression" && Scope.isName(node.callee, callback) &&
  isError(node.arguments[0] as acorn.AnyNode | undefined, fn, before)

// Whether the statements of `body` before `at` may end the rule, or hand `callback` on, before `body[at]` runs (a
// denial aside).
const mayEndBefore = (
  body: ReadonlyArray<acorn.Node>,
  at: number,
  callback: string | undefined,
  fn: acorn.Node
): boolean => {
  let ends = false
  for (const [i, statement] of body.slice(0, at).entries()) {
    walk.fullAncestor(statement, (node, _state, ancestors) => {
      const n = node as acorn.AnyNode
      const parent = ancestors[ancestors.length - 2] as acorn.AnyNode | undefined
      const inner = ancestors.slice(0, -1).some((a) => a.type.includes("Function"))
      if (n.type === "ReturnStatement") {
        const denies = n.argument != null &&
          isDenial(n.argument as acorn.AnyNode, callback, fn, ranBefore(body, i, ancestors))
        if (!inner && !denies) ends = true
      }
      if (n.type === "Identifier" && n.name === callback) {
        const denies = parent !== undefined && parent.type === "CallExpression" && parent.callee === n &&
          isDenial(parent, callback, fn, ranBefore(body, i, ancestors.slice(0, -1)))
        if (!denies) ends = true
      }
    })
  }
  return ends
}

// The `user`/`context` chains in `node` (root first, up to the first computed key), each the outermost of its chain.
const chainsIn = (node: acorn.Node, user: string | undefined, context: string | undefined): Array<Array<string>> => {
  const paths: Array<Array<string>> = []
  walk.fullAncestor(node, (n, _state, ancestors) => {
    const parent = ancestors[ancestors.length - 2] as acorn.AnyNode | undefined
    if (parent?.type === "MemberExpression" && parent.object === n) return
    const { keys, root } = n.type === "MemberExpression"
      ? chainOf(n as acorn.MemberExpression)
      : { keys: [], root: n }
    const name = Scope.isName(root, user) ? "user" : Scope.isName(root, context) ? "context" : undefined
    if (name === undefined) return
    const computed = keys.indexOf(undefined)
    paths.push([name, ...(keys.slice(0, computed < 0 ? keys.length : computed) as Array<string>)])
  })
  return paths
}

// The login's values the value of `node` may be, as an object (Fact's `shares`): none for what is certainly a
// primitive or not the login's (a literal, a template, an operator's result), those of either branch of a condition or logical
// expression, and every chain of any other expression (a member, a call, an object or array literal).
const sharedBy = (node: acorn.Node, user: string | undefined, context: string | undefined): Array<Array<string>> => {
  const n = node as acorn.AnyNode
  switch (n.type) {
    // A regular expression literal is an object, but none of the login's.
    case "Literal":
    case "TemplateLiteral":
    case "UnaryExpression":
    case "BinaryExpression":
    case "UpdateExpression":
      return []
    case "ConditionalExpression":
      return [...sharedBy(n.consequent, user, context), ...sharedBy(n.alternate, user, context)]
    case "LogicalExpression":
      return [...sharedBy(n.left, user, context), ...sharedBy(n.right, user, context)]
    case "SequenceExpression":
      return sharedBy(n.expressions.at(-1)!, user, context)
    case "AssignmentExpression":
      return n.operator === "=" ? sharedBy(n.right, user, context) : chainsIn(n, user, context)
    default:
      return chainsIn(n, user, context)
  }
}

/**
 * The facts of one rule's writes: `source` and `params` as Analyze gives them, `lineOffset` as Scope takes it, and
 * `earlier` what the rules before it write.
 */
export const ofRule = (
  rule: string,
  source: string,
  params: ReadonlyArray<string>,
  lineOffset: number,
  earlier: EarlierWrites.EarlierWrites
): ReadonlyArray<Fact> => {
  const wrapped = `(${source})`
  const program = acorn.parse(wrapped, { ecmaVersion: "latest", sourceType: "script", locations: true })
  const fn = (program.body[0] as acorn.ExpressionStatement).expression as acorn.AnyNode
  if ((fn.type !== "FunctionExpression" && fn.type !== "ArrowFunctionExpression") || fn.async) return []
  if (fn.body.type !== "BlockStatement") return []
  const [user, context, callback] = params
  const own = EarlierWrites.ofRule(rule, source, params)
  // The expression reads the login as it is: a field this rule or an earlier one writes is refused by Expression.
  const writes = EarlierWrites.merge([earlier, own])
  const body = fn.body.body
  const twoPasses = Passes.twoPasses(fn.body, context)
  const facts: Array<Fact> = []
  for (const [i, statement] of body.entries()) {
    if (statement.type !== "ExpressionStatement") continue
    const e = statement.expression
    if (e.type !== "AssignmentExpression" || e.operator !== "=" || e.left.type !== "MemberExpression") continue
    const object = e.left.object
    const root = Scope.isName(object, user) ? "user" : Scope.isName(object, context) ? "context" : undefined
    const key = keyOf(e.left)
    if (root === undefined || key === undefined || decisions[root].has(key)) continue
    const path = [root, key]
    const overlapping = own.paths.filter((w) => w.path.every((k, j) => j >= path.length || path[j] === k))
    if (overlapping.length !== 1 || own.anything.some((w) => w.root === root)) continue
    if (mayEndBefore(body, i, callback, fn)) continue
    // A scope of the expression alone: a name the rule declares outside it is then a refused global. Whether the
    // rule redirects is the whole rule's (a fact of `context.protocol` in a rule that redirects is refused).
    const scope = { ...Scope.make(wrapped, params, lineOffset, e.right, writes), twoPasses }
    const rewritten = Expression.rewrite(scope, e.right)
    if (rewritten._tag === "Refused" || scope.accessTokenScope.local !== undefined) continue
    // A value made from a setting stays a TODO in its readers: as a fact, a later rule could put it in a token, a URL
    // or a log unseen (convert follows a setting within one rule only).
    if (scope.secrets.size > 0) continue
    const name = `${root}.${key}`
    facts.push({
      root,
      key,
      rule,
      line: Scope.lineOf(scope, statement),
      start: statement.start,
      end: statement.end,
      exportName: `${pascal(root)}${pascal(key)}`,
      name,
      expression: rewritten.text,
      reads: [...scope.reads.values()],
      shares: sharedBy(e.right, user, context)
    })
  }
  return facts
}

/**
 * The facts a rule may read: those of the rules before it whose field no other of them writes (nor may write), nor an
 * object of the login's the fact's value may be (`user.perms = user.app_metadata.perms`, then another rule's
 * `user.app_metadata.perms.splice(0)`: under Rules the field was emptied with it).
 * `earlier` holds every earlier rule's writes, `facts` their facts.
 */
export const readable = (
  facts: ReadonlyArray<Fact>,
  earlier: EarlierWrites.EarlierWrites
): ReadonlyArray<Fact> =>
  facts.filter((fact) => {
    // Two fields of one export name (`user.tier`, `user.Tier`): neither, rather than one standing for the other.
    if (facts.some((f) => f !== fact && f.exportName === fact.exportName)) return false
    const path = [fact.root, fact.key]
    if (earlier.anything.some((w) => w.root === fact.root)) return false
    const others = earlier.paths.filter((w) =>
      w.path.every((k, j) => j >= path.length || path[j] === k) && !(w.rule === fact.rule)
    )
    // An object the fact's value shares with the login, which another rule may change in place (a change of the
    // writer's own is refused in the fact's expression).
    const changed = fact.shares.some((shared) =>
      EarlierWrites.changersOf(earlier, shared).some((rule) => rule !== fact.rule)
    )
    return others.length === 0 && !changed
  })

/** The fact a read of `root.key...` of a rule reads, if any. */
export const lookup = (
  facts: ReadonlyArray<Fact>,
  root: "user" | "context",
  key: string | undefined
): Fact | undefined => facts.find((f) => f.root === root && f.key === key)

/** The facts module's text: one Fact per write (`folder` names the rules folder in its comment). */
export const module = (facts: ReadonlyArray<Fact>, folder: string): string => {
  const body = [
    "/**",
    ` * ${
      Todo.inBlockComment(
        `What the legacy rules of ${folder} leave on \`user\` and \`context\` for the rules after them,`
      )
    }`,
    " * as facts: each computes the value its rule wrote, from the same expression over the login. A typed rule that",
    " * reads one requires it, so its pipeline must declare it in `facts`. `rulefx convert` rewrites this file (and",
    " * refuses to once it is edited): keep facts of your own in another module.",
    " */",
    `import * as Fact from "@rulefx/core/Fact"`,
    ...(facts.some((f) => f.reads.length > 0) ? [`import { Login } from "@rulefx/core/Login"`] : []),
    `import * as Effect from "effect/Effect"`,
    ...facts.flatMap((f) => [
      "",
      `/** \`${f.name}\`, as the legacy rule ${Todo.inBlockComment(f.rule)} (line ${f.line}) leaves it. */`,
      `export const ${f.exportName} = Fact.make(`,
      `  ${JSON.stringify(f.name)},`,
      "  Effect.gen(function*() {",
      ...(f.reads.length > 0 ? ["    const login = yield* Login"] : []),
      ...f.reads.map((r) => `    const ${r.local}${r.type === undefined ? "" : `: ${r.type}`} = ${r.expression}`),
      `    return ${f.expression}`,
      "  })",
      ")"
    ]),
    ""
  ].join("\n")
  return Stamp.add(body, "facts")
}
