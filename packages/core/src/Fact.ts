/**
 * Facts: typed values shared between rules without persisting them.
 *
 * Under Rules, one rule fetched a seller and stored it on `user`, and the next rule read it. A fact does that
 * with types: `Fact.make("CurrentSeller", fetchSeller)` names a computation; any rule or fact reads it with
 * `yield* CurrentSeller`. Reading a fact puts `Fact.Id<"CurrentSeller">` in the reader's requirements, so a
 * pipeline that reads a fact it does not declare does not compile (see Pipeline.make).
 *
 * Per login, each declared fact is a lazy memoised cell: computed on first read, once however many rules read
 * it, never if nobody reads it, and interrupted when every reader has gone (a denial elsewhere). Cells are built
 * inside each login's run, so nothing is shared between logins.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Effectable from "effect/Effectable"
import * as Layer from "effect/Layer"
import type { Denial } from "./Denial.ts"

const FactTypeId = "~@rulefx/core/Fact"

let instances = 0

/**
 * The requirement a fact's readers carry: the fact's name, in the type.
 *
 * @category models
 * @since 0.1.0
 */
export interface Id<Name extends string> {
  readonly [FactTypeId]: Name
}

/**
 * A named, typed value computed once per login. It is itself an Effect: `yield* fact` reads it.
 *
 * A class, not a plain object, because it must be yieldable like a service key (Effectable.Class).
 *
 * @category models
 * @since 0.1.0
 */
export class Fact<Name extends string, A, E extends Denial, R> extends Effectable.Class<A, E, Id<Name>> {
  /**
   * The context slot that holds this fact's per-login cell.
   *
   * @since 0.1.0
   */
  readonly key: Context.Key<Id<Name>, Effect.Effect<A, E>>
  /**
   * The fact's name, as its readers' requirement carries it.
   *
   * @since 0.1.0
   */
  readonly name: Name
  /**
   * How the fact is computed, at most once per login.
   *
   * @since 0.1.0
   */
  readonly compute: Effect.Effect<A, E, R>
  constructor(name: Name, compute: Effect.Effect<A, E, R>) {
    super()
    this.name = name
    this.compute = compute
    // Keyed by instance, not by name alone: another fact that happens to share the name never reads this one's cell.
    this.key = Context.Service<Id<Name>, Effect.Effect<A, E>>(`@rulefx/fact/${name}#${++instances}`)
  }
  /**
   * The fact's value in the current login: `yield* fact` runs this.
   *
   * @since 0.1.0
   */
  asEffect(): Effect.Effect<A, E, Id<Name>> {
    return Effect.flatten(this.key)
  }
}

/**
 * Any fact, for constraints.
 *
 * @category utility types
 * @since 0.1.0
 */
// oxlint-disable-next-line no-explicit-any
export type Any = Fact<any, any, any, any>

/**
 * The requirement ids of a union of facts.
 *
 * @category utility types
 * @since 0.1.0
 */
export type Ids<F> = F extends Fact<infer Name, infer _A, infer _E, infer _R> ? Id<Name> : never

/**
 * The services a union of facts needs to compute.
 *
 * @category utility types
 * @since 0.1.0
 */
export type Services<F> = F extends Fact<infer _N, infer _A, infer _E, infer R> ? R : never

/**
 * The denials a union of facts may fail with.
 *
 * @category utility types
 * @since 0.1.0
 */
export type Errors<F> = F extends Fact<infer _N, infer _A, infer E, infer _R> ? E : never

/**
 * The fact names still required by a set of requirements.
 *
 * @category utility types
 * @since 0.1.0
 */
export type MissingNames<R> = R extends Id<infer Name> ? Name : never

/**
 * Declares a fact: a name and the Effect that computes it. The computation may read the Login, services and other
 * facts; its error channel holds denials only.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <const Name extends string, A, E extends Denial = never, R = never>(
  // A literal name is what lets the compiler tell facts apart: with a plain `string`, Pipeline.make's check of
  // undeclared facts could not work, so it is refused.
  name: string extends Name ? "rulefx: a fact's name must be a string literal" : Name,
  compute: Effect.Effect<A, E, R>
): Fact<Name, A, E, Exclude<R, Id<Name>>> =>
  new Fact(name as Name, compute.pipe(Effect.annotateLogs({ fact: name })) as Effect.Effect<A, E, Exclude<R, Id<Name>>>)

/**
 * Provides a fact with a fixed value, for testing a rule without computing the fact.
 *
 * @category layers
 * @since 0.1.0
 */
export const layerValue = <Name extends string, A, E extends Denial, R>(
  fact: Fact<Name, A, E, R>,
  value: A
): Layer.Layer<Id<Name>> => Layer.succeed(fact.key, Effect.succeed(value))

/**
 * Builds the per-login cells of `facts` on top of the current context. Each cell computes with the full context
 * (so facts read other facts), lazily and at most once.
 *
 * @category constructors
 * @since 0.1.0
 */
export const provideAll = <A, E, R>(
  facts: ReadonlyArray<Any>,
  self: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    // oxlint-disable-next-line no-explicit-any
    let full = (yield* Effect.context<never>()) as Context.Context<any>
    // `full` is the current context plus the cells, so it replaces the context rather than being merged into it: a
    // merge copies every service, once per cell that runs and once for the rules (Context.add does not copy).
    const inFull = <X, Y, Z>(effect: Effect.Effect<X, Y, Z>): Effect.Effect<X, Y> =>
      Effect.updateContext(effect, () => full) as Effect.Effect<X, Y>
    for (const fact of facts) {
      // `full` is read when the cell first runs, by which time it holds every fact's cell. A cell computes in `full`,
      // whoever reads it first: a fact's value never depends on which rule asked.
      full = Context.add(full, fact.key, yield* Effect.cached(inFull(fact.compute)))
    }
    return yield* inFull(self) as Effect.Effect<A, E>
  })
