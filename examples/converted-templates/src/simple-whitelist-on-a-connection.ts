/**
 * simple-whitelist-on-a-connection: converted by `rulefx convert` from the legacy rule examples/converted-templates/rules/simple-whitelist-on-a-connection/simple-whitelist-on-a-connection.js.
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

export const simpleWhitelistOnAConnection = Rule.make(
  "simple-whitelist-on-a-connection",
  Effect.gen(function*() {
    const login = yield* Login
    const userEmail = login.user.email
    const userEmailVerified = login.user.emailVerified
    const connectionName = login.connection.name
    if (!userEmail || !userEmailVerified) {
      return yield* new AccessDenied()
    }
    if (connectionName === "fitbit") {
      const whitelist = ["user1@example.com", "user2@example.com"]
      const userHasAccess = whitelist.some(function(email: any) {
        return email === userEmail
      })
      if (!userHasAccess) {
        return yield* new AccessDenied()
      }
    }
  })
)
