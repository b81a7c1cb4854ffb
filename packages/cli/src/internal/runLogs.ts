/**
 * What a local run (`rulefx run`, each run of `rulefx diff`) keeps of what its Action logs: the first `keptLines`
 * calls, at most `keptLength` characters in all (the call that reaches it cut there, ending in "…"), then a line
 * `and <n> more` (as `rulefx diff` lists late calls). An Action that logs on every turn of the event loop after its
 * handler settled (what a first Action logs late goes into the second's run) would otherwise fill the heap.
 */
import * as LogCapture from "@rulefx/testing/LogCapture"

/** How many calls to the console a run keeps. */
export const keptLines = 1_000

/** How many characters of logged text a run keeps, in all (about 1 MB). */
export const keptLength = 1_000_000

/** Starts capturing a run's console (LogCapture), within the caps: the calls `owns` says are the run's, when given. */
export const capture = (owns?: () => boolean): LogCapture.Capture =>
  LogCapture.start({ limit: keptLines, maxLength: keptLength, ...(owns === undefined ? {} : { accept: owns }) })

/** The lines `capture` kept, and `and <n> more` when it dropped some. */
export const kept = (capture: LogCapture.Capture): ReadonlyArray<string> => {
  const dropped = capture.dropped()
  return dropped === 0 ? capture.lines : [...capture.lines, `and ${dropped} more`]
}

/**
 * The report's rows of what an Action logged: its module's top level while it loaded (`load log`), then the run (`log`).
 */
export const rows = (
  result: { readonly logs: ReadonlyArray<string>; readonly loadLogs?: ReadonlyArray<string> | undefined }
): Array<[string, string]> => [
  ...(result.loadLogs ?? []).map((line): [string, string] => ["load log", line]),
  ...result.logs.map((line): [string, string] => ["log", line])
]
