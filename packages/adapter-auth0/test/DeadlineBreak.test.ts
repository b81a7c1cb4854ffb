/**
 * Breaking the handler's deadline (internal/deadline.ts, shared by PostLogin and TriggerRun) after it settled its
 * promise from the run fiber's exit by hand (the first defect of a failed exit, where it used Cause.squash): a logger
 * that throws on the failure line or on the deadline's, a failed exit with no defect, a run ending as the deadline
 * falls, a rule uninterruptible past it, and a blocking trigger through TriggerRun. Whatever happens, the login is
 * denied (or the handler rejects, which Auth0 fails): never let through, never an exception thrown at Auth0.
 */
import { assert, describe, it } from "@effect/vitest"
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as PreUserRegistration from "@rulefx/adapter-auth0/PreUserRegistration"
import * as Decision from "@rulefx/core/Decision"
import { type Denial, genericMessage } from "@rulefx/core/Denial"
import type { Login } from "@rulefx/core/Login"
import * as Pipeline from "@rulefx/core/Pipeline"
import * as Registration from "@rulefx/core/PreUserRegistration"
import * as Rule from "@rulefx/core/Rule"
import type * as Secrets from "@rulefx/core/Secrets"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as TriggerApis from "@rulefx/testing/TriggerApis"
import * as TriggerEvents from "@rulefx/testing/TriggerEvents"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { withDeadline } from "../src/internal/deadline.ts"
import { minimalEvent } from "./utils/Events.ts"

const only = (rule: Rule.Rule<Denial, Login | Secrets.Secrets>) => Pipeline.make({ facts: [], rules: [rule] })

const handlerOf = (rule: Rule.Rule<Denial, Login | Secrets.Secrets>, deadline: Duration.Input) =>
  PostLogin.make(only(rule), Layer.empty, { deadline })

const claim = "https://example.com/allowed"
const allows = Rule.make("allows", Decision.setIdTokenClaim(claim, true))

/**
 * One login with console.log replaced by `log` (which may throw): what the api was asked when the handler settled,
 * and how the handler settled.
 */
const login = async (handler: PostLogin.Handler, log: (line: string) => void = () => undefined) => {
  const api = RecordingApi.make()
  const capture = LogCapture.start()
  const saved = console.log
  console.log = (line: string) => log(line)
  try {
    const settled = await handler(minimalEvent(), api).then(() => "resolved", (error: unknown) => ({ error }))
    return { api, settled, calls: [...api.calls] }
  } finally {
    console.log = saved
    capture.stop()
  }
}

/** How many timers the process has pending. */
const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length

const sleep = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis))

const throwing = (value: unknown, when: (line: string) => boolean = () => true) => (line: string) => {
  if (when(line)) throw value
}

/** Exactly one `access.deny` with the generic reason and nothing else. */
const onlyDenied = (calls: ReadonlyArray<RecordingApi.Call>) =>
  assert.deepStrictEqual(calls, [{ method: "access.deny", args: [genericMessage] }])

describe("the handler's deadline, broken", () => {
  it.each([
    ["an Error", new Error("console is gone")],
    ["undefined", undefined],
    ["null", null],
    [
      "a Proxy whose every trap throws",
      new Proxy({}, {
        get: () => {
          throw new Error("trap")
        },
        getPrototypeOf: () => {
          throw new Error("trap")
        }
      })
    ]
  ])("a logger that throws %s on the deadline's line: denied, the handler resolves", async (_, value) => {
    const sleepy = Rule.make("sleepy", Effect.sleep("10 seconds"))
    const { calls, settled } = await login(
      handlerOf(sleepy, "50 millis"),
      throwing(value, (line) => line.includes("DeadlineExceeded"))
    )
    assert.strictEqual(settled, "resolved")
    onlyDenied(calls)
  })

  it.each([
    ["an Error", new Error("console is gone")],
    ["undefined", undefined]
  ])("a logger that throws %s on the failure line: denied, the handler resolves", async (_, value) => {
    const boom = Rule.make("boom", Effect.die("boom"))
    const { calls, settled } = await login(handlerOf(boom, "1 second"), throwing(value))
    assert.strictEqual(settled, "resolved")
    onlyDenied(calls)
  })

  it("a rule that interrupts the run's own fiber (a failed exit with no defect, before the deadline): denied", async () => {
    const self = Rule.make(
      "self-interrupt",
      Effect.withFiber((fiber) => {
        fiber.interruptUnsafe()
        return Effect.andThen(Effect.yieldNow, Decision.setIdTokenClaim(claim, true))
      })
    )
    const interrupts = Rule.make("interrupts", Effect.andThen(Effect.interrupt, Decision.setIdTokenClaim(claim, true)))
    for (const rule of [self, interrupts]) {
      // oxlint-disable-next-line no-await-in-loop -- one login at a time
      const { calls, settled } = await login(handlerOf(rule, "1 second"))
      assert.strictEqual(settled, "resolved", rule.name)
      onlyDenied(calls)
    }
  })

  it.each([
    ["a typed failure forced past the types", Effect.fail("not a denial")],
    ["an interruption", Effect.interrupt],
    ["a defect of undefined", Effect.die(undefined)]
  ])("withDeadline: a run that ends with %s rejects (never resolves), and clears its timer", async (_, run) => {
    const before = timers()
    const settled = await withDeadline(
      run as unknown as Effect.Effect<string>,
      60_000,
      () => Effect.succeed("deadline")
    ).then((value) => ({ value }), () => "rejected")
    assert.strictEqual(settled, "rejected")
    assert.strictEqual(timers(), before)
  })

  it("withDeadline: an onDeadline whose answer fails rejects; the run's later exit changes nothing", async () => {
    let ran = 0
    const settled = await withDeadline(
      Effect.andThen(Effect.uninterruptible(Effect.promise(() => sleep(100))), Effect.sync(() => ++ran)),
      20,
      () => Effect.fail("late") as unknown as Effect.Effect<number>
    ).then((value) => ({ value }), () => "rejected")
    assert.strictEqual(settled, "rejected")
    await sleep(150)
    assert.strictEqual(ran, 0, "the interrupted run went no further than its uninterruptible region")
  })

  it.live("a run ending in the same tick as the deadline: one answer, either the decision or the denial", () =>
    Effect.promise(async () => {
      const edge = Rule.make("edge", Effect.andThen(Effect.sleep("40 millis"), Decision.setIdTokenClaim(claim, true)))
      // Deadlines about the rule's sleep: some end first, some at the same instant, some after.
      const handlers = [38, 39, 40, 41, 42].map((millis) => handlerOf(edge, Duration.millis(millis)))
      // One capture for all: LogCapture is global, and these logins overlap.
      const { result: outcomes } = await LogCapture.around(async () => {
        const apis = Array.from({ length: 40 }, () => RecordingApi.make())
        const calls = await Promise.all(
          apis.map((api, i) => handlers[i % handlers.length]!(minimalEvent(), api).then(() => [...api.calls]))
        )
        await sleep(100)
        return apis.map((api, i) => ({ api, calls: calls[i]! }))
      })
      for (const { api, calls } of outcomes) {
        assert.strictEqual(api.calls.length, calls.length, "no api call after the handler settled")
        assert.oneOf(JSON.stringify(calls.map((call) => call.method)), [
          JSON.stringify(["access.deny"]),
          JSON.stringify(["idToken.setCustomClaim"])
        ])
      }
    }))

  it.live("an uninterruptible rule that dies past the deadline: denied at the deadline, nothing logged or applied later", () =>
    Effect.promise(async () => {
      const late = Rule.make(
        "late",
        Effect.uninterruptible(Effect.andThen(Effect.sleep("150 millis"), Effect.die(new Error("late defect"))))
      )
      const lines: Array<string> = []
      const started = Date.now()
      const { api, calls, settled } = await login(handlerOf(late, "50 millis"), (line) => void lines.push(line))
      assert.isBelow(Date.now() - started, 140)
      const before = lines.length
      const saved = console.log
      console.log = (line: string) => void lines.push(line)
      try {
        await sleep(200)
      } finally {
        console.log = saved
      }
      assert.strictEqual(settled, "resolved")
      onlyDenied(calls)
      assert.strictEqual(api.calls.length, calls.length)
      assert.deepStrictEqual(lines.slice(before), [], "the interrupted run logs nothing when it ends")
    }))

  // Found here: the deadline's answer was built in the timer's callback, outside any fiber, so what building it threw
  // (PostLogin's failure line reads the DeadlineExceeded's stack) escaped the timer as an uncaught exception: in an
  // Action, the process ends; the run was never interrupted and the handler's promise never settled.
  it("what building the deadline's answer throws (a stack that cannot be read): denied, the run interrupted", async () => {
    let ran = false
    const sleepy = Rule.make("sleepy", Effect.andThen(Effect.sleep("200 millis"), Effect.sync(() => void (ran = true))))
    const saved = Error.prepareStackTrace
    Error.prepareStackTrace = (error, frames) => {
      if ((error as { readonly _tag?: unknown })._tag === "DeadlineExceeded") throw new Error("no stack to read")
      return saved ? saved(error, frames) : [String(error), ...frames.map((frame) => `    at ${frame}`)].join("\n")
    }
    try {
      const { calls, settled } = await login(handlerOf(sleepy, "50 millis"))
      assert.strictEqual(settled, "resolved")
      onlyDenied(calls)
    } finally {
      Error.prepareStackTrace = saved
    }
    await sleep(250)
    assert.isFalse(ran, "the run was interrupted at the deadline")
  })

  it("allows the same login with a working console: the attacks above are not denials of everything", async () => {
    const { calls, settled } = await login(handlerOf(allows, "1 second"))
    assert.strictEqual(settled, "resolved")
    assert.deepStrictEqual(calls.map((call) => call.method), ["idToken.setCustomClaim"])
  })

  it.each([
    ["on the deadline's line", (line: string) => line.includes("DeadlineExceeded"), Effect.sleep("10 seconds")],
    ["on the failure line", () => true, Effect.die("boom")]
  ])("pre-user-registration (TriggerRun), a logger that throws %s: denied closed", async (_, when, body) => {
    const handler = PreUserRegistration.make(
      Registration.makePipeline({ facts: [], rules: [Registration.makeRule("r", body)] }),
      Layer.empty,
      { deadline: "50 millis" }
    )
    const api = TriggerApis.preUserRegistration()
    const capture = LogCapture.start()
    const saved = console.log
    console.log = throwing(new Error("console is gone"), when)
    try {
      await handler(TriggerEvents.preUserRegistration(), api)
    } finally {
      console.log = saved
      capture.stop()
    }
    assert.deepStrictEqual(api.calls.map((call) => call.method), ["access.deny"])
  })
})
