/**
 * SourceMapping: maps positions in a built Action (`.../action.js:1:48213`, as a stack shows them) back to the sources
 * it was built from, through the source map `rulefx build --sourcemap` writes beside it. Behind `rulefx run`, which
 * rewrites the stack positions in an Action's log lines. Node-side only.
 *
 * The map must be the one of this very file: `rulefx build` stamps it with the file's hash, and a map left over from
 * an earlier build (or one written by another tool) is not used.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import { readFile } from "node:fs/promises"
import { SourceMap } from "node:module"
import { basename, dirname, isAbsolute, relative, resolve } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import * as Bundle from "./Bundle.ts"
import * as Text from "./internal/text.ts"

/**
 * A loaded source map of one built file.
 *
 * @category models
 * @since 0.1.0
 */
export interface Mapping {
  readonly file: string
  readonly map: SourceMap
}

/**
 * Why the map beside a file was not used, for a note; undefined when there is none to speak of.
 *
 * @category models
 * @since 0.1.0
 */
export type Skipped = "stale" | "unreadable"

/**
 * Loads `<file>.map` when it is there and was written for this file's contents. Succeeds with the mapping, with why
 * a map that is there was not used, or with undefined when there is no map.
 *
 * @category constructors
 * @since 0.1.0
 */
export const load = (file: string): Effect.Effect<Mapping | Skipped | undefined> =>
  Effect.promise(async (): Promise<Mapping | Skipped | undefined> => {
    const text = await readFile(`${file}.map`, "utf8").catch(() => undefined)
    if (text === undefined) return undefined
    try {
      const payload = JSON.parse(text) as unknown
      if (!Predicate.hasProperty(payload, Bundle.sourceMapHashField)) return "stale"
      const code = await readFile(file)
      if (payload[Bundle.sourceMapHashField] !== Bundle.contentHash(code)) return "stale"
      return {
        file: resolve(file),
        map: new SourceMap(payload as unknown as ConstructorParameters<typeof SourceMap>[0])
      }
    } catch {
      return "unreadable"
    }
  })

/**
 * Rewrites every `<file>:<line>:<column>` in `text` (the built file by any path ending in its name, or a file: URL)
 * to the source position it came from, relative to the working directory. Positions the map does not cover stay.
 *
 * @category combinators
 * @since 0.1.0
 */
export const mapText = (mapping: Mapping, text: string): string => {
  // The file's own path and URL first, whole: a folder may have a space (`/home/Ada Lovelace/...`), where the
  // any-path form would stop and leave the start of the path in the line.
  const exact = [mapping.file, pathToFileURL(mapping.file).href].map(Text.regExpEscaped).join("|")
  const position = new RegExp(
    `(?:${exact}|(?:file://)?[^\\s()'"]*${Text.regExpEscaped(basename(mapping.file))}):(\\d+):(\\d+)`,
    "g"
  )
  return text.replace(position, (whole: string, line: string, column: string) => {
    const entry = mapping.map.findEntry(Number(line) - 1, Number(column) - 1)
    if (!("originalSource" in entry) || entry.originalSource === undefined) return whole
    return `${source(mapping.file, entry.originalSource)}:${entry.originalLine + 1}:${entry.originalColumn + 1}`
  })
}

// A map's source as a path relative to the working directory (sources are relative to the map, or file: URLs).
const source = (file: string, original: string): string => {
  const path = original.startsWith("file://")
    ? fileURLToPath(original)
    : isAbsolute(original)
    ? original
    : resolve(dirname(file), original)
  return relative(process.cwd(), path) || path
}
