/**
 * Small pieces of the text rulefx writes: a count with its noun, and a literal inside a regular expression.
 */

/** `n` with its noun: `1 event`, `2 events` (`many`: the plural, when it is not the noun with an `s`). */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`

/** `text` as a regular expression matching exactly it: each character special to a pattern escaped. */
export const regExpEscaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
