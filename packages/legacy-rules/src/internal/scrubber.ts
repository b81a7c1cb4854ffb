/**
 * The Action's secrets as a legacy rule may leave them in a text: what the scrubber replaces in console lines and
 * denial reasons, and what makes a claim refused.
 *
 * Rules' `configuration` held every setting, secret or not, so each value of at least 4 characters counts, in each
 * form a rule or the request shim may give it: as written, URL-encoded (encodeURIComponent, and RFC 3986 as the shim
 * encodes `qs` and `form`), JSON-escaped, and base64, alone or after other bytes (`id:secret` in a Basic auth header,
 * where the value starts one or two bytes into a base64 group: for a value of 8 characters or more).
 *
 * Scrubbing replaces, in each form, not only the whole of it but any run that gives away more than half of it, skipping
 * whitespace in the text between its characters: a run of at least half the form's length, and at least 8 characters
 * (one fewer than the form for a form of 5 to 8 characters; the whole of a 4-character one). So a secret minus its
 * last character, a long prefix or middle part, a secret split across `console.log` arguments (joined with spaces) or
 * wrapped over lines, all go, and what a line may still hold of a secret is less than half of it: for a random key of
 * 32 characters, 15 of them, which leave about 100 bits unknown. Shorter runs stay because settings are secrets too:
 * a URL setting shares its scheme and domain with every other URL a rule logs, and a run of 8 would turn each
 * `https://` of a log into a marker. Pieces shorter than that, or interleaved with other text, are not caught:
 * scrubbing guards against accidents, not against a rule that sets out to leak. A marker names the secret of the
 * longest run it replaces, or all of those as long: `127.0.0.1:4100` of two URL settings on that host and port is
 * `[secret CRM_URL, FLAGS_URL]`, and the whole of one of them is that one's.
 *
 * A claim is refused when it holds, as a whole JSON string (a value or a key, at any depth), a value of at least 8
 * characters as written or encoded: `context.idToken.x = configuration.KEY`. A claim that only contains one (a
 * domain inside an email, a URL setting as a prefix) is not: settings are copied into claims on purpose, and a run
 * rule there would deny logins; shorter values (a tier, a flag) are left for the same reason.
 *
 * Everything is built on first use: most logins never log, deny or set a claim.
 */
import { rfc3986 } from "./rfc3986.ts"

/** Replaces secrets in texts, and finds them in claims. */
export interface Scrubber {
  /**
   * `text` with every trace of a secret replaced by `[secret NAME]` (`[secret A, B]` where a run is part of both).
   */
  readonly scrub: (text: string) => string
  /** The name of a secret of at least 8 characters that `json` (JSON text) holds as a whole string, if any. */
  readonly heldIn: (json: string) => string | undefined
}

export const scrubberOf = (configuration: Readonly<Record<string, string>>): Scrubber => {
  const eachForm = (f: (form: string, name: string, value: string) => void) => {
    for (const name of Object.keys(configuration)) {
      const value = configuration[name]!
      if (value.length < 4) continue
      const forms = [value, encodeURIComponent(value), rfc3986(value), JSON.stringify(value).slice(1, -1)]
      // base64 as it encodes the value alone, and one or two bytes into a group (`id:secret` in Basic auth): the
      // whole groups of the value's bytes, which no text before or after it changes.
      for (let shift = 0; shift < 3; shift++) {
        const base64 = Buffer.from("\0".repeat(shift) + value).toString("base64")
        if (shift === 0) forms.push(base64)
        else if (value.length > 7) forms.push(base64.slice(4, 4 * Math.floor((shift + Buffer.byteLength(value)) / 3)))
      }
      for (const form of forms) f(form, name, value)
    }
  }
  // Where runs may start: the first characters of every run long enough to give a form away (4 to 8 of them), to the
  // form, the offset, that length and the secret's name. A run is then followed as far as it matches.
  let runs: Map<string, Array<readonly [string, number, number, string]>> | undefined
  let wholes: Array<readonly [string, string]> | undefined
  return {
    scrub: (text) => {
      if (runs === undefined) {
        runs = new Map()
        eachForm((form, name) => {
          const f = form.replace(/\s+/g, "")
          const k = f.length > 8 ? Math.max(8, Math.ceil(f.length / 2)) : Math.max(4, f.length - 1)
          for (let i = 0; i + k <= f.length; i++) {
            const start = f.slice(i, i + Math.min(k, 8))
            if (!runs!.has(start)) runs!.set(start, [])
            runs!.get(start)!.push([f, i, k, name])
          }
        })
      }
      // The text's non-whitespace, and where each of its characters is in the text.
      let compact = ""
      const at: Array<number> = []
      for (let i = 0; i < text.length; i++) {
        if (text[i]!.trim()) {
          compact += text[i]
          at.push(i)
        }
      }
      // Each character of the text inside a run (whitespace between its characters too) is marked with the names of
      // the secrets whose runs over it are the longest: a part two secrets share (two URL settings on one host and
      // port) names both, whichever was given first, and the whole of one of them names that one alone. A stretch of
      // characters marked alike becomes one marker.
      const names: Array<Set<string>> = []
      const longest: Array<number> = []
      for (let i = 0; i < compact.length; i++) {
        for (let g = 4; g < 9; g++) {
          for (const [f, from, k, name] of runs.get(compact.slice(i, i + g)) ?? []) {
            let n = g
            while (from + n < f.length && compact[i + n] === f[from + n]) n++
            if (n < k) continue
            for (let j = at[i]!; j <= at[i + n - 1]!; j++) {
              if (n > (longest[j] ?? 0)) {
                longest[j] = n
                names[j] = new Set()
              }
              if (n === longest[j]) names[j]!.add(name)
            }
          }
        }
      }
      // Most lines hold no secret: nothing marked, the text as it was.
      if (names.length === 0) return text
      const marks = names.map((kept) => `[secret ${[...kept].toSorted().join(", ")}]`)
      return text.replace(
        /[\s\S]/g,
        (c, i: number) => marks[i] === undefined ? c : marks[i] === marks[i - 1] ? "" : marks[i]!
      )
    },
    heldIn: (json) => {
      if (wholes === undefined) {
        wholes = []
        // As a JSON string: each form is JSON-escaped already, or has nothing to escape.
        eachForm((form, name, value) => value.length > 7 && wholes!.push([`"${form}"`, name]))
      }
      return wholes.find(([form]) => json.includes(form))?.[1]
    }
  }
}
