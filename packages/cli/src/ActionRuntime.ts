/**
 * ActionRuntime: builds an Action against `@rulefx/action-runtime` (`rulefx build --runtime npm`). The runtime
 * (effect, rulefx's packages) is one prebuilt package the Action declares as an npm dependency; the
 * Action's own code holds the user's rules and a shim per imported module that reads the module from the runtime's
 * map, so there is exactly one copy of effect at run time, the runtime's.
 *
 * What the runtime carries is read from the installed runtime's `modules.json`: an import it does not carry fails the
 * build, naming the module and the runtime's version, unless nothing of it is used (a type-only import, which the
 * bundled build drops too), and so does a named import or re-export of a name a carried module does not export
 * (`NotExported`). Node-side only.
 *
 * @since 0.1.0
 */
import type * as esbuild from "esbuild"
import { existsSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, isAbsolute, join, relative, resolve } from "node:path"

/**
 * The runtime package's name, as the Action requires it.
 *
 * @category constructors
 * @since 0.1.0
 */
export const packageName = "@rulefx/action-runtime"

/**
 * An installed runtime's manifest (`@rulefx/action-runtime/modules.json`).
 *
 * @category models
 * @since 0.1.0
 */
export interface Manifest {
  readonly name: string
  readonly version: string
  /** The version of effect the runtime carries (the one it was built with). Absent from an older runtime. */
  readonly effect?: string
  /** The specifiers the runtime carries (`effect/Effect`, `@rulefx/core/Rule`, ...). */
  readonly modules: ReadonlyArray<string>
  /**
   * The specifiers its lean file carries (`@rulefx/action-runtime/lean`, a part of `modules`, less than half the
   * bytes to parse at a cold start): an Action that imports only these loads that file instead. Absent from a runtime
   * without one.
   */
  readonly lean?: ReadonlyArray<string>
  /**
   * The specifiers its post-login file carries (`@rulefx/action-runtime/post-login`, a part of `lean` without the
   * other triggers' modules nor legacy-rules, about two thirds of its bytes): an Action that imports only these loads
   * that file. Absent from a runtime without one.
   */
  readonly postLogin?: ReadonlyArray<string>
  /**
   * The names each carried module exports, sorted, by specifier: a named import or re-export of another name fails
   * the build (`NotExported`). Absent from an older runtime, whose builds do not check names.
   */
  readonly exports?: Readonly<Record<string, ReadonlyArray<string>>>
}

/**
 * A file of the runtime smaller than the whole, which an Action whose imports it all carries loads instead
 * (`@rulefx/action-runtime/<part>`).
 *
 * @category models
 * @since 0.1.0
 */
export type Part = "post-login" | "lean"

/**
 * How a project gets the runtime from a clone of rulefx before rulefx is released (no registry has it then): build
 * the clone's packages, then link its runtime into the project. `build --runtime npm`'s warning and
 * `RuntimeNotInstalled` both say it.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromClone = "from a clone of rulefx before its release, build the clone (npx -y pnpm@10.34.9 build in " +
  "the clone) and link its runtime into your project (npx -y pnpm@10.34.9 add -D link:<clone>/packages/action-runtime)"

/**
 * How to install the runtime at `dependency` (`@rulefx/action-runtime@<version>`, as a built file requires it): from a
 * registry, or only from a clone for a clone's build (0.0.0), which no registry has. `build --runtime npm`'s warning
 * and `rulefx run`'s refusal of a file whose runtime is not installed say it.
 *
 * @category constructors
 * @since 0.1.0
 */
export const installWays = (dependency: string): string =>
  dependency.endsWith("@0.0.0") ? fromClone : `npm install --save-exact ${dependency}; or, ${fromClone}`

/**
 * `@rulefx/action-runtime` is not installed where the build looked. The message names `named`, the user's own
 * folders among those searched (not a folder rulefx generated an entry into, nor rulefx's own), and both ways to
 * install it: from a registry, or from a clone of rulefx before its release (`fromClone`).
 *
 * @category errors
 * @since 0.1.0
 */
export class RuntimeNotInstalled extends Error {
  /**
   * The folders searched, in order.
   *
   * @since 0.1.0
   */
  readonly searched: ReadonlyArray<string>
  /**
   * The folders the message names: the user's own among `searched` (all of them unless told).
   *
   * @since 0.1.0
   */
  readonly named: ReadonlyArray<string>
  constructor(searched: ReadonlyArray<string>, named: ReadonlyArray<string> = searched) {
    super(
      `--runtime npm builds against ${packageName}, which is not installed in ${
        named.length === 0 ? "your project" : named.join(" nor in ")
      }: install the version you will deploy with from a registry (npm install --save-exact ${packageName}), or, ` +
        fromClone
    )
    this.searched = searched
    this.named = named
  }
}

/**
 * The user's code imports modules the runtime does not carry.
 *
 * @category errors
 * @since 0.1.0
 */
export class NotInRuntime extends Error {
  /**
   * Each module not carried, with the file that imports it.
   *
   * @since 0.1.0
   */
  readonly missing: ReadonlyArray<{ readonly module: string; readonly importer: string }>
  /**
   * The runtime's version that was built against.
   *
   * @since 0.1.0
   */
  readonly version: string
  constructor(missing: ReadonlyArray<{ readonly module: string; readonly importer: string }>, version: string) {
    super(
      `${missing.map((m) => `${m.module} (imported by ${m.importer})`).join(", ")} ` +
        `${missing.length === 1 ? "is" : "are"} not in ${packageName} ${version}, which carries effect's modules ` +
        `that rulefx uses and rulefx's runtime packages: import what it carries, or build with ` +
        `--runtime bundled`
    )
    this.missing = missing
    this.version = version
  }
}

/**
 * A named import or re-export of a runtime module (`import { a } from "effect/Effect"`, `export { a } from`, a default
 * import's `default`, a namespace import's member `Effect.a`) whose name the module does not export in the runtime: in the Action it would be `undefined`.
 *
 * @category models
 * @since 0.1.0
 */
export interface Unexported {
  /** The importing file, relative to the working directory when it is inside it. */
  readonly file: string
  readonly module: string
  readonly name: string
}

/**
 * The user's code imports (or re-exports) names that modules of the runtime do not export: the bundled build fails on
 * them (esbuild's "No matching export"), the Action built against the runtime would read `undefined`.
 *
 * @category errors
 * @since 0.1.0
 */
export class NotExported extends Error {
  /**
   * Each name not exported, with its module and the file that imports it.
   *
   * @since 0.1.0
   */
  readonly unexported: ReadonlyArray<Unexported>
  /**
   * The runtime's version that was built against.
   *
   * @since 0.1.0
   */
  readonly version: string
  /**
   * The version of effect the runtime carries.
   *
   * @since 0.1.0
   */
  readonly effect: string | undefined
  constructor(unexported: ReadonlyArray<Unexported>, manifest: Manifest, projectEffect?: Installed) {
    const runtime = `${dependency(manifest)}${manifest.effect === undefined ? "" : ` (effect ${manifest.effect})`}`
    super(
      `${unexported.map((u) => `${u.file} imports ${u.name} from ${u.module}`).join("; ")}, which ${runtime} does ` +
        `not export: the Action would read undefined. Import what the runtime exports (none of its modules has a ` +
        `default export: import * as X from the module), re-export a type with export type, or build with ` +
        `--runtime bundled` +
        (projectEffect === undefined
          ? ""
          : ` (your project has effect ${projectEffect.version}, whose types may have names effect ` +
            `${manifest.effect} lacks)`)
    )
    this.unexported = unexported
    this.version = manifest.version
    this.effect = manifest.effect
  }
}

const noMatchingExport = /^No matching export in "rulefx-runtime:(.+)" for import "(.+)"$/
// esbuild's warning on a namespace import's member the module lacks (`import * as Effect from "effect/Effect"`, then
// `Effect.gen` against a runtime whose effect has no `gen`): undefined in the Action too.
const alwaysUndefined =
  /^Import "(.+)" will always be undefined because there is no matching export in "rulefx-runtime:(.+)"$/

const unexportedMatch = (text: string): { readonly module: string; readonly name: string } | undefined => {
  const named = noMatchingExport.exec(text)
  if (named !== null) return { module: named[1]!, name: named[2]! }
  const member = alwaysUndefined.exec(text)
  return member === null ? undefined : { module: member[2]!, name: member[1]! }
}

/**
 * The names the user's code imports that the runtime's modules do not export, from the errors and warnings of a build
 * with the plugin's `names` stubs: esbuild's own "No matching export" for each named import and re-export of
 * JavaScript (a TypeScript file's re-export too, once its types are stripped), as it reports them in a bundled build,
 * and its "will always be undefined" for a namespace import's member (`Effect.gen`, not `Effect[key]`). The file is
 * relative to the working directory when inside it, else absolute.
 *
 * @category getters
 * @since 0.1.0
 */
export const unexportedIn = (
  errors: ReadonlyArray<esbuild.Message>,
  workingDirectory = process.cwd()
): ReadonlyArray<Unexported> => {
  const found = errors.flatMap((error) => {
    const match = unexportedMatch(error.text)
    if (match === undefined) return []
    const at = resolve(workingDirectory, error.location?.file ?? "")
    const within = relative(workingDirectory, at)
    const file = within.startsWith("..") || isAbsolute(within) ? at : within
    return [{ file, ...match }]
  })
  const seen = new Set<string>()
  return found.filter((u) => {
    const key = `${u.file}\0${u.module}\0${u.name}`
    return seen.has(key) ? false : (seen.add(key), true)
  })
}

/**
 * rulefx's packages the Action's code uses are installed in the project at another version than the runtime's: the
 * code and its tests run the project's, the Action would run the runtime's (rulefx's packages share one version).
 *
 * @category errors
 * @since 0.1.0
 */
export class OtherVersions extends Error {
  /**
   * Each package at another version, with the folder whose node_modules has it.
   *
   * @since 0.1.0
   */
  readonly packages: ReadonlyArray<Installed>
  /**
   * The runtime's version, which is that of the rulefx packages it carries.
   *
   * @since 0.1.0
   */
  readonly version: string
  constructor(packages: ReadonlyArray<Installed>, version: string) {
    super(
      `${packages.map((p) => `${p.name}@${p.version} is installed in ${p.folder}`).join(", ")}, but ${packageName}@` +
        `${version} carries ${version} of ${packages.length === 1 ? "it" : "them"}: your code and its tests use ` +
        `the project's, the Action would run the runtime's. Install ${packageName} at the version of your rulefx ` +
        `packages (npm install --save-exact ${packageName}@${packages[0]?.version}), or them at ${version}`
    )
    this.packages = packages
    this.version = version
  }
}

/**
 * A package installed in a project: its name, its version and the folder whose node_modules has it.
 *
 * @category models
 * @since 0.1.0
 */
export interface Installed {
  readonly name: string
  readonly version: string
  readonly folder: string
}

// `folder` and each folder above it, nearest first: where Node looks for node_modules.
const upFrom = function*(folder: string): Generator<string> {
  for (let at = resolve(folder);; at = dirname(at)) {
    yield at
    if (dirname(at) === at) return
  }
}

// The runtime's manifest as Node resolves it from `folder`, through node_modules folders only: createRequire alone
// would also look in NODE_PATH (which pnpm's node sets), where rulefx's own dependencies live, and find a runtime the
// user's project does not have.
const manifestFrom = (folder: string): string | undefined => {
  for (const at of upFrom(folder)) {
    if (existsSync(join(at, "node_modules", packageName))) {
      try {
        return createRequire(join(at, "noop.js")).resolve(`${packageName}/modules.json`)
      } catch {
        // There, but not resolvable (an incomplete install): look further up.
      }
    }
  }
  return undefined
}

// The package `name` as Node finds it from the first of `folders` that has it, through node_modules folders only.
const installedFrom = (folders: ReadonlyArray<string>, name: string): Installed | undefined => {
  for (const folder of folders) {
    for (const at of upFrom(folder)) {
      const file = join(at, "node_modules", name, "package.json")
      if (!existsSync(file)) continue
      let version: unknown
      try {
        version = (JSON.parse(readFileSync(file, "utf8")) as { readonly version?: unknown } | null)?.version
      } catch (error) {
        // A bare SyntaxError would name no file.
        throw new Error(`${file} cannot be read as JSON (${String(error)}): reinstall ${name}`, { cause: error })
      }
      return typeof version === "string" ? { name, version, folder: at } : undefined
    }
  }
  return undefined
}

/**
 * rulefx's packages among the carried modules `used` (as `shimmed` finds them in the file) that the project has
 * installed, as Node finds them from `folders` (the entry's first), at another version than `manifest`'s, which is
 * the version of every rulefx package the runtime carries. A package the project does not have is not one.
 *
 * @category getters
 * @since 0.1.0
 */
export const otherVersions = (
  manifest: Manifest,
  used: ReadonlyArray<string>,
  folders: ReadonlyArray<string>
): ReadonlyArray<Installed> =>
  [...new Set(used.flatMap((id) => /^@rulefx\/[^/]+/.exec(id)?.[0] ?? []))].flatMap((name) => {
    const found = installedFrom(folders, name)
    return found !== undefined && found.version !== manifest.version ? [found] : []
  })

/**
 * The effect the project has installed, as Node finds it from `folders` (the user's own, in order), when it is another
 * version than the one `manifest`'s runtime carries: the code is type-checked (and its tests run) against the
 * project's, the Action runs the runtime's. Undefined when they match, when the project has none, or for an older
 * runtime that does not say its effect.
 *
 * @category getters
 * @since 0.1.0
 */
export const otherEffect = (manifest: Manifest, folders: ReadonlyArray<string>): Installed | undefined => {
  if (manifest.effect === undefined) return undefined
  const found = installedFrom(folders, "effect")
  return found !== undefined && found.version !== manifest.effect ? found : undefined
}

/**
 * The runtime installed where a user's project resolves it: the first of `folders` that has it (through their
 * node_modules folders, not NODE_PATH).
 *
 * @category constructors
 * @since 0.1.0
 */
export const find = (folders: ReadonlyArray<string>): Manifest & { readonly file: string } => {
  for (const folder of folders) {
    const file = manifestFrom(folder)
    if (file === undefined) continue
    const manifest = JSON.parse(readFileSync(file, "utf8")) as Partial<Manifest>
    if (
      manifest.name !== packageName || typeof manifest.version !== "string" || !Array.isArray(manifest.modules) ||
      (manifest.lean !== undefined && !Array.isArray(manifest.lean)) ||
      (manifest.postLogin !== undefined && !Array.isArray(manifest.postLogin)) ||
      (manifest.effect !== undefined && typeof manifest.effect !== "string") ||
      (manifest.exports !== undefined &&
        (typeof manifest.exports !== "object" || manifest.exports === null ||
          !Object.values(manifest.exports).every(Array.isArray)))
    ) {
      throw new Error(`${file} is not a manifest of ${packageName}`)
    }
    return {
      name: manifest.name,
      version: manifest.version,
      modules: manifest.modules,
      ...(manifest.lean === undefined ? {} : { lean: manifest.lean }),
      ...(manifest.postLogin === undefined ? {} : { postLogin: manifest.postLogin }),
      ...(manifest.effect === undefined ? {} : { effect: manifest.effect }),
      ...(manifest.exports === undefined ? {} : { exports: manifest.exports }),
      file
    }
  }
  throw new RuntimeNotInstalled(folders)
}

/**
 * The dependency an Action built against `manifest` declares: `@rulefx/action-runtime@<exact version>`.
 *
 * @category getters
 * @since 0.1.0
 */
export const dependency = (manifest: Manifest): string => `${manifest.name}@${manifest.version}`

const markerPrefix = "rulefx:requires "

/**
 * The string an Action built against `manifest` carries, `rulefx:requires @rulefx/action-runtime@<version>`: the shim
 * compares it with the runtime it loads, so it is a literal of the minified file that no minifier drops or splits,
 * and `requiredBy` reads it back (for `rulefx deploy` and `rulefx export`, which declare the dependency).
 *
 * @category getters
 * @since 0.1.0
 */
export const marker = (manifest: Manifest): string => `${markerPrefix}${dependency(manifest)}`

// The marker as the shim's version check uses it, `"<marker>" !== "<prefix>" + r.version` (the minifier may swap the
// sides), in a file that requires the runtime: a string that only looks like the marker (a message, a comment) in a
// file built bundled is not one.
const quote = "[\"'`]"
const prefix = `${markerPrefix}${packageName}@`.replaceAll(/[/.+]/g, "\\$&")
const version = "([0-9A-Za-z.+-]+)"
const sum = `${quote}${prefix}${quote}\\s*\\+\\s*[\\w$]+\\.version`
const markerFirst = new RegExp(`${quote}${prefix}${version}${quote}\\s*!==?\\s*${sum}`, "g")
const markerLast = new RegExp(`${sum}\\s*!==?\\s*${quote}${prefix}${version}${quote}`, "g")
const runtimeRequire = new RegExp(
  `require\\(\\s*${quote}${packageName.replace("/", "\\/")}(\\/lean|\\/post-login)?${quote}\\s*\\)`
)

/**
 * Whether a built Action's code requires the runtime (`require("@rulefx/action-runtime")`, or its lean or post-login
 * file), whatever version it checks, if any.
 *
 * @category getters
 * @since 0.1.0
 */
export const requiresRuntime = (code: string): boolean => runtimeRequire.test(code)

/**
 * The versions of the runtime a built Action's code requires (its `marker`s, as the shim's version check compares them,
 * in a file that requires the runtime), distinct, in the order found: none for an Action with the runtime bundled in
 * (or that uses nothing of it), one for an Action built with `--runtime npm`.
 *
 * @category getters
 * @since 0.1.0
 */
export const requiredBy = (code: string): ReadonlyArray<string> =>
  requiresRuntime(code)
    ? [...new Set([...code.matchAll(markerFirst), ...code.matchAll(markerLast)].map((match) => match[1]!))]
    : []

/**
 * Imports that go to the runtime: effect and rulefx's packages, with any subpath (one copy of each at run time).
 * Anything else (valibot included) is bundled into the Action's code as usual.
 */
const runtimeImport = /^(effect|@rulefx\/[^/]+)(\/.*)?$/

const shims = "rulefx-runtime"
const checked = "rulefx-runtime-checked"
const notCarried = "rulefx-runtime-missing"

// The whole runtime into `r`; not installed (an Action deployed without its dependency), Node's "Cannot find module"
// (which `rulefx run` recognises) followed by the dependency to declare (the runtime requires no other package).
const wholeRequire = (manifest: Manifest): string =>
  `try { r = require(${JSON.stringify(manifest.name)}); } catch (e) {\n` +
  `  if (e.code === "MODULE_NOT_FOUND") throw new Error(${
    JSON.stringify(
      `Cannot find module '${manifest.name}': this Action was built with --runtime npm against ` +
        `${dependency(manifest)}; declare it as its dependency`
    )
  });\n` +
  `  throw e;\n` +
  `}\n`

// A part of the runtime, or the whole runtime when the installed one has no such part (another version, which the
// check below then names, rather than Node's "cannot find module"). Either way one file is loaded: never two copies.
const partRequire = (manifest: Manifest, part: Part): string =>
  `try { r = require(${JSON.stringify(`${manifest.name}/${part}`)}); } catch (e) {\n` +
  `  if (e.code !== "MODULE_NOT_FOUND" && e.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") throw e;\n` +
  wholeRequire(manifest) +
  `}\n`

/**
 * The module every shim reads the runtime through: it requires the runtime once and refuses to load on a version
 * other than the one the Action was built against (a module or a name could be missing there), so a wrong
 * dependency fails the Action's load, and with it the login, instead of a rule half way. The check compares the
 * `marker` with the loaded version, which keeps the marker in the minified file. Each shim gets its module through the
 * function it exports, which refuses a module that runtime does not have, naming it (a runtime of the same version
 * built otherwise, such as a clone's, every one of them 0.0.0), rather than give the Action `undefined`.
 */
const checkedSource = (manifest: Manifest, part: Part | undefined): string =>
  `var r;\n` + (part !== undefined ? partRequire(manifest, part) : wholeRequire(manifest)) +
  `if (${JSON.stringify(marker(manifest))} !== ${JSON.stringify(`${markerPrefix}${manifest.name}@`)} + r.version) ` +
  `throw new Error(${
    JSON.stringify(`this Action was built against ${dependency(manifest)} and loads `)
  } + r.version + ${JSON.stringify(`: declare ${dependency(manifest)} as its dependency`)});\n` +
  `module.exports = function (id) {\n` +
  `  if (!Object.prototype.hasOwnProperty.call(r.modules, id)) throw new Error(id + ${
    JSON.stringify(` is not in the ${dependency(manifest)} this Action loads, which it was built against`)
  });\n` +
  `  return r.modules[id];\n` +
  `};\n`

// A shim: the module `id` of the runtime, through the checked module.
const shimOf = (args: esbuild.OnLoadArgs): esbuild.OnLoadResult => ({
  contents: `module.exports = require("rulefx-runtime:checked")(${JSON.stringify(args.path)});\n`,
  loader: "js"
})

// A module's names as an ES module exporting each of them (undefined), for the plugin's `names` check; a module whose
// names the manifest does not list gets its shim.
const stubOf = (manifest: Manifest, args: esbuild.OnLoadArgs): esbuild.OnLoadResult | undefined => {
  const names = manifest.exports?.[args.path]
  if (names === undefined) return undefined
  return {
    contents: `var none;\nexport { ${names.map((name) => `none as ${JSON.stringify(name)}`).join(", ")} };\n`,
    loader: "js"
  }
}

/**
 * The esbuild plugin of `--runtime npm`: each import of effect or a rulefx package becomes a shim,
 * `module.exports = get(id)`, which fails the load when the runtime lacks `id` (free of side effects, so that one
 * nothing uses is dropped); the runtime itself stays external.
 * Imports the runtime does not carry that the file uses are collected into `missing` and fail the build. Each is a
 * stand-in free of side effects (as effect and rulefx's packages are), which esbuild drops when nothing of it is used,
 * as it drops the module itself from a bundled build (a type-only `import { type Brand } from "effect/Brand"`, which
 * `verbatimModuleSyntax` keeps); the stand-ins left in the file are the missing ones (read from esbuild's metafile,
 * all of them without one).
 *
 * @category constructors
 * @since 0.1.0
 */
export const plugin = (
  manifest: Manifest,
  missing: Array<{ readonly module: string; readonly importer: string }>,
  options: {
    /** Load this part of the runtime rather than the whole (`partFor` says which the Action may). */
    readonly part?: Part
    /**
     * Collects the runtime's own name when the Action's code requires the runtime itself (the carried modules it uses
     * are the shims in the file: `shimmed`).
     */
    readonly used?: Set<string>
    /**
     * Check names, not build: each shim of a module whose names the manifest lists is an ES module exporting exactly
     * those (each `undefined`), so that esbuild fails on a named import or re-export of another, as it fails the
     * bundled build ("No matching export": `unexportedIn` reads them). The file is not an Action.
     */
    readonly names?: boolean
  } = {}
): esbuild.Plugin => {
  const carried = new Set(manifest.modules)
  const notCarriedImports: Array<{ readonly module: string; readonly importer: string }> = []
  return {
    name: "rulefx-action-runtime",
    setup(build) {
      build.onResolve({ filter: /^@rulefx\/action-runtime(\/lean|\/post-login)?$/ }, (args) => {
        if (args.namespace !== checked) {
          // The user's own code: a part is not a module it may import (the next resolver refuses it), and a
          // require of the runtime itself makes the Action load the whole runtime, the one copy both then share.
          if (args.path !== manifest.name) return undefined
          options.used?.add(args.path)
        }
        return { path: args.path, external: true }
      })
      build.onResolve({ filter: /^rulefx-runtime:checked$/ }, () => ({ path: "checked", namespace: checked }))
      build.onResolve({ filter: runtimeImport }, (args) => {
        // Free of side effects, as effect's and rulefx's modules are: an import of types only is dropped, and does not
        // keep the Action from loading a part of the runtime.
        if (carried.has(args.path)) return { path: args.path, namespace: shims, sideEffects: false }
        notCarriedImports.push({ module: args.path, importer: args.importer })
        return { path: args.path, namespace: notCarried, sideEffects: false }
      })
      build.onEnd((result) => {
        const inFile = new Set(
          Object.values(result.metafile?.outputs ?? {}).flatMap((output) => Object.keys(output.inputs))
        )
        const used = notCarriedImports.filter((m) =>
          result.metafile === undefined || inFile.has(`${notCarried}:${m.module}`)
        )
        missing.push(...used)
        return { errors: used.map((m) => ({ text: `${m.module} is not in ${dependency(manifest)}` })) }
      })
      build.onLoad({ filter: /.*/, namespace: checked }, () => ({
        contents: checkedSource(manifest, options.part),
        loader: "js"
      }))
      // A stand-in is a shim too: one that reached a file (which the build refuses) would fail its load, naming it.
      if (options.names === true) build.onLoad({ filter: /.*/, namespace: shims }, (args) => stubOf(manifest, args))
      for (const namespace of [shims, notCarried]) build.onLoad({ filter: /.*/, namespace }, shimOf)
    }
  }
}

/**
 * Whether an input of esbuild's metafile is one of the plugin's shims (the size report counts them as the runtime's).
 *
 * @category getters
 * @since 0.1.0
 */
export const isShim = (input: string): boolean => input.startsWith(`${shims}:`) || input.startsWith(`${checked}:`)

/**
 * The carried specifiers whose shims are in a built file, `inputs` being its output's inputs in esbuild's metafile:
 * the modules of the runtime the Action uses (an import of types only is not one).
 *
 * @category getters
 * @since 0.1.0
 */
export const shimmed = (inputs: Readonly<Record<string, unknown>>): ReadonlyArray<string> =>
  Object.keys(inputs).flatMap((input) => input.startsWith(`${shims}:`) ? [input.slice(shims.length + 1)] : [])

/**
 * Whether an Action that uses `used` (the carried specifiers `shimmed` finds in its file) may load the runtime's lean file:
 * the runtime has one and it carries every one of them.
 *
 * @category getters
 * @since 0.1.0
 */
export const leanEnough = (manifest: Manifest, used: ReadonlySet<string>): boolean => {
  if (manifest.lean === undefined) return false
  const lean = new Set(manifest.lean)
  return [...used].every((id) => lean.has(id))
}

/**
 * The smallest part of the runtime an Action that uses `used` (the carried specifiers `shimmed` finds in its file) may
 * load: its post-login file, else its lean file, when the runtime has it and it carries every one of them; undefined
 * for the whole runtime.
 *
 * @category getters
 * @since 0.1.0
 */
export const partFor = (manifest: Manifest, used: ReadonlySet<string>): Part | undefined => {
  const carries = (part: ReadonlyArray<string> | undefined) => {
    if (part === undefined) return false
    const carried = new Set(part)
    return [...used].every((id) => carried.has(id))
  }
  return carries(manifest.postLogin) ? "post-login" : carries(manifest.lean) ? "lean" : undefined
}
