/**
 * The rule source `rulefx migrate` puts in the Action: minified, each statement on its original line, and the same
 * function when compiled in a rule's realm.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Realm from "@rulefx/legacy-rules/Realm"
import { compact } from "../src/internal/ruleSource.ts"

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
