import { cache, cacheEntryBytes, type CacheErrorCode, checkCacheWrite } from "@rulefx/adapter-auth0/Auth0Limits"
import type { CacheApi, CacheRecord, CacheWriteResult } from "@rulefx/adapter-auth0/PostLoginApi"

const failure = (code: CacheErrorCode): CacheWriteResult => ({ type: "error", code })

/**
 * An in-memory `api.cache` that behaves as Auth0 documents it: string keys and values, Auth0's limits (entries,
 * key, value and total size) answered with Auth0's error codes, `ttl`/`expires_at` with the earlier winning, a
 * default lifetime of 15 minutes and at most 24 hours. It starts empty; `now` is the clock, in epoch milliseconds.
 */
export const makeMemoryCache = (now: () => number): CacheApi => {
  const records = new Map<string, CacheRecord>()
  const sizes = new Map<string, number>()
  const sweep = (at: number) => {
    for (const [key, record] of records) {
      if (record.expires_at <= at) {
        records.delete(key)
        sizes.delete(key)
      }
    }
  }
  return {
    get: (key) => {
      sweep(now())
      return records.get(key)
    },
    set: (key, value, options) => {
      if (typeof key !== "string" || typeof value !== "string") return failure("FailedToSetCacheRecord")
      const at = now()
      const ttl = options?.ttl
      const expiresAt = options?.expires_at
      if (ttl !== undefined && !(typeof ttl === "number" && ttl > 0)) return failure("InvalidExpiry")
      if (expiresAt !== undefined && !(typeof expiresAt === "number" && expiresAt === expiresAt)) {
        return failure("InvalidExpiry")
      }
      if (expiresAt !== undefined && expiresAt <= at) return failure("ItemAlreadyExpired")
      const requested = Math.min(
        ttl === undefined ? Infinity : at + ttl,
        expiresAt ?? Infinity,
        ttl === undefined && expiresAt === undefined ? at + cache.defaultTtlMillis : Infinity
      )
      sweep(at)
      const refused = checkCacheWrite(sizes, key, value)
      if (refused !== undefined) return failure(refused)
      const record: CacheRecord = { value, expires_at: Math.min(requested, at + cache.maxTtlMillis) }
      records.set(key, record)
      sizes.set(key, cacheEntryBytes(key, value))
      return { type: "success", record }
    },
    delete: (key) => {
      sweep(now())
      sizes.delete(key)
      return records.delete(key) ? { type: "success" } : failure("CacheKeyDoesNotExist")
    }
  }
}
