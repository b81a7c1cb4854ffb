/**
 * Static analysis of one legacy Auth0 Rule file: checks that the file holds exactly one function
 * `(user, context, callback)`, slices out its source, and lists every construct that rulefx translates to Actions or
 * cannot run, with the line and column where it appears in the file.
 *
 * This module runs on the Node side only (`rulefx migrate`), never inside an Action bundle, so it parses with acorn,
 * walks with acorn-walk and resolves names with eslint-scope. The `user`, `context` and `callback` parameters are
 * matched by the names the function gives them (helpers that take the same objects under the same names count too);
 * every other name is resolved through the scopes of the rule as it runs: inside the generated wrapper, which gives
 * it the Rules globals (`configuration`, `global`, `auth0`, `UnauthorizedError`, `require`, `console`), in sloppy
 * mode, with var hoisting, block-level functions (and their sloppy-mode hoisting), let/const/class scopes, catch
 * parameters, named function expressions, default parameters, destructuring and `arguments`.
 *
 * **State shared by overlapping logins**
 *
 * An Action runs many logins at once on one instance, so anything a rule keeps outside its own call can carry one
 * user's value into another's token. These are refused, and can never be accepted (see `neverAccepted`):
 *
 * - `global.implicit`: a write to a name no scope of the rule declares (`x = 1`, `x++`, `x += 1`, `for (x in o)`,
 *   `[x] = a`, `({ x } = o)`, `delete x`), and `globalThis.x = ...`.
 * - `global.this`: a `this` that can be the global object or the runtime's own object: at the rule's own level (the
 *   runtime calls the rule without a receiver), in a sloppy-mode function that is called plainly or handed to code
 *   that may call it so, and in arrow functions that inherit either (in an arrow-function rule, `this` is the object
 *   the runtime loads the rule from). A function counts as having a receiver, and its `this` is accepted, when it is
 *   strict (a class, `"use strict"`), or when the rule visibly uses it as a method or a constructor and never calls
 *   it plainly: an object literal's method or property (`{ f: function () {} }`, getters and setters), a function
 *   assigned to a property (`obj.f = function`, `F.prototype.m = function`), a function called with `new`, whose
 *   `prototype` is used, or called with `.call`/`.apply`/`.bind` and a receiver. Passing it elsewhere as well
 *   (`util.inherits(F, Base)`) is then taken to keep it a method or constructor. A function passed as a callback
 *   (`.then(function () { this })`, `forEach`, `setTimeout`) has no receiver the rule can see, and is refused.
 * - `global.object`: the global object (`globalThis`, `self`, `window`, `frames`) or the Action module's own
 *   `module`/`exports` taken as a value (`var g = globalThis`, `Object.assign(globalThis, ...)`, `globalThis[key]`).
 *   Reading a named property (`globalThis.URL`) is fine.
 * - `global.shared`: a write into an object every login shares: a built-in (`process.env.X = ...`,
 *   `Object.prototype.x = ...`, `x.__proto__.y = ...`, `x.constructor.prototype.y = ...`), a required module
 *   (`var _ = require("lodash"); _.x = ...`), `UnauthorizedError`; directly or as the target of `Object.assign`,
 *   `Object.defineProperty(ies)`, `Object.setPrototypeOf` or `Reflect.set`/`defineProperty`/`deleteProperty`/
 *   `setPrototypeOf`.
 * - `eval.indirect`, `eval.constructor`, `eval.module`: code built at run time that runs in the global scope or outside
 *   the analysis: `eval` other than called directly (`(0, eval)(...)`, `var e = eval`); the Function constructor,
 *   whose code runs in the global scope, by name or not (`Function(code)`, `new Function(code)`,
 *   `[].constructor.constructor(...)`, `x.constructor(code)`, `Function` passed as a value,
 *   `Object.getPrototypeOf(async function () {}).constructor`); the modules that run code or load modules around the
 *   rule's `require` (`vm`, `module`, `inspector`, `repl`, `worker_threads`, `import()`, `process.getBuiltinModule`,
 *   `process.mainModule`, `process.binding`, `process.dlopen`).
 * - `global.escaped`: a Rules global written with `\u` escapes (`requir\u0065`), which the generated wrapper, reading
 *   the source for plain names, would not give to the rule (it would reach the bundle's own `require`).
 *
 * A direct `eval(...)` stays `eval`, which a user may accept after reading the code it builds: it runs in the rule's
 * own scope, where a `var` stays local (an assignment to an undeclared name in that code is still a global). Reads of a
 * name no scope declares, that is neither a Rules global nor a standard ECMAScript or Node 22 global
 * (`standardGlobals`), are `global.undeclared`: Rules' sandbox had some modules as globals (`_`, `request`); an Action
 * has none, so the read would fail at run time.
 *
 * **What a rule written to escape can still do**
 *
 * The analysis follows names and syntax, not values, so a rule written on purpose can still reach shared state: a
 * method taken off its object and called plainly (`var f = obj.m; f()`) or handed to a caller that gives it no
 * receiver; a `.constructor`, `eval` or `process` member reached through a computed key (`x[k]`); a built-in, a
 * module or a prototype reached through a local alias before the write (`var p = Object.prototype; p.x = 1`,
 * `var env = process.env; env.X = 1`, `var m = require("x"); var c = m.cache; c.y = 1`) or through a call
 * (`require("x").get().y = 1`); a mutating library call (`_.merge(process.env, ...)`, `util.inherits`); a closure,
 * timer or listener kept alive past the login (`process.on(...)`); the file system (`/tmp`); `child_process`; and
 * accepted constructs (a direct `eval` of code that assigns a global, or of any code at all). Those need a run-time
 * barrier; this analysis catches the forms that old templates write by accident, and the well-known deliberate
 * ones.
 *
 * @since 0.1.0
 */
import * as ClaimName from "@rulefx/core/ClaimName"
import { moduleName } from "@rulefx/legacy-rules/LegacyRules"
import * as acorn from "acorn"
import * as walk from "acorn-walk"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import type * as eslintScope from "eslint-scope"
import { builtinModules, createRequire } from "node:module"

/**
 * One construct found in a rule: translated (the shim runs it, and `detail` says what it becomes in Actions) or
 * unsupported (the build fails unless the user accepted it, and `detail` says why and what to do instead).
 *
 * @category models
 * @since 0.1.0
 */
export interface Finding {
  /** Stable id of the construct, e.g. `"context.idToken"` or `"require.dynamic"`. */
  readonly construct: string
  /** 1-based line in the rule file. */
  readonly line: number
  /** 0-based column in the rule file. */
  readonly column: number
  readonly status: "translated" | "unsupported"
  readonly detail: string
}

/**
 * What `analyze` learns from a rule file.
 *
 * @category models
 * @since 0.1.0
 */
export interface Analysis {
  /**
   * The function's own source text, an exact slice of the file from `function`, `async` or the arrow's parameters
   * to the closing brace (no surrounding comments, parentheses or semicolon), suitable for `return (${source})`.
   */
  readonly source: string
  /**
   * The parameter names as written. A parameter with a default (`context = {}`) gives its name; a destructured or
   * rest parameter gives its source text (e.g. `"{ email }"`), which never matches an identifier.
   */
  readonly params: ReadonlyArray<string>
  readonly isAsync: boolean
  /** Sorted by line, then column; at most one finding per construct and line. */
  readonly findings: ReadonlyArray<Finding>
  /** Every `require("literal")` call, in source order. */
  readonly requires: ReadonlyArray<Analysis.Require>
  /** Sorted unique keys read as `configuration.X` or `configuration["X"]`. */
  readonly configurationKeys: ReadonlyArray<string>
}

/**
 * @since 0.1.0
 */
export declare namespace Analysis {
  /**
   * A literal `require` call: the specifier as written and the module name without its pinned version.
   *
   * @category models
   * @since 0.1.0
   */
  export interface Require {
    readonly specifier: string
    readonly name: string
    readonly line: number
  }
}

/**
 * Tells whether a module name is a Node built-in, written with or without the `node:` prefix.
 *
 * @category guards
 * @since 0.1.0
 */
export const isBuiltin = (name: string): boolean =>
  builtinModules.includes(name) || (name.startsWith("node:") && builtinModules.includes(name.slice(5)))

/**
 * The module name of a Rules `require` specifier: the specifier without a pinned `@version`.
 *
 * **Details**
 *
 * `"lodash@4.17.21"` gives `"lodash"`, `"@scope/pkg@1.2.3"` gives `"@scope/pkg"`, `"ipaddr.js@1.9.1"` gives
 * `"ipaddr.js"`, and a subpath after the version is kept (`"lodash@4.17.21/fp"` gives `"lodash/fp"`). Specifiers
 * without a version (`"lodash/fp"`, `"node:crypto"`) come back unchanged.
 *
 * @category getters
 * @since 0.1.0
 */
export const nameOf: (specifier: string) => string = moduleName

// ---------------------------------------------------------------------------------------------------------------
// Locating the function
// ---------------------------------------------------------------------------------------------------------------

type RuleFunction = acorn.FunctionDeclaration | acorn.FunctionExpression | acorn.ArrowFunctionExpression

interface Problem {
  readonly line: number
  readonly column: number
  readonly problem: string
}

interface SyntaxFailure extends Problem {
  readonly pos: number
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
  const e = error as { message?: unknown; pos?: unknown; loc?: { line?: unknown; column?: unknown } }
  const message = typeof e.message === "string" ? e.message.replace(/ \(\d+:\d+\)$/, "") : String(error)
  return {
    line: typeof e.loc?.line === "number" ? e.loc.line : 1,
    column: typeof e.loc?.column === "number" ? e.loc.column : 0,
    pos: typeof e.pos === "number" ? e.pos : 0,
    problem: `syntax error: ${message}`
  }
}

const parseScript = (text: string) => Result.try({ try: () => acorn.parse(text, parseOptions), catch: toSyntaxFailure })

const parseExpression = (text: string, pos: number) =>
  Result.try({ try: () => acorn.parseExpressionAt(text, pos, parseOptions), catch: toSyntaxFailure })

const startOf = (node: acorn.Node) => ({ line: node.loc?.start.line ?? 1, column: node.loc?.start.column ?? 0 })

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

const locate = (text: string): Result.Result<RuleFunction, Problem> => {
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
  const failure = expression.failure.pos > program.failure.pos ? expression.failure : program.failure
  return Result.fail({ line: failure.line, column: failure.column, problem: failure.problem })
}

// ---------------------------------------------------------------------------------------------------------------
// The construct catalog
// ---------------------------------------------------------------------------------------------------------------

const translated = {
  "context.idToken": "ID-token claim: api.idToken.setCustomClaim after all rules",
  "context.accessToken": "access-token claim: api.accessToken.setCustomClaim after all rules",
  "context.accessToken.scope":
    "access-token scopes: added/removed with api.accessToken.addScope/removeScope against the requested scopes",
  "context.multifactor": "MFA: api.multifactor.enable(provider, {allowRememberBrowser}) after all rules",
  "context.redirect":
    "redirect: api.redirect.sendUserTo(url) after all rules; on /continue all rules run again with context.protocol 'redirect-callback'",
  "context.protocol": "event.transaction.protocol ('redirect-callback' when resumed after a redirect)",
  "context.request.geoip": "event.request.geoip, keys renamed back to Rules' snake_case",
  "context.authentication": "event.authentication.methods, timestamps as epoch milliseconds",
  "context.stats": "event.stats.logins_count as loginsCount",
  "context.sso.current_clients": "event.session.clients[].client_id",
  "context.sessionID": "event.session.id",
  "callback(error)": "denies the login with the error's message (api.access.deny)",
  "UnauthorizedError": "denies with the message; Actions has no error=unauthorized, apps see access_denied",
  "throw": "a thrown error denies the login with its message",
  "configuration.dynamic": "all of the Action's secrets are visible; name each one as an Action secret",
  "global": "module-scope object kept across logins in the same Action instance (no guarantee, like Rules)",
  "auth0.users.updateAppMetadata":
    "api.user.setAppMetadata per top-level key (the only writes to the profile); later rules see the new values",
  "auth0.users.updateUserMetadata":
    "api.user.setUserMetadata per top-level key (the only writes to the profile); later rules see the new values"
} as const

const managementApi = "no Management API token in Actions; call the Management API with an M2M client instead"

const unsupported = {
  "context.primaryUser":
    "account linking: api.authentication.setPrimaryUser discards the Action's metadata writes, so it cannot run with the other rules; do the linking in a separate Action",
  "context.samlConfiguration":
    "SAML settings are not supported by rulefx yet; set them with api.samlResponse in a hand-written Action",
  "context.connectionOptions":
    "connection options are not in the Actions event; mirror the values into connection metadata (event.connection.metadata) or read them with the Management API",
  "context.sso.with_auth0": "no equivalent in Actions; rewrite the check (e.g. against event.session) or remove it",
  "context.sso.with_dbconn": "no equivalent in Actions; rewrite the check (e.g. against event.session) or remove it",
  "user.identities.access_token":
    "IdP tokens are not in Actions; fetch them with the Management API (GET /api/v2/users/{id}, scope read:user_idp_tokens)",
  "user.permissions": "Authorization Extension permissions are not in Actions; use RBAC (event.authorization.roles)",
  "auth0.accessToken": managementApi,
  "auth0.baseUrl": managementApi,
  "auth0.domain": managementApi,
  "require.dynamic": "modules must be named literally so they can be bundled; write require(\"name\")",
  "eval": "code built at run time cannot be checked or bundled; write the code out",
  "eval.indirect":
    "eval reached other than by a direct call runs its code in the global scope, where its variables are shared by every login in flight; write the code out",
  "eval.constructor":
    "the Function constructor builds code at run time that runs in the global scope, where what it assigns is shared by every login in flight; write the code out",
  "eval.module":
    "runs code built at run time or loads modules around the rule's require (vm, module, inspector, repl, worker_threads, import(), process.getBuiltinModule and the like); write the code out and require modules by name",
  "context.jwtConfiguration":
    "token settings (lifetime, scopes) are not in Actions; configure them on the application or API, or use api.accessToken.addScope",
  "global.undeclared":
    "the rule uses a name it never declares and that no Action provides (Rules' sandbox had some modules as globals, like _ or request); require it (var _ = require(\"lodash\"))",
  "global.implicit":
    "assigns a global (a variable no scope of the rule declares, or a property of globalThis): in an Action it is shared by every login in flight, so one user's value can reach another's token; declare it where it is used (var)",
  "global.this":
    "this there is the global object (or, in an arrow-function rule, the runtime's own object), shared by every login in flight, so one user's value can reach another's token; use a local variable, or call the function as a method (obj.f()) or with new",
  "global.object":
    "takes an object every login in flight shares (the global object, or the Action module's own module or exports) as a value: what is written through it can carry one user's value into another's token; name the globals you read directly (globalThis.URL) and keep values in local variables",
  "global.shared":
    "writes into an object every login in flight shares (a built-in such as process.env or Object.prototype, a required module, UnauthorizedError), so one user's value can reach another's token; keep the value in a local variable",
  "global.escaped":
    "a Rules global written with \\u escapes is not given to the rule (the wrapper looks for the plain name), so it reaches the Action's own module instead; write the name plainly"
} as const

/**
 * The constructs that can never be accepted (`--accept` ignores them): through each, overlapping logins could share
 * state, so one user's value could reach another's token.
 *
 * @category models
 * @since 0.1.0
 */
export const neverAccepted: ReadonlySet<string> = new Set([
  "global.implicit",
  "global.this",
  "global.object",
  "global.shared",
  "global.escaped",
  "eval.indirect",
  "eval.constructor",
  "eval.module"
])

/**
 * The standard globals a rule may read without declaring them: ECMAScript's and those Node 22 (the Actions runtime)
 * adds, as a fresh Node 22 process has them. Fixed here rather than read from the analysing process, whose global
 * object holds whatever its own tools added. `globalThis`, `eval` and `Function` are not in it: each has its own
 * construct. The Rules globals the wrapper gives (`configuration`, `global`, `auth0`, `UnauthorizedError`,
 * `require`, `console`) are not either.
 *
 * @category models
 * @since 0.1.0
 */
export const standardGlobals: ReadonlySet<string> = new Set([
  // ECMAScript (a fresh node:vm context's global object)
  ...("AggregateError Array ArrayBuffer Atomics BigInt BigInt64Array BigUint64Array Boolean DataView Date Error " +
    "EvalError FinalizationRegistry Float32Array Float64Array Infinity Int16Array Int32Array Int8Array Intl Iterator " +
    "JSON Map Math NaN Number Object Promise Proxy RangeError ReferenceError Reflect RegExp Set SharedArrayBuffer " +
    "String Symbol SyntaxError TypeError URIError Uint16Array Uint32Array Uint8Array Uint8ClampedArray WeakMap " +
    "WeakRef WeakSet WebAssembly decodeURI decodeURIComponent encodeURI encodeURIComponent escape isFinite isNaN " +
    "parseFloat parseInt undefined unescape").split(" "),
  // Node 22
  ...("AbortController AbortSignal Blob BroadcastChannel Buffer ByteLengthQueuingStrategy CompressionStream " +
    "CountQueuingStrategy Crypto CryptoKey CustomEvent DOMException DecompressionStream Event EventTarget File " +
    "FormData Headers MessageChannel MessageEvent MessagePort Navigator Performance PerformanceEntry PerformanceMark " +
    "PerformanceMeasure PerformanceObserver PerformanceObserverEntryList PerformanceResourceTiming " +
    "ReadableByteStreamController ReadableStream ReadableStreamBYOBReader ReadableStreamBYOBRequest " +
    "ReadableStreamDefaultController ReadableStreamDefaultReader Request Response SubtleCrypto TextDecoder " +
    "TextDecoderStream TextEncoder TextEncoderStream TransformStream TransformStreamDefaultController URL " +
    "URLSearchParams WebSocket WritableStream WritableStreamDefaultController WritableStreamDefaultWriter atob btoa " +
    "clearImmediate clearInterval clearTimeout crypto fetch navigator performance process queueMicrotask " +
    "setImmediate setInterval setTimeout structuredClone").split(" ")
])

// The names the generated wrapper gives a rule: parameters of the wrapper, fresh for every login except `global`
// (shared on purpose, like Rules' sandbox global) and `UnauthorizedError`. Assigning one changes that rule's own copy.
const wrapperNames: ReadonlySet<string> = new Set([
  "configuration",
  "global",
  "auth0",
  "UnauthorizedError",
  "require",
  "console"
])

// Globals an assignment cannot change (sloppy mode ignores it).
const readOnlyGlobals: ReadonlySet<string> = new Set(["undefined", "NaN", "Infinity"])

// Names of the global object, and the Action module's own objects (the generated entry is a CommonJS module).
const globalObjectNames: ReadonlySet<string> = new Set(["globalThis", "self", "window", "frames"])
const moduleObjectNames: ReadonlySet<string> = new Set(["module", "exports"])

// Built-in modules that run code built at run time, or load modules around the rule's require.
const evalModules: ReadonlySet<string> = new Set(["vm", "module", "inspector", "repl", "worker_threads"])

// `process` members that load modules or native code around the rule's require.
const processLoaders: ReadonlySet<string> = new Set([
  "getBuiltinModule",
  "mainModule",
  "binding",
  "_linkedBinding",
  "dlopen"
])

// Calls that write into their first argument.
const mutators: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ["Object", new Set(["assign", "defineProperty", "defineProperties", "setPrototypeOf"])],
  ["Reflect", new Set(["set", "defineProperty", "deleteProperty", "setPrototypeOf"])]
])

const metadataKeys: ReadonlySet<string> = new Set(["app_metadata", "user_metadata"])

const idpTokenKeys: ReadonlySet<string> = new Set(["access_token", "access_token_secret", "refresh_token"])

const requireDetail = (specifier: string, name: string): string => {
  const pinDropped = name !== specifier ? " (version pin dropped)" : ""
  if (isBuiltin(name)) return `"${specifier}": Node built-in, provided by the runtime${pinDropped}`
  if (name === "request") return `"${specifier}": rulefx's fetch-based request shim${pinDropped}`
  return `"${specifier}": bundled from node_modules${pinDropped}`
}

const secretDetail = (key: string): string =>
  `Action secret "${key}" (event.secrets${/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`})`

// ---------------------------------------------------------------------------------------------------------------
// Scopes
// ---------------------------------------------------------------------------------------------------------------

type ScopeNode = acorn.FunctionExpression | acorn.ArrowFunctionExpression

/** Where a name resolves as the rule runs: the rule's own scopes, the wrapper's parameters, or the global object. */
type Binding = "local" | "wrapper" | "global"

interface Scopes {
  /** The rule as it runs: a function expression (a declaration is returned as an expression by the wrapper). */
  readonly rule: ScopeNode
  readonly manager: eslintScope.ScopeManager
  readonly parents: WeakMap<acorn.Node, acorn.Node>
  readonly references: Map<acorn.Node, eslintScope.Reference>
  /** Per function scope, the names its block-level functions add to it (sloppy mode, Annex B.3.3). */
  readonly hoisted: Map<eslintScope.Scope, ReadonlySet<string>>
}

const isNode = (value: unknown): value is acorn.Node =>
  typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string"

const childrenOf = (node: acorn.Node): Array<acorn.Node> => {
  const children: Array<acorn.Node> = []
  for (const [key, value] of Object.entries(node)) {
    if (key === "loc" || key === "range") continue
    if (Array.isArray(value)) children.push(...value.filter(isNode))
    else if (isNode(value)) children.push(value)
  }
  return children
}

const parentsOf = (root: acorn.Node): WeakMap<acorn.Node, acorn.Node> => {
  const parents = new WeakMap<acorn.Node, acorn.Node>()
  const stack = [root]
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    for (const child of childrenOf(node)) {
      parents.set(child, node)
      stack.push(child)
    }
  }
  return parents
}

// The program the rule is as it runs: `return (<source>)` makes a declaration an expression, whose name is bound
// inside it only.
const programOf = (rule: ScopeNode): acorn.Program => {
  const at = { start: rule.start, end: rule.end, range: [rule.start, rule.end], loc: rule.loc }
  return {
    type: "Program",
    sourceType: "script",
    body: [{ type: "ExpressionStatement", expression: rule, ...at } as acorn.ExpressionStatement],
    ...at
  } as acorn.Program
}

const asExpression = (fn: RuleFunction): ScopeNode =>
  fn.type === "FunctionDeclaration" ? { ...fn, type: "FunctionExpression" } as acorn.FunctionExpression : fn

// A let, const or class of the name between a block-level function and its function scope stops the hoisting.
const hoistBlocked = (from: eslintScope.Scope | null, target: eslintScope.Scope, name: string): boolean => {
  for (let scope = from; scope !== null; scope = scope.upper) {
    const defs = scope.set.get(name)?.defs ?? []
    if (defs.some((d) => d.type === "ClassName" || (d.type === "Variable" && d.kind !== "var"))) return true
    if (scope === target) return false
  }
  return false
}

const hoistedOf = (manager: eslintScope.ScopeManager): Map<eslintScope.Scope, ReadonlySet<string>> => {
  const hoisted = new Map<eslintScope.Scope, Set<string>>()
  for (const scope of manager.scopes) {
    if (scope.type === "function" || scope.type === "global" || scope.isStrict) continue
    for (const variable of scope.variables) {
      const plain = variable.defs.some((d) =>
        d.type === "FunctionName" && d.node.type === "FunctionDeclaration" && !d.node.async && !d.node.generator
      )
      if (!plain || hoistBlocked(scope.upper, scope.variableScope, variable.name)) continue
      const names = hoisted.get(scope.variableScope) ?? new Set()
      hoisted.set(scope.variableScope, names.add(variable.name))
    }
  }
  return hoisted
}

// Loaded on the first analysis, not with the module: every rulefx command imports this module, few analyse a rule.
let scopeAnalyzer: typeof eslintScope | undefined
const loadScopeAnalyzer = (): typeof eslintScope =>
  scopeAnalyzer ??= createRequire(import.meta.url)("eslint-scope") as typeof eslintScope

const scopesOf = (fn: RuleFunction): Scopes => {
  const rule = asExpression(fn)
  const program = programOf(rule)
  const manager = loadScopeAnalyzer().analyze(program as never, {
    ecmaVersion: 2025,
    sourceType: "script",
    // A direct eval is refused or accepted on its own; letting it make every scope dynamic would leave every name
    // unresolved.
    ignoreEval: true
  })
  const references = new Map<acorn.Node, eslintScope.Reference>()
  for (const scope of manager.scopes) {
    for (const reference of scope.references) references.set(reference.identifier as never, reference)
  }
  return { rule, manager, parents: parentsOf(program), references, hoisted: hoistedOf(manager) }
}

// A function's parameters do not see the variables of its body (with defaults, the body gets its own environment).
const inParameters = (node: acorn.Node, scope: eslintScope.Scope): boolean => {
  const body = (scope.block as { readonly body?: acorn.Node }).body
  return body !== undefined && node.start >= (scope.block as unknown as acorn.Node).start && node.start < body.start
}

const bindingOf = (scopes: Scopes, reference: eslintScope.Reference): Binding => {
  if (reference.resolved !== null) return "local"
  const id = reference.identifier as acorn.Identifier
  for (let scope: eslintScope.Scope | null = reference.from; scope !== null; scope = scope.upper) {
    if (scopes.hoisted.get(scope)?.has(id.name) && !inParameters(id, scope)) return "local"
  }
  const name = id.name
  // `arguments` resolves in every non-arrow function: unresolved, it is the wrapper's (an arrow-function rule).
  return wrapperNames.has(name) || name === "arguments" ? "wrapper" : "global"
}

const inWith = (reference: eslintScope.Reference): boolean => {
  for (let scope: eslintScope.Scope | null = reference.from; scope !== null; scope = scope.upper) {
    if (scope.type === "with") return true
  }
  return false
}

// ---------------------------------------------------------------------------------------------------------------
// Walking the function
// ---------------------------------------------------------------------------------------------------------------

const staticString = (node: acorn.Node): string | undefined => {
  const n = node as acorn.AnyNode
  if (n.type === "Literal" && (typeof n.value === "string" || typeof n.value === "number")) return String(n.value)
  if (n.type === "TemplateLiteral" && n.expressions.length === 0) return n.quasis[0]?.value.cooked ?? undefined
  return undefined
}

// The key a member expression reads: its name when static, `undefined` when computed at run time.
const keyOf = (member: acorn.MemberExpression): string | undefined =>
  member.computed
    ? staticString(member.property)
    : member.property.type === "Identifier"
    ? member.property.name
    : undefined

const propertyKey = (property: acorn.AssignmentProperty): string | undefined =>
  property.computed || property.key.type !== "Identifier" ? staticString(property.key) : property.key.name

interface Chain {
  readonly root: acorn.Node
  readonly keys: ReadonlyArray<string | undefined>
}

// `a.b["c"].d` gives root `a` and keys [b, c, d].
const chainOf = (member: acorn.MemberExpression): Chain => {
  const keys: Array<string | undefined> = []
  let node: acorn.Node = member
  while (node.type === "MemberExpression") {
    const m = node as acorn.MemberExpression
    keys.unshift(keyOf(m))
    node = m.object
  }
  return { root: node, keys }
}

// Like chainOf, but also through calls and optional chains: `user.identities.find(f).x` gives root `user` and keys
// [identities, find, x].
const looseChainOf = (start: acorn.Node): { readonly root: string | undefined; readonly keys: Array<string> } => {
  const keys: Array<string> = []
  let node = start as acorn.AnyNode
  for (;;) {
    if (node.type === "MemberExpression") {
      const key = keyOf(node)
      if (key !== undefined) keys.unshift(key)
      node = node.object as acorn.AnyNode
    } else if (node.type === "CallExpression") {
      node = node.callee as acorn.AnyNode
    } else if (node.type === "ChainExpression") {
      node = node.expression as acorn.AnyNode
    } else {
      return { root: node.type === "Identifier" ? node.name : undefined, keys }
    }
  }
}

const reachesIdentities = (node: acorn.Node, identityNames: ReadonlySet<string>): boolean => {
  const chain = looseChainOf(node)
  return chain.keys.includes("identities") ||
    (chain.root !== undefined && (chain.root === "identities" || identityNames.has(chain.root)))
}

const isFunctionValue = (node: acorn.Node): node is acorn.FunctionExpression | acorn.ArrowFunctionExpression =>
  node.type === "FunctionExpression" || node.type === "ArrowFunctionExpression"

// Names that hold an identity: `const id = user.identities[0]`, `for (const id of user.identities)`,
// `user.identities.find((id) => ...)`. Matched by name, like everything else here.
// `_.find(user.identities, fn)`, `lodash.filter(identities, ...)[0]`: a call handed the identities picks one of them.
const picksIdentity = (node: acorn.Node, identityNames: ReadonlySet<string>): boolean => {
  let n = node as acorn.AnyNode
  while (n.type === "MemberExpression") n = n.object as acorn.AnyNode
  return n.type === "CallExpression" && n.arguments.some((argument) => reachesIdentities(argument, identityNames))
}

const collectIdentityNames = (fn: RuleFunction): ReadonlySet<string> => {
  const names = new Set<string>()
  walk.fullAncestor(fn, (raw) => {
    const node = raw as acorn.AnyNode
    if (node.type === "VariableDeclarator" && node.id.type === "Identifier" && node.init) {
      if (reachesIdentities(node.init, names) || picksIdentity(node.init, names)) names.add(node.id.name)
    } else if (node.type === "AssignmentExpression" && node.left.type === "Identifier") {
      if (reachesIdentities(node.right, names) || picksIdentity(node.right, names)) names.add(node.left.name)
    } else if (node.type === "ForOfStatement" && node.left.type === "VariableDeclaration") {
      const id = node.left.declarations[0]?.id
      if (id?.type === "Identifier" && reachesIdentities(node.right, names)) names.add(id.name)
    } else if (node.type === "CallExpression" && node.callee.type === "MemberExpression") {
      if (reachesIdentities(node.callee.object, names)) {
        for (const argument of node.arguments) {
          const param = isFunctionValue(argument) ? argument.params[0] : undefined
          if (param?.type === "Identifier") names.add(param.name)
        }
      }
    }
  })
  return names
}

type Write = "assign" | "delete" | undefined

const writeOf = (node: acorn.Node, parent: acorn.Node | undefined): Write => {
  const p = parent as acorn.AnyNode | undefined
  if (p === undefined) return undefined
  if (p.type === "AssignmentExpression" && p.left === node) return "assign"
  if (p.type === "UpdateExpression") return "assign"
  if ((p.type === "ForInStatement" || p.type === "ForOfStatement") && p.left === node) return "assign"
  if (p.type === "UnaryExpression" && p.operator === "delete") return "delete"
  return undefined
}

// ---------------------------------------------------------------------------------------------------------------
// State shared by overlapping logins
// ---------------------------------------------------------------------------------------------------------------

const parentOf = (scopes: Scopes, node: acorn.Node): acorn.AnyNode | undefined =>
  scopes.parents.get(node) as acorn.AnyNode | undefined

const bindingAt = (scopes: Scopes, node: acorn.Node): Binding => {
  const reference = scopes.references.get(node)
  return reference === undefined ? "local" : bindingOf(scopes, reference)
}

const isGlobalName = (scopes: Scopes, node: acorn.Node, name: string): boolean =>
  node.type === "Identifier" && (node as acorn.Identifier).name === name && bindingAt(scopes, node) === "global"

// `null`, `undefined`, `void x`: a call with one of these as its receiver gives a sloppy function the global object.
const isNullish = (scopes: Scopes, node: acorn.Node): boolean => {
  const n = node as acorn.AnyNode
  return (n.type === "Literal" && n.value === null) || isGlobalName(scopes, n, "undefined") ||
    (n.type === "UnaryExpression" && n.operator === "void")
}

// Whether a node is written: the target of an assignment, an update, a delete or a for-in/of, or part of one's
// destructuring pattern.
const isTarget = (scopes: Scopes, node: acorn.Node): boolean => {
  let child = node
  for (let parent = parentOf(scopes, child); parent !== undefined; child = parent, parent = parentOf(scopes, parent)) {
    switch (parent.type) {
      case "AssignmentExpression":
      case "ForInStatement":
      case "ForOfStatement":
        return parent.left === child
      case "UpdateExpression":
        return true
      case "UnaryExpression":
        return parent.operator === "delete"
      case "ArrayPattern":
      case "ObjectPattern":
      case "RestElement":
        continue
      case "AssignmentPattern":
        if (parent.left === child) continue
        return false
      case "Property":
        if (parent.value === child && parentOf(scopes, parent)?.type === "ObjectPattern") continue
        return false
      default:
        return false
    }
  }
  return false
}

// The members a write target pattern writes: `a.b = 1`, `[a.b, c.d] = x`, `({ k: a.b } = x)`.
const memberTargets = (pattern: acorn.Node | null | undefined, into: Array<acorn.MemberExpression> = []) => {
  const p = pattern as acorn.AnyNode | null | undefined
  switch (p?.type) {
    case "MemberExpression":
      into.push(p)
      break
    case "ObjectPattern":
      for (const property of p.properties) memberTargets(property.type === "Property" ? property.value : property, into)
      break
    case "ArrayPattern":
      for (const element of p.elements) memberTargets(element, into)
      break
    case "RestElement":
      memberTargets(p.argument, into)
      break
    case "AssignmentPattern":
      memberTargets(p.left, into)
      break
  }
  return into
}

const isRequireCall = (scopes: Scopes, node: acorn.Node): boolean => {
  const n = node as acorn.AnyNode
  return n.type === "CallExpression" && n.callee.type === "Identifier" && n.callee.name === "require" &&
    bindingAt(scopes, n.callee) === "wrapper"
}

// `Object.getPrototypeOf(x)`, `Reflect.getPrototypeOf(x)`.
const isPrototypeCall = (scopes: Scopes, node: acorn.Node): boolean => {
  const n = node as acorn.AnyNode
  if (n.type !== "CallExpression" || n.callee.type !== "MemberExpression") return false
  const callee = n.callee
  return keyOf(callee) === "getPrototypeOf" &&
    (isGlobalName(scopes, callee.object, "Object") || isGlobalName(scopes, callee.object, "Reflect"))
}

// A variable that only ever holds a required module or a part of one (`var _ = require("lodash")`,
// `const { X } = require("x")`, `var c = require("x").config`).
const holdsModule = (scopes: Scopes, variable: eslintScope.Variable): boolean =>
  variable.defs.length > 0 &&
  variable.defs.every((def) => {
    const init = def.type === "Variable" ? (def.node.init as acorn.Node | null | undefined) : undefined
    if (init === undefined || init === null) return false
    const root = init.type === "MemberExpression" ? chainOf(init as acorn.MemberExpression).root : init
    return isRequireCall(scopes, root)
  }) &&
  variable.references.every((reference) => !reference.isWrite() || reference.init === true)

// Whether the object `depth` properties below `root` is shared by every login in flight. The global object's own
// properties (depth 1) and the module objects are reported where their name is read.
const sharedValue = (scopes: Scopes, root: acorn.Node, depth: number): boolean => {
  if (isRequireCall(scopes, root) || isPrototypeCall(scopes, root)) return true
  if (root.type !== "Identifier") return false
  const id = root as acorn.Identifier
  const reference = scopes.references.get(id)
  if (reference === undefined) return false
  switch (bindingOf(scopes, reference)) {
    case "global":
      // A name that is no standard global is refused where it is read (global.undeclared).
      return globalObjectNames.has(id.name)
        ? depth > 1
        : standardGlobals.has(id.name) || id.name === "Function" || id.name === "eval"
    case "wrapper":
      return id.name === "UnauthorizedError"
    case "local":
      return reference.resolved !== null && holdsModule(scopes, reference.resolved)
  }
}

// Whether writing `node` (extra 0) or into it (extra 1, as Object.assign does) writes into a shared object.
const sharedTarget = (scopes: Scopes, node: acorn.Node, extra: 0 | 1): boolean => {
  const { keys, root } = node.type === "MemberExpression"
    ? chainOf(node as acorn.MemberExpression)
    : { keys: [], root: node }
  // The objects written into: a prototype every object of its kind shares.
  const reached = keys.slice(0, keys.length - 1 + extra)
  if (reached.includes("__proto__")) return true
  if (reached.some((key, i) => key === "constructor" && reached[i + 1] === "prototype")) return true
  return sharedValue(scopes, root, keys.length + extra)
}

const rootText = (node: acorn.Node): string => {
  const n = node as acorn.AnyNode
  if (n.type === "Identifier") return n.name
  if (n.type === "ThisExpression") return "this"
  if (n.type === "ArrayExpression") return "[]"
  if (n.type === "ObjectExpression") return "{}"
  if (n.type === "Literal") return n.raw ?? "(…)"
  if (n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression") return "(function)"
  if (n.type === "CallExpression" && n.callee.type === "MemberExpression") return `${render(n.callee)}(…)`
  if (n.type === "CallExpression" && n.callee.type === "Identifier") return `${n.callee.name}(…)`
  return "(…)"
}

// `process.env.X`, `x.__proto__.y`, `require(…).config[…]`.
const render = (node: acorn.Node): string => {
  if (node.type !== "MemberExpression") return rootText(node)
  const { keys, root } = chainOf(node as acorn.MemberExpression)
  return rootText(root) + keys.map((key) => (key === undefined ? "[…]" : `.${key}`)).join("")
}

/**
 * What a `this` is: fine (an object of the rule's own, or `undefined`), the global object at the rule's own level
 * or in a function called without a receiver, or the runtime's own object (in an arrow-function rule).
 */
type ThisKind = "fine" | "rule" | "plain" | "runtime"

const thisDetail: Record<Exclude<ThisKind, "fine">, string> = {
  rule: "this at the rule's own level",
  plain: "this in a function called without a receiver",
  runtime: "this in an arrow-function rule"
}

interface Uses {
  receiver: number
  plain: number
  other: number
}

const receiverMethods: ReadonlySet<string> = new Set(["call", "apply", "bind"])

// How a function value (or a name holding it) is used at `node`: with a receiver (a method, a constructor,
// `.call(obj)`), plainly (`f()`, `.call(null)`), or handed on to code that may do either.
const countUse = (scopes: Scopes, node: acorn.Node, uses: Uses, follow: boolean): void => {
  const parent = parentOf(scopes, node)
  switch (parent?.type) {
    case "Property":
      if (parent.value === node && parentOf(scopes, parent)?.type === "ObjectExpression") {
        uses.receiver++
        return
      }
      break
    case "MethodDefinition":
      uses.receiver++
      return
    case "NewExpression":
      if (parent.callee === node) {
        uses.receiver++
        return
      }
      break
    case "CallExpression":
      if (parent.callee === node) {
        uses.plain++
        return
      }
      break
    case "MemberExpression": {
      if (parent.object !== node) break
      const key = keyOf(parent)
      if (key === "prototype") {
        uses.receiver++
        return
      }
      const call = parentOf(scopes, parent)
      if (key !== undefined && receiverMethods.has(key) && call?.type === "CallExpression" && call.callee === parent) {
        const [receiver] = call.arguments
        if (receiver === undefined || isNullish(scopes, receiver)) uses.plain++
        else uses.receiver++
        return
      }
      // `f.name`, `f.length`; a computed key could be `call`.
      if (key === undefined) uses.other++
      return
    }
    case "AssignmentExpression":
      if (parent.right !== node) break
      if (parent.left.type === "MemberExpression") {
        uses.receiver++
        return
      }
      if (follow && parent.operator === "=" && parent.left.type === "Identifier") {
        const variable = scopes.references.get(parent.left)?.resolved
        if (variable !== null && variable !== undefined) return countVariable(scopes, variable, uses)
      }
      break
    case "VariableDeclarator":
      if (parent.init === node && follow && parent.id.type === "Identifier") {
        for (const variable of scopes.manager.getDeclaredVariables(parent as never)) {
          countVariable(scopes, variable, uses)
        }
        return
      }
      break
    case "UnaryExpression":
      if (parent.operator === "typeof") return
      break
    // A comparison or a bare expression calls nothing.
    case "BinaryExpression":
    case "ExpressionStatement":
      return
  }
  uses.other++
}

const countVariable = (scopes: Scopes, variable: eslintScope.Variable, uses: Uses): void => {
  for (const reference of variable.references) {
    if (!reference.isWrite()) countUse(scopes, reference.identifier as never, uses, false)
  }
}

const usesOf = (scopes: Scopes, fn: acorn.Function): Uses => {
  const uses = { receiver: 0, plain: 0, other: 0 }
  for (const variable of scopes.manager.getDeclaredVariables(fn as never)) {
    if (variable.defs.some((def) => def.type === "FunctionName" && (def.node as unknown) === fn)) {
      countVariable(scopes, variable, uses)
    }
  }
  if (fn.type !== "FunctionDeclaration") countUse(scopes, fn, uses, true)
  return uses
}

const functionThis = (scopes: Scopes, fn: acorn.Function): ThisKind => {
  const strict = scopes.manager.acquire(fn as never, true)?.isStrict === true
  // The runtime calls the rule itself without a receiver.
  if (fn === scopes.rule) return strict ? "fine" : "rule"
  if (strict) return "fine"
  const uses = usesOf(scopes, fn)
  return uses.plain === 0 && uses.receiver > 0 ? "fine" : "plain"
}

const thisKind = (scopes: Scopes, node: acorn.ThisExpression): ThisKind => {
  let child: acorn.Node = node
  for (let parent = parentOf(scopes, child); parent !== undefined; child = parent, parent = parentOf(scopes, parent)) {
    switch (parent.type) {
      case "FunctionExpression":
      case "FunctionDeclaration":
        return functionThis(scopes, parent)
      // A class field's initializer and a static block see the instance or the class.
      case "PropertyDefinition":
        if (parent.value === child) return "fine"
        break
      case "StaticBlock":
        return "fine"
    }
  }
  // Above an arrow-function rule: the wrapper, which the runtime calls on its own object.
  return "runtime"
}

const paramName = (text: string, param: acorn.Pattern): string =>
  param.type === "Identifier"
    ? param.name
    : param.type === "AssignmentPattern" && param.left.type === "Identifier"
    ? param.left.name
    : text.slice(param.start, param.end)

const inspect = (text: string, located: RuleFunction): Analysis => {
  const scopes = scopesOf(located)
  const fn = scopes.rule
  const params = fn.params.map((param) => paramName(text, param))
  const [userName, contextName, callbackName] = params
  const identityNames = collectIdentityNames(fn)
  const all: Array<Finding> = []
  const requires: Array<Analysis.Require & { readonly column: number }> = []
  const configurationKeys = new Set<string>()

  const add = (node: acorn.Node, construct: string, status: Finding["status"], detail: string) =>
    all.push({ construct, ...startOf(node), status, detail })
  const ok = (node: acorn.Node, construct: keyof typeof translated) =>
    add(node, construct, "translated", translated[construct])
  const ko = (node: acorn.Node, construct: keyof typeof unsupported) =>
    add(node, construct, "unsupported", unsupported[construct])
  // What was found, then why it is refused: `profile: assigns a global ...`.
  const koNamed = (node: acorn.Node, construct: keyof typeof unsupported, what: string) =>
    add(node, construct, "unsupported", `${what}: ${unsupported[construct]}`)

  const onContext = (node: acorn.Node, keys: ReadonlyArray<string | undefined>, write: Write) => {
    const [first, second] = keys
    switch (first) {
      case "idToken":
        return ok(node, "context.idToken")
      case "accessToken":
        return ok(node, second === "scope" ? "context.accessToken.scope" : "context.accessToken")
      case "multifactor":
        return write !== undefined ? ok(node, "context.multifactor") : undefined
      case "redirect":
        return write !== undefined ? ok(node, "context.redirect") : undefined
      case "primaryUser":
        return write !== undefined ? ko(node, "context.primaryUser") : undefined
      case "protocol":
        return ok(node, "context.protocol")
      case "request":
        return second === "geoip" ? ok(node, "context.request.geoip") : undefined
      case "authentication":
        return ok(node, "context.authentication")
      case "stats":
        return ok(node, "context.stats")
      case "sessionID":
        return ok(node, "context.sessionID")
      case "sso":
        return second === "current_clients"
          ? ok(node, "context.sso.current_clients")
          : second === "with_auth0"
          ? ko(node, "context.sso.with_auth0")
          : second === "with_dbconn"
          ? ko(node, "context.sso.with_dbconn")
          : undefined
      case "samlConfiguration":
        return ko(node, "context.samlConfiguration")
      case "connectionOptions":
        return ko(node, "context.connectionOptions")
      case "jwtConfiguration":
        return ko(node, "context.jwtConfiguration")
      default:
        return undefined
    }
  }

  const onUser = (node: acorn.Node, keys: ReadonlyArray<string | undefined>, write: Write) => {
    const [first] = keys
    if (write === "delete" && keys.length === 1 && (first === undefined || !metadataKeys.has(first))) {
      return add(
        node,
        "user.delete",
        "unsupported",
        `delete user${
          first === undefined ? "[…]" : `.${first}`
        }: standard claims cannot be removed in Actions; remove the delete and do not rely on the attribute being hidden`
      )
    }
    if (first === undefined) return
    if (first === "permissions") return ko(node, "user.permissions")
    if (write !== undefined && ClaimName.profile.has(first)) {
      return add(
        node,
        "user.root",
        "translated",
        `ID-token claim ${first} (Actions cannot change the profile Auth0 returns)`
      )
    }
  }

  const onAuth0 = (node: acorn.Node, keys: ReadonlyArray<string | undefined>) => {
    const [first, second] = keys
    if (first === "accessToken") return ko(node, "auth0.accessToken")
    if (first === "baseUrl") return ko(node, "auth0.baseUrl")
    if (first === "domain") return ko(node, "auth0.domain")
    if (first !== "users" || keys.length < 2) return
    if (second === "updateAppMetadata") return ok(node, "auth0.users.updateAppMetadata")
    if (second === "updateUserMetadata") return ok(node, "auth0.users.updateUserMetadata")
    return add(
      node,
      "auth0.users.other",
      "unsupported",
      `auth0.users.${second ?? "[…]"}: only updateAppMetadata and updateUserMetadata are shimmed; ` +
        "call the Management API with an M2M client instead"
    )
  }

  const onMember = (member: acorn.MemberExpression, parent: acorn.Node | undefined) => {
    const key = keyOf(member)
    if (key !== undefined && idpTokenKeys.has(key)) {
      if (key === "access_token_secret" || reachesIdentities(member.object, identityNames)) {
        ko(member.property, "user.identities.access_token")
      }
    }
    // The rest looks at whole chains only: `context.accessToken.scope` is not also `context.accessToken`.
    const p = parent as acorn.AnyNode | undefined
    if (p?.type === "MemberExpression" && p.object === member) return
    const chain = chainOf(member)
    if (chain.root.type !== "Identifier") return
    const root = (chain.root as acorn.Identifier).name
    const write = writeOf(member, parent)
    if (root === contextName) onContext(member, chain.keys, write)
    if (root === userName) onUser(member, chain.keys, write)
    if (root === "auth0" && bindingAt(scopes, chain.root) === "wrapper") onAuth0(member, chain.keys)
  }

  // The Rules globals the wrapper gives, as the rule reads them.
  const onWrapper = (id: acorn.Identifier) => {
    const p = parentOf(scopes, id)
    switch (id.name) {
      case "UnauthorizedError":
        return ok(id, "UnauthorizedError")
      case "global":
        return ok(id, "global")
      case "configuration": {
        const key = p?.type === "MemberExpression" && p.object === id ? keyOf(p) : undefined
        if (key === undefined) return ok(id, "configuration.dynamic")
        configurationKeys.add(key)
        return add(id, "configuration", "translated", secretDetail(key))
      }
    }
  }

  // `.catch(callback)` and `.then(ok, callback)` hand the callback an error.
  const onCallbackArgument = (id: acorn.Identifier, parent: acorn.Node | undefined) => {
    const p = parent as acorn.AnyNode | undefined
    if (id.name === callbackName && p?.type === "CallExpression" && p.callee.type === "MemberExpression") {
      const method = keyOf(p.callee)
      const index = p.arguments.indexOf(id)
      if ((method === "catch" && index === 0) || (method === "then" && index === 1)) {
        return ok(id, "callback(error)")
      }
    }
  }

  // `globalThis`, `self`, `window`, `frames`: reading a named property is fine.
  const onGlobalObject = (id: acorn.Identifier) => {
    const p = parentOf(scopes, id)
    if (p?.type === "BinaryExpression" && ["===", "!==", "==", "!="].includes(p.operator)) return
    if (p?.type !== "MemberExpression" || p.object !== id) return koNamed(id, "global.object", id.name)
    const key = keyOf(p)
    const name = render(p)
    if (key === undefined || globalObjectNames.has(key) || moduleObjectNames.has(key) || key === "global") {
      return koNamed(id, "global.object", name)
    }
    if (key === "eval") return koNamed(p, "eval.indirect", name)
    if (key === "Function") return koNamed(p, "eval.constructor", name)
    if (isTarget(scopes, p)) return koNamed(p, "global.implicit", name)
  }

  // The Function constructor, called or taken: its code runs in the global scope. Comparing with it, reading its
  // prototype, name or length is fine.
  const onFunctionName = (id: acorn.Identifier) => {
    const p = parentOf(scopes, id)
    if (p?.type === "BinaryExpression") return
    if ((p?.type === "CallExpression" || p?.type === "NewExpression") && p.callee === id) {
      return koNamed(p, "eval.constructor", p.type === "NewExpression" ? "new Function(…)" : "Function(…)")
    }
    if (p?.type === "MemberExpression" && p.object === id) {
      const key = keyOf(p)
      if (key === "prototype" || key === "name" || key === "length") return
      return koNamed(p, "eval.constructor", render(p))
    }
    koNamed(id, "eval.constructor", "Function")
  }

  // A name no scope of the rule declares, read.
  const onGlobalRead = (id: acorn.Identifier, reference: eslintScope.Reference) => {
    const p = parentOf(scopes, id)
    if (p?.type === "UnaryExpression" && p.operator === "typeof") return
    // Sloppy mode deletes a global by its bare name.
    if (p?.type === "UnaryExpression" && p.operator === "delete") return koNamed(id, "global.implicit", id.name)
    if (globalObjectNames.has(id.name)) return onGlobalObject(id)
    if (moduleObjectNames.has(id.name)) return koNamed(id, "global.object", id.name)
    if (id.name === "Function") return onFunctionName(id)
    if (id.name === "eval") {
      const direct = p?.type === "CallExpression" && p.callee === id
      return direct ? ko(p, "eval") : koNamed(id, "eval.indirect", "eval")
    }
    if (id.name === "process" && p?.type === "MemberExpression" && p.object === id) {
      const key = keyOf(p)
      return key !== undefined && processLoaders.has(key) ? koNamed(p, "eval.module", render(p)) : undefined
    }
    if (standardGlobals.has(id.name) || inWith(reference)) return
    koNamed(id, "global.undeclared", id.name)
  }

  const onReference = (reference: eslintScope.Reference) => {
    const id = reference.identifier as acorn.Identifier
    const binding = bindingOf(scopes, reference)
    if (binding === "local") return
    if (binding === "wrapper") {
      if (text.slice(id.start, id.end) !== id.name && wrapperNames.has(id.name)) {
        return koNamed(id, "global.escaped", text.slice(id.start, id.end))
      }
      return reference.isRead() ? onWrapper(id) : undefined
    }
    if (!reference.isWrite()) return onGlobalRead(id, reference)
    if (!readOnlyGlobals.has(id.name)) koNamed(id, "global.implicit", id.name)
  }

  // `x.constructor.constructor`, `x.constructor(code)`, `(function () {}).constructor`,
  // `Object.getPrototypeOf(async function () {}).constructor`: the Function constructors.
  const onConstructor = (member: acorn.MemberExpression) => {
    const p = parentOf(scopes, member)
    if (p?.type === "MemberExpression" && p.object === member && keyOf(p) === "constructor") return
    const object = member.object as acorn.AnyNode
    const called = (p?.type === "CallExpression" || p?.type === "NewExpression") && p.callee === member &&
      p.arguments.length > 0
    const ofFunction = object.type === "FunctionExpression" || object.type === "ArrowFunctionExpression" ||
      object.type === "ClassExpression" || isPrototypeCall(scopes, object) ||
      (object.type === "MemberExpression" && ["constructor", "__proto__"].includes(keyOf(object) ?? ""))
    if (called || ofFunction) koNamed(member, "eval.constructor", render(member))
  }

  // `Object.assign(process.env, ...)`, `Object.defineProperty(Object.prototype, ...)`.
  const onMutator = (call: acorn.CallExpression | acorn.NewExpression) => {
    if (call.callee.type !== "MemberExpression" || call.callee.object.type !== "Identifier") return
    const methods = mutators.get(call.callee.object.name)
    const key = keyOf(call.callee)
    const [target] = call.arguments
    if (methods === undefined || key === undefined || !methods.has(key) || target === undefined) return
    if (bindingAt(scopes, call.callee.object) !== "global") return
    if (sharedTarget(scopes, target, 1)) koNamed(call, "global.shared", `${render(call.callee)}(${render(target)}, …)`)
  }

  const onCall = (call: acorn.CallExpression | acorn.NewExpression) => {
    if (call.callee.type !== "Identifier") return onMutator(call)
    const name = call.callee.name
    const [first] = call.arguments
    // `new require("x")` loads the module too (and a constructor call on its export).
    if (call.type === "NewExpression" && name !== "require") return
    if (name === "require" && bindingAt(scopes, call.callee) === "wrapper") {
      const specifier = first === undefined ? undefined : staticString(first)
      if (specifier === undefined) return ko(call, "require.dynamic")
      const moduleName = nameOf(specifier)
      requires.push({ specifier, name: moduleName, ...startOf(call) })
      if (evalModules.has(moduleName.replace(/^node:/, ""))) {
        return koNamed(call, "eval.module", `require(${JSON.stringify(specifier)})`)
      }
      return add(call, "require", "translated", requireDetail(specifier, moduleName))
    }
    if (name === callbackName && first !== undefined) {
      const isNothing = (first.type === "Literal" && first.value === null) ||
        (first.type === "Identifier" && first.name === "undefined")
      if (!isNothing) ok(call, "callback(error)")
    }
  }

  // Writes into an object every login shares; writes to a bare name are references, checked in onReference.
  const onWrite = (target: acorn.Node | null | undefined) => {
    for (const member of memberTargets(target)) {
      if (sharedTarget(scopes, member, 0)) koNamed(member, "global.shared", render(member))
    }
  }

  walk.fullAncestor(fn, (raw, _state, ancestors, type) => {
    const node = raw as acorn.AnyNode
    const parent = ancestors[ancestors.length - 2]
    switch (node.type) {
      case "MemberExpression":
        if (keyOf(node) === "constructor") onConstructor(node)
        return onMember(node, parent)
      case "Identifier":
        // Bindings (`var x`, parameters) come through as "VariablePattern"; only references count.
        return type === "Identifier" ? onCallbackArgument(node, parent) : undefined
      case "CallExpression":
      case "NewExpression":
        return onCall(node)
      case "ThrowStatement":
        return ok(node, "throw")
      case "ThisExpression": {
        const kind = thisKind(scopes, node)
        return kind === "fine" ? undefined : koNamed(node, "global.this", thisDetail[kind])
      }
      case "ImportExpression":
        return koNamed(node, "eval.module", "import(…)")
      case "AssignmentExpression":
      case "ForInStatement":
      case "ForOfStatement":
        return onWrite(node.left)
      case "UpdateExpression":
        return onWrite(node.argument)
      case "UnaryExpression":
        return node.operator === "delete" ? onWrite(node.argument) : undefined
      case "VariableDeclarator":
        // `const { access_token } = user.identities[0]`
        if (node.id.type === "ObjectPattern" && node.init && reachesIdentities(node.init, identityNames)) {
          for (const property of node.id.properties) {
            const key = property.type === "Property" ? propertyKey(property) : undefined
            if (key !== undefined && idpTokenKeys.has(key)) ko(property, "user.identities.access_token")
          }
        }
        return undefined
      default:
        return undefined
    }
  })
  for (const reference of scopes.references.values()) onReference(reference)

  const order = (a: Finding, b: Finding) =>
    a.line - b.line || a.column - b.column || (a.construct < b.construct ? -1 : a.construct > b.construct ? 1 : 0)
  const seen = new Set<string>()
  const findings = all.toSorted(order).filter((finding) => {
    const id = `${finding.construct}\u0000${finding.line}\u0000${finding.detail}`
    if (seen.has(id)) return false
    seen.add(id)
    return true
  })

  return {
    source: text.slice(fn.start, fn.end),
    params,
    isAsync: fn.async,
    findings,
    requires: requires
      .toSorted((a, b) => a.line - b.line || a.column - b.column)
      .map(({ line, name, specifier }) => ({ specifier, name, line })),
    configurationKeys: [...configurationKeys].toSorted()
  }
}

/**
 * Parses a rule file and lists what it uses.
 *
 * **Details**
 *
 * The file must hold exactly one function: a function declaration (named or anonymous), or a function or arrow
 * expression statement, with an optional trailing semicolon and any comments around it. Anything else (a syntax
 * error, a second statement, no function, a generator) fails with `InvalidRuleSource` at the offending line.
 *
 * **Example** (Analyzing a rule)
 *
 * ```ts
 * const analysis = yield* Analyze.analyze("rules/add-claim.js", text)
 * for (const finding of analysis.findings) console.log(finding.line, finding.construct, finding.detail)
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const analyze: (file: string, text: string) => Effect.Effect<Analysis, InvalidRuleSource> = Effect.fn(
  "Analyze.analyze"
)(function*(file: string, text: string) {
  const located = locate(text)
  if (Result.isFailure(located)) {
    return yield* new InvalidRuleSource({ file, ...located.failure })
  }
  return inspect(text, located.success)
})

/**
 * The rule file is not one function: a syntax error, no function, or more than one statement.
 *
 * **Details**
 *
 * `line` is 1-based and `column` 0-based, like acorn's and `Finding`'s; the message prints `file:line:column` with
 * a 1-based column, as compilers do, so that editors can jump to it.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidRuleSource extends Data.TaggedError("InvalidRuleSource")<{
  readonly file: string
  readonly line: number
  readonly column: number
  readonly problem: string
}> {
  override get message() {
    return `${this.file}:${this.line}:${this.column + 1}: ${this.problem}`
  }
}
