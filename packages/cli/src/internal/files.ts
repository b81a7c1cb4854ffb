import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import { readFile } from "node:fs/promises"

/** Why a file could not be read, in words for a message: "no such file" or "cannot be read". */
export type ReadProblem = "no such file" | "cannot be read"

/** Reads a UTF-8 file; a failure becomes `onError(problem)`. */
export const readText = <E>(file: string, onError: (problem: ReadProblem) => E): Effect.Effect<string, E> =>
  Effect.tryPromise({
    try: () => readFile(file, "utf8"),
    catch: (cause) =>
      onError(Predicate.hasProperty(cause, "code") && cause.code === "ENOENT" ? "no such file" : "cannot be read")
  })
