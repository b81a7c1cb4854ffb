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
import * as SamlResponse from "@rulefx/core/SamlResponse"

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
