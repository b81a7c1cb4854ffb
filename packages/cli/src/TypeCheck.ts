/**
 * TypeCheck: type-checks the project of an Action's entry with the project's own TypeScript, before `rulefx build`
 * bundles it. esbuild strips types without reading them, so without this a pipeline that reads an undeclared fact, or a
 * layer that misses a service, would build (and fail closed at run time) although rulefx promises a compile error.
 *
 * The project is the nearest `tsconfig.json` above the entry whose files include the entry (or a project it
 * references that does). TypeScript comes from the project (`typescript` resolved from the entry's folder) or else
 * from rulefx's own dependencies. It runs as a process, `tsc -p <tsconfig> --noEmit`: `typescript` 7 is a native
 * binary with no JavaScript API, and version 5's `bin/tsc` takes the same arguments. Node-side only.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import { execFile } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { rm, writeFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { dirname, join, parse, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"

/**
 * A TypeScript installation: the file to run with Node, its version, and where it was found.
 *
 * @category models
 * @since 0.1.0
 */
export interface TypeScript {
  readonly bin: string
  readonly version: string
  readonly from: "project" | "rulefx"
}

/**
 * What a check found. `diagnostics` is TypeScript's own output (`file(line,col): error TSxxxx: ...`), paths relative
 * to the working directory; empty when `ok`.
 *
 * @category models
 * @since 0.1.0
 */
export interface Result {
  readonly ok: boolean
  readonly tsconfig: string
  readonly typescript: TypeScript
  readonly diagnostics: string
}

/**
 * The check could not run: no TypeScript, or TypeScript could not be started.
 *
 * @category errors
 * @since 0.1.0
 */
export class TypeCheckError extends Data.TaggedError("TypeCheckError")<{ readonly reason: string }> {
  override get message(): string {
    return this.reason
  }
}

const rulefxFolder = dirname(fileURLToPath(import.meta.url))

/**
 * The TypeScript to check a project with: the one the project has (resolved from `dir`), or else rulefx's own.
 *
 * @category constructors
 * @since 0.1.0
 */
export const findTypeScript = (dir: string): TypeScript | undefined =>
  typeScriptFrom(dir, "project") ?? typeScriptFrom(rulefxFolder, "rulefx")

const typeScriptFrom = (dir: string, from: TypeScript["from"]): TypeScript | undefined => {
  try {
    const manifest = createRequire(join(dir, "noop.js")).resolve("typescript/package.json")
    const json = JSON.parse(readFileSync(manifest, "utf8")) as { readonly version?: unknown; readonly bin?: unknown }
    const bin = Predicate.isString(json.bin)
      ? json.bin
      : Predicate.hasProperty(json.bin, "tsc") && Predicate.isString(json.bin.tsc)
      ? json.bin.tsc
      : undefined
    if (bin === undefined || !Predicate.isString(json.version)) return undefined
    return { bin: join(dirname(manifest), bin), version: json.version, from }
  } catch {
    return undefined
  }
}

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

// tsc as a child process of this Node (the bin of typescript 5 is JavaScript; that of 7 starts the native binary).
const runTsc = (typescript: TypeScript, args: ReadonlyArray<string>): Effect.Effect<Run, TypeCheckError> =>
  Effect.callback<Run, TypeCheckError>((resume) => {
    const child = execFile(
      process.execPath,
      [typescript.bin, ...args],
      { maxBuffer: 64 * 1024 * 1024, timeout: 300_000, env: { ...process.env, NO_COLOR: "1" } },
      (error, stdout, stderr) => {
        if (error !== null && !Predicate.isNumber(error.code)) {
          return resume(Effect.fail(new TypeCheckError({ reason: `TypeScript could not run: ${error.message}` })))
        }
        resume(Effect.succeed({ code: error === null ? 0 : Number(error.code), stdout, stderr }))
      }
    )
    return Effect.sync(() => child.kill())
  })

// The files of a project as TypeScript resolves them (include, exclude, files, extends), and its references.
const showConfig = Effect.fnUntraced(function*(typescript: TypeScript, tsconfig: string) {
  const run = yield* runTsc(typescript, ["--showConfig", "-p", tsconfig])
  if (run.code !== 0) return { files: [], references: [] }
  const json = yield* Effect.try({
    try: () => JSON.parse(run.stdout) as { readonly files?: unknown; readonly references?: unknown },
    catch: () => new TypeCheckError({ reason: `${tsconfig}: TypeScript's --showConfig printed no JSON` })
  })
  const base = dirname(tsconfig)
  const files = Array.isArray(json.files) ? json.files.filter(Predicate.isString).map((f) => resolve(base, f)) : []
  const references = Array.isArray(json.references)
    ? json.references.flatMap((r: unknown) =>
      Predicate.hasProperty(r, "path") && Predicate.isString(r.path) ? [configFile(resolve(base, r.path))] : []
    )
    : []
  return { files, references }
})

const configFile = (path: string): string => path.endsWith(".json") ? path : join(path, "tsconfig.json")

// The project of `tsconfig` (or one it references, depth first) whose files include `entry`.
const covering = (
  typescript: TypeScript,
  tsconfig: string,
  entry: string,
  seen: Set<string>
): Effect.Effect<string | undefined, TypeCheckError> =>
  Effect.gen(function*() {
    if (seen.has(tsconfig) || !existsSync(tsconfig)) return undefined
    seen.add(tsconfig)
    const { files, references } = yield* showConfig(typescript, tsconfig)
    if (files.includes(entry)) return tsconfig
    for (const reference of references) {
      const found = yield* covering(typescript, reference, entry, seen)
      if (found !== undefined) return found
    }
    return undefined
  })

/**
 * The tsconfig.json of the project that holds `entry`: the nearest one above it whose files (or whose referenced
 * projects' files) include it; undefined when none does.
 *
 * @category constructors
 * @since 0.1.0
 */
export const findProject = Effect.fn("TypeCheck.findProject")(function*(entry: string, typescript: TypeScript) {
  const file = resolve(entry)
  const seen = new Set<string>()
  for (let dir = dirname(file);; dir = dirname(dir)) {
    const found = yield* covering(typescript, join(dir, "tsconfig.json"), file, seen)
    if (found !== undefined) return found
    if (dirname(dir) === dir) return undefined
  }
})

// The first tsconfig.json in the entry's folder or above it, whether or not its files include the entry.
const nearestConfig = (entry: string): string | undefined => {
  for (let dir = dirname(resolve(entry));; dir = dirname(dir)) {
    if (existsSync(join(dir, "tsconfig.json"))) return join(dir, "tsconfig.json")
    if (dirname(dir) === dir) return undefined
  }
}

const typeScriptSource = /\.[cm]?tsx?$/

/**
 * Type-checks the project of `entry`. Succeeds with `undefined` when no tsconfig.json is above the entry, or none
 * covers a JavaScript entry (nothing to check against), and with the result otherwise, `ok` or not. Fails when
 * TypeScript cannot be found or run, and when a TypeScript entry lies outside the files of the tsconfig.json above it
 * (and of the projects it references): checking nothing there would build a project whose type errors nobody saw.
 *
 * @category constructors
 * @since 0.1.0
 */
export const check = Effect.fn("TypeCheck.check")(function*(entry: string) {
  const typescript = findTypeScript(dirname(resolve(entry)))
  if (typescript === undefined) {
    return yield* new TypeCheckError({
      reason: "TypeScript cannot be found from the project or from rulefx: install typescript, or use --no-typecheck"
    })
  }
  const tsconfig = yield* findProject(entry, typescript)
  if (tsconfig === undefined) {
    const nearest = nearestConfig(entry)
    if (nearest === undefined || !typeScriptSource.test(entry)) return undefined
    return yield* new TypeCheckError({
      reason: `${entry} is not among the files of ${relative(process.cwd(), nearest) || nearest} (its include, ` +
        `files and references), so it cannot be type-checked: add it to that tsconfig.json's include, or build ` +
        `with --no-typecheck`
    })
  }
  const run = yield* runTsc(typescript, ["-p", tsconfig, "--noEmit", "--pretty", "false"])
  const result: Result = {
    ok: run.code === 0,
    tsconfig,
    typescript,
    diagnostics: `${run.stdout}${run.stderr}`.trim()
  }
  return result
})

let checks = 0

// What a check of files outside any project assumes: the type-soundness settings rulefx's own code is checked with
// (strict, exactOptionalPropertyTypes), resolving packages as a bundler does (from the node_modules above the files).
// Relaxed for generated code: the settings of tsconfig.base.json that judge how code is written rather than whether
// its types hold (noUnusedLocals, noUnusedParameters, noImplicitOverride, noFallthroughCasesInSwitch,
// verbatimModuleSyntax, erasableSyntaxOnly) are left at TypeScript's defaults, so that a converted module is not
// reported as failing its check for a local it kept from the Rule's code or an import written without `type`.
const standalone = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noUnusedLocals: false,
  target: "ES2022",
  module: "preserve",
  moduleResolution: "bundler",
  allowImportingTsExtensions: true,
  skipLibCheck: true
}

// What the temporary tsconfig.json overrides so that it only checks: no emit, no project build, and every emit option
// the extended tsconfig may set that needs one of those (TypeScript refuses emitDeclarationOnly, declarationDir,
// isolatedDeclarations without declaration, and mapRoot without a source or declaration map: error TS5069) switched
// off or unset (`null` unsets an inherited option).
const pureCheck = {
  noEmit: true,
  composite: false,
  incremental: false,
  tsBuildInfoFile: null,
  declaration: false,
  emitDeclarationOnly: false,
  declarationMap: false,
  declarationDir: null,
  isolatedDeclarations: false,
  mapRoot: null,
  outDir: null
}

/**
 * Type-checks `files` alone (and what they import), through a temporary tsconfig.json written in `dir` and removed
 * after: one that extends the nearest tsconfig.json above `dir` (its settings, not its file list; no emit, no project
 * build), or, with none above, one with strict settings of its own (`standalone`). Fails when TypeScript cannot be
 * found or run.
 *
 * @category constructors
 * @since 0.1.0
 */
export const checkFiles = Effect.fn("TypeCheck.checkFiles")(function*(dir: string, files: ReadonlyArray<string>) {
  const folder = resolve(dir)
  const typescript = findTypeScript(folder)
  if (typescript === undefined) {
    return yield* new TypeCheckError({ reason: "TypeScript cannot be found from the project or from rulefx" })
  }
  const nearest = nearestConfig(join(folder, "noop.ts"))
  const tsconfig = join(folder, `tsconfig.rulefx-check-${process.pid}-${++checks}.json`)
  const config = {
    ...(nearest === undefined ? {} : { extends: relative(folder, nearest).split("\\").join("/") }),
    compilerOptions: {
      ...(nearest === undefined ? standalone : {}),
      ...pureCheck,
      rootDir: parse(folder).root
    },
    files: files.map((f) => relative(folder, resolve(f)).split("\\").join("/")),
    include: []
  }
  const run = yield* Effect.acquireUseRelease(
    Effect.tryPromise({
      try: () => writeFile(tsconfig, JSON.stringify(config, null, 2)),
      catch: (e) => new TypeCheckError({ reason: `${tsconfig}: cannot be written (${(e as Error).message})` })
    }),
    () => runTsc(typescript, ["-p", tsconfig, "--pretty", "false"]),
    () => Effect.promise(() => rm(tsconfig, { force: true }))
  )
  const result: FilesResult = {
    ok: run.code === 0,
    extends: nearest,
    typescript,
    diagnostics: `${run.stdout}${run.stderr}`.trim()
  }
  return result
})

/**
 * What a check of files found: as Result, with the tsconfig.json whose settings it used (none: `standalone`'s).
 *
 * @category models
 * @since 0.1.0
 */
export interface FilesResult {
  readonly ok: boolean
  readonly extends: string | undefined
  readonly typescript: TypeScript
  readonly diagnostics: string
}

/**
 * One line saying what was checked, e.g. `type-checked with tsconfig.json (TypeScript 7.0.2, the project's)`.
 *
 * @category getters
 * @since 0.1.0
 */
export const describe = (result: Result): string =>
  `${relative(process.cwd(), result.tsconfig) || result.tsconfig} (TypeScript ${result.typescript.version}, ${
    result.typescript.from === "project" ? "the project's" : "rulefx's own"
  })`
