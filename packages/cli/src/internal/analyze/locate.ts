/**
 * Locating the rule's function in its file: the file must hold exactly one function `(user, context, callback)`,
 * declared (named or anonymous) or as an expression statement, with comments and semicolons around it. Lines and
 * columns stay those of the file.
 */
import * as acorn from "acorn"
import * as Result from "effect/Result"
import * as Depth from "./depth.ts"

export type RuleFunction = acorn.FunctionDeclaration | acorn.FunctionExpression | acorn.ArrowFunctionExpression

export interface Problem {
  readonly line: number
  readonly column: number
  readonly problem: string
}

interface SyntaxFailure extends Problem {
  readonly pos: number
  /** The parser overflowed the stack: the text nests too deeply, whatever else is wrong with it. */
  readonly deep: boolean
}

const parseOptions: acorn.Options = {
  ecmaVersion: "latest",
  sourceType: "script",
  allowReturnOutsideFunction: false,
  locations: true,
  // eslint-scope reads `range`.
  ranges: true
}

const expected = "expected one function (user, context, callback)"

const toSyntaxFailure = (error: unknown): SyntaxFailure => {
  if (error instanceof RangeError) return { line: 1, column: 0, pos: 0, deep: true, problem: Depth.tooDeep(undefined) }
  const e = error as { message?: unknown; pos?: unknown; loc?: { line?: unknown; column?: unknown } }
  const message = typeof e.message === "string" ? e.message.replace(/ \(\d+:\d+\)$/, "") : String(error)
  return {
    line: typeof e.loc?.line === "number" ? e.loc.line : 1,
    column: typeof e.loc?.column === "number" ? e.loc.column : 0,
    pos: typeof e.pos === "number" ? e.pos : 0,
    deep: false,
    problem: `syntax error: ${message}`
  }
}

const parseScript = (text: string) => Result.try({ try: () => acorn.parse(text, parseOptions), catch: toSyntaxFailure })

const parseExpression = (text: string, pos: number) =>
  Result.try({ try: () => acorn.parseExpressionAt(text, pos, parseOptions), catch: toSyntaxFailure })

/** The lines of the rule file before its function's `source` (as Analyze gives it): 0 when not found. */
export const lineOffsetOf = (text: string, source: string): number => {
  const at = text.indexOf(source)
  return at < 0 ? 0 : text.slice(0, at).split("\n").length - 1
}

export const startOf = (node: acorn.Node) => ({ line: node.loc?.start.line ?? 1, column: node.loc?.start.column ?? 0 })

const an = (type: string) => (/^[AEIOU]/.test(type) ? `an ${type}` : `a ${type}`)

const isFunctionNode = (node: acorn.Node): node is RuleFunction =>
  node.type === "FunctionDeclaration" || node.type === "FunctionExpression" || node.type === "ArrowFunctionExpression"

const found = (node: acorn.Node, what: string): Problem => {
  const at = startOf(node)
  return { ...at, problem: `${expected}; found ${what} at line ${at.line}` }
}

const accept = (fn: RuleFunction): Result.Result<RuleFunction, Problem> =>
  fn.generator
    ? Result.fail({ ...startOf(fn), problem: `${expected}; found a generator function, which cannot be a rule` })
    : Result.succeed(fn)

const fromProgram = (program: acorn.Program): Result.Result<RuleFunction, Problem> => {
  const statements = program.body.filter((statement) => statement.type !== "EmptyStatement")
  const [first, second] = statements
  if (first === undefined) return Result.fail({ line: 1, column: 0, problem: `${expected}; found no code` })
  if (second !== undefined) return Result.fail(found(second, `a second statement (${second.type})`))
  if (first.type === "FunctionDeclaration") return accept(first)
  if (first.type === "ExpressionStatement") {
    return isFunctionNode(first.expression)
      ? accept(first.expression)
      : Result.fail(found(first.expression, an(first.expression.type)))
  }
  return Result.fail(found(first, an(first.type)))
}

// Blanks `[0, end)` keeping line breaks, so that what follows still parses at its real line and column.
const blankUpTo = (text: string, end: number) =>
  text.slice(0, end).replace(/[^\n\r\u2028\u2029]/g, " ") + text.slice(end)

// The function was parsed as an expression at the start of the file: only comments and semicolons may follow it.
const checkRest = (text: string, fn: RuleFunction): Result.Result<RuleFunction, Problem> => {
  const rest = blankUpTo(text, fn.end)
  const program = parseScript(rest)
  if (Result.isSuccess(program)) {
    const extra = program.success.body.find((statement) => statement.type !== "EmptyStatement")
    return extra === undefined ? accept(fn) : Result.fail(found(extra, `a second statement (${extra.type})`))
  }
  // The rest may be another anonymous function, which only parses as an expression.
  const tokens = Result.try(() => acorn.tokenizer(rest, parseOptions).getToken())
  if (Result.isSuccess(tokens) && tokens.success.type.label !== "eof") {
    const start = tokens.success.type.label === ";" ? tokens.success.end : tokens.success.start
    const expression = parseExpression(rest, start)
    if (Result.isSuccess(expression)) return Result.fail(found(expression.success, `more code after the function`))
  }
  return Result.fail(program.failure)
}

/**
 * The rule's function in `text`, or the problem with the file: not one function, a syntax error, or nested more deeply
 * than the walks over its syntax can go (Depth).
 */
export const locate = (text: string): Result.Result<RuleFunction, Problem> => {
  const brackets = Depth.ofBrackets(text)
  if (brackets !== undefined) return Result.fail(tooDeep(brackets))
  return Result.flatMap(locateFunction(text), (fn) => {
    const deep = Depth.ofSyntax(fn)
    return deep === undefined ? Result.succeed(fn) : Result.fail(tooDeep(deep))
  })
}

const tooDeep = ({ at, levels }: Depth.TooDeep): Problem => ({
  line: at.line,
  column: at.column,
  problem: Depth.tooDeep(levels)
})

const locateFunction = (text: string): Result.Result<RuleFunction, Problem> => {
  const program = parseScript(text)
  if (Result.isSuccess(program)) return fromProgram(program.success)
  // `function (user, context, callback) {}` is not a valid statement: parse the file as an expression instead, in
  // place, so that lines and columns stay those of the file.
  const expression = parseExpression(text, 0)
  if (Result.isSuccess(expression)) {
    return isFunctionNode(expression.success)
      ? checkRest(text, expression.success)
      : Result.fail(found(expression.success, an(expression.success.type)))
  }
  const failure = expression.failure.deep || (!program.failure.deep && expression.failure.pos > program.failure.pos)
    ? expression.failure
    : program.failure
  return Result.fail({ line: failure.line, column: failure.column, problem: failure.problem })
}
