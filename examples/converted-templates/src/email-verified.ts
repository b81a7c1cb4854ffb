/**
 * email-verified: converted by `rulefx convert` from the legacy rule examples/converted-templates/rules/email-verified/email-verified.js.
 *
 * Every construct of the legacy rule was translated; its differential test runs both on generated logins.
 */
import * as Denial from "@rulefx/core/Denial"
import { Login } from "@rulefx/core/Login"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"

/** Line 20 of the legacy rule denied with this message. */
export class PleaseVerifyYourEmailBefore extends Denial.Class("PleaseVerifyYourEmailBefore")<{}> {
  override get message(): string {
    return "Please verify your email before logging in."
  }
}

export const emailVerified = Rule.make(
  "email-verified",
  Effect.gen(function*() {
    const login = yield* Login
    const userEmailVerified = login.user.emailVerified
    if (!userEmailVerified) {
      return yield* new PleaseVerifyYourEmailBefore()
    } else {
    }
  })
)
