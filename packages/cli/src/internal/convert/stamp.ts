/**
 * The last line convert adds to each file it writes (a module, its test, the facts module): the hash of the lines
 * above it, and which kind of file it is. A file whose stamp still matches is as convert wrote it, and convert may
 * replace it with a file of the same kind (the rule changed, or rulefx did); one whose stamp does not match was edited
 * (TODOs rewritten by hand), and convert leaves it alone unless forced (the facts module: never). A file of the other
 * kind is never replaced: a rule's module is not the facts module, nor the other way round. At the end, not the top,
 * so the lines TypeScript reports are the module's own.
 */
import { createHash } from "node:crypto"

/** A rule's module or its test (`file`), or the facts module (`facts`). */
export type Kind = "file" | "facts"

const prefixes: Readonly<Record<Kind, string>> = {
  file: "// rulefx convert wrote this file; it replaces it only while this line matches: sha256:",
  facts: "// rulefx convert wrote this facts module; it replaces it only while this line matches: sha256:"
}

const hash = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 16)

/** `text` (ending in a newline) with its stamp as the last line. */
export const add = (text: string, kind: Kind = "file"): string => `${text}${prefixes[kind]}${hash(text)}\n`

// Whether `text` ends with the stamp of `kind` over the lines above it.
const stamped = (text: string, kind: Kind): boolean => {
  const at = text.lastIndexOf(prefixes[kind])
  return at >= 0 && text.slice(at) === `${prefixes[kind]}${hash(text.slice(0, at))}\n`
}

/** The kind of a file as convert wrote it (its last line is the stamp of the lines above it), or undefined. */
export const kindOf = (text: string): Kind | undefined =>
  stamped(text, "facts") ? "facts" : stamped(text, "file") ? "file" : undefined
