// Compile-time guarantees of Pipeline.make. Checked by `pnpm check` (tsc), which the test command runs:
// every @ts-expect-error below must be an error, or tsc fails.
import * as Decision from "@rulefx/core/Decision"
import * as Fact from "@rulefx/core/Fact"
import * as Pipeline from "@rulefx/core/Pipeline"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"

const Base = Fact.make("Base", Effect.succeed(1))
const Derived = Fact.make("Derived", Effect.map(Base, (n) => n + 1))
const readsDerived = Rule.make("readsDerived", Effect.flatMap(Derived, (n) => Decision.setIdTokenClaim("n", n)))

// Both facts declared: compiles.
export const complete = Pipeline.make({ facts: [Base, Derived], rules: [readsDerived] })

// A rule reads a fact nobody declares.
// @ts-expect-error Derived is read but not declared
export const missingDirect = Pipeline.make({ facts: [Base], rules: [readsDerived] })

// A declared fact reads a fact nobody declares: the transitive dependency is caught too.
// @ts-expect-error Base is read (by Derived) but not declared
export const missingTransitive = Pipeline.make({ facts: [Derived], rules: [readsDerived] })

// A fact whose name is a plain string could not be told apart from others, so the check above could not work.
declare const someName: string
// @ts-expect-error a fact's name must be a string literal
export const wideName = Fact.make(someName, Effect.succeed(1))

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false

// A rule that is `any` because of a mistake where it is made (here a method a Rule lacks; a misspelt import does the
// same) is left to the error there. The facts check says nothing of it, where it said "these facts are read but not
// declared in facts": any, though every fact was declared; it still names what the other rules read and nobody
// declares.
// @ts-expect-error a Rule has no method `retry`: the one error this mistake makes
const broken = readsDerived.retry(3)
export const anyRule = Pipeline.make({ facts: [Base, Derived], rules: [readsDerived, broken] })
export const anyRuleOnly = Pipeline.make({ facts: [], rules: [broken] })
// @ts-expect-error Derived is read but not declared, whatever the `any` rule reads
export const anyRuleAndMissing = Pipeline.make({ facts: [Base], rules: [broken, readsDerived] })
export const anyRuleAndMissingNames: Equals<
  Pipeline.CheckFacts<[typeof Base], [typeof broken, typeof readsDerived]>,
  { readonly "rulefx: these facts are read but not declared in facts": "Derived" }
> = true
// The same for a rule whose services are `any` (Rule.Any): it names no fact.
export const ruleAny: Equals<Pipeline.CheckFacts<[typeof Base], [Rule.Any, typeof readsDerived]>, {
  readonly "rulefx: these facts are read but not declared in facts": "Derived"
}> = true
