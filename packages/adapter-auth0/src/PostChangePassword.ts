/**
 * PostChangePassword: turns a post-change-password pipeline and a layer into Auth0's `onExecutePostChangePassword(event, api)` handler (trigger
 * `post-change-password`, v2).
 *
 * Auth0 runs this trigger asynchronously after a password changed: its outcome changes nothing, and its `api` has only the
 * cache. So the handler runs the pipeline (every rule optional, see core's PostChangePassword) under a deadline over
 * per-event services (PasswordChange, Secrets, Cache) and never denies, never throws: a failing rule, a malformed event, a
 * layer that fails to build or the deadline is logged, and the handler resolves.
 *
 * @since 0.1.0
 */
import type { Denial } from "@rulefx/core/Denial"
import type * as Pipeline from "@rulefx/core/Pipeline"
import type * as Layer from "effect/Layer"
import * as PostChangePasswordEvent from "./PostChangePasswordEvent.ts"
import type { CacheApi } from "./PostLoginApi.ts"
import * as TriggerRun from "./TriggerRun.ts"

/**
 * The part of Auth0's post-change-password `api` that rulefx uses: the cache only.
 *
 * @category models
 * @since 0.1.0
 */
export interface PostChangePasswordApi {
  readonly cache?: CacheApi
}

/**
 * The handler Auth0 calls.
 *
 * @category models
 * @since 0.1.0
 */
export type Handler = (event: unknown, api: PostChangePasswordApi) => Promise<void>

/**
 * The services each event brings.
 *
 * @category utility types
 * @since 0.1.0
 */
export type PerEvent = PostChangePasswordEvent.Services

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
): (event: unknown, api?: PostChangePasswordApi) => Promise<TriggerRun.SideEffectsOutcome> =>
  TriggerRun.sideEffects(
    PostChangePasswordEvent.decode,
    pipeline,
    layer as Layer.Layer<ROut, LE, PerEvent | TriggerRun.PerEvent>,
    options,
    "post-change-password"
  )

/**
 * Builds `onExecutePostChangePassword` from a post-change-password pipeline and the layer of the services it needs.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <E extends Denial, R, ROut, LE extends Denial>(
  pipeline: Pipeline.Pipeline<E, R>,
  layer: Layer.Layer<ROut, LE, PerEvent | TriggerRun.PerEvent> & TriggerRun.CheckLayer<R, ROut, PerEvent>,
  options: TriggerRun.Options = {}
): Handler => TriggerRun.sideEffectsHandler(decide<E, R, ROut, LE>(pipeline, layer, options), "post-change-password")
