import { assert, describe, it } from "@effect/vitest"
import * as Decision from "@rulefx/core/Decision"
import * as Login from "@rulefx/core/Login"
import * as TransactionMetadata from "@rulefx/core/TransactionMetadata"
import * as v from "@rulefx/core/Validator"
import * as Effect from "effect/Effect"

const Asked = TransactionMetadata.make("Asked", v.object({ step: v.number(), who: v.optional(v.string()) }))

const login = (metadata?: Record<string, string | number | boolean>) =>
  Login.Login.layer(Login.make({
    user: { id: "auth0|ada" },
    client: { id: "app" },
    request: { ip: "203.0.113.9" },
    transaction: metadata === undefined ? {} : { metadata }
  }))

const read = Effect.provideService(Asked.asEffect(), Asked.key, Asked.compute)

describe("TransactionMetadata", () => {
  it.effect("set and remove record writes by key, the later one winning, null deleting", () =>
    Effect.gen(function*() {
      const d = yield* Decision.collect(Effect.all([
        TransactionMetadata.set("step", 1),
        TransactionMetadata.set("step", 2),
        TransactionMetadata.set("ok", true),
        TransactionMetadata.remove("old")
      ]))
      assert.deepStrictEqual({ ...d.transactionMetadata }, { step: 2, ok: true, old: null })
    }))

  it("merge keeps every rule's writes, the later rule winning for a key", () => {
    const merged = Decision.merge([
      Decision.withKind({ ...Decision.empty(), transactionMetadata: { a: 1, b: "x" } }, Decision.mergeFlow),
      Decision.withKind({ ...Decision.empty(), transactionMetadata: { b: "y" } }, Decision.mergeFlow)
    ])
    assert.deepStrictEqual({ ...merged.transactionMetadata }, { a: 1, b: "y" })
  })

  it.effect("the fact decodes the metadata the login arrived with", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* read, { step: 3, who: "ada" })
    }).pipe(Effect.provide(login({ step: 3, who: "ada", other: true }))))

  it.effect("metadata that does not decode denies with InvalidData, naming the key and not the value", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(read)
      assert.strictEqual(error._tag, "InvalidData")
      assert.include(error.issues.join(" "), "step")
      assert.notInclude(error.issues.join(" "), "secret-ish")
    }).pipe(Effect.provide(login({ step: "secret-ish" }))))

  it.effect("no metadata at all reads as empty", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* TransactionMetadata.current, {})
    }).pipe(Effect.provide(login())))
})
