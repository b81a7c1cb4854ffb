/**
 * A rule that skips MFA when the session already did it (`context.authentication.methods`): its generated differential
 * test must reach that branch. Before, the generated logins all had the default `[pwd]`, so the classic template
 * require-mfa-once-per-session, converted and then broken (`method.name === 'otp'`: users who did MFA are prompted
 * again, which breaks `prompt=none`), still passed its own test.
 */
import { assert, describe, it } from "@effect/vitest"
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Convert from "@rulefx/cli/Convert"
import * as RuleDifferential from "@rulefx/cli/RuleDifferential"
import type { Login } from "@rulefx/core/Login"
import * as Pipeline from "@rulefx/core/Pipeline"
import type * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import * as LegacyFolder from "./utils/LegacyFolder.ts"

const scratch = LegacyFolder.convertScratch(".tmp-convert-methods-")
const template = "require-mfa-once-per-session"
// The template as auth0/rules has it, vendored with its deploy-cli settings.
const rules = fileURLToPath(new URL(`../../../examples/converted-templates/rules/${template}`, import.meta.url))

// The typed handler of a module convert wrote, after `edit` of its text.
const handlerOf = (moduleFile: string, edit: (text: string) => string, name: string) =>
  Effect.promise(async () => {
    const file = join(scratch.dir(), `${name}.ts`)
    const text = readFileSync(moduleFile, "utf8")
    writeFileSync(file, edit(text))
    const module = await import(pathToFileURL(file).href) as Record<string, Rule.Rule<never, Login>>
    const rule = Object.values(module)[0]!
    return PostLogin.make(Pipeline.make({ facts: [], rules: [rule] }), Layer.empty)
  })

// The mutation: the name compared becomes another factor's; it must change the module.
const mfaToOtp = (text: string): string => {
  const mutated = text.replace(/===\s*(["'])mfa\1/, "=== \"otp\"")
  assert.notStrictEqual(mutated, text)
  return mutated
}

describe("Convert: a rule that reads the session's authentication methods", () => {
  it.live(
    "require-mfa-once-per-session converted, then mutated ('mfa' -> 'otp'), fails its comparison",
    () =>
      Effect.gen(function*() {
        const written = yield* Convert.convert(rules, template, { out: join(scratch.dir(), "out"), check: false })
        assert.strictEqual(written.status, "converted")
        const compare = (typed: PostLogin.Handler) => RuleDifferential.run({ rules, rule: template, typed, count: 100 })
        const same = yield* compare(yield* handlerOf(written.moduleFile, (text) => text, "same"))
        assert.deepStrictEqual(same.differences, [])
        const mutated = yield* handlerOf(written.moduleFile, mfaToOtp, "mutated")
        const report = yield* compare(mutated)
        assert.isAbove(report.differences.length, 0)
        // Where they differ: the login had done MFA; the legacy rule lets it through, the mutant asks again.
        const first = report.differences[0]!
        assert.isTrue((first.login["authentication"] as any).methods.some((m: any) => m.name === "mfa"))
      }),
    120_000
  )
})
