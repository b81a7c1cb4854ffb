/**
 * What a construct convert cannot translate becomes: a comment holding the legacy code, then a call of
 * `RULEFX_TODO`, a name declared nowhere, so the converted module does not compile until the user rewrites it. The
 * call's text names the line of the rule file, the construct and why it was left.
 */
import type * as acorn from "acorn"
import { type Scope, textOf, todo } from "./scope.ts"

/** The name a TODO calls: declared nowhere, on purpose. */
export const marker = "RULEFX_TODO"

/** The lines of a TODO for `node`, recorded in the scope. */
export const lines = (scope: Scope, node: acorn.Node, reason: string): Array<string> => {
  const entry = todo(scope, node, reason)
  const legacy = textOf(scope, node).split("\n")
  const indent = Math.min(
    ...legacy.slice(1).filter((l) => l.trim().length > 0).map((l) => l.length - l.trimStart().length),
    Number.MAX_SAFE_INTEGER
  )
  return [
    `// TODO(rulefx convert) line ${entry.line}: ${reason}. The legacy code:`,
    ...legacy.map((l, i) => `//   ${i === 0 ? l : l.slice(Math.min(indent, l.length - l.trimStart().length))}`),
    `${marker}(${JSON.stringify(`line ${entry.line}: ${entry.construct}: ${reason}`)})`
  ]
}
