/**
 * The typed side of the differential test `rulefx convert` writes, built in process so that convert can run the test's
 * comparison before it calls a module converted: the handler entry (DifferentialTest.handlerEntry, the test's own
 * pipeline) bundled by Bundle.build from a temporary folder, the entry's packages resolved from the test's folder (as
 * the test's imports are) and then from rulefx's own dependencies, the module's own imports from where it is. The
 * bundle is loaded with `require`, then the folder is removed.
 */
import type * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Effect from "effect/Effect"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as Bundle from "../../Bundle.ts"
import type * as RuleDifferential from "../../RuleDifferential.ts"

const cliFolder = fileURLToPath(new URL("../../..", import.meta.url))

export interface Options {
  /** The entry's text (DifferentialTest.handlerEntry). */
  readonly entry: string
  /** Where the test is: its packages resolve from there first. */
  readonly tests: string
  /** The earlier rules the handler runs first (RuleDifferential.earlierSources), or none. */
  readonly earlier: ReadonlyArray<RuleDifferential.LegacySource>
}

/** The handler, or what went wrong building or loading it (esbuild's message, or what the module threw). */
export const load = (options: Options): Effect.Effect<PostLogin.Handler, string> =>
  Effect.acquireUseRelease(
    Effect.promise(() => mkdtemp(join(tmpdir(), "rulefx-convert-"))),
    (folder) =>
      Effect.tryPromise({
        try: () => build(folder, options),
        catch: (error) => (error instanceof Error ? error.message : String(error))
      }),
    (folder) => Effect.promise(() => rm(folder, { recursive: true, force: true }))
  )

const build = async (folder: string, options: Options): Promise<PostLogin.Handler> => {
  const entry = join(folder, "typed.mjs")
  const outfile = join(folder, "typed.cjs")
  await writeFile(entry, options.entry)
  await Bundle.build({
    entry,
    outfile,
    budget: Number.POSITIVE_INFINITY,
    resolveFrom: [options.tests, process.cwd(), cliFolder]
  })
  const exports = createRequire(outfile)(outfile) as {
    readonly typed: (earlier: ReadonlyArray<RuleDifferential.LegacySource>) => PostLogin.Handler
  }
  return exports.typed(options.earlier)
}
