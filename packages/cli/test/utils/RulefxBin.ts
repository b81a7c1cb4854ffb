/**
 * Runs the workspace's `rulefx` bin as a user's shell would (a child process, no colours), for tests of the CLI's
 * exit codes and output.
 */
import { execFile } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

/** The workspace's bin: runs the CLI from its TypeScript sources. */
export const bin = fileURLToPath(new URL("../../bin/workspace.js", import.meta.url))

/** The bin package.json names: what `pnpm exec rulefx` runs in the workspace and in a project linked to it. */
export const packageBin = fileURLToPath(
  new URL(
    `../../${
      (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
        readonly bin: { readonly rulefx: string }
      }).bin.rulefx
    }`,
    import.meta.url
  )
)

/** What one `rulefx` command left: its exit code (null when killed) and what it printed. */
export interface Output {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Where and how a command runs. */
export interface RunOptions {
  /** The working directory (the test process's own when undefined). */
  readonly cwd?: string | undefined
  /** A V8 heap that small, in MB (`--max-old-space-size`), for tests of what a command keeps in memory. */
  readonly heapMB?: number
  /** How long the command may take before it is killed (45 s when undefined). */
  readonly timeoutMs?: number
  /** Variables set (or, `undefined`, removed) over the test process's environment. */
  readonly env?: Readonly<Record<string, string | undefined>>
}

/** Runs `rulefx ...args` with `options`; never rejects. Its output may be large (256 MiB at most). */
export const runWith = (options: RunOptions, ...args: ReadonlyArray<string>): Promise<Output> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      {
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 45_000,
        // NODE_OPTIONS, not a flag: under a Node older than 22.18 bin/workspace.js runs the checkout's own Node, which
        // a flag given to this one would not reach.
        env: {
          ...process.env,
          NO_COLOR: "1",
          ...(options.heapMB === undefined ? {} : { NODE_OPTIONS: `--max-old-space-size=${options.heapMB}` }),
          ...options.env
        },
        maxBuffer: 256 * 1024 * 1024
      },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr })
    )
  })

/** Runs `rulefx ...args` in `cwd` (the test process's own when undefined); never rejects. */
export const run = (cwd: string | undefined, ...args: ReadonlyArray<string>): Promise<Output> =>
  runWith({ cwd }, ...args)

/** An output as one string, for an assertion's message. */
export const show = (output: Output): string =>
  `exit ${output.code}\n--- stdout\n${output.stdout}\n--- stderr\n${output.stderr}`
