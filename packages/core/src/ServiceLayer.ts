/**
 * ServiceLayer: the layer of one service built by one Effect, which an adapter builds per login without a Layer graph.
 *
 * A rule package's live layer (SellerApi.layer) is built once per login, inside the run, since it reads the login's
 * Secrets. Built as a Layer, that is a memo map, a scope, a Deferred and their finalizers per login: about a tenth of
 * a login that fetches nothing (measured in instructions, bench/NOTES.md). `ServiceLayer.effect(key, build)` is a
 * Layer like `Layer.effect(key, build)` (Effect.provide, Layer.merge and tests take it as any other) whose `build` this
 * module remembers: the adapter, given this layer alone, runs `build` per login and adds the service to the login's
 * context, with the same isolation (nothing is kept between logins) and the same failure handling.
 *
 * **Gotchas**
 *
 * `build` gets no Scope: a service that holds a resource to release when the login ends is a `Layer.effect` (a build
 * that needs one does not compile: `ServiceLayer.effect` refuses it, saying so). Several are one with
 * `ServiceLayer.mergeAll`; composed with `Layer.merge` or `Layer.provide` they are an ordinary Layer, built as one; so
 * is a layer derived from a ServiceLayer or one whose build was replaced (a test's spy): what the adapter builds is
 * always what `Effect.provide` would.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"

// What a layer's own build function is (effect keeps it on the layer, outside its type).
type Built = { readonly build: unknown }

type Services = Effect.Effect<Context.Context<never>, unknown, unknown>

// Each ServiceLayer's build function when it was made, and what gives the Effect that builds its services now
// (undefined: build it as a Layer), by layer. Keyed by the layer object and checked against its build function: a
// layer derived from one (Object.create), one whose build was replaced since (a test's spy, a wrapper) or any other
// layer is built as the Layer it is.
const made = new WeakMap<object, readonly [unknown, () => Services | undefined]>()

// The layers a mergeAll merged, flattened (a nested mergeAll's own members in its place), by merged layer.
const members = new WeakMap<object, ReadonlyArray<Layer.Any>>()

const remember = <L extends Layer.Any>(layer: L, services: () => Services | undefined): L => {
  made.set(layer, [(layer as unknown as Built).build, services])
  return layer
}

/**
 * Resolves to `unknown` when `R` (what a build needs) holds no Scope, and otherwise to an object type whose property
 * says what to use instead, so that `ServiceLayer.effect` with a build that needs a Scope does not compile.
 *
 * @category utility types
 * @since 0.1.0
 */
export type NoScope<R> = [Extract<R, Scope.Scope>] extends [never] ? unknown : {
  readonly "rulefx: a ServiceLayer's build gets no Scope; a service holding a resource to release is a Layer.effect":
    never
}

/**
 * The layer of the service `key`, built by `build`: an ordinary Layer that an adapter can also build by running
 * `build` alone.
 *
 * @category constructors
 * @since 0.1.0
 */
export const effect = <I, S, E, R>(
  key: Context.Key<I, S>,
  build: Effect.Effect<S, E, R> & NoScope<R>
): Layer.Layer<I, E, R> => {
  const context = Effect.map(build, (service) => Context.make(key, service)) as Services
  return remember(Layer.effectContext(context) as Layer.Layer<I, E, R>, () => context)
}

/**
 * Several ServiceLayers as one: `Layer.mergeAll(...layers)` (as a Layer, built as Layer.mergeAll builds), which an
 * adapter, while every member is still the ServiceLayer it was, builds by running their Effects in order, a layer
 * given twice (here or in a nested mergeAll) once, where it comes last: a later one's service wins, as in
 * `Layer.mergeAll`. `Layer.mergeAll` of the same layers would be built as a Layer graph per login.
 *
 * **Gotchas**
 *
 * The adapter builds the members one after another, not concurrently as `Layer.mergeAll` does: their times add up.
 *
 * @category constructors
 * @since 0.1.0
 */
export const mergeAll = <const Layers extends readonly [Layer.Any, ...Array<Layer.Any>]>(
  ...layers: Layers
): Layer.Layer<Layer.Success<Layers[number]>, Layer.Error<Layers[number]>, Layer.Services<Layers[number]>> => {
  const flat = layers.flatMap((layer) => members.get(layer) ?? [layer])
  // Layer.empty builds nothing; a layer given twice is built where it comes last.
  const distinct = flat.filter((layer, i) => layer !== Layer.empty && flat.indexOf(layer, i + 1) === -1)
  const merged = Layer.mergeAll(...(layers as unknown as [Layer.Layer<never>]))
  members.set(merged, distinct)
  // The members' builds as one Effect, made again only when a member's build changed: buildOf runs per login.
  let last: readonly [ReadonlyArray<Services | undefined>, Services] | undefined
  return remember(merged, () => {
    const builds = distinct.map((layer) => buildOf(layer as Layer.Layer<unknown, unknown, unknown>) as Services)
    if (builds.some((build) => build === undefined)) return undefined
    if (last === undefined || builds.some((build, i) => build !== last![0][i])) {
      last = [builds, Effect.map(Effect.all(builds), (contexts) => Context.mergeAll(...contexts)) as Services]
    }
    return last[1]
  }) as never
}

/**
 * The Effect that builds the services of `layer` when it is a ServiceLayer with the build function it was made with
 * (a mergeAll: whose members all still are); otherwise undefined: build it as a Layer.
 *
 * @category getters
 * @since 0.1.0
 */
export const buildOf = <I, E, R>(layer: Layer.Layer<I, E, R>): Effect.Effect<Context.Context<I>, E, R> | undefined => {
  const entry = made.get(layer)
  return entry !== undefined && entry[0] === (layer as unknown as Built).build
    ? entry[1]() as Effect.Effect<Context.Context<I>, E, R> | undefined
    : undefined
}
