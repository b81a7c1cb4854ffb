/**
 * Static analysis of one legacy Auth0 Rule file: checks that the file holds exactly one function
 * `(user, context, callback)`, slices out its source, and lists every construct that rulefx translates to Actions or
 * cannot run, with the line and column where it appears in the file.
 *
 * This module runs on the Node side only (`rulefx migrate`), never inside an Action bundle, so it parses with acorn
 * and walks with acorn-walk. Matching is syntactic: the `user`, `context` and `callback` parameters are matched by the
 * names the function gives them, and the Rules globals (`configuration`, `global`, `auth0`, `UnauthorizedError`,
 * `require`) by name, without scope analysis.
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
import { builtinModules } from "node:module"

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
  locations: true
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
  "context.jwtConfiguration":
    "token settings (lifetime, scopes) are not in Actions; configure them on the application or API, or use api.accessToken.addScope",
  "global.undeclared":
    "the rule uses a name it never declares and that no Action provides (Rules' sandbox had some modules as globals, like _ or request); require it (var _ = require(\"lodash\"))",
  "global.implicit":
    "assigns a global (a variable the rule never declares, or a property of this or globalThis): in an Action it is shared by every login in flight, so one user's value can reach another's token; use a local variable (var)"
} as const

// The names the generated wrapper gives a rule (assigning them changes that rule's own copy, never a shared global),
// `arguments`, and the read-only globals an assignment cannot change.
const wrapperNames: ReadonlySet<string> = new Set([
  "configuration",
  "global",
  "auth0",
  "UnauthorizedError",
  "require",
  "console",
  "arguments",
  "undefined",
  "NaN",
  "Infinity"
])

const patternNames = (pattern: acorn.Node | null | undefined, into: Set<string>): void => {
  const p = pattern as acorn.AnyNode | null | undefined
  if (p === null || p === undefined) return
  switch (p.type) {
    case "Identifier":
      into.add(p.name)
      return
    case "ObjectPattern":
      for (const property of p.properties) patternNames(property.type === "Property" ? property.value : property, into)
      return
    case "ArrayPattern":
      for (const element of p.elements) patternNames(element, into)
      return
    case "RestElement":
      return patternNames(p.argument, into)
    case "AssignmentPattern":
      return patternNames(p.left, into)
    default:
      return
  }
}

// Every name the function declares anywhere (parameters, var/let/const, functions, classes, catch parameters).
// Scopes are not told apart: a name declared in any scope of the rule counts as declared, which can only miss an
// implicit global, never invent one.
const declaredNames = (fn: RuleFunction): ReadonlySet<string> => {
  const names = new Set<string>()
  walk.full(fn, (raw) => {
    const node = raw as acorn.AnyNode
    switch (node.type) {
      case "FunctionDeclaration":
      case "FunctionExpression":
      case "ArrowFunctionExpression":
        if (node.type !== "ArrowFunctionExpression" && node.id) names.add(node.id.name)
        for (const param of node.params) patternNames(param, names)
        return
      case "VariableDeclarator":
        return patternNames(node.id, names)
      case "ClassDeclaration":
      case "ClassExpression":
        if (node.id) names.add(node.id.name)
        return
      case "CatchClause":
        return patternNames(node.param, names)
      default:
        return
    }
  })
  return names
}

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

const paramName = (text: string, param: acorn.Pattern): string =>
  param.type === "Identifier"
    ? param.name
    : param.type === "AssignmentPattern" && param.left.type === "Identifier"
    ? param.left.name
    : text.slice(param.start, param.end)

const inspect = (text: string, fn: RuleFunction): Analysis => {
  const params = fn.params.map((param) => paramName(text, param))
  const [userName, contextName, callbackName] = params
  const identityNames = collectIdentityNames(fn)
  const all: Array<Finding> = []
  const requires: Array<Analysis.Require & { readonly column: number }> = []
  const configurationKeys = new Set<string>()
  const declared = declaredNames(fn)

  const add = (node: acorn.Node, construct: string, status: Finding["status"], detail: string) =>
    all.push({ construct, ...startOf(node), status, detail })
  const ok = (node: acorn.Node, construct: keyof typeof translated) =>
    add(node, construct, "translated", translated[construct])
  const ko = (node: acorn.Node, construct: keyof typeof unsupported) =>
    add(node, construct, "unsupported", unsupported[construct])

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
    if (root === "auth0") onAuth0(member, chain.keys)
  }

  const onIdentifier = (id: acorn.Identifier, parent: acorn.Node | undefined, inWith: boolean) => {
    const p = parent as acorn.AnyNode | undefined
    // A name nothing declares: not the rule, not the wrapper, not Node's globals. `typeof x` is a safe probe, and
    // inside `with (o)` a name may be a property of `o`.
    if (
      !inWith && !declared.has(id.name) && !wrapperNames.has(id.name) && !(id.name in globalThis) &&
      !(p?.type === "UnaryExpression" && p.operator === "typeof")
    ) {
      return add(id, "global.undeclared", "unsupported", `${id.name}: ${unsupported["global.undeclared"]}`)
    }
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
    // `.catch(callback)` and `.then(ok, callback)` hand the callback an error.
    if (id.name === callbackName && p?.type === "CallExpression" && p.callee.type === "MemberExpression") {
      const method = keyOf(p.callee)
      const index = p.arguments.indexOf(id)
      if ((method === "catch" && index === 0) || (method === "then" && index === 1)) {
        return ok(id, "callback(error)")
      }
    }
  }

  const onCall = (call: acorn.CallExpression | acorn.NewExpression) => {
    if (call.callee.type !== "Identifier") return
    const name = call.callee.name
    if (name === "eval" || name === "Function") return ko(call, "eval")
    const [first] = call.arguments
    // `new require("x")` loads the module too (and a constructor call on its export).
    if (call.type === "NewExpression" && name !== "require") return
    if (name === "require") {
      const specifier = first === undefined ? undefined : staticString(first)
      if (specifier === undefined) return ko(call, "require.dynamic")
      const moduleName = nameOf(specifier)
      requires.push({ specifier, name: moduleName, ...startOf(call) })
      return add(call, "require", "translated", requireDetail(specifier, moduleName))
    }
    if (name === callbackName && first !== undefined) {
      const isNothing = (first.type === "Literal" && first.value === null) ||
        (first.type === "Identifier" && first.name === "undefined")
      if (!isNothing) ok(call, "callback(error)")
    }
  }

  const implicitGlobal = (node: acorn.Node, name: string) =>
    add(node, "global.implicit", "unsupported", `${name}: ${unsupported["global.implicit"]}`)

  walk.fullAncestor(fn, (raw, _state, ancestors, type) => {
    const node = raw as acorn.AnyNode
    const parent = ancestors[ancestors.length - 2]
    switch (node.type) {
      case "MemberExpression":
        return onMember(node, parent)
      case "Identifier":
        // Bindings (`var x`, parameters) come through as "VariablePattern"; only references count.
        return type === "Identifier"
          ? onIdentifier(node, parent, ancestors.some((a) => a.type === "WithStatement"))
          : undefined
      case "CallExpression":
      case "NewExpression":
        return onCall(node)
      case "ThrowStatement":
        return ok(node, "throw")
      // `x = 1`, `x++`, `for (x in o)` on a name the rule never declares: a sloppy-mode global.
      case "AssignmentExpression":
      case "ForInStatement":
      case "ForOfStatement": {
        const targets = new Set<string>()
        patternNames(node.left, targets)
        for (const name of targets) if (!declared.has(name) && !wrapperNames.has(name)) implicitGlobal(node, name)
        // `this.x = ...` in the rule's own body (sloppy `this` is the global object) and `globalThis.x = ...`.
        if (node.type === "AssignmentExpression" && node.left.type === "MemberExpression") {
          const object = node.left.object
          const ownThis = object.type === "ThisExpression" &&
            ancestors.slice(0, -1).findLast((a) =>
                a.type === "FunctionExpression" || a.type === "FunctionDeclaration"
              ) ===
              fn
          if (
            ownThis || (object.type === "Identifier" && object.name === "globalThis" && !declared.has("globalThis"))
          ) {
            const key = keyOf(node.left) ?? "[…]"
            implicitGlobal(node, `${object.type === "ThisExpression" ? "this" : "globalThis"}.${key}`)
          }
        }
        return undefined
      }
      case "UpdateExpression":
        if (node.argument.type === "Identifier" && !declared.has(node.argument.name)) {
          if (!wrapperNames.has(node.argument.name)) implicitGlobal(node, node.argument.name)
        }
        return undefined
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
