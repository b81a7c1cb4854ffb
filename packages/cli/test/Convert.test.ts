/**
 * `rulefx convert`'s translation, one recogniser at a time: what each legacy construct becomes in the typed module,
 * and that what convert cannot translate becomes a RULEFX_TODO naming its line, never other code.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Convert from "@rulefx/cli/Convert"
import * as Effect from "effect/Effect"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const rule = (body: string) => `/** A rule. */\nfunction (user, context, callback) {\n${body}\n}\n`

const convert = (body: string, name = "a-rule") => Convert.convertSource(name, "rules/a-rule.js", rule(body))

// The statements of the rule's check, without the module around them (reads and secrets included).
const check = (c: Convert.Conversion): string => {
  const start = c.module.indexOf("Effect.gen(function*() {\n") + "Effect.gen(function*() {\n".length
  return c.module.slice(start, c.module.lastIndexOf("  })\n)")).split("\n").map((l) => l.trim()).filter((l) =>
    l.length > 0
  ).join("\n")
}

describe("Convert: reads of user and context", () => {
  it.effect("a known field becomes a local read from Login, once however often it is read", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  if (context.clientName === 'Admin' && context.clientName !== user.email) {
    return callback(new UnauthorizedError('No.'));
  }
  callback(null, user, context);`)
      assert.strictEqual(c.status, "converted")
      assert.strictEqual(
        check(c),
        [
          "const login = yield* Login",
          "const clientName = login.client.name",
          "const userEmail = login.user.email",
          "if (clientName === 'Admin' && clientName !== userEmail) {",
          "return yield* new No()",
          "}"
        ].join("\n")
      )
    }))

  it.effect("metadata keys are read with brackets; geoip keys under the event's names; the profile's other fields", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  var plan = user.app_metadata.plan || context.clientMetadata.tier;
  var country = context.request.geoip.country_name;
  var picture = user.picture;
  callback(null, user, context);`)
      assert.strictEqual(c.status, "converted")
      assert.include(c.module, `var plan = appMetadata["plan"] || clientMetadata["tier"]`)
      assert.include(c.module, `var country = geoip["countryName"]`)
      assert.include(c.module, `var picture = profile["picture"]`)
      assert.include(c.module, `const appMetadata: Readonly<Record<string, any>> = login.user.appMetadata`)
    }))

  it.effect("a local named like a read keeps its name; the read gets another", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  var userEmail = 'x';
  if (user.email === userEmail) return callback(new Error('Same.'));
  callback(null, user, context);`)
      assert.include(c.module, "const userEmail2 = login.user.email")
      assert.include(c.module, "if (userEmail2 === userEmail) {")
    }))

  it.effect("configuration.KEY becomes a secret, read before the rule's statements", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  if (context.request.query.token !== configuration.TOKEN) return callback(new Error('Bad token.'));
  callback(null, user, context);`)
      assert.deepStrictEqual(c.secrets, ["TOKEN"])
      assert.include(c.module, `const configurationTOKEN = Redacted.value(yield* Secrets.get("TOKEN"))`)
      assert.include(c.module, `if (requestQuery["token"] !== configurationTOKEN) {`)
    }))
})

describe("Convert: more statements and reads", () => {
  it.effect("switch keeps its cases, break included; context.authentication is Rules' (timestamps in ms)", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  switch (context.connectionStrategy) {
    case 'auth0':
      if (!context.authentication.methods.find((m) => m.name === 'mfa')) {
        context.multifactor = { provider: 'any', allowRememberBrowser: false };
      }
      break;
    default:
      return callback(new Error('Social logins are closed.'));
  }
  callback(null, user, context);`)
      assert.strictEqual(c.status, "converted")
      assert.include(c.module, "switch (connectionStrategy) {\n      case 'auth0':\n")
      assert.include(c.module, `if (!authentication["methods"].find((m: any) => m.name === 'mfa')) {`)
      assert.include(c.module, "        break\n      default:\n        return yield* new SocialLoginsAreClosed()")
      assert.include(c.module, `Date.parse(String(m.timestamp))`)
    }))
})

describe("Convert: decisions", () => {
  it.effect("claims: a literal value is set; another only when defined, as Rules sent JSON", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  var namespace = 'https://example.com/';
  context.idToken[namespace + 'tier'] = 'gold';
  context.accessToken[namespace + 'email'] = user.email;
  callback(null, user, context);`)
      assert.strictEqual(
        check(c),
        [
          "const login = yield* Login",
          "const userEmail = login.user.email",
          "var namespace = 'https://example.com/'",
          "yield* Decision.setIdTokenClaim(namespace + 'tier', 'gold')",
          "const claim = userEmail",
          "if (claim !== undefined) yield* Decision.setAccessTokenClaim(namespace + 'email', claim)"
        ].join("\n")
      )
    }))

  it.effect("MFA with a literal provider and flag; a redirect to { url }", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  if (user.app_metadata.risky) {
    context.multifactor = { provider: 'guardian', allowRememberBrowser: true };
  } else {
    context.redirect = { url: 'https://example.com/consent' };
  }
  callback(null, user, context);`)
      assert.strictEqual(c.status, "converted")
      assert.include(c.module, `yield* Decision.requireMfa("guardian", { allowRememberBrowser: true })`)
      assert.include(c.module, `yield* Decision.redirect('https://example.com/consent')`)
    }))

  it.effect("metadata persisted through auth0: the rule's own copy, and a write per changed key", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  user.app_metadata = user.app_metadata || {};
  if (user.app_metadata.signed_up) return callback(null, user, context);
  user.app_metadata.signed_up = true;
  auth0.users.updateAppMetadata(user.user_id, user.app_metadata)
    .then(function () { callback(null, user, context); })
    .catch(function (err) { callback(err); });`)
      assert.strictEqual(c.status, "converted")
      assert.strictEqual(
        check(c),
        [
          "const login = yield* Login",
          "const appMetadata: Record<string, any> = { ...login.user.appMetadata }",
          `if (appMetadata["signed_up"]) {`,
          "return",
          "}",
          `appMetadata["signed_up"] = true`,
          `if (appMetadata["signed_up"] !== undefined && appMetadata["signed_up"] !== login.user.appMetadata["signed_up"]) {`,
          `yield* Decision.persistAppMetadata("signed_up", appMetadata["signed_up"])`,
          "}"
        ].join("\n")
      )
    }))

  it.effect("one denial class per message, named after it, with the message Auth0 shows", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  if (!user.email_verified) return callback(new UnauthorizedError('Please verify your email before logging in.'));
  if (!user.email) return callback(new Error('Please verify your email before logging in.'));
  callback(null, user, context);`)
      assert.deepStrictEqual(c.denials, [{
        name: "PleaseVerifyYourEmailBefore",
        message: "Please verify your email before logging in."
      }])
      assert.include(
        c.module,
        `export class PleaseVerifyYourEmailBefore extends Denial.Class("PleaseVerifyYourEmailBefore")<{}> {`
      )
      assert.include(c.module, `return "Please verify your email before logging in."`)
    }))
})

const todos = (c: Convert.Conversion) => c.todos.map((t) => `${t.line}: ${t.reason}`)

describe("Convert: what it leaves as a TODO", () => {
  it.effect("each untranslatable statement: a RULEFX_TODO call naming its line and construct, the legacy code above", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  var request = require('request');
  user.app_metadata.seen = true;
  for (var i = 0; i < 3; i++) {}
  context.samlConfiguration.mappings = {};
  context.multifactor = { provider: configuration.PROVIDER };
  if (context.sso.with_auth0) return callback(null, user, context);
  callback(new Error(context.clientName));`)
      assert.strictEqual(c.status, "none")
      // rule() puts the body's first line (empty here) on line 3 of the file.
      assert.deepStrictEqual(todos(c), [
        "4: uses `require`, which a typed rule does not have",
        "5: writes user.app_metadata.seen: a change to `user` is seen by later rules (make it a Fact)",
        "6: loops",
        "7: writes context.samlConfiguration.mappings, which no Decision records",
        "8: sets `context.multifactor` with a field other than a literal provider and flag",
        "9: reads context.sso.with_auth0, which Login does not have",
        "10: calls back with an error whose message is not a string literal"
      ])
      assert.include(
        c.module,
        `RULEFX_TODO("line 4: var request = require('request');: uses \`require\`, which a typed rule does not have")`
      )
      assert.include(
        c.module,
        "// TODO(rulefx convert) line 6: loops. The legacy code:\n    //   for (var i = 0; i < 3; i++) {}"
      )
      // Declared nowhere: the module cannot compile while a TODO is left.
      const declaring = c.module.split("\n").filter((l) =>
        /^(declare|const|let|var|function|import|type)\b/.test(l.trim()) && l.includes("RULEFX_TODO")
      )
      assert.deepStrictEqual(declaring, [])
      // The loop is only in the comment and the TODO's text, never code.
      assert.isFalse(c.module.split("\n").some((l) => l.trim().startsWith("for (")))
    }))

  it.effect("asynchronous code: callback passed on, await, an async function", () =>
    Effect.gen(function*() {
      const passed = yield* convert(`
  auth0.users.updateAppMetadata(user.user_id, { a: 1 }).then(function () { callback(null, user, context); });`)
      assert.deepStrictEqual(todos(passed), ["4: uses `auth0`, which a typed rule does not have"])
      const asyncRule = yield* Convert.convertSource(
        "r",
        "r.js",
        "async function (user, context, callback) {\n  callback(null, user, context);\n}"
      )
      assert.strictEqual(asyncRule.status, "none")
      assert.include(asyncRule.module, "RULEFX_TODO(\"line 1: the rule's function is asynchronous")
    }))

  it.effect("a partial conversion keeps what it translated", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  if (!user.email_verified) return callback(new UnauthorizedError('Verify first.'));
  global.seen = true;
  callback(null, user, context);`)
      assert.strictEqual(c.status, "partial")
      assert.include(c.module, "return yield* new VerifyFirst()")
      assert.deepStrictEqual(todos(c), ["5: uses `global`, which a typed rule does not have"])
    }))

  it.effect("the rule's own parameter names are followed", () =>
    Effect.gen(function*() {
      const c = yield* Convert.convertSource(
        "r",
        "r.js",
        "function (u, ctx, done) {\n  ctx.idToken.email = u.email;\n  done(null, u, ctx);\n}"
      )
      assert.strictEqual(c.status, "converted")
      assert.include(c.module, `if (claim !== undefined) yield* Decision.setIdTokenClaim("email", claim)`)
    }))
})

// A rules folder holding the rules given, in this order.
const folder = (rules: Record<string, string>) => {
  const dir = mkdtempSync(join(tmpdir(), "rulefx-convert-earlier-"))
  for (const [i, [name, body]] of Object.entries(rules).entries()) {
    writeFileSync(join(dir, `${name}.js`), rule(body))
    writeFileSync(join(dir, `${name}.json`), JSON.stringify({ name, enabled: true, order: i + 1 }))
  }
  return dir
}

describe("Convert: what earlier rules leave on user and context", () => {
  it.effect("a read of a field an earlier rule writes is a TODO naming that rule; a later rule's write is not", () =>
    Effect.gen(function*() {
      const dir = folder({
        "set-roles": `  user.app_metadata = user.app_metadata || {};\n  if (context.clientName === 'admin') ` +
          `user.roles = ['ADMIN'];\n  callback(null, user, context);`,
        "deny-roles":
          `  if (!user.roles || user.app_metadata.blocked) return callback(new Error('No.'));\n  callback(null, user, context);`,
        "after": `  user.email = 'x';\n  callback(null, user, context);`
      })
      const out = join(dir, "out")
      const written = yield* Convert.convert(dir, "deny-roles", { out, check: false })
      assert.deepStrictEqual(written.todos.map((t) => t.reason), [
        "reads user.roles, which the earlier rule set-roles may change (a typed rule reads the login's own value), " +
        "not always to one expression over the login that convert makes a fact of: write a Fact for it, or convert " +
        "with --after-legacy"
      ])
      // Alone in its folder, the same rule converts.
      const alone = folder({
        "deny-roles": `  if (!user.roles) return callback(new Error('No.'));\n  callback(null, user, context);`
      })
      assert.strictEqual((yield* Convert.convert(alone, "deny-roles", { out, check: false })).status, "converted")
      rmSync(dir, { recursive: true, force: true })
      rmSync(alone, { recursive: true, force: true })
    }))

  it.effect("a read through an empty fallback, (user.app_metadata || {}).key, is the key's read", () =>
    Effect.gen(function*() {
      const dir = folder({
        // Hands app_metadata.roles on (to a claim): may change roles, nothing else of app_metadata.
        "set-roles":
          `  var roles = user.app_metadata.roles || [];\n  context.idToken['https://x.test/roles'] = roles;\n` +
          `  callback(null, user, context);`,
        "enrich": `  if (context.clientName === 'crm') user.app_metadata.crm_tier = context.clientID;\n` +
          `  callback(null, user, context);`,
        "by-plan":
          `  var plan = (user.app_metadata || {}).plan;\n  if (plan === 'gold') return callback(new Error('No.'));\n` +
          `  callback(null, user, context);`,
        "by-tier": `  var tier = ((user.app_metadata || {}).crm_tier ?? '');\n` +
          `  if (tier === 'gold') return callback(new Error('No.'));\n  callback(null, user, context);`
      })
      const out = join(dir, "out")
      // No earlier rule writes app_metadata.plan: converted, read from Login as written.
      const plan = yield* Convert.convert(dir, "by-plan", { out, check: false })
      assert.deepStrictEqual(plan.todos, [])
      assert.strictEqual(plan.status, "converted")
      assert.include(plan.module, "var plan = (appMetadata || {}).plan")
      // enrich writes app_metadata.crm_tier: it is named, not set-roles.
      const tier = yield* Convert.convert(dir, "by-tier", { out, check: false })
      assert.deepStrictEqual(tier.todos.map((t) => t.reason.split(" may change")[0]), [
        "reads user.app_metadata.crm_tier, which the earlier rule enrich"
      ])
      rmSync(dir, { recursive: true, force: true })
    }))

  it.effect("every earlier rule that may change a read is named, the one writing the key itself first", () =>
    Effect.gen(function*() {
      const dir = folder({
        // May change anything of user.
        "hand-on":
          `  if (context.clientName === 'x') audit(user);\n  callback(null, user, context);\n  function audit(u) {}`,
        // Persists app_metadata (a parent of the key), harmless for crm_tier but not provably so.
        "sync": `  auth0.users.updateAppMetadata(user.user_id, user.app_metadata);\n  callback(null, user, context);`,
        "set-roles":
          `  var roles = user.app_metadata.roles || [];\n  context.idToken['https://x.test/roles'] = roles;\n` +
          `  callback(null, user, context);`,
        "enrich": `  if (context.clientName === 'crm') user.app_metadata.crm_tier = context.clientID;\n` +
          `  callback(null, user, context);`,
        "by-tier": `  if (user.app_metadata.crm_tier === 'gold') return callback(new Error('No.'));\n` +
          `  callback(null, user, context);`
      })
      const written = yield* Convert.convert(dir, "by-tier", { out: join(dir, "out"), check: false })
      assert.deepStrictEqual(written.todos.map((t) => t.reason.split(" may change")[0]), [
        "reads user.app_metadata.crm_tier, which the earlier rules enrich, sync and hand-on"
      ])
      rmSync(dir, { recursive: true, force: true })
    }))

  it.effect("an earlier rule that hands `user` to a function may change any of it", () =>
    Effect.gen(function*() {
      const dir = folder({
        "log-user": `  console.log(JSON.stringify(user));\n  callback(null, user, context);`,
        "check": `  if (!user.email_verified) return callback(new Error('No.'));\n  callback(null, user, context);`
      })
      const written = yield* Convert.convert(dir, "check", { out: join(dir, "out"), check: false })
      assert.strictEqual(written.status, "none")
      assert.include(written.todos[0]?.reason, "the earlier rule log-user may change")
      rmSync(dir, { recursive: true, force: true })
    }))
})

describe("Convert: metadata the rule persists", () => {
  it.effect("a read that could change it in place is a TODO: a method on a value, the value handed on", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  user.app_metadata.roles = user.app_metadata.roles || [];
  user.app_metadata.roles.push('user');
  user.app_metadata.count = Object.assign(user.app_metadata.stats, {});
  auth0.users.updateAppMetadata(user.user_id, user.app_metadata)
    .then(function () { callback(null, user, context); })
    .catch(function (err) { callback(err); });`)
      assert.deepStrictEqual(c.todos.map((t) => `${t.line}: ${t.reason}`), [
        "5: reads user.app_metadata.roles.push, of the metadata it persists, other than as a value by its key",
        "6: reads user.app_metadata.stats, of the metadata it persists, other than as a value by its key"
      ])
    }))
})

// A rule that persists what it wrote with `call` (how is the point), then denies.
const terms = (call: string) => `
  user.user_metadata = user.user_metadata || {};
  if (context.request.query.accepted === 'yes') {
    user.user_metadata.terms_accepted = true;
    ${call}
  }
  return callback(new UnauthorizedError('You must accept the terms.'));`

describe("Convert: a returned persisting call", () => {
  // Finding (new-user review): `return auth0.users.updateUserMetadata(...).then(...)` was a TODO "returns a value
  // other than `callback(...)`", though convert translates the same call written as a statement.
  const persist = `auth0.users.updateUserMetadata(user.user_id, user.user_metadata)
      .then(function () { callback(null, user, context); })
      .catch(function (err) { callback(err); })`
  it.effect("is translated as the statement followed by return is: Rules ignored what a rule returned", () =>
    Effect.gen(function*() {
      const returned = yield* convert(terms(`return ${persist};`))
      const statement = yield* convert(terms(`${persist};\n    return;`))
      assert.strictEqual(returned.status, "converted")
      assert.strictEqual(check(returned), check(statement))
      assert.include(
        check(returned),
        `yield* Decision.persistUserMetadata("terms_accepted", userMetadata["terms_accepted"])`
      )
    }))

  it.effect("in another form, or another value returned, the TODO says what it means and what to write", () =>
    Effect.gen(function*() {
      const other = yield* convert(terms(`return auth0.users.updateUserMetadata(user.user_id, user.user_metadata)
      .then(function () { callback(null, user, context); });`))
      assert.deepStrictEqual(other.todos.map((t) => t.reason), [
        "returns the promise of auth0.users.updateUserMetadata in a form convert does not translate: it translates " +
        "`auth0.users.updateUserMetadata(user.user_id, user.user_metadata).then(() => callback(null, user, context))" +
        ".catch((err) => callback(err))`, returned or not, into Decision.persistUserMetadata for each key the rule " +
        "wrote; write it that way, or by hand: `yield* Decision.persistUserMetadata(key, value)` for each key, then " +
        "end the rule where it called back"
      ])
      const value = yield* convert(`  return context.clientName;`)
      assert.include(
        value.todos[0]?.reason,
        "returns a value instead of calling back: Rules ignored what a rule returned"
      )
    }))
})

describe("Convert: code after callback", () => {
  // Finding (new-user review): `callback(null, user, context)` without a `return`, followed by more code, became a
  // `return`: the claim the legacy rule set after the callback (which still reached the token) was silently dropped.
  it.effect("a callback that lets the rule go on, with code after it, is a TODO, not a return", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  if (context.clientName === 'Admin') {
    callback(null, user, context);
  }
  context.idToken['https://example.com/late'] = 'yes';
  callback(null, user, context);`)
      assert.strictEqual(c.status, "partial")
      assert.include(c.module, "calls back without `return`: Rules still ran the statements after it")
    }))

  it.effect("followed only by a bare return, or returned, it still ends the rule", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  if (context.clientName === 'Admin') {
    callback(null, user, context);
    return;
  }
  if (context.clientName === 'Ops') return callback(null, user, context);
  context.idToken['https://example.com/late'] = 'yes';
  callback(null, user, context);`)
      assert.strictEqual(c.status, "converted")
      assert.notInclude(c.module, "RULEFX_TODO")
    }))
})

describe("Convert: a setting in a token", () => {
  // Finding (new-user review): `context.idToken[ns + "support_url"] = configuration.SUPPORT_URL` converted fully, and
  // the typed rule put the setting into the token where the migrated Action denies the login (SecretInClaim).
  it.effect("a claim whose value reads `configuration` is a TODO; one that only tests it is not", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  context.idToken['https://example.com/support_url'] = configuration.SUPPORT_URL;
  callback(null, user, context);`)
      assert.notStrictEqual(c.status, "converted")
      assert.include(c.module, "writes `configuration.SUPPORT_URL` into a token claim")
      const tested = yield* convert(`
  if (context.request.query.token === configuration.TOKEN) {
    context.idToken['https://example.com/trusted'] = true;
  }
  callback(null, user, context);`)
      assert.strictEqual(tested.status, "converted")
    }))
})

describe("Convert: context.accessToken.scope", () => {
  it.effect("the rule's own local, written as the legacy code does, replaces the scopes when the rule ends", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  if (context.clientName !== 'Billing') return callback(null, user, context);
  context.accessToken.scope = ['openid', 'read:invoices'];
  context.accessToken.scope.push('write:invoices');
  context.accessToken.scope = context.accessToken.scope.filter(function (s) { return s !== 'openid'; });
  callback(null, user, context);`)
      assert.strictEqual(c.status, "converted")
      assert.strictEqual(
        check(c),
        [
          "const login = yield* Login",
          "const clientName = login.client.name",
          "const requestedScopes: ReadonlyArray<string> = login.transaction.requestedScopes",
          "// What the rule leaves in Rules' context.accessToken.scope (nothing until it sets it, as under Rules).",
          "let accessTokenScope: any = undefined",
          "yield* Effect.gen(function*() {",
          "if (clientName !== 'Billing') {",
          "return",
          "}",
          "accessTokenScope = ['openid', 'read:invoices']",
          "accessTokenScope.push('write:invoices')",
          "accessTokenScope = accessTokenScope.filter(function (s: any) { return s !== 'openid'; })",
          "})",
          "// Rules replaced the token's scopes with what the rule left: add what was not requested, remove what is gone.",
          "const scopesLeft: ReadonlyArray<string> | undefined = Array.isArray(accessTokenScope)",
          "? accessTokenScope.filter((s: unknown): s is string => typeof s === \"string\")",
          ": typeof accessTokenScope === \"string\"",
          "? accessTokenScope.split(\" \").filter((s: string) => s.length > 0)",
          ": undefined",
          "if (scopesLeft !== undefined) {",
          "for (const s of scopesLeft) if (!requestedScopes.includes(s)) yield* Decision.addScope(s)",
          "for (const s of requestedScopes) if (!scopesLeft.includes(s)) yield* Decision.removeScope(s)",
          "}"
        ].join("\n")
      )
    }))

  it.effect("a rule that never touches the scope gets no local and no scope decisions", () =>
    Effect.gen(function*() {
      const c = yield* convert(
        `  context.accessToken['https://example.com/a'] = 'b';\n  callback(null, user, context);`
      )
      assert.notInclude(c.module, "accessTokenScope")
      assert.notInclude(c.module, "Scope(")
    }))

  it.effect("an earlier rule that sets the scope makes every use of it a TODO; an earlier claim does not", () =>
    Effect.gen(function*() {
      const dir = folder({
        "claim": `  context.accessToken['https://example.com/' + 'a'] = 1;\n  callback(null, user, context);`,
        "set-scope": `  context.accessToken.scope = 'openid';\n  callback(null, user, context);`,
        "push-scope": `  context.accessToken.scope.push('x');\n  callback(null, user, context);`
      })
      const out = join(dir, "out")
      const pushed = yield* Convert.convert(dir, "push-scope", { out, check: false })
      assert.strictEqual(pushed.status, "none")
      assert.include(pushed.todos[0]?.reason, "the earlier rule set-scope may set")
      const set = yield* Convert.convert(dir, "set-scope", { out, check: false })
      assert.strictEqual(set.status, "converted")
      rmSync(dir, { recursive: true, force: true })
    }))
})

describe("Convert --after-legacy: what the earlier, still legacy, rules left", () => {
  it.effect("is read through their State as written; a field no earlier rule writes still comes from Login", () =>
    Effect.gen(function*() {
      const dir = folder({
        "set-tier": `  user.tier = 'gold';\n  callback(null, user, context);`,
        "deny-tier": `  if (user.tier !== 'gold' || !user.email_verified) return callback(new Error('No.'));\n` +
          `  callback(null, user, context);`
      })
      const out = join(dir, "out")
      // Without it, user.tier is the fact set-tier's write makes.
      const plain = yield* Convert.convert(dir, "deny-tier", { out, check: false })
      assert.deepStrictEqual(plain.facts, ["UserTier"])
      const after = yield* Convert.convert(dir, "deny-tier", { out, afterLegacy: true, check: false })
      assert.strictEqual(after.status, "converted")
      assert.include(
        after.module,
        `export const denyTier = (legacy: { readonly State: LegacyRules.LegacyRules["State"] }) =>`
      )
      assert.include(after.module, "const legacyState = yield* legacy.State")
      assert.include(after.module, "const legacyUser: Readonly<Record<string, any>> = legacyState.user")
      assert.include(after.module, "if (legacyUser.tier !== 'gold' || !userEmailVerified) {")
      assert.notInclude(after.module, "legacyContext")
      rmSync(dir, { recursive: true, force: true })
    }))

  it.effect("a write to what they left stays a TODO; a rule that reads nothing of theirs still waits for them", () =>
    Effect.gen(function*() {
      const dir = folder({
        "set-tier": `  user.tier = 'gold';\n  callback(null, user, context);`,
        "bump-tier": `  user.tier = user.tier + '!';\n  callback(null, user, context);`,
        "check": `  if (!user.email_verified) return callback(new Error('No.'));\n  callback(null, user, context);`
      })
      const out = join(dir, "out")
      const bump = yield* Convert.convert(dir, "bump-tier", { out, afterLegacy: true, check: false })
      assert.deepStrictEqual(bump.todos.map((t) => t.reason), [
        "writes user.tier, which the earlier legacy rules own (make it a Fact)"
      ])
      const check = yield* Convert.convert(dir, "check", { out, afterLegacy: true, check: false })
      assert.strictEqual(check.status, "converted")
      assert.include(check.module, "      yield* legacy.State\n")
      rmSync(dir, { recursive: true, force: true })
    }))
})

describe("Convert --after-legacy and metadata the rule persists", () => {
  it.effect("a read of that metadata, which an earlier rule may change, stays a TODO", () =>
    Effect.gen(function*() {
      const dir = folder({
        "set-count": `  user.app_metadata.count = 5;\n  callback(null, user, context);`,
        "count": `  user.app_metadata.count = (user.app_metadata.count || 0) + 1;\n` +
          `  auth0.users.updateAppMetadata(user.user_id, user.app_metadata)\n` +
          `    .then(function () { callback(null, user, context); })\n` +
          `    .catch(function (err) { callback(err); });`
      })
      const written = yield* Convert.convert(dir, "count", { out: join(dir, "out"), afterLegacy: true, check: false })
      assert.include(written.todos[0]?.reason, "of the metadata it persists, which an earlier legacy rule may change")
      assert.notInclude(written.module.split("RULEFX_TODO")[0], "legacyUser.app_metadata")
      rmSync(dir, { recursive: true, force: true })
    }))
})

describe("Convert: files it cannot read or write", () => {
  it.effect("a rule, an earlier rule or facts.ts that cannot be read, and a folder that cannot be written", () =>
    Effect.gen(function*() {
      const body = `  user.tier = "gold";\n  callback(null, user, context);`
      const dir = folder({
        "set-tier": body,
        "check": `  if (user.tier) console.log("x");\n  callback(null, user, context);`,
        "plain": `  callback(null, user, context);`
      })
      // The output folder is a file: nothing can be written under it.
      const file = join(dir, "a-file")
      writeFileSync(file, "")
      const unwritable = yield* Effect.flip(Convert.convert(dir, "plain", { out: file, check: false }))
      assert.strictEqual(unwritable._tag, "ConvertError")
      assert.include(unwritable.message, `${join(file, "plain.ts")}: cannot be written`)
      // facts.ts is a folder: it cannot be read, so it is not replaced.
      mkdirSync(join(dir, "out", "facts.ts"), { recursive: true })
      const facts = yield* Effect.flip(Convert.convert(dir, "check", { out: join(dir, "out"), check: false }))
      assert.include(facts.message, `${join(dir, "out", "facts.ts")}: cannot be read`)
      // The earlier rule's file is a folder, then the rule's own.
      rmSync(join(dir, "set-tier.js"))
      mkdirSync(join(dir, "set-tier.js"))
      const earlier = yield* Effect.flip(Convert.convert(dir, "check", { out: join(dir, "out2"), check: false }))
      assert.include(earlier.message, `${join(dir, "set-tier.js")}: cannot be read`)
      const own = yield* Effect.flip(Convert.convert(dir, "set-tier", { out: join(dir, "out2"), check: false }))
      assert.include(own.message, `${join(dir, "set-tier.js")}: cannot be read`)
      rmSync(dir, { recursive: true, force: true })
    }))
})

describe("Convert: files it replaces", () => {
  it.effect("an unedited module is replaced; an edited one, or its test, only with force; a rule named facts", () =>
    Effect.gen(function*() {
      const dir = folder({
        "set-tier": `  user.tier = "gold";\n  callback(null, user, context);`,
        "check": `  if (user.tier) console.log("x");\n  callback(null, user, context);`,
        "plain": `  context.idToken["https://example.com/a"] = 1;\n  callback(null, user, context);`
      })
      const out = join(dir, "out")
      const first = yield* Convert.convert(dir, "plain", { out, check: false })
      // Converted again, unedited: replaced (the rule or rulefx may have changed).
      yield* Convert.convert(dir, "plain", { out, check: false })
      // A TODO rewritten by hand, or a login added to the test's extra list: kept.
      writeFileSync(first.moduleFile, readFileSync(first.moduleFile, "utf8") + "// mine\n")
      const edited = yield* Effect.flip(Convert.convert(dir, "plain", { out, check: false }))
      assert.include(edited.message, `${first.moduleFile}: edited since rulefx convert wrote it`)
      assert.include(readFileSync(first.moduleFile, "utf8"), "// mine")
      yield* Convert.convert(dir, "plain", { out, check: false, force: true })
      assert.notInclude(readFileSync(first.moduleFile, "utf8"), "// mine")
      writeFileSync(first.testFile, "// a test of my own\n")
      const test = yield* Effect.flip(Convert.convert(dir, "plain", { out, check: false }))
      assert.include(test.message, `${first.testFile}: edited since rulefx convert wrote it`)
      // A rule named facts, reading a fact: its module would be the facts module.
      writeFileSync(join(dir, "facts.js"), readFileSync(join(dir, "check.js"), "utf8"))
      writeFileSync(join(dir, "facts.json"), JSON.stringify({ name: "facts", script: "./facts.js", order: 9 }))
      const facts = yield* Effect.flip(Convert.convert(dir, "facts", { out: join(dir, "out3"), check: false }))
      assert.include(facts.message, "the path of the facts module convert writes")
      rmSync(dir, { recursive: true, force: true })
    }))
})
