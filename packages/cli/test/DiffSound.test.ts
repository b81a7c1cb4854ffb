/**
 * `rulefx diff` is sound for pairs of Actions that Auth0 runs differently (from brk-diff's DiffBreak3): what an Action
 * does after its handler settled, requests that differ on the wire, the network's timing, handlers no event ran, a
 * fetch kept at load, and an Action that exits or throws outside its handler.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Diff from "@rulefx/cli/Diff"
import * as Effect from "effect/Effect"
import * as Scratch from "./utils/Scratch.ts"

const scratch = Scratch.scratch("rulefx-diff-sound-")
const { action, events, file } = scratch

const first = (a: string, b: string, path: string = events()) =>
  Diff.diff(a, b, path).pipe(Effect.map((report) => report.results[0]!))

describe("DiffSound: calls and values after the handler resolved", () => {
  it.effect("an api call the first Action makes after its handler resolved is not counted as made", () =>
    Effect.gen(function*() {
      // Auth0 applies what the handler did by the time it resolved. The first Action's SAML attribute is set on a
      // timer after that (an un-awaited promise): its login has no `role` attribute; the second's has `admin`.
      const late = action(
        "saml-late",
        `setTimeout(() => api.samlResponse.setAttribute("http://schemas.example/role", "admin"), 5)`
      )
      const now = action(
        "saml-now",
        `api.samlResponse.setAttribute("http://schemas.example/role", "admin")
         await new Promise((resolve) => setTimeout(resolve, 100))`
      )
      const report = yield* Diff.diff(late, now, events())
      assert.isFalse(report.results[0]!.same, JSON.stringify(report.results[0]))
      assert.include(Diff.render(report, { a: "a", b: "b" }), "after its handler returned")
    }))

  it.effect("credentials-exchange: an access-token claim set after the handler resolved is not counted", () =>
    Effect.gen(function*() {
      const exchange = (name: string, body: string) =>
        file(`${name}.js`, `exports.onExecuteCredentialsExchange = async (event, api) => {\n${body}\n}\n`)
      // The first Action's token has no admin claim (it is set on a timer); the second's has it.
      const late = exchange(
        "cx-late",
        `setTimeout(() => api.accessToken.setCustomClaim("https://example.com/admin", true), 5)`
      )
      const now = exchange(
        "cx-now",
        `api.accessToken.setCustomClaim("https://example.com/admin", true)
         await new Promise((resolve) => setTimeout(resolve, 100))`
      )
      const m2m = file(
        "cx.jsonl",
        JSON.stringify({ client: { client_id: "m2m" }, request: { ip: "203.0.113.9" } }) + "\n"
      )
      const result = yield* first(late, now, m2m)
      assert.strictEqual(result.trigger, "credentials-exchange")
      assert.isFalse(result.same, JSON.stringify(result))
    }))

  it.effect("a claim's object the first Action changes after its handler resolved is compared as it was then", () =>
    Effect.gen(function*() {
      const mutated = action(
        "claim-mutated-late",
        `const roles = { role: "user" }
         api.idToken.setCustomClaim("https://example.com/roles", roles)
         setTimeout(() => { roles.role = "admin" }, 5)`
      )
      const admin = action(
        "claim-admin",
        `api.idToken.setCustomClaim("https://example.com/roles", { role: "admin" })
         await new Promise((resolve) => setTimeout(resolve, 100))`
      )
      const result = yield* first(mutated, admin)
      assert.isFalse(result.same, JSON.stringify(result))
    }))
})
