/**
 * Diff's guard (internal/diff/guard.ts): what escapes an Action's code while the guard is up is kept for the run it
 * came from, the first crash of each side, the others counted.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Guard from "../src/internal/diff/guard.ts"

// Real time: what escapes on a timer or a rejected promise reaches the guard's listeners on a later turn.
const turns = Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 50)))

describe("guarded", () => {
  // brk-late (c): every unhandled rejection was kept until the event ended; one on every turn of the event loop (each
  // with a 10 kB message) filled a 64 MB heap in about 3.5 s.
  it.live("keeps the first crash of each side, and counts the others", () =>
    Guard.guarded({ a: "/nowhere/a.js", b: "/nowhere/b.js" }, (guard) =>
      Effect.gen(function*() {
        guard.running = "a"
        for (let i = 0; i < 1000; i++) void Promise.reject(new Error(`rejected ${i}`))
        yield* turns
        guard.running = "b"
        setTimeout(() => {
          throw new Error("thrown on a timer")
        }, 0)
        yield* turns
        assert.deepStrictEqual(guard.take(), [
          { side: "a", text: "unhandled rejection: Error: rejected 0", count: 1000 },
          { side: "b", text: "uncaught exception: Error: thrown on a timer", count: 1 }
        ])
        assert.deepStrictEqual(guard.take(), [])
      })))
})
