/**
 * Triggers: the Auth0 triggers rulefx's tooling knows, with the handler names an Action exports for each, so that
 * `rulefx run`, `build`, `deploy` and `export` can tell which trigger a built file is for. The version here is the
 * one rulefx's handlers are written against; `rulefx deploy` reads the tenant's own list
 * (`GET /api/v2/actions/triggers`) and uses the version it marks current.
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"

/**
 * A trigger: its id, the version rulefx targets, the handler names (the first is the one Auth0 calls first), whether
 * Auth0 waits for it, and whether rulefx has a typed handler and `rulefx run` support for it.
 *
 * @category models
 * @since 0.1.0
 */
export interface Trigger {
  readonly id: string
  readonly version: string
  readonly handlers: readonly [string, ...Array<string>]
  readonly blocking: boolean
  readonly modelled: boolean
}

/**
 * Every trigger rulefx's tooling knows, post-login first.
 *
 * @category constructors
 * @since 0.1.0
 */
export const all: ReadonlyArray<Trigger> = [
  {
    id: "post-login",
    version: "v3",
    handlers: ["onExecutePostLogin", "onContinuePostLogin"],
    blocking: true,
    modelled: true
  },
  {
    id: "credentials-exchange",
    version: "v2",
    handlers: ["onExecuteCredentialsExchange"],
    blocking: true,
    modelled: true
  },
  {
    id: "pre-user-registration",
    version: "v2",
    handlers: ["onExecutePreUserRegistration"],
    blocking: true,
    modelled: true
  },
  {
    id: "post-user-registration",
    version: "v2",
    handlers: ["onExecutePostUserRegistration"],
    blocking: false,
    modelled: true
  },
  {
    id: "post-change-password",
    version: "v2",
    handlers: ["onExecutePostChangePassword"],
    blocking: false,
    modelled: true
  },
  { id: "send-phone-message", version: "v2", handlers: ["onExecuteSendPhoneMessage"], blocking: true, modelled: true },
  {
    id: "password-reset-post-challenge",
    version: "v1",
    handlers: ["onExecutePostChallenge", "onContinuePostChallenge"],
    blocking: true,
    modelled: true
  },
  {
    id: "custom-phone-provider",
    version: "v1",
    handlers: ["onExecuteCustomPhoneProvider"],
    blocking: true,
    modelled: true
  },
  {
    id: "custom-token-exchange",
    version: "v1",
    handlers: ["onExecuteCustomTokenExchange"],
    blocking: true,
    modelled: true
  },
  {
    id: "custom-email-provider",
    version: "v1",
    handlers: ["onExecuteCustomEmailProvider"],
    blocking: true,
    modelled: true
  }
]

/**
 * The ids, for messages and flags.
 *
 * @category getters
 * @since 0.1.0
 */
export const ids: ReadonlyArray<string> = all.map((t) => t.id)

/**
 * The trigger with this id, if rulefx knows it.
 *
 * @category getters
 * @since 0.1.0
 */
export const byId = (id: string): Trigger | undefined => all.find((t) => t.id === id)

/**
 * The triggers whose first handler a module's exports hold, as a function. A file for one trigger gives one; none
 * or several is for the caller to refuse.
 *
 * @category getters
 * @since 0.1.0
 */
export const fromExports = (exports: unknown): ReadonlyArray<Trigger> =>
  all.filter((t) => Predicate.hasProperty(exports, t.handlers[0]) && Predicate.isFunction(exports[t.handlers[0]]))

/**
 * Every handler name of a known trigger (first and continue passes) that a module's exports hold as a function, in
 * the order of `all`: what `rulefx run` and `rulefx diff` check a continue handler against.
 *
 * @category getters
 * @since 0.1.0
 */
export const exportedHandlers = (exports: unknown): ReadonlyArray<string> =>
  all.flatMap((t) => t.handlers).filter((name) =>
    Predicate.hasProperty(exports, name) && Predicate.isFunction(exports[name])
  )

/**
 * The triggers whose first handler name appears in a built file's text (`exports.onExecuteX` or an esbuild export
 * map entry), without loading it: for `deploy` and `export`, which must not run the Action.
 *
 * @category getters
 * @since 0.1.0
 */
export const fromSource = (code: string): ReadonlyArray<Trigger> =>
  all.filter((t) => new RegExp(`\\b${t.handlers[0]}\\b\\s*:`).test(code) || code.includes(`exports.${t.handlers[0]}`))
