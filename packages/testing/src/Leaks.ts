/**
 * Leaks: checks that a text (a denial's message, a log line, an error, a report) holds none of the values that must
 * never leave the Action: secrets, personal data, upstream URLs and bodies.
 *
 * @since 0.1.0
 */
import { AssertionError } from "node:assert"

/**
 * Throws an AssertionError naming the first of `needles` that `text` contains.
 *
 * @category guards
 * @since 0.1.0
 */
export const assertNone = (text: string, needles: ReadonlyArray<string>): void => {
  for (const needle of needles) {
    if (needle.length > 0 && text.includes(needle)) {
      throw new AssertionError({ message: `leaked ${JSON.stringify(needle)}`, actual: text, expected: needle })
    }
  }
}
