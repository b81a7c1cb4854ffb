/**
 * DecisionKind: how the adapter checks and applies one kind of decision that not every Action uses: the flow kinds
 * (redirects with a signed token, forms, transaction metadata, recorded methods: Auth0Flow, given by Resumable.make),
 * MFA steps and linking (Auth0Authentication), SAML (Auth0SamlResponse), session and refresh token (Auth0Session),
 * early-access target scopes (Auth0TargetScopes).
 * Each kind's Auth0 code is opt-in, passed to `PostLogin.make` as `kinds`, so an Action that does not use it does not
 * carry it (about 2 to 3 kB each, minified). A Decision that holds a kind the handler was not given is denied with the
 * generic reason before any `api` call, and the log names the kind and the module to pass: it never reaches Auth0 half
 * applied.
 *
 * @since 0.1.0
 */
import type * as Decision from "@rulefx/core/Decision"
import type { Interaction } from "@rulefx/core/Redirect"
import type { Revocation } from "@rulefx/core/Revocation"
import type { Target, Violation } from "./Auth0Limits.ts"
import type { PostLoginApi } from "./PostLoginApi.ts"

/**
 * Which pass of a login a Decision is applied in: the first (`onExecutePostLogin`) or the one after a redirect or a
 * form (`onContinuePostLogin`), and the transaction metadata the login arrived with.
 *
 * @category models
 * @since 0.1.0
 */
export interface Pass {
  readonly pass: "execute" | "continue"
  /** As the event holds it: Auth0Flow.checkTransactionMetadata takes anything but an object for none. */
  readonly transactionMetadata?: unknown
  /**
   * The event as Auth0 sent it, for the kinds whose limits depend on the flow (no MFA step in a back-channel grant:
   * core's Redirect.nonInteractiveReason reads it as it reads a Login).
   */
  readonly event?: Interaction | null | undefined
  /** The constructor that made the handler, which the log names for a kind it was not given: PostLogin.make if unset. */
  readonly madeBy?: string | undefined
}

/**
 * A denial as the kinds see it: the reason, and what a denial of one of them asks besides the deny (core's
 * Denial.OutcomeId: Validation.fail's code, Session.revoke's and RefreshToken.revoke's revocation).
 *
 * @category models
 * @since 0.1.0
 */
export interface Denied {
  readonly reason: string
  readonly validation?: string | undefined
  readonly revoke?: Revocation | undefined
}

/**
 * One kind of decision, as the adapter handles it.
 *
 * @category models
 * @since 0.1.0
 */
export interface DecisionKind {
  /** The kind, as violations name it. */
  readonly target: Target
  /** Adds what Auth0 would refuse in the Decision's part of this kind to `out`, in this pass and through this `api`. */
  readonly check: (d: Decision.Decision, out: Array<Violation>, pass: Pass, api: PostLoginApi) => void
  /** Tells whether the Decision needs a part of `api` this one lacks. */
  readonly lacksApi: (d: Decision.Decision, api: PostLoginApi) => boolean
  /** Makes the `api` calls; only for a checked Decision. */
  readonly apply: (d: Decision.Decision, api: PostLoginApi) => void
  /**
   * Applies a denial that asks for this kind (a validation error, a revocation) and returns true; returns false,
   * calling nothing, for any other. `log` reports what could not be applied.
   */
  readonly deny?: (
    denied: Denied,
    api: PostLoginApi,
    log: (violations: ReadonlyArray<Violation>, what: string) => void
  ) => boolean
}

// Each kind: its target, then the optional fields of a Decision or a denial that hold it besides the one the target
// names (a redirect with a token is "flow" too). One string, for the size of every Action.
const fieldsOf: ReadonlyArray<ReadonlyArray<string>> = /* @__PURE__ */ ("flow prompt transactionMetadata " +
  "authenticationMethods conflicts validation,authentication mfaSteps primaryUsers,samlResponse," +
  "session refreshToken revoke,targetScopes").split(",").map((kind) => kind.split(" "))

// Set: not undefined or null, and not an empty list.
const isSet = (value: { readonly length?: number } | null | undefined): boolean =>
  value !== undefined && value !== null && value.length !== 0

/**
 * The kinds a Decision (or a denial) holds, by the target of the DecisionKind that handles each: every optional field
 * that is set (an empty list is not), and a redirect with a token.
 *
 * @category getters
 * @since 0.1.0
 */
export const present = (d: Decision.Decision | Denied): Array<Target> => {
  const fields = d as unknown as Readonly<Record<string, { readonly length?: number } | null | undefined>>
  return fieldsOf.filter((names) =>
    names[0] === "flow" && (d as Partial<Decision.Decision>).redirect?.token !== undefined ||
    names.some((name) => isSet(fields[name]))
  ).map(([target]) => target as Target)
}
