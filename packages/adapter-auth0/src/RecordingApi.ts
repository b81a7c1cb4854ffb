/**
 * RecordingApi: a stand-in for Auth0's post-login `api` that records every call, for tests, the demo and local
 * runs of a built Action.
 *
 * It behaves as the reference documents where that matters to a caller: `access.deny` does not stop the Action,
 * `accessToken.addScope`/`removeScope` throw on an invalid scope string, and every method returns the `api`
 * object for chaining.
 *
 * @since 0.1.0
 */
import { isValidScope, type PostLoginApi } from "./PostLoginApi.ts"

/**
 * One recorded call: the method's dotted name and its arguments.
 *
 * @category models
 * @since 0.1.0
 */
export interface Call {
  readonly method: string
  readonly args: ReadonlyArray<unknown>
}

/**
 * What a recorded run did, summarised.
 *
 * @category models
 * @since 0.1.0
 */
export interface Summary {
  readonly denied: string | undefined
  readonly idTokenClaims: Record<string, unknown>
  readonly accessTokenClaims: Record<string, unknown>
  readonly scopesAdded: ReadonlyArray<string>
  readonly scopesRemoved: ReadonlyArray<string>
  readonly appMetadata: Record<string, unknown>
  readonly userMetadata: Record<string, unknown>
  readonly mfa: string | undefined
  readonly redirect: string | undefined
}

/**
 * A recording api.
 *
 * @category models
 * @since 0.1.0
 */
export interface RecordingApi extends PostLoginApi {
  readonly calls: ReadonlyArray<Call>
  readonly summary: () => Summary
}

/**
 * Makes a fresh recording api.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (): RecordingApi => {
  const calls: Array<Call> = []
  // oxlint-disable-next-line prefer-const
  let api: RecordingApi
  const record = (method: string) => (...args: Array<unknown>) => {
    calls.push({ method, args })
    return api
  }
  const scope = (method: string) => (value: string) => {
    if (typeof value !== "string" || !isValidScope(value)) throw new TypeError(`Invalid scope: ${String(value)}`)
    return record(method)(value)
  }
  api = {
    calls,
    access: { deny: record("access.deny") },
    idToken: { setCustomClaim: record("idToken.setCustomClaim") },
    accessToken: {
      setCustomClaim: record("accessToken.setCustomClaim"),
      addScope: scope("accessToken.addScope"),
      removeScope: scope("accessToken.removeScope")
    },
    user: {
      setAppMetadata: record("user.setAppMetadata"),
      setUserMetadata: record("user.setUserMetadata")
    },
    multifactor: { enable: record("multifactor.enable") },
    redirect: { sendUserTo: record("redirect.sendUserTo") },
    summary: () => summarize(calls)
  }
  return api
}

// defineProperty, so a claim named "__proto__" is recorded as a key instead of replacing the prototype.
const set = (target: Record<string, unknown>, key: unknown, value: unknown) =>
  Object.defineProperty(target, String(key), { value, enumerable: true, writable: true, configurable: true })

/**
 * Summarises calls: the last deny reason, claims and metadata by key (later calls win), scopes, MFA and redirect.
 *
 * @category constructors
 * @since 0.1.0
 */
export const summarize = (calls: ReadonlyArray<Call>): Summary => {
  const summary = {
    denied: undefined as string | undefined,
    idTokenClaims: {} as Record<string, unknown>,
    accessTokenClaims: {} as Record<string, unknown>,
    scopesAdded: [] as Array<string>,
    scopesRemoved: [] as Array<string>,
    appMetadata: {} as Record<string, unknown>,
    userMetadata: {} as Record<string, unknown>,
    mfa: undefined as string | undefined,
    redirect: undefined as string | undefined
  }
  for (const { method, args } of calls) {
    switch (method) {
      case "access.deny":
        summary.denied = String(args[0])
        break
      case "idToken.setCustomClaim":
        set(summary.idTokenClaims, args[0], args[1])
        break
      case "accessToken.setCustomClaim":
        set(summary.accessTokenClaims, args[0], args[1])
        break
      case "accessToken.addScope":
        summary.scopesAdded.push(String(args[0]))
        break
      case "accessToken.removeScope":
        summary.scopesRemoved.push(String(args[0]))
        break
      case "user.setAppMetadata":
        set(summary.appMetadata, args[0], args[1])
        break
      case "user.setUserMetadata":
        set(summary.userMetadata, args[0], args[1])
        break
      case "multifactor.enable":
        summary.mfa = String(args[0])
        break
      case "redirect.sendUserTo":
        summary.redirect = String(args[0])
        break
    }
  }
  return summary
}
