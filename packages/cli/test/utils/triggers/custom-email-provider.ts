// A custom-email-provider Action: "delivers" into the trigger's cache; an address at example.invalid is dropped for
// good, an organization invitation (not offered here) is retried.
import * as CustomEmailProvider from "@rulefx/adapter-auth0/CustomEmailProvider"
import { Cache } from "@rulefx/core/Cache"
import * as Email from "@rulefx/core/CustomEmailProvider"
import { Class as DenialClass } from "@rulefx/core/Denial"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

class Undeliverable extends Email.DropClass("Undeliverable") {
  override get message() {
    return "the recipient's domain does not receive email"
  }
}

class NoInvitations extends DenialClass("NoInvitations") {
  override get message() {
    return "invitations are not sent yet"
  }
}

const deliver = Email.makeRule(
  "deliver",
  Effect.gen(function*() {
    const { notification } = yield* Email.EmailNotification
    if (notification.to.endsWith("@example.invalid")) return yield* new Undeliverable()
    if (notification.messageType === "organization_invitation") return yield* new NoInvitations()
    yield* (yield* Cache).set(
      `email:${notification.to}`,
      `${notification.subject} ${Redacted.value(notification.text)}`
    )
  })
)

export const onExecuteCustomEmailProvider = CustomEmailProvider.make(
  Email.makePipeline({ facts: [], rules: [deliver] }),
  Layer.empty
)
