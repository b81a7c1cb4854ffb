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
    readonly enable: (provider: string, options?: { allowRememberBrowser?: boolean }) => unknown
  }
  readonly redirect: {
    readonly sendUserTo: (url: string, options?: { query?: Record<string, string> }) => unknown
  }
}

/**
 * Tells whether Auth0 accepts a scope string (RFC 6749 scope-token characters); `addScope` and `removeScope` throw
 * on anything else.
 *
 * @category guards
 * @since 0.1.0
 */
export const isValidScope = (scope: string): boolean => /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope)
