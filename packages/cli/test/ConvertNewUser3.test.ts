/**
 * A new user's rules (nu3): a guard chain over `context.request` / `context.request.geoip` before
 * `context.request.geoip.country_code`, which convert left as a TODO ("reads context.request, which Login does not
 * have"); and a read of `user.app_metadata.terms_accepted_at` whose TODO named an earlier rule that only writes
 * `user.app_metadata.roles` (through a copy of `user.app_metadata` another rule makes, every write below it counted).
 */
import { assert, describe, it } from "@effect/vitest"
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Convert from "@rulefx/cli/Convert"
import * as RuleDifferential from "@rulefx/cli/RuleDifferential"
import * as Decision from "@rulefx/core/Decision"
import * as Denial from "@rulefx/core/Denial"
import * as Pipeline from "@rulefx/core/Pipeline"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import * as LegacyFolder from "./utils/LegacyFolder.ts"

const scratch = LegacyFolder.convertScratch(".tmp-convert-newuser3-")

const languageClaim = `function addLanguageClaim(user, context, callback) {
  var um = user.user_metadata || {};
  var lang = um.preferred_language;
  if (lang) {
    context.idToken['https://acme.com/lang'] = lang.toLowerCase();
  } else if (context.request && context.request.geoip && context.request.geoip.country_code === 'DE') {
    context.idToken['https://acme.com/lang'] = 'de';
  } else {
    context.idToken['https://acme.com/lang'] = 'en';
  }
  callback(null, user, context);
}`

const addRoles = `function addRolesFromAppMetadata(user, context, callback) {
  var namespace = 'https://acme.com/';
  var md = user.app_metadata || {};
  var roles = md.roles || ['user'];
  context.idToken[namespace + 'roles'] = roles;
  context.accessToken[namespace + 'roles'] = roles;
  user.effective_roles = roles;
  callback(null, user, context);
}`

const crmEnrich = `function crmEnrich(user, context, callback) {
  user.app_metadata = user.app_metadata || {};
  if (user.app_metadata.crm_id) return callback(null, user, context);
  user.app_metadata.crm_id = 'c-1';
  auth0.users.updateAppMetadata(user.user_id, user.app_metadata)
    .then(function () { callback(null, user, context); })
    .catch(function (e) { callback(e); });
}`

const termsCheck = `function termsCheck(user, context, callback) {
  if (!user.app_metadata.terms_accepted_at && context.clientName === 'Customer Portal') {
    return callback(new UnauthorizedError('Accept the terms first.'));
  }
  callback(null, user, context);
}`

const event = (request: Record<string, unknown>) => ({
  user: { user_id: "auth0|1", email: "a@example.com", email_verified: true, user_metadata: {}, app_metadata: {} },
  client: { client_id: "c1", name: "App" },
  connection: { id: "con_1", name: "Username-Password-Authentication", strategy: "auth0" },
  request: { ip: "10.0.0.1", ...request },
  transaction: { protocol: "oidc-basic-profile" },
  stats: { logins_count: 2 },
  authentication: { methods: [{ name: "pwd", timestamp: "2024-01-01T00:00:00.000Z" }] }
})

class Stopped extends Denial.Class("Stopped")<{}> {
  override get message(): string {
    return "Your roles cannot be read."
  }
}
const login = (appMetadata: Record<string, unknown>) => ({
  ...event({}),
  user: { ...event({}).user, app_metadata: appMetadata }
})
const handler = (body: Effect.Effect<void, Stopped>) =>
  PostLogin.make(Pipeline.make({ facts: [], rules: [Rule.make("typed", body)] }) as any, Layer.empty as any)
const compare = (folder: string, source: string, typed: PostLogin.Handler, extra: ReadonlyArray<object>) =>
  RuleDifferential.run({
    rules: scratch.rulesFolder(folder, [["r", source]]),
    rule: "r",
    typed,
    count: 0,
    extra: extra as any
  })

describe("ConvertNewUser3", () => {
  it.effect(
    "a guard chain over context.request and its geoip converts, and decides as the legacy rule",
    () =>
      Effect.gen(function*() {
        const rules = scratch.rulesFolder("lang", [["language-claim", languageClaim]])
        const written = yield* Convert.convert(rules, "language-claim", { out: join(scratch.dir(), "lang-out") })
        assert.deepStrictEqual(written.todos.map((t) => t.reason), [])
        assert.strictEqual(written.status, "converted")
        assert.deepStrictEqual(written.comparison?.differences.length, 0)
        // A German login without geoip, with an empty one, and with one: de only for the last, on both sides.
        const module = yield* Effect.promise(() => import(pathToFileURL(written.moduleFile).href))
        const typed = PostLogin.make(
          Pipeline.make({ facts: [], rules: [module[written.exportName]] }) as any,
          Layer.empty as any
        )
        const extra = [event({}), event({ geoip: {} }), event({ geoip: { countryCode: "DE" } })]
        const report = yield* RuleDifferential.run({ rules, rule: "language-claim", typed, count: 0, extra })
        assert.strictEqual(report.events, 3)
        assert.deepStrictEqual(report.differences.map((d) => d.event), [])
        const outcomes = yield* Effect.forEach(
          extra,
          (e) => RuleDifferential.outcomeOf(typed, { ...e, secrets: {} }, 5)
        )
        assert.deepStrictEqual(
          outcomes.map((o) => o.summary.idTokenClaims["https://acme.com/lang"]),
          ["en", "en", "de"]
        )
      }),
    { timeout: 120_000 }
  )

  it.effect("context.request used as a value (not only tested) is still a TODO", () =>
    Effect.gen(function*() {
      const rules = scratch.rulesFolder("req", [[
        "req-value",
        `function (user, context, callback) {
  var r = context.request || {};
  context.idToken['https://x/ip'] = r.ip;
  callback(null, user, context);
}`
      ]])
      const written = yield* Convert.convert(rules, "req-value", { out: join(scratch.dir(), "req-out"), check: false })
      assert.deepStrictEqual(written.todos.map((t) => t.reason), [
        "reads context.request, which Login does not have"
      ])
    }))

  it.effect("a read under user.app_metadata names only the rules that may change it there", () =>
    Effect.gen(function*() {
      const rules = scratch.rulesFolder("terms", [
        ["add-roles", addRoles],
        ["crm-enrich", crmEnrich],
        ["terms-check", termsCheck]
      ])
      const written = yield* Convert.convert(rules, "terms-check", {
        out: join(scratch.dir(), "terms-out"),
        check: false
      })
      const reasons = written.todos.map((t) => t.reason)
      assert.strictEqual(reasons.length, 1)
      assert.include(
        reasons[0],
        "reads user.app_metadata.terms_accepted_at, which the earlier rule crm-enrich may change"
      )
      assert.notInclude(reasons[0], "add-roles")
    }))

  describe("a legacy crash (TypeError) and a typed denial: the same outcome", () => {
    const mfaForAdmins = `function (user, context, callback) {
  var isAdmin = (user.app_metadata.roles || []).indexOf('admin') !== -1;
  if (!isAdmin) return callback(null, user, context);
  context.multifactor = { provider: 'any', allowRememberBrowser: false };
  callback(null, user, context);
}`
    // The rule's own denial, with a message in the form of an engine's: a decision, not a crash.
    const ownMessage = `function (user, context, callback) {
  if (user.app_metadata.blocked) return callback(new UnauthorizedError('blocked is not a function'));
  callback(null, user, context);
}`
    it.effect(
      "a crash on the legacy side and a denial (generic or its own) on the typed side do not differ",
      () =>
        Effect.gen(function*() {
          const crashing = [login({ roles: true }), login({ roles: 5 })]
          for (const body of [Effect.die(new TypeError("roles")), Effect.fail(new Stopped())]) {
            const report = yield* compare("crash", mfaForAdmins, handler(body as any), crashing)
            assert.deepStrictEqual(report.differences.map((d) => d.event), [])
            assert.deepStrictEqual(report.crashes.map((c) => c.event), ["extra-1", "extra-2"])
            for (const c of report.crashes) assert.include(c.legacy, "indexOf is not a function")
          }
        }),
      { timeout: 60_000 }
    )

    it.effect(
      "a crash on the legacy side and a login let through on the typed side still differ",
      () =>
        Effect.gen(function*() {
          const report = yield* compare("allow", mfaForAdmins, handler(Effect.void), [login({ roles: true })])
          assert.deepStrictEqual(report.differences.map((d) => d.event), ["extra-1"])
          assert.deepStrictEqual(report.crashes, [])
          // A typed denial after an MFA the legacy rule never asked for: the denial drops the MFA (Auth0 fails the
          // login either way), so nothing but the reason differs: the same stop, one crash and no difference.
          const mfa = handler(Effect.andThen(Decision.requireMfa("any"), Effect.fail(new Stopped())) as any)
          const other = yield* compare("mfa", mfaForAdmins, mfa, [login({ roles: true })])
          assert.deepStrictEqual(other.differences, [])
          assert.deepStrictEqual(other.crashes, [{
            event: "extra-1",
            typed: "Your roles cannot be read.",
            legacy: "(user.app_metadata.roles || []).indexOf is not a function"
          }])
        }),
      { timeout: 60_000 }
    )

    it.effect(
      "the rule's own denial message, in an engine's form, is a decision: another reason differs",
      () =>
        Effect.gen(function*() {
          const report = yield* compare("own", ownMessage, handler(Effect.fail(new Stopped())), [
            login({ blocked: true })
          ])
          assert.deepStrictEqual(report.differences.map((d) => d.event), ["extra-1"])
          assert.deepStrictEqual(report.crashes, [])
        }),
      { timeout: 60_000 }
    )
  })
})
