/**
 * guardian-multifactor-stepup-authentication: converted by `rulefx convert` from the legacy rule examples/converted-templates/rules/guardian-multifactor-stepup-authentication/guardian-multifactor-stepup-authentication.js.
 *
 * Every construct of the legacy rule was translated; its differential test runs both on generated logins.
 */
import * as Decision from "@rulefx/core/Decision"
import { Login } from "@rulefx/core/Login"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"

export const guardianMultifactorStepupAuthentication = Rule.make(
  "guardian-multifactor-stepup-authentication",
  Effect.gen(function*() {
    const login = yield* Login
    const requestQuery: Readonly<Record<string, any>> = login.request.query
    const authentication: Readonly<Record<string, any>> = {
      methods: ((methods: unknown) =>
        Array.isArray(methods)
          ? methods.filter((m) => typeof m === "object" && m !== null).map((m) => ({
            ...m,
            name: String(m.name),
            timestamp: typeof m.timestamp === "number" ? m.timestamp : Date.parse(String(m.timestamp))
          }))
          : [])((login.raw["authentication"] as any)?.["methods"])
    }
    const isMfa = requestQuery["acr_values"] ===
      "http://schemas.openid.net/pape/policies/2007/06/multi-factor"
    let authMethods = []
    if (authentication && Array.isArray(authentication["methods"])) {
      authMethods = authentication["methods"]
    }
    if (isMfa && !authMethods.some((method: any) => method.name === "mfa")) {
      yield* Decision.requireMfa("any", { allowRememberBrowser: false })
    }
  })
)
