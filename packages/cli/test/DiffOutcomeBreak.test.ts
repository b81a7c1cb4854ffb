/**
 * Breaks of `rulefx diff`'s comparison of other triggers' runs (internal/diff/outcome.ts).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Outcome from "../src/internal/diff/outcome.ts"
import type * as TriggerLocalRun from "../src/TriggerLocalRun.ts"

const run = (calls: TriggerLocalRun.Result["calls"]): TriggerLocalRun.Result => ({
  trigger: "credentials-exchange",
  outcome: "allowed",
  reason: undefined,
  decisions: [],
  calls,
  logs: [],
  filled: [],
  elapsedMs: 0
} as unknown as TriggerLocalRun.Result)

describe("rulefx diff of other triggers: breaks", () => {
  // Calls outside the summary were compared per method, so the order across methods was lost: "add x, then clear"
  // (no target scope) and "clear, then add x" (x granted) were reported as the same Action.
  it("target scope calls in another order across methods are a difference", () => {
    const a = run([
      { method: "transaction.addTargetScope", args: ["admin:all"] },
      { method: "transaction.clearTargetScopes", args: [] }
    ])
    const b = run([
      { method: "transaction.clearTargetScopes", args: [] },
      { method: "transaction.addTargetScope", args: ["admin:all"] }
    ])
    const differences = Outcome.compare(Outcome.triggerEntries(a, []), Outcome.triggerEntries(b, []))
    assert.isAbove(differences.length, 0)
  })

  it("the same target scope calls in the same order are no difference", () => {
    const calls = [
      { method: "transaction.setTargetScopes", args: [["read:a"]] },
      { method: "transaction.removeTargetScope", args: ["read:a"] }
    ]
    assert.deepStrictEqual(
      Outcome.compare(Outcome.triggerEntries(run(calls), []), Outcome.triggerEntries(run(calls), [])),
      []
    )
  })
})
