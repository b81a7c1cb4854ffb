/**
 * SamlConfiguration: what legacy rules left in `context.samlConfiguration`, as `api.samlResponse` calls (core's
 * SamlResponse).
 *
 * | Rules | Actions |
 * |---|---|
 * | `mappings = { uri: "path" }` | `setAttribute(uri, value)`, the value read at `path` (`email`, `user_metadata.x`, `app_metadata.y`) from the final `user`; a path with no value adds nothing |
 * | `audience`, `recipient`, `destination`, `issuer`, `lifetimeInSeconds`, `signResponse`, `nameIdentifierFormat`, `nameIdentifierProbes`, `authnContextClassRef`, `createUpnClaim`, `passthroughClaimsWithNoMapping`, `mapUnknownClaimsAsIs`, `mapIdentities`, `includeAttributeNameFormat`, `typedAttributes`, `signatureAlgorithm`, `digestAlgorithm`, `encryptionAlgorithm`, `signingCert`, `encryptionCert`, `encryptionPublicKey`, `cert`, `key` | the setter of the same name (`setAudience`, ...) |
 * | `RelayState` | `setRelayState` |
 * | `logout`, `wctx`, any other key | no equivalent: the rule that sets one is refused (UnsupportedConstruct) |
 *
 * Values are recorded as read (through JSON, once); the adapter checks them against Auth0's limits, so a value of the
 * wrong type (a `signResponse` of "yes", an attribute that is an object) denies the login with the generic reason and
 * logs the setting or attribute, rather than reaching Auth0.
 *
 * **Gotchas**
 *
 * Under Rules the object started with the application's SAML add-on settings; here it starts empty, so a rule that
 * reads a setting it did not set sees `undefined`. Rules' `mappings` replaced the add-on's mapping of those URIs;
 * `setAttribute` sets the attribute, and an add-on mapping of the same user field to another URI stays.
 *
 * @since 0.1.0
 */
import * as Auth0SamlResponse from "@rulefx/adapter-auth0/Auth0SamlResponse"
import type { Decisions } from "@rulefx/core/Decision"
import * as SamlResponse from "@rulefx/core/SamlResponse"
import * as Effect from "effect/Effect"

const settingNames: ReadonlySet<string> = /* @__PURE__ */ new Set(SamlResponse.settingNames)

// Rules' names that differ from the setting's.
const renamed: Readonly<Record<string, keyof SamlResponse.Settings>> = { RelayState: "relayState" }

const own = (o: unknown, key: string): unknown =>
  typeof o === "object" && o !== null && Object.hasOwn(o, key) ? (o as Record<string, unknown>)[key] : undefined

// Through JSON, once: what is checked is what is sent, and no getter runs twice.
const read = (value: unknown): unknown => {
  const text = JSON.stringify(value) as string | undefined
  return text === undefined ? undefined : JSON.parse(text)
}

/**
 * The keys of `context.samlConfiguration` with no Actions equivalent (`logout`, `wctx`, anything unknown), as the
 * part of the object the legacy layer refuses a rule for changing.
 *
 * @category getters
 * @since 0.1.0
 */
export const unsupported = (saml: unknown): Record<string, unknown> => {
  const out: Record<string, unknown> = Object.create(null)
  if (typeof saml !== "object" || saml === null) return out
  for (const key of Object.keys(saml)) {
    if (key !== "mappings" && !settingNames.has(key) && renamed[key] === undefined) out[key] = own(saml, key)
  }
  return out
}

/**
 * The value at a dotted `path` of `user` (own properties only), or undefined.
 *
 * @category getters
 * @since 0.1.0
 */
export const valueAt = (user: unknown, path: string): unknown =>
  path.split(".").reduce<unknown>((at, key) => own(at, key), user)

/**
 * The settings the rules left in `context.samlConfiguration`, by their Actions names (`RelayState` as `relayState`),
 * each read once; unset and `null` ones are left out.
 *
 * @category getters
 * @since 0.1.0
 */
export const settingsOf = (saml: unknown): SamlResponse.Settings => {
  const settings: Record<string, unknown> = Object.create(null)
  if (typeof saml !== "object" || saml === null) return settings
  for (const key of Object.keys(saml)) {
    const name = renamed[key] ?? key
    if (!settingNames.has(name)) continue
    const value = read(own(saml, key))
    if (value !== undefined && value !== null) settings[name] = value
  }
  return settings
}

/**
 * The attributes `mappings` asks for: each URI with the value read (once) at its path of the final `user`; a path
 * with no value (or `null`) adds nothing.
 *
 * @category getters
 * @since 0.1.0
 */
export const attributesOf = (
  saml: unknown,
  user: unknown
): ReadonlyArray<readonly [uri: string, value: SamlResponse.AttributeValue]> => {
  const mappings = own(saml, "mappings")
  if (typeof mappings !== "object" || mappings === null) return []
  const out: Array<readonly [string, SamlResponse.AttributeValue]> = []
  for (const uri of Object.keys(mappings)) {
    const path = own(mappings, uri)
    const value = typeof path === "string" ? read(valueAt(user, path)) : undefined
    if (value !== undefined && value !== null) out.push([uri, value as SamlResponse.AttributeValue])
  }
  return out
}

/**
 * What the legacy layer needs to turn `context.samlConfiguration` into decisions: which keys it refuses, and how it
 * records the rest. Passed as the `saml` option (LegacyRules, LegacyAction), so that only rules that use SAML carry it.
 *
 * @category models
 * @since 0.1.0
 */
export interface Support {
  readonly unsupported: (saml: unknown) => Record<string, unknown>
  readonly record: <E>(
    saml: unknown,
    user: unknown,
    leaked: (uri: string, secret: string) => Effect.Effect<never, E>,
    heldIn: (text: string) => string | undefined
  ) => Effect.Effect<void, E, Decisions>
}

/**
 * The SAML support: settings through their setters, mapped attributes read from the final user; an attribute that
 * holds a secret's value fails with `leaked`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const support: Support = {
  unsupported,
  record: (saml, user, leaked, heldIn) => {
    const steps: Array<Effect.Effect<void, never, Decisions> | ReturnType<typeof leaked>> = []
    const settings = settingsOf(saml)
    if (Object.keys(settings).length > 0) steps.push(SamlResponse.configure(settings))
    for (const [uri, value] of attributesOf(saml, user)) {
      const secret = heldIn(JSON.stringify(value))
      steps.push(secret === undefined ? SamlResponse.setAttribute(uri, value) : leaked(uri, secret))
    }
    return Effect.forEach(steps, (step) => step, { discard: true })
  }
}

/**
 * The options that turn SAML on in a legacy Action (`LegacyAction.make(rules, { ...SamlConfiguration.enabled })`):
 * the legacy mapping and the adapter's SAML decision kind. `rulefx migrate` adds them when a rule reaches
 * `context.samlConfiguration`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const enabled = { saml: support, kinds: [Auth0SamlResponse.kind] } as const
