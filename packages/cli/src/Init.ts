/**
 * Init: the project `rulefx init` scaffolds, one a user owns: a package.json (scripts test, build, run, deploy), a
 * tsconfig.json, one fact, two rules (one with a typed denial), a pipeline and `src/action.ts`, tests with test
 * layers, two sample events and a README that walks from writing a rule to deploying it. Node-side only.
 *
 * The files come from this package's `template/` folder (a real project: rulefx's own tests type-check it, run its
 * tests, build it and run the built Action on its sample events) and a package.json made here, with the versions
 * this CLI was built with. An unreleased CLI (a clone's, version 0.0.0) refuses to write versions no registry has:
 * such a project is linked to the clone (`linkTo`), and its README then says how to install and run it (the clone's
 * pnpm and Node 22). `files` returns them without writing anything; `write` writes them into a folder that
 * is empty, or, with `force`, one that is not: a file already there is kept, never replaced or deleted.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { existsSync, readFileSync, realpathSync } from "node:fs"
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { basename, dirname, join, relative, resolve } from "node:path"
import * as PackageManager from "./internal/packageManager.ts"
import * as Unreleased from "./internal/unreleased.ts"

/**
 * One file of the project: its path relative to the project's folder, and its text.
 *
 * @category models
 * @since 0.1.0
 */
export interface File {
  readonly path: string
  readonly text: string
}

/**
 * The packages the project depends on, each with the version (any specifier npm or pnpm accepts) it gets.
 *
 * @category models
 * @since 0.1.0
 */
export interface Versions {
  readonly "@rulefx/core": string
  readonly "@rulefx/adapter-auth0": string
  readonly "@rulefx/testing": string
  readonly "@rulefx/cli": string
  readonly effect: string
  readonly valibot: string
  readonly "@effect/vitest": string
  readonly vitest: string
  readonly typescript: string
  readonly "@types/node": string
}

/**
 * Options of a project.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The package's name, also the Action's name in Auth0 (default: from the folder's name, or "my-login-action"). */
  readonly name?: string
  /** Versions to use instead of this CLI's own, e.g. `link:` paths to a checkout or a local registry's versions. */
  readonly versions?: Partial<Versions>
  /**
   * A checkout of rulefx, installed (`pnpm install`), to depend on instead of the registry, before rulefx is
   * published: every dependency becomes a `link:` into it (see `linkedVersions`), for `pnpm install` to link, and the
   * README says how to install and run such a project (see `linkedSetup`).
   */
  readonly linkTo?: string
  /**
   * Write this CLI's own versions of the @rulefx packages even though it is an unreleased build (version 0.0.0, a
   * clone's): for a registry of your own that serves them. Without it, and without `linkTo` or @rulefx `versions`,
   * such a CLI refuses (`UnreleasedVersions`), since no public registry has `^0.0.0`.
   */
  readonly allowUnreleased?: boolean
}

/**
 * How a project linked to a rulefx checkout is installed and run: the checkout, the pnpm it is installed with (`npx -y
 * pnpm@10.34.9`, from the checkout's `packageManager`, for a machine without pnpm on the PATH), and the folder of the
 * checkout's own Node 22 (the root devDependency `node`), when it is installed. npm does not take `link:`, and the
 * project's `rulefx` runs the checkout's TypeScript sources, which need Node 22.18.
 *
 * @category models
 * @since 0.1.0
 */
export interface Linked {
  readonly checkout: string
  readonly pnpm: string
  readonly nodeBin: string | undefined
}

/**
 * What `write` did: the folder, the files written and the files kept because they were there already.
 *
 * @category models
 * @since 0.1.0
 */
export interface Report {
  readonly dir: string
  readonly written: ReadonlyArray<string>
  readonly kept: ReadonlyArray<string>
  /** For a project linked to a checkout: how it is installed and run. */
  readonly linked?: Linked
}

/**
 * The project could not be made: the folder is not empty (without `force`), a name is not a package name, or a
 * file could not be read or written.
 *
 * @category errors
 * @since 0.1.0
 */
export class InitError extends Data.TaggedError("InitError")<{ readonly reason: string }> {
  override get message(): string {
    return this.reason
  }
}

// The package's own folder, found by name (its exports list ./package.json): the same from src/ in the workspace and
// from dist/src/ once published, where a path relative to this file would miss it.
const packageFolder = dirname(createRequire(import.meta.url).resolve("@rulefx/cli/package.json"))

/**
 * Where the template's files are.
 *
 * @category constructors
 * @since 0.1.0
 */
export const templateFolder = join(packageFolder, "template")

/**
 * This CLI's own version, from its package.json.
 *
 * @category getters
 * @since 0.1.0
 */
export const ownVersion = (): string => {
  const json = JSON.parse(readFileSync(join(packageFolder, "package.json"), "utf8")) as { readonly version?: unknown }
  return typeof json.version === "string" ? json.version : "0.0.0"
}

/**
 * The version of a rulefx checkout that was never released: what the packages of a clone say until the first
 * release, and what no public registry serves.
 *
 * @category constructors
 * @since 0.1.0
 */
export const unreleasedVersion = "0.0.0"

/**
 * The versions this CLI was built and tested with: every @rulefx package at this CLI's own version, and the pins of
 * rulefx's workspace catalog for the rest (a test checks they are the same).
 *
 * @category constructors
 * @since 0.1.0
 */
export const defaultVersions = (): Versions => {
  const rulefx = `^${ownVersion()}`
  return {
    "@rulefx/core": rulefx,
    "@rulefx/adapter-auth0": rulefx,
    "@rulefx/testing": rulefx,
    "@rulefx/cli": rulefx,
    effect: "4.1.0",
    valibot: "1.5.0",
    "@effect/vitest": "4.0.5",
    vitest: "5.1.1",
    typescript: "7.0.2",
    "@types/node": "^22.19.0"
  }
}

/**
 * The Node versions the project runs on: Auth0 runs Actions on Node 22, and vitest 5 needs 22.12.
 *
 * @category constructors
 * @since 0.1.0
 */
export const nodeEngines = ">=22.12"

/**
 * The Node versions a project linked to a checkout runs on: its `rulefx` runs the checkout's TypeScript sources,
 * which Node strips of their types without a flag from 22.18 on.
 *
 * @category constructors
 * @since 0.1.0
 */
export const linkedNodeEngines = ">=22.18"

const rulefxFolders: Readonly<Record<string, string>> = {
  "@rulefx/core": "core",
  "@rulefx/adapter-auth0": "adapter-auth0",
  "@rulefx/testing": "testing",
  "@rulefx/cli": "cli"
}

/**
 * Every dependency as a `link:` into a rulefx checkout: the @rulefx packages to its `packages/`, the others to where
 * the checkout installed them (the real folder, so that the project, its tests and its bundle use the very copy of
 * effect that rulefx's packages use: two copies would split effect's runtime). Fails naming what is not installed.
 *
 * @category constructors
 * @since 0.1.0
 */
export const linkedVersions = (checkout: string): Effect.Effect<Versions, InitError> =>
  Effect.forEach(Object.keys(defaultVersions()), (name) => {
    const own = rulefxFolders[name]
    const candidates = own === undefined
      ? [checkout, ...["cli", "adapter-auth0", "core"].map((pkg) => join(checkout, "packages", pkg))].map((from) =>
        join(from, "node_modules", name)
      )
      : [join(checkout, "packages", own)]
    const found = candidates.find((folder) => existsSync(join(folder, "package.json")))
    return found === undefined
      ? Effect.fail(
        new InitError({
          reason: `${name} is not in ${checkout}: --link needs a rulefx checkout where \`pnpm install\` has run`
        })
      )
      : Effect.succeed([name, `link:${realpathSync(found)}`] as const)
  }).pipe(Effect.map((entries) => Object.fromEntries(entries) as unknown as Versions))

/**
 * How a project linked to `checkout` is installed and run (see `Linked`). The pnpm is the checkout's
 * `packageManager` (`pnpm@10.34.9`), run through npx.
 *
 * @category constructors
 * @since 0.1.0
 */
export const linkedSetup = (checkout: string): Linked => {
  const root = resolve(checkout)
  let manager: unknown
  try {
    manager = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { readonly packageManager?: unknown })
      .packageManager
  } catch {
    manager = undefined
  }
  // "pnpm@10.34.9+sha512.…" names the version and its hash; npx takes the version.
  const pnpm = typeof manager === "string" && /^pnpm@[\w.-]+/.test(manager)
    ? /^pnpm@[\w.-]+/.exec(manager)![0]
    : "pnpm@10"
  const nodeBin = join(root, "node_modules", "node", "bin")
  return { checkout: root, pnpm: `npx -y ${pnpm}`, nodeBin: existsSync(join(nodeBin, "node")) ? nodeBin : undefined }
}

// npm's rules for a package name: lower case, URL-safe, at most 214 characters, optionally scoped.
const validName = /^(?:@[a-z0-9~][a-z0-9._~-]*\/)?[a-z0-9~][a-z0-9._~-]*$/

/**
 * A package name made from a folder's name: lower case, anything else replaced by dashes.
 *
 * @category constructors
 * @since 0.1.0
 */
export const nameFromFolder = (dir: string): string => {
  const name = basename(resolve(dir)).toLowerCase().replace(/[^a-z0-9._~-]+/g, "-").replace(/^[-._]+|-+$/g, "")
  return name.length === 0 ? "my-login-action" : name.slice(0, 214)
}

const packageJson = (name: string, versions: Versions, engines: string): string => {
  const pick = <K extends keyof Versions>(keys: ReadonlyArray<K>) =>
    Object.fromEntries(keys.toSorted().map((key) => [key, versions[key]]))
  return `${
    JSON.stringify(
      {
        name,
        version: "0.1.0",
        private: true,
        description: "An Auth0 post-login Action written with rulefx",
        type: "module",
        scripts: {
          test: "vitest run",
          check: "tsc -p tsconfig.json",
          build: "rulefx build src/action.ts -o dist/action.js",
          run: "rulefx run dist/action.js --event events/allowed.json --expect allowed && " +
            "rulefx run dist/action.js --event events/denied.json --expect denied",
          deploy: `rulefx deploy dist/action.js --name ${name}`
        },
        dependencies: pick(["@rulefx/adapter-auth0", "@rulefx/core", "effect", "valibot"]),
        devDependencies: pick([
          "@effect/vitest",
          "@rulefx/cli",
          "@rulefx/testing",
          "@types/node",
          "typescript",
          "vitest"
        ]),
        engines: { node: engines }
      },
      null,
      2
    )
  }\n`
}

// Template files whose names npm would drop or act on when the CLI is packed (.gitignore) are stored under another.
const renamed: Readonly<Record<string, string>> = { gitignore: ".gitignore" }

const listFiles = (dir: string): Effect.Effect<ReadonlyArray<string>, InitError> =>
  Effect.tryPromise({
    try: () => readdir(dir, { recursive: true, withFileTypes: true }),
    catch: () => new InitError({ reason: `the template cannot be read from ${dir}` })
  }).pipe(
    Effect.map((entries) =>
      entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name))).toSorted()
    )
  )

/**
 * The project's files for `options`, without writing anything.
 *
 * @category constructors
 * @since 0.1.0
 */
export const files = Effect.fn("Init.files")(function*(options: Options = {}) {
  const name = options.name ?? "my-login-action"
  if (!validName.test(name) || name.length > 214) {
    return yield* new InitError({ reason: `"${name}" is not a package name (lower case letters, digits, - . _ ~)` })
  }
  const linkedTo = options.linkTo === undefined ? undefined : linkedSetup(options.linkTo)
  const linked = linkedTo === undefined ? {} : yield* linkedVersions(linkedTo.checkout)
  const versions = { ...defaultVersions(), ...linked, ...options.versions }
  yield* refuseUnreleased(versions, options)
  const paths = yield* listFiles(templateFolder)
  const template = yield* Effect.forEach(paths, (path) =>
    Effect.tryPromise({
      try: () => readFile(join(templateFolder, path), "utf8"),
      catch: () => new InitError({ reason: `the template file ${path} cannot be read` })
    }).pipe(Effect.map((text): File => ({
      path: renamed[path] ?? path,
      text: withSetup(text.replaceAll("{{name}}", name), linkedTo)
    }))))
  const engines = linkedTo === undefined ? nodeEngines : linkedNodeEngines
  const all: ReadonlyArray<File> = [{ path: "package.json", text: packageJson(name, versions, engines) }, ...template]
  return all
})

// A published CLI writes `^<its version>` for the @rulefx packages; an unreleased one (a clone's 0.0.0) would write
// `^0.0.0`, which no public registry has: `npm install` would fail with a 404 for @rulefx/core. Refused, saying what
// to do instead, unless the versions come from elsewhere (a link, given versions) or the user has a registry of theirs.
const refuseUnreleased = (versions: Versions, options: Options): Effect.Effect<void, InitError> => {
  if (ownVersion() !== unreleasedVersion || options.allowUnreleased === true) return Effect.void
  if (versions["@rulefx/core"] !== defaultVersions()["@rulefx/core"]) return Effect.void
  // The clone this CLI runs from, when it runs from one (packages/cli in a pnpm workspace).
  const clone = resolve(packageFolder, "..", "..")
  const inClone = existsSync(join(clone, "pnpm-workspace.yaml"))
  return Effect.fail(
    new InitError({ reason: Unreleased.refusal(unreleasedVersion, inClone ? shellWord(clone) : undefined) })
  )
}

// The template's README holds the published project's setup between these markers; a linked project gets its own.
const setupBlock = /<!-- rulefx init: setup -->\n\n([\s\S]*?)\n<!-- \/rulefx init: setup -->\n/

const withSetup = (text: string, linked: Linked | undefined): string =>
  text.replace(setupBlock, (_, published: string) => linked === undefined ? published : linkedSetupText(linked))

// A path as one word of a POSIX shell, for a line the user copies: quoted when it has a space or anything the shell
// would read (`my login`, `~x`, `a$b`).
const shellWord = (path: string): string => /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`

/**
 * The line that puts a linked project's Node first on the PATH: the checkout's own Node 22, when it is installed.
 *
 * @category getters
 * @since 0.1.0
 */
export const pathLine = (linked: Linked): string | undefined =>
  linked.nodeBin === undefined ? undefined : `export PATH=${shellWord(linked.nodeBin)}:"$PATH"`

const linkedSetupText = (linked: Linked): string => {
  const path = pathLine(linked)
  return [
    `This project is linked to the rulefx clone at \`${linked.checkout}\` (\`rulefx init --link\`): its dependencies are`,
    "`link:`s into the clone, which npm does not install (never run `npm install` here), and its `rulefx` runs the",
    "clone's TypeScript sources, which need Node 22.18 or newer on the PATH. In each new shell, first:",
    "",
    "```sh",
    ...(path === undefined ? ["# Node 22.18 or newer on the PATH (the clone's own is not installed)"] : [
      `${path}   # the clone's Node 22`
    ]),
    `${linked.pnpm} install   # once: links every dependency from the clone; nothing is downloaded`,
    "```",
    "",
    `The commands below are npm's; once installed they work as written (they run this project's scripts and bins), or`,
    `with the clone's pnpm: \`${linked.pnpm} test\`, \`${linked.pnpm} run <script>\`, \`${linked.pnpm} exec rulefx\` where`,
    "they say `npx rulefx`; give a script's flags without `--` there (pnpm hands the `--` on to the script, and rulefx",
    "would read what follows it as an argument).",
    ""
  ].join("\n")
}

/**
 * Writes the project into `dir` (created if missing). Fails when `dir` holds anything, unless `force`; then a file
 * that is already there is kept (listed in `kept`), never replaced.
 *
 * @category constructors
 * @since 0.1.0
 */
export const write = Effect.fn("Init.write")(
  function*(dir: string, options: Options & { readonly force?: boolean } = {}) {
    const present = existsSync(dir)
      ? yield* Effect.tryPromise({
        try: () => readdir(dir),
        catch: () => new InitError({ reason: `${dir} is not a folder that can be read` })
      })
      : []
    if (present.length > 0 && options.force !== true) {
      const shown = present.toSorted().slice(0, 5).join(", ")
      return yield* new InitError({
        reason: `${dir} is not empty (${shown}${present.length > 5 ? ", ..." : ""}): choose an empty folder, or use ` +
          `--force to add the project's files to it (files already there are kept, never replaced)`
      })
    }
    const project = yield* files({ ...options, name: options.name ?? nameFromFolder(dir) })
    const written: Array<string> = []
    const kept: Array<string> = []
    for (const file of project) {
      const target = join(dir, file.path)
      if (existsSync(target)) {
        kept.push(file.path)
        continue
      }
      yield* Effect.tryPromise({
        try: async () => {
          await mkdir(dirname(target), { recursive: true })
          await writeFile(target, file.text, { flag: "wx" })
        },
        catch: (cause) =>
          new InitError({ reason: `${target} cannot be written: ${cause instanceof Error ? cause.message : cause}` })
      })
      written.push(file.path)
    }
    const report: Report = {
      dir,
      written,
      kept,
      ...(options.linkTo === undefined ? {} : { linked: linkedSetup(options.linkTo) })
    }
    return report
  }
)

/**
 * The package manager a project's next commands are written for.
 *
 * @category models
 * @since 0.1.0
 */
export type Manager = PackageManager.Manager

/**
 * The package manager that started this process, from the user agent npm and pnpm give the commands they run
 * (`npx`, `npm exec`, `pnpm dlx`, `pnpm exec`, scripts): `pnpm/10.34.9 npm/? node/v22.23.3 linux x64`. npm when
 * there is none.
 *
 * @category constructors
 * @since 0.1.0
 */
export const managerFromUserAgent = (userAgent: string | undefined): Manager =>
  PackageManager.fromUserAgent(userAgent) ?? "npm"

/**
 * What `rulefx init` prints: the files written (and kept), then the commands to run next, for the package manager
 * that ran it; for a project linked to a checkout (`report.linked`), whose `link:` dependencies npm does not take and
 * whose `rulefx` needs Node 22.18, the line that puts the checkout's Node on the PATH and the checkout's pnpm through
 * npx, which works without pnpm on the PATH.
 *
 * @category getters
 * @since 0.1.0
 */
export const render = (report: Report, options: { readonly manager?: Manager } = {}): string => {
  const linked = report.linked
  const pm = linked?.pnpm ?? options.manager ?? "npm"
  const path = linked === undefined ? undefined : pathLine(linked)
  const steps: ReadonlyArray<readonly [string, string]> = [
    [
      `${pm} install`,
      linked !== undefined
        ? "links every dependency from the rulefx checkout"
        : pm === "npm"
        ? "or pnpm install"
        : "the dependencies"
    ],
    [`${pm} test`, "the rules' tests, with test layers"],
    [`${pm} run build`, "type-check, then dist/action.js"],
    [`${pm} run run`, "the built Action on events/allowed.json and events/denied.json"],
    [`${pm} run deploy`, "with AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET set (see README.md)"]
  ]
  const width = Math.max(...steps.map(([command]) => command.length)) + 2
  return [
    ...report.written.map((path) => `wrote ${join(report.dir, path)}`),
    ...report.kept.map((path) => `kept  ${join(report.dir, path)} (already there)`),
    "",
    linked === undefined
      ? "next (with Node 22):"
      : `next (with Node 22.18 or newer: the project runs the checkout's TypeScript sources; see README.md):`,
    ...(path === undefined ? [] : [`  ${path}`]),
    ...(resolve(report.dir) === process.cwd() ? [] : [`  cd ${shellWord(report.dir)}`]),
    ...steps.map(([command, what]) => `  ${command.padEnd(Math.max(19, width))}# ${what}`)
  ].join("\n")
}
