/**
 * `--runtime npm` for `pnpm bench`: @rulefx/action-runtime as it ships (its dist/ built from the current sources,
 * runtime A of bench/runtime-npm.ts) installed into a temporary folder's node_modules, and built through rulefx's own
 * code paths against it: the seed Action with `Bundle.build({ runtime: "npm" })`, and the
 * generated 60-rule tenant (packages/cli/test/utils/BigTenant.ts) with `Migrate.migrate({ runtime: "npm" })`, its
 * cases run through the built file. For the choice of runtime, B (A plus the rest of effect) is built beside it by
 * bench/runtime-npm.ts's builder.
 */
import * as Effect from "effect/Effect"
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"
import { gzipSync } from "node:zlib"
import * as Runtime from "../packages/action-runtime/scripts/Runtime.ts"
import * as Bundle from "../packages/cli/src/Bundle.ts"
import * as Migrate from "../packages/cli/src/Migrate.ts"
import * as MigrationPlan from "../packages/cli/src/MigrationPlan.ts"
import * as MigrationSize from "../packages/cli/src/MigrationSize.ts"
import * as BigTenant from "../packages/cli/test/utils/BigTenant.ts"
import * as RecordingApi from "../packages/testing/src/RecordingApi.ts"
import { buildRuntime, moduleSets } from "./runtime-npm.ts"
import { root, seedEntry } from "./size.ts"
import type { TimedCase } from "./tenant-speed.ts"

/** A file's bytes, minified as written and gzip -9. */
export interface Bytes {
  readonly path: string
  readonly bytes: number
  readonly gzip: number
}

/** What the npm mode measured. */
export interface NpmMode {
  /** The folder the runtime is installed in; the Actions below are written beside it. */
  readonly folder: string
  readonly version: string
  /** The shipped runtime's file (runtime A). */
  readonly runtime: Bytes & { readonly modules: number }
  /** Its lean file (`@rulefx/action-runtime/lean`), which an Action that imports only what it carries loads. */
  readonly lean: Bytes & { readonly modules: number }
  /** An Action that only requires the lean file. */
  readonly aloneLean: string
  /**
   * Its post-login file (`@rulefx/action-runtime/post-login`, a part of the lean file), which the seed Action loads:
   * an Action that imports only what it carries loads it.
   */
  readonly postLogin: Bytes & { readonly modules: number }
  /** An Action that only requires the post-login file. */
  readonly alonePostLogin: string
  /** Runtime B (A plus every other public effect module and the barrel), built for the comparison. */
  readonly runtimeB: Bytes & { readonly modules: number }
  /** An Action that only requires the runtime: the runtime's own cold require, A and B. */
  readonly aloneA: string
  readonly aloneB: string
  readonly seed: Bytes
  readonly tenant: Tenant
}

/** The 60-rule tenant: migrated with the runtime as npm dependency, and what the bundled size check says. */
export interface Tenant {
  readonly rules: number
  readonly sourceBytes: number
  readonly npm: Bytes
  /** Its cases through the built file, api calls compared in order: how many gave exactly the expected calls. */
  readonly casesPassed: number
  readonly cases: number
  /** The bundled size check (MigrationSize, as `rulefx migrate` runs it before building). */
  readonly bundledRefused: boolean
  readonly bundledRulesMinified: number
  readonly bundledRuntimeBytes: number
  /** The case bench/tenant-speed.ts times: the tenant's plain allowed login. */
  readonly timed: TimedCase
}

const gzipBytes = (contents: Uint8Array): number => gzipSync(contents, { level: 9 }).byteLength

const measured = (path: string): Bytes => {
  const contents = readFileSync(path)
  return { path, bytes: contents.byteLength, gzip: gzipBytes(contents) }
}

const runtimePackage = join(root, "packages/action-runtime")

/**
 * Installs the package as it would ship from the current sources into `folder/node_modules`: its package.json, and
 * dist/ built by its own build (Runtime.build) straight into the install. Built here rather than copied from
 * packages/action-runtime/dist, which is only as new as the last `pnpm build`: a stale one measured the runtime of an
 * older commit.
 */
const install = async (
  folder: string
): Promise<
  { readonly version: string; readonly modules: number; readonly lean: number; readonly postLogin: number }
> => {
  const into = join(folder, "node_modules/@rulefx/action-runtime")
  mkdirSync(into, { recursive: true })
  cpSync(join(runtimePackage, "package.json"), join(into, "package.json"))
  await Runtime.build(join(into, "dist"))
  writeFileSync(join(folder, "package.json"), JSON.stringify({ name: "bench-npm-action", private: true }))
  const manifest = JSON.parse(readFileSync(join(into, "dist/modules.json"), "utf8")) as {
    readonly version: string
    readonly modules: ReadonlyArray<string>
    readonly lean: ReadonlyArray<string>
    readonly postLogin: ReadonlyArray<string>
  }
  return {
    version: manifest.version,
    modules: manifest.modules.length,
    lean: manifest.lean.length,
    postLogin: manifest.postLogin.length
  }
}

/** A file that requires the runtime installed beside it (or a part of it) and exports a no-op handler. */
const alone = (folder: string, part?: "lean" | "post-login"): string => {
  const path = join(folder, part === undefined ? "runtime-only.js" : `${part}-only.js`)
  writeFileSync(
    path,
    `require("@rulefx/action-runtime${part === undefined ? "" : `/${part}`}")\n` +
      `exports.onExecutePostLogin = async () => {}\n`
  )
  return path
}

type Handler = (event: unknown, api: RecordingApi.RecordingApi) => Promise<void>

const tenantFigures = async (dir: string, folder: string): Promise<Tenant> => {
  const tenant = BigTenant.make()
  const rulesFolder = BigTenant.write(tenant, join(dir, "tenant"))
  const outfile = join(folder, "big-tenant.js")
  await Effect.runPromise(Migrate.migrate(rulesFolder, outfile, { runtime: "npm" }))
  const action = createRequire(outfile)(outfile) as Record<string, Handler>
  let casesPassed = 0
  const log = console.log
  console.log = () => undefined
  try {
    for (const c of tenant.cases) {
      const api = RecordingApi.make()
      // oxlint-disable-next-line no-await-in-loop
      await action[c.handler]?.(structuredClone(c.event), api)
      if (JSON.stringify(api.calls) === JSON.stringify(c.calls)) casesPassed++
    }
  } finally {
    console.log = log
  }
  // The bundled mode's check, as migrate runs it before building (Migrate.checkSize's resolution).
  const sizes = await Effect.runPromise(Effect.flatMap(
    MigrationPlan.plan(rulesFolder),
    (p) => MigrationSize.measure(p, { resolveFrom: [p.dir, root, join(root, "packages/cli")] })
  ))
  const timed = tenant.cases.find((c) => c.outcome === "allowed" && c.handler === "onExecutePostLogin")
  if (timed === undefined) throw new Error("the generated tenant has no allowed case to time")
  return {
    rules: tenant.rules.length,
    sourceBytes: tenant.sourceBytes,
    npm: measured(outfile),
    casesPassed,
    cases: tenant.cases.length,
    bundledRefused: !MigrationSize.fits(sizes),
    bundledRulesMinified: sizes.minifiedBytes,
    bundledRuntimeBytes: sizes.runtimeBytes,
    timed: { name: timed.name, event: timed.event, calls: timed.calls }
  }
}

/** Installs the shipped runtime into `dir/npm`, builds runtime B into `dir/runtime-B`, and builds against A. */
export const buildNpm = async (dir: string): Promise<NpmMode> => {
  const folder = join(dir, "npm")
  const { lean, modules, postLogin, version } = await install(folder)
  const runtimeFile = join(folder, "node_modules/@rulefx/action-runtime/dist/index.cjs")
  const leanFile = join(folder, "node_modules/@rulefx/action-runtime/dist/lean.cjs")
  const postLoginFile = join(folder, "node_modules/@rulefx/action-runtime/dist/post-login.cjs")
  // Built as a user builds it; the runtime is found in the folder it is installed in (resolveFrom).
  const build = async (entry: string, name: string): Promise<Bytes> => {
    const report = await Bundle.build({
      entry,
      outfile: join(folder, `${name}.js`),
      runtime: "npm",
      resolveFrom: [folder, join(root, "examples/seller-login")]
    })
    if (report.dependencies?.[0] !== `@rulefx/action-runtime@${version}`) {
      throw new Error(`${name} was built against ${report.dependencies?.join(", ") ?? "nothing"}, not ${version}`)
    }
    return measured(report.outfile)
  }
  const seed = await build(seedEntry, "seed")
  const tenant = await tenantFigures(dir, folder)
  const sets = await moduleSets()
  const b = await buildRuntime("B", join(dir, "runtime-B"), sets.exposedB, false)
  return {
    folder,
    version,
    runtime: { ...measured(runtimeFile), modules },
    lean: { ...measured(leanFile), modules: lean },
    aloneLean: alone(folder, "lean"),
    postLogin: { ...measured(postLoginFile), modules: postLogin },
    alonePostLogin: alone(folder, "post-login"),
    runtimeB: {
      path: join(b.dir, "node_modules/@rulefx/action-runtime/index.js"),
      bytes: b.bytes,
      gzip: b.gzip,
      modules: sets.exposedB.length
    },
    aloneA: alone(folder),
    aloneB: alone(b.dir),
    seed,
    tenant
  }
}
