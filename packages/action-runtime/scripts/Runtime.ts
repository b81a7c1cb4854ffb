/**
 * Runtime: builds the runtime into `dist/`: `index.cjs` (set A as one minified CommonJS file, with the Action's own
 * esbuild settings), `lean.cjs` (the lean set alone, built the same way), `post-login.cjs` (the post-login set, a part of
 * the lean set), their types (`index.d.cts`, `lean.d.cts`, `post-login.d.cts`) and `modules.json` (its name, version,
 * the effect version it carries, the specifiers it carries and those of the lean and post-login files, and the names
 * each carried module exports, which `rulefx build --runtime npm` reads from the installed runtime to decide what an
 * Action may import and which file it loads).
 *
 * Node-side, build time only.
 */
import * as esbuild from "esbuild"
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"
import { runInThisContext } from "node:vm"
import { esbuildOptions } from "../../cli/src/Bundle.ts"
import * as Modules from "./Modules.ts"

/** What `dist/modules.json` holds. */
export interface Manifest {
  readonly name: string
  readonly version: string
  /** The version of effect it carries (the one it was built with). */
  readonly effect: string
  /** The specifiers the runtime's `modules` map carries, sorted. */
  readonly modules: ReadonlyArray<string>
  /** The specifiers `lean.cjs` carries (a part of `modules`), sorted. */
  readonly lean: ReadonlyArray<string>
  /** The specifiers `post-login.cjs` carries (a part of `lean`), sorted. */
  readonly postLogin: ReadonlyArray<string>
  /**
   * The names each carried module exports (its namespace's keys, `default` included when it has one), sorted, by
   * specifier: the same in every file that carries the module.
   */
  readonly exports: Readonly<Record<string, ReadonlyArray<string>>>
}

/** What a build wrote. */
export interface Built {
  readonly folder: string
  /** `index.cjs`'s bytes. */
  readonly bytes: number
  /** `lean.cjs`'s bytes. */
  readonly leanBytes: number
  /** `post-login.cjs`'s bytes. */
  readonly postLoginBytes: number
  readonly manifest: Manifest
}

const declarations = `/**
 * The rulefx runtime, for Actions built with \`rulefx build --runtime npm\`: each module the runtime carries, by the
 * specifier user code imports (\`modules["effect/Effect"]\`). dist/modules.json lists them.
 */
export declare const name: "@rulefx/action-runtime"
/** This runtime's version: an Action checks it when it loads, and refuses to run on another. */
export declare const version: string
/** Each carried module's namespace, by specifier. */
export declare const modules: Readonly<Record<string, Readonly<Record<string, unknown>>>>
`

/** The version in this package's package.json. */
export const version = (): string =>
  (JSON.parse(readFileSync(join(Modules.packageFolder, "package.json"), "utf8")) as { readonly version: string })
    .version

/**
 * The names each module of a built runtime file exports, read from the file itself: it is run (as an Action's
 * `require` runs it, here without Node's module cache, so that a later build in the same process reads its own file)
 * and each namespace of its `modules` map listed, sorted.
 */
export const exportsOf = (contents: Uint8Array, file: string): Record<string, ReadonlyArray<string>> => {
  const module = { exports: {} as { readonly modules?: Readonly<Record<string, object>> } }
  const load = runInThisContext(`(function (exports, require, module) {${new TextDecoder().decode(contents)}\n})`, {
    filename: file
  }) as (exports: object, require: NodeJS.Require, module: object) => void
  load(module.exports, createRequire(file), module)
  return Object.fromEntries(
    Object.entries(module.exports.modules ?? {}).map(([id, namespace]) => [id, Object.keys(namespace).toSorted()])
  )
}

/**
 * Builds the runtime into `dist` (default: this package's dist/), replacing what was there: the files are written
 * into a fresh folder beside it, which then takes its place.
 */
export const build = async (folder = join(Modules.packageFolder, "dist")): Promise<Built> => {
  const [exposed, lean, postLogin] = await Promise.all([Modules.setA(), Modules.leanSet(), Modules.postLoginSet()])
  const carried = {
    name: Modules.packageName,
    version: version(),
    effect: Modules.effectVersion(),
    modules: exposed.map((m) => m.specifier),
    lean: lean.map((m) => m.specifier),
    postLogin: postLogin.map((m) => m.specifier)
  }
  const [contents, leanContents, postLoginContents] = await Promise.all([exposed, lean, postLogin].map(async (set) => {
    const result = await esbuild.build({
      ...esbuildOptions,
      absWorkingDir: Modules.packageFolder,
      stdin: {
        contents: Modules.entrySource(set, { version: carried.version }),
        resolveDir: Modules.packageFolder,
        loader: "js"
      }
    })
    const output = result.outputFiles[0]?.contents
    if (output === undefined) throw new Error(`esbuild produced no runtime`)
    return output
  }))
  if (contents === undefined || leanContents === undefined || postLoginContents === undefined) {
    throw new Error(`esbuild produced no runtime`)
  }
  const names = exportsOf(contents, join(folder, "index.cjs"))
  const missing = carried.modules.filter((id) => names[id] === undefined)
  if (missing.length > 0) throw new Error(`the built runtime has no namespace for ${missing.join(", ")}`)
  const manifest: Manifest = {
    ...carried,
    exports: Object.fromEntries(carried.modules.map((id) => [id, names[id] ?? []]))
  }
  const next = `${folder}.next`
  rmSync(next, { recursive: true, force: true })
  mkdirSync(next, { recursive: true })
  writeFileSync(join(next, "index.cjs"), contents)
  writeFileSync(join(next, "lean.cjs"), leanContents)
  writeFileSync(join(next, "index.d.cts"), declarations)
  writeFileSync(join(next, "lean.d.cts"), declarations)
  writeFileSync(join(next, "post-login.cjs"), postLoginContents)
  writeFileSync(join(next, "post-login.d.cts"), declarations)
  writeFileSync(join(next, "modules.json"), `${JSON.stringify(manifest, null, 2)}\n`)
  rmSync(folder, { recursive: true, force: true })
  renameSync(next, folder)
  return {
    folder,
    bytes: contents.byteLength,
    leanBytes: leanContents.byteLength,
    postLoginBytes: postLoginContents.byteLength,
    manifest
  }
}
