import { assert, describe, it } from "@effect/vitest"
import * as AuthenticationMethod from "@rulefx/core/AuthenticationMethod"
import * as Decision from "@rulefx/core/Decision"
import { Resumed } from "@rulefx/core/Resumed"
import * as Effect from "effect/Effect"

describe("AuthenticationMethod", () => {
  it.effect("record keeps each method once, in order; rules' records are unioned", () =>
    Effect.gen(function*() {
      const d = yield* Decision.collect(Effect.all([
        AuthenticationMethod.record("https://a.example/"),
        AuthenticationMethod.record("https://b.example/"),
        AuthenticationMethod.record("https://a.example/")
      ]))
      assert.deepStrictEqual(d.authenticationMethods, ["https://a.example/", "https://b.example/"])
      const merged = Decision.merge([d, {
        ...Decision.empty(),
        authenticationMethods: ["https://c.example/", "https://a.example/"]
      }])
      assert.deepStrictEqual(merged.authenticationMethods, [
        "https://a.example/",
        "https://b.example/",
        "https://c.example/"
      ])
    }).pipe(Effect.provide(Resumed.layerTest())))
})
