import { assert, describe, it } from "@effect/vitest"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as Effect from "effect/Effect"

describe("LogCapture", () => {
  it("captures every console method as the console would print it, and restores them", async () => {
    const before = LogCapture.methods.map((method) => console[method])
    const { entries, lines, result } = await LogCapture.around(async () => {
      console.log("rulefx INFO", { a: 1 }, 2)
      console.warn("%s!", "formatted")
      console.error("error")
      return "done"
    })
    assert.strictEqual(result, "done")
    assert.deepStrictEqual(lines, ["rulefx INFO { a: 1 } 2", "formatted!", "error"])
    assert.deepStrictEqual(entries.map((e) => e.method), ["log", "warn", "error"])
    assert.deepStrictEqual(LogCapture.methods.map((method) => console[method]), before)
  })

  it("captures console.dir (its first argument, as inspect renders it) and console.dirxml", async () => {
    const { entries, lines } = await LogCapture.around(() => {
      console.dir({ key: "s3cr3t" }, { depth: 0 })
      console.dirxml({ key: "s3cr3t" }, 2)
    })
    assert.deepStrictEqual(lines, ["{ key: 's3cr3t' }", "{ key: 's3cr3t' } 2"])
    assert.deepStrictEqual(entries.map((e) => e.method), ["dir", "dirxml"])
  })

  it("restores the console when the function rejects", async () => {
    const log = console.log
    const error = await LogCapture.around(() => Promise.reject(new Error("boom"))).catch((e: unknown) => e)
    assert.instanceOf(error, Error)
    assert.strictEqual(console.log, log)
  })

  it("renders nested objects as deep as asked (a secret three levels down is seen)", async () => {
    const value = { a: { b: { c: { secret: "s3cr3t" } } } }
    const shallow = await LogCapture.around(() => console.log(value))
    const deep = await LogCapture.around(() => console.log(value), { depth: 5 })
    assert.notInclude(shallow.lines[0], "s3cr3t")
    assert.include(deep.lines[0], "s3cr3t")
  })

  it("nests: an inner capture gives the console back to the outer one", () => {
    const outer = LogCapture.start({ methods: ["log"] })
    try {
      const inner = LogCapture.start({ methods: ["log"] })
      console.log("inner")
      inner.stop()
      console.log("outer")
      assert.deepStrictEqual(inner.lines, ["inner"])
    } finally {
      outer.stop()
    }
    assert.deepStrictEqual(outer.lines, ["outer"])
  })

  it("appends to a given array, keeps at most `limit` lines, and stops once", () => {
    const lines = ["before"]
    const capture = LogCapture.start({ lines, limit: 2 })
    console.log("one")
    console.log("two")
    console.log("three")
    capture.stop()
    capture.stop()
    assert.deepStrictEqual(lines, ["before", "one", "two"])
  })

  // brk-late (c): a capture without a limit kept every line an Action logged on every turn of the event loop (10 kB
  // each) until its run ended, and `rulefx diff` ran out of a 64 MB heap.
  it("keeps at most `maxLength` characters, the last line cut there, and counts the calls it dropped", () => {
    const capture = LogCapture.start({ maxLength: 10 })
    console.log("abcdef")
    console.log("ghijkl")
    console.log("mnopqr")
    console.error("stuvwx")
    capture.stop()
    assert.deepStrictEqual(capture.lines, ["abcdef", "ghij…"])
    assert.strictEqual(capture.dropped(), 2)
  })

  it("counts the calls past `limit` as dropped", () => {
    const capture = LogCapture.start({ limit: 1 })
    console.log("one")
    console.log("two")
    capture.stop()
    assert.deepStrictEqual(capture.lines, ["one"])
    assert.strictEqual(capture.dropped(), 1)
  })

  it("keeps only the calls `accept` says are its own, and does not count the others as dropped", () => {
    let mine = true
    const capture = LogCapture.start({ accept: () => mine })
    console.log("one")
    mine = false
    console.log("another's")
    mine = true
    console.log("two")
    capture.stop()
    assert.deepStrictEqual(capture.lines, ["one", "two"])
    assert.strictEqual(capture.dropped(), 0)
  })

  it.effect("scoped: captured for the scope's life", () =>
    Effect.gen(function*() {
      const log = console.log
      const lines = yield* Effect.scoped(Effect.gen(function*() {
        const capture = yield* LogCapture.scoped()
        console.log("inside")
        return capture.lines
      }))
      assert.deepStrictEqual(lines, ["inside"])
      assert.strictEqual(console.log, log)
    }))

  it.effect("layer collects Effect log messages; rulefxLines keeps rulefx's lines only", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      yield* Effect.logInfo("hello", 1).pipe(Effect.provide(LogCapture.layer(lines)))
      assert.deepStrictEqual(lines, ["hello 1"])
      assert.deepStrictEqual(LogCapture.rulefxLines(["rulefx INFO a", "other", "rulefxno"]), ["rulefx INFO a"])
    }))
})
