/**
 * A pipeline: the facts a login may compute and the rules that decide it, checked at compile time.
 *
 * `Pipeline.make({ facts, rules })` runs the rules concurrently (as `Rule.all`) over per-login fact cells. Its
 * type is its documentation: E lists every way a login can be denied, R every service the rules and facts need.
 * A rule or fact that reads a fact not in `facts` is a compile error at this call, naming the fact.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Decision from "./Decision.ts"
import type { Denial } from "./Denial.ts"
import * as Fact from "./Fact.ts"
import * as Rule from "./Rule.ts"

/**
 * A composed pipeline. `run` computes the login's Decision, or fails with a denial.
 *
 * @category models
 * @since 0.1.0
 */
export interface Pipeline<out E extends Denial, out R> {
  readonly facts: ReadonlyArray<Fact.Any>
  readonly rules: ReadonlyArray<Rule.Any>
  readonly run: Effect.Effect<Decision.Decision, E, R>
}

/**
 * Any pipeline, for constraints.
 *
 * @category utility types
 * @since 0.1.0
 */
// oxlint-disable-next-line no-explicit-any
export type Any = Pipeline<any, any>

// `never` for `any` or `unknown`: a rule or fact that is `any`, or needs `any` (a mistake where it is made: a method a
// Rule lacks, a misspelt import; or an `any` given on purpose, which no error names), or whose needs cannot be told
// (`unknown`, what `Services` of an `any` is), would hide every other need and name no fact. The tests are wrapped in
// tuples: unwrapped, the `any` of a type error makes the whole conditional `any`.
type Known<T> = [0] extends [1 & T] ? never : [unknown] extends [T] ? never : T

// What the rules and facts need, each one's needs left out when it or they are `any` (or cannot be told).
type KnownNeeds<Facts extends ReadonlyArray<Fact.Any>, Rules extends ReadonlyArray<Rule.Any>> =
  | { [K in keyof Rules]: [0] extends [1 & Rules[K]] ? never : Known<Rule.Services<Rules[K]>> }[number]
  | { [K in keyof Facts]: [0] extends [1 & Facts[K]] ? never : Known<Fact.Services<Facts[K]>> }[number]

/**
 * What is left to provide once the declared facts are in place. The needs of a rule or fact that is `any` are left
 * out: they cannot be told, and as `any` they would hide the others' (a handler's layer check would then pass a layer
 * that lacks another rule's service).
 *
 * @category utility types
 * @since 0.1.0
 */
export type Requirements<Facts extends ReadonlyArray<Fact.Any>, Rules extends ReadonlyArray<Rule.Any>> = Exclude<
  KnownNeeds<Facts, Rules>,
  Fact.Ids<Facts[number]>
>

type Missing<Facts extends ReadonlyArray<Fact.Any>, Rules extends ReadonlyArray<Rule.Any>> = Fact.MissingNames<
  Requirements<Facts, Rules>
>

/**
 * Resolves to `unknown` when every fact read is declared, and otherwise to an object type whose one required
 * property names the missing facts, which makes the call fail to compile with those names in the message. A rule or
 * fact that is `any` (its own error, where it is made, says why) is left out: it names no fact.
 *
 * @category utility types
 * @since 0.1.0
 */
export type CheckFacts<Facts extends ReadonlyArray<Fact.Any>, Rules extends ReadonlyArray<Rule.Any>> =
  [Missing<Facts, Rules>] extends [never] ? unknown
    : { readonly "rulefx: these facts are read but not declared in facts": Missing<Facts, Rules> }

/**
 * Composes facts and rules into a pipeline.
 *
 * **Example** (The seed scenario)
 *
 * ```ts
 * import * as Pipeline from "@rulefx/core/Pipeline"
 * import { CurrentSeller } from "@rulefx/rules/CurrentSeller"
 * import * as DenyRoles from "@rulefx/rules/DenyRoles"
 * import { EffectiveRoles } from "@rulefx/rules/EffectiveRoles"
 * import * as HashSellerEmail from "@rulefx/rules/HashSellerEmail"
 * import * as SetRoles from "@rulefx/rules/SetRoles"
 * import * as SetSeller from "@rulefx/rules/SetSeller"
 *
 * const pipeline = Pipeline.make({
 *   facts: [CurrentSeller, EffectiveRoles],
 *   rules: [SetSeller.make(), HashSellerEmail.make(), SetRoles.make(), DenyRoles.make()]
 * })
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <const Facts extends ReadonlyArray<Fact.Any>, const Rules extends ReadonlyArray<Rule.Any>>(
  options: { readonly facts: Facts; readonly rules: Rules } & CheckFacts<Facts, Rules>
): Pipeline<Rule.Errors<Rules[number]> | Fact.Errors<Facts[number]>, Requirements<Facts, Rules>> => {
  const names = new Set<string>()
  const duplicate = options.facts.find((fact) => names.size === names.add(fact.name).size)
  const root = Rule.all("pipeline", options.rules)
  return {
    facts: options.facts,
    rules: options.rules,
    run: duplicate === undefined
      ? Fact.provideAll(options.facts, root.run) as Effect.Effect<
        Decision.Decision,
        Rule.Errors<Rules[number]> | Fact.Errors<Facts[number]>,
        Requirements<Facts, Rules>
      >
      : Effect.die(new Error(`rulefx: fact "${duplicate.name}" is declared twice`))
  }
}
