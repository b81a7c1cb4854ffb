/**
 * Issue 10's big tenant end to end: the generated 60-rule deploy-cli tenant (test/utils/BigTenant.ts, about 150 kB of
 * source) migrated with `rulefx migrate --runtime npm` (the workspace's bin, a separate Node process) into a lone folder
 * where @rulefx/action-runtime is npm-installed from its packed tarball. The Action's code is at most Auth0's 100,000
 * bytes; loaded with plain `require` on Node 22, it makes exactly the api calls each of the tenant's cases expects,
 * one of them through the request shim to a CRM served on 127.0.0.1. `rulefx export` of it declares the runtime at the
 * exact version. In bundled mode the same tenant is refused by the size check, before anything is built.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as ActionRuntime from "@rulefx/cli/ActionRuntime"
import * as Migrate from "@rulefx/cli/Migrate"
import * as MigrationSize from "@rulefx/cli/MigrationSize"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as Effect from "effect/Effect"
import { execFile } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs"
import type { Server } from "node:http"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import * as BigTenant from "./utils/BigTenant.ts"
import * as InstalledRuntime from "./utils/InstalledRuntime.ts"

const bin = join(InstalledRuntime.workspace, "packages", "cli", "bin", "workspace.js")

let root = ""
let installed: InstalledRuntime.Installed
let tenant: BigTenant.BigTenant
let folder = ""
let crm: Server | undefined
const asked: Array<string> = []

/** Runs `rulefx ...args` (the workspace's bin, on this Node 22) in `cwd`; never rejects. */
const rulefx = (cwd: string, ...args: ReadonlyArray<string>) =>
  new Promise<{ readonly code: number | null; readonly output: string }>((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd, timeout: InstalledRuntime.timeout, env: { ...process.env, NO_COLOR: "1" } },
      (error, stdout, stderr) => {
        resolve({
          code: error === null ? 0 : typeof error.code === "number" ? error.code : null,
          output: stdout + stderr
        })
      }
    )
  })

let migrated: { readonly code: number | null; readonly output: string }
let actionFile = ""

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "rulefx-big-npm-"))
  installed = InstalledRuntime.install(root)
  const started = await BigTenant.startCrm(asked)
  crm = started.server
  tenant = BigTenant.make({ crmUrl: started.url })
  folder = BigTenant.write(tenant, join(root, "tenant"))
  actionFile = join(installed.lone, "action.js")
  // From the lone folder, as a user runs it in their project: the runtime is found installed there.
  migrated = await rulefx(installed.lone, "migrate", folder, "-o", actionFile, "--runtime", "npm")
}, InstalledRuntime.timeout)

afterAll(() => {
  crm?.close()
  if (root !== "") rmSync(root, { recursive: true, force: true })
})

type Handler = (event: unknown, api: RecordingApi.RecordingApi) => Promise<void>

describe("the 60-rule tenant migrated with --runtime npm", { timeout: InstalledRuntime.timeout }, () => {
  it("builds: the Action's code is at most 100,000 bytes, and the report names the exact dependency", () => {
    assert.strictEqual(migrated.code, 0, migrated.output)
    assert.strictEqual(tenant.rules.length, 60)
    assert.isAtLeast(tenant.sourceBytes, 140_000)
    const bytes = statSync(actionFile).size
    assert.isAtMost(bytes, 100_000)
    assert.include(migrated.output, `${actionFile}: `)
    assert.include(migrated.output, `(${bytes} bytes), budget 100.0 kB`)
    assert.include(
      migrated.output,
      `runtime: npm; the Action must declare @rulefx/action-runtime@${installed.manifest.version} as its dependency ` +
        "(exact version)"
    )
  })

  it("requires the runtime, and no package of its own; names the runtime's exact version", () => {
    const code = readFileSync(actionFile, "utf8")
    const required = [...new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]!))].toSorted()
    // The rules' own require("crypto") and require("request") are in their source, carried as strings: the legacy
    // realm serves them (Node's crypto, the request shim), not the Action's module system.
    // The runtime's lean file (the tenant's Action imports nothing else), or the whole runtime if there is none.
    assert.deepStrictEqual(required, [
      ActionRuntime.packageName,
      `${ActionRuntime.packageName}/lean`,
      "crypto",
      "request"
    ])
    assert.notInclude(code, "effect/dist")
    assert.notInclude(code, "node_modules")
    assert.deepStrictEqual(ActionRuntime.requiredBy(code), [installed.manifest.version])
  })

  it("loaded with plain require on Node 22, makes exactly the calls each case expects, the logins overlapping", async () => {
    assert.strictEqual(process.versions.node.split(".")[0], "22")
    const action = createRequire(actionFile)(actionFile) as Record<string, Handler>
    // Every case of the fixture: allowed, denied twice, MFA, a redirect, its continue, and the CRM's.
    assert.strictEqual(tenant.cases.length, 7)
    const runs = await Promise.all(tenant.cases.map(async (c) => {
      const api = RecordingApi.make()
      await action[c.handler]!(structuredClone(c.event), api)
      return api.calls
    }))
    tenant.cases.forEach((c, i) => assert.deepStrictEqual(runs[i], c.calls, c.name))
    assert.deepStrictEqual(
      [...new Set(tenant.cases.map((c) => c.outcome))].toSorted(),
      ["allowed", "denied", "mfa", "redirect"]
    )
    assert.isTrue(asked.length > 0 && asked.every((url) => url.endsWith("/accounts/acct-0042")), asked.join(" "))
    // It ran on the runtime npm installed beside it.
    assert.include(Object.keys(createRequire(import.meta.url).cache), InstalledRuntime.leanIn(installed.lone))
  })

  it("rulefx export declares @rulefx/action-runtime at the exact version in the deploy-cli layout", async () => {
    const out = join(root, "deploy-cli")
    const exported = await rulefx(installed.lone, "export", actionFile, "--name", "big-tenant", "--out", out)
    assert.strictEqual(exported.code, 0, exported.output)
    const entry = JSON.parse(readFileSync(join(out, "actions", "big-tenant.json"), "utf8")) as {
      readonly dependencies: unknown
    }
    assert.deepStrictEqual(entry.dependencies, [
      { name: ActionRuntime.packageName, version: installed.manifest.version }
    ])
    assert.strictEqual(
      readFileSync(join(out, "actions", "big-tenant", "code.js"), "utf8"),
      readFileSync(actionFile, "utf8")
    )
  })
})

describe("rulefx migrate --runtime npm, other modes", { timeout: InstalledRuntime.timeout }, () => {
  it("--dry-run checks the size with the runtime out of the Action: the tenant passes, nothing written", async () => {
    const out = join(root, "dry", "action.js")
    const dry = await rulefx(installed.lone, "migrate", folder, "--dry-run", "--runtime", "npm", "-o", out)
    assert.strictEqual(dry.code, 0, dry.output)
    assert.match(dry.output, /^rules in /)
    assert.notInclude(dry.output, "would not be built")
    assert.isFalse(existsSync(dirname(out)))
  })

  it("--emit-rules writes no Action, so --runtime npm with it is refused", async () => {
    const file = join(root, "emitted", "legacy-rules.cjs")
    const emitted = await rulefx(installed.lone, "migrate", folder, "--emit-rules", file, "--runtime", "npm")
    assert.strictEqual(emitted.code, 2, emitted.output)
    assert.include(emitted.output, "--emit-rules writes no Action")
    assert.isFalse(existsSync(file))
  })
})

describe("the same tenant with the runtime bundled", { timeout: InstalledRuntime.timeout }, () => {
  it.effect("is refused by the size check before anything is built, --runtime npm named as the way out", () =>
    Effect.gen(function*() {
      const out = join(root, "bundled", "action.js")
      const error = yield* Effect.flip(Migrate.migrate(folder, out))
      const text = error.reason.slice(error.reason.indexOf("the Action was not built"))
      assert.match(
        text,
        /^the Action was not built: its rules and rulefx's legacy runtime \(with the request shim\) cannot fit/
      )
      assert.include(text, "total (60 rules)")
      assert.include(text, MigrationSize.waysOut.runtimeNpm)
      assert.isFalse(existsSync(dirname(out)))
    }))
})
