import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import { createReadStream } from "node:fs"
import { readFile } from "node:fs/promises"
import { Readable } from "node:stream"
import { readUpTo } from "./cappedRead.ts"

/**
 * Why a file could not be read, in words for a message: "no such file" (none there, or a folder on its path is a file)
 * or "cannot be read".
 */
export type ReadProblem = "no such file" | "cannot be read"

const problemOf = (cause: unknown): ReadProblem =>
  Predicate.hasProperty(cause, "code") && (cause.code === "ENOENT" || cause.code === "ENOTDIR")
    ? "no such file"
    : "cannot be read"

/** Reads a UTF-8 file; a failure becomes `onError(problem)`. */
export const readText = <E>(file: string, onError: (problem: ReadProblem) => E): Effect.Effect<string, E> =>
  Effect.tryPromise({ try: () => readFile(file, "utf8"), catch: (cause) => onError(problemOf(cause)) })

/**
 * Reads a UTF-8 file (its text and how many bytes it held), a pipe (`<(zcat events.gz)`) or a device up to `limit` bytes: `undefined` once it goes past them
 * (it is then read no further), whatever size it declared. A failure becomes `onError(problem)`.
 */
export const readTextUpTo = <E>(
  file: string,
  limit: number,
  onError: (problem: ReadProblem) => E
): Effect.Effect<{ readonly text: string; readonly bytes: number } | undefined, E> =>
  Effect.tryPromise({
    try: () =>
      readUpTo(Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>, limit).then((bytes) =>
        bytes === undefined
          ? undefined
          : {
            text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"),
            bytes: bytes.length
          }
      ),
    catch: (cause) => onError(problemOf(cause))
  })
