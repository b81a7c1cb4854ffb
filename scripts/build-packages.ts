/**
 * Builds the published packages into their dist/ folders: ESM `.js`, `.d.ts`, source maps and declaration maps,
 * by `tsc --build` over tsconfig.build.json, whose references put them in dependency order (core; rules,
 * adapter-auth0; legacy-rules, testing; cli). Every dist/ (and .tsbuild/, tsc's record of it) is removed first,
 * so nothing built from a source that has since been deleted reaches a tarball. Inside the workspace nothing reads
 * dist/: code and tests run from src/, and `pnpm pack` applies each manifest's `publishConfig` (exports and bin
 * into dist/). Then `@rulefx/action-runtime`, which tsc does not build: its dist/ is the runtime bundled by esbuild
 * from those packages' sources (packages/action-runtime/scripts/Runtime.ts); `rulefx build --runtime npm` and its tests
 * read it.
 *
 * Run from the workspace: `pnpm build:packages` (Node 22 strips this file's types).
 */
import { execFileSync } from "node:child_process"
import { readFileSync, rmSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import * as ActionRuntime from "../packages/action-runtime/scripts/Runtime.ts"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")

/** The folders tsconfig.build.json references: the published packages. */
const packageFolders = (): ReadonlyArray<string> =>
  (JSON.parse(readFileSync(join(root, "tsconfig.build.json"), "utf8")) as {
    readonly references: ReadonlyArray<{ readonly path: string }>
  }).references.map((reference) => join(root, dirname(reference.path)))

for (const folder of packageFolders()) {
  for (const output of ["dist", ".tsbuild"]) rmSync(join(folder, output), { recursive: true, force: true })
}
execFileSync(join(root, "node_modules", ".bin", "tsc"), ["--build", join(root, "tsconfig.build.json")], {
  stdio: "inherit"
})
const runtime = await ActionRuntime.build()
process.stdout.write(`${runtime.manifest.name}: ${runtime.bytes} bytes, ${runtime.manifest.modules.length} modules\n`)
