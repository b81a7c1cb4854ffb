/**
 * SecretsFile: reads an Action's secrets from a file, for `rulefx run` and `rulefx deploy`. Node-side only.
 *
 * Two formats: a JSON object of strings (`{ "SELLER_API_URL": "https://..." }`; text starting with `{` or `[` is
 * read as JSON), or `.env` style lines
 * (`NAME=value`, `#` comments, blank lines, optional matching quotes around the value). Names follow Auth0's rules
 * (letters, digits and `_`, at most 128 characters); values are at most 4096 characters. Errors name the file and the
 * line, never a name or value (a line holding only a value would show it as a name).
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import { readText } from "./internal/files.ts"

/**
 * The file cannot be read or parsed.
 *
 * @category errors
 * @since 0.1.0
 */
export class SecretsFileError
  extends Data.TaggedError("SecretsFileError")<{ readonly file: string; readonly problem: string }>
{
  override get message(): string {
    return `${this.file}: ${this.problem}`
  }
}

const validName = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/
const maxValue = 4096

const checkEntry = (name: string, value: string, where: string): string | undefined =>
  !validName.test(name)
    ? `${where}: not a valid secret name (letters, digits, _; at most 128)`
    : value.length > maxValue
    ? `${where}: the value of ${name} is over ${maxValue} characters`
    : undefined

const fromJson = (file: string, json: unknown): Effect.Effect<Record<string, string>, SecretsFileError> => {
  const fail = (problem: string) => Effect.fail(new SecretsFileError({ file, problem }))
  if (!Predicate.isObject(json) || Array.isArray(json)) return fail("expected a JSON object of strings")
  const secrets: Record<string, string> = Object.create(null)
  for (const [index, [name, value]] of Object.entries(json).entries()) {
    if (!Predicate.isString(value)) return fail(`entry ${index + 1}: the value is not a string`)
    // The name is not printed: a line holding only a value would show it.
    const problem = checkEntry(name, value, `entry ${index + 1}`)
    if (problem !== undefined) return fail(problem)
    secrets[name] = value
  }
  return Effect.succeed(secrets)
}

/**
 * Parses the text of a secrets file. `file` only names it in errors.
 *
 * @category constructors
 * @since 0.1.0
 */
export const parse = (file: string, text: string): Effect.Effect<Record<string, string>, SecretsFileError> => {
  const fail = (problem: string) => Effect.fail(new SecretsFileError({ file, problem }))
  return Effect.suspend(() => {
    const secrets: Record<string, string> = Object.create(null)
    if (/^\s*[[{]/.test(text)) {
      return Effect.try({
        try: () => JSON.parse(text) as unknown,
        catch: () => new SecretsFileError({ file, problem: "not valid JSON" })
      }).pipe(Effect.flatMap((json) => fromJson(file, json)))
    }
    const lines = text.split(/\r?\n/)
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim()
      if (line.length === 0 || line.startsWith("#")) continue
      const eq = line.indexOf("=")
      if (eq <= 0) return fail(`line ${i + 1}: expected NAME=value`)
      const name = line.slice(0, eq).trim().replace(/^export\s+/, "")
      let value = line.slice(eq + 1).trim()
      if (value.length >= 2 && (value[0] === "\"" || value[0] === "'") && value.endsWith(value[0])) {
        value = value.slice(1, -1)
      }
      const problem = checkEntry(name, value, `line ${i + 1}`)
      if (problem !== undefined) return fail(problem)
      secrets[name] = value
    }
    return Effect.succeed(secrets)
  })
}

/**
 * Reads and parses a secrets file.
 *
 * @category constructors
 * @since 0.1.0
 */
export const load = (file: string): Effect.Effect<Record<string, string>, SecretsFileError> =>
  readText(file, (problem) => new SecretsFileError({ file, problem })).pipe(
    Effect.flatMap((text) => parse(file, text))
  )
