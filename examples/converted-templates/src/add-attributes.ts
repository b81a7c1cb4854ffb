/**
 * add-attributes: converted by `rulefx convert` from the legacy rule examples/converted-templates/rules/add-attributes/add-attributes.js.
 *
 * Every construct of the legacy rule was translated; its differential test runs both on generated logins.
 */
import * as Decision from "@rulefx/core/Decision"
import { Login } from "@rulefx/core/Login"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"

export const addAttributes = Rule.make(
  "add-attributes",
  Effect.gen(function*() {
    const login = yield* Login
    const connectionName = login.connection.name
    if (connectionName === "company.com") {
      yield* Decision.setIdTokenClaim("https://example.com/vip", true)
    }
  })
)
