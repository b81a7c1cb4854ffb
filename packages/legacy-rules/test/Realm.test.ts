import { assert, describe, it } from "@effect/vitest"
import * as Realm from "@rulefx/legacy-rules/Realm"
import { vi } from "vitest"
import { running } from "../src/internal/running.ts"

/** Runs `f` as a run with these globals; returns what it returned and the run's own variables. */
const inRun = <A>(globals: Record<string, unknown>, f: () => A) => {
  const vars: Record<PropertyKey, unknown> = Object.create(null)
  const result = running.run(
    { fail: () => undefined, hold: () => undefined, release: () => undefined, globals, vars },
    f
  )
  return { result, vars }
}

const call = (source: string, ...args: Array<unknown>) => {
  const fn = Realm.compile("test-rule", source) as (...args: Array<unknown>) => unknown
  return (globals: Record<string, unknown> = {}) => inRun(globals, () => fn(...args))
}

describe("Realm", () => {
  it("an undeclared assignment, this in a nested function and globalThis are the run's own", () => {
    const fn = Realm.compile(
      "r",
      `function (email) {
      profile = email
      function set() { this.who = email }
      set()
      globalThis.also = email
      return [profile, (function () { return this.who })(), also, typeof never]
    }`
    ) as (email: string) => unknown
    const a = inRun({}, () => fn("a@x"))
    const b = inRun({}, () => fn("b@x"))
    assert.deepStrictEqual(a.result, ["a@x", "a@x", "a@x", "undefined"])
    assert.deepStrictEqual({ ...a.vars }, { profile: "a@x", who: "a@x", also: "a@x" })
    assert.deepStrictEqual({ ...b.vars }, { profile: "b@x", who: "b@x", also: "b@x" })
    // Nothing reached the realm's global object or rulefx's.
    assert.isUndefined((globalThis as Record<string, unknown>)["profile"])
    assert.strictEqual(
      inRun({}, () => (Realm.compile("r", `function () { return typeof profile }`) as () => string)()).result,
      "undefined"
    )
  })

  it("runs see only their own values, and the Rules globals of their run", () => {
    const fn = Realm.compile("r", `function (v) { stash = v; return configuration.KEY + ":" + stash }`) as (
      v: string
    ) => string
    const one = inRun({ configuration: { KEY: "one" } }, () => fn("1"))
    const two = inRun({ configuration: { KEY: "two" } }, () => fn("2"))
    assert.deepStrictEqual([one.result, two.result], ["one:1", "two:2"])
    assert.strictEqual(one.vars["stash"], "1")
  })

  it("this in an arrow-function rule is the run's own", () => {
    const fn = Realm.compile("r", `(v) => { this.x = v; return this.x }`) as (v: string) => string
    const one = inRun({}, () => fn("a"))
    const two = inRun({}, () => fn("b"))
    assert.deepStrictEqual([one.result, two.result, one.vars["x"], two.vars["x"]], ["a", "b", "a", "b"])
  })

  it("a patched built-in stays in its realm: rulefx's and another rule's are untouched", () => {
    const patcher = call(`function () {
      Array.prototype.includes = function () { return true }
      JSON.stringify = function () { return "{}" }
      Object.defineProperty(Object.prototype, "toLocaleString", { value: 1, enumerable: true })
      return [].includes(1)
    }`)
    assert.isTrue(patcher().result)
    const other = call(
      `function () { var n = 0; for (var k in {}) n++; return [[].includes(1), JSON.stringify({ a: 1 }), n] }`
    )
    assert.deepStrictEqual(other().result, [false, "{\"a\":1}", 0])
    assert.isFalse(([] as Array<number>).includes(1))
    assert.strictEqual(JSON.stringify({ a: 1 }), "{\"a\":1}")
  })

  // A hand-written deep merge, as rules wrote them: `target[key]` for `__proto__` is the target's prototype.
  const merge = `function merge(target, source) {
    for (var key in source) {
      if (source[key] && typeof source[key] === "object") {
        if (!target[key]) target[key] = {}
        merge(target[key], source[key])
      } else target[key] = source[key]
    }
    return target
  }`
  const payloads = [
    `{"__proto__": {"isAdmin": true}}`,
    `{"constructor": {"prototype": {"isAdmin": true}}}`,
    `{"list": {"__proto__": {"isAdmin": true, "0": "admin"}}}`,
    `{"list": {"constructor": {"__proto__": {"isAdmin": true}}}}`
  ]

  it("a deep merge of JSON into the rule's own objects adds nothing to its realm's prototypes", () => {
    for (const json of payloads) {
      // One rule (one realm): a login merges the payload, a later login looks at fresh objects.
      const rule = Realm.compile(
        "r",
        `function (json) {
        ${merge}
        if (json) merge({ list: [] }, JSON.parse(json))
        return [({}).isAdmin, [].isAdmin, [][0], (function () {}).isAdmin]
      }`
      ) as (json?: string) => unknown
      inRun({}, () => rule(json))
      assert.deepStrictEqual(inRun({}, () => rule()).result, [undefined, undefined, undefined, undefined], json)
    }
    // Existing properties stay writable: old-style inheritance and a rule's own patches work.
    const inherit = call(`function () {
      function Base() {}
      function Child() {}
      Child.prototype = Object.create(Base.prototype)
      Child.prototype.constructor = Child
      Child.prototype.toString = function () { return "child" }
      Object.prototype.hasOwnProperty = Object.prototype.hasOwnProperty
      return [new Child().constructor === Child, String(new Child()), [1].includes(1)]
    }`)
    assert.deepStrictEqual(inherit().result, [true, "child", true])
    // What does fail: adding a method to a prototype (silently in sloppy code, a TypeError in strict code).
    const adds = call(`function () {
      Object.prototype.extend = function () {}
      Array.prototype.unique = function () {}
      Function.prototype.method = function () {}
      return [typeof ({}).extend, typeof [].unique, typeof (function () {}).method]
    }`)
    assert.deepStrictEqual(adds().result, ["undefined", "undefined", "undefined"])
    assert.throws(
      () => call(`function () { "use strict"; Object.prototype.extend = 1 }`)(),
      /not extensible/
    )
  })

  it("the data realm: what rulefx makes there takes a merge's __proto__ key into no prototype", () => {
    const rule = Realm.compile("r", `function (target, json) { ${merge}; merge(target, JSON.parse(json)) }`)
    for (const json of payloads) {
      const target = Realm.empty(false) as Record<string, unknown>
      target["list"] = Realm.empty(true)
      inRun({}, () => rule(target, json))
      const [object, array] = [Realm.empty(false), Realm.empty(true)] as Array<Record<string, unknown>>
      assert.deepStrictEqual([object!["isAdmin"], array!["isAdmin"], array!["0"]], [undefined, undefined, undefined])
      assert.isUndefined(({} as Record<string, unknown>)["isAdmin"], json)
      assert.isUndefined(([] as unknown as Record<string, unknown>)["isAdmin"], json)
    }
    // Not rulefx's: a value rulefx reads back needs Array.isArray, not instanceof.
    assert.isTrue(Array.isArray(Realm.empty(true)))
    assert.notStrictEqual(Object.getPrototypeOf(Realm.empty(false)), Object.prototype)
  })

  it("eval and new Function are refused; a write outside any run goes nowhere", () => {
    const fn = Realm.compile("r", `function () { return eval("1") }`) as () => unknown
    assert.throws(() => inRun({}, fn), /Code generation from strings disallowed/)
    const write = Realm.compile("r", `function () { leaked = 1; return typeof leaked }`) as () => unknown
    assert.strictEqual(write(), "undefined")
  })

  it("the realm's Date reads the host's clock, and stays the realm's", () => {
    vi.useFakeTimers({ toFake: ["Date"] })
    vi.setSystemTime(new Date("2025-01-18T12:00:00Z"))
    try {
      const run = call(`function () {
        return [new Date().toISOString(), Date.now(), new Date(0).getTime(), new Date() instanceof Date, typeof Date()]
      }`)
      assert.deepStrictEqual(run().result, [
        "2025-01-18T12:00:00.000Z",
        Date.parse("2025-01-18T12:00:00Z"),
        0,
        true,
        "string"
      ])
    } finally {
      vi.useRealTimers()
    }
  })

  it("the host's other globals are there, but not its global object", () => {
    const run = call(
      `function () { return [typeof setTimeout, typeof Buffer, typeof URL, typeof global, typeof require] }`
    )
    assert.deepStrictEqual(run().result, ["function", "function", "function", "undefined", "undefined"])
    assert.deepStrictEqual(run({ global: { shared: true } }).result, [
      "function",
      "function",
      "function",
      "object",
      "undefined"
    ])
  })

  it("a stack trace names the rule and its line", () => {
    const run = call(`function () {
      var a = 1
      null.boom
    }`)
    try {
      run()
      assert.fail("expected a TypeError")
    } catch (error) {
      assert.match(String((error as Error).stack), /at .*test-rule:3:/)
    }
  })

  it("without node:vm's uncontextified contexts the rule cannot be compiled: RealmUnavailable", () => {
    const spy = vi.spyOn(process, "getBuiltinModule").mockReturnValue(undefined)
    try {
      assert.throws(() => Realm.compile("r", "function () {}"), Realm.RealmUnavailable)
    } finally {
      spy.mockRestore()
    }
  })
})
