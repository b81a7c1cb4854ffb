/**
 * Which pass a rule runs in. Under Rules, a login that a rule redirected came back through `/continue` and every rule
 * ran again, with `context.protocol` "redirect-callback": a rule that redirects tells its two passes apart by that
 * protocol (`if (context.protocol === "redirect-callback") { record what came back } else { context.redirect = ... }`).
 * Actions never sends that protocol (`event.transaction.protocol` keeps the login's own on the continue pass, which
 * runs in `onContinuePostLogin`), so such a read cannot be translated to `login.transaction.protocol`: the converted
 * rule, put in the continue pass's pipeline, would redirect again and never record what came back. A typed rule knows
 * its pass by the pipeline it runs in.
 */
import { redirectCallback } from "@rulefx/legacy-rules/RulesContext"
import type * as acorn from "acorn"
import * as walk from "acorn-walk"
import { keyOf, staticString, writeOf } from "../analyze/chains.ts"

/**
 * Whether the rule's function body (its `context` parameter named `context`) sets `context.redirect` (or a key of it)
 * or names "redirect-callback" anywhere: then any read of `context.protocol` may be asking which pass the rule is in.
 */
export const twoPasses = (body: acorn.Node, context: string | undefined): boolean => {
  let found = false
  walk.fullAncestor(body, (node, _state, ancestors) => {
    if (found) return
    if (staticString(node) === redirectCallback) {
      found = true
      return
    }
    const n = node as acorn.AnyNode
    if (
      context === undefined || n.type !== "MemberExpression" || n.object.type !== "Identifier" ||
      n.object.name !== context || keyOf(n) !== "redirect"
    ) return
    // `context.redirect = ...`, or a write through it (`context.redirect.url = ...`).
    let current: acorn.Node = n
    for (let i = ancestors.length - 2; i >= 0; i--) {
      const parent = ancestors[i] as acorn.AnyNode
      if (writeOf(current, parent) !== undefined) found = true
      if (found || parent.type !== "MemberExpression" || parent.object !== current) return
      current = parent
    }
  })
  return found
}

/** The Login read `context.protocol` translates to elsewhere (LoginReads). */
export const protocolRead = "login.transaction.protocol"

/**
 * Why a read of `context.protocol` (`what`: that read, or a fact an earlier rule sets from it) in such a rule is left
 * as a TODO, and what to do instead.
 */
export const protocolReason = (what = "context.protocol"): string =>
  `reads ${what} in a rule that redirects (or names "redirect-callback"): ` +
  "Actions never sends the protocol \"redirect-callback\" (the continue pass runs in onContinuePostLogin, with the " +
  "login's own protocol), so translated as login.transaction.protocol the rule would redirect again on the continue " +
  "pass and never record what came back. A typed rule knows the continue pass by the pipeline it runs in: split the " +
  "rule into its two passes, the first pass's part (the redirect) in the onExecutePostLogin pipeline and the " +
  "\"redirect-callback\" part in the continue pass's (the onContinuePostLogin PostLogin.make pipeline of a mixed " +
  "Action, or Resumable.make's resume)"
