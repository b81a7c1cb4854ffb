/**
 * The rule's `callback`: `callback(null, user, context)` ends the rule (a `return`, or nothing at its end), and
 * `callback(new UnauthorizedError("message"))` (or `new Error`, or a plain string message) denies with a denial
 * class of its own whose message is the same text, which Auth0 shows the user as Rules did.
 */
import type * as acorn from "acorn"
import { staticString } from "../analyze/chains.ts"
import { allowedGlobals } from "./expression.ts"
import { fresh, isName, lineOf, type Scope } from "./scope.ts"
import * as Todo from "./todo.ts"

// Rules cut a reason to 500 characters and sent an empty one as the generic message: such messages are left to the user.
const maxMessage = 500

/** An absent argument, `null` or `undefined`: `callback(null, ...)` allows. */
export const isNullish = (node: acorn.Node | undefined): boolean => {
  const n = node as acorn.AnyNode | undefined
  return n === undefined || (n.type === "Literal" && n.value === null) ||
    (n.type === "Identifier" && n.name === "undefined")
}

/** A class name from the message's first words: "Access denied." gives AccessDenied. */
export const className = (message: string): string => {
  const words = message.replace(/[^A-Za-z0-9 ]/g, " ").split(" ").filter((w) => w.length > 0).slice(0, 5)
  const name = words.map((w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase()).join("")
  return /^[A-Za-z]/.test(name) ? name : `Denied${name}`
}

/** The message of `new UnauthorizedError("message")` or `new Error("message")`, when a static string. */
export const messageOf = (argument: acorn.Node): string | undefined => {
  const a = argument as acorn.AnyNode
  if (a.type === "NewExpression" && a.callee.type === "Identifier") {
    if (a.callee.name !== "UnauthorizedError" && a.callee.name !== "Error") return undefined
    const [first, ...rest] = a.arguments
    return first === undefined || rest.length > 0 ? undefined : staticString(first)
  }
  return undefined
}

/** The statements for a call of `callback` (`tail`: nothing follows it in the rule), or undefined if not one. */
export const recognise = (scope: Scope, call: acorn.Node, tail: boolean): Array<string> | undefined => {
  const c = call as acorn.AnyNode
  if (c.type !== "CallExpression" || c.callee.type !== "Identifier" || c.callee.name !== scope.callback) {
    return undefined
  }
  const [error, user, context, ...rest] = c.arguments
  if (isNullish(error)) {
    if (
      rest.length > 0 || (user !== undefined && !isName(user, scope.user)) ||
      (context !== undefined && !isName(context, scope.context))
    ) {
      return Todo.lines(scope, call, "calls back with another `user` or `context` than it was given")
    }
    return tail ? [] : ["return"]
  }
  const message = messageOf(error as acorn.Node)
  if (message === undefined) {
    return Todo.lines(scope, call, "calls back with an error whose message is not a string literal")
  }
  if (message.trim().length === 0 || message.length > maxMessage) {
    return Todo.lines(scope, call, "denies with an empty message or one over 500 characters")
  }
  const existing = scope.denials.find((d) => d.message === message)
  // A class at the module's top would hide a global of that name from the rule's code (`Math`, `Error`, `URL`).
  const base = className(message)
  const name = existing?.name ?? fresh(scope, allowedGlobals.has(base) ? `${base}Denied` : base)
  if (existing === undefined) scope.denials.push({ name, message, line: lineOf(scope, call) })
  scope.uses.add("Denial")
  return [`return yield* new ${name}()`]
}
