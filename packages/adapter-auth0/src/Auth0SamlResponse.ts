/**
 * Auth0SamlResponse: checks a Decision's SAML attributes and settings against Auth0's limits, and applies them
 * through `api.samlResponse` (see core's SamlResponse for the model and the rule of two rules that disagree).
 *
 * Checked before any `api` call: at most 100 attributes, names of at most 1 kB, values of at most 2 kB, all
 * attributes (names and values) at most 10 kB, values scalars or lists of scalars; each setting of the type its
 * setter takes (enums for the algorithms, a positive whole number of seconds, PEM text for certificates and keys);
 * audience, recipient and destination at most 2 kB, the name identifier format and AuthnContextClassRef at most
 * 0.5 kB, at most 10 probes of 0.5 kB each, PEM strings at most 4 kB; `encryptionCert` with `encryptionPublicKey`
 * and `cert` with `key`, each pair set together.
 *
 * @since 0.1.0
 */
import type * as Decision from "@rulefx/core/Decision"
import * as SamlResponse from "@rulefx/core/SamlResponse"
import type { Violation } from "./Auth0Limits.ts"
import type { DecisionKind } from "./DecisionKind.ts"
import { byteLength } from "./internal/utf8.ts"
import type { PostLoginApi } from "./PostLoginApi.ts"

/**
 * Auth0's limits on SAML attributes (bytes).
 *
 * @category constructors
 * @since 0.1.0
 */
export const limits = {
  maxAttributes: 100,
  maxNameBytes: 1024,
  maxValueBytes: 2048,
  maxTotalBytes: 10 * 1024,
  maxProbes: 10
} as const

type Kind = "string" | "boolean" | "seconds" | "pem" | "probes" | ReadonlyArray<string>

// Each setting's kind and, for text, its most bytes.
const kinds: Readonly<Record<keyof SamlResponse.Settings, readonly [Kind, number?]>> = {
  audience: ["string", 2048],
  recipient: ["string", 2048],
  destination: ["string", 2048],
  issuer: ["string"],
  relayState: ["string"],
  lifetimeInSeconds: ["seconds"],
  signResponse: ["boolean"],
  nameIdentifierFormat: ["string", 512],
  nameIdentifierProbes: ["probes", 512],
  authnContextClassRef: ["string", 512],
  createUpnClaim: ["boolean"],
  passthroughClaimsWithNoMapping: ["boolean"],
  mapUnknownClaimsAsIs: ["boolean"],
  mapIdentities: ["boolean"],
  includeAttributeNameFormat: ["boolean"],
  typedAttributes: ["boolean"],
  signatureAlgorithm: [["rsa-sha256", "rsa-sha1"]],
  digestAlgorithm: [["sha256", "sha1"]],
  encryptionAlgorithm: [["aes256-gcm", "aes256-cbc"]],
  signingCert: ["pem", 4096],
  encryptionCert: ["pem", 4096],
  encryptionPublicKey: ["pem", 4096],
  cert: ["pem", 4096],
  key: ["pem", 4096]
}

const pem = /^\s*-----BEGIN [A-Z0-9 ]+-----[\s\S]+-----END [A-Z0-9 ]+-----\s*$/

const isScalar = (u: unknown): u is string | number | boolean =>
  typeof u === "string" || typeof u === "boolean" || (typeof u === "number" && Number.isFinite(u))

const valueBytes = (value: unknown): number | undefined =>
  isScalar(value)
    ? byteLength(String(value))
    : Array.isArray(value) && value.every(isScalar)
    ? value.reduce((n: number, v) => n + byteLength(String(v)), 0)
    : undefined

// "Invalid" for a value of the wrong type, "TooLarge" past its limit, undefined when the setter takes it.
const settingProblem = (name: string, value: unknown): "InvalidSetting" | "SettingTooLarge" | undefined => {
  const entry = (kinds as Record<string, readonly [Kind, number?]>)[name]
  if (entry === undefined) return "InvalidSetting"
  const [kind, max = Infinity] = entry
  const tooLarge = (text: string) => byteLength(text) > max
  switch (kind) {
    case "boolean":
      return typeof value === "boolean" ? undefined : "InvalidSetting"
    case "seconds":
      return Number.isSafeInteger(value) && (value as number) > 0 ? undefined : "InvalidSetting"
    case "probes":
      return !Array.isArray(value) || !value.every((v) => typeof v === "string")
        ? "InvalidSetting"
        : value.length > limits.maxProbes || value.some(tooLarge)
        ? "SettingTooLarge"
        : undefined
    case "string":
    case "pem":
      return typeof value !== "string" || (kind === "pem" && !pem.test(value))
        ? "InvalidSetting"
        : tooLarge(value)
        ? "SettingTooLarge"
        : undefined
    default:
      return kind.includes(value as string) ? undefined : "InvalidSetting"
  }
}

/**
 * Adds to `out` what Auth0 would refuse in the Decision's SAML attributes and settings.
 *
 * @category getters
 * @since 0.1.0
 */
export const check = (d: Decision.Decision, out: Array<Violation>): void => {
  if (d.samlResponse === undefined) return
  const { attributes, settings } = d.samlResponse
  const names = Object.keys(attributes)
  if (names.length > limits.maxAttributes) {
    out.push({ target: "samlResponse", name: undefined, rule: "TooManyAttributes", bytes: undefined })
  }
  let total = 0
  for (const name of names) {
    const value = attributes[name]
    const nameBytes = byteLength(name)
    const bytes = value === null ? 0 : valueBytes(value)
    if (nameBytes > limits.maxNameBytes) {
      out.push({ target: "samlResponse", name, rule: "AttributeNameTooLarge", bytes: nameBytes })
    }
    if (bytes === undefined) out.push({ target: "samlResponse", name, rule: "InvalidAttributeValue", bytes: undefined })
    else if (bytes > limits.maxValueBytes) {
      out.push({ target: "samlResponse", name, rule: "AttributeValueTooLarge", bytes })
    }
    total += nameBytes + (bytes ?? 0)
  }
  if (total > limits.maxTotalBytes) {
    out.push({ target: "samlResponse", name: undefined, rule: "AttributesTooLarge", bytes: total })
  }
  const given = settings as Readonly<Record<string, unknown>>
  for (const name of Object.keys(given)) {
    const problem = settingProblem(name, given[name])
    if (problem !== undefined) out.push({ target: "samlResponse", name, rule: problem, bytes: undefined })
  }
  for (const [a, b] of [["encryptionCert", "encryptionPublicKey"], ["cert", "key"]] as const) {
    if ((given[a] === undefined) !== (given[b] === undefined)) {
      out.push({ target: "samlResponse", name: `${a}+${b}`, rule: "UnpairedSetting", bytes: undefined })
    }
  }
}

/**
 * Tells whether the Decision needs a method of `api.samlResponse` (`setAttribute`, or a setting's setter) that the
 * api does not have.
 *
 * @category guards
 * @since 0.1.0
 */
export const lacksApi = (d: Decision.Decision, api: PostLoginApi): boolean => {
  if (d.samlResponse === undefined) return false
  const saml = api.samlResponse as Record<string, unknown> | undefined
  const needed = Object.keys(d.samlResponse.settings).map((name) => SamlResponse.setterOf(name as never))
  if (Object.keys(d.samlResponse.attributes).length > 0) needed.push("setAttribute")
  return needed.some((method) => typeof saml?.[method] !== "function")
}

/**
 * Applies the settings (in SamlResponse.settingNames order), then the attributes (`null` removes one). Call only
 * with a checked Decision.
 *
 * @category constructors
 * @since 0.1.0
 */
export const apply = (d: Decision.Decision, api: PostLoginApi): void => {
  if (d.samlResponse === undefined) return
  const saml = api.samlResponse as unknown as Record<string, (value: unknown) => unknown>
  const { attributes, settings } = d.samlResponse
  for (const name of SamlResponse.settingNames) {
    const value = settings[name]
    if (value !== undefined) saml[SamlResponse.setterOf(name)]!(Array.isArray(value) ? [...value] : value)
  }
  for (const name of Object.keys(attributes)) {
    const value = attributes[name]
    api.samlResponse!.setAttribute(name, Array.isArray(value) ? [...value] : value)
  }
}

/**
 * The kind, to pass to `PostLogin.make` (`{ kinds: [Auth0SamlResponse.kind] }`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const kind: DecisionKind = { target: "samlResponse", check, lacksApi, apply }
