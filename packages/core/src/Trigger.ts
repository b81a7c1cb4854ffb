/**
 * Trigger: what the triggers other than post-login share, on top of core's Rule, Fact and Pipeline.
 *
 * A trigger's rule is an ordinary Rule (so Rule.all, any, sequence, optional, timeout, when and enabledBy, facts and
 * Pipeline all apply) whose requirements carry the trigger's marker, `On<Id>`. `makeRule` adds the marker and refuses,
 * at compile time, a check that uses post-login's Decisions or Login: a credentials-exchange rule that sets an
 * ID-token claim does not compile. `makePipeline` refuses a top-level rule without the marker (a post-login rule made
 * with Rule.make), naming its position. What a trigger may decide is written through the trigger's own recorder
 * (`Recorder<Id>`), a narrow view of core's Decision draft: only the fields that trigger's `api` can apply.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Decision from "./Decision.ts"
import type { Denial } from "./Denial.ts"
import type * as Fact from "./Fact.ts"
import type { Login } from "./Login.ts"
import * as Pipeline from "./Pipeline.ts"
import * as Rule from "./Rule.ts"

/**
 * The ids of the triggers rulefx models besides post-login.
 *
 * @category models
 * @since 0.1.0
 */
export type Id =
  | "credentials-exchange"
  | "pre-user-registration"
  | "post-user-registration"
  | "post-change-password"
  | "send-phone-message"
  | "custom-phone-provider"
  | "password-reset-post-challenge"
  | "custom-token-exchange"
  | "custom-email-provider"

/**
 * The marker a trigger's rules carry in their requirements; the trigger's handler provides it.
 *
 * @category models
 * @since 0.1.0
 */
export interface On<T extends Id> {
  readonly "~rulefx/Trigger": T
}

/**
 * The recorder of a trigger's decisions: post-login's Decision draft under the trigger's own key, so only the
 * trigger's own recording functions reach it.
 *
 * @category models
 * @since 0.1.0
 */
export interface Recorder<T extends Id> {
  readonly "~rulefx/Recorder": T
}

/**
 * The service a trigger's marker is read from.
 *
 * @category services
 * @since 0.1.0
 */
export const marker = <T extends Id>(id: T): Context.Key<On<T>, T> =>
  Context.Service<On<T>, T>(`@rulefx/core/Trigger/${id}`)

/**
 * The service a trigger's recorder is read from.
 *
 * @category services
 * @since 0.1.0
 */
export const recorder = <T extends Id>(id: T): Context.Key<Recorder<T>, Decision.Decisions["Service"]> =>
  Context.Service<Recorder<T>, Decision.Decisions["Service"]>(`@rulefx/core/Trigger/${id}/Recorder`)

/**
 * Records into a trigger's decision through its recorder.
 *
 * @category constructors
 * @since 0.1.0
 */
export const record = <T extends Id>(
  key: Context.Key<Recorder<T>, Decision.Decisions["Service"]>,
  f: (draft: Decision.Draft) => void
): Effect.Effect<void, never, Recorder<T>> => Effect.flatMap(key, (r) => r.record(f))

/**
 * Resolves to `unknown` when a check uses neither post-login's Decisions and Login nor another trigger's recorder;
 * otherwise to an object type whose one property names them, so the rule does not compile.
 *
 * @category utility types
 * @since 0.1.0
 */
export type CheckNotPostLogin<T extends Id, R> = [Extract<R, Foreign<T>>] extends [never] ? unknown
  : { readonly [K in `rulefx: a ${T} rule cannot use another trigger's decisions or Login`]: Extract<R, Foreign<T>> }

type Foreign<T extends Id> = Decision.Decisions | Login | Recorder<Exclude<Id, T>>

/**
 * Makes a rule of trigger `id` from its name and check. The check records through the trigger's recorder, reads the
 * trigger's input, facts and services, and allows or fails with a denial.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeRule = <T extends Id>(id: T) => {
  const key = recorder(id)
  return <E extends Denial = never, R = never>(
    name: string,
    check: Effect.Effect<unknown, E, R> & CheckNotPostLogin<T, R>
  ): Rule.Rule<E, Exclude<R, Recorder<T>> | On<T>> =>
    Rule.make(
      name,
      Effect.flatMap(
        Decision.Decisions,
        (decisions) => Effect.provideService(check as Effect.Effect<unknown, E, R>, key, decisions)
      )
    ) as unknown as Rule.Rule<E, Exclude<R, Recorder<T>> | On<T>>
}

/**
 * The positions, in `Rules`, of rules that do not carry trigger `T`'s marker.
 *
 * @category utility types
 * @since 0.1.0
 */
export type ForeignRules<T extends Id, Rules extends ReadonlyArray<Rule.Any>> = {
  // A rule that is `any` (a mistake where it is made, whose own error says why) is not named: the test for `any` is
  // wrapped in a tuple, since the `any` of a type error makes an unwrapped conditional `any`.
  [K in keyof Rules]: [0] extends [1 & Rules[K]] ? never
    : Rules[K] extends Rule.Rule<infer _E, infer R> ? [On<T>] extends [R] ? never : K
    : never
}[number]

/**
 * Resolves to `unknown` when every rule carries trigger `T`'s marker; otherwise names the positions of those that
 * do not, so the pipeline does not compile.
 *
 * @category utility types
 * @since 0.1.0
 */
export type CheckRules<T extends Id, Rules extends ReadonlyArray<Rule.Any>> = [ForeignRules<T, Rules>] extends [never]
  ? unknown
  : { readonly [K in `rulefx: these rules are not ${T} rules (make them with its makeRule)`]: ForeignRules<T, Rules> }

/**
 * Makes the pipeline of trigger `id`, as Pipeline.make does, checking that every rule is one of this trigger's.
 * With `sideEffectsOnly`, every top-level rule is made optional (Rule.optional): a failing rule is logged and the
 * others go on, for triggers whose outcome Auth0 does not wait for; such a pipeline never fails (facts are computed
 * inside the rules that read them).
 *
 * @category constructors
 * @since 0.1.0
 */
export const makePipeline =
  <T extends Id, S extends boolean = false>(_id: T, sideEffectsOnly?: S) =>
  <const Facts extends ReadonlyArray<Fact.Any>, const Rules extends ReadonlyArray<Rule.Any>>(
    options:
      & { readonly facts: Facts; readonly rules: Rules }
      & Pipeline.CheckFacts<Facts, Rules>
      & CheckRules<T, Rules>
  ): Pipeline.Pipeline<
    S extends true ? never
      : Rule.Errors<Rules[number]> | Fact.Errors<Facts[number]>,
    Pipeline.Requirements<Facts, Rules>
  > =>
    Pipeline.make<Facts, Rules>({
      facts: options.facts,
      rules: (sideEffectsOnly === true ? options.rules.map(Rule.optional) : options.rules) as unknown as Rules
      // oxlint-disable-next-line no-explicit-any
    } as any) as any
