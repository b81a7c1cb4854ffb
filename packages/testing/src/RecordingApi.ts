/**
 * RecordingApi: a stand-in for Auth0's post-login `api` that records every call, for tests, the demo and local
 * runs of a built Action.
 *
 * It behaves as the reference documents where that matters to a caller: `access.deny` does not stop the Action,
 * `accessToken.addScope`/`removeScope` throw on an invalid scope string, every method returns the `api` object for
 * chaining, and `cache` is an in-memory cache with Auth0's limits, answering `{type: "error", code}` with Auth0's
 * codes when a write does not fit (see Auth0Limits.cache). Cache calls are recorded too (`cache.get`, `cache.set`,
 * `cache.delete`), after the call, so a refused write is in `calls` as well. It also records `authentication.*`,
 * `samlResponse.*`, `session.*` and `refreshToken.*` calls, and the early-access `transaction.addTargetScope`,
 * `removeTargetScope`, `setTargetScopes` and `clearTargetScopes` (which throw on an invalid scope, as `addScope`
 * does, and keep `targetScopes` live); `rules.wasExecuted` answers from `executedRules` (a read, not recorded), and
 * `redirect.canRedirect` as Auth0's does (a read, not recorded): false on a back-channel grant (a refresh token, the
 * password grant, ...) or with `prompt=none` in the event's query (core's Redirect.nonInteractiveReason).
 *
 * @since 0.1.0
 */
import {
  type AuthenticationApi,
  type CacheApi,
  isValidScope,
  type PostLoginApi,
  type RefreshTokenApi,
  type SamlResponseApi,
  type SessionApi,
  type TargetScopesApi
} from "@rulefx/adapter-auth0/PostLoginApi"
import { nonInteractiveReason } from "@rulefx/core/Redirect"
import { makeMemoryCache } from "./internal/memoryCache.ts"
import { chaining, recordingCache } from "./internal/recording.ts"
import * as Printable from "./Printable.ts"
import * as Tokens from "./Tokens.ts"

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
  /** The options of the last `multifactor.enable` (`allowRememberBrowser`, ...), when it was given some. */
  readonly mfaOptions?: Readonly<Record<string, unknown>> | undefined
  readonly redirect: string | undefined
  /** The id of the form rendered (`prompt.render`), if any. */
  readonly prompt?: string | undefined
  /** The last `validation.error`: code and message. */
  readonly validationError?: { readonly code: string; readonly message: string } | undefined
  /** Transaction metadata written by the run (`null` for a key deleted). */
  readonly transactionMetadata?: Record<string, unknown>
  /** Authentication methods recorded (`authentication.recordMethod`). */
  readonly authenticationMethods?: ReadonlyArray<string>
}

/**
 * A recording api.
 *
 * @category models
 * @since 0.1.0
 */
export interface RecordingApi extends PostLoginApi {
  readonly cache: CacheApi
  readonly authentication: AuthenticationApi
  readonly samlResponse: SamlResponseApi
  readonly session: SessionApi
  readonly refreshToken: RefreshTokenApi
  readonly rules: { readonly wasExecuted: (ruleId: string) => boolean }
  /** Auth0's (deprecated in its typings) `canRedirect` too: whether the login can be sent away. */
  readonly redirect: PostLoginApi["redirect"] & { readonly canRedirect: () => boolean }
  readonly calls: ReadonlyArray<Call>
  readonly summary: () => Summary
  /** The state Auth0 appends to a redirect and expects back in the returned token (`validateToken`). */
  readonly state: string
  /** The transaction's metadata, live: what the event arrived with, updated by `transaction.setMetadata`. */
  readonly transactionMetadata: Record<string, unknown>
  readonly transaction: NonNullable<PostLoginApi["transaction"]> & TargetScopesApi
  /**
   * The target scopes, live (early access): the event's `transaction.target_scopes` (its requested scopes when it has
   * none), updated by the `transaction.*TargetScope(s)` calls as Auth0 updates the event's.
   */
  readonly targetScopes: Array<string>
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
  /**
   * The event the api goes with, as Auth0 binds its api to one: `encodeToken` takes `sub` (the user), `iss` (the
   * request's hostname) and `ip` from it, `validateToken` reads the token from its `request.body` or `request.query`,
   * and the transaction metadata starts from its `transaction.metadata`.
   */
  readonly event?: Readonly<Record<string, unknown>>
  /** The redirect state of the transaction; a fresh one by default. The continue pass's api must be given the first's. */
  readonly state?: string
  /** The legacy Rule ids `rules.wasExecuted` answers true for (a read, not recorded); none by default. */
  readonly executedRules?: ReadonlyArray<string>
}

let states = 0

const section = (value: unknown): Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : {}

/**
 * Makes a fresh recording api, with an empty cache.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: Options = {}): RecordingApi => {
  const calls: Array<Call> = []
  // The stand-in's clock is the wall clock, as Auth0's is; tests pass their own.
  const now = options.now ?? (() => Date.now())
  const cache = makeMemoryCache(now)
  const event = section(options.event)
  const request = section(event["request"])
  const state = options.state ?? `rulefx-state-${++states}-${Math.random().toString(36).slice(2, 10)}`
  const transactionMetadata: Record<string, unknown> = { ...section(section(event["transaction"])["metadata"]) }
  const eventTransaction = section(event["transaction"])
  const initialScopes = eventTransaction["target_scopes"] ?? eventTransaction["requested_scopes"]
  const targetScopes: Array<string> = Array.isArray(initialScopes) ? initialScopes.map(String) : []
  const record = chaining(calls, () => api)
  const recorders = (prefix: string, methods: ReadonlyArray<string>) =>
    Object.fromEntries(methods.map((method) => [method, record(`${prefix}.${method}`)]))
  const scope = (method: string) => (value: string) => {
    if (typeof value !== "string" || !isValidScope(value)) throw new TypeError(`Invalid scope: ${String(value)}`)
    return record(method)(value)
  }
  const api: RecordingApi = {
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
    redirect: {
      sendUserTo: record("redirect.sendUserTo"),
      canRedirect: () => nonInteractiveReason(event) === undefined,
      // As Auth0's: HS256 with sub, iss, exp (default 900 s), ip and the payload. The call is recorded without the secret.
      encodeToken: ({ expiresInSeconds, payload, secret }) => {
        calls.push({ method: "redirect.encodeToken", args: [{ payload, expiresInSeconds }] })
        const nowSeconds = Math.floor(now() / 1000)
        return Tokens.sign(secret, {
          ...payload,
          sub: section(event["user"])["user_id"],
          iss: request["hostname"],
          ip: request["ip"],
          iat: nowSeconds,
          exp: nowSeconds + (expiresInSeconds ?? 900)
        })
      },
      // As Auth0's: the token from the /continue request's body or query, HS256, not expired, bound to the state.
      validateToken: ({ secret, tokenParameterName }) => {
        const name = tokenParameterName ?? "session_token"
        calls.push({ method: "redirect.validateToken", args: [{ tokenParameterName: name }] })
        const token = section(request["body"])[name] ?? section(request["query"])[name]
        if (typeof token !== "string") throw new Tokens.TokenError("Malformed")
        return Tokens.verify(token, { secret, state, nowSeconds: Math.floor(now() / 1000) })
      }
    },
    prompt: { render: record("prompt.render") },
    validation: { error: record("validation.error") },
    transaction: {
      setMetadata: (key, value) => {
        if (value === null) delete transactionMetadata[key]
        else transactionMetadata[key] = value
        return record("transaction.setMetadata")(key, value)
      },
      addTargetScope: (value: string) => {
        const result = scope("transaction.addTargetScope")(value)
        if (!targetScopes.includes(value)) targetScopes.push(value)
        return result
      },
      removeTargetScope: (value: string) => {
        const result = scope("transaction.removeTargetScope")(value)
        if (targetScopes.includes(value)) targetScopes.splice(targetScopes.indexOf(value), 1)
        return result
      },
      setTargetScopes: (values: Array<string>) => {
        for (const value of values) {
          if (typeof value !== "string" || !isValidScope(value)) throw new TypeError(`Invalid scope: ${String(value)}`)
        }
        targetScopes.splice(0, targetScopes.length, ...new Set(values))
        return record("transaction.setTargetScopes")(values)
      },
      clearTargetScopes: () => {
        targetScopes.length = 0
        return record("transaction.clearTargetScopes")()
      }
    },
    targetScopes,
    state,
    transactionMetadata,
    authentication: {
      challengeWith: record("authentication.challengeWith"),
      challengeWithAny: record("authentication.challengeWithAny"),
      enrollWith: record("authentication.enrollWith"),
      enrollWithAny: record("authentication.enrollWithAny"),
      setPrimaryUser: record("authentication.setPrimaryUser"),
      recordMethod: record("authentication.recordMethod")
    },
    samlResponse: recorders("samlResponse", samlMethods) as unknown as SamlResponseApi,
    session: recorders("session", [...tokenMethods, "setCookieMode"]) as unknown as SessionApi,
    refreshToken: recorders("refreshToken", tokenMethods) as unknown as RefreshTokenApi,
    rules: { wasExecuted: (ruleId) => options.executedRules?.includes(ruleId) ?? false },
    cache: recordingCache(calls, cache),
    summary: () => summarize(calls)
  }
  return api
}

const samlMethods = [
  "setAttribute",
  "setAudience",
  "setRecipient",
  "setDestination",
  "setIssuer",
  "setRelayState",
  "setLifetimeInSeconds",
  "setSignResponse",
  "setNameIdentifierFormat",
  "setNameIdentifierProbes",
  "setAuthnContextClassRef",
  "setCreateUpnClaim",
  "setPassthroughClaimsWithNoMapping",
  "setMapUnknownClaimsAsIs",
  "setMapIdentities",
  "setIncludeAttributeNameFormat",
  "setTypedAttributes",
  "setSignatureAlgorithm",
  "setDigestAlgorithm",
  "setEncryptionAlgorithm",
  "setSigningCert",
  "setEncryptionCert",
  "setEncryptionPublicKey",
  "setCert",
  "setKey"
]

const tokenMethods = ["revoke", "setExpiresAt", "setIdleExpiresAt", "setMetadata", "deleteMetadata", "evictMetadata"]

/**
 * The calls that decide the login: every call but the reads and writes of Auth0's cache, which rules may come to
 * use (or stop using) without changing what the login becomes.
 *
 * @category getters
 * @since 0.1.0
 */
export const decisive = (calls: ReadonlyArray<Call>): ReadonlyArray<Call> =>
  calls.filter((call) => !call.method.startsWith("cache."))

// defineProperty, so a claim named "__proto__" is recorded as a key instead of replacing the prototype.
const set = (target: Record<string, unknown>, key: unknown, value: unknown) =>
  Object.defineProperty(target, Printable.text(key), { value, enumerable: true, writable: true, configurable: true })

/**
 * Summarises calls: the last deny reason, claims and metadata by key (later calls win), scopes, MFA and redirect;
 * and, when the run used them, the form rendered, the validation error, transaction metadata and recorded methods.
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
  // The flow kinds are in the summary only when the run used them, so a summary of a run without them is as it was.
  const flow = {} as {
    prompt?: string
    validationError?: { readonly code: string; readonly message: string }
    transactionMetadata?: Record<string, unknown>
    authenticationMethods?: Array<string>
    mfaOptions?: Record<string, unknown>
  }
  for (const { method, args } of calls) {
    switch (method) {
      case "access.deny":
        summary.denied = Printable.text(args[0])
        break
      case "idToken.setCustomClaim":
        set(summary.idTokenClaims, args[0], args[1])
        break
      case "accessToken.setCustomClaim":
        set(summary.accessTokenClaims, args[0], args[1])
        break
      case "accessToken.addScope":
        summary.scopesAdded.push(Printable.text(args[0]))
        break
      case "accessToken.removeScope":
        summary.scopesRemoved.push(Printable.text(args[0]))
        break
      case "user.setAppMetadata":
        set(summary.appMetadata, args[0], args[1])
        break
      case "user.setUserMetadata":
        set(summary.userMetadata, args[0], args[1])
        break
      case "multifactor.enable":
        summary.mfa = Printable.text(args[0])
        if (typeof args[1] === "object" && args[1] !== null) flow.mfaOptions = { ...args[1] }
        else delete flow.mfaOptions
        break
      case "redirect.sendUserTo":
        summary.redirect = Printable.text(args[0])
        break
      case "prompt.render":
        flow.prompt = Printable.text(args[0])
        break
      case "validation.error":
        flow.validationError = { code: Printable.text(args[0]), message: Printable.text(args[1]) }
        break
      case "transaction.setMetadata":
        set(flow.transactionMetadata ??= {}, args[0], args[1])
        break
      case "authentication.recordMethod":
        ;(flow.authenticationMethods ??= []).push(Printable.text(args[0]))
        break
    }
  }
  return { ...summary, ...flow }
}
