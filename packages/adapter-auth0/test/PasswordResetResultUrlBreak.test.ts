import { assert, describe, it } from "@effect/vitest"
import * as PasswordResetPostChallenge from "@rulefx/adapter-auth0/PasswordResetPostChallenge"
import { Class as DenialClass, type Denial } from "@rulefx/core/Denial"
import * as Reset from "@rulefx/core/PasswordResetPostChallenge"
import type * as Pipeline from "@rulefx/core/Pipeline"
import * as Rule from "@rulefx/core/Rule"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as TriggerApis from "@rulefx/testing/TriggerApis"
import * as TriggerEvents from "@rulefx/testing/TriggerEvents"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

class Nope extends DenialClass("Nope") {
  override get message() {
    return "nope"
  }
}

// Finding (breaker review): the result URL was kept in a per-event ResultUrls recorder beside the Decision, so an
// optional rule that set it and then failed still sent the user there after the reset. It is now recorded in the
// rule's own Decision (resultUrls), dropped with the rest of a failed rule's decisions.
describe("PasswordResetPostChallenge result URL of a rule that failed", () => {
  it("an optional rule that set a result URL and then failed: no setResultUrl call", async () => {
    const h = PasswordResetPostChallenge.make({
      execute: Reset.makePipeline({
        facts: [],
        rules: [
          Rule.optional(
            Reset.makeRule(
              "url",
              Effect.andThen(Reset.setResultUrl("https://other.example.com/"), Effect.fail(new Nope()))
            )
          )
        ]
      } as never) as Pipeline.Pipeline<Denial, never>,
      resume: Reset.makePipeline({ facts: [], rules: [] }),
      layer: Layer.empty
    })
    const event = TriggerEvents.passwordResetPostChallenge()
    const api = TriggerApis.passwordResetPostChallenge({ event })
    await LogCapture.around(() => h.onExecutePostChallenge(event, api))
    assert.deepStrictEqual(TriggerApis.decisive(api.calls), [])
  })
})
