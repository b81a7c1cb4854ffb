/**
 * The console of the `rulefx` command itself, apart from the global one through which an Action it runs in this
 * process (`rulefx run`, `rulefx diff`) prints. Once the Action's runs are over, the global console is silenced
 * (`silence`): what the Action logs later (on a timer, from a promise, on every turn of the event loop, while the
 * report is printed or while the process waits for what it left running) reaches neither stdout nor stderr, where it
 * would be printed unscrubbed (a secret) and after a `--json` report (no longer JSON). The command's own output (its
 * report, its warnings, its error) goes through `own`, the Console the runner of the main Effect gives every command
 * (NodePlatform.runMain: effect's `Console` and its loggers), which writes to the process's streams itself.
 */
import * as LogCapture from "@rulefx/testing/LogCapture"
import type * as Console from "effect/Console"
import { Console as NodeConsole } from "node:console"

/** The command's own console: a console of its own on stdout and stderr, which silencing the global one leaves. */
export const own = (): Console.Console => new NodeConsole({ stdout: process.stdout, stderr: process.stderr })

// What a silenced console method does.
const dropped = (): void => {}

/**
 * Silences the global console's printing methods (LogCapture.methods: the others print through them) for the rest of
 * the process: called once an Action's runs are over, by a command that printed nothing through them since (`own`).
 */
export const silence = (): void => {
  for (const method of LogCapture.methods) console[method] = dropped
}
