/**
 * What the differential test `rulefx convert` writes can prove: the kinds of decision the legacy rule can make
 * (DecisionKinds), and those none of the test's generated logins makes on the legacy side. A rule converted without
 * TODOs is only "converted" when its test reaches every one of them; otherwise the test would pass whatever the typed
 * rule does there. And the test's comparison itself (`compare`), run before convert calls the module converted: the
 * typed module bundled and run against the legacy rule on the test's logins.
 */
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Analyze from "../../Analyze.ts"
import * as DecisionKinds from "../../DecisionKinds.ts"
import * as RuleDifferential from "../../RuleDifferential.ts"
import * as Outcome from "../diff/outcome.ts"
import * as Scrub from "../diff/scrub.ts"
import * as TypedHandler from "./typedHandler.ts"

export interface Options {
  readonly rules: string
  readonly rule: string
  /** The rule file and its text. */
  readonly script: string
  readonly text: string
  /** The test's logins: its count and seed 1 (the generated test's default). */
  readonly count: number
  readonly afterLegacy: boolean
}

/** The decisions the rule can make. */
export const decisions = Effect.fnUntraced(function*(options: Pick<Options, "script" | "text">) {
  const analysis = yield* Analyze.analyze(options.script, options.text)
  return DecisionKinds.ofRule(options.text, analysis.source, analysis.params)
})

/** What the generated test will report as never reached: the legacy rule run on the test's logins. */
export const unreached = Effect.fnUntraced(function*(options: Options, rule: ReadonlyArray<DecisionKinds.Decision>) {
  if (rule.length === 0) return []
  const { legacy, logins } = yield* RuleDifferential.logins({ ...options, seed: 1 })
  const reached = new Set<DecisionKinds.Made>()
  for (const { login } of logins) {
    // None when it throws: the test would fail on that login anyway.
    const outcome = yield* Effect.option(RuleDifferential.outcomeOf(legacy.handler, login, 1))
    if (outcome._tag === "Some") {
      for (const kind of DecisionKinds.made(outcome.value.summary, legacy.decisions)) reached.add(kind)
    }
    if (DecisionKinds.unreached([...reached], rule).length === 0) break
  }
  return DecisionKinds.unreached([...reached], rule)
})

/**
 * The comparison the generated test runs (RuleDifferential.run, seed 1, `count` logins, no `extra`), with the typed
 * handler built as the test builds it (`entry`: DifferentialTest.handlerEntry): the earlier rules run first when
 * `afterLegacy`. Fails with why the typed module could not be bundled or loaded.
 */
export const compare = Effect.fnUntraced(function*(options: Options, entry: string, tests: string) {
  const earlier = options.afterLegacy ? yield* RuleDifferential.earlierSources(options) : []
  const typed = yield* TypedHandler.load({ entry, tests, earlier })
  return yield* RuleDifferential.run({ ...options, typed, seed: 1, extra: [] })
})

// A summary as paths and values: each field, and each key of a field that is a record (a claim, a metadata key).
const entriesOf = (summary: unknown): Array<Outcome.Entry> =>
  Predicate.isObject(summary)
    ? Object.entries(summary).flatMap(([field, value]) =>
      Predicate.isObject(value)
        ? Object.entries(value).map(([key, v]) => ({ path: [field, key], value: v }))
        : value === undefined || (Array.isArray(value) && value.length === 0)
        ? []
        : [{ path: [field], value }]
    )
    : []

const shown = (value: unknown): string => value === undefined ? "(none)" : JSON.stringify(value) ?? String(value)

/**
 * One login the two disagree on, as one line: the login's name, then each field that differs with the typed and the
 * legacy value (`generated-3: idTokenClaims.https://x/admin typed true, legacy (none)`). The login's secrets (the
 * test's stand-ins) are shown as `[secret KEY]`, never as their values.
 */
export const describe = (difference: RuleDifferential.Difference): string => {
  const secrets = (difference.login as { readonly secrets?: unknown }).secrets
  const scrub = Scrub.scrubberOf(Predicate.isObject(secrets) ? secrets : {})
  const fields = Outcome.compare(entriesOf(difference.typed), entriesOf(difference.legacy)).map((d) =>
    `${Outcome.pathText(d.path)} typed ${shown(d.a)}, legacy ${shown(d.b)}`
  )
  return scrub(`${difference.event}: ${fields.join("; ")}`)
}
