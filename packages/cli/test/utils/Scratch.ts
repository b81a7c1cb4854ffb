/**
 * A scratch folder for one test file (made before its tests, removed after them), and the files the diff tests write
 * into it: any file, a post-login Action from the body of its handler, and one minimal event.
 */
import { afterAll, beforeAll } from "@effect/vitest"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { minimalEvent } from "./Seed.ts"

/** The folder and its writers; `dir()` is the folder once the file's tests run. */
export interface Scratch {
  readonly dir: () => string
  /** Writes `text` to `name` in the folder (making the folders `name` names); its path. */
  readonly file: (name: string, text: string) => string
  /** Writes `events` to `name` in the folder, one JSON per line; its path. */
  readonly jsonl: (name: string, events: ReadonlyArray<unknown>) => string
  /** An Action whose `onExecutePostLogin` runs `execute`; its path. */
  readonly action: (name: string, execute: string) => string
  /** A `.jsonl` file of one minimal post-login event; its path. */
  readonly events: () => string
}

/** A scratch folder named from `prefix`, for the test file that calls it at its top level. */
export const scratch = (prefix: string): Scratch => {
  let dir = ""
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix))
  })
  afterAll(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true })
  })
  const file = (name: string, text: string) => {
    const path = join(dir, name)
    mkdirSync(join(path, ".."), { recursive: true })
    writeFileSync(path, text)
    return path
  }
  return {
    dir: () => dir,
    file,
    jsonl: (name, events) => file(name, events.map((event) => JSON.stringify(event)).join("\n") + "\n"),
    action: (name, execute) =>
      file(`${name}.js`, `exports.onExecutePostLogin = async (event, api) => {\n${execute}\n}\n`),
    events: () => file("one.jsonl", JSON.stringify(minimalEvent()) + "\n")
  }
}
