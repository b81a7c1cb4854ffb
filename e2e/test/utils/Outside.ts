/**
 * Outside: running commands as a user would in a project outside the workspace, against the local registry only.
 *
 * Each environment starts empty: HOME, the npm and pnpm configuration, caches and stores are fresh folders;
 * NODE_PATH, NODE_OPTIONS and every npm_config_* the workspace's pnpm set are absent; PATH holds the machine's own
 * node (not the workspace's Node 22) and the system folders, nothing of the workspace. The configuration points
 * every registry at the local one and every proxy at a closed port on 127.0.0.1, so a request for anything else
 * fails instead of leaving the machine.
 */
import { execFileSync, spawn } from "node:child_process"
import { existsSync, mkdirSync, realpathSync, writeFileSync } from "node:fs"
import { delimiter, dirname, join, parse } from "node:path"

/** The environment of one outside project. */
export interface Outside {
  readonly env: Readonly<Record<string, string>>
  readonly home: string
}

/** What a command did. */
export interface Ran {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const workspace = realpathSync(new URL("../../..", import.meta.url).pathname)

/** The first `name` on PATH that is not the workspace's, as a real path. */
const onPath = (name: string): string | undefined =>
  (process.env["PATH"] ?? "")
    .split(delimiter)
    .map((folder) => join(folder, name))
    .filter((file) => existsSync(file))
    .map((file) => realpathSync(file))
    .find((file) => !file.startsWith(workspace) && !file.includes(`${join("node_modules", ".bin")}`))

/**
 * The machine's own node (the first on PATH that is not the workspace's: Node 20 on CI) and its version.
 */
export const systemNode = (): { readonly path: string; readonly version: string } => {
  const path = onPath("node")
  if (path === undefined) throw new Error("no node on PATH outside the workspace")
  return { path, version: execFileSync(path, ["--version"], { encoding: "utf8" }).trim() }
}

/** The machine's own npm (its npm-cli.js, run with the machine's node). */
export const systemNpm = (): string => {
  const path = onPath("npm")
  if (path === undefined) throw new Error("no npm on PATH outside the workspace")
  return path
}

/** The machine's own npx (its npx-cli.js, run with the machine's node). */
export const systemNpx = (): string => {
  const path = onPath("npx")
  if (path === undefined) throw new Error("no npx on PATH outside the workspace")
  return path
}

/** The workspace's Node 22 (the `node` dev dependency), for what needs it: verdaccio, vitest 5. */
export const workspaceNode = (): string => join(workspace, "node_modules", "node", "bin", "node")

/** The workspace's pnpm (the `pnpm` dev dependency), run with whichever node a step chooses. */
export const pnpmCli = (): string => join(workspace, "node_modules", "pnpm", "bin", "pnpm.cjs")

/** The workspace's pnpm store, whose packages seed the local registry. */
export const workspaceStore = (): string => join(workspace, "node_modules", ".pnpm")

/**
 * Folders above `folder` that hold a node_modules, which Node's resolution would reach from the project.
 */
export const reachableNodeModules = (folder: string): ReadonlyArray<string> => {
  const found: Array<string> = []
  for (let at = dirname(folder); at !== parse(at).root; at = dirname(at)) {
    if (existsSync(join(at, "node_modules"))) found.push(join(at, "node_modules"))
  }
  if (existsSync(join(parse(folder).root, "node_modules"))) found.push(join(parse(folder).root, "node_modules"))
  return found
}

/**
 * A fresh environment under `home` for a project that installs from `registry`, with the machine's own node first
 * on PATH.
 */
export const make = (options: {
  readonly home: string
  readonly registry: string
  readonly node: string
  /** A registry token, for `npm publish` only. */
  readonly token?: string
}): Outside => {
  const { home, registry } = options
  for (const folder of ["config", "cache", "data", "state", "npm-cache", "pnpm-store"]) {
    mkdirSync(join(home, folder), { recursive: true })
  }
  const npmrc = join(home, ".npmrc")
  writeFileSync(
    npmrc,
    [
      `registry=${registry}`,
      `@rulefx:registry=${registry}`,
      "proxy=http://127.0.0.1:9/",
      "https-proxy=http://127.0.0.1:9/",
      "noproxy=127.0.0.1,localhost",
      "audit=false",
      "fund=false",
      "update-notifier=false",
      "fetch-retries=0",
      `cache=${join(home, "npm-cache")}`,
      ...(options.token === undefined ? [] : [`//${new URL(registry).host}/:_authToken=${options.token}`]),
      ""
    ].join("\n")
  )
  writeFileSync(join(home, "global-npmrc"), "")
  // pnpm's own settings, in its global rc (XDG_CONFIG_HOME/pnpm/rc), where npm does not read them.
  mkdirSync(join(home, "config", "pnpm"), { recursive: true })
  writeFileSync(
    join(home, "config", "pnpm", "rc"),
    [`store-dir=${join(home, "pnpm-store")}`, `cache-dir=${join(home, "cache", "pnpm")}`, ""].join("\n")
  )
  const folders = [dirname(options.node), "/usr/local/bin", "/usr/bin", "/bin"].filter((folder) => existsSync(folder))
  return {
    home,
    env: {
      PATH: [...new Set(folders)].join(delimiter),
      HOME: home,
      USERPROFILE: home,
      TMPDIR: join(home, "state"),
      LANG: "C.UTF-8",
      XDG_CONFIG_HOME: join(home, "config"),
      XDG_CACHE_HOME: join(home, "cache"),
      XDG_DATA_HOME: join(home, "data"),
      XDG_STATE_HOME: join(home, "state"),
      npm_config_userconfig: npmrc,
      npm_config_globalconfig: join(home, "global-npmrc"),
      NO_COLOR: "1",
      CI: "true"
    }
  }
}

/**
 * The same environment with `node`'s folder first on PATH: what a package manager's scripts (vitest, rulefx) then run
 * on, since their bins start with `#!/usr/bin/env node`.
 */
export const onNode = (outside: Outside, node: string): Outside => ({
  ...outside,
  env: { ...outside.env, PATH: [dirname(node), outside.env["PATH"]].join(delimiter) }
})

/**
 * Runs `command args` in `cwd` with the outside environment; never rejects (the caller reads the code).
 */
export const run = (
  outside: Outside,
  cwd: string,
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly env?: Readonly<Record<string, string>> } = {}
): Promise<Ran> =>
  new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...outside.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    const stdout: Array<Buffer> = []
    const stderr: Array<Buffer> = []
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk))
    child.once("error", (error) => resolve({ code: -1, stdout: "", stderr: String(error) }))
    child.once("close", (code) =>
      resolve({ code, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() }))
  })

/** A failure message with what a command printed. */
export const describe = (what: string, ran: Ran): string =>
  `${what} exited ${ran.code}\n--- stdout\n${ran.stdout.slice(-4000)}\n--- stderr\n${ran.stderr.slice(-4000)}`
