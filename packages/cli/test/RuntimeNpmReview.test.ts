/**
 * `--runtime npm` under review. Found: a namespace import's member that the runtime's module does not export
 * (`import * as Effect from "effect/Effect"`, then `Effect.gen` against a runtime whose effect lacks it: a name of the
 * project's newer effect, rulefx's house style) built and read `undefined` in the Action; only named imports were
 * refused. esbuild's own warning on it ("will always be undefined") now refuses it too. Held, and guarded here: valid
 * code of every shape the names check transforms or links (the barrel, aliases, namespaces re-exported, `export *`,
 * `.mjs`/`.cts`/`.tsx`, enums and namespaces, decorators, a type from a user module) still builds.
 */
import { assert, describe, it } from "@effect/vitest"
import * as ActionRuntime from "@rulefx/cli/ActionRuntime"
import * as Bundle from "@rulefx/cli/Bundle"
import { mkdirSync, readFileSync, symlinkSync } from "node:fs"
import { join } from "node:path"
import { timeout, workspace } from "./utils/InstalledRuntime.ts"
import { scratch } from "./utils/Scratch.ts"

const folder = scratch("rulefx-runtime-npm-review-")
const initTsconfig = readFileSync(join(workspace, "packages", "cli", "template", "tsconfig.json"), "utf8")

/** Writes `files` into the scratch folder's `name` and builds its first with `--runtime npm`: "built" or the error. */
const npm = (name: string, files: Readonly<Record<string, string>>): Promise<unknown> => {
  const entry = Object.entries(files).map(([file, source]) => folder.file(join(name, file), source))[0]!
  return Bundle.build({ entry, outfile: join(folder.dir(), name, "dist", "action.js"), runtime: "npm" }).then(
    () => "built",
    (error: unknown) => error
  )
}

/** A runtime 9.9.9 in the project `name`'s node_modules whose effect/Effect exports `succeed` only. */
const olderRuntime = (name: string) => {
  const manifest = {
    name: ActionRuntime.packageName,
    version: "9.9.9",
    effect: "4.0.0",
    modules: ["effect/Effect"],
    exports: { "effect/Effect": ["succeed"] }
  }
  const pkg = { name: ActionRuntime.packageName, version: "9.9.9" }
  for (const [file, json] of Object.entries({ "package.json": pkg, "modules.json": manifest })) {
    folder.file(join(name, "node_modules", ActionRuntime.packageName, file), JSON.stringify(json))
  }
}

const valid: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  namespaceReexported: {
    "a.ts": `import * as E from "effect/Effect"\nexport { E }\nexport const onExecutePostLogin = E.gen\n`
  },
  starOfRule: {
    "a.ts": `export * from "./m.ts"\nexport const onExecutePostLogin = 1\n`,
    "m.ts": `export * from "@rulefx/core/Rule"\n`
  },
  typeReexported: { "a.ts": `export type { Effect } from "effect/Effect"\nexport const onExecutePostLogin = 1\n` },
  typeAndValueReexported: {
    "a.ts": `import { type Effect, gen } from "effect/Effect"\nexport { type Effect, gen }\n` +
      `export const onExecutePostLogin = gen\n`,
    "tsconfig.json": initTsconfig
  },
  importedTwiceMixed: {
    "a.ts": `import type { Effect } from "effect/Effect"\nimport { gen, type Effect as E2 } from "effect/Effect"\n` +
      `import * as Eff from "effect/Effect"\n` +
      `export const onExecutePostLogin = (_: Effect<1> | E2<1>) => [gen, Eff.succeed]\n`,
    "tsconfig.json": initTsconfig
  },
  alias: { "a.ts": `import { gen as g } from "effect/Effect"\nexport const onExecutePostLogin = g\n` },
  mjs: { "a.mjs": `import { gen } from "effect/Effect"\nexport const onExecutePostLogin = gen\n` },
  cts: { "a.cts": `import { gen } from "effect/Effect"\nexport const onExecutePostLogin = gen\n` },
  tsx: {
    "a.tsx": `import { gen } from "effect/Effect"\nconst h = (..._a: Array<unknown>) => 1\n` +
      `export const onExecutePostLogin = () => <div x={gen} />\n`,
    "tsconfig.json": `{"compilerOptions":{"jsx":"react","jsxFactory":"h"}}`
  },
  enumAndNamespace: {
    "a.ts":
      `import { gen } from "effect/Effect"\nexport enum K { A, B }\nexport namespace N { export const g = gen }\n` +
      `export const onExecutePostLogin = [K.A, N.g]\n`
  },
  decorators: {
    "a.ts": `import { gen } from "effect/Effect"\nconst d = (..._a: Array<unknown>) => undefined\n` +
      `class C { @d m() { return gen } }\nexport const onExecutePostLogin = new C().m\n`,
    "tsconfig.json": `{"compilerOptions":{"experimentalDecorators":true}}`
  },
  constEnumOfAnotherFile: {
    "a.ts": `import { K } from "./k.ts"\nimport { gen } from "effect/Effect"\n` +
      `export const onExecutePostLogin = [K.A, gen]\n`,
    "k.ts": `export const enum K { A = 1 }\n`
  },
  typeOfUserModule: {
    "a.ts": `export { T, v } from "./t.ts"\nexport const onExecutePostLogin = 1\n`,
    "t.ts": `export interface T { a: 1 }\nexport const v = 1\n`
  }
}

describe("--runtime npm's names check (review)", { timeout }, () => {
  it("refuses a namespace import's member the runtime's module lacks, naming it", async () => {
    olderRuntime("member")
    const error = await npm("member", {
      "src/a.ts": `import * as Effect from "effect/Effect"\n` +
        `export const onExecutePostLogin = () => Effect.gen(function*() {}).pipe(Effect.succeed)\n`
    })
    assert.instanceOf(error, ActionRuntime.NotExported)
    assert.deepStrictEqual(error.unexported, [
      { file: join(folder.dir(), "member", "src", "a.ts"), module: "effect/Effect", name: "gen" }
    ])
  })

  it("still builds valid code of every shape it transforms or links", async () => {
    const results = await Promise.all(
      Object.entries(valid).map(async ([name, files]) => [name, await npm(name, files)])
    )
    assert.deepStrictEqual(Object.fromEntries(results), Object.fromEntries(Object.keys(valid).map((n) => [n, "built"])))
  })

  it("still builds the effect barrel, rewritten, in a project that has effect", async () => {
    mkdirSync(join(folder.dir(), "barrel", "node_modules"), { recursive: true })
    symlinkSync(join(workspace, "node_modules", "effect"), join(folder.dir(), "barrel", "node_modules", "effect"))
    const built = await npm("barrel", {
      "a.ts": `import { Effect, Layer, Option } from "effect"\n` +
        `export const onExecutePostLogin = [Effect.gen, Layer.empty, Option.none]\n`
    })
    assert.strictEqual(built, "built")
  })
})
