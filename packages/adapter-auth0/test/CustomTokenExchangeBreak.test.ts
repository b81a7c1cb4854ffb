import { assert, describe, it } from "@effect/vitest"
import * as CustomTokenExchange from "@rulefx/adapter-auth0/CustomTokenExchange"
import * as Exchange from "@rulefx/core/CustomTokenExchange"
import { Class as DenialClass, type Denial } from "@rulefx/core/Denial"
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

const handler = (rules: ReadonlyArray<Rule.Any>) => {
  const h = CustomTokenExchange.make(
    Exchange.makePipeline({ facts: [], rules } as never) as Pipeline.Pipeline<Denial, never>,
    Layer.empty
  )
  return async (event: unknown = TriggerEvents.customTokenExchange()) => {
    const recording = TriggerApis.customTokenExchange()
    const { lines } = await LogCapture.around(() => h(event, recording))
    return { calls: TriggerApis.decisive(recording.calls), lines }
  }
}

const byId = Exchange.makeRule("by-id", Exchange.setUserById("auth0|ada"))
const failsAfter = <A>(name: string, effect: Effect.Effect<A, never, Exchange.Recorder>) =>
  Exchange.makeRule(name, Effect.andThen(effect, Effect.fail(new Nope())))
const methods = (calls: ReadonlyArray<{ readonly method: string }>) => calls.map((c) => c.method)

// Subjects (setUserById, setUserByConnection, setOrganization, setActor) were pushed into per-exchange arrays the
// moment a rule called them, outside the rule's Decision: a rule that then failed (under Rule.optional, or as a
// refused alternative of Rule.any) still had its subject applied. They are now recorded in the rule's Decision.
describe("CustomTokenExchange subjects of a rule that failed", () => {
  it("an optional rule that set an actor and then failed: its actor is not applied", async () => {
    const { calls } = await handler([byId, Rule.optional(failsAfter("act", Exchange.setActor({ sub: "admin" })))])()
    assert.deepStrictEqual(methods(calls), ["authentication.setUserById"])
  })

  it("an optional rule that named the user and then failed: the exchange is not granted to that user", async () => {
    const { calls } = await handler([Rule.optional(failsAfter("who", Exchange.setUserById("auth0|victim")))])()
    assert.deepStrictEqual(methods(calls), ["access.deny"])
  })

  it("Rule.any: the refused first alternative's organization is not applied", async () => {
    const { calls } = await handler([
      byId,
      Rule.any("either", [
        failsAfter("org-a", Exchange.setOrganization("org_admin")),
        Exchange.makeRule("b", Effect.void)
      ])
    ])()
    assert.deepStrictEqual(methods(calls), ["authentication.setUserById"])
  })
})
