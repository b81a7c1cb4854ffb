/**
 * ServiceLayer: the layer of one service built by one Effect, which an adapter builds per login without a Layer graph.
 *
 * A rule package's live layer (SellerApi.layer) is built once per login, inside the run, since it reads the login's
 * Secrets. Built as a Layer, that is a memo map, a scope, a Deferred and their finalizers per login: about a tenth of
 * a login that fetches nothing (measured in instructions, bench/NOTES.md). `ServiceLayer.effect(key, build)` is a
 * Layer like `Layer.effect(key, build)` (Effect.provide, Layer.merge and tests take it as any other) that also carries
 * `build`: the adapter, given this layer alone, runs `build` per login and adds the service to the login's context,
 * with the same isolation (nothing is kept between logins) and the same failure handling.
 *
 * **Gotchas**
 *
 * `build` gets no Scope: a service that holds a resource to release when the login ends is a `Layer.effect`. A layer
 * composed of several (`Layer.merge`) is an ordinary Layer, built as one.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

const BuildId = "~@rulefx/core/ServiceLayer"

/**
 * A layer of one service, with the Effect that builds that service's context.
 *
 * @category models
 * @since 0.1.0
 */
export interface ServiceLayer<in out I, out E, out R> extends Layer.Layer<I, E, R> {
  readonly [BuildId]: Effect.Effect<Context.Context<I>, E, R>
}

/**
 * The layer of the service `key`, built by `build`: an ordinary Layer that an adapter can also build by running
 * `build` alone.
 *
 * @category constructors
 * @since 0.1.0
 */
export const effect = <I, S, E, R>(key: Context.Key<I, S>, build: Effect.Effect<S, E, R>): ServiceLayer<I, E, R> => {
  const context = Effect.map(build, (service) => Context.make(key, service))
  return Object.assign(Layer.effectContext(context) as Layer.Layer<I, E, R>, { [BuildId]: context })
}

const buildsNothing: Effect.Effect<Context.Context<never>> = Effect.succeed(Context.empty())

/**
 * The Effect that builds the services of `layer` when it is a ServiceLayer or `Layer.empty` (which builds nothing);
 * otherwise undefined: build it as a Layer.
 *
 * @category getters
 * @since 0.1.0
 */
export const buildOf = <I, E, R>(layer: Layer.Layer<I, E, R>): Effect.Effect<Context.Context<I>, E, R> | undefined =>
  (layer as unknown) === Layer.empty
    ? buildsNothing as Effect.Effect<Context.Context<I>>
    : (layer as Partial<ServiceLayer<I, E, R>>)[BuildId]
