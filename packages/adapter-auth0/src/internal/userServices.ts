// The services a user's layer builds for one event, and the run that uses them. A ServiceLayer is built by running
// its Effect; any other layer in a fresh memo map and a scope that closes when the run ends. Either way everything is
// built per event, so overlapping logins share nothing, and a build that fails is logged (no rule has run yet, so no
// rule logs it) before the failure ends the run.
import { describe } from "@rulefx/core/Denial"
import { buildOf } from "@rulefx/core/ServiceLayer"
import * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

const describeCause = (cause: Cause.Cause<unknown>): string => {
  const error = Cause.findErrorOption(cause)
  return error._tag === "Some" ? describe(error.value) : Cause.pretty(cause)
}

const logged = <A, E>(build: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.tapCause(build, (cause) => Effect.logError(`services failed to build: ${describeCause(cause)}`))

/** What `builderOf` returns: runs `use` with the services a layer builds for one event. */
export type Builder<ROut, LE, RIn> = <A, E>(
  inEvent: (build: Effect.Effect<Context.Context<ROut>, LE, RIn>) => Effect.Effect<Context.Context<ROut>, LE>,
  use: (services: Context.Context<ROut>) => Effect.Effect<A, E>
) => Effect.Effect<A, E | LE>

/**
 * How to build `layer` per event: `inEvent` gives the build the event's own services, and `use` runs with what it
 * built (inside the layer's scope, when it has one). Whether it is a ServiceLayer is asked per event, so a layer
 * faked after the handler was made (a test's spy on its build) is built as it is now, as Effect.provide would.
 */
export const builderOf =
  <ROut, LE, RIn>(layer: Layer.Layer<ROut, LE, RIn>): Builder<ROut, LE, RIn> => (inEvent, use) => {
    const build = buildOf(layer)
    return build !== undefined
      ? Effect.flatMap(logged(inEvent(build)), use)
      : Effect.scopedWith((scope) =>
        Effect.flatMap(logged(inEvent(Layer.buildWithMemoMap(layer, Layer.makeMemoMapUnsafe(), scope))), use)
      )
  }
