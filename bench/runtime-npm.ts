/**
 * `--runtime npm`, measured before it is built (issue 10, item 1): the rulefx runtime as one prebuilt CommonJS file
 * (`@rulefx/action-runtime`) that the Action requires, the Action's own code holding only the user's rules and an
 * entry. Which modules should the runtime carry?
 *
 * - A: the modules rulefx's runtime packages reach (effect's public modules bundled by @rulefx/core, rules,
 *   adapter-auth0 and legacy-rules), those packages' public modules; a user import of anything else
 *   fails the build, naming the module.
 * - B: A plus every public top-level effect module (`effect/<Module>`, the `./*` export) and the `effect` barrel.
 *
 * For each: the runtime file's bytes (minified, gzip -9); cold `require` in fresh Node processes (bench/speed.ts's
 * coldRequire, interleaved with the bundled seed Action and the hand-written one as baselines); and the seed
 * Action built against it (every `effect` and `@rulefx/*` import redirected to the runtime by an esbuild
 * plugin), its entry's bytes, and bench/equivalence.ts's logins through it with the runtime installed beside it,
 * compared call by call with the bundled Action.
 *
 * A is what ships (packages/action-runtime); `pnpm bench` reports A's and B's bytes and cold require in RESULTS.md
 * (bench/npm.ts builds B with `buildRuntime` and `moduleSets` from here).
 *
 * Run: `pnpm exec node bench/runtime-npm.ts` (RUNTIME_NPM_RUNS=30 processes per file by default; BENCH_KEEP=1 keeps
 * the temporary folder). Prints Markdown; writes only into a temporary folder.
 */
import * as esbuild from "esbuild"
import { execFileSync } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"
import {
  allEffectModules,
  effectDist,
  entrySource,
  type Exposed,
  packageName as runtimeName,
  reachableEffect,
  rulefxModules
} from "../packages/action-runtime/scripts/Modules.ts"
import * as ActionRuntime from "../packages/cli/src/ActionRuntime.ts"
import * as Bundle from "../packages/cli/src/Bundle.ts"
import { compare, load } from "./equivalence.ts"
import * as R from "./report.ts"
import { baselineSource, bundle, root, seedEntry } from "./size.ts"
import { coldRequire } from "./speed.ts"

/** The version the benchmark's runtimes say they are (an Action built against one checks it when it loads). */
const runtimeVersion = "0.0.0"

const runtimeSource = (exposed: ReadonlyArray<Exposed>, lazy = false): string =>
  entrySource(exposed, { version: runtimeVersion, lazy })

/** Input files of a build that are effect's, as folders: more than one means two copies. */
const effectCopies = (metafile: esbuild.Metafile): ReadonlySet<string> =>
  new Set(
    Object.keys(metafile.inputs)
      .map((path) => /^(.*node_modules\/effect)\/dist\//.exec(path)?.[1])
      .filter((folder) => folder !== undefined)
  )

/** A built runtime, installed as `node_modules/@rulefx/action-runtime` of `dir`. */
export interface Runtime {
  readonly label: string
  readonly dir: string
  readonly specifiers: ReadonlySet<string>
  readonly bytes: number
  readonly gzip: number
  readonly effectCopies: number
  /** The largest inputs, biggest first: path (relative to the repository) and bytes in the file. */
  readonly largest: ReadonlyArray<{ readonly path: string; readonly bytes: number }>
}

const gzipBytes = (contents: Uint8Array): number => gzipSync(contents, { level: 9 }).byteLength

/** Builds a runtime exposing `exposed` and installs it in `dir` (bench/run.ts builds B with it, to compare). */
export const buildRuntime = async (
  label: string,
  dir: string,
  exposed: ReadonlyArray<Exposed>,
  lazy: boolean
): Promise<Runtime> => {
  const result = await esbuild.build({
    ...Bundle.esbuildOptions,
    stdin: { contents: runtimeSource(exposed, lazy), resolveDir: root, loader: "js" }
  })
  const contents = result.outputFiles[0]?.contents
  if (contents === undefined) throw new Error(`esbuild produced no runtime for ${label}`)
  const pkg = join(dir, "node_modules", runtimeName)
  mkdirSync(pkg, { recursive: true })
  writeFileSync(join(pkg, "index.js"), contents)
  writeFileSync(
    join(pkg, "package.json"),
    JSON.stringify({ name: runtimeName, version: runtimeVersion, main: "index.js", type: "commonjs" })
  )
  writeFileSync(join(dir, "package.json"), `{ "type": "commonjs" }\n`)
  return {
    label,
    dir,
    specifiers: new Set(exposed.map((m) => m.specifier)),
    bytes: contents.byteLength,
    gzip: gzipBytes(contents),
    effectCopies: effectCopies(result.metafile).size,
    largest: Object.entries(Object.values(result.metafile.outputs)[0]?.inputs ?? {})
      .map(([path, info]) => ({ path: path.replace(/^.*node_modules\//, ""), bytes: info.bytesInOutput }))
      .toSorted((x, y) => y.bytes - x.bytes)
      .slice(0, 8)
  }
}

/** An Action entry built against a runtime: its file (beside the runtime) and bytes, or the build's errors. */
type Split =
  | { readonly _tag: "Built"; readonly path: string; readonly bytes: number; readonly gzip: number }
  | { readonly _tag: "Failed"; readonly errors: ReadonlyArray<string> }

const buildAgainst = async (
  runtime: Runtime,
  entry: Pick<esbuild.BuildOptions, "entryPoints" | "stdin">,
  name: string
): Promise<Split> => {
  try {
    const result = await esbuild.build({
      ...Bundle.esbuildOptions,
      ...entry,
      plugins: [
        ActionRuntime.plugin({ name: runtimeName, version: runtimeVersion, modules: [...runtime.specifiers] }, [])
      ],
      external: [runtimeName]
    })
    const contents = result.outputFiles?.[0]?.contents
    if (contents === undefined) throw new Error(`esbuild produced no file for ${name}`)
    // The entry must hold no code of its own from effect: the one copy is the runtime's.
    if (effectCopies(result.metafile).size > 0) throw new Error(`${name} bundled effect itself`)
    const path = join(runtime.dir, `${name}.js`)
    writeFileSync(path, contents)
    return { _tag: "Built", path, bytes: contents.byteLength, gzip: gzipBytes(contents) }
  } catch (error) {
    const failure = error as { readonly errors?: ReadonlyArray<esbuild.Message> }
    if (failure.errors === undefined) throw error
    return { _tag: "Failed", errors: failure.errors.map((e) => e.text) }
  }
}

/** A rule a user might write with an effect module rulefx itself does not use: A should refuse it, B build it. */
const userRuleSource = (module: string): string => `
import * as Decision from "@rulefx/core/Decision"
import * as Rule from "@rulefx/core/Rule"
import * as Pipeline from "@rulefx/core/Pipeline"
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Layer from "effect/Layer"
import * as Extra from ${JSON.stringify(module)}
export const onExecutePostLogin = PostLogin.make(
  Pipeline.make({ facts: [], rules: [Rule.make("extra", Decision.setIdTokenClaim("https://example.com/n", String(Object.keys(Extra).length)))] }),
  Layer.empty
)
`

/** Globals a runtime defines at load (module-level side effects a whole-effect runtime could bring). */
const newGlobals = (file: string): ReadonlyArray<string> =>
  JSON.parse(execFileSync(
    process.execPath,
    [
      "-e",
      "const b = new Set(Object.getOwnPropertyNames(globalThis)); require(process.argv[1]); " +
      "process.stdout.write(JSON.stringify(Object.getOwnPropertyNames(globalThis).filter((k) => !b.has(k))))",
      file
    ],
    { encoding: "utf8" }
  )) as ReadonlyArray<string>

const step = (line: string) => process.stderr.write(`${line}\n`)

/** The modules runtime A and B expose, and `rest`: B's effect modules that A does not carry. */
export const moduleSets = async () => {
  const base = rulefxModules()
  const reachable = await reachableEffect(base)
  const reachableNames = new Set(reachable.map((m) => m.specifier))
  const rest = allEffectModules().filter((m) => !reachableNames.has(m.specifier))
  return { reachable, rest, exposedA: [...reachable, ...base], exposedB: [...reachable, ...rest, ...base] }
}

const main = async () => {
  const runs = Number(process.env["RUNTIME_NPM_RUNS"] ?? 30)
  const dir = mkdtempSync(join(tmpdir(), "rulefx-runtime-npm-"))
  try {
    step("building the runtimes ...")
    const { reachable, rest, exposedA, exposedB } = await moduleSets()
    const runtimes = await Promise.all([
      buildRuntime("A", join(dir, "A"), exposedA, false),
      buildRuntime("B", join(dir, "B"), exposedB, false),
      buildRuntime("A lazy", join(dir, "A-lazy"), exposedA, true),
      buildRuntime("B lazy", join(dir, "B-lazy"), exposedB, true)
    ])

    step("building the seed Action: bundled, and against each runtime ...")
    const seedFile = join(dir, "seed/action.js")
    const seedReport = await Bundle.build({ entry: seedEntry, outfile: seedFile })
    writeFileSync(join(dir, "seed/package.json"), `{ "type": "commonjs" }\n`)
    const seedBytes = readFileSync(seedFile)
    const baseline = await bundle(baselineSource, join(dir, "baseline/action.js"))
    const splits = await Promise.all(
      runtimes.map((runtime) => buildAgainst(runtime, { entryPoints: [seedEntry] }, "action"))
    )
    // An effect module rulefx does not reach, imported by a user's rule: A's build must name it; B carries it.
    const extraModule = ["effect/Cron", "effect/BigDecimal", "effect/Trie", ...rest.map((m) => m.specifier)]
      .find((s) => rest.some((m) => m.specifier === s)) ?? "effect/Cron"
    const userRule = await Promise.all(runtimes.map((runtime) =>
      buildAgainst(
        runtime,
        { stdin: { contents: userRuleSource(extraModule), resolveDir: root, loader: "ts" } },
        "user-rule"
      )
    ))

    step("logins through each (bench/equivalence.ts's scenarios) ...")
    const built = splits.flatMap((split, i) =>
      split._tag === "Built" ? [{ name: runtimes[i]?.label ?? "", path: split.path }] : []
    )
    const comparison = await compare([
      { name: "seed Action, bundled", handler: load(seedFile) },
      ...built.map((s) => ({ name: `seed Action on runtime ${s.name}`, handler: load(s.path) }))
    ])
    // One login of the user rule through each runtime that built it.
    const userRuleLogins = await Promise.all(userRule.map(async (split) => {
      if (split._tag !== "Built") return "not built"
      const calls: Array<string> = []
      const record = (name: string) => (...args: ReadonlyArray<unknown>) => {
        calls.push(`${name}(${args.map((x) => JSON.stringify(x)).join(", ")})`)
        return api
      }
      const api = {
        access: { deny: record("access.deny") },
        idToken: { setCustomClaim: record("idToken.setCustomClaim") },
        accessToken: { setCustomClaim: record("accessToken.setCustomClaim") }
      }
      const event = { user: { user_id: "auth0|u" }, client: { client_id: "c" }, request: { ip: "203.0.113.7" } }
      await load(split.path)(event, api as never)
      return calls.join("; ")
    }))

    step(`cold require: ${runs} fresh processes per file, interleaved ...`)
    const runtimeOnly = (runtime: Runtime) => {
      const path = join(runtime.dir, "runtime-only.js")
      writeFileSync(path, `require(${JSON.stringify(runtimeName)})\nexports.onExecutePostLogin = async () => {}\n`)
      return path
    }
    const cold = coldRequire([
      { name: "seed Action, bundled (baseline)", path: seedFile },
      { name: "hand-written Action (minified)", path: baseline.path },
      ...splits.flatMap((split, i) =>
        split._tag === "Built"
          ? [{ name: `seed Action on runtime ${runtimes[i]?.label} (entry + runtime)`, path: split.path }]
          : []
      ),
      ...runtimes.map((runtime) => ({ name: `runtime ${runtime.label} alone`, path: runtimeOnly(runtime) }))
    ], runs)

    const globals = runtimes.map((runtime) =>
      `${runtime.label} ${JSON.stringify(newGlobals(join(runtime.dir, "node_modules", runtimeName, "index.js")))}`
    )

    // --- Report ---
    const seedCold = cold[0]
    const hand = cold[1]
    const out: Array<string> = []
    out.push("# `--runtime npm`: runtime A (what rulefx reaches) or B (all of effect)", "")
    out.push(
      `Node ${process.version}, esbuild ${esbuild.version}, effect ${effectVersion()}; ` +
        `${runs} processes per file. A exposes ${exposedA.length} modules (${reachable.length} of effect's), ` +
        `B ${exposedB.length} (${rest.length} more of effect's, with the barrel). "lazy": the same modules, each ` +
        `initialised on first use. Copies of effect in each runtime: ` +
        `${runtimes.map((r) => `${r.label} ${r.effectCopies}`).join(", ")}.`,
      ""
    )
    out.push("## Bytes", "")
    const splitCell = (split: Split | undefined) =>
      split?._tag === "Built" ? R.bytesAndKb(split.bytes) : `build failed: ${split?.errors.join("; ") ?? "?"}`
    out.push(R.markdownTable(
      ["file", "minified", "gzip -9"],
      [
        ["seed Action, bundled (Bundle.build)", R.bytesAndKb(seedReport.bytes), R.kB(gzipBytes(seedBytes))],
        ...runtimes.map((r) => [`runtime ${r.label}`, R.bytesAndKb(r.bytes), R.kB(r.gzip)]),
        ...splits.map((split, i) => [
          `seed Action's code on runtime ${runtimes[i]?.label}`,
          splitCell(split),
          split?._tag === "Built" ? R.kB(split.gzip) : "-"
        ]),
        ...userRule.map((split, i) => [
          `a user rule importing ${extraModule}, on runtime ${runtimes[i]?.label}`,
          splitCell(split),
          split?._tag === "Built" ? R.kB(split.gzip) : "-"
        ])
      ],
      ["l", "r", "r"]
    ))
    out.push("", "Largest inputs of each eager runtime (bytes in the minified file):", "")
    out.push(R.markdownTable(
      ["runtime", "largest inputs"],
      runtimes.filter((r) => !r.label.includes("lazy")).map((r) => [
        r.label,
        r.largest.map((input) => `${input.path} ${R.kB(input.bytes)}`).join(", ")
      ])
    ))
    out.push("", "## Cold require", "")
    out.push(R.markdownTable(
      ["file", "require median", "p90", "vs bundled seed", "vs hand-written", "first login median"],
      cold.map((c) => [
        c.name,
        R.ms(c.medianRequire),
        R.ms(c.p90Require),
        R.ratio(c.medianRequire, seedCold?.medianRequire ?? Number.NaN),
        R.ratio(c.medianRequire, hand?.medianRequire ?? Number.NaN),
        c.name.endsWith("alone") ? "-" : R.ms(c.medianFirstLogin)
      ]),
      ["l", "r", "r", "r", "r", "r"]
    ))
    out.push("", "## Behaviour through the runtime", "")
    out.push(
      `bench/equivalence.ts's ${comparison.rows.length} logins, each Action against its own fake seller API, api ` +
        `calls compared in order: ${
          comparison.names.slice(1).map((name, k) =>
            `${name}: ${comparison.identical[k] === true ? "identical" : "DIFFERENT"}`
          ).join("; ")
        }.`
    )
    const different = comparison.rows.filter((row) => row.same.some((same) => !same))
    if (different.length > 0) out.push(`Different: ${different.map((row) => row.who).join(", ")}.`)
    out.push(
      "",
      `One login of the user rule importing ${extraModule}: ${
        userRuleLogins.map((login, i) => `runtime ${runtimes[i]?.label}: ${login}`).join("; ")
      }.`,
      `Globals defined by loading each runtime: ${globals.join(", ")}.`
    )
    process.stdout.write(`${out.join("\n")}\n`)
    if (comparison.identical.some((same) => !same)) process.exitCode = 1
  } finally {
    if (process.env["BENCH_KEEP"] === "1") step(`kept ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
  }
}

const effectVersion = (): string =>
  (JSON.parse(readFileSync(join(effectDist, "..", "package.json"), "utf8")) as { version: string }).version

// Run as a script; bench/run.ts imports it for buildRuntime and moduleSets.
if (process.argv[1] === fileURLToPath(import.meta.url)) await main()
