import { userMessage } from "effect/cli/CliError"
import * as Data from "effect/Data"
import * as Runtime from "effect/Runtime"

/**
 * The exit code of every usage error, whatever the command: an unknown command or flag, a missing argument, a value
 * that is not a number or not one of the choices (effect/cli's), and a value the command itself refuses (`--timeout
 * 0`, an unknown `--trigger`, flags that do not go together). 1 is for a command that ran and failed (`rulefx diff`: an
 * event differs), so a script tells the two apart by the code.
 */
const usageExitCode = 2

/**
 * A command failed for a reason the user can act on; the CLI prints the message and exits non-zero: 1, or `exitCode`
 * (`usageExitCode` for a misuse, see `invalidOption`).
 */
export class CommandFailed extends Data.TaggedError("CommandFailed")<{
  readonly reason: string
  readonly exitCode?: number
}> {
  override get message(): string {
    return this.reason
  }
  override get [Runtime.errorExitCode](): number {
    return this.exitCode ?? 1
  }
  override get [userMessage](): string {
    return this.reason
  }
}

/** A value of an option (or a set of options) the command refuses before doing anything: a usage error. */
export const invalidOption = (reason: string): CommandFailed => new CommandFailed({ reason, exitCode: usageExitCode })

/**
 * What effect/cli's usage error (its `ShowHelp` with errors, already printed by the presenter) ends the process with:
 * `usageExitCode`, and nothing more printed.
 */
export class UsageError extends Data.TaggedError("UsageError") {
  override get [Runtime.errorExitCode](): number {
    return usageExitCode
  }
  override get [Runtime.errorReported](): boolean {
    return false
  }
}
