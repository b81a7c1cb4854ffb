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
import { mkdir, writeFile } from "node:fs/promises"
import { dirname, join, relative, resolve, sep } from "node:path"
import * as Analyze from "./Analyze.ts"
import { lineOffsetOf } from "./internal/analyze/locate.ts"
import * as CallsBack from "./internal/convert/callsBack.ts"
import * as Decisions from "./internal/convert/decisions.ts"
import * as DifferentialTest from "./internal/convert/differentialTest.ts"
import * as EarlierWrites from "./internal/convert/earlierWrites.ts"
import * as Emit from "./internal/convert/emit.ts"
import * as Facts from "./internal/convert/facts.ts"
import * as Metadata from "./internal/convert/metadata.ts"
import * as Proof from "./internal/convert/proof.ts"
import * as Scope from "./internal/convert/scope.ts"
import * as Stamp from "./internal/convert/stamp.ts"
import * as Statements from "./internal/convert/statements.ts"
import { readText } from "./internal/files.ts"
import type * as RuleDifferential from "./RuleDifferential.ts"
import * as RulesFolder from "./RulesFolder.ts"
import * as TypeCheck from "./TypeCheck.ts"

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
  /**
   * The facts it imports from the facts module: what earlier rules leave on `user`/`context` that it reads, and what
   * it leaves there itself for the rules after it.
   */
  readonly facts: ReadonlyArray<string>
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
  afterLegacy = false,
  facts: Scope.Facts = Scope.noFacts
) {
  const analysis = yield* Analyze.analyze(file, text)
  const wrapped = `(${analysis.source})`
  const program = acorn.parse(wrapped, { ecmaVersion: "latest", sourceType: "script", locations: true })
  const statement = program.body[0] as acorn.ExpressionStatement
  const fn = statement.expression as acorn.FunctionExpression | acorn.ArrowFunctionExpression
  const lineOffset = lineOffsetOf(text, analysis.source)
  // `--after-legacy` reads what the earlier rules left through their State, as written, not through facts.
  const scope = Scope.make(wrapped, analysis.params, lineOffset, fn.body, earlier, afterLegacy, facts)
  Decisions.prepare(scope, analysis, fn.body)
  const body: Array<string> = []
  let untranslated = 0
  let statements = 0
  // A name of the rule's declared again inside it (`const context = ...` in a block, `function (user) {...}`) would be
  // read as the login's where the rule read its own value.
  const shadowed = [scope.user, scope.context, scope.callback].filter((p) => p !== undefined && scope.declared.has(p))
  // A name the typed rule's code uses (`Decision`, `undefined`) declared by the rule would take its place there.
  const redeclared = Scope.redeclared(scope)
  // A built-in the rule changes (`Date.now = ...`, a prototype): under Rules its own realm's, typed the whole Action's.
  const shared = analysis.findings.filter((f) => f.construct === "global.shared")
  if (analysis.isAsync || fn.body.type !== "BlockStatement") {
    body.push(...todoWhole(scope, fn, "is asynchronous or an expression, not a block of statements"))
    untranslated = statements = 1
  } else if (shadowed.length > 0) {
    const names = shadowed.map((p) => `\`${p}\``).join(", ")
    body.push(...todoWhole(scope, fn, `declares its own ${names}, hiding the parameter of that name`))
    untranslated = statements = 1
  } else if (redeclared !== undefined) {
    body.push(...todoWhole(scope, fn, redeclared))
    untranslated = statements = 1
  } else if (shared.length > 0) {
    const changes = shared.map((f) => `${f.detail} (line ${f.line})`).join("; ")
    body.push(...todoWhole(
      scope,
      fn,
      `changes a built-in: ${changes}. Under Rules the rule's own copy; in a typed rule the whole Action's, for every ` +
        "later login"
    ))
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
  const emitted = Emit.module({ rule, file, scope, body })
  const conversion: Conversion = {
    rule,
    status,
    module: emitted.text,
    facts: emitted.facts,
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
  /**
   * Type-check a fully converted module with its test (and the facts module) before calling it converted (TypeCheck.
   * checkFiles: with the settings of the tsconfig.json above `out`, else strict ones of its own), then run its test's
   * comparison on it (the module bundled with esbuild, RuleDifferential.run on the test's logins); default true. A
   * module that does not type-check, or that decides otherwise than the legacy rule on a login, is `partial`, with
   * TypeScript's diagnostics or the first logins that differ.
   */
  readonly check?: boolean | undefined
  /**
   * Replace the module and its test even when they exist and differ from what convert writes now (edited by hand, or
   * converted from another version of the rule); by default convert refuses, so hand-written work is never lost.
   */
  readonly force?: boolean | undefined
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
  /** The facts module, when the rule reads or leaves facts. */
  readonly factsFile: string | undefined
  /** What the type-check of a fully translated module found; undefined when it did not run (TODOs, or `check: false`). */
  readonly typeCheck: TypeCheckOutcome | undefined
  /**
   * The generated test's comparison, run on a module that type-checks; undefined when it did not run (TODOs, `check:
   * false`, or the module does not type-check).
   */
  readonly comparison: Comparison | undefined
}

/**
 * The generated test's comparison, run by convert on what it wrote (RuleDifferential.run on the test's logins, the typed
 * module bundled with esbuild): the logins the typed rule decides otherwise than the legacy one on.
 *
 * @category models
 * @since 0.1.0
 */
export interface Comparison {
  readonly events: number
  readonly differences: ReadonlyArray<RuleDifferential.Difference>
  /**
   * The logins the legacy rule crashed on (a TypeError or ReferenceError) and the typed rule denied, all else the same:
   * the same outcome, not differences (RuleDifferential.Report.crashes); absent when there is none.
   */
  readonly crashes?: ReadonlyArray<RuleDifferential.Crash> | undefined
  /**
   * Why the comparison could not run (the typed module did not bundle or load, or the comparison failed): nothing was
   * compared, so the rule is `partial`.
   */
  readonly failure?: string | undefined
}

/**
 * A type-check of what convert wrote: whether it passed, TypeScript's diagnostics, and the settings it used.
 *
 * @category models
 * @since 0.1.0
 */
export interface TypeCheckOutcome {
  readonly ok: boolean
  readonly diagnostics: string
  /** The tsconfig.json whose settings were used, or undefined for rulefx's own strict ones (none above `out`). */
  readonly tsconfig: string | undefined
  readonly typescript: string
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
  // Its module would be the facts module's file (facts.ts; Facts.ts too where file names ignore case), which the
  // rules that read or leave facts need: whichever came second would replace the other.
  if (rule.toLowerCase() === "facts") {
    return yield* new ConvertError({
      reason: `${file.script}: the rule ${rule}'s module would be ${join(resolve(options.out), `${rule}.ts`)}, the ` +
        "path of the facts module convert writes for the rules of the folder: rename the rule (its file and name), or " +
        "convert it with an --out of its own"
    })
  }
  const text = yield* readRule(file)
  const before = yield* folderWrites(folder, file)
  const afterLegacy = options.afterLegacy === true
  const conversion = yield* convertSource(
    rule,
    relative(process.cwd(), file.script) || file.script,
    text,
    before.earlier,
    afterLegacy,
    { readable: afterLegacy ? [] : before.readable, own: before.own }
  )
  const out = resolve(options.out)
  const tests = resolve(options.tests ?? options.out)
  const count = options.count ?? 300
  // With facts, the test runs the earlier rules first on both sides, as with `afterLegacy`.
  const earlierFirst = afterLegacy || conversion.facts.length > 0
  const proving = { rules: folder.folder, rule, script: file.script, text, count, afterLegacy: earlierFirst }
  const decisions = yield* Proof.decisions(proving)
  const unreached = conversion.status === "converted" ? yield* Proof.unreached(proving, decisions) : []
  const moduleFile = join(out, `${rule}.ts`)
  const testFile = join(tests, `${rule}.differential.test.ts`)
  const factsFile = join(out, "facts.ts")
  const test = DifferentialTest.source({
    rule,
    module: importPath(tests, moduleFile),
    rules: importPath(tests, folder.folder),
    file: relative(tests, file.script).split(sep).join("/"),
    count,
    afterLegacy,
    decisions,
    facts: conversion.facts.length === 0 ? undefined : { names: conversion.facts, module: importPath(tests, factsFile) }
  })
  const facts = conversion.facts.length === 0
    ? undefined
    : Facts.module(before.all, relative(dirname(factsFile), folder.folder) || ".")
  if (facts !== undefined) {
    yield* replaceable([factsFile], "facts", false, "move your own facts to another module and delete it")
  }
  const files: ReadonlyArray<readonly [file: string, text: string]> = [
    [moduleFile, Stamp.add(conversion.module, "module")],
    [testFile, Stamp.add(test, "test")],
    ...(facts === undefined ? [] : [[factsFile, facts] as const])
  ]
  const advice = "move it away, or convert with --force to replace it"
  yield* replaceable([moduleFile], "module", options.force === true, advice)
  yield* replaceable([testFile], "test", options.force === true, advice)
  yield* writeAll(files)
  const { comparison, typeCheck } = options.check === false || conversion.status !== "converted"
    ? { typeCheck: undefined, comparison: undefined }
    : yield* checkAndCompare(
      checkWritten(out, [moduleFile, testFile, ...(conversion.facts.length > 0 ? [factsFile] : [])]),
      compareWritten(proving, {
        rule,
        module: moduleFile,
        afterLegacy,
        facts: conversion.facts.length === 0 ? undefined : { names: conversion.facts, module: factsFile }
      }, tests)
    )
  const proved = (typeCheck === undefined || typeCheck.ok) && unreached.length === 0 &&
    (comparison === undefined || (comparison.differences.length === 0 && comparison.failure === undefined))
  const written: Written = {
    ...conversion,
    status: proved ? conversion.status : "partial",
    moduleFile,
    testFile,
    unreached,
    factsFile: conversion.facts.length > 0 ? factsFile : undefined,
    typeCheck,
    comparison
  }
  return written
})

// The type-check, and the test's comparison run meanwhile (tsc is a process of its own): the comparison counts only
// for a module that type-checks (esbuild bundles what does not without reading its types), and its failure only then.
const checkAndCompare = Effect.fnUntraced(function*(
  check: Effect.Effect<TypeCheckOutcome, ConvertError>,
  compare: Effect.Effect<Comparison>
) {
  const [typeCheck, compared] = yield* Effect.all([check, compare], { concurrency: 2 })
  return { typeCheck, comparison: typeCheck.ok ? compared : undefined }
})

// The generated test's comparison, run here on a bundle of what convert wrote (Proof.compare). One that cannot run
// (esbuild fails on the module, loading it throws, the comparison fails) compared nothing: its failure, which makes the
// rule partial.
const compareWritten = (
  proving: Proof.Options,
  entry: Parameters<typeof DifferentialTest.handlerEntry>[0],
  tests: string
): Effect.Effect<Comparison> =>
  Proof.compare(proving, DifferentialTest.handlerEntry(entry), tests).pipe(
    Effect.map((report): Comparison => ({
      events: report.events,
      differences: report.differences,
      ...(report.crashes.length > 0 ? { crashes: report.crashes } : {})
    })),
    Effect.catchDefect((defect) => Effect.fail(defect instanceof Error ? defect.message : String(defect))),
    Effect.catch((problem) =>
      Effect.succeed<Comparison>({
        events: 0,
        differences: [],
        failure: typeof problem === "string" ? problem : problem.message
      })
    )
  )

// A file convert would replace must be absent, or as convert wrote it (its Stamp matches) as a file of the same `kind`:
// one edited since (TODOs rewritten by hand, facts of the user's) or not written by convert, or one that cannot be
// read, is left alone and convert fails, saying what to do (`advice`), unless `force`; one convert wrote as the other
// kind (a rule's module where the facts module goes) is never replaced.
const replaceable = Effect.fnUntraced(function*(
  files: ReadonlyArray<string>,
  kind: Stamp.Kind,
  force: boolean,
  advice: string
) {
  for (const file of files) {
    const existing = yield* readText(file, (problem) => problem).pipe(
      Effect.catchIf((problem) => problem === "no such file", () => Effect.succeed(undefined)),
      Effect.mapError((problem) => new ConvertError({ reason: `${file}: ${problem}` }))
    )
    if (existing === undefined) continue
    const found = Stamp.kindsOf(existing)
    if (found.length > 0 && !found.includes(kind)) {
      return yield* new ConvertError({
        reason: `${file}: rulefx convert wrote it as ${kinds[found[0]!]}, not ${kinds[kind]}, so it is not ` +
          "replaced: move it away, or convert with another --out"
      })
    }
    if (found.length === 0 && !force) {
      return yield* new ConvertError({
        reason: `${file}: edited since rulefx convert wrote it (or not written by it), so it is not replaced: ${advice}`
      })
    }
  }
})

const kinds: Readonly<Record<Stamp.Kind, string>> = {
  module: "a rule's module",
  test: "a rule's differential test",
  facts: "the facts module"
}

// Writes each file, its folder made first; a failure is named after the first file (the module).
const writeAll = (files: ReadonlyArray<readonly [file: string, text: string]>) =>
  io(`${files[0]?.[0]}: cannot be written`, () => Promise.all(files.map(([file, text]) => writeOne(file, text))))

const writeOne = async (file: string, text: string) => {
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, text)
}

const checkWritten = Effect.fnUntraced(function*(out: string, files: ReadonlyArray<string>) {
  const result = yield* TypeCheck.checkFiles(out, files).pipe(
    Effect.mapError((e) => new ConvertError({ reason: `${e.reason} (convert with check off to skip the check)` }))
  )
  const outcome: TypeCheckOutcome = {
    ok: result.ok,
    diagnostics: result.diagnostics,
    tsconfig: result.extends,
    typescript: result.typescript.version
  }
  return outcome
})

const readRule = (file: RulesFolder.RuleFile) =>
  readText(file.script, (problem) => new ConvertError({ reason: `${file.script}: ${problem}` }))

// What the rules of the folder (enabled login_success rules, by order then name, and `file`) write: the writes of
// those before `file`, and the facts of them all (Facts) that no other rule's write may change. One that cannot be
// analysed may write anything.
const folderWrites = Effect.fnUntraced(function*(folder: RulesFolder.RulesFolder, file: RulesFolder.RuleFile) {
  const ordered = folder.rules.filter((r) => (r.enabled && r.stage === "login_success") || r === file)
    .toSorted(RulesFolder.byOrder)
  const writes: Array<EarlierWrites.EarlierWrites> = []
  const facts: Array<Facts.Fact> = []
  for (const r of ordered) {
    const text = yield* readRule(r)
    const analysis = yield* Effect.option(Analyze.analyze(r.script, text))
    if (analysis._tag === "None") {
      writes.push({
        paths: [],
        anything: [{ root: "user", rule: r.name }, { root: "context", rule: r.name }],
        settings: [],
        copies: []
      })
      continue
    }
    const { configurationKeys, findings, params, source } = analysis.value
    facts.push(...Facts.ofRule(r.name, source, params, lineOffsetOf(text, source), EarlierWrites.merge(writes)))
    // `configuration[name]`: a setting Analyze cannot name.
    const dynamic = findings.some((f) => f.construct === "configuration.dynamic") ? [EarlierWrites.anyKey] : []
    writes.push({
      ...EarlierWrites.ofRule(r.name, source, params, lineOffsetOf(text, source)),
      settings: [{ rule: r.name, keys: [...configurationKeys, ...dynamic] }]
    })
  }
  const index = ordered.indexOf(file)
  const all = Facts.readable(facts, EarlierWrites.merge(writes))
  const earlierRules = new Set(ordered.slice(0, index).map((r) => r.name))
  return {
    earlier: EarlierWrites.merge(writes.slice(0, index)),
    all,
    readable: all.filter((f) => earlierRules.has(f.rule)),
    own: all.filter((f) => f.rule === file.name)
  }
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
  const check = written.typeCheck
  const settings = check === undefined
    ? ""
    : `${
      check.tsconfig === undefined ? "rulefx's strict settings" : relative(cwd, check.tsconfig)
    }, TypeScript ${check.typescript}`
  const lines = [
    `${written.rule}: ${
      written.todos.length > 0
        ? `${written.todos.length} TODO${written.todos.length === 1 ? "" : "s"} left (${written.status})`
        : check !== undefined && !check.ok
        ? `translated, but does not type-check with ${settings} (partial)`
        : written.comparison?.failure !== undefined
        ? "translated, but its test's comparison could not run, so nothing was compared (partial)"
        : differing(written) > 0
        ? `converted, but the typed rule decides otherwise on ${differing(written)} of its test's ${
          written.comparison?.events ?? 0
        } logins (partial)`
        : written.unreached.length > 0
        ? "converted, but its test cannot show it (partial)"
        : check === undefined
        ? "converted (not type-checked)"
        : `converted (type-checked with ${settings})`
    }`,
    `  typed rule  ${relative(cwd, written.moduleFile)} (export ${written.exportName})`,
    `  its test    ${relative(cwd, written.testFile)}`,
    ...(written.factsFile === undefined
      ? []
      : [
        `  facts       ${relative(cwd, written.factsFile)} (${written.facts.join(", ")}: declare them in the pipeline)`
      ])
  ]
  if (check !== undefined && !check.ok) {
    for (const line of check.diagnostics.split("\n")) lines.push(`  tsc         ${line}`)
  }
  const failure = written.comparison?.failure
  if (failure !== undefined) {
    for (const line of failure.split("\n")) lines.push(`  compare     ${line}`)
    lines.push("  (run its test to see the same failure; convert with check off to skip the comparison)")
  }
  for (const d of written.denials) lines.push(`  denial      ${d.name}: ${JSON.stringify(d.message)}`)
  for (const s of written.secrets) {
    lines.push(`  secret      ${s} (was configuration.${s}): add it to the Action's secrets`)
  }
  for (const t of written.todos) lines.push(`  TODO line ${t.line}: ${t.construct}: ${t.reason}`)
  for (const u of written.unreached) lines.push(`  untested    ${u}`)
  const differences = written.comparison?.differences ?? []
  for (const d of differences.slice(0, shownDifferences)) lines.push(`  differs     ${Proof.describe(d)}`)
  if (differences.length > 0) {
    lines.push(
      `  (${
        differences.length > shownDifferences ? `${differences.length - shownDifferences} more; ` : ""
      }its test fails on the same logins: run it to see each one whole)`
    )
  }
  const crashes = written.comparison?.crashes ?? []
  for (const c of crashes.slice(0, shownDifferences)) {
    lines.push(
      `  note        ${c.event}: the legacy rule crashed (${JSON.stringify(c.legacy)}) and the typed rule denies ` +
        `(${JSON.stringify(c.typed)}): both stop the login, counted as the same outcome`
    )
  }
  if (crashes.length > shownDifferences) {
    lines.push(
      `  (${crashes.length - shownDifferences} more logins where the legacy rule crashed and the typed rule denies)`
    )
  }
  return lines.join("\n")
}

// The logins `render` shows of those the typed rule decides otherwise on.
const shownDifferences = 3

/**
 * On how many of its test's logins the typed rule decides otherwise than the legacy one (Written.comparison; 0 when
 * the comparison did not run).
 *
 * @category getters
 * @since 0.1.0
 */
export const differing = (written: Written): number => written.comparison?.differences.length ?? 0

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
