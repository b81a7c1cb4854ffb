/**
 * PreUserRegistration: the model of a sign-up about to happen (Auth0's `pre-user-registration` trigger), for rules
 * that decide whether a user may be created and what metadata it starts with.
 *
 * Rules read the `Registration` service (the registering user, who has no id yet, the connection, the application,
 * the request), may set app_metadata and user_metadata keys on the new user, and deny: every denial's message is the
 * user message shown on the sign-up page, and its description (tag and fields) is the reason Auth0 logs. A denial made
 * with `ValidationClass` becomes Auth0's `api.validation.error(errorCode, message)` instead. No claims, scopes or MFA
 * here: a rule that records one does not compile (see Trigger.ts). The trigger is blocking, so the adapter fails
 * closed: a defect, a timeout or a malformed event denies the sign-up with a generic message.
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Types from "effect/Types"
import * as Denial from "./Denial.ts"
import * as Trigger from "./Trigger.ts"

/**
 * The trigger's id.
 *
 * @category models
 * @since 0.1.0
 */
export const id = "pre-user-registration" as const

/**
 * The user being registered: no id yet.
 *
 * @category models
 * @since 0.1.0
 */
export interface NewUser {
  readonly email: string | undefined
  readonly username: string | undefined
  readonly name: string | undefined
  readonly nickname: string | undefined
  readonly phoneNumber: string | undefined
  readonly appMetadata: Readonly<Record<string, unknown>>
  readonly userMetadata: Readonly<Record<string, unknown>>
}

/**
 * Everything a pre-user-registration rule may read.
 *
 * @category models
 * @since 0.1.0
 */
export interface RegistrationInfo {
  readonly user: NewUser
  readonly connection: { readonly id: string; readonly name: string; readonly strategy: string }
  /** The application signed up through; absent for some flows. */
  readonly client:
    | { readonly id: string; readonly name: string; readonly metadata: Readonly<Record<string, string>> }
    | undefined
  readonly request: {
    readonly ip: string
    readonly hostname: string | undefined
    readonly userAgent: string | undefined
    readonly language: string | undefined
    readonly countryCode: string | undefined
  }
  readonly tenant: string
  /** The event as it arrived, without its secrets. */
  readonly raw: Readonly<Record<string, unknown>>
}

/**
 * The current registration, as a service.
 *
 * @category services
 * @since 0.1.0
 */
export class Registration extends Context.Service<Registration, RegistrationInfo>()(
  "@rulefx/core/PreUserRegistration/Registration"
) {
  /** Provides the given registration; the adapter builds it per sign-up from its event. */
  static readonly layer = (info: RegistrationInfo): Layer.Layer<Registration> => Layer.succeed(Registration, info)
}

/**
 * The marker of this trigger's rules.
 *
 * @category services
 * @since 0.1.0
 */
export const On: Context.Key<On, typeof id> = /* @__PURE__ */ Trigger.marker(id)

/**
 * The type of this trigger's marker.
 *
 * @category models
 * @since 0.1.0
 */
export type On = Trigger.On<typeof id>

const recorder = /* @__PURE__ */ Trigger.recorder(id)

/**
 * Sets one top-level key of the new user's app_metadata (`null` deletes it). Not for passwordless connections
 * (Auth0 refuses it there; the adapter checks before any call).
 *
 * @category constructors
 * @since 0.1.0
 */
export const setAppMetadata = (
  key: string,
  value: unknown
): Effect.Effect<void, never, Trigger.Recorder<typeof id>> =>
  Trigger.record(recorder, (d) => {
    d.appMetadata[key] = value
  })

/**
 * Sets one top-level key of the new user's user_metadata (`null` deletes it).
 *
 * @category constructors
 * @since 0.1.0
 */
export const setUserMetadata = (
  key: string,
  value: unknown
): Effect.Effect<void, never, Trigger.Recorder<typeof id>> =>
  Trigger.record(recorder, (d) => {
    d.userMetadata[key] = value
  })

/**
 * A denial that Auth0 shows as a validation error with a code (`api.validation.error(errorCode, message)`).
 *
 * @category models
 * @since 0.1.0
 */
export interface ValidationDenial extends Denial.Denial {
  readonly errorCode: string
}

/**
 * Makes a denial class reported through `api.validation.error` with `errorCode`; its message is the error message.
 *
 * @category constructors
 * @since 0.1.0
 */
export const ValidationClass = <Tag extends string>(tag: Tag, errorCode: string): new<
  // oxlint-disable-next-line no-explicit-any
  A extends Record<string, any> = {}
>(
  args: Types.VoidIfEmpty<{ readonly [P in keyof A as P extends "_tag" | "errorCode" ? never : P]: A[P] }>
) => Cause.YieldableError & ValidationDenial & { readonly _tag: Tag } & Readonly<A> => {
  const Base = Denial.Class(tag)
  Object.defineProperty(Base.prototype, "errorCode", { value: errorCode })
  // oxlint-disable-next-line no-explicit-any
  return Base as any
}

/**
 * The validation error code of a denial, if its class has one.
 *
 * @category getters
 * @since 0.1.0
 */
export const errorCodeOf = (denial: Denial.Denial): string | undefined => {
  const code = (denial as { readonly errorCode?: unknown }).errorCode
  return typeof code === "string" && code.length > 0 ? code : undefined
}

/**
 * Makes a pre-user-registration rule (see Trigger.makeRule).
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeRule = /* @__PURE__ */ Trigger.makeRule(id)

/**
 * Makes the pre-user-registration pipeline (see Trigger.makePipeline).
 *
 * @category constructors
 * @since 0.1.0
 */
export const makePipeline = /* @__PURE__ */ Trigger.makePipeline(id)
