/**
 * Username-attribute: converted by `rulefx convert` from the legacy rule examples/converted-templates/rules/Username-attribute/Username-attribute.js.
 *
 * Every construct of the legacy rule was translated; its differential test runs both on generated logins.
 */
import * as Decision from "@rulefx/core/Decision"
import { Login } from "@rulefx/core/Login"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"

export const usernameAttribute = Rule.make(
  "Username-attribute",
  Effect.gen(function*() {
    const login = yield* Login
    const appMetadata: Record<string, any> = { ...login.user.appMetadata }
    const userUsername = login.user.username
    if (appMetadata["username"]) {
      return
    }
    appMetadata["username"] = appMetadata["username"] || userUsername
    const claim = appMetadata["username"]
    if (claim !== undefined) yield* Decision.setIdTokenClaim("https://example.com/favorite_color", claim)
    if (appMetadata["username"] !== undefined && appMetadata["username"] !== login.user.appMetadata["username"]) {
      yield* Decision.persistAppMetadata("username", appMetadata["username"])
    }
  })
)
