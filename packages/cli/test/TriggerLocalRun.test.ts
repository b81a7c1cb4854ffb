/**
 * TriggerLocalRun without a build: partial events filled per trigger, and the outcome and decisions of each kind of
 * trigger (handlers made from sources; the bin is TriggerCli.test.ts's).
 */
import { assert, describe, it } from "@effect/vitest"
import * as CustomEmailProvider from "@rulefx/adapter-auth0/CustomEmailProvider"
import * as CustomPhoneProvider from "@rulefx/adapter-auth0/CustomPhoneProvider"
import * as SendPhoneMessage from "@rulefx/adapter-auth0/SendPhoneMessage"
import * as TriggerLocalRun from "@rulefx/cli/TriggerLocalRun"
import * as Triggers from "@rulefx/cli/Triggers"
import * as Email from "@rulefx/core/CustomEmailProvider"
import * as Phone from "@rulefx/core/CustomPhoneProvider"
import { Class as DenialClass } from "@rulefx/core/Denial"
import * as Message from "@rulefx/core/SendPhoneMessage"
import * as TriggerEvents from "@rulefx/testing/TriggerEvents"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

class Down extends DenialClass("Down") {
  override get message() {
    return "provider down"
  }
}

const trigger = (id: string) => Triggers.byId(id)!

describe("TriggerLocalRun", () => {
  it("fills each trigger's missing sections and fields from its defaults, keeping what the event has", () => {
    for (const id of Object.keys(TriggerLocalRun.supported)) {
      const support = TriggerLocalRun.supported[id]!
      const { event, filled } = TriggerLocalRun.complete(support, { tenant: { id: "mine" } })
      assert.deepStrictEqual(TriggerLocalRun.missing(support, event), [], id)
      assert.isFalse(filled.includes("tenant"), id)
      assert.strictEqual((event["tenant"] as { id: string }).id, "mine")
      assert.deepStrictEqual(TriggerLocalRun.missing(support, support.defaults()), [], `${id}: defaults complete`)
    }
  })

  it.effect("send-phone-message: delivered is done; not delivered is rejected", () =>
    Effect.gen(function*() {
      const ok = SendPhoneMessage.make(
        Message.makePipeline({ facts: [], rules: [Message.makeRule("ok", Effect.void)] }),
        Layer.empty
      )
      const down = SendPhoneMessage.make(
        Message.makePipeline({ facts: [], rules: [Message.makeRule("down", Effect.fail(new Down()))] }),
        Layer.empty
      )
      const t = trigger("send-phone-message")
      const done = yield* TriggerLocalRun.run(ok as never, t, TriggerEvents.sendPhoneMessage())
      assert.strictEqual(done.outcome, "done")
      const rejected = yield* TriggerLocalRun.run(down as never, t, TriggerEvents.sendPhoneMessage())
      assert.strictEqual(rejected.outcome, "rejected")
      assert.include(rejected.rejection, "not delivered (Down)")
    }))

  it.effect("custom-phone-provider: a retry is denied, printed with its reason", () =>
    Effect.gen(function*() {
      const down = CustomPhoneProvider.make(
        Phone.makePipeline({ facts: [], rules: [Phone.makeRule("down", Effect.fail(new Down()))] }),
        Layer.empty
      )
      const result = yield* TriggerLocalRun.run(
        down as never,
        trigger("custom-phone-provider"),
        TriggerEvents.customPhoneProvider()
      )
      assert.strictEqual(result.outcome, "denied")
      assert.deepStrictEqual(result.decisions, [["notification.retry", "provider down"]])
      assert.include(TriggerLocalRun.render(result), "notification.retry  provider down")
    }))

  it.effect("custom-email-provider: delivered is done; a drop is denied, printed with its reason; a partial event filled", () =>
    Effect.gen(function*() {
      class Bounced extends Email.DropClass("Bounced") {
        override get message() {
          return "mailbox does not exist"
        }
      }
      const t = trigger("custom-email-provider")
      assert.isTrue(t.modelled)
      const ok = CustomEmailProvider.make(
        Email.makePipeline({ facts: [], rules: [Email.makeRule("ok", Effect.void)] }),
        Layer.empty
      )
      const bounced = CustomEmailProvider.make(
        Email.makePipeline({ facts: [], rules: [Email.makeRule("bounce", Effect.fail(new Bounced()))] }),
        Layer.empty
      )
      const support = TriggerLocalRun.supported["custom-email-provider"]!
      const { event, filled } = TriggerLocalRun.complete(support, { notification: { to: "grace@example.com" } })
      assert.deepStrictEqual(filled, [
        "tenant",
        "notification.message_type",
        "notification.html",
        "notification.text"
      ])
      assert.strictEqual((event["notification"] as { to: string }).to, "grace@example.com")
      yield* support.decode(event)
      const done = yield* TriggerLocalRun.run(ok as never, t, event)
      assert.strictEqual(done.outcome, "done")
      const denied = yield* TriggerLocalRun.run(bounced as never, t, event)
      assert.strictEqual(denied.outcome, "denied")
      assert.deepStrictEqual(denied.decisions, [["notification.drop", "mailbox does not exist"]])
      assert.include(TriggerLocalRun.render(denied), "notification.drop  mailbox does not exist")
    }))
})
