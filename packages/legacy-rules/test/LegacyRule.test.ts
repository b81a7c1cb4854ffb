import { assert, describe, it } from "@effect/vitest"
import * as Denial from "@rulefx/core/Denial"
import * as LegacyRule from "@rulefx/legacy-rules/LegacyRule"
import * as RulesContext from "@rulefx/legacy-rules/RulesContext"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { TestClock } from "effect/testing"
import { fullEvent } from "./utils/Fixtures.ts"

type Callback = Parameters<LegacyRule.RuleFunction>[2]

const newSession = (): LegacyRule.Session => ({
  ...RulesContext.fromEvent(fullEvent()),
  scrub: (text) => text
})

/** Runs `fn` once as rule "r" with a 50 ms timeout. */
const runFn = (fn: LegacyRule.RuleFunction, session: LegacyRule.Session = newSession(), timeout = 50) =>
  LegacyRule.run(LegacyRule.make("r", () => fn, { timeout: Duration.millis(timeout) }), fn, session)

/** The failure of running `fn`, which must fail. */
const failureOf = (fn: LegacyRule.RuleFunction) => Effect.flip(runFn(fn))

const neverCallsBack: LegacyRule.RuleFunction = () => undefined

/** The failure of running `fn` as rule "r" whose parameter `e` is `user` in the rule's own source. */
const failureNamed = (fn: LegacyRule.RuleFunction) =>
  Effect.flip(LegacyRule.run(LegacyRule.make("r", () => fn, { params: { e: "user" } }), fn, newSession()))

/** An engine's error about the shortened parameter `e`. */
const engine = () => new TypeError("e.x is not a function")

/** How many timers the process has pending. */
const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length

/** Lets pending promise callbacks and timers of 0 ms run, in real time. */
const settle = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 5)))

const denied = (error: LegacyRule.LegacyRuleDenied | Denial.RuleTimedOut): LegacyRule.LegacyRuleDenied => {
  assert.strictEqual(error._tag, "LegacyRuleDenied")
  assert.instanceOf(error, LegacyRule.LegacyRuleDenied)
  return error as LegacyRule.LegacyRuleDenied
}

describe("LegacyRule", () => {
  describe("make", () => {
    it("the default timeout is 5 s", () => {
      assert.strictEqual(Duration.toMillis(LegacyRule.defaultTimeout), 5000)
      const rule = LegacyRule.make("r", () => (_user, _context, callback) => callback(null))
      assert.strictEqual(rule.name, "r")
      assert.strictEqual(Duration.toMillis(rule.timeout), 5000)
    })

    it("a timeout of its own", () => {
      const rule = LegacyRule.make("r", () => (_user, _context, callback) => callback(null), { timeout: "250 millis" })
      assert.strictEqual(Duration.toMillis(rule.timeout), 250)
    })

    it.effect("a rule made without a timeout times out after exactly 5 s", () =>
      Effect.gen(function*() {
        const rule = LegacyRule.make("slowpoke", () => () => undefined)
        const fiber = yield* Effect.forkChild(Effect.flip(LegacyRule.run(rule, rule.load(undefined!), newSession())))
        yield* TestClock.adjust("4999 millis")
        assert.isUndefined(fiber.pollUnsafe())
        yield* TestClock.adjust("1 millis")
        const error = yield* Fiber.join(fiber)
        assert.instanceOf(error, Denial.RuleTimedOut)
        assert.deepStrictEqual({ rule: error.rule, millis: (error as Denial.RuleTimedOut).millis }, {
          rule: "slowpoke",
          millis: 5000
        })
      }))
  })

  describe("run: calling back", () => {
    it.effect("callback(null, user, context) continues and the session adopts the objects passed", () =>
      Effect.gen(function*() {
        const session = newSession()
        const before = session.user
        const nextUser: RulesContext.RulesUser = { user_id: "auth0|other", app_metadata: {}, user_metadata: {} }
        const nextContext = { ...session.context, clientName: "Replaced" }
        yield* runFn((_user, _context, callback) => callback(null, nextUser, nextContext), session)
        assert.strictEqual(session.user, nextUser)
        assert.strictEqual(session.context, nextContext)
        assert.notStrictEqual(session.user, before)
      }))

    it.effect("callback(null, user, context) with the objects it was given keeps their mutations", () =>
      Effect.gen(function*() {
        const session = newSession()
        const user = session.user
        yield* runFn((u, c, callback) => {
          u["seller"] = "seller-1"
          c.idToken["https://x.example/seller"] = "seller-1"
          callback(null, u, c)
        }, session)
        assert.strictEqual(session.user, user)
        assert.strictEqual(session.user["seller"], "seller-1")
        assert.deepStrictEqual(session.context.idToken, { "https://x.example/seller": "seller-1" })
      }))

    it.effect("callback(null) and callback() keep the session", () =>
      Effect.gen(function*() {
        for (const call of [(cb: Callback) => cb(null), (cb: Callback) => cb(), (cb: Callback) => cb(undefined)]) {
          const session = newSession()
          const { context, user } = session
          yield* runFn((_u, _c, callback) => call(callback), session)
          assert.strictEqual(session.user, user)
          assert.strictEqual(session.context, context)
        }
      }))

    it.effect("callback(null, non-objects) keeps the session", () =>
      Effect.gen(function*() {
        const session = newSession()
        const { context, user } = session
        yield* runFn((_u, _c, callback) => callback(null, "user", 42), session)
        assert.strictEqual(session.user, user)
        assert.strictEqual(session.context, context)
      }))

    it.effect("callback(new Error(m)): LegacyRuleDenied with reason m and the rule's name", () =>
      Effect.gen(function*() {
        const error = denied(yield* failureOf((_u, _c, callback) => callback(new Error("Access denied for you"))))
        assert.strictEqual(error.rule, "r")
        assert.strictEqual(error.reason, "Access denied for you")
        assert.strictEqual(error.message, "Access denied for you")
        assert.isFalse(error.unauthorized)
        assert.isTrue(Denial.isDenial(error))
      }))

    it.effect("callback(text): the text is the reason", () =>
      Effect.gen(function*() {
        const error = denied(yield* failureOf((_u, _c, callback) => callback("Blocked country")))
        assert.strictEqual(error.reason, "Blocked country")
        assert.isFalse(error.unauthorized)
      }))

    it.effect("callback(new UnauthorizedError(u)): unauthorized, reason u", () =>
      Effect.gen(function*() {
        const error = denied(
          yield* failureOf((_u, _c, callback) => callback(new LegacyRule.UnauthorizedError("Verify your email")))
        )
        assert.strictEqual(error.reason, "Verify your email")
        assert.isTrue(error.unauthorized)
        assert.strictEqual(new LegacyRule.UnauthorizedError("x").name, "UnauthorizedError")
        assert.instanceOf(new LegacyRule.UnauthorizedError("x"), Error)
      }))

    it.effect.each(
      [
        ["an empty message", { message: "" }],
        ["a blank message", new Error("   ")],
        ["a number", 42],
        ["true", true],
        ["an object without message", { code: "E1" }],
        ["a non-string message", { message: 7 }],
        ["an empty string", ""]
      ] as const
    )("callback(%s): the generic message", ([, value]) =>
      Effect.gen(function*() {
        const error = denied(yield* failureOf((_u, _c, callback) => callback(value)))
        assert.strictEqual(error.reason, Denial.genericMessage)
        assert.strictEqual(error.message, Denial.genericMessage)
      }))

    it.effect("a long message is cut to 500 characters ending with …", () =>
      Effect.gen(function*() {
        const long = "x".repeat(600)
        const error = denied(yield* failureOf((_u, _c, callback) => callback(new Error(long))))
        assert.strictEqual(error.reason.length, 500)
        assert.strictEqual(error.reason, `${"x".repeat(499)}…`)
        const exact = "y".repeat(500)
        assert.strictEqual(LegacyRule.reasonOf(exact), exact)
        assert.strictEqual(LegacyRule.reasonOf("z".repeat(501)), `${"z".repeat(499)}…`)
      }))

    it.effect("calling back asynchronously (setTimeout) continues", () =>
      Effect.gen(function*() {
        const session = newSession()
        yield* runFn(
          (user, context, callback) => {
            setTimeout(() => {
              user["late"] = true
              callback(null, user, context)
            }, 0)
          },
          session,
          5000
        )
        assert.strictEqual(session.user["late"], true)
      }))
  })

  describe("run: throwing and promises", () => {
    it.effect("a synchronous throw denies with its message", () =>
      Effect.gen(function*() {
        const error = denied(
          yield* failureOf(() => {
            throw new TypeError("Cannot read properties of undefined (reading 'x')")
          })
        )
        assert.strictEqual(error.reason, "Cannot read properties of undefined (reading 'x')")
      }))

    it.effect("throw undefined and a rejection without a reason deny with the generic message", () =>
      Effect.gen(function*() {
        const thrown = denied(
          yield* failureOf(() => {
            throw undefined
          })
        )
        assert.strictEqual(thrown.reason, Denial.genericMessage)
        const rejected = denied(yield* failureOf(() => Promise.reject(undefined)))
        assert.strictEqual(rejected.reason, Denial.genericMessage)
      }))

    it.effect("a throw after calling back is ignored: the first outcome wins", () =>
      Effect.gen(function*() {
        yield* runFn((_u, _c, callback) => {
          callback(null)
          throw new Error("too late")
        })
      }))

    it.effect("an async function that rejects denies with its message", () =>
      Effect.gen(function*() {
        const error = denied(
          yield* failureOf(async function(_user, _context) {
            await Promise.resolve()
            throw new Error("async boom")
          })
        )
        assert.strictEqual(error.reason, "async boom")
      }))

    it.effect("an async function with a callback parameter that rejects denies too", () =>
      Effect.gen(function*() {
        const error = denied(
          yield* failureOf(async function(_user, _context, _callback) {
            throw new Error("async boom 3")
          })
        )
        assert.strictEqual(error.reason, "async boom 3")
      }))

    it.effect("an async function with two parameters continues when it resolves, keeping its mutations", () =>
      Effect.gen(function*() {
        const session = newSession()
        yield* runFn(async function(user, context) {
          await Promise.resolve()
          user["touched"] = true
          context.idToken["k"] = "v"
        }, session)
        assert.strictEqual(session.user["touched"], true)
        assert.deepStrictEqual(session.context.idToken, { k: "v" })
      }))

    it.effect("an async function with three parameters that calls back continues", () =>
      Effect.gen(function*() {
        const session = newSession()
        yield* runFn(async function(user, context, callback) {
          await Promise.resolve()
          callback(null, { ...user, replaced: true }, context)
        }, session)
        assert.strictEqual(session.user["replaced"], true)
      }))

    it.effect("an async function with three parameters that resolves without calling back waits for its timeout", () =>
      Effect.gen(function*() {
        let resolved = false
        const fiber = yield* Effect.forkChild(
          Effect.flip(
            runFn(async function(_user, _context, _callback) {
              await Promise.resolve()
              resolved = true
            })
          )
        )
        yield* settle
        assert.isTrue(resolved)
        assert.isUndefined(fiber.pollUnsafe())
        yield* TestClock.adjust("49 millis")
        assert.isUndefined(fiber.pollUnsafe())
        yield* TestClock.adjust("1 millis")
        const error = yield* Fiber.join(fiber)
        assert.instanceOf(error, Denial.RuleTimedOut)
        assert.strictEqual(error.rule, "r")
        assert.strictEqual((error as Denial.RuleTimedOut).millis, 50)
        assert.strictEqual(error.message, Denial.genericMessage)
      }))
  })

  describe("run: timeouts and late outcomes", () => {
    it.effect("a rule that never calls back: RuleTimedOut with the rule and its millis", () =>
      Effect.gen(function*() {
        const rule = LegacyRule.make("hangs", () => neverCallsBack, { timeout: "50 millis" })
        const fiber = yield* Effect.forkChild(Effect.flip(LegacyRule.run(rule, neverCallsBack, newSession())))
        yield* TestClock.adjust("49 millis")
        assert.isUndefined(fiber.pollUnsafe())
        yield* TestClock.adjust("1 millis")
        const error = yield* Fiber.join(fiber)
        assert.instanceOf(error, Denial.RuleTimedOut)
        assert.strictEqual(error.rule, "hangs")
        assert.strictEqual((error as Denial.RuleTimedOut).millis, 50)
      }))

    it.live("a rule that never calls back, in real time: RuleTimedOut after about 50 ms", () =>
      Effect.gen(function*() {
        const started = Date.now()
        const error = yield* Effect.flip(runFn(() => undefined))
        const elapsed = Date.now() - started
        assert.instanceOf(error, Denial.RuleTimedOut)
        assert.isAtLeast(elapsed, 45)
        assert.isBelow(elapsed, 2000)
      }))

    it.live("a rule that calls back, in real time: no timer of its timeout is left behind", () =>
      Effect.gen(function*() {
        yield* settle
        const before = timers()
        yield* runFn((_u, _c, callback) => callback(null), newSession(), 60_000)
        yield* runFn(async () => {}, newSession(), 60_000)
        yield* settle
        assert.strictEqual(timers(), before)
      }))

    it.effect("a second callback is ignored: callback(null) then callback(error) continues", () =>
      Effect.gen(function*() {
        const session = newSession()
        const { user } = session
        yield* runFn((_u, _c, callback) => {
          callback(null)
          callback(new Error("second"))
          callback(null, { user_id: "auth0|third", app_metadata: {}, user_metadata: {} })
        }, session)
        assert.strictEqual(session.user, user)
      }))

    it.effect("a second callback is ignored: callback(error) then callback(null) denies with the first", () =>
      Effect.gen(function*() {
        const error = denied(
          yield* failureOf((_u, _c, callback) => {
            callback(new Error("first"))
            callback(null)
          })
        )
        assert.strictEqual(error.reason, "first")
      }))

    it.effect("a rejected promise after calling back is ignored", () =>
      Effect.gen(function*() {
        yield* runFn(async function(_user, _context, callback) {
          callback(null)
          throw new Error("after")
        })
      }))

    it.effect("a callback after the timeout is ignored: no crash, the session is left alone", () =>
      Effect.gen(function*() {
        const session = newSession()
        const { context, user } = session
        let late: Callback | undefined
        const fiber = yield* Effect.forkChild(Effect.exit(runFn((_u, _c, callback) => {
          late = callback
        }, session)))
        yield* TestClock.adjust("50 millis")
        const exit = yield* Fiber.join(fiber)
        assert.isTrue(Exit.isFailure(exit))
        assert.isDefined(late)
        late!(null, { user_id: "auth0|late", app_metadata: {}, user_metadata: {} }, { late: true })
        late!(new Error("late error"))
        yield* settle
        assert.strictEqual(session.user, user)
        assert.strictEqual(session.context, context)
      }))
  })
  describe("run: a parameter's name put back (`rulefx migrate` shortened it)", () => {
    it.effect("in an engine's error thrown, rejected, or thrown by a callback inside a shim", () =>
      Effect.gen(function*() {
        const reasons = [
          denied(
            yield* failureNamed(() => {
              throw engine()
            })
          ),
          denied(yield* failureNamed(() => Promise.reject(engine()))),
          denied(yield* failureNamed(() => LegacyRule.failCurrent(engine())))
        ].map((error) => error.reason)
        assert.deepStrictEqual(reasons, Array(3).fill("user.x is not a function"))
      }))

    it.effect("an error whose name is a getter that throws denies with its message, as it is", () =>
      Effect.gen(function*() {
        const error = new TypeError("e.x is not a function")
        Object.defineProperty(error, "name", {
          get() {
            throw new Error("no name")
          }
        })
        const thrown = denied(
          yield* failureNamed(() => {
            throw error
          })
        )
        assert.strictEqual(thrown.reason, "e.x is not a function")
      }))
  })

  describe("failCurrent", () => {
    it("outside any rule's code: logged by its kind only, since there is no login to deny nor secrets to scrub", () => {
      const capture = LogCapture.start()
      try {
        LegacyRule.failCurrent(new TypeError("thrown by nobody's rule, with key sk_live_4eC39HqLyjWDarjtT1zdp7dc"))
        LegacyRule.failCurrent("sk_live_4eC39HqLyjWDarjtT1zdp7dc")
      } finally {
        capture.stop()
      }
      assert.deepStrictEqual(capture.lines, [
        "rulefx legacy: a callback threw outside any rule (TypeError)",
        "rulefx legacy: a callback threw outside any rule (string)"
      ])
      assert.isUndefined(LegacyRule.current())
    })
  })
})
