/**
 * The last line convert adds to each file it writes (a module, its test, the facts module): the hash of the lines
 * above it, and which kind of file it is. A file whose stamp still matches is as convert wrote it, and convert may
 * replace it with a file of the same kind (the rule changed, or rulefx did); one whose stamp does not match was edited
 * (TODOs rewritten by hand), and convert leaves it alone unless forced (the facts module: never). A file of another
 * kind is never replaced: a rule's module is not another rule's test (a rule named `a.differential.test`), nor the
 * facts module, nor the other way round. At the end, not the top,
 * so the lines TypeScript reports are the module's own.
 */
import { createHash } from "node:crypto"

/** A rule's module, its test, or the facts module. */
export type Kind = "module" | "test" | "facts"

const prefixes: Readonly<Record<Kind, string>> = {
  module: "// rulefx convert wrote this module; it replaces it only while this line matches: sha256:",
  test: "// rulefx convert wrote this test; it replaces it only while this line matches: sha256:",
  facts: "// rulefx convert wrote this facts module; it replaces it only while this line matches: sha256:"
}

// The stamp of earlier versions on a rule's module or test alike: either kind may replace such a file.
const either = "// rulefx convert wrote this file; it replaces it only while this line matches: sha256:"

const hash = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 16)

/** `text` (ending in a newline) with its stamp as the last line. */
export const add = (text: string, kind: Kind): string => `${text}${prefixes[kind]}${hash(text)}\n`

// Whether `text` ends with the stamp `prefix` over the lines above it.
const stamped = (text: string, prefix: string): boolean => {
  const at = text.lastIndexOf(prefix)
  return at >= 0 && text.slice(at) === `${prefix}${hash(text.slice(0, at))}\n`
}

/**
 * The kinds a file convert wrote may be replaced by (its last line is the stamp of the lines above it): its own, or a
 * module's and a test's for a file an earlier version stamped; empty when it is not as convert wrote it.
 */
export const kindsOf = (text: string): ReadonlyArray<Kind> => {
  const own = (Object.keys(prefixes) as Array<Kind>).find((kind) => stamped(text, prefixes[kind]))
  return own !== undefined ? [own] : stamped(text, either) ? ["module", "test"] : []
}
