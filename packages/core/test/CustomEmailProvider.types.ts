// Compile-time guarantees of the custom-email-provider trigger, checked by `pnpm check` (tsc): each expected error
// below must be an error, or tsc fails.
import * as Email from "@rulefx/core/CustomEmailProvider"
import * as Decision from "@rulefx/core/Decision"
import { Login } from "@rulefx/core/Login"
import * as PreUserRegistration from "@rulefx/core/PreUserRegistration"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"

// Reading the email and failing with a drop denial compiles.
class Bounced extends Email.DropClass("Bounced") {}
export const deliver = Email.makeRule(
  "deliver",
  Effect.flatMap(Email.EmailNotification, (e) => e.notification.to === "" ? Effect.fail(new Bounced()) : Effect.void)
)
export const pipeline = Email.makePipeline({ facts: [], rules: [deliver] })

// An email rule decides nothing: post-login's decisions do not compile,
// @ts-expect-error post-login's decisions are not available in custom-email-provider
export const claim = Email.makeRule("claim", Decision.setIdTokenClaim("https://example.com/x", 1))

// nor reading the post-login Login,
// @ts-expect-error Login is post-login's
export const readsLogin = Email.makeRule("login", Effect.map(Login, (l) => l.user.id))

// nor another trigger's recorder.
// @ts-expect-error pre-user-registration's metadata is not this trigger's
export const metadata = Email.makeRule("meta", PreUserRegistration.setAppMetadata("plan", "gold"))

// A post-login rule is refused by the pipeline.
const postLoginRule = Rule.make("post-login", Effect.void)
// @ts-expect-error rule 1 is not a custom-email-provider rule
export const foreign = Email.makePipeline({ facts: [], rules: [deliver, postLoginRule] })
