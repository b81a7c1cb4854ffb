/**
 * ManagementClient against a local tenant (@rulefx/testing's ManagementServer): paging, rate limits, what a failure
 * says, and answers that do not decode. Deploy.test.ts covers the deploy built on it.
 */
import { assert, describe, it } from "@effect/vitest"
import * as ManagementClient from "@rulefx/cli/ManagementClient"
import * as ManagementServer from "@rulefx/testing/ManagementServer"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

const clientSecret = "cs-mgmt-client-secret-4f1e"
const domain = "tenant.example.auth0.com"
const actionsPath = /^\/api\/v2\/actions\/actions$/

const tenant = (options: ManagementServer.Options = {}) =>
  ManagementServer.scoped({ clientId: "client-id", clientSecret, ...options })

const clientOf = (server: ManagementServer.ManagementServer, options: Partial<ManagementClient.Options> = {}) =>
  ManagementClient.make({
    domain,
    clientId: "client-id",
    clientSecret: Redacted.make(clientSecret),
    baseUrl: server.url,
    ...options
  })

const stored = (i: number) => ({
  id: `act_${i}`,
  name: `action-${i}`,
  code: "x",
  runtime: "node22",
  supported_triggers: [{ id: "post-login", version: "v3" }],
  dependencies: [],
  secrets: [],
  deployedVersions: 1
})

describe("ManagementClient", () => {
  it.live("listBindings reads every page, in order", () =>
    Effect.gen(function*() {
      const actions = Array.from({ length: 45 }, (_, i) => stored(i))
      const server = yield* tenant({
        actions,
        bindings: { "post-login": actions.map((a) => ({ actionId: a.id, display_name: a.name })) }
      })
      const client = yield* clientOf(server)
      const bindings = yield* client.listBindings("post-login")
      assert.deepStrictEqual(bindings.map((b) => b.action?.id), actions.map((a) => a.id))
      const pages = server.requests().filter((r) => r.path.includes("/bindings")).map((r) =>
        new URLSearchParams(r.path.split("?")[1]).get("page")
      )
      assert.deepStrictEqual(pages, ["0", "1", "2"])
    }))

  it.live("a 429 waits as retry-after says and is retried; past the retries, RateLimited", () =>
    Effect.gen(function*() {
      const limited = { method: "GET", path: actionsPath, status: 429, headers: { "retry-after": "0" } }
      const lines: Array<string> = []
      const server = yield* tenant({ actions: [stored(1)], failures: [{ ...limited, times: 2 }] })
      const found = yield* (yield* clientOf(server, { onProgress: (line) => lines.push(line) })).findAction("action-1")
      assert.strictEqual(found?.id, "act_1")
      assert.deepStrictEqual(lines, [
        "rate limited while looking up the Action; retrying in 0 s (1 of 4)",
        "rate limited while looking up the Action; retrying in 0 s (2 of 4)"
      ])

      const always = yield* tenant({ failures: [limited] })
      const error = yield* Effect.flip((yield* clientOf(always, { rateLimitRetries: 1 })).findAction("action-1"))
      assert.strictEqual(error.reason, "RateLimited")
      assert.include(error.message, "gave up after 1 retry")
    }))

  it.live("bad credentials: Unauthorized, naming the variables to check and never the secret", () =>
    Effect.gen(function*() {
      const server = yield* tenant()
      const client = yield* clientOf(server, { clientSecret: Redacted.make("cs-wrong-secret-value") })
      const error = yield* Effect.flip(client.getToken)
      assert.strictEqual(error.reason, "Unauthorized")
      assert.include(error.message, "AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET")
      assert.notInclude(error.message, "cs-wrong-secret-value")
      assert.notInclude(error.message, clientSecret)
    }))

  it.live("an answer that is not what the API documents: Api, naming the step", () =>
    Effect.gen(function*() {
      const server = yield* tenant({
        failures: [{ method: "GET", path: actionsPath, status: 200, body: { actions: [{ id: 7 }] } }]
      })
      const error = yield* Effect.flip((yield* clientOf(server)).findAction("action-1"))
      assert.strictEqual(error.reason, "Api")
      assert.include(error.message, "unexpected answer from Auth0 while looking up the Action")
    }))

  it.live("a tenant that cannot be reached: Api, naming the domain and the step", () =>
    Effect.gen(function*() {
      const server = yield* tenant()
      const url = server.url
      yield* Effect.promise(() => server.close())
      const error = yield* Effect.flip((yield* clientOf(server, { baseUrl: url })).getToken)
      assert.strictEqual(error.reason, "Api")
      assert.include(error.message, `cannot reach ${domain} while getting a token`)
    }))
})
