// Services only the adapter provides, and only in the pass that has them: the continue pass's Resumed (the answer a
// user brought back, verified through Auth0's `api`). The per-event services (Login, Secrets, Cache) need no check:
// the adapter adds them last, so they win over any a layer builds. Resumed is absent from a first pass, so a layer
// that provides one (Resumed.layerTest left in from a test) would hand the first pass an answer nobody sent: the run
// dies instead, which fails closed (the login is denied with the generic reason) and logs why.
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"

/** A run that dies when the services a user's layer built hold one only the adapter may provide; else undefined. */
export const refusedLayer = (services: Context.Context<never>): Effect.Effect<never> | undefined =>
  services.mapUnsafe.has("@rulefx/core/Resumed")
    ? Effect.die(new Error("rulefx: the layer must not provide Resumed"))
    : undefined
