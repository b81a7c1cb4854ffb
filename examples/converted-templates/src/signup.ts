/**
 * signup: converted by `rulefx convert` from the legacy rule examples/converted-templates/rules/signup/signup.js.
 *
 * Every construct of the legacy rule was translated; its differential test runs both on generated logins.
 */
import * as Decision from "@rulefx/core/Decision"
import { Login } from "@rulefx/core/Login"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"

export const signup = Rule.make(
  "signup",
  Effect.gen(function*() {
    const login = yield* Login
    const appMetadata: Record<string, any> = { ...login.user.appMetadata }
    if (appMetadata["signed_up"]) {
      return
    }
    appMetadata["signed_up"] = true
    if (appMetadata["signed_up"] !== undefined && appMetadata["signed_up"] !== login.user.appMetadata["signed_up"]) {
      yield* Decision.persistAppMetadata("signed_up", appMetadata["signed_up"])
    }
  })
)
