import type { CacheApi } from "@rulefx/adapter-auth0/PostLoginApi"
import type { Call } from "../RecordingApi.ts"

/**
 * A method that answers with `answer` and then records its call as `method`: a call that `answer` refuses (throws) is
 * not recorded. The one place the stand-in apis record a call.
 */
export const recorded = <Args extends ReadonlyArray<unknown>, A>(
  calls: Array<Call>,
  method: string,
  answer: (...args: Args) => A
) =>
(...args: Args): A => {
  const result = answer(...args)
  calls.push({ method, args })
  return result
}

/**
 * Auth0's chaining methods: each records its call and returns the api. `api` is read when a method is called, so the
 * methods can be made before the api that holds them.
 */
export const chaining = <A>(calls: Array<Call>, api: () => A) => (method: string) =>
  recorded(calls, method, (..._args: ReadonlyArray<unknown>) => api())

/** `cache`, recording each call once it has answered. */
export const recordingCache = (calls: Array<Call>, cache: CacheApi): CacheApi => ({
  get: recorded(calls, "cache.get", cache.get),
  set: recorded(calls, "cache.set", cache.set),
  delete: recorded(calls, "cache.delete", cache.delete)
})
