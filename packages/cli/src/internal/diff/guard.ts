/**
 * The process while `rulefx diff` runs two Actions in it: an Action must not end it, nor crash it. While the guard
 * is up, `process.exit` throws (in a handler, its run rejects; on a timer, it is an uncaught exception), the process's
 * exit code says failure (a way out the guard does not cover, `process.kill`, `process.reallyExit`, still exits
 * non-zero), and an uncaught exception or an unhandled rejection is kept, not printed with its stack (which may hold a
 * secret), and given to the Action it came from: the one whose file its stack names, else the one running. The
 * process's own listeners are put back after.
 */
import * as Effect from "effect/Effect"

/** Which Action: the first (`a`) or the second (`b`). */
export type Side = "a" | "b"

/** What escaped an Action's handler: how, and the first line of what was thrown. */
export interface Crash {
  readonly side: Side
  readonly text: string
}

/** The guard: which side is running (set by the caller), and what escaped since the last `take`. */
export interface Guard {
  running: Side
  readonly take: () => ReadonlyArray<Crash>
}

/**
 * Runs `use` with the guard up: `files` are the Actions' paths, by side, which attribute a crash by its stack.
 */
export const guarded = <A, E, R>(
  files: Readonly<Record<Side, string>>,
  use: (guard: Guard) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const crashes: Array<Crash> = []
      const guard: Guard = { running: "a", take: () => crashes.splice(0) }
      const exit = process.exit
      process.exit = (code?: string | number | null) => {
        throw new Error(`process.exit(${code ?? ""}) called: rulefx diff does not let an Action end the process`)
      }
      const exitCode = process.exitCode
      process.exitCode = 1
      const restore = () => {
        process.exit = exit
        process.exitCode = exitCode
      }
      return { guard, restore }
    }),
    ({ guard }) => use(guard),
    ({ restore }) => Effect.sync(restore)
  )
