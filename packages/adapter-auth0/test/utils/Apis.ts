/**
 * Hostile stand-ins for Auth0's `api`, for checking that the handler never throws or rejects.
 *
 * @since 0.1.0
 */
import type { PostLoginApi } from "@rulefx/adapter-auth0/PostLoginApi"
import * as RecordingApi from "@rulefx/testing/RecordingApi"

/**
 * An api whose every method throws; `attempts` lists the methods the handler tried, in order.
 *
 * @since 0.1.0
 */
export const throwingApi = (): PostLoginApi & { readonly attempts: ReadonlyArray<string> } => {
  const attempts: Array<string> = []
  const boom = (method: string) => (..._args: Array<unknown>): never => {
    attempts.push(method)
    throw new Error(`api.${method} is down`)
  }
  return {
    attempts,
    access: { deny: boom("access.deny") },
    idToken: { setCustomClaim: boom("idToken.setCustomClaim") },
    accessToken: {
      setCustomClaim: boom("accessToken.setCustomClaim"),
      addScope: boom("accessToken.addScope"),
      removeScope: boom("accessToken.removeScope")
    },
    user: { setAppMetadata: boom("user.setAppMetadata"), setUserMetadata: boom("user.setUserMetadata") },
    multifactor: { enable: boom("multifactor.enable") },
    redirect: { sendUserTo: boom("redirect.sendUserTo") }
  }
}

/**
 * A recording api whose `access.deny` records the call and then throws.
 *
 * @since 0.1.0
 */
export const denyThrowsApi = (): RecordingApi.RecordingApi => {
  const api = RecordingApi.make()
  return {
    ...api,
    access: {
      deny: (reason: string) => {
        api.access.deny(reason)
        throw new Error("deny is down")
      }
    }
  }
}

/**
 * A recording api whose addScope throws on every scope, valid or not (an Auth0 stricter than our check).
 *
 * @since 0.1.0
 */
export const scopeThrowsApi = (): RecordingApi.RecordingApi => {
  const api = RecordingApi.make()
  return {
    ...api,
    accessToken: {
      ...api.accessToken,
      addScope: (scope: string) => {
        throw new TypeError(`Invalid scope: ${scope}`)
      }
    }
  }
}

/**
 * The methods of recorded calls, counted.
 *
 * @since 0.1.0
 */
export const countByMethod = (calls: ReadonlyArray<RecordingApi.Call>): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const { method } of calls) counts[method] = (counts[method] ?? 0) + 1
  return counts
}
