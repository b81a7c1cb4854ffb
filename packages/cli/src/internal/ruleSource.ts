/**
 * A legacy rule's source as the Action carries it: a string that the rule's realm compiles at run time (see
 * `@rulefx/legacy-rules/Realm`). Minified by esbuild (the Action has 100 kB), with line breaks put back where the
 * original lines started, so that a stack trace names the rule's own line: each statement starts on the line it had
 * (a statement spanning several lines is put on its first). Node-side only.
 *
 * The rule's own names are kept, so that an error the engine writes names them (`roles.indexOf is not a function`,
 * not `l.indexOf ...`), except its parameters (`user`, `context`, `callback`: most of the bytes names take), which get
 * one letter each; the Action puts their names back in such a message (LegacyRule's `params`).
 */
import * as acorn from "acorn"
import { transformSync } from "esbuild"
import type * as eslintScope from "eslint-scope"
import { childrenOf, loadScopeAnalyzer, parentsOf } from "./analyze/scopes.ts"

const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// The segments of a source map: [offset in the generated code, original line], the line 0-based. A template literal
// keeps its line breaks, so the minified code may have more than one line.
const segments = (mappings: string, code: string): Array<readonly [number, number]> => {
  const out: Array<readonly [number, number]> = []
  const state = [0, 0, 0, 0, 0]
  let lineStart = 0
  mappings.split(";").forEach((line, index) => {
    if (index > 0) lineStart = code.indexOf("\n", lineStart) + 1
    state[0] = 0
    for (const segment of line.split(",")) {
      if (segment === "") continue
      const fields: Array<number> = []
      let value = 0
      let shift = 0
      for (const char of segment) {
        const digit = digits.indexOf(char)
        value += (digit & 31) << shift
        if (digit & 32) {
          shift += 5
          continue
        }
        fields.push(value & 1 ? -(value >>> 1) : value >>> 1)
        value = 0
        shift = 0
      }
      fields.forEach((delta, i) => (state[i] = state[i]! + delta))
      if (fields.length >= 4) out.push([lineStart + state[0]!, state[2]!])
    }
  })
  return out
}

// A line break right after one of these never changes how the code parses: they cannot end a statement, nor sit
// where a line break is forbidden, and the character before a mapped token is a punctuator, not a string's content.
const breakAfter = new Set([";", ",", "{", "(", ":", "="])

/**
 * The rule's function expression, minified but for its names, each statement on its original line, and the
 * names its parameters had (those its source has when they were left as they were).
 *
 * @since 0.1.0
 */
export const compactWithParams = (
  source: string
): { readonly source: string; readonly params: Readonly<Record<string, string>> } => shortNames(minified(source))

/**
 * The rule's function expression as `compactWithParams` gives it, without the names of its parameters.
 *
 * @since 0.1.0
 */
export const compact = (source: string): string => compactWithParams(source).source

const minified = (source: string): string => {
  const result = transformSync(`x(${source}\n)`, {
    minifySyntax: true,
    minifyWhitespace: true,
    sourcemap: "external",
    target: "node22"
  })
  const code = result.code.trimEnd()
  const map = JSON.parse(result.map) as { readonly mappings: string }
  let out = ""
  let from = 0
  // The line `out` has reached: the line breaks put back, and those of the code itself (in template literals).
  let line = 0
  for (const [offset, original] of segments(map.mappings, code)) {
    const here = line + (code.slice(from, offset).match(/\n/g)?.length ?? 0)
    if (original > here && offset > from && breakAfter.has(code[offset - 1]!)) {
      out += code.slice(from, offset) + "\n".repeat(original - here)
      from = offset
      line = original
    }
  }
  out += code.slice(from)
  // Drop the `x(` and `);` that kept esbuild from dropping an unused expression.
  if (!out.startsWith("x(") || !out.endsWith(");")) throw new Error(`unexpected minified form: ${out.slice(0, 40)}`)
  return out.slice(2, -2)
}

const reserved = new Set(["do", "if", "in"])
// One- and two-letter names the source spells nowhere (in no name, property, string or comment): no scope can see them.
const freeNames = (source: string): Array<string> => {
  const used = new Set(source.match(/[A-Za-z_$][\w$]*/g))
  const letters = "etnrialosucdpfhmgbvyxwkqjzETNRIALOSUCDPFHMGBVYXWKQJZ_$".split("")
  return [...letters, ...letters.flatMap((a) => letters.map((b) => a + b))].filter((n) =>
    !used.has(n) && !reserved.has(n)
  )
}

type Parents = WeakMap<acorn.Node, acorn.Node>

// The identifiers written as `{ user }` (and `{ user = x }` in a pattern) under `node`.
const shorthandsIn = (node: acorn.Node, found = new Set<acorn.Node>()): Set<acorn.Node> => {
  const n = node as acorn.AnyNode
  if (n.type === "Property" && n.shorthand) found.add(n.value.type === "AssignmentPattern" ? n.value.left : n.value)
  for (const child of childrenOf(node)) shorthandsIn(child, found)
  return found
}

// Whether an error the engine writes may name this reference: the start of what is called, constructed, iterated,
// spread or destructured (`roles.indexOf(...)`: "roles.indexOf is not a function").
const named = (node: acorn.Node, parents: Parents): boolean => {
  let top = node
  let parent = parents.get(top) as acorn.AnyNode | undefined
  while (parent?.type === "MemberExpression" && parent.object === top) {
    top = parent
    parent = parents.get(top) as acorn.AnyNode | undefined
  }
  if (parent === undefined) return false
  switch (parent.type) {
    case "CallExpression":
    case "NewExpression":
      return parent.callee === top
    case "TaggedTemplateExpression":
      return parent.tag === top
    case "ForOfStatement":
      return parent.right === top
    case "SpreadElement":
    case "YieldExpression":
      return true
    case "VariableDeclarator":
      return parent.init === top && parent.id.type !== "Identifier"
    case "AssignmentExpression":
      return parent.right === top && parent.left.type !== "Identifier" && parent.left.type !== "MemberExpression"
    default:
      return false
  }
}

/**
 * The rule with short names where an error cannot show them: the parameters (their names, by short name, go with the
 * rule, so the Action puts them back in a message), and every other name no message of the engine can name (see
 * `named`), nor `let`, `const` or a class (named by "Cannot access 'x' before initialization"). Each gets a name the
 * source spells nowhere, written where it was (`{ user }` as `{ user: e }`). Nothing is renamed where a rename could
 * change what the code does: a `with` or a direct `eval` anywhere; nor a name two variables of the rule share
 * (sloppy mode may hoist an inner `function user() {}` onto another).
 */
const shortNames = (
  code: string
): { readonly source: string; readonly params: Readonly<Record<string, string>> } => {
  const program = acorn.parse(`(${code})`, { ecmaVersion: "latest", sourceType: "script", ranges: true })
  const statement = program.body[0]
  const fn = statement?.type === "ExpressionStatement" ? statement.expression : undefined
  const kept = { source: code, params: {} }
  if (fn === undefined || (fn.type !== "FunctionExpression" && fn.type !== "ArrowFunctionExpression")) return kept
  const manager = loadScopeAnalyzer().analyze(program as never, { ecmaVersion: 2025, sourceType: "script" })
  const dynamic = manager.scopes.some((scope) =>
    scope.type === "with" || (scope as { readonly directCallToEvalScope?: boolean }).directCallToEvalScope === true
  )
  const ruleScope = manager.acquire(fn as never)
  if (dynamic || ruleScope === null) return kept
  const parents = parentsOf(program)
  const shorthand = shorthandsIn(program)
  const variables = manager.scopes.filter((scope) => scope.type !== "global").flatMap((scope) => scope.variables)
  const shared = new Set(variables.map((v) => v.name).filter((name, i, all) => all.indexOf(name) !== i))
  const isParam = (v: eslintScope.Variable) =>
    v.scope === ruleScope && v.defs.length > 0 && v.defs.every((d) => d.type === "Parameter" && d.node === fn)
  const free = freeNames(code)
  const params: Record<string, string> = {}
  const edits: Array<{ readonly at: number; readonly end: number; readonly text: string }> = []
  for (const variable of variables) {
    const nodes = [
      ...new Set([...variable.identifiers, ...variable.references.map((r) => r.identifier)])
    ] as unknown as Array<acorn.Node>
    const param = isParam(variable)
    const lexical = variable.defs.some((d) =>
      d.type === "Variable" && d.parent?.kind !== "var" || d.type === "ClassName"
    )
    if (variable.name === "arguments" || shared.has(variable.name) || variable.defs.length === 0) continue
    if (!param && (lexical || nodes.some((node) => named(node, parents)))) continue
    const name = free[0]
    if (name === undefined || name.length >= variable.name.length) continue
    free.shift()
    if (param) params[name] = variable.name
    for (const node of nodes) {
      edits.push({
        at: node.start - 1,
        end: node.end - 1,
        text: shorthand.has(node) ? `${variable.name}:${name}` : name
      })
    }
  }
  let source = code
  for (const edit of edits.toSorted((a, b) => b.at - a.at)) {
    source = source.slice(0, edit.at) + edit.text + source.slice(edit.end)
  }
  return { source, params }
}
