// A custom-phone-provider Action: "delivers" into the trigger's cache; a number without "+" is dropped for good, a
// voice call (not offered here) is retried.
import * as CustomPhoneProvider from "@rulefx/adapter-auth0/CustomPhoneProvider"
import { Cache } from "@rulefx/core/Cache"
import * as Phone from "@rulefx/core/CustomPhoneProvider"
import { Class as DenialClass } from "@rulefx/core/Denial"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

class NotE164 extends Phone.DropClass("NotE164") {
  override get message() {
    return "the recipient is not an E.164 number"
  }
}

class NoVoice extends DenialClass("NoVoice") {
  override get message() {
    return "voice is not available yet"
  }
}

const deliver = Phone.makeRule(
  "deliver",
  Effect.gen(function*() {
    const { notification } = yield* Phone.PhoneNotification
    if (!notification.recipient.startsWith("+")) return yield* new NotE164()
    if (notification.deliveryMethod === "voice") return yield* new NoVoice()
    yield* (yield* Cache).set(`text:${notification.recipient}`, Redacted.value(notification.asText))
  })
)

export const onExecuteCustomPhoneProvider = CustomPhoneProvider.make(
  Phone.makePipeline({ facts: [], rules: [deliver] }),
  Layer.empty
)
