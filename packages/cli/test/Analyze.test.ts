import { assert, describe, it } from "@effect/vitest"
import * as Analyze from "@rulefx/cli/Analyze"
import * as Effect from "effect/Effect"
import fc from "fast-check"
import * as vm from "node:vm"

const file = "rules/my-rule.js"

const analyze = (text: string) => Analyze.analyze(file, text)

// A rule whose body line sits on line 3 of the file, after a comment line and the function line.
// The names the snippets use without declaring them are declared after the line (var hoists), so that a snippet is
// a whole rule and reports only its own construct.
const ruleWith = (line: string) =>
  `// exported by auth0-deploy-cli\nfunction (user, context, callback) {\n${line}\n  var name, namespace, promise, response, twitter\n}\n`

// The same, for an arrow-function rule.
const arrowRule = (line: string) =>
  `// exported by auth0-deploy-cli\n(user, context, callback) => {\n${line}\n  callback(null, user, context)\n}\n`

const compact = (findings: ReadonlyArray<Analyze.Finding>) =>
  findings.map((f) => `${f.line}:${f.column} ${f.status} ${f.construct}`)

/** Each finding as "status construct: detail". */
const detailOf = (code: string) =>
  Effect.map(analyze(ruleWith(code)), (a) => a.findings.map((f) => `${f.status} ${f.construct}: ${f.detail}`))

const invalid = (text: string) => Effect.flip(analyze(text))

/** Each finding as "line status construct". */
const constructs = (text: string) =>
  Effect.map(analyze(text), (a) => a.findings.map((f) => `${f.line} ${f.status} ${f.construct}`))

const idpTokens =
  "IdP tokens are not in Actions; fetch them with the Management API (GET /api/v2/users/{id}, scope read:user_idp_tokens)"
const managementApi = "no Management API token in Actions; call the Management API with an M2M client instead"
const noSso = "no equivalent in Actions; rewrite the check (e.g. against event.session) or remove it"
const denies = "denies the login with the error's message (api.access.deny)"
const allSecrets = "all of the Action's secrets are visible; name each one as an Action secret"
const claimOf = (claim: string) => `ID-token claim ${claim} (Actions cannot change the profile Auth0 returns)`

interface Case {
  readonly code: string
  readonly construct: string
  readonly at: string
  readonly status: "translated" | "unsupported"
  readonly detail: string
}

const translatedCases: ReadonlyArray<Case> = [
  {
    code: `  context.idToken["https://example.com/roles"] = user.app_metadata.roles`,
    construct: "context.idToken",
    at: "context",
    status: "translated",
    detail: "ID-token claim: api.idToken.setCustomClaim after all rules"
  },
  {
    code: `  const claim = context.idToken.nickname`,
    construct: "context.idToken",
    at: "context",
    status: "translated",
    detail: "ID-token claim: api.idToken.setCustomClaim after all rules"
  },
  {
    code: `  context.accessToken[namespace + "tier"] = "gold"`,
    construct: "context.accessToken",
    at: "context",
    status: "translated",
    detail: "access-token claim: api.accessToken.setCustomClaim after all rules"
  },
  {
    code: `  context.accessToken.scope = ["read:orders"]`,
    construct: "context.accessToken.scope",
    at: "context",
    status: "translated",
    detail: "access-token scopes: added/removed with api.accessToken.addScope/removeScope against the requested scopes"
  },
  {
    code: `  context.accessToken["scope"].push("write:orders")`,
    construct: "context.accessToken.scope",
    at: "context",
    status: "translated",
    detail: "access-token scopes: added/removed with api.accessToken.addScope/removeScope against the requested scopes"
  },
  {
    code: `  context.multifactor = { provider: "any", allowRememberBrowser: false }`,
    construct: "context.multifactor",
    at: "context",
    status: "translated",
    detail: "MFA: api.multifactor.enable(provider, {allowRememberBrowser}) after all rules"
  },
  {
    code: `  context.redirect = { url: "https://example.com/consent" }`,
    construct: "context.redirect",
    at: "context",
    status: "translated",
    detail:
      "redirect: api.redirect.sendUserTo(url) after all rules; on /continue all rules run again with context.protocol 'redirect-callback'"
  },
  {
    code: `  if (context.protocol === "redirect-callback") return callback(null, user, context)`,
    construct: "context.protocol",
    at: "context",
    status: "translated",
    detail:
      "event.transaction.protocol; 'redirect-callback' only on the migrated Action's continue pass, where every rule runs again (Actions itself never sends it): rulefx convert leaves such a read in a rule that redirects as a TODO, to split the rule into its two passes"
  },
  {
    code: `  const country = context.request.geoip.country_code`,
    construct: "context.request.geoip",
    at: "context",
    status: "translated",
    detail: "event.request.geoip, keys renamed back to Rules' snake_case"
  },
  {
    code: `  const methods = context.authentication.methods`,
    construct: "context.authentication",
    at: "context",
    status: "translated",
    detail: "event.authentication.methods, timestamps as epoch milliseconds"
  },
  {
    code: `  const count = context.stats.loginsCount`,
    construct: "context.stats",
    at: "context",
    status: "translated",
    detail: "event.stats.logins_count as loginsCount"
  },
  {
    code: `  const clients = context.sso.current_clients`,
    construct: "context.sso.current_clients",
    at: "context",
    status: "translated",
    detail: "event.session.clients[].client_id"
  },
  {
    code: `  const sid = context.sessionID`,
    construct: "context.sessionID",
    at: "context",
    status: "translated",
    detail: "event.session.id"
  },
  {
    code: `  callback(new Error("Access denied"))`,
    construct: "callback(error)",
    at: "callback",
    status: "translated",
    detail: denies
  },
  {
    code: `  if (!user.email) return callback("no email")`,
    construct: "callback(error)",
    at: "callback",
    status: "translated",
    detail: denies
  },
  {
    code: `  promise.then(() => callback(null, user, context)).catch(callback)`,
    construct: "callback(error)",
    at: "callback)",
    status: "translated",
    detail: denies
  },
  {
    code: `  promise.then(() => {}, callback)`,
    construct: "callback(error)",
    at: "callback",
    status: "translated",
    detail: denies
  },
  {
    code: `  const error = new UnauthorizedError("not allowed")`,
    construct: "UnauthorizedError",
    at: "UnauthorizedError",
    status: "translated",
    detail: "denies with the message; Actions has no error=unauthorized, apps see access_denied"
  },
  {
    code: `  if (!user.email_verified) throw new Error("verify first")`,
    construct: "throw",
    at: "throw",
    status: "translated",
    detail: "a thrown error denies the login with its message"
  },
  {
    code: `  const key = configuration.API_KEY`,
    construct: "configuration",
    at: "configuration",
    status: "translated",
    detail: `Action secret "API_KEY" (event.secrets.API_KEY)`
  },
  {
    code: `  const key = configuration["api-key"]`,
    construct: "configuration",
    at: "configuration",
    status: "translated",
    detail: `Action secret "api-key" (event.secrets["api-key"])`
  },
  {
    code: "  const key = configuration[`TOKEN`]",
    construct: "configuration",
    at: "configuration",
    status: "translated",
    detail: `Action secret "TOKEN" (event.secrets.TOKEN)`
  },
  {
    code: `  const key = configuration[name]`,
    construct: "configuration.dynamic",
    at: "configuration",
    status: "translated",
    detail: allSecrets
  },
  {
    code: `  const keys = Object.keys(configuration)`,
    construct: "configuration.dynamic",
    at: "configuration",
    status: "translated",
    detail: allSecrets
  },
  {
    code: `  global.cache = global.cache || {}`,
    construct: "global",
    at: "global",
    status: "translated",
    detail: "module-scope object kept across logins in the same Action instance (no guarantee, like Rules)"
  },
  {
    code: `  auth0.users.updateAppMetadata(user.user_id, user.app_metadata)`,
    construct: "auth0.users.updateAppMetadata",
    at: "auth0",
    status: "translated",
    detail: "api.user.setAppMetadata per top-level key (the only writes to the profile); later rules see the new values"
  },
  {
    code: `  return auth0.users.updateUserMetadata(user.user_id, user.user_metadata)`,
    construct: "auth0.users.updateUserMetadata",
    at: "auth0",
    status: "translated",
    detail:
      "api.user.setUserMetadata per top-level key (the only writes to the profile); later rules see the new values"
  },
  {
    code: `  const _ = require("lodash@4.17.21")`,
    construct: "require",
    at: "require",
    status: "translated",
    detail: `"lodash@4.17.21": bundled from node_modules (version pin dropped)`
  },
  {
    code: `  const uuid = require("uuid")`,
    construct: "require",
    at: "require",
    status: "translated",
    detail: `"uuid": bundled from node_modules`
  },
  {
    code: `  const crypto = require("crypto")`,
    construct: "require",
    at: "require",
    status: "translated",
    detail: `"crypto": Node built-in, provided by the runtime`
  },
  {
    code: `  const crypto = require("node:crypto")`,
    construct: "require",
    at: "require",
    status: "translated",
    detail: `"node:crypto": Node built-in, provided by the runtime`
  },
  {
    code: `  const request = require("request@2.88.0")`,
    construct: "require",
    at: "require",
    status: "translated",
    detail: `"request@2.88.0": rulefx's fetch-based request shim (version pin dropped)`
  },
  {
    code: `  const request = require("request")`,
    construct: "require",
    at: "require",
    status: "translated",
    detail: `"request": rulefx's fetch-based request shim`
  },
  {
    code: `  user.email_verified = true`,
    construct: "user.root",
    at: "user",
    status: "translated",
    detail: claimOf("email_verified")
  },
  {
    code: `  user.picture = "https://example.com/avatar.png"`,
    construct: "user.root",
    at: "user",
    status: "translated",
    detail: claimOf("picture")
  },
  {
    code: `  user["name"] = user.given_name + " " + user.family_name`,
    construct: "user.root",
    at: "user",
    status: "translated",
    detail: claimOf("name")
  }
]

const samlCases: ReadonlyArray<Case> = [
  {
    code: `  context.samlConfiguration.mappings = { "http://schemas.example.com/upn": "email" }`,
    construct: "context.samlConfiguration.mappings",
    at: "context",
    status: "translated",
    detail:
      "SAML attributes: api.samlResponse.setAttribute(uri, value) after all rules, the value read at the mapped path (email, user_metadata.x) of the final user"
  },
  {
    code: `  context.samlConfiguration.RelayState = "foo=bar"`,
    construct: "context.samlConfiguration.settings",
    at: "context",
    status: "translated",
    detail:
      "SAML settings: api.samlResponse.set<Setting>(value) after all rules (RelayState: setRelayState); logout, wctx and unknown keys are refused when a rule sets them"
  }
]

const unsupportedCases: ReadonlyArray<Case> = [
  {
    code: `  context.primaryUser = "auth0|123"`,
    construct: "context.primaryUser",
    at: "context",
    status: "unsupported",
    detail:
      "account linking: api.authentication.setPrimaryUser discards the Action's metadata writes, so it cannot run with the other rules; do the linking in a separate Action"
  },
  {
    code: `  context.samlConfiguration.logout = { callback: "https://sp.example.com/logout" }`,
    construct: "context.samlConfiguration",
    at: "context",
    status: "unsupported",
    detail:
      "this SAML setting has no api.samlResponse setter in Actions (logout, wctx, or a key Auth0 does not know); remove it, or set what Actions has in a hand-written Action"
  },
  {
    code: `  const aliases = context.connectionOptions.domain_aliases`,
    construct: "context.connectionOptions",
    at: "context",
    status: "unsupported",
    detail:
      "connection options are not in the Actions event; mirror the values into connection metadata (event.connection.metadata) or read them with the Management API"
  },
  {
    code: `  if (context.sso.with_auth0) return callback(null, user, context)`,
    construct: "context.sso.with_auth0",
    at: "context",
    status: "unsupported",
    detail: noSso
  },
  {
    // Read through an empty fallback, the most common Rules idiom, it is the same read.
    code: `  if ((context.sso || {}).with_auth0) return callback(null, user, context)`,
    construct: "context.sso.with_auth0",
    at: "(context",
    status: "unsupported",
    detail: noSso
  },
  {
    code: `  const sso = context.sso.with_dbconn`,
    construct: "context.sso.with_dbconn",
    at: "context",
    status: "unsupported",
    detail: noSso
  },
  {
    code: `  const token = user.identities[0].access_token`,
    construct: "user.identities.access_token",
    at: "access_token",
    status: "unsupported",
    detail: idpTokens
  },
  {
    code: `  const token = user.identities[0].refresh_token`,
    construct: "user.identities.access_token",
    at: "refresh_token",
    status: "unsupported",
    detail: idpTokens
  },
  {
    code: `  const token = user.identities.find((i) => i.provider === "github").access_token`,
    construct: "user.identities.access_token",
    at: "access_token",
    status: "unsupported",
    detail: idpTokens
  },
  {
    code: `  const secret = twitter.access_token_secret`,
    construct: "user.identities.access_token",
    at: "access_token_secret",
    status: "unsupported",
    detail: idpTokens
  },
  {
    code: `  const { access_token } = user.identities[0]`,
    construct: "user.identities.access_token",
    at: "access_token",
    status: "unsupported",
    detail: idpTokens
  },
  {
    code: `  const allowed = user.permissions.includes("read:orders")`,
    construct: "user.permissions",
    at: "user",
    status: "unsupported",
    detail: "Authorization Extension permissions are not in Actions; use RBAC (event.authorization.roles)"
  },
  {
    code: `  delete user.email`,
    construct: "user.delete",
    at: "user",
    status: "unsupported",
    detail:
      "delete user.email: standard claims cannot be removed in Actions; remove the delete and do not rely on the attribute being hidden"
  },
  {
    code: `  delete user.groups`,
    construct: "user.delete",
    at: "user",
    status: "unsupported",
    detail:
      "delete user.groups: standard claims cannot be removed in Actions; remove the delete and do not rely on the attribute being hidden"
  },
  {
    code: `  const headers = { Authorization: "Bearer " + auth0.accessToken }`,
    construct: "auth0.accessToken",
    at: "auth0",
    status: "unsupported",
    detail: managementApi
  },
  {
    code: `  const url = auth0.baseUrl + "/users"`,
    construct: "auth0.baseUrl",
    at: "auth0",
    status: "unsupported",
    detail: managementApi
  },
  {
    code: `  const domain = auth0.domain`,
    construct: "auth0.domain",
    at: "auth0",
    status: "unsupported",
    detail: managementApi
  },
  {
    code: `  auth0.users.updateUser(user.user_id, { blocked: true })`,
    construct: "auth0.users.other",
    at: "auth0",
    status: "unsupported",
    detail:
      "auth0.users.updateUser: only updateAppMetadata and updateUserMetadata are shimmed; call the Management API with an M2M client instead"
  },
  {
    code: `  const lib = require("lib-" + name)`,
    construct: "require.dynamic",
    at: "require",
    status: "unsupported",
    detail: `modules must be named literally so they can be bundled; write require("name")`
  },
  {
    code: `  const value = eval("1 + 1")`,
    construct: "eval",
    at: "eval",
    status: "unsupported",
    detail: "code built at run time cannot be checked or bundled; write the code out"
  },
  {
    code: `  const f = new Function("return 1")`,
    construct: "eval.constructor",
    at: "new",
    status: "unsupported",
    detail:
      "new Function(…): the Function constructor builds code at run time that runs in the global scope, where what it assigns is shared by every login in flight; write the code out"
  }
]

const checkShape = (text: string, source: string, isAsync = false) =>
  Effect.gen(function*() {
    const analysis = yield* analyze(text)
    assert.strictEqual(analysis.source, source)
    assert.strictEqual(analysis.isAsync, isAsync)
    assert.deepStrictEqual(analysis.params, ["user", "context", "callback"])
    return analysis
  })

describe("Analyze", () => {
  describe("the construct catalog", () => {
    it.effect.each([...translatedCases, ...samlCases, ...unsupportedCases])(
      "$construct in `$code`",
      (c) =>
        Effect.gen(function*() {
          const analysis = yield* analyze(ruleWith(c.code))
          assert.deepStrictEqual(analysis.findings, [{
            construct: c.construct,
            line: 3,
            column: c.code.indexOf(c.at),
            status: c.status,
            detail: c.detail
          }])
        })
    )

    it.effect.each([
      `  if (context.multifactor) return callback(null, user, context)`,
      `  const url = context.redirect && context.redirect.url`,
      `  const primary = context.primaryUser`,
      `  const who = context.tenant + context.clientID + context.clientName + context.connection`,
      `  const meta = context.clientMetadata.x + context.connectionMetadata.y + context.connectionStrategy`,
      `  const r = [context.request.ip, context.request.hostname, context.request.query, context.request.userAgent]`,
      `  const a = [context.authorization.roles, context.organization.id, context.riskAssessment.confidence]`,
      `  const sso = context.sso`,
      `  callback(null, user, context)`,
      `  callback(undefined, user, context)`,
      `  callback()`,
      `  user.app_metadata.plan = "gold"`,
      `  user.app_metadata = user.app_metadata || {}`,
      `  user.user_metadata = {}`,
      `  user.groups = ["admins"]`,
      `  delete user.app_metadata`,
      `  delete user.user_metadata.draft`,
      `  const email = user.email`,
      `  console.log("hello", user.user_id)`,
      `  const token = response.access_token`,
      `  const users = auth0.users`,
      `  var configuration2 = 1`
    ])("nothing to report in `%s`", (code) =>
      Effect.gen(function*() {
        const analysis = yield* analyze(ruleWith(code))
        assert.deepStrictEqual(analysis.findings, [])
      }))

    it.effect("identities reached through a variable or a callback parameter", () =>
      Effect.gen(function*() {
        const analysis = yield* analyze(
          [
            "function (user, context, callback) {",
            "  const github = user.identities.filter((id) => id.provider === 'github')[0];",
            "  const a = github.access_token;",
            "  user.identities.forEach(function (identity) {",
            "    if (identity.refresh_token) {}",
            "  });",
            "  for (const each of user.identities) each.access_token;",
            "  callback(null, user, context);",
            "}"
          ].join("\n")
        )
        assert.deepStrictEqual(compact(analysis.findings), [
          "3:19 unsupported user.identities.access_token",
          "5:17 unsupported user.identities.access_token",
          "7:43 unsupported user.identities.access_token"
        ])
      }))

    it.effect("a whole rule: every finding in file order, with the file's lines", () =>
      Effect.gen(function*() {
        const text = [
          "/**",
          " * Adds roles and asks for MFA.",
          " */",
          "function (user, context, callback) {",
          "  const namespace = configuration.NAMESPACE;",
          "  const _ = require('lodash@4.17.21');",
          "  context.idToken[namespace + 'roles'] = user.app_metadata.roles;",
          "  if (context.protocol !== 'redirect-callback') {",
          "    context.multifactor = { provider: 'any' };",
          "  }",
          "  user.app_metadata.last = Date.now();",
          "  auth0.users.updateAppMetadata(user.user_id, user.app_metadata)",
          "    .then(() => callback(null, user, context))",
          "    .catch((err) => callback(err));",
          "}",
          ""
        ].join("\n")
        const analysis = yield* analyze(text)
        assert.deepStrictEqual(compact(analysis.findings), [
          "5:20 translated configuration",
          "6:12 translated require",
          "7:2 translated context.idToken",
          "8:6 translated context.protocol",
          "9:4 translated context.multifactor",
          "12:2 translated auth0.users.updateAppMetadata",
          "14:20 translated callback(error)"
        ])
        assert.deepStrictEqual(analysis.requires, [{ specifier: "lodash@4.17.21", name: "lodash", line: 6 }])
        assert.deepStrictEqual(analysis.configurationKeys, ["NAMESPACE"])
      }))

    it.effect("one finding per construct, line and detail; the first column kept", () =>
      Effect.gen(function*() {
        const analysis = yield* analyze(
          [
            "function (user, context, callback) {",
            "  context.idToken.a = 1; context.idToken.b = 2;",
            "  context.idToken.c = 3;",
            "  global.x = global.x || configuration.A + configuration.B;",
            "  callback(null, user, context);",
            "}"
          ].join("\n")
        )
        assert.deepStrictEqual(compact(analysis.findings), [
          "2:2 translated context.idToken",
          "3:2 translated context.idToken",
          "4:2 translated global",
          "4:25 translated configuration",
          "4:43 translated configuration"
        ])
        assert.deepStrictEqual(analysis.configurationKeys, ["A", "B"])
      }))

    it.effect("a multi-line chain is reported at the line where it starts", () =>
      Effect.gen(function*() {
        const analysis = yield* analyze(
          "function (user, context, callback) {\n  context\n    .idToken\n    .claim = 1;\n  callback(null, user, context);\n}"
        )
        assert.deepStrictEqual(compact(analysis.findings), ["2:2 translated context.idToken"])
      }))

    it.effect("constructs inside nested functions and parameter defaults are found", () =>
      Effect.gen(function*() {
        const analysis = yield* analyze(
          [
            "function (user, context = global.ctx, callback) {",
            "  request.get('https://example.com', function (err, res, body) {",
            "    if (err) return callback(err);",
            "    context.idToken.x = body;",
            "    callback(null, user, context);",
            "  });",
            "  var request;",
            "}"
          ].join("\n")
        )
        assert.deepStrictEqual(compact(analysis.findings), [
          "1:26 translated global",
          "3:20 translated callback(error)",
          "4:4 translated context.idToken"
        ])
      }))
  })

  describe("parameters", () => {
    it.effect("constructs follow the names the function gives its parameters", () =>
      Effect.gen(function*() {
        const analysis = yield* analyze(
          [
            "function (u, ctx, cb) {",
            "  ctx.idToken.email = u.email;",
            "  context.idToken.unused = 1;",
            "  user.email = 'not the user';",
            "  u.nickname = 'nick';",
            "  if (u.permissions) {}",
            "  callback(new Error('not the callback'));",
            "  cb(new Error('denied'));",
            "  cb(null, u, ctx);",
            "}"
          ].join("\n")
        )
        assert.deepStrictEqual(analysis.params, ["u", "ctx", "cb"])
        // The names the function does not give its parameters are undeclared globals, and refused as such.
        assert.deepStrictEqual(compact(analysis.findings), [
          "2:2 translated context.idToken",
          "3:2 unsupported global.undeclared",
          "4:2 unsupported global.undeclared",
          "5:2 translated user.root",
          "6:6 unsupported user.permissions",
          "7:2 unsupported global.undeclared",
          "8:2 translated callback(error)"
        ])
      }))

    it.effect("missing parameters match nothing", () =>
      Effect.gen(function*() {
        const analysis = yield* analyze(
          "function (user) {\n  context.idToken.x = 1;\n  callback(new Error('x'));\n  user.email = 'e';\n}"
        )
        assert.deepStrictEqual(analysis.params, ["user"])
        assert.deepStrictEqual(compact(analysis.findings), [
          "2:2 unsupported global.undeclared",
          "3:2 unsupported global.undeclared",
          "4:2 translated user.root"
        ])
      }))

    it.effect("defaults give their name; destructured and rest parameters give their text", () =>
      Effect.gen(function*() {
        const analysis = yield* analyze(
          "function ({ email }, context = {}, ...rest) {\n  context.sessionID;\n}"
        )
        assert.deepStrictEqual(analysis.params, ["{ email }", "context", "...rest"])
        assert.deepStrictEqual(compact(analysis.findings), ["2:2 translated context.sessionID"])
      }))
  })

  describe("function shapes", () => {
    it.effect("an anonymous function", () =>
      checkShape(
        "function (user, context, callback) {\n  callback(null, user, context);\n}",
        "function (user, context, callback) {\n  callback(null, user, context);\n}"
      ))

    it.effect("a named function declaration", () =>
      checkShape(
        "function addRoles(user, context, callback) {\n  callback(null, user, context);\n}\n",
        "function addRoles(user, context, callback) {\n  callback(null, user, context);\n}"
      ))

    it.effect("an async function", () =>
      checkShape(
        "async function (user, context, callback) {\n  await Promise.resolve();\n  callback(null, user, context);\n}",
        "async function (user, context, callback) {\n  await Promise.resolve();\n  callback(null, user, context);\n}",
        true
      ))

    it.effect("a named async function declaration", () =>
      checkShape(
        "async function rule(user, context, callback) { callback(null, user, context) }",
        "async function rule(user, context, callback) { callback(null, user, context) }",
        true
      ))

    it.effect("an arrow function", () =>
      checkShape(
        "(user, context, callback) => {\n  callback(null, user, context);\n};\n",
        "(user, context, callback) => {\n  callback(null, user, context);\n}"
      ))

    it.effect("an async arrow function", () =>
      checkShape(
        "async (user, context, callback) => callback(null, user, context)",
        "async (user, context, callback) => callback(null, user, context)",
        true
      ))

    it.effect("a parenthesised function expression: the parentheses are not part of the source", () =>
      checkShape(
        "(function (user, context, callback) { callback(null, user, context) });",
        "function (user, context, callback) { callback(null, user, context) }"
      ))

    it.effect("trailing semicolons, leading and trailing comments and blank lines", () =>
      Effect.gen(function*() {
        const text = [
          "// Rule: add-claims",
          "/* exported",
          "   by a0deploy */",
          "",
          "function (user, context, callback) {",
          "  context.idToken.x = 1;",
          "  callback(null, user, context);",
          "};",
          "// end",
          ""
        ].join("\n")
        const analysis = yield* checkShape(
          text,
          "function (user, context, callback) {\n  context.idToken.x = 1;\n  callback(null, user, context);\n}"
        )
        assert.deepStrictEqual(compact(analysis.findings), ["6:2 translated context.idToken"])
      }))

    it.effect("a named declaration with a trailing semicolon and comments", () =>
      Effect.gen(function*() {
        const analysis = yield* checkShape(
          "\n\n// comment\nfunction rule(user, context, callback) {\n  throw new Error('x');\n};\n/* end */\n",
          "function rule(user, context, callback) {\n  throw new Error('x');\n}"
        )
        assert.deepStrictEqual(compact(analysis.findings), ["5:2 translated throw"])
      }))

    it.effect.each([
      { label: "anonymous", text: "// c\nfunction (user, context, callback) { callback(null, user, context) };\n" },
      { label: "named", text: "function rule(user, context, callback) { callback(null, user, context) }" },
      { label: "async", text: "async function (user, context, callback) { callback(null, user, context) }" },
      { label: "arrow", text: "(user, context, callback) => { callback(null, user, context) }" }
    ])("the $label source evaluates to a function of the same arity", ({ text }) =>
      Effect.gen(function*() {
        const analysis = yield* analyze(text)
        const make = new Function(`return (${analysis.source})`) as () => (...args: Array<unknown>) => unknown
        const fn = make()
        assert.strictEqual(typeof fn, "function")
        assert.strictEqual(fn.length, 3)
        assert.strictEqual(text.slice(text.indexOf(analysis.source)).startsWith(analysis.source), true)
      }))

    it.effect("the source of a named function keeps its name when evaluated", () =>
      Effect.gen(function*() {
        const analysis = yield* analyze("function addRoles(user, context, callback) {}")
        const fn = (new Function(`return (${analysis.source})`) as () => { readonly name: string })()
        assert.strictEqual(fn.name, "addRoles")
      }))
  })

  describe("InvalidRuleSource", () => {
    const problem = "expected one function (user, context, callback)"

    it.effect("a syntax error inside an anonymous function reports acorn's message at the file's line", () =>
      Effect.gen(function*() {
        const error = yield* invalid("// header\nfunction (user, context, callback) {\n  var x = ;\n}\n")
        assert.instanceOf(error, Analyze.InvalidRuleSource)
        assert.deepStrictEqual(
          { file: error.file, line: error.line, column: error.column, problem: error.problem },
          { file, line: 3, column: 10, problem: "syntax error: Unexpected token" }
        )
        assert.strictEqual(error.message, "rules/my-rule.js:3:11: syntax error: Unexpected token")
      }))

    it.effect("a syntax error inside a named function", () =>
      Effect.gen(function*() {
        const error = yield* invalid("function rule(user, context, callback) {\n\n  if (x {}\n}")
        assert.deepStrictEqual([error.line, error.column, error.problem], [3, 8, "syntax error: Unexpected token"])
      }))

    it.effect("an unterminated string", () =>
      Effect.gen(function*() {
        const error = yield* invalid("function (user, context, callback) {\n  var s = 'abc\n}")
        assert.deepStrictEqual([error.line, error.column, error.problem], [
          2,
          10,
          "syntax error: Unterminated string constant"
        ])
      }))

    it.effect("two named functions", () =>
      Effect.gen(function*() {
        const error = yield* invalid("function a(user, context, callback) {}\n\nfunction b() {}\n")
        assert.deepStrictEqual([error.line, error.column, error.problem], [
          3,
          0,
          `${problem}; found a second statement (FunctionDeclaration) at line 3`
        ])
      }))

    it.effect("two anonymous functions", () =>
      Effect.gen(function*() {
        const error = yield* invalid("function (user, context, callback) {};\n// two\nfunction (u, c, cb) {}\n")
        assert.deepStrictEqual([error.line, error.column, error.problem], [
          3,
          0,
          `${problem}; found more code after the function at line 3`
        ])
      }))

    it.effect("an anonymous function followed by a statement", () =>
      Effect.gen(function*() {
        const error = yield* invalid("function (user, context, callback) {}\nvar x = 1;\n")
        assert.deepStrictEqual([error.line, error.column, error.problem], [
          2,
          0,
          `${problem}; found a second statement (VariableDeclaration) at line 2`
        ])
      }))

    it.effect("a const instead of a function", () =>
      Effect.gen(function*() {
        const error = yield* invalid("// header\n\nconst rule = function (user, context, callback) {}\n")
        assert.deepStrictEqual([error.line, error.column, error.problem], [
          3,
          0,
          `${problem}; found a VariableDeclaration at line 3`
        ])
      }))

    it.effect("a CommonJS module", () =>
      Effect.gen(function*() {
        const error = yield* invalid("module.exports = function (user, context, callback) {}\n")
        assert.deepStrictEqual([error.line, error.column, error.problem], [
          1,
          0,
          `${problem}; found an AssignmentExpression at line 1`
        ])
      }))

    it.effect("an ES module export is a syntax error in a script", () =>
      Effect.gen(function*() {
        const error = yield* invalid("export default function (user, context, callback) {}\n")
        assert.deepStrictEqual([error.line, error.column, error.problem], [
          1,
          0,
          "syntax error: 'import' and 'export' may appear only with 'sourceType: module'"
        ])
      }))

    it.effect("code before an anonymous function", () =>
      Effect.gen(function*() {
        const error = yield* invalid("x = 1\nfunction (user, context, callback) {}\n")
        assert.deepStrictEqual([error.line, error.column, error.problem], [
          1,
          0,
          `${problem}; found an AssignmentExpression at line 1`
        ])
      }))

    it.effect("a generator function", () =>
      Effect.gen(function*() {
        const error = yield* invalid("\nfunction* (user, context, callback) {}")
        assert.deepStrictEqual([error.line, error.column, error.problem], [
          2,
          0,
          `${problem}; found a generator function, which cannot be a rule`
        ])
      }))

    it.effect.each(["", "   \n\n", "// only a comment\n/* and another */\n", ";\n"])(
      "no function at all in %j",
      (text) =>
        Effect.gen(function*() {
          const error = yield* invalid(text)
          assert.deepStrictEqual([error._tag, error.line, error.column, error.problem], [
            "InvalidRuleSource",
            1,
            0,
            `${problem}; found no code`
          ])
        })
    )
  })

  describe("requires and configuration", () => {
    it.effect("every literal require, in order, with its name and line", () =>
      Effect.gen(function*() {
        const analysis = yield* analyze(
          [
            "function (user, context, callback) {",
            "  const _ = require('lodash@4.17.21'), fp = require('lodash/fp');",
            "  const crypto = require('crypto');",
            "  const nodeCrypto = require(\"node:crypto\");",
            "  const request = require('request@2.88.0');",
            "  const ipaddr = require(`ipaddr.js@1.9.1`);",
            "  const scoped = require('@scope/pkg@1.2.3');",
            "  const dynamic = require(name);",
            "  callback(null, user, context);",
            "  var name;",
            "}"
          ].join("\n")
        )
        assert.deepStrictEqual(analysis.requires, [
          { specifier: "lodash@4.17.21", name: "lodash", line: 2 },
          { specifier: "lodash/fp", name: "lodash/fp", line: 2 },
          { specifier: "crypto", name: "crypto", line: 3 },
          { specifier: "node:crypto", name: "node:crypto", line: 4 },
          { specifier: "request@2.88.0", name: "request", line: 5 },
          { specifier: "ipaddr.js@1.9.1", name: "ipaddr.js", line: 6 },
          { specifier: "@scope/pkg@1.2.3", name: "@scope/pkg", line: 7 }
        ])
        assert.deepStrictEqual(compact(analysis.findings), [
          "2:12 translated require",
          "2:44 translated require",
          "3:17 translated require",
          "4:21 translated require",
          "5:18 translated require",
          "6:17 translated require",
          "7:17 translated require",
          "8:18 unsupported require.dynamic"
        ])
      }))

    it.effect("configuration keys: sorted, unique, static only", () =>
      Effect.gen(function*() {
        const analysis = yield* analyze(
          [
            "function (user, context, callback) {",
            "  const a = configuration.ZETA;",
            "  const b = configuration['alpha-key'];",
            "  const c = configuration.ZETA;",
            "  const d = configuration[prefix + 'X'];",
            "  const e = configuration.MIDDLE;",
            "  callback(null, user, context);",
            "  var prefix;",
            "}"
          ].join("\n")
        )
        assert.deepStrictEqual(analysis.configurationKeys, ["MIDDLE", "ZETA", "alpha-key"])
        assert.deepStrictEqual(compact(analysis.findings), [
          "2:12 translated configuration",
          "3:12 translated configuration",
          "4:12 translated configuration",
          "5:12 translated configuration.dynamic",
          "6:12 translated configuration"
        ])
        assert.strictEqual(analysis.findings[1]?.detail, `Action secret "alpha-key" (event.secrets["alpha-key"])`)
      }))
  })

  describe("nameOf", () => {
    it.each([
      ["lodash@4.17.21", "lodash"],
      ["@scope/pkg@1.2.3", "@scope/pkg"],
      ["ipaddr.js@1.9.1", "ipaddr.js"],
      ["auth0@2.x", "auth0"],
      ["lodash@4.17.21/fp", "lodash/fp"],
      ["lodash/fp", "lodash/fp"],
      ["node:crypto", "node:crypto"],
      ["@scope/pkg", "@scope/pkg"],
      ["@scope/pkg/sub", "@scope/pkg/sub"],
      ["request", "request"]
    ])("%s -> %s", (specifier, name) => {
      assert.strictEqual(Analyze.nameOf(specifier), name)
    })
  })

  describe("isBuiltin", () => {
    it.each([
      ["crypto", true],
      ["node:crypto", true],
      ["url", true],
      ["querystring", true],
      ["fs/promises", true],
      ["node:fs/promises", true],
      ["lodash", false],
      ["request", false],
      ["node:lodash", false],
      ["crypto-js", false]
    ])("%s -> %s", (name, expected) => {
      assert.strictEqual(Analyze.isBuiltin(name), expected)
    })
  })
  describe("state shared by overlapping logins", () => {
    const why = {
      "global.implicit":
        "assigns a global (a variable no scope of the rule declares, or a property of globalThis): in an Action it is shared by every login in flight, so one user's value can reach another's token; declare it where it is used (var)",
      "global.this":
        "this there is the global object (or, in an arrow-function rule, the runtime's own object), shared by every login in flight, so one user's value can reach another's token; use a local variable, or call the function as a method (obj.f()) or with new",
      "global.object":
        "takes an object every login in flight shares (the global object, or the Action module's own module or exports) as a value: what is written through it can carry one user's value into another's token; name the globals you read directly (globalThis.URL) and keep values in local variables",
      "global.shared":
        "writes into an object every login in flight shares (a built-in such as process.env or Object.prototype, a required module, UnauthorizedError), or takes a built-in as a value rulefx cannot follow (var max = Math.max; var p = Object.prototype), through which it could be changed; so one user's value can reach another's token; keep the value in a local variable, and use a built-in where it is named (Math.max(a, b))",
      "global.escaped":
        "a Rules global written with \\u escapes is not given to the rule (the wrapper looks for the plain name), so it reaches the Action's own module instead; write the name plainly",
      "eval.indirect":
        "eval reached other than by a direct call runs its code in the global scope, where its variables are shared by every login in flight; write the code out",
      "eval.constructor":
        "the Function constructor builds code at run time that runs in the global scope, where what it assigns is shared by every login in flight; write the code out",
      "eval.module":
        "runs code built at run time or loads modules around the rule's require (vm, module, inspector, repl, worker_threads, import(), process.getBuiltinModule and the like); write the code out and require modules by name"
    } as const
    type Construct = keyof typeof why

    const shared = (text: string) =>
      Effect.map(analyze(text), (a) => a.findings.filter((f) => f.construct in why || f.construct === "eval"))

    // One finding of the construct on line 3 (the snippet's), naming what it found; no other finding of that kind.
    const refusedIn = (text: string, construct: Construct, what: string) =>
      Effect.gen(function*() {
        const found = yield* shared(text)
        assert.deepStrictEqual(
          found.map((f) => [f.line, f.status, f.construct, f.detail]),
          [[3, "unsupported", construct, `${what}: ${why[construct]}`]]
        )
      })

    it.effect.each<readonly [string, Construct, string]>([
      // Writes to a name no enclosing scope declares.
      ["  who = user.user_id", "global.implicit", "who"],
      ["  count++", "global.implicit", "count"],
      ["  total += 1", "global.implicit", "total"],
      ["  total ||= 1", "global.implicit", "total"],
      ["  for (key in user.app_metadata) {}", "global.implicit", "key"],
      ["  for (item of [1]) {}", "global.implicit", "item"],
      ["  [a] = [1, 2]", "global.implicit", "a"],
      ["  ({ k: a } = { k: 1 })", "global.implicit", "a"],
      ["  ;[...rest] = [1]", "global.implicit", "rest"],
      ["  delete stale", "global.implicit", "stale"],
      ["  setTimeout(function () { late = user.email }, 1)", "global.implicit", "late"],
      // The issue: declared in a nested function elsewhere, assigned at the rule's top.
      ["  profile = { email: user.email }; function later() { var profile }", "global.implicit", "profile"],
      ["  function a() { var x = 1 } function b() { x = 2 } a(); b()", "global.implicit", "x"],
      ["  { let inner = 1 } inner = 2", "global.implicit", "inner"],
      ["  try { x() } catch (e) {} e = 1", "global.implicit", "e"],
      ["  var f = function g() {}; g = 1", "global.implicit", "g"],
      ["  class K {} ; (function () { class L {} })(); L = 1", "global.implicit", "L"],
      // A block-level function is not hoisted past a let of its name, nor when async, a generator or strict.
      ["  { let f; { function f() {} } } f = 1", "global.implicit", "f"],
      ["  for (let f of [1]) { function f() {} } f = 1", "global.implicit", "f"],
      ["  { async function f() {} } f = 1", "global.implicit", "f"],
      ["  { function* f() {} } f = 1", "global.implicit", "f"],
      ["  (function () { 'use strict'; { function f() {} } f = 1 })()", "global.implicit", "f"],
      ["  (function () { { function f() {} } })(); f = 1", "global.implicit", "f"],
      ["  with (user) { w = 1 }", "global.implicit", "w"],
      ["  new (class { x = (leak = 1) })()", "global.implicit", "leak"],
      ["  (function (a = (leak = 1)) {})()", "global.implicit", "leak"],
      ["  globalThis.who = user.user_id", "global.implicit", "globalThis.who"],
      ["  self.who = user.user_id", "global.implicit", "self.who"],
      // this, when it can be the global object.
      ["  this.who = user.user_id", "global.this", "this at the rule's own level"],
      ["  var self = this; self.who = user.user_id", "global.this", "this at the rule's own level"],
      ["  setTimeout(() => { this.later = 1 }, 1)", "global.this", "this at the rule's own level"],
      ["  function helper() { this.x = 1 } helper()", "global.this", "this in a function called without a receiver"],
      ["  (function () { this.x = 1 })()", "global.this", "this in a function called without a receiver"],
      ["  function f() { this.x = 1 } f.call(null)", "global.this", "this in a function called without a receiver"],
      [
        "  function f() { this.x = 1 } f.apply(undefined, [])",
        "global.this",
        "this in a function called without a receiver"
      ],
      ["  function F() { this.x = 1 } new F(); F()", "global.this", "this in a function called without a receiver"],
      ["  [1].forEach(function () { this.x = 1 })", "global.this", "this in a function called without a receiver"],
      [
        "  Promise.resolve().then(function () { this.x = 1 })",
        "global.this",
        "this in a function called without a receiver"
      ],
      [
        "  var o = { f: function () { return function () { this.x = 1 } } }; o.f()()",
        "global.this",
        "this in a function called without a receiver"
      ],
      ["  function f() { this.x = 1 } var g = f", "global.this", "this in a function called without a receiver"],
      ["  function f() { this.x = 1 }", "global.this", "this in a function called without a receiver"],
      // The global object, or the Action module's own objects, as a value.
      ["  var g = globalThis; g.who = user.user_id", "global.object", "globalThis"],
      ["  Object.assign(globalThis, { who: user.user_id })", "global.object", "globalThis"],
      ["  Object.defineProperty(globalThis, 'who', { value: 1 })", "global.object", "globalThis"],
      ["  globalThis[user.user_id] = 1", "global.object", "globalThis[…]"],
      ["  var g = globalThis.globalThis", "global.object", "globalThis.globalThis"],
      ["  var g = globalThis.global", "global.object", "globalThis.global"],
      ["  with (globalThis) {}", "global.object", "globalThis"],
      ["  var w = window", "global.object", "window"],
      ["  module.exports.who = user.user_id", "global.object", "module"],
      ["  exports.who = user.user_id", "global.object", "exports"],
      // Writes into shared objects.
      ["  process.env.WHO = user.user_id", "global.shared", "process.env.WHO"],
      ["  delete process.env.WHO", "global.shared", "process.env.WHO"],
      ["  ;[process.env.WHO] = [user.user_id]", "global.shared", "process.env.WHO"],
      ["  Object.prototype.who = user.user_id", "global.shared", "Object.prototype.who"],
      ["  Array.prototype.includes = null", "global.shared", "Array.prototype.includes"],
      ["  Function.prototype.who = 1", "global.shared", "Function.prototype.who"],
      ["  user.__proto__.who = 1", "global.shared", "user.__proto__.who"],
      ["  user.constructor.prototype.who = 1", "global.shared", "user.constructor.prototype.who"],
      ["  Object.getPrototypeOf(user).who = 1", "global.shared", "Object.getPrototypeOf(…).who"],
      ["  Object.assign(process.env, { WHO: 1 })", "global.shared", "Object.assign(process.env, …)"],
      [
        "  Object.defineProperty(Object.prototype, 'who', { value: 1 })",
        "global.shared",
        "Object.defineProperty(Object.prototype, …)"
      ],
      ["  Reflect.set(process.env, 'WHO', 1)", "global.shared", "Reflect.set(process.env, …)"],
      ["  globalThis.process.env.WHO = 1", "global.shared", "globalThis.process.env.WHO"],
      ["  var _ = require('lodash'); _.who = user.user_id", "global.shared", "_.who"],
      ["  const { parse } = require('url'); parse.who = 1", "global.shared", "parse.who"],
      ["  var c = require('x').config; c.who = 1", "global.shared", "c.who"],
      ["  require('lodash').who = user.user_id", "global.shared", "require(…).who"],
      ["  UnauthorizedError.last = user.user_id", "global.shared", "UnauthorizedError.last"],
      // A built-in (or its prototype) taken as a value the analysis does not follow.
      [
        "  var pr = Object.prototype; Object.assign(pr, { who: 1 })",
        "global.shared",
        "Object.prototype taken as a value"
      ],
      ["  var d = Date; d.now = null", "global.shared", "Date taken as a value"],
      ["  var o = Object.values({ a: Object })[0]", "global.shared", "Object taken as a value"],
      ["  var ds = Object.getOwnPropertyDescriptors(JSON)", "global.shared", "JSON taken as a value"],
      // Code built at run time in the global scope.
      ["  (0, eval)('1')", "eval.indirect", "eval"],
      ["  var e = eval; e('1')", "eval.indirect", "eval"],
      ["  eval.call(null, '1')", "eval.indirect", "eval"],
      ["  globalThis.eval('1')", "eval.indirect", "globalThis.eval"],
      ["  [].constructor.constructor('return this')()", "eval.constructor", "[].constructor.constructor"],
      ["  var F = ''.constructor.constructor", "eval.constructor", "''.constructor.constructor"],
      ["  user.constructor('return 1')", "eval.constructor", "user.constructor"],
      ["  (function () {}).constructor('return 1')", "eval.constructor", "(function).constructor"],
      [
        "  var AsyncFunction = Object.getPrototypeOf(async function () {}).constructor",
        "eval.constructor",
        "Object.getPrototypeOf(…).constructor"
      ],
      ["  Function('return this')()", "eval.constructor", "Function(…)"],
      ["  var f = new Function('a', 'return a')", "eval.constructor", "new Function(…)"],
      ["  var F = Function", "eval.constructor", "Function"],
      ["  Reflect.construct(Function, ['return 1'])", "eval.constructor", "Function"],
      ["  Function.call(null, 'return 1')", "eval.constructor", "Function.call"],
      ["  globalThis.Function('return 1')", "eval.constructor", "globalThis.Function"],
      ["  var vm = require('vm')", "eval.module", `require("vm")`],
      ["  var vm = require('node:vm')", "eval.module", `require("node:vm")`],
      ["  var m = require('module')", "eval.module", `require("module")`],
      ["  var i = require('inspector')", "eval.module", `require("inspector")`],
      ["  var r = require('repl')", "eval.module", `require("repl")`],
      ["  var w = require('worker_threads')", "eval.module", `require("worker_threads")`],
      ["  import('lodash')", "eval.module", "import(…)"],
      ["  process.getBuiltinModule('vm')", "eval.module", "process.getBuiltinModule"],
      ["  process.mainModule.require('vm')", "eval.module", "process.mainModule"],
      ["  process.binding('fs')", "eval.module", "process.binding"],
      // A Rules global the wrapper would not give under that spelling.
      ["  var r = requir\\u0065('crypto')", "global.escaped", "requir\\u0065"],
      ["  gl\\u006fbal.who = 1", "global.escaped", "gl\\u006fbal"]
    ])("`%s` is refused: %s, %s", ([code, construct, what]) => refusedIn(ruleWith(code), construct, what))

    it.effect.each([
      ["  this.who = user.user_id", "this in an arrow-function rule"],
      ["  var self = this", "this in an arrow-function rule"],
      ["  function f() { return () => this } f.call(user)()", undefined]
    ])("in an arrow-function rule, `%s`", ([code, what]) =>
      what === undefined
        ? Effect.map(shared(arrowRule(code!)), (found) => assert.deepStrictEqual(found, []))
        : refusedIn(arrowRule(code!), "global.this", what))

    it.effect("a default parameter of an arrow-function rule sees the runtime's this", () =>
      Effect.gen(function*() {
        const found = yield* shared("(user, context = this, callback) => callback(null, user, context)")
        assert.deepStrictEqual(found.map((f) => `${f.line}:${f.column} ${f.construct}`), ["1:17 global.this"])
      }))

    it.effect.each([
      // Declared in a scope that encloses the write.
      "  var who; who = user.user_id",
      "  let n = 0; n++",
      "  for (var key in user.app_metadata) {}",
      "  for (const item of [1]) {}",
      "  for (let i = 0; i < 1; i++) {}",
      "  function helper() {} helper = null",
      "  try { x() } catch (e) { e = null } function x() {}",
      "  try { x() } catch ({ message }) { message = null } function x() {}",
      "  user = { user_id: 'x' }; context = {}; callback = null",
      "  configuration = {}; global = {}; auth0 = null; require = null; console = null; UnauthorizedError = null",
      "  user.seller = 1; context.x = 2",
      "  var f = function (a, { b }, ...c) { a = b = c = 1 }",
      "  arguments = 1; undefined = 2; NaN = 3",
      "  let x = 1; { x = 2 }",
      "  class A {} A = null",
      "  var f = function g() { g = 1 }; f()",
      "  (function (a = 1, { b } = {}, ...c) { a = b = c = 1 })()",
      "  with (user) { var w; w = 1 }",
      // Sloppy mode hoists a block-level function to its function (Annex B).
      "  if (user) { function f() {} } f = null",
      "  if (user) function f() {} f = null",
      "  switch (1) { case 1: function g() {} } g = null",
      "  { function f() {} { function f() {} } } f = 1",
      "  try { throw 0 } catch (f) { { function f() {} } } f = 1",
      "  { function f() {} } (function () { f = 1 })()",
      "  var run = function () { { function f() {} } f = 1 }; run()",
      // this with a receiver, or strict.
      "  var o = { f: function () { this.x = 1 } }; o.f()",
      "  var o = { f() { this.x = 1 }, get y() { return this.x }, set y(v) { this.x = v } }",
      "  var obj = {}; obj.f = function () { this.x = 1 }; obj.f()",
      "  function F() { this.x = 1 } F.prototype.m = function () { this.y = 1 }; new F().m()",
      "  function F() { this.x = 1 } F.prototype = { m: function () { this.y = 1 } }",
      "  function F() { this.x = 1 } var f = new F()",
      "  var F = function () { this.x = 1 }; var f = new F()",
      "  function f() { this.x = 1 } f.call({}); f.apply(user, []); var g = f.bind(context)",
      "  var util = require('util'); function F() { this.x = 1 } util.inherits(F, Error); new F()",
      "  function E() {} E.prototype = Object.create(Error.prototype); Object.setPrototypeOf(E, Error)",
      "  class A { constructor() { this.x = 1 } m() { return () => this } static { this.y = 1 } z = this }",
      "  function f() { 'use strict'; this.x = 1 } f()",
      "  Object.defineProperty(user, 'x', { get: function () { return this.y } })",
      "  (function () { this.x = 1 }).call(user)",
      "  new (function () { this.x = 1 })()",
      "  function F() { this.x = 1; return typeof F === 'function' && F.name } new F()",
      // The global object's named properties, read; comparisons.
      "  var u = new globalThis.URL('https://example.com'); var t = typeof window",
      "  if (typeof globalThis !== 'undefined' && user === globalThis) {}",
      // Reading shared objects, or writing one's own copy.
      "  var copy = Object.assign({}, process.env); var text = JSON.stringify(process.env)",
      "  var u = require('url').parse(user.picture, true); u.query.d = 'x'",
      "  var _ = require('lodash'); var picked = _.pick(user, ['email']); picked.x = 1",
      "  global.cache = global.cache || {}; global.cache[user.user_id] = 1",
      "  var o = {}; o.__proto__ = null",
      "  function F() {} F.prototype.m = function () {}",
      "  Object.assign(user.app_metadata, { plan: 'gold' }); Object.defineProperty(context, 'x', { value: 1 })",
      // The Function constructor's harmless uses, and plain constructors.
      "  var f = user.constructor; var ok = user instanceof Function || typeof Function === 'function'",
      "  var s = Function.prototype.toString.call(callback); var n = new user.constructor()",
      "  var e = new Error('x'); var name = e.constructor.name",
      "  var c = require('crypto')"
    ])(
      "`%s`: nothing refused",
      (code) => Effect.map(shared(ruleWith(code)), (found) => assert.deepStrictEqual(found.map((f) => f.detail), []))
    )

    it.effect("a rule in strict mode: this is undefined, not the global object", () =>
      Effect.gen(function*() {
        const found = yield* shared(
          "function (user, context, callback) {\n  'use strict';\n  var self = this;\n  callback(null, user, context);\n}"
        )
        assert.deepStrictEqual(found, [])
      }))

    it.effect("a named rule may assign its own name (it is a function expression as the rule runs)", () =>
      Effect.gen(function*() {
        const found = yield* shared("function rule(user, context, callback) {\n  rule = null;\n  callback();\n}")
        assert.deepStrictEqual(found, [])
      }))

    it.effect("one finding per construct and line", () =>
      Effect.gen(function*() {
        const found = yield* shared(ruleWith("  this.a = 1; this.b = 2; who = 1; who = 2"))
        assert.deepStrictEqual(found.map((f) => `${f.line}:${f.column} ${f.construct} ${f.detail.split(":")[0]}`), [
          "3:2 global.this this at the rule's own level",
          "3:26 global.implicit who"
        ])
      }))

    it.effect("a direct eval stays eval, which a user may accept", () =>
      Effect.gen(function*() {
        const found = yield* shared(ruleWith("  var x = eval('1 + 1')"))
        assert.deepStrictEqual(found.map((f) => f.construct), ["eval"])
        assert.isFalse(Analyze.neverAccepted.has("eval"))
        for (const construct of Object.keys(why)) assert.isTrue(Analyze.neverAccepted.has(construct), construct)
      }))

    it.effect("the Rules globals resolve through scopes: a rule's own configuration or require is not the wrapper's", () =>
      Effect.gen(function*() {
        const analysis = yield* analyze(
          ruleWith(
            "  var configuration = { A: 1 }; var a = configuration.A; function load(require) { return require('vm') }"
          )
        )
        assert.deepStrictEqual(analysis.findings, [])
        assert.deepStrictEqual(analysis.configurationKeys, [])
        assert.deepStrictEqual(analysis.requires, [])
      }))
  })

  describe("claim.restricted: a claim Auth0 keeps for itself, named literally", () => {
    it.effect.each([
      ["  context.idToken.roles = user.app_metadata.roles", "context.idToken.roles", "roles"],
      ["  context.accessToken['sub'] = user.user_id", "context.accessToken.sub", "sub"],
      ["  context.idToken[`permissions`] = []", "context.idToken.permissions", "permissions"],
      ["  context.idToken.groups[0] = 'admins'", "context.idToken.groups", "groups"],
      ["  context.idToken = { email: user.email, roles: [] }", "context.idToken.roles", "roles"],
      [
        "  context.idToken['https://acme.auth0.com/roles'] = []",
        `context.idToken["https://acme.auth0.com/roles"]`,
        "roles"
      ],
      ["  context.accessToken['urn:auth0:tier'] = 'gold'", `context.accessToken["urn:auth0:tier"]`, "tier"]
    ])(
      "`%s`: refused, naming %s, with a namespaced name to use instead",
      ([code, shown, word]) =>
        Effect.gen(function*() {
          const found = yield* detailOf(code)
          assert.strictEqual(found.length, 1, found.join("\n"))
          assert.isTrue(found[0]!.startsWith(`unsupported claim.restricted: ${shown}: `), found[0])
          assert.include(found[0]!, `rename it to a namespaced claim, such as https://example.com/${word}`)
          assert.include(found[0]!, "rulefx denies every login that sets one")
          // Not also reported as translated: the dry run must not say the claim becomes a token claim.
          assert.notInclude(found.join("\n"), "translated")
        })
    )

    it.effect("the reasons differ: a restricted name, or Auth0's namespace", () =>
      Effect.gen(function*() {
        const [restricted] = yield* detailOf("  context.idToken.roles = []")
        const [namespaced] = yield* detailOf("  context.idToken['https://x.auth0.com/roles'] = []")
        assert.include(restricted, `"roles" is a restricted claim name, one Auth0 sets itself`)
        assert.include(namespaced, `"https://x.auth0.com/roles" is on Auth0's own namespace`)
      }))

    it.effect.each([
      "  context.idToken['https://example.com/roles'] = []",
      "  context.idToken.nickname = 'x'",
      "  context.idToken[namespace + 'roles'] = []",
      "  var roles = context.idToken.roles",
      "  delete context.idToken.roles",
      "  context.accessToken.scope = ['read:x']",
      "  context.idToken = { 'https://example.com/roles': [] }"
    ])(
      "`%s`: not refused (a name of yours, computed at run time, a read or a delete)",
      (code) =>
        Effect.gen(function*() {
          const found = yield* detailOf(code)
          assert.isFalse(found.some((f) => f.includes("claim.restricted")), found.join("\n"))
        })
    )

    it("can never be accepted, and says why", () => {
      assert.isTrue(Analyze.neverAccepted.has("claim.restricted"))
      assert.strictEqual(
        Analyze.whyNeverAccepted("claim.restricted"),
        "the Action would deny every login that sets the claim; rename the claim"
      )
      assert.strictEqual(Analyze.whyNeverAccepted("global.implicit"), "overlapping logins could share state through it")
      assert.isUndefined(Analyze.whyNeverAccepted("eval"))
    })
  })

  describe("global.undeclared: names no scope declares, read", () => {
    it.effect("a name the rule assigns without declaring it is refused once, where it is written", () =>
      Effect.gen(function*() {
        const analysis = yield* analyze(ruleWith("  for (i = 0; i < 3; i++) { total = i }\n  var t = total"))
        assert.deepStrictEqual(
          analysis.findings.map((f) => `${f.construct} ${f.detail.split(":")[0]}`),
          ["global.implicit i", "global.implicit total"]
        )
      }))

    it.effect("the standard globals are Node 22's and ECMAScript's, not those of the analysing process", () =>
      Effect.gen(function*() {
        const g = globalThis as Record<string, unknown>
        g["rulefxProbe"] = 1
        const analysis = yield* analyze(ruleWith("  var p = rulefxProbe")).pipe(
          Effect.ensuring(Effect.sync(() => delete g["rulefxProbe"]))
        )
        assert.deepStrictEqual(analysis.findings.map((f) => f.construct), ["global.undeclared"])
        assert.isFalse(Analyze.standardGlobals.has("rulefxProbe"))
      }))

    it.effect.each([
      "  var r = fetch('https://example.com'); var c = structuredClone(user); var n = navigator.userAgent",
      "  var ws = typeof WebSocket; var it = typeof Iterator; var b = Buffer.from('x'); var u = new URL('https://x')",
      "  var k = process.env.KEY; setTimeout(function () {}, 1); queueMicrotask(function () {})",
      "  var id = crypto.randomUUID(); var a = new AbortController(); var t = new TextEncoder()",
      "  if (typeof ipaddr === 'undefined') {}"
    ])(
      "`%s`: standard, or a typeof probe",
      (code) => Effect.map(analyze(ruleWith(code)), (a) => assert.deepStrictEqual(a.findings, []))
    )

    it.effect.each([
      ["  var d = __dirname", "__dirname"],
      ["  var r = request.get", "request"],
      ["  var x = _.pick(user, [])", "_"]
    ])("`%s` is refused naming %s", ([code, name]) =>
      Effect.gen(function*() {
        const analysis = yield* analyze(ruleWith(code!))
        assert.deepStrictEqual(analysis.findings.map((f) => `${f.construct} ${f.detail.split(":")[0]}`), [
          `global.undeclared ${name}`
        ])
      }))
  })

  describe("found running the analysis over the classic templates", () => {
    it.effect("an IdP token read from an identity a lodash call picked is refused", () =>
      Effect.gen(function*() {
        assert.deepStrictEqual(
          yield* constructs(ruleWith(
            "  var tw = _.find(user.identities, { provider: 'twitter' }); var t = tw.access_token; var _ = null"
          )),
          ["3 unsupported user.identities.access_token"]
        )
      }))

    it.effect("new require('x') loads the module: listed and reported", () =>
      Effect.gen(function*() {
        const analysis = yield* analyze(ruleWith("  var u = new require('@auth0/rule-utilities@0.2.0')"))
        assert.deepStrictEqual(analysis.requires, [
          { specifier: "@auth0/rule-utilities@0.2.0", name: "@auth0/rule-utilities", line: 3 }
        ])
      }))

    it.effect("context.jwtConfiguration and delete user[key] are refused", () =>
      Effect.gen(function*() {
        assert.deepStrictEqual(yield* constructs(ruleWith("  context.jwtConfiguration.scopes = 'x'")), [
          "3 unsupported context.jwtConfiguration"
        ])
        assert.deepStrictEqual(yield* constructs(ruleWith("  var key = 'groups'; delete user[key]")), [
          "3 unsupported user.delete"
        ])
      }))

    it.effect("a name nothing declares (a sandbox global such as _ or request) is refused, once per name", () =>
      Effect.gen(function*() {
        const analysis = yield* analyze(
          ruleWith("  var picked = _.pick(user, ['email']); request.get(jwt.sign(picked))")
        )
        assert.deepStrictEqual(
          analysis.findings.map((f) => f.detail.split(":")[0]),
          ["_", "request", "jwt"]
        )
        assert.isTrue(analysis.findings.every((f) => f.construct === "global.undeclared" && f.status === "unsupported"))
      }))

    it.effect("Node's globals, typeof probes and names declared later (var hoisting) are fine", () =>
      Effect.gen(function*() {
        assert.deepStrictEqual(
          yield* constructs(ruleWith(
            "  var b = Buffer.from(JSON.stringify(Math.max(1, 2))); setTimeout(later, 1); " +
              "if (typeof ipaddr === 'undefined') {} function later() {}"
          )),
          []
        )
      }))
  })
})

// ---------------------------------------------------------------------------------------------------------------
// The analysis against the engine: small rules from a grammar, run in a fresh node:vm context
// ---------------------------------------------------------------------------------------------------------------

// The oracle is V8 itself: a generated rule runs in a fresh node:vm context as the runtime runs it, and a property that
// appears on the context's global object, a built-in prototype, or the object the runtime loads the rule from, is
// state overlapping logins would share. Every statement of the grammar runs (no branch is ever skipped), so the
// analysis must refuse exactly those rules; a rule that throws half way is left out.

// How a generated function is defined and run: each runs its body exactly once, except `dead` (never run).
const uses = {
  declPlain: (n: string, b: string) => `function ${n}() {${b}} ${n}();`,
  declNew: (n: string, b: string) => `function ${n}() {${b}} new ${n}();`,
  declCall: (n: string, b: string) => `function ${n}() {${b}} ${n}.call({});`,
  declCallNull: (n: string, b: string) => `function ${n}() {${b}} ${n}.call(null);`,
  declApply: (n: string, b: string) => `function ${n}() {${b}} ${n}.apply(undefined, []);`,
  declMethod: (n: string, b: string) => `function ${n}() {${b}} ({ m: ${n} }).m();`,
  declProto: (n: string, b: string) => `function ${n}() {} ${n}.prototype.m = function () {${b}}; new ${n}().m();`,
  declBind: (n: string, b: string) => `function ${n}() {${b}} ${n}.bind({})();`,
  declProtoEscape: (n: string, b: string) =>
    `function ${n}() {${b}} ${n}.prototype.k = 1; [${n}].forEach(function (G) { new G(); });`,
  exprPlain: (_: string, b: string) => `(function () {${b}})();`,
  exprNamed: (n: string, b: string) => `(function ${n}() {${b}})();`,
  exprNamedAssign: (n: string, b: string) => `(function ${n}() { ${n} = 1; ${b}})();`,
  exprNew: (_: string, b: string) => `new (function () {${b}})();`,
  exprCall: (_: string, b: string) => `(function () {${b}}).call({});`,
  exprMethod: (_: string, b: string) => `({ m: function () {${b}} }).m();`,
  exprShorthand: (_: string, b: string) => `({ m() {${b}} }).m();`,
  exprGetter: (_: string, b: string) => `({ get g() {${b} return 0; } }).g;`,
  exprMember: (n: string, b: string) => `var ${n} = {}; ${n}.m = function () {${b}}; ${n}.m();`,
  varNew: (n: string, b: string) => `var ${n} = function () {${b}}; new ${n}();`,
  varPlain: (n: string, b: string) => `var ${n} = function () {${b}}; ${n}();`,
  arrow: (_: string, b: string) => `(() => {${b}})();`,
  forEach: (_: string, b: string) => `[1].forEach(function () {${b}});`,
  classConstructor: (_: string, b: string) => `new (class { constructor() {${b}} })();`,
  classField: (_: string, b: string) => `new (class { f = (() => {${b}})(); })();`,
  dead: (n: string, b: string) => `function ${n}() {${b}}`
} as const

type Use = keyof typeof uses

// Ways to the global object or a built-in prototype, each writing property `p`.
const sharedForms = [
  (p: string, g: string) => `var ${g} = globalThis; ${g}.${p} = 1;`,
  (p: string) => `globalThis.${p} = 1;`,
  (p: string) => `Object.assign(globalThis, { ${p}: 1 });`,
  (p: string) => `Object.prototype.${p} = 1;`,
  (p: string) => `({}).__proto__.${p} = 1;`,
  (p: string) => `[].constructor.prototype.${p} = 1;`,
  (p: string) => `(0, eval)("var ${p} = 1");`,
  (p: string) => `Function("this.${p} = 1")();`,
  (p: string) => `[].constructor.constructor("this.${p} = 1")();`
]

type Stmt =
  | { readonly k: "decl"; readonly kind: "var" | "let" | "const"; readonly name: string }
  | { readonly k: "write"; readonly form: number; readonly name: string }
  | { readonly k: "this"; readonly alias: boolean }
  | { readonly k: "block" | "if"; readonly body: ReadonlyArray<Stmt> }
  | { readonly k: "catch"; readonly name: string; readonly destructure: boolean; readonly body: ReadonlyArray<Stmt> }
  | { readonly k: "with"; readonly name: string }
  | { readonly k: "blockFunction"; readonly name: string; readonly async: boolean; readonly shadowed: boolean }
  | { readonly k: "classDecl" | "arguments"; readonly name: string }
  | { readonly k: "shared"; readonly form: number }
  | { readonly k: "forLet"; readonly name: string; readonly body: ReadonlyArray<Stmt> }
  | { readonly k: "switch"; readonly body: ReadonlyArray<Stmt> }
  | { readonly k: "param"; readonly name: string; readonly target: string; readonly body: ReadonlyArray<Stmt> }
  | {
    readonly k: "fn"
    readonly use: Use
    readonly strict: boolean
    readonly name: string | undefined
    readonly body: ReadonlyArray<Stmt>
  }

interface Generated {
  readonly arrow: boolean
  readonly strict: boolean
  readonly body: ReadonlyArray<Stmt>
}

// `exact`: every function runs, and has a name of its own; otherwise functions may share the variables' names or
// never run, and only soundness is checked.
const grammar = (exact: boolean): fc.Arbitrary<Generated> => {
  const name = fc.constantFrom("a", "b", "c")
  const useNames = Object.keys(uses).filter((u) => !exact || u !== "dead") as Array<Use>
  const { body } = fc.letrec<{ body: ReadonlyArray<Stmt>; stmt: Stmt }>((tie) => ({
    body: fc.array(tie("stmt"), { minLength: 1, maxLength: 4, depthIdentifier: "stmt" }),
    stmt: fc.oneof(
      { maxDepth: 3, depthIdentifier: "stmt", depthSize: "small" },
      fc.record({ k: fc.constant("write" as const), form: fc.nat({ max: 5 }), name }),
      // Declarations weigh more, or most names would be globals.
      {
        arbitrary: fc.record({ k: fc.constant("decl" as const), kind: fc.constantFrom("var", "let", "const"), name }),
        weight: 3
      },
      fc.record({ k: fc.constant("this" as const), alias: fc.boolean() }),
      fc.record({ k: fc.constant("with" as const), name }),
      fc.record({ k: fc.constant("blockFunction" as const), name, async: fc.boolean(), shadowed: fc.boolean() }),
      fc.record({ k: fc.constantFrom("classDecl" as const, "arguments" as const), name }),
      fc.record({ k: fc.constant("shared" as const), form: fc.nat({ max: sharedForms.length - 1 }) }),
      fc.record({ k: fc.constant("forLet" as const), name, body: tie("body") }),
      fc.record({ k: fc.constant("switch" as const), body: tie("body") }),
      fc.record({ k: fc.constantFrom("block" as const, "if" as const), body: tie("body") }),
      fc.record({ k: fc.constant("catch" as const), name, destructure: fc.boolean(), body: tie("body") }),
      fc.record({ k: fc.constant("param" as const), name, target: name, body: tie("body") }),
      fc.record({
        k: fc.constant("fn" as const),
        use: fc.constantFrom(...useNames),
        strict: fc.constantFrom(false, false, true),
        name: exact ? fc.constant(undefined) : fc.option(name, { nil: undefined }),
        body: tie("body")
      })
    )
  }))
  return fc.record({ arrow: fc.boolean(), strict: fc.constantFrom(false, false, false, true), body })
}

const render = (generated: Generated): string => {
  let fresh = 0
  const next = (prefix: string) => `${prefix}${fresh++}`
  const writes = [
    (n: string) => `${n} = 1;`,
    (n: string) => `[${n}] = [1];`,
    (n: string) => `({ k: ${n} } = { k: 1 });`,
    (n: string) => `for (${n} in { k: 1 }) {}`,
    (n: string) => `for (${n} of [1]) {}`,
    (n: string) => `${n} += 1;`
  ]
  const stmts = (body: ReadonlyArray<Stmt>): string => body.map(stmt).join(" ")
  const stmt = (s: Stmt): string => {
    switch (s.k) {
      case "decl":
        return `${s.kind} ${s.name} = 1;`
      case "write":
        return writes[s.form]!(s.name)
      case "this": {
        const property = next("p")
        if (!s.alias) return `this.${property} = 1;`
        const alias = next("t")
        return `var ${alias} = this; ${alias}.${property} = 1;`
      }
      case "block":
        return `{ ${stmts(s.body)} }`
      case "if":
        return `if (true) { ${stmts(s.body)} }`
      case "catch":
        return `try { throw { k: 1 }; } catch (${s.destructure ? `{ k: ${s.name} }` : s.name}) { ${stmts(s.body)} }`
      case "with":
        return `with ({}) { ${s.name} = 1; }`
      case "blockFunction": {
        const block = `{ ${s.async ? "async " : ""}function ${s.name}() {} }`
        return s.shadowed ? `{ let ${s.name} = 1; ${block} }` : block
      }
      case "shared":
        return sharedForms[s.form]!(next("p"), next("g"))
      case "classDecl":
        return `class ${s.name} {}`
      case "arguments":
        return `arguments = 1;`
      case "forLet":
        return `for (let ${s.name} of [1]) { ${stmts(s.body)} }`
      case "switch":
        return `switch (1) { case 1: ${stmts(s.body)} }`
      case "param":
        return `(function (${s.name} = (${s.target} = 1)) { ${stmts(s.body)} })();`
      case "fn": {
        const strict = s.strict && !["arrow", "classConstructor", "classField", "exprNamedAssign"].includes(s.use)
          ? `"use strict"; `
          : ""
        return uses[s.use](s.name ?? next("f"), ` ${strict}${stmts(s.body)} `)
      }
    }
  }
  const body = stmts(generated.body)
  return generated.arrow
    ? `(user, context, callback) => {\n  ${body}\n}\n`
    : `function (user, context, callback) {\n  ${generated.strict ? `"use strict"; ` : ""}${body}\n}\n`
}

// Runs the rule as the runtime does (the wrapper called on the runtime's own object, the rule called plainly) in a
// fresh context, and tells whether the global object, a built-in prototype or the runtime's object gained a property.
const observe = (source: string): { readonly threw: boolean; readonly leaked: boolean } => {
  const runtime: Record<string, unknown> = {}
  const context = vm.createContext({ runtime })
  const shared = vm.runInContext("[globalThis, Object.prototype, Array.prototype, Function.prototype]", context) as [
    object
  ]
  const keys = () => shared.map((o) => Reflect.ownKeys(o).length).join()
  const before = keys()
  let threw = false
  try {
    vm.runInContext(
      `(function ({ configuration, global, auth0, UnauthorizedError, require, console }) {\n  return (\n${source}\n  )\n})` +
        `.call(runtime, {})({ email: "a@example.com" }, {}, function () {})`,
      context,
      { timeout: 1000 }
    )
  } catch {
    threw = true
  }
  const leaked = keys() !== before || Reflect.ownKeys(runtime).length > 0
  return { threw, leaked }
}

// Whether the analysis refuses the rule for state overlapping logins could share; `undefined` when it does not parse.
// Effect.runSync: fast-check shrinks a failing program only with a synchronous predicate.
const refusesSharing = (source: string): boolean | undefined => {
  const result = Effect.runSync(Effect.result(analyze(source)))
  return result._tag === "Failure"
    ? undefined
    : result.success.findings.some((f) => Analyze.neverAccepted.has(f.construct))
}

// Seeded, so a run is repeatable and CI never meets a new program by chance; RULEFX_FUZZ_SEED and RULEFX_FUZZ_RUNS
// explore further (24,000 runs on other seeds found one case, the destructured catch below, now a unit test).
const fuzz = {
  seed: Number(process.env["RULEFX_FUZZ_SEED"] ?? 20261201),
  runs: (n: number) => Number(process.env["RULEFX_FUZZ_RUNS"] ?? n)
}

describe("the analysis against the engine (generated rules run in node:vm)", () => {
  it("a function in a block does not hoist past a destructured catch parameter of its name (V8 agrees)", () => {
    const source = "function (user, context, callback) {\n" +
      "  try { throw { k: 1 } } catch ({ k: a }) { { function a() {} } }\n" +
      "  with ({}) { a = 1 }\n}"
    assert.isTrue(observe(source).leaked)
    assert.isTrue(refusesSharing(source))
  })

  it("refuses exactly the rules that leave a property on the global object or the runtime's object", () => {
    const seen = { refused: 0, fine: 0 }
    fc.assert(
      fc.property(grammar(true), (generated) => {
        const source = render(generated)
        const refused = refusesSharing(source)
        const { leaked, threw } = observe(source)
        // A rule that stops half way (a TDZ, a const, strict mode) does not run every path.
        fc.pre(refused !== undefined && !threw)
        seen[refused ? "refused" : "fine"]++
        assert.strictEqual(refused, leaked, source)
      }),
      { numRuns: fuzz.runs(1000), seed: fuzz.seed }
    )
    // The generator must reach both outcomes, or the property says little.
    assert.isAbove(seen.refused, 100)
    assert.isAbove(seen.fine, 100)
  }, 120_000)

  it("never misses a leak, with dead code and functions that share the variables' names", () => {
    fc.assert(
      fc.property(grammar(false), (generated) => {
        const source = render(generated)
        const refused = refusesSharing(source)
        fc.pre(refused !== undefined)
        if (observe(source).leaked) assert.isTrue(refused, source)
      }),
      { numRuns: fuzz.runs(500), seed: fuzz.seed }
    )
  }, 120_000)
})
