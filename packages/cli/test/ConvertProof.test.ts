/**
 * The proof `rulefx convert` writes (issue 13): a differential test that cannot fail is a bug. The generated logins
 * reach the branches of a rule whose condition holds its literals in a variable, the comparison sees every field of
 * the decision made there, and a decision the rule can make that no login reaches fails the generated test and keeps
 * the conversion from being reported as converted.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Convert from "@rulefx/cli/Convert"
import * as DecisionKinds from "@rulefx/cli/DecisionKinds"
import * as RuleDifferential from "@rulefx/cli/RuleDifferential"
import type { Denial } from "@rulefx/core/Denial"
import * as Pipeline from "@rulefx/core/Pipeline"
import type * as Rule from "@rulefx/core/Rule"
import * as Events from "@rulefx/testing/Events"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import * as DifferentialTest from "../src/internal/convert/differentialTest.ts"

let dir = ""

beforeAll(() => {
  dir = mkdtempSync(join(fileURLToPath(new URL(".", import.meta.url)), ".tmp-convert-proof-"))
})

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

const rulesFolder = (name: string, source: string): string => {
  const rules = join(dir, `${name}-rules`)
  mkdirSync(rules, { recursive: true })
  writeFileSync(join(rules, `${name}.js`), source)
  writeFileSync(
    join(rules, `${name}.json`),
    JSON.stringify({ name, script: `./${name}.js`, stage: "login_success", enabled: true, order: 1 })
  )
  return rules
}

const typedOf = (moduleFile: string, exportName: string) =>
  Effect.promise(async () => {
    const module = await import(pathToFileURL(moduleFile).href) as Record<string, unknown>
    const rule = module[exportName] as Rule.Rule<Denial, PostLogin.PerLogin>
    return PostLogin.make(Pipeline.make({ facts: [], rules: [rule] }), Layer.empty)
  })

// The generated test's own `decisions`, read back from its text.
const decisionsOf = (testFile: string): ReadonlyArray<DecisionKinds.Decision> =>
  JSON.parse(
    /const decisions: ReadonlyArray<DecisionKinds\.Decision> = (.*)\n/.exec(readFileSync(testFile, "utf8"))![1]!
      .replace(/(kind|lines|sites|value):/g, "\"$1\":")
  )

const mfa = `function (user, context, callback) {
  const CLIENTS_WITH_MFA = ['REPLACE_WITH_YOUR_CLIENT_ID'];
  // run only for the specified clients
  if (CLIENTS_WITH_MFA.indexOf(context.clientID) !== -1) {
    context.multifactor = { provider: 'any', allowRememberBrowser: false };
  }
  callback(null, user, context);
}
`

describe("Convert: the generated differential test can fail", () => {
  it.live(
    "the mfa template: a wrong allowRememberBrowser fails the generated comparison",
    () =>
      Effect.gen(function*() {
        const rules = rulesFolder("mfa", mfa)
        const written = yield* Convert.convert(rules, "mfa", { out: join(dir, "mfa-out") })
        assert.strictEqual(written.status, "converted", written.module)
        assert.deepStrictEqual(written.unreached, [])
        assert.deepStrictEqual(decisionsOf(written.testFile), [{ kind: "mfa", lines: [5] }])
        // The faithful conversion agrees and reaches the MFA branch.
        const faithful = yield* RuleDifferential.run({
          rules,
          rule: "mfa",
          typed: yield* typedOf(written.moduleFile, written.exportName),
          count: 300
        })
        assert.deepStrictEqual(faithful.differences, [])
        assert.deepStrictEqual(DecisionKinds.unreached(faithful.reached, decisionsOf(written.testFile)), [])
        // The same module with the flag flipped: the generated test's comparison (300 logins, seed 1) finds it.
        assert.include(written.module, "allowRememberBrowser: false")
        const wrong = join(dir, "mfa-out", "mfa-wrong.ts")
        writeFileSync(wrong, written.module.replace("allowRememberBrowser: false", "allowRememberBrowser: true"))
        const report = yield* RuleDifferential.run({
          rules,
          rule: "mfa",
          typed: yield* typedOf(wrong, written.exportName),
          count: 300
        })
        assert.isAbove(report.differences.length, 0)
        assert.deepStrictEqual(report.differences[0]?.legacy.mfaOptions, { allowRememberBrowser: false })
        assert.deepStrictEqual(report.differences[0]?.typed.mfaOptions, { allowRememberBrowser: true })
      }),
    120_000
  )

  it.live(
    "a decision no generated login reaches: the generated test fails naming its line, convert says partial",
    () =>
      Effect.gen(function*() {
        const source = `function (user, context, callback) {
  if (context.stats.loginsCount > 100000) {
    context.idToken["https://example.com/veteran"] = true;
  }
  callback(null, user, context);
}
`
        const rules = rulesFolder("veteran", source)
        const written = yield* Convert.convert(rules, "veteran", { out: join(dir, "veteran-out") })
        assert.deepStrictEqual(written.todos, [])
        assert.strictEqual(written.status, "partial")
        assert.strictEqual(written.unreached.length, 1)
        assert.include(written.unreached[0], "line 3: the legacy rule sets an ID token claim")
        assert.include(Convert.render(written), "untested    line 3")
        // What the generated test asserts last: the comparison agrees, and still fails naming the branch.
        const report = yield* RuleDifferential.run({
          rules,
          rule: "veteran",
          typed: yield* typedOf(written.moduleFile, written.exportName),
          count: 300
        })
        assert.deepStrictEqual(report.differences, [])
        assert.deepStrictEqual(
          DecisionKinds.unreached(report.reached, decisionsOf(written.testFile)),
          written.unreached
        )
        // A login of the user's own (`extra`, as the generated test offers) reaches it.
        const extra = [Events.postLogin({ stats: { logins_count: 200_000 } })]
        const reaching = yield* RuleDifferential.run({
          rules,
          rule: "veteran",
          typed: yield* typedOf(written.moduleFile, written.exportName),
          count: 10,
          extra
        })
        assert.deepStrictEqual([reaching.events, reaching.differences], [11, []])
        assert.deepStrictEqual(DecisionKinds.unreached(reaching.reached, decisionsOf(written.testFile)), [])
      }),
    120_000
  )

  it.live(
    "a deny only a crash makes (a login without an email throws) is unreached: partial; a login that reaches it counts",
    () =>
      Effect.gen(function*() {
        // No generated login has an upper-case domain; some have no email, and the rule throws on them.
        const source = `function (user, context, callback) {
  if (user.email.split('@')[1] === 'x.com'.toUpperCase()) {
    return callback(new UnauthorizedError('no'));
  }
  callback(null, user, context);
}
`
        const rules = rulesFolder("crash", source)
        const written = yield* Convert.convert(rules, "crash", { out: join(dir, "crash-out") })
        assert.deepStrictEqual(written.todos, [])
        assert.strictEqual(written.status, "partial")
        assert.strictEqual(written.unreached.length, 1)
        assert.include(written.unreached[0], "line 3: the legacy rule denies the login")
        const typed = yield* typedOf(written.moduleFile, written.exportName)
        const report = yield* RuleDifferential.run({ rules, rule: "crash", typed, count: 300 })
        assert.deepStrictEqual(
          DecisionKinds.unreached(report.reached, decisionsOf(written.testFile)),
          written.unreached
        )
        // A login of the user's own reaches the rule's deny.
        const extra = [Events.postLogin({ user: { email: "a@X.COM" } })]
        const reaching = yield* RuleDifferential.run({ rules, rule: "crash", typed, count: 10, extra })
        assert.strictEqual(reaching.differences.find((d) => d.event === "extra-1"), undefined)
        assert.deepStrictEqual(DecisionKinds.unreached(reaching.reached, decisionsOf(written.testFile)), [])
      }),
    120_000
  )

  it.live(
    "two denials with different messages, one no generated login reaches: partial, naming that message's line",
    () =>
      Effect.gen(function*() {
        const source = `function (user, context, callback) {
  if (context.clientName === 'Retired app') {
    return callback(new UnauthorizedError('Retired app'));
  }
  if (context.stats.loginsCount > 100000) {
    return callback(new UnauthorizedError('Blocked'));
  }
  callback(null, user, context);
}
`
        const rules = rulesFolder("two-denials", source)
        const written = yield* Convert.convert(rules, "two-denials", { out: join(dir, "two-denials-out") })
        assert.deepStrictEqual(written.todos, [])
        assert.strictEqual(written.status, "partial")
        assert.strictEqual(written.unreached.length, 1)
        assert.include(written.unreached[0], "line 6: the legacy rule denies the login with \"Blocked\"")
        assert.include(Convert.render(written), "untested    line 6")
        const typed = yield* typedOf(written.moduleFile, written.exportName)
        const report = yield* RuleDifferential.run({ rules, rule: "two-denials", typed, count: 300 })
        assert.deepStrictEqual(report.differences, [])
        assert.deepStrictEqual(
          DecisionKinds.unreached(report.reached, decisionsOf(written.testFile)),
          written.unreached
        )
        // A login of the user's own reaches the second denial.
        const extra = [Events.postLogin({ stats: { logins_count: 200_000 } })]
        const reaching = yield* RuleDifferential.run({ rules, rule: "two-denials", typed, count: 300, extra })
        assert.deepStrictEqual(reaching.differences, [])
        assert.deepStrictEqual(DecisionKinds.unreached(reaching.reached, decisionsOf(written.testFile)), [])
      }),
    120_000
  )

  it("two static claim names: each must be set on a login, the one none sets is named with its line", () => {
    const source = `function (user, context, callback) {
  context.idToken["https://example.com/a"] = 1;
  if (context.stats.loginsCount > 100000) context.idToken["https://example.com/b"] = 2;
  callback(null, user, context);
}`
    const decisions = DecisionKinds.ofRule(source, source, ["user", "context", "callback"])
    const unreached = DecisionKinds.unreached(["idTokenClaim", "idTokenClaim https://example.com/a"], decisions)
    assert.strictEqual(unreached.length, 1)
    assert.include(unreached[0], "line 3: the legacy rule sets an ID token claim \"https://example.com/b\"")
  })

  it.live(
    "a deny generated logins reach, in a rule that throws on others: reached; where it throws, both stop the login",
    () =>
      Effect.gen(function*() {
        const source = `function (user, context, callback) {
  if (user.email.split('@')[1] === 'x.com') {
    return callback(new UnauthorizedError('no'));
  }
  callback(null, user, context);
}
`
        const rules = rulesFolder("reached", source)
        const written = yield* Convert.convert(rules, "reached", { out: join(dir, "reached-out") })
        // Every decision is reached; on the logins without an email Rules denied with the TypeError's message, the
        // typed rule with the generic one: the same outcome, kept as notes.
        assert.deepStrictEqual([written.status, written.unreached], ["converted", []], Convert.render(written))
        const crashes = written.comparison?.crashes ?? []
        assert.isAbove(crashes.length, 0)
        assert.isTrue(crashes.every((c) => c.legacy.includes("Cannot read properties")), Convert.render(written))
        assert.strictEqual(Convert.differing(written), 0)
      }),
    120_000
  )
  it.live(
    "a threshold the rule compares a number with: dropping it from the typed rule fails the generated comparison",
    () =>
      Effect.gen(function*() {
        const source = `function (user, context, callback) {
  if (context.request.geoip.country_code === 'KP' || user.app_metadata.fraud_score > 70) {
    return callback(new UnauthorizedError('Blocked.'));
  }
  callback(null, user, context);
}
`
        const rules = rulesFolder("fraud", source)
        const written = yield* Convert.convert(rules, "fraud", { out: join(dir, "fraud-out") })
        assert.deepStrictEqual([written.status, written.unreached], ["converted", []])
        const faithful = yield* RuleDifferential.run({
          rules,
          rule: "fraud",
          typed: yield* typedOf(written.moduleFile, written.exportName),
          count: 300
        })
        assert.deepStrictEqual(faithful.differences, [])
        // The same module without the fraud_score check: generated logins score 69, 70 and 71; 71 is denied.
        const check = "countryCode === 'KP' || appMetadata[\"fraud_score\"] > 70"
        assert.include(written.module, check)
        const wrong = join(dir, "fraud-out", "fraud-wrong.ts")
        writeFileSync(wrong, written.module.replace(check, "countryCode === 'KP'"))
        const report = yield* RuleDifferential.run({
          rules,
          rule: "fraud",
          typed: yield* typedOf(wrong, written.exportName),
          count: 300
        })
        assert.isAbove(report.differences.length, 0)
        for (const d of report.differences) {
          assert.deepStrictEqual([d.legacy.denied, d.typed.denied], ["Blocked.", undefined])
        }
        // Found by a score just over the threshold, not only by a word of digits ("84" > 70 holds in JavaScript).
        const scores = report.differences.map((d) => (d.login["user"] as any).app_metadata.fraud_score)
        assert.include(scores, 71)
        assert.notInclude(scores, 70)
      }),
    120_000
  )
})

// The generated test's doc comment below its first line (which names the rule and its files).
const header = (text: string): ReadonlyArray<string> => {
  const lines = text.split("\n")
  return lines.slice(2, lines.indexOf(" */"))
}

describe("the generated test's doc comment", () => {
  // It said "each kind of decision" after the test came to check each denial message and claim name on its own.
  it("says it checks each kind, denial message and claim name; the vendored templates' tests say so too", () => {
    const written = DifferentialTest.source({
      rule: "x",
      module: "./x.ts",
      rules: "../rules",
      file: "x.js",
      count: 1,
      afterLegacy: false,
      decisions: []
    })
    const said = header(written).join(" ")
    assert.include(said, "each kind (a denial, a token claim, scopes,")
    assert.include(said, "each denial message and each claim name")
    assert.notInclude(said, "Each kind of decision")
    const vendored = fileURLToPath(new URL("../../../examples/converted-templates/test/", import.meta.url))
    for (const name of readdirSync(vendored).filter((n) => n.endsWith(".differential.test.ts"))) {
      assert.deepStrictEqual(header(readFileSync(join(vendored, name), "utf8")), header(written), name)
    }
  })
})
