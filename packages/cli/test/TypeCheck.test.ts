import { afterAll, assert, describe, it } from "@effect/vitest"
import * as TypeCheck from "@rulefx/cli/TypeCheck"
import * as Effect from "effect/Effect"
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import * as TypedProject from "./utils/TypedProject.ts"

// Each check starts TypeScript (the native binary of typescript 7) once or a few times: about a second each on a
// quiet machine, several on a busy one.
const timeout = 60_000

const made: Array<string> = []
const project = (files: Readonly<Record<string, string>>) => {
  const dir = TypedProject.write(files)
  made.push(dir)
  return dir
}

afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
})

const typescript = () => {
  const found = TypeCheck.findTypeScript(project({}))
  assert.isDefined(found)
  return found!
}

describe("TypeCheck.findTypeScript", () => {
  it("the project's own TypeScript first", () => {
    const dir = mkdtempSync(join(tmpdir(), "rulefx-ts-"))
    made.push(dir)
    mkdirSync(join(dir, "node_modules", "typescript"), { recursive: true })
    writeFileSync(
      join(dir, "node_modules", "typescript", "package.json"),
      JSON.stringify({
        name: "typescript",
        version: "5.9.9-own",
        bin: { tsc: "./bin/tsc", tsserver: "./bin/tsserver" }
      })
    )
    assert.deepStrictEqual(TypeCheck.findTypeScript(dir), {
      bin: join(dir, "node_modules", "typescript", "bin", "tsc"),
      version: "5.9.9-own",
      from: "project"
    })
  })

  it("rulefx's own when the project has none", () => {
    const dir = mkdtempSync(join(tmpdir(), "rulefx-ts-none-"))
    made.push(dir)
    const found = TypeCheck.findTypeScript(dir)
    assert.strictEqual(found?.from, "rulefx")
    assert.match(found?.version ?? "", /^\d+\.\d+\.\d+/)
  })
})

describe("TypeCheck.findProject", () => {
  it.live(
    "the nearest tsconfig.json whose files include the entry; one that does not is passed over",
    () =>
      Effect.gen(function*() {
        const dir = project({
          "tsconfig.json": TypedProject.tsconfig(["src"]),
          "src/action.ts": "export const a = 1\n",
          "src/nested/tsconfig.json": TypedProject.tsconfig(["test"]),
          "src/nested/action.ts": "export const b = 1\n"
        })
        const ts = typescript()
        assert.strictEqual(yield* TypeCheck.findProject(join(dir, "src", "action.ts"), ts), join(dir, "tsconfig.json"))
        assert.strictEqual(
          yield* TypeCheck.findProject(join(dir, "src", "nested", "action.ts"), ts),
          join(dir, "tsconfig.json")
        )
      }),
    timeout
  )

  it.live(
    "a solution tsconfig.json (files: [], references): the referenced project that holds the entry",
    () =>
      Effect.gen(function*() {
        const dir = project({
          "tsconfig.json": JSON.stringify({
            files: [],
            references: [{ path: "./tsconfig.other.json" }, { path: "app" }]
          }),
          "tsconfig.other.json": TypedProject.tsconfig(["other"]),
          "app/tsconfig.json": TypedProject.tsconfig(["src"]),
          "app/src/action.ts": "export const a = 1\n"
        })
        const found = yield* TypeCheck.findProject(join(dir, "app", "src", "action.ts"), typescript())
        assert.strictEqual(found, join(dir, "app", "tsconfig.json"))
      }),
    timeout
  )

  it.live("no tsconfig.json covers the entry: undefined", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "rulefx-ts-alone-"))
      made.push(dir)
      writeFileSync(join(dir, "action.ts"), "export const a = 1\n")
      assert.isUndefined(yield* TypeCheck.findProject(join(dir, "action.ts"), typescript()))
    }), timeout)
})

const withEntry = (mistakes: TypedProject.Mistakes) =>
  project({ "tsconfig.json": TypedProject.tsconfig(), "src/action.ts": TypedProject.actionSource(mistakes) })

describe("TypeCheck.check", () => {
  it.live(
    "a project that compiles: ok, no diagnostics, and which tsconfig and TypeScript checked it",
    () =>
      Effect.gen(function*() {
        const dir = withEntry({})
        const result = yield* TypeCheck.check(join(dir, "src", "action.ts"))
        assert.isDefined(result)
        assert.isTrue(result!.ok, result!.diagnostics)
        assert.strictEqual(result!.diagnostics, "")
        assert.strictEqual(result!.tsconfig, join(dir, "tsconfig.json"))
        assert.strictEqual(result!.typescript.from, "project")
      }),
    timeout
  )

  it.live(
    "a pipeline that reads an undeclared fact: not ok, TypeScript's message names the fact",
    () =>
      Effect.gen(function*() {
        const dir = withEntry({ undeclaredFact: true })
        const result = yield* TypeCheck.check(join(dir, "src", "action.ts"))
        assert.isFalse(result!.ok)
        assert.include(result!.diagnostics, TypedProject.undeclaredFactMessage)
        assert.match(result!.diagnostics, /action\.ts\(\d+,\d+\): error TS\d+/)
      }),
    timeout
  )

  it.live(
    "a layer that misses a service: not ok, TypeScript's message names the service",
    () =>
      Effect.gen(function*() {
        const dir = withEntry({ missingService: true })
        const result = yield* TypeCheck.check(join(dir, "src", "action.ts"))
        assert.isFalse(result!.ok)
        assert.include(result!.diagnostics, TypedProject.missingServiceMessage)
        assert.notInclude(result!.diagnostics, TypedProject.undeclaredFactMessage)
      }),
    timeout
  )

  it.live(
    "an entry with no tsconfig.json above it: undefined (nothing to check against)",
    () =>
      Effect.gen(function*() {
        const dir = mkdtempSync(join(tmpdir(), "rulefx-ts-alone-"))
        made.push(dir)
        writeFileSync(join(dir, "action.ts"), TypedProject.actionSource({ undeclaredFact: true }))
        assert.isUndefined(yield* TypeCheck.check(join(dir, "action.ts")))
      }),
    timeout
  )

  it.live(
    "a TypeScript entry outside the files of the tsconfig.json above it: fails naming that tsconfig, checks nothing",
    () =>
      Effect.gen(function*() {
        // The entry moved out of `include` (actions/ beside src/): checking nothing would build the project's errors.
        const dir = project({
          "tsconfig.json": TypedProject.tsconfig(["src"]),
          "src/keep.ts": "export const a = 1\n",
          "actions/login.ts": TypedProject.actionSource({ undeclaredFact: true })
        })
        const error = yield* Effect.flip(TypeCheck.check(join(dir, "actions", "login.ts")))
        assert.instanceOf(error, TypeCheck.TypeCheckError)
        assert.include(error.message, "login.ts is not among the files of")
        assert.include(error.message, `of ${relative(process.cwd(), join(dir, "tsconfig.json"))} (`)
        assert.include(error.message, "--no-typecheck")
      }),
    timeout
  )

  it.live(
    "a JavaScript entry outside the files of the tsconfig.json above it: undefined (JS is not checked)",
    () =>
      Effect.gen(function*() {
        const dir = project({ "tsconfig.json": TypedProject.tsconfig(["src"]), "action.js": "exports.a = 1\n" })
        assert.isUndefined(yield* TypeCheck.check(join(dir, "action.js")))
      }),
    timeout
  )
})

// A library's tsconfig: declarations only, into their own folder, built incrementally as a composite project.
const library = () =>
  project({
    "tsconfig.json": JSON.stringify({
      compilerOptions: {
        ...JSON.parse(TypedProject.tsconfig()).compilerOptions,
        noEmit: false,
        declaration: true,
        emitDeclarationOnly: true,
        declarationMap: true,
        declarationDir: "types",
        isolatedDeclarations: true,
        composite: true,
        incremental: true,
        tsBuildInfoFile: "build/project.tsbuildinfo",
        outDir: "dist",
        mapRoot: "maps",
        rootDir: "src"
      },
      include: ["src"]
    }),
    "src/keep.ts": "export const a: number = 1\n",
    "converted/ok.ts": "export const b = (n: number) => n + 1\n",
    "converted/bad.ts": "export const c: number = \"c\"\n"
  })

describe("TypeCheck.checkFiles", () => {
  it.live(
    "under a tsconfig that emits declarations only: checks the files without emitting (no option clash)",
    () =>
      Effect.gen(function*() {
        const dir = library()
        const ok = yield* TypeCheck.checkFiles(join(dir, "converted"), [join(dir, "converted", "ok.ts")])
        assert.isTrue(ok.ok, ok.diagnostics)
        assert.strictEqual(ok.diagnostics, "")
        assert.strictEqual(ok.extends, join(dir, "tsconfig.json"))
        const bad = yield* TypeCheck.checkFiles(join(dir, "converted"), [join(dir, "converted", "bad.ts")])
        assert.isFalse(bad.ok)
        assert.match(bad.diagnostics, /bad\.ts\(1,14\): error TS2322/)
        assert.notInclude(bad.diagnostics, "TS5069")
        for (const emitted of ["types", "build", "dist", "maps"]) {
          assert.isFalse(existsSync(join(dir, emitted)), emitted)
        }
      }),
    timeout
  )
})
