/**
 * TriggerApis: stand-ins for Auth0's `api` objects of the triggers other than post-login, recording every call, for
 * tests, the demo and `rulefx run --trigger`.
 *
 * Each behaves as the reference documents where it matters to a caller: `access.deny` does not stop the Action, every
 * method returns the `api` object, and `cache` is an in-memory cache with Auth0's limits (as RecordingApi's). The
 * credentials-exchange `access.deny` throws on a code Auth0 does not accept (`invalid_scope`, `invalid_request`,
 * `server_error`), so a test catches a wrong code instead of recording it.
 *
 * @since 0.1.0
 */
import type { CredentialsExchangeApi } from "@rulefx/adapter-auth0/CredentialsExchange"
import type { CustomEmailProviderApi } from "@rulefx/adapter-auth0/CustomEmailProvider"
import type { CustomPhoneProviderApi } from "@rulefx/adapter-auth0/CustomPhoneProvider"
import type { CustomTokenExchangeApi } from "@rulefx/adapter-auth0/CustomTokenExchange"
import type { PasswordResetPostChallengeApi } from "@rulefx/adapter-auth0/PasswordResetPostChallenge"
import type { CacheApi } from "@rulefx/adapter-auth0/PostLoginApi"
import type { PreUserRegistrationApi } from "@rulefx/adapter-auth0/PreUserRegistration"
import { type Code, codes } from "@rulefx/core/CredentialsExchange"
import { makeMemoryCache } from "./internal/memoryCache.ts"
import { chaining, recorded, recordingCache } from "./internal/recording.ts"
import * as RecordingApi from "./RecordingApi.ts"
import type { Call } from "./RecordingApi.ts"

/**
 * What every recording api has: its calls and a cache.
 *
 * @category models
 * @since 0.1.0
 */
export interface Recording {
  readonly calls: ReadonlyArray<Call>
  readonly cache: CacheApi
}

/**
 * Options of a recording api.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The cache's clock, in milliseconds since the epoch; the wall clock by default. */
  readonly now?: () => number
}

const recorder = (options: Options) => {
  const calls: Array<Call> = []
  return { calls, cache: recordingCache(calls, makeMemoryCache(options.now ?? (() => Date.now()))) }
}

/**
 * A recording credentials-exchange api.
 *
 * @category models
 * @since 0.1.0
 */
export interface CredentialsExchange extends CredentialsExchangeApi, Recording {
  readonly cache: CacheApi
}

/**
 * Makes a fresh recording credentials-exchange api.
 *
 * @category constructors
 * @since 0.1.0
 */
export const credentialsExchange = (
  options: Options & {
    /** Whether the tenant has the early-access `api.transaction` (target scopes). Default true. */
    readonly earlyAccess?: boolean
  } = {}
): CredentialsExchange => {
  const { cache, calls } = recorder(options)
  const record = chaining(calls, () => api)
  const api: CredentialsExchange = {
    calls,
    cache,
    access: {
      deny: recorded(calls, "access.deny", (code: Code, _reason: string) => {
        if (!codes.includes(code)) throw new TypeError(`Invalid error code: ${String(code)}`)
        return api
      })
    },
    accessToken: { setCustomClaim: record("accessToken.setCustomClaim") },
    ...(options.earlyAccess === false ? {} : {
      transaction: {
        addTargetScope: record("transaction.addTargetScope"),
        removeTargetScope: record("transaction.removeTargetScope"),
        setTargetScopes: record("transaction.setTargetScopes"),
        clearTargetScopes: record("transaction.clearTargetScopes")
      }
    })
  }
  return api
}

/**
 * A recording pre-user-registration api.
 *
 * @category models
 * @since 0.1.0
 */
export interface PreUserRegistration extends PreUserRegistrationApi, Recording {
  readonly cache: CacheApi
}

/**
 * Makes a fresh recording pre-user-registration api.
 *
 * @category constructors
 * @since 0.1.0
 */
export const preUserRegistration = (options: Options = {}): PreUserRegistration => {
  const { cache, calls } = recorder(options)
  const record = chaining(calls, () => api)
  const api: PreUserRegistration = {
    calls,
    cache,
    access: { deny: record("access.deny") },
    user: { setAppMetadata: record("user.setAppMetadata"), setUserMetadata: record("user.setUserMetadata") },
    validation: { error: record("validation.error") }
  }
  return api
}

/**
 * A recording custom-phone-provider api.
 *
 * @category models
 * @since 0.1.0
 */
export interface CustomPhoneProvider extends CustomPhoneProviderApi, Recording {
  readonly cache: CacheApi
}

/**
 * Makes a fresh recording custom-phone-provider api. `notification.drop` and `retry` throw on a reason over Auth0's
 * 1,024 characters.
 *
 * @category constructors
 * @since 0.1.0
 */
export const customPhoneProvider = (options: Options = {}): CustomPhoneProvider => {
  const { cache, calls } = recorder(options)
  const record = (method: string) =>
    recorded(calls, method, (reason: string) => {
      if (typeof reason !== "string" || reason.length > 1024) throw new TypeError(`Invalid reason for ${method}`)
      return api
    })
  const api: CustomPhoneProvider = {
    calls,
    cache,
    notification: { drop: record("notification.drop"), retry: record("notification.retry") }
  }
  return api
}

/**
 * A recording api of a trigger whose api is the cache only (post-user-registration, post-change-password,
 * send-phone-message).
 *
 * @category models
 * @since 0.1.0
 */
export interface SideEffects extends Recording {
  readonly cache: CacheApi
}

/**
 * Makes a fresh recording api of a side-effect trigger.
 *
 * @category constructors
 * @since 0.1.0
 */
export const sideEffects = (options: Options = {}): SideEffects => recorder(options)

/**
 * The calls that decide: every call but the cache's.
 *
 * @category getters
 * @since 0.1.0
 */
export const decisive = (calls: ReadonlyArray<Call>): ReadonlyArray<Call> =>
  calls.filter((call) => !call.method.startsWith("cache."))

/**
 * A recording password-reset-post-challenge api, bound to its event as post-login's RecordingApi is: `encodeToken`
 * signs as Auth0's does (HS256, `sub`, `iss`, `ip`, `exp`), `validateToken` reads the token from the event's request
 * and checks it against `state`, so `Resume.redirectOf` and `Resume.continueEvent` work with it.
 *
 * @category models
 * @since 0.1.0
 */
export interface PasswordResetPostChallenge extends PasswordResetPostChallengeApi, Recording {
  readonly cache: CacheApi
  /** The redirect state of the transaction; the continue pass's api must be given the first's. */
  readonly state: string
}

/**
 * Makes a fresh recording password-reset-post-challenge api. `transaction.setResultUrl` throws on a URL that is not
 * http(s), as a stand-in for Auth0 refusing it.
 *
 * @category constructors
 * @since 0.1.0
 */
export const passwordResetPostChallenge = (
  options: RecordingApi.Options = {}
): PasswordResetPostChallenge => {
  const base = RecordingApi.make(options)
  const calls = base.calls as Array<Call>
  const record = chaining(calls, () => api)
  const api: PasswordResetPostChallenge = {
    calls,
    cache: base.cache,
    state: base.state,
    access: { deny: record("access.deny") },
    authentication: {
      challengeWith: record("authentication.challengeWith"),
      challengeWithAny: record("authentication.challengeWithAny")
    },
    redirect: {
      sendUserTo: record("redirect.sendUserTo"),
      encodeToken: base.redirect.encodeToken!,
      validateToken: base.redirect.validateToken!
    },
    prompt: { render: record("prompt.render") },
    transaction: {
      setResultUrl: (url, resultOptions) => {
        if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
          throw new TypeError(`Invalid result URL: ${url}`)
        }
        return record("transaction.setResultUrl")(url, resultOptions)
      }
    }
  }
  return api
}

/**
 * A recording custom-token-exchange api.
 *
 * @category models
 * @since 0.1.0
 */
export interface CustomTokenExchange extends CustomTokenExchangeApi, Recording {
  readonly cache: CacheApi
}

/**
 * Makes a fresh recording custom-token-exchange api. `authentication.setUserById` and `setUserByConnection` throw
 * when one of them was already called, as Auth0 allows exactly one per exchange.
 *
 * @category constructors
 * @since 0.1.0
 */
export const customTokenExchange = (
  options: Options & {
    /** Whether the tenant has the early-access `api.transaction` (transaction metadata). Default true. */
    readonly earlyAccess?: boolean
  } = {}
): CustomTokenExchange => {
  const { cache, calls } = recorder(options)
  const record = chaining(calls, () => api)
  const once = (method: string) => (...args: Array<unknown>) => {
    if (calls.some((c) => c.method.startsWith("authentication.setUserBy"))) {
      throw new Error(`${method}: a user was already set for this exchange`)
    }
    return record(method)(...args)
  }
  const api: CustomTokenExchange = {
    calls,
    cache,
    access: { deny: record("access.deny"), rejectInvalidSubjectToken: record("access.rejectInvalidSubjectToken") },
    authentication: {
      setUserById: once("authentication.setUserById"),
      setUserByConnection: once("authentication.setUserByConnection"),
      setOrganization: record("authentication.setOrganization"),
      setActor: record("authentication.setActor")
    },
    user: { setAppMetadata: record("user.setAppMetadata"), setUserMetadata: record("user.setUserMetadata") },
    ...(options.earlyAccess === false ? {} : { transaction: { setMetadata: record("transaction.setMetadata") } })
  }
  return api
}

/**
 * A recording custom-email-provider api.
 *
 * @category models
 * @since 0.1.0
 */
export interface CustomEmailProvider extends CustomEmailProviderApi, Recording {
  readonly cache: CacheApi
}

/**
 * Makes a fresh recording custom-email-provider api: custom-phone-provider's, since the two triggers' apis are the
 * same (`notification.drop` and `retry` throw on a reason over 1,024 characters, `cache` as the others').
 *
 * @category constructors
 * @since 0.1.0
 */
export const customEmailProvider: (options?: Options) => CustomEmailProvider = customPhoneProvider
