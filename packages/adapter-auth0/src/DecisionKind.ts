/**
 * DecisionKind: how the adapter checks and applies one kind of decision that not every Action uses (MFA steps and
 * linking, SAML, session and refresh token). Each such kind's Auth0 code is opt-in, passed to `PostLogin.make` as
 * `kinds`, so an Action that does not use it does not carry it (about 2 to 3 kB each, minified). A Decision that holds
 * a kind the handler was not given is denied with the generic reason before any `api` call, and the log names the
 * kind and the module to pass: it never reaches Auth0 half applied.
 *
 * @since 0.1.0
 */
import type * as Decision from "@rulefx/core/Decision"
import type { Target, Violation } from "./Auth0Limits.ts"
import type { PostLoginApi } from "./PostLoginApi.ts"

/**
 * One kind of decision, as the adapter handles it.
 *
 * @category models
 * @since 0.1.0
 */
export interface DecisionKind {
  /** The kind, as violations name it. */
  readonly target: Target
  /** Adds what Auth0 would refuse in the Decision's part of this kind to `out`. */
  readonly check: (d: Decision.Decision, out: Array<Violation>) => void
  /** Tells whether the Decision needs a part of `api` this one lacks. */
  readonly lacksApi: (d: Decision.Decision, api: PostLoginApi) => boolean
  /** Makes the `api` calls; only for a checked Decision. */
  readonly apply: (d: Decision.Decision, api: PostLoginApi) => void
}

/**
 * The kinds a Decision holds, by the target of the DecisionKind that handles each.
 *
 * @category getters
 * @since 0.1.0
 */
export const present = (d: Decision.Decision): Array<Target> => {
  const out: Array<Target> = []
  if (d.mfaSteps?.length || d.primaryUsers?.length) out.push("authentication")
  if (d.samlResponse) out.push("samlResponse")
  if (d.session || d.refreshToken) out.push("session")
  return out
}
