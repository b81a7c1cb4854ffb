/**
 * PostUserRegistration: the model of a user just created (Auth0's `post-user-registration` trigger), for rules with
 * side effects only (notify a CRM, provision an account).
 *
 * Auth0 runs this trigger asynchronously: its outcome cannot change the sign-up. So rules decide nothing (a rule
 * that records any decision does not compile, see Trigger.ts) and the pipeline makes each rule optional: a denial,
 * a defect or a timeout of one rule is logged and the others go on; the handler never denies and never throws.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import * as Trigger from "./Trigger.ts"

/**
 * The trigger's id.
 *
 * @category models
 * @since 0.1.0
 */
export const id = "post-user-registration" as const

/**
 * The user who was created.
 *
 * @category models
 * @since 0.1.0
 */
export interface CreatedUser {
  readonly id: string
  readonly email: string | undefined
  readonly emailVerified: boolean
  readonly username: string | undefined
  readonly name: string | undefined
  readonly phoneNumber: string | undefined
  readonly createdAt: string | undefined
  readonly appMetadata: Readonly<Record<string, unknown>>
  readonly userMetadata: Readonly<Record<string, unknown>>
}

/**
 * Everything a post-user-registration rule may read.
 *
 * @category models
 * @since 0.1.0
 */
export interface RegisteredInfo {
  readonly user: CreatedUser
  readonly connection: { readonly id: string; readonly name: string; readonly strategy: string }
  /** The request, when Auth0 sends one. */
  readonly request: { readonly ip: string; readonly userAgent: string | undefined } | undefined
  readonly tenant: string
  /** The event as it arrived, without its secrets. */
  readonly raw: Readonly<Record<string, unknown>>
}

/**
 * The registration that happened, as a service.
 *
 * @category services
 * @since 0.1.0
 */
export class Registered extends Context.Service<Registered, RegisteredInfo>()(
  "@rulefx/core/PostUserRegistration/Registered"
) {
  /** Provides the given registration; the adapter builds it per event. */
  static readonly layer = (info: RegisteredInfo): Layer.Layer<Registered> => Layer.succeed(Registered, info)
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

/**
 * Makes a post-user-registration rule (see Trigger.makeRule). It has nothing to record.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeRule = /* @__PURE__ */ Trigger.makeRule(id)

/**
 * Makes the post-user-registration pipeline: every rule optional (see Trigger.makePipeline).
 *
 * @category constructors
 * @since 0.1.0
 */
export const makePipeline = /* @__PURE__ */ Trigger.makePipeline<typeof id, true>(id, true)
