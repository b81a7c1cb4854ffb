/**
 * add-email-to-access-token: converted by `rulefx convert` from the legacy rule examples/converted-templates/rules/add-email-to-access-token/add-email-to-access-token.js.
 *
 * Every construct of the legacy rule was translated; its differential test runs both on generated logins.
 */
import * as Decision from "@rulefx/core/Decision"
import { Login } from "@rulefx/core/Login"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"

export const addEmailToAccessToken = Rule.make(
  "add-email-to-access-token",
  Effect.gen(function*() {
    const login = yield* Login
    const userEmail = login.user.email
    var namespace = "https://example.com/"
    const claim = userEmail
    if (claim !== undefined) yield* Decision.setAccessTokenClaim(namespace + "email", claim)
  })
)
