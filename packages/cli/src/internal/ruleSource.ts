/**
 * A legacy rule's source as the Action carries it: a string that the rule's realm compiles at run time (see
 * `@rulefx/legacy-rules/Realm`). Minified by esbuild (the Action has 100 kB), with line breaks put back where the
 * original lines started, so that a stack trace names the rule's own line: each statement starts on the line it had
 * (a statement spanning several lines is put on its first). Node-side only.
 */
import { transformSync } from "esbuild"

const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// The segments of a source map: [offset in the generated code, original line], the line 0-based. A template literal
// keeps its line breaks, so the minified code may have more than one line.
const segments = (mappings: string, code: string): Array<readonly [number, number]> => {
  const out: Array<readonly [number, number]> = []
  const state = [0, 0, 0, 0, 0]
  let lineStart = 0
  mappings.split(";").forEach((line, index) => {
    if (index > 0) lineStart = code.indexOf("\n", lineStart) + 1
    state[0] = 0
    for (const segment of line.split(",")) {
      if (segment === "") continue
      const fields: Array<number> = []
      let value = 0
      let shift = 0
      for (const char of segment) {
        const digit = digits.indexOf(char)
        value += (digit & 31) << shift
        if (digit & 32) {
          shift += 5
          continue
        }
        fields.push(value & 1 ? -(value >>> 1) : value >>> 1)
        value = 0
        shift = 0
      }
      fields.forEach((delta, i) => (state[i] = state[i]! + delta))
      if (fields.length >= 4) out.push([lineStart + state[0]!, state[2]!])
    }
  })
  return out
}

// A line break right after one of these never changes how the code parses: they cannot end a statement, nor sit
// where a line break is forbidden, and the character before a mapped token is a punctuator, not a string's content.
const breakAfter = new Set([";", ",", "{", "(", ":", "="])

/**
 * The rule's function expression, minified, each statement on its original line.
 *
 * @since 0.1.0
 */
export const compact = (source: string): string => {
  const result = transformSync(`x(${source}\n)`, { minify: true, sourcemap: "external", target: "node22" })
  const code = result.code.trimEnd()
  const map = JSON.parse(result.map) as { readonly mappings: string }
  let out = ""
  let from = 0
  // The line `out` has reached: the line breaks put back, and those of the code itself (in template literals).
  let line = 0
  for (const [offset, original] of segments(map.mappings, code)) {
    const here = line + (code.slice(from, offset).match(/\n/g)?.length ?? 0)
    if (original > here && offset > from && breakAfter.has(code[offset - 1]!)) {
      out += code.slice(from, offset) + "\n".repeat(original - here)
      from = offset
      line = original
    }
  }
  out += code.slice(from)
  // Drop the `x(` and `);` that kept esbuild from dropping an unused expression.
  if (!out.startsWith("x(") || !out.endsWith(");")) throw new Error(`unexpected minified form: ${out.slice(0, 40)}`)
  return out.slice(2, -2)
}
