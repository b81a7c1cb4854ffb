/**
 * What the differential test `rulefx convert` writes can prove: the kinds of decision the legacy rule can make
 * (DecisionKinds), and those none of the test's generated logins makes on the legacy side. A rule converted without
 * TODOs is only "converted" when its test reaches every one of them; otherwise the test would pass whatever the typed
 * rule does there.
 */
import * as Effect from "effect/Effect"
import * as Analyze from "../../Analyze.ts"
import * as DecisionKinds from "../../DecisionKinds.ts"
import * as RuleDifferential from "../../RuleDifferential.ts"

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
