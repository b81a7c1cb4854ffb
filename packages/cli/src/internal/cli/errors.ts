import { userMessage } from "effect/cli/CliError"
import * as Data from "effect/Data"

/** A command failed for a reason the user can act on; the CLI prints the message and exits non-zero. */
export class CommandFailed extends Data.TaggedError("CommandFailed")<{ readonly reason: string }> {
  override get message(): string {
    return this.reason
  }
  override get [userMessage](): string {
    return this.reason
  }
}
