import { assert, describe, it } from "@effect/vitest"
import * as CustomPhoneProvider from "@rulefx/adapter-auth0/CustomPhoneProvider"
import * as SendPhoneMessage from "@rulefx/adapter-auth0/SendPhoneMessage"
import * as Phone from "@rulefx/core/CustomPhoneProvider"
import { Class as DenialClass } from "@rulefx/core/Denial"
import * as Message from "@rulefx/core/SendPhoneMessage"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as TriggerApis from "@rulefx/testing/TriggerApis"
import * as TriggerEvents from "@rulefx/testing/TriggerEvents"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

// An SMS provider the rules deliver through; the test layer records what it was asked to send, or fails.
class Sms extends Context.Service<Sms, {
  readonly send: (to: string, text: Redacted.Redacted<string>) => Effect.Effect<void, ProviderDown | BadNumber>
}>()("test/Sms") {}
class ProviderDown extends DenialClass("ProviderDown") {
  override get message() {
    return "the SMS provider is down"
  }
}
class BadNumber extends Phone.DropClass("BadNumber")<{ readonly to: string }> {
  override get message() {
    return "not a mobile number"
  }
}
const smsLayer = (sent: Array<string>, fail?: "down" | "bad") =>
  Layer.succeed(
    Sms,
    Sms.of({
      send: (to, text) =>
        fail === "down"
          ? Effect.fail(new ProviderDown())
          : fail === "bad"
          ? Effect.fail(new BadNumber({ to }))
          : Effect.sync(() => void sent.push(`${to}: ${Redacted.value(text)}`))
    })
  )

const deliverMessage = Message.makeRule(
  "deliver",
  Effect.gen(function*() {
    const { message } = yield* Message.PhoneMessage
    yield* (yield* Sms).send(message.recipient, message.text)
  })
)
const deliverNotification = Phone.makeRule(
  "deliver",
  Effect.gen(function*() {
    const { notification } = yield* Phone.PhoneNotification
    yield* (yield* Sms).send(notification.recipient, notification.asText)
  })
)

const messageHandler = (sent: Array<string>, fail?: "down" | "bad") =>
  SendPhoneMessage.make(Message.makePipeline({ facts: [], rules: [deliverMessage] }), smsLayer(sent, fail))
const notificationHandler = (sent: Array<string>, fail?: "down" | "bad") =>
  CustomPhoneProvider.make(Phone.makePipeline({ facts: [], rules: [deliverNotification] }), smsLayer(sent, fail))

describe("send-phone-message", () => {
  it("delivered: the handler resolves, the provider got the text", async () => {
    const sent: Array<string> = []
    await messageHandler(sent)(TriggerEvents.sendPhoneMessage(), TriggerApis.sideEffects())
    assert.deepStrictEqual(sent, ["+31600000000: Your code is 123456"])
  })

  it("not delivered (a denial, a malformed event, the deadline): the handler rejects, without the code", async () => {
    const hangs = SendPhoneMessage.make(
      Message.makePipeline({ facts: [], rules: [Message.makeRule("hangs", Effect.never)] }),
      Layer.empty,
      { deadline: "50 millis" }
    )
    const cases: ReadonlyArray<readonly [SendPhoneMessage.Handler, unknown, string]> = [
      [messageHandler([], "down"), TriggerEvents.sendPhoneMessage(), "ProviderDown"],
      [messageHandler([]), TriggerEvents.sendPhoneMessage({ message_options: { recipient: "" } }), "InvalidEvent"],
      [hangs, TriggerEvents.sendPhoneMessage(), "DeadlineExceeded"]
    ]
    for (const [run, event, what] of cases) {
      // One at a time: the log capture replaces the global console.
      // oxlint-disable-next-line no-await-in-loop
      const { lines, result } = await LogCapture.around(() =>
        run(event, TriggerApis.sideEffects()).then(() => "resolved", (e: Error) => e.message)
      )
      assert.strictEqual(result, `rulefx: the phone message was not delivered (${what})`)
      assert.isFalse([result, ...lines].some((line) => line.includes("123456")), lines.join("\n"))
    }
  })
})

describe("custom-phone-provider", () => {
  it("delivered: no api call; a drop denial drops; any other failure retries", async () => {
    const sent: Array<string> = []
    const ok = TriggerApis.customPhoneProvider()
    await notificationHandler(sent)(TriggerEvents.customPhoneProvider(), ok)
    assert.deepStrictEqual(TriggerApis.decisive(ok.calls), [])
    assert.deepStrictEqual(sent, ["+31600000000: Your code is 654321"])
    const bad = TriggerApis.customPhoneProvider()
    await LogCapture.around(() => notificationHandler([], "bad")(TriggerEvents.customPhoneProvider(), bad))
    assert.deepStrictEqual(bad.calls, [{ method: "notification.drop", args: ["not a mobile number"] }])
    const down = TriggerApis.customPhoneProvider()
    await LogCapture.around(() => notificationHandler([], "down")(TriggerEvents.customPhoneProvider(), down))
    assert.deepStrictEqual(down.calls, [{ method: "notification.retry", args: ["the SMS provider is down"] }])
    const junk = TriggerApis.customPhoneProvider()
    await LogCapture.around(() => notificationHandler([])({ notification: {} }, junk))
    assert.deepStrictEqual(junk.calls, [{ method: "notification.retry", args: [CustomPhoneProvider.genericReason] }])
  })

  it("a reason over Auth0's 1,024 characters is cut before the call", async () => {
    class Long extends Phone.DropClass("Long") {
      override get message() {
        return "x".repeat(2000)
      }
    }
    const long = CustomPhoneProvider.make(
      Phone.makePipeline({ facts: [], rules: [Phone.makeRule("long", Effect.fail(new Long()))] }),
      Layer.empty
    )
    const api = TriggerApis.customPhoneProvider()
    await LogCapture.around(() => long(TriggerEvents.customPhoneProvider(), api))
    assert.strictEqual(String(api.calls[0]?.args[0]).length, CustomPhoneProvider.maxReason)
  })
})
