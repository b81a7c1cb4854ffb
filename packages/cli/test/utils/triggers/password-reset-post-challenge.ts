// A password-reset-post-challenge Action: a locked account is denied, an OTP user is challenged, an admin confirms
// on a page of the team's (a signed token, resumed in onContinuePostChallenge), everyone else lands on a welcome page.
import * as PasswordResetPostChallenge from "@rulefx/adapter-auth0/PasswordResetPostChallenge"
import { Class as DenialClass } from "@rulefx/core/Denial"
import * as Reset from "@rulefx/core/PasswordResetPostChallenge"
import * as Redirect from "@rulefx/core/Redirect"
import * as v from "@rulefx/core/Validator"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

const Confirm = Redirect.make("Confirm", { secret: "CONFIRM_SECRET", returns: v.object({ confirmed: v.boolean() }) })

class AccountLocked extends DenialClass("AccountLocked") {
  override get message() {
    return "This account is locked. Please contact support."
  }
}

class NotConfirmed extends DenialClass("NotConfirmed") {
  override get message() {
    return "The password reset was not confirmed."
  }
}

const locked = Reset.makeRule(
  "locked",
  Effect.gen(function*() {
    const { user } = yield* Reset.PasswordReset
    if (user.appMetadata["locked"] === true) return yield* new AccountLocked()
  })
)

const stepUp = Reset.makeRule(
  "step-up",
  Effect.gen(function*() {
    const { user } = yield* Reset.PasswordReset
    if (user.enrolledFactors.some((f) => f.type === "otp")) yield* Reset.challengeWith({ type: "otp" })
  })
)

const confirmAdmins = Reset.makeRule(
  "confirm-admins",
  Effect.gen(function*() {
    const { roles, user } = yield* Reset.PasswordReset
    if (roles.includes("admin")) {
      yield* Reset.sendUserTo(Confirm, "https://confirm.example.com/reset", { payload: { email: user.email ?? "" } })
    } else {
      yield* Reset.setResultUrl("https://app.example.com/welcome-back", { query: { from: "reset" } })
    }
  })
)

const confirmed = Reset.makeRule(
  "confirmed",
  Effect.gen(function*() {
    if (!(yield* Confirm).confirmed) return yield* new NotConfirmed()
    yield* Reset.setResultUrl("https://admin.example.com/")
  })
)

export const { onContinuePostChallenge, onExecutePostChallenge } = PasswordResetPostChallenge.make({
  execute: Reset.makePipeline({ facts: [], rules: [locked, stepUp, confirmAdmins] }),
  resume: Reset.makePipeline({ facts: [Confirm], rules: [confirmed] }),
  layer: Layer.empty
})
