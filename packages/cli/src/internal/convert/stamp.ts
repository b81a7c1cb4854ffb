/**
 * The last line convert adds to each file it writes (a module, its test, the facts module): the hash of the lines
 * above it. A file whose stamp still matches is as convert wrote it, and convert may replace it (the rule changed, or
 * rulefx did); one whose stamp does not match was edited (TODOs rewritten by hand), and convert leaves it alone
 * unless forced (the facts module: never). At the end, not the top, so the lines TypeScript reports are the module's
 * own.
 */
import { createHash } from "node:crypto"

const prefix = "// rulefx convert wrote this file; it replaces it only while this line matches: sha256:"

const hash = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 16)

/** `text` (ending in a newline) with its stamp as the last line. */
export const add = (text: string): string => `${text}${prefix}${hash(text)}\n`

/** Whether `text` is a file as convert wrote it: its last line is the stamp of the lines above it. */
export const isUnedited = (text: string): boolean => {
  const at = text.lastIndexOf(prefix)
  return at >= 0 && text.slice(at) === `${prefix}${hash(text.slice(0, at))}\n`
}
