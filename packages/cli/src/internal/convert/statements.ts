/**
 * Translates the statements of a legacy rule's function, one by one: declarations and conditions keep their shape
 * with their expressions rewritten (Expression), calls of `callback` end or deny (Callback), writes to `context`
 * record decisions (Decisions), `console.log` logs through Effect. Any other statement, or one whose expression cannot
 * be rewritten, is left as a TODO: loops, `try`, `switch`, inner functions, asynchronous code, writes to `user`.
 */
import type * as acorn from "acorn"
import * as Callback from "./callback.ts"
import * as Decisions from "./decisions.ts"
import * as Expression from "./expression.ts"
import * as Metadata from "./metadata.ts"
import { lineOf, type Scope, shortText, textOf } from "./scope.ts"
import * as Todo from "./todo.ts"

const block = (scope: Scope, node: acorn.Node, tail: boolean): Array<string> => {
  const n = node as acorn.AnyNode
  const body = n.type === "BlockStatement" ? n.body : [n as acorn.Statement]
  return list(scope, body, tail)
}

const expressionStatement = (scope: Scope, statement: acorn.Node, expression: acorn.Node, tail: boolean) => {
  const e = expression as acorn.AnyNode
  const viaCallback = Callback.recognise(scope, e, tail)
  // Rules ran the statements after a `callback(...)` that does not return; the typed rule's `return` would skip them.
  if (viaCallback !== undefined && !tail && !viaCallback.some((l) => l.includes(`${Todo.marker}(`))) {
    return Todo.lines(scope, statement, "calls back without `return`: Rules still ran the statements after it")
  }
  if (viaCallback !== undefined) return viaCallback
  const metadata = Metadata.recognise(scope, e, tail)
  if (metadata !== undefined) return metadata
  const decision = Decisions.recognise(scope, e)
  if (decision !== undefined) return decision
  if (
    e.type === "CallExpression" && e.callee.type === "MemberExpression" && e.callee.object.type === "Identifier" &&
    e.callee.object.name === "console" && !scope.declared.has("console")
  ) {
    return log(scope, statement, e.arguments)
  }
  const rewritten = Expression.rewrite(scope, e)
  if (rewritten._tag === "Refused") return Todo.lines(scope, statement, rewritten.reason)
  return [rewritten.text]
}

// `console.log(...)` through Effect. The legacy runtime scrubbed secrets from its logs: on a line where Analyze found
// the arguments read a setting in any way, each argument but a literal is logged redacted.
const log = (scope: Scope, statement: acorn.Node, nodes: ReadonlyArray<acorn.Node>): Array<string> => {
  const args = nodes.map((a) => Expression.rewrite(scope, a))
  const refused = args.find((a) => a._tag === "Refused")
  if (refused?._tag === "Refused") return Todo.lines(scope, statement, refused.reason)
  const secret = (scope.settingsAt.get(lineOf(scope, statement))?.size ?? 0) > 0
  if (secret) scope.uses.add("Redacted")
  const texts = args.map((a, i) => {
    const text = a._tag === "Ok" ? a.text : ""
    return secret && nodes[i]?.type !== "Literal" ? `Redacted.make(${text})` : text
  })
  return [`yield* Effect.log(${texts.join(", ")})`]
}

// An inner function, as written, with its parameters typed `any` (what JavaScript gave them) and its body rewritten.
const innerFunction = (
  scope: Scope,
  n: acorn.FunctionDeclaration | acorn.AnonymousFunctionDeclaration
): Array<string> => {
  if (n.id == null || n.async || n.generator || n.params.some((p) => p.type !== "Identifier")) {
    return Todo.lines(scope, n, "declares an async, generator or destructuring function")
  }
  const body = Expression.rewrite(scope, n.body)
  if (body._tag === "Refused") return Todo.lines(scope, n, body.reason)
  const params = n.params.map((p) => `${textOf(scope, p)}: any`).join(", ")
  return [`function ${n.id.name}(${params}) ${body.text}`]
}

const returnsValue = "returns a value instead of calling back: Rules ignored what a rule returned and waited for " +
  "`callback`, which code here may call later (asynchronous code), while a typed rule ends when it returns; end it " +
  "with `return callback(null, user, context)` or a denial"

// The module is written without semicolons: a statement starting with `[`, `(` or a template would continue the line
// above it (`const a = login.x` then `[a].forEach(...)` reads `login.x[a]`), so it starts with one.
const guarded = (lines: ReadonlyArray<string>): Array<string> => {
  const [first, ...rest] = lines
  return first !== undefined && /^[[(`]/.test(first) ? [`;${first}`, ...rest] : [...lines]
}

const statement = (scope: Scope, node: acorn.Node, tail: boolean): Array<string> => {
  const n = node as acorn.AnyNode
  switch (n.type) {
    case "EmptyStatement":
      return []
    case "BlockStatement":
      return ["{", ...Todo.indent(block(scope, n, tail)), "}"]
    case "ExpressionStatement": {
      const fact = scope.facts.own.find((f) => f.start === n.start && f.end === n.end)
      if (fact === undefined) return guarded(expressionStatement(scope, n, n.expression, tail))
      // Computed here, where the rule wrote it: an expression that throws still fails the login at this point.
      scope.factWrites.add(fact.exportName)
      return [
        `// ${Todo.oneLine(shortText(scope, n))}: the rules after this one read it as the fact ${fact.exportName}`,
        `yield* ${fact.exportName}`
      ]
    }
    case "ReturnStatement": {
      if (n.argument == null) return tail ? [] : ["return"]
      const viaCallback = Callback.recognise(scope, n.argument, tail)
      if (viaCallback === undefined) {
        return Metadata.recogniseReturned(scope, n.argument, tail) ??
          Todo.lines(scope, n, Metadata.returnedReason(n.argument) ?? returnsValue)
      }
      return viaCallback.length === 0 || viaCallback.at(-1)?.startsWith("return") ? viaCallback : [
        ...viaCallback,
        "return"
      ]
    }
    case "VariableDeclaration": {
      const out: Array<string> = []
      for (const declarator of n.declarations) {
        if (declarator.init == null) {
          out.push(`${n.kind} ${textOf(scope, declarator.id)}`)
          continue
        }
        const init = Expression.rewrite(scope, declarator.init)
        if (init._tag === "Refused") return Todo.lines(scope, n, init.reason)
        out.push(`${n.kind} ${textOf(scope, declarator.id)} = ${init.text}`)
      }
      return out
    }
    case "IfStatement": {
      const test = Expression.rewrite(scope, n.test, true)
      if (test._tag === "Refused") return Todo.lines(scope, n, test.reason)
      const consequent = block(scope, n.consequent, tail)
      if (n.alternate == null) return [`if (${test.text}) {`, ...Todo.indent(consequent), "}"]
      const [first, ...rest] = statement(scope, n.alternate, tail)
      const head = [`if (${test.text}) {`, ...Todo.indent(consequent)]
      if (first === "{" || first?.startsWith("if (")) return [...head, `} else ${first}`, ...rest]
      return [...head, "} else {", ...Todo.indent(first === undefined ? [] : [first, ...rest]), "}"]
    }
    case "FunctionDeclaration":
      return innerFunction(scope, n)
    case "ForStatement":
    case "ForInStatement":
    case "ForOfStatement":
    case "WhileStatement":
    case "DoWhileStatement":
      return Todo.lines(scope, n, "loops")
    case "TryStatement":
      return Todo.lines(scope, n, "catches errors (a typed rule fails with a denial or a defect instead)")
    case "SwitchStatement": {
      const discriminant = Expression.rewrite(scope, n.discriminant)
      if (discriminant._tag === "Refused") return Todo.lines(scope, n, discriminant.reason)
      const cases: Array<string> = []
      for (const c of n.cases) {
        const test = c.test == null ? undefined : Expression.rewrite(scope, c.test)
        if (test?._tag === "Refused") return Todo.lines(scope, n, test.reason)
        cases.push(
          test === undefined ? "default:" : `case ${test.text}:`,
          ...Todo.indent(list(scope, c.consequent, false))
        )
      }
      return [`switch (${discriminant.text}) {`, ...Todo.indent(cases), "}"]
    }
    case "BreakStatement":
      return n.label == null ? ["break"] : Todo.lines(scope, n, "breaks to a label")
    case "ThrowStatement":
      return Todo.lines(scope, n, "throws (a typed rule fails with a denial instead)")
    default:
      return Todo.lines(scope, n, `has a statement convert does not translate (${n.type})`)
  }
}

/**
 * The translated statements of a list; `tail`: nothing runs after the list (the end of the rule). A statement followed
 * only by a bare `return` counts as the tail too (that `return` ends the typed rule as it ended the legacy one).
 */
export const list = (scope: Scope, body: ReadonlyArray<acorn.Node>, tail: boolean): Array<string> =>
  body.flatMap((_, i) => statement(scope, body[i] as acorn.Node, endsAt(body, i, tail)))

/**
 * Whether nothing runs after statement `i` of a list: it is the list's last (and the list is the rule's tail), or a
 * bare `return` follows it (`callback(...); return;`).
 */
export const endsAt = (body: ReadonlyArray<acorn.Node>, i: number, tail: boolean): boolean => {
  const next = body[i + 1] as acorn.AnyNode | undefined
  return next === undefined ? tail : next.type === "ReturnStatement" && next.argument == null
}
