/**
 * mfa-require-enrollment: converted by `rulefx convert` from the legacy rule examples/converted-templates/rules/mfa-require-enrollment/mfa-require-enrollment.js.
 *
 * Every construct of the legacy rule was translated; its differential test runs both on generated logins.
 */
import * as Decision from "@rulefx/core/Decision"
import { Login } from "@rulefx/core/Login"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"

export const mfaRequireEnrollment = Rule.make(
  "mfa-require-enrollment",
  Effect.gen(function*() {
    const login = yield* Login
    const profile: Readonly<Record<string, any>> = (login.raw["user"] ?? {}) as Readonly<Record<string, any>>
    const enrolledFactors = profile["multifactor"] || []
    if (enrolledFactors.length === 0) {
      yield* Decision.requireMfa("any", { allowRememberBrowser: false })
    }
  })
)
