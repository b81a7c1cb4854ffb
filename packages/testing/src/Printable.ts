/**
 * Printable: what an Action handed over (a thrown value, a deny reason) as text, whatever it is. An object without a
 * string form (`Object.create(null)`), one whose `toString` throws (an Error that may hold a secret), a revoked Proxy:
 * each gives a marker instead of throwing, so a local run reports it and never prints what the throw carried.
 *
 * @since 0.1.0
 */

/**
 * What a value without a usable string form is shown as.
 *
 * @category constants
 * @since 0.1.0
 */
export const unprintable = "<unprintable value>"

/**
 * A value as `String(value)` gives it, or `unprintable` when that throws.
 *
 * @category getters
 * @since 0.1.0
 */
export const text = (value: unknown): string => {
  try {
    return String(value)
  } catch {
    return unprintable
  }
}

/**
 * The first line of what was thrown: an Error's `name: message`, anything else's string form; `unprintable` when
 * reading either throws.
 *
 * @category getters
 * @since 0.1.0
 */
export const firstLine = (error: unknown): string => {
  try {
    return String(error instanceof Error ? `${error.name}: ${error.message}` : error).split("\n")[0] ?? ""
  } catch {
    return unprintable
  }
}
