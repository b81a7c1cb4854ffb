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
const { file } = scratch

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
