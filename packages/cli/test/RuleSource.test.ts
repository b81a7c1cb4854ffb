/**
 * The rule source `rulefx migrate` puts in the Action: minified, each statement on its original line, and the same
 * function when compiled in a rule's realm.
 */
import { assert, describe, it } from "@effect/vitest"
import * as LegacyRule from "@rulefx/legacy-rules/LegacyRule"
import * as Realm from "@rulefx/legacy-rules/Realm"
import * as RulesContext from "@rulefx/legacy-rules/RulesContext"
import * as Events from "@rulefx/testing/Events"
import * as Effect from "effect/Effect"
import { compact, compactWithParams } from "../src/internal/ruleSource.ts"

const source = `function checkAge(user, context, callback) {
  // A comment, and blank lines, that the Action does not need.

  var limit = 18;
  var age = user.age;
  if (typeof age !== 'number') {
    return callback(new Error('no age'));
  }
  var text = \`age \${age}
over two lines\`;
  if (age < limit) return callback(new UnauthorizedError('too young: ' + text));
  user.missing.boom;
}
`

describe("compact", () => {
  it("is smaller, keeps each statement on its line, and behaves the same", () => {
    const out = compact(source)
    assert.isBelow(out.length, source.length * 0.8)
    assert.isAtMost(out.split("\n").length, source.trimEnd().split("\n").length)
    const fn = Realm.compile("checkAge", out) as (
      user: unknown,
      context: unknown,
      callback: (e?: unknown) => void
    ) => void
    const errors: Array<unknown> = []
    fn({ age: "x" }, {}, (e) => errors.push(e))
    assert.strictEqual((errors[0] as Error).message, "no age")
    try {
      fn({ age: 40 }, {}, () => undefined)
      assert.fail("expected a TypeError")
    } catch (error) {
      // user.missing.boom is on line 12 of the rule.
      assert.match(String((error as Error).stack), /checkAge:12:/)
    }
  })

  it("keeps a template literal's line break and a regular expression's characters", () => {
    const out = compact("function (u, c, cb) { var t = `a\n;b`; var r = /[;,{(:=]\\n/; cb(null, t + r.source) }")
    const fn = Realm.compile("r", out) as (u: unknown, c: unknown, cb: (e: unknown, v: string) => void) => void
    let value = ""
    fn({}, {}, (_, v) => (value = v))
    assert.strictEqual(value, "a\n;b[;,{(:=]\\n")
  })
})

/** Runs a rule as `rulefx migrate` carries it (compacted, its parameters' names beside it) and gives its denial. */
const denialOf = (source: string, event: Record<string, unknown>) => {
  const { params, source: compacted } = compactWithParams(source)
  const rule = LegacyRule.make("r", compacted, { params })
  const globals: LegacyRule.Globals = {
    configuration: {},
    global: {},
    auth0: undefined!,
    UnauthorizedError: LegacyRule.UnauthorizedError,
    require: () => undefined,
    console
  }
  const session: LegacyRule.Session = { ...RulesContext.fromEvent(Events.postLogin(event)), scrub: (text) => text }
  return Effect.flip(LegacyRule.run(rule, rule.load(globals), session, undefined, globals))
}

describe("the names an error shows", () => {
  // Before, every name was minified: `l.indexOf is not a function`.
  it.effect("a thrown TypeError names the rule's own variable, and its parameter by the rule's name", () =>
    Effect.gen(function*() {
      const rule = `function (user, context, callback) {
  var assignedRoles = user.app_metadata.roles || [];
  if (context.clientName === 'direct') return user.app_metadata.roles.indexOf('admin');
  if (assignedRoles.indexOf('admin') === -1) return callback(new UnauthorizedError('not an admin'));
  callback(null, user, context);
}`
      const local = yield* denialOf(rule, { user: { app_metadata: { roles: true } } })
      assert.strictEqual((local as LegacyRule.LegacyRuleDenied).reason, "assignedRoles.indexOf is not a function")
      const param = yield* denialOf(rule, {
        user: { app_metadata: { roles: true } },
        client: { client_id: "c", name: "direct" }
      })
      assert.strictEqual(
        (param as LegacyRule.LegacyRuleDenied).reason,
        "user.app_metadata.roles.indexOf is not a function"
      )
    }))

  it.effect("a rule's own message is left as it is, though it starts with a parameter's short name", () =>
    Effect.gen(function*() {
      const thrown = yield* denialOf(
        `function (user, context, callback) { throw new UnauthorizedError('e is not allowed here') }`,
        {}
      )
      assert.strictEqual((thrown as LegacyRule.LegacyRuleDenied).reason, "e is not allowed here")
      assert.isTrue((thrown as LegacyRule.LegacyRuleDenied).unauthorized)
      const called = yield* denialOf(
        `function (user, context, callback) { callback(new TypeError('e.x is not a function')) }`,
        {}
      )
      assert.strictEqual((called as LegacyRule.LegacyRuleDenied).reason, "e.x is not a function")
    }))

  it("short names only where no error can show them: the parameters, and names never called, iterated or spread", () => {
    const { params, source } = compactWithParams(`function (user, context, callback) {
  var isAdmin = user.email_verified;
  var whitelist = ['a'];
  var copy = { user, context };
  ({ context = copy } = copy);
  for (var item of whitelist) isAdmin = isAdmin || item;
  callback(null, copy.user, isAdmin);
}`)
    assert.deepStrictEqual(params, { e: "user", t: "context", n: "callback" })
    assert.notInclude(source, "isAdmin")
    assert.notInclude(source, "item")
    // Iterated and destructured: "whitelist is not iterable", "Cannot destructure 'copy' as it is undefined."
    assert.include(source, "whitelist")
    assert.include(source, "copy")
    assert.include(source, "{user:e,context:t}")
    const fn = Realm.compile("r", source) as (
      u: unknown,
      c: unknown,
      cb: (e: unknown, u: unknown, v: unknown) => void
    ) => void
    let out: Array<unknown> = []
    fn({ email_verified: false }, { c: 1 }, (...args) => (out = args))
    assert.deepStrictEqual(out, [null, { email_verified: false }, "a"])
  })

  it("nothing is renamed where a rename could change what the code does: with, a direct eval; a shadowed name", () => {
    for (
      const rule of [
        "function (user, context, callback) { var longName = 1; with (context) { longName } callback(null, user) }",
        "function (user, context, callback) { var longName = 1; eval('longName'); callback(null, user) }"
      ]
    ) {
      const { params, source } = compactWithParams(rule)
      assert.deepStrictEqual(params, {})
      assert.include(source, "function(user,context,callback)")
      assert.include(source, "longName")
    }
    // A parameter's name declared again inside: each is still itself.
    const shadowed = compactWithParams(
      "function (user, context, callback) { function f() { var user = 2; return user } callback(null, user, f()) }"
    )
    const fn = Realm.compile("r", shadowed.source) as (
      u: unknown,
      c: unknown,
      cb: (...a: Array<unknown>) => void
    ) => void
    let out: Array<unknown> = []
    fn("u", "c", (...args) => (out = args))
    assert.deepStrictEqual(out, [null, "u", 2])
  })
})
