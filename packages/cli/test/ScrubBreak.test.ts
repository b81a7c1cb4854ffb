/**
 * Breaks of the run/diff scrubber (internal/diff/scrub.ts): secrets that still reached what `rulefx run` and `rulefx
 * diff` print.
 */
import { assert, describe, it } from "@effect/vitest"
import { format } from "node:util"
import { scrubberOf } from "../src/internal/diff/scrub.ts"

describe("scrubberOf breaks", () => {
  // Objects without a prototype (Object.create(null), the records core's Decision and the legacy shim build) were
  // returned as they were: JSON.stringify prints them, secret and all.
  it("a secret inside an object without a prototype is replaced", () => {
    const claim = Object.assign(Object.create(null) as Record<string, unknown>, { key: "s3cr3t-value-9" })
    const out = scrubberOf({ KEY: "s3cr3t-value-9" })({ value: claim })
    assert.notInclude(JSON.stringify(out), "s3cr3t-value-9")
    assert.include(JSON.stringify(out), "[secret KEY]")
  })

  // A form body (URLSearchParams, application/x-www-form-urlencoded: a token request's client_secret) encodes a space
  // as "+" and !'()~ as %XX, which encodeURIComponent leaves: that form was not replaced.
  it("a secret as a form body encodes it is replaced", () => {
    const secret = "a b!c'(d)*e~f"
    const body = new URLSearchParams({ client_secret: secret }).toString()
    const out = scrubberOf({ CLIENT_SECRET: secret })(body)
    assert.strictEqual(out, "client_secret=[secret CLIENT_SECRET]")
  })

  // An http(s) URL without credentials or query was kept readable as "a service's address"; but a webhook URL holds
  // its secret in the path (Slack's https://hooks.slack.com/services/T../B../token): it was printed whole.
  it("a URL secret with a path is replaced", () => {
    const hook = "https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX"
    const out = scrubberOf({ SLACK_HOOK_URL: hook })({ url: hook })
    assert.deepStrictEqual(out, { url: "[secret SLACK_HOOK_URL]" })
  })

  it("an origin kept among the secrets stays readable", () => {
    const out = scrubberOf({ API_BASE: "https://api.example.com" })({ url: "https://api.example.com/v1/users" })
    assert.deepStrictEqual(out, { url: "https://api.example.com/v1/users" })
  })

  // A secret of several lines (a PEM key) logged inside an object: console.log (util.inspect) prints it as quoted
  // segments joined by "' +", one per line, which no form of the whole secret matches: its lines were printed.
  it("a secret of several lines logged inside an object is replaced line by line", () => {
    const pem = [
      "-----BEGIN PRIVATE KEY-----",
      "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7",
      "Z2xvYmFsc2VjcmV0a2V5bWF0ZXJpYWxoZXJlMTIzNDU2Nzg5MA",
      "-----END PRIVATE KEY-----"
    ].join("\n")
    const line = format({ key: pem })
    const out = scrubberOf({ SIGNING_KEY: pem })(line)
    assert.notInclude(out, "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7")
    assert.notInclude(out, "Z2xvYmFsc2VjcmV0a2V5bWF0ZXJpYWxoZXJlMTIzNDU2Nzg5MA")
    assert.include(out, "[secret SIGNING_KEY]")
  })
})
