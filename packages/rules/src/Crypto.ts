/**
 * Crypto: the keyed hashes rules need, on Node's built-in crypto (no bundle cost), loaded on the first hash.
 *
 * A `Context.Reference` whose default is Node's crypto: a rule that hashes needs no layer for it (`yield* Crypto`
 * adds nothing to its requirements), and a login pays nothing to build it. A layer that provides it still wins over
 * the default, so a test swaps it as before (`Crypto.layerTest`, or `Layer.succeed(Crypto, ...)`).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import type * as NodeCrypto from "node:crypto"

// node:crypto is not in Node's startup snapshot: loading it is about 2.5 ms of a cold start, more than the rest of
// this module. It is loaded on the first hash, so an Action whose logins never hash never pays for it.
let nodeCrypto: typeof NodeCrypto | undefined
const crypto = (): typeof NodeCrypto => nodeCrypto ??= process.getBuiltinModule("node:crypto")

const hmac = (key: Redacted.Redacted<string>, message: string): Effect.Effect<string> =>
  Effect.sync(() => crypto().createHmac("sha256", Redacted.value(key)).update(message, "utf8").digest("hex"))

/**
 * What the Crypto service does.
 *
 * @category models
 * @since 0.1.0
 */
export interface Service {
  /** Lower-case hex HMAC-SHA256 of `message` (UTF-8) under `key`. */
  readonly hmacSha256Hex: (key: Redacted.Redacted<string>, message: string) => Effect.Effect<string>
}

const live: Service = { hmacSha256Hex: hmac }

/**
 * The crypto service: Node's crypto unless a layer provides another.
 *
 * @category services
 * @since 0.1.0
 */
export const Crypto: Context.Reference<Service> & {
  /** Node's crypto, as a layer: what the default already is (kept for layers written before the default). */
  readonly layer: Layer.Layer<never>
  /**
   * Node's crypto, recording each message hashed (never the key) in `messages`, so a test can assert what was hashed.
   */
  readonly layerTest: (messages: Ref.Ref<ReadonlyArray<string>>) => Layer.Layer<never>
} = /* @__PURE__ */ (() => {
  const key = Context.Reference<Service>("@rulefx/rules/Crypto", { defaultValue: () => live })
  return Object.assign(key, {
    layer: Layer.succeed(key, live),
    layerTest: (messages: Ref.Ref<ReadonlyArray<string>>): Layer.Layer<never> =>
      Layer.succeed(key, {
        hmacSha256Hex: (k, message) =>
          Ref.update(messages, (all) => [...all, message]).pipe(Effect.andThen(hmac(k, message)))
      })
  })
})()
