/**
 * What a denial asks to revoke besides denying the login: the session (Session.revoke) or the refresh token being
 * exchanged (RefreshToken.revoke). The denial carries it under a symbol, so the adapter reads it without loading the
 * denial classes into every Action.
 *
 * @since 0.1.0
 */

/**
 * The key a revoking denial carries its Revocation under.
 *
 * @category models
 * @since 0.1.0
 */
export const RevocationId: unique symbol = Symbol.for("@rulefx/core/Revocation")

/**
 * A revocation: the session (with or without its refresh tokens), or the refresh token being exchanged.
 *
 * @category models
 * @since 0.1.0
 */
export type Revocation =
  | { readonly target: "session"; readonly preserveRefreshTokens: boolean }
  | { readonly target: "refreshToken" }

/**
 * The revocation a denial carries, if any.
 *
 * @category getters
 * @since 0.1.0
 */
export const revocationOf = (denial: unknown): Revocation | undefined =>
  (denial as { readonly [RevocationId]?: Revocation } | undefined)?.[RevocationId]
