/**
 * Consent on a page of the team's own, as typed rules: the first pass sends a user who has not accepted the current
 * terms to the consent page with a signed token; the continue pass reads the page's signed answer, typed, and either
 * persists the consent (once, in app_metadata) or denies the login.
 *
 * Secrets: CONSENT_SECRET (shared with the consent page; both sides sign with it; at least 32 bytes) and CONSENT_URL
 * (the page).
 */
import * as Decision from "@rulefx/core/Decision"
import * as Decode from "@rulefx/core/Decode"
import * as Denial from "@rulefx/core/Denial"
import * as Fact from "@rulefx/core/Fact"
import { Login } from "@rulefx/core/Login"
import * as Pipeline from "@rulefx/core/Pipeline"
import * as Redirect from "@rulefx/core/Redirect"
import * as Rule from "@rulefx/core/Rule"
import * as Secrets from "@rulefx/core/Secrets"
import * as TransactionMetadata from "@rulefx/core/TransactionMetadata"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as v from "valibot"

/** The version of the terms users must accept; raising it asks everyone again. */
export const termsVersion = "2026-12"

/** The app_metadata key that holds the accepted consent. */
export const consentKey = "consent"

/** The user refused the terms. */
export class ConsentRefused extends Denial.Class("ConsentRefused")<{ readonly version: string }> {
  override get message(): string {
    return "You must accept the terms of use to sign in."
  }
}

/** The page answered for other terms than the ones this login asked about. */
export class ConsentMismatch
  extends Denial.Class("ConsentMismatch")<{ readonly asked: string; readonly answered: string }>
{
  override get message(): string {
    return Denial.genericMessage
  }
}

/** The redirect to the consent page and what it answers: whether the user accepted, and which terms. */
export const ConsentReturn = Redirect.make("ConsentReturn", {
  secret: "CONSENT_SECRET",
  returns: v.object({ accepted: v.boolean(), version: v.string() })
})

/** The terms this login asked about, kept in the transaction across the redirect. */
export const AskedTerms = TransactionMetadata.make("AskedTerms", v.object({ consent_asked: v.optional(v.string()) }))

const AcceptedConsent = v.object({ [consentKey]: v.optional(v.object({ version: v.string() })) })

/** The version of the terms the user has accepted, if any (a malformed record counts as none). */
export const AcceptedVersion = Fact.make(
  "AcceptedVersion",
  Effect.gen(function*() {
    const login = yield* Login
    return yield* Decode.decode(AcceptedConsent, "app_metadata.consent")(login.user.appMetadata).pipe(
      Effect.map((metadata) => metadata[consentKey]?.version),
      Effect.orElseSucceed(() => undefined)
    )
  })
)

/** First pass: a user without consent to the current terms goes to the consent page. */
export const askConsent = Rule.make(
  "askConsent",
  Effect.gen(function*() {
    if ((yield* AcceptedVersion) === termsVersion) return
    const login = yield* Login
    const page = Redacted.value(yield* Secrets.get("CONSENT_URL"))
    yield* ConsentReturn.sendUserTo(page, {
      payload: {
        version: termsVersion,
        application: login.client.name,
        ...(login.request.hostname && { continue_uri: `https://${login.request.hostname}/continue` })
      }
    })
    yield* TransactionMetadata.set("consent_asked", termsVersion)
  })
)

/** Continue pass: the page's answer, verified and typed; consent is persisted once, a refusal denies. */
export const recordConsent = Rule.make(
  "recordConsent",
  Effect.gen(function*() {
    const answer = yield* ConsentReturn
    if (!answer.accepted) return yield* new ConsentRefused({ version: answer.version })
    const asked = (yield* AskedTerms).consent_asked ?? termsVersion
    if (answer.version !== asked) return yield* new ConsentMismatch({ asked, answered: answer.version })
    yield* Decision.persistAppMetadata(consentKey, { version: answer.version, at: yield* Clock.currentTimeMillis })
    yield* TransactionMetadata.remove("consent_asked")
  })
)

/** The first pass. */
export const execute = Pipeline.make({ facts: [AcceptedVersion], rules: [askConsent] })

/** The continue pass. */
export const resume = Pipeline.make({ facts: [ConsentReturn, AskedTerms], rules: [recordConsent] })
