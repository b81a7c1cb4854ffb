/**
 * Fixes for a second breaker's pass over `rulefx diff` and `rulefx run` (the tests copied from brk2-diff's
 * DiffBreak4.test.ts; repros in its FINDINGS.md): claims set before a redirect both Actions make count, ...
 */
import { assert, describe, it } from "@effect/vitest"
import * as Diff from "@rulefx/cli/Diff"
import * as Effect from "effect/Effect"
import * as Scratch from "./utils/Scratch.ts"
import { minimalEvent } from "./utils/Seed.ts"

const scratch = Scratch.scratch("rulefx-diff-sound2-")
const { action, events, file } = scratch

const firstSame = (a: string, b: string, ev: string) =>
  Diff.diff(a, b, ev).pipe(Effect.map((report) => report.results[0]!))

describe("DiffSound2: claims set before a redirect both Actions make", () => {
  it.effect("are compared somewhere when every pass of the login ran", () =>
    Effect.gen(function*() {
      const redirecting = (name: string, role: string) =>
        file(
          `${name}.js`,
          `exports.onExecutePostLogin = async (event, api) => {
             api.idToken.setCustomClaim("https://example.com/role", "${role}")
             api.redirect.sendUserTo("https://terms.example.com/accept")
           }
           exports.onContinuePostLogin = async () => {}\n`
        )
      const event = minimalEvent()
      const both = file(
        "both-passes.jsonl",
        `${JSON.stringify(event)}\n${JSON.stringify({ continue: true, name: "back", event })}\n`
      )
      // Auth0 suspends the pipeline, it does not drop what the Action asked for before the redirect (the reference,
      // §3.2); the token issued after the continue pass carries role=admin for B.
      const report = yield* Diff.diff(redirecting("role-user", "user"), redirecting("role-admin", "admin"), both)
      assert.isAbove(report.differ, 0, JSON.stringify(report.results))
      assert.deepStrictEqual(report.results[0]!.onRedirectingPass.map((d) => d.path), [
        "redirected.claims.id.https://example.com/role"
      ])
    }))
})

// A step-up that needs a redirect: A denies where it cannot redirect, B lets the login through.
const stepUp = () =>
  [
    action(
      "can-a",
      `if (!api.redirect.canRedirect()) return api.access.deny("step-up needs an interactive login")
     api.redirect.sendUserTo("https://mfa.example.com/step")`
    ),
    action(
      "can-b",
      `if (!api.redirect.canRedirect()) return
     api.redirect.sendUserTo("https://mfa.example.com/step")`
    )
  ] as const

describe("DiffSound2: api stand-ins that answer what Auth0 would", () => {
  it.effect("api.redirect.canRedirect() on a refresh-token, prompt=none login", () =>
    Effect.gen(function*() {
      const ev = file(
        "refresh.jsonl",
        JSON.stringify({
          ...minimalEvent(),
          transaction: { protocol: "oauth2-refresh-token", prompt: ["none"], requested_scopes: [] }
        }) + "\n"
      )
      // Auth0's canRedirect() is false here: A denies, B lets the refresh through without its step-up.
      const [a, b] = stepUp()
      const result = yield* firstSame(a, b, ev)
      assert.isFalse(result.same, JSON.stringify(result))
      assert.deepStrictEqual([result.a.outcome, result.b.outcome], ["denied", "allowed"])
    }))

  it.effect("api.redirect.canRedirect() is false with prompt=none in the query, true on an interactive login", () =>
    Effect.gen(function*() {
      const [a, b] = stepUp()
      const base = minimalEvent()
      const request = base["request"] as Record<string, unknown>
      const silent = file(
        "silent.jsonl",
        JSON.stringify({ ...base, request: { ...request, query: { prompt: "none" } } }) + "\n"
      )
      assert.isFalse((yield* firstSame(a, b, silent)).same)
      const interactive = yield* firstSame(a, b, events())
      assert.isTrue(interactive.same, JSON.stringify(interactive))
      assert.strictEqual(interactive.a.outcome, "allowed")
    }))
})
