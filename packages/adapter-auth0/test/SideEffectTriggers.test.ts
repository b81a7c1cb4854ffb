import { assert, describe, it } from "@effect/vitest"
import * as PostChangePassword from "@rulefx/adapter-auth0/PostChangePassword"
import * as PostUserRegistration from "@rulefx/adapter-auth0/PostUserRegistration"
import { Class as DenialClass } from "@rulefx/core/Denial"
import * as Changed from "@rulefx/core/PostChangePassword"
import * as Registered from "@rulefx/core/PostUserRegistration"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as TriggerApis from "@rulefx/testing/TriggerApis"
import * as TriggerEvents from "@rulefx/testing/TriggerEvents"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

class CrmDown extends DenialClass("CrmDown") {}

// A CRM the rules notify; the test layer records what it was told.
class Crm extends Context.Service<Crm, { readonly notify: (what: string) => Effect.Effect<void> }>()("test/Crm") {}
const crmLayer = (told: Array<string>) =>
  Layer.succeed(Crm, Crm.of({ notify: (what) => Effect.sync(() => void told.push(what)) }))

describe("side-effect triggers", () => {
  it("a console that throws on every line: both handlers still resolve (the trigger cannot block)", async () => {
    const original = console.log
    console.log = () => {
      throw new Error("console is gone")
    }
    try {
      const rules = [Registered.makeRule("denies", Effect.fail(new CrmDown()))]
      await PostUserRegistration.make(Registered.makePipeline({ facts: [], rules }), Layer.empty)(
        TriggerEvents.postUserRegistration(),
        TriggerApis.sideEffects()
      )
      await PostChangePassword.make(
        Changed.makePipeline({ facts: [], rules: [Changed.makeRule("denies", Effect.fail(new CrmDown()))] }),
        Layer.empty
      )(TriggerEvents.postChangePassword(), TriggerApis.sideEffects())
    } finally {
      console.log = original
    }
  })

  it("post-user-registration: every rule runs though one denies and one dies; nothing is asked of Auth0", async () => {
    const told: Array<string> = []
    const handler = PostUserRegistration.make(
      Registered.makePipeline({
        facts: [],
        rules: [
          Registered.makeRule("denies", Effect.fail(new CrmDown())),
          Registered.makeRule("dies", Effect.die(new Error("boom"))),
          Registered.makeRule(
            "notify",
            Effect.gen(function*() {
              const { user } = yield* Registered.Registered
              yield* (yield* Crm).notify(`created ${user.id}`)
            })
          )
        ]
      }),
      crmLayer(told)
    )
    const api = TriggerApis.sideEffects()
    const { lines } = await LogCapture.around(() => handler(TriggerEvents.postUserRegistration(), api))
    assert.deepStrictEqual(told, ["created auth0|ada"])
    assert.deepStrictEqual(TriggerApis.decisive(api.calls), [])
    assert.isTrue(lines.some((line) => line.includes("rule=denies")), lines.join("\n"))
    assert.isTrue(lines.some((line) => line.includes("rule=dies")), lines.join("\n"))
  })

  it("post-user-registration: a malformed event, a failing layer, the deadline are logged and the handler resolves", async () => {
    const quiet = Registered.makePipeline({ facts: [], rules: [Registered.makeRule("noop", Effect.void)] })
    const hangs = PostUserRegistration.make(
      Registered.makePipeline({ facts: [], rules: [Registered.makeRule("hangs", Effect.never)] }),
      Layer.empty,
      { deadline: "50 millis" }
    )
    const broken = PostUserRegistration.make(quiet, Layer.effect(Crm, Effect.die(new Error("cannot build"))))
    const decide = PostUserRegistration.decide(quiet, Layer.empty)
    const { lines, result } = await LogCapture.around(async () => [
      await decide({ user: {} }),
      await hangs(TriggerEvents.postUserRegistration(), TriggerApis.sideEffects()).then(() => "resolved"),
      await broken(TriggerEvents.postUserRegistration(), TriggerApis.sideEffects()).then(() => "resolved")
    ])
    assert.deepStrictEqual(result, [{ _tag: "Failed", what: "InvalidEvent" }, "resolved", "resolved"])
    assert.isTrue(lines.some((line) => line.includes("(DeadlineExceeded)")), lines.join("\n"))
    assert.isTrue(lines.some((line) => line.includes("services failed to build")), lines.join("\n"))
  })

  it("post-change-password: rules read the change; a failing rule is logged, the others run", async () => {
    const told: Array<string> = []
    const handler = PostChangePassword.decide(
      Changed.makePipeline({
        facts: [],
        rules: [
          Changed.makeRule("dies", Effect.die(new Error("boom"))),
          Changed.makeRule(
            "notify",
            Effect.gen(function*() {
              const { user } = yield* Changed.PasswordChange
              yield* (yield* Crm).notify(`password ${user.email} ${user.lastPasswordReset}`)
            })
          )
        ]
      }),
      crmLayer(told)
    )
    const { result } = await LogCapture.around(() => handler(TriggerEvents.postChangePassword()))
    assert.deepStrictEqual(result, { _tag: "Done" })
    assert.deepStrictEqual(told, ["password ada@example.com 2026-12-02T00:00:00.000Z"])
  })
})
