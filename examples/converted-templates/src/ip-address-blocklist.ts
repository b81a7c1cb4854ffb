/**
 * ip-address-blocklist: converted by `rulefx convert` from the legacy rule examples/converted-templates/rules/ip-address-blocklist/ip-address-blocklist.js.
 *
 * Every construct of the legacy rule was translated; its differential test runs both on generated logins.
 */
import * as Denial from "@rulefx/core/Denial"
import { Login } from "@rulefx/core/Login"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"

/** Line 18 of the legacy rule denied with this message. */
export class AccessDeniedFromThisIp extends Denial.Class("AccessDeniedFromThisIp")<{}> {
  override get message(): string {
    return "Access denied from this IP address."
  }
}

export const ipAddressBlocklist = Rule.make(
  "ip-address-blocklist",
  Effect.gen(function*() {
    const login = yield* Login
    const requestIp = login.request.ip
    const blocklist = ["1.2.3.4", "2.3.4.5"]
    const notAuthorized = blocklist.some(function(ip: any) {
      return requestIp === ip
    })
    if (notAuthorized) {
      return yield* new AccessDeniedFromThisIp()
    }
  })
)
