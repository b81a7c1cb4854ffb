/**
 * A rule's `pipe` survives a copy. Found in review: `pipe` was on the rule's prototype, so a copy of a rule
 * (`{ ...rule, name: "renamed" }`, whose type still has `pipe`) compiled with `.pipe(Rule.optional)` and threw
 * "pipe is not a function" where the Action loads.
 */
import { assert, describe, it } from "@effect/vitest"
import { InvalidData } from "@rulefx/core/Denial"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"

describe("a copy of a rule", () => {
  it.effect("is pipeable, under its own name", () =>
    Effect.gen(function*() {
      const failing = Rule.make("failing", Effect.fail(new InvalidData({ what: "x", issues: ["y"] })))
      const renamed = { ...failing, name: "renamed" }
      const optional = renamed.pipe(Rule.optional)
      assert.strictEqual(optional.name, "renamed")
      yield* optional.run
      assert.strictEqual(optional.pipe(Rule.timeout("1 second")).name, "renamed")
    }))
})
