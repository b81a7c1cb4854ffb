/**
 * LegacyAction as `rulefx migrate` builds it: the fixture rules (test/fixtures/legacy/action/rules) are migrated into
 * a temporary folder once, loaded with plain `require`, and driven with events and a RecordingApi. The authorize
 * request's `?mode=` picks what the fixture rules do.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import type { Handler } from "@rulefx/adapter-auth0/PostLogin"
import * as Migrate from "@rulefx/cli/Migrate"
import type * as MigrationPlan from "@rulefx/cli/MigrationPlan"
import { genericMessage } from "@rulefx/core/Denial"
import * as Events from "@rulefx/testing/Events"
import * as Leaks from "@rulefx/testing/Leaks"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as Effect from "effect/Effect"
import { mkdtempSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const require = createRequire(import.meta.url)
const fixture = fileURLToPath(new URL("./fixtures/legacy/action", import.meta.url))

interface Action {
  readonly onExecutePostLogin: Handler
  readonly onContinuePostLogin: Handler
}

const apiKey = "sk-legacy-action-secret-7f3a91c2e4"
const ns = "https://example.com/"

let root = ""
let action: Action
let deadlineAction: Action
let plan: MigrationPlan.Plan
// Every line any login printed, to check no secret leaks.
const allLines: Array<string> = []

const build = async (
  name: string,
  options: MigrationPlan.Options
): Promise<{ action: Action; plan: MigrationPlan.Plan }> => {
  const out = join(root, name, "action.js")
  const result = await Effect.runPromise(Migrate.migrate(fixture, out, options))
  return { action: require(out) as Action, plan: result.plan }
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "rulefx-legacy-action-"))
  const main = await build("main", { ruleTimeoutMillis: 200, deadlineMillis: 3000 })
  action = main.action
  plan = main.plan
  deadlineAction = (await build("deadline", { ruleTimeoutMillis: 5000, deadlineMillis: 300 })).action
}, 30_000)

afterAll(() => {
  if (root !== "") rmSync(root, { recursive: true, force: true })
})

interface EventOptions {
  readonly userId?: string
  readonly appMetadata?: Record<string, unknown>
  readonly protocol?: string
}

const event = (query: Record<string, unknown>, options: EventOptions = {}): Record<string, unknown> => {
  const userId = options.userId ?? "auth0|ada"
  return Events.postLogin({
    secrets: { API_KEY: apiKey },
    user: {
      user_id: userId,
      email: `${userId.replace("auth0|", "")}@shop.example`,
      app_metadata: options.appMetadata ?? { plan: "gold" }
    },
    client: { client_id: "cli_legacy", name: "Legacy App" },
    request: { query },
    transaction: { protocol: options.protocol ?? "oidc-basic-profile" }
  })
}

const run = async (handler: Handler, input: Record<string, unknown>) => {
  const api = RecordingApi.make()
  const started = performance.now()
  const { lines } = await LogCapture.around(() => handler(input, api))
  const elapsed = performance.now() - started
  allLines.push(...lines)
  return { api, summary: api.summary(), methods: api.calls.map((c) => c.method), lines, elapsed }
}

/** The Rules global counter "across" as the next login sees it. */
const count = async (userId: string) =>
  (await run(action.onExecutePostLogin, event({ counter: "across" }, { userId }))).summary.idTokenClaims[
    `${ns}count`
  ]

describe("LegacyAction (migrated fixture rules)", () => {
  it("the fixture plans as expected: six rules in order, API_KEY as the one secret", () => {
    assert.deepStrictEqual(plan.rules.map((r) => r.file.name), [
      "gate",
      "async-named",
      "claims",
      "metadata",
      "redirect",
      "global"
    ])
    assert.deepStrictEqual(plan.configurationKeys, ["API_KEY"])
    assert.deepStrictEqual(plan.warnings, [])
  })

  it("allows with the claims the rules set; configuration reads event.secrets", async () => {
    const { lines, methods, summary } = await run(action.onExecutePostLogin, event({}))
    assert.isUndefined(summary.denied)
    assert.deepStrictEqual(summary.idTokenClaims, {
      [`${ns}email`]: "ada@shop.example",
      [`${ns}seen_by_async`]: "function",
      [`${ns}api_key_length`]: apiKey.length,
      [`${ns}protocol`]: "oidc-basic-profile"
    })
    assert.deepStrictEqual(summary.accessTokenClaims, { [`${ns}tier`]: "gold" })
    assert.isUndefined(summary.redirect)
    assert.notInclude(methods, "access.deny")
    assert.notInclude(methods, "user.setAppMetadata")
    // The rule's console.log, prefixed with the rule's name.
    assert.include(lines, `rulefx legacy rule=claims: claims for auth0|ada key length ${apiKey.length}`)
  })

  describe("denials stop the rules and deny with the rule's reason", () => {
    const cases = [
      ["error", "denied by an Error"],
      ["string", "denied by a string"],
      ["unauthorized", "denied by UnauthorizedError"],
      ["throw", "denied by a throw"],
      ["reject", "denied by a rejected promise"]
    ] as const
    for (const [mode, reason] of cases) {
      it(`callback/${mode}: denied with "${reason}", nothing else set`, async () => {
        const { methods, summary } = await run(action.onExecutePostLogin, event({ mode }))
        assert.strictEqual(summary.denied, reason)
        assert.deepStrictEqual(methods, ["access.deny"])
      })
    }
  })

  it("a rule that never calls back is denied with the generic reason after its timeout (200 ms)", async () => {
    const { elapsed, methods, summary } = await run(action.onExecutePostLogin, event({ mode: "hang" }))
    assert.strictEqual(summary.denied, genericMessage)
    assert.deepStrictEqual(methods, ["access.deny"])
    assert.isAtLeast(elapsed, 180)
    assert.isBelow(elapsed, 1500)
  })

  it("the deadline option: a hanging rule under a 5 s rule timeout is cut at the 300 ms deadline", async () => {
    const { elapsed, methods, summary } = await run(deadlineAction.onExecutePostLogin, event({ mode: "hang" }))
    assert.strictEqual(summary.denied, genericMessage)
    assert.deepStrictEqual(methods, ["access.deny"])
    assert.isAtLeast(elapsed, 280)
    assert.isBelow(elapsed, 2000)
  })

  it("auth0.users.updateAppMetadata reaches api.user.setAppMetadata for changed keys only", async () => {
    const { api, summary } = await run(
      action.onExecutePostLogin,
      event({ mode: "metadata" }, { appMetadata: { plan: "gold", gone: "soon", visits: 4 } })
    )
    assert.isUndefined(summary.denied)
    assert.deepStrictEqual(
      api.calls.filter((c) => c.method === "user.setAppMetadata").map((c) => c.args).toSorted((a, b) =>
        String(a[0]).localeCompare(String(b[0]))
      ),
      [["gone", null], ["visits", 5]]
    )
    assert.notInclude(api.calls.map((c) => c.method), "user.setUserMetadata")
    // The rule saw its own write.
    assert.strictEqual(summary.idTokenClaims[`${ns}visits`], 5)
  })

  it("a callback-style metadata write for another user denies with the shim's reason, with no unhandled rejection", async () => {
    const unhandled: Array<unknown> = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    // Vitest's own listener stays: an unhandled rejection also fails the run.
    process.on("unhandledRejection", onUnhandled)
    try {
      const { methods, summary } = await run(action.onExecutePostLogin, event({ mode: "metadata-other" }))
      assert.strictEqual(
        summary.denied,
        "auth0.users: only the user logging in can be updated from a legacy rule in an Action"
      )
      assert.deepStrictEqual(methods, ["access.deny"])
      // Let a rejection nobody handled surface.
      await new Promise((resolve) => setTimeout(resolve, 20))
    } finally {
      process.off("unhandledRejection", onUnhandled)
    }
    // A rule that passes a callback never looks at the returned promise; a rejected one crashes Node 22 (the
    // default --unhandled-rejections=throw), which is how Auth0's runtime runs the Action.
    assert.deepStrictEqual(unhandled.map(String), [])
  })

  describe("redirect", () => {
    it("onExecutePostLogin sends the user to context.redirect.url after the rules, and sets no claim", async () => {
      const { api, summary } = await run(action.onExecutePostLogin, event({ mode: "redirect", counter: "flow" }))
      assert.isUndefined(summary.denied)
      // Under Rules, tokens came only after the pass on /continue, which starts from a fresh context: the claims of
      // the redirecting pass never reached a token, so none is set here.
      assert.deepStrictEqual(api.calls, [
        { method: "redirect.sendUserTo", args: ["https://consent.example/start", { query: {} }] }
      ])
    })

    it("onContinuePostLogin runs every rule again as redirect-callback, with the /continue query, ignoring a new redirect", async () => {
      const { methods, summary } = await run(
        action.onContinuePostLogin,
        event({ mode: "redirect", counter: "flow", token: "tok-123" })
      )
      assert.isUndefined(summary.denied)
      assert.notInclude(methods, "redirect.sendUserTo")
      assert.isUndefined(summary.redirect)
      assert.strictEqual(summary.idTokenClaims[`${ns}returned`], "tok-123")
      assert.strictEqual(summary.idTokenClaims[`${ns}protocol`], "redirect-callback")
      // Every rule ran again: the first rules' claims are set on this pass too.
      assert.strictEqual(summary.idTokenClaims[`${ns}email`], "ada@shop.example")
      assert.strictEqual(summary.idTokenClaims[`${ns}seen_by_async`], "function")
      // global is shared between the two handlers.
      assert.strictEqual(summary.idTokenClaims[`${ns}count`], 2)
    })

    it("a denial on the continue pass still denies", async () => {
      const { summary } = await run(action.onContinuePostLogin, event({ mode: "string" }))
      assert.strictEqual(summary.denied, "denied by a string")
    })
  })

  it("global is kept across logins in the same Action instance", async () => {
    const first = await count("auth0|one")
    const second = await count("auth0|two")
    const third = await count("auth0|three")
    assert.deepStrictEqual([first, second, third], [1, 2, 3])
  })

  it("50 overlapping logins with random delays inside the rules each get their own user, claims and result", async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `auth0|user${i}`)
    const modes = ids.map((_, i) => (i % 7 === 3 ? "string" : "isolation"))
    const { lines, result: results } = await LogCapture.around(() =>
      Promise.all(
        ids.map(async (userId, i) => {
          const api = RecordingApi.make()
          await action.onExecutePostLogin(
            event({ mode: modes[i] }, { userId, appMetadata: { plan: `plan-${i}` } }),
            api
          )
          return api.summary()
        })
      )
    )
    allLines.push(...lines)
    results.forEach((summary, i) => {
      const userId = ids[i]!
      if (modes[i] === "string") {
        assert.strictEqual(summary.denied, "denied by a string", userId)
        assert.deepStrictEqual(summary.idTokenClaims, {}, userId)
        return
      }
      assert.isUndefined(summary.denied, userId)
      assert.strictEqual(summary.idTokenClaims[`${ns}tmp`], `tmp-${userId}`, userId)
      assert.strictEqual(summary.idTokenClaims[`${ns}email`], `${userId.replace("auth0|", "")}@shop.example`, userId)
      assert.deepStrictEqual(summary.accessTokenClaims, { [`${ns}tier`]: `plan-${i}` }, userId)
    })
  })

  it("the secret never appears in what the Action logged (every run above)", async () => {
    // One more run that fails closed and logs the detail.
    await run(action.onExecutePostLogin, { ...event({}), user: { app_metadata: {} } })
    assert.isAbove(allLines.length, 5)
    assert.isTrue(allLines.some((l) => l.startsWith("rulefx ERROR")), allLines.join("\n"))
    Leaks.assertNone(allLines.join("\n"), [apiKey])
  })
})
