/**
 * LegacyAction: the two handlers of an Action that runs legacy Auth0 Rules (what `rulefx migrate` builds).
 *
 * `onExecutePostLogin` runs the rules in order, as Rules did. When a rule set `context.redirect`, the browser goes
 * there after the last rule; Auth0 then calls `onContinuePostLogin`, which runs every rule again from the first
 * with `context.protocol` "redirect-callback" and `context.request` from the `/continue` request, and ignores any
 * new redirect: Rules' semantics. Both passes share Rules' `global` object.
 *
 * @since 0.1.0
 */
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Duration from "effect/Duration"
import * as Layer from "effect/Layer"
import type * as LegacyRule from "./LegacyRule.ts"
import * as LegacyRules from "./LegacyRules.ts"

/**
 * Options of a legacy Action.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** What the rules' `require(name)` returns, by module name. */
  readonly modules?: Readonly<Record<string, unknown>>
  /** The whole run's deadline. Default 10 seconds: legacy rules call out more than typed ones, and Auth0 allows 20. */
  readonly deadline?: Duration.Input
  /**
   * The opt-in decision kinds the rules need (PostLogin.Options): Auth0SamlResponse.kind with `saml`
   * (`...SamlConfiguration.enabled` passes both; `rulefx migrate` does when a rule reaches `context.samlConfiguration`).
   */
  readonly kinds?: PostLogin.Options["kinds"]
  /** `context.samlConfiguration` as `api.samlResponse` (see LegacyRules); with `kinds` [Auth0SamlResponse.kind]. */
  readonly saml?: LegacyRules.Options["saml"]
}

/**
 * The handlers.
 *
 * @category models
 * @since 0.1.0
 */
export interface Handlers {
  readonly onExecutePostLogin: PostLogin.Handler
  readonly onContinuePostLogin: PostLogin.Handler
}

/**
 * The default deadline of a legacy Action's run.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultDeadline: Duration.Duration = Duration.seconds(10)

/**
 * Builds both handlers from the rules, in the order they run.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (rules: ReadonlyArray<LegacyRule.LegacyRule>, options: Options = {}): Handlers => {
  // One `global` for both passes, as Rules' was one sandbox's.
  const shared = { modules: options.modules ?? {}, global: {}, ...(options.saml && { saml: options.saml }) }
  const handler = (resumed: boolean) =>
    PostLogin.make(LegacyRules.pipeline(LegacyRules.make(rules, { ...shared, resumed })), Layer.empty, {
      deadline: options.deadline ?? defaultDeadline,
      kinds: options.kinds ?? []
    })
  return { onExecutePostLogin: handler(false), onContinuePostLogin: handler(true) }
}
