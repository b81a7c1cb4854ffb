import { assert, describe, it } from "@effect/vitest"
import * as PreUserRegistration from "@rulefx/adapter-auth0/PreUserRegistration"
import { Cache } from "@rulefx/core/Cache"
import { Class as DenialClass } from "@rulefx/core/Denial"
import * as Registration from "@rulefx/core/PreUserRegistration"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as TriggerApis from "@rulefx/testing/TriggerApis"
import * as TriggerEvents from "@rulefx/testing/TriggerEvents"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

class DisposableEmail extends DenialClass("DisposableEmail")<{ readonly domain: string }> {
  override get message() {
    return "Please sign up with a permanent email address."
  }
}

class WorkEmailRequired extends Registration.ValidationClass("WorkEmailRequired", "work_email_required") {
  override get message() {
    return "Use your work email."
  }
}

const checks = Registration.makeRule(
  "checks",
  Effect.gen(function*() {
    const { user } = yield* Registration.Registration
    const domain = user.email?.split("@")[1] ?? ""
    if (domain === "mailinator.com") return yield* new DisposableEmail({ domain })
    if (domain === "gmail.com") return yield* new WorkEmailRequired()
    yield* Registration.setAppMetadata("plan", "trial")
    yield* Registration.setUserMetadata("locale", "en")
  })
)

const handler = PreUserRegistration.make(Registration.makePipeline({ facts: [], rules: [checks] }), Layer.empty)

const quietly = <A>(f: () => Promise<A>) => LogCapture.around(f)

describe("PreUserRegistration", () => {
  it("an allowed sign-up gets its metadata, app_metadata first", async () => {
    const api = TriggerApis.preUserRegistration()
    await handler(TriggerEvents.preUserRegistration(), api)
    assert.deepStrictEqual(api.calls, [
      { method: "user.setAppMetadata", args: ["plan", "trial"] },
      { method: "user.setUserMetadata", args: ["locale", "en"] }
    ])
  })

  it("a denial: reason (tag and fields) for the logs, message for the user, no metadata", async () => {
    const api = TriggerApis.preUserRegistration()
    await handler(TriggerEvents.preUserRegistration({ user: { email: "x@mailinator.com" } }), api)
    assert.deepStrictEqual(api.calls, [
      {
        method: "access.deny",
        args: ["DisposableEmail domain=mailinator.com", "Please sign up with a permanent email address."]
      }
    ])
  })

  it("a validation denial is api.validation.error with its code", async () => {
    const api = TriggerApis.preUserRegistration()
    await handler(TriggerEvents.preUserRegistration({ user: { email: "x@gmail.com" } }), api)
    assert.deepStrictEqual(api.calls, [
      { method: "validation.error", args: ["work_email_required", "Use your work email."] }
    ])
  })

  it("fails closed with the generic user message: a malformed event, a defect, the deadline", async () => {
    const dies = PreUserRegistration.make(
      Registration.makePipeline({ facts: [], rules: [Registration.makeRule("dies", Effect.die("boom"))] }),
      Layer.empty
    )
    const hangs = PreUserRegistration.make(
      Registration.makePipeline({ facts: [], rules: [Registration.makeRule("hangs", Effect.never)] }),
      Layer.empty,
      { deadline: "50 millis" }
    )
    const cases: ReadonlyArray<readonly [PreUserRegistration.Handler, unknown, string]> = [
      [handler, TriggerEvents.preUserRegistration({ user: { app_metadata: [] } }), "InvalidEvent"],
      [handler, TriggerEvents.preUserRegistration({ request: { ip: "" } }), "InvalidEvent"],
      [dies, TriggerEvents.preUserRegistration(), "Defect"],
      [hangs, TriggerEvents.preUserRegistration(), "DeadlineExceeded"]
    ]
    for (const [run, event, what] of cases) {
      const api = TriggerApis.preUserRegistration()
      // One at a time: the log capture replaces the global console.
      // oxlint-disable-next-line no-await-in-loop
      const { lines } = await quietly(() => run(event, api))
      assert.deepStrictEqual(api.calls, [
        { method: "access.deny", args: [`rulefx failed closed: ${what}`, PreUserRegistration.genericMessage] }
      ], what)
      assert.isTrue(lines.some((line) => line.includes(`(${what})`)), lines.join("\n"))
    }
  })

  it("metadata Auth0 would refuse denies before any call: a forbidden key, a passwordless connection", async () => {
    const forbidden = PreUserRegistration.make(
      Registration.makePipeline({
        facts: [],
        rules: [Registration.makeRule("blocked", Registration.setAppMetadata("blocked", false))]
      }),
      Layer.empty
    )
    const api = TriggerApis.preUserRegistration()
    await quietly(() => forbidden(TriggerEvents.preUserRegistration(), api))
    assert.deepStrictEqual(api.calls, [
      { method: "access.deny", args: ["rulefx failed closed: Limits", PreUserRegistration.genericMessage] }
    ])
    const sms = TriggerApis.preUserRegistration()
    const { lines } = await quietly(() =>
      handler(TriggerEvents.preUserRegistration({ connection: { name: "sms", strategy: "sms" } }), sms)
    )
    assert.deepStrictEqual(sms.calls, [
      { method: "access.deny", args: ["rulefx failed closed: Limits", PreUserRegistration.genericMessage] }
    ])
    assert.isTrue(lines.some((line) => line.includes("passwordless")), lines.join("\n"))
  })

  it("rules use Auth0's cache through core's Cache: a sign-up count per domain across events", async () => {
    const counted = PreUserRegistration.make(
      Registration.makePipeline({
        facts: [],
        rules: [
          Registration.makeRule(
            "count",
            Effect.gen(function*() {
              const cache = yield* Cache
              const seen = yield* cache.get("signups:example.com")
              const next = Option.isSome(seen) ? Number(seen.value) + 1 : 1
              yield* cache.set("signups:example.com", String(next))
              yield* Registration.setUserMetadata("signup_rank", next)
            })
          )
        ]
      }),
      Layer.empty
    )
    const api = TriggerApis.preUserRegistration()
    await counted(TriggerEvents.preUserRegistration(), api)
    await counted(TriggerEvents.preUserRegistration(), api)
    assert.deepStrictEqual(TriggerApis.decisive(api.calls), [
      { method: "user.setUserMetadata", args: ["signup_rank", 1] },
      { method: "user.setUserMetadata", args: ["signup_rank", 2] }
    ])
  })
})
