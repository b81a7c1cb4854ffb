/**
 * The console of the `rulefx` command itself, apart from the global one and the process's streams through which an
 * Action it runs in this process (`rulefx run`, `rulefx diff`) prints. While the command loads and runs Actions, the
 * global console is silenced (`silenceConsole`: what is not captured as a load's or a run's lines, a timer the module's
 * top level started firing before the first run, a line logged late between two runs, is not printed); once the runs
 * are over, the process's streams are too (`silence`): what the Action logs or writes later (on a timer, from a
 * promise, on every turn of the event loop, while the report is printed or while the process waits for what it left
 * running) reaches neither stdout nor stderr, where it would be printed unscrubbed (a secret) and after a `--json`
 * report (no longer JSON). The command's own output (its report, its warnings, its error) goes through `own`, the
 * Console the runner of the main Effect gives every command (NodePlatform.runMain: effect's `Console` and its loggers),
 * and `error`, which write with the streams' own `write`, saved before any Action ran.
 *
 * What an Action writes around both is still printed: `fs.writeSync(1, ...)`, a `write` it kept from before (a
 * logger's stream it made at its top level, bound to `process.stdout.write`).
 */
import * as LogCapture from "@rulefx/testing/LogCapture"
import type * as Console from "effect/Console"
import { Console as NodeConsole } from "node:console"

/** stdout and stderr. */
interface Streams {
  readonly stdout: NodeJS.WriteStream
  readonly stderr: NodeJS.WriteStream
}

// A process stream whose `write` is the one it has now: replacing the stream's own later leaves it.
const writingAsNow = (stream: NodeJS.WriteStream): NodeJS.WriteStream => {
  const write = stream.write.bind(stream)
  return new Proxy(stream, { get: (target, key) => key === "write" ? write : Reflect.get(target, key) })
}

let saved: Streams | undefined

// The process's streams as the command writes to them, their `write` saved the first time this is called: when the
// main Effect starts (`own`), before any Action runs.
const streams = (): Streams => saved ??= { stdout: writingAsNow(process.stdout), stderr: writingAsNow(process.stderr) }

/** The command's own console: a console of its own on stdout and stderr, which silencing leaves. */
export const own = (): Console.Console => new NodeConsole(streams())

/** Writes `text` to stderr as the command's own output, which silencing leaves. */
export const error = (text: string): void => void streams().stderr.write(text)

// What a silenced console method does.
const dropped = (): void => {}

// What a silenced stream's `write` does: nothing, but call back (a caller may wait for it), as a write that went out.
const droppedWrite = (_chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
  const done = typeof encoding === "function" ? encoding : callback
  if (typeof done === "function") process.nextTick(done as () => void)
  return true
}

/**
 * Silences the global console's printing methods (LogCapture.methods: the others print through them) for the rest of
 * the process: called before an Action loads, by a command that prints nothing through them since (`own`). A capture
 * (a load's, a run's) still takes the calls made while it is up, and leaves the console silenced when it stops.
 */
export const silenceConsole = (): void => {
  for (const method of LogCapture.methods) console[method] = dropped
}

/**
 * Silences the global console (`silenceConsole`) and the process's streams' `write` for the rest of the process: called
 * once an Action's runs are over, by a command that writes nothing through them since (`own`, `error`).
 */
export const silence = (): void => {
  silenceConsole()
  streams()
  process.stdout.write = droppedWrite as typeof process.stdout.write
  process.stderr.write = droppedWrite as typeof process.stderr.write
}
