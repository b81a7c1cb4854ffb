/**
 * Auth0Cache: core's Cache service over Auth0's `api.cache`, for one login, inside Auth0's limits.
 *
 * Limits are checked before the store is called: keys of at most 64 UTF-8 bytes, values of at most 4 kB, 20
 * entries and 8 kB of keys and values in all, lifetimes capped at 24 hours (15 minutes by default). Auth0 counts
 * the whole trigger's cache, which a login cannot list, so the entry and total checks count what this login has
 * seen (its own writes and the hits it read), and Auth0's own answer covers the rest. Whatever goes wrong (a limit,
 * an `{type: "error"}` answer, a method that throws, a malformed answer) is a miss or a refused write, never a
 * failure, so the cache can never deny a login. Where the `api` has no cache, the login gets core's in-memory cache,
 * empty, behind the same limits.
 *
 * @since 0.1.0
 */
import { Cache, makeMemory, ttlMillis } from "@rulefx/core/Cache"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import { cache, cacheEntryBytes, checkCacheWrite } from "./Auth0Limits.ts"
import type { CacheApi, PostLoginApi } from "./PostLoginApi.ts"

// Runs a call into `api.cache`, turning a throw into `fallback` (and a log line that carries no key or value). Plain
// try/catch rather than Effect.try, as ExecutedRules does: an Action need not carry Effect.try for these two.
const attempt = <A>(call: () => A, fallback: A): Effect.Effect<A> =>
  Effect.suspend(() => {
    try {
      return Effect.succeed(call())
    } catch {
      return Effect.as(threw, fallback)
    }
  })

const threw = Effect.logWarning("api.cache threw; treated as a miss")

const refuse = (code: string): Effect.Effect<boolean> =>
  Effect.logWarning(`cache write refused: ${code.slice(0, 40)}`).pipe(Effect.as(false))

const valueOf = (record: unknown): string | undefined =>
  Predicate.isString(record)
    ? record
    : Predicate.hasProperty(record, "value") && Predicate.isString(record.value)
    ? record.value
    : undefined

/**
 * The Cache service straight over an `api.cache` (Auth0's, or a stand-in with the same methods), without the limit
 * checks: an `{type: "error"}` answer, a throw or a malformed answer is a miss or `false`. The `ttl` given is
 * passed on in milliseconds, as is.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromApi = (backend: CacheApi): Cache["Service"] =>
  Cache.of({
    get: (key) =>
      Effect.map(attempt(() => backend.get(key) as unknown, undefined), (r) => Option.fromNullishOr(valueOf(r))),
    set: (key, value, options) =>
      Effect.flatMap(
        attempt(() => backend.set(key, value, { ttl: ttlMillis(options) ?? 0 }) as unknown, undefined),
        (result) =>
          Predicate.hasProperty(result, "type") && result.type === "success"
            ? Effect.succeed(true)
            : refuse(
              Predicate.hasProperty(result, "code") && Predicate.isString(result.code) ? result.code : "unknown answer"
            )
      ),
    delete: (key) => Effect.map(attempt(() => backend.delete(key) as unknown, undefined), () => undefined)
  })

/**
 * Puts Auth0's cache limits in front of a store: a write that breaks one is refused (`false`) without reaching the
 * store, and the lifetime passed on is capped at 24 hours (15 minutes when none is given).
 *
 * @category combinators
 * @since 0.1.0
 */
export const withLimits = (store: Cache["Service"]): Cache["Service"] => {
  // Key -> bytes of key and value, for the entries this login knows to be in the cache.
  const seen = new Map<string, number>()
  return Cache.of({
    get: (key) =>
      Effect.map(store.get(key), (value) => {
        if (Option.isSome(value)) seen.set(key, cacheEntryBytes(key, value.value))
        else seen.delete(key)
        return value
      }),
    set: (key, value, options) =>
      Effect.suspend(() => {
        const ttl = ttlMillis(options)
        if (ttl === undefined) return refuse("InvalidExpiry")
        const code = checkCacheWrite(seen, key, value)
        if (code !== undefined) return refuse(code)
        return Effect.map(store.set(key, value, { ttl: Math.ceil(Math.min(ttl, cache.maxTtlMillis)) }), (stored) => {
          if (stored) seen.set(key, cacheEntryBytes(key, value))
          return stored
        })
      }),
    // The store's delete never fails, so the entry is forgotten either way.
    delete: (key) =>
      Effect.map(store.delete(key), () => {
        seen.delete(key)
      })
  })
}

/**
 * The Cache over an `api.cache`, inside Auth0's limits.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (backend: CacheApi): Cache["Service"] => withLimits(fromApi(backend))

/**
 * Builds the Cache of one login: over `api.cache` when the `api` has one, otherwise in memory and empty, inside
 * Auth0's limits either way. An `api.cache` that throws when read is logged and treated as absent.
 *
 * @category constructors
 * @since 0.1.0
 */
export const forLogin = (api: PostLoginApi | undefined): Effect.Effect<Cache["Service"]> => {
  // Read once, at once, outside the runtime (an Exit, no Effect.try per login); a getter that throws is logged as
  // `attempt` logs it, and the login gets the memory cache.
  let backend: CacheApi | undefined
  try {
    backend = api?.cache
  } catch {
    return Effect.as(threw, over(undefined))
  }
  return Effect.succeed(over(backend))
}

const over = (backend: CacheApi | undefined): Cache["Service"] =>
  Predicate.isObject(backend) ? make(backend) : withLimits(makeMemory())

/**
 * The Cache of one login as a layer (see `forLogin`). Build it per login.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (api: PostLoginApi | undefined): Layer.Layer<Cache> => Layer.effect(Cache, forLogin(api))
