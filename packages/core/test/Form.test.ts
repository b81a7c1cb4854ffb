import { assert, describe, it } from "@effect/vitest"
import * as Decision from "@rulefx/core/Decision"
import * as Form from "@rulefx/core/Form"
import * as Login from "@rulefx/core/Login"
import * as Redirect from "@rulefx/core/Redirect"
import { Resumed } from "@rulefx/core/Resumed"
import { Secrets } from "@rulefx/core/Secrets"
import * as v from "@rulefx/core/Validator"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

const Terms = Form.make("Terms", { id: "ap_terms", fields: v.object({ accepted: v.boolean(), name: v.string() }) })

const login = (protocol = "oidc-basic-profile") =>
  Login.Login.layer(Login.make({
    user: { id: "auth0|ada" },
    client: { id: "app" },
    request: { ip: "203.0.113.9" },
    transaction: { protocol }
  }))

const submitted = Effect.provideService(Terms.asEffect(), Terms.key, Terms.compute)

describe("Form", () => {
  it.effect("render records the form with its fields and vars", () =>
    Effect.gen(function*() {
      const d = yield* Decision.collect(Terms.render({ vars: { app: "Shop" } }))
      assert.deepStrictEqual(d.prompt, { id: "ap_terms", fields: undefined, vars: { app: "Shop" } })
    }).pipe(Effect.provide(login())))

  it.effect("a form and a redirect in one rule are a conflict", () =>
    Effect.gen(function*() {
      const Back = Redirect.make("Back", { secret: "S", returns: v.object({}) })
      const d = yield* Decision.collect(Effect.andThen(Back.sendUserTo("https://x.example/"), Terms.render()))
      assert.deepStrictEqual(d.conflicts, ["prompt"])
    }).pipe(Effect.provide(Layer.mergeAll(login(), Secrets.layerTest({ S: "form-test-secret-of-thirty-two-bytes" })))))

  it.effect("render fails with RedirectImpossible in a refresh-token exchange", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Decision.collect(Terms.render()))
      assert.strictEqual(error._tag, "RedirectImpossible")
    }).pipe(Effect.provide(login("oauth2-refresh-token"))))

  it.effect("the submission is the decoded fields of this form", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* submitted, { accepted: true, name: "Ada" })
    }).pipe(Effect.provide(Resumed.layerTest({
      submission: { id: "ap_terms", fields: { accepted: true, name: "Ada", other: 1 }, vars: {} }
    }))))

  const rejected: ReadonlyArray<[string, Parameters<typeof Resumed.layerTest>[0]]> = [
    ["no form was submitted", {}],
    ["another form was submitted", { submission: { id: "ap_other", fields: { accepted: true, name: "A" }, vars: {} } }],
    ["the fields do not decode", { submission: { id: "ap_terms", fields: { accepted: "yes" }, vars: {} } }]
  ]
  for (const [what, options] of rejected) {
    it.effect(`denies with SubmissionRejected when ${what}`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(submitted)
        assert.strictEqual(error._tag, "SubmissionRejected")
      }).pipe(Effect.provide(Resumed.layerTest(options))))
  }
})
