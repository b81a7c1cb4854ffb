import { assert, describe, it } from "@effect/vitest"
import * as Auth0Cache from "@rulefx/adapter-auth0/Auth0Cache"
import type { CacheApi, PostLoginApi } from "@rulefx/adapter-auth0/PostLoginApi"
import { Cache } from "@rulefx/core/Cache"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import { TestClock } from "effect/testing"

// A recording api on a fixed clock, and the Cache over its `api.cache`.
const setup = () => {
  let now = 1_700_000_000_000
  const api = RecordingApi.make({ now: () => now })
  return {
    api,
    cache: Auth0Cache.make(api.cache),
    advance: (millis: number) => {
      now += millis
    },
    cacheCalls: (method: string) => api.calls.filter((c) => c.method === method)
  }
}

// An api.cache whose every answer is given by `answer`, recording what was asked.
const answering = (answer: (method: string) => unknown): CacheApi & { readonly asked: Array<string> } => {
  const asked: Array<string> = []
  const call = (method: string) => (..._args: Array<unknown>) => {
    asked.push(method)
    return answer(method)
  }
  return { asked, get: call("get"), set: call("set"), delete: call("delete") } as unknown as
    & CacheApi
    & { readonly asked: Array<string> }
}

describe("Auth0Cache over api.cache", () => {
  it.effect("set then get through api.cache; delete removes the entry", () =>
    Effect.gen(function*() {
      const { api, cache } = setup()
      assert.isTrue(yield* cache.set("plan:u1", "gold"))
      assert.deepStrictEqual(yield* cache.get("plan:u1"), Option.some("gold"))
      yield* cache.delete("plan:u1")
      assert.isTrue(Option.isNone(yield* cache.get("plan:u1")))
      assert.deepStrictEqual(api.calls.map((c) => c.method), ["cache.set", "cache.get", "cache.delete", "cache.get"])
    }))

  it.effect("a 65-byte key is refused before api.cache is called; 64 bytes is fine", () =>
    Effect.gen(function*() {
      const { cache, cacheCalls } = setup()
      assert.isFalse(yield* cache.set("k".repeat(65), "v"))
      assert.isFalse(yield* cache.set("é".repeat(33), "v")) // 33 characters, 66 bytes
      assert.deepStrictEqual(cacheCalls("cache.set"), [])
      assert.isTrue(yield* cache.set("k".repeat(64), "v"))
    }))

  it.effect("a 4097-byte value is refused before api.cache is called; 4096 bytes is fine", () =>
    Effect.gen(function*() {
      const { cache, cacheCalls } = setup()
      assert.isFalse(yield* cache.set("k", "v".repeat(4097)))
      assert.isFalse(yield* cache.set("k", "é".repeat(2049)))
      assert.deepStrictEqual(cacheCalls("cache.set"), [])
      assert.isTrue(yield* cache.set("k", "v".repeat(4096)))
    }))

  it.effect("the 21st entry is a miss; the first 20 stay, and one of them can still be replaced", () =>
    Effect.gen(function*() {
      const { cache, cacheCalls } = setup()
      for (let i = 0; i < 20; i++) assert.isTrue(yield* cache.set(`k${i}`, `v${i}`), `entry ${i}`)
      assert.isFalse(yield* cache.set("k20", "v20"))
      assert.isTrue(Option.isNone(yield* cache.get("k20")))
      assert.strictEqual(cacheCalls("cache.set").length, 20)
      assert.deepStrictEqual(yield* cache.get("k0"), Option.some("v0"))
      assert.isTrue(yield* cache.set("k7", "replaced"))
      assert.deepStrictEqual(yield* cache.get("k7"), Option.some("replaced"))
    }))

  it.effect("keys and values may not pass 8 kB in all; a delete makes room again", () =>
    Effect.gen(function*() {
      const { cache } = setup()
      assert.isTrue(yield* cache.set("a", "x".repeat(4000)))
      assert.isTrue(yield* cache.set("b", "x".repeat(4000)))
      assert.isTrue(yield* cache.set("c", "x".repeat(189))) // 4001 + 4001 + 190 = 8192
      assert.isFalse(yield* cache.set("d", "x"))
      assert.isTrue(Option.isNone(yield* cache.get("d")))
      yield* cache.delete("a")
      assert.isTrue(yield* cache.set("d", "x".repeat(3000)))
    }))

  it.effect("lifetimes: 15 minutes by default, a longer ttl is capped at 24 hours, a shorter one is kept", () =>
    Effect.gen(function*() {
      const { cache, cacheCalls } = setup()
      yield* cache.set("default", "v")
      yield* cache.set("two-days", "v", { ttl: "48 hours" })
      yield* cache.set("forever", "v", { ttl: Duration.infinity })
      yield* cache.set("short", "v", { ttl: "90 seconds" })
      yield* cache.set("fraction", "v", { ttl: Duration.micros(1500n) })
      assert.deepStrictEqual(cacheCalls("cache.set").map((c) => c.args[2]), [
        { ttl: 900_000 },
        { ttl: 86_400_000 },
        { ttl: 86_400_000 },
        { ttl: 90_000 },
        { ttl: 2 }
      ])
    }))

  it.effect("a value is gone once its lifetime has passed", () =>
    Effect.gen(function*() {
      const { cache, advance } = setup()
      yield* cache.set("k", "v", { ttl: "1 minute" })
      advance(59_999)
      assert.deepStrictEqual(yield* cache.get("k"), Option.some("v"))
      advance(1)
      assert.isTrue(Option.isNone(yield* cache.get("k")))
      yield* cache.set("capped", "v", { ttl: "30 hours" })
      advance(24 * 3_600_000)
      assert.isTrue(Option.isNone(yield* cache.get("capped")))
    }))

  it.effect.each([0, -1, Number.NaN, "-Infinity"] as const)(
    "a ttl that is not positive (%j) is refused without a call",
    (ttl) =>
      Effect.gen(function*() {
        const { cache, cacheCalls } = setup()
        assert.isFalse(yield* cache.set("k", "v", { ttl }))
        assert.deepStrictEqual(cacheCalls("cache.set"), [])
      })
  )

  it.effect("entries already in api.cache (from earlier logins) count once a get has seen them", () =>
    Effect.gen(function*() {
      const { api } = setup()
      for (let i = 0; i < 19; i++) api.cache.set(`old${i}`, "v")
      const cache = Auth0Cache.make(api.cache)
      // This login has seen nothing yet: its checks pass, and Auth0's answer (20 entries) decides.
      assert.isTrue(yield* cache.set("mine", "v"))
      assert.isFalse(yield* cache.set("mine2", "v"))
      assert.isTrue(Option.isSome(yield* cache.get("old3")))
    }))
})

describe("Auth0Cache: api.cache failing never fails", () => {
  it.effect.each<{ readonly label: string; readonly answer: () => unknown }>([
    { label: "an error answer", answer: () => ({ type: "error", code: "FailedToSetCacheRecord" }) },
    { label: "MaxSideEffectsExceeded", answer: () => ({ type: "error", code: "MaxSideEffectsExceeded" }) },
    { label: "undefined", answer: () => undefined },
    { label: "a string", answer: () => "weird" },
    { label: "an error with a non-string code", answer: () => ({ type: "error", code: 42 }) }
  ])("set answered with $label: false", ({ answer }) =>
    Effect.gen(function*() {
      const backend = answering(answer)
      const cache = Auth0Cache.make(backend)
      assert.isFalse(yield* cache.set("k", "v"))
      assert.deepStrictEqual(backend.asked, ["set"])
    }))

  it.effect.each<{ readonly label: string; readonly answer: () => unknown }>([
    { label: "undefined", answer: () => undefined },
    { label: "null", answer: () => null },
    { label: "a record without a string value", answer: () => ({ value: 42, expires_at: 1 }) },
    { label: "an error answer", answer: () => ({ type: "error", code: "CacheKeyDoesNotExist" }) }
  ])("get answered with $label: a miss", ({ answer }) =>
    Effect.gen(function*() {
      const cache = Auth0Cache.make(answering(answer))
      assert.isTrue(Option.isNone(yield* cache.get("k")))
    }))

  it.effect("get answered with a bare string (older typings): a hit", () =>
    Effect.gen(function*() {
      const cache = Auth0Cache.make(answering(() => "cached"))
      assert.deepStrictEqual(yield* cache.get("k"), Option.some("cached"))
    }))

  it.effect("every method throwing: get is a miss, set is false, delete succeeds; nothing fails or dies", () =>
    Effect.gen(function*() {
      const cache = Auth0Cache.make(answering(() => {
        throw new Error("cache is down")
      }))
      const exits = [
        yield* Effect.exit(cache.get("k")),
        yield* Effect.exit(cache.set("k", "v")),
        yield* Effect.exit(cache.delete("k"))
      ]
      assert.deepStrictEqual(exits, [Exit.succeed(Option.none()), Exit.succeed(false), Exit.succeed(undefined)])
    }))

  it.effect("a failed set is not counted as an entry", () =>
    Effect.gen(function*() {
      let failing = true
      const store = new Map<string, string>()
      const cache = Auth0Cache.make({
        get: (key) => {
          const value = store.get(key)
          return value === undefined ? undefined : { value, expires_at: Infinity }
        },
        set: (key, value) => {
          if (failing) return { type: "error", code: "FailedToSetCacheRecord" }
          store.set(key, value)
          return { type: "success" }
        },
        delete: () => ({ type: "success" })
      })
      for (let i = 0; i < 25; i++) yield* cache.set(`k${i}`, "v")
      failing = false
      assert.isTrue(yield* cache.set("k0", "v"))
    }))
})

describe("Auth0Cache.layer", () => {
  const program = Effect.gen(function*() {
    const cache = yield* Cache
    const before = yield* cache.get("k")
    const stored = yield* cache.set("k", "v")
    return { before, stored, after: yield* cache.get("k"), tooBig: yield* cache.set("big", "v".repeat(4097)) }
  })

  it.effect("over the api's cache when it has one", () =>
    Effect.gen(function*() {
      const api = RecordingApi.make()
      const result = yield* Effect.provide(program, Auth0Cache.layer(api))
      assert.deepStrictEqual(result, { before: Option.none(), stored: true, after: Option.some("v"), tooBig: false })
      assert.deepStrictEqual(api.cache.get("k")?.value, "v")
    }))

  it.effect("without an api, or an api without a cache: in memory, empty per build, with the same limits", () =>
    Effect.gen(function*() {
      const { cache: _, ...withoutCache } = RecordingApi.make()
      for (const api of [undefined, withoutCache as PostLoginApi]) {
        const first = yield* Effect.provide(program, Auth0Cache.layer(api))
        assert.deepStrictEqual(first, { before: Option.none(), stored: true, after: Option.some("v"), tooBig: false })
        const second = yield* Effect.provide(program, Auth0Cache.layer(api))
        assert.isTrue(Option.isNone(second.before))
      }
    }))

  it.effect("the in-memory fallback expires values with Effect's Clock", () =>
    Effect.provide(
      Effect.gen(function*() {
        const cache = yield* Cache
        yield* cache.set("k", "v", { ttl: "2 minutes" })
        yield* TestClock.adjust("1 minute")
        assert.isTrue(Option.isSome(yield* cache.get("k")))
        yield* TestClock.adjust("1 minute")
        assert.isTrue(Option.isNone(yield* cache.get("k")))
      }),
      Auth0Cache.layer(undefined)
    ))

  it.effect("an api whose cache getter throws: the in-memory fallback, no failure", () =>
    Effect.gen(function*() {
      const api = Object.defineProperty({ ...RecordingApi.make() }, "cache", {
        get: () => {
          throw new Error("no cache here")
        }
      }) as PostLoginApi
      const result = yield* Effect.provide(program, Auth0Cache.layer(api))
      assert.isTrue(result.stored)
    }))
})
