/**
 * add-country: converted by `rulefx convert` from the legacy rule examples/converted-templates/rules/add-country/add-country.js.
 *
 * Every construct of the legacy rule was translated; its differential test runs both on generated logins.
 */
import * as Decision from "@rulefx/core/Decision"
import { Login } from "@rulefx/core/Login"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"

export const addCountry = Rule.make(
  "add-country",
  Effect.gen(function*() {
    const login = yield* Login
    const geoip: Readonly<Record<string, any>> = (login.raw["request"] as any)?.["geoip"] ?? {}
    if (geoip) {
      const claim = geoip["countryName"]
      if (claim !== undefined) yield* Decision.setIdTokenClaim("https://example.com/country", claim)
      const claim2 = geoip["timeZone"]
      if (claim2 !== undefined) yield* Decision.setIdTokenClaim("https://example.com/timezone", claim2)
    }
  })
)
