/**
 * The runtime a `--runtime npm` build uses: the one the user's project resolves, else rulefx's own copy (the build
 * then warns: `rulefx run` and the project's tests cannot load the file until the project installs it). rulefx's own
 * folders are never the user's project, even when a caller resolves packages from them (migrate's generated entry
 * resolves @rulefx/legacy-rules from rulefx's folder), and a refusal names only the user's folders: not rulefx's,
 * nor the temporary folder a generated entry lives in.
 */
import { dirname, resolve, sep } from "node:path"
import { fileURLToPath } from "node:url"
import * as ActionRuntime from "../ActionRuntime.ts"

/** The runtime found, and whether it is rulefx's own copy rather than the project's (`outside`). */
export type Found = ActionRuntime.Manifest & { readonly file: string; readonly outside: boolean }

/** Where to look besides the user's folders. */
export interface Where {
  /** A folder of rulefx's making (a generated entry's), searched but never named in a refusal. */
  readonly generated?: string | undefined
  /** rulefx's own package folder: no folder in it (or it) is the user's project. */
  readonly cli?: string
  /** Where rulefx's own copy of the runtime resolves from, searched last. */
  readonly own?: string
}

// src/ (or dist/src/) of rulefx's CLI, and the package's folder above it.
const ownFolder = dirname(dirname(fileURLToPath(import.meta.url)))
const cliRoot = dirname(ownFolder.endsWith(`${sep}dist${sep}src`) ? dirname(ownFolder) : ownFolder)

const inside = (folder: string, root: string): boolean => {
  const [at, top] = [resolve(folder), resolve(root)]
  return at === top || at.startsWith(`${top}${sep}`)
}

/** The user's own folders among `folders`: not rulefx's own package folder nor any folder in it. */
export const userFolders = (folders: ReadonlyArray<string>, cli: string = cliRoot): ReadonlyArray<string> =>
  folders.filter((folder) => !inside(folder, cli))

/**
 * The runtime as the project resolves it from `folders` (less rulefx's own), else rulefx's own copy, marked `outside`.
 * Neither: RuntimeNotInstalled, naming the user's folders only.
 */
export const find = (folders: ReadonlyArray<string>, where: Where = {}): Found => {
  const cli = where.cli ?? cliRoot
  const project = userFolders(folders, cli)
  try {
    return { ...ActionRuntime.find(project), outside: false }
  } catch (error) {
    if (!(error instanceof ActionRuntime.RuntimeNotInstalled)) throw error
  }
  const searched = [...project, where.own ?? ownFolder]
  try {
    return { ...ActionRuntime.find(searched), outside: true }
  } catch (error) {
    if (!(error instanceof ActionRuntime.RuntimeNotInstalled)) throw error
    const generated = where.generated
    const named = [...new Set(project.map((folder) => resolve(folder)))].filter((folder) =>
      generated === undefined || !inside(folder, generated)
    )
    throw new ActionRuntime.RuntimeNotInstalled(searched, named)
  }
}
