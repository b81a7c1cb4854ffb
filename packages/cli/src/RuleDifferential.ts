/**
 * RuleDifferential: runs one legacy rule and a typed handler meant to do the same on the same generated logins, and
 * lists the logins where they differ. The test `rulefx convert` generates calls it. Node-side only.
 *
 * The legacy rule is read from its rules folder (the deploy-cli layout) and run as `rulefx migrate` runs it
 * (LegacyAction, the `configuration` keys it names as settings). The logins come from GeneratedEvents, varied over
 * what the rule reads and with the values it compares them with; each also carries a secret for every
 * `configuration` key. Both get a fresh RecordingApi per login, and what each did is compared as its summary: allowed
 * or denied and the reason, ID and access-token claims, scopes, metadata writes, MFA and redirect. A time the rule
 * records (`Date.now()`, `new Date().toISOString()`) compares as "<now>" when it falls within the comparison's run. On
 * a login that redirects too, claims and scopes are compared: Auth0 is believed to keep them for the tokens issued after
 * the continue pass (unconfirmed).
 *
 * @since 0.1.0
 */
import type * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as LegacyAction from "@rulefx/legacy-rules/LegacyAction"
import * as LegacyRule from "@rulefx/legacy-rules/LegacyRule"
import * as LegacyRules from "@rulefx/legacy-rules/LegacyRules"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { isDeepStrictEqual } from "node:util"
import * as Analyze from "./Analyze.ts"
import * as DecisionKinds from "./DecisionKinds.ts"
import * as GeneratedEvents from "./GeneratedEvents.ts"
import * as Crashed from "./internal/crash.ts"
import * as RuleReads from "./internal/events/ruleReads.ts"
import { readText } from "./internal/files.ts"
import * as RulesFolder from "./RulesFolder.ts"

/**
 * What to compare.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The rules folder (`rules/` of a deploy-cli export, or the export's root). */
  readonly rules: string
  /** The legacy rule's name in the folder. */
  readonly rule: string
  /** The typed side, as an Action's handler (PostLogin.make of a pipeline holding the converted rule). */
  readonly typed: PostLogin.Handler
  /** How many logins; default 300. */
  readonly count?: number
  /** Default 1. */
  readonly seed?: number
  /**
   * The rules before it in the folder run first on the legacy side (the typed handler runs them too, through
   * `earlierRules`, as a mixed Action does), and the logins vary over what they read as well.
   */
  readonly afterLegacy?: boolean
  /** Post-login events of the user's own, run before the generated ones (to reach a branch none of those reaches). */
  readonly extra?: ReadonlyArray<Readonly<Record<string, unknown>>>
}

/**
 * One login where the two differ.
 *
 * @category models
 * @since 0.1.0
 */
export interface Difference {
  readonly event: string
  readonly login: Readonly<Record<string, unknown>>
  readonly typed: RecordingApi.Summary
  readonly legacy: RecordingApi.Summary
  /** What each side logged on this login (at most 50 lines each), to see why (a defect, a rule's own log). */
  readonly logs: { readonly typed: ReadonlyArray<string>; readonly legacy: ReadonlyArray<string> }
}

/**
 * The comparison's result.
 *
 * @category models
 * @since 0.1.0
 */
export interface Report {
  readonly events: number
  readonly differences: ReadonlyArray<Difference>
  /** The kinds of decision the legacy side made on at least one login, with their messages and claims (DecisionKinds). */
  readonly reached: ReadonlyArray<DecisionKinds.Made>
  /**
   * The logins the legacy rule crashed on (it threw the engine's TypeError or ReferenceError, and Rules failed the
   * login) while the typed rule denied, all else the same: both stop the login, so they are not differences; each with
   * the two reasons, to see.
   */
  readonly crashes: ReadonlyArray<Crash>
}

/**
 * A login the legacy rule crashed on and the typed rule denied (Report.crashes): the same outcome, another message.
 *
 * @category models
 * @since 0.1.0
 */
export interface Crash {
  readonly event: string
  /** The typed rule's reason. */
  readonly typed: string
  /** The engine's message the legacy rule denied with. */
  readonly legacy: string
}

/**
 * The legacy rule and secrets a comparison needs: the rule as `rulefx migrate` runs it, what it reads, its settings.
 *
 * @category constructors
 * @since 0.1.0
 */
export const legacyOf = Effect.fn("RuleDifferential.legacyOf")(function*(
  rules: string,
  rule: string,
  afterLegacy = false
) {
  const files = yield* filesOf(rules, rule, afterLegacy)
  const analysed = yield* Effect.forEach(files, legacyRuleOf)
  const keys = [...new Set(analysed.flatMap((a) => a.configurationKeys))]
  return {
    handler: LegacyAction.make(analysed.map((a) => a.rule)).onExecutePostLogin,
    reads: RuleReads.merge(analysed.map((a) => a.reads)),
    decisions: decisionsOf(analysed.map((a) => a.decisions)),
    secrets: Object.fromEntries(keys.map((key) => [key, `differential-${key}`]))
  }
})

// The decisions of the rule (the last of `rules`) a run counts as made: with the rules before it run first, theirs
// count too (as any kind of theirs does), so its denial messages are theirs and its own.
const decisionsOf = (
  rules: ReadonlyArray<ReadonlyArray<DecisionKinds.Decision>>
): ReadonlyArray<DecisionKinds.Decision> => {
  const denials = rules.flatMap((decisions) => decisions.filter((d) => d.kind === "deny"))
  const messages = denials.some((d) => d.messages === undefined)
    ? undefined
    : [...new Set(denials.flatMap((d) => d.messages ?? []))]
  return (rules.at(-1) ?? []).map((d): DecisionKinds.Decision =>
    d.kind !== "deny"
      ? d
      : messages === undefined
      ? { kind: d.kind, lines: d.lines }
      : { kind: d.kind, lines: d.lines, messages }
  )
}

// The rule's file, after the enabled login_success rules before it (by order, then name) when `earlier`.
const filesOf = Effect.fnUntraced(function*(rules: string, rule: string, earlier: boolean) {
  const folder = yield* RulesFolder.read(rules)
  const file = folder.rules.find((r) => r.name === rule)
  if (file === undefined) {
    return yield* new RuleDifferentialError({ reason: `${rules}: no rule named ${rule}` })
  }
  if (!earlier) return [file]
  return RulesFolder.upTo(folder, file)
})

const legacyRuleOf = Effect.fnUntraced(function*(file: RulesFolder.RuleFile) {
  const text = yield* readText(
    file.script,
    (problem) => new RuleDifferentialError({ reason: `${file.script}: ${problem}` })
  )
  const analysis = yield* Analyze.analyze(file.script, text)
  const source: LegacySource = { name: file.name, source: analysis.source, settings: analysis.configurationKeys }
  return {
    source,
    rule: LegacyRule.make(source.name, source.source, { settings: source.settings }),
    reads: RuleReads.ofRule(analysis.source, analysis.params),
    decisions: DecisionKinds.ofRule(text, analysis.source, analysis.params),
    configurationKeys: analysis.configurationKeys
  }
})

/**
 * A legacy rule as `earlierRules` runs it: `LegacyRule.make(name, source, { settings })`.
 *
 * @category models
 * @since 0.1.0
 */
export interface LegacySource {
  readonly name: string
  /** The rule's function, as Analyze found it in its file. */
  readonly source: string
  /** The `configuration` keys it reads. */
  readonly settings: ReadonlyArray<string>
}

/**
 * The rules before `rule` in its folder (enabled login_success rules, by order), as a set of legacy rules: what the
 * typed side of an `afterLegacy` comparison runs first, as a mixed Action does (its `State` is what the typed rule
 * reads).
 *
 * @category constructors
 * @since 0.1.0
 */
export const earlierRules = Effect.fn("RuleDifferential.earlierRules")(function*(
  options: { readonly rules: string; readonly rule: string }
) {
  const analysed = yield* earlierAnalysed(options)
  return LegacyRules.make(analysed.map((a) => a.rule))
})

/**
 * The rules `earlierRules` makes into legacy rules, as their sources: for a typed side built by another copy of
 * rulefx's packages (`rulefx convert` runs the generated test's comparison on a bundle of the converted module).
 *
 * @category constructors
 * @since 0.1.0
 */
export const earlierSources = Effect.fn("RuleDifferential.earlierSources")(function*(
  options: { readonly rules: string; readonly rule: string }
) {
  const analysed = yield* earlierAnalysed(options)
  return analysed.map((a) => a.source)
})

const earlierAnalysed = Effect.fnUntraced(function*(options: { readonly rules: string; readonly rule: string }) {
  const files = yield* filesOf(options.rules, options.rule, true)
  return yield* Effect.forEach(files.slice(0, -1), legacyRuleOf)
})

// The two run one after the other, so a rule that records the time of the login (`Date.now()`, `new Date()`) records
// two different instants: a number of milliseconds, or an ISO date, within the comparison's run reads as "<now>".
const timeOf = (start: number, end: number) => {
  const within = (ms: number) => ms >= start && ms <= end
  const visit = (u: unknown): unknown => {
    if (typeof u === "number") return within(u) ? "<now>" : u
    if (typeof u === "string") {
      return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(u) && within(Date.parse(u)) ? "<now>" : u
    }
    if (Array.isArray(u)) return u.map(visit)
    if (typeof u === "object" && u !== null) {
      return Object.fromEntries(Object.entries(u).map(([k, v]) => [k, visit(v)]))
    }
    return u
  }
  return visit
}

// What Auth0 applies of a summary: claims and metadata are sent as JSON (a Date as its ISO string, NaN as null, an
// undefined value absent), so two summaries equal as JSON decide the same. One JSON cannot hold (a BigInt, a cycle)
// is compared as it is.
const asSent = (summary: unknown): unknown => {
  try {
    return JSON.parse(JSON.stringify(summary))
  } catch {
    return summary
  }
}

/**
 * What one handler did on one login: its summary, and what it logged (at most `limit` lines).
 *
 * @category models
 * @since 0.1.0
 */
export interface Outcome {
  readonly summary: RecordingApi.Summary
  readonly lines: ReadonlyArray<string>
}

/**
 * Runs a handler on a copy of the login, with a fresh RecordingApi and the console captured (at most `limit` lines
 * kept): what it logs is kept, not printed. Fails with what the handler threw.
 *
 * @category constructors
 * @since 0.1.0
 */
export const outcomeOf = (
  handler: PostLogin.Handler,
  login: Readonly<Record<string, unknown>>,
  limit: number
): Effect.Effect<Outcome, unknown> =>
  Effect.tryPromise({
    try: async () => {
      const copy = structuredClone(login) as Record<string, unknown>
      const api = RecordingApi.make({ event: copy })
      const { lines } = await LogCapture.around(() => handler(copy, api), { limit })
      return { summary: api.summary(), lines }
    },
    catch: (error) => error
  })

/**
 * The legacy rule (legacyOf) and the logins a comparison runs, each named and with a secret for each `configuration`
 * key: the user's own (`extra`) first, then the generated ones (`count`, default 300; `seed`, default 1).
 *
 * @category constructors
 * @since 0.1.0
 */
export const logins = Effect.fn("RuleDifferential.logins")(function*(options: Omit<Options, "typed">) {
  const legacy = yield* legacyOf(options.rules, options.rule, options.afterLegacy === true)
  const { events } = GeneratedEvents.generate({
    count: options.count ?? 300,
    seed: options.seed ?? 1,
    reads: legacy.reads
  })
  const all = [...(options.extra ?? []).map((event, i) => ({ name: `extra-${i + 1}`, event })), ...events]
  return {
    legacy,
    logins: all.map(({ event, name }) => ({ name, login: { ...event, secrets: legacy.secrets } }))
  }
})

/**
 * Runs both on the same generated logins, one login at a time, and lists the logins where they differ.
 *
 * @category constructors
 * @since 0.1.0
 */
export const run = Effect.fn("RuleDifferential.run")(function*(options: Options) {
  const { legacy, logins: all } = yield* logins(options)
  const differences: Array<Difference> = []
  const crashes: Array<Crash> = []
  const reached = new Set<DecisionKinds.Made>()
  const start = yield* Clock.currentTimeMillis
  for (const { login, name } of all) {
    // One after the other: the typed side first.
    const typed = yield* Effect.orDie(outcomeOf(options.typed, login, 50))
    const old = yield* Effect.orDie(outcomeOf(legacy.handler, login, 50))
    for (const kind of DecisionKinds.made(old.summary, legacy.decisions)) reached.add(kind)
    const now = timeOf(start, yield* Clock.currentTimeMillis)
    // Claims and scopes count on every login, one that redirects too: Auth0 is believed to keep them for the tokens
    // issued after the continue pass (unconfirmed).
    const equal = (a: unknown, b: unknown) => isDeepStrictEqual(now(asSent(a)), now(asSent(b)))
    if (equal(typed.summary, old.summary)) continue
    if (Crashed.sameStop(typed.summary, old.summary, legacy.decisions, equal)) {
      crashes.push({ event: name, typed: typed.summary.denied ?? "", legacy: old.summary.denied ?? "" })
    } else {
      differences.push({
        event: name,
        login,
        typed: typed.summary,
        legacy: old.summary,
        logs: { typed: typed.lines, legacy: old.lines }
      })
    }
  }
  const report: Report = { events: all.length, differences, reached: [...reached], crashes }
  return report
})

/**
 * The rules folder or the rule cannot be read.
 *
 * @category errors
 * @since 0.1.0
 */
export class RuleDifferentialError extends Data.TaggedError("RuleDifferentialError")<{ readonly reason: string }> {
  override get message(): string {
    return this.reason
  }
}
