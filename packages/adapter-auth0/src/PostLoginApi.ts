/**
 * The part of Auth0's post-login `api` object (v3) that rulefx calls, typed structurally so the real object, a
 * recording double in tests, and `rulefx run` all fit.
 *
 * @since 0.1.0
 */

/**
 * The methods rulefx calls. Auth0's object has more; these are all a Decision needs.
 *
 * @category models
 * @since 0.1.0
 */
export interface PostLoginApi {
  readonly access: { readonly deny: (reason: string) => unknown }
  readonly idToken: { readonly setCustomClaim: (name: string, value: unknown) => unknown }
  readonly accessToken: {
    readonly setCustomClaim: (name: string, value: unknown) => unknown
    readonly addScope: (scope: string) => unknown
    readonly removeScope: (scope: string) => unknown
  }
  readonly user: {
    readonly setAppMetadata: (key: string, value: unknown) => unknown
    readonly setUserMetadata: (key: string, value: unknown) => unknown
  }
  readonly multifactor: {
    readonly enable: (
      provider: string,
      options?: { allowRememberBrowser?: boolean; providerOptions?: Record<string, string> }
    ) => unknown
  }
  readonly redirect: {
    readonly sendUserTo: (url: string, options?: { query?: Record<string, string> }) => unknown
    /** Signs an HS256 token with `sub`, `iss`, `exp` (default 900 s), `ip` and the payload (Redirect.sendUserTo). */
    readonly encodeToken?: (options: EncodeTokenOptions) => string
    /** In the continue pass: verifies the returned token (signature, expiry, state) and returns its payload; throws. */
    readonly validateToken?: (options: { secret: string; tokenParameterName?: string }) => unknown
  }
  /** Auth0 Forms (Form.render). */
  readonly prompt?: {
    readonly render: (
      promptId: string,
      options?: { fields?: Record<string, unknown>; vars?: Record<string, unknown> }
    ) => unknown
  }
  /** A validation error of the team's own code (Validation.fail). */
  readonly validation?: { readonly error: (code: string, message: string) => unknown }
  /**
   * Transaction metadata (TransactionMetadata.set); the early-access target scope calls (TargetScopes), absent on a
   * tenant without the feature.
   */
  readonly transaction?: {
    readonly setMetadata: (key: string, value: string | number | boolean | null) => unknown
  } & Partial<TargetScopesApi>
  /** Auth0's cache, shared by the Actions of the trigger. Optional: stand-ins and older runtimes may lack it. */
  readonly cache?: CacheApi
  /**
   * MFA steps and account linking; in the continue pass, custom authentication methods (AuthenticationMethod.record).
   * Optional: only a Decision that asks for them needs it.
   */
  readonly authentication?: AuthenticationApi
  /** SAML response settings. Optional, as `authentication`. */
  readonly samlResponse?: SamlResponseApi
  /** The session [Enterprise; cookie mode and metadata Early Access]. Optional, as `authentication`. */
  readonly session?: SessionApi
  /** The refresh token [Enterprise]. Optional, as `authentication`. */
  readonly refreshToken?: RefreshTokenApi
  /** Which legacy Rules already ran in this transaction. Optional: without it, none did. */
  readonly rules?: { readonly wasExecuted: (ruleId: string) => boolean }
}

/**
 * A factor as Auth0's `api.authentication` methods take it.
 *
 * @category models
 * @since 0.1.0
 */
export interface FactorArg {
  type: string
  options?: Record<string, unknown>
}

/**
 * Auth0's `api.authentication` (the part rulefx calls for MFA steps, account linking and recorded methods).
 *
 * @category models
 * @since 0.1.0
 */
export interface AuthenticationApi {
  readonly challengeWith: (factor: FactorArg, options?: { additionalFactors?: Array<FactorArg> }) => unknown
  readonly challengeWithAny: (factors: Array<FactorArg>) => unknown
  readonly enrollWith: (factor: FactorArg, options?: { additionalFactors?: Array<FactorArg> }) => unknown
  readonly enrollWithAny: (factors: Array<FactorArg>) => unknown
  readonly setPrimaryUser: (primaryUserId: string) => unknown
  /** Continue pass only (AuthenticationMethod.record). */
  readonly recordMethod?: (url: string) => unknown
}

/**
 * Auth0's `api.samlResponse`: `setAttribute` and one setter per setting (SamlResponse.setterOf names them).
 *
 * @category models
 * @since 0.1.0
 */
export interface SamlResponseApi {
  readonly setAttribute: (attribute: string, value: unknown) => unknown
  readonly setAudience: (audience: string) => unknown
  readonly setRecipient: (recipient: string) => unknown
  readonly setDestination: (destination: string) => unknown
  readonly setIssuer: (issuer: string) => unknown
  readonly setRelayState: (relayState: string) => unknown
  readonly setLifetimeInSeconds: (seconds: number) => unknown
  readonly setSignResponse: (sign: boolean) => unknown
  readonly setNameIdentifierFormat: (format: string) => unknown
  readonly setNameIdentifierProbes: (probes: Array<string>) => unknown
  readonly setAuthnContextClassRef: (ref: string) => unknown
  readonly setCreateUpnClaim: (create: boolean) => unknown
  readonly setPassthroughClaimsWithNoMapping: (passthrough: boolean) => unknown
  readonly setMapUnknownClaimsAsIs: (map: boolean) => unknown
  readonly setMapIdentities: (map: boolean) => unknown
  readonly setIncludeAttributeNameFormat: (include: boolean) => unknown
  readonly setTypedAttributes: (typed: boolean) => unknown
  readonly setSignatureAlgorithm: (algorithm: "rsa-sha256" | "rsa-sha1") => unknown
  readonly setDigestAlgorithm: (algorithm: "sha256" | "sha1") => unknown
  readonly setEncryptionAlgorithm: (algorithm: "aes256-gcm" | "aes256-cbc") => unknown
  readonly setSigningCert: (pem: string) => unknown
  readonly setEncryptionCert: (pem: string) => unknown
  readonly setEncryptionPublicKey: (pem: string) => unknown
  readonly setCert: (pem: string) => unknown
  readonly setKey: (pem: string) => unknown
}

/**
 * Auth0's `api.session`.
 *
 * @category models
 * @since 0.1.0
 */
export interface SessionApi extends RefreshTokenApi {
  readonly revoke: (reason: string, options?: { preserveRefreshTokens?: boolean }) => unknown
  readonly setCookieMode: (mode: "persistent" | "non-persistent") => unknown
}

/**
 * Auth0's `api.refreshToken`.
 *
 * @category models
 * @since 0.1.0
 */
export interface RefreshTokenApi {
  readonly revoke: (reason: string) => unknown
  readonly setExpiresAt: (millis: number) => unknown
  readonly setIdleExpiresAt: (millis: number) => unknown
  readonly setMetadata: (key: string, value: string) => unknown
  readonly deleteMetadata: (key: string) => unknown
  readonly evictMetadata: () => unknown
}

/**
 * The options of `api.redirect.encodeToken`.
 *
 * @category models
 * @since 0.1.0
 */
export interface EncodeTokenOptions {
  readonly secret: string
  readonly payload: Record<string, unknown>
  readonly expiresInSeconds?: number
}

/**
 * A stored cache record: the value and when it expires, in milliseconds since the epoch.
 *
 * @category models
 * @since 0.1.0
 */
export interface CacheRecord {
  readonly value: string
  readonly expires_at: number
}

/**
 * The answer to a cache write: success, or an error code (see Auth0Limits.CacheErrorCode). `code` is typed as a
 * string because the real object is not ours and may grow new codes.
 *
 * @category models
 * @since 0.1.0
 */
export type CacheWriteResult =
  | { readonly type: "success"; readonly record?: CacheRecord }
  | { readonly type: "error"; readonly code: string }

/**
 * Auth0's `api.cache` (post-login v3), as documented: synchronous; `ttl` and `expires_at` in milliseconds (if both
 * are given the earlier expiry wins); default lifetime 15 minutes, at most 24 hours.
 *
 * @category models
 * @since 0.1.0
 */
export interface CacheApi {
  readonly get: (key: string) => CacheRecord | undefined
  readonly set: (key: string, value: string, options?: { ttl?: number; expires_at?: number }) => CacheWriteResult
  readonly delete: (key: string) => CacheWriteResult
}

/**
 * Tells whether Auth0 accepts a scope string (RFC 6749 scope-token characters); `addScope` and `removeScope` throw
 * on anything else.
 *
 * @category guards
 * @since 0.1.0
 */
export const isValidScope = (scope: string): boolean => /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope)

/**
 * Auth0's early-access target scope calls (`api.transaction.*TargetScope(s)`), in post-login and credentials-exchange.
 *
 * @category models
 * @since 0.1.0
 */
export interface TargetScopesApi {
  readonly addTargetScope: (scope: string) => unknown
  readonly removeTargetScope: (scope: string) => unknown
  readonly setTargetScopes: (scopes: Array<string>) => unknown
  readonly clearTargetScopes: () => unknown
}
