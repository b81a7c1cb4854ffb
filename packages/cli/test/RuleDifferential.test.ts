/**
 * The comparison behind the differential test `rulefx convert` generates: a converted rule agrees with its legacy rule
 * on every generated login, and a translation that is wrong (another message, a negated condition, another claim name)
 * is caught. The converted modules are written inside this package (test/.tmp-*), where their imports resolve.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Convert from "@rulefx/cli/Convert"
import * as RuleDifferential from "@rulefx/cli/RuleDifferential"
import type { Denial } from "@rulefx/core/Denial"
import * as Pipeline from "@rulefx/core/Pipeline"
import type * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const rules = fileURLToPath(new URL("../../../examples/legacy-rules/rules", import.meta.url))
let dir = ""

beforeAll(() => {
  dir = mkdtempSync(join(fileURLToPath(new URL(".", import.meta.url)), ".tmp-differential-"))
})

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

// The handler of an Action holding the rule exported from `file` (a module convert wrote, or a mutant of it).
const handlerOf = (file: string, name: string) =>
  Effect.promise(async () => {
    const module = await import(pathToFileURL(file).href) as Record<string, unknown>
    const rule = module[name] as Rule.Rule<Denial, PostLogin.PerLogin>
    return PostLogin.make(Pipeline.make({ facts: [], rules: [rule] }), Layer.empty)
  })

// Converts `rule`, and writes a mutant of its module with `from` replaced by `to` (which must be in it).
const convertWithMutant = (rule: string, from: string, to: string) =>
  Effect.gen(function*() {
    const written = yield* Convert.convert(rules, rule, { out: dir, check: false })
    assert.strictEqual(written.status, "converted")
    const text = readFileSync(written.moduleFile, "utf8")
    assert.include(text, from)
    const mutant = join(dir, `${rule}-mutant-${Math.random().toString(36).slice(2)}.ts`)
    writeFileSync(mutant, text.replace(from, to))
    return {
      typed: yield* handlerOf(written.moduleFile, written.exportName),
      mutant: yield* handlerOf(mutant, written.exportName)
    }
  })

describe("RuleDifferential", () => {
  it.live(
    "a converted rule agrees with its legacy rule; another message or a negated condition does not",
    () =>
      Effect.gen(function*() {
        const message = yield* convertWithMutant("email-verified", "Please verify your email", "Verify your email")
        const ok = yield* RuleDifferential.run({ rules, rule: "email-verified", typed: message.typed, count: 100 })
        assert.strictEqual(ok.events, 100)
        assert.deepStrictEqual(ok.differences, [])

        const wrong = yield* RuleDifferential.run({ rules, rule: "email-verified", typed: message.mutant, count: 100 })
        assert.isAbove(wrong.differences.length, 0)
        const first = wrong.differences[0]!
        assert.strictEqual(first.legacy.denied, "Please verify your email before logging in.")
        assert.strictEqual(first.typed.denied, "Verify your email before logging in.")
        // What each side logged is kept with the difference, not printed.
        assert.isTrue(first.logs.legacy.some((line) => line.includes("LegacyRuleDenied")), first.logs.legacy.join("\n"))
        assert.isTrue(first.logs.typed.some((line) => line.includes("PleaseVerifyYourEmailBefore")))

        const negated = yield* convertWithMutant("email-verified", "if (!userEmailVerified)", "if (userEmailVerified)")
        const inverted = yield* RuleDifferential.run({
          rules,
          rule: "email-verified",
          typed: negated.mutant,
          count: 100
        })
        // Every login differs: the verified are denied, the others let through.
        assert.strictEqual(inverted.differences.length, 100)
      }),
    60_000
  )

  it.live("a claim under another name is caught; the logins that reach it are generated", () =>
    Effect.gen(function*() {
      const claim = yield* convertWithMutant("add-email-to-access-token", "namespace + 'email'", "namespace + 'mail'")
      const rule = "add-email-to-access-token"
      const ok = yield* RuleDifferential.run({ rules, rule, typed: claim.typed, count: 200 })
      assert.deepStrictEqual(ok.differences, [])
      const wrong = yield* RuleDifferential.run({ rules, rule, typed: claim.mutant, count: 200 })
      // Only logins to the application the rule names (`reports-id`, a value the events are generated with) differ.
      assert.isAbove(wrong.differences.length, 0)
      assert.isBelow(wrong.differences.length, 200)
      const first = wrong.differences[0]!
      assert.deepStrictEqual(Object.keys(first.legacy.accessTokenClaims), ["https://example.com/email"])
      assert.deepStrictEqual(Object.keys(first.typed.accessTokenClaims), ["https://example.com/mail"])
    }), 60_000)

  it.live(
    "a rule that sets, pushes onto and filters context.accessToken.scope agrees; a missing removal is caught",
    () =>
      Effect.gen(function*() {
        const folder = mkdtempSync(join(dir, "scopes-"))
        writeFileSync(
          join(folder, "token-scopes.js"),
          `/** Scopes by application. */
function (user, context, callback) {
  if (context.clientName === 'Billing') {
    context.accessToken.scope = ['openid', 'read:invoices'];
    if (user.email_verified) context.accessToken.scope.push('write:invoices');
  } else if (context.connection === 'corp') {
    context.accessToken.scope = 'openid  email';
  } else if (context.clientName === 'Reports') {
    context.accessToken.scope = ['openid', 'profile', 'read:reports'];
    context.accessToken.scope = context.accessToken.scope.filter(function (s) { return s !== 'profile'; });
  }
  callback(null, user, context);
}
`
        )
        writeFileSync(
          join(folder, "token-scopes.json"),
          JSON.stringify({ name: "token-scopes", script: "./token-scopes.js", enabled: true, order: 1 })
        )
        const written = yield* Convert.convert(folder, "token-scopes", { out: dir, check: false })
        assert.strictEqual(written.status, "converted")
        const text = readFileSync(written.moduleFile, "utf8")
        const from = "if (!scopesLeft.includes(s)) yield* Decision.removeScope(s)"
        assert.include(text, from)
        const mutantFile = join(dir, "token-scopes-mutant.ts")
        writeFileSync(mutantFile, text.replace(from, "if (s === undefined) yield* Decision.removeScope(s)"))
        const typed = yield* handlerOf(written.moduleFile, written.exportName)
        const ok = yield* RuleDifferential.run({ rules: folder, rule: "token-scopes", typed, count: 200 })
        assert.deepStrictEqual(ok.differences, [])
        const mutant = yield* handlerOf(mutantFile, written.exportName)
        const wrong = yield* RuleDifferential.run({ rules: folder, rule: "token-scopes", typed: mutant, count: 200 })
        // Only the logins whose requested scopes the rule takes away differ.
        assert.isAbove(wrong.differences.length, 0)
        assert.isBelow(wrong.differences.length, 200)
      }),
    60_000
  )

  it.live(
    "--after-legacy: the earlier rules run first on both sides; what they left is read through their State",
    () =>
      Effect.gen(function*() {
        const folder = mkdtempSync(join(dir, "after-legacy-"))
        const write = (name: string, order: number, body: string) => {
          writeFileSync(
            join(folder, `${name}.js`),
            `/** ${name}. */\nfunction (user, context, callback) {\n${body}\n}\n`
          )
          writeFileSync(
            join(folder, `${name}.json`),
            JSON.stringify({ name, script: `./${name}.js`, enabled: true, order })
          )
        }
        write(
          "set-tier",
          1,
          "  if (context.clientName === 'Billing') user.tier = 'gold';\n  callback(null, user, context);"
        )
        write(
          "tier-claim",
          2,
          "  if (user.tier === 'gold') context.idToken['https://example.com/tier'] = user.tier;\n" +
            "  else if (!user.email_verified) return callback(new UnauthorizedError('Verify first.'));\n" +
            "  callback(null, user, context);"
        )
        const rule = "tier-claim"
        const written = yield* Convert.convert(folder, rule, { out: dir, afterLegacy: true, check: false })
        assert.strictEqual(written.status, "converted")
        const text = readFileSync(written.moduleFile, "utf8")
        const from = "legacyUser.tier === 'gold'"
        assert.include(text, from)
        const mutantFile = join(dir, "tier-claim-mutant.ts")
        writeFileSync(mutantFile, text.replace(from, "legacyUser.tier === 'silver'"))
        const legacy = yield* RuleDifferential.earlierRules({ rules: folder, rule })
        const handler = (file: string) =>
          Effect.promise(async () => {
            const module = await import(pathToFileURL(file).href) as Record<string, (legacy: unknown) => unknown>
            const typed = module[written.exportName]!(legacy) as Rule.Rule<Denial, PostLogin.PerLogin>
            return PostLogin.make(Pipeline.make({ facts: [legacy.State], rules: [legacy.rule, typed] }), Layer.empty)
          })
        const typed = yield* handler(written.moduleFile)
        const ok = yield* RuleDifferential.run({ rules: folder, rule, typed, count: 200, afterLegacy: true })
        assert.deepStrictEqual(ok.differences, [])
        // The Billing logins, where set-tier left its tier, tell the mutant apart.
        const mutant = yield* handler(mutantFile)
        const wrong = yield* RuleDifferential.run({ rules: folder, rule, typed: mutant, count: 200, afterLegacy: true })
        assert.isAbove(wrong.differences.length, 0)
        assert.isBelow(wrong.differences.length, 200)
        assert.deepStrictEqual(wrong.differences[0]!.legacy.idTokenClaims, { "https://example.com/tier": "gold" })
      }),
    60_000
  )

  it.effect("a rule the folder does not have is a typed error", () =>
    Effect.gen(function*() {
      const typed = PostLogin.make(Pipeline.make({ facts: [], rules: [] }), Layer.empty)
      const error = yield* Effect.flip(RuleDifferential.run({ rules, rule: "no-such-rule", typed }))
      assert.strictEqual(error._tag, "RuleDifferentialError")
    }))
})
