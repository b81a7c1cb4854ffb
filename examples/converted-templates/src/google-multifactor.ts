/**
 * google-multifactor: converted by `rulefx convert` from the legacy rule examples/converted-templates/rules/google-multifactor/google-multifactor.js.
 *
 * Every construct of the legacy rule was translated; its differential test runs both on generated logins.
 */
import * as Decision from "@rulefx/core/Decision"
import { Login } from "@rulefx/core/Login"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"

export const googleMultifactor = Rule.make(
  "google-multifactor",
  Effect.gen(function*() {
    const login = yield* Login
    const clientId = login.client.id
    const CLIENTS_WITH_MFA = ["REPLACE_WITH_YOUR_CLIENT_ID"]
    if (CLIENTS_WITH_MFA.indexOf(clientId) !== -1) {
      yield* Decision.requireMfa("google-authenticator", { allowRememberBrowser: false })
    }
  })
)
