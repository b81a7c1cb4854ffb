import { assert, describe, it } from "@effect/vitest"
import * as Auth0Limits from "@rulefx/adapter-auth0/Auth0Limits"
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import type { CacheApi, PostLoginApi } from "@rulefx/adapter-auth0/PostLoginApi"
import { Cache } from "@rulefx/core/Cache"
import * as Decision from "@rulefx/core/Decision"
import { Class as DenialClass, type Denial, genericMessage, withCommitted } from "@rulefx/core/Denial"
import * as Fact from "@rulefx/core/Fact"
import { Login } from "@rulefx/core/Login"
import * as Pipeline from "@rulefx/core/Pipeline"
import * as Rule from "@rulefx/core/Rule"
import * as Secrets from "@rulefx/core/Secrets"
import { Crypto } from "@rulefx/rules/Crypto"
import { SellerApi } from "@rulefx/rules/SellerApi"
import * as Hmac from "@rulefx/testing/Hmac"
import * as Leaks from "@rulefx/testing/Leaks"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as Logins from "@rulefx/testing/Logins"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as SellerServer from "@rulefx/testing/SellerServer"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { countByMethod, denyThrowsApi, scopeThrowsApi, throwingApi } from "./utils/Apis.ts"
import { fullEvent, intercomSecret, minimalEvent } from "./utils/Events.ts"
import * as Seed from "./utils/Seed.ts"

class Blocked extends DenialClass("Blocked")<{ readonly userId: string }> {
  override get message(): string {
    return "Blocked by the test policy."
  }
}

const notAllowed = "Your account is not allowed to use this application."

const only = (rule: Rule.Rule<Denial, Login | Secrets.Secrets>) => Pipeline.make({ facts: [], rules: [rule] })

const handlerOf = (rule: Rule.Rule<Denial, Login | Secrets.Secrets>, options: PostLogin.Options = {}) =>
  PostLogin.make(only(rule), Layer.empty, options)

// Runs one login with a fresh recording api, capturing what the handler logs.
const run = async (handler: PostLogin.Handler, event: unknown) => {
  const api = RecordingApi.make()
  const { result, lines } = await LogCapture.around(() => handler(event, api))
  return { api, result, lines, summary: api.summary(), counts: countByMethod(api.calls) }
}

const claimMethods = ["idToken.setCustomClaim", "accessToken.setCustomClaim"]
const writeMethods = [
  ...claimMethods,
  "accessToken.addScope",
  "accessToken.removeScope",
  "user.setAppMetadata",
  "user.setUserMetadata",
  "multifactor.enable",
  "redirect.sendUserTo"
]

const assertOnlyDenied = (api: RecordingApi.RecordingApi, reason: string) => {
  assert.deepStrictEqual(api.calls, [{ method: "access.deny", args: [reason] }])
}

const everything = Rule.make(
  "everything",
  Effect.gen(function*() {
    yield* Decision.setIdTokenClaim("https://example.com/id", { a: 1 })
    yield* Decision.setAccessTokenClaim("https://example.com/at", ["x"])
    yield* Decision.addScope("read:orders")
    yield* Decision.removeScope("write:orders")
    yield* Decision.persistAppMetadata("plan", "gold")
    yield* Decision.persistUserMetadata("locale", null)
    yield* Decision.requireMfa("guardian", { allowRememberBrowser: true })
    yield* Decision.redirect("https://verify.example/start", { step: "1" })
  })
)

describe("PostLogin.make: an allowed login", () => {
  it("the seed pipeline: seller, seller email hash and roles claims, each set once, nothing persisted", async () => {
    const { api, result, summary, counts } = await run(Seed.handler, fullEvent())
    assert.isUndefined(result)
    assert.isUndefined(summary.denied)
    assert.deepStrictEqual(counts, { "idToken.setCustomClaim": 2, "accessToken.setCustomClaim": 1 })
    assert.deepStrictEqual(summary.idTokenClaims, {
      [Seed.claims.seller]: Seed.ada,
      [Seed.claims.sellerEmailHash]: Hmac.hex(intercomSecret, Seed.ada.email)
    })
    assert.deepStrictEqual(summary.accessTokenClaims, { [Seed.claims.roles]: ["ADMIN"] })
    const claimNames = api.calls.map((c) => c.args[0])
    assert.strictEqual(new Set(claimNames).size, claimNames.length)
  })

  it("the seed pipeline: a user without roles gets the fallback in the token only, never persisted", async () => {
    const { summary, counts } = await run(Seed.handler, minimalEvent())
    assert.isUndefined(summary.denied)
    assert.deepStrictEqual(summary.accessTokenClaims, { [Seed.claims.roles]: ["USER"] })
    assert.deepStrictEqual(summary.idTokenClaims, {})
    assert.isUndefined(counts["user.setAppMetadata"])
    assert.isUndefined(counts["user.setUserMetadata"])
  })

  it("the seed pipeline: a numeric sellerId is looked up as a string", async () => {
    const { summary } = await run(Seed.handler, minimalEvent({ appMetadata: { sellerId: 42 } }))
    assert.deepStrictEqual(summary.idTokenClaims[Seed.claims.seller], {
      id: "42",
      email: "num@shop.example",
      name: "Numbered"
    })
  })

  it.effect("the seed pipeline: the seller is fetched once per login, though two rules read it", () =>
    Effect.gen(function*() {
      const calls = yield* Ref.make<ReadonlyArray<string>>([])
      const handler = PostLogin.make(
        Seed.pipeline,
        Layer.mergeAll(SellerApi.layerTest(Seed.sellers, calls), Crypto.layer)
      )
      const api = RecordingApi.make()
      yield* Effect.promise(() => handler(fullEvent(), api))
      assert.deepStrictEqual(yield* Ref.get(calls), ["seller-1"])
      yield* Effect.promise(() => handler(fullEvent(), RecordingApi.make()))
      assert.deepStrictEqual(yield* Ref.get(calls), ["seller-1", "seller-1"])
    }))

  it("every kind of decision is applied through api, exactly once each, claims then metadata last", async () => {
    const { api, summary, counts } = await run(handlerOf(everything), minimalEvent())
    assert.deepStrictEqual(counts, {
      "accessToken.removeScope": 1,
      "accessToken.addScope": 1,
      "user.setAppMetadata": 1,
      "user.setUserMetadata": 1,
      "multifactor.enable": 1,
      "redirect.sendUserTo": 1,
      "idToken.setCustomClaim": 1,
      "accessToken.setCustomClaim": 1
    })
    assert.deepStrictEqual(summary, {
      denied: undefined,
      idTokenClaims: { "https://example.com/id": { a: 1 } },
      accessTokenClaims: { "https://example.com/at": ["x"] },
      scopesAdded: ["read:orders"],
      scopesRemoved: ["write:orders"],
      appMetadata: { plan: "gold" },
      userMetadata: { locale: null },
      mfa: "guardian",
      mfaOptions: { allowRememberBrowser: true },
      redirect: "https://verify.example/start"
    })
    const find = (method: string) => api.calls.find((c) => c.method === method)
    assert.deepStrictEqual(find("multifactor.enable")?.args, ["guardian", { allowRememberBrowser: true }])
    assert.deepStrictEqual(find("redirect.sendUserTo")?.args, ["https://verify.example/start", {
      query: { step: "1" }
    }])
    const methods = api.calls.map((c) => c.method)
    // Metadata last: anything that throws before it denies the login with nothing persisted.
    assert.deepStrictEqual(methods.slice(-4), [...claimMethods, "user.setAppMetadata", "user.setUserMetadata"])
  })

  it("a rule reads the decoded event through Login, never the raw event", async () => {
    const rule = Rule.make(
      "readsLogin",
      Effect.gen(function*() {
        const login = yield* Login
        yield* Decision.setIdTokenClaim("https://example.com/where", {
          country: login.request.countryCode,
          audience: login.transaction.audience,
          rbac: login.user.roles
        })
      })
    )
    const { summary } = await run(handlerOf(rule), fullEvent())
    assert.deepStrictEqual(summary.idTokenClaims, {
      "https://example.com/where": {
        country: "GB",
        audience: "https://api.shop.example",
        rbac: ["rbac-admin", "rbac-viewer"]
      }
    })
  })

  it("an empty decision makes no api call at all", async () => {
    const { api } = await run(handlerOf(Rule.make("noop", Effect.void)), minimalEvent())
    assert.deepStrictEqual(api.calls, [])
  })

  it("secrets come from event.secrets, per login", async () => {
    const rule = Rule.make(
      "usesSecret",
      Effect.gen(function*() {
        const secret = yield* Secrets.get("FLAG")
        const crypto = yield* Crypto
        yield* Decision.setIdTokenClaim("https://example.com/h", yield* crypto.hmacSha256Hex(secret, "m"))
      })
    )
    const handler = PostLogin.make(Pipeline.make({ facts: [], rules: [rule] }), Crypto.layer)
    const { summary } = await run(handler, minimalEvent({ secrets: { FLAG: "k1" } }))
    assert.strictEqual(summary.idTokenClaims["https://example.com/h"], Hmac.hex("k1", "m"))
    const missing = await run(handler, minimalEvent({ secrets: {} }))
    assertOnlyDenied(missing.api, genericMessage)
  })
})

describe("PostLogin.make: a denied login", () => {
  it("the seed pipeline: a role the application does not allow is denied once, with no claim set", async () => {
    const { api } = await run(Seed.handler, minimalEvent({ appMetadata: { sellerId: "seller-1", roles: ["GUEST"] } }))
    assertOnlyDenied(api, notAllowed)
  })

  it("a rule's denial: access.deny(message) once, and the other rules' decisions are not applied", async () => {
    const pipeline = Pipeline.make({
      facts: [],
      rules: [
        everything,
        Rule.make("block", Effect.flatMap(Login, (login) => new Blocked({ userId: login.user.id })))
      ]
    })
    const { api } = await run(PostLogin.make(pipeline, Layer.empty), minimalEvent())
    assertOnlyDenied(api, "Blocked by the test policy.")
  })

  it("the seed pipeline: an application without allowed_roles denies with the generic reason", async () => {
    const { api } = await run(Seed.handler, minimalEvent({ clientMetadata: {} }))
    assertOnlyDenied(api, genericMessage)
  })

  it("the seed pipeline: a missing INTERCOM_SECRET denies with the generic reason", async () => {
    const { api } = await run(Seed.handler, minimalEvent({ secrets: {} }))
    assertOnlyDenied(api, genericMessage)
  })

  it("the seed pipeline: a seller API failure denies with the generic reason, no roles claim either", async () => {
    const { api } = await run(Seed.handler, minimalEvent({ appMetadata: { sellerId: "seller-500", roles: ["USER"] } }))
    assertOnlyDenied(api, genericMessage)
  })

  it("the seed pipeline: malformed app_metadata.roles denies instead of falling back", async () => {
    const { api } = await run(Seed.handler, minimalEvent({ appMetadata: { roles: "ADMIN" } }))
    assertOnlyDenied(api, genericMessage)
  })

  it.live("a denial interrupts slow work still in flight and answers at once", () =>
    Effect.gen(function*() {
      const slow = Rule.make("slow", Effect.sleep("10 seconds").pipe(Effect.andThen(Decision.setIdTokenClaim("x", 1))))
      const block = Rule.make("block", Effect.fail(new Blocked({ userId: "u" })))
      const handler = PostLogin.make(Pipeline.make({ facts: [], rules: [slow, block] }), Layer.empty)
      const api = RecordingApi.make()
      const started = performance.now()
      yield* Effect.promise(() => LogCapture.around(() => handler(minimalEvent(), api)))
      assert.isBelow(performance.now() - started, 1000)
      assertOnlyDenied(api, "Blocked by the test policy.")
    }))
})

describe("PostLogin.make: failing closed", () => {
  it("a defect in a rule denies with the generic reason and sets no claim", async () => {
    const pipeline = Pipeline.make({ facts: [], rules: [everything, Rule.make("boom", Effect.die(new Error("boom")))] })
    const { api } = await run(PostLogin.make(pipeline, Layer.empty), minimalEvent())
    assertOnlyDenied(api, genericMessage)
  })

  it("a rule that throws inside Effect.sync is a defect too", async () => {
    const rule = Rule.make(
      "throws",
      Effect.sync(() => {
        throw new TypeError("Cannot read properties of undefined")
      })
    )
    const { api } = await run(handlerOf(rule), minimalEvent())
    assertOnlyDenied(api, genericMessage)
  })

  it("a layer that fails to build denies with the generic reason", async () => {
    const broken = Layer.effect(SellerApi, Effect.die(new Error("cannot build")))
    const handler = PostLogin.make(Seed.pipeline, Layer.mergeAll(broken, Crypto.layer))
    const { api } = await run(handler, fullEvent())
    assertOnlyDenied(api, genericMessage)
  })

  it.each(
    [
      ["null", null],
      ["undefined", undefined],
      ["an empty object", {}],
      ["a string", "{\"user\":{\"user_id\":\"auth0|x\"}}"],
      ["a number", 0],
      ["an array", [fullEvent()]]
    ] as const
  )("a malformed event (%s) denies with the generic reason and does not throw", async (_, event) => {
    const { api, result, lines } = await run(Seed.handler, event)
    assert.isUndefined(result)
    assertOnlyDenied(api, genericMessage)
    assert.isTrue(LogCapture.rulefxLines(lines).some((line) => line.includes("InvalidEvent")), lines.join("\n"))
  })

  it.live("the deadline: a rule that sleeps 10 s is cut off and denied generically, well under a second", () =>
    Effect.gen(function*() {
      const sleepy = Rule.make(
        "sleepy",
        Effect.sleep("10 seconds").pipe(Effect.andThen(Decision.setIdTokenClaim("x", 1)))
      )
      const handler = PostLogin.make(only(sleepy), Layer.empty, { deadline: "100 millis" })
      const api = RecordingApi.make()
      const started = performance.now()
      const { lines } = yield* Effect.promise(() => LogCapture.around(() => handler(minimalEvent(), api)))
      const elapsed = performance.now() - started
      assert.isBelow(elapsed, 1000)
      assert.isAtLeast(elapsed, 90)
      assertOnlyDenied(api, genericMessage)
      // The line is written outside the run, and still names the user.
      assert.isTrue(
        LogCapture.rulefxLines(lines).some((line) =>
          line.startsWith("rulefx ERROR user=auth0|minimal ") && line.includes("DeadlineExceeded")
        ),
        lines.join("\n")
      )
    }))

  it("the default deadline is 5 seconds, far inside Auth0's 20", () => {
    assert.strictEqual(Duration.toMillis(PostLogin.defaultDeadline), 5000)
  })

  it.each(
    [
      ["an added scope with a space", Decision.addScope("bad scope")],
      ["a removed scope with a quote", Decision.removeScope("bad\"scope")],
      ["an empty scope", Decision.addScope("")]
    ] as const
  )("%s in the decision: denied, and no claim, scope or metadata set", async (_, bad) => {
    const rule = Rule.make(
      "badScope",
      Effect.gen(function*() {
        yield* Decision.setIdTokenClaim("https://example.com/id", 1)
        yield* Decision.setAccessTokenClaim("https://example.com/at", 2)
        yield* Decision.addScope("read:orders")
        yield* Decision.persistAppMetadata("k", "v")
        yield* bad
      })
    )
    const { api } = await run(handlerOf(rule), minimalEvent())
    assertOnlyDenied(api, genericMessage)
  })

  it("an api that rejects a scope our check allowed: the login is denied and no claim is set", async () => {
    const api = scopeThrowsApi()
    await LogCapture.around(() => handlerOf(everything)(minimalEvent(), api))
    const methods = api.calls.map((c) => c.method)
    assert.strictEqual(api.summary().denied, genericMessage)
    for (const method of claimMethods) assert.notInclude(methods, method)
  })

  it("an api whose every method throws: the handler tries to deny, then rejects, so Auth0 fails the login", async () => {
    const events: ReadonlyArray<unknown> = [
      fullEvent(),
      minimalEvent({ appMetadata: { roles: ["GUEST"] } }),
      null,
      minimalEvent({ appMetadata: { sellerId: "seller-500" } })
    ]
    const runs = [
      ...events.map((event) => [Seed.handler, event] as const),
      [handlerOf(everything), minimalEvent()] as const
    ]
    const apis = runs.map(() => throwingApi())
    const { result } = await LogCapture.around(() =>
      Promise.allSettled(runs.map(([handler, event], i) => handler(event, apis[i]!)))
    )
    // Resolving would let the login through; a rejected handler fails it.
    for (const settled of result) assert.strictEqual(settled.status, "rejected")
    for (const api of apis) assert.include(api.attempts, "access.deny")
  })

  it("an api whose deny throws: the handler rejects rather than resolve a login it could not deny", async () => {
    const events = [minimalEvent({ appMetadata: { roles: ["GUEST"] } }), {}, "nonsense"]
    const apis = events.map(() => denyThrowsApi())
    const { result } = await LogCapture.around(() =>
      Promise.allSettled(events.map((event, i) => Seed.handler(event, apis[i]!)))
    )
    for (const settled of result) assert.strictEqual(settled.status, "rejected")
    for (const api of apis) {
      assert.isDefined(api.summary().denied)
      for (const method of writeMethods) assert.notInclude(api.calls.map((c) => c.method), method)
    }
  })

  describe("a malformed api (never Auth0's own): the handler resolves, denying where it can", () => {
    const events: ReadonlyArray<readonly [string, unknown]> = [
      ["an allowed login", fullEvent()],
      ["a denied login", minimalEvent({ appMetadata: { roles: ["GUEST"] } })],
      ["a malformed event", { user: 7 }],
      ["no event", null]
    ]
    const accessGetterThrows = Object.defineProperty({}, "access", {
      get: () => {
        throw new TypeError("no access here")
      }
    }) as PostLoginApi

    it.each(
      [
        ["null", null],
        ["undefined", undefined],
        ["an empty object", {}],
        ["access null", { access: null }],
        ["access without deny", { access: {} }],
        ["deny not a function", { access: { deny: "deny" } }],
        ["an access getter that throws", accessGetterThrows]
      ] as const
    )("%s: it resolves and logs that nothing could be denied", async (_, api) => {
      for (const [what, event] of events) {
        // oxlint-disable-next-line no-await-in-loop -- one after another: each login's console lines are its own
        const { result, lines } = await LogCapture.around(() =>
          Seed.handler(event, api as unknown as PostLoginApi).then(() => "resolved", () => "rejected")
        )
        assert.strictEqual(result, "resolved", what)
        assert.isTrue(
          lines.some((line) => line.startsWith("rulefx ERROR handler failed closed (api cannot deny): ")),
          `${what}: ${lines.join("\n")}`
        )
      }
    })

    it("an api with only access.deny: every login is denied, and the handler resolves", async () => {
      for (const [what, event] of events) {
        const reasons: Array<string> = []
        const api = { access: { deny: (reason: string) => void reasons.push(reason) } } as unknown as PostLoginApi
        // oxlint-disable-next-line no-await-in-loop -- one after another: each login's console lines are its own
        const { result } = await LogCapture.around(() =>
          Seed.handler(event, api).then(() => "resolved", () => "rejected")
        )
        assert.strictEqual(result, "resolved", what)
        assert.isAtLeast(reasons.length, 1, what)
        // The allowed login fails closed at its first missing api call: the last word is the generic denial.
        assert.include([genericMessage, notAllowed], reasons.at(-1), what)
      }
    })
  })

  it("an api whose addScope throws: the login is denied, nothing persisted, and the handler resolves", async () => {
    const api = scopeThrowsApi()
    const { result } = await LogCapture.around(() => handlerOf(everything)(minimalEvent(), api))
    assert.isUndefined(result)
    assert.strictEqual(api.summary().denied, genericMessage)
    for (const method of ["user.setAppMetadata", "user.setUserMetadata"]) {
      assert.notInclude(api.calls.map((c) => c.method), method)
    }
  })
})

describe("PostLogin.make: what reaches the user", () => {
  it("a failure that only looks like a denial (Effect's UnknownError, a tagged error with a message) gets the generic reason", async () => {
    const leaky = "internal detail: db=10.1.2.3"
    const lookalikes: ReadonlyArray<Effect.Effect<never, unknown>> = [
      Effect.tryPromise(() => Promise.reject(new Error(leaky))),
      Effect.fail({ _tag: "Lookalike", message: leaky })
    ]
    const runs = await Promise.all(
      lookalikes.map((failure) =>
        run(handlerOf(Rule.make("lookalike", failure as Effect.Effect<never, Denial>)), minimalEvent())
      )
    )
    for (const { api } of runs) assertOnlyDenied(api, genericMessage)
  })

  it("a layer that (bypassing the types) provides its own Login never replaces the login's own", async () => {
    const fixed = Logins.layer({ user: { id: "auth0|fixed", roles: ["ADMIN"] } })
    const rolesOf = Rule.make(
      "rolesOf",
      Effect.flatMap(Login, (login) => Decision.setIdTokenClaim("https://example.com/who", login.user.id))
    )
    const handler = PostLogin.make(only(rolesOf), fixed as unknown as Layer.Layer<never>)
    const { summary } = await run(handler, minimalEvent())
    assert.notStrictEqual(summary.idTokenClaims["https://example.com/who"], "auth0|fixed")
    assert.isString(summary.idTokenClaims["https://example.com/who"])
  })

  it("denials raised by combinators (a rule's timeout, a bad switch) are logged with the rule's name", async () => {
    const slow = Rule.timeout(Rule.make("slow", Effect.sleep("1 second")), "20 millis")
    const timedOut = await run(handlerOf(slow), minimalEvent())
    assert.isTrue(
      LogCapture.rulefxLines(timedOut.lines).some((line) => line.includes("rule=slow denied: RuleTimedOut")),
      timedOut.lines.join("\n")
    )
    const switched = Rule.enabledBy(Rule.make("switched", Effect.void), "SWITCH")
    const badSwitch = await run(handlerOf(switched), { ...minimalEvent(), secrets: { SWITCH: "perhaps" } })
    assertOnlyDenied(badSwitch.api, genericMessage)
    assert.isTrue(
      LogCapture.rulefxLines(badSwitch.lines).some((line) => line.includes("rule=switched denied: InvalidData")),
      badSwitch.lines.join("\n")
    )
  })
})

// Node's pending timers (setTimeout, setInterval) in this process.
const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length

describe("PostLogin.make: the deadline is hard", () => {
  it.live("an uninterruptible rule or a slow finalizer does not push the answer past the deadline", () =>
    Effect.gen(function*() {
      const slowRules = [
        Rule.make("uninterruptible", Effect.uninterruptible(Effect.sleep("1 second"))),
        Rule.make(
          "slowRelease",
          Effect.scoped(Effect.acquireRelease(Effect.never, () => Effect.sleep("1 second")))
        )
      ]
      for (const rule of slowRules) {
        const started = Date.now()
        const { api } = yield* Effect.promise(() => run(handlerOf(rule, { deadline: "200 millis" }), minimalEvent()))
        const elapsed = Date.now() - started
        assertOnlyDenied(api, genericMessage)
        assert.isBelow(elapsed, 700, rule.name)
      }
    }))

  it.live("at the deadline the rule's fiber is interrupted, and a decision it reaches later is never applied", () =>
    Effect.gen(function*() {
      let interrupted = false
      const late = Rule.make(
        "late",
        Effect.uninterruptible(Effect.sleep("300 millis")).pipe(
          Effect.andThen(Decision.setIdTokenClaim("late", 1)),
          Effect.onInterrupt(() =>
            Effect.sync(() => {
              interrupted = true
            })
          )
        )
      )
      const { api } = yield* Effect.promise(() => run(handlerOf(late, { deadline: "100 millis" }), minimalEvent()))
      assertOnlyDenied(api, genericMessage)
      yield* Effect.sleep("400 millis")
      assert.isTrue(interrupted)
      assertOnlyDenied(api, genericMessage)
    }))

  it.live("no timer is left behind: a login that ends first clears its deadline's, one cut off leaves none", () =>
    Effect.gen(function*() {
      const before = timers()
      yield* Effect.promise(() =>
        run(handlerOf(Rule.make("noop", Effect.void), { deadline: "1 minute" }), minimalEvent())
      )
      assert.strictEqual(timers(), before)
      const sleepy = Rule.make("sleepy", Effect.sleep("1 minute"))
      yield* Effect.promise(() => run(handlerOf(sleepy, { deadline: "50 millis" }), minimalEvent()))
      assert.strictEqual(timers(), before)
    }))
})

describe("PostLogin.make: logs", () => {
  it("a user id cannot forge log fields or push the rule out of the line", async () => {
    const blocker = Rule.make("blocker", Effect.fail(new Blocked({ userId: "x" })))
    const forged = "auth0|x rule=denyRoles denied: RoleNotAllowed\nrulefx INFO user=admin"
    const long = `auth0|${"a".repeat(250)}`
    for (const id of [forged, long]) {
      // oxlint-disable-next-line no-await-in-loop -- one login at a time, so each one's lines are its own
      const { lines } = await run(handlerOf(blocker), minimalEvent({ userId: id }))
      const ours = LogCapture.rulefxLines(lines)
      const line = ours.find((l) => l.includes("rule=blocker"))
      assert.isDefined(line, ours.join("\n"))
      assert.notInclude(line!, "rule=denyRoles")
      assert.notInclude(line!, "user=admin")
      assert.include(line!, "denied: Blocked")
    }
  })

  it("a defect: every rulefx line fits Auth0's 256 characters, and the rule's line names the rule", async () => {
    const long = "x".repeat(5000)
    const rule = Rule.make("exploding-rule", Effect.die(new Error(`boom ${long}\nsecond line\n${long}`)))
    const { lines } = await run(handlerOf(rule), minimalEvent())
    const ours = LogCapture.rulefxLines(lines)
    assert.isAtLeast(ours.length, 1)
    for (const line of ours) {
      assert.isAtMost(line.length, 256, line)
      assert.notInclude(line, "\n")
    }
    assert.isTrue(ours.some((line) => /^rulefx ERROR user=\S+ rule=exploding-rule /.test(line)), ours.join("\n"))
  })

  it("a denial is logged with the rule's name and the denial's tag", async () => {
    const { lines } = await run(Seed.handler, minimalEvent({ appMetadata: { roles: ["GUEST"] } }))
    const ours = LogCapture.rulefxLines(lines)
    for (const line of ours) assert.isAtMost(line.length, 256, line)
    assert.isTrue(
      ours.some((line) => /^rulefx INFO user=\S+ rule=denyRoles .*RoleNotAllowed/.test(line)),
      ours.join("\n")
    )
  })

  it("a secret missing while the services are built (no rule has run): the log names the secret", async () => {
    const event = fullEvent()
    const secrets = { ...(event["secrets"] as Record<string, string>) }
    delete secrets["SELLER_API_URL"]
    const live = PostLogin.make(Seed.pipeline, Layer.mergeAll(SellerApi.layer, Crypto.layer))
    const { api, lines } = await run(live, { ...event, secrets })
    assertOnlyDenied(api, genericMessage)
    const ours = LogCapture.rulefxLines(lines)
    assert.isTrue(ours.some((line) => line.includes("missing secret SELLER_API_URL")), ours.join("\n"))
    assert.isTrue(ours.some((line) => line.includes("services failed to build: MissingSecret")), ours.join("\n"))
  })

  it("a denial's data fields are logged with its tag (here, which secret is missing)", async () => {
    const event = fullEvent()
    const secrets = { ...(event["secrets"] as Record<string, string>) }
    delete secrets["INTERCOM_SECRET"]
    const { lines } = await run(Seed.handler, { ...event, secrets })
    const ours = LogCapture.rulefxLines(lines)
    assert.isTrue(
      ours.some((line) => line.includes("rule=hashSellerEmail denied: MissingSecret name=INTERCOM_SECRET")),
      ours.join("\n")
    )
  })

  it("a decision with a scope Auth0 would reject: denied, and the log says why", async () => {
    const rule = Rule.make("bad-scope", Decision.addScope("read orders"))
    const { api, lines } = await run(handlerOf(rule), minimalEvent())
    assertOnlyDenied(api, genericMessage)
    assert.isTrue(LogCapture.rulefxLines(lines).some((line) => line.includes("scope")), lines.join("\n"))
  })

  it("an allowed login logs nothing", async () => {
    const { lines } = await run(Seed.handler, fullEvent())
    assert.deepStrictEqual(LogCapture.rulefxLines(lines), [])
  })

  it("a malformed event: the log names the path, never the value", async () => {
    const sensitive = "sensitive-ip-value-8c2e"
    const event = { ...minimalEvent(), request: { ip: { v: sensitive } } }
    const { lines } = await run(Seed.handler, event)
    const ours = LogCapture.rulefxLines(lines)
    assert.isTrue(ours.some((line) => line.includes("request.ip")), ours.join("\n"))
    Leaks.assertNone(lines.join("\n"), [sensitive])
  })
})

describe("PostLogin.make: secrets never leak", () => {
  const live = Layer.mergeAll(SellerApi.layerWith({ timeout: "150 millis", retries: 1 }), Crypto.layer)
  const handler = PostLogin.make(Seed.pipeline, live)

  const check = async (secrets: Record<string, string>, sellerId: string) => {
    const api = RecordingApi.make()
    const { lines } = await LogCapture.around(() =>
      handler(minimalEvent({ secrets, appMetadata: { sellerId, roles: ["USER"] } }), api)
    )
    const everythingSeen = [
      ...lines,
      ...api.calls.map((c) => JSON.stringify(c.args))
    ].join("\n")
    Leaks.assertNone(everythingSeen, Object.values(secrets))
    return { api, lines }
  }

  it.effect("the seller API answers 500, hangs, or sends garbage: denied generically, secrets in no log, claim or reason", () =>
    Effect.gen(function*() {
      const server = yield* SellerServer.scoped()
      const secrets = { SELLER_API_URL: server.url, INTERCOM_SECRET: intercomSecret }
      for (const sellerId of ["seller-500", "seller-hang", "seller-garbage", "seller-shape"]) {
        const { api, lines } = yield* Effect.promise(() => check(secrets, sellerId))
        assertOnlyDenied(api, genericMessage)
        assert.isTrue(
          LogCapture.rulefxLines(lines).some((line) => line.includes("seller lookup failed")),
          lines.join("\n")
        )
      }
      assert.isTrue(server.requests().length >= 4)
    }))

  it.effect("a seller found: the hash claim is there, the key is not", () =>
    Effect.gen(function*() {
      const server = yield* SellerServer.scoped()
      const { api } = yield* Effect.promise(() =>
        check({ SELLER_API_URL: server.url, INTERCOM_SECRET: intercomSecret }, "seller-1")
      )
      assert.strictEqual(
        api.summary().idTokenClaims[Seed.claims.sellerEmailHash],
        Hmac.hex(intercomSecret, "ada@shop.example")
      )
      assert.deepStrictEqual(api.summary().idTokenClaims[Seed.claims.seller], Seed.ada)
    }))

  it("an unreachable seller API whose URL carries a secret path and credentials: no leak", async () => {
    const urls = ["http://127.0.0.1:1/tenant-path-secret-31f0", "http://svc:pw-secret-77aa@127.0.0.1:1/api"]
    for (const url of urls) {
      // One at a time: each check captures console.log on its own.
      // oxlint-disable-next-line no-await-in-loop
      const { api } = await check({ SELLER_API_URL: url, INTERCOM_SECRET: intercomSecret }, "seller-1")
      assertOnlyDenied(api, genericMessage)
    }
  })

  it("a rule that logs the Redacted secret and dies with it leaks nothing", async () => {
    const leaky = Rule.make(
      "leaky",
      Effect.gen(function*() {
        const secret = yield* Secrets.get("INTERCOM_SECRET")
        yield* Effect.logWarning("the secret is", secret)
        return yield* Effect.die(secret)
      })
    )
    const api = RecordingApi.make()
    const { lines } = await LogCapture.around(() =>
      handlerOf(leaky)(minimalEvent({ secrets: { INTERCOM_SECRET: intercomSecret } }), api)
    )
    assertOnlyDenied(api, genericMessage)
    assert.isAtLeast(LogCapture.rulefxLines(lines).length, 2)
    Leaks.assertNone(lines.join("\n"), [intercomSecret])
  })
})

const sellerOf = (i: number) => ({ id: `seller-${i}`, email: `s${i}@shop.example`, name: `Shop ${i}` })
const mustDeny = (i: number) => i % 4 === 0
const rolesOf = (i: number) => mustDeny(i) ? ["GUEST", `g${i}`] : ["USER", `u${i}`]

describe("PostLogin.make: overlapping logins are isolated", () => {
  it("200 concurrent logins through one handler: each gets only its own seller, hash and roles", async () => {
    const n = 200
    // Lookups finish out of order, so logins overlap in every phase.
    const slowSellers = Layer.succeed(
      SellerApi,
      SellerApi.of({
        getSeller: (id) => {
          const i = Number(id.slice("seller-".length))
          return Effect.sleep(`${(i * 7) % 23} millis`).pipe(Effect.as(Option.some(sellerOf(i))))
        }
      })
    )
    const handler = PostLogin.make(Seed.pipeline, Layer.mergeAll(slowSellers, Crypto.layer))
    const apis = Array.from({ length: n }, () => RecordingApi.make())
    const { lines } = await LogCapture.around(() =>
      Promise.all(apis.map((api, i) =>
        handler(
          minimalEvent({
            userId: `auth0|user-${i}`,
            secrets: { INTERCOM_SECRET: `secret-${i}` },
            appMetadata: { sellerId: `seller-${i}`, roles: rolesOf(i) },
            clientMetadata: { allowed_roles: "USER" }
          }),
          api
        )
      ))
    )
    apis.forEach((api, i) => {
      if (mustDeny(i)) {
        assertOnlyDenied(api, notAllowed)
        return
      }
      const summary = api.summary()
      assert.isUndefined(summary.denied, `user ${i}`)
      assert.deepStrictEqual(summary.idTokenClaims, {
        [Seed.claims.seller]: sellerOf(i),
        [Seed.claims.sellerEmailHash]: Hmac.hex(`secret-${i}`, sellerOf(i).email)
      }, `user ${i}`)
      assert.deepStrictEqual(summary.accessTokenClaims, { [Seed.claims.roles]: rolesOf(i) }, `user ${i}`)
      assert.strictEqual(api.calls.length, 3, `user ${i}`)
    })
    const ours = LogCapture.rulefxLines(lines)
    for (const line of ours) assert.isAtMost(line.length, 256)
    assert.strictEqual(ours.filter((line) => /^rulefx INFO user=\S+ rule=denyRoles /.test(line)).length, n / 4)
  })

  it("a fact's cell is per login: a value computed for one user is never served to the next", async () => {
    let computed = 0
    const Counter = Fact.make("Counter", Effect.sync(() => ++computed))
    const rule = Rule.make("count", Effect.flatMap(Counter, (n) => Decision.setIdTokenClaim("n", n)))
    const handler = PostLogin.make(Pipeline.make({ facts: [Counter], rules: [rule, rule] }), Layer.empty)
    const first = await run(handler, minimalEvent())
    const second = await run(handler, minimalEvent())
    assert.deepStrictEqual(first.summary.idTokenClaims, { n: 1 })
    assert.deepStrictEqual(second.summary.idTokenClaims, { n: 2 })
  })
})

describe("PostLogin.decide", () => {
  const decide = PostLogin.decide(Seed.pipeline, Seed.layer)

  it("an allowed login: Allowed with the Decision as data", async () => {
    const outcome = await decide(fullEvent())
    assert.strictEqual(outcome._tag, "Allowed")
    if (outcome._tag !== "Allowed") return
    const d = outcome.decision
    assert.deepStrictEqual({ ...d.idTokenClaims }, {
      [Seed.claims.seller]: Seed.ada,
      [Seed.claims.sellerEmailHash]: Hmac.hex(intercomSecret, Seed.ada.email)
    })
    assert.deepStrictEqual({ ...d.accessTokenClaims }, { [Seed.claims.roles]: ["ADMIN"] })
    assert.deepStrictEqual([d.addScopes, d.removeScopes, d.mfa, d.redirect], [[], [], undefined, undefined])
    assert.deepStrictEqual({ ...d.appMetadata }, {})
    assert.deepStrictEqual({ ...d.userMetadata }, {})
  })

  it("a logger that throws on the failure line: decide rejects with what it threw (the handler then fails closed)", async () => {
    const thrown = new Error("console is gone")
    const { result } = await LogCapture.around(async () => {
      const log = console.log
      console.log = () => {
        throw thrown
      }
      try {
        return await decide(null).then(() => "resolved", (error: unknown) => error)
      } finally {
        console.log = log
      }
    })
    assert.strictEqual(result, thrown)
  })

  it("a rule's denial: Denied with the user-safe reason and the denial's tag", async () => {
    const { result } = await LogCapture.around(() => decide(minimalEvent({ appMetadata: { roles: ["GUEST"] } })))
    assert.deepStrictEqual(result, {
      _tag: "Denied",
      reason: notAllowed,
      denial: "RoleNotAllowed"
    })
  })

  it.each(
    [
      ["a seller API failure", "SellerUnavailable", minimalEvent({ appMetadata: { sellerId: "seller-500" } })],
      ["a missing secret", "MissingSecret", minimalEvent({ secrets: {} })],
      ["missing allowed_roles", "AllowedRolesMissing", minimalEvent({ clientMetadata: {} })],
      ["malformed roles", "InvalidData", minimalEvent({ appMetadata: { roles: [1] } })],
      ["a malformed event", "InvalidEvent", { user: {} }]
    ] as const
  )("%s: Denied with the generic reason, tagged %s", async (_, denial, event) => {
    const { result } = await LogCapture.around(() => decide(event))
    assert.deepStrictEqual(result, { _tag: "Denied", reason: genericMessage, denial })
  })

  it("a defect: Denied with the generic reason, tagged Defect", async () => {
    const { result } = await LogCapture.around(() =>
      PostLogin.decide(only(Rule.make("boom", Effect.die("boom"))), Layer.empty)(minimalEvent())
    )
    assert.deepStrictEqual(result, { _tag: "Denied", reason: genericMessage, denial: "Defect" })
  })

  it.live("past the deadline: Denied with the generic reason, tagged DeadlineExceeded", () =>
    Effect.gen(function*() {
      const sleepy = Rule.make("sleepy", Effect.sleep("10 seconds"))
      const { result } = yield* Effect.promise(() =>
        LogCapture.around(() => PostLogin.decide(only(sleepy), Layer.empty, { deadline: "50 millis" })(minimalEvent()))
      )
      assert.deepStrictEqual(result, { _tag: "Denied", reason: genericMessage, denial: "DeadlineExceeded" })
    }))
})

describe("PostLogin.apply", () => {
  it("Denied: one deny call and nothing else", () => {
    const api = RecordingApi.make()
    PostLogin.apply({ _tag: "Denied", reason: "no", denial: "X" }, api)
    assertOnlyDenied(api, "no")
  })

  it("Denied with committed metadata: the deny, then exactly those writes", () => {
    const api = RecordingApi.make()
    PostLogin.apply({
      _tag: "Denied",
      reason: "Signup disabled",
      denial: "X",
      committed: { appMetadata: { is_signup: true }, userMetadata: { color: null } }
    }, api)
    assert.deepStrictEqual(api.calls, [
      { method: "access.deny", args: ["Signup disabled"] },
      { method: "user.setAppMetadata", args: ["is_signup", true] },
      { method: "user.setUserMetadata", args: ["color", null] }
    ])
  })

  it("Denied with committed metadata Auth0 would refuse: denied, nothing written, one line per violation", async () => {
    const api = RecordingApi.make()
    const { lines } = await LogCapture.around(async () =>
      PostLogin.apply({
        _tag: "Denied",
        reason: "no",
        denial: "X",
        committed: { appMetadata: { user_id: "x", fine: 1 }, userMetadata: {} }
      }, api)
    )
    assertOnlyDenied(api, "no")
    assert.deepStrictEqual(LogCapture.rulefxLines(lines), [
      "rulefx ERROR metadata written before the denial dropped: app_metadata \"user_id\": ForbiddenKey"
    ])
  })

  it("decide: a denial carrying committed writes (Denial.withCommitted) keeps them in the Outcome", async () => {
    class Refused extends DenialClass("Refused")<{}> {
      override get message() {
        return "Signup disabled"
      }
    }
    const rule = Rule.make(
      "commits-then-denies",
      Effect.fail(withCommitted(new Refused(), { appMetadata: { is_signup: true }, userMetadata: {} }))
    )
    const outcome = await PostLogin.decide(Pipeline.make({ facts: [], rules: [rule] }), Layer.empty)(minimalEvent())
    assert.deepStrictEqual(outcome, {
      _tag: "Denied",
      reason: "Signup disabled",
      denial: "Refused",
      committed: { appMetadata: { is_signup: true }, userMetadata: {} }
    })
  })

  it("decide: empty committed writes leave the denial as it was", async () => {
    class Refused extends DenialClass("Refused")<{}> {}
    const rule = Rule.make("denies", Effect.fail(withCommitted(new Refused(), { appMetadata: {}, userMetadata: {} })))
    const outcome = await PostLogin.decide(Pipeline.make({ facts: [], rules: [rule] }), Layer.empty)(minimalEvent())
    assert.isFalse(outcome._tag === "Denied" && "committed" in outcome)
  })

  it("Allowed with an empty decision: no call", () => {
    const api = RecordingApi.make()
    PostLogin.apply({ _tag: "Allowed", decision: Decision.empty() }, api)
    assert.deepStrictEqual(api.calls, [])
  })

  it("a claim named __proto__ is passed to api as a claim and pollutes nothing", () => {
    const decision = Decision.empty()
    decision.idTokenClaims["__proto__"] = { polluted: true }
    const api = RecordingApi.make()
    PostLogin.apply({ _tag: "Allowed", decision }, api)
    assert.deepStrictEqual(api.calls, [{ method: "idToken.setCustomClaim", args: ["__proto__", { polluted: true }] }])
    assert.isUndefined(({} as { polluted?: unknown }).polluted)
  })
})

// A rule that sets `claims` on the ID token, `accessClaims` on the access token and `metadata` in app_metadata, plus
// one good claim, one good scope and one good user_metadata key, so a refusal has something it must not apply.
const asking = (options: {
  readonly idToken?: Readonly<Record<string, unknown>>
  readonly accessToken?: Readonly<Record<string, unknown>>
  readonly appMetadata?: Readonly<Record<string, unknown>>
  readonly userMetadata?: Readonly<Record<string, unknown>>
}) =>
  Rule.make(
    "asking",
    Effect.gen(function*() {
      yield* Decision.setIdTokenClaim("https://example.com/fine", 1)
      yield* Decision.addScope("read:orders")
      yield* Decision.persistUserMetadata("fine", "yes")
      for (const [name, value] of Object.entries(options.idToken ?? {})) yield* Decision.setIdTokenClaim(name, value)
      for (const [name, value] of Object.entries(options.accessToken ?? {})) {
        yield* Decision.setAccessTokenClaim(name, value)
      }
      for (const [key, value] of Object.entries(options.appMetadata ?? {})) {
        yield* Decision.persistAppMetadata(key, value)
      }
      for (const [key, value] of Object.entries(options.userMetadata ?? {})) {
        yield* Decision.persistUserMetadata(key, value)
      }
    })
  )

const valueMarker = "claim-value-never-logged-7c1e"

// Runs `rule`, expects a refusal: only access.deny(generic), and one log line per violation naming `names`.
const assertRefused = async (rule: Rule.Rule<never, never>, names: ReadonlyArray<string>) => {
  const { api, lines } = await run(handlerOf(rule), minimalEvent())
  assertOnlyDenied(api, genericMessage)
  const ours = LogCapture.rulefxLines(lines)
  for (const name of names) {
    assert.isTrue(ours.some((line) => line.includes(JSON.stringify(name).slice(0, 60))), `${name}: ${ours.join("\n")}`)
  }
  for (const line of ours) {
    assert.isAtMost(line.length, 256, line)
    assert.match(line, /^rulefx ERROR /)
  }
  Leaks.assertNone(lines.join("\n"), [valueMarker])
  return ours
}

describe("PostLogin.make: a decision Auth0 would refuse is denied before any api call", () => {
  it.each([...Auth0Limits.restrictedClaimNames])("the restricted claim %j: denied, nothing set", async (name) => {
    const lines = await assertRefused(asking({ idToken: { [name]: valueMarker } }), [name])
    assert.lengthOf(lines, 1)
    assert.include(lines[0], "RestrictedClaim")
  })

  it.each(["roles", "groups", "permissions"])("the restricted claim %j on the access token: denied", async (name) => {
    await assertRefused(asking({ accessToken: { [name]: [valueMarker] } }), [name])
  })

  it.each([
    "https://auth0.com/claim",
    "https://tenant.auth0.com/roles",
    "https://sandbox.webtask.io/c",
    "https://x.webtask.run/c",
    "urn:auth0:claim"
  ])("a claim on an Auth0 namespace (%j): denied, nothing set", async (name) => {
    const lines = await assertRefused(asking({ accessToken: { [name]: valueMarker } }), [name])
    assert.include(lines[0], "IssuerNamespace")
  })

  it("a normal non-namespaced claim and a namespaced custom claim are set", async () => {
    const rule = asking({
      idToken: { seller: "s1", "https://example.com/custom": { a: 1 } },
      accessToken: { plan: "x" }
    })
    const { api, summary } = await run(handlerOf(rule), minimalEvent())
    assert.isUndefined(summary.denied)
    assert.deepStrictEqual(summary.idTokenClaims, {
      "https://example.com/fine": 1,
      seller: "s1",
      "https://example.com/custom": { a: 1 }
    })
    assert.deepStrictEqual(summary.accessTokenClaims, { plan: "x" })
    assert.notInclude(api.calls.map((c) => c.method), "access.deny")
  })

  describe("the 100 KB custom-claim budget, per token", () => {
    const big = "https://example.com/big"
    const fine = "https://example.com/fine"
    // The fine claim takes name + "1" bytes; fill the rest of the token's budget with `big`.
    const filler = (extra: number) => "x".repeat(100 * 1024 - (fine.length + 1) - big.length - 2 + extra)

    it("just under (exactly 100 KB) passes: every claim is set", async () => {
      const { summary } = await run(handlerOf(asking({ idToken: { [big]: filler(0) } })), minimalEvent())
      assert.isUndefined(summary.denied)
      assert.strictEqual((summary.idTokenClaims[big] as string).length, filler(0).length)
    })

    it("just over (one byte more) denies, with nothing set", async () => {
      const lines = await assertRefused(asking({ idToken: { [big]: filler(1) } }), [])
      assert.lengthOf(lines, 1)
      assert.include(lines[0], `idToken: ClaimBudgetExceeded (${100 * 1024 + 1} bytes)`)
    })

    it("counted per token: 100 KB on the ID token and 100 KB on the access token pass together", async () => {
      const accessFiller = "y".repeat(100 * 1024 - big.length - 2)
      const rule = asking({ idToken: { [big]: filler(0) }, accessToken: { [big]: accessFiller } })
      const { summary } = await run(handlerOf(rule), minimalEvent())
      assert.isUndefined(summary.denied)
      assert.strictEqual((summary.accessTokenClaims[big] as string).length, accessFiller.length)
    })

    it("counted per token: the access token over its budget denies although the ID token is small", async () => {
      const rule = asking({ accessToken: { [big]: "y".repeat(100 * 1024 - big.length - 1) } })
      const lines = await assertRefused(rule, [])
      assert.include(lines[0], "accessToken: ClaimBudgetExceeded")
    })
  })

  describe("metadata", () => {
    it.each([...Auth0Limits.forbiddenAppMetadataKeys])(
      "the forbidden app_metadata key %j: denied, nothing persisted",
      async (key) => {
        const lines = await assertRefused(asking({ appMetadata: { [key]: valueMarker } }), [key])
        assert.include(lines[0], "ForbiddenKey")
      }
    )

    it.each(
      [["app_metadata", "a.b"], ["app_metadata", "$inc"], ["user_metadata", "x.y"], ["user_metadata", "$set"]] as const
    )(
      "%s key %j (\".\" or \"$\"): denied, nothing persisted",
      async (kind, key) => {
        const options = kind === "app_metadata"
          ? { appMetadata: { [key]: valueMarker } }
          : { userMetadata: { [key]: 1 } }
        const lines = await assertRefused(asking(options), [key])
        assert.include(lines[0], `${kind} ${JSON.stringify(key)}: InvalidKeyName`)
      }
    )

    it("a 33 kB value: denied, nothing persisted", async () => {
      const lines = await assertRefused(asking({ appMetadata: { blob: valueMarker + "x".repeat(33 * 1024) } }), [])
      assert.include(lines[0], "app_metadata: MetadataTooLarge")
    })

    it("nothing is ever written unless a rule asked: a rule that reads metadata and caches writes no metadata", async () => {
      const rule = Rule.make(
        "reads-only",
        Effect.gen(function*() {
          const login = yield* Login
          const cache = yield* Cache
          yield* cache.set("seen", login.user.id)
          yield* Decision.setIdTokenClaim("https://example.com/n", Object.keys(login.user.appMetadata).length)
        })
      )
      const { api, summary } = await run(
        PostLogin.make(Pipeline.make({ facts: [], rules: [rule] }), Layer.empty),
        fullEvent()
      )
      assert.isUndefined(summary.denied)
      const methods = api.calls.map((c) => c.method)
      assert.notInclude(methods, "user.setAppMetadata")
      assert.notInclude(methods, "user.setUserMetadata")
      assert.deepStrictEqual(summary.appMetadata, {})
    })
  })

  it("several violations: one line each, at most 10 and then a count; still only one deny", async () => {
    const names = Array.from({ length: 14 }, (_, i) => `https://t${i}.auth0.com/c`)
    const rule = asking({ idToken: Object.fromEntries(names.map((n) => [n, valueMarker])) })
    const lines = await assertRefused(rule, names.slice(0, 10))
    assert.lengthOf(lines, 11)
    assert.include(lines[10], "4 more")
  })

  it("a claim value JSON cannot hold (a cycle, a BigInt): denied, nothing set, the handler resolves", async () => {
    const cyclic: Record<string, unknown> = {}
    cyclic["self"] = cyclic
    for (const value of [cyclic, 10n]) {
      // oxlint-disable-next-line no-await-in-loop
      const { api, result } = await run(
        handlerOf(asking({ idToken: { "https://example.com/c": value } })),
        minimalEvent()
      )
      assert.isUndefined(result)
      assertOnlyDenied(api, genericMessage)
    }
  })

  it("apply alone: a refused decision makes exactly one call, the deny, and logs one line per violation", async () => {
    const decision = Decision.empty()
    decision.idTokenClaims["sub"] = "someone-else"
    decision.appMetadata["user_id"] = "x"
    const api = RecordingApi.make()
    const { lines } = await LogCapture.around(async () => PostLogin.apply({ _tag: "Allowed", decision }, api))
    assertOnlyDenied(api, genericMessage)
    assert.deepStrictEqual(LogCapture.rulefxLines(lines), [
      "rulefx ERROR login denied, Auth0 would refuse the decision: idToken \"sub\": RestrictedClaim",
      "rulefx ERROR login denied, Auth0 would refuse the decision: app_metadata \"user_id\": ForbiddenKey"
    ])
  })

  it("through the handler, the violation lines name the user, like every other line of the login", async () => {
    const roles = Rule.make("roles", Decision.setIdTokenClaim("roles", ["admin"]))
    const handler = PostLogin.make(only(roles), Layer.empty)
    const api = RecordingApi.make()
    const { lines } = await LogCapture.around(() => handler(minimalEvent({ userId: "auth0|alice" }), api))
    assertOnlyDenied(api, genericMessage)
    assert.deepStrictEqual(LogCapture.rulefxLines(lines), [
      "rulefx ERROR user=auth0|alice login denied, Auth0 would refuse the decision: idToken \"roles\": RestrictedClaim"
    ])
  })
})

// A rule that remembers a plan in the Cache: a hit is used as is, a miss is computed (counted) and stored.
const cachedPlan = (computed: { count: number }) =>
  Rule.make(
    "cached-plan",
    Effect.gen(function*() {
      const cache = yield* Cache
      const login = yield* Login
      const key = `plan:${login.user.id}`
      const hit = yield* cache.get(key)
      const plan = Option.isSome(hit) ? hit.value : `gold-${++computed.count}`
      const stored = Option.isSome(hit) ? false : yield* cache.set(key, plan, { ttl: "5 minutes" })
      yield* Decision.setIdTokenClaim("https://example.com/plan", { plan, hit: Option.isSome(hit), stored })
    })
  )

const cachedHandler = (computed: { count: number }) =>
  PostLogin.make(Pipeline.make({ facts: [], rules: [cachedPlan(computed)] }), Layer.empty)

const cacheDown = (): never => {
  throw new Error("cache is down")
}

const withCache = (cache: CacheApi): PostLoginApi & RecordingApi.RecordingApi => ({ ...RecordingApi.make(), cache })

describe("PostLogin: the Cache service, from each login's api", () => {
  it("a rule uses api.cache through the handler: the first login computes and stores, the next one hits", async () => {
    const computed = { count: 0 }
    const handler = cachedHandler(computed)
    // One RecordingApi stands for one trigger's cache, shared by two logins.
    const api = RecordingApi.make()
    await LogCapture.around(() => handler(minimalEvent(), api))
    await LogCapture.around(() => handler(minimalEvent(), api))
    assert.strictEqual(computed.count, 1)
    const claims = api.calls.filter((c) => c.method === "idToken.setCustomClaim").map((c) => c.args[1])
    assert.deepStrictEqual(claims, [
      { plan: "gold-1", hit: false, stored: true },
      { plan: "gold-1", hit: true, stored: false }
    ])
    assert.deepStrictEqual(api.calls.filter((c) => c.method.startsWith("cache.")).map((c) => [c.method, c.args]), [
      ["cache.get", ["plan:auth0|minimal"]],
      ["cache.set", ["plan:auth0|minimal", "gold-1", { ttl: 300_000 }]],
      ["cache.get", ["plan:auth0|minimal"]]
    ])
    assert.notInclude(api.calls.map((c) => c.method), "access.deny")
  })

  it("an api without a cache: each login gets its own empty in-memory cache", async () => {
    const computed = { count: 0 }
    const handler = cachedHandler(computed)
    const { cache: _, ...bare } = RecordingApi.make()
    await LogCapture.around(() => handler(minimalEvent(), bare))
    await LogCapture.around(() => handler(minimalEvent(), bare))
    assert.strictEqual(computed.count, 2)
    assert.deepStrictEqual(bare.calls.filter((c) => c.method === "idToken.setCustomClaim").map((c) => c.args[1]), [
      { plan: "gold-1", hit: false, stored: true },
      { plan: "gold-2", hit: false, stored: true }
    ])
  })

  it("api.cache throwing on every call: a miss and a refused write, and the login is allowed", async () => {
    const api = withCache({ get: cacheDown, set: cacheDown, delete: cacheDown })
    const { result } = await LogCapture.around(() => cachedHandler({ count: 0 })(minimalEvent(), api))
    assert.isUndefined(result)
    assert.isUndefined(api.summary().denied)
    assert.deepStrictEqual(api.summary().idTokenClaims["https://example.com/plan"], {
      plan: "gold-1",
      hit: false,
      stored: false
    })
  })

  it("api.cache answering errors (full): a refused write, and the login is allowed", async () => {
    const api = withCache({
      get: () => undefined,
      set: () => ({ type: "error", code: "CacheSizeExceeded" }),
      delete: () => ({ type: "error", code: "CacheKeyDoesNotExist" })
    })
    await LogCapture.around(() => cachedHandler({ count: 0 })(minimalEvent(), api))
    assert.isUndefined(api.summary().denied)
    assert.strictEqual(
      (api.summary().idTokenClaims["https://example.com/plan"] as { stored: boolean }).stored,
      false
    )
  })

  it("a rule that overfills the cache is refused writes, never denied", async () => {
    const results: Array<boolean> = []
    const greedy = Rule.make(
      "greedy",
      Effect.gen(function*() {
        const cache = yield* Cache
        for (let i = 0; i < 25; i++) results.push(yield* cache.set(`k${i}`, "v".repeat(300)))
        results.push(yield* cache.set("k".repeat(65), "v"), yield* cache.set("big", "v".repeat(4097)))
        yield* Decision.setIdTokenClaim("https://example.com/ok", true)
      })
    )
    const api = RecordingApi.make()
    const { lines } = await LogCapture.around(() =>
      PostLogin.make(Pipeline.make({ facts: [], rules: [greedy] }), Layer.empty)(minimalEvent(), api)
    )
    assert.isUndefined(api.summary().denied)
    assert.deepStrictEqual(api.summary().idTokenClaims, { "https://example.com/ok": true })
    assert.deepStrictEqual(results, [
      ...Array.from({ length: 20 }, () => true),
      ...Array.from({ length: 7 }, () => false)
    ])
    for (const line of LogCapture.rulefxLines(lines)) {
      assert.isAtMost(line.length, 256)
      assert.notInclude(line, "vvvv")
    }
  })

  it("decide(event) with no api uses an empty in-memory cache; decide(event, api) uses api.cache", async () => {
    const decide = PostLogin.decide(Pipeline.make({ facts: [], rules: [cachedPlan({ count: 0 })] }), Layer.empty)
    const alone = await decide(minimalEvent())
    assert.strictEqual(alone._tag, "Allowed")
    const api = RecordingApi.make()
    const withApi = await decide(minimalEvent(), api)
    assert.strictEqual(withApi._tag, "Allowed")
    assert.strictEqual(api.cache.get("plan:auth0|minimal")?.value, "gold-2")
    // decide never applies the decision: no claim, scope or metadata call.
    assert.deepStrictEqual(api.calls.map((c) => c.method), ["cache.get", "cache.set", "cache.get"])
  })

  it("concurrent logins without api.cache never see each other's entries", async () => {
    const decide = PostLogin.decide(
      Pipeline.make({
        facts: [],
        rules: [
          Rule.make(
            "own-entry",
            Effect.gen(function*() {
              const cache = yield* Cache
              const login = yield* Login
              const before = yield* cache.get("who")
              yield* Effect.sleep("5 millis")
              yield* cache.set("who", login.user.id)
              yield* Effect.sleep("5 millis")
              const after = yield* cache.get("who")
              yield* Decision.setIdTokenClaim("https://example.com/who", {
                before: Option.getOrNull(before),
                after: Option.getOrNull(after)
              })
            })
          )
        ]
      }),
      Layer.empty
    )
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) => decide(minimalEvent({ userId: `auth0|u${i}` })))
    )
    outcomes.forEach((outcome, i) => {
      assert.strictEqual(outcome._tag, "Allowed")
      if (outcome._tag !== "Allowed") return
      assert.deepStrictEqual(outcome.decision.idTokenClaims["https://example.com/who"], {
        before: null,
        after: `auth0|u${i}`
      })
    })
  })
})
