/**
 * guardian-multifactor: converted by `rulefx convert` from the legacy rule examples/converted-templates/rules/guardian-multifactor/guardian-multifactor.js.
 *
 * Every construct of the legacy rule was translated; its differential test runs both on generated logins.
 */
import * as Decision from "@rulefx/core/Decision"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"

export const guardianMultifactor = Rule.make(
  "guardian-multifactor",
  Effect.gen(function*() {
    yield* Decision.requireMfa("guardian", { allowRememberBrowser: false })
  })
)
