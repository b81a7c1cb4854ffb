/**
 * ip-address-blacklist: converted by `rulefx convert` from the legacy rule examples/converted-templates/rules/ip-address-blacklist/ip-address-blacklist.js.
 *
 * Every construct of the legacy rule was translated; its differential test runs both on generated logins.
 */
import * as Denial from "@rulefx/core/Denial"
import { Login } from "@rulefx/core/Login"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"

/** Line 19 of the legacy rule denied with this message. */
export class AccessDeniedFromThisIp extends Denial.Class("AccessDeniedFromThisIp")<{}> {
  override get message(): string {
    return "Access denied from this IP address."
  }
}

export const ipAddressBlacklist = Rule.make(
  "ip-address-blacklist",
  Effect.gen(function*() {
    const login = yield* Login
    const requestIp = login.request.ip
    var blacklist = ["1.2.3.4", "2.3.4.5"]
    var notAuthorized = blacklist.some(function(ip: any) {
      return requestIp === ip
    })
    if (notAuthorized) {
      return yield* new AccessDeniedFromThisIp()
    }
  })
)
