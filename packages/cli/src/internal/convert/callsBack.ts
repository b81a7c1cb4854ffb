/**
 * Whether a legacy rule calls `callback` on every path. A path that ends without it (falling off the function's end,
 * or a bare `return`) made Rules wait until the rule timed out and fail the login, while the typed rule's end allows
 * it: convert leaves such a rule a TODO rather than let those logins through.
 */
import type * as acorn from "acorn"
import * as walk from "acorn-walk"

// How a statement completes: it has called back, it may leave the function without calling back, or it goes on.
type Flow = "calls" | "exits" | "falls"

// A call whose text calls `callback` (directly, or in a `.then(() => callback(...))` chain): it is taken as calling
// back; one that only passes it on is left as a TODO by the translation anyway.
const callsCallback = (callback: string, node: acorn.Node | null | undefined): boolean => {
  if ((node as acorn.AnyNode | null | undefined)?.type !== "CallExpression") return false
  let found = false
  walk.full(node as acorn.Node, (n) => {
    if (n.type === "Identifier" && (n as acorn.Identifier).name === callback) found = true
  })
  return found
}

const statement = (callback: string, node: acorn.Node): Flow => {
  const n = node as acorn.AnyNode
  switch (n.type) {
    case "ExpressionStatement":
      return callsCallback(callback, n.expression) ? "calls" : "falls"
    case "ReturnStatement":
      return callsCallback(callback, n.argument) ? "calls" : "exits"
    case "BlockStatement":
      return list(callback, n.body)
    case "IfStatement": {
      const consequent = statement(callback, n.consequent)
      const alternate = n.alternate == null ? "falls" : statement(callback, n.alternate)
      if (consequent === "calls" && alternate === "calls") return "calls"
      return consequent === "exits" || alternate === "exits" ? "exits" : "falls"
    }
    case "SwitchStatement": {
      const cases = n.cases.map((c) => list(callback, c.consequent))
      if (cases.includes("exits")) return "exits"
      const all = n.cases.some((c) => c.test == null) && cases.every((c) => c === "calls")
      return all ? "calls" : "falls"
    }
    default:
      return "falls"
  }
}

const list = (callback: string, body: ReadonlyArray<acorn.Node>): Flow => {
  for (const node of body) {
    const flow = statement(callback, node)
    if (flow !== "falls") return flow
  }
  return "falls"
}

/** Whether the function's body (its statements) may end without calling `callback`. */
export const mayEndWithout = (callback: string | undefined, body: ReadonlyArray<acorn.Node>): boolean =>
  callback === undefined || list(callback, body) !== "calls"
