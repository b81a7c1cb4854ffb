/**
 * @rulefx/action-runtime installed the way Auth0 installs an Action's dependency: packed as it is published (pnpm pack)
 * and installed from its tarball with plain npm into a lone folder (no workspace above it; offline, since the runtime
 * has no dependencies). An Action written into that folder loads the runtime beside it with plain `require`.
 *
 * @since 0.1.0
 */
import * as ActionRuntime from "@rulefx/cli/ActionRuntime"
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

/**
 * The repository's root.
 *
 * @since 0.1.0
 */
export const workspace = fileURLToPath(new URL("../../../../", import.meta.url))

/**
 * The runtime package's folder in the workspace.
 *
 * @since 0.1.0
 */
export const runtimeFolder = join(workspace, "packages", "action-runtime")

/**
 * Packing, an npm install and a build or two: seconds alone, many times that on a loaded 2-core machine.
 *
 * @since 0.1.0
 */
export const timeout = 120_000

/**
 * A lone folder with the runtime installed in it.
 *
 * @since 0.1.0
 */
export interface Installed {
  /** The folder: an Action's code written here requires the runtime from its node_modules. */
  readonly lone: string
  /** The installed runtime's manifest, as a `--runtime npm` build finds it from `lone`. */
  readonly manifest: ActionRuntime.Manifest
}

const run = (file: string, args: ReadonlyArray<string>, cwd: string): string =>
  execFileSync(file, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })

/**
 * Packs the runtime into `<root>/pack` and installs it with npm into `<root>/<name>` (a folder with a package.json of
 * its own). The runtime is built first when `pnpm build` has not built it.
 *
 * @since 0.1.0
 */
export const install = (root: string, name = "action"): Installed => {
  if (!existsSync(join(runtimeFolder, "dist", "index.cjs")) || !existsSync(join(runtimeFolder, "dist", "lean.cjs"))) {
    run(process.execPath, [join(runtimeFolder, "scripts", "build.ts")], runtimeFolder)
  }
  const pack = join(root, "pack")
  const pnpm = join(workspace, "node_modules", "pnpm", "bin", "pnpm.cjs")
  run(process.execPath, [pnpm, "pack", "--pack-destination", pack], runtimeFolder)
  const tarball = readdirSync(pack).find((file) => file.endsWith(".tgz"))
  if (tarball === undefined) throw new Error("pnpm pack wrote no tarball")
  const lone = join(root, name)
  mkdirSync(lone)
  writeFileSync(join(lone, "package.json"), JSON.stringify({ name: `${name}-action`, private: true }))
  // Plain npm, whichever Node is on PATH.
  run("npm", ["install", join(pack, tarball), "--offline", "--no-audit", "--no-fund"], lone)
  return { lone, manifest: ActionRuntime.find([lone]) }
}

/**
 * The file Node loads for the runtime installed in `lone`: in `require.cache` once an Action there has loaded it.
 *
 * @since 0.1.0
 */
export const entryIn = (lone: string): string =>
  join(lone, "node_modules", "@rulefx", "action-runtime", "dist", "index.cjs")

/**
 * The runtime's lean file installed in `lone` (`@rulefx/action-runtime/lean`), which an Action that imports only
 * what it carries loads instead of `entryIn`.
 *
 * @since 0.1.0
 */
export const leanIn = (lone: string): string =>
  join(lone, "node_modules", "@rulefx", "action-runtime", "dist", "lean.cjs")

/**
 * The runtime's post-login file installed in `lone` (`@rulefx/action-runtime/post-login`), which an Action that
 * imports only what it carries loads instead of `leanIn`.
 *
 * @since 0.1.0
 */
export const postLoginIn = (lone: string): string =>
  join(lone, "node_modules", "@rulefx", "action-runtime", "dist", "post-login.cjs")
