/**
 * `rulefx events --generate`: a seeded synthetic set, the same for the same seed, every event one `rulefx diff`
 * reads strictly, and, given legacy rules, varying the fields they read with the values they compare them with.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Diff from "@rulefx/cli/Diff"
import * as GeneratedEvents from "@rulefx/cli/GeneratedEvents"
import * as TenantEvents from "@rulefx/cli/TenantEvents"
import * as Effect from "effect/Effect"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as RulefxBin from "./utils/RulefxBin.ts"

const legacyRules = fileURLToPath(new URL("../../../examples/legacy-rules/rules", import.meta.url))

let dir = ""

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "rulefx-generate-"))
})

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

type Json = Record<string, any>

const section = (event: Json, name: string): Json => event[name] as Json
const user = (event: Json): Json => section(event, "user")
// The kinds of value a field holds across a set: "array", "string", "boolean"...
const kinds = (values: ReadonlyArray<unknown>) =>
  [...new Set(values.map((v) => Array.isArray(v) ? "array" : typeof v))].toSorted()

const rulesFolder = (name: string, rules: Readonly<Record<string, string>>): string => {
  const folder = join(dir, name, "rules")
  mkdirSync(folder, { recursive: true })
  Object.entries(rules).forEach(([rule, source], order) => {
    writeFileSync(join(folder, `${rule}.js`), source)
    writeFileSync(join(folder, `${rule}.json`), JSON.stringify({ name: rule, enabled: true, order: order + 1 }))
  })
  return join(dir, name)
}

// What rules of a tenant read: an application by name, a metadata key through an alias, an allow-list of email
// domains, a connection in a switch, an application metadata key, a role, a country, and a field left at default.
const tenantRules = {
  "partner-hub": `function (user, context, callback) {
  if (context.clientName !== 'Partner Hub') return callback(null, user, context);
  var md = user.app_metadata || {};
  if (md.plan === 'gold' || md.plan === 'platinum') context.idToken['https://x.test/vip'] = true;
  callback(null, user, context);
}`,
  "allow-list": `function (user, context, callback) {
  var domain = (user.email || '').split('@').pop();
  if (['example.com', 'acme.test'].indexOf(domain) === -1) return callback(new UnauthorizedError('no'));
  switch (context.connection) {
    case 'corp-ldap': context.idToken['https://x.test/corp'] = true; break;
  }
  if (context.clientMetadata.tier === 'internal' && context.request.geoip.country_code === 'FR') {
    return callback(new UnauthorizedError('not from FR'));
  }
  if ((context.authorization.roles || []).includes('auditor')) context.idToken['https://x.test/audit'] = true;
  if (user.picture) context.idToken['https://x.test/pic'] = user.picture;
  callback(null, user, context);
}`
}

// The second rule writes what the third reads; the first reads one of those fields before it is written.
const writingRules = {
  "reads-first": `function (user, context, callback) {
  if (user.nickname_hint === 'x') context.idToken['https://x.test/hint'] = true;
  callback(null, user, context);
}`,
  "set-tier": `function (user, context, callback) {
  user.tier = user.app_metadata.plan === 'gold' ? 'gold' : 'basic';
  user.nickname_hint = 'y';
  callback(null, user, context);
}`,
  "use-tier": `function (user, context, callback) {
  if (user.tier === 'gold' && user.nickname_hint === 'y') context.idToken['https://x.test/gold'] = true;
  callback(null, user, context);
}`
}

describe("GeneratedEvents.generate", () => {
  it("the same seed gives the same set; another seed another; the count asked for, named in order", () => {
    const a = GeneratedEvents.generate({ count: 50, seed: 42 })
    const again = GeneratedEvents.generate({ count: 50, seed: 42 })
    const other = GeneratedEvents.generate({ count: 50, seed: 43 })
    assert.deepStrictEqual(again, a)
    assert.notDeepEqual(other.events, a.events)
    assert.strictEqual(a.events.length, 50)
    assert.deepStrictEqual(a.events.slice(0, 2).map((e) => e.name), ["generated-1", "generated-2"])
  })

  it.effect("every event is complete (diff reads the set strictly), has no secrets, and its identity matches", () =>
    Effect.gen(function*() {
      const set = GeneratedEvents.generate({ count: 300, seed: 7 })
      const file = yield* TenantEvents.write(join(dir, "plain"), set.events)
      const cases = yield* Diff.readEvents(file, { strict: true })
      assert.strictEqual(cases.length, 300)
      for (const { event } of set.events) {
        assert.isFalse("secrets" in event)
        const user = section(event, "user")
        const connection = section(event, "connection")
        const [identity] = user["identities"] as Array<Json>
        assert.strictEqual(identity!["connection"], connection["name"])
        assert.strictEqual(
          `${identity!["provider"]}|`,
          (user["user_id"] as string).slice(0, identity!["provider"].length + 1)
        )
      }
    }))

  it("varies what logins are decided by: connections, first and later logins, with and without an email, countries", () => {
    const { events } = GeneratedEvents.generate({ count: 300, seed: 7 })
    const values = (f: (event: Json) => unknown) => new Set(events.map(({ event }) => JSON.stringify(f(event))))
    assert.isAtLeast(values((e) => section(e, "connection")["name"]).size, 5)
    assert.isAtLeast(values((e) => section(e, "request")["geoip"]["countryCode"]).size, 2)
    assert.isTrue(values((e) => section(e, "stats")["logins_count"] === 1).size === 2)
    assert.isTrue(values((e) => "email" in section(e, "user")).size === 2)
    assert.isTrue(values((e) => section(e, "user")["email_verified"]).size >= 2)
    assert.isAtLeast(values((e) => section(e, "authorization")["roles"]).size, 4)
  })

  it("fields Auth0 may leave out are absent in some events: email_verified with an email, name, username", () => {
    const users = GeneratedEvents.generate({ count: 300, seed: 7 }).events.map(({ event }) => user(event))
    const count = (f: (u: Json) => boolean) => users.filter(f).length
    assert.isAbove(count((u) => "email" in u && !("email_verified" in u)), 10)
    assert.isAbove(count((u) => "email" in u && u["email_verified"] === false), 10)
    assert.isAbove(count((u) => !("name" in u)), 10)
    assert.isAbove(count((u) => "username" in u), 10)
    assert.isAbove(count((u) => !("username" in u)), 10)
    assert.isAbove(count((u) => "given_name" in u), 10)
  })

  it("each login comes from one place: city, country, continent, coordinates and time zone agree", () => {
    const { events } = GeneratedEvents.generate({ count: 300, seed: 7 })
    const places = new Map<string, string>()
    for (const { event } of events) {
      const geoip = section(event, "request")["geoip"] as Json
      const place = JSON.stringify([geoip["countryCode"], geoip["countryName"], geoip["continentCode"]])
      const city = JSON.stringify([geoip["cityName"], geoip["latitude"], geoip["longitude"], geoip["timeZone"]])
      // A city is in one country, always the same.
      assert.strictEqual(places.get(city) ?? place, place, city)
      places.set(city, place)
    }
    assert.isAtLeast(places.size, 8)
    const london = [...places].find(([city]) => city.includes("London"))
    assert.deepStrictEqual(london?.[1], JSON.stringify(["GB", "United Kingdom", "EU"]))
  })
})

describe("GeneratedEvents with the rules' reads", () => {
  it.effect("the fields the rules read vary, with the values they compare them with, present and absent", () =>
    Effect.gen(function*() {
      const reads = yield* GeneratedEvents.fromRules(rulesFolder("tenant", tenantRules))
      assert.deepStrictEqual([...reads.fields.get("client.name")!], ["Partner Hub"])
      assert.deepStrictEqual([...reads.fields.get("user.app_metadata.plan")!], ["gold", "platinum"])
      assert.deepStrictEqual([...reads.fields.get("connection.name")!], ["corp-ldap"])
      assert.deepStrictEqual([...reads.fields.get("client.metadata.tier")!], ["internal"])
      assert.deepStrictEqual([...reads.fields.get("request.geoip.countryCode")!], ["FR"])
      assert.deepStrictEqual([...reads.fields.get("authorization.roles")!], ["auditor"])
      const set = GeneratedEvents.generate({ count: 300, seed: 11, reads })
      const count = (f: (event: Json) => boolean) => set.events.filter(({ event }) => f(event)).length
      assert.isAbove(count((e) => section(e, "client")["name"] === "Partner Hub"), 20)
      assert.isAbove(count((e) => user(e)["app_metadata"]["plan"] === "gold"), 5)
      assert.isAbove(count((e) => user(e)["app_metadata"]["plan"] === "platinum"), 5)
      assert.isAbove(count((e) => !("plan" in user(e)["app_metadata"])), 5)
      assert.isAbove(count((e) => String(user(e)["email"]).endsWith("@acme.test")), 5)
      assert.isAbove(count((e) => section(e, "connection")["name"] === "corp-ldap"), 5)
      assert.isAbove(count((e) => section(e, "client")["metadata"]["tier"] === "internal"), 5)
      assert.isAbove(count((e) => section(e, "request")["geoip"]["countryCode"] === "FR"), 5)
      assert.isAbove(count((e) => (section(e, "authorization")["roles"] as Array<string>).includes("auditor")), 5)
      // Application metadata stays strings, as Auth0 keeps it.
      for (const { event } of set.events) {
        for (const value of Object.values(section(event, "client")["metadata"] as Json)) assert.isString(value)
      }
      assert.includeMembers([...set.covered], ["client.name", "user.app_metadata.plan", "client.metadata.tier"])
      assert.deepStrictEqual([...set.notVaried], ["user.picture"])
      // The set stays the same for the same seed with the same rules.
      assert.deepStrictEqual(GeneratedEvents.generate({ count: 300, seed: 11, reads }), set)
    }))

  it.effect("numbers a field is compared with (>, <=, ===, held in a variable, through Number()): both sides", () =>
    Effect.gen(function*() {
      const reads = yield* GeneratedEvents.fromRules(rulesFolder("numbers", {
        fraud: `function (user, context, callback) {
  const MAX_RISK = 0.5;
  var md = user.app_metadata || {};
  if (context.request.geoip.country_code === 'KP' || md.fraud_score > 70) {
    return callback(new UnauthorizedError('Blocked.'));
  }
  if (3 <= parseInt(user.user_metadata.attempts, 10) || Number(md.risk) >= MAX_RISK) return callback(null, user, context);
  if (context.clientMetadata.level === 2 || (user.app_metadata.tags || []).length > 2) return callback(null, user, context);
  callback(null, user, context);
}`
      }))
      assert.deepStrictEqual([...reads.numbers!.get("user.app_metadata.fraud_score")!], [70])
      assert.deepStrictEqual([...reads.numbers!.get("user.user_metadata.attempts")!], [3])
      assert.deepStrictEqual([...reads.numbers!.get("user.app_metadata.risk")!], [0.5])
      assert.deepStrictEqual([...reads.numbers!.get("client.metadata.level")!], [2])
      assert.isFalse(reads.numbers!.has("user.app_metadata.tags"))
      const set = GeneratedEvents.generate({ count: 300, seed: 5, reads })
      const scores = set.events.map(({ event }) => user(event)["app_metadata"]["fraud_score"])
      for (const n of [69, 70, 71]) assert.isAbove(scores.filter((s) => s === n).length, 5, `fraud_score ${n}`)
      assert.isAbove(scores.filter((s) => s === undefined).length, 5)
      assert.isAbove(scores.filter((s) => s !== undefined && typeof s !== "number").length, 5)
      const risks = set.events.map(({ event }) => user(event)["app_metadata"]["risk"])
      for (const n of [-0.5, 0.5, 1.5]) assert.include(risks, n)
      // Application metadata stays strings: the numbers as their text.
      const levels = set.events.map(({ event }) => section(event, "client")["metadata"]["level"])
      for (const n of ["1", "2", "3"]) assert.include(levels, n)
      assert.deepStrictEqual(GeneratedEvents.generate({ count: 300, seed: 5, reads }), set)
    }))

  it.effect("a rule's \"redirect-callback\" is never a first-pass event's protocol (Actions never sends it)", () =>
    Effect.gen(function*() {
      const reads = yield* GeneratedEvents.fromRules(rulesFolder("redirects", {
        terms: `function (user, context, callback) {
  if (context.protocol === 'redirect-callback') return callback(null, user, context);
  if (context.protocol === 'samlp') return callback(null, user, context);
  context.redirect = { url: 'https://terms.example.com/accept' };
  callback(null, user, context);
}`
      }))
      assert.include([...reads.fields.get("transaction.protocol")!], "redirect-callback")
      const protocols = GeneratedEvents.generate({ count: 300, seed: 3, reads }).events.map(({ event }) =>
        section(event, "transaction")["protocol"]
      )
      assert.notInclude(protocols, "redirect-callback")
      // The other values the rule compares with still vary.
      assert.include(protocols, "samlp")
      assert.include(protocols, "oidc-basic-profile")
    }))

  it.effect("a fallback written in place reads through its field: (user.app_metadata || {}).crm_tier, ?? and || []", () =>
    Effect.gen(function*() {
      const reads = yield* GeneratedEvents.fromRules(rulesFolder("fallback", {
        "mfa-for-gold": `function (user, context, callback) {
  var tier = (user.app_metadata || {}).crm_tier;
  var roles = (user.app_metadata || {}).roles || [];
  if (tier === 'gold' || roles.indexOf('admin') !== -1) context.multifactor = { provider: 'any' };
  if ((context.request.geoip ?? {}).country_code === 'FR') context.multifactor = { provider: 'any' };
  if (((user.user_metadata || {}).groups || []).includes('beta')) context.idToken['https://x.test/beta'] = true;
  callback(null, user, context);
}`
      }))
      assert.deepStrictEqual([...reads.fields.get("user.app_metadata.crm_tier")!], ["gold"])
      assert.deepStrictEqual([...reads.fields.get("user.app_metadata.roles")!], ["admin"])
      assert.deepStrictEqual([...reads.fields.get("request.geoip.countryCode")!], ["FR"])
      assert.deepStrictEqual([...reads.fields.get("user.user_metadata.groups")!], ["beta"])
      const set = GeneratedEvents.generate({ count: 100, seed: 1, reads })
      const gold = set.events.filter(({ event }) => user(event)["app_metadata"]["crm_tier"] === "gold")
      assert.isAbove(gold.length, 5)
    }))

  // Before, `roles` was `true` or a number in some logins: the legacy rule threw (`roles.indexOf is not a function`)
  // on logins no real user makes, and convert reported the rule as differing there.
  it.effect("a key a rule calls methods on holds values those methods work on; a key it only compares, anything", () =>
    Effect.gen(function*() {
      const reads = yield* GeneratedEvents.fromRules(rulesFolder("shapes", {
        "shaped": `function (user, context, callback) {
  var roles = user.app_metadata.roles || [];
  if (roles.indexOf('admin') !== -1) context.idToken['https://x.test/admin'] = true;
  if (user.app_metadata.groups && user.app_metadata.groups.some(function (g) { return g === 'beta' })) {
    context.idToken['https://x.test/beta'] = true;
  }
  var plan = user.user_metadata.plan;
  if (plan && plan.toLowerCase() === 'gold') context.idToken['https://x.test/gold'] = true;
  if (user.app_metadata.score && user.app_metadata.score.toFixed(0) > 70) context.multifactor = { provider: 'any' };
  if (user.app_metadata.prefs && user.app_metadata.prefs.theme.toUpperCase() === 'DARK') callback(null, user, context);
  if (user.app_metadata.vip === 'yes') return callback(null, user, context);
  callback(null, user, context);
}`
      }))
      const shapes = (path: string) => [...(reads.shapes?.get(path) ?? [])]
      assert.deepStrictEqual(shapes("user.app_metadata.roles"), ["list"])
      assert.deepStrictEqual(shapes("user.app_metadata.groups"), ["array"])
      assert.deepStrictEqual(shapes("user.user_metadata.plan"), ["string"])
      assert.deepStrictEqual(shapes("user.app_metadata.score"), ["number"])
      // A method on a key under the field says nothing of the field.
      assert.deepStrictEqual(shapes("user.app_metadata.prefs"), [])
      const set = GeneratedEvents.generate({ count: 300, seed: 1, reads })
      const valuesOf = (section: string, key: string) =>
        set.events.map(({ event }) => (user(event)[section] as Json)[key]).filter((v) => v !== undefined)
      assert.deepStrictEqual(kinds(valuesOf("app_metadata", "roles")), ["array", "string"])
      assert.deepStrictEqual(kinds(valuesOf("app_metadata", "groups")), ["array"])
      assert.deepStrictEqual(kinds(valuesOf("user_metadata", "plan")), ["string"])
      assert.deepStrictEqual(kinds(valuesOf("app_metadata", "score")), ["number"])
      // Still the values the rule looks for, and others of the same kind; absent in some logins.
      assert.isTrue(valuesOf("app_metadata", "roles").some((v) => Array.isArray(v) && v.includes("admin")))
      assert.isTrue(valuesOf("app_metadata", "roles").some((v) => Array.isArray(v) && !v.includes("admin")))
      assert.isTrue(valuesOf("app_metadata", "groups").some((v) => (v as Array<string>).length === 0))
      assert.isBelow(valuesOf("app_metadata", "roles").length, 300)
      // A key only compared keeps every kind, flags included.
      assert.includeMembers(kinds(valuesOf("app_metadata", "vip")), ["array", "boolean", "string"])
    }))

  it.effect("a field an earlier rule writes is not an input: reported as written by that rule", () =>
    Effect.gen(function*() {
      const reads = yield* GeneratedEvents.fromRules(rulesFolder("written", writingRules))
      const set = GeneratedEvents.generate({ count: 20, seed: 1, reads })
      assert.deepStrictEqual(set.writtenEarlier, [{ path: "user.tier", rule: "set-tier" }])
      // Read before set-tier writes it: an input, left at the default.
      assert.deepStrictEqual(set.notVaried, ["user.nickname_hint"])
    }))

  it.effect("authentication.methods a rule reads varies: none, a password only, the names it compares, timestamps", () =>
    Effect.gen(function*() {
      const reads = yield* GeneratedEvents.fromRules(rulesFolder("methods", methodRules))
      assert.deepStrictEqual([...reads.fields.get("authentication.methods.name")!].toSorted(), ["mfa", "webauthn-x"])
      assert.deepStrictEqual([...reads.numbers!.get("authentication.methods.timestamp")!], [1777629600000])
      const set = GeneratedEvents.generate({ count: 200, seed: 1, reads })
      const methods = set.events.map(({ event }) => section(event, "authentication")["methods"] as Array<Json>)
      const count = (f: (list: Array<Json>) => boolean) => methods.filter(f).length
      assert.isAbove(count((list) => list.length === 0), 5)
      assert.isAbove(count((list) => list.length === 1 && list[0]!["name"] === "pwd"), 5)
      assert.isAbove(count((list) => list.some((m) => m["name"] === "mfa" && typeof m["type"] === "string")), 20)
      assert.isAbove(count((list) => list.some((m) => m["name"] === "webauthn-x")), 5)
      assert.isAbove(count((list) => list.some((m) => m["name"] === "federated")), 5)
      // Actions' shape: ISO timestamps, one either side of the number the rule compares with.
      const stamps = new Set(methods.flat().map((m) => m["timestamp"] as string))
      for (const stamp of stamps) assert.strictEqual(new Date(stamp).toISOString(), stamp)
      assert.includeMembers([...stamps], ["2026-05-01T09:59:59.999Z", "2026-05-01T10:00:00.001Z"])
      assert.includeMembers([...set.covered], ["authentication.methods", "authentication.methods.name"])
      assert.deepStrictEqual([...set.notVaried], ["authentication.riskAssessment", "session.clients"])
      // Rules that do not read the methods keep the default `[pwd]`, so their sets are unchanged.
      const other = GeneratedEvents.generate({
        count: 20,
        seed: 1,
        reads: yield* GeneratedEvents.fromRules(rulesFolder("tenant2", tenantRules))
      })
      for (const { event } of other.events) {
        assert.deepStrictEqual(section(event, "authentication")["methods"], [{
          name: "pwd",
          timestamp: "2026-05-01T10:00:00.000Z"
        }])
      }
    }))

  it.effect("the example legacy rules: the application they single out, the keys and query fields they read", () =>
    Effect.gen(function*() {
      const reads = yield* GeneratedEvents.fromRules(legacyRules)
      assert.include([...reads.fields.get("client.name")!], "Partner Hub")
      assert.isTrue(reads.fields.has("user.app_metadata.roles"))
      assert.isTrue(reads.fields.has("request.query.consent"))
    }))

  it.effect("a rule that is not one function is named, file and line", () =>
    Effect.gen(function*() {
      const folder = rulesFolder("broken", { bad: "function (user, context, callback) {\n  if (\n}" })
      const error = yield* Effect.flip(GeneratedEvents.fromRules(folder))
      assert.strictEqual(error._tag, "InvalidRuleSource")
      assert.include(error.message, "bad.js:3")
    }))
})

// Rules that read the authentication methods: through an alias assigned after its declaration and a callback's
// element (require-mfa-once-per-session), through map().indexOf(), a for...of and an index; and fields of the context
// the generator leaves at the default (the risk assessment, the session's applications).
const methodRules = {
  "once-per-session": `function (user, context, callback) {
  let authMethods = [];
  if (context.authentication && Array.isArray(context.authentication.methods)) {
    authMethods = context.authentication.methods;
  }
  if (authMethods.find((method) => method.name === 'mfa')) return callback(null, user, context);
  context.multifactor = { provider: 'any', allowRememberBrowser: false };
  callback(null, user, context);
}`,
  "recent": `function (user, context, callback) {
  if (context.authentication.methods.map((m) => m.name).indexOf('webauthn-x') >= 0) context.idToken.k = true;
  for (const m of context.authentication.methods) { if (m.timestamp > 1777629600000) context.idToken.r = true; }
  if (context.riskAssessment && context.sso.current_clients.length > 1) context.idToken.s = true;
  callback(null, user, context);
}`
}

/** Runs `rulefx ...args`; never rejects. */
const rulefx = (...args: ReadonlyArray<string>) => RulefxBin.run(undefined, ...args)

describe("rulefx events --generate", () => {
  it("the same file for the same seed; what varies, and what the rules read that does not", async () => {
    const rules = rulesFolder("cli", tenantRules)
    const [a, b] = await Promise.all([
      rulefx("events", "--generate", "40", "--seed", "3", "--out", join(dir, "a"), "--rules", rules),
      rulefx("events", "--generate", "40", "--seed", "3", "--out", join(dir, "b"), "--rules", rules)
    ])
    assert.strictEqual(a.code, 0, a.stderr)
    assert.strictEqual(b.code, 0, b.stderr)
    assert.include(a.stdout, "40 events (seed 3)")
    assert.include(a.stdout, "user.app_metadata.plan")
    assert.include(a.stdout, "read by the rules, left at the default: user.picture")
    assert.notInclude(a.stdout, "not an input")
    const text = readFileSync(join(dir, "a", "events.jsonl"), "utf8")
    assert.strictEqual(text, readFileSync(join(dir, "b", "events.jsonl"), "utf8"))
    assert.strictEqual(text.trim().split("\n").length, 40)
  }, 60_000)

  it("a field an earlier rule writes is listed as that rule's", async () => {
    const out = await rulefx(
      "events",
      "--generate",
      "5",
      "--out",
      join(dir, "w"),
      "--rules",
      rulesFolder("cli-w", writingRules)
    )
    assert.strictEqual(out.code, 0, out.stderr)
    assert.include(out.stdout, "read after an earlier rule writes it, not an input: user.tier (by set-tier)")
    assert.include(out.stdout, "read by the rules, left at the default: user.nickname_hint")
  }, 60_000)

  it("a count out of range, and --rules with --from-tenant, are refused", async () => {
    const [zero, rulesWithTenant] = await Promise.all([
      rulefx("events", "--generate", "0", "--out", join(dir, "never")),
      rulefx("events", "--from-tenant", "--rules", "x", "--out", join(dir, "never"))
    ])
    assert.notStrictEqual(zero.code, 0)
    assert.include(zero.stderr, "--generate takes 1 to 10000 events, not 0")
    assert.notStrictEqual(rulesWithTenant.code, 0)
    assert.include(rulesWithTenant.stderr, "--rules goes with --generate")
  }, 60_000)
})
