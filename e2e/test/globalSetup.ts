/**
 * Builds and packs the published packages once per run of the e2e project; its tests read the tarballs through
 * `inject("packed")`.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { TestProject } from "vitest/node"
import * as Packed from "./utils/Packed.ts"

declare module "vitest" {
  export interface ProvidedContext {
    readonly packed: ReadonlyArray<Packed.Package>
  }
}

export const setup = async (project: TestProject): Promise<() => void> => {
  const folder = mkdtempSync(join(tmpdir(), "rulefx-packed-"))
  project.provide("packed", await Packed.buildAndPack(folder))
  return () => rmSync(folder, { recursive: true, force: true })
}
