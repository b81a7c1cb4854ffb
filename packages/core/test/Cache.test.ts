import { assert, describe, it } from "@effect/vitest"
import * as Cache from "@rulefx/core/Cache"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { TestClock } from "effect/testing"

const withMemory = <A, E>(self: Effect.Effect<A, E, Cache.Cache>) => Effect.provide(self, Cache.Cache.layerMemory)

describe("Cache", () => {
  describe("layerMemory", () => {
    it.effect("starts empty: a get is a miss", () =>
      withMemory(Effect.gen(function*() {
        const cache = yield* Cache.Cache
        assert.isTrue(Option.isNone(yield* cache.get("k")))
      })))

    it.effect("set then get returns the value; a later set replaces it; delete removes it", () =>
      withMemory(Effect.gen(function*() {
        const cache = yield* Cache.Cache
        assert.isTrue(yield* cache.set("k", "v1"))
        assert.deepStrictEqual(yield* cache.get("k"), Option.some("v1"))
        assert.isTrue(yield* cache.set("k", "v2"))
        assert.deepStrictEqual(yield* cache.get("k"), Option.some("v2"))
        yield* cache.delete("k")
        assert.isTrue(Option.isNone(yield* cache.get("k")))
        // Deleting an absent key is fine.
        yield* cache.delete("never-set")
      })))

    it.effect("a value expires after its ttl, read from the Clock", () =>
      withMemory(Effect.gen(function*() {
        const cache = yield* Cache.Cache
        assert.isTrue(yield* cache.set("k", "v", { ttl: "10 seconds" }))
        yield* TestClock.adjust("9 seconds")
        assert.deepStrictEqual(yield* cache.get("k"), Option.some("v"))
        yield* TestClock.adjust("1 second")
        assert.isTrue(Option.isNone(yield* cache.get("k")))
      })))

    it.effect("without a ttl a value is kept for the default 15 minutes", () =>
      withMemory(Effect.gen(function*() {
        const cache = yield* Cache.Cache
        yield* cache.set("k", "v")
        yield* TestClock.adjust(Duration.minutes(14))
        assert.isTrue(Option.isSome(yield* cache.get("k")))
        yield* TestClock.adjust(Duration.minutes(1))
        assert.isTrue(Option.isNone(yield* cache.get("k")))
      })))

    it.effect.each([0, -5, "0 millis", Duration.zero, Number.NaN] as const)(
      "a ttl that is not positive (%j) is refused: false, and nothing is stored",
      (ttl) =>
        withMemory(Effect.gen(function*() {
          const cache = yield* Cache.Cache
          assert.isFalse(yield* cache.set("k", "v", { ttl }))
          assert.isTrue(Option.isNone(yield* cache.get("k")))
        }))
    )

    it.effect("each build of the layer is a new, empty cache", () =>
      Effect.gen(function*() {
        yield* withMemory(Effect.flatMap(Cache.Cache, (cache) => cache.set("k", "v")))
        const again = yield* withMemory(Effect.flatMap(Cache.Cache, (cache) => cache.get("k")))
        assert.isTrue(Option.isNone(again))
      }))

    it.effect("makeMemory: two caches do not share entries", () =>
      Effect.gen(function*() {
        const a = Cache.makeMemory()
        const b = Cache.makeMemory()
        yield* a.set("k", "a")
        assert.deepStrictEqual(yield* a.get("k"), Option.some("a"))
        assert.isTrue(Option.isNone(yield* b.get("k")))
      }))
  })

  describe("ttlMillis", () => {
    it("no options or no ttl: the default, 15 minutes", () => {
      assert.strictEqual(Cache.ttlMillis(undefined), 900_000)
      assert.strictEqual(Cache.ttlMillis({}), 900_000)
      assert.strictEqual(Duration.toMillis(Cache.defaultTtl), 900_000)
    })

    it("durations in any input form, infinite kept as is (callers cap it)", () => {
      assert.strictEqual(Cache.ttlMillis({ ttl: "1 hour" }), 3_600_000)
      assert.strictEqual(Cache.ttlMillis({ ttl: 250 }), 250)
      assert.strictEqual(Cache.ttlMillis({ ttl: Duration.days(2) }), 172_800_000)
      assert.strictEqual(Cache.ttlMillis({ ttl: "Infinity" }), Infinity)
    })

    it("zero, negative, NaN and malformed durations: undefined", () => {
      const inputs: ReadonlyArray<Duration.Input> = [0, -1, Number.NaN, "-Infinity", "soon" as Duration.Input]
      for (const ttl of inputs) {
        assert.isUndefined(Cache.ttlMillis({ ttl }), String(ttl))
      }
    })
  })
})
