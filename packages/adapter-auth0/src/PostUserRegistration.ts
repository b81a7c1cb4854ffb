/**
 * PostUserRegistration: turns a post-user-registration pipeline and a layer into Auth0's `onExecutePostUserRegistration(event, api)` handler (trigger
 * `post-user-registration`, v2).
 *
 * Auth0 runs this trigger asynchronously after a user was created: its outcome changes nothing, and its `api` has only the
 * cache. So the handler runs the pipeline (every rule optional, see core's PostUserRegistration) under a deadline over
 * per-event services (Registered, Secrets, Cache) and never denies, never throws: a failing rule, a malformed event, a
 * layer that fails to build or the deadline is logged, and the handler resolves.
 *
 * @since 0.1.0
 */
import type { Denial } from "@rulefx/core/Denial"
import type * as Pipeline from "@rulefx/core/Pipeline"
import type * as Layer from "effect/Layer"
import type { CacheApi } from "./PostLoginApi.ts"
import * as PostUserRegistrationEvent from "./PostUserRegistrationEvent.ts"
import * as TriggerRun from "./TriggerRun.ts"

/**
 * The part of Auth0's post-user-registration `api` that rulefx uses: the cache only.
 *
 * @category models
 * @since 0.1.0
 */
export interface PostUserRegistrationApi {
  readonly cache?: CacheApi
}

/**
 * The handler Auth0 calls.
 *
 * @category models
 * @since 0.1.0
 */
export type Handler = (event: unknown, api: PostUserRegistrationApi) => Promise<void>

/**
 * The services each event brings.
 *
 * @category utility types
 * @since 0.1.0
 */
export type PerEvent = PostUserRegistrationEvent.Services

/**
 * Runs a pipeline against an event and returns what happened; failures are logged, never raised.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decide = <E extends Denial, R, ROut, LE extends Denial>(
  pipeline: Pipeline.Pipeline<E, R>,
  layer: Layer.Layer<ROut, LE, PerEvent | TriggerRun.PerEvent> & TriggerRun.CheckLayer<R, ROut, PerEvent>,
  options: TriggerRun.Options = {}
): (event: unknown, api?: PostUserRegistrationApi) => Promise<TriggerRun.SideEffectsOutcome> =>
  TriggerRun.sideEffects(
    PostUserRegistrationEvent.decode,
    pipeline,
    layer as Layer.Layer<ROut, LE, PerEvent | TriggerRun.PerEvent>,
    options,
    "post-user-registration"
  )

/**
 * Builds `onExecutePostUserRegistration` from a post-user-registration pipeline and the layer of the services it needs.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <E extends Denial, R, ROut, LE extends Denial>(
  pipeline: Pipeline.Pipeline<E, R>,
  layer: Layer.Layer<ROut, LE, PerEvent | TriggerRun.PerEvent> & TriggerRun.CheckLayer<R, ROut, PerEvent>,
  options: TriggerRun.Options = {}
): Handler => TriggerRun.sideEffectsHandler(decide<E, R, ROut, LE>(pipeline, layer, options), "post-user-registration")
