/**
 * add-persistence-attribute: converted by `rulefx convert` from the legacy rule examples/converted-templates/rules/add-persistence-attribute/add-persistence-attribute.js.
 *
 * Every construct of the legacy rule was translated; its differential test runs both on generated logins.
 */
import * as Decision from "@rulefx/core/Decision"
import { Login } from "@rulefx/core/Login"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"

export const addPersistenceAttribute = Rule.make(
  "add-persistence-attribute",
  Effect.gen(function*() {
    const login = yield* Login
    const userMetadata: Record<string, any> = { ...login.user.userMetadata }
    userMetadata["color"] = userMetadata["color"] || "blue"
    const claim = userMetadata["color"]
    if (claim !== undefined) yield* Decision.setIdTokenClaim("https://example.com/favorite_color", claim)
    if (userMetadata["color"] !== undefined && userMetadata["color"] !== login.user.userMetadata["color"]) {
      yield* Decision.persistUserMetadata("color", userMetadata["color"])
    }
  })
)
