/**
 * Bundle sizes: the seed Action (built by @rulefx/cli/Bundle, as a user builds it), a one-trivial-rule
 * pipeline, and the hand-written baseline minified by the same esbuild settings; then where the seed's bytes go
 * (esbuild's metafile) and what each candidate cut in variants.ts saves, measured on patched copies of the sources.
 */
import * as esbuild from "esbuild"
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"
import * as Bundle from "../packages/cli/src/Bundle.ts"
import {
  combinedName,
  combinedWithEffectName,
  type EffectPatch,
  pairs,
  type Patch,
  type Variant,
  variants
} from "./variants.ts"

/** The repository root, with a trailing slash. */
export const root = fileURLToPath(new URL("..", import.meta.url))

/** The seed Action's entry. */
export const seedEntry = join(root, "examples/seller-login/src/action.ts")

/** The one-trivial-rule pipeline's entry. */
export const trivialEntry = join(root, "bench/trivial/action.ts")

/** The hand-written baseline. */
export const baselineSource = join(root, "bench/baseline/action.js")

/** A built file: its size, gzipped size, and (when analysed) bytes per input module. */
export interface Built {
  readonly path: string
  readonly bytes: number
  readonly gzip: number
  readonly inputs: ReadonlyArray<{ readonly path: string; readonly bytes: number }>
}

const gzipBytes = (contents: Uint8Array): number => gzipSync(contents, { level: 9 }).byteLength

/** The esbuild settings of Bundle.build, so every size here is the build's. */
const settings = Bundle.esbuildOptions

// Node built-ins stay external; everything else is bundled.
const markCommonJs = (dir: string) => writeFileSync(join(dir, "package.json"), `{ "type": "commonjs" }\n`)

/** Builds `entry` with Bundle.build's settings plus `extra`, writes it to `outfile` and measures it. */
export const bundle = async (
  entry: string,
  outfile: string,
  extra: Pick<esbuild.BuildOptions, "plugins" | "nodePaths"> = {}
): Promise<Built> => {
  const result = await esbuild.build({ ...settings, ...extra, entryPoints: [entry], outfile })
  const output = result.outputFiles[0]
  if (output === undefined) throw new Error(`esbuild produced no output for ${entry}`)
  mkdirSync(dirname(outfile), { recursive: true })
  writeFileSync(outfile, output.contents)
  markCommonJs(dirname(outfile))
  const inputs = Object.entries(Object.values(result.metafile.outputs)[0]?.inputs ?? {})
    .map(([path, info]) => ({ path: moduleName(path), bytes: info.bytesInOutput }))
    .filter((input) => input.bytes > 0)
    .toSorted((a, b) => b.bytes - a.bytes)
  return { path: outfile, bytes: output.contents.byteLength, gzip: gzipBytes(output.contents), inputs }
}

/** A readable module name: `effect/internal/effect`, `valibot`, `packages/core/src/Rule.ts`. */
const moduleName = (path: string): string => {
  const inModules = path.split("node_modules/")
  const last = inModules[inModules.length - 1] ?? path
  if (inModules.length > 1) {
    if (last.startsWith("effect/dist/")) return `effect/${last.slice("effect/dist/".length).replace(/\.js$/, "")}`
    const segments = last.split("/")
    return segments[0]?.startsWith("@") ? `${segments[0]}/${segments[1]}` : segments[0] ?? last
  }
  const at = path.search(/(packages|examples|bench)\//)
  return at === -1 ? path : path.slice(at)
}

/** What the size section measured. */
export interface Sizes {
  readonly seed: Built
  readonly seedReport: Bundle.Report
  readonly trivial: Built
  readonly baseline: Built
  readonly baselineSourceBytes: number
  readonly baselineSourceGzip: number
  /**
   * Bytes by which the metafile builds differ from Bundle.build's files (0 unless Bundle.build's rewrite of `from
   * "effect"` barrel imports changed something); the breakdown is then approximate.
   */
  readonly analysisDifference: number
}

/** Builds the three Actions into `dir`: seed/, trivial/ and baseline/action.js. */
export const buildAll = async (dir: string): Promise<Sizes> => {
  const seedFile = join(dir, "seed/action.js")
  // The deployable file comes from rulefx's own bundler, as a user's build makes it...
  const seedReport = await Bundle.build({ entry: seedEntry, outfile: seedFile })
  // ...and an identical build next to it gives the metafile for the analysis.
  const seed = await bundle(seedEntry, join(dir, "seed-analysis/action.js"))
  const trivialReport = await Bundle.build({ entry: trivialEntry, outfile: join(dir, "trivial/action.js") })
  const trivial = await bundle(trivialEntry, join(dir, "trivial-analysis/action.js"))
  const baseline = await bundle(baselineSource, join(dir, "baseline/action.js"))
  const source = readFileSync(baselineSource)
  const seedContents = readFileSync(seedFile)
  const trivialContents = readFileSync(join(dir, "trivial/action.js"))
  return {
    // Sizes are the deployable files'; the module breakdown comes from the identical analysis build.
    seed: { ...seed, path: seedFile, bytes: seedContents.byteLength, gzip: gzipBytes(seedContents) },
    trivial: {
      ...trivial,
      path: join(dir, "trivial/action.js"),
      bytes: trivialContents.byteLength,
      gzip: gzipBytes(trivialContents)
    },
    analysisDifference: seed.bytes - seedReport.bytes + trivial.bytes - trivialReport.bytes,
    seedReport,
    baseline,
    baselineSourceBytes: source.byteLength,
    baselineSourceGzip: gzipBytes(source)
  }
}

/** Bytes per group: effect, each other package (valibot in a user's rules, say), and each rulefx package. */
export const groups = (built: Built): ReadonlyArray<{ readonly group: string; readonly bytes: number }> => {
  const totals = new Map<string, number>()
  for (const input of built.inputs) {
    const group = input.path.startsWith("effect/")
      ? "effect"
      : /^(packages\/[^/]+|examples\/[^/]+|bench\/[^/]+)/.exec(input.path)?.[1] ?? input.path
    totals.set(group, (totals.get(group) ?? 0) + input.bytes)
  }
  return [...totals].map(([group, bytes]) => ({ group, bytes })).toSorted((a, b) => b.bytes - a.bytes)
}

// --- Variants -------------------------------------------------------------------------------------------------

const copied = [
  "packages/core/src",
  "packages/rules/src",
  "packages/adapter-auth0/src",
  "examples/seller-login/src",
  "bench/trivial",
  "package.json",
  "tsconfig.json",
  "tsconfig.base.json",
  "packages/core/package.json",
  "packages/core/tsconfig.json",
  "packages/rules/package.json",
  "packages/rules/tsconfig.json",
  "packages/adapter-auth0/package.json",
  "packages/adapter-auth0/tsconfig.json",
  "examples/seller-login/package.json"
]

// The copies import @rulefx/* by subpath; resolve those to the copy, not to the workspace packages.
const rulefxFromCopy = (copy: string): esbuild.Plugin => ({
  name: "bench-rulefx-copy",
  setup(build) {
    build.onResolve({ filter: /^@rulefx\// }, (args) => {
      const [, pkg, sub] = /^@rulefx\/([^/]+)(?:\/(.+))?$/.exec(args.path) ?? []
      return { path: join(copy, "packages", pkg ?? "", "src", `${sub ?? "index"}.ts`) }
    })
  }
})

const effectPatcher = (patches: ReadonlyArray<EffectPatch>): esbuild.Plugin => ({
  name: "bench-effect-patch",
  setup(build) {
    build.onLoad({ filter: /[\\/]effect[\\/]dist[\\/].+\.js$/ }, async (args) => {
      const mine = patches.filter((p) => args.path.endsWith(`/effect/dist/${p.module}`))
      if (mine.length === 0) return undefined
      let contents = await readFile(args.path, "utf8")
      for (const patch of mine) {
        if (!patch.find.test(contents)) throw new NotApplicable(`effect/${patch.module}: ${String(patch.find)}`)
        contents = contents.replace(patch.find, patch.replace)
      }
      return { contents, loader: "js", resolveDir: dirname(args.path) }
    })
  }
})

class NotApplicable extends Error {}

const applyPatch = (copy: string, patch: Patch): void => {
  const file = join(copy, patch.file)
  if (!existsSync(file)) throw new NotApplicable(`${patch.file} is gone`)
  const text = readFileSync(file, "utf8")
  const found = typeof patch.find === "string" ? text.includes(patch.find) : new RegExp(patch.find).test(text)
  if (!found && patch.optional === true) return
  if (!found) throw new NotApplicable(`${patch.file}: ${String(patch.find).slice(0, 80)}`)
  writeFileSync(file, text.replace(patch.find, patch.replace))
}

/** Where a patch applies in the real sources: `file:line` for each match (appends excluded). */
export const sites = (patch: Patch): ReadonlyArray<string> => {
  if (typeof patch.find !== "string" && patch.find.source === "$(?![\\s\\S])") return []
  const file = join(root, patch.file)
  if (!existsSync(file)) return []
  const text = readFileSync(file, "utf8")
  const lineOf = (index: number) => text.slice(0, index).split("\n").length
  if (typeof patch.find === "string") {
    const index = text.indexOf(patch.find)
    return index === -1 ? [] : [`${patch.file}:${lineOf(index)}`]
  }
  const flags = patch.find.flags.includes("g") ? patch.find.flags : `${patch.find.flags}g`
  return [...text.matchAll(new RegExp(patch.find.source, flags))].map((m) => `${patch.file}:${lineOf(m.index)}`)
}

/** One variant's result. */
export interface VariantResult {
  readonly variant: Pick<Variant, "name" | "what" | "owner" | "keepsBehaviour">
  readonly sites: ReadonlyArray<string>
  readonly seed?: Built
  readonly trivial?: Built
  readonly notApplicable?: string
}

/** What the variants measured: the unpatched copy, each cut alone, and the combined cuts. */
export interface VariantResults {
  readonly control: { readonly seed: Built; readonly trivial: Built }
  readonly single: ReadonlyArray<VariantResult>
  readonly pairs: ReadonlyArray<VariantResult>
  readonly combined: VariantResult
  /** The combined cut with one cut left out: what that cut saves when it comes last. */
  readonly leaveOneOut: ReadonlyArray<VariantResult>
  readonly combinedWithEffect: VariantResult
}

const buildVariant = async (
  dir: string,
  name: string,
  parts: ReadonlyArray<Variant>
): Promise<{ seed: Built; trivial: Built }> => {
  const copy = join(dir, name.replace(/[^\w-]+/g, "-"))
  for (const path of copied) {
    if (existsSync(join(root, path))) cpSync(join(root, path), join(copy, path), { recursive: true })
  }
  for (const part of parts) {
    for (const file of part.files ?? []) writeFileSync(join(copy, file.path), file.content)
    for (const patch of part.patches) applyPatch(copy, patch)
  }
  const effectPatches = parts.flatMap((part) => part.effectPatches ?? [])
  const extra = {
    plugins: [rulefxFromCopy(copy), effectPatcher(effectPatches)],
    // The copy lives outside the workspace: effect and valibot resolve from the packages' own node_modules.
    nodePaths: ["node_modules", "packages/rules/node_modules", "packages/adapter-auth0/node_modules"].map((p) =>
      join(root, p)
    )
  }
  const seed = await bundle(join(copy, "examples/seller-login/src/action.ts"), join(copy, "out/seed/action.js"), extra)
  const trivial = await bundle(join(copy, "bench/trivial/action.ts"), join(copy, "out/trivial/action.js"), extra)
  return { seed, trivial }
}

const attempt = async (dir: string, name: string, parts: ReadonlyArray<Variant>, shown: VariantResult["variant"]) => {
  const where = parts.flatMap((part) => part.patches.flatMap(sites))
  try {
    return { variant: shown, sites: where, ...(await buildVariant(dir, name, parts)) }
  } catch (error) {
    if (error instanceof NotApplicable) return { variant: shown, sites: where, notApplicable: error.message }
    // esbuild wraps plugin errors; a NotApplicable thrown inside a plugin arrives as its text.
    const text = error instanceof Error ? error.message : String(error)
    return { variant: shown, sites: where, notApplicable: text.split("\n")[0] ?? text }
  }
}

/** Builds the unpatched copy, each variant alone, every rulefx cut together, and those plus effect's. */
export const measureVariants = async (dir: string): Promise<VariantResults> => {
  const control = await buildVariant(dir, "control", [])
  const single: Array<VariantResult> = []
  for (const variant of variants) {
    // One after another: each build is short, and parallel builds would only fight over 2 cores.
    // oxlint-disable-next-line no-await-in-loop
    single.push(await attempt(dir, variant.name, [variant], variant))
  }
  const applicable = (owner: Variant["owner"]) =>
    variants.filter((v) =>
      v.owner === owner && single.find((s) => s.variant.name === v.name)?.notApplicable === undefined
    )
  const ours = applicable("rulefx")
  const combined = await attempt(dir, "combined", ours, {
    name: combinedName,
    what: ours.map((v) => v.name).join(", "),
    owner: "rulefx",
    keepsBehaviour: "checked below: the equivalence scenarios run against this build too"
  })
  const pairResults: Array<VariantResult> = []
  for (const names of pairs) {
    const parts = variants.filter((v) => names.includes(v.name))
    pairResults.push(
      // oxlint-disable-next-line no-await-in-loop
      await attempt(dir, names.join("+"), parts, {
        name: names.join(" + "),
        what: "both together",
        owner: "rulefx",
        keepsBehaviour: "as each"
      })
    )
  }
  const leaveOneOut: Array<VariantResult> = []
  for (const left of ours) {
    const parts = ours.filter((v) => v !== left)
    // oxlint-disable-next-line no-await-in-loop
    leaveOneOut.push(await attempt(dir, `without-${left.name}`, parts, left))
  }
  const withEffect = [...ours, ...applicable("effect")]
  const combinedWithEffect = await attempt(dir, "combined-effect", withEffect, {
    name: combinedWithEffectName,
    what: withEffect.map((v) => v.name).join(", "),
    owner: "effect",
    keepsBehaviour: "as above"
  })
  return { control, single, pairs: pairResults, combined, leaveOneOut, combinedWithEffect }
}
