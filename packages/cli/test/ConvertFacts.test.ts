/**
 * What an earlier rule leaves on `user`/`context` for the rules after it, converted to facts: a write the rule always
 * makes as one expression over the login becomes a Fact in `<out>/facts.ts`; the writer computes it where it wrote, a
 * later rule reads and requires it (a pipeline without it does not compile), and their differential test runs the
 * earlier rules first on both sides, so a fact that computes something else fails it. Any other write stays a TODO in
 * its readers. The modules are written inside this package (test/.tmp-*), where their imports resolve.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Convert from "@rulefx/cli/Convert"
import * as RuleDifferential from "@rulefx/cli/RuleDifferential"
import * as TypeCheck from "@rulefx/cli/TypeCheck"
import type { Denial } from "@rulefx/core/Denial"
import type * as Fact from "@rulefx/core/Fact"
import * as Pipeline from "@rulefx/core/Pipeline"
import type * as Rule from "@rulefx/core/Rule"
import type * as LegacyRules from "@rulefx/legacy-rules/LegacyRules"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import * as LegacyFolder from "./utils/LegacyFolder.ts"

let dir = ""

beforeAll(() => {
  dir = mkdtempSync(join(fileURLToPath(new URL(".", import.meta.url)), ".tmp-facts-"))
})

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

const folder = LegacyFolder.rulesFolder

const tierRules = {
  "set-tier": [
    `  if (context.clientName === "blocked") return callback(new UnauthorizedError("blocked"));`,
    `  user.tier = user.app_metadata.plan === "gold" ? "gold" : "basic";`,
    `  context.isMobile = (context.request.userAgent || "").indexOf("Mobile") >= 0;`,
    `  callback(null, user, context);`
  ].join("\n"),
  "check-tier": [
    `  if (user.tier === "gold" && context.isMobile) context.idToken["https://example.com/tier"] = user.tier;`,
    `  if (user.tier !== "gold" && context.clientName === "premium") return callback(new UnauthorizedError("gold only"));`,
    `  callback(null, user, context);`
  ].join("\n")
}

// The handler of an Action holding the earlier rules (legacy), the facts of `facts` and the rule `name` of `file`.
const handlerOf = (
  legacy: LegacyRules.LegacyRules,
  file: string,
  name: string,
  facts: string
) =>
  Effect.promise(async () => {
    const rule = (await import(pathToFileURL(file).href) as Record<string, unknown>)[name]
    const factsModule = await import(pathToFileURL(facts).href) as Record<
      string,
      Fact.Fact<string, unknown, never, never>
    >
    return PostLogin.make(
      Pipeline.make({
        facts: [legacy.State, ...Object.values(factsModule)],
        rules: [legacy.rule, rule as Rule.Rule<Denial, PostLogin.PerLogin>]
      }),
      Layer.empty
    )
  })

describe("Convert: facts for what earlier rules leave on user and context", () => {
  it.live(
    "the writer computes the fact, the reader requires it, and their differential test can fail",
    () =>
      Effect.gen(function*() {
        const rules = folder(join(dir, "tier"), tierRules)
        const out = join(dir, "tier", "out")
        const writer = yield* Convert.convert(rules, "set-tier", { out })
        const reader = yield* Convert.convert(rules, "check-tier", { out })
        // Both converted and type-checked, with facts.ts.
        assert.strictEqual(writer.status, "converted", writer.typeCheck?.diagnostics)
        assert.strictEqual(reader.status, "converted", reader.typeCheck?.diagnostics)
        assert.deepStrictEqual(reader.facts, ["ContextIsMobile", "UserTier"])
        assert.strictEqual(reader.factsFile, join(out, "facts.ts"))
        const facts = readFileSync(join(out, "facts.ts"), "utf8")
        assert.include(facts, `export const UserTier = Fact.make(\n  "user.tier",`)
        assert.include(facts, `return appMetadata["plan"] === "gold" ? "gold" : "basic"`)
        assert.include(facts, `return (requestUserAgent || "").indexOf("Mobile") >= 0`)
        assert.include(writer.module, "\n    yield* UserTier\n    // ")
        assert.include(reader.module, `import { ContextIsMobile, UserTier } from "./facts.ts"`)
        assert.include(reader.module, "const userTier = yield* UserTier")
        assert.include(reader.module, `if (userTier !== "gold" && clientName === "premium") {`)
        const test = readFileSync(reader.testFile, "utf8")
        assert.include(test, "facts: [legacy.State, ContextIsMobile, UserTier], rules: [legacy.rule, checkTier]")

        // A pipeline that does not declare the facts does not compile, and the error names them.
        const pipeline = join(out, "pipeline.ts")
        writeFileSync(
          pipeline,
          `import * as Pipeline from "@rulefx/core/Pipeline"\nimport { checkTier } from "./check-tier.ts"\n` +
            `export const pipeline = Pipeline.make({ facts: [], rules: [checkTier] })\n`
        )
        const missing = yield* TypeCheck.checkFiles(out, [pipeline])
        assert.isFalse(missing.ok)
        assert.include(missing.diagnostics, "user.tier")

        // The differential the generated test runs: the earlier rules first on both sides; the reader's facts agree.
        const legacy = yield* RuleDifferential.earlierRules({ rules, rule: "check-tier" })
        const typed = yield* handlerOf(legacy, reader.moduleFile, "checkTier", join(out, "facts.ts"))
        const report = yield* RuleDifferential.run({ rules, rule: "check-tier", typed, count: 150, afterLegacy: true })
        assert.deepStrictEqual(report.differences.slice(0, 1), [])

        // A fact that computes something else is caught.
        const mutantOut = join(dir, "tier", "mutant")
        const mutant = yield* Convert.convert(rules, "check-tier", { out: mutantOut, check: false })
        const mutantFacts = join(mutantOut, "facts.ts")
        writeFileSync(
          mutantFacts,
          readFileSync(mutantFacts, "utf8").replace(`? "gold" : "basic"`, `? "basic" : "basic"`)
        )
        const wrong = yield* handlerOf(legacy, mutant.moduleFile, "checkTier", mutantFacts)
        const caught = yield* RuleDifferential.run({
          rules,
          rule: "check-tier",
          typed: wrong,
          count: 150,
          afterLegacy: true
        })
        assert.isAbove(caught.differences.length, 0)

        // The edited facts module is not replaced.
        const refused = yield* Effect.flip(Convert.convert(rules, "check-tier", { out: mutantOut, check: false }))
        assert.include(refused.message, "facts.ts: edited since rulefx convert wrote it")
      }),
    180_000
  )

  it.effect("a write that is not always one expression over the login stays a TODO in its readers", () =>
    Effect.gen(function*() {
      const base = mkdtempSync(join(tmpdir(), "rulefx-convert-facts-"))
      const reader =
        `  if (user.tier !== "gold") return callback(new UnauthorizedError("no"));\n  callback(null, user, context);`
      const cases: Record<string, string> = {
        // Written on some paths only: elsewhere the reader read undefined.
        conditional: `  if (context.clientName === "a") user.tier = "gold";\n  callback(null, user, context);`,
        // The rule may end before it writes.
        "ends-first":
          `  if (context.clientName === "a") return callback(null, user, context);\n  user.tier = "gold";\n` +
          `  callback(null, user, context);`,
        // From a local of the rule's.
        local: `  const tier = "gold";\n  user.tier = tier;\n  callback(null, user, context);`,
        // Written twice.
        twice: `  user.tier = "gold";\n  user.tier = "basic";\n  callback(null, user, context);`
      }
      for (const [name, body] of Object.entries(cases)) {
        const rules = folder(join(base, name), { writer: body, reader })
        const written = yield* Convert.convert(rules, "reader", { out: join(base, name, "out"), check: false })
        assert.deepStrictEqual(written.facts, [], name)
        assert.include(written.todos[0]?.reason, "the earlier rule writer may change", name)
      }
      // Two rules write it: neither is the fact.
      const two = folder(join(base, "two"), {
        first: `  user.tier = "gold";\n  callback(null, user, context);`,
        second: `  user.tier = "basic";\n  callback(null, user, context);`,
        reader
      })
      assert.strictEqual((yield* Convert.convert(two, "reader", { out: join(base, "o"), check: false })).status, "none")
      // A denial before the write is fine (a denied login runs no later rule); a reader's write to the fact is a TODO,
      // and so is the writer's own read of what it wrote.
      const fine = folder(join(base, "fine"), {
        writer: `  if (!user.email) return callback(new UnauthorizedError("no email"));\n  user.tier = "gold";\n` +
          `  if (user.tier) console.log("set");\n  callback(null, user, context);`,
        reader
      })
      const read = yield* Convert.convert(fine, "reader", { out: join(base, "fine-out"), check: false })
      assert.strictEqual(read.status, "converted")
      const writer = yield* Convert.convert(fine, "writer", { out: join(base, "fine-out"), check: false })
      assert.deepStrictEqual(writer.todos.map((t) => t.reason), [
        "reads user.tier, which this rule sets (later rules read it as the fact UserTier)"
      ])
      // A later rule that writes it too: the field has two writers, so no fact, and its read is a TODO.
      const bumped = folder(join(base, "bump"), {
        writer: `  user.tier = "gold";\n  callback(null, user, context);`,
        bump: `  user.tier = user.tier + "!";\n  callback(null, user, context);`
      })
      const bump = yield* Convert.convert(bumped, "bump", { out: join(base, "bump-out"), check: false })
      assert.strictEqual(bump.status, "none")
      assert.deepStrictEqual(bump.facts, [])
      rmSync(base, { recursive: true, force: true })
    }))
})
