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
 * **Claims Auth0 keeps for itself**
 *
 * A claim set under a name written literally (`context.idToken.roles = ...`, `context.accessToken["sub"] = ...`,
 * `context.idToken = { roles: ... }`) that core's ClaimName refuses, a restricted name or one on Auth0's own
 * namespace, is `claim.restricted`, naming the claim and suggesting a namespaced name. It can never be accepted: Auth0
 * ignores such a claim, and the adapter denies every login whose Decision holds one rather than issue a token without
 * it (Rules dropped it silently). A name computed at run time is checked when the login runs.
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
import { moduleName } from "@rulefx/legacy-rules/LegacyRules"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as catalog from "./internal/analyze/catalog.ts"
import * as globals from "./internal/analyze/globals.ts"
import { inspect } from "./internal/analyze/inspect.ts"
import { locate } from "./internal/analyze/locate.ts"

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
  /**
   * Each claim the rule sets to a `configuration` setting's whole value (directly, through a local variable, in an
   * object or array literal, or in an object set as the whole token), by line: the migrated Action denies such a
   * login (a secret is never issued in a token). A setting inside a longer string, or what a call makes of it (an
   * HMAC keyed with it), is not one: the runtime lets it through.
   */
  readonly configurationClaims: ReadonlyArray<Analysis.ConfigurationClaim>
  /**
   * Each `context.redirect = { url }` whose URL may hold a `configuration` setting as a whole part (a query value, a
   * path segment), by line: the migrated Action denies such a login (SecretInRedirect). A setting that starts the URL,
   * sits in its host or is glued to other text of its part is not one: the runtime lets it through.
   */
  readonly configurationRedirects: ReadonlyArray<Analysis.ConfigurationRedirect>
  /**
   * Each claim or redirect whose value (or computed claim name) reads a `configuration` setting in any way (through
   * locals, aliases, the rule's functions, calls, strings built with it), by line; a redirect's URL that holds a
   * setting's whole value where the runtime lets it through (its start, its host, glued to other text of its part) is
   * not one. `rulefx convert` leaves each to the user: whether the runtime denies the login depends on the value,
   * which a translation cannot see. Each `console` call whose arguments read one too: the legacy runtime scrubbed
   * secrets from the logs, `rulefx convert` logs them redacted.
   */
  readonly configurationReads: ReadonlyArray<Analysis.ConfigurationRead>
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

  /**
   * A claim set from a `configuration` setting: where, which token, the claim's name when it is written literally,
   * and the setting's key.
   *
   * @category models
   * @since 0.1.0
   */
  export interface ConfigurationClaim {
    readonly line: number
    readonly column: number
    readonly token: "idToken" | "accessToken"
    readonly claim?: string
    readonly key: string
  }

  /**
   * A redirect whose URL may hold a `configuration` setting as a whole part: where, and the setting's key.
   *
   * @category models
   * @since 0.1.0
   */
  export interface ConfigurationRedirect {
    readonly line: number
    readonly column: number
    readonly key: string
  }

  /**
   * A claim or redirect whose value reads a `configuration` setting in any way: where, and the setting's key.
   *
   * @category models
   * @since 0.1.0
   */
  export interface ConfigurationRead {
    readonly line: number
    readonly column: number
    readonly key: string
  }
}

/**
 * Tells whether a module name is a Node built-in, written with or without the `node:` prefix.
 *
 * @category guards
 * @since 0.1.0
 */
export const isBuiltin: (name: string) => boolean = catalog.isBuiltin

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

/**
 * The constructs that can never be accepted (`--accept` ignores them): through most, overlapping logins could share
 * state, so one user's value could reach another's token; with `claim.restricted` the Action would deny every login
 * that reaches the claim.
 *
 * @category models
 * @since 0.1.0
 */
export const neverAccepted: ReadonlySet<string> = catalog.neverAccepted

/**
 * Why a construct of `neverAccepted` can never be accepted, in a few words; `undefined` for any other construct.
 *
 * @category getters
 * @since 0.1.0
 */
export const whyNeverAccepted = (construct: string): string | undefined =>
  Object.hasOwn(catalog.whyNeverAccepted, construct) ? catalog.whyNeverAccepted[construct] : undefined

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
export const standardGlobals: ReadonlySet<string> = globals.standardGlobals

/**
 * Parses a rule file and lists what it uses.
 *
 * **Details**
 *
 * The file must hold exactly one function: a function declaration (named or anonymous), or a function or arrow
 * expression statement, with an optional trailing semicolon and any comments around it. Anything else (a syntax
 * error, a second statement, no function, a generator) fails with `InvalidRuleSource` at the offending line, and so
 * does a rule nested more than 256 levels deep (brackets, or operators such as `1 + 1 + ...`), which the recursive
 * walks over its syntax could not analyse without overflowing the stack.
 *
 * **Example** (Analyzing a rule)
 *
 * ```ts
 * import * as Analyze from "@rulefx/cli/Analyze"
 * import * as Effect from "effect/Effect"
 *
 * const text = `function (user, context, callback) {
 *   context.idToken["https://example.com/plan"] = user.app_metadata.plan
 *   callback(null, user, context)
 * }`
 *
 * const program = Effect.gen(function*() {
 *   const analysis = yield* Analyze.analyze("rules/add-claim.js", text)
 *   for (const finding of analysis.findings) yield* Effect.log(finding.line, finding.construct, finding.detail)
 * })
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
 * The rule file is not one function: a syntax error, no function, or more than one statement; or it nests too deeply
 * to analyse.
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
