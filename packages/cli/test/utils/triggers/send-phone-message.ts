// A send-phone-message Action: "delivers" the text into the trigger's cache (standing in for an SMS provider); a
// recipient in the +99 range cannot be reached, which must fail the delivery.
import * as SendPhoneMessage from "@rulefx/adapter-auth0/SendPhoneMessage"
import { Cache } from "@rulefx/core/Cache"
import { Class as DenialClass } from "@rulefx/core/Denial"
import * as Message from "@rulefx/core/SendPhoneMessage"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

class Unreachable extends DenialClass("Unreachable") {}

const deliver = Message.makeRule(
  "deliver",
  Effect.gen(function*() {
    const { message } = yield* Message.PhoneMessage
    if (message.recipient.startsWith("+99")) return yield* new Unreachable()
    yield* (yield* Cache).set(`sms:${message.recipient}`, Redacted.value(message.text))
  })
)

export const onExecuteSendPhoneMessage = SendPhoneMessage.make(
  Message.makePipeline({ facts: [], rules: [deliver] }),
  Layer.empty
)
