/**
 * A small, best-effort string cache for rules: remember an expensive lookup for a while, across logins where the
 * platform keeps it (Auth0's `api.cache`), within the login otherwise.
 *
 * A cache is an optimisation, never a source of truth, so it cannot deny a login: a value it does not have is a
 * miss (`Option.none()`), and a write it refuses (too big, too many entries, the platform says no) is `false`.
 * Rules treat both as "compute it again". The adapter provides the cache per login, within its platform's limits.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

/**
 * Options of a write. `ttl` is how long the value may be kept (the implementation may keep it shorter, or cap it).
 *
 * @category models
 * @since 0.1.0
 */
export interface SetOptions {
  readonly ttl?: Duration.Input
}

/**
 * The cache service. Every method succeeds: a failure of the store is a miss, or `false` for a write.
 *
 * **Example** (Remembering a lookup)
 *
 * ```ts
 * import { Cache } from "@rulefx/core/Cache"
 * import * as Effect from "effect/Effect"
 * import * as Option from "effect/Option"
 *
 * declare const fetchPlan: (userId: string) => Effect.Effect<string>
 *
 * const planOf = Effect.fn("planOf")(function*(userId: string) {
 *   const cache = yield* Cache
 *   const hit = yield* cache.get(`plan:${userId}`)
 *   if (Option.isSome(hit)) return hit.value
 *   const plan = yield* fetchPlan(userId)
 *   yield* cache.set(`plan:${userId}`, plan, { ttl: "10 minutes" })
 *   return plan
 * })
 * ```
 *
 * @category services
 * @since 0.1.0
 */
export class Cache extends Context.Service<Cache, {
  /** The value under `key`, or none when absent, expired or unreadable. */
  readonly get: (key: string) => Effect.Effect<Option.Option<string>>
  /** Stores `value` under `key`; `false` when the write is refused, which callers treat as a miss. */
  readonly set: (key: string, value: string, options?: SetOptions) => Effect.Effect<boolean>
  /** Removes `key`, if present. */
  readonly delete: (key: string) => Effect.Effect<void>
}>()("@rulefx/core/Cache") {
  // Layer.effectContext, which every Action has (ServiceLayer's), rather than Layer.effect or Layer.sync, which would
  // add over 100 bytes to each for this test layer.
  /**
   * An unbounded in-memory cache that starts empty, with expiry read from Effect's Clock (so TestClock drives it).
   * For tests; each build of the layer is a new, empty cache.
   */
  static readonly layerMemory: Layer.Layer<Cache> = /* @__PURE__ */ Layer.effectContext(
    Effect.sync(() => Context.make(Cache, makeMemory()))
  )
}

/**
 * How long a value is kept when a write gives no `ttl`: 15 minutes, as in Auth0.
 *
 * @category constructors
 * @since 0.1.0
 */
export const defaultTtl: Duration.Duration = /* @__PURE__ */ Duration.minutes(15)

/**
 * The time to live of a write in milliseconds, or `undefined` when it is not a positive duration (such a write is
 * refused). Infinite stays infinite; callers cap it.
 *
 * @category getters
 * @since 0.1.0
 */
export const ttlMillis = (options: SetOptions | undefined): number | undefined => {
  // try/catch rather than Duration.fromInput, whose Option wrapper every Action would carry for this call alone.
  let millis: number
  try {
    millis = Duration.toMillis(Duration.fromInputUnsafe(options?.ttl === undefined ? defaultTtl : options.ttl))
  } catch {
    return undefined
  }
  return millis > 0 ? millis : undefined
}

/**
 * Builds an unbounded in-memory cache that starts empty.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeMemory = (): Cache["Service"] => {
  const entries = new Map<string, { readonly value: string; readonly expiresAt: number }>()
  return Cache.of({
    get: (key) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const entry = entries.get(key)
        if (entry === undefined) return Option.none()
        if (entry.expiresAt > now) return Option.some(entry.value)
        entries.delete(key)
        return Option.none()
      }),
    set: (key, value, options) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const millis = ttlMillis(options)
        if (millis === undefined) return false
        entries.set(key, { value, expiresAt: now + millis })
        return true
      }),
    delete: (key) =>
      Effect.sync(() => {
        entries.delete(key)
      })
  })
}
