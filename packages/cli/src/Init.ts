/**
 * Init: the project `rulefx init` scaffolds, one a user owns: a package.json (scripts test, build, run, deploy), a
 * tsconfig.json, one fact, two rules (one with a typed denial), a pipeline and `src/action.ts`, tests with test
 * layers, two sample events and a README that walks from writing a rule to deploying it. Node-side only.
 *
 * The files come from this package's `template/` folder (a real project: rulefx's own tests type-check it, run its
 * tests, build it and run the built Action on its sample events) and a package.json made here, with the versions
 * this CLI was built with. `files` returns them without writing anything; `write` writes them into a folder that
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
   * published: every dependency becomes a `link:` into it (see `linkedVersions`), for `pnpm install` to link.
   */
  readonly linkTo?: string
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

const ownVersion = (): string => {
  const json = JSON.parse(readFileSync(join(packageFolder, "package.json"), "utf8")) as { readonly version?: unknown }
  return typeof json.version === "string" ? json.version : "0.1.0"
}

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
      ? [checkout, join(checkout, "packages", "cli"), join(checkout, "packages", "adapter-auth0")].map((from) =>
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

const packageJson = (name: string, versions: Versions): string => {
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
        engines: { node: nodeEngines }
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
  const linked = options.linkTo === undefined ? {} : yield* linkedVersions(resolve(options.linkTo))
  const versions = { ...defaultVersions(), ...linked, ...options.versions }
  const paths = yield* listFiles(templateFolder)
  const template = yield* Effect.forEach(paths, (path) =>
    Effect.tryPromise({
      try: () => readFile(join(templateFolder, path), "utf8"),
      catch: () => new InitError({ reason: `the template file ${path} cannot be read` })
    }).pipe(Effect.map((text): File => ({ path: renamed[path] ?? path, text: text.replaceAll("{{name}}", name) }))))
  const all: ReadonlyArray<File> = [{ path: "package.json", text: packageJson(name, versions) }, ...template]
  return all
})

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
    const report: Report = { dir, written, kept }
    return report
  }
)

/**
 * The package manager a project's next commands are written for.
 *
 * @category models
 * @since 0.1.0
 */
export type Manager = "npm" | "pnpm"

/**
 * The package manager that started this process, from the user agent npm and pnpm give the commands they run
 * (`npx`, `npm exec`, `pnpm dlx`, `pnpm exec`, scripts): `pnpm/10.34.9 npm/? node/v22.23.3 linux x64`. npm when
 * there is none.
 *
 * @category constructors
 * @since 0.1.0
 */
export const managerFromUserAgent = (userAgent: string | undefined): Manager =>
  userAgent?.startsWith("pnpm/") === true ? "pnpm" : "npm"

// A path as one word of a POSIX shell, for a line the user copies: quoted when it has a space or anything the shell
// would read (`my login`, `~x`, `a$b`).
const shellWord = (path: string): string => /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`

/**
 * What `rulefx init` prints: the files written (and kept), then the commands to run next, for the package manager
 * that ran it (pnpm for a project linked to a checkout, whose `link:` dependencies npm does not take).
 *
 * @category getters
 * @since 0.1.0
 */
export const render = (
  report: Report,
  options: { readonly linked?: boolean; readonly manager?: Manager } = {}
): string => {
  const linked = options.linked === true
  const pm = linked ? "pnpm" : options.manager ?? "npm"
  const steps: ReadonlyArray<readonly [string, string]> = [
    [
      `${pm} install`,
      linked ? "links every dependency from the rulefx checkout" : pm === "npm" ? "or pnpm install" : "the dependencies"
    ],
    [`${pm} test`, "the rules' tests, with test layers"],
    [`${pm} run build`, "type-check, then dist/action.js"],
    [`${pm} run run`, "the built Action on events/allowed.json and events/denied.json"],
    [`${pm} run deploy`, "with AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET set (see README.md)"]
  ]
  return [
    ...report.written.map((path) => `wrote ${join(report.dir, path)}`),
    ...report.kept.map((path) => `kept  ${join(report.dir, path)} (already there)`),
    "",
    "next (with Node 22):",
    ...(resolve(report.dir) === process.cwd() ? [] : [`  cd ${shellWord(report.dir)}`]),
    ...steps.map(([command, what]) => `  ${command.padEnd(19)}# ${what}`)
  ].join("\n")
}
