/**
 * `pnpm bench`: the seed Action (examples/seller-login, built by rulefx's bundler) against a hand-written plain-JS
 * Action of identical behaviour (bench/baseline/action.js), in one run. Checks first that both behave the same,
 * then measures bundle size, cold `require`, per-login latency and concurrency, analyses the seed's bytes and
 * measures candidate size cuts, prints a summary and writes bench/RESULTS.md with every figure, its ratio to the
 * baseline, the goal and whether it is met.
 *
 * Everything built goes to a temporary folder, removed at the end (BENCH_KEEP=1 keeps it).
 */
import * as esbuild from "esbuild"
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { cpus, platform, release, tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { concurrency, type ConcurrencyResults, lookupMillis, slowMillis } from "./concurrency.ts"
import * as EffectModules from "./effectModules.ts"
import { compare, type Comparison, load } from "./equivalence.ts"
import { buildNpm, type NpmMode } from "./npm.ts"
import * as R from "./report.ts"
import {
  buildAll,
  type Built,
  bundle,
  groups,
  measureVariants,
  root,
  type Sizes,
  type VariantResult,
  type VariantResults
} from "./size.ts"
import { type Cold, coldRequire, type Latency, perLogin } from "./speed.ts"
import { type TenantSpeed, tenantSpeed } from "./tenant-speed.ts"

const command = "npx -y pnpm@10.34.9 bench"

/** The combined size cut's name in the behaviour comparison. */
const combinedLabel = "all rulefx cuts"

/** The seed Action built with --runtime npm, in the behaviour comparison and the per-login runs. */
const npmLabel = "seed on --runtime npm"

/** Goals from issue 10: each size has a limit that must hold and a goal beyond it. */
const goals = {
  seedBytes: 60_000,
  seedGoalBytes: 50_000,
  trivialBytes: 50_000,
  trivialGoalBytes: 40_000,
  requireRatio: 3,
  tenantBytes: 100_000,
  perLoginMicros: 40,
  threeOverOne: 1.15,
  denialMillis: 50
}

/** Run sizes: enough for stable medians, small enough for about a minute on 2 cores. */
const coldRuns = 30
const logins = 2000
const warmup = 5000
const latencyRounds = 3
// The 60-rule tenant: fresh processes, each a cold start, then its logins (about 2 ms each).
const tenantProcesses = 5
const tenantLogins = 1000
const tenantWarmup = 300
const concurrencyRounds = 7

const versionOf = (pkg: string): string => {
  try {
    return (JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"), "utf8")) as { version: string })
      .version
  } catch {
    return "?"
  }
}

const step = (text: string) => process.stdout.write(`${text}\n`)

/** Reference points for the size budget: effect alone, built the same way. */
const references = async (dir: string): Promise<ReadonlyArray<{ readonly name: string; readonly built: Built }>> => {
  const sources: ReadonlyArray<[string, string]> = [
    [
      "`Effect.runPromise(Effect.succeed(1))`",
      `import * as Effect from "effect/Effect"\nexport const run = () => Effect.runPromise(Effect.succeed(1))\n`
    ],
    [
      "+ one service, one Layer, `Effect.provide`",
      `import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
class Greeter extends Context.Service<Greeter, { readonly greet: Effect.Effect<string> }>()("Greeter") {}
const layer = Layer.succeed(Greeter, Greeter.of({ greet: Effect.succeed("hi") }))
export const run = () => Effect.runPromise(Effect.flatMap(Greeter.asEffect(), (g) => g.greet).pipe(Effect.provide(layer)))
`
    ]
  ]
  const out: Array<{ name: string; built: Built }> = []
  for (const [i, [name, source]] of sources.entries()) {
    const entry = join(dir, `reference-${i}/entry.ts`)
    mkdirSync(join(dir, `reference-${i}`), { recursive: true })
    writeFileSync(entry, source)
    // oxlint-disable-next-line no-await-in-loop
    const built = await bundle(entry, join(dir, `reference-${i}/out/action.js`), {
      nodePaths: [join(root, "node_modules")]
    })
    out.push({ name, built })
  }
  return out
}

interface Results {
  readonly sizes: Sizes
  readonly npm: NpmMode
  /** Per-login results: index of the seed Action on --runtime npm in each `latency` row. */
  readonly npmLatency: number
  readonly refs: ReadonlyArray<{ readonly name: string; readonly built: Built }>
  readonly variants: VariantResults
  readonly comparison: Comparison
  readonly cold: ReadonlyArray<Cold>
  readonly latency: ReadonlyArray<{ readonly who: string; readonly results: ReadonlyArray<Latency> }>
  readonly conc: ConcurrencyResults
  readonly tenantSpeed: TenantSpeed
  readonly seconds: number
}

/** A size against its limit and the goal beyond it. */
const limitVerdict = (bytes: number, limit: number, goal: number): string =>
  bytes <= goal ? "met (goal too)" : bytes <= limit ? `met (goal ${R.kB(goal)}: not yet)` : "NOT met"

/** The cold-require rows of --runtime npm, by name. */
const npmColdName = "seed Action on --runtime npm (entry + @rulefx/action-runtime/post-login)"
const runtimeAColdName = "@rulefx/action-runtime alone (runtime A, ships)"
const runtimeBColdName = "runtime B alone (A + the rest of effect, not shipped)"
const runtimeLeanColdName = "@rulefx/action-runtime/lean alone (its lean file, ships)"
const runtimePostLoginColdName = "@rulefx/action-runtime/post-login alone (its post-login file, ships)"

/** The size rows of --runtime npm: the seed's code, the runtime package, and the 60-rule tenant both ways. */
const npmSizeRows = (r: Results): ReadonlyArray<R.SummaryRow> => {
  const { npm, sizes } = r
  const base = sizes.baseline
  const t = npm.tenant
  const bundledAtLeast = t.bundledRulesMinified + t.bundledRuntimeBytes
  return [
    {
      what: "seed Action's code, --runtime npm, minified",
      rulefx: R.bytesAndKb(npm.seed.bytes),
      baseline: R.bytesAndKb(base.bytes),
      ratio: R.ratio(npm.seed.bytes, base.bytes),
      goal: "-",
      met: "-"
    },
    {
      what: `@rulefx/action-runtime ${npm.version} (dist/index.cjs), minified`,
      rulefx: R.bytesAndKb(npm.runtime.bytes),
      baseline: "-",
      ratio: "-",
      goal: "an npm dependency: not counted",
      met: "-"
    },
    {
      what: "@rulefx/action-runtime, gzip",
      rulefx: R.bytesAndKb(npm.runtime.gzip),
      baseline: "-",
      ratio: "-",
      goal: "-",
      met: "-"
    },
    {
      what: `@rulefx/action-runtime/post-login (dist/post-login.cjs, what the seed Action loads), minified`,
      rulefx: R.bytesAndKb(npm.postLogin.bytes),
      baseline: "-",
      ratio: "-",
      goal: "an npm dependency: not counted",
      met: "-"
    },
    {
      what: `${t.rules}-rule tenant (${R.kB(t.sourceBytes)} of source), --runtime npm: Action's code, minified`,
      rulefx: R.bytesAndKb(t.npm.bytes),
      baseline: "-",
      ratio: "-",
      goal: "≤ 100,000 B",
      met: R.verdict(t.npm.bytes <= goals.tenantBytes && t.casesPassed === t.cases)
    },
    {
      what: `${t.rules}-rule tenant, bundled: migrate's size check (rules ${
        R.bytesAndKb(t.bundledRulesMinified)
      } + legacy runtime ${R.bytesAndKb(t.bundledRuntimeBytes)})`,
      rulefx: `at least ${R.bytesAndKb(bundledAtLeast)}`,
      baseline: "-",
      ratio: "-",
      goal: "refused before building",
      met: R.verdict(t.bundledRefused)
    },
    {
      what: `${t.rules}-rule tenant, --runtime npm: cold start (require, then the first login, which creates every ` +
        `rule's realm), median of ${r.tenantSpeed.processes} processes`,
      rulefx: `${R.ms(r.tenantSpeed.medianRequire)} + ${R.ms(r.tenantSpeed.medianFirstLogin)}`,
      baseline: "-",
      ratio: "-",
      goal: "-",
      met: "-"
    },
    {
      what: `${t.rules}-rule tenant, --runtime npm: per login ("${r.tenantSpeed.case}"), median (p99)`,
      rulefx: `${R.ms(r.tenantSpeed.medianPerLogin)} (${R.ms(r.tenantSpeed.p99PerLogin)})`,
      baseline: "-",
      ratio: "-",
      goal: "-",
      met: "-"
    }
  ]
}

const summaryRows = (r: Results): ReadonlyArray<R.SummaryRow> => {
  const { sizes, latency, conc, cold } = r
  const base = sizes.baseline
  const [seedCold, trivialCold, baseCold] = cold
  const rows: Array<R.SummaryRow> = [
    {
      what: "seed Action, minified",
      rulefx: R.bytesAndKb(sizes.seed.bytes),
      baseline: R.bytesAndKb(base.bytes),
      ratio: R.ratio(sizes.seed.bytes, base.bytes),
      goal: "≤ 60 kB (goal 50 kB)",
      met: limitVerdict(sizes.seed.bytes, goals.seedBytes, goals.seedGoalBytes)
    },
    {
      what: "seed Action, gzip",
      rulefx: R.bytesAndKb(sizes.seed.gzip),
      baseline: R.bytesAndKb(base.gzip),
      ratio: R.ratio(sizes.seed.gzip, base.gzip),
      goal: "-",
      met: "-"
    },
    {
      what: "one-trivial-rule pipeline, minified",
      rulefx: R.bytesAndKb(sizes.trivial.bytes),
      baseline: R.bytesAndKb(base.bytes),
      ratio: R.ratio(sizes.trivial.bytes, base.bytes),
      goal: "≤ 50 kB (goal 40 kB)",
      met: limitVerdict(sizes.trivial.bytes, goals.trivialBytes, goals.trivialGoalBytes)
    },
    {
      what: "one-trivial-rule pipeline, gzip",
      rulefx: R.bytesAndKb(sizes.trivial.gzip),
      baseline: R.bytesAndKb(base.gzip),
      ratio: R.ratio(sizes.trivial.gzip, base.gzip),
      goal: "-",
      met: "-"
    },
    ...npmSizeRows(r)
  ]
  if (seedCold !== undefined && baseCold !== undefined && trivialCold !== undefined) {
    const npmCold = cold.find((c) => c.name === npmColdName)
    rows.push(
      {
        what: `cold require, bundled seed Action, median of ${coldRuns} processes`,
        rulefx: R.ms(seedCold.medianRequire),
        baseline: R.ms(baseCold.medianRequire),
        ratio: R.ratio(seedCold.medianRequire, baseCold.medianRequire),
        goal: `≤ ${goals.requireRatio}× (bundled mode)`,
        met: R.verdict(seedCold.medianRequire <= goals.requireRatio * baseCold.medianRequire)
      },
      ...(npmCold === undefined ? [] : [{
        what: `cold require, seed Action on --runtime npm (entry + runtime), median of ${coldRuns} processes`,
        rulefx: R.ms(npmCold.medianRequire),
        baseline: R.ms(baseCold.medianRequire),
        ratio: R.ratio(npmCold.medianRequire, baseCold.medianRequire),
        goal: `≤ ${goals.requireRatio}× (npm mode)`,
        met: R.verdict(npmCold.medianRequire <= goals.requireRatio * baseCold.medianRequire)
      }]),
      {
        what: "cold require, bundled seed Action, p90",
        rulefx: R.ms(seedCold.p90Require),
        baseline: R.ms(baseCold.p90Require),
        ratio: R.ratio(seedCold.p90Require, baseCold.p90Require),
        goal: "-",
        met: "-"
      },
      {
        what: "first login after a cold require (bundled seed Action, no seller), median",
        rulefx: R.ms(seedCold.medianFirstLogin),
        baseline: R.ms(baseCold.medianFirstLogin),
        ratio: R.ratio(seedCold.medianFirstLogin, baseCold.medianFirstLogin),
        goal: "-",
        met: "-"
      }
    )
  }
  for (const { who, results } of latency) {
    const [mine, theirs] = results
    if (mine === undefined || theirs === undefined) continue
    const diff = mine.medianMicros - theirs.medianMicros
    const onNpm = results[r.npmLatency]
    const npmDiff = onNpm === undefined ? Number.NaN : onNpm.medianMicros - theirs.medianMicros
    rows.push(
      {
        what: `per login, ${who}, bundled, median (${R.us(diff)} over)`,
        rulefx: R.us(mine.medianMicros),
        baseline: R.us(theirs.medianMicros),
        ratio: R.ratio(mine.medianMicros, theirs.medianMicros),
        goal: "≤ 40 µs over",
        met: R.verdict(diff <= goals.perLoginMicros)
      },
      ...(onNpm === undefined ? [] : [{
        what: `per login, ${who}, --runtime npm, median (${R.us(npmDiff)} over)`,
        rulefx: R.us(onNpm.medianMicros),
        baseline: R.us(theirs.medianMicros),
        ratio: R.ratio(onNpm.medianMicros, theirs.medianMicros),
        goal: "≤ 40 µs over",
        met: R.verdict(npmDiff <= goals.perLoginMicros)
      }]),
      {
        what: `per login, ${who}, bundled, p99 (${R.us(mine.p99Micros - theirs.p99Micros)} over)`,
        rulefx: R.us(mine.p99Micros),
        baseline: R.us(theirs.p99Micros),
        ratio: R.ratio(mine.p99Micros, theirs.p99Micros),
        goal: "-",
        met: "-"
      }
    )
  }
  rows.push(
    {
      what: `three independent ${lookupMillis} ms lookups (rulefx facts) vs one lookup (plain fetch)`,
      rulefx: R.ms(conc.threeRulefx.medianMillis),
      baseline: R.ms(conc.oneLookupPlain.medianMillis),
      ratio: R.ratio(conc.threeRulefx.medianMillis, conc.oneLookupPlain.medianMillis),
      goal: "≤ 1.15×",
      met: R.verdict(conc.threeRulefx.medianMillis <= goals.threeOverOne * conc.oneLookupPlain.medianMillis)
    },
    {
      what: `three independent ${lookupMillis} ms lookups (rulefx facts) vs the three one after another (plain JS)`,
      rulefx: R.ms(conc.threeRulefx.medianMillis),
      baseline: R.ms(conc.threeSequentialPlain.medianMillis),
      ratio: R.ratio(conc.threeRulefx.medianMillis, conc.threeSequentialPlain.medianMillis),
      goal: "-",
      met: "-"
    }
  )
  const denyNow = conc.denial[0]
  const seedDeny = conc.denial[2]
  const baseDeny = conc.denial[3]
  if (denyNow !== undefined && seedDeny !== undefined && baseDeny !== undefined) {
    rows.push(
      {
        what: `denial while an unrelated ${slowMillis} ms lookup is in flight (rulefx pipeline)`,
        rulefx: R.ms(denyNow.millis),
        baseline: R.ms(baseDeny.millis),
        ratio: R.ratio(denyNow.millis, baseDeny.millis),
        goal: `does not wait (≤ ${goals.denialMillis} ms)`,
        met: R.verdict(denyNow.millis <= goals.denialMillis)
      },
      {
        what: `denial by role while the seller API takes ${slowMillis} ms (seed Action)`,
        rulefx: R.ms(seedDeny.millis),
        baseline: R.ms(baseDeny.millis),
        ratio: R.ratio(seedDeny.millis, baseDeny.millis),
        goal: `does not wait (≤ ${goals.denialMillis} ms)`,
        met: R.verdict(seedDeny.millis <= goals.denialMillis)
      }
    )
  }
  return rows
}

const saved = (control: Built, built: Built | undefined, key: "bytes" | "gzip"): string =>
  built === undefined ? "-" : R.signedBytes(built[key] - control[key])

const variantRow = (control: VariantResults["control"], result: VariantResult): ReadonlyArray<string> => [
  result.variant.name,
  result.variant.owner,
  result.notApplicable === undefined
    ? R.bytesAndKb(result.seed?.bytes ?? 0)
    : `does not apply: ${result.notApplicable}`,
  saved(control.seed, result.seed, "bytes"),
  saved(control.seed, result.seed, "gzip"),
  saved(control.trivial, result.trivial, "bytes")
]

const markdown = (r: Results): string => {
  const { sizes, variants, comparison, cold, latency, conc, refs } = r
  const control = variants.control
  const cpuList = cpus()
  const lines: Array<string> = []
  const push = (...text: Array<string>) => lines.push(...text)
  const [header, rows] = R.summaryTable(summaryRows(r))

  push(
    "# rulefx benchmarks",
    "",
    "Generated by `bench/run.ts`; do not edit by hand. Every figure below comes from one run of:",
    "",
    "```sh",
    command,
    "```",
    "",
    `- Machine: Node ${process.version} (${
      process.execPath.includes("node_modules") ? "the workspace's Node" : "system Node"
    }), ` +
      `${cpuList.length} CPUs (${cpuList[0]?.model.trim() ?? "unknown"}), ${platform()} ${release()}`,
    `- Versions: effect ${versionOf("effect")}, esbuild ${esbuild.version}`,
    `- Date: ${new Date().toISOString()}; the run took ${r.seconds.toFixed(0)} s`,
    "- Baseline: `bench/baseline/action.js`, the seed scenario written by hand in plain CommonJS (no dependencies), " +
      "minified with the same esbuild settings as the Action for every size and speed figure.",
    "- Ratios are rulefx ÷ hand-written (for the concurrency rows, ÷ the plain-JS reference named in the row).",
    "",
    "## Summary",
    "",
    R.markdownTable(header, rows, ["l", "r", "r", "r", "l", "l"]),
    "",
    "## Behaviour: identical, checked on every run",
    "",
    `Both Actions ran the demo's logins (scripts/demo.ts, the first eight) and ${
      comparison.rows.length - 8
    } edge cases of the seed contract, each Action with a recording \`api\` against its own fake seller API on 127.0.0.1 ` +
      "(packages/testing SellerServer). The bench aborts unless every `api` call (method, arguments, order) and every " +
      "count of seller requests is the same. Seller requests are not compared where the seed Action denies while its " +
      "lookup may already be on the wire (marked \\*): the hand-written one denies before looking up.",
    "",
    R.markdownTable(
      ["login", "outcome (both)", "seller requests (seed / hand-written)", "same"],
      comparison.rows.map((row) => [
        row.who,
        row.outcome,
        `${row.requests[0]} / ${row.requests[1]}${row.racy ? "\\*" : ""}`,
        row.same[0] === true ? "yes" : "NO"
      ])
    ),
    ""
  )

  // Sizes
  push(
    "## Bundle size",
    "",
    "Built with `@rulefx/cli/Bundle` (esbuild, platform node, target node22, CommonJS, minified, everything " +
      "bundled); gzip is node:zlib level 9. 1 kB = 1000 bytes.",
    "",
    R.markdownTable(
      ["file", "minified", "gzip", "ratio (min)", "ratio (gzip)"],
      [
        ["seed Action (examples/seller-login)", sizes.seed, sizes.baseline] as const,
        ["one-trivial-rule pipeline (bench/trivial/action.ts)", sizes.trivial, sizes.baseline] as const,
        ["hand-written Action, minified", sizes.baseline, sizes.baseline] as const
      ].map(([name, b, base]) => [
        name,
        R.bytesAndKb(b.bytes),
        R.bytesAndKb(b.gzip),
        R.ratio(b.bytes, base.bytes),
        R.ratio(b.gzip, base.gzip)
      ]).concat([[
        "hand-written Action, source as written",
        R.bytesAndKb(sizes.baselineSourceBytes),
        R.bytesAndKb(sizes.baselineSourceGzip),
        R.ratio(sizes.baselineSourceBytes, sizes.baseline.bytes),
        R.ratio(sizes.baselineSourceGzip, sizes.baseline.gzip)
      ]]),
      ["l", "r", "r", "r", "r"]
    ),
    "",
    "Reference points, effect alone, built the same way:",
    "",
    R.markdownTable(
      ["program", "minified", "gzip"],
      refs.map(({ name, built }) => [name, R.bytesAndKb(built.bytes), R.bytesAndKb(built.gzip)]),
      ["l", "r", "r"]
    ),
    ""
  )

  // Where the bytes go
  const seedGroups = groups(sizes.seed)
  push(
    "## Where the seed Action's bytes go",
    "",
    "From esbuild's metafile (bytes each input contributes to the minified output)" +
      (sizes.analysisDifference === 0
        ? ", of a build identical to Bundle.build's."
        : `, of a build without Bundle.build's barrel-import rewrite (it differs by ${sizes.analysisDifference} B).`),
    "",
    R.markdownTable(
      ["package", "bytes", "share"],
      seedGroups.map((g) => [g.group, R.bytesAndKb(g.bytes), `${((100 * g.bytes) / sizes.seed.bytes).toFixed(1)} %`]),
      ["l", "r", "r"]
    ),
    "",
    "Largest modules:",
    "",
    R.markdownTable(
      ["module", "bytes"],
      sizes.seed.inputs.slice(0, 25).map((i) => [i.path, R.bytesAndKb(i.bytes)]),
      ["l", "r"]
    ),
    "",
    "effect's largest modules: their bytes in the floor any Effect program pays (the first reference point above), " +
      "in the one-trivial-rule pipeline (what the adapter adds for any pipeline) and in the seed Action, and why each " +
      "is on the Action's path (bench/effectModules.ts):",
    "",
    R.markdownTable(
      ["module", "floor", "trivial pipeline", "seed", "why it is there", "what taking it out would cost"],
      EffectModules.rows(refs[0]!.built, sizes.trivial, sizes.seed).map((row) => [
        row.module,
        R.bytesAndKb(row.floor),
        R.bytesAndKb(row.trivial),
        R.bytesAndKb(row.seed),
        row.why,
        row.without
      ]),
      ["l", "r", "r", "r", "l", "l"]
    ),
    ""
  )

  // Cuts
  const combined = variants.combined
  const withEffect = variants.combinedWithEffect
  const cutRows = variants.single.map((v) => {
    const last = variants.leaveOneOut.find((l) => l.variant.name === v.variant.name)
    const lastSaved = last?.seed !== undefined && combined.seed !== undefined
      ? R.signedBytes(combined.seed.bytes - last.seed.bytes)
      : "-"
    return [
      ...variantRow(control, v),
      lastSaved,
      v.sites.length === 0 ? "effect/dist" : shortSites(v.sites),
      v.variant.keepsBehaviour
    ]
  })
  push(
    "## What could cut the seed Action toward 50 kB (measured)",
    "",
    "Each cut is a patch over a copy of the sources in a temporary folder (bench/variants.ts; packages/*/src are " +
      "never touched), built with the same esbuild settings and compared with the unpatched copy " +
      `(${R.bytesAndKb(control.seed.bytes)} seed, ${R.bytesAndKb(control.trivial.bytes)} trivial). ` +
      "Changes are in bytes, negative means smaller. \"Change alone\" is the cut by itself; \"change last\" is what " +
      "it still changes when every other rulefx cut is already in (cuts overlap: a module goes only when its last " +
      "user goes). \"Where\" lists the source lines each cut patches, in today's sources.",
    "",
    R.markdownTable(
      [
        "cut",
        "owner",
        "seed, minified",
        "change alone",
        "gzip change",
        "trivial change",
        "change last",
        "where",
        "behaviour"
      ],
      cutRows,
      ["l", "l", "r", "r", "r", "r", "r", "l", "l"]
    ),
    "",
    "What each cut does:",
    "",
    ...variants.single.map((v) => `- **${v.variant.name}**: ${v.variant.what}.`),
    "",
    "Together:",
    "",
    R.markdownTable(
      ["build", "seed, minified", "change", "gzip change", "trivial pipeline", "trivial change"],
      [...variants.pairs, combined, withEffect].map((v) => [
        v.variant.name,
        v.seed === undefined ? `does not apply: ${v.notApplicable ?? ""}` : R.bytesAndKb(v.seed.bytes),
        saved(control.seed, v.seed, "bytes"),
        saved(control.seed, v.seed, "gzip"),
        v.trivial === undefined ? "-" : R.bytesAndKb(v.trivial.bytes),
        saved(control.trivial, v.trivial, "bytes")
      ]),
      ["l", "r", "r", "r", "r", "r"]
    ),
    ""
  )
  const combinedSame = comparison.names.indexOf(combinedLabel)
  if (combinedSame > 0) {
    const ok = comparison.identical[combinedSame - 1] === true
    push(
      `The combined rulefx cut was run through the same ${comparison.rows.length} logins as above: ` +
        (ok ? "identical `api` calls and seller requests to the seed Action." : "it DIFFERS from the seed Action."),
      ""
    )
  }
  if (combined.seed !== undefined) {
    const left = groups(combined.seed)
    const effectLeft = left.find((g) => g.group === "effect")?.bytes ?? 0
    const floor = refs[0]?.built.bytes ?? 0
    const effectInTrivial = groups(combined.trivial ?? sizes.trivial).find((g) => g.group === "effect")?.bytes ?? 0
    push(
      "What is left after every rulefx cut:",
      "",
      R.markdownTable(
        ["package", "bytes"],
        left.map((g) => [g.group, R.bytesAndKb(g.bytes)]),
        ["l", "r"]
      ),
      "",
      "### Verdict on the size goals",
      "",
      `- Seed Action: ${R.kB(sizes.seed.bytes)} today; every measured rulefx cut together brings it to ` +
        `${R.kB(combined.seed.bytes)}, and with effect's own Duration change ${R.kB(withEffect.seed?.bytes ?? 0)}. ` +
        `The 50 kB goal is ${combined.seed.bytes <= goals.seedBytes ? "reached" : "not reached"} by these cuts. ` +
        `Of what is left, ${R.kB(effectLeft)} is effect, and ${R.kB(floor)} of that is the floor any Effect program ` +
        "pays (`Effect.runPromise(Effect.succeed(1))`: the fiber runtime, Cause, Context, Equal/Hash, Scheduler, " +
        "Formatter); the rest is the operators the pipeline really uses (concurrent `forEach` for `Rule.all`, " +
        "`Effect.cached` for facts, `timeoutOrElse` with Duration for `Rule.make`'s `timeout` option, Duration for " +
        "the deadline and the seller timeout, `callback` with an AbortSignal, `provideContext`, `runFork`).",
      `- One-trivial-rule pipeline: ${R.kB(sizes.trivial.bytes)} today, ${R.kB(combined.trivial?.bytes ?? 0)} with ` +
        `every rulefx cut and ${R.kB(withEffect.trivial?.bytes ?? 0)} with effect's Duration change too. In the cut ` +
        `build, effect alone is ${R.kB(effectInTrivial)}${
          effectInTrivial > goals.trivialBytes ? ", already over the 40 kB goal before any rulefx code" : ""
        }: the ${R.kB(floor)} floor plus the operators the adapter needs for any pipeline (concurrent \`forEach\`, ` +
        "`timeoutOrElse` for `Rule.make`'s `timeout` option, Duration for the deadline, `provideContext`, `runFork`, " +
        "Data errors). The 40 kB " +
        `goal is ${
          (combined.trivial?.bytes ?? Infinity) <= goals.trivialBytes ? "reached" : "not reachable"
        } with these cuts; it would take a smaller effect runtime (upstream), not smaller rulefx code.`,
      `- Ranked by what each rulefx cut still saves when it comes last: ${
        variants.leaveOneOut
          .filter((l) => l.seed !== undefined)
          .map((l) => ({ name: l.variant.name, saved: (l.seed?.bytes ?? 0) - (combined.seed?.bytes ?? 0) }))
          .toSorted((a, b) => b.saved - a.saved)
          .map((l) => `\`${l.name}\` ${R.kB(l.saved)}`)
          .join(", ")
      }. \`no-cause-pretty\` saves nothing alone (${
        saved(control.seed, variants.single.find((v) => v.variant.name === "no-cause-pretty")?.seed, "bytes")
      }): effect's default logger, which \`Effect.log*\` keeps in the bundle, renders causes with \`Cause.pretty\` ` +
        "too, so it only pays off with `no-effect-logger`. Neither is applied: the lines they print differ (the " +
        "error tag instead of the pretty cause; no user=, rule= or fact=), and the adapter's logger, which gives a " +
        "user's own `Effect.log*` lines the rulefx format, is what keeps effect's default logger in the bundle: " +
        "kept, with rulefx's own lines on a printer of their own, the two cuts together saved 0.2 kB (measured by " +
        `hand). \`no-layer\` ${
          saved(control.seed, variants.single.find((v) => v.variant.name === "no-layer")?.seed, "bytes")
        } alone: the seed's layer (SellerApi.layer, a ServiceLayer) is already built per login by running its ` +
        "Effect, so what is left is the code of a Layer-graph build, which any other user layer needs. " +
        "`valibot-to-lite` is applied: core's `Validator` (valibot's checks, issue messages and order, checked " +
        "against valibot by a differential property test) replaced valibot in the event, seller body, sellerId, " +
        "roles and rule options (-4.2 kB on the seed, -2.7 kB on examples/legacy-rules). Three earlier candidates " +
        "changed nothing a login can " +
        "see and are applied in the sources: no tracing span in SellerApi (-4.9 kB), one Effect.catch per retry " +
        "instead of Effect.retry and Schedule (-2.2 kB), and pure annotations on combinators and denials (-0.8 kB). " +
        "A later round took 1.3 kB more off the seed without changing a login (CHANGELOG, issue 9's size criteria): " +
        "an unused valibot regex esbuild now drops, `ClaimName.profile` built by a pure call, `catchTag` and " +
        "`Layer.sync` each replaced by an operator the Action already has, one run per login, and code written twice " +
        "written once.",
      ""
    )
  }

  // Cold require
  const [seedCold, , baseCold] = cold
  push(
    "## Cold require",
    "",
    `Each file is required in a fresh \`node\` process (process.execPath, ${process.version}, no compile cache), ` +
      `${coldRuns} processes per file, interleaved, after one discarded round. \`process.hrtime\` around \`require\`; ` +
      "then one login that needs no network (a user without a seller), timed from the end of `require` to the " +
      "handler's resolution. \"require CPU\" is the process's CPU time (user + system) during `require`: on a " +
      "shared machine the wall-clock figures also hold the time a process waited for a CPU, which this does not. " +
      "\"require + first login CPU\" runs to the end of that login: work an Action builds on first use instead of " +
      "at load leaves it unchanged.",
    "",
    R.markdownTable(
      [
        "file",
        "require median",
        "require p90",
        "ratio (median)",
        "require CPU median",
        "ratio (CPU)",
        "first login median",
        "ratio",
        "require + first login CPU median",
        "ratio (CPU)"
      ],
      cold.map((c) => [
        c.name,
        R.ms(c.medianRequire),
        R.ms(c.p90Require),
        baseCold === undefined ? "-" : R.ratio(c.medianRequire, baseCold.medianRequire),
        R.ms(c.medianRequireCpu),
        baseCold === undefined ? "-" : R.ratio(c.medianRequireCpu, baseCold.medianRequireCpu),
        R.ms(c.medianFirstLogin),
        baseCold === undefined ? "-" : R.ratio(c.medianFirstLogin, baseCold.medianFirstLogin),
        R.ms(c.medianColdCpu),
        baseCold === undefined ? "-" : R.ratio(c.medianColdCpu, baseCold.medianColdCpu)
      ]),
      ["l", "r", "r", "r", "r", "r", "r", "r", "r", "r"]
    ),
    "",
    seedCold !== undefined && baseCold !== undefined
      ? `Goal: require of the bundled seed Action ≤ ${goals.requireRatio}× the hand-written one: ${
        R.ratio(seedCold.medianRequire, baseCold.medianRequire)
      }, ${R.verdict(seedCold.medianRequire <= goals.requireRatio * baseCold.medianRequire)} (CPU time: ${
        R.ratio(seedCold.medianRequireCpu, baseCold.medianRequireCpu)
      }).`
      : "",
    ""
  )

  // Per login
  push(
    "## Per-login latency",
    "",
    "Timed in-process, in a fresh `node` per Action and round (the built file loaded with `require`, " +
      `${latencyRounds} rounds, the Actions interleaved), so no Action's garbage or JIT state lands on another's ` +
      "figures. The seller call is stubbed the same way for every Action: `globalThis.fetch` is replaced by a " +
      "function that resolves at once to `{ status, headers, body, text() }` with the demo's seller body (rulefx " +
      "reads `body` as a capped stream, the hand-written Action calls `text()`), so sockets are not timed; " +
      "everything else (event decoding, secrets, facts, reading the body, HMAC, claims, a fresh " +
      `recording api per login) is. Per process and login kind: ${warmup} untimed logins, then ${logins} timed ones, ` +
      `one at a time. Medians and p99 pool the rounds (${logins * latencyRounds} logins per Action and kind); the ` +
      "per-round medians show how much a run can move.",
    "",
    R.markdownTable(
      [
        "login",
        "rulefx median",
        "hand-written median",
        "over",
        "ratio",
        "rulefx p99",
        "hand-written p99",
        "over (p99)",
        "per-round medians (rulefx; hand-written)"
      ],
      latency.map(({ who, results }) => {
        const [a, b] = results
        if (a === undefined || b === undefined) return [who, "-", "-", "-", "-", "-", "-", "-", "-"]
        return [
          who,
          R.us(a.medianMicros),
          R.us(b.medianMicros),
          R.us(a.medianMicros - b.medianMicros),
          R.ratio(a.medianMicros, b.medianMicros),
          R.us(a.p99Micros),
          R.us(b.p99Micros),
          R.us(a.p99Micros - b.p99Micros),
          `${rounds(a)}; ${rounds(b)} µs`
        ]
      }),
      ["l", "r", "r", "r", "r", "r", "r", "r", "l"]
    ),
    "",
    `Goal: ≤ ${goals.perLoginMicros} µs over the hand-written Action per login (medians).`,
    "",
    "Where the time goes, timed in the same rounds: the one-trivial-rule pipeline (the adapter and effect's runtime " +
      "with one rule, no facts, no services; its logins set one claim whatever the user) and the seed Action with " +
      "every rulefx size cut above (same api calls as the seed).",
    "",
    R.markdownTable(
      ["login", "hand-written", "one-trivial-rule pipeline", "over", "seed, all rulefx cuts", "over"],
      latency.map(({ who, results }) => {
        const [, base, trivialLatency, , cut] = results
        return [who, cell(base), cell(trivialLatency), overCell(trivialLatency, base), cell(cut), overCell(cut, base)]
      }),
      ["l", "r", "r", "r", "r", "r"]
    ),
    "",
    perLoginVerdict(latency),
    "",
    "Measured by hand, not by this run (a regenerated report would drop it): `bench/NOTES.md`.",
    ""
  )

  push(...npmSection(r))

  // Concurrency
  push(
    "## Concurrency",
    "",
    `A local server on 127.0.0.1 answers each lookup after ${lookupMillis} ms. The rulefx case is a pipeline built ` +
      "with @rulefx/core (three `Fact.make` lookups through `Effect.promise` with the AbortSignal, three rules each " +
      "reading one and setting a claim), run through the real `PostLogin.make` handler. Plain JS uses `fetch` and " +
      `\`await\`. Medians of ${conc.rounds} rounds after one warm-up round.`,
    "",
    R.markdownTable(
      ["case", "median", "ratio to one lookup (plain)"],
      [
        ["one lookup, plain fetch", conc.oneLookupPlain],
        ["one lookup, rulefx pipeline with one fact", conc.oneLookupRulefx],
        ["three lookups, rulefx pipeline with three facts", conc.threeRulefx],
        ["three lookups, plain JS one after another", conc.threeSequentialPlain],
        ["three lookups, plain JS Promise.all", conc.threePromiseAll]
      ].map(([name, x]) => [
        name as string,
        R.ms((x as { medianMillis: number }).medianMillis),
        R.ratio((x as { medianMillis: number }).medianMillis, conc.oneLookupPlain.medianMillis)
      ]),
      ["l", "r", "r"]
    ),
    "",
    `Goal: three independent lookups finish in ≤ 1.15× one lookup: ${
      R.ratio(conc.threeRulefx.medianMillis, conc.oneLookupPlain.medianMillis)
    }, ${R.verdict(conc.threeRulefx.medianMillis <= goals.threeOverOne * conc.oneLookupPlain.medianMillis)}.`,
    "",
    `### A denial does not wait for an unrelated lookup (${slowMillis} ms)`,
    "",
    "The rulefx pipelines list the rule that reads the slow fact first, so its request starts before the denial. " +
      "\"Aborted\" is the slow lookup's AbortSignal once the handler has returned: the denial interrupted it. The " +
      "Actions' case is a user whose role is not allowed and whose seller API takes 1 s.",
    "",
    R.markdownTable(
      [
        "case",
        "elapsed",
        "ratio to hand-written Action",
        "outcome",
        "slow request reached the server",
        "lookup aborted"
      ],
      conc.denial.map((d) => [
        d.name,
        R.ms(d.millis),
        R.ratio(d.millis, conc.denial[3]?.millis ?? d.millis),
        d.outcome,
        d.requestSeen === undefined ? "-" : d.requestSeen ? "yes" : "no",
        d.aborted === undefined ? "-" : d.aborted ? "yes" : "no"
      ]),
      ["l", "r", "r", "l", "l", "l"]
    ),
    "",
    `Goal: a denied login does not wait for the lookup (taken here as ≤ ${goals.denialMillis} ms, against ${slowMillis} ms ` +
      "for waiting).",
    ""
  )
  push(
    "## Files",
    "",
    "- `bench/run.ts`: the run and this report; `bench/size.ts`: builds, metafile analysis and the cut variants " +
      "(`bench/variants.ts`); `bench/equivalence.ts`: the behaviour check; `bench/speed.ts`: cold require and " +
      "per-login latency; `bench/concurrency.ts`: the concurrency cases; `bench/report.ts`: statistics and tables.",
    "- `bench/npm.ts`: the `--runtime npm` builds (the shipped runtime installed in a folder, the seed Action and the " +
      "60-rule tenant built on it, runtime B for the comparison); `bench/tenant-speed.ts`: the tenant's cold start " +
      "and per-login time; `bench/runtime-npm.ts`: the deeper study of " +
      "runtime A against B (`pnpm exec node bench/runtime-npm.ts`).",
    "- `bench/baseline/action.js`: the hand-written Action. `bench/trivial/action.ts`: the one-trivial-rule pipeline.",
    "- `bench/NOTES.md`: what was measured by hand (instruction counts, event-loop turns), which `pnpm bench` does " +
      "not redo; `bench/args.ts`: the command line of `ab.ts`, `icount.ts`, `turns.ts` and `interleave.ts`.",
    "- Set `BENCH_KEEP=1` to keep the temporary folder with every built file.",
    ""
  )
  return `${lines.join("\n")}\n`
}

/** The --runtime npm section: bytes, which runtime ships and why, cold require and per login next to bundled. */
const npmSection = (r: Results): ReadonlyArray<string> => {
  const { npm, sizes, cold, latency, comparison } = r
  const t = npm.tenant
  const byName = (name: string) => cold.find((c) => c.name === name)
  const hand = cold[2]
  const [bundledSeed] = cold
  const onA = byName(npmColdName)
  const aloneA = byName(runtimeAColdName)
  const aloneB = byName(runtimeBColdName)
  const aloneLean = byName(runtimeLeanColdName)
  const alonePostLogin = byName(runtimePostLoginColdName)
  const coldCell = (c: typeof onA) =>
    c === undefined || hand === undefined
      ? "-"
      : `${R.ms(c.medianRequire)} (${R.ratio(c.medianRequire, hand.medianRequire)}; CPU ${
        R.ratio(c.medianRequireCpu, hand.medianRequireCpu)
      })`
  const npmSame = comparison.identical[comparison.names.indexOf(npmLabel) - 1] === true
  return [
    "## `--runtime npm`",
    "",
    `The runtime as it ships: packages/action-runtime's \`dist/\`, built from the current sources by its own build ` +
    "into a temporary folder's `node_modules/@rulefx/action-runtime` beside its package.json. The seed Action is built against " +
    "it by `Bundle.build({ runtime: \"npm\" })` and written beside it; the generated 60-rule tenant " +
    "(packages/cli/test/utils/BigTenant.ts, deploy-cli layout) by `Migrate.migrate({ runtime: \"npm\" })`. " +
    `Both are loaded with \`require\` from that folder. The seed Action on the runtime ran the ${comparison.rows.length} ` +
    `logins of the behaviour check: ${
      npmSame ? "identical api calls and seller requests to the bundled one" : "DIFFERENT"
    }. ` +
    `The tenant's ${t.cases} cases (all but the CRM one, which needs a server) through its built file: ` +
    `${t.casesPassed} of ${t.cases} made exactly the expected api calls.`,
    "",
    R.markdownTable(
      ["file", "minified", "gzip", "counts against Auth0's 100 kB"],
      [
        ["seed Action, bundled", R.bytesAndKb(sizes.seed.bytes), R.bytesAndKb(sizes.seed.gzip), "yes"],
        ["seed Action's code, --runtime npm", R.bytesAndKb(npm.seed.bytes), R.bytesAndKb(npm.seed.gzip), "yes"],
        [
          `@rulefx/action-runtime ${npm.version}, runtime A (${npm.runtime.modules} modules; ships)`,
          R.bytesAndKb(npm.runtime.bytes),
          R.bytesAndKb(npm.runtime.gzip),
          "no (npm dependency)"
        ],
        [
          `its lean file, dist/lean.cjs (${npm.lean.modules} modules: rulefx's and the effect modules they import ` +
          `by name; ships, loaded by an Action that imports nothing else)`,
          R.bytesAndKb(npm.lean.bytes),
          R.bytesAndKb(npm.lean.gzip),
          "no (npm dependency)"
        ],
        [
          `its post-login file, dist/post-login.cjs (${npm.postLogin.modules} modules: the lean file's less other ` +
          `triggers' and legacy-rules; ships, loaded by an Action that imports nothing else, such as the seed)`,
          R.bytesAndKb(npm.postLogin.bytes),
          R.bytesAndKb(npm.postLogin.gzip),
          "no (npm dependency)"
        ],
        [
          `runtime B: A + the rest of effect and its barrel (${npm.runtimeB.modules} modules; not shipped)`,
          R.bytesAndKb(npm.runtimeB.bytes),
          R.bytesAndKb(npm.runtimeB.gzip),
          "no (npm dependency)"
        ],
        [
          `${t.rules}-rule tenant (${R.bytesAndKb(t.sourceBytes)} of source), --runtime npm`,
          R.bytesAndKb(t.npm.bytes),
          R.bytesAndKb(t.npm.gzip),
          `yes: ${t.npm.bytes <= goals.tenantBytes ? "fits" : "does NOT fit"}`
        ],
        [
          `${t.rules}-rule tenant, bundled (migrate's size check, before building)`,
          `at least ${R.bytesAndKb(t.bundledRulesMinified + t.bundledRuntimeBytes)}`,
          "-",
          t.bundledRefused ? "refused: rules + legacy runtime over the budget" : "NOT refused"
        ]
      ],
      ["l", "r", "r", "l"]
    ),
    "",
    `**Runtime A ships** (the effect modules rulefx reaches, and rulefx's own; a user import of any other effect ` +
    `module fails the build, naming it). B, which would carry all of effect, is ` +
    `${R.ratio(npm.runtimeB.bytes, npm.runtime.bytes)} A's bytes (${R.kB(npm.runtimeB.bytes)} against ` +
    `${R.kB(npm.runtime.bytes)}) and requires in ${aloneB === undefined ? "-" : R.ms(aloneB.medianRequire)} ` +
    `against A's ${aloneA === undefined ? "-" : R.ms(aloneA.medianRequire)} (cold, medians of ${coldRuns} ` +
    "processes, below); what it adds is what an Action must not use (Schema, Config, the barrel). " +
    "`pnpm exec node bench/runtime-npm.ts` is the deeper A-against-B study (lazy variants, a user rule outside A).",
    "",
    R.markdownTable(
      ["cold require (median, ratio to hand-written)", "value"],
      [
        ["hand-written Action", hand === undefined ? "-" : R.ms(hand.medianRequire)],
        ["seed Action, bundled", coldCell(bundledSeed)],
        ["seed Action on --runtime npm (entry + the post-login file)", coldCell(onA)],
        ["runtime A alone", coldCell(aloneA)],
        ["its lean file alone", coldCell(aloneLean)],
        ["its post-login file alone", coldCell(alonePostLogin)],
        ["runtime B alone", coldCell(aloneB)]
      ],
      ["l", "r"]
    ),
    "",
    `Goal: cold require ≤ ${goals.requireRatio}× the hand-written Action: bundled ${
      bundledSeed !== undefined && hand !== undefined
        ? R.verdict(bundledSeed.medianRequire <= goals.requireRatio * hand.medianRequire)
        : "-"
    }, --runtime npm ${
      onA !== undefined && hand !== undefined
        ? R.verdict(onA.medianRequire <= goals.requireRatio * hand.medianRequire)
        : "-"
    }. Requiring a runtime file parses and runs all of it, and V8's compiling is most of that: an Action that imports ` +
    "only what the post-login file carries (rulefx's post-login modules and the effect modules they import by name) " +
    "loads that file; else one that imports only what the lean file carries (every rulefx module) loads that one, " +
    "less than half of A; any other carried import loads A. Bundled mode stays the default.",
    "",
    "Per login, timed in the same rounds as the per-login section (fetch stubbed, same api calls):",
    "",
    R.markdownTable(
      ["login", "hand-written", "bundled", "over", "--runtime npm", "over", "npm ratio to hand-written"],
      latency.map(({ who, results }) => {
        const [bundled, base] = results
        const onNpm = results[r.npmLatency]
        return [
          who,
          cell(base),
          cell(bundled),
          overCell(bundled, base),
          cell(onNpm),
          overCell(onNpm, base),
          onNpm === undefined || base === undefined ? "-" : R.ratio(onNpm.medianMicros, base.medianMicros)
        ]
      }),
      ["l", "r", "r", "r", "r", "r", "r"]
    ),
    "",
    `Goal: ≤ ${goals.perLoginMicros} µs over the hand-written Action on every path, in either mode.`,
    "",
    ...tenantSpeedSection(r),
    ""
  ]
}

/** The 60-rule tenant at run time, on --runtime npm (bench/tenant-speed.ts). */
const tenantSpeedSection = (r: Results): ReadonlyArray<string> => {
  const s = r.tenantSpeed
  return [
    `The ${r.npm.tenant.rules}-rule tenant at run time (bench/tenant-speed.ts): ${s.processes} fresh processes, each ` +
    "a cold start as Auth0's first call to a new instance is: `require` of the built file (its code, then the runtime " +
    "beside it), the first login, which creates every rule's realm (the barrier of docs/legacy-isolation.md), then " +
    `${tenantWarmup} untimed and ${tenantLogins} timed logins of the case "${s.case}" (its claims, no network; ` +
    "each process checks that the first login makes the case's expected api calls). No goal is set for these: they " +
    "say what a whole tenant of Rules costs per login once migrated.",
    "",
    R.markdownTable(
      ["figure", "value"],
      [
        ["require, median", R.ms(s.medianRequire)],
        ["first login, median", R.ms(s.medianFirstLogin)],
        ["CPU from the start of require to the end of the first login, median", R.ms(s.medianColdCpu)],
        [`per login, median of ${s.logins} logins`, R.ms(s.medianPerLogin)],
        ["per login, p99", R.ms(s.p99PerLogin)]
      ],
      ["l", "r"]
    )
  ]
}

/** The per-round medians of a latency, for the report. */
const rounds = (x: Latency): string => x.processMedians.map((m) => m.toFixed(1)).join(", ")

const cell = (x: Latency | undefined): string => (x === undefined ? "-" : R.us(x.medianMicros))

const overCell = (x: Latency | undefined, base: Latency | undefined): string =>
  x === undefined || base === undefined ? "-" : R.us(x.medianMicros - base.medianMicros)

/** Median of handler `i` minus the hand-written one's (handler 1), in µs. */
const over = (r: ReadonlyArray<Latency> | undefined, i: number): number =>
  r?.[i] === undefined || r[1] === undefined ? Number.NaN : (r[i]?.medianMicros ?? 0) - r[1].medianMicros

const perLoginVerdict = (
  latency: ReadonlyArray<{ readonly who: string; readonly results: ReadonlyArray<Latency> }>
): string => {
  const kinds = latency.map(({ who, results }) => ({
    who,
    seed: over(results, 0),
    trivial: over(results, 2),
    cut: over(results, 4)
  }))
  const failing = kinds.filter((k) => k.seed > goals.perLoginMicros)
  if (failing.length === 0) return `The ${goals.perLoginMicros} µs goal is met for every kind of login.`
  const bob = kinds.find((k) => k.who.startsWith("no seller"))
  const withCuts = kinds.filter((k) => !Number.isNaN(k.cut))
  const cutOk = withCuts.filter((k) => k.cut <= goals.perLoginMicros).map((k) => k.who)
  const cutNot = withCuts.filter((k) => k.cut > goals.perLoginMicros).map((k) => k.who)
  return [
    `The ${goals.perLoginMicros} µs goal is not met for ${failing.map((k) => k.who).join(", ")}.`,
    bob === undefined ? "" : `The one-trivial-rule pipeline alone is ${R.us(bob.trivial)} over the hand-written ` +
      `Action for a user without a seller: ${(100 * bob.trivial / goals.perLoginMicros).toFixed(0)} % of the budget ` +
      "goes to the adapter on effect's runtime (decoding the event, building the per-login context, one fiber per " +
      "rule, the deadline's timer, running to an Exit) before any rule does work.",
    withCuts.length === 0
      ? ""
      : `With every size cut the seed Action is ${
        withCuts.map((k) => `${R.us(k.cut)} over for ${k.who}`).join(", ")
      }: within the goal for ${cutOk.length > 0 ? cutOk.join(", ") : "none"}${
        cutNot.length > 0 ? `, not for ${cutNot.join(", ")}` : ""
      }.`,
    cutNot.some((who) => who.startsWith("seller"))
      ? "The seller login also waits for the seller lookup, one callback around the fetch and its streamed body " +
        "(the stub's body is a Blob stream: its first chunk comes from an asynchronous read), in a fact two rules " +
        "join, then decodes the body and computes the HMAC."
      : ""
  ].filter((line) => line.length > 0).join(" ")
}

const shortSites = (sites: ReadonlyArray<string>): string => {
  const byFile = new Map<string, Array<string>>()
  for (const site of sites) {
    const [file = "", line = ""] = site.split(/:(?=\d+$)/)
    byFile.set(file, [...(byFile.get(file) ?? []), line])
  }
  return [...byFile].map(([file, lines]) => `${file.replace(/^(packages|examples)\//, "")}:${lines.join(",")}`).join(
    "; "
  )
}

// RESULTS.md is checked by `pnpm lint` (dprint): format it as the repository does, when dprint is installed.
const formatResults = (): void => {
  const dprint = join(root, "node_modules/.bin/dprint")
  if (!existsSync(dprint)) return
  try {
    execFileSync(dprint, ["fmt", "bench/RESULTS.md"], { cwd: root, stdio: "ignore" })
  } catch {
    step("(dprint could not format bench/RESULTS.md; left as written)")
  }
}

const main = async (): Promise<void> => {
  const started = performance.now()
  const dir = mkdtempSync(join(tmpdir(), "rulefx-bench-"))
  try {
    step("building the seed Action, the trivial pipeline and the hand-written Action ...")
    const sizes = await buildAll(dir)
    const refs = await references(dir)
    step("--runtime npm: the runtime installed in a folder, the seed Action and the 60-rule tenant built on it ...")
    const npm = await buildNpm(dir)
    step("measuring size cuts on patched copies ...")
    const variants = await measureVariants(dir)

    step("checking that the seed and hand-written Actions behave the same (about 5 s: a hanging seller API) ...")
    const handlers = [
      { name: "seed", handler: load(sizes.seed.path) },
      { name: "hand-written", handler: load(sizes.baseline.path) }
    ]
    const extra = variants.combined.seed === undefined
      ? []
      : [{ name: combinedLabel, handler: load(variants.combined.seed.path) }]
    const npmHandler = { name: npmLabel, handler: load(npm.seed.path) }
    const comparison = await compare([...handlers, ...extra, npmHandler])
    step(R.textTable(
      ["login", "outcome", "requests", "same"],
      comparison.rows.map((row) => [row.who, row.outcome, row.requests.join("/"), row.same.map(String).join("/")])
    ))
    if (comparison.identical[0] !== true) {
      throw new Error("the hand-written Action does not behave like the seed Action; the comparison would be void")
    }
    if (comparison.identical[comparison.names.indexOf(npmLabel) - 1] !== true) {
      throw new Error("the seed Action on --runtime npm does not behave like the bundled one")
    }

    step(`cold require: ${coldRuns} fresh processes per file ...`)
    const empty = join(dir, "empty/action.js")
    mkdirSync(dirname(empty), { recursive: true })
    writeFileSync(empty, "exports.onExecutePostLogin = async () => {}\n")
    const cryptoOnly = join(dir, "crypto-only/action.js")
    mkdirSync(dirname(cryptoOnly), { recursive: true })
    writeFileSync(cryptoOnly, "require(\"node:crypto\")\nexports.onExecutePostLogin = async () => {}\n")
    const cold = coldRequire([
      { name: "seed Action", path: sizes.seed.path },
      { name: "one-trivial-rule pipeline", path: sizes.trivial.path },
      { name: "hand-written Action (minified)", path: sizes.baseline.path },
      { name: "an empty Action (one exported no-op; Node's own cost)", path: empty },
      { name: "an empty Action that requires node:crypto (the hand-written one does)", path: cryptoOnly },
      ...(variants.combined.seed === undefined
        ? []
        : [{ name: "seed Action, all rulefx size cuts", path: variants.combined.seed.path }]),
      { name: npmColdName, path: npm.seed.path },
      { name: runtimeAColdName, path: npm.aloneA },
      { name: runtimeBColdName, path: npm.aloneB },
      { name: runtimeLeanColdName, path: npm.aloneLean },
      { name: runtimePostLoginColdName, path: npm.alonePostLogin }
    ], coldRuns)

    step(`per-login latency: ${latencyRounds} rounds of ${logins} logins per Action and login kind, fetch stubbed ...`)
    const timed = [
      { ...handlers[0]!, path: sizes.seed.path, sameCalls: true },
      { ...handlers[1]!, path: sizes.baseline.path, sameCalls: true },
      {
        name: "one-trivial-rule pipeline",
        path: sizes.trivial.path,
        handler: load(sizes.trivial.path),
        sameCalls: false
      },
      // Index 3 (npmLatency), before the optional combined cut (index 4).
      { ...npmHandler, path: npm.seed.path, sameCalls: true },
      ...(variants.combined.seed === undefined ? [] : [{
        name: combinedLabel,
        path: variants.combined.seed.path,
        handler: load(variants.combined.seed.path),
        sameCalls: true
      }])
    ]
    const latency = await perLogin(
      timed,
      logins,
      warmup,
      latencyRounds
    )

    step(
      `the 60-rule tenant on --runtime npm: ${tenantProcesses} fresh processes, a cold start and ${tenantLogins} ` +
        "logins each ..."
    )
    const tenantTimes = tenantSpeed(npm.tenant.npm.path, npm.tenant.timed, tenantProcesses, tenantLogins, tenantWarmup)

    step("concurrency ...")
    const conc = await concurrency(handlers[0]!.handler, handlers[1]!.handler, concurrencyRounds)

    const results: Results = {
      sizes,
      npm,
      npmLatency: 3,
      refs,
      variants,
      comparison,
      cold,
      latency,
      conc,
      tenantSpeed: tenantTimes,
      seconds: (performance.now() - started) / 1000
    }
    const [header, rows] = R.summaryTable(summaryRows(results))
    step("")
    step(R.textTable(header, rows))
    step("")
    step(R.textTable(
      ["size cut", "seed bytes", "change alone", "change last"],
      [...variants.single, ...variants.pairs, variants.combined, variants.combinedWithEffect].map((v) => {
        const last = variants.leaveOneOut.find((l) => l.variant.name === v.variant.name)
        return [
          v.variant.name,
          v.seed === undefined ? `n/a: ${v.notApplicable ?? ""}` : String(v.seed.bytes),
          saved(variants.control.seed, v.seed, "bytes"),
          last?.seed !== undefined && variants.combined.seed !== undefined
            ? R.signedBytes(variants.combined.seed.bytes - last.seed.bytes)
            : ""
        ]
      })
    ))
    writeFileSync(join(root, "bench/RESULTS.md"), markdown(results))
    formatResults()
    step("")
    step(`wrote bench/RESULTS.md (${results.seconds.toFixed(0)} s)`)
  } finally {
    if (process.env["BENCH_KEEP"] === "1") step(`kept ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack ?? error.message : error)
    process.exit(1)
  }
)
