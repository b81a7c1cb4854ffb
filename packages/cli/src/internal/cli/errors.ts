import { userMessage } from "effect/cli/CliError"
import * as Data from "effect/Data"
import * as Runtime from "effect/Runtime"

/**
 * A command failed for a reason the user can act on; the CLI prints the message and exits non-zero: 1, or `exitCode`
 * (2 for a misuse such as `rulefx diff --ignore` with a path that can never match).
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
