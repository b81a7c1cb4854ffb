/**
 * `rulefx deploy` for the triggers other than post-login, against the fake tenant: the trigger is read from the
 * file's handler (or given), its version from the tenant's trigger list (`GET /api/v2/actions/triggers`), and only
 * that trigger's bindings are read and written.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Deploy from "@rulefx/cli/Deploy"
import * as ManagementServer from "@rulefx/testing/ManagementServer"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const clientSecret = "deploy-triggers-client-secret"
const dir = mkdtempSync(join(tmpdir(), "rulefx-deploy-triggers-"))
const file = (name: string, code: string) => {
  const path = join(dir, name)
  writeFileSync(path, code)
  return path
}
const m2m = file("m2m.js", `"use strict";exports.onExecuteCredentialsExchange = async (event, api) => {};\n`)
const signup = file("signup.js", `"use strict";module.exports={onExecutePreUserRegistration:async()=>{}};\n`)
const email = file("email.js", `"use strict";exports.onExecuteCustomEmailProvider = async (event, api) => {};\n`)
const both = file(
  "both.js",
  `"use strict";exports.onExecutePostLogin = async () => {};exports.onExecuteCredentialsExchange = async () => {};\n`
)

const tenant = (options: ManagementServer.Options = {}) =>
  ManagementServer.scoped({ clientId: "client-id", clientSecret, build: { _tag: "Built", polls: 1 }, ...options })

const deploy = (server: ManagementServer.ManagementServer, overrides: Partial<Deploy.Options>) =>
  Deploy.run({
    file: m2m,
    name: "m2m-scopes",
    secrets: {},
    dependencies: [],
    dryRun: false,
    credentials: { domain: "example.eu.auth0.com", clientId: "client-id", clientSecret: Redacted.make(clientSecret) },
    baseUrl: server.url,
    pollInterval: "5 millis",
    buildTimeout: "5 seconds",
    ...overrides
  })

const body = (server: ManagementServer.ManagementServer, method: string, path: string) =>
  server.requests().find((r) => r.method === method && r.path.split("?")[0] === path)?.body as
    | Record<string, unknown>
    | undefined

describe("Deploy.run for other triggers", () => {
  it.live("credentials-exchange: the trigger from the file, v2 from the tenant, bound to its own flow only", () =>
    Effect.gen(function*() {
      const server = yield* tenant({
        actions: [{
          id: "act_login",
          name: "login",
          code: "old",
          runtime: "node22",
          supported_triggers: [{ id: "post-login", version: "v3" }],
          dependencies: [],
          secrets: [],
          deployedVersions: 1
        }],
        bindings: { "post-login": [{ actionId: "act_login", display_name: "login" }] }
      })
      const report = yield* deploy(server, {})
      assert.deepStrictEqual(ManagementServer.calls(server), [
        "POST /oauth/token",
        "GET /api/v2/actions/triggers",
        "GET /api/v2/actions/actions",
        "POST /api/v2/actions/actions",
        "GET /api/v2/actions/actions/act_1",
        "GET /api/v2/actions/actions/act_1",
        "POST /api/v2/actions/actions/act_1/deploy",
        "GET /api/v2/actions/triggers/credentials-exchange/bindings",
        "PATCH /api/v2/actions/triggers/credentials-exchange/bindings"
      ])
      assert.deepStrictEqual(body(server, "POST", "/api/v2/actions/actions")?.["supported_triggers"], [
        { id: "credentials-exchange", version: "v2" }
      ])
      assert.deepStrictEqual(report.trigger, { id: "credentials-exchange", version: "v2" })
      assert.deepStrictEqual(server.bindings("credentials-exchange").map((b) => b.display_name), ["m2m-scopes"])
      assert.deepStrictEqual(server.bindings("post-login").map((b) => b.display_name), ["login"])
      assert.include(Deploy.render(report), "trigger credentials-exchange v2")
    }))

  it.live("the version is the tenant's CURRENT one, not a constant", () =>
    Effect.gen(function*() {
      const server = yield* tenant({
        triggers: [
          { id: "pre-user-registration", version: "v2", status: "DEPRECATED" },
          { id: "pre-user-registration", version: "v3", status: "CURRENT" }
        ]
      })
      const report = yield* deploy(server, { file: signup, name: "signup" })
      assert.deepStrictEqual(body(server, "POST", "/api/v2/actions/actions")?.["supported_triggers"], [
        { id: "pre-user-registration", version: "v3" }
      ])
      assert.deepStrictEqual(report.trigger, { id: "pre-user-registration", version: "v3" })
    }))

  it.live("a tenant that lists no such trigger: InvalidConfig before anything is written", () =>
    Effect.gen(function*() {
      const server = yield* tenant({ triggers: [{ id: "post-login", version: "v3", status: "CURRENT" }] })
      const error = yield* Effect.flip(deploy(server, {}))
      assert.strictEqual(error.reason, "InvalidConfig")
      assert.include(error.message, "the tenant lists no credentials-exchange trigger")
      assert.deepStrictEqual(ManagementServer.writes(server), [])
    }))

  it.live("a file for two triggers, or --trigger naming another than the file's handler: refused, no request", () =>
    Effect.gen(function*() {
      const server = yield* tenant()
      const twice = yield* Effect.flip(deploy(server, { file: both }))
      assert.strictEqual(twice.reason, "InvalidFile")
      assert.include(twice.message, "several triggers (post-login, credentials-exchange)")
      const mismatch = yield* Effect.flip(deploy(server, { trigger: "post-login" }))
      assert.include(mismatch.message, "exports onExecuteCredentialsExchange, the handler of credentials-exchange")
      const unknown = yield* Effect.flip(deploy(server, { trigger: "post-logout" }))
      assert.strictEqual(unknown.reason, "InvalidConfig")
      assert.deepStrictEqual(server.requests(), [])
    }))

  it.live("a dry run reads the trigger list too, and writes nothing", () =>
    Effect.gen(function*() {
      const server = yield* tenant()
      const report = yield* deploy(server, { dryRun: true })
      assert.deepStrictEqual(ManagementServer.calls(server), [
        "POST /oauth/token",
        "GET /api/v2/actions/triggers",
        "GET /api/v2/actions/actions",
        "GET /api/v2/actions/triggers/credentials-exchange/bindings"
      ])
      assert.deepStrictEqual(report.trigger, { id: "credentials-exchange", version: "v2" })
    }))

  it.live("custom-email-provider: the trigger from the file, v1 from the tenant's list, bound to its own flow only", () =>
    Effect.gen(function*() {
      const server = yield* tenant({})
      const report = yield* deploy(server, { file: email, name: "email-provider" })
      assert.deepStrictEqual(body(server, "POST", "/api/v2/actions/actions")?.["supported_triggers"], [
        { id: "custom-email-provider", version: "v1" }
      ])
      assert.deepStrictEqual(report.trigger, { id: "custom-email-provider", version: "v1" })
      assert.isTrue(ManagementServer.calls(server).includes("GET /api/v2/actions/triggers"))
      assert.deepStrictEqual(server.bindings("custom-email-provider").map((b) => b.display_name), ["email-provider"])
      assert.deepStrictEqual(server.bindings("post-login"), [])
      assert.include(Deploy.render(report), "trigger custom-email-provider v1")
    }))
})
