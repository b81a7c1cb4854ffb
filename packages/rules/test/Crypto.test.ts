import { assert, describe, it } from "@effect/vitest"
import { Crypto } from "@rulefx/rules/Crypto"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import { execFileSync } from "node:child_process"
import { createHmac } from "node:crypto"
import { fileURLToPath } from "node:url"

// RFC 4231, test cases 1 and 2.
const case1 = {
  key: "\x0b".repeat(20),
  data: "Hi There",
  mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
}
const case2 = {
  key: "Jefe",
  data: "what do ya want for nothing?",
  mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
}

const hmac = (key: string, message: string) =>
  Effect.flatMap(Crypto, (crypto) => crypto.hmacSha256Hex(Redacted.make(key), message))

describe("Crypto", () => {
  describe("layer", () => {
    it.effect("computes HMAC-SHA256 as lower-case hex (RFC 4231 test case 2)", () =>
      Effect.gen(function*() {
        assert.strictEqual(yield* hmac(case2.key, case2.data), case2.mac)
      }).pipe(Effect.provide(Crypto.layer)))

    it.effect("computes HMAC-SHA256 as lower-case hex (RFC 4231 test case 1)", () =>
      Effect.gen(function*() {
        assert.strictEqual(yield* hmac(case1.key, case1.data), case1.mac)
      }).pipe(Effect.provide(Crypto.layer)))

    it.effect("hashes the message as UTF-8", () =>
      Effect.gen(function*() {
        const message = "zoë@shop.example ✓"
        const expected = createHmac("sha256", "k").update(Buffer.from(message, "utf8")).digest("hex")
        assert.strictEqual(yield* hmac("k", message), expected)
      }).pipe(Effect.provide(Crypto.layer)))

    it.effect("different keys give different hashes", () =>
      Effect.gen(function*() {
        assert.notStrictEqual(yield* hmac("key-a", case2.data), yield* hmac("key-b", case2.data))
      }).pipe(Effect.provide(Crypto.layer)))

    it("loads node:crypto on the first hash, not when the module loads", () => {
      // A fresh Node: node:crypto is not in its startup snapshot, so process.moduleLoadList shows when it loads.
      const module = fileURLToPath(new URL("../src/Crypto.ts", import.meta.url))
      const script = `
        const loaded = () => process.moduleLoadList.includes("NativeModule crypto")
        const { Crypto } = await import(${JSON.stringify(module)})
        const { Effect, Redacted } = { Effect: await import("effect/Effect"), Redacted: await import("effect/Redacted") }
        const before = loaded()
        const mac = await Effect.runPromise(Effect.flatMap(Crypto, (c) => c.hmacSha256Hex(Redacted.make(${
        JSON.stringify(case2.key)
      }), ${JSON.stringify(case2.data)})).pipe(Effect.provide(Crypto.layer)))
        process.stdout.write(JSON.stringify({ before, after: loaded(), mac }))
      `
      const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
        cwd: fileURLToPath(new URL("..", import.meta.url)),
        encoding: "utf8"
      })
      assert.deepStrictEqual(JSON.parse(out), { before: false, after: true, mac: case2.mac })
    })
  })

  describe("default", () => {
    it.effect("hashes with Node's crypto when no layer provides Crypto", () =>
      Effect.gen(function*() {
        assert.strictEqual(yield* hmac(case2.key, case2.data), case2.mac)
      }))

    it.effect("a layer that provides Crypto wins over the default", () =>
      Effect.gen(function*() {
        const mac = yield* hmac(case2.key, case2.data).pipe(
          Effect.provide(Layer.succeed(Crypto, { hmacSha256Hex: () => Effect.succeed("fixed") }))
        )
        assert.strictEqual(mac, "fixed")
      }))
  })

  describe("layerTest", () => {
    it.effect("hashes like the live layer and records each message, never the key", () =>
      Effect.gen(function*() {
        const messages = yield* Ref.make<ReadonlyArray<string>>([])
        const [mac2, mac1] = yield* Effect.all([hmac(case2.key, case2.data), hmac(case1.key, case1.data)]).pipe(
          Effect.provide(Crypto.layerTest(messages))
        )
        assert.strictEqual(mac2, case2.mac)
        assert.strictEqual(mac1, case1.mac)
        const recorded = yield* Ref.get(messages)
        assert.deepStrictEqual(recorded, [case2.data, case1.data])
        assert.notInclude(JSON.stringify(recorded), case2.key)
      }))
  })
})
