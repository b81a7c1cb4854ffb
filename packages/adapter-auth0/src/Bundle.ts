/**
 * Bundle: builds an Action entry into the one CommonJS file Auth0 accepts, and checks it against the size budget.
 *
 * esbuild, platform node, target node22, minified, with effect and every other dependency bundled in (Node
 * built-ins stay external), so the file loads with plain `require` and nothing installed beside it. Node-side
 * only: this module never ends up in an Action.
 *
 * @since 0.1.0
 */
import * as esbuild from "esbuild"
import { access, writeFile } from "node:fs/promises"
import { dirname, join } from "node:path"

/**
 * Auth0's limit on one Action's code.
 *
 * @category constructors
 * @since 0.1.0
 */
export const auth0Limit = 100 * 1024

/**
 * Build options.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  readonly entry: string
  readonly outfile: string
  /** Bytes; the build fails when the file is larger. Default 100 kB, Auth0's limit. */
  readonly budget?: number
}

/**
 * What a build produced: the file's size and the largest contributors to it, biggest first.
 *
 * @category models
 * @since 0.1.0
 */
export interface Report {
  readonly outfile: string
  readonly bytes: number
  readonly budget: number
  readonly contributors: ReadonlyArray<{ readonly path: string; readonly bytes: number }>
}

/**
 * The file is larger than its budget.
 *
 * @category errors
 * @since 0.1.0
 */
export class OverBudget extends Error {
  readonly report: Report
  constructor(report: Report) {
    super(
      `${report.outfile} is ${formatBytes(report.bytes)}, over the budget of ${formatBytes(report.budget)}. ` +
        `Largest contributors: ${
          report.contributors.slice(0, 5).map((c) => `${c.path} ${formatBytes(c.bytes)}`).join(", ")
        }`
    )
    this.report = report
  }
}

/**
 * Bytes as kB with one decimal (1 kB = 1024 bytes, as Auth0 counts).
 *
 * @category utility types
 * @since 0.1.0
 */
export const formatBytes = (bytes: number): string => `${(bytes / 1024).toFixed(1)} kB`

/**
 * Builds the Action file. Rejects with OverBudget when the file is larger than the budget (the file is still
 * written, so it can be inspected).
 *
 * @category constructors
 * @since 0.1.0
 */
export const build = async (options: Options): Promise<Report> => {
  const budget = options.budget ?? auth0Limit
  const result = await esbuild.build({
    entryPoints: [options.entry],
    outfile: options.outfile,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    minify: true,
    treeShaking: true,
    metafile: true,
    legalComments: "none",
    logLevel: "silent",
    write: false
  })
  const output = result.outputFiles[0]
  if (output === undefined) throw new Error(`esbuild produced no output for ${options.entry}`)
  await writeFile(options.outfile, output.contents)
  await markCommonJs(dirname(options.outfile))
  const outputs = Object.values(result.metafile.outputs)
  const inputs = outputs[0]?.inputs ?? {}
  const byPackage = new Map<string, number>()
  for (const [path, info] of Object.entries(inputs)) {
    const key = packageOf(path)
    byPackage.set(key, (byPackage.get(key) ?? 0) + info.bytesInOutput)
  }
  const report: Report = {
    outfile: options.outfile,
    bytes: output.contents.byteLength,
    budget,
    contributors: [...byPackage].map(([path, bytes]) => ({ path, bytes })).toSorted((a, b) => b.bytes - a.bytes).slice(
      0,
      10
    )
  }
  if (report.bytes > budget) throw new OverBudget(report)
  return report
}

// Inside a "type": "module" project a .js file is loaded as ESM; a package.json beside the bundle keeps it CommonJS
// there. Copied elsewhere, the file is CommonJS by default.
const markCommonJs = async (dir: string): Promise<void> => {
  const file = join(dir, "package.json")
  const exists = await access(file).then(() => true, () => false)
  if (!exists) await writeFile(file, `{ "type": "commonjs" }\n`)
}

const packageOf = (path: string): string => {
  const parts = path.split("node_modules/")
  const last = parts[parts.length - 1] ?? path
  if (parts.length === 1) return path
  const segments = last.split("/")
  const name = segments[0]?.startsWith("@") ? `${segments[0]}/${segments[1]}` : segments[0] ?? last
  // effect is one package but its modules are the interesting unit.
  return name === "effect" ? `effect/${segments.slice(-1)[0]?.replace(/\.(js|ts)$/, "")}` : name
}
