/**
 * Step-up and enrollment of MFA factors chosen by the rules (Auth0's `api.authentication.challengeWith`,
 * `challengeWithAny`, `enrollWith`, `enrollWithAny`) and account linking (`setPrimaryUser`), recorded as data in the
 * Decision. The adapter checks Auth0's limits (at most 4 challenge or enroll steps per flow, a primary user id of at
 * most 128 characters, set once) before any `api` call.
 *
 * **Two rules that disagree**
 *
 * - Steps are kept in the order the rules were merged (the pipeline's rule order), since Auth0 runs one challenge or
 *   enrollment after another; a step equal to one already recorded is dropped, so two rules asking for the same OTP
 *   challenge make one challenge. More than 4 steps in all deny the login.
 * - Two different primary users deny the login (Auth0 allows one per transaction, and picking one would make the
 *   token's subject depend on rule order). The same id twice is one request.
 * - A challenge step overrides `Decision.requireMfa` (as Auth0's `challengeWith*` overrides `multifactor.enable`):
 *   the adapter then does not call `multifactor.enable` at all. An enrollment step does not.
 * - A primary user with any app_metadata or user_metadata write in the same Decision denies the login: Auth0 discards
 *   the metadata set in the Action that calls `setPrimaryUser`, and rulefx runs every rule in one Action.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import { type Decisions, recordMore } from "./Decision.ts"

/**
 * A factor Auth0 can challenge with, with its options.
 *
 * @category models
 * @since 0.1.0
 */
export type Factor =
  | { readonly type: "otp" | "email" | "webauthn-platform" | "webauthn-roaming" | "recovery-code" }
  | { readonly type: "phone"; readonly options?: { readonly preferredMethod: "sms" | "voice" | "both" } }
  | { readonly type: "push-notification" | "push"; readonly options?: { readonly otpFallback: boolean } }

/**
 * A factor Auth0 can enroll the user in: every challenge factor but `email`.
 *
 * @category models
 * @since 0.1.0
 */
export type EnrollFactor = Exclude<Factor, { readonly type: "email" }>

/**
 * One challenge or enrollment, as Auth0's four methods take it.
 *
 * @category models
 * @since 0.1.0
 */
export type Step =
  | { readonly _tag: "ChallengeWith"; readonly factor: Factor; readonly additionalFactors: ReadonlyArray<Factor> }
  | { readonly _tag: "ChallengeWithAny"; readonly factors: ReadonlyArray<Factor> }
  | {
    readonly _tag: "EnrollWith"
    readonly factor: EnrollFactor
    readonly additionalFactors: ReadonlyArray<EnrollFactor>
  }
  | { readonly _tag: "EnrollWithAny"; readonly factors: ReadonlyArray<EnrollFactor> }

/**
 * The most challenge and enrollment steps Auth0 allows in one flow; a fifth fails the login.
 *
 * @category constructors
 * @since 0.1.0
 */
export const maxSteps = 4

/**
 * The longest primary user id Auth0 accepts.
 *
 * @category constructors
 * @since 0.1.0
 */
export const maxPrimaryUserLength = 128

/**
 * Tells whether a step is a challenge, which overrides a `requireMfa` in the same Decision.
 *
 * @category guards
 * @since 0.1.0
 */
export const isChallenge = (step: Step): boolean => step._tag === "ChallengeWith" || step._tag === "ChallengeWithAny"

const step = (s: Step): Effect.Effect<void, never, Decisions> => recordMore({ mfaSteps: [s] })

/**
 * Challenges the user with `factor` after this login's rules (the user may pick one of `additionalFactors`
 * instead). Factors the user already passed in this transaction, has not enrolled, or the tenant has not enabled
 * are ignored by Auth0; when none remains, Auth0 fails the login.
 *
 * **Gotchas**
 *
 * Universal Login only, with the tenant's "Customize MFA Factors using Actions" on. MFA cannot be prompted in a
 * refresh-token or password-grant flow: gate such a rule on the protocol.
 *
 * @category constructors
 * @since 0.1.0
 */
export const challengeWith = (
  factor: Factor,
  options: { readonly additionalFactors?: ReadonlyArray<Factor> } = {}
): Effect.Effect<void, never, Decisions> =>
  step({ _tag: "ChallengeWith", factor, additionalFactors: options.additionalFactors ?? [] })

/**
 * Challenges the user with one of `factors`, letting them pick (Auth0 skips the picker when only one applies).
 *
 * @category constructors
 * @since 0.1.0
 */
export const challengeWithAny = (factors: ReadonlyArray<Factor>): Effect.Effect<void, never, Decisions> =>
  step({ _tag: "ChallengeWithAny", factors })

/**
 * Has the user enroll in `factor` (or one of `additionalFactors`). Already-enrolled or disabled factors are ignored
 * by Auth0; when none remains, Auth0 fails the login.
 *
 * @category constructors
 * @since 0.1.0
 */
export const enrollWith = (
  factor: EnrollFactor,
  options: { readonly additionalFactors?: ReadonlyArray<EnrollFactor> } = {}
): Effect.Effect<void, never, Decisions> =>
  step({ _tag: "EnrollWith", factor, additionalFactors: options.additionalFactors ?? [] })

/**
 * Has the user enroll in one of `factors`, letting them pick.
 *
 * @category constructors
 * @since 0.1.0
 */
export const enrollWithAny = (factors: ReadonlyArray<EnrollFactor>): Effect.Effect<void, never, Decisions> =>
  step({ _tag: "EnrollWithAny", factors })

/**
 * Makes the token's subject the linked account `userId` (at most 128 characters), whose secondary identities must
 * include the identity just used; otherwise Auth0 fails the login.
 *
 * **Gotchas**
 *
 * Auth0 discards the metadata set in the Action that calls `setPrimaryUser`: rulefx denies a Decision that has both
 * (see the module). Do the linking in its own pipeline and Action, bound after the one that writes metadata.
 *
 * @category constructors
 * @since 0.1.0
 */
export const setPrimaryUser = (userId: string): Effect.Effect<void, never, Decisions> =>
  recordMore({ primaryUsers: [userId] })
