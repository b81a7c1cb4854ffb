import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Bundle from "@rulefx/cli/Bundle"
import * as LocalRun from "@rulefx/cli/LocalRun"
import * as SourceMapping from "@rulefx/cli/SourceMapping"
import * as Effect from "effect/Effect"
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { pathToFileURL } from "node:url"
import { minimalEvent } from "./utils/Seed.ts"
import * as TypedProject from "./utils/TypedProject.ts"

// A rule whose code throws on line 9 of its source: the defect's stack, in the Action's log line, names that line.
const throwing = `import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Pipeline from "@rulefx/core/Pipeline"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

// A line the minifier drops, so the position is not the same in both files.
const explode = (): number => {
  throw new Error("boom")
}

const faulty = Rule.make("faulty", Effect.sync(explode))

export const onExecutePostLogin = PostLogin.make(Pipeline.make({ facts: [], rules: [faulty] }), Layer.empty)
`

let dir = ""
let action = ""

beforeAll(async () => {
  dir = TypedProject.write({ "tsconfig.json": TypedProject.tsconfig(), "src/action.ts": throwing })
  action = join(dir, "dist", "action.js")
  await Bundle.build({ entry: join(dir, "src", "action.ts"), outfile: action, sourcemap: true })
}, 60_000)

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

const loaded = Effect.gen(function*() {
  const mapping = yield* SourceMapping.load(action)
  assert.isTrue(typeof mapping === "object", String(mapping))
  return mapping as SourceMapping.Mapping
})

describe("SourceMapping", () => {
  it.effect("load: the map beside the file, made for it", () =>
    Effect.gen(function*() {
      const mapping = yield* loaded
      assert.strictEqual(mapping.file, action)
    }))

  it.effect("mapText: a position in the built file becomes the source's, relative to the working directory", () =>
    Effect.gen(function*() {
      const mapping = yield* loaded
      const source = relative(process.cwd(), join(dir, "src", "action.ts"))
      // Where the minifier put `new Error("boom")`, as a stack would name it (1-based line and column).
      const code = readFileSync(action, "utf8")
      const before = code.slice(0, code.indexOf(`Error("boom")`)).split("\n")
      const at = `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`
      const line = `Error: boom at Ab (${action}:${at}) at file://${action}:${at} and at other.js:1:1`
      assert.strictEqual(
        SourceMapping.mapText(mapping, line),
        `Error: boom at Ab (${source}:9:13) at ${source}:9:13 and at other.js:1:1`
      )
    }))

  it.effect("mapText: a built file in a folder with a space is mapped whole, nothing of its path left", () =>
    Effect.gen(function*() {
      const spaced = join(dir, "my dist ü", "action.js")
      mkdirSync(dirname(spaced), { recursive: true })
      copyFileSync(action, spaced)
      copyFileSync(`${action}.map`, `${spaced}.map`)
      const mapping = yield* SourceMapping.load(spaced)
      assert.isTrue(typeof mapping === "object", String(mapping))
      const source = relative(process.cwd(), join(dir, "src", "action.ts"))
      const code = readFileSync(spaced, "utf8")
      const before = code.slice(0, code.indexOf(`Error("boom")`)).split("\n")
      const at = `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`
      const line = `Error: boom at ${spaced}:${at} at Ab (${pathToFileURL(spaced).href}:${at})`
      assert.strictEqual(
        SourceMapping.mapText(mapping as SourceMapping.Mapping, line),
        `Error: boom at ${source}:9:13 at Ab (${source}:9:13)`
      )
    }))

  it.effect("rulefx run's log lines: the defect's stack points at the line that threw", () =>
    Effect.gen(function*() {
      const mapping = yield* loaded
      const handler = yield* LocalRun.loadAction(action)
      const plain = yield* LocalRun.run(handler, minimalEvent())
      const mapped = yield* LocalRun.run(handler, minimalEvent(), { sourceMap: mapping })
      const source = relative(process.cwd(), join(dir, "src", "action.ts"))
      assert.isTrue(plain.logs.some((l) => new RegExp(`${action}:\\d+:\\d+`).test(l)), plain.logs.join("\n"))
      assert.isTrue(mapped.logs.some((l) => l.includes(`${source}:9:`)), mapped.logs.join("\n"))
      assert.isFalse(mapped.logs.some((l) => l.includes(`${action}:`)), mapped.logs.join("\n"))
    }))

  it.effect("a map of another build (the file changed since) is stale and not used; no map: undefined", () =>
    Effect.gen(function*() {
      const copy = join(dir, "dist", "copy.js")
      copyFileSync(action, copy)
      copyFileSync(`${action}.map`, `${copy}.map`)
      assert.isTrue(typeof (yield* SourceMapping.load(copy)) === "object")
      appendFileSync(copy, "\n// edited\n")
      assert.strictEqual(yield* SourceMapping.load(copy), "stale")
      writeFileSync(`${copy}.map`, "not json")
      assert.strictEqual(yield* SourceMapping.load(copy), "unreadable")
      rmSync(`${copy}.map`)
      assert.isUndefined(yield* SourceMapping.load(copy))
    }))
})
