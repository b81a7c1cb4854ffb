/**
 * Convert: turns one legacy Auth0 Rule into a typed rulefx rule module, with a differential test that runs both on
 * generated logins (`rulefx convert <rules-dir> <rule>`). Node-side only.
 *
 * The rule's function is found and checked by Analyze, then translated statement by statement:
 *
 * | legacy | typed |
 * |---|---|
 * | `user.email`, `context.clientName`, `context.request.ip`, ... (LoginReads) | a local read from `Login` |
 * | `configuration.KEY` | a local read from `Secrets` (a missing one denies, as the missing setting did) |
 * | `context.idToken[k] = v`, `context.accessToken[k] = v` | `Decision.setIdTokenClaim` / `setAccessTokenClaim` |
 * | `context.multifactor = { provider, allowRememberBrowser }` | `Decision.requireMfa` |
 * | `context.redirect = { url }` | `Decision.redirect` |
 * | `callback(new UnauthorizedError("text"))`, `new Error("text")` | a `Denial.Class` per message, failed with |
 * | `callback(null, user, context)` | `return` |
 * | declarations, `if`/`else`, other expressions | as written, their reads rewritten |
 * | `console.log(...)` | `Effect.log(...)` |
 *
 * What it cannot translate (another field of `user` or `context`, a write to `user`, `require`, `auth0`, `request`,
 * asynchronous code, loops, `try`, undeclared globals, a path that ends without calling `callback`, a `callback` that
 * does not return, a name declaring `user`/`context`/`callback` again) it leaves as a TODO: the legacy code
 * in a comment and a call of `RULEFX_TODO`, declared nowhere, so the module does not compile until the user rewrites
 * it; the TODO names the line and the construct. It never writes code that would silently do something else.
 *
 * @since 0.1.0
 */
import * as acorn from "acorn"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { dirname, join, relative, resolve, sep } from "node:path"
import * as Analyze from "./Analyze.ts"
import * as CallsBack from "./internal/convert/callsBack.ts"
import * as DifferentialTest from "./internal/convert/differentialTest.ts"
import * as EarlierWrites from "./internal/convert/earlierWrites.ts"
import * as Emit from "./internal/convert/emit.ts"
import * as Metadata from "./internal/convert/metadata.ts"
import * as Proof from "./internal/convert/proof.ts"
import * as Scope from "./internal/convert/scope.ts"
import * as Statements from "./internal/convert/statements.ts"
import * as RulesFolder from "./RulesFolder.ts"

/**
 * A construct left for the user: its line in the rule file, its source (shortened) and why it was left.
 *
 * @category models
 * @since 0.1.0
 */
export type Todo = Scope.Todo

/**
 * How much of a rule was translated: every construct (`converted`), some (`partial`: TODOs left, or every construct
 * but a decision the rule can make that none of its test's logins reaches, `Written.unreached`), or nothing but its
 * final `callback` (`none`).
 *
 * @category models
 * @since 0.1.0
 */
export type Status = "converted" | "partial" | "none"

/**
 * One rule, converted.
 *
 * @category models
 * @since 0.1.0
 */
export interface Conversion {
  readonly rule: string
  readonly status: Status
  /** The typed module's text. */
  readonly module: string
  /** The exported name of the typed rule. */
  readonly exportName: string
  readonly todos: ReadonlyArray<Todo>
  /** The messages the rule denies with, each with its denial class. */
  readonly denials: ReadonlyArray<{ readonly name: string; readonly message: string }>
  /** The `configuration` keys it reads, now secrets. */
  readonly secrets: ReadonlyArray<string>
}

/**
 * Converts a rule's source text (`file` is its path, for messages).
 *
 * @category constructors
 * @since 0.1.0
 */
export const convertSource = Effect.fn("Convert.convertSource")(function*(
  rule: string,
  file: string,
  text: string,
  earlier: EarlierWrites.EarlierWrites = EarlierWrites.none,
  afterLegacy = false
) {
  const analysis = yield* Analyze.analyze(file, text)
  const wrapped = `(${analysis.source})`
  const program = acorn.parse(wrapped, { ecmaVersion: "latest", sourceType: "script", locations: true })
  const statement = program.body[0] as acorn.ExpressionStatement
  const fn = statement.expression as acorn.FunctionExpression | acorn.ArrowFunctionExpression
  const at = text.indexOf(analysis.source)
  const lineOffset = at < 0 ? 0 : text.slice(0, at).split("\n").length - 1
  const scope = Scope.make(wrapped, analysis.params, lineOffset, fn.body, earlier, afterLegacy)
  const body: Array<string> = []
  let untranslated = 0
  let statements = 0
  // A name of the rule's declared again inside it (`const context = ...` in a block, `function (user) {...}`) would be
  // read as the login's where the rule read its own value.
  const shadowed = [scope.user, scope.context, scope.callback].filter((p) => p !== undefined && scope.declared.has(p))
  if (analysis.isAsync || fn.body.type !== "BlockStatement") {
    body.push(...todoWhole(scope, fn, "is asynchronous or an expression, not a block of statements"))
    untranslated = statements = 1
  } else if (shadowed.length > 0) {
    const names = shadowed.map((p) => `\`${p}\``).join(", ")
    body.push(...todoWhole(scope, fn, `declares its own ${names}, hiding the parameter of that name`))
    untranslated = statements = 1
  } else {
    const list = fn.body.body
    Metadata.prepare(scope, fn.body)
    for (const [i, node] of list.entries()) {
      const before = scope.todos.length
      body.push(...Statements.list(scope, [node], Statements.endsAt(list, i, true)))
      // The final callback(null, user, context) alone does not make a rule converted.
      if (!isFinalCallback(scope, node, i === list.length - 1)) {
        statements++
        if (scope.todos.length > before) untranslated++
      }
    }
    if (CallsBack.mayEndWithout(scope.callback, list)) {
      const line = (fn.body.loc?.end.line ?? 1) + scope.lineOffset
      const reason = "may end without calling `callback` (Rules then timed out and failed the login; " +
        "the typed rule would allow it)"
      scope.todos.push({ line, construct: "the rule's function", reason })
      body.push(`RULEFX_TODO(${JSON.stringify(`line ${line}: the rule's function ${reason}`)})`)
    }
  }
  const status: Status = scope.todos.length === 0 ? "converted" : untranslated < statements ? "partial" : "none"
  const conversion: Conversion = {
    rule,
    status,
    module: Emit.module({ rule, file, scope, body }),
    exportName: Emit.exportName(rule),
    todos: scope.todos,
    denials: scope.denials.map(({ message, name }) => ({ name, message })),
    secrets: [...scope.secrets.keys()]
  }
  return conversion
})

const todoWhole = (scope: Scope.Scope, node: acorn.Node, reason: string): Array<string> => {
  scope.todos.push({ line: Scope.lineOf(scope, node), construct: "the rule's function", reason })
  return [`RULEFX_TODO(${JSON.stringify(`line ${Scope.lineOf(scope, node)}: the rule's function ${reason}`)})`]
}

const isFinalCallback = (scope: Scope.Scope, node: acorn.Node, last: boolean): boolean => {
  if (!last) return false
  const n = node as acorn.AnyNode
  const e = n.type === "ExpressionStatement" ? n.expression : n.type === "ReturnStatement" ? n.argument : undefined
  return e?.type === "CallExpression" && e.callee.type === "Identifier" && e.callee.name === scope.callback &&
    e.arguments.length > 0 && e.arguments[0]?.type === "Literal" && e.arguments[0].value === null
}

/**
 * Where convert writes: the typed module's folder and the test's (the same by default).
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  readonly out: string
  readonly tests?: string | undefined
  /** Logins the generated test runs; default 300. */
  readonly count?: number | undefined
  /**
   * The rules before this one stay legacy and run first (LegacyRules, as in a mixed Action): the typed rule is a
   * function of their set (`(legacy) => Rule`), reads what they may have left in `user`/`context` through their
   * `State`, and its test runs them first on both sides.
   */
  readonly afterLegacy?: boolean | undefined
}

/**
 * What `convert` wrote.
 *
 * @category models
 * @since 0.1.0
 */
export interface Written extends Conversion {
  readonly moduleFile: string
  readonly testFile: string
  /** The decisions the rule can make that none of the test's logins reaches (DecisionKinds.unreached). */
  readonly unreached: ReadonlyArray<string>
}

const importPath = (from: string, to: string): string => {
  const path = relative(from, to).split(sep).join("/")
  return path.startsWith(".") ? path : `./${path}`
}

/**
 * Converts the rule named `rule` of the rules folder `dir`, and writes `<out>/<rule>.ts` and
 * `<tests>/<rule>.differential.test.ts`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const convert = Effect.fn("Convert.convert")(function*(dir: string, rule: string, options: Options) {
  const folder = yield* RulesFolder.read(dir)
  const file = folder.rules.find((r) => r.name === rule)
  if (file === undefined) {
    const names = folder.rules.map((r) => r.name).join(", ")
    return yield* new ConvertError({ reason: `${dir}: no rule named ${rule} (the folder has: ${names || "none"})` })
  }
  // The name makes the file names: one with a path separator would write outside `out` (`../../x`).
  if (/[\\/]/.test(rule)) {
    return yield* new ConvertError({ reason: `${dir}: the rule's name ${JSON.stringify(rule)} holds a path separator` })
  }
  const text = yield* io(`${file.script}: cannot be read`, () => readFile(file.script, "utf8"))
  const earlier = yield* earlierWrites(folder, file)
  const afterLegacy = options.afterLegacy === true
  const conversion = yield* convertSource(
    rule,
    relative(process.cwd(), file.script) || file.script,
    text,
    earlier,
    afterLegacy
  )
  const out = resolve(options.out)
  const tests = resolve(options.tests ?? options.out)
  const count = options.count ?? 300
  const proving = { rules: folder.folder, rule, script: file.script, text, count, afterLegacy }
  const decisions = yield* Proof.decisions(proving)
  const unreached = conversion.status === "converted" ? yield* Proof.unreached(proving, decisions) : []
  const moduleFile = join(out, `${rule}.ts`)
  const testFile = join(tests, `${rule}.differential.test.ts`)
  const test = DifferentialTest.source({
    rule,
    module: importPath(tests, moduleFile),
    rules: importPath(tests, folder.folder),
    file: relative(tests, file.script).split(sep).join("/"),
    count,
    afterLegacy,
    decisions
  })
  yield* io(`${moduleFile}: cannot be written`, async () => {
    await mkdir(dirname(moduleFile), { recursive: true })
    await writeFile(moduleFile, conversion.module)
    await mkdir(dirname(testFile), { recursive: true })
    await writeFile(testFile, test)
  })
  const status = unreached.length > 0 ? "partial" : conversion.status
  const written: Written = { ...conversion, status, moduleFile, testFile, unreached }
  return written
})

// The rules that run before `file` (enabled login_success rules, by order then name), and what they write. One that
// cannot be analysed may write anything.
const earlierWrites = Effect.fnUntraced(function*(folder: RulesFolder.RulesFolder, file: RulesFolder.RuleFile) {
  const all: Array<EarlierWrites.EarlierWrites> = []
  for (const r of RulesFolder.upTo(folder, file).slice(0, -1)) {
    const text = yield* io(`${r.script}: cannot be read`, () => readFile(r.script, "utf8"))
    const analysis = yield* Effect.option(Analyze.analyze(r.script, text))
    all.push(
      analysis._tag === "Some"
        ? EarlierWrites.ofRule(r.name, analysis.value.source, analysis.value.params)
        : { paths: [], anything: [{ root: "user", rule: r.name }, { root: "context", rule: r.name }] }
    )
  }
  return EarlierWrites.merge(all)
})

const io = <A>(reason: string, f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (e) => new ConvertError({ reason: `${reason} (${(e as Error).message})` }) })

/**
 * What the CLI prints: the files, the status, the denials and secrets, and every TODO with its line.
 *
 * @category getters
 * @since 0.1.0
 */
export const render = (written: Written): string => {
  const cwd = process.cwd()
  const lines = [
    `${written.rule}: ${
      written.status === "converted"
        ? "converted"
        : written.unreached.length > 0
        ? "converted, but its test cannot show it (partial)"
        : `${written.todos.length} TODO${written.todos.length === 1 ? "" : "s"} left (${written.status})`
    }`,
    `  typed rule  ${relative(cwd, written.moduleFile)} (export ${written.exportName})`,
    `  its test    ${relative(cwd, written.testFile)}`
  ]
  for (const d of written.denials) lines.push(`  denial      ${d.name}: ${JSON.stringify(d.message)}`)
  for (const s of written.secrets) {
    lines.push(`  secret      ${s} (was configuration.${s}): add it to the Action's secrets`)
  }
  for (const t of written.todos) lines.push(`  TODO line ${t.line}: ${t.construct}: ${t.reason}`)
  for (const u of written.unreached) lines.push(`  untested    ${u}`)
  return lines.join("\n")
}

/**
 * The rule cannot be found, read or written.
 *
 * @category errors
 * @since 0.1.0
 */
export class ConvertError extends Data.TaggedError("ConvertError")<{ readonly reason: string }> {
  override get message(): string {
    return this.reason
  }
}
