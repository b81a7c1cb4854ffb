import { assert, describe, it } from "@effect/vitest"
import * as Auth0Flow from "@rulefx/adapter-auth0/Auth0Flow"
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Resumable from "@rulefx/adapter-auth0/Resumable"
import * as AuthenticationMethod from "@rulefx/core/AuthenticationMethod"
import * as Decision from "@rulefx/core/Decision"
import { genericMessage } from "@rulefx/core/Denial"
import * as Form from "@rulefx/core/Form"
import * as Pipeline from "@rulefx/core/Pipeline"
import * as Redirect from "@rulefx/core/Redirect"
import * as Rule from "@rulefx/core/Rule"
import * as Session from "@rulefx/core/Session"
import * as TransactionMetadata from "@rulefx/core/TransactionMetadata"
import * as Validation from "@rulefx/core/Validation"
import * as v from "@rulefx/core/Validator"
import * as Events from "@rulefx/testing/Events"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as Resume from "@rulefx/testing/Resume"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

const SECRET = "resumable-test-secret-91ab-2f6d0c8e"
const event = (overrides: Record<string, unknown> = {}) =>
  Events.postLogin({ secrets: { HANDOFF: SECRET }, ...overrides })

const run = async (handler: PostLogin.Handler, evt: Record<string, unknown>, state?: string) => {
  const api = RecordingApi.make({ event: evt, ...(state === undefined ? {} : { state }) })
  const { lines } = await LogCapture.around(() => handler(evt, api))
  return { api, lines, summary: api.summary(), methods: api.calls.map((c) => c.method) }
}

// The continue pass after the Profile form, with its fields and the transaction metadata kept across.
const resumed = (fields: Record<string, unknown>, metadata: Record<string, unknown> = { step: 1 }) =>
  Resume.continueEvent(event(), {
    state: "st",
    prompt: { id: "ap_profile", fields, vars: {} },
    transactionMetadata: metadata
  })

const Profile = Form.make("Profile", { id: "ap_profile", fields: v.object({ age: v.number() }) })
const Step = TransactionMetadata.make("Step", v.object({ step: v.optional(v.number()) }))

describe("Resumable", () => {
  describe("a form and its continue pass", () => {
    const handlers = Resumable.make({
      execute: Pipeline.make({
        facts: [],
        rules: [
          Rule.make(
            "ask",
            Effect.andThen(Profile.render({ vars: { app: "Shop" } }), TransactionMetadata.set("step", 1))
          )
        ]
      }),
      resume: Pipeline.make({
        facts: [Profile, Step],
        rules: [
          Rule.make(
            "check",
            Effect.gen(function*() {
              const { age } = yield* Profile
              if ((yield* Step).step !== 1) return yield* Validation.fail("out_of_order", "Start the sign-in again.")
              if (age < 18) return yield* Validation.fail("too_young", "You must be 18 or older.")
              yield* Decision.persistUserMetadata("age", age)
              yield* AuthenticationMethod.record("https://age.example.com/verified")
            })
          )
        ]
      }),
      layer: Layer.empty
    })

    it("renders the form and keeps the step in the transaction", async () => {
      const { api, methods } = await run(handlers.onExecutePostLogin, event())
      assert.deepStrictEqual(methods, ["transaction.setMetadata", "prompt.render"])
      assert.deepStrictEqual(api.calls[1]?.args, ["ap_profile", { vars: { app: "Shop" } }])
      assert.deepStrictEqual(api.transactionMetadata, { step: 1 })
    })

    it("reads the submitted fields typed, persists, and records the method (continue only)", async () => {
      const { methods, summary } = await run(handlers.onContinuePostLogin, resumed({ age: 30 }), "st")
      assert.deepStrictEqual(methods, ["authentication.recordMethod", "user.setUserMetadata"])
      assert.deepStrictEqual(summary.userMetadata, { age: 30 })
      assert.deepStrictEqual(summary.authenticationMethods, ["https://age.example.com/verified"])
    })

    it("a validation error reaches the app through api.validation.error, not deny, and sets nothing", async () => {
      const { methods, summary } = await run(handlers.onContinuePostLogin, resumed({ age: 12 }), "st")
      assert.deepStrictEqual(methods, ["validation.error"])
      assert.deepStrictEqual(summary.validationError, { code: "too_young", message: "You must be 18 or older." })
    })

    it("reads the transaction metadata kept across the suspension as a typed fact", async () => {
      const { summary } = await run(handlers.onContinuePostLogin, resumed({ age: 30 }, { step: 2 }), "st")
      assert.deepStrictEqual(summary.validationError, { code: "out_of_order", message: "Start the sign-in again." })
    })

    it("fails closed when the fields do not decode or no form was submitted", async () => {
      const runs = await Promise.all(
        [resumed({ age: "thirty" }), Resume.continueEvent(event(), { state: "st" })].map((evt) =>
          run(handlers.onContinuePostLogin, evt, "st")
        )
      )
      for (const { methods, summary } of runs) {
        assert.deepStrictEqual(methods, ["access.deny"])
        assert.strictEqual(summary.denied, genericMessage)
      }
    })
  })

  describe("refused before any call", () => {
    const A = Redirect.make("A", { secret: "HANDOFF", returns: v.object({}) })
    const B = Redirect.make("B", { secret: "HANDOFF", returns: v.object({}) })
    const nothing = Pipeline.make({ facts: [], rules: [] })

    it("two rules that redirect in one pass deny the login, naming the conflict in the log", async () => {
      const { onExecutePostLogin } = Resumable.make({
        execute: Pipeline.make({
          facts: [],
          rules: [
            Rule.make("a", A.sendUserTo("https://a.example/")),
            Rule.make("b", B.sendUserTo("https://b.example/"))
          ]
        }),
        resume: nothing,
        layer: Layer.empty
      })
      const { lines, methods, summary } = await run(onExecutePostLogin, event())
      assert.deepStrictEqual(methods, ["access.deny"])
      assert.strictEqual(summary.denied, genericMessage)
      assert.include(lines.join("\n"), "TwoSuspensions")
    })

    it("transaction metadata past Auth0's limits denies, setting nothing", async () => {
      const { onExecutePostLogin } = Resumable.make({
        execute: Pipeline.make({
          facts: [],
          rules: [
            Rule.make(
              "big",
              Effect.andThen(Decision.setIdTokenClaim("c", 1), TransactionMetadata.set("blob", "x".repeat(9000)))
            )
          ]
        }),
        resume: nothing,
        layer: Layer.empty
      })
      const { lines, methods } = await run(onExecutePostLogin, event())
      assert.deepStrictEqual(methods, ["access.deny"])
      assert.include(lines.join("\n"), "transaction_metadata \"blob\": ValueTooLarge")
    })

    it("PostLogin.make alone denies a flow kind it cannot apply, pointing at Resumable.make", async () => {
      const handler = PostLogin.make(
        Pipeline.make({ facts: [], rules: [Rule.make("t", TransactionMetadata.set("step", 1))] }),
        Layer.empty
      )
      const { lines, methods } = await run(handler, event())
      assert.deepStrictEqual(methods, ["access.deny"])
      assert.include(lines.join("\n"), "Resumable.make")
    })

    it("PostLogin.make alone denies a validation error with its reason, and logs the flow kind it was not given", async () => {
      const handler = PostLogin.make(
        Pipeline.make({ facts: [], rules: [Rule.make("v", Validation.fail("too_young", "You must be 18 or older."))] }),
        Layer.empty
      )
      const { lines, methods } = await run(handler, event())
      assert.deepStrictEqual(methods, ["access.deny"])
      assert.include(lines.join("\n"), "KindNotEnabled")
      assert.include(lines.join("\n"), "Resumable.make")
    })

    it("a kind Resumable.make was not given: the log names Resumable.make, in either pass, not PostLogin.make", async () => {
      const revoke = Pipeline.make({ facts: [], rules: [Rule.make("end", Session.revoke("Ended."))] })
      const { onContinuePostLogin, onExecutePostLogin } = Resumable.make({
        execute: revoke,
        resume: revoke,
        layer: Layer.empty
      })
      for (const handler of [onExecutePostLogin, onContinuePostLogin]) {
        // oxlint-disable-next-line no-await-in-loop
        const { lines, methods } = await run(handler, event())
        assert.deepStrictEqual(methods, ["access.deny"])
        assert.include(lines.join("\n"), `session "pass Auth0Session.kind to Resumable.make": KindNotEnabled`)
      }
    })

    it("a recorded method in a first pass (a Decision built without the types) is refused", () => {
      const api = RecordingApi.make()
      const outcome: PostLogin.Outcome = {
        _tag: "Allowed",
        decision: { ...Decision.empty(), authenticationMethods: ["https://m.example/"] }
      }
      const capture = LogCapture.start()
      PostLogin.apply(outcome, api, "auth0|x", { pass: "execute" }, [Auth0Flow.kind])
      capture.stop()
      const lines = capture.lines
      assert.deepStrictEqual(api.calls.map((c) => c.method), ["access.deny"])
      assert.include(lines.join("\n"), "ContinueOnly")
    })
  })

  it("PostLogin.apply without a pass denies a typed redirect rather than drop it", () => {
    const api = RecordingApi.make()
    const token = { secret: Redacted.make("s"), payload: {}, expiresInSeconds: 900, parameter: "session_token" }
    const capture = LogCapture.start()
    PostLogin.apply(
      {
        _tag: "Allowed",
        decision: { ...Decision.empty(), redirect: { url: "https://gate.example/", query: {}, token } }
      },
      api
    )
    capture.stop()
    assert.deepStrictEqual(api.calls.map((c) => c.method), ["access.deny"])
    assert.include(capture.lines.join("\n"), "Resumable.make")
  })

  it("a plain Decision.redirect (the legacy layer's) still goes through PostLogin.make, without a token", async () => {
    const handler = PostLogin.make(
      Pipeline.make({ facts: [], rules: [Rule.make("r", Decision.redirect("https://legacy.example/", { a: "1" }))] }),
      Layer.empty
    )
    const { api, methods } = await run(handler, event())
    assert.deepStrictEqual(methods, ["redirect.sendUserTo"])
    assert.deepStrictEqual(api.calls[0]?.args, ["https://legacy.example/", { query: { a: "1" } }])
  })

  it("a continue pass whose api cannot validate tokens fails closed", async () => {
    const R = Redirect.make("R", { secret: "HANDOFF", returns: v.object({}) })
    const { onContinuePostLogin } = Resumable.make({
      execute: Pipeline.make({ facts: [], rules: [] }),
      resume: Pipeline.make({ facts: [R], rules: [Rule.make("read", R)] }),
      layer: Layer.empty
    })
    const api = { ...RecordingApi.make(), redirect: { sendUserTo: () => undefined } }
    const { lines } = await LogCapture.around(() => onContinuePostLogin(event(), api))
    assert.deepStrictEqual(api.calls.map((c) => c.method), ["access.deny"])
    assert.include(lines.join("\n"), "no validateToken")
  })
})
