/**
 * check-last-password-reset: converted by `rulefx convert` from the legacy rule examples/converted-templates/rules/check-last-password-reset/check-last-password-reset.js.
 *
 * Every construct of the legacy rule was translated; its differential test runs both on generated logins.
 */
import * as Denial from "@rulefx/core/Denial"
import { Login } from "@rulefx/core/Login"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"

/** Line 19 of the legacy rule denied with this message. */
export class PleaseChangeYourPassword extends Denial.Class("PleaseChangeYourPassword")<{}> {
  override get message(): string {
    return "please change your password"
  }
}

export const checkLastPasswordReset = Rule.make(
  "check-last-password-reset",
  Effect.gen(function*() {
    const login = yield* Login
    const profile: Readonly<Record<string, any>> = (login.raw["user"] ?? {}) as Readonly<Record<string, any>>
    const userCreatedAt = login.user.createdAt
    function daydiff(first: any, second: any) {
      return (second - first) / (1000 * 60 * 60 * 24)
    }
    const last_password_change = profile["last_password_reset"] || userCreatedAt
    if (daydiff(new Date(last_password_change), new Date()) > 30) {
      return yield* new PleaseChangeYourPassword()
    }
  })
)
