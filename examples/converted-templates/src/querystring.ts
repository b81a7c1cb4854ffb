/**
 * querystring: converted by `rulefx convert` from the legacy rule examples/converted-templates/rules/querystring/querystring.js.
 *
 * Every construct of the legacy rule was translated; its differential test runs both on generated logins.
 */
import * as Decision from "@rulefx/core/Decision"
import { Login } from "@rulefx/core/Login"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"

export const querystring = Rule.make(
  "querystring",
  Effect.gen(function*() {
    const login = yield* Login
    const requestQuery: Readonly<Record<string, any>> = login.request.query
    if (requestQuery["some_querystring"] === "whatever") {
      yield* Decision.setIdTokenClaim("https://example.com/new_attribute", "foo")
    }
  })
)
