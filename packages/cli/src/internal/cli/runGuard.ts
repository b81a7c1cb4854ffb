/**
 * The process while a `rulefx` command runs an Action in it (`rulefx run`, `rulefx diff`): the Action must neither
 * end it (a CI gate passed with nothing printed) nor crash it printing a stack, which may hold a secret.
 *
 * `rulefx run` loads and runs its Action under Diff's guard (internal/diff/guard.ts), the one Action as its first
 * side: `process.exit` throws (in the handler, its run rejects), the exit code says failure until the command is done,
 * and what escapes the handler while it runs (a throw on a timer, an unhandled rejection) is kept, not printed, and
 * rejects the run (`crashed`), shown by its first line (and how many times, when more than once), scrubbed like the
 * rest. What an Action throws after that, while the process finishes, is caught by `afterDone`: it fails the command,
 * unseen. What it logs outside the captures of its load and its run, and what it logs or writes to the process's
 * streams after its run, is not printed (`silenced`).
 */
import * as Effect from "effect/Effect"
import * as Guard from "../diff/guard.ts"
import * as NodePlatform from "../nodePlatform.ts"
import * as OwnConsole from "../ownConsole.ts"

/**
 * Runs `use` with the guard up for the Action at `file`, and with `afterDone` catching what escapes once it is down:
 * `use` gives each run's result to `crashed`.
 */
export const guarding = <A, E, R>(
  command: string,
  file: string,
  use: (guard: Guard.Guard) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.suspend(() => {
    // Put in place before the guard, which takes the process's listeners off while it is up and puts them back after.
    catchAfterDone(command)
    return silenced(Guard.guarded({ a: file, b: file }, use))
  })

/**
 * Runs `actions` (which load Actions and run them) with the global console silenced from the start
 * (OwnConsole.silenceConsole), and `silencedAfter`: what an Action logs outside the captures of its load and its runs
 * (a timer its top level started, firing before the first run; a line it logs late, between two runs) is not printed,
 * unscrubbed, before or among the command's output.
 */
export const silenced = <A, E, R>(actions: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.andThen(Effect.sync(OwnConsole.silenceConsole), silencedAfter(actions))

/**
 * Runs `runs` (an Action's runs), then silences the global console and the process's streams (OwnConsole.silence),
 * however they ended: what the Action logs or writes after them (a timer, a promise) is not printed, unscrubbed, among
 * or after the command's output.
 */
export const silencedAfter = <A, E, R>(runs: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.ensuring(runs, Effect.sync(OwnConsole.silence))

/**
 * A run that something escaped from while it ran (`guard.take()`): rejected, as Auth0 fails a login whose Action
 * crashed, with that as its rejection (and how many times, when more than once: Guard.described) unless its handler
 * rejected first (Guard.crashed).
 */
export const crashed = <R extends Guard.Ended>(result: R, guard: Guard.Guard): R => {
  const crash = guard.take()[0]
  return Guard.crashed(result, crash === undefined ? undefined : Guard.described(crash))
}

/**
 * What an Action threw after its runs (a timer, a promise: the guard is down by then): its stack, which may hold a
 * secret, is not printed, and the command fails; `command` names it in the one line printed instead, for the first
 * throw. Later ones are counted, in one more line when the process exits: an Action that throws on every turn of the
 * event loop would otherwise print a line on each (the same line).
 */
export const afterDone = (command: string) => {
  let count = 0
  const more = () => OwnConsole.error(`rulefx ${command}: and ${count - 1} more after it\n`)
  return (): void => {
    process.exitCode = 1
    NodePlatform.failAfterDone()
    count += 1
    if (count === 1) {
      OwnConsole.error(`rulefx ${command}: an Action threw after its run ended (not shown: it may hold a secret)\n`)
    } else if (count === 2) {
      process.once("exit", more)
    }
  }
}

/** Puts `afterDone(command)` in place for what escapes (an uncaught exception, an unhandled rejection) from now on. */
export const catchAfterDone = (command: string): void => {
  const late = afterDone(command)
  process.on("uncaughtException", late)
  process.on("unhandledRejection", late)
}
