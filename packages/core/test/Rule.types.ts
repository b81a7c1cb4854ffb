// Compile-time guarantees of Rule's pipe form. Checked by `pnpm check` (tsc), which the test command runs: each
// expected error below must be an error, and every Equals must hold, or tsc fails.
import * as Decision from "@rulefx/core/Decision"
import { Class as DenialClass, type InvalidData, type RuleTimedOut } from "@rulefx/core/Denial"
import * as Fact from "@rulefx/core/Fact"
import * as Rule from "@rulefx/core/Rule"
import type { Secrets } from "@rulefx/core/Secrets"
import * as Effect from "effect/Effect"

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false

class Blocked extends DenialClass("Blocked")<{}> {}

const Tier = Fact.make("Tier", Effect.succeed("gold"))
const setTier = Rule.make("setTier", Effect.flatMap(Tier, (tier) => Decision.setIdTokenClaim("tier", tier)))
const deny = Rule.make("deny", Effect.fail(new Blocked()))

// A rule's pipe keeps its types: the timeout's denial is added, and optional drops every denial.
const timed = setTier.pipe(Rule.timeout("1 second"))
export const timedType: Equals<typeof timed, Rule.Rule<RuleTimedOut, Fact.Id<"Tier">>> = true
const dropped = setTier.pipe(Rule.timeout("1 second"), Rule.optional)
export const droppedType: Equals<typeof dropped, Rule.Rule<never, Fact.Id<"Tier">>> = true

// Every combinator's result pipes on.
const switched = Rule.all("all", [deny]).pipe(Rule.enabledBy("FLAG"), Rule.when(Effect.succeed(true)))
export const switchedType: Equals<typeof switched, Rule.Rule<Blocked | InvalidData, Secrets>> = true

// Only rule combinators fit: an Effect combinator does not turn a rule into something else unnoticed.
// @ts-expect-error a Rule is not an Effect
export const notAnEffect = setTier.pipe(Effect.timeout("1 second"))
