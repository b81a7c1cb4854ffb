/**
 * Writes the differential test `rulefx convert` generates next to a converted rule: the legacy rule (read from its
 * rules folder, run as `rulefx migrate` runs it) and the typed rule (built into a handler as an Action would be) on
 * the same generated logins, through RuleDifferential; the test fails on the first login they disagree on, and when a
 * decision the legacy rule can make (DecisionKinds: a kind, and each static denial message and claim name of it,
 * `Decision.sites`) is made on none of the logins: a branch no login reaches is one the comparison never tested.
 */
import type * as DecisionKinds from "../../DecisionKinds.ts"
import { exportName } from "./emit.ts"
import { inBlockComment } from "./todo.ts"

export interface Options {
  readonly rule: string
  /** The typed module, as the test imports it (`./email-verified.ts`). */
  readonly module: string
  /** The rules folder, relative to the test's folder (`../rules`). */
  readonly rules: string
  /** The legacy rule file, for the test's doc comment. */
  readonly file: string
  readonly count: number
  /** The typed rule is `(legacy) => Rule`: the earlier rules run first, as legacy rules, on both sides. */
  readonly afterLegacy: boolean
  /** The kinds of decision the legacy rule can make, each with its lines. */
  readonly decisions: ReadonlyArray<DecisionKinds.Decision>
  /**
   * The facts the typed rule imports (what earlier rules leave on `user`/`context`, or what it leaves there), and their
   * module: the earlier rules run first on both sides, as with `afterLegacy`, so the legacy rule reads what they left
   * and the typed one the facts.
   */
  readonly facts?: { readonly names: ReadonlyArray<string>; readonly module: string } | undefined
}

const lines = (d: { readonly lines: ReadonlyArray<number> }): string => `lines: [${d.lines.join(", ")}]`

// A decision as the test's source writes it; its sites (each denial message, each claim) only when it has them.
const literal = (d: DecisionKinds.Decision): string =>
  `{ kind: ${JSON.stringify(d.kind)}, ${lines(d)}${
    d.sites === undefined
      ? ""
      : `, sites: [${d.sites.map((s) => `{ value: ${JSON.stringify(s.value)}, ${lines(s)} }`).join(", ")}]`
  } }`

// The pipeline the typed handler runs, as the test builds it: the rule alone, or after the earlier rules (`legacy`,
// still legacy) with the facts it imports.
const pipeline = (options: Pick<Options, "rule" | "afterLegacy" | "facts">): string => {
  const name = exportName(options.rule)
  const facts = options.facts?.names ?? []
  return isEarlierFirst(options)
    ? `Pipeline.make({ facts: [${["legacy.State", ...facts].join(", ")}], rules: [legacy.rule, ${name}${
      options.afterLegacy ? "(legacy)" : ""
    }] })`
    : `Pipeline.make({ facts: [], rules: [${name}] })`
}

/** Whether the test runs the earlier rules first on both sides: with `afterLegacy`, or when the rule uses facts. */
export const isEarlierFirst = (options: Pick<Options, "afterLegacy" | "facts">): boolean =>
  options.afterLegacy || (options.facts?.names.length ?? 0) > 0

/**
 * A module that builds the typed handler exactly as the test does (`pipeline`), for `rulefx convert` to bundle and run
 * the test's comparison itself: it exports `typed(earlier)`, where `earlier` are the earlier rules' sources
 * (RuleDifferential.earlierSources; none when the rule runs alone). `module` and the facts module are absolute paths.
 */
export const handlerEntry = (options: Pick<Options, "rule" | "module" | "afterLegacy" | "facts">): string => {
  const facts = options.facts?.names ?? []
  const earlier = isEarlierFirst(options)
  return [
    `import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"`,
    `import * as Pipeline from "@rulefx/core/Pipeline"`,
    ...(earlier
      ? [
        `import * as LegacyRule from "@rulefx/legacy-rules/LegacyRule"`,
        `import * as LegacyRules from "@rulefx/legacy-rules/LegacyRules"`
      ]
      : []),
    `import * as Layer from "effect/Layer"`,
    ...(options.facts === undefined ? [] : [
      `import { ${facts.join(", ")} } from ${JSON.stringify(options.facts.module)}`
    ]),
    `import { ${exportName(options.rule)} } from ${JSON.stringify(options.module)}`,
    "",
    "export const typed = (earlier) => {",
    ...(earlier
      ? [
        "  const legacy = LegacyRules.make(",
        "    earlier.map((rule) => LegacyRule.make(rule.name, rule.source, { settings: rule.settings }))",
        "  )"
      ]
      : []),
    `  return PostLogin.make(${pipeline(options)}, Layer.empty)`,
    "}",
    ""
  ].join("\n")
}

/** The test module's text. */
export const source = (options: Options): string => {
  const name = exportName(options.rule)
  const facts = options.facts?.names ?? []
  const earlier = isEarlierFirst(options)
  return [
    "/**",
    ` * ${
      inBlockComment(`${options.rule}: the legacy rule (${options.file}) and its typed conversion (${options.module})`)
    } on the same`,
    " * generated logins. Generated by `rulefx convert`: keep it while the legacy rule is the reference. They must agree",
    " * on every login: allowed or denied with the same reason, the same claims, scopes, metadata writes, MFA and",
    " * redirect. RULEFX_DIFFERENTIAL_SEED and RULEFX_DIFFERENTIAL_COUNT change the logins. Each decision the legacy",
    " * rule can make (`decisions` below) must be made on at least one login: each kind (a denial, a token claim, scopes,",
    " * metadata, MFA, a redirect), each denial message and each claim name it lists (a denial counts with one of the",
    " * rule's own messages, not a thrown error's). A branch no login reaches is a branch nothing compared.",
    " */",
    `import { assert, describe, it } from "@effect/vitest"`,
    `import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"`,
    `import * as DecisionKinds from "@rulefx/cli/DecisionKinds"`,
    `import * as RuleDifferential from "@rulefx/cli/RuleDifferential"`,
    `import * as Pipeline from "@rulefx/core/Pipeline"`,
    `import * as Effect from "effect/Effect"`,
    `import * as Layer from "effect/Layer"`,
    `import { fileURLToPath } from "node:url"`,
    ...(options.facts === undefined ? [] : [
      `import { ${facts.join(", ")} } from ${JSON.stringify(options.facts.module)}`
    ]),
    `import { ${name} } from ${JSON.stringify(options.module)}`,
    "",
    `const rules = fileURLToPath(new URL(${JSON.stringify(options.rules)}, import.meta.url))`,
    ...(earlier ? [] : [`const typed = PostLogin.make(${pipeline(options)}, Layer.empty)`]),
    `const seed = Number(process.env["RULEFX_DIFFERENTIAL_SEED"] ?? 1)`,
    `const count = Number(process.env["RULEFX_DIFFERENTIAL_COUNT"] ?? ${options.count})`,
    "// What the legacy rule can decide, found in its code by `rulefx convert`, with the lines that decide it.",
    `const decisions: ReadonlyArray<DecisionKinds.Decision> = [${options.decisions.map(literal).join(", ")}]`,
    "// Post-login events of your own (as `rulefx events` writes them), run before the generated ones: add one here to",
    "// reach a branch no generated login reaches.",
    "const extra: ReadonlyArray<Record<string, unknown>> = []",
    "",
    `describe(${JSON.stringify(`${options.rule}: legacy and converted`)}, () => {`,
    `  it.live("agree on every generated login", () =>`,
    "    Effect.gen(function*() {",
    ...(earlier
      ? [
        "      // The rules before it, still legacy, run first on both sides.",
        `      const legacy = yield* RuleDifferential.earlierRules({ rules, rule: ${JSON.stringify(options.rule)} })`,
        "      const typed = PostLogin.make(",
        `        ${pipeline(options)},`,
        "        Layer.empty",
        "      )"
      ]
      : []),
    `      const report = yield* RuleDifferential.run({ rules, rule: ${
      JSON.stringify(options.rule)
    }, typed, seed, count, extra${earlier ? ", afterLegacy: true" : ""} })`,
    "      assert.strictEqual(report.events, count + extra.length)",
    "      assert.deepStrictEqual(report.differences.slice(0, 3), [])",
    "      assert.deepStrictEqual(DecisionKinds.unreached(report.reached, decisions), [])",
    "    }), 120_000)",
    "})",
    ""
  ].join("\n")
}
