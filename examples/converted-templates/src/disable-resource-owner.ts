/**
 * disable-resource-owner: converted by `rulefx convert` from the legacy rule examples/converted-templates/rules/disable-resource-owner/disable-resource-owner.js.
 *
 * Every construct of the legacy rule was translated; its differential test runs both on generated logins.
 */
import * as Denial from "@rulefx/core/Denial"
import { Login } from "@rulefx/core/Login"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"

/** Line 13 of the legacy rule denied with this message. */
export class TheResourceOwnerEndpointCannot extends Denial.Class("TheResourceOwnerEndpointCannot")<{}> {
  override get message(): string {
    return "The resource owner endpoint cannot be used."
  }
}

export const disableResourceOwner = Rule.make(
  "disable-resource-owner",
  Effect.gen(function*() {
    const login = yield* Login
    const protocol = login.transaction.protocol
    if (protocol === "oauth2-resource-owner") {
      return yield* new TheResourceOwnerEndpointCannot()
    }
  })
)
