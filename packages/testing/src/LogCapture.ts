/**
 * LogCapture: what an Action printed, captured instead of printed. rulefx's logger writes one line per log with
 * `console.log` (as Auth0 records it); legacy rules print through `console` too. A capture replaces the console's
 * methods until it is stopped, so a test can assert on the lines (a denial names its rule, a secret never appears)
 * and keep them out of the test output.
 *
 * Plain assignment, no test framework's spies: a capture works under any runner, and in a local run of a built
 * Action (`rulefx run`). Captures nest: stop them in the reverse order of starting.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import type * as Scope from "effect/Scope"
import { formatWithOptions, inspect } from "node:util"

/**
 * A console method a capture can replace.
 *
 * @category models
 * @since 0.1.0
 */
export type Method = "log" | "info" | "warn" | "error" | "debug" | "trace" | "dir" | "dirxml"

/**
 * Every console method that prints: the default, so that nothing printed escapes a capture. `table`, `count`,
 * `group`, `timeLog` and `assert` print through `log` and `warn`; `dir` and `dirxml` write to the stream themselves,
 * so they are replaced too. Writes that bypass the console (`process.stdout.write`, `fs.writeSync(1, ...)`, a
 * `new console.Console(process.stdout)`, `process.emitWarning`, a worker thread's console) are not captured.
 *
 * @category constants
 * @since 0.1.0
 */
export const methods: ReadonlyArray<Method> = ["log", "info", "warn", "error", "debug", "trace", "dir", "dirxml"]

/**
 * One captured call: the method and its arguments as the console would have printed them.
 *
 * @category models
 * @since 0.1.0
 */
export interface Entry {
  readonly method: Method
  readonly text: string
}

/**
 * A capture in progress.
 *
 * @category models
 * @since 0.1.0
 */
export interface Capture {
  /** The text of every captured call, in order (grows while the capture runs). */
  readonly lines: Array<string>
  /** The same calls with their methods. */
  readonly entries: ReadonlyArray<Entry>
  /** Puts the console's methods back as they were; stopping twice does nothing. */
  readonly stop: () => void
  /** How many calls were not kept, past `limit` or `maxLength` (0 without them). */
  readonly dropped: () => number
}

/**
 * Options of a capture.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The methods to capture. Default: all of them (`methods`). */
  readonly methods?: ReadonlyArray<Method>
  /**
   * How deep objects are rendered (util.inspect's `depth`). Default 2, as the console prints them; leak checks go
   * deeper, so that a secret nested in a logged object is seen.
   */
  readonly depth?: number
  /** At most this many calls are kept (later ones are dropped, still not printed). Default: no limit. */
  readonly limit?: number
  /**
   * At most this many characters of text are kept, in all: the call that reaches it is kept cut there (ending in "…"),
   * later ones are dropped (still not printed). Default: no limit.
   */
  readonly maxLength?: number
  /** Append the lines to this array (a suite's own) instead of a new one. */
  readonly lines?: Array<string>
  /**
   * Whether a call is this capture's, asked when it is made: one it is not (another run's code logging while this
   * one runs) is dropped, not printed and not counted in `dropped`. Default: every call is.
   */
  readonly accept?: () => boolean
}

/**
 * Starts capturing: the console's methods record their calls instead of printing until `stop`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const start = (options: Options = {}): Capture => {
  const lines = options.lines ?? []
  const entries: Array<Entry> = []
  const replaced = options.methods ?? methods
  const saved = replaced.map((method) => [method, console[method]] as const)
  const limit = options.limit ?? Number.POSITIVE_INFINITY
  const maxLength = options.maxLength ?? Number.POSITIVE_INFINITY
  const inspectOptions = { depth: options.depth ?? 2 }
  // The characters kept so far, and the calls not kept (not even formatted).
  let length = 0
  let dropped = 0
  for (const method of replaced) {
    console[method] = (...args: Array<unknown>) => {
      if (options.accept?.() === false) return
      if (entries.length >= limit || length >= maxLength) {
        dropped += 1
        return
      }
      // console.dir prints its first argument alone (the second is its inspect options), as util.inspect does.
      const whole = method === "dir" ? inspect(args[0], inspectOptions) : formatWithOptions(inspectOptions, ...args)
      const text = length + whole.length > maxLength ? `${whole.slice(0, maxLength - length)}…` : whole
      length = Math.min(maxLength, length + whole.length)
      lines.push(text)
      entries.push({ method, text })
    }
  }
  let stopped = false
  return {
    lines,
    entries,
    dropped: () => dropped,
    stop: () => {
      if (stopped) return
      stopped = true
      for (const [method, original] of saved) console[method] = original
    }
  }
}

/**
 * Runs `f` with the console captured, and returns its result with the lines it printed. The console is restored
 * whether `f` resolves or rejects.
 *
 * @category constructors
 * @since 0.1.0
 */
export const around = async <A>(
  f: () => Promise<A> | A,
  options: Options = {}
): Promise<{ readonly result: A; readonly lines: Array<string>; readonly entries: ReadonlyArray<Entry> }> => {
  const capture = start(options)
  try {
    const result = await f()
    return { result, lines: capture.lines, entries: capture.entries }
  } finally {
    capture.stop()
  }
}

/**
 * A capture for the life of a scope (an `it.effect` test's): stopped when the scope closes.
 *
 * @category constructors
 * @since 0.1.0
 */
export const scoped = (options: Options = {}): Effect.Effect<Capture, never, Scope.Scope> =>
  Effect.acquireRelease(Effect.sync(() => start(options)), (capture) => Effect.sync(capture.stop))

/**
 * The lines printed by rulefx's logger (`rulefx <LEVEL> ...`), without anything else that was printed.
 *
 * @category getters
 * @since 0.1.0
 */
export const rulefxLines = (lines: ReadonlyArray<string>): Array<string> =>
  lines.filter((line) => line.startsWith("rulefx "))

/**
 * A logger layer, for Effect programs run without the adapter (a rule or a fact under test): it replaces the
 * default loggers and appends each message, as text, to `lines`.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (lines: Array<string>): Layer.Layer<never> =>
  Logger.layer([
    Logger.make((options) => {
      const parts: ReadonlyArray<unknown> = Array.isArray(options.message) ? options.message : [options.message]
      lines.push(parts.map(String).join(" "))
    })
  ])
