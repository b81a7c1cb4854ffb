/**
 * Secrets kept out of `rulefx diff`'s report: a value that differs may hold one (a claim set from a secret, a request
 * body with a client secret, a URL with an API key in its query), and the report goes to a terminal or a CI log.
 * Every secret of the run (the event's own, and those given with `--secrets`) of at least 4 characters is replaced,
 * as written, URL-encoded (as encodeURIComponent and as a form body encode it, and as the URL parser writes it in a
 * URL's query, fragment, path or credentials: `new URL`, `fetch`), JSON-escaped, with its whitespace made
 * single spaces (as an Action's log line has it), or base64 and base64url (alone, and for a secret of 8 characters or
 * more also one or two bytes into a group, as after `id:` in a Basic auth header), by `[secret NAME]` in the paths and
 * values the report holds, objects without a prototype included (a secret of several lines also line by line). A
 * secret of 8 characters or more is also replaced as hex (lower and upper case) and split into its characters: an
 * array whose strings spell it across several of them (`secret.split("")`, chunks of it) has those strings made one,
 * the marker where the secret was, and the array's text forms (`"s","e",…` as JSON has it, `s,e,…` as `String` has
 * it, `'s', 'e', …` as a log line has it) are replaced; a shorter one is left in those forms, as a run of letters or
 * hex digits that spells it is too often not the secret (the same bound as base64 one or two bytes in). A log
 * line the Action cut at 256 characters (ending in "…") may end inside a secret: what it holds of one there is replaced
 * too (dropped when under 4 characters, which a marker would only make look like a leak). But an http(s) origin (a
 * service's address kept among the secrets: no credentials, path, query or fragment) stays readable. A URL with a
 * path may hold its secret there (a webhook's token), so it is replaced. The comparison itself is made on the values
 * as they were, so scrubbing never turns a difference into "the same".
 */

import { inspect } from "node:util"
import * as Text from "../text.ts"
import * as Depth from "./depth.ts"

/** Replaces each secret in the strings of a value, at any depth. */
export type Scrub = <A>(value: A) => A

const isPlainUrl = (value: string): boolean => {
  if (!URL.canParse(value)) return false
  const url = new URL(value)
  return /^https?:$/.test(url.protocol) && url.username === "" && url.password === "" && url.search === "" &&
    url.pathname === "/" && url.hash === ""
}

// A plain object, or one without a prototype (Object.create(null): core's records, the legacy shim's).
const isRecord = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

// The shortest secret also replaced in the forms that text not holding it may spell by chance (hex, its characters
// one by one, base64 one or two bytes into a group): under it, those would replace runs of letters that are not it.
const derivedMinLength = 8

// Hex (lower and upper case), and its characters one by one as the text of an array of them: as JSON writes it, as
// `String` (a template) writes it, and as a log line writes it (util.inspect, whitespace made single spaces).
const spelledForms = (value: string): Array<string> => {
  if (value.length < derivedMinLength) return []
  const hex = Buffer.from(value).toString("hex")
  const characters = value.split("")
  return [
    hex,
    hex.toUpperCase(),
    JSON.stringify(characters).slice(1, -1),
    characters.join(","),
    characters.map((c) => inspect(c)).join(", "),
    ...codeLists(value).flatMap((codes) => [codes.join(","), codes.join(", ")])
  ]
}

// A secret as numbers: its char codes and its UTF-8 bytes (`[...s].map((c) => c.charCodeAt(0))`, `[...Buffer.from(s)]`),
// of it as written, lower- and upper-cased.
const codeLists = (value: string): Array<ReadonlyArray<number>> => {
  const lists = [value, value.toLowerCase(), value.toUpperCase()].flatMap((cased) => [
    Array.from({ length: cased.length }, (_, i) => cased.charCodeAt(i)),
    [...Buffer.from(cased)]
  ])
  return [...new Map(lists.map((codes) => [codes.join(","), codes])).values()]
}

// base64 and base64url (unpadded), as they encode a secret alone and, for one of 8 characters or more, one or two bytes
// into a group: the whole groups of its bytes, which no text before or after it changes. More than legacy-rules'
// scrubber builds (its own is internal to the Action, kept small for the Action's size limit): it has the padded base64
// of the secret alone and the whole groups one or two bytes in, not the whole groups of the secret alone nor any
// base64url form.
const base64Forms = (value: string): Array<string> => {
  const out: Array<string> = []
  const bytes = Buffer.byteLength(value)
  for (let shift = 0; shift < 3; shift++) {
    if (shift > 0 && value.length < derivedMinLength) break
    const base64 = Buffer.from("\0".repeat(shift) + value).toString("base64")
    const groups = base64.slice(shift === 0 ? 0 : 4, 4 * Math.floor((shift + bytes) / 3))
    for (const form of shift === 0 ? [base64, groups] : [groups]) {
      out.push(form, form.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""))
    }
  }
  return out.filter((form) => form.length >= 4)
}

// What the WHATWG URL parser (`new URL`, `fetch`) percent-encodes of a secret where a URL holds it, besides what it always
// encodes (controls, space and what is not ASCII: its UTF-8 bytes): a query's (an http(s) one's also `'`), a fragment's,
// a path's (Node's; the spec's also `^`), and a username's or password's. It leaves the rest as written (`@`, `!` in a
// query), where encodeURIComponent and a form body encode them: `?key=P@ss w0rd!` is sent as `?key=P@ss%20w0rd!`.
const urlEncodeSets = [`"#<>`, `"#<>'`, `"<>\``, `"#<>?\`{}`, `"#<>?\`{}^`, `"#<>?\`{}^/:;=@[\\]|`]

// A character's UTF-8 bytes as `%XX`.
const percentEncoded = (c: string): string =>
  Array.from(Buffer.from(c), (byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`).join("")

// A secret as the URL parser writes it in each part of a URL (urlEncodeSets).
const urlForms = (value: string): Array<string> =>
  urlEncodeSets.map((set) =>
    Array.from(value, (c) => c <= " " || c > "~" || set.includes(c) ? percentEncoded(c) : c).join("")
  )

// The mark of a line the Action's logger cut (`rulefx` lines, at 256 characters), at the end of a text or of one of
// its lines.
const cut = /…(?=\r?\n|$)/g

// Each form of each secret, with the marker that replaces it, longest first (so that a secret that contains another is
// replaced whole).
type Forms = ReadonlyArray<readonly [form: string, marker: string]>

const longestFirst = ([x]: readonly [string, string], [y]: readonly [string, string]) => y.length - x.length

// The secrets' forms in text; (`spelled`) those of derivedMinLength or more, as an array's strings may spell them;
// (`caseless`) each of those secrets' forms as one pattern matching in any case (a secret lower-cased into an api
// method's name, a URL's host); (`coded`) those secrets' char codes, as an array's numbers may spell them.
interface Known {
  readonly forms: Forms
  readonly spelled: Forms
  readonly caseless: ReadonlyArray<readonly [pattern: RegExp, marker: string]>
  readonly coded: ReadonlyArray<readonly [codes: ReadonlyArray<number>, marker: string]>
}

// One secret's forms as a pattern of any case, its longest forms first (so that each is replaced whole).
const caselessOf = (forms: ReadonlyArray<string>): RegExp =>
  new RegExp(forms.toSorted((x, y) => y.length - x.length).map(Text.regExpEscaped).join("|"), "gi")

const knownOf = (secrets: Readonly<Record<string, unknown>>): Known => {
  const forms: Array<readonly [string, string]> = []
  const spelled: Array<readonly [string, string]> = []
  const caseless: Array<readonly [RegExp, string, number]> = []
  const coded: Array<readonly [ReadonlyArray<number>, string]> = []
  for (const name of Object.keys(secrets)) {
    const value = secrets[name]
    if (typeof value !== "string" || value.length < 4 || isPlainUrl(value)) continue
    if (value.length >= derivedMinLength) {
      spelled.push([value, `[secret ${name}]`])
      coded.push(...codeLists(value).map((codes) => [codes, `[secret ${name}]`] as const))
    }
    const formBody = new URLSearchParams([["", value]]).toString().slice(1)
    // A secret of several lines (a PEM key) is also replaced line by line: util.inspect prints it in an object as one
    // quoted segment per line.
    const lines = value.includes("\n") ? value.split(/\r?\n/).filter((line) => line.length >= 4) : []
    const all = [
      value,
      encodeURIComponent(value),
      formBody,
      ...urlForms(value),
      JSON.stringify(value).slice(1, -1),
      value.replace(/\s+/g, " "),
      ...base64Forms(value),
      ...spelledForms(value),
      ...lines
    ]
    for (const form of new Set(all)) {
      forms.push([form, `[secret ${name}]`])
    }
    if (value.length >= derivedMinLength) caseless.push([caselessOf(all), `[secret ${name}]`, value.length])
  }
  return {
    forms: forms.toSorted(longestFirst),
    spelled: spelled.toSorted(longestFirst),
    caseless: caseless.toSorted((x, y) => y[2] - x[2]).map(([pattern, marker]) => [pattern, marker] as const),
    coded: coded.toSorted(([x], [y]) => y.length - x.length)
  }
}

// What a cut line ends with of a secret: the longest start of a form before the cut (shorter than the form: a whole
// one is replaced already), as its marker, or dropped under 4 characters. Only the positions in the form's reach that
// hold its first character are tried, longest first, so a form costs one pass over as many characters as it has.
const tail = (forms: Forms, before: string): string => {
  let best = 0
  let marker = ""
  for (const [form, name] of forms) {
    for (let p = Math.max(0, before.length - form.length + 1); p < before.length - best; p++) {
      if (before[p] === form[0] && form.startsWith(before.slice(p))) {
        best = before.length - p
        marker = name
        break
      }
    }
  }
  return before.slice(0, before.length - best) + (best >= 4 ? marker : "")
}

// A text with what each cut line ends with of a secret replaced (`tail`).
const untail = (forms: Forms, s: string): string => {
  let out = ""
  let from = 0
  for (const match of s.matchAll(cut)) {
    out += tail(forms, s.slice(from, match.index))
    from = match.index
  }
  return out + s.slice(from)
}

// A text with each secret's forms replaced: those of a secret of derivedMinLength or more in any case, the others as
// written; then a cut line's tail (`untail`).
const text = ({ caseless, forms }: Known, s: string): string =>
  untail(
    forms,
    forms.reduce(
      (out, [form, marker]) => out.replaceAll(form, marker),
      caseless.reduce((out, [pattern, marker]) => out.replace(pattern, marker), s)
    )
  )

// Where `secret` is spelled across two or more neighbouring strings of `items`: the first and last index it spans, and
// what is left of those two strings before and after it; undefined if nowhere.
const spanOf = (items: ReadonlyArray<unknown>, secret: string) => {
  let run = ""
  const starts: Array<number> = []
  for (let i = 0; i <= items.length; i++) {
    const item = items[i]
    if (typeof item === "string") {
      starts.push(run.length)
      run += item
      continue
    }
    const first = i - starts.length
    for (let at = run.indexOf(secret); at !== -1; at = run.indexOf(secret, at + 1)) {
      const from = starts.findLastIndex((start) => start <= at)
      const to = starts.findLastIndex((start) => start < at + secret.length)
      if (from === to) continue
      const before = (items[first + from] as string).slice(0, at - starts[from]!)
      const after = (items[first + to] as string).slice(at + secret.length - starts[to]!)
      return { from: first + from, to: first + to, before, after }
    }
    run = ""
    starts.length = 0
  }
  return undefined
}

// An array with each secret spelled across several of its strings (`secret.split("")`, chunks of it) made one string,
// the marker where the secret was.
const respelled = (spelled: Forms, items: ReadonlyArray<unknown>): ReadonlyArray<unknown> => {
  let out = items
  for (const [secret, marker] of spelled) {
    for (let span = spanOf(out, secret); span !== undefined; span = spanOf(out, secret)) {
      out = out.toSpliced(span.from, span.to - span.from + 1, span.before + marker + span.after)
    }
  }
  return out
}

// An ASCII letter's code in lower case (a secret's codes are matched in any case, as its text is).
const folded = (code: unknown): unknown => typeof code === "number" && code >= 65 && code <= 90 ? code + 32 : code

// Where `codes` are spelled as neighbouring numbers of `items`, in any case: the index of the first, or -1.
const codesAt = (items: ReadonlyArray<unknown>, codes: ReadonlyArray<number>): number => {
  for (let i = 0; i + codes.length <= items.length; i++) {
    if (codes.every((code, j) => folded(items[i + j]) === folded(code))) return i
  }
  return -1
}

// An array with each secret spelled in its numbers (char codes, UTF-8 bytes: `[...Buffer.from(secret)]`) made the
// marker where they were.
const recoded = (coded: Known["coded"], items: ReadonlyArray<unknown>): ReadonlyArray<unknown> => {
  let out = items
  for (const [codes, marker] of coded) {
    for (let at = codesAt(out, codes); at !== -1; at = codesAt(out, codes)) {
      out = out.toSpliced(at, codes.length, marker)
    }
  }
  return out
}

// A copy of `value` with its strings scrubbed, at any depth. `path`: the objects above this one; one of them again (a
// cyclic claim) is shown as `[cycle]`, not walked forever; an object below Depth.maxDepth of them as a marker, not
// walked into a stack overflow.
const deep = (known: Known, value: unknown, path: ReadonlySet<object> = new Set()): unknown => {
  if (typeof value === "string") return text(known, value)
  if (typeof value === "object" && value !== null && path.has(value)) return "[cycle]"
  if (typeof value === "object" && value !== null && path.size >= Depth.maxDepth) {
    return `[nested deeper than ${Depth.maxDepth} levels]`
  }
  const below = typeof value === "object" && value !== null ? new Set([...path, value]) : path
  if (Array.isArray(value)) {
    return recoded(known.coded, respelled(known.spelled, value)).map((v) => deep(known, v, below))
  }
  // A typed array (bytes) as the array of its numbers, which may spell a secret.
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return deep(known, Array.from(value as Uint8Array), path)
  }
  if (typeof value === "object" && value !== null && isRecord(value)) {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value)) {
      Object.defineProperty(out, text(known, key), {
        value: deep(known, (value as Record<string, unknown>)[key], below),
        enumerable: true,
        writable: true,
        configurable: true
      })
    }
    return out
  }
  // Another realm's object (a legacy rule's, which `rulefx migrate` runs in its own), one without a prototype, or a
  // class's (a URL): the report shows its JSON, so that is what is scrubbed.
  if (typeof value === "object" && value !== null) {
    try {
      const json = JSON.stringify(value)
      return json === undefined ? value : deep(known, JSON.parse(json), below)
    } catch {
      return text(known, String(value))
    }
  }
  return value
}

/** The scrubber of a run whose secrets are `secrets` (values that are not strings are left out). */
export const scrubberOf = (secrets: Readonly<Record<string, unknown>>): Scrub => {
  const known = knownOf(secrets)
  // Walked even without secrets: the copy has no cycles, which the report (JSON) could not show.
  return (value) => deep(known, value) as typeof value
}
