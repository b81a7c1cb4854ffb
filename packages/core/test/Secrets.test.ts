import { assert, describe, it } from "@effect/vitest"
import { genericMessage, MissingSecret } from "@rulefx/core/Denial"
import * as Secrets from "@rulefx/core/Secrets"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

const secretValue = "sk_live_9f8e7d6c5b4a"

describe("Secrets", () => {
  it.effect("get returns a present secret as a Redacted value", () =>
    Effect.gen(function*() {
      const value = yield* Secrets.get("API_KEY")
      assert.isTrue(Redacted.isRedacted(value))
      assert.strictEqual(Redacted.value(value), secretValue)
    }).pipe(Effect.provide(Secrets.Secrets.layerTest({ API_KEY: secretValue }))))

  it.effect("get fails with MissingSecret naming the secret when it is absent", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Secrets.get("MISSING"))
      assert.instanceOf(error, MissingSecret)
      assert.strictEqual(error._tag, "MissingSecret")
      assert.strictEqual(error.name, "MISSING")
      assert.strictEqual(error.message, genericMessage)
    }).pipe(Effect.provide(Secrets.Secrets.layerTest({ OTHER: "x" }))))

  it.effect("an empty string counts as missing", () =>
    Effect.gen(function*() {
      const secrets = yield* Secrets.Secrets
      const error = yield* Effect.flip(secrets.get("EMPTY"))
      assert.strictEqual(error._tag, "MissingSecret")
      assert.strictEqual(error.name, "EMPTY")
      assert.isTrue(Option.isNone(yield* secrets.getOption("EMPTY")))
    }).pipe(Effect.provide(Secrets.Secrets.layerTest({ EMPTY: "" }))))

  it.effect("getOption returns Some for a set secret and None for an absent one", () =>
    Effect.gen(function*() {
      const secrets = yield* Secrets.Secrets
      const present = yield* secrets.getOption("API_KEY")
      assert.isTrue(Option.isSome(present))
      assert.strictEqual(Redacted.value(Option.getOrThrow(present)), secretValue)
      assert.isTrue(Option.isNone(yield* secrets.getOption("NOPE")))
    }).pipe(Effect.provide(Secrets.Secrets.layerTest({ API_KEY: secretValue }))))

  it.effect("values never show when printed or serialised", () =>
    Effect.gen(function*() {
      const value = yield* Secrets.get("API_KEY")
      assert.notInclude(String(value), secretValue)
      assert.notInclude(`${value}`, secretValue)
      assert.notInclude(JSON.stringify({ value }), secretValue)
      assert.strictEqual(String(value), "<redacted:API_KEY>")
    }).pipe(Effect.provide(Secrets.Secrets.layerTest({ API_KEY: secretValue }))))

  it.effect("changes to the record after make are not seen", () =>
    Effect.gen(function*() {
      const record: Record<string, string> = { API_KEY: "before", REMOVED: "there" }
      const secrets = Secrets.make(record)
      record["API_KEY"] = "after"
      record["ADDED"] = "new"
      delete record["REMOVED"]
      assert.strictEqual(Redacted.value(yield* secrets.get("API_KEY")), "before")
      assert.strictEqual(Redacted.value(yield* secrets.get("REMOVED")), "there")
      assert.strictEqual((yield* Effect.flip(secrets.get("ADDED"))).name, "ADDED")
    }))

  it.effect("layerFrom copies too, and treats non-string values as absent", () =>
    Effect.gen(function*() {
      const record: Record<string, unknown> = { URL: "https://api.example", PORT: 443, FLAG: true, NULL: null }
      const layer = Secrets.Secrets.layerFrom(record)
      record["URL"] = "https://evil.example"
      const program = Effect.gen(function*() {
        const secrets = yield* Secrets.Secrets
        assert.strictEqual(Redacted.value(yield* secrets.get("URL")), "https://api.example")
        for (const name of ["PORT", "FLAG", "NULL"]) {
          assert.strictEqual((yield* Effect.flip(secrets.get(name))).name, name)
          assert.isTrue(Option.isNone(yield* secrets.getOption(name)))
        }
      })
      yield* Effect.provide(program, layer)
    }))

  it.effect("a name inherited from Object.prototype is not a secret", () =>
    Effect.gen(function*() {
      const secrets = Secrets.make({})
      for (const name of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
        assert.strictEqual((yield* Effect.flip(secrets.get(name))).name, name)
      }
    }))

  it.effect("layerTest with no record has no secrets", () =>
    Effect.gen(function*() {
      assert.strictEqual((yield* Effect.flip(Secrets.get("ANY")))._tag, "MissingSecret")
    }).pipe(Effect.provide(Secrets.Secrets.layerTest())))
})
