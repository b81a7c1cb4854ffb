/**
 * Interleaved A/B timing of built Actions against the hand-written one, speed.ts's per-login method: `node
 * bench/ab.ts name=path ... [--logins N --rounds N]`. Prints each file's median per login kind and what it costs over
 * the hand-written Action (bench/baseline/action.js), which is always timed in the same rounds.
 */
import * as Args from "./args.ts"
import { load } from "./equivalence.ts"
import { perLogin } from "./speed.ts"

const args = Args.parse(["logins", "warmup", "rounds"])
const flag = args.number
const files = args.files
const baseline = new URL("./baseline/action.js", import.meta.url).pathname
const handlers = [{ name: "hand-written", path: baseline }, ...files].map(({ name, path }) => ({
  name,
  path,
  handler: load(path),
  sameCalls: name === "hand-written"
}))
const results = await perLogin(handlers, flag("logins", 1000), flag("warmup", 3000), flag("rounds", 3))
for (const { results: r, who } of results) {
  const base = r[0]!.medianMicros
  console.log(who)
  for (const [i, h] of handlers.entries()) {
    const x = r[i]!
    console.log(
      `  ${h.name.padEnd(14)} median ${x.medianMicros.toFixed(1).padStart(6)} µs  over ${
        (x.medianMicros - base).toFixed(1).padStart(6)
      }  ratio ${(x.medianMicros / base).toFixed(2)}  per process ${
        x.processMedians.map((m) => m.toFixed(0)).join(" ")
      }`
    )
  }
}
