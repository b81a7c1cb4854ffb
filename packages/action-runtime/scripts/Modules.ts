/**
 * Modules: what `@rulefx/action-runtime` carries, and the entry that exposes it as one map.
 *
 * Set A (issue 10, measured in bench/runtime-npm.ts): every public module of `@rulefx/core`, `rules`,
 * `adapter-auth0` and `legacy-rules` (`src/*.ts`; `index.ts` is the package's barrel) and the public effect
 * modules (`effect/<Module>`) that esbuild bundles for those. A user import of anything else fails the Action's build,
 * naming the module: the rest of effect (Schema, Config, the barrel...) is what an Action must not use, and carrying
 * all of it doubled the runtime's cold require.
 *
 * Node-side, build time only: read by the package's build and by the benchmarks, never part of the runtime.
 */
import * as esbuild from "esbuild"
import { readdirSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { esbuildOptions } from "../../cli/src/Bundle.ts"

/** The runtime package's name, as an Action built with `--runtime npm` requires it. */
export const packageName = "@rulefx/action-runtime"

/** This package's folder. */
export const packageFolder = join(dirname(fileURLToPath(import.meta.url)), "..")

/** The rulefx packages whose public modules the runtime exposes. */
export const rulefxPackages = ["core", "rules", "adapter-auth0", "legacy-rules"] as const

/** A module the runtime exposes: the specifier user code imports and the file that implements it. */
export interface Exposed {
  readonly specifier: string
  readonly file: string
}

const require = createRequire(join(packageFolder, "package.json"))

/** The folder of the installed effect's modules (`dist/<Module>.js`). */
export const effectDist = dirname(require.resolve("effect/Effect"))

/** The version of the effect the runtime is built with (and carries), from its package.json. */
export const effectVersion = (): string =>
  (JSON.parse(readFileSync(require.resolve("effect/package.json"), "utf8")) as { readonly version: string }).version

/** The public modules of rulefx's runtime packages, `@rulefx/<package>` for a barrel. */
export const rulefxModules = (): ReadonlyArray<Exposed> =>
  rulefxPackages.flatMap((name) => {
    const src = dirname(require.resolve(`@rulefx/${name}`))
    return readdirSync(src).filter((file) => file.endsWith(".ts")).toSorted().map((file) => ({
      specifier: file === "index.ts" ? `@rulefx/${name}` : `@rulefx/${name}/${file.slice(0, -3)}`,
      file: join(src, file)
    }))
  })

/** Every public top-level effect module (`effect/<Module>`, from dist/<Module>.js), and the `effect` barrel. */
export const allEffectModules = (): ReadonlyArray<Exposed> => [
  { specifier: "effect", file: join(effectDist, "index.js") },
  ...readdirSync(effectDist)
    .filter((file) => file.endsWith(".js") && file !== "index.js")
    .toSorted()
    .map((file) => ({ specifier: `effect/${file.slice(0, -3)}`, file: join(effectDist, file) }))
]

/**
 * The entry of a runtime: its `name`, its `version`, and each module's namespace in one map, `modules[specifier]`.
 *
 * Every namespace is marked `__esModule`, so an Action's shim (`module.exports = modules[id]`) reads the same for
 * every module: `import * as X` gets the module's own exports, no more, and `import X from` gets its own `default`
 * export (undefined for a module without one) rather than the whole namespace for some modules and not others.
 *
 * Eager: every module runs when the runtime is required. Lazy (measured by the benchmarks, not shipped): each entry
 * is a getter that `require`s its module, which runs on first use.
 *
 * The map is frozen: every Action in a process that requires the runtime shares it, so one must not be able to put
 * another module in the place of `@rulefx/core/Rule` for the others.
 */
export const entrySource = (
  exposed: ReadonlyArray<Exposed>,
  options: { readonly version: string; readonly lazy?: boolean }
): string => {
  const head = `export const name = ${JSON.stringify(packageName)}\n` +
    `export const version = ${JSON.stringify(options.version)}\n` +
    `const esModule = (ns) => Object.defineProperty(ns, "__esModule", { value: true })\n`
  if (options.lazy === true) {
    return head +
      `export const modules = Object.freeze({\n${
        exposed.map((m) =>
          `  get ${JSON.stringify(m.specifier)}() { return esModule(require(${JSON.stringify(m.file)})) }`
        ).join(",\n")
      }\n})\n`
  }
  return head + exposed.map((m, i) => `import * as m${i} from ${JSON.stringify(m.file)}`).join("\n") +
    `\nexport const modules = Object.freeze({\n${
      exposed.map((m, i) => `  ${JSON.stringify(m.specifier)}: esModule(m${i})`).join(",\n")
    }\n})\n`
}

const bundledFor = (base: ReadonlyArray<Exposed>) =>
  esbuild.build({
    ...esbuildOptions,
    absWorkingDir: packageFolder,
    stdin: { contents: entrySource(base, { version: "0.0.0" }), resolveDir: packageFolder, loader: "js" }
  })

/**
 * The effect modules esbuild bundles for `base`: they are in the runtime already (as far as `base` uses them), so
 * exposing them whole adds only their unused exports.
 */
export const reachableEffect = async (base: ReadonlyArray<Exposed>): Promise<ReadonlyArray<Exposed>> => {
  const result = await bundledFor(base)
  const inputs = new Set(Object.keys(result.metafile.inputs).map((path) => join(packageFolder, path)))
  return allEffectModules().filter((m) => m.specifier !== "effect" && inputs.has(m.file))
}

/**
 * The effect modules `base`'s own files import by name (`effect/Effect`, `effect/Layer`...), as opposed to those
 * reached only through effect's own imports (Logger's FileSystem, and through it Stream, Channel, PubSub...) or
 * through rulefx's internal files, which use a part of them.
 */
export const importedEffect = async (base: ReadonlyArray<Exposed>): Promise<ReadonlyArray<Exposed>> => {
  const result = await bundledFor(base)
  const files = new Set(base.map((m) => m.file))
  const imported = new Set(
    Object.entries(result.metafile.inputs)
      .filter(([path]) => files.has(join(packageFolder, path)))
      .flatMap(([, input]) => input.imports.map((i) => i.original ?? ""))
  )
  return allEffectModules().filter((m) => m.specifier !== "effect" && imported.has(m.specifier))
}

/**
 * Set A, sorted by specifier: the reachable effect modules and rulefx's public modules. valibot is not in it: rulefx's
 * Action code no longer uses it, and a user's rules that do bundle the part they use (it has no state that needs one
 * copy), as any other npm package.
 */
export const setA = async (): Promise<ReadonlyArray<Exposed>> => {
  const base = rulefxModules()
  return [...await reachableEffect(base), ...base].toSorted((a, b) => a.specifier.localeCompare(b.specifier))
}

/**
 * The lean set, a part of set A: rulefx's public modules and the effect modules they import by name (Effect, Layer,
 * Context, Data, Duration, Option...). Built alone it is less than half of set A's file, whose cold require is
 * mostly V8 parsing it: an Action that imports nothing else loads the lean file (`@rulefx/action-runtime/lean`)
 * instead of the whole (never both: each file has its own copy of effect).
 */
export const leanSet = async (): Promise<ReadonlyArray<Exposed>> => {
  const base = rulefxModules()
  return [...await importedEffect(base), ...base].toSorted((a, b) => a.specifier.localeCompare(b.specifier))
}

/**
 * The post-login set, a part of the lean set: what an Action written with rulefx's rules for the post-login trigger
 * imports. The lean set less every module that reaches `@rulefx/core/Trigger` (the other triggers' modules, whose
 * decisions are marked by trigger), less legacy-rules (an Action of legacy Rules loads the lean file) and the
 * packages' barrels, with the effect modules the rest import by name. Its file is about two thirds of the lean file's
 * bytes, and V8's compiling of the file it requires is most of an Action's cold start on the npm runtime.
 */
export const postLoginSet = async (): Promise<ReadonlyArray<Exposed>> => {
  const base = rulefxModules()
  const result = await bundledFor(base)
  const importsOf = new Map(
    Object.entries(result.metafile.inputs).map(([path, input]) => [
      join(packageFolder, path),
      input.imports.filter((i) => !i.external).map((i) => join(packageFolder, i.path))
    ])
  )
  const trigger = base.find((m) => m.specifier === "@rulefx/core/Trigger")?.file
  const reaches = (from: string, target: string | undefined, seen = new Set<string>()): boolean => {
    if (from === target) return true
    seen.add(from)
    return (importsOf.get(from) ?? []).some((next) => !seen.has(next) && reaches(next, target, seen))
  }
  const kept = base.filter((m) =>
    /^@rulefx\/(core|rules|adapter-auth0)\/./.test(m.specifier) && !reaches(m.file, trigger)
  )
  return [...await importedEffect(kept), ...kept].toSorted((a, b) => a.specifier.localeCompare(b.specifier))
}
