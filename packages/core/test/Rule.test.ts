import { assert, describe, it } from "@effect/vitest"
import * as Decision from "@rulefx/core/Decision"
import { Class as DenialClass, InvalidData, RuleTimedOut } from "@rulefx/core/Denial"
import * as Login from "@rulefx/core/Login"
import * as Rule from "@rulefx/core/Rule"
import * as Secrets from "@rulefx/core/Secrets"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as Logins from "@rulefx/testing/Logins"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { pipe } from "effect/Function"
import * as Ref from "effect/Ref"
import { TestClock } from "effect/testing"

class Blocked extends DenialClass("Blocked")<{ readonly by: string }> {
  override get message(): string {
    return "Access denied."
  }
}

class Unverified extends DenialClass("Unverified")<{}> {
  override get message(): string {
    return "Please verify your email."
  }
}

type Log = Ref.Ref<ReadonlyArray<string>>

const makeLog = Ref.make<ReadonlyArray<string>>([])
const push = (log: Log, entry: string) => Ref.update(log, (entries) => [...entries, entry])

/** Sets a claim named after the rule; records its name in `log` when the log is given. */
const allow = (name: string, log?: Log) =>
  Rule.make(
    name,
    Effect.andThen(log === undefined ? Effect.void : push(log, name), Decision.setIdTokenClaim(name, true))
  )

/** Records a claim, then denies: the claim must never reach the output. */
const deny = (name: string, log?: Log) =>
  Rule.make(
    name,
    Effect.gen(function*() {
      if (log !== undefined) yield* push(log, name)
      yield* Decision.setIdTokenClaim(name, true)
      return yield* new Blocked({ by: name })
    })
  )

/** Sleeps, then records `name:done` and a claim; records `name:interrupted` if interrupted while sleeping. */
const slow = (name: string, log: Log, millis = 200) =>
  Rule.make(
    name,
    Effect.gen(function*() {
      yield* Effect.sleep(millis)
      yield* push(log, `${name}:done`)
      yield* Decision.setIdTokenClaim(name, true)
    }).pipe(Effect.onInterrupt(() => push(log, `${name}:interrupted`)))
  )

const claims = (decision: Decision.Decision) => ({ ...decision.idTokenClaims })

const flagged = (log: Log) => Rule.enabledBy(allow("flagged", log), "FLAG")

const runWith = <E, A>(effect: Effect.Effect<A, E, Secrets.Secrets>, record: Record<string, string>) =>
  Effect.provide(effect, Secrets.Secrets.layerTest(record))

describe("Rule", () => {
  describe("make", () => {
    it.effect("an allowing rule yields what it recorded", () =>
      Effect.gen(function*() {
        const rule = Rule.make(
          "grant",
          Effect.gen(function*() {
            yield* Decision.setIdTokenClaim("role", "admin")
            yield* Decision.addScope("admin:read")
          })
        )
        assert.strictEqual(rule.name, "grant")
        const decision = yield* rule.run
        assert.deepStrictEqual(claims(decision), { role: "admin" })
        assert.deepStrictEqual(decision.addScopes, ["admin:read"])
      }))

    it.effect("a denying rule fails with its denial value, not a Decision", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(deny("blocker").run)
        assert.instanceOf(error, Blocked)
        assert.strictEqual(error._tag, "Blocked")
        assert.strictEqual(error.by, "blocker")
      }))

    it.effect("a denying rule's recordings are not in the output of the policy", () =>
      Effect.gen(function*() {
        const viaAny = yield* Rule.any("either", [deny("first"), allow("second")]).run
        assert.deepStrictEqual(claims(viaAny), { second: true })
        const viaOptional = yield* Rule.all("both", [Rule.optional(deny("dropped")), allow("kept")]).run
        assert.deepStrictEqual(claims(viaOptional), { kept: true })
      }))

    it.effect("each run records into a fresh decision", () =>
      Effect.gen(function*() {
        const rule = Rule.make("scope", Decision.addScope("read"))
        const first = yield* rule.run
        const second = yield* rule.run
        assert.deepStrictEqual(first.addScopes, ["read"])
        assert.deepStrictEqual(second.addScopes, ["read"])
        assert.notStrictEqual(first, second)
      }))

    it.effect("a defect stays a defect", () =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(Rule.make("broken", Effect.die(new Error("boom"))).run)
        assert.isTrue(Exit.hasDies(exit))
        assert.isFalse(Exit.hasFails(exit))
      }))
  })

  describe("all", () => {
    it.effect("runs rules concurrently: two 200 ms rules finish after one 200 ms step", () =>
      Effect.gen(function*() {
        const log = yield* makeLog
        const fiber = yield* Effect.forkChild(Rule.all("both", [slow("a", log), slow("b", log)]).run)
        yield* TestClock.adjust("199 millis")
        assert.isUndefined(fiber.pollUnsafe())
        yield* TestClock.adjust("1 millis")
        assert.sameMembers([...(yield* Ref.get(log))], ["a:done", "b:done"])
        const exit = fiber.pollUnsafe()
        assert.isDefined(exit)
        assert.isTrue(exit !== undefined && Exit.isSuccess(exit))
        assert.deepStrictEqual(claims(yield* Fiber.join(fiber)), { a: true, b: true })
      }))

    it.effect("merges decisions in list order, not completion order", () =>
      Effect.gen(function*() {
        const late = Rule.make(
          "late",
          Effect.andThen(Effect.sleep("100 millis"), Decision.setIdTokenClaim("x", "late"))
        )
        const early = Rule.make("early", Decision.setIdTokenClaim("x", "early"))
        const fiber = yield* Effect.forkChild(Rule.all("order", [early, late]).run)
        yield* TestClock.adjust("100 millis")
        assert.strictEqual((yield* Fiber.join(fiber)).idTokenClaims["x"], "late")
        const reversed = yield* Effect.forkChild(Rule.all("order", [late, early]).run)
        yield* TestClock.adjust("100 millis")
        assert.strictEqual((yield* Fiber.join(reversed)).idTokenClaims["x"], "early")
      }))

    it.effect("the first denial interrupts a sibling still in flight", () =>
      Effect.gen(function*() {
        const log = yield* makeLog
        const denyLater = Rule.make(
          "denyLater",
          Effect.andThen(Effect.sleep("100 millis"), Effect.fail(new Blocked({ by: "denyLater" })))
        )
        const fiber = yield* Effect.forkChild(Effect.flip(Rule.all("policy", [slow("sibling", log), denyLater]).run))
        yield* TestClock.adjust("100 millis")
        const error = yield* Fiber.join(fiber)
        assert.strictEqual(error._tag, "Blocked")
        assert.strictEqual(error.by, "denyLater")
        assert.deepStrictEqual(yield* Ref.get(log), ["sibling:interrupted"])
        // Its sleep would have ended by now: it never completes.
        yield* TestClock.adjust("500 millis")
        assert.deepStrictEqual(yield* Ref.get(log), ["sibling:interrupted"])
      }))

    it.effect("a denial that does not wait interrupts a sibling still waiting and starts no later rule", () =>
      Effect.gen(function*() {
        const log = yield* makeLog
        const fiber = yield* Effect.forkChild(
          Effect.flip(Rule.all("policy", [slow("sibling", log), deny("now", log), allow("after", log)]).run)
        )
        // No clock moves: the denial must not wait for the sibling's 200 ms.
        const error = yield* Fiber.join(fiber)
        assert.strictEqual(error.by, "now")
        assert.deepStrictEqual(yield* Ref.get(log), ["now", "sibling:interrupted"])
      }))

    it.effect("a denial raised while a later rule is starting interrupts that rule too", () =>
      Effect.gen(function*() {
        const log = yield* makeLog
        const gate = yield* Deferred.make<void>()
        const denyOnGate = Rule.make("denyOnGate", Effect.andThen(Deferred.await(gate), new Blocked({ by: "gate" })))
        // Opening the gate resumes denyOnGate at once, inside this rule's start; then this rule waits.
        const opens = Rule.make(
          "opens",
          Effect.andThen(Deferred.succeed(gate, undefined), Effect.sleep(200)).pipe(
            Effect.onInterrupt(() => push(log, "opens:interrupted"))
          )
        )
        const fiber = yield* Effect.forkChild(Effect.flip(Rule.all("policy", [denyOnGate, opens]).run))
        // No clock moves: the denial must not wait for the sleep.
        assert.strictEqual((yield* Fiber.join(fiber)).by, "gate")
        assert.deepStrictEqual(yield* Ref.get(log), ["opens:interrupted"])
      }))

    it.effect("rules that do not wait run in list order, each to its end before the next starts", () =>
      Effect.gen(function*() {
        const log = yield* makeLog
        const decision = yield* Rule.all("policy", [allow("a", log), allow("b", log), allow("c", log)]).run
        assert.deepStrictEqual(yield* Ref.get(log), ["a", "b", "c"])
        assert.deepStrictEqual(claims(decision), { a: true, b: true, c: true })
      }))

    it.effect("interrupting the combinator interrupts every rule still waiting", () =>
      Effect.gen(function*() {
        const log = yield* makeLog
        const fiber = yield* Effect.forkChild(Rule.all("both", [slow("a", log), allow("b"), slow("c", log)]).run)
        yield* TestClock.adjust("100 millis")
        yield* Fiber.interrupt(fiber)
        assert.sameMembers([...(yield* Ref.get(log))], ["a:interrupted", "c:interrupted"])
        yield* TestClock.adjust("500 millis")
        assert.sameMembers([...(yield* Ref.get(log))], ["a:interrupted", "c:interrupted"])
      }))

    it.effect("a defect of a sibling being interrupted is kept, and the denial becomes a defect (fails closed)", () =>
      Effect.gen(function*() {
        const breaks = Rule.make("breaks", Effect.sleep(200).pipe(Effect.onInterrupt(() => Effect.die("cleanup"))))
        const denyLater = Rule.make("denyLater", Effect.andThen(Effect.sleep(100), new Blocked({ by: "denyLater" })))
        const fiber = yield* Effect.forkChild(Effect.exit(Rule.all("policy", [breaks, denyLater]).run))
        yield* TestClock.adjust("100 millis")
        const exit = yield* Fiber.join(fiber)
        assert.isTrue(Exit.hasDies(exit))
        assert.isFalse(Exit.hasFails(exit))
      }))

    it.effect("an empty list decides nothing", () =>
      Effect.gen(function*() {
        assert.isTrue(Decision.isEmpty(yield* Rule.all("none", []).run))
      }))
  })

  describe("sequence", () => {
    it.effect("runs rules in list order, one after another", () =>
      Effect.gen(function*() {
        const log = yield* makeLog
        const fiber = yield* Effect.forkChild(
          Rule.sequence("seq", [slow("first", log, 100), allow("second", log), allow("third", log)]).run
        )
        yield* TestClock.adjust("100 millis")
        const decision = yield* Fiber.join(fiber)
        assert.deepStrictEqual(yield* Ref.get(log), ["first:done", "second", "third"])
        assert.deepStrictEqual(claims(decision), { first: true, second: true, third: true })
      }))

    it.effect("does not overlap rules: two 200 ms rules need two 200 ms steps", () =>
      Effect.gen(function*() {
        const log = yield* makeLog
        const fiber = yield* Effect.forkChild(Rule.sequence("seq", [slow("a", log), slow("b", log)]).run)
        yield* TestClock.adjust("200 millis")
        assert.deepStrictEqual(yield* Ref.get(log), ["a:done"])
        assert.isUndefined(fiber.pollUnsafe())
        yield* TestClock.adjust("200 millis")
        assert.deepStrictEqual(yield* Ref.get(log), ["a:done", "b:done"])
        assert.deepStrictEqual(claims(yield* Fiber.join(fiber)), { a: true, b: true })
      }))

    it.effect("stops at the first denial", () =>
      Effect.gen(function*() {
        const log = yield* makeLog
        const error = yield* Effect.flip(
          Rule.sequence("seq", [allow("a", log), deny("b", log), allow("c", log), deny("d", log)]).run
        )
        assert.strictEqual(error.by, "b")
        assert.deepStrictEqual(yield* Ref.get(log), ["a", "b"])
      }))
  })

  describe("any", () => {
    it.effect("the first rule that allows wins and the rest never run", () =>
      Effect.gen(function*() {
        const log = yield* makeLog
        const decision = yield* Rule.any("either", [allow("a", log), allow("b", log)]).run
        assert.deepStrictEqual(claims(decision), { a: true })
        assert.deepStrictEqual(yield* Ref.get(log), ["a"])
      }))

    it.effect("skips denying rules, dropping their decisions", () =>
      Effect.gen(function*() {
        const log = yield* makeLog
        const decision = yield* Rule.any("either", [deny("a", log), deny("b", log), allow("c", log), allow("d", log)])
          .run
        assert.deepStrictEqual(claims(decision), { c: true })
        assert.deepStrictEqual(yield* Ref.get(log), ["a", "b", "c"])
      }))

    it.effect("fails with the LAST denial when none allows", () =>
      Effect.gen(function*() {
        const log = yield* makeLog
        const unverified = Rule.make("unverified", Effect.fail(new Unverified()))
        const error = yield* Effect.flip(Rule.any("either", [deny("a", log), unverified, deny("c", log)]).run)
        assert.instanceOf(error, Blocked)
        assert.strictEqual(error._tag, "Blocked")
        assert.strictEqual((error as Blocked).by, "c")
        assert.deepStrictEqual(yield* Ref.get(log), ["a", "c"])
        const last = yield* Effect.flip(Rule.any("either", [deny("a"), unverified]).run)
        assert.instanceOf(last, Unverified)
      }))

    it.effect("a defect is not a denial: it is not skipped", () =>
      Effect.gen(function*() {
        const log = yield* makeLog
        const exit = yield* Effect.exit(
          Rule.any("either", [Rule.make("broken", Effect.die(new Error("boom"))), allow("b", log)]).run
        )
        assert.isTrue(Exit.hasDies(exit))
        assert.deepStrictEqual(yield* Ref.get(log), [])
      }))
  })

  describe("when and unless", () => {
    it.effect("when runs the rule only if the predicate is true (data-first)", () =>
      Effect.gen(function*() {
        const log = yield* makeLog
        const gated = Rule.when(allow("r", log), Effect.succeed(true))
        assert.strictEqual(gated.name, "r")
        assert.deepStrictEqual(claims(yield* gated.run), { r: true })
        const skipped = yield* Rule.when(allow("s", log), Effect.succeed(false)).run
        assert.isTrue(Decision.isEmpty(skipped))
        assert.deepStrictEqual(yield* Ref.get(log), ["r"])
      }))

    it.effect("when works in pipe (data-last)", () =>
      Effect.gen(function*() {
        const log = yield* makeLog
        assert.deepStrictEqual(claims(yield* pipe(allow("r", log), Rule.when(Effect.succeed(true))).run), { r: true })
        assert.isTrue(Decision.isEmpty(yield* pipe(allow("s", log), Rule.when(Effect.succeed(false))).run))
        assert.deepStrictEqual(yield* Ref.get(log), ["r"])
      }))

    it.effect("unless runs the rule only if the predicate is false (both forms)", () =>
      Effect.gen(function*() {
        const log = yield* makeLog
        assert.deepStrictEqual(claims(yield* Rule.unless(allow("a", log), Effect.succeed(false)).run), { a: true })
        assert.isTrue(Decision.isEmpty(yield* Rule.unless(allow("b", log), Effect.succeed(true)).run))
        assert.deepStrictEqual(claims(yield* pipe(allow("c", log), Rule.unless(Effect.succeed(false))).run), {
          c: true
        })
        assert.isTrue(Decision.isEmpty(yield* pipe(allow("d", log), Rule.unless(Effect.succeed(true))).run))
        assert.deepStrictEqual(yield* Ref.get(log), ["a", "c"])
      }))

    it.effect("a gated deny rule denies only when it runs", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Rule.when(deny("d"), Effect.succeed(true)).run)
        assert.strictEqual(error.by, "d")
        assert.isTrue(Decision.isEmpty(yield* Rule.when(deny("d"), Effect.succeed(false)).run))
        assert.isTrue(Decision.isEmpty(yield* Rule.unless(deny("d"), Effect.succeed(true)).run))
      }))

    it.effect("the predicate may read the login and deny", () =>
      Effect.gen(function*() {
        const log = yield* makeLog
        const verified = Effect.map(Login.Login, (login) => login.user.emailVerified)
        const unverifiedLogin = Logins.layer({ user: { emailVerified: false } })
        const skipped = yield* Rule.when(allow("r", log), verified).run.pipe(Effect.provide(unverifiedLogin))
        assert.isTrue(Decision.isEmpty(skipped))
        const ran = yield* Rule.unless(allow("u", log), verified).run.pipe(Effect.provide(unverifiedLogin))
        assert.deepStrictEqual(claims(ran), { u: true })
        const error = yield* Effect.flip(Rule.when(allow("x", log), Effect.fail(new Unverified())).run)
        assert.instanceOf(error, Unverified)
        assert.deepStrictEqual(yield* Ref.get(log), ["u"])
      }))
  })

  describe("optional", () => {
    it.effect("a denial becomes an empty decision, dropping what the rule recorded", () =>
      Effect.gen(function*() {
        const rule = Rule.optional(deny("notify"))
        assert.strictEqual(rule.name, "notify")
        assert.isTrue(Decision.isEmpty(yield* rule.run))
      }))

    it.effect("a defect becomes an empty decision", () =>
      Effect.gen(function*() {
        const dies = Rule.make(
          "dies",
          Effect.andThen(Decision.setIdTokenClaim("dies", true), Effect.die(new Error("boom")))
        )
        assert.isTrue(Decision.isEmpty(yield* Rule.optional(dies).run))
        const throws = Rule.make(
          "throws",
          Effect.sync(() => {
            throw new Error("thrown")
          })
        )
        assert.isTrue(Decision.isEmpty(yield* Rule.optional(throws).run))
      }))

    // A new user read the rule's `denied: RuleTimedOut` line, then a warning that said nothing of it, for a login
    // that was let through: the warning names what the optional rule failed with.
    it.effect("its warning names the denial, or a defect, that it drops", () =>
      Effect.gen(function*() {
        const lines: Array<string> = []
        const dies = Rule.make("dies", Effect.die(new Error("boom")))
        yield* Rule.sequence("policy", [Rule.optional(deny("notify")), Rule.optional(dies)]).run.pipe(
          Effect.provide(LogCapture.layer(lines))
        )
        const warnings = lines.filter((line) => line.startsWith("optional rule failed"))
        assert.deepStrictEqual(warnings, [
          "optional rule failed (Blocked by=notify); its decisions are dropped and the login goes on",
          "optional rule failed (a defect); its decisions are dropped and the login goes on"
        ])
      }))

    it.effect("the login goes on: other rules' decisions are kept", () =>
      Effect.gen(function*() {
        const dies = Rule.make("dies", Effect.die(new Error("boom")))
        const policy = Rule.sequence("policy", [Rule.optional(deny("a")), Rule.optional(dies), allow("b")])
        assert.deepStrictEqual(claims(yield* policy.run), { b: true })
      }))

    it.effect("an allowing optional rule keeps its decision", () =>
      Effect.gen(function*() {
        assert.deepStrictEqual(claims(yield* Rule.optional(allow("ok")).run), { ok: true })
      }))

    it.effect("does not swallow an interruption raised by the rule", () =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(Rule.optional(Rule.make("interrupts", Effect.interrupt)).run)
        assert.isTrue(Exit.isFailure(exit))
        assert.isTrue(Exit.hasInterrupts(exit))
      }))

    it.effect("does not swallow an interruption from outside", () =>
      Effect.gen(function*() {
        const log = yield* makeLog
        const fiber = yield* Effect.forkChild(Rule.optional(slow("s", log)).run)
        yield* TestClock.adjust("100 millis")
        yield* Fiber.interrupt(fiber)
        const exit = yield* Fiber.await(fiber)
        assert.isTrue(Exit.hasInterrupts(exit))
        assert.isFalse(Exit.isSuccess(exit))
        assert.deepStrictEqual(yield* Ref.get(log), ["s:interrupted"])
      }))

    it.effect("an optional rule interrupted by a sibling's denial does not turn the denial into an allow", () =>
      Effect.gen(function*() {
        const log = yield* makeLog
        const denyLater = Rule.make(
          "denyLater",
          Effect.andThen(Effect.sleep("50 millis"), Effect.fail(new Blocked({ by: "denyLater" })))
        )
        const fiber = yield* Effect.forkChild(
          Effect.flip(Rule.all("policy", [Rule.optional(slow("opt", log)), denyLater]).run)
        )
        yield* TestClock.adjust("50 millis")
        assert.strictEqual((yield* Fiber.join(fiber)).by, "denyLater")
        yield* TestClock.adjust("500 millis")
        assert.deepStrictEqual(yield* Ref.get(log), ["opt:interrupted"])
      }))
  })

  describe("timeout", () => {
    it.effect("a rule past its limit fails with RuleTimedOut and is interrupted", () =>
      Effect.gen(function*() {
        const log = yield* makeLog
        const limited = Rule.timeout(slow("slowRule", log), "100 millis")
        assert.strictEqual(limited.name, "slowRule")
        const fiber = yield* Effect.forkChild(Effect.flip(limited.run))
        yield* TestClock.adjust("99 millis")
        assert.isUndefined(fiber.pollUnsafe())
        yield* TestClock.adjust("1 millis")
        const error = yield* Fiber.join(fiber)
        assert.instanceOf(error, RuleTimedOut)
        assert.strictEqual(error._tag, "RuleTimedOut")
        assert.strictEqual((error as RuleTimedOut).rule, "slowRule")
        assert.strictEqual((error as RuleTimedOut).millis, 100)
        yield* TestClock.adjust("500 millis")
        assert.deepStrictEqual(yield* Ref.get(log), ["slowRule:interrupted"])
      }))

    it.effect("a rule within its limit keeps its decision (pipe form)", () =>
      Effect.gen(function*() {
        const log = yield* makeLog
        const fiber = yield* Effect.forkChild(pipe(slow("quick", log, 50), Rule.timeout("1 second")).run)
        yield* TestClock.adjust("50 millis")
        assert.deepStrictEqual(claims(yield* Fiber.join(fiber)), { quick: true })
      }))

    it.effect("a rule's own denial inside the limit is kept", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Rule.timeout(deny("d"), "1 second").run)
        assert.instanceOf(error, Blocked)
      }))

    it.effect("optional(timeout(...)) drops the timeout and the login goes on", () =>
      Effect.gen(function*() {
        const log = yield* makeLog
        const policy = Rule.all("policy", [
          Rule.optional(Rule.timeout(slow("slowRule", log), "100 millis")),
          allow("b")
        ])
        const fiber = yield* Effect.forkChild(policy.run)
        yield* TestClock.adjust("100 millis")
        assert.deepStrictEqual(claims(yield* Fiber.join(fiber)), { b: true })
        assert.deepStrictEqual(yield* Ref.get(log), ["slowRule:interrupted"])
      }))
  })

  describe("pipe", () => {
    it.effect("a rule pipes through combinators, as effect's own data types do", () =>
      Effect.gen(function*() {
        const log = yield* makeLog
        const dropped = slow("slowRule", log).pipe(Rule.timeout("100 millis"), Rule.optional)
        assert.strictEqual(dropped.name, "slowRule")
        const fiber = yield* Effect.forkChild(Rule.all("policy", [dropped, allow("b")]).run)
        yield* TestClock.adjust("100 millis")
        assert.deepStrictEqual(claims(yield* Fiber.join(fiber)), { b: true })
        assert.deepStrictEqual(yield* Ref.get(log), ["slowRule:interrupted"])
        const error = yield* Effect.flip(deny("d").pipe(Rule.timeout("1 second")).run)
        assert.instanceOf(error, Blocked)
      }))

    it("every constructor and combinator returns a pipeable rule", () => {
      const rules: ReadonlyArray<Rule.Any> = [
        allow("a"),
        Rule.optional(allow("a")),
        Rule.timeout(allow("a"), "1 second"),
        Rule.enabledBy(allow("a"), "FLAG"),
        Rule.all("all", [allow("a")]),
        Rule.sequence("sequence", [allow("a")]),
        Rule.any("any", [allow("a")]),
        Rule.when(allow("a"), Effect.succeed(true)),
        Rule.unless(allow("a"), Effect.succeed(false))
      ]
      for (const rule of rules) {
        assert.strictEqual(rule.pipe(), rule)
        assert.strictEqual(rule.pipe(Rule.optional).name, rule.name)
      }
    })
  })

  describe("enabledBy", () => {
    it.effect("an \"on\" setting runs the rule (any case, surrounding spaces allowed)", () =>
      Effect.gen(function*() {
        for (const value of ["on", "true", "1", "yes", "ON", " Yes ", "True"]) {
          const log = yield* makeLog
          const decision = yield* runWith(flagged(log).run, { FLAG: value })
          assert.deepStrictEqual(claims(decision), { flagged: true }, value)
          assert.deepStrictEqual(yield* Ref.get(log), ["flagged"], value)
        }
      }))

    it.effect("an \"off\" setting skips the rule with an empty decision", () =>
      Effect.gen(function*() {
        for (const value of ["off", "false", "0", "no", "OFF", " No "]) {
          const log = yield* makeLog
          const decision = yield* runWith(flagged(log).run, { FLAG: value })
          assert.isTrue(Decision.isEmpty(decision), value)
          assert.deepStrictEqual(yield* Ref.get(log), [], value)
        }
      }))

    it.effect("an \"off\" setting skips a deny rule too", () =>
      Effect.gen(function*() {
        const decision = yield* runWith(Rule.enabledBy(deny("d"), "FLAG").run, { FLAG: "off" })
        assert.isTrue(Decision.isEmpty(decision))
        const error = yield* Effect.flip(runWith(Rule.enabledBy(deny("d"), "FLAG").run, { FLAG: "on" }))
        assert.instanceOf(error, Blocked)
      }))

    it.effect("an absent setting takes the default, which is true unless given", () =>
      Effect.gen(function*() {
        const log = yield* makeLog
        assert.deepStrictEqual(claims(yield* runWith(flagged(log).run, {})), { flagged: true })
        const onByDefault = Rule.enabledBy(allow("explicitTrue", log), "FLAG", { defaultValue: true })
        assert.deepStrictEqual(claims(yield* runWith(onByDefault.run, { OTHER: "off" })), { explicitTrue: true })
        const offByDefault = Rule.enabledBy(allow("offByDefault", log), "FLAG", { defaultValue: false })
        assert.isTrue(Decision.isEmpty(yield* runWith(offByDefault.run, {})))
        // An empty setting is absent too.
        assert.isTrue(Decision.isEmpty(yield* runWith(offByDefault.run, { FLAG: "" })))
        // A set value beats the default.
        assert.deepStrictEqual(claims(yield* runWith(offByDefault.run, { FLAG: "on" })), { offByDefault: true })
        assert.deepStrictEqual(yield* Ref.get(log), ["flagged", "explicitTrue", "offByDefault"])
      }))

    it.effect("an invalid value is an InvalidData denial and the rule does not run", () =>
      Effect.gen(function*() {
        for (const value of ["maybe", "enabled", "2", "o n", "constructor", "__proto__", "toString"]) {
          const log = yield* makeLog
          const error = yield* Effect.flip(runWith(flagged(log).run, { FLAG: value }))
          assert.instanceOf(error, InvalidData, value)
          assert.strictEqual(error._tag, "InvalidData")
          assert.strictEqual((error as InvalidData).what, "setting FLAG")
          assert.deepStrictEqual((error as InvalidData).issues, ["expected on or off"])
          assert.deepStrictEqual(yield* Ref.get(log), [], value)
        }
      }))

    it.effect("works in pipe (data-last), with and without options", () =>
      Effect.gen(function*() {
        const log = yield* makeLog
        const piped = pipe(allow("p", log), Rule.enabledBy("FLAG"))
        assert.strictEqual(piped.name, "p")
        assert.deepStrictEqual(claims(yield* runWith(piped.run, {})), { p: true })
        assert.isTrue(Decision.isEmpty(yield* runWith(piped.run, { FLAG: "no" })))
        const pipedOff = pipe(allow("q", log), Rule.enabledBy("FLAG", { defaultValue: false }))
        assert.isTrue(Decision.isEmpty(yield* runWith(pipedOff.run, {})))
        assert.deepStrictEqual(claims(yield* runWith(pipedOff.run, { FLAG: "yes" })), { q: true })
        const invalid = yield* Effect.flip(runWith(pipedOff.run, { FLAG: "perhaps" }))
        assert.strictEqual(invalid._tag, "InvalidData")
        assert.deepStrictEqual(yield* Ref.get(log), ["p", "q"])
      }))

    it.effect("reads only its own setting", () =>
      Effect.gen(function*() {
        const log = yield* makeLog
        const decision = yield* runWith(flagged(log).run, { OTHER_FLAG: "off", FLAG_2: "off" })
        assert.deepStrictEqual(claims(decision), { flagged: true })
      }))
  })
})
