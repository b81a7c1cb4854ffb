/**
 * Auth0Authentication: checks a Decision's MFA steps and primary user against Auth0's rules, and applies them
 * through `api.authentication` (see core's Authentication for the model and the rule of two rules that disagree).
 *
 * Checked before any `api` call: at most 4 steps; factor types and options as Auth0 takes them (no `email`
 * enrollment); at most one primary user, of at most 128 characters; no primary user with metadata writes (Auth0
 * discards the metadata set in the Action that calls `setPrimaryUser`); and, in post-login, no MFA step in a login
 * with no browser to show it in (a back-channel grant such as refresh token, resource-owner password, client-initiated
 * backchannel or token exchange, or `prompt=none`: core's Redirect.nonInteractiveReason), which Auth0 would fail: the login
 * is denied with the generic reason and the log names the protocol (`NotInteractive`).
 *
 * @since 0.1.0
 */
import * as Authentication from "@rulefx/core/Authentication"
import type * as Decision from "@rulefx/core/Decision"
import { nonInteractiveReason } from "@rulefx/core/Redirect"
import type { Violation } from "./Auth0Limits.ts"
import type { DecisionKind, Pass } from "./DecisionKind.ts"
import type { FactorArg, PostLoginApi } from "./PostLoginApi.ts"

const factorTypes = /* @__PURE__ */ new Set([
  "otp",
  "email",
  "phone",
  "push-notification",
  "push",
  "webauthn-platform",
  "webauthn-roaming",
  "recovery-code"
])

const preferredMethods = /* @__PURE__ */ new Set(["sms", "voice", "both"])

// A factor as Auth0 takes it: a known type, and only the options its type has.
const isFactor = (u: unknown, enroll: boolean): boolean => {
  if (typeof u !== "object" || u === null) return false
  const { options, type, ...rest } = u as { type?: unknown; options?: unknown }
  if (Object.keys(rest).length > 0 || typeof type !== "string" || !factorTypes.has(type)) return false
  if (enroll && type === "email") return false
  if (options === undefined) return true
  if (typeof options !== "object" || options === null) return false
  const keys = Object.keys(options)
  const option = options as Record<string, unknown>
  return type === "phone"
    ? keys.length === 1 && preferredMethods.has(option["preferredMethod"] as string)
    : type === "push" || type === "push-notification"
    ? keys.length === 1 && typeof option["otpFallback"] === "boolean"
    : keys.length === 0
}

const factorsOf = (step: Authentication.Step): ReadonlyArray<unknown> =>
  "factors" in step ? step.factors : [step.factor, ...step.additionalFactors]

/**
 * Adds to `out` what Auth0 would refuse or fail on in the Decision's MFA steps and primary user.
 *
 * @category getters
 * @since 0.1.0
 */
export const check = (d: Decision.Decision, out: Array<Violation>): void => {
  const steps = d.mfaSteps ?? []
  if (steps.length > Authentication.maxSteps) {
    out.push({ target: "authentication", name: undefined, rule: "TooManyMfaSteps", bytes: undefined })
  }
  for (const step of steps) {
    const factors = factorsOf(step)
    const enroll = step._tag === "EnrollWith" || step._tag === "EnrollWithAny"
    if (factors.length === 0 || !factors.every((f) => isFactor(f, enroll))) {
      out.push({ target: "authentication", name: step._tag, rule: "InvalidFactor", bytes: undefined })
    }
  }
  const users = d.primaryUsers ?? []
  if (users.length > 1) {
    out.push({ target: "authentication", name: "setPrimaryUser", rule: "ConflictingPrimaryUsers", bytes: undefined })
  }
  for (const id of users) {
    if (typeof id !== "string" || id.length === 0 || id.length > Authentication.maxPrimaryUserLength) {
      out.push({ target: "authentication", name: "setPrimaryUser", rule: "InvalidPrimaryUser", bytes: undefined })
    }
  }
  if (users.length > 0 && Object.keys(d.appMetadata).length + Object.keys(d.userMetadata).length > 0) {
    out.push({ target: "authentication", name: "setPrimaryUser", rule: "PrimaryUserWithMetadata", bytes: undefined })
  }
}

/**
 * Adds to `out` a `NotInteractive` violation when the Decision has MFA steps and the login has no browser to show them
 * in (core's Redirect.nonInteractiveReason, as a redirect or a form: a back-channel protocol or `prompt=none`).
 *
 * @category getters
 * @since 0.1.0
 */
export const checkInteractive = (d: Decision.Decision, out: Array<Violation>, pass: Pass): void => {
  const why = d.mfaSteps?.length ? nonInteractiveReason(pass.event) : undefined
  if (why !== undefined) out.push({ target: "authentication", name: why, rule: "NotInteractive", bytes: undefined })
}

/**
 * Tells whether the Decision has a challenge step, which overrides its `mfa` (Auth0's `challengeWith*` overrides
 * `multifactor.enable`): the adapter then does not call `multifactor.enable`.
 *
 * @category guards
 * @since 0.1.0
 */
export const overridesMfa = (d: Decision.Decision): boolean => d.mfaSteps?.some(Authentication.isChallenge) ?? false

/**
 * Tells whether the Decision needs `api.authentication` and the api has no such object.
 *
 * @category guards
 * @since 0.1.0
 */
export const lacksApi = (d: Decision.Decision, api: PostLoginApi): boolean =>
  (d.mfaSteps?.length || d.primaryUsers?.length) ? typeof api.authentication !== "object" : false

const arg = (factor: Authentication.Factor): FactorArg => ({ ...factor }) as FactorArg

/**
 * Applies the steps in order, then the primary user. Call only with a checked Decision.
 *
 * @category constructors
 * @since 0.1.0
 */
export const apply = (d: Decision.Decision, api: PostLoginApi): void => {
  const auth = api.authentication!
  for (const step of d.mfaSteps ?? []) {
    switch (step._tag) {
      case "ChallengeWith":
        auth.challengeWith(arg(step.factor), { additionalFactors: step.additionalFactors.map(arg) })
        break
      case "ChallengeWithAny":
        auth.challengeWithAny(step.factors.map(arg))
        break
      case "EnrollWith":
        auth.enrollWith(arg(step.factor), { additionalFactors: step.additionalFactors.map(arg) })
        break
      case "EnrollWithAny":
        auth.enrollWithAny(step.factors.map(arg))
    }
  }
  for (const id of d.primaryUsers ?? []) auth.setPrimaryUser(id)
}

/**
 * The kind, to pass to `PostLogin.make` (`{ kinds: [Auth0Authentication.kind] }`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const kind: DecisionKind = {
  target: "authentication",
  check: (d, out, pass) => {
    check(d, out)
    checkInteractive(d, out, pass)
  },
  lacksApi,
  apply
}
