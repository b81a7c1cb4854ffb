/**
 * The README's "Both passes with `rulefx run`", as written: the built Action run through the rulefx bin on
 * events/first.json, then with `--continue` on the events scripts/answer.ts writes, accepted and refused.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Bundle from "@rulefx/cli/Bundle"
import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const cliPackage = createRequire(import.meta.url).resolve("@rulefx/cli/package.json")
const bin = join(
  dirname(cliPackage),
  (JSON.parse(readFileSync(cliPackage, "utf8")) as { readonly bin: { readonly rulefx: string } }).bin.rulefx
)

let dir = ""
let action = ""

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rulefx-consent-readme-"))
  action = join(dir, "action.js")
  await Bundle.build({ entry: join(root, "src/action.ts"), outfile: action })
}, 60_000)

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

const node = (...args: ReadonlyArray<string>): Promise<{ readonly code: number; readonly stdout: string }> =>
  new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: root, timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } }, (
      error,
      stdout
    ) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout }))
  })

const answered = async (choice: string): Promise<string> => {
  const { code, stdout } = await node("scripts/answer.ts", "events/first.json", choice)
  assert.strictEqual(code, 0)
  const path = join(dir, `${choice}.json`)
  writeFileSync(path, stdout)
  return path
}

describe("the README's two passes", () => {
  it("the first pass redirects to the consent page and keeps the terms asked", async () => {
    const { code, stdout } = await node(bin, "run", action, "--event", "events/first.json", "--expect", "allowed")
    assert.strictEqual(code, 0, stdout)
    assert.match(stdout, /^redirect +https:\/\/consent\.example\.com\/ query \{"session_token":"eyJ/m)
    assert.match(stdout, /^transaction +consent_asked = "2026-12"$/m)
  }, 60_000)

  it("--continue with the page's answer: accepted persists the consent, refused denies with its reason", async () => {
    const accepted = await node(
      bin,
      "run",
      action,
      "--event",
      await answered("accept"),
      "--continue",
      "--expect",
      "allowed"
    )
    assert.strictEqual(accepted.code, 0, accepted.stdout)
    assert.match(accepted.stdout, /^app_metadata +consent = \{"version":"2026-12","at":\d+\}$/m)
    assert.match(accepted.stdout, /^transaction +consent_asked = \(deleted\)$/m)
    const refused = await node(
      bin,
      "run",
      action,
      "--event",
      await answered("refuse"),
      "--continue",
      "--expect",
      "denied"
    )
    assert.strictEqual(refused.code, 0, refused.stdout)
    assert.match(refused.stdout, /^reason +You must accept the terms of use to sign in\.$/m)
  }, 60_000)
})
