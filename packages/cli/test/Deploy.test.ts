import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as ActionRuntime from "@rulefx/cli/ActionRuntime"
import * as Bundle from "@rulefx/cli/Bundle"
import * as Deploy from "@rulefx/cli/Deploy"
import * as ManagementServer from "@rulefx/testing/ManagementServer"
import * as Cause from "effect/Cause"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

// These tests talk to a real HTTP server and the deploy sleeps between build polls and rate-limit retries, so they
// run with live time (it.live); every wait is kept to milliseconds, except the one that checks a 1 s retry-after.

const secretValue = "sk-live-0123456789abcdef"
const clientSecret = "cs-0123456789abcdef-client"
const code = "exports.onExecutePostLogin = async (event, api) => {}\n"
const domain = "tenant.example.auth0.com"

let dir = ""
let actionFile = ""

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "rulefx-deploy-"))
  actionFile = join(dir, "action.js")
  writeFileSync(actionFile, code)
})

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

const tenant = (options: ManagementServer.Options = {}) =>
  ManagementServer.scoped({ clientId: "client-id", clientSecret, build: { _tag: "Built", polls: 2 }, ...options })

const stored = (id: string, name: string, deployedVersions = 1) => ({
  id,
  name,
  code: "old",
  runtime: "node22",
  supported_triggers: [{ id: "post-login", version: "v3" }],
  dependencies: [],
  secrets: [{ name: "OLD", value: "old-value" }],
  deployedVersions
})

/** Runs a deploy against `server` and returns its outcome and every progress line. */
const deploy = (server: ManagementServer.ManagementServer, overrides: Partial<Deploy.Options> = {}) => {
  const lines: Array<string> = []
  return Deploy.run({
    file: actionFile,
    name: "seller-login",
    secrets: { SELLER_API_KEY: Redacted.make(secretValue) },
    dependencies: [{ name: "jsonwebtoken", version: "9.0.2" }],
    dryRun: false,
    credentials: { domain, clientId: "client-id", clientSecret: Redacted.make(clientSecret) },
    baseUrl: server.url,
    pollInterval: "5 millis",
    buildTimeout: "5 seconds",
    onProgress: (line) => lines.push(line),
    ...overrides
  }).pipe(Effect.exit, Effect.map((exit) => ({ exit, lines })))
}

const success = <A, E>(outcome: { readonly exit: Exit.Exit<A, E> }): A =>
  Exit.isSuccess(outcome.exit)
    ? outcome.exit.value
    : assert.fail(`expected a success, got ${Cause.pretty(outcome.exit.cause)}`)

const failure = (outcome: { readonly exit: Exit.Exit<unknown, Deploy.DeployError> }): Deploy.DeployError => {
  if (Exit.isSuccess(outcome.exit)) return assert.fail("expected a DeployError, got a success")
  const error = Cause.findErrorOption(outcome.exit.cause)
  if (error._tag === "None") return assert.fail(`expected a DeployError, got ${Cause.pretty(outcome.exit.cause)}`)
  assert.instanceOf(error.value, Deploy.DeployError)
  return error.value
}

/** No secret value and no client secret in an error message or a progress line. */
const assertNoLeak = (texts: ReadonlyArray<string>) => {
  for (const text of texts) {
    assert.notInclude(text, secretValue)
    assert.notInclude(text, clientSecret)
  }
}

const pathOf = (r: ManagementServer.Request) => r.path.split("?")[0]
const body = (server: ManagementServer.ManagementServer, method: string, path: string) =>
  server.requests().find((r) => r.method === method && pathOf(r) === path)?.body
const bindingsPath = "/api/v2/actions/triggers/post-login/bindings"

/** The test Action padded with a comment to exactly `bytes` bytes. */
const padded = (bytes: number) => {
  const path = join(dir, `padded-${bytes}.js`)
  writeFileSync(path, code + "/".repeat(bytes - Buffer.byteLength(code)))
  return path
}

describe("Deploy.run (against a local tenant)", () => {
  it.live("creates, builds, deploys and binds a new Action, in that order", () =>
    Effect.gen(function*() {
      const server = yield* tenant({
        actions: [stored("act_rate", "rate-limit")],
        bindings: { "post-login": [{ actionId: "act_rate", display_name: "Rate limit" }] }
      })
      const outcome = yield* deploy(server)
      const report = success(outcome)
      assert.deepStrictEqual(ManagementServer.calls(server), [
        "POST /oauth/token",
        "GET /api/v2/actions/triggers",
        "GET /api/v2/actions/actions",
        "POST /api/v2/actions/actions",
        "GET /api/v2/actions/actions/act_1",
        "GET /api/v2/actions/actions/act_1",
        "GET /api/v2/actions/actions/act_1",
        "POST /api/v2/actions/actions/act_1/deploy",
        `GET ${bindingsPath}`,
        `PATCH ${bindingsPath}`
      ])
      const requests = server.requests()
      assert.deepStrictEqual(requests[0]!.body, {
        grant_type: "client_credentials",
        client_id: "client-id",
        client_secret: clientSecret,
        audience: `https://${domain}/api/v2/`
      })
      assert.include(requests[2]!.path, "actionName=seller-login")
      assert.deepStrictEqual(body(server, "POST", "/api/v2/actions/actions"), {
        name: "seller-login",
        supported_triggers: [{ id: "post-login", version: "v3" }],
        code,
        runtime: "node22",
        dependencies: [{ name: "jsonwebtoken", version: "9.0.2" }],
        secrets: [{ name: "SELLER_API_KEY", value: secretValue }]
      })
      assert.deepStrictEqual(body(server, "PATCH", bindingsPath), {
        bindings: [
          { ref: { type: "action_id", value: "act_rate" }, display_name: "Rate limit" },
          { ref: { type: "action_id", value: "act_1" }, display_name: "seller-login" }
        ]
      })
      assert.deepStrictEqual(server.bindings("post-login"), [
        { actionId: "act_rate", display_name: "Rate limit" },
        { actionId: "act_1", display_name: "seller-login" }
      ])
      assert.strictEqual(report.operation, "create")
      assert.strictEqual(report.actionId, "act_1")
      assert.strictEqual(report.version, 1)
      assert.deepStrictEqual(report.secrets, ["SELLER_API_KEY"])
      assert.strictEqual(report.bindings.change, "append")
      assert.deepStrictEqual(report.bindings.after.map((b) => [b.displayName, b.ours]), [
        ["Rate limit", false],
        ["seller-login", true]
      ])
      assert.isTrue(outcome.lines.some((l) => l.startsWith("build: building")))
      assert.isTrue(outcome.lines.some((l) => l.startsWith("build: built")))
      assertNoLeak([...outcome.lines, Deploy.render(report)])
    }))

  it.live("updates an Action found by name and appends it after every other binding, in order", () =>
    Effect.gen(function*() {
      const server = yield* tenant({
        actions: [stored("act_a", "first"), stored("act_b", "second"), stored("act_seller", "seller-login")],
        bindings: {
          "post-login": [
            { actionId: "act_a", display_name: "First (custom name)" },
            { actionId: "act_b", display_name: "Second" }
          ],
          "credentials-exchange": [{ actionId: "act_a", display_name: "elsewhere" }]
        }
      })
      const report = success(yield* deploy(server))
      assert.deepStrictEqual(ManagementServer.calls(server), [
        "POST /oauth/token",
        "GET /api/v2/actions/triggers",
        "GET /api/v2/actions/actions",
        "PATCH /api/v2/actions/actions/act_seller",
        "GET /api/v2/actions/actions/act_seller",
        "GET /api/v2/actions/actions/act_seller",
        "GET /api/v2/actions/actions/act_seller",
        "POST /api/v2/actions/actions/act_seller/deploy",
        `GET ${bindingsPath}`,
        `PATCH ${bindingsPath}`
      ])
      assert.deepStrictEqual(body(server, "PATCH", "/api/v2/actions/actions/act_seller"), {
        supported_triggers: [{ id: "post-login", version: "v3" }],
        code,
        runtime: "node22",
        dependencies: [{ name: "jsonwebtoken", version: "9.0.2" }],
        secrets: [{ name: "SELLER_API_KEY", value: secretValue }]
      })
      assert.deepStrictEqual(server.bindings("post-login"), [
        { actionId: "act_a", display_name: "First (custom name)" },
        { actionId: "act_b", display_name: "Second" },
        { actionId: "act_seller", display_name: "seller-login" }
      ])
      assert.deepStrictEqual(server.bindings("credentials-exchange"), [{
        actionId: "act_a",
        display_name: "elsewhere"
      }])
      const seller = server.actions().find((a) => a.id === "act_seller")!
      assert.strictEqual(seller.code, code)
      assert.strictEqual(seller.deployedVersions, 2)
      assert.strictEqual(report.operation, "update")
      assert.strictEqual(report.version, 2)
      // OLD was on the Action and is not in the new list.
      assert.isTrue(report.notes.some((n) => n.includes("OLD")))
    }))

  it.live("reads every page of bindings and keeps them all", () =>
    Effect.gen(function*() {
      const others = Array.from({ length: 23 }, (_, i) => stored(`act_${100 + i}`, `other-${i}`))
      const server = yield* tenant({
        actions: others,
        bindings: { "post-login": others.map((a) => ({ actionId: a.id, display_name: `Other ${a.name}` })) }
      })
      success(yield* deploy(server))
      const pages = server.requests().filter((r) => r.method === "GET" && pathOf(r) === bindingsPath)
      assert.deepStrictEqual(pages.map((r) => new URL(r.path, server.url).searchParams.get("page")), ["0", "1"])
      const after = server.bindings("post-login")
      assert.strictEqual(after.length, 24)
      assert.deepStrictEqual(
        after.slice(0, 23),
        others.map((a) => ({ actionId: a.id, display_name: `Other ${a.name}` }))
      )
      assert.deepStrictEqual(after[23], { actionId: "act_1", display_name: "seller-login" })
    }))

  it.live("an Action already bound keeps its place: deployed, bindings not written", () =>
    Effect.gen(function*() {
      const server = yield* tenant({
        actions: [stored("act_a", "first"), stored("act_seller", "seller-login"), stored("act_b", "second")],
        bindings: {
          "post-login": [
            { actionId: "act_a", display_name: "First" },
            { actionId: "act_seller", display_name: "Seller (renamed)" },
            { actionId: "act_b", display_name: "Second" }
          ]
        }
      })
      const report = success(yield* deploy(server))
      assert.deepStrictEqual(ManagementServer.calls(server).slice(-2), [
        "POST /api/v2/actions/actions/act_seller/deploy",
        `GET ${bindingsPath}`
      ])
      assert.deepStrictEqual(server.bindings("post-login"), [
        { actionId: "act_a", display_name: "First" },
        { actionId: "act_seller", display_name: "Seller (renamed)" },
        { actionId: "act_b", display_name: "Second" }
      ])
      assert.strictEqual(report.bindings.change, "keep")
      assert.deepStrictEqual(report.bindings.after.map((b) => b.ours), [false, true, false])
      assert.isTrue(report.notes.some((n) => n.includes("position 2 of 3")))
    }))

  it.live("--dry-run only reads and reports the plan", () =>
    Effect.gen(function*() {
      const server = yield* tenant({
        actions: [stored("act_rate", "rate-limit")],
        bindings: { "post-login": [{ actionId: "act_rate", display_name: "Rate limit" }] }
      })
      const outcome = yield* deploy(server, { dryRun: true })
      const report = success(outcome)
      assert.deepStrictEqual(ManagementServer.writes(server), [])
      assert.deepStrictEqual(ManagementServer.calls(server), [
        "POST /oauth/token",
        "GET /api/v2/actions/triggers",
        "GET /api/v2/actions/actions",
        `GET ${bindingsPath}`
      ])
      assert.isTrue(report.dryRun)
      assert.strictEqual(report.operation, "create")
      assert.isUndefined(report.actionId)
      assert.isUndefined(report.version)
      assert.deepStrictEqual(report.secrets, ["SELLER_API_KEY"])
      assert.deepStrictEqual(report.bindings.before.map((b) => b.displayName), ["Rate limit"])
      assert.deepStrictEqual(report.bindings.after.map((b) => [b.displayName, b.ours]), [
        ["Rate limit", false],
        ["seller-login", true]
      ])
      const text = Deploy.render(report)
      assert.include(text, "Dry run for seller-login: nothing was changed.")
      assert.include(text, "SELLER_API_KEY (values not shown)")
      assertNoLeak([...outcome.lines, text])
    }))

  it.live("--dry-run of an existing Action plans an update", () =>
    Effect.gen(function*() {
      const server = yield* tenant({ actions: [stored("act_seller", "seller-login")] })
      const report = success(yield* deploy(server, { dryRun: true, secrets: {} }))
      assert.deepStrictEqual(ManagementServer.writes(server), [])
      assert.strictEqual(report.operation, "update")
      assert.strictEqual(report.actionId, "act_seller")
      // No secrets given on an update: the Action's are left alone.
      assert.deepStrictEqual(report.secrets, [])
      assert.isTrue(report.notes.some((n) => n.includes("left as they are")))
    }))

  // Before, only `rulefx export` warned: a deploy without them put an Action in the flow that denied those logins.
  it.live("a Rules setting the legacy rules read that the Action will not have is a warning naming it", () =>
    Effect.gen(function*() {
      // The options `rulefx migrate` gives a legacy rule, as esbuild leaves them in a built Action.
      const legacy = join(dir, "legacy.js")
      writeFileSync(
        legacy,
        "exports.onExecutePostLogin=async()=>{};var R=[$t(\"enrich\",`function(a,r,e){e(null,a,r)}`," +
          "{...Dn,settings:[\"CRM_URL\",\"CRM_API_KEY\"]})];\n"
      )
      const server = yield* tenant({ actions: [stored("act_seller", "seller-login")] })
      const none = success(yield* deploy(server, { file: legacy, secrets: { CRM_URL: Redacted.make("https://x") } }))
      assert.deepStrictEqual(none.warnings.length, 1)
      assert.include(none.warnings[0], `${legacy} reads the Rules settings CRM_API_KEY (`)
      assert.include(none.warnings[0], "Send them: --secret CRM_API_KEY (from the environment), or --secrets-file")
      const both = success(
        yield* deploy(server, {
          file: legacy,
          dryRun: true,
          secrets: { CRM_URL: Redacted.make("https://x"), CRM_API_KEY: Redacted.make(secretValue) }
        })
      )
      assert.deepStrictEqual(both.warnings, [])
      // An update that sends no secrets keeps the Action's: those count (CRM_URL, sent by the first deploy), the
      // others are missing.
      const kept = success(yield* deploy(server, { file: legacy, dryRun: true, secrets: {} }))
      assert.deepStrictEqual(kept.secrets, [])
      assert.include(kept.warnings[0], "reads the Rules settings CRM_API_KEY (")
      const fresh = yield* tenant({ actions: [stored("act_seller", "seller-login")] })
      const keptNone = success(yield* deploy(fresh, { file: legacy, dryRun: true, secrets: {} }))
      assert.include(keptNone.warnings[0], "reads the Rules settings CRM_API_KEY, CRM_URL (")
      // Code without legacy rules reads none.
      assert.deepStrictEqual(success(yield* deploy(server, { dryRun: true })).warnings, [])
    }))

  // A typed rule reads its secrets by name at run time (Secrets.get): the file does not list them. A new user's
  // dry run of an Action reading TIER_API_URL, without --secrets-file, said only "secrets: none sent".
  it.live("an Action that will have no secrets at all is a warning; one that keeps or gets secrets is not", () =>
    Effect.gen(function*() {
      const empty = yield* tenant()
      const created = success(yield* deploy(empty, { dryRun: true, secrets: {} }))
      assert.deepStrictEqual(created.warnings.length, 1)
      assert.include(created.warnings[0], "the Action seller-login will have no secrets: a rule that reads one")
      assert.include(created.warnings[0], "Send them with --secrets-file <file>")
      assert.deepStrictEqual(success(yield* deploy(empty, { dryRun: true })).warnings, [])
      // An update that sends none keeps the Action's own (OLD).
      const withSecrets = yield* tenant({ actions: [stored("act_seller", "seller-login")] })
      assert.deepStrictEqual(success(yield* deploy(withSecrets, { dryRun: true, secrets: {} })).warnings, [])
      const without = yield* tenant({ actions: [{ ...stored("act_seller", "seller-login"), secrets: [] }] })
      assert.strictEqual(success(yield* deploy(without, { dryRun: true, secrets: {} })).warnings.length, 1)
    }))

  it.live("401 from the token endpoint: Unauthorized, nothing else requested", () =>
    Effect.gen(function*() {
      const server = yield* tenant({ clientSecret: "another-secret" })
      const outcome = yield* deploy(server)
      const error = failure(outcome)
      assert.strictEqual(error.reason, "Unauthorized")
      assert.include(error.message, "AUTH0_CLIENT_SECRET")
      assert.deepStrictEqual(ManagementServer.calls(server), ["POST /oauth/token"])
      assertNoLeak([error.message, ...outcome.lines])
    }))

  it.live("403 on create: Forbidden naming the missing scope; nothing deployed or bound", () =>
    Effect.gen(function*() {
      const server = yield* tenant({
        failures: [{
          method: "POST",
          path: "/api/v2/actions/actions",
          status: 403,
          body: {
            statusCode: 403,
            error: "Forbidden",
            message: "Insufficient scope, expected any of: create:actions",
            errorCode: "insufficient_scope"
          }
        }]
      })
      const error = failure(yield* deploy(server))
      assert.strictEqual(error.reason, "Forbidden")
      assert.include(error.message, "Insufficient scope, expected any of: create:actions")
      assert.include(error.message, "creating the Action")
      assert.deepStrictEqual(ManagementServer.calls(server), [
        "POST /oauth/token",
        "GET /api/v2/actions/triggers",
        "GET /api/v2/actions/actions",
        "POST /api/v2/actions/actions"
      ])
    }))

  it.live("429 with retry-after: waits as told, then goes on", () =>
    Effect.gen(function*() {
      const server = yield* tenant({
        failures: [{ method: "GET", path: bindingsPath, status: 429, headers: { "retry-after": "1" }, times: 1 }]
      })
      const outcome = yield* deploy(server)
      success(outcome)
      const reads = server.requests().filter((r) => r.method === "GET" && pathOf(r) === bindingsPath)
      assert.deepStrictEqual(reads.map((r) => r.status), [429, 200])
      assert.isAtLeast(reads[1]!.at - reads[0]!.at, 950)
      assert.isTrue(outcome.lines.some((l) => l.includes("retrying in 1 s")))
      assert.deepStrictEqual(ManagementServer.calls(server).at(-1), `PATCH ${bindingsPath}`)
    }))

  it.live("429 with an x-ratelimit-reset already past: retries at once, not after the 1 s fallback", () =>
    Effect.gen(function*() {
      const server = yield* tenant({
        failures: [{ method: "POST", path: /\/deploy$/, status: 429, headers: { "x-ratelimit-reset": "1" }, times: 1 }]
      })
      success(yield* deploy(server))
      const deploys = server.requests().filter((r) => r.method === "POST" && r.path.endsWith("/deploy"))
      assert.deepStrictEqual(deploys.map((r) => r.status), [429, 200])
      assert.isBelow(deploys[1]!.at - deploys[0]!.at, 500)
    }))

  it.live("429 for ever: RateLimited after the bounded retries, no writes", () =>
    Effect.gen(function*() {
      const server = yield* tenant({
        failures: [{ method: "GET", path: "/api/v2/actions/actions", status: 429, headers: { "retry-after": "0" } }]
      })
      const error = failure(yield* deploy(server, { rateLimitRetries: 2 }))
      assert.strictEqual(error.reason, "RateLimited")
      assert.include(error.message, "gave up after 2 retries")
      assert.deepStrictEqual(ManagementServer.calls(server), [
        "POST /oauth/token",
        "GET /api/v2/actions/triggers",
        "GET /api/v2/actions/actions",
        "GET /api/v2/actions/actions",
        "GET /api/v2/actions/actions"
      ])
    }))

  it.live("a failed build: BuildFailed with Auth0's errors, no deploy, no binding", () =>
    Effect.gen(function*() {
      const server = yield* tenant({
        bindings: {},
        build: { _tag: "Failed", polls: 1, errors: [{ msg: "Cannot find module 'left-pad'" }] }
      })
      const error = failure(yield* deploy(server))
      assert.strictEqual(error.reason, "BuildFailed")
      assert.include(error.message, "Cannot find module 'left-pad'")
      assert.include(error.message, "post-login flow is unchanged")
      const calls = ManagementServer.calls(server)
      assert.strictEqual(calls.at(-1), "GET /api/v2/actions/actions/act_1")
      assert.isFalse(calls.some((c) => c.endsWith("/deploy") || c.includes("/bindings")))
      assert.deepStrictEqual(server.actions()[0]!.deployedVersions, 0)
    }))

  it.live("a build that never ends: BuildTimeout, no deploy, no binding", () =>
    Effect.gen(function*() {
      const server = yield* tenant({ build: { _tag: "Never" } })
      const outcome = yield* deploy(server, { buildTimeout: "150 millis", pollInterval: "10 millis" })
      const error = failure(outcome)
      assert.strictEqual(error.reason, "BuildTimeout")
      assert.include(error.message, "last status: building")
      assert.include(error.message, "--build-timeout")
      const calls = ManagementServer.calls(server)
      assert.isAbove(calls.filter((c) => c === "GET /api/v2/actions/actions/act_1").length, 2)
      assert.isFalse(calls.some((c) => c.endsWith("/deploy") || c.includes("/bindings")))
    }))

  it.live("a refused bindings write after the deploy: the flow is left as it was", () =>
    Effect.gen(function*() {
      const server = yield* tenant({
        actions: [stored("act_rate", "rate-limit")],
        bindings: { "post-login": [{ actionId: "act_rate", display_name: "Rate limit" }] },
        failures: [{ method: "PATCH", path: bindingsPath, status: 403, body: { message: "Insufficient scope" } }]
      })
      const error = failure(yield* deploy(server))
      assert.strictEqual(error.reason, "Forbidden")
      assert.include(error.message, "was deployed (version 1) but is not bound")
      assert.deepStrictEqual(server.bindings("post-login"), [{ actionId: "act_rate", display_name: "Rate limit" }])
    }))

  it.live("secret values never reach an error message or a progress line, even when Auth0 echoes them", () =>
    Effect.gen(function*() {
      const server = yield* tenant({
        failures: [{
          method: "POST",
          path: /\/deploy$/,
          status: 400,
          body: { message: `secret SELLER_API_KEY=${secretValue} rejected; client ${clientSecret}` }
        }]
      })
      const outcome = yield* deploy(server)
      const error = failure(outcome)
      assert.strictEqual(error.reason, "Api")
      assert.include(error.message, "SELLER_API_KEY=<redacted>")
      assertNoLeak([error.message, String(error), ...outcome.lines])
      assert.isFalse(ManagementServer.calls(server).some((c) => c.includes("/bindings")))
    }))

  it.live("a missing Action file fails before any request", () =>
    Effect.gen(function*() {
      const server = yield* tenant()
      const error = failure(yield* deploy(server, { file: join(dir, "missing.js") }))
      assert.strictEqual(error.reason, "InvalidFile")
      assert.include(error.message, "missing.js: no such file")
      assert.deepStrictEqual(server.requests(), [])
    }))

  it.live("Auth0's 100 kB read strictly: 100,000 bytes of code deploy (a dry run), one byte more fails first", () =>
    Effect.gen(function*() {
      const server = yield* tenant()
      success(yield* deploy(server, { file: padded(100_000), dryRun: true }))
      const before = server.requests().length
      const error = failure(yield* deploy(server, { file: padded(100_001), dryRun: true }))
      assert.strictEqual(error.reason, "InvalidFile")
      assert.include(error.message, "100.0 kB (100001 bytes) is over Auth0's limit of 100 kB (100000 bytes)")
      assert.strictEqual(server.requests().length, before)
    }))
})

describe("Deploy.run of a file built with --runtime npm (against a local tenant)", () => {
  let npmFile = ""
  let runtime = ""

  beforeAll(async () => {
    const entry = join(dir, "npm-entry.ts")
    writeFileSync(
      entry,
      `import * as Effect from "effect/Effect"\n` +
        `export const onExecutePostLogin = async () => Effect.runPromise(Effect.void)\n`
    )
    // Built for real, minified, against the runtime rulefx resolves (the workspace's): the marker is the build's.
    const report = await Bundle.build({ entry, outfile: join(dir, "npm", "action.js"), runtime: "npm" })
    npmFile = report.outfile
    runtime = report.dependencies![0]!
  }, 60_000)

  const runtimeDependency = () => ({
    name: ActionRuntime.packageName,
    version: runtime.slice(ActionRuntime.packageName.length + 1)
  })

  it("the built file requires exactly the version its build reported", () => {
    assert.deepStrictEqual(ActionRuntime.requiredBy(readFileSync(npmFile, "utf8")), [runtimeDependency().version])
    assert.deepStrictEqual(ActionRuntime.requiredBy(code), [])
  })

  it.live("declares @rulefx/action-runtime at that exact version, after the dependencies given", () =>
    Effect.gen(function*() {
      const server = yield* tenant()
      const report = success(yield* deploy(server, { file: npmFile }))
      const sent = body(server, "POST", "/api/v2/actions/actions") as { readonly dependencies: unknown }
      assert.deepStrictEqual(sent.dependencies, [{ name: "jsonwebtoken", version: "9.0.2" }, runtimeDependency()])
      assert.deepStrictEqual(server.actions()[0]!.dependencies, [
        { name: "jsonwebtoken", version: "9.0.2" },
        runtimeDependency()
      ])
      assert.deepStrictEqual(report.dependencies, [{ name: "jsonwebtoken", version: "9.0.2" }, runtimeDependency()])
      const text = Deploy.render(report)
      assert.include(text, `dependencies: jsonwebtoken@9.0.2, ${runtime}`)
      assert.include(text, `note: ${runtime} is declared as a dependency: ${npmFile} was built with --runtime npm`)
    }))

  it.live("given at the same version, it is declared once", () =>
    Effect.gen(function*() {
      const server = yield* tenant()
      const report = success(yield* deploy(server, { file: npmFile, dependencies: [runtimeDependency()] }))
      assert.deepStrictEqual(report.dependencies, [runtimeDependency()])
      assert.isFalse(report.notes.some((n) => n.includes("is declared as a dependency")))
    }))

  it.live("a bundled file gets no runtime dependency", () =>
    Effect.gen(function*() {
      const server = yield* tenant()
      const report = success(yield* deploy(server, { dependencies: [] }))
      assert.deepStrictEqual(report.dependencies, [])
    }))

  it.live("given at another version: refused before any request, naming both versions", () =>
    Effect.gen(function*() {
      const server = yield* tenant()
      const error = failure(
        yield* deploy(server, {
          file: npmFile,
          dependencies: [{ name: ActionRuntime.packageName, version: "9.9.9" }]
        })
      )
      assert.strictEqual(error.reason, "InvalidConfig")
      assert.include(
        error.message,
        `--dependency ${ActionRuntime.packageName}@9.9.9: ${npmFile} was built with --runtime npm against ${runtime} ` +
          "and refuses to load on any other version"
      )
      assert.deepStrictEqual(server.requests(), [])
    }))

  it.live("ten dependencies given and the runtime make eleven: refused before any request (a dry run too)", () =>
    Effect.gen(function*() {
      const server = yield* tenant()
      const ten = Array.from({ length: 10 }, (_, i) => ({ name: `dep-${i}`, version: "1.0.0" }))
      // Ten alone are within Auth0's limit.
      success(yield* deploy(server, { dependencies: ten, dryRun: true }))
      const before = server.requests().length
      const error = failure(yield* deploy(server, { file: npmFile, dependencies: ten, dryRun: true }))
      assert.strictEqual(error.reason, "InvalidConfig")
      assert.include(
        error.message,
        `11 dependencies with ${runtime}, which ${npmFile} requires (it was built with --runtime npm); Auth0 allows ` +
          "10 per Action"
      )
      assert.strictEqual(server.requests().length, before)
    }))
})

const withEnv = (env: Record<string, string>) => Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))

const file = (name: string, text: string) => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

describe("Deploy.loadSecrets", () => {
  it.effect("reads a JSON file", () =>
    Effect.gen(function*() {
      const path = file("secrets.json", JSON.stringify({ SELLER_API_KEY: secretValue, SELLER_API_URL: "https://x" }))
      const secrets = yield* Deploy.loadSecrets({ file: path })
      assert.deepStrictEqual(Object.keys(secrets).toSorted(), ["SELLER_API_KEY", "SELLER_API_URL"])
      assert.strictEqual(Redacted.value(secrets["SELLER_API_KEY"]!), secretValue)
      assert.notInclude(String(secrets["SELLER_API_KEY"]), secretValue)
    }))

  it.effect("reads NAME=value lines, with comments and quotes", () =>
    Effect.gen(function*() {
      const path = file(
        "secrets.env",
        `# seller API\nSELLER_API_KEY="${secretValue}"\n\nexport SELLER_API_URL=https://x\n`
      )
      const secrets = yield* Deploy.loadSecrets({ file: path })
      assert.strictEqual(Redacted.value(secrets["SELLER_API_KEY"]!), secretValue)
      assert.strictEqual(Redacted.value(secrets["SELLER_API_URL"]!), "https://x")
    }))

  it.effect("a bad file is a clear InvalidFile error that shows no value", () =>
    Effect.gen(function*() {
      const badLine = file("bad.env", `SELLER_API_KEY=${secretValue}\nthis line has no equals sign\n`)
      const error = yield* Effect.flip(Deploy.loadSecrets({ file: badLine }))
      assert.strictEqual(error.reason, "InvalidFile")
      assert.include(error.message, "bad.env: line 2: expected NAME=value")
      assert.notInclude(error.message, secretValue)

      const badJson = file("bad.json", `{ "SELLER_API_KEY": "${secretValue}", `)
      const jsonError = yield* Effect.flip(Deploy.loadSecrets({ file: badJson }))
      assert.strictEqual(jsonError.reason, "InvalidFile")
      assert.include(jsonError.message, "not valid JSON")
      assert.notInclude(jsonError.message, secretValue)

      const missing = yield* Effect.flip(Deploy.loadSecrets({ file: join(dir, "nope.env") }))
      assert.strictEqual(missing.reason, "InvalidFile")
      assert.include(missing.message, "no such file")
    }))

  it.effect("--secret NAME reads the environment, over the file's value", () =>
    Effect.gen(function*() {
      const path = file("both.env", "SELLER_API_KEY=from-file\nOTHER=kept\n")
      const secrets = yield* Deploy.loadSecrets({ file: path, names: ["SELLER_API_KEY"] }).pipe(
        withEnv({ SELLER_API_KEY: secretValue })
      )
      assert.strictEqual(Redacted.value(secrets["SELLER_API_KEY"]!), secretValue)
      assert.strictEqual(Redacted.value(secrets["OTHER"]!), "kept")
    }))

  it.effect("--secret NAME with NAME unset or not a name: InvalidConfig naming it", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Deploy.loadSecrets({ names: ["SELLER_API_KEY"] }).pipe(withEnv({})))
      assert.strictEqual(error.reason, "InvalidConfig")
      assert.include(error.message, "the environment variable SELLER_API_KEY is not set")
      const value = yield* Effect.flip(Deploy.loadSecrets({ names: [`KEY=${secretValue}`] }).pipe(withEnv({})))
      assert.strictEqual(value.reason, "InvalidConfig")
      assert.notInclude(value.message, secretValue)
    }))
})

describe("Deploy.parseDependency", () => {
  it.effect("name@version, scoped names too", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* Deploy.parseDependency("jsonwebtoken@9.0.2"), {
        name: "jsonwebtoken",
        version: "9.0.2"
      })
      assert.deepStrictEqual(yield* Deploy.parseDependency("@scope/pkg@1.2.3"), {
        name: "@scope/pkg",
        version: "1.2.3"
      })
      const error = yield* Effect.flip(Deploy.parseDependency("jsonwebtoken"))
      assert.strictEqual(error.reason, "InvalidConfig")
    }))
})
