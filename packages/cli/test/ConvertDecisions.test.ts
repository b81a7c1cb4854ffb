/**
 * `rulefx convert`'s translation of decisions where the legacy runtime and a plain translation part ways: a
 * `configuration` setting reaching a claim or a redirect (the legacy runtime denies the login, SecretInClaim and
 * SecretInRedirect), and a decision assigned again with a value that may be absent.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Convert from "@rulefx/cli/Convert"
import * as Effect from "effect/Effect"

const rule = (body: string) => `/** A rule. */\nfunction (user, context, callback) {\n${body}\n}\n`

const convert = (body: string) => Convert.convertSource("a-rule", "rules/a-rule.js", rule(body))

const todos = (c: Convert.Conversion) => c.todos.map((t) => `${t.line}: ${t.reason}`)

describe("ConvertDecisions: a configuration setting in a claim", () => {
  it.effect("through a local: a TODO naming the line and the setting, never a claim", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  var key = configuration.PARTNER_API_KEY;
  context.idToken["https://example.com/app"] = context.clientName;
  if (/^PartnerSync\\//.test(context.request.userAgent || "")) {
    context.idToken["https://example.com/partner_key"] = key;
  }
  callback(null, user, context);`)
      assert.strictEqual(c.status, "partial")
      assert.deepStrictEqual(todos(c), [
        "7: writes `configuration.PARTNER_API_KEY` into a token claim (the migrated Action denies such a login: a secret in a token)"
      ])
      assert.notInclude(c.module, `setIdTokenClaim("https://example.com/partner_key"`)
    }))

  it.effect("through an object literal held in a local", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  var partner = { key: configuration.PARTNER_API_KEY };
  context.accessToken["https://example.com/partner"] = partner;
  callback(null, user, context);`)
      assert.deepStrictEqual(todos(c), [
        "5: writes `configuration.PARTNER_API_KEY` into a token claim (the migrated Action denies such a login: a secret in a token)"
      ])
    }))
})

describe("ConvertDecisions: a configuration setting in a redirect", () => {
  it.effect("a whole part of the URL (a query value): a TODO naming the line and the setting", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  if (context.clientName === "Consent App") {
    context.redirect = { url: "https://consent.example.com/start" };
  } else {
    context.redirect = { url: "https://partner.example.com/sso?api_key=" + configuration.PARTNER_API_KEY };
  }
  callback(null, user, context);`)
      assert.deepStrictEqual(todos(c), [
        "7: puts `configuration.PARTNER_API_KEY` into the redirect's URL (the migrated Action denies such a login: a secret in a redirect)"
      ])
    }))

  it.effect("through a local holding the URL, or a path segment of a template", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  var url = "https://partner.example.com/sso?api_key=" + configuration.PARTNER_API_KEY;
  if (context.clientName === "A") context.redirect = { url: url };
  else context.redirect = { url: \`https://partner.example.com/\${configuration.TENANT}/start\` };
  callback(null, user, context);`)
      assert.deepStrictEqual(todos(c).map((t) => t.replace(/ \(.*/, "")), [
        "5: puts `configuration.PARTNER_API_KEY` into the redirect's URL",
        "6: puts `configuration.TENANT` into the redirect's URL"
      ])
    }))

  it.effect("the start of the URL, its host, or glued to other text of its part: converted, as the runtime allows", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  if (context.clientName === "A") context.redirect = { url: configuration.CONSENT_URL + "?client=" + context.clientID };
  else if (context.clientName === "B") context.redirect = { url: "https://" + configuration.DOMAIN + "/start" };
  else context.redirect = { url: "https://x.example.com/start?tenant=t-" + configuration.TENANT };
  callback(null, user, context);`)
      assert.deepStrictEqual(todos(c), [])
      assert.strictEqual(c.status, "converted")
    }))
})

describe("ConvertDecisions: a claim assigned again with a value that may be absent", () => {
  it.effect("the later absent value drops the claim set before, as under Rules", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  context.idToken["https://example.com/role"] = "admin";
  if (/^Kiosk\\//.test(context.request.userAgent || "")) {
    context.idToken["https://example.com/role"] = user.user_metadata.kiosk_role;
  }
  callback(null, user, context);`)
      assert.strictEqual(c.status, "converted")
      assert.include(
        c.module,
        [
          `yield* claim !== undefined`,
          `        ? Decision.setIdTokenClaim("https://example.com/role", claim)`,
          `        : Decision.recordWith((draft) => {`,
          `          delete draft.idTokenClaims["https://example.com/role"]`,
          `        })`
        ].join("\n")
      )
    }))

  it.effect("a single assignment of a value that may be absent stays a plain guarded set", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  context.accessToken["https://example.com/role"] = user.user_metadata.kiosk_role;
  context.idToken["https://example.com/role"] = user.user_metadata.kiosk_role;
  callback(null, user, context);`)
      assert.strictEqual(c.status, "converted")
      assert.notInclude(c.module, "recordWith")
    }))
})

describe("ConvertDecisions: a configuration setting read in another way than whole", () => {
  const reason = "writes `configuration.PARTNER_API_KEY` into a token claim"
  for (
    const [name, value] of [
      ["trimmed", "key.trim()"],
      ["concatenated", `"" + key`],
      ["in a template", "`${key}`"],
      ["through String", "String(key)"],
      ["through toString", "key.toString()"]
    ]
  ) {
    it.effect(`${name} (${value}): a TODO naming the line and the setting, never a claim`, () =>
      Effect.gen(function*() {
        const c = yield* convert(`
  var key = configuration.PARTNER_API_KEY;
  context.idToken["https://example.com/app"] = context.clientName;
  context.idToken["https://example.com/partner_key"] = ${value};
  callback(null, user, context);`)
        assert.deepStrictEqual(todos(c).map((t) => t.replace(/ \(.*/, "")), [`6: ${reason}`])
        assert.notInclude(c.module, `setIdTokenClaim("https://example.com/partner_key"`)
        assert.include(c.module, `setIdTokenClaim("https://example.com/app"`)
      }))
  }

  it.effect("through a local's field or a call: a TODO", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  var partner = {};
  partner.key = configuration.PARTNER_API_KEY.trim();
  context.accessToken["https://example.com/partner"] = partner;
  context.redirect = { url: "https://x.example.com/sso?k=" + encodeURIComponent(partner.key) };
  callback(null, user, context);`)
      assert.deepStrictEqual(todos(c).map((t) => t.replace(/ \(.*/, "")), [
        `6: ${reason}`,
        "7: puts `configuration.PARTNER_API_KEY` into the redirect's URL"
      ])
    }))

  it.effect("through a function the rule declares: a TODO", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  function partnerKey() { return configuration.PARTNER_API_KEY; }
  context.idToken["https://example.com/partner_key"] = partnerKey();
  callback(null, user, context);`)
      assert.notInclude(c.module, `setIdTokenClaim("https://example.com/partner_key"`)
    }))

  it.effect("a claim or redirect that reads no setting still converts", () =>
    Effect.gen(function*() {
      const c = yield* convert(`
  var key = configuration.PARTNER_API_KEY;
  var name = context.clientName.trim();
  if (key.length > 0) context.idToken["https://example.com/app"] = "" + name;
  callback(null, user, context);`)
      assert.deepStrictEqual(todos(c), [])
      assert.strictEqual(c.status, "converted")
    }))
})
