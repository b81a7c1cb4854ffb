/**
 * Packed: the published packages as a user gets them, built and packed by `pnpm pack` (which applies each
 * manifest's `publishConfig` and replaces `workspace:` and `catalog:` specifiers with versions).
 */
import { execFile } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { promisify } from "node:util"

/** One packed package. */
export interface Package {
  readonly name: string
  readonly version: string
  /** The workspace folder it was packed from. */
  readonly folder: string
  /** The .tgz file. */
  readonly tarball: string
}

const workspace = new URL("../../../", import.meta.url).pathname

/**
 * The folders of the library packages: those tsconfig.build.json builds (ES modules, their types and sources).
 */
export const libraryFolders = (): ReadonlyArray<string> =>
  (JSON.parse(readFileSync(join(workspace, "tsconfig.build.json"), "utf8")) as {
    readonly references: ReadonlyArray<{ readonly path: string }>
  }).references.map((reference) => join(workspace, dirname(reference.path)))

/** The runtime for `--runtime npm` Actions, published too: one CommonJS file esbuild builds, not tsc. */
export const runtimeFolder = join(workspace, "packages", "action-runtime")

/** The folders of the published packages: the libraries and the runtime. */
export const folders = (): ReadonlyArray<string> => [...libraryFolders(), runtimeFolder]

/**
 * Builds every published package (scripts/build-packages.ts, the runtime included) and packs each into
 * `destination`.
 */
export const buildAndPack = async (destination: string): Promise<ReadonlyArray<Package>> => {
  await promisify(execFile)(process.execPath, [join(workspace, "scripts", "build-packages.ts")], { cwd: workspace })
  const pnpm = join(workspace, "node_modules", "pnpm", "bin", "pnpm.cjs")
  return Promise.all(
    folders().map(async (folder) => {
      const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8")) as {
        readonly name: string
        readonly version: string
      }
      const out = join(destination, manifest.name.replace("@", "").replace("/", "-"))
      await promisify(execFile)(process.execPath, [pnpm, "pack", "--pack-destination", out], { cwd: folder })
      const file = readdirSync(out).find((name) => name.endsWith(".tgz"))
      if (file === undefined) throw new Error(`pnpm pack wrote no tarball for ${manifest.name}`)
      return { name: manifest.name, version: manifest.version, folder, tarball: join(out, file) }
    })
  )
}
