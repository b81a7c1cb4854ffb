/**
 * Capturing what the handler prints: the adapter's logger writes one line per log with console.log.
 *
 * @since 0.1.0
 */
import { assert, vi } from "@effect/vitest"

/**
 * Runs `f` with console.log captured (and silenced); returns its result and every line printed.
 *
 * @since 0.1.0
 */
export const captureLogs = async <A>(
  f: () => Promise<A>
): Promise<{ readonly result: A; readonly lines: Array<string> }> => {
  const lines: Array<string> = []
  const spy = vi.spyOn(console, "log").mockImplementation((...args: Array<unknown>) => {
    lines.push(args.map(String).join(" "))
  })
  try {
    const result = await f()
    return { result, lines }
  } finally {
    spy.mockRestore()
  }
}

/**
 * The lines printed by rulefx's logger.
 *
 * @since 0.1.0
 */
export const rulefxLines = (lines: ReadonlyArray<string>): Array<string> =>
  lines.filter((line) => line.startsWith("rulefx "))

/**
 * Asserts that `text` contains none of `needles`.
 *
 * @since 0.1.0
 */
export const assertLeaksNothing = (text: string, needles: ReadonlyArray<string>): void => {
  for (const needle of needles) assert.notInclude(text, needle, `leaked ${JSON.stringify(needle)}`)
}
