/**
 * Breaking a legacy rule's timeout (LegacyRule.run) after it became a timer fiber of its own beside the run, with one
 * AbortController the shims' requests end with: a rule that ends at its timeout, the login's deadline before a rule's
 * timeout, a request in flight at either, many logins in a row and at once, and timeouts at the edges of their range.
 * Through LegacyAction's handler (its fault handlers installed), with a RecordingApi.
 */
import { afterEach, assert, describe, it } from "@effect/vitest"
import { genericMessage } from "@rulefx/core/Denial"
import * as Denial from "@rulefx/core/Denial"
import * as LegacyAction from "@rulefx/legacy-rules/LegacyAction"
import * as LegacyRule from "@rulefx/legacy-rules/LegacyRule"
import * as Request from "@rulefx/legacy-rules/Request"
import * as RulesContext from "@rulefx/legacy-rules/RulesContext"
import * as Events from "@rulefx/testing/Events"
import * as Listen from "@rulefx/testing/Listen"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { TestClock } from "effect/testing"
import { createServer } from "node:http"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { active } from "../src/internal/running.ts"
import { fullEvent } from "./utils/Fixtures.ts"

type Load = (globals: LegacyRule.Globals) => LegacyRule.RuleFunction

const rule = (name: string, load: Load, timeout: Duration.Input) => LegacyRule.make(name, load, { timeout })

const event = (id: string) =>
  Events.postLogin({ user: { user_id: `auth0|${id}`, email: `${id}@shop.example`, app_metadata: {} } })

/** One login through `rules`, its console lines captured: what the api was asked, and what it was asked later. */
const login = async (
  action: LegacyAction.Handlers,
  id = "ada",
  after = 0
): Promise<{ api: RecordingApi.RecordingApi; calls: number; millis: number }> => {
  const api = RecordingApi.make()
  const started = Date.now()
  await action.onExecutePostLogin(event(id), api)
  const millis = Date.now() - started
  const calls = api.calls.length
  if (after > 0) await sleep(after)
  return { api, calls, millis }
}

setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void

const sleep = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis))

/** Timers and sockets the process holds, by kind. */
const handles = () => {
  const counts: Record<string, number> = {}
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1
  return { timers: counts["Timeout"] ?? 0, immediates: counts["Immediate"] ?? 0, sockets: counts["TCPSocketWrap"] ?? 0 }
}

/** No more timers, immediates or sockets than `before` (another test's timer may have ended since). */
const assertNoMore = (after: ReturnType<typeof handles>, before: ReturnType<typeof handles>) => {
  assert.isAtMost(after.timers, before.timers, "timers")
  assert.isAtMost(after.immediates, before.immediates, "immediates")
  assert.isAtMost(after.sockets, before.sockets, "sockets")
}

/** A server on 127.0.0.1 that never answers; it counts the requests it got and the connections closed since. */
const hanging = async () => {
  let requests = 0
  let closed = 0
  const server = createServer((req) => {
    requests++
    req.socket.once("close", () => closed++)
  })
  const listening = await Listen.listen(server)
  servers.push(listening)
  return { url: listening.url, requests: () => requests, closed: () => closed }
}

const servers: Array<Listen.Listening> = []

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

const newSession = (): LegacyRule.Session => ({ ...RulesContext.fromEvent(fullEvent()), scrub: (text) => text })

describe("a legacy rule's timeout, broken", () => {
  it("a rule that calls back exactly at its timeout, in real time: one outcome, a denial, nothing later", async () => {
    const action = LegacyAction.make([
      rule("at-timeout", () =>
        function(user, context, callback) {
          // Set after the run's own timer: Node fires it second, in the same turn.
          setTimeout(() => callback(null, user, context), 100)
          setTimeout(() => callback(new Error("twice")), 100)
        }, "100 millis")
    ], { deadline: "3 seconds" })
    const { result: value } = await LogCapture.around(() => login(action, "ada", 150))
    assert.strictEqual(value.calls, value.api.calls.length, "no api call after the handler ended")
    assert.strictEqual(value.api.summary().denied, genericMessage)
  })

  it("a rule that throws from a timer, and rejects, at its timeout: denied once, the process stays up", async () => {
    const action = LegacyAction.make([
      rule("throws-at-timeout", () =>
        function() {
          setTimeout(() => {
            throw new Error("thrown at the timeout")
          }, 100)
          setTimeout(() => void Promise.reject(new Error("rejected at the timeout")), 100)
        }, "100 millis")
    ], { deadline: "3 seconds" })
    const { result: value } = await LogCapture.around(() => login(action, "ada", 150))
    assert.strictEqual(value.api.summary().denied, genericMessage)
    assert.strictEqual(value.calls, value.api.calls.length)
    // The next login runs as usual.
    const next = LegacyAction.make([rule("ok", () => (user, context, callback) => callback(null, user, context), 100)])
    const { result: ok } = await LogCapture.around(() => login(next, "bob"))
    assert.isUndefined(ok.api.summary().denied)
  })

  it("the login's deadline before the rule's timeout, a request in flight: denied at the deadline, the request ended, no call later", async () => {
    const server = await hanging()
    const answered: Array<unknown> = []
    const action = LegacyAction.make([
      rule("slow-api", ({ require }) =>
        function(user, context, callback) {
          const request = require("request") as Request.Request
          request({ url: `${server.url}/slow`, timeout: 60_000 }, (error: unknown) => {
            answered.push((error as { code?: unknown } | null)?.code)
            callback(null, user, context)
          })
        }, "30 seconds")
    ], { deadline: "200 millis", modules: { request: Request.request } })
    const { result: value } = await LogCapture.around(() => login(action, "ada", 300))
    assert.isBelow(value.millis, 1000)
    assert.strictEqual(value.api.summary().denied, genericMessage)
    assert.strictEqual(value.calls, value.api.calls.length, "no api call after the handler ended")
    assert.strictEqual(server.requests(), 1)
    assert.strictEqual(server.closed(), 1, "the request was aborted with the run")
    // As Request documents: the rule's callback gets EREQUEST, after its run ended, and changes nothing.
    assert.deepStrictEqual(answered, ["EREQUEST"])
    assert.strictEqual(active.size, 0)
  })

  it("a request in flight at the rule's timeout: denied with RuleTimedOut, the request ended", async () => {
    const server = await hanging()
    const action = LegacyAction.make([
      rule("slow-api", ({ require }) =>
        function(user, context, callback) {
          const request = require("request") as Request.Request
          request({ url: `${server.url}/slow`, timeout: 60_000 }, (error: unknown) => callback(error, user, context))
        }, "150 millis")
    ], { deadline: "5 seconds", modules: { request: Request.request } })
    const { lines, result: value } = await LogCapture.around(() => login(action, "ada", 200))
    assert.isBelow(value.millis, 2000)
    assert.strictEqual(value.api.summary().denied, genericMessage)
    assert.isTrue(lines.some((line) => line.includes("RuleTimedOut")), lines.join("\n"))
    assert.strictEqual(value.calls, value.api.calls.length)
    assert.strictEqual(server.closed(), 1)
    assert.strictEqual(active.size, 0)
  })

  it(
    "2000 logins in a row, half of them timing out: no timer, listener or run is left, the heap stays flat",
    async () => {
      const action = LegacyAction.make([
        rule("half", () =>
          function(user, context, callback) {
            if (user.user_id.endsWith("1")) return
            queueMicrotask(() => callback(null, user, context))
          }, "1 millis")
      ], { deadline: "2 seconds" })
      await sleep(20)
      const before = handles()
      const round = async (from: number) => {
        const results: Array<boolean> = []
        for (let i = from; i < from + 1000; i++) {
          // oxlint-disable-next-line no-await-in-loop -- sequential on purpose
          const { api } = await login(action, `u${i}`)
          results.push(api.summary().denied === undefined)
        }
        return results
      }
      const { result: first } = await LogCapture.around(() => round(0), { limit: 100 })
      await sleep(20)
      gc()
      const heap = process.memoryUsage().heapUsed
      const { result: second } = await LogCapture.around(() => round(1000), { limit: 100 })
      await sleep(20)
      gc()
      const grown = process.memoryUsage().heapUsed - heap
      assert.deepStrictEqual(first.concat(second), Array.from({ length: 2000 }, (_, i) => !String(i).endsWith("1")))
      assertNoMore(handles(), before)
      assert.strictEqual(active.size, 0)
      assert.isBelow(grown, 4 * 1024 * 1024)
    },
    60_000
  )

  it("200 overlapping logins with requests, timeouts and callbacks: each its own outcome, nothing left", async () => {
    const server = await hanging()
    const action = LegacyAction.make([
      rule("mixed", ({ require }) =>
        function(user, context, callback) {
          const n = Number(user.user_id.slice("auth0|u".length))
          const request = require("request") as Request.Request
          context.idToken["https://example.com/who"] = user.user_id
          if (n % 3 === 0) request({ url: `${server.url}/${n}`, timeout: 60_000 }, () => callback(null, user, context))
          else if (n % 3 === 1) setTimeout(() => callback(null, user, context), n % 50)
          else setTimeout(() => callback(new Error(`no ${user.user_id}`)), n % 50)
        }, "300 millis")
    ], { deadline: "2 seconds", modules: { request: Request.request } })
    await sleep(20)
    const before = handles()
    const { result: value } = await LogCapture.around(() =>
      Promise.all(Array.from({ length: 200 }, (_, n) => login(action, `u${n}`)))
    )
    await sleep(100)
    value.forEach(({ api }, n) => {
      const summary = api.summary()
      if (n % 3 === 1) {
        assert.isUndefined(summary.denied, `u${n}`)
        assert.strictEqual(summary.idTokenClaims["https://example.com/who"], `auth0|u${n}`)
      } else {
        assert.strictEqual(summary.denied, n % 3 === 0 ? genericMessage : `no auth0|u${n}`)
      }
    })
    assert.strictEqual(server.requests(), 67)
    assert.strictEqual(server.closed(), 67)
    const after = handles()
    assertNoMore({ ...after, sockets: before.sockets }, before)
    // An aborted fetch's client socket lingers until undici's keep-alive timer (about 4 s, as with a plain fetch and
    // an AbortController, without rulefx): bounded, and gone after it.
    const started = Date.now()
    while (handles().sockets > before.sockets && Date.now() - started < 8000) {
      // oxlint-disable-next-line no-await-in-loop -- polling
      await sleep(100)
    }
    assertNoMore(handles(), before)
    assert.strictEqual(active.size, 0)
  }, 30_000)

  it("a timeout past setTimeout's range, or infinite: the rule still calls back, no timer is left", async () => {
    for (const timeout of [Duration.millis(2 ** 31 + 5), Duration.infinity, Duration.days(365)]) {
      const action = LegacyAction.make([
        rule("long", () => (user, context, callback) => setTimeout(() => callback(null, user, context), 5), timeout)
      ])
      // oxlint-disable-next-line no-await-in-loop -- one at a time
      await sleep(10)
      const before = handles()
      // oxlint-disable-next-line no-await-in-loop -- one at a time
      const { result: value } = await LogCapture.around(() => login(action))
      // oxlint-disable-next-line no-await-in-loop -- one at a time
      await sleep(10)
      assert.isUndefined(value.api.summary().denied)
      assertNoMore(handles(), before)
    }
  })

  it.effect("TestClock: a timeout of 0 denies without running the rule's code, as it would its timeout", () =>
    Effect.gen(function*() {
      let ran = false
      const fn: LegacyRule.RuleFunction = (_user, _context, callback) => {
        ran = true
        callback(null)
      }
      for (const timeout of [0, -5, Number.NaN]) {
        ran = false
        const exit = yield* Effect.exit(LegacyRule.run(rule("zero", () => fn, timeout), fn, newSession()))
        assert.isTrue(Exit.isFailure(exit))
        assert.isFalse(ran, `timeout ${timeout}: the rule's code ran after its run had ended`)
      }
    }))

  it.effect("TestClock: a rule calling back as the clock reaches its timeout, from a fiber of the same adjust", () =>
    Effect.gen(function*() {
      let late: ((error?: unknown) => void) | undefined
      const fn: LegacyRule.RuleFunction = (_user, _context, callback) => {
        late = callback
      }
      const fiber = yield* Effect.forkChild(Effect.flip(LegacyRule.run(rule("edge", () => fn, 50), fn, newSession())))
      // Scheduled at the same instant as the timeout, after it.
      yield* Effect.forkChild(Effect.andThen(Effect.sleep("50 millis"), Effect.sync(() => late?.())))
      yield* TestClock.adjust("50 millis")
      const error = yield* Fiber.join(fiber)
      assert.instanceOf(error, Denial.RuleTimedOut)
    }))
})
