/**
 * Breaker repros for `rulefx convert`: convert a rule as the CLI does, then run the typed and the legacy rule on a
 * login the generated test does not make (a hidden IP), to show where "converted" would let a login differ.
 */
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Convert from "@rulefx/cli/Convert"
import * as RuleDifferential from "@rulefx/cli/RuleDifferential"
import * as Pipeline from "@rulefx/core/Pipeline"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import * as LegacyFolder from "./LegacyFolder.ts"

/** A request IP no generated login has: a rule that branches on it hides the branch from the generated test. */
export const hiddenIp = { request: { ip: "10.9.9.9" } }

// The generated login of seed 1 with `patch` merged in (one level deep per key).
const patched = (
  login: Readonly<Record<string, unknown>>,
  patch: Readonly<Record<string, Record<string, unknown>>>
) => {
  const { secrets: _secrets, ...event } = login as Record<string, any>
  return Object.fromEntries(
    Object.entries({ ...event, ...patch }).map(([k, v]) => [k, k in patch ? { ...event[k], ...v } : v])
  )
}

/**
 * In a scratch folder of its own (`prefix`), `convertAndCompare` converts the last rule as the CLI does (type-checked,
 * compared); when it says "converted", it runs the typed rule (after the earlier rules as legacy, with its facts, as
 * its test does) and the legacy one on the generated login patched with `patch`, and gives their differences.
 */
export const scratch = (prefix: string) => {
  const folder = LegacyFolder.convertScratch(prefix)
  const convertAndCompare = (
    name: string,
    rules: ReadonlyArray<readonly [string, string]>,
    patch: Readonly<Record<string, Record<string, unknown>>>,
    afterLegacy = false
  ) =>
    Effect.gen(function*() {
      const path = folder.rulesFolder(name, rules)
      const rule = rules.at(-1)![0]
      const written = yield* Convert.convert(path, rule, {
        out: join(folder.dir(), `${name}-out`),
        count: 100,
        afterLegacy
      })
      if (written.status !== "converted") {
        return { written, differences: [] as ReadonlyArray<RuleDifferential.Difference> }
      }
      const module = yield* Effect.promise(() => import(pathToFileURL(written.moduleFile).href))
      const factsModule = written.factsFile === undefined
        ? {}
        : yield* Effect.promise(() => import(pathToFileURL(written.factsFile!).href))
      const facts = written.facts.map((name) => (factsModule as Record<string, unknown>)[name])
      const earlier = yield* RuleDifferential.earlierRules({ rules: path, rule })
      // The rules and facts are only known at run time, as in the test convert writes.
      const pipeline: any = Pipeline.make({
        facts: [earlier.State, ...facts] as any,
        rules: [earlier.rule, afterLegacy ? module[written.exportName](earlier) : module[written.exportName]] as any
      })
      const typed = PostLogin.make(pipeline, Layer.empty as any)
      const { logins } = yield* RuleDifferential.logins({ rules: path, rule, count: 1, seed: 1, afterLegacy: true })
      const extra = [patched(logins[0]!.login, patch)]
      const report = yield* RuleDifferential.run({ rules: path, rule, typed, count: 0, afterLegacy: true, extra })
      return { written, differences: report.differences }
    })
  return { ...folder, convertAndCompare }
}
