/**
 * `pnpm check-examples`: type-checks every TypeScript example in the packages' doc comments, with the workspace's
 * own compiler and settings, as a user's project would compile it.
 *
 * An example is a fenced block opened with ```ts (or ```typescript) inside a `/** ... *\/` comment of a file under
 * packages/<name>/src; a fence whose info string holds `skip-type-checking` is left out, as @effect/docgen does. Each
 * example must be a whole module: its imports written out, by package name (`@rulefx/core/Rule`, `effect/Effect`).
 *
 * Why not @effect/docgen's own check: 0.5.2 compiles `@example` tags only, and this repository writes its examples
 * as `**Example**` sections (STYLE.md, as effect 4 does); 4.0.0-rc.112, which reads those, imports
 * effect/unstable/cli, which effect 4.1 no longer has.
 *
 * The examples are written one file each under tools/docgen/node_modules/.cache/examples (where tools/docgen's
 * dependencies resolve every workspace package), compiled with `tsc --noEmit`, and each error is reported at its
 * line in the source file.
 */
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"

/** One example: the file it is in, the 1-based line of its first line of code, its column, and its code. */
export interface Example {
  readonly file: string
  readonly line: number
  readonly column: number
  readonly code: string
}

export const root = fileURLToPath(new URL("../../", import.meta.url))

/** Where the examples are compiled, by default. */
export const workDir = join(root, "tools/docgen/node_modules/.cache/examples")

// `* ` at the start of a doc comment's line.
const commentPrefix = /^\s*\* ?/

const isTypeScriptFence = (info: string): boolean =>
  /^(ts|typescript)\b/i.test(info) && !info.includes("skip-type-checking")

/** The TypeScript examples in one file's doc comments. */
export const examplesOf = (file: string, text: string): ReadonlyArray<Example> => {
  const examples: Array<Example> = []
  const lines = text.split("\n")
  let inComment = false
  let open: { readonly line: number; readonly column: number; readonly body: Array<string> } | undefined
  lines.forEach((raw, index) => {
    if (!inComment) {
      inComment = raw.trimStart().startsWith("/**") && !raw.includes("*/")
      return
    }
    if (raw.includes("*/")) {
      inComment = false
      open = undefined
      return
    }
    const prefix = commentPrefix.exec(raw)?.[0] ?? ""
    const line = raw.slice(prefix.length)
    if (open === undefined) {
      const fence = /^```(.*)$/.exec(line.trim())
      if (fence !== null && isTypeScriptFence(fence[1]!)) open = { line: index + 2, column: prefix.length, body: [] }
    } else if (line.trim() === "```") {
      examples.push({ file, line: open.line, column: open.column, code: open.body.join("\n") + "\n" })
      open = undefined
    } else {
      open.body.push(line)
    }
  })
  return examples
}

const sourceFiles = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith(".ts") ? [path] : []
  })

/** The packages under packages/, by folder name, sorted. */
export const packageNames = (): ReadonlyArray<string> =>
  readdirSync(join(root, "packages"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, "packages", entry.name, "src")))
    .map((entry) => entry.name)
    .toSorted()

/** Every example of every package, in file order. */
export const allExamples = (): ReadonlyArray<Example> =>
  packageNames().flatMap((name) =>
    sourceFiles(join(root, "packages", name, "src")).toSorted().flatMap((file) =>
      examplesOf(relative(root, file), readFileSync(file, "utf8"))
    )
  )

const tsconfig = {
  extends: join(root, "tsconfig.base.json"),
  // A snippet may declare what it shows without using it.
  compilerOptions: { noUnusedLocals: false, noUnusedParameters: false },
  include: ["**/*.ts"]
}

/** Writes each example to its own file in `dir`; returns the files by name. */
const writeExamples = (examples: ReadonlyArray<Example>, dir: string): ReadonlyMap<string, Example> => {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig, null, 2))
  const byName = new Map<string, Example>()
  for (const example of examples) {
    const name = `${example.file.replace(/\.ts$/, "").replace(/[/\\]/g, "-")}-${example.line}.ts`
    writeFileSync(join(dir, name), example.code)
    byName.set(name, example)
  }
  return byName
}

// `name.ts(3,5): error TS2304: ...` becomes `packages/core/src/Rule.ts:80:8: error TS2304: ...`.
const located = (output: string, byName: ReadonlyMap<string, Example>): string =>
  output.replace(
    /^(?:.*[/\\])?([^/\\(]+\.ts)\((\d+),(\d+)\)/gm,
    (whole, name: string, line: string, column: string) => {
      const example = byName.get(name)
      if (example === undefined) return whole
      return `${example.file}:${example.line + Number(line) - 1}:${example.column + Number(column)}`
    }
  )

/**
 * Compiles the examples in `dir` (a folder under tools/docgen/node_modules, emptied first and removed after); returns
 * the compiler's errors, each at its place in the source, or "" when there are none.
 */
export const check = (examples: ReadonlyArray<Example>, dir: string = workDir): string => {
  const byName = writeExamples(examples, dir)
  try {
    execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", join(dir, "tsconfig.json"), "--pretty", "false"], {
      cwd: root,
      encoding: "utf8",
      stdio: "pipe"
    })
    return ""
  } catch (error) {
    const { stdout, stderr } = error as { readonly stdout?: string; readonly stderr?: string }
    return located(`${stdout ?? ""}${stderr ?? ""}`, byName).trim() || String(error)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now()
  const examples = allExamples()
  const errors = check(examples)
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  if (errors !== "") {
    console.error(errors)
    console.error(`\n${examples.length} examples: some do not compile (${seconds} s)`)
    process.exit(1)
  }
  console.log(`${examples.length} examples in the packages' doc comments compile (${seconds} s)`)
}
