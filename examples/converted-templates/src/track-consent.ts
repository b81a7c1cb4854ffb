/**
 * track-consent: converted by `rulefx convert` from the legacy rule examples/converted-templates/rules/track-consent/track-consent.js.
 *
 * Every construct of the legacy rule was translated; its differential test runs both on generated logins.
 */
import * as Decision from "@rulefx/core/Decision"
import { Login } from "@rulefx/core/Login"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"

export const trackConsent = Rule.make(
  "track-consent",
  Effect.gen(function*() {
    const login = yield* Login
    const userMetadata: Record<string, any> = { ...login.user.userMetadata }
    if (userMetadata["consentGiven"]) {
      return
    }
    userMetadata["consentGiven"] = true
    userMetadata["consentTimestamp"] = Date.now()
    if (
      userMetadata["consentGiven"] !== undefined &&
      userMetadata["consentGiven"] !== login.user.userMetadata["consentGiven"]
    ) {
      yield* Decision.persistUserMetadata("consentGiven", userMetadata["consentGiven"])
    }
    if (
      userMetadata["consentTimestamp"] !== undefined &&
      userMetadata["consentTimestamp"] !== login.user.userMetadata["consentTimestamp"]
    ) {
      yield* Decision.persistUserMetadata("consentTimestamp", userMetadata["consentTimestamp"])
    }
  })
)
