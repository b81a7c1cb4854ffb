import { assert, describe, it } from "@effect/vitest"
import * as CustomEmailProvider from "@rulefx/adapter-auth0/CustomEmailProvider"
import * as CustomPhoneProvider from "@rulefx/adapter-auth0/CustomPhoneProvider"
import * as Email from "@rulefx/core/CustomEmailProvider"
import * as Phone from "@rulefx/core/CustomPhoneProvider"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as TriggerApis from "@rulefx/testing/TriggerApis"
import * as TriggerEvents from "@rulefx/testing/TriggerEvents"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

// An event whose `user` is a getter that throws: TriggerRun.decider read `event.user.user_id` (for log lines) before
// the run, outside its catch, so the notification handler rejected without calling drop or retry. The custom
// providers' promise is that a failure is retried, never left to how Auth0 reads a rejection.
const throwingUser = (event: Record<string, unknown>) =>
  Object.defineProperty({ ...event }, "user", {
    enumerable: true,
    get: () => {
      throw new Error("no user for you")
    }
  })

describe("notification triggers: an event that throws when read", () => {
  it("custom-email-provider: retried with the generic reason, and the handler resolves", async () => {
    const h = CustomEmailProvider.make(Email.makePipeline({ facts: [], rules: [] }), Layer.empty)
    const api = TriggerApis.customEmailProvider()
    const { result } = await LogCapture.around(() =>
      h(throwingUser(TriggerEvents.customEmailProvider()), api).then(() => "resolved", () => "rejected")
    )
    assert.strictEqual(result, "resolved")
    assert.deepStrictEqual(TriggerApis.decisive(api.calls), [
      { method: "notification.retry", args: [CustomEmailProvider.genericReason] }
    ])
  })

  it("custom-phone-provider: retried with the generic reason, and the handler resolves", async () => {
    const h = CustomPhoneProvider.make(
      Phone.makePipeline({ facts: [], rules: [Phone.makeRule("noop", Effect.void)] }),
      Layer.empty
    )
    const api = TriggerApis.customPhoneProvider()
    const { result } = await LogCapture.around(() =>
      h(throwingUser(TriggerEvents.customPhoneProvider()), api).then(() => "resolved", () => "rejected")
    )
    assert.strictEqual(result, "resolved")
    assert.deepStrictEqual(TriggerApis.decisive(api.calls), [
      { method: "notification.retry", args: [CustomPhoneProvider.genericReason] }
    ])
  })
})
