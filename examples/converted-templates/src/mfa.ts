/**
 * mfa: converted by `rulefx convert` from the legacy rule examples/converted-templates/rules/mfa/mfa.js.
 *
 * Every construct of the legacy rule was translated; its differential test runs both on generated logins.
 */
import * as Decision from "@rulefx/core/Decision"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"

export const mfa = Rule.make(
  "mfa",
  Effect.gen(function*() {
    yield* Decision.requireMfa("any", { allowRememberBrowser: false })
  })
)
