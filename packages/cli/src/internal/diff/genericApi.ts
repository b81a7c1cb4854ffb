/**
 * A recording api that also records calls it does not know. @rulefx/testing's RecordingApi has the methods of today's
 * post-login `api`; an Action that calls one added later (`api.authentication.challengeWith(...)`) would throw there,
 * in both Actions alike, and two Actions that call it with different arguments would look the same. Here any unknown
 * method path is recorded as a call (method `authentication.challengeWith`, its arguments) and returns the `api`, as
 * Auth0's methods do, so `rulefx diff` compares it generically. `then` and symbols stay undefined: an unknown path is
 * never mistaken for a promise.
 */
import type * as RecordingApi from "@rulefx/testing/RecordingApi"

/** The recording api `base`, with its unknown method paths recorded into its `calls` too. */
export const wrap = (base: RecordingApi.RecordingApi): RecordingApi.RecordingApi => {
  // The base records into this array; unknown calls go to the same one, in call order.
  const calls = base.calls as Array<RecordingApi.Call>
  const unknownPath = (path: string): unknown =>
    new Proxy(() => {}, {
      get: (_target, key) => typeof key === "symbol" || key === "then" ? undefined : unknownPath(`${path}.${key}`),
      apply: (_target, _this, args: Array<unknown>) => {
        calls.push({ method: path, args })
        return api
      }
    })
  const wrapObject = <A extends object>(target: A, prefix: string): A =>
    new Proxy(target, {
      get: (own, key, receiver) => {
        if (typeof key === "symbol" || key in own) {
          const value = Reflect.get(own, key, receiver) as unknown
          return typeof key === "string" && key !== "calls" && typeof value === "object" && value !== null &&
              !Array.isArray(value)
            ? wrapObject(value, `${prefix}${key}.`)
            : value
        }
        return key === "then" || key === "toJSON" ? undefined : unknownPath(`${prefix}${key}`)
      }
    })
  const api: RecordingApi.RecordingApi = wrapObject(base, "")
  return api
}
