/**
 * Crypto: the keyed hashes rules need, on Node's built-in crypto (no bundle cost), loaded on the first hash.
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
 * The crypto service.
 *
 * @category services
 * @since 0.1.0
 */
export class Crypto extends Context.Service<Crypto, {
  /** Lower-case hex HMAC-SHA256 of `message` (UTF-8) under `key`. */
  readonly hmacSha256Hex: (key: Redacted.Redacted<string>, message: string) => Effect.Effect<string>
}>()("@rulefx/rules/Crypto") {
  /** Node's crypto. */
  static readonly layer: Layer.Layer<Crypto> = Layer.succeed(Crypto, Crypto.of({ hmacSha256Hex: hmac }))

  /**
   * Node's crypto, recording each message hashed (never the key) in `messages`, so a test can assert what was hashed.
   */
  static readonly layerTest = (messages: Ref.Ref<ReadonlyArray<string>>): Layer.Layer<Crypto> =>
    Layer.succeed(
      Crypto,
      Crypto.of({
        hmacSha256Hex: (key, message) =>
          Ref.update(messages, (all) => [...all, message]).pipe(Effect.andThen(hmac(key, message)))
      })
    )
}
