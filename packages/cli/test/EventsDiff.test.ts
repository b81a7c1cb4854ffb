/**
 * Issue 13's done-when, end to end through the command line: `rulefx events --from-tenant` against the fake tenant
 * (on 127.0.0.1), then `rulefx diff` of the seed Action (examples/seller-login) against itself, which passes, and
 * against a copy with one rule changed (SetRoles writes its claim under another name), which finds the change on the
 * logins it touches and only on those.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Bundle from "@rulefx/cli/Bundle"
import type * as Diff from "@rulefx/cli/Diff"
import * as ManagementServer from "@rulefx/testing/ManagementServer"
import * as SellerServer from "@rulefx/testing/SellerServer"
import { execFile } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { claims, intercomSecret } from "./utils/Seed.ts"

const seedFolder = fileURLToPath(new URL("../../../examples/seller-login", import.meta.url))
const bin = fileURLToPath(new URL("../bin/workspace.js", import.meta.url))
const renamedRoles = "https://example.com/role_list"

let dir = ""
let seed = ""
let changed = ""
let tenant: ManagementServer.ManagementServer
let seller: SellerServer.SellerServer

const identity = (id: string) => [{
  connection: "Username-Password-Authentication",
  provider: "auth0",
  user_id: id,
  isSocial: false
}]

// A seller (the seller API knows them), a user without a seller and a role the application does not admit.
const users = [
  { user_id: "auth0|seller", email: "ada@shop.example", app_metadata: { sellerId: "seller-1", roles: ["ADMIN"] } },
  { user_id: "auth0|plain", email: "bob@example.com", app_metadata: {} },
  { user_id: "auth0|guest", email: "gus@example.com", app_metadata: { roles: ["GUEST"] } }
].map((u) =>
  Object.assign(u, {
    email_verified: true,
    created_at: "2024-01-01T00:00:00.000Z",
    updated_at: "2026-01-01T00:00:00.000Z",
    user_metadata: {},
    logins_count: 7,
    identities: identity(u.user_id.slice("auth0|".length))
  })
)

interface Output {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const rulefx = (env: Record<string, string>, ...args: ReadonlyArray<string>): Promise<Output> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: dir, timeout: 60_000, env: { ...process.env, NO_COLOR: "1", ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr })
    )
  })

const show = (output: Output) => `exit ${output.code}\n--- stdout\n${output.stdout}\n--- stderr\n${output.stderr}`

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rulefx-events-diff-"))
  seed = join(dir, "seed", "action.js")
  changed = join(dir, "changed", "action.js")
  const source = readFileSync(join(seedFolder, "src", "action.ts"), "utf8")
  const variant = source.replace("SetRoles.make()", `SetRoles.make({ claim: ${JSON.stringify(renamedRoles)} })`)
  if (variant === source) throw new Error("the seed Action no longer has SetRoles.make(): update this test's change")
  const entry = join(dir, "changed.ts")
  writeFileSync(entry, variant.replaceAll("\"./", `"${join(seedFolder, "src")}/`))
  mkdirSync(join(dir, "seed"), { recursive: true })
  await Promise.all([
    Bundle.build({ entry: join(seedFolder, "src", "action.ts"), outfile: seed }),
    Bundle.build({ entry, outfile: changed, resolveFrom: [seedFolder] })
  ])
  seller = await SellerServer.start({
    "seller-1": SellerServer.seller("seller-1", "ada@shop.example", "Ada's Shop")
  })
  tenant = await ManagementServer.start({
    users,
    clients: [
      { client_id: "cli_shop", name: "Shop", app_type: "spa", client_metadata: { allowed_roles: "USER, ADMIN" } },
      { client_id: "cli_all", name: "All Applications", global: true, client_secret: "never-this" }
    ],
    connections: [{ id: "con_db", name: "Username-Password-Authentication", strategy: "auth0" }]
  })
}, 120_000)

afterAll(async () => {
  await seller?.close()
  await tenant?.close()
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

describe("rulefx events --from-tenant, then rulefx diff", () => {
  it("the unchanged pair passes; the changed rule is found on the logins it touches, and only there", async () => {
    const made = await rulefx(
      {
        AUTH0_DOMAIN: "acme.eu.auth0.com",
        AUTH0_CLIENT_ID: "client-id",
        AUTH0_CLIENT_SECRET: "client-secret",
        RULEFX_AUTH0_BASE_URL: tenant.url
      },
      "events",
      "--from-tenant",
      "--out",
      "events",
      "--users",
      "3"
    )
    assert.strictEqual(made.code, 0, show(made))
    const events = join(dir, "events", "events.jsonl")
    const secrets = join(dir, "secrets.env")
    writeFileSync(secrets, `SELLER_API_URL=${seller.url}\nINTERCOM_SECRET=${intercomSecret}\n`)
    const [same, differs] = await Promise.all([
      rulefx({}, "diff", seed, seed, "--events", events, "--secrets", secrets, "--json"),
      rulefx({}, "diff", seed, changed, "--events", events, "--secrets", secrets, "--json")
    ])
    assert.strictEqual(same.code, 0, show(same))
    const unchanged = JSON.parse(same.stdout) as Diff.Report
    assert.deepStrictEqual([unchanged.events, unchanged.same, unchanged.differ], [3, 3, 0])
    assert.deepStrictEqual(unchanged.results.map((r) => [r.name, r.a.outcome]), [
      ["auth0|seller @ Shop", "allowed"],
      ["auth0|plain @ Shop", "allowed"],
      ["auth0|guest @ Shop", "denied"]
    ])
    assert.strictEqual(differs.code, 1, show(differs))
    const report = JSON.parse(differs.stdout) as Diff.Report
    assert.deepStrictEqual([report.events, report.same, report.differ], [3, 1, 2])
    assert.deepStrictEqual(report.results.map((r) => [r.name, r.differences]), [
      ["auth0|seller @ Shop", [
        { path: `claims.access.${claims.roles}`, a: ["ADMIN"] },
        { path: `claims.access.${renamedRoles}`, b: ["ADMIN"] }
      ]],
      ["auth0|plain @ Shop", [
        { path: `claims.access.${claims.roles}`, a: ["USER"] },
        { path: `claims.access.${renamedRoles}`, b: ["USER"] }
      ]],
      ["auth0|guest @ Shop", []]
    ])
  }, 120_000)
})
