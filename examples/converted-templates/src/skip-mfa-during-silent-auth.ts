/**
 * skip-mfa-during-silent-auth: converted by `rulefx convert` from the legacy rule examples/converted-templates/rules/skip-mfa-during-silent-auth/skip-mfa-during-silent-auth.js.
 *
 * Every construct of the legacy rule was translated; its differential test runs both on generated logins.
 */
import * as Decision from "@rulefx/core/Decision"
import { Login } from "@rulefx/core/Login"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"

export const skipMfaDuringSilentAuth = Rule.make(
  "skip-mfa-during-silent-auth",
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
    const completedMfa = !!authentication["methods"].find(
      (method: any) => method.name === "mfa"
    )
    if (completedMfa) {
      return
    }
    yield* Decision.requireMfa("any", { allowRememberBrowser: false })
  })
)
