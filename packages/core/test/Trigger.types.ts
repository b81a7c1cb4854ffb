// Compile-time guarantees of the triggers other than post-login (Trigger.ts). Checked by `pnpm check` (tsc), which
// the test command runs: every @ts-expect-error below must be an error, or tsc fails.
import * as CredentialsExchange from "@rulefx/core/CredentialsExchange"
import * as Decision from "@rulefx/core/Decision"
import * as Fact from "@rulefx/core/Fact"
import { Login } from "@rulefx/core/Login"
import * as PostChangePassword from "@rulefx/core/PostChangePassword"
import * as PostUserRegistration from "@rulefx/core/PostUserRegistration"
import * as PreUserRegistration from "@rulefx/core/PreUserRegistration"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"

class ScopeNotAllowed extends CredentialsExchange.DenialClass("ScopeNotAllowed", "invalid_scope")<{
  readonly scope: string
}> {}

// An access-token claim and a coded denial: compiles, and the denial's code is typed.
export const tiered = CredentialsExchange.makeRule(
  "tiered",
  Effect.gen(function*() {
    const exchange = yield* CredentialsExchange.Exchange
    yield* CredentialsExchange.setAccessTokenClaim("https://example.com/tier", exchange.client.metadata["tier"])
    if (exchange.requestedScopes.includes("admin")) return yield* new ScopeNotAllowed({ scope: "admin" })
  })
)
export const code: "invalid_scope" = new ScopeNotAllowed({ scope: "x" }).code
export const pipeline = CredentialsExchange.makePipeline({ facts: [], rules: [tiered] })

// A credentials-exchange rule cannot set an ID-token claim: there is no ID token in this trigger.
export const idTokenClaim = CredentialsExchange.makeRule(
  "id-token",
  // @ts-expect-error post-login's decisions are not available in credentials-exchange
  Decision.setIdTokenClaim("https://example.com/x", 1)
)

// Nor read the post-login Login.
// @ts-expect-error Login is post-login's
export const readsLogin = CredentialsExchange.makeRule("login", Effect.map(Login, (l) => l.user.id))

// Nor record pre-user-registration's metadata.
export const foreignRecorder = CredentialsExchange.makeRule(
  "metadata",
  // @ts-expect-error another trigger's decisions are not available in credentials-exchange
  PreUserRegistration.setAppMetadata("plan", "free")
)

// A post-login rule (Rule.make) in a credentials-exchange pipeline is refused, naming its position.
const postLoginRule = Rule.make("post-login", Decision.setIdTokenClaim("x", 1))
// @ts-expect-error rule 1 is not a credentials-exchange rule
export const mixed = CredentialsExchange.makePipeline({ facts: [], rules: [tiered, postLoginRule] })

// Facts work as in post-login: a fact read but not declared is refused.
const Tier = Fact.make("Tier", Effect.map(CredentialsExchange.Exchange, (e) => e.client.metadata["tier"] ?? "free"))
const readsTier = CredentialsExchange.makeRule(
  "reads-tier",
  Effect.flatMap(Tier, (tier) => CredentialsExchange.setAccessTokenClaim("tier", tier))
)
export const withFact = CredentialsExchange.makePipeline({ facts: [Tier], rules: [readsTier] })
// @ts-expect-error Tier is read but not declared
export const missingFact = CredentialsExchange.makePipeline({ facts: [], rules: [readsTier] })

// Pre-user-registration: metadata yes, access-token claims no.
export const plan = PreUserRegistration.makeRule("plan", PreUserRegistration.setAppMetadata("plan", "free"))
export const prePipeline = PreUserRegistration.makePipeline({ facts: [], rules: [plan] })
// @ts-expect-error post-login's decisions are not available in pre-user-registration
export const preClaim = PreUserRegistration.makeRule("claim", Decision.setAccessTokenClaim("x", 1))

// Side-effect triggers: nothing to decide.
export const notify = PostUserRegistration.makeRule("notify", Effect.void)
export const postPipeline = PostUserRegistration.makePipeline({ facts: [], rules: [notify] })
// @ts-expect-error post-login's decisions are not available in post-user-registration
export const postMetadata = PostUserRegistration.makeRule("metadata", Decision.persistAppMetadata("x", 1))
export const changed = PostChangePassword.makeRule("changed", Effect.void)
// @ts-expect-error a post-user-registration rule is not a post-change-password rule
export const wrongTrigger = PostChangePassword.makePipeline({ facts: [], rules: [changed, notify] })

// A rule that is `any` because of a mistake where it is made is left to the error there: neither the facts check nor
// the trigger check names it (they said "these facts are read but not declared": any, and "not a
// credentials-exchange rule": any); the trigger check still names a post-login rule beside it.
// @ts-expect-error a Rule has no method `retry`: the one error this mistake makes
const broken = tiered.retry(3)
export const withBroken = CredentialsExchange.makePipeline({ facts: [], rules: [tiered, broken] })
// @ts-expect-error rule 2 is not a credentials-exchange rule
export const brokenAndMixed = CredentialsExchange.makePipeline({ facts: [], rules: [broken, tiered, postLoginRule] })
