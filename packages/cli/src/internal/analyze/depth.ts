/**
 * How deeply a rule nests: the walks over its syntax (acorn's parser, acorn-walk, eslint-scope, convert's translation)
 * recurse once per level or more, so a rule nested a few thousand levels deep (`if (a) { if (b) { ...`, `1 + 1 + ...`)
 * would overflow the stack: a defect with a stack trace, or a bogus syntax error where the parser gave up. Each check
 * here walks without recursion, and a rule deeper than `limit` is refused before anything recursive runs.
 */
import * as acorn from "acorn"
import * as Result from "effect/Result"

/** The most levels a rule may nest: far more than any real rule needs, far fewer than would overflow the stack. */
export const limit = 256

/** Where a text first nests deeper than the limit, and how deep it goes. */
export interface TooDeep {
  readonly at: acorn.Position
  readonly levels: number
}

/** The problem of a rule nested `levels` deep (undefined when the parser gave up, not knowing how deep). */
export const tooDeep = (levels: number | undefined): string =>
  `nested too deeply to analyse: ${
    levels === undefined ? "more levels than the parser can hold" : `${levels} levels`
  }, the limit is ${limit}`

const opens: ReadonlySet<string> = new Set(["{", "(", "[", "${"])
const closes: ReadonlySet<string> = new Set(["}", ")", "]"])

/**
 * The first bracket (`{`, `(`, `[`, `${`) of `text` opened deeper than the limit, read token by token before parsing
 * (the parser recurses once per bracket). Nothing when the text does not tokenize: parsing reports that.
 */
export const ofBrackets = (text: string): TooDeep | undefined => {
  const scan = Result.try(() => {
    let depth = 0
    let max = 0
    let deepest: acorn.Position | undefined
    for (const token of acorn.tokenizer(text, { ecmaVersion: "latest", locations: true })) {
      if (opens.has(token.type.label)) {
        depth++
        max = Math.max(max, depth)
        if (depth === limit + 1) deepest ??= token.loc?.start
      } else if (closes.has(token.type.label)) {
        depth--
      }
    }
    return deepest === undefined ? undefined : { at: deepest, levels: max }
  })
  return Result.isSuccess(scan) ? scan.success : undefined
}

// A block or an expression statement adds no level of its own: `if (a) { if (b) ...` is two levels, not four.
const transparent: ReadonlySet<string> = new Set(["BlockStatement", "ExpressionStatement"])

const isNode = (value: unknown): value is acorn.Node =>
  typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string"

/** The first node of `root` deeper than the limit (`1 + 1 + ...` nests too, with no bracket), walked with a stack. */
export const ofSyntax = (root: acorn.Node): TooDeep | undefined => {
  const stack: Array<readonly [acorn.Node, number]> = [[root, 0]]
  let first: acorn.Node | undefined
  let max = 0
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [node, parentDepth] = item
    const depth = transparent.has(node.type) ? parentDepth : parentDepth + 1
    if (depth > max) max = depth
    if (depth === limit + 1 && (first === undefined || node.start < first.start)) first = node
    for (const [key, value] of Object.entries(node)) {
      if (key === "loc" || key === "range") continue
      for (const child of Array.isArray(value) ? value : [value]) {
        if (isNode(child)) stack.push([child, depth])
      }
    }
  }
  return first?.loc === undefined || first.loc === null ? undefined : { at: first.loc.start, levels: max }
}
