/**
 * access-on-weekdays-only-for-an-app: converted by `rulefx convert` from the legacy rule examples/converted-templates/rules/access-on-weekdays-only-for-an-app/access-on-weekdays-only-for-an-app.js.
 *
 * Every construct of the legacy rule was translated; its differential test runs both on generated logins.
 */
import * as Denial from "@rulefx/core/Denial"
import { Login } from "@rulefx/core/Login"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"

/** Line 17 of the legacy rule denied with this message. */
export class ThisAppIsAvailableDuring extends Denial.Class("ThisAppIsAvailableDuring")<{}> {
  override get message(): string {
    return "This app is available during the week"
  }
}

export const accessOnWeekdaysOnlyForAnApp = Rule.make(
  "access-on-weekdays-only-for-an-app",
  Effect.gen(function*() {
    const login = yield* Login
    const clientName = login.client.name
    if (clientName === "TheAppToCheckAccessTo") {
      const day = new Date().toLocaleDateString("en-US", { timeZone: "America/Chicago", weekday: "long" })
      if (["Saturday", "Sunday"].includes(day)) {
        return yield* new ThisAppIsAvailableDuring()
      }
    }
  })
)
