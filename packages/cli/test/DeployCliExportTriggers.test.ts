/**
 * `rulefx export` for the triggers other than post-login: the trigger read from the file's handler (or given), its
 * version, and the binding added to that trigger's list only.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import * as DeployCliExport from "@rulefx/cli/DeployCliExport"
import * as Effect from "effect/Effect"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const root = mkdtempSync(join(tmpdir(), "rulefx-export-triggers-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

let count = 0
const action = (code: string) => {
  const path = join(root, `action-${count++}.js`)
  writeFileSync(path, code)
  return path
}
const readJson = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, "utf8"))

const handlers: ReadonlyArray<readonly [string, string, string]> = [
  ["onExecuteCredentialsExchange", "credentials-exchange", "v2"],
  ["onExecutePreUserRegistration", "pre-user-registration", "v2"],
  ["onExecutePostUserRegistration", "post-user-registration", "v2"],
  ["onExecutePostChangePassword", "post-change-password", "v2"],
  ["onExecuteSendPhoneMessage", "send-phone-message", "v2"],
  ["onExecutePostChallenge", "password-reset-post-challenge", "v1"],
  ["onExecuteCustomPhoneProvider", "custom-phone-provider", "v1"],
  ["onExecuteCustomEmailProvider", "custom-email-provider", "v1"],
  ["onExecuteCustomTokenExchange", "custom-token-exchange", "v1"],
  ["onExecutePostLogin", "post-login", "v3"]
]

describe("DeployCliExport.write per trigger", () => {
  it.effect("each trigger's handler gives its trigger and version in supported_triggers, and its own bindings", () =>
    Effect.gen(function*() {
      for (const [handler, id, version] of handlers) {
        const out = join(root, `tenant-${id}`)
        mkdirSync(join(out, "triggers"), { recursive: true })
        const others = { "post-login": [{ action_name: "login", display_name: "login" }] }
        writeFileSync(join(out, "triggers", "triggers.json"), JSON.stringify(others))
        const report = yield* DeployCliExport.write({
          file: action(`"use strict";exports.${handler}=async()=>{};\n`),
          name: "mine",
          out
        })
        assert.deepStrictEqual(report.trigger, { id, version }, handler)
        assert.deepStrictEqual(readJson(join(out, "actions", "mine.json"))["supported_triggers"], [{ id, version }])
        const triggers = readJson(join(out, "triggers", "triggers.json"))
        const mine = { action_name: "mine", display_name: "mine" }
        assert.deepStrictEqual(
          triggers,
          id === "post-login" ? { "post-login": [...others["post-login"], mine] } : { ...others, [id]: [mine] }
        )
      }
    }))

  it.effect("--trigger-version overrides; --trigger naming another trigger than the file's handler is refused", () =>
    Effect.gen(function*() {
      const file = action(`"use strict";module.exports={onExecuteCredentialsExchange:async()=>{}};\n`)
      const out = join(root, "tenant-version")
      const report = yield* DeployCliExport.write({ file, name: "m2m", out, triggerVersion: "v3", bind: true })
      assert.deepStrictEqual(report.trigger, { id: "credentials-exchange", version: "v3" })
      const error = yield* Effect.flip(DeployCliExport.write({ file, name: "m2m", out, trigger: "post-login" }))
      assert.include(error.message, "exports onExecuteCredentialsExchange, the handler of credentials-exchange")
      const twice = action(`"use strict";exports.onExecutePostLogin=1;exports.onExecuteCredentialsExchange=2;\n`)
      const both = yield* Effect.flip(DeployCliExport.write({ file: twice, name: "x", out }))
      assert.include(both.message, "several triggers")
    }))
})
