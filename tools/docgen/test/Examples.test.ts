import { assert, describe, it } from "@effect/vitest"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { allExamples, check, examplesOf, root } from "../examples.ts"

const file = "packages/x/src/X.ts"

const source = [
  "/**", //                                                   1
  " * Makes a thing.", //                                     2
  " *", //                                                    3
  " * **Example** (Making one)", //                           4
  " *", //                                                    5
  " * ```ts", //                                              6
  " * import * as Effect from \"effect/Effect\"", //          7
  " *", //                                                    8
  " * const one: Effect.Effect<number> = Effect.succeed(1)", // 9
  " * ```", //                                               10
  " *", //                                                   11
  " * ```sh", //                                             12
  " * rulefx build", //                                      13
  " * ```", //                                               14
  " *", //                                                   15
  " * ```ts skip-type-checking", //                          16
  " * not compiled", //                                      17
  " * ```", //                                               18
  " */", //                                                  19
  "export const make = 1", //                                20
  "// ```ts", //                                             21
  "const text = `", //                                       22
  "```ts", //                                                23
  "also not an example", //                                  24
  "```", //                                                  25
  "`" //                                                     26
].join("\n")

// Each check spawns the workspace's tsc on the examples of a temporary folder.
const dir = join(root, "tools/docgen/node_modules/.cache", `examples-test-${process.pid}`)

describe("examplesOf", () => {
  it("finds the ts fences of doc comments, with the line and column of their first line of code", () => {
    assert.deepStrictEqual(examplesOf(file, source), [
      {
        file,
        line: 7,
        column: 3,
        code: "import * as Effect from \"effect/Effect\"\n\nconst one: Effect.Effect<number> = Effect.succeed(1)\n"
      }
    ])
  })

  it("finds the repository's examples, in more than one package", () => {
    const examples = allExamples()
    assert.isAtLeast(examples.length, 8)
    assert.includeMembers(examples.map((e) => e.file), ["packages/core/src/Rule.ts", "packages/cli/src/Analyze.ts"])
    for (const example of examples) assert.include(example.code, "import ", `${example.file}:${example.line}`)
  })
})

describe("check", { timeout: 60_000 }, () => {
  it("an example that compiles: no errors, and its folder is removed", () => {
    assert.strictEqual(check(examplesOf(file, source), dir), "")
    assert.isFalse(existsSync(dir))
  })

  it("an example that does not compile: the error at its line and column in the source file", () => {
    const broken = source.replace("Effect.succeed(1)", "Effect.succeed(\"one\")")
    const errors = check(examplesOf(file, broken), dir)
    assert.match(errors, /^packages\/x\/src\/X\.ts:9:10: error TS\d+: Type 'Effect<string, never, never>'/m)
    assert.isFalse(existsSync(dir))
  })

  it("an example that uses a name it does not import: refused (each example is a whole module)", () => {
    const errors = check([{ file, line: 40, column: 3, code: "export const x = Chunk.of(1)\n" }], dir)
    assert.match(errors, /^packages\/x\/src\/X\.ts:40:21: error TS2304: Cannot find name 'Chunk'/m)
  })
})
