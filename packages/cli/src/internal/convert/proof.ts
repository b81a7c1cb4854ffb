/**
 * What the differential test `rulefx convert` writes can prove: the kinds of decision the legacy rule can make
 * (DecisionKinds), and those none of the test's generated logins makes on the legacy side. A rule converted without
 * TODOs is only "converted" when its test reaches every one of them; otherwise the test would pass whatever the typed
 * rule does there.
 */
import type * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as Effect from "effect/Effect"
import * as Analyze from "../../Analyze.ts"
import * as DecisionKinds from "../../DecisionKinds.ts"
import * as GeneratedEvents from "../../GeneratedEvents.ts"
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

// The legacy side on one login: the kinds it made (none when it throws: the test would fail on that login anyway).
const kindsOf = (
  handler: PostLogin.Handler,
  login: Record<string, unknown>,
  rule: ReadonlyArray<DecisionKinds.Decision>
) =>
  Effect.promise(async () => {
    const api = RecordingApi.make({ event: login })
    try {
      await LogCapture.around(() => handler(login, api), { limit: 1 })
      return DecisionKinds.made(api.summary(), rule)
    } catch {
      return []
    }
  })

/** What the generated test will report as never reached: the legacy rule run on the test's logins. */
export const unreached = Effect.fnUntraced(function*(options: Options, rule: ReadonlyArray<DecisionKinds.Decision>) {
  if (rule.length === 0) return []
  const legacy = yield* RuleDifferential.legacyOf(options.rules, options.rule, options.afterLegacy)
  const { events } = GeneratedEvents.generate({ count: options.count, seed: 1, reads: legacy.reads })
  const reached = new Set<DecisionKinds.Kind>()
  for (const { event } of events) {
    const kinds = yield* kindsOf(
      legacy.handler,
      { ...structuredClone(event), secrets: legacy.secrets },
      legacy.decisions
    )
    for (const kind of kinds) reached.add(kind)
    if (rule.every((d) => reached.has(d.kind))) break
  }
  return DecisionKinds.unreached([...reached], rule)
})
