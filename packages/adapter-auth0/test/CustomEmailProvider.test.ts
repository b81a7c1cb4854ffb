import { assert, describe, it } from "@effect/vitest"
import * as CustomEmailProvider from "@rulefx/adapter-auth0/CustomEmailProvider"
import * as CustomEmailProviderEvent from "@rulefx/adapter-auth0/CustomEmailProviderEvent"
import * as TriggerRun from "@rulefx/adapter-auth0/TriggerRun"
import { Cache } from "@rulefx/core/Cache"
import * as Email from "@rulefx/core/CustomEmailProvider"
import * as Decision from "@rulefx/core/Decision"
import { Class as DenialClass } from "@rulefx/core/Denial"
import { Secrets } from "@rulefx/core/Secrets"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as TriggerApis from "@rulefx/testing/TriggerApis"
import * as TriggerEvents from "@rulefx/testing/TriggerEvents"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

// The ticket in the sample's links: it must never reach a log line or a reason.
const ticket = "t1c2k3t"

// An email provider the rules deliver through; the test layer records what it was asked to send, or fails.
class Mailer extends Context.Service<Mailer, {
  readonly send: (to: string, subject: string, text: Redacted.Redacted<string>) => Effect.Effect<void, Down | Refused>
}>()("test/Mailer") {}
class Down extends DenialClass("Down") {
  override get message() {
    return "the email provider is down"
  }
}
class Refused extends Email.DropClass("Refused")<{ readonly to: string }> {
  override get message() {
    return "the provider refuses this address"
  }
}
const mailer = (sent: Array<string>, fail?: "down" | "refused" | "defect") =>
  Layer.succeed(
    Mailer,
    Mailer.of({
      send: (to, subject, text) =>
        fail === "down"
          ? Effect.fail(new Down())
          : fail === "refused"
          ? Effect.fail(new Refused({ to }))
          : fail === "defect"
          ? Effect.die(new Error("provider crashed"))
          : Effect.sync(() => void sent.push(`${to} | ${subject} | ${Redacted.value(text)}`))
    })
  )

const deliver = Email.makeRule(
  "deliver",
  Effect.gen(function*() {
    const { notification } = yield* Email.EmailNotification
    yield* (yield* Mailer).send(notification.to, notification.subject ?? "", notification.text)
  })
)
const handler = (sent: Array<string>, fail?: "down" | "refused" | "defect") =>
  CustomEmailProvider.make(Email.makePipeline({ facts: [], rules: [deliver] }), mailer(sent, fail))

const decoded = (event: unknown) =>
  CustomEmailProviderEvent.decode(event).pipe(
    Effect.map((d) => ({ ...d, info: Context.get(d.services, Email.EmailNotification) }))
  )

describe("CustomEmailProviderEvent", () => {
  it.effect("decodes the documented fields; html and text Redacted; raw without notification or secrets", () =>
    Effect.gen(function*() {
      const event = TriggerEvents.customEmailProvider({
        organization: { id: "org_1", name: "acme", display_name: "Acme", metadata: { plan: "gold" } },
        secrets: { API_KEY: "k" }
      })
      const { info, secrets, services, user } = yield* decoded(event)
      assert.deepStrictEqual(info.notification, {
        messageType: "verify_email",
        to: "ada@example.com",
        from: "no-reply@example.com",
        subject: "Verify your email",
        locale: "en",
        html: info.notification.html,
        text: info.notification.text
      })
      assert.isTrue(Redacted.isRedacted(info.notification.html) && Redacted.isRedacted(info.notification.text))
      assert.include(Redacted.value(info.notification.text), ticket)
      assert.notInclude(String(info.notification.text), ticket)
      assert.deepStrictEqual(info.user, { id: "auth0|ada", email: "ada@example.com" })
      assert.deepStrictEqual(info.client, { id: "app_web", name: "Web", metadata: {} })
      assert.deepStrictEqual(info.connection, {
        id: "con_db1",
        name: "Username-Password-Authentication",
        strategy: "auth0"
      })
      assert.deepStrictEqual(info.organization, {
        id: "org_1",
        name: "acme",
        displayName: "Acme",
        metadata: { plan: "gold" }
      })
      assert.deepStrictEqual(info.request, { ip: "203.0.113.7", hostname: "example.eu.auth0.com" })
      assert.strictEqual(info.tenant, "example")
      assert.deepStrictEqual(secrets, { API_KEY: "k" })
      assert.strictEqual(user, "auth0|ada")
      assert.isFalse("notification" in info.raw || "secrets" in info.raw)
      assert.strictEqual(Context.get(services, Email.On), Email.id)
    }))

  it.effect("from, subject, locale, user, client, connection, organization and request may be absent", () =>
    Effect.gen(function*() {
      const { info } = yield* decoded({
        notification: { message_type: "welcome_email", to: "ada@example.com", html: "<p>hi</p>", text: "hi" }
      })
      assert.deepStrictEqual(
        [info.notification.from, info.notification.subject, info.notification.locale],
        [undefined, undefined, undefined]
      )
      assert.deepStrictEqual([info.client, info.connection, info.organization], [undefined, undefined, undefined])
      assert.deepStrictEqual(info.user, { id: undefined, email: undefined })
      assert.deepStrictEqual(info.request, { ip: undefined, hostname: undefined })
      assert.strictEqual(info.tenant, "")
    }))

  it.effect("a malformed event is InvalidEvent naming paths, never values", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [unknown, string]> = [
        [{}, "notification"],
        [TriggerEvents.customEmailProvider({ notification: { to: "" } }), "notification.to"],
        [TriggerEvents.customEmailProvider({ notification: { message_type: "" } }), "notification.message_type"],
        [TriggerEvents.customEmailProvider({ notification: { html: 42 } }), "notification.html"],
        [TriggerEvents.customEmailProvider({ notification: { text: null } }), "notification.text"],
        [TriggerEvents.customEmailProvider({ notification: { subject: 7 } }), "notification.subject"],
        [TriggerEvents.customEmailProvider({ client: { client_id: "" } }), "client.client_id"],
        [TriggerEvents.customEmailProvider({ client: { metadata: { n: 1 } } }), "client.metadata"],
        [TriggerEvents.customEmailProvider({ organization: { name: "acme" } }), "organization.id"]
      ]
      for (const [event, path] of cases) {
        const error = yield* Effect.flip(CustomEmailProviderEvent.decode(event))
        assert.strictEqual(error._tag, "InvalidEvent")
        assert.isTrue(error.issues.some((issue) => issue.includes(path)), `${path}: ${error.issues.join("; ")}`)
        assert.isFalse(error.issues.some((issue) => issue.includes(ticket) || issue.includes("ada@")), path)
      }
    }))
})

describe("CustomEmailProvider", () => {
  it("delivered: the provider got the email and no api call is made", async () => {
    const sent: Array<string> = []
    const api = TriggerApis.customEmailProvider()
    await handler(sent)(TriggerEvents.customEmailProvider(), api)
    assert.deepStrictEqual(sent, [
      `ada@example.com | Verify your email | Verify: https://example.eu.auth0.com/u/email-verification?ticket=${ticket}`
    ])
    assert.deepStrictEqual(TriggerApis.decisive(api.calls), [])
  })

  it("a failing rule never counts as sent: a drop denial drops, any other denial retries with its message", async () => {
    const refused = TriggerApis.customEmailProvider()
    await LogCapture.around(() => handler([], "refused")(TriggerEvents.customEmailProvider(), refused))
    assert.deepStrictEqual(refused.calls, [{
      method: "notification.drop",
      args: ["the provider refuses this address"]
    }])
    const down = TriggerApis.customEmailProvider()
    await LogCapture.around(() => handler([], "down")(TriggerEvents.customEmailProvider(), down))
    assert.deepStrictEqual(down.calls, [{ method: "notification.retry", args: ["the email provider is down"] }])
  })

  it("a defect, the deadline or a malformed event retries with the generic reason, leaking neither link nor text", async () => {
    const hangs = CustomEmailProvider.make(
      Email.makePipeline({ facts: [], rules: [Email.makeRule("hangs", Effect.never)] }),
      Layer.empty,
      { deadline: "50 millis" }
    )
    const cases: ReadonlyArray<readonly [CustomEmailProvider.Handler, unknown, string]> = [
      [handler([], "defect"), TriggerEvents.customEmailProvider(), "Defect"],
      [hangs, TriggerEvents.customEmailProvider(), "DeadlineExceeded"],
      [handler([]), TriggerEvents.customEmailProvider({ notification: { to: "" } }), "InvalidEvent"]
    ]
    for (const [run, event, what] of cases) {
      const api = TriggerApis.customEmailProvider()
      // One at a time: the log capture replaces the global console.
      // oxlint-disable-next-line no-await-in-loop
      const { lines } = await LogCapture.around(() => run(event, api))
      assert.deepStrictEqual(api.calls, [{ method: "notification.retry", args: [CustomEmailProvider.genericReason] }])
      assert.isTrue(lines.some((line) => line.includes(`notification retry: ${what}`)), lines.join("\n"))
      assert.isFalse(lines.some((line) => line.includes(ticket)), lines.join("\n"))
    }
  })

  it("a reason over 1,024 characters is cut before the call (the recording api throws past it)", async () => {
    class Long extends Email.DropClass("Long") {
      override get message() {
        return "x".repeat(2000)
      }
    }
    const long = CustomEmailProvider.make(
      Email.makePipeline({ facts: [], rules: [Email.makeRule("long", Effect.fail(new Long()))] }),
      Layer.empty
    )
    const api = TriggerApis.customEmailProvider()
    await LogCapture.around(() => long(TriggerEvents.customEmailProvider(), api))
    assert.deepStrictEqual(api.calls.map((c) => c.method), ["notification.drop"])
    assert.strictEqual(String(api.calls[0]?.args[0]).length, CustomEmailProvider.maxReason)
  })

  it("a decision the trigger cannot apply is retried, never taken as sent", () => {
    const decision = { ...Decision.empty(), idTokenClaims: { "https://example.com/x": 1 } }
    const outcome = TriggerRun.notificationOutcome(
      { _tag: "Decided", decision },
      { isDrop: Email.isDrop, genericReason: CustomEmailProvider.genericReason }
    )
    assert.deepStrictEqual(outcome, {
      _tag: "Retry",
      reason: CustomEmailProvider.genericReason,
      denial: "ForeignDecision"
    })
  })

  it("secrets and Auth0's cache reach the rules", async () => {
    const keyed = Email.makeRule(
      "keyed",
      Effect.gen(function*() {
        const key = yield* (yield* Secrets).get("MAIL_KEY")
        const { notification } = yield* Email.EmailNotification
        yield* (yield* Cache).set(`sent:${notification.to}`, Redacted.value(key).slice(0, 3))
      })
    )
    const run = CustomEmailProvider.make(Email.makePipeline({ facts: [], rules: [keyed] }), Layer.empty)
    const api = TriggerApis.customEmailProvider()
    await run(TriggerEvents.customEmailProvider({ secrets: { MAIL_KEY: "abc-secret" } }), api)
    assert.deepStrictEqual(TriggerApis.decisive(api.calls), [])
    assert.strictEqual(api.cache.get("sent:ada@example.com")?.value, "abc")
  })

  it("when Auth0's api throws on the call, the handler rejects: the delivery counts as failed", async () => {
    const api = {
      notification: {
        drop: () => undefined,
        retry: () => {
          throw new Error("api unavailable")
        }
      }
    }
    const { result } = await LogCapture.around(() =>
      handler([], "down")(TriggerEvents.customEmailProvider(), api).then(() => "resolved", (e: Error) => e.message)
    )
    assert.strictEqual(result, "api unavailable")
  })
})
