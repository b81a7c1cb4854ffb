import * as Cause from "effect/Cause"
import * as Logger from "effect/Logger"
import * as References from "effect/References"

// Auth0 keeps 256 characters of each console line.
const maxLine = 256

/** Prints one log line on console.log (Auth0 captures it): whitespace runs made one space, cut to `maxLine`. */
export const printLine = (text: string): void => {
  const line = text.replace(/\s+/g, " ")
  // oxlint-disable-next-line no-console
  console.log(line.length > maxLine ? `${line.slice(0, maxLine - 1)}…` : line)
}

// Field values (the user id above all) come from outside: escape whitespace, "=" and control characters so a value
// cannot forge fields or lines, and cap the length so the rule and message still fit in 256 characters.
const maxField = 64
const field = (value: string): string => {
  // oxlint-disable-next-line no-control-regex -- control characters are exactly what must not reach a log line
  const escaped = value.replace(/[\s=\u0000-\u001f\u007f]/g, (c) => encodeURIComponent(c))
  return escaped.length > maxField ? `${escaped.slice(0, maxField - 1)}…` : escaped
}

/** ` user=<id>`, escaped as a field, for a line written outside a run's log annotations; empty without an id. */
export const userField = (user: unknown): string => typeof user === "string" ? ` user=${field(user)}` : ""

const render = (value: unknown): string =>
  typeof value === "string" ? value : value instanceof Error ? `${value.name}: ${value.message}` : String(value)

/**
 * One short line per log: `rulefx <LEVEL> user=<id> rule=<name> fact=<name> <message>`, cut to 256 characters,
 * on console.log (Auth0 captures it). Other annotations are not printed: they could carry data. The user id is the
 * only user data a line carries.
 */
export const logger = Logger.make<unknown, void>(({ cause, fiber, logLevel, message }) => {
  const annotations = fiber.getRef(References.CurrentLogAnnotations)
  const parts = [`rulefx ${logLevel.toUpperCase()}`]
  for (const key of ["user", "rule", "fact"]) {
    const value = annotations[key]
    if (typeof value === "string") parts.push(`${key}=${field(value)}`)
  }
  parts.push(...(Array.isArray(message) ? message : [message]).map(render))
  if (cause.reasons.length > 0) parts.push(Cause.pretty(cause).split("\n")[0] ?? "")
  printLine(parts.join(" "))
})
