/**
 * Does running effect in the same process slow other code? Times the hand-written Action's seller login (ada) alone,
 * and with logins of another Action run between its logins in the same process: the hand-written Action's own
 * no-seller login (bob, `--hand N` of them, about as much work as one seed login) and the seed Action's (a built file).
 * Same fetch stub as speed.ts. If the hand-written login gets slower next to the seed's logins but not next to its own,
 * part of the seed's per-login time is not its own code: it is the platform's code (the stub's Blob stream, HMAC)
 * running slower beside effect's runtime.
 *
 * Not part of `pnpm bench`: `node bench/interleave.ts path/to/seed.js [--rounds N] [--hand N]`. Fresh process per
 * case and round, cases interleaved; medians of the hand-written seller logins.
 */
import { execFileSync } from "node:child_process"
import * as Args from "./args.ts"
import { median } from "./report.ts"
import { latencyScenarios } from "./speed.ts"

const args = Args.parse(["rounds", "hand"])
const flag = args.number
const [seed] = args.rest
if (seed === undefined) throw new Error("usage: node bench/interleave.ts path/to/seed.js [--rounds N] [--hand N]")
const hand = new URL("./baseline/action.js", import.meta.url).pathname
const ada = latencyScenarios.find(({ who }) => who.includes("ada"))!.event
const bob = latencyScenarios.find(({ who }) => who.includes("bob"))!.event

// Loads the hand-written Action and `other`; before each hand-written seller login runs `between` logins of `other`
// (bob). Prints the hand-written logins' times (µs) after the warm-up.
const child = `
import { createRequire } from "node:module"
const [hand, other, between, ada, bob] = process.argv.slice(1)
const RecordingApi = await import(${
  JSON.stringify(new URL("../packages/testing/src/RecordingApi.ts", import.meta.url).href)
})
;(await import(${JSON.stringify(new URL("./speed.ts", import.meta.url).href)})).stubFetch()
const run = createRequire(hand)(hand).onExecutePostLogin
const runOther = createRequire(other)(other).onExecutePostLogin
console.log = () => {}
const seller = JSON.parse(ada)
const plain = JSON.parse(bob)
const samples = []
for (let i = 0; i < 5000; i++) {
  for (let k = 0; k < Number(between); k++) await runOther(plain, RecordingApi.make())
  const api = RecordingApi.make()
  const start = performance.now()
  await run(seller, api)
  if (i >= 3000) samples.push((performance.now() - start) * 1000)
}
process.stdout.write(JSON.stringify(samples))
`

const cases = [
  { name: "alone", other: hand, between: 0 },
  { name: `${flag("hand", 8)} hand-written bob logins between`, other: hand, between: flag("hand", 8) },
  { name: "1 seed bob login between", other: seed, between: 1 }
]
const perRound = cases.map(() => [] as Array<number>)
for (let round = 0; round < flag("rounds", 5); round++) {
  for (const [i, { between, other }] of cases.entries()) {
    const out = execFileSync(
      process.execPath,
      ["--input-type=module", "-e", child, hand, other, String(between), JSON.stringify(ada), JSON.stringify(bob)],
      { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }
    )
    perRound[i]!.push(median(JSON.parse(out) as Array<number>))
  }
}
console.log("hand-written seller login (ada), median µs per round")
for (const [i, { name }] of cases.entries()) {
  const ratios = perRound[i]!.map((m, r) => m / perRound[0]![r]!)
  console.log(
    `  ${name.padEnd(36)} ${median(perRound[i]!).toFixed(1).padStart(6)} µs  ratio to alone ${
      median(ratios).toFixed(2)
    } [${Math.min(...ratios).toFixed(2)}..${Math.max(...ratios).toFixed(2)}]  rounds ${
      perRound[i]!.map((m) => m.toFixed(0)).join(" ")
    }`
  )
}
