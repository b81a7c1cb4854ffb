import { assert, describe, it } from "@effect/vitest"
import * as Email from "@rulefx/core/CustomEmailProvider"
import * as Phone from "@rulefx/core/CustomPhoneProvider"
import * as Decision from "@rulefx/core/Decision"
import { Class as DenialClass } from "@rulefx/core/Denial"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

class Bounced extends Email.DropClass("Bounced")<{ readonly to: string }> {
  override get message() {
    return `the provider refuses ${this.to}`
  }
}
class ProviderDown extends DenialClass("ProviderDown") {}

const info: Email.EmailNotificationInfo = {
  notification: {
    messageType: "verify_email",
    to: "ada@example.com",
    from: "no-reply@example.com",
    subject: "Verify your email",
    locale: "en",
    html: Redacted.make("<a href=\"https://x/t\">t</a>"),
    text: Redacted.make("https://x/t")
  },
  user: { id: "auth0|ada", email: "ada@example.com" },
  client: { id: "app", name: "Web", metadata: {} },
  connection: undefined,
  organization: undefined,
  request: { ip: undefined, hostname: undefined },
  tenant: "t",
  raw: {}
}

const provide = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  self.pipe(
    Effect.provide(Email.EmailNotification.layer(info)),
    Effect.provideService(Email.On, Email.id)
  ) as Effect.Effect<
    A,
    E
  >

describe("CustomEmailProvider", () => {
  it.effect("a rule reads the email; success is an empty decision (nothing to record)", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const deliver = Email.makeRule(
        "deliver",
        Effect.map(Email.EmailNotification, (e) => void seen.push(`${e.notification.to} ${e.notification.messageType}`))
      )
      const decision = yield* provide(Email.makePipeline({ facts: [], rules: [deliver] }).run)
      assert.deepStrictEqual(seen, ["ada@example.com verify_email"])
      assert.isTrue(Decision.isEmpty(decision))
    }))

  it.effect("a failing rule fails the pipeline with its denial; DropClass denials are drops, others are not", () =>
    Effect.gen(function*() {
      const bounce = Email.makeRule("bounce", Effect.fail(new Bounced({ to: "ada@example.com" })))
      const dropped = yield* Effect.flip(provide(Email.makePipeline({ facts: [], rules: [bounce] }).run))
      assert.strictEqual(dropped._tag, "Bounced")
      assert.isTrue(Email.isDrop(dropped))
      assert.isFalse(Email.isDrop(new ProviderDown()))
      const fails = Email.makeRule("down", Effect.fail(new ProviderDown()))
      const down = yield* Effect.flip(provide(Email.makePipeline({ facts: [], rules: [fails] }).run))
      assert.strictEqual(down._tag, "ProviderDown")
    }))

  it("DropClass is custom-phone-provider's: both triggers' apis drop the same way", () => {
    assert.strictEqual(Email.DropClass, Phone.DropClass)
    assert.isTrue(Phone.isDrop(new Bounced({ to: "x" })))
  })
})
