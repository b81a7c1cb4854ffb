/**
 * require-mfa-once-per-session: converted by `rulefx convert` from the legacy rule examples/converted-templates/rules/require-mfa-once-per-session/require-mfa-once-per-session.js.
 *
 * Every construct of the legacy rule was translated; its differential test runs both on generated logins.
 */
import * as Decision from "@rulefx/core/Decision"
import { Login } from "@rulefx/core/Login"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"

export const requireMfaOncePerSession = Rule.make(
  "require-mfa-once-per-session",
  Effect.gen(function*() {
    const login = yield* Login
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
    let authMethods = []
    if (authentication && Array.isArray(authentication["methods"])) {
      authMethods = authentication["methods"]
    }
    const completedMfa = !!authMethods.find((method: any) => method.name === "mfa")
    if (completedMfa) {
      return
    }
    yield* Decision.requireMfa("any", { allowRememberBrowser: false })
  })
)
