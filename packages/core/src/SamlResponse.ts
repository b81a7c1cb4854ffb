/**
 * The SAML response of a `samlp` (or WS-Fed) login: assertion attributes and the settings Auth0's
 * `api.samlResponse.set*` methods change, recorded as data in the Decision. The adapter checks Auth0's limits (at
 * most 100 attributes, names up to 1 kB, values up to 2 kB, all attributes up to 10 kB; the sizes of audience,
 * recipient, destination, name identifier settings and PEM strings; certificate pairs set together) before any
 * `api` call, and applies each setting with its own setter.
 *
 * **Two rules that disagree**
 *
 * The later rule wins, per attribute and per setting, as claims do and as Rules did when each rule changed
 * `context.samlConfiguration` in turn. Removing an attribute (`removeAttribute`) is a write like any other: a later
 * `setAttribute` of the same name brings it back.
 *
 * In any other protocol Auth0 ignores these calls; rulefx applies them anyway (they change nothing there).
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import { type Decisions, recordMore } from "./Decision.ts"

/**
 * A value of a SAML attribute: a scalar or a list of scalars.
 *
 * @category models
 * @since 0.1.0
 */
export type AttributeValue = string | number | boolean | ReadonlyArray<string | number | boolean>

/**
 * Every SAML setting an Action can change, each with Auth0's setter (`set` + the capitalised name), default and limit.
 *
 * @category models
 * @since 0.1.0
 */
export interface Settings {
  /** The assertion's audience (`setAudience`); at most 2 kB. */
  readonly audience?: string
  /** The assertion's recipient (`setRecipient`); at most 2 kB. */
  readonly recipient?: string
  /** The response's destination (`setDestination`); at most 2 kB. */
  readonly destination?: string
  /** The issuer (`setIssuer`); default `urn:auth0:TENANT`. */
  readonly issuer?: string
  /** The RelayState sent back to the service provider (`setRelayState`); SAMLP only. */
  readonly relayState?: string
  /** How long the assertion is valid, in whole seconds (`setLifetimeInSeconds`); default 3600. */
  readonly lifetimeInSeconds?: number
  /** Signs the whole response instead of the assertion only (`setSignResponse`); default false. */
  readonly signResponse?: boolean
  /** The NameID format (`setNameIdentifierFormat`); at most 0.5 kB. */
  readonly nameIdentifierFormat?: string
  /** Attribute names tried in order for the NameID (`setNameIdentifierProbes`); at most 10, each at most 0.5 kB. */
  readonly nameIdentifierProbes?: ReadonlyArray<string>
  /** The AuthnContextClassRef (`setAuthnContextClassRef`); at most 0.5 kB. */
  readonly authnContextClassRef?: string
  /** Adds a UPN claim (`setCreateUpnClaim`); default true. */
  readonly createUpnClaim?: boolean
  /** Passes claims that have no mapping through (`setPassthroughClaimsWithNoMapping`); default true. */
  readonly passthroughClaimsWithNoMapping?: boolean
  /** Maps unknown claims as they are (`setMapUnknownClaimsAsIs`); default false. */
  readonly mapUnknownClaimsAsIs?: boolean
  /** Adds the user's identities (`setMapIdentities`); default true. */
  readonly mapIdentities?: boolean
  /** Adds each attribute's NameFormat (`setIncludeAttributeNameFormat`); default true. */
  readonly includeAttributeNameFormat?: boolean
  /** Types attribute values (`setTypedAttributes`); default true. */
  readonly typedAttributes?: boolean
  /** The signature algorithm (`setSignatureAlgorithm`). */
  readonly signatureAlgorithm?: "rsa-sha256" | "rsa-sha1"
  /** The digest algorithm (`setDigestAlgorithm`). */
  readonly digestAlgorithm?: "sha256" | "sha1"
  /** The assertion's encryption (`setEncryptionAlgorithm`); default aes256-cbc, aes256-gcm recommended. */
  readonly encryptionAlgorithm?: "aes256-gcm" | "aes256-cbc"
  /** The signing certificate, PEM (`setSigningCert`); at most 4 kB. */
  readonly signingCert?: string
  /** The SP's encryption certificate, PEM (`setEncryptionCert`); set with `encryptionPublicKey`; at most 4 kB. */
  readonly encryptionCert?: string
  /** The SP's encryption public key, PEM (`setEncryptionPublicKey`); set with `encryptionCert`; at most 4 kB. */
  readonly encryptionPublicKey?: string
  /** The signing certificate, PEM (`setCert`); set with `key`; at most 4 kB. */
  readonly cert?: string
  /** The signing private key, PEM (`setKey`); set with `cert`; at most 4 kB. Keep it in a secret. */
  readonly key?: string
}

/**
 * The SAML part of a Decision: attributes (`null` removes one) and settings.
 *
 * @category models
 * @since 0.1.0
 */
export interface SamlResponse {
  readonly attributes: Readonly<Record<string, AttributeValue | null>>
  readonly settings: Settings
}

/**
 * The setting names, in the order the adapter applies them.
 *
 * @category constructors
 * @since 0.1.0
 */
export const settingNames: ReadonlyArray<keyof Settings> = [
  "audience",
  "recipient",
  "destination",
  "issuer",
  "relayState",
  "lifetimeInSeconds",
  "signResponse",
  "nameIdentifierFormat",
  "nameIdentifierProbes",
  "authnContextClassRef",
  "createUpnClaim",
  "passthroughClaimsWithNoMapping",
  "mapUnknownClaimsAsIs",
  "mapIdentities",
  "includeAttributeNameFormat",
  "typedAttributes",
  "signatureAlgorithm",
  "digestAlgorithm",
  "encryptionAlgorithm",
  "signingCert",
  "encryptionCert",
  "encryptionPublicKey",
  "cert",
  "key"
]

/**
 * Sets a SAML assertion attribute.
 *
 * @category constructors
 * @since 0.1.0
 */
export const setAttribute = (name: string, value: AttributeValue): Effect.Effect<void, never, Decisions> =>
  recordMore({ samlResponse: { attributes: { [name]: value }, settings: {} } })

/**
 * Removes a SAML assertion attribute (Auth0's `setAttribute(name, null)`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const removeAttribute = (name: string): Effect.Effect<void, never, Decisions> =>
  recordMore({ samlResponse: { attributes: { [name]: null }, settings: {} } })

/**
 * Changes SAML settings: each field given calls its setter.
 *
 * **Example** (Per-client audience and lifetime)
 *
 * ```ts
 * import * as SamlResponse from "@rulefx/core/SamlResponse"
 *
 * const configure = SamlResponse.configure({ audience: "urn:foo", recipient: "http://foo", lifetimeInSeconds: 3600 })
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const configure = (settings: Settings): Effect.Effect<void, never, Decisions> =>
  recordMore({ samlResponse: { attributes: {}, settings: defined(settings) } })

// An explicit `undefined` changes nothing (exactOptionalPropertyTypes aside, untyped callers pass one).
const defined = (settings: Settings): Settings =>
  Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined))

/**
 * Auth0's setter for a setting: `set` and the capitalised name (`lifetimeInSeconds` to `setLifetimeInSeconds`).
 *
 * @category getters
 * @since 0.1.0
 */
export const setterOf = (name: keyof Settings): string => `set${name[0]!.toUpperCase()}${name.slice(1)}`
