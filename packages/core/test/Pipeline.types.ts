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
