import { assert, describe, it } from "@effect/vitest"
import * as Realm from "@rulefx/legacy-rules/Realm"
import { vi } from "vitest"
import { running } from "../src/internal/running.ts"

/** Runs `f` as a run with these globals; returns what it returned and the run's own variables. */
const inRun = <A>(globals: Record<string, unknown>, f: () => A) => {
  const vars: Record<PropertyKey, unknown> = Object.create(null)
  const result = running.run({ fail: () => undefined, globals, vars }, f)
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
      Object.prototype.extend = 1
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
