/**
 * simple-domain-whitelist: converted by `rulefx convert` from the legacy rule examples/converted-templates/rules/simple-domain-whitelist/simple-domain-whitelist.js.
 *
 * Every construct of the legacy rule was translated; its differential test runs both on generated logins.
 */
import * as Denial from "@rulefx/core/Denial"
import { Login } from "@rulefx/core/Login"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"

/** Line 14 of the legacy rule denied with this message. */
export class AccessDenied extends Denial.Class("AccessDenied")<{}> {
  override get message(): string {
    return "Access denied."
  }
}

export const simpleDomainWhitelist = Rule.make(
  "simple-domain-whitelist",
  Effect.gen(function*() {
    const login = yield* Login
    const userEmail = login.user.email
    const userEmailVerified = login.user.emailVerified
    if (!userEmail || !userEmailVerified) {
      return yield* new AccessDenied()
    }
    const whitelist = ["example.com", "example.org"]
    const userHasAccess = whitelist.some(function(domain: any) {
      const emailSplit = userEmail!.split("@")
      return emailSplit[emailSplit.length - 1].toLowerCase() === domain
    })
    if (!userHasAccess) {
      return yield* new AccessDenied()
    }
  })
)
