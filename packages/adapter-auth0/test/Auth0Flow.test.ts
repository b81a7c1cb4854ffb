import { assert, describe, it } from "@effect/vitest"
import * as Auth0Flow from "@rulefx/adapter-auth0/Auth0Flow"
import type * as Auth0Limits from "@rulefx/adapter-auth0/Auth0Limits"
import * as Decision from "@rulefx/core/Decision"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as Redacted from "effect/Redacted"

const decision = (overrides: Partial<Decision.Decision>): Decision.Decision => ({ ...Decision.empty(), ...overrides })
const execute: Auth0Flow.Pass = { pass: "execute" }
const resume: Auth0Flow.Pass = { pass: "continue" }

const rules = (d: Decision.Decision, pass = execute, api = RecordingApi.make()) =>
  Auth0Flow.check(d, pass, api).map((v: Auth0Limits.Violation) => `${v.target} ${v.name ?? "-"} ${v.rule}`)

const token: Decision.RedirectToken = {
  secret: Redacted.make("s"),
  payload: { a: 1 },
  expiresInSeconds: 900,
  parameter: "session_token"
}

const at = (url: string) => rules(decision({ redirect: { url, query: {}, token } }))

describe("Auth0Flow.check", () => {
  describe("transaction metadata", () => {
    const { maxKeyLength, maxTotalBytes, maxValueBytes } = Auth0Flow.transactionMetadata

    it("accepts scalars, null and the limits themselves", () => {
      const d = decision({
        transactionMetadata: {
          ["k".repeat(maxKeyLength)]: "v".repeat(maxValueBytes),
          n: 2 ** 53 - 1,
          b: false,
          gone: null
        }
      })
      assert.deepStrictEqual(rules(d), [])
    })

    it("refuses a key over 64 characters, a value over 8 KB, a non-scalar and an unsafe integer", () => {
      const d = decision({
        transactionMetadata: {
          ["k".repeat(maxKeyLength + 1)]: "x",
          big: "é".repeat(maxValueBytes / 2 + 1),
          obj: { a: 1 } as never,
          unsafe: 2 ** 53,
          nan: Number.NaN
        }
      })
      assert.deepStrictEqual(rules(d), [
        `transaction_metadata ${"k".repeat(maxKeyLength + 1)} KeyTooLong`,
        "transaction_metadata big ValueTooLarge",
        "transaction_metadata obj NotScalar",
        "transaction_metadata unsafe UnsafeInteger",
        "transaction_metadata nan UnsafeInteger"
      ])
    })

    it("counts the total over what the transaction already holds, null deleting", () => {
      const half = "v".repeat(maxTotalBytes / 2)
      const full = { pass: "execute", transactionMetadata: { a: half, b: half } } as const
      assert.deepStrictEqual(rules(decision({ transactionMetadata: { c: "x" } }), full), [
        "transaction_metadata - MetadataTooLarge"
      ])
      assert.deepStrictEqual(rules(decision({ transactionMetadata: { a: null, c: "x" } }), full), [])
    })

    it("takes metadata that is not an object for none, in either trigger (one reader, one check)", () => {
      // A string would otherwise count one entry a character, and null would throw in Object.entries.
      for (const before of ["v".repeat(maxTotalBytes), null, 7]) {
        const out: Array<Auth0Limits.Violation> = []
        Auth0Flow.checkTransactionMetadata({ c: "x" }, before, out)
        assert.deepStrictEqual(out, [])
        assert.deepStrictEqual(
          rules(decision({ transactionMetadata: { c: "x" } }), { ...execute, transactionMetadata: before }),
          []
        )
      }
    })
  })

  it("refuses two suspensions in one pass", () => {
    assert.deepStrictEqual(rules(decision({ conflicts: ["redirect", "prompt"] })), [
      "redirect redirect TwoSuspensions",
      "prompt prompt TwoSuspensions"
    ])
  })

  it("refuses a redirect with a token to something other than an http(s) URL", () => {
    assert.deepStrictEqual(rules(decision({ redirect: { url: "javascript:alert(1)", query: {}, token } })), [
      "redirect - InvalidUrl"
    ])
    assert.deepStrictEqual(rules(decision({ redirect: { url: "https://ok.example/", query: {}, token } })), [])
  })

  it("refuses a redirect with a token to plain http, except this machine (local development)", () => {
    for (const url of ["http://consent.example.com/", "http://10.0.0.5:8080/x", "http://localhost.example.com/"]) {
      assert.deepStrictEqual(at(url), ["redirect - InsecureUrl"], url)
    }
    for (const url of ["http://localhost:3000/consent", "http://127.0.0.1:8080/", "http://[::1]/", "https://a.b/"]) {
      assert.deepStrictEqual(at(url), [], url)
    }
  })

  it("refuses a token lifetime that is not a whole number of seconds between 1 and one day", () => {
    for (const expiresInSeconds of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 86_401]) {
      const d = decision({ redirect: { url: "https://ok.example/", query: {}, token: { ...token, expiresInSeconds } } })
      assert.deepStrictEqual(rules(d), ["redirect expiresInSeconds InvalidExpiry"], String(expiresInSeconds))
    }
    for (const expiresInSeconds of [1, 900, 86_400]) {
      const d = decision({ redirect: { url: "https://ok.example/", query: {}, token: { ...token, expiresInSeconds } } })
      assert.deepStrictEqual(rules(d), [], String(expiresInSeconds))
    }
  })

  it("refuses a recorded method outside the continue pass, or one that is not an http(s) URL", () => {
    assert.deepStrictEqual(rules(decision({ authenticationMethods: ["https://m.example/"] })), [
      "authentication https://m.example/ ContinueOnly"
    ])
    assert.deepStrictEqual(rules(decision({ authenticationMethods: ["https://m.example/"] }), resume), [])
    assert.deepStrictEqual(rules(decision({ authenticationMethods: ["mailto:x"] }), resume), [
      "authentication mailto:x InvalidUrl"
    ])
  })

  it("refuses a kind the api cannot apply", () => {
    const bare = { ...RecordingApi.make(), redirect: { sendUserTo: () => undefined } }
    const { authentication: _a, prompt: _p, transaction: _t, ...rest } = bare
    const d = decision({
      redirect: { url: "https://ok.example/", query: {}, token },
      prompt: { id: "ap_1", fields: undefined, vars: undefined },
      transactionMetadata: { a: 1 },
      authenticationMethods: ["https://m.example/"]
    })
    assert.deepStrictEqual(rules(d, resume, rest as never), [
      "redirect encodeToken MissingApi",
      "prompt render MissingApi",
      "transaction_metadata setMetadata MissingApi",
      "authentication recordMethod MissingApi"
    ])
  })
})

describe("Auth0Flow.apply", () => {
  it("signs the token with the shared secret into the redirect's query, after metadata and methods", () => {
    const api = RecordingApi.make({
      event: { user: { user_id: "auth0|ada" }, request: { ip: "203.0.113.9", hostname: "t.example" } }
    })
    Auth0Flow.apply(
      decision({
        redirect: { url: "https://ok.example/", query: { lang: "de" }, token },
        transactionMetadata: { step: 1 },
        authenticationMethods: ["https://m.example/"]
      }),
      api
    )
    assert.deepStrictEqual(api.calls.map((c) => c.method), [
      "transaction.setMetadata",
      "authentication.recordMethod",
      "redirect.encodeToken",
      "redirect.sendUserTo"
    ])
    assert.notInclude(JSON.stringify(api.calls), "\"s\"")
    const [, options] = api.calls.at(-1)?.args ?? []
    const { query } = options as { query: Record<string, string> }
    assert.strictEqual(query["lang"], "de")
    assert.match(query["session_token"] ?? "", /^eyJ/)
  })
})
