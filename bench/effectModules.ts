/**
 * effect's largest modules in the seed Action: how many of their bytes any Effect program pays (the floor,
 * `Effect.runPromise(Effect.succeed(1))`), how many the adapter adds for any pipeline (the one-trivial-rule
 * pipeline), how many the seed's own rules add, and why each is on the Action's path. The bytes come from the run's
 * metafiles; the reasons were read in effect 4.1's sources and rulefx's (issue 10 asked for one per big module), and
 * name the code that keeps each module, so a change there shows up here as moved bytes.
 */
import type { Built } from "./size.ts"

/** Why a module is on the Action's path, and what taking it out would cost. */
interface Reason {
  readonly module: string
  readonly why: string
  readonly without: string
}

const reasons: ReadonlyArray<Reason> = [
  {
    module: "effect/internal/effect",
    why: "The floor's part is the fiber runtime (FiberImpl and its run loop, interruption, Exit). The adapter adds " +
      "the operators every pipeline runs on: concurrent `forEach` (`Rule.all`), `cached` (fact cells), " +
      "`callback` (HttpBody, api.cache), `catchCause`/`tapCause` (failing closed, rule logs), `updateContext` " +
      "(per-login services), the logger and log annotations, and the scope and memo map of a Layer build.",
    without: "A pipeline that is not run by effect's fiber runtime: rules would no longer be Effects."
  },
  {
    module: "effect/internal/core",
    why: "Floor: the Effect, Exit and Cause primitives every program is made of.",
    without: "Not removable: it is what an Effect is."
  },
  {
    module: "effect/Duration",
    why: "Not in the floor. `PostLogin.make`'s `deadline`, `Cache`'s `ttl` (and its 15-minute default), " +
      "`Rule.timeout` and SellerApi's timeout accept any `Duration.Input` (`\"5 seconds\"`, a tuple, a Duration); " +
      "effect's Clock (`sleep`) and `timeoutOrElse` go through it too. The module's Duration prototype keeps its " +
      "parser and its formatter.",
    without: "rulefx options in milliseconds only (a breaking API change) and no effect operator that takes a " +
      "Duration; the bench's upstream variant (no parsing in effect) saves 2.5 kB of the 5.1."
  },
  {
    module: "effect/Formatter",
    why: "Floor: `toString` of Cause, Exit and Option. The adapter adds what `Cause.pretty` renders an error with " +
      "(`formatJson`): the log line of a failure that is not a denial (PostLogin, Rule, the logger's cause line), " +
      "and effect's default logger, which `Effect.log*` keeps, uses it too.",
    without: "Log lines without the pretty cause and without formatted values; measured with the logger cut " +
      "(`no-cause-pretty` + `no-effect-logger`): 5.1 kB together, not applied, the lines differ."
  },
  {
    module: "effect/Equal",
    why: "Floor: structural equality, used by Context keys, Exit and Option, and by every Data class (denials).",
    without: "Not removable from outside effect."
  },
  {
    module: "effect/Hash",
    why: "Floor: Equal's partner (hashes cached per object).",
    without: "Not removable from outside effect."
  },
  {
    module: "effect/Scheduler",
    why: "Floor: a fiber yields to the scheduler after 2048 operations. A login runs about 195 and never reaches " +
      "it (bench/NOTES.md: 0 scheduler tasks per login), but every program carries it.",
    without: "Not removable from outside effect."
  },
  {
    module: "effect/Layer",
    why: "Not in the floor. The user's services are a Layer (`PostLogin.make(pipeline, layer)`). A ServiceLayer " +
      "(SellerApi.layer) is built per login by running its Effect; any other (`Layer.empty` too) with " +
      "`Layer.buildWithMemoMap` (memo map, Scope, Deferred), which the adapter must carry for it.",
    without: "`no-layer` (only ServiceLayers, no Layer-graph build) saves a few hundred bytes and refuses every " +
      "other Layer."
  }
]

/** One row of the table: a module, its bytes in the floor, in the trivial pipeline and in the seed, and its reason. */
export interface Row {
  readonly module: string
  readonly floor: number
  readonly trivial: number
  readonly seed: number
  readonly why: string
  readonly without: string
}

const bytesOf = (built: Built, module: string): number => built.inputs.find((i) => i.path === module)?.bytes ?? 0

/** The rows for `floor`, `trivial` and `seed` builds (each with its metafile's inputs), in the reasons' order. */
export const rows = (floor: Built, trivial: Built, seed: Built): ReadonlyArray<Row> =>
  reasons.map(({ module, why, without }) => ({
    module,
    floor: bytesOf(floor, module),
    trivial: bytesOf(trivial, module),
    seed: bytesOf(seed, module),
    why,
    without
  }))
