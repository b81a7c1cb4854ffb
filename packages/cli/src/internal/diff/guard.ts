/**
 * The process while `rulefx diff` runs two Actions in it (and `rulefx run` one, as side `a`: internal/cli/runGuard.ts):
 * an Action must not end it, nor crash it. While the guard
 * is up, `process.exit` and `process.reallyExit` throw (in a handler, its run rejects; on a timer, it is an uncaught
 * exception), the process's exit code says failure (a way out the guard does not cover, `process.kill`, still exits
 * non-zero), and an uncaught exception or an unhandled rejection is kept, not printed with its stack (which may hold a
 * secret), and given to the Action it came from: the one whose handler's code it came from (the run's tag in the
 * AsyncLocalStorage its handler runs in, which its timers, sockets and promises carry, `HttpTape.runTag`: a crash of the
 * first Action's timer while the second runs is the first's), else, outside any run's code (a module-level timer),
 * the one whose file its stack names, else the one running. The process's own listeners are put back after.
 */
import * as Printable from "@rulefx/testing/Printable"
import * as Effect from "effect/Effect"
import * as HttpTape from "./httpTape.ts"

/** Which Action: the first (`a`) or the second (`b`). */
export type Side = "a" | "b"

/**
 * What escaped an Action's handler since the last `take`: how the first did, and the first line of what was thrown,
 * and how many escaped it in all (the first included). Only the first is kept: an Action that rejects a promise on
 * every turn of the event loop would otherwise fill the heap before the event ends.
 */
export interface Crash {
  readonly side: Side
  readonly text: string
  readonly count: number
}

/**
 * A Crash as a run's rejection says it: its first line, after how many escaped when more than one (`crashed 3 times;
 * the first: uncaught exception: ...`).
 */
export const described = (crash: Crash): string =>
  crash.count === 1 ? crash.text : `crashed ${crash.count} times; the first: ${crash.text}`

/** A run as it ended: its outcome, and why it was rejected. */
export interface Ended {
  readonly outcome: string
  readonly rejection?: string
}

/**
 * A run that something escaped from (`text`, a Crash's), as Auth0 fails a login whose Action crashed: rejected, with
 * that as its rejection unless its handler rejected first. Without `text`, the run as it was.
 */
export const crashed = <R extends Ended>(result: R, text: string | undefined): R =>
  text === undefined ? result : { ...result, outcome: "rejected", rejection: result.rejection ?? text } as R

/**
 * The guard: which side is running (set by the caller), each run's tag (`HttpTape.runTag`) with its side (set by the
 * caller), and what escaped since the last `take`: a Crash per side that something escaped from, `a` first.
 */
export interface Guard {
  running: Side
  readonly runs: WeakMap<object, Side>
  readonly take: () => ReadonlyArray<Crash>
}

// An Error's stack, or "" (a revoked Proxy or a throwing getter gives none).
const stackOf = (error: unknown): string => {
  try {
    return error instanceof Error ? Printable.text(error.stack) : ""
  } catch {
    return ""
  }
}

const events = ["uncaughtException", "unhandledRejection"] as const

// Node's undocumented way out under process.exit, which takes its own code.
interface Exits {
  reallyExit: (code?: number) => never
}

// process.exit and process.reallyExit throwing and the exit code at failure; gives what puts them back.
const noExit = (): () => void => {
  const exit = process.exit
  const exits = process as unknown as Exits
  const reallyExit = exits.reallyExit
  process.exit = (code?: string | number | null) => {
    throw new Error(`process.exit(${code ?? ""}) called: rulefx does not let an Action end the process`)
  }
  exits.reallyExit = (code?: number) => {
    throw new Error(`process.reallyExit(${code ?? ""}) called: rulefx does not let an Action end the process`)
  }
  const exitCode = process.exitCode
  process.exitCode = 1
  return () => {
    process.exit = exit
    exits.reallyExit = reallyExit
    process.exitCode = exitCode
  }
}

/**
 * Runs `effect` with `process.exit` throwing and the exit code at failure, as while the Actions load: a module that
 * ends the process at its top cannot be loaded (its loading fails naming the throw).
 */
export const exitGuarded = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.acquireUseRelease(Effect.sync(noExit), () => effect, (restore) => Effect.sync(restore))

/**
 * Runs `use` with the guard up: `files` are the Actions' paths, by side, which attribute a crash by its stack when it
 * came from no run's code.
 */
export const guarded = <A, E, R>(
  files: Readonly<Record<Side, string>>,
  use: (guard: Guard) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const crashes = new Map<Side, Crash>()
      const take = () => {
        const taken = (["a", "b"] as const).flatMap((side) => crashes.get(side) ?? [])
        crashes.clear()
        return taken
      }
      const guard: Guard = { running: "a", runs: new WeakMap(), take }
      const sideOf = (error: unknown): Side => {
        const tag = HttpTape.runTag()
        const owner = tag === undefined ? undefined : guard.runs.get(tag)
        if (owner !== undefined) return owner
        const stack = stackOf(error)
        const named = (["a", "b"] as const).filter((side) => stack.includes(files[side]))
        return named.length === 1 ? named[0]! : guard.running
      }
      // The first crash of its side is kept (its text read only then), a later one counted.
      const escaped = (how: string) => (error: unknown) => {
        const side = sideOf(error)
        const first = crashes.get(side)
        crashes.set(
          side,
          first === undefined
            ? { side, text: `${how}: ${Printable.firstLine(error)}`, count: 1 }
            : { ...first, count: first.count + 1 }
        )
      }
      const onException = escaped("uncaught exception")
      const onRejection = escaped("unhandled rejection")
      const saved = events.map((event) => [event, process.rawListeners(event as "exit")] as const)
      for (const event of events) process.removeAllListeners(event)
      process.on("uncaughtException", onException)
      process.on("unhandledRejection", onRejection)
      const unexit = noExit()
      const restore = () => {
        unexit()
        process.off("uncaughtException", onException)
        process.off("unhandledRejection", onRejection)
        for (const [event, listeners] of saved) {
          for (const listener of listeners) process.on(event, listener as (...args: Array<unknown>) => void)
        }
      }
      return { guard, restore }
    }),
    ({ guard }) => use(guard),
    ({ restore }) => Effect.sync(restore)
  )
