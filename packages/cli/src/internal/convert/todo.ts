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
  // Every JavaScript line terminator ends a `//` comment: the legacy code is split on all of them, and the reason (which
  // may hold a key of the rule's, `context["a\nb"]`) keeps none, so no text of the rule's leaves the comment.
  const legacy = textOf(scope, node).split(/\r\n|[\n\r\u2028\u2029]/)
  const indent = Math.min(
    ...legacy.slice(1).filter((l) => l.trim().length > 0).map((l) => l.length - l.trimStart().length),
    Number.MAX_SAFE_INTEGER
  )
  return [
    `// TODO(rulefx convert) line ${entry.line}: ${oneLine(reason)}. The legacy code:`,
    ...legacy.map((l, i) => `//   ${i === 0 ? l : l.slice(Math.min(indent, l.length - l.trimStart().length))}`),
    `${marker}(${JSON.stringify(`line ${entry.line}: ${entry.construct}: ${reason}`)})`
  ]
}

/** Lines indented by `by` (two spaces by default), an empty line left empty. */
export const indent = (lines: ReadonlyArray<string>, by = "  "): Array<string> =>
  lines.map((l) => (l.length === 0 ? l : by + l))

/** Text for one line of a `//` comment: its line terminators as spaces. */
export const oneLine = (text: string): string => text.replace(/[\n\r\u2028\u2029]/g, " ")

/** Text for a `/** ... *\/` comment: one line, and `*\/` cannot end the comment. */
export const inBlockComment = (text: string): string => oneLine(text).replace(/\*\//g, "*\\/")
