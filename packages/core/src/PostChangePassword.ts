/**
 * PostChangePassword: the model of a password just changed or reset (Auth0's `post-change-password` trigger), for
 * rules with side effects only (notify the user, revoke sessions elsewhere).
 *
 * Auth0 runs this trigger asynchronously: its outcome cannot change anything. So rules decide nothing (a rule that
 * records any decision does not compile, see Trigger.ts) and the pipeline makes each rule optional: a failing rule
 * is logged and the others go on; the handler never denies and never throws.
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
export const id = "post-change-password" as const

/**
 * What Auth0 sends of the user whose password changed; every field may be absent.
 *
 * @category models
 * @since 0.1.0
 */
export interface PasswordUser {
  readonly id: string | undefined
  readonly email: string | undefined
  readonly emailVerified: boolean
  readonly username: string | undefined
  readonly phoneNumber: string | undefined
  readonly lastPasswordReset: string | undefined
}

/**
 * Everything a post-change-password rule may read.
 *
 * @category models
 * @since 0.1.0
 */
export interface PasswordChangeInfo {
  readonly user: PasswordUser
  readonly connection: { readonly id: string; readonly name: string }
  readonly request: { readonly ip: string; readonly userAgent: string | undefined } | undefined
  readonly tenant: string
  /** The event as it arrived, without its secrets. */
  readonly raw: Readonly<Record<string, unknown>>
}

/**
 * The password change that happened, as a service.
 *
 * @category services
 * @since 0.1.0
 */
export class PasswordChange extends Context.Service<PasswordChange, PasswordChangeInfo>()(
  "@rulefx/core/PostChangePassword/PasswordChange"
) {
  /** Provides the given change; the adapter builds it per event. */
  static readonly layer = (info: PasswordChangeInfo): Layer.Layer<PasswordChange> => Layer.succeed(PasswordChange, info)
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
 * Makes a post-change-password rule (see Trigger.makeRule). It has nothing to record.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeRule = /* @__PURE__ */ Trigger.makeRule(id)

/**
 * Makes the post-change-password pipeline: every rule optional (see Trigger.makePipeline).
 *
 * @category constructors
 * @since 0.1.0
 */
export const makePipeline = /* @__PURE__ */ Trigger.makePipeline<typeof id, true>(id, true)
