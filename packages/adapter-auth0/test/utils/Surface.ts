/**
 * Runs rules through the real handler (PostLogin.make) with a recording api, for the tests of the post-login api
 * surface (MFA steps, SAML, session, refresh token): the calls made and the rulefx lines logged.
 *
 * @since 0.1.0
 */
import * as Auth0Authentication from "@rulefx/adapter-auth0/Auth0Authentication"
import type { Violation } from "@rulefx/adapter-auth0/Auth0Limits"
import * as Auth0SamlResponse from "@rulefx/adapter-auth0/Auth0SamlResponse"
import * as Auth0Session from "@rulefx/adapter-auth0/Auth0Session"
import * as Auth0TargetScopes from "@rulefx/adapter-auth0/Auth0TargetScopes"
import type { DecisionKind } from "@rulefx/adapter-auth0/DecisionKind"
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import type { PostLoginApi } from "@rulefx/adapter-auth0/PostLoginApi"
import type { Decision, Decisions } from "@rulefx/core/Decision"
import type { Denial } from "@rulefx/core/Denial"
import * as Pipeline from "@rulefx/core/Pipeline"
import * as Rule from "@rulefx/core/Rule"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { minimalEvent } from "./Events.ts"

/**
 * Every opt-in decision kind.
 *
 * @since 0.1.0
 */
export const allKinds: ReadonlyArray<DecisionKind> = [
  Auth0Authentication.kind,
  Auth0SamlResponse.kind,
  Auth0Session.kind,
  Auth0TargetScopes.kind
]

/**
 * Runs one login whose rules are `effects` (named r0, r1, ...) against `event` (a minimal one by default), with a
 * fresh recording api (or `api`), with every opt-in decision kind (or `kinds`).
 *
 * @since 0.1.0
 */
export const runRules = async (
  effects: ReadonlyArray<Effect.Effect<void, Denial, PostLogin.PerLogin | Decisions>>,
  options: {
    readonly event?: unknown
    readonly api?: PostLoginApi & { readonly calls: RecordingApi.RecordingApi["calls"] }
    readonly kinds?: ReadonlyArray<DecisionKind>
  } = {}
) => {
  const api = options.api ?? RecordingApi.make()
  const pipeline = Pipeline.make({ facts: [], rules: effects.map((effect, i) => Rule.make(`r${i}`, effect)) })
  const handler = PostLogin.make(pipeline, Layer.empty, { kinds: options.kinds ?? allKinds })
  const { lines } = await LogCapture.around(() => handler(options.event ?? minimalEvent(), api))
  return { api, calls: RecordingApi.decisive(api.calls), lines: LogCapture.rulefxLines(lines) }
}

/**
 * A recording api without one of its parts, as an Auth0 plan or runtime without the feature would be.
 *
 * @since 0.1.0
 */
export const apiWithout = (part: "authentication" | "samlResponse" | "session" | "refreshToken") =>
  new Proxy(RecordingApi.make(), { get: (target, key) => key === part ? undefined : Reflect.get(target, key) })

/**
 * The violations one kind's check finds in a Decision.
 *
 * @since 0.1.0
 */
export const checked = (kind: DecisionKind, d: Decision): ReadonlyArray<Violation> => {
  const out: Array<Violation> = []
  kind.check(d, out, { pass: "execute" }, RecordingApi.make())
  return out
}
