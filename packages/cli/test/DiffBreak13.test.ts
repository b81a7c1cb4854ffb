/**
 * Review of issue 13's `rulefx diff` trying to break it: two Actions that Auth0 would run differently, reported as the
 * same because what differs is in a part of an api call the comparison does not read (MFA options, a redirect's
 * query), or in the order of calls where the order decides (a scope added then removed).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Diff from "@rulefx/cli/Diff"
import * as Listen from "@rulefx/testing/Listen"
import * as Effect from "effect/Effect"
import { createServer } from "node:http"
import * as Scratch from "./utils/Scratch.ts"
import { minimalEvent } from "./utils/Seed.ts"

const scratch = Scratch.scratch("rulefx-diff-break13-")
const { file, action, events } = scratch

// Whether diff reports the two Actions the same on the one event.
const same = (a: string, b: string) => Diff.diff(a, b, events()).pipe(Effect.map((report) => report.results[0]!.same))

describe("Diff: calls compared whole", () => {
  it.effect("MFA: the same provider with another allowRememberBrowser is a difference", () =>
    Effect.gen(function*() {
      const remember = action("mfa-remember", `api.multifactor.enable("any", { allowRememberBrowser: true })`)
      const forget = action("mfa-forget", `api.multifactor.enable("any", { allowRememberBrowser: false })`)
      // Before: only the provider was compared: a user asked for MFA on every login and one remembered for 30 days
      // were "the same".
      assert.isFalse(yield* same(remember, forget))
      assert.isTrue(
        yield* same(remember, action("mfa-remember-2", `api.multifactor.enable("any", { allowRememberBrowser: true })`))
      )
    }))

  it.effect("redirect: the same URL with another query is a difference", () =>
    Effect.gen(function*() {
      const a = action(
        "redirect-a",
        `api.redirect.sendUserTo("https://example.com/step", { query: { role: "admin" } })`
      )
      const b = action("redirect-b", `api.redirect.sendUserTo("https://example.com/step", { query: { role: "user" } })`)
      assert.isFalse(yield* same(a, b))
    }))

  it.effect("scopes: added then removed is not removed then added", () =>
    Effect.gen(function*() {
      const removed = action("scope-removed", `api.accessToken.addScope("admin"); api.accessToken.removeScope("admin")`)
      const added = action("scope-added", `api.accessToken.removeScope("admin"); api.accessToken.addScope("admin")`)
      // Auth0 applies the calls in order: the first token lacks `admin`, the second has it.
      assert.isFalse(yield* same(removed, added))
    }))
})

describe("Diff: secrets stay out of the report", () => {
  it.effect("a claim holding a secret in an object of another realm or without a prototype is scrubbed", () =>
    Effect.gen(function*() {
      const secret = "s3cr3t-api-key-value"
      const withSecrets = file(
        "secret.jsonl",
        JSON.stringify({ ...minimalEvent(), secrets: { API_KEY: secret } }) + "\n"
      )
      // A legacy rule's objects come from its own realm (`rulefx migrate` runs rules in one): not Object.prototype.
      const realm = action(
        "realm",
        `api.idToken.setCustomClaim("k", require("node:vm").runInNewContext("({ key: k })", { k: event.secrets.API_KEY }))
         api.idToken.setCustomClaim("n", Object.assign(Object.create(null), { key: event.secrets.API_KEY }))`
      )
      const none = action("none", ``)
      const report = yield* Diff.diff(realm, none, withSecrets)
      assert.isFalse(report.results[0]!.same)
      assert.notInclude(Diff.render(report, { a: "a", b: "b" }), secret)
      assert.notInclude(Diff.toJson(report), secret)
      assert.include(Diff.toJson(report), "[secret API_KEY]")
    }))

  it.effect("a claim holding a secret as hex, base64 or split into characters is scrubbed", () =>
    Effect.gen(function*() {
      const secret = "s3cr3t-api-key-value"
      const withSecrets = file(
        "encoded.jsonl",
        JSON.stringify({ ...minimalEvent(), secrets: { API_KEY: secret } }) + "\n"
      )
      // Before: the hex and the characters were printed as they were (each character a string of its own).
      const encoded = action(
        "encoded",
        `const k = event.secrets.API_KEY
         api.idToken.setCustomClaim("hex", Buffer.from(k).toString("hex"))
         api.idToken.setCustomClaim("HEX", Buffer.from(k).toString("hex").toUpperCase())
         api.idToken.setCustomClaim("b64", Buffer.from(k).toString("base64url"))
         api.idToken.setCustomClaim("chars", k.split(""))
         api.idToken.setCustomClaim("list", "[" + k.split("").join(",") + "]")`
      )
      const report = yield* Diff.diff(encoded, action("plain", ``), withSecrets)
      const shown = [Diff.render(report, { a: "a", b: "b" }), Diff.toJson(report)]
      for (const form of [Buffer.from(secret).toString("hex"), "\"s\",\"3\",\"c\",\"r\",\"3\",\"t\"", "s,3,c,r,3,t"]) {
        for (const text of shown) assert.notInclude(text.toLowerCase(), form, text)
      }
      assert.deepStrictEqual(
        report.results[0]!.differences.find((d) => d.path === "claims.id.chars")?.a,
        ["[secret API_KEY]"]
      )
    }))
})

describe("Diff: values JSON cannot show", () => {
  it.effect("a claim set to a BigInt or a cyclic object is reported, not a crash of the report", () =>
    Effect.gen(function*() {
      const big = action("bigint", `api.idToken.setCustomClaim("n", 1n)`)
      const cyclic = action("cyclic", `const o = { a: 1 }; o.self = o; api.idToken.setCustomClaim("n", o)`)
      const report = yield* Diff.diff(big, cyclic, events())
      assert.isFalse(report.results[0]!.same)
      const text = Diff.render(report, { a: "a", b: "b" })
      assert.include(text, "claims.id.n")
      assert.include(Diff.toJson(report), "claims.id.n")
    }))
})

/** An Action that POSTs a form with this role and sets the answer as a claim. */
const posting = (role: string) =>
  action(
    `form-${role}`,
    `const form = new FormData(); form.append("role", ${JSON.stringify(role)})
     const r = await fetch(event.secrets.URL + "/grant", { method: "POST", body: form })
     api.idToken.setCustomClaim("grant", await r.text())`
  )

describe("Diff: requests compared by what they send", () => {
  it.effect("two FormData bodies with other values are a difference, not one tape's answer for both", () =>
    Effect.gen(function*() {
      const server = yield* Effect.acquireRelease(
        Effect.promise(() =>
          Listen.listen(createServer((request, response) => {
            let body = ""
            request.on("data", (chunk) => (body += chunk))
            request.on("end", () => response.end(body.includes("admin") ? "granted" : "refused"))
          }))
        ),
        (s) => Effect.promise(() => s.close())
      )
      const withUrl = file("form.jsonl", JSON.stringify({ ...minimalEvent(), secrets: { URL: server.url } }) + "\n")
      // Before: both bodies were "<FormData>": the second Action got the first's "granted" and the two were the same.
      const report = yield* Diff.diff(posting("admin"), posting("user"), withUrl)
      assert.isFalse(report.results[0]!.same, JSON.stringify(report.results[0]))
      const again = yield* Diff.diff(posting("admin"), posting("admin"), withUrl)
      assert.isTrue(again.results[0]!.same, JSON.stringify(again.results[0]))
    }).pipe(Effect.scoped))
})
