/**
 * Seed: the third-party packages an outside project needs, taken from what this machine has installed (the
 * workspace's `node_modules/.pnpm/<name>@<version>/node_modules/<name>`), packed and published to the local
 * registry, so installing from it reaches nothing outside this machine.
 *
 * Which packages: every version installed here of each package named by the starting dependencies, and then of each
 * package those name in `dependencies`, `optionalDependencies` and required `peerDependencies`, and so on. An
 * optional dependency that is not installed here (another platform's binary, fsevents) is left out: the registry
 * answers 404 for it, and npm and pnpm skip a missing optional dependency. A required one that is not installed
 * here is an error that names it.
 */
import { lstatSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import * as Semver from "semver"
import type * as Registry from "./Registry.ts"
import * as Tarball from "./Tarball.ts"

/** An installed package: its manifest and folder. */
export interface Installed {
  readonly manifest: Registry.Manifest & Dependencies
  readonly folder: string
}

interface Dependencies {
  readonly dependencies?: Readonly<Record<string, string>>
  readonly optionalDependencies?: Readonly<Record<string, string>>
  readonly peerDependencies?: Readonly<Record<string, string>>
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean }>>
}

const packageFolders = (modules: string): Array<string> =>
  readdirSync(modules).flatMap((name) =>
    name.startsWith("@") ? readdirSync(join(modules, name)).map((inner) => `${name}/${inner}`) : [name]
  )
    .map((name) => join(modules, name))
    .filter((folder) => lstatSync(folder).isDirectory())

/**
 * Every package pnpm installed under `store` (a `node_modules/.pnpm` folder), by name: one folder per version.
 */
export const installed = (store: string): ReadonlyMap<string, ReadonlyArray<Installed>> => {
  const byName = new Map<string, Array<Installed>>()
  for (const entry of readdirSync(store)) {
    const modules = join(store, entry, "node_modules")
    if (entry === "node_modules" || !lstatSync(join(store, entry)).isDirectory()) continue
    for (const folder of packageFolders(modules)) {
      const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8")) as Installed["manifest"]
      const versions = byName.get(manifest.name) ?? []
      if (!versions.some((other) => other.manifest.version === manifest.version)) versions.push({ manifest, folder })
      byName.set(manifest.name, versions)
    }
  }
  return byName
}

/** The package a dependency names: `"alias": "npm:real@^1"` names `real`. */
const target = ([name, spec]: readonly [string, string]): string => {
  if (!spec.startsWith("npm:")) return name
  const aliased = spec.slice("npm:".length)
  const at = aliased.indexOf("@", 1)
  return at === -1 ? aliased : aliased.slice(0, at)
}

const required = (manifest: Installed["manifest"]): Array<string> => [
  ...Object.entries(manifest.dependencies ?? {}).map(target),
  ...Object.entries(manifest.peerDependencies ?? {})
    .filter(([name]) => manifest.peerDependenciesMeta?.[name]?.optional !== true)
    .map(target)
]

/**
 * The installed packages `start` needs, with their dependencies, to the end of the graph.
 */
export const closure = (
  pool: ReadonlyMap<string, ReadonlyArray<Installed>>,
  start: Iterable<string>
): ReadonlyArray<Installed> => {
  const seen = new Set<string>()
  const missing = new Set<string>()
  const queue = [...start]
  const needed: Array<Installed> = []
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    if (seen.has(name)) continue
    seen.add(name)
    const versions = pool.get(name)
    if (versions === undefined) {
      missing.add(name)
      continue
    }
    for (const version of versions) {
      needed.push(version)
      queue.push(...required(version.manifest))
      queue.push(
        ...Object.entries(version.manifest.optionalDependencies ?? {}).map(target).filter((name) => pool.has(name))
      )
    }
  }
  if (missing.size > 0) {
    throw new Error(`not installed on this machine, so not in the local registry: ${[...missing].join(", ")}`)
  }
  return needed
}

/**
 * Fails, before anything starts, when `pins` (a project's `name: version range`, as `rulefx init` writes them) name a
 * package this machine has no satisfying version of: the local registry could not serve it, and the install would
 * fail later with less to go on. The message names every such package, the range pinned and the versions installed.
 */
export const covering = (
  pool: ReadonlyMap<string, ReadonlyArray<Installed>>,
  pins: Readonly<Record<string, string>>,
  whose: string
): void => {
  const uncovered = Object.entries(pins).flatMap(([name, range]) => {
    const versions = (pool.get(name) ?? []).map((installed) => installed.manifest.version)
    if (versions.some((version) => Semver.satisfies(version, range))) return []
    const have = versions.length === 0 ? "none installed" : `installed: ${versions.toSorted().join(", ")}`
    return [`${name}@${range} (${have})`]
  })
  if (uncovered.length > 0) {
    throw new Error(
      `${whose} pins versions that this machine has not installed (node_modules/.pnpm), so the local registry cannot ` +
        `serve them: ${uncovered.join("; ")}. Install them in the workspace (the pnpm catalog) or change the pins.`
    )
  }
}

/**
 * Packs and publishes `packages`, versions of one name in ascending order (the last becomes `latest`), names
 * `concurrency` at a time.
 */
export const publish = async (
  registry: Registry.Registry,
  packages: ReadonlyArray<Installed>,
  concurrency = 8
): Promise<void> => {
  const byName = new Map<string, Array<Installed>>()
  for (const item of packages) byName.set(item.manifest.name, [...(byName.get(item.manifest.name) ?? []), item])
  const names = [...byName.keys()]
  const putAll = (versions: ReadonlyArray<Installed>) =>
    versions
      .toSorted((a, b) => a.manifest.version.localeCompare(b.manifest.version, "en", { numeric: true }))
      .reduce(
        (previous, version) => previous.then(() => registry.put(version.manifest, Tarball.fromFolder(version.folder))),
        Promise.resolve()
      )
  const worker = async (): Promise<void> => {
    const name = names.shift()
    if (name === undefined) return
    await putAll(byName.get(name) ?? [])
    return worker()
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
}
