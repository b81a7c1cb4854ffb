/**
 * What one conversion keeps track of: the names the rule gives `user`, `context` and `callback`, the names it declares
 * itself, and what the converted rule needs (Login reads, secrets, denial classes, TODOs), collected while its
 * statements are translated.
 */
import type * as acorn from "acorn"
import * as walk from "acorn-walk"
import { readOnlyGlobals } from "../analyze/globals.ts"
import type { EarlierWrites } from "./earlierWrites.ts"
import type { Fact } from "./facts.ts"
import type { LoginRead } from "./loginReads.ts"
import * as Passes from "./passes.ts"

/** A construct left for the user: what it is (with its source text) and its line in the rule file. */
export interface Todo {
  readonly line: number
  readonly construct: string
  readonly reason: string
}

/** A denial class for one `callback(new UnauthorizedError(message))` message. */
export interface DenialClass {
  readonly name: string
  readonly message: string
  readonly line: number
}

export type Metadata = "app_metadata" | "user_metadata"

export interface Scope {
  readonly source: string
  /** The rule's parameter names: `user`, `context`, `callback` as the rule names them. */
  readonly user: string | undefined
  readonly context: string | undefined
  readonly callback: string | undefined
  /** Every name the function declares (variables, inner functions and their parameters). */
  readonly declared: ReadonlySet<string>
  /** The read-only globals (`undefined`, `NaN`, `Infinity`) it assigns: ignored under Rules, a TypeError in a module. */
  readonly assignedGlobals: ReadonlySet<string>
  /** The line of the rule file where the function's source starts, minus one. */
  readonly lineOffset: number
  readonly reads: Map<string, LoginRead>
  /** Secrets (`configuration.X`) by key, with the local each is bound to. */
  readonly secrets: Map<string, string>
  /**
   * By line of the rule file, the `configuration` settings a claim or redirect written there reads in any way, through
   * locals, calls and strings (Analyze's `configurationReads`): what the legacy runtime may deny.
   */
  readonly settingsAt: Map<number, Set<string>>
  /**
   * The claim assignments that may run after another assignment of the same claim (it is written twice, its name is
   * computed, or it sits in a loop or an inner function): one of a value that may be absent drops what came before.
   */
  readonly reassigned: Set<acorn.Node>
  readonly denials: Array<DenialClass>
  readonly todos: Array<Todo>
  /** Core modules (and effect/Redacted) the converted code uses besides Rule, Login and Effect. */
  readonly uses: Set<"Decision" | "Denial" | "Secrets" | "Redacted">
  /** The metadata the rule persists through `auth0.users.update{App,User}Metadata(user.user_id, ...)`. */
  readonly persisted: Set<Metadata>
  /** The keys of each metadata the rule writes (`user.app_metadata.plan = ...`), in order. */
  readonly written: Map<Metadata, Array<string>>
  /** What the rules before this one leave on `user` and `context`. */
  readonly earlier: EarlierWrites
  /** Locals taken so far (reads, secrets), to keep new names apart from the rule's. */
  readonly taken: Set<string>
  /**
   * The local standing for `context.accessToken.scope` once the rule uses it (TokenScope): what the rule leaves there
   * replaces the token's scopes when it ends.
   */
  readonly accessTokenScope: { local: string | undefined }
  /**
   * `--after-legacy`: the rules before this one stay legacy and run first (LegacyRules), so a read of what they may
   * have written goes through their `State` fact (`legacyUser`, `legacyContext`) instead of being a TODO.
   */
  readonly afterLegacy: boolean
  /** The roots read through the legacy rules' State so far. */
  readonly legacyReads: Set<"user" | "context">
  /** The facts of earlier rules' writes this rule may read (Facts), and those of its own writes. */
  readonly facts: Facts
  /** The facts read so far, by export, with the local each is bound to. */
  readonly factReads: Map<string, string>
  /** The facts of its own writes the rule computes where it wrote them. */
  readonly factWrites: Set<string>
  /**
   * The rule sets `context.redirect` or names "redirect-callback" (Passes): its reads of `context.protocol` may ask
   * which pass it runs in, which Actions does not say by the protocol.
   */
  readonly twoPasses: boolean
}

export interface Facts {
  readonly readable: ReadonlyArray<Fact>
  readonly own: ReadonlyArray<Fact>
}

export const noFacts: Facts = { readable: [], own: [] }

export const make = (
  source: string,
  params: ReadonlyArray<string>,
  lineOffset: number,
  body: acorn.Node,
  earlier: EarlierWrites,
  afterLegacy = false,
  facts: Facts = noFacts
): Scope => {
  const declared = new Set<string>()
  const assigned = new Set<string>()
  walk.full(body, (node) => {
    const n = node as acorn.AnyNode
    const target = n.type === "AssignmentExpression" ? n.left : n.type === "UpdateExpression" ? n.argument : undefined
    if (target?.type === "Identifier" && readOnlyGlobals.has(target.name)) assigned.add(target.name)
    if (n.type === "VariableDeclarator") collectPattern(n.id, declared)
    if (n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression") {
      if (n.type !== "ArrowFunctionExpression" && n.id) declared.add(n.id.name)
      for (const param of n.params) collectPattern(param, declared)
    }
    if (n.type === "CatchClause" && n.param) collectPattern(n.param, declared)
    if ((n.type === "ClassDeclaration" || n.type === "ClassExpression") && n.id) declared.add(n.id.name)
  })
  const [user, context, callback] = params.map((p) => (/^[A-Za-z_$][\w$]*$/.test(p) ? p : undefined))
  return {
    source,
    user,
    context,
    callback,
    declared,
    assignedGlobals: new Set([...assigned].filter((name) => !declared.has(name))),
    lineOffset,
    reads: new Map(),
    secrets: new Map(),
    settingsAt: new Map(),
    reassigned: new Set(),
    denials: [],
    todos: [],
    uses: new Set(),
    persisted: new Set(),
    written: new Map(),
    earlier,
    accessTokenScope: { local: undefined },
    afterLegacy,
    legacyReads: new Set(),
    facts,
    factReads: new Map(),
    factWrites: new Set(),
    twoPasses: Passes.twoPasses(body, context),
    taken: new Set([
      ...[...facts.readable, ...facts.own].map((f) => f.exportName),
      ...declared,
      ...generatedNames,
      ...legacyNames
    ])
  }
}

/**
 * The names the typed rule's code refers to where the rule's own names are in scope: its imports, the locals it
 * declares before the rule's statements (`login`; `legacyNames` with `--after-legacy`), the parameter of the code it writes around a claim
 * (`draft`), and the globals it relies on (`Array.isArray`, `String(...)`, `Date.parse` in Login reads, `undefined` in
 * every check of a value). A rule that declares one of them would take its place: `const Decision = {...}` in a block
 * would make the `yield* Decision.requireMfa(...)` written there call the rule's object.
 */
export const generatedNames: ReadonlyArray<string> = [
  "login",
  "Effect",
  "Decision",
  "Denial",
  "Secrets",
  "Rule",
  "Login",
  "Redacted",
  "draft",
  "undefined",
  "NaN",
  "Infinity",
  "Array",
  "Object",
  "String",
  "Number",
  "Boolean",
  "Date",
  "JSON",
  "Math",
  "Symbol",
  "Promise",
  "Reflect",
  "globalThis"
]

/** The names the code written for `--after-legacy` adds (the legacy rules' State and what it reads). */
export const legacyNames: ReadonlyArray<string> = [
  "legacy",
  "legacyState",
  "legacyUser",
  "legacyContext",
  "LegacyRules"
]

/**
 * Why the rule cannot be translated because it declares a name the typed rule's code refers to (generatedNames,
 * legacyNames with `--after-legacy`, and the facts it may import) or assigns a read-only global, or undefined.
 */
export const redeclared = (scope: Scope): string | undefined => {
  const factNames = [...scope.facts.readable, ...scope.facts.own].map((f) => f.exportName)
  const names = [...generatedNames, ...(scope.afterLegacy ? legacyNames : []), ...factNames].filter((name) =>
    scope.declared.has(name)
  )
  if (names.length === 0 && scope.assignedGlobals.size > 0) {
    return `assigns ${[...scope.assignedGlobals].map((name) => `\`${name}\``).join(", ")}, which Rules ignored (its ` +
      "code ran in sloppy mode) and a module's code throws on (it runs in strict mode)"
  }
  if (names.length === 0) return undefined
  const list = names.map((name) => `\`${name}\``).join(", ")
  return names.some((name) => readOnlyGlobals.has(name))
    ? `declares its own ${list}, which changes what the name means in every statement of the rule (convert reads it as ` +
      "the global, and so does the typed rule's code)"
    : `declares its own ${list}, a name the typed rule's code uses (the code written there would use the rule's)`
}

const collectPattern = (pattern: acorn.Node, into: Set<string>): void => {
  const p = pattern as acorn.AnyNode
  switch (p.type) {
    case "Identifier":
      into.add(p.name)
      return
    case "ObjectPattern":
      for (const prop of p.properties) collectPattern(prop.type === "RestElement" ? prop.argument : prop.value, into)
      return
    case "ArrayPattern":
      for (const element of p.elements) if (element) collectPattern(element, into)
      return
    case "RestElement":
      collectPattern(p.argument, into)
      return
    case "AssignmentPattern":
      collectPattern(p.left, into)
      return
  }
}

/** The line in the rule file of a node of the function's source. */
export const lineOf = (scope: Scope, node: acorn.Node): number => (node.loc?.start.line ?? 1) + scope.lineOffset

/** Whether `node` is the identifier `name`. */
export const isName = (node: acorn.Node | undefined, name: string | undefined): boolean =>
  name !== undefined && (node as acorn.AnyNode | undefined)?.type === "Identifier" &&
  (node as acorn.Identifier).name === name

/** The source text of a node. */
export const textOf = (scope: Scope, node: acorn.Node): string => scope.source.slice(node.start, node.end)

/** A short one-line rendering of a node's text, for a TODO. */
export const shortText = (scope: Scope, node: acorn.Node): string => {
  const text = textOf(scope, node).replace(/\s+/g, " ").trim()
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/** A fresh local name based on `base`, never one the rule or the conversion already uses. */
export const fresh = (scope: Scope, base: string): string => {
  let name = base
  for (let i = 2; scope.taken.has(name); i++) name = `${base}${i}`
  scope.taken.add(name)
  return name
}

/** Records a TODO and returns it. */
export const todo = (scope: Scope, node: acorn.Node, reason: string): Todo => {
  const entry = { line: lineOf(scope, node), construct: shortText(scope, node), reason }
  scope.todos.push(entry)
  return entry
}
