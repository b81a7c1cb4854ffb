// A pre-user-registration Action: disposable domains denied with a user message, work email as a validation error,
// a plan in app_metadata.
import * as PreUserRegistration from "@rulefx/adapter-auth0/PreUserRegistration"
import { Class as DenialClass } from "@rulefx/core/Denial"
import * as Registration from "@rulefx/core/PreUserRegistration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

class DisposableEmail extends DenialClass("DisposableEmail")<{ readonly domain: string }> {
  override get message() {
    return "Please sign up with a permanent email address."
  }
}

class WorkEmailRequired extends Registration.ValidationClass("WorkEmailRequired", "work_email_required") {
  override get message() {
    return "Use your work email."
  }
}

const checks = Registration.makeRule(
  "checks",
  Effect.gen(function*() {
    const { user } = yield* Registration.Registration
    const domain = user.email?.split("@")[1] ?? ""
    if (domain === "mailinator.com") return yield* new DisposableEmail({ domain })
    if (domain === "gmail.com") return yield* new WorkEmailRequired()
    yield* Registration.setAppMetadata("plan", "trial")
  })
)

export const onExecutePreUserRegistration = PreUserRegistration.make(
  Registration.makePipeline({ facts: [], rules: [checks] }),
  Layer.empty
)
