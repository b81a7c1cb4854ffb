/**
 * Bundle: builds an Action entry into the one CommonJS file Auth0 accepts, and checks it against the size budget.
 *
 * esbuild, platform node, target node22, minified, with effect and every other dependency bundled in (Node
 * built-ins stay external), so the file loads with plain `require` and nothing installed beside it. Node-side
 * only: this module never ends up in an Action.
 *
 * @since 0.1.0
 */
import * as esbuild from "esbuild"
import { createHash, randomBytes } from "node:crypto"
import { existsSync, readFileSync } from "node:fs"
import { access, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises"
import { createRequire, isBuiltin } from "node:module"
import { basename, dirname, join, resolve } from "node:path"
import * as ActionRuntime from "./ActionRuntime.ts"
import * as ProjectRuntime from "./internal/projectRuntime.ts"

/**
 * Auth0's limit on one Action's code, read strictly: Auth0 says "100 kB" without saying which kB, so rulefx counts
 * 100,000 bytes (a kB is 1000 bytes everywhere in rulefx).
 *
 * @category constructors
 * @since 0.1.0
 */
export const auth0Limit = 100_000

/**
 * Bytes in a kB, as rulefx counts them (budgets in kB, size reports).
 *
 * @category constructors
 * @since 0.1.0
 */
export const bytesPerKb = 1000

/**
 * Build options.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  readonly entry: string
  readonly outfile: string
  /** Bytes; the build fails when the file is larger. Default 100 kB, Auth0's limit. */
  readonly budget?: number
  /**
   * Rewrite `import { Effect, Layer } from "effect"` in your sources into per-module imports
   * (`import * as Effect from "effect/Effect"`), which esbuild can tree-shake. Default true: a barrel-imported
   * Action was measured 4x larger.
   */
  readonly rewriteBarrelImports?: boolean
  /** How the size report names the entry file itself (default: its path). */
  readonly entryLabel?: string
  /** Modules left out of the file, required at run time from the Action's npm dependencies. */
  readonly external?: ReadonlyArray<string>
  /**
   * Where the entry's own imports of packages are resolved, in order, when the entry lives outside any project (a
   * file generated into a temporary folder): the user's project first, then rulefx's own dependencies. Imports of
   * the other files resolve as usual, from where each file is.
   */
  readonly resolveFrom?: ReadonlyArray<string>
  /**
   * Also write a source map beside the file (`<outfile>.map`), for `rulefx run` to map stack positions in log lines
   * back to the sources. The Action itself does not point at it (no `sourceMappingURL`), and `rulefx deploy` and
   * `rulefx export` never send it.
   */
  readonly sourcemap?: boolean
  /**
   * Where the rulefx runtime lives. `"bundled"` (the default): effect and rulefx's packages are bundled into the
   * file, which needs nothing installed beside it. `"npm"`: the file holds only your code and a small shim per
   * imported module; effect, valibot and `@rulefx/*` come at run time from `@rulefx/action-runtime`, which the Action
   * must declare as a dependency at the exact version built against (`Report.dependencies`). That runtime is looked
   * up from the entry's folder, then `resolveFrom`, then rulefx's own dependencies; an import it does not carry
   * fails the build (`ActionRuntime.NotInRuntime`) when the file uses it (a type-only import is dropped, as here), and
   * so does a named import or re-export of a name a carried module does not export (`ActionRuntime.NotExported`).
   */
  readonly runtime?: "bundled" | "npm"
}

/**
 * What a build produced: the file's size and the largest contributors to it, biggest first.
 *
 * @category models
 * @since 0.1.0
 */
export interface Report {
  readonly outfile: string
  readonly bytes: number
  readonly budget: number
  readonly contributors: ReadonlyArray<{ readonly path: string; readonly bytes: number }>
  /** Source files whose `from "effect"` imports could not be rewritten (e.g. `import * as E from "effect"`). */
  readonly barrelImportsLeft: ReadonlyArray<string>
  /**
   * Packages other than effect and rulefx's bundled from more than one folder (two versions of valibot, say): the
   * build goes on, since each copy works, but every copy after the first is bytes the budget pays for.
   */
  /**
   * With `runtime: "npm"`, when the project does not have @rulefx/action-runtime installed and the build used
   * rulefx's own copy: that copy's manifest. The file is right, but nothing beside it can load it yet.
   */
  readonly runtimeNotInProject?: string
  /**
   * With `runtime: "npm"`, when the project's own effect (as Node finds it from the user's folders) is another version
   * than the one the runtime carries: both versions. The code is type-checked against the project's, the Action
   * runs the runtime's.
   */
  readonly otherEffect?: { readonly project: ActionRuntime.Installed; readonly runtime: string }
  readonly duplicates: ReadonlyArray<Duplicate>
  /**
   * The npm packages bundled into the file, other than effect and rulefx's own, largest first: what `external` could
   * leave out (a refusal over the budget names them).
   */
  readonly packages?: ReadonlyArray<string>
  /** The source map written beside the file, with `sourcemap: true`. */
  readonly sourcemap?: string
  /**
   * The npm packages the file requires at run time that the Action must declare, each `name@exact-version`: with
   * `runtime: "npm"`, `["@rulefx/action-runtime@<version>"]`.
   */
  readonly dependencies?: ReadonlyArray<string>
}

/**
 * The file is larger than its budget.
 *
 * @category errors
 * @since 0.1.0
 */
export class OverBudget extends Error {
  /**
   * The build's report: the file was written, over the budget.
   *
   * @since 0.1.0
   */
  readonly report: Report
  constructor(report: Report) {
    super(
      `${report.outfile} is ${formatBytes(report.bytes)} (${report.bytes} bytes), over the budget of ` +
        `${formatBytes(report.budget)} (${report.budget} bytes). ` +
        `Largest contributors: ${
          report.contributors.slice(0, 5).map((c) => `${c.path} ${formatBytes(c.bytes)}`).join(", ")
        }`
    )
    this.report = report
  }
}

/**
 * The bundle holds two copies of a package that must exist once: effect (its runtime is keyed by module identity,
 * so two copies split it in two) or a rulefx package (two copies of a service or a fact are two different keys).
 *
 * @category errors
 * @since 0.1.0
 */
export class DuplicatePackages extends Error {
  /**
   * Each package found more than once, with the folders its copies come from.
   *
   * @since 0.1.0
   */
  readonly duplicates: ReadonlyArray<Duplicate>
  constructor(outfile: string, duplicates: ReadonlyArray<Duplicate>) {
    super(
      `${outfile} would hold two copies of ${duplicates.map((d) => d.name).join(", ")}; ` +
        duplicates.map((d) => `${d.name} from ${d.folders.join(" and from ")}`).join("; ") +
        ". Install one copy (one version everywhere; with pnpm, `pnpm why " + (duplicates[0]?.name ?? "") +
        "` shows who brings each)"
    )
    this.duplicates = duplicates
  }
}

/**
 * A package found in more than one folder of the bundle.
 *
 * @category models
 * @since 0.1.0
 */
export interface Duplicate {
  readonly name: string
  /** The package's folders, each holding a package.json named `name`, sorted. */
  readonly folders: ReadonlyArray<string>
  /** Each folder's copy, in the order of `folders`: its version (from its package.json) and its bytes in the file. */
  readonly copies: ReadonlyArray<{ readonly version: string | undefined; readonly bytes: number }>
}

/**
 * A duplicate as a warning line: the package, each copy's folder, version and size, and how to find who brings it.
 *
 * @category getters
 * @since 0.1.0
 */
export const describeDuplicate = (d: Duplicate): string =>
  `${d.name} is bundled ${d.folders.length === 2 ? "twice" : `${d.folders.length} times`}: ${
    d.folders.map((folder, i) => {
      const copy = d.copies[i]
      return `${folder} (${copy?.version ?? "no version"}, ${formatBytes(copy?.bytes ?? 0)})`
    }).join(" and ")
  }. One version everywhere bundles one copy (\`npm ls ${d.name}\` or \`pnpm why ${d.name}\` shows who brings each)`

/**
 * Bytes as kB with one decimal (1 kB = 1000 bytes). Near a limit the rounding hides the difference (100,040 bytes is
 * "100.0 kB"), so reports that compare with a limit print the bytes too.
 *
 * @category utility types
 * @since 0.1.0
 */
export const formatBytes = (bytes: number): string => `${(bytes / bytesPerKb).toFixed(1)} kB`

/**
 * The esbuild settings of an Action: one minified CommonJS file for node22 with everything bundled (Node built-ins
 * stay external). The benchmarks build with these too, so their sizes are the build's.
 *
 * @category constructors
 * @since 0.1.0
 */
export const esbuildOptions = {
  bundle: true,
  platform: "node",
  target: "node22",
  // Node 22 has Unicode property escapes (`\p{...}`, since Node 10). esbuild's table follows the newest Unicode
  // version's properties, so for node22 it rewrites such a regex literal as `new RegExp(...)`, a call it cannot drop
  // when unused: valibot's emoji regex, which no Action uses, cost 462 bytes in every one.
  supported: { "regexp-unicode-property-escapes": true },
  format: "cjs",
  // Non-ASCII text as UTF-8 rather than `\uXXXX` escapes: fewer bytes (Auth0 counts bytes), the same strings.
  charset: "utf8",
  minify: true,
  treeShaking: true,
  metafile: true,
  legalComments: "none",
  logLevel: "silent",
  write: false
} as const satisfies esbuild.BuildOptions

/**
 * Builds the Action file. Rejects, writing nothing, when the output is not a `.js` or `.cjs` file or is one of the
 * bundle's own sources, when esbuild fails, with `runtime: "npm"` when the code imports a module the runtime does not
 * carry (`ActionRuntime.NotInRuntime`) or a name one of its modules does not export (`ActionRuntime.NotExported`),
 * when the bundle would hold two copies of
 * effect or of a rulefx package (DuplicatePackages), or when the file is larger than the budget (OverBudget): a
 * failed build leaves an earlier good file where it was. Any other package bundled from two folders is reported in
 * `duplicates`, for a warning. The file (and its source map) is written to a temporary file
 * beside it and renamed into place, so nothing ever sees half a file.
 *
 * @category constructors
 * @since 0.1.0
 */
export const build = async (options: Options): Promise<Report> => {
  const budget = options.budget ?? auth0Limit
  if (!/\.c?js$/.test(options.outfile)) {
    throw new Error(`${options.outfile}: the Action is written to a .js (or .cjs) file, such as dist/action.js`)
  }
  const barrelImportsLeft: Array<string> = []
  // Where the entry's imports resolve from: its folder, then the caller's.
  const folders = [dirname(resolve(options.entry)), ...(options.resolveFrom ?? [])]
  const effectFrom = effectFolder(folders)
  const runtime = options.runtime === "npm"
    ? ProjectRuntime.find(folders, {
      // An entry built with resolveFrom lives outside any project (migrate's, in a temporary folder): not the user's.
      generated: options.resolveFrom === undefined ? undefined : dirname(resolve(options.entry))
    })
    : undefined
  const missing: Array<{ readonly module: string; readonly importer: string }> = []
  const plugins = (runtimePlugin: ReadonlyArray<esbuild.Plugin>, barrelLeft: Array<string>) => [
    ...runtimePlugin,
    ...(options.resolveFrom === undefined ? [] : [entryImportsPlugin(options.entry, options.resolveFrom)]),
    ...(effectFrom === undefined ? [] : [oneEffectPlugin(effectFrom)]),
    ...(options.rewriteBarrelImports === false ? [] : [barrelPlugin(effectFrom, barrelLeft)])
  ]
  const projectEffect = runtime === undefined
    ? undefined
    : ActionRuntime.otherEffect(
      runtime,
      ProjectRuntime.userFolders(folders)
    )
  if (runtime !== undefined) await refuseUnexported(options, runtime, plugins, effectFrom, projectEffect)
  const part = runtime === undefined ? undefined : await partFor(options, runtime, plugins)
  const result = await esbuild.build({
    plugins: plugins(
      runtime === undefined ? [] : [ActionRuntime.plugin(runtime, missing, part === undefined ? {} : { part })],
      barrelImportsLeft
    ),
    ...esbuildOptions,
    ...(options.external === undefined ? {} : { external: [...options.external] }),
    ...(options.sourcemap === true ? { sourcemap: "external" as const } : {}),
    entryPoints: [options.entry],
    outfile: options.outfile
  }).catch((error: unknown) => {
    if (runtime !== undefined && missing.length > 0) throw new ActionRuntime.NotInRuntime(missing, runtime.version)
    throw error
  })
  const output = result.outputFiles.find((file) => file.path === resolve(options.outfile))
  if (output === undefined) throw new Error(`esbuild produced no output for ${options.entry}`)
  const outputs = Object.values(result.metafile.outputs)
  const inputs = outputs.find((o) => Object.keys(o.inputs).length > 0)?.inputs ?? {}
  // esbuild refuses to overwrite the entry only when it writes itself: a source the entry imports would be replaced.
  const overwritten = Object.keys(inputs).find((input) => resolve(input) === resolve(options.outfile))
  if (overwritten !== undefined) {
    throw new Error(
      `${options.outfile} is one of the Action's own sources: write the Action elsewhere (dist/action.js)`
    )
  }
  const other = runtime === undefined
    ? []
    : ActionRuntime.otherVersions(runtime, ActionRuntime.shimmed(inputs), folders)
  if (runtime !== undefined && other.length > 0) throw new ActionRuntime.OtherVersions(other, runtime.version)
  const { duplicates, fatal } = findDuplicates(inputs)
  if (fatal.length > 0) throw new DuplicatePackages(options.outfile, fatal)
  if (runtime !== undefined) refuseSecondCopy(options.outfile, inputs, runtime)
  const byPackage = new Map<string, number>()
  for (const [path, info] of Object.entries(inputs)) {
    const key = options.entryLabel !== undefined && resolve(path) === resolve(options.entry)
      ? options.entryLabel
      : ActionRuntime.isShim(path)
      ? `${ActionRuntime.packageName} (shims)`
      : packageOf(path)
    byPackage.set(key, (byPackage.get(key) ?? 0) + info.bytesInOutput)
  }
  const packages = bundledPackages(inputs)
  const map = result.outputFiles.find((file) => file.path === `${resolve(options.outfile)}.map`)
  const report: Report = {
    outfile: options.outfile,
    bytes: output.contents.byteLength,
    budget,
    barrelImportsLeft,
    duplicates,
    contributors: [...byPackage].map(([path, bytes]) => ({ path, bytes })).toSorted((a, b) => b.bytes - a.bytes).slice(
      0,
      10
    ),
    ...(packages.length === 0 ? {} : { packages }),
    ...(map === undefined ? {} : { sourcemap: `${options.outfile}.map` }),
    ...(runtime === undefined ? {} : { dependencies: [ActionRuntime.dependency(runtime)] }),
    ...(runtime?.outside === true ? { runtimeNotInProject: runtime.file } : {}),
    ...(projectEffect === undefined || runtime?.effect === undefined
      ? {}
      : { otherEffect: { project: projectEffect, runtime: runtime.effect } })
  }
  if (report.bytes > budget) throw new OverBudget(report)
  await mkdir(dirname(options.outfile), { recursive: true })
  if (map !== undefined) await replaceFile(`${options.outfile}.map`, stampSourceMap(map.text, output.contents))
  await replaceFile(options.outfile, output.contents)
  await markCommonJs(dirname(options.outfile))
  return report
}

/**
 * The field of a source map written by `build` that holds the SHA-256 (hex) of the file it maps: a map left beside a
 * later build of the file no longer matches it, and `rulefx run` then ignores it.
 *
 * @category constructors
 * @since 0.1.0
 */
export const sourceMapHashField = "x_rulefx_sha256"

/**
 * The SHA-256 (hex) of a built file's contents, as `sourceMapHashField` holds it.
 *
 * @category constructors
 * @since 0.1.0
 */
export const contentHash = (contents: Uint8Array | string): string =>
  createHash("sha256").update(contents).digest("hex")

const stampSourceMap = (text: string, code: Uint8Array): string =>
  JSON.stringify({ ...(JSON.parse(text) as Record<string, unknown>), [sourceMapHashField]: contentHash(code) })

// Written beside the target and renamed over it: a reader sees the old file or the new one, never a part, and a
// failure leaves the old one in place.
const replaceFile = async (file: string, contents: Uint8Array | string): Promise<void> => {
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString("hex")}.tmp`)
  try {
    await writeFile(temporary, contents)
    await rename(temporary, file)
  } catch (error) {
    await rm(temporary, { force: true })
    throw error
  }
}

// The packages that must exist once in a bundle: effect and rulefx's own.
const mustBeSingle = (name: string): boolean => name === "effect" || name.startsWith("@rulefx/")

interface Owner {
  readonly name: string
  readonly folder: string
  readonly version: string | undefined
}

/**
 * The packages the inputs (esbuild's metafile inputs, paths relative to the working directory) take from more than
 * one folder: those of `mustBeSingle` are `fatal`, the others `duplicates`. A package is the nearest package.json
 * above a file that has a name.
 */
// With the npm runtime, a file of a package the runtime carries (effect, @rulefx/core, ...) must not be bundled: it
// came in by a path or an alias the shims do not see (`effect/dist/Effect.js`), and would be a second copy beside the
// runtime's, with its own fiber runtime and its own classes.
const refuseSecondCopy = (
  outfile: string,
  inputs: Readonly<Record<string, unknown>>,
  runtime: ActionRuntime.Manifest
): void => {
  const carried = new Set(["effect", ...runtime.modules.map((id) => /^@rulefx\/[^/]+/.exec(id)?.[0] ?? "effect")])
  const owners = new Map<string, Owner | undefined>()
  const copies = Object.keys(inputs).flatMap((input) => {
    if (input.includes(":") || ActionRuntime.isShim(input)) return []
    const owner = packageAbove(dirname(resolve(input)), owners)
    return owner !== undefined && carried.has(owner.name) ? [`${input} (${owner.name})`] : []
  })
  if (copies.length > 0) {
    throw new Error(
      `${outfile} would bundle ${copies.slice(0, 3).join(", ")}${copies.length > 3 ? ", ..." : ""}, a second copy ` +
        `beside ${ActionRuntime.dependency(runtime)}, which carries it: import it by its name (effect/Effect, ` +
        `@rulefx/core/Rule), not by a path or an alias, or build with --runtime bundled`
    )
  }
}

const findDuplicates = (
  inputs: Readonly<Record<string, { readonly bytesInOutput: number }>>
): { readonly fatal: ReadonlyArray<Duplicate>; readonly duplicates: ReadonlyArray<Duplicate> } => {
  const owners = new Map<string, Owner | undefined>()
  const copies = new Map<string, Map<string, { version: string | undefined; bytes: number }>>()
  for (const [input, { bytesInOutput }] of Object.entries(inputs)) {
    if (input.includes(":")) continue // esbuild's virtual modules, e.g. "(disabled):fs"
    const owner = packageAbove(dirname(resolve(input)), owners)
    if (owner === undefined) continue
    const folders = copies.get(owner.name) ?? new Map()
    const copy = folders.get(owner.folder) ?? { version: owner.version, bytes: 0 }
    copy.bytes += bytesInOutput
    copies.set(owner.name, folders.set(owner.folder, copy))
  }
  const found = [...copies].filter(([, folders]) => folders.size > 1).map(([name, folders]): Duplicate => {
    const sorted = [...folders].toSorted(([a], [b]) => a.localeCompare(b))
    return {
      name,
      folders: sorted.map(([folder]) => folder),
      copies: sorted.map(([, { bytes, version }]) => ({ version, bytes }))
    }
  })
  return {
    fatal: found.filter((d) => mustBeSingle(d.name)),
    duplicates: found.filter((d) => !mustBeSingle(d.name))
  }
}

const packageAbove = (dir: string, cache: Map<string, Owner | undefined>): Owner | undefined => {
  if (cache.has(dir)) return cache.get(dir)
  let found: Owner | undefined
  try {
    const json = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
      readonly name?: unknown
      readonly version?: unknown
    }
    if (typeof json.name === "string") {
      found = { name: json.name, folder: dir, version: typeof json.version === "string" ? json.version : undefined }
    }
  } catch {
    // No package.json here, or one without a name (such as {"type": "commonjs"}): look further up.
  }
  if (found === undefined && dirname(dir) !== dir) found = packageAbove(dirname(dir), cache)
  cache.set(dir, found)
  return found
}

/**
 * How each name of the effect barrel maps to a module: namespaces (`export * as Effect from "./Effect.js"`) and the
 * few plain functions (`pipe`, `identity`, ... from "./Function.js"). Read from the installed effect, so it follows
 * the version the user has.
 */
const barrelMap = (
  fromDir: string | undefined
): ReadonlyMap<string, { readonly module: string; readonly namespace: boolean }> => {
  if (fromDir === undefined) throw new Error(`"effect" is imported but cannot be found from the entry`)
  const require = createRequire(join(fromDir, "noop.js"))
  const index = readFileSync(join(dirname(require.resolve("effect/package.json")), "dist", "index.js"), "utf8")
  const map = new Map<string, { module: string; namespace: boolean }>()
  for (const [, name, file] of index.matchAll(/export \* as (\w+) from "\.\/([\w/]+)\.js"/g)) {
    map.set(name!, { module: `effect/${file}`, namespace: true })
  }
  for (const [, names, file] of index.matchAll(/export \{([^}]*)\} from "\.\/([\w/]+)\.js"/g)) {
    const withoutComments = names!.replace(/\/\*[\s\S]*?\*\//g, "")
    for (const name of withoutComments.split(",").map((n) => n.trim()).filter((n) => n.length > 0)) {
      map.set(name, { module: `effect/${file}`, namespace: false })
    }
  }
  return map
}

const barrelImport = /import\s+(type\s+)?\{([^}]*)\}\s*from\s*["']effect["'];?/g

/**
 * Rewrites named imports from the "effect" barrel into per-module imports. Returns undefined when something is left
 * that cannot be rewritten.
 *
 * @category constructors
 * @since 0.1.0
 */
export const rewriteBarrelImports = (
  source: string,
  map: ReadonlyMap<string, { readonly module: string; readonly namespace: boolean }>
): { readonly code: string; readonly complete: boolean } => {
  let complete = true
  const code = source.replace(barrelImport, (_statement, typeOnly: string | undefined, list: string) => {
    if (typeOnly !== undefined) return "" // erased by TypeScript anyway
    const lines: Array<string> = []
    const left: Array<string> = []
    for (const raw of list.split(",").map((s) => s.trim()).filter((s) => s.length > 0)) {
      if (raw.startsWith("type ")) continue
      const [imported, local = imported] = raw.split(/\s+as\s+/).map((s) => s.trim())
      const target = map.get(imported!)
      if (target === undefined) left.push(raw)
      else if (target.namespace) lines.push(`import * as ${local} from "${target.module}";`)
      else lines.push(`import { ${imported} as ${local} } from "${target.module}";`)
    }
    if (left.length > 0) {
      complete = false
      lines.push(`import { ${left.join(", ")} } from "effect";`)
    }
    return lines.join(" ")
  })
  if (/from\s*["']effect["']/.test(code)) complete = false
  return { code, complete }
}

const barrelPlugin = (effectFrom: string | undefined, left: Array<string>): esbuild.Plugin => ({
  name: "rulefx-effect-barrel",
  setup(build) {
    let map: ReturnType<typeof barrelMap> | undefined
    build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
      if (args.path.includes("/node_modules/")) return undefined
      const source = await readFile(args.path, "utf8")
      if (!/from\s*["']effect["']/.test(source)) return undefined
      map ??= barrelMap(effectFrom)
      const { code, complete } = rewriteBarrelImports(source, map)
      if (!complete) left.push(args.path)
      const path = args.path
      const loader = path.endsWith(".tsx") ? "tsx" : [".ts", ".mts", ".cts"].some((e) => path.endsWith(e)) ? "ts" : "js"
      return { contents: code, loader }
    })
  }
})

// With the npm runtime: which part of the runtime (its post-login or lean file) the Action may load, from a first build
// (not minified, not written) whose file holds a shim of each carried module the Action uses. A failing first build
// says none: the real build reports the failure.
const partFor = async (
  options: Options,
  runtime: ActionRuntime.Manifest,
  plugins: (runtimePlugin: ReadonlyArray<esbuild.Plugin>, barrelLeft: Array<string>) => Array<esbuild.Plugin>
): Promise<ActionRuntime.Part | undefined> => {
  if (runtime.lean === undefined && runtime.postLogin === undefined) return undefined
  const used = new Set<string>()
  try {
    const result = await esbuild.build({
      plugins: plugins([ActionRuntime.plugin(runtime, [], { used })], []),
      ...esbuildOptions,
      minify: false,
      ...(options.external === undefined ? {} : { external: [...options.external] }),
      entryPoints: [options.entry],
      outfile: options.outfile
    })
    for (const output of Object.values(result.metafile.outputs)) {
      for (const id of ActionRuntime.shimmed(output.inputs)) used.add(id)
    }
  } catch {
    return undefined
  }
  return ActionRuntime.partFor(runtime, used)
}

// With the npm runtime: refuses, before anything is written, a named import or re-export of a name a carried module
// does not export in the runtime (undefined in the Action), or a namespace import's member of one, from a first build
// whose shims are ES modules exporting the names the manifest lists: esbuild's linker reports each as in a bundled
// build ("No matching export", and its warning "will always be undefined" for a member). A
// TypeScript file's re-export of a missing name passes esbuild as a type, so its types are stripped first. Nothing to
// check with an older runtime, whose manifest lists no names. A build failing otherwise is the real build's to report.
const refuseUnexported = async (
  options: Options,
  runtime: ActionRuntime.Manifest,
  plugins: (runtimePlugin: ReadonlyArray<esbuild.Plugin>, barrelLeft: Array<string>) => Array<esbuild.Plugin>,
  effectFrom: string | undefined,
  projectEffect: ActionRuntime.Installed | undefined
): Promise<void> => {
  if (runtime.exports === undefined) return
  const messages = await esbuild.build({
    plugins: plugins([ActionRuntime.plugin(runtime, [], { names: true }), typesStrippedPlugin(effectFrom)], []),
    ...esbuildOptions,
    minify: false,
    ...(options.external === undefined ? {} : { external: [...options.external] }),
    entryPoints: [options.entry],
    outfile: options.outfile
  }).then(
    (result) => result.warnings,
    (error: unknown) => {
      const failure = error as Partial<esbuild.BuildFailure>
      return [...(failure.errors ?? []), ...(failure.warnings ?? [])]
    }
  )
  const unexported = ActionRuntime.unexportedIn(messages)
  if (unexported.length > 0) throw new ActionRuntime.NotExported(unexported, runtime, projectEffect)
}

// The check's TypeScript sources as JavaScript (types stripped by esbuild, the effect barrel's imports rewritten as the
// build rewrites them): a re-export of a name the module lacks is then an error, not a type.
const typesStrippedPlugin = (effectFrom: string | undefined): esbuild.Plugin => ({
  name: "rulefx-types-stripped",
  setup(build) {
    let map: ReturnType<typeof barrelMap> | undefined
    build.onLoad({ filter: /\.[cm]?tsx?$/ }, async (args) => {
      const source = await readFile(args.path, "utf8")
      const rewritten = /from\s*["']effect["']/.test(source)
        ? rewriteBarrelImports(source, map ??= barrelMap(effectFrom)).code
        : source
      const loader = args.path.endsWith(".tsx") ? "tsx" : "ts"
      return esbuild.transform(rewritten, { loader, sourcefile: args.path }).then(
        (result) => ({ contents: result.code, loader: "js" as const }),
        () => undefined
      )
    })
  }
})

// Passed to build.resolve by the plugins below, so that they do not answer their own questions.
const again = Symbol("rulefx-resolve-again")

const resolved = (result: esbuild.ResolveResult): esbuild.OnResolveResult => ({
  path: result.path,
  external: result.external,
  namespace: result.namespace,
  sideEffects: result.sideEffects,
  ...(result.suffix === "" ? {} : { suffix: result.suffix })
})

// The entry's imports of packages (not relative paths, absolute paths or Node built-ins), from each folder in turn.
const entryImportsPlugin = (entry: string, folders: ReadonlyArray<string>): esbuild.Plugin => ({
  name: "rulefx-entry-imports",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === again || resolve(args.importer) !== resolve(entry) || isBuiltin(args.path)) {
        return undefined
      }
      for (const resolveDir of folders) {
        // One folder after another: the first that has the package wins.
        // oxlint-disable-next-line no-await-in-loop
        const result = await build.resolve(args.path, { kind: args.kind, resolveDir, pluginData: again })
        if (result.errors.length === 0) return resolved(result)
      }
      return undefined
    })
  }
})

// The first of `folders` from which "effect" resolves: the copy every import of effect in the bundle gets.
const effectFolder = (folders: ReadonlyArray<string>): string | undefined =>
  folders.find((folder) => {
    try {
      createRequire(join(folder, "noop.js")).resolve("effect/package.json")
      return true
    } catch {
      return false
    }
  })

// Every import of effect, from any file, resolves from one folder: one copy of effect in the bundle, even when the
// entry's packages come from two places (the user's project and rulefx's own dependencies). Two copies would
// split effect's runtime in two (its services and fibers are keyed by module identity).
const oneEffectPlugin = (folder: string): esbuild.Plugin => ({
  name: "rulefx-one-effect",
  setup(build) {
    build.onResolve({ filter: /^effect(\/|$)/ }, async (args) => {
      if (args.pluginData === again) return undefined
      const result = await build.resolve(args.path, { kind: args.kind, resolveDir: folder, pluginData: again })
      return result.errors.length === 0 ? resolved(result) : undefined
    })
  }
})

// Inside a "type": "module" project a .js file is loaded as ESM; a package.json beside the bundle keeps it CommonJS
// there. Anywhere else the file is CommonJS already, and a package.json written into /tmp or a home folder would
// change how Node, npm and every tool that looks for the nearest package.json treat all that is below it.
const markCommonJs = async (dir: string): Promise<void> => {
  const file = join(dir, "package.json")
  const exists = await access(file).then(() => true, () => false)
  if (!exists && nearestType(dirname(resolve(dir))) === "module") await writeFile(file, `{ "type": "commonjs" }\n`)
}

// The "type" of the nearest package.json in `dir` or above it, as Node reads it to load a .js file below.
const nearestType = (dir: string): string | undefined => {
  if (!existsSync(join(dir, "package.json"))) return dirname(dir) === dir ? undefined : nearestType(dirname(dir))
  try {
    const json = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { readonly type?: unknown }
    return typeof json.type === "string" ? json.type : "commonjs"
  } catch {
    return undefined // not JSON: Node refuses to load anything below it anyway
  }
}

// The npm packages (from a node_modules folder) other than effect and rulefx's, largest first.
const bundledPackages = (inputs: Readonly<Record<string, { readonly bytesInOutput: number }>>): Array<string> => {
  const bytes = new Map<string, number>()
  for (const [path, info] of Object.entries(inputs)) {
    if (!path.includes("node_modules/") || path.includes(":")) continue
    const name = packageOf(path)
    if (name.startsWith("effect/") || mustBeSingle(name) || info.bytesInOutput === 0) continue
    bytes.set(name, (bytes.get(name) ?? 0) + info.bytesInOutput)
  }
  return [...bytes].toSorted((a, b) => b[1] - a[1]).map(([name]) => name)
}

const packageOf = (path: string): string => {
  const parts = path.split("node_modules/")
  const last = parts[parts.length - 1] ?? path
  if (parts.length === 1) {
    // rulefx's own packages, wherever the workspace is: "@rulefx/core/Rule" rather than "../../packages/core/...".
    const own = /(?:^|\/)packages\/([\w-]+)\/src\/(.+)\.ts$/.exec(path)
    return own === null ? path : `@rulefx/${own[1]}/${own[2]}`
  }
  const segments = last.split("/")
  const name = segments[0]?.startsWith("@") ? `${segments[0]}/${segments[1]}` : segments[0] ?? last
  // effect is one package but its modules are the interesting unit.
  return name === "effect" ? `effect/${segments.slice(-1)[0]?.replace(/\.(js|ts)$/, "")}` : name
}
