import { assert, describe, it } from "@effect/vitest"
import * as Decision from "@rulefx/core/Decision"
import * as Decode from "@rulefx/core/Decode"
import { Class as DenialClass, genericMessage, InvalidData, MissingSecret } from "@rulefx/core/Denial"
import * as Fact from "@rulefx/core/Fact"
import * as Login from "@rulefx/core/Login"
import * as Pipeline from "@rulefx/core/Pipeline"
import * as Rule from "@rulefx/core/Rule"
import * as Secrets from "@rulefx/core/Secrets"
import * as Logins from "@rulefx/testing/Logins"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import { TestClock } from "effect/testing"
import * as v from "valibot"

// A seed-like policy built from core alone: two facts (the user's seller, looked up through a service, and the
// user's effective roles) and four rules reading them.

interface Seller {
  readonly id: string
  readonly email: string
  readonly name: string
}

class SellerLookup extends Context.Service<SellerLookup, {
  readonly find: (id: string) => Effect.Effect<Option.Option<Seller>>
}>()("@rulefx/core/test/SellerLookup") {
  static readonly layerTest = (sellers: Readonly<Record<string, Seller>>, lookups: Ref.Ref<number>) =>
    Layer.succeed(
      SellerLookup,
      SellerLookup.of({
        find: (id) =>
          Ref.update(lookups, (n) => n + 1).pipe(
            Effect.as(Object.hasOwn(sellers, id) ? Option.some(sellers[id]!) : Option.none())
          )
      })
    )
}

class RoleNotAllowed extends DenialClass("RoleNotAllowed")<{ readonly roles: ReadonlyArray<string> }> {
  override get message(): string {
    return "Your account is not allowed to use this application."
  }
}

class Blocked extends DenialClass("Blocked")<{ readonly by: string }> {
  override get message(): string {
    return "Access denied."
  }
}

const decodeSellerId = Decode.decode(v.optional(v.pipe(v.string(), v.minLength(1))), "app_metadata.sellerId")
const decodeRoles = Decode.decode(v.optional(v.array(v.string())), "app_metadata.roles")

const CurrentSeller = Fact.make(
  "CurrentSeller",
  Effect.gen(function*() {
    const login = yield* Login.Login
    const sellerId = yield* decodeSellerId(login.user.appMetadata["sellerId"])
    if (sellerId === undefined) return Option.none<Seller>()
    const lookup = yield* SellerLookup
    return yield* lookup.find(sellerId)
  })
)

const EffectiveRoles = Fact.make(
  "EffectiveRoles",
  Effect.gen(function*() {
    const login = yield* Login.Login
    return (yield* decodeRoles(login.user.appMetadata["roles"])) ?? ["USER"]
  })
)

const setSeller = Rule.make(
  "setSeller",
  Effect.gen(function*() {
    const seller = yield* CurrentSeller
    if (Option.isSome(seller)) {
      yield* Decision.setIdTokenClaim("https://example.com/seller", { id: seller.value.id, name: seller.value.name })
    }
  })
)

const hashSellerEmail = Rule.make(
  "hashSellerEmail",
  Effect.gen(function*() {
    const seller = yield* CurrentSeller
    if (Option.isNone(seller)) return
    const salt = yield* Secrets.get("HASH_SALT")
    yield* Decision.setIdTokenClaim("https://example.com/seller_email", `${Redacted.value(salt)}:${seller.value.email}`)
  })
)

const setRoles = Rule.make(
  "setRoles",
  Effect.flatMap(EffectiveRoles, (roles) => Decision.setAccessTokenClaim("https://example.com/roles", [...roles]))
)

const denyRoles = Rule.make(
  "denyRoles",
  Effect.gen(function*() {
    const login = yield* Login.Login
    const allowed = new Set((login.client.metadata["allowed_roles"] ?? "").split(",").map((role) => role.trim()))
    const roles = yield* EffectiveRoles
    if (!roles.some((role) => allowed.has(role))) return yield* new RoleNotAllowed({ roles })
  })
)

const seedPipeline = Pipeline.make({
  facts: [CurrentSeller, EffectiveRoles],
  rules: [setSeller, hashSellerEmail, setRoles, denyRoles]
})

const sellers: Readonly<Record<string, Seller>> = {
  "seller-1": { id: "seller-1", email: "ada@shop.example", name: "Ada's Shop" }
}

const seedLayer = (
  login: Logins.Overrides,
  lookups: Ref.Ref<number>,
  secrets: Record<string, string> = { HASH_SALT: "pepper" }
) =>
  Layer.mergeAll(
    Logins.layer(login),
    Secrets.Secrets.layerTest(secrets),
    SellerLookup.layerTest(sellers, lookups)
  )

const adminApp = { metadata: { allowed_roles: "ADMIN, SELLER" } }

type Log = Ref.Ref<ReadonlyArray<string>>
const push = (log: Log, entry: string) => Ref.update(log, (entries) => [...entries, entry])

/** A per-user delay in [0, 100) ms, so that overlapping logins finish in a scrambled order. */
const delay = (id: string) => (Number(id.slice("user-".length)) * 37) % 100

describe("Pipeline", () => {
  describe("the seed-like shape", () => {
    it.effect("a seller with an allowed role gets every claim, and the seller is looked up once", () =>
      Effect.gen(function*() {
        const lookups = yield* Ref.make(0)
        const decision = yield* seedPipeline.run.pipe(
          Effect.provide(seedLayer({
            user: { appMetadata: { sellerId: "seller-1", roles: ["SELLER"] } },
            client: adminApp
          }, lookups))
        )
        assert.deepStrictEqual({ ...decision.idTokenClaims }, {
          "https://example.com/seller": { id: "seller-1", name: "Ada's Shop" },
          "https://example.com/seller_email": "pepper:ada@shop.example"
        })
        assert.deepStrictEqual({ ...decision.accessTokenClaims }, { "https://example.com/roles": ["SELLER"] })
        assert.deepStrictEqual(decision.addScopes, [])
        assert.isUndefined(decision.mfa)
        assert.strictEqual(yield* Ref.get(lookups), 1)
      }))

    it.effect("a user without a seller gets only the fallback roles and no lookup happens", () =>
      Effect.gen(function*() {
        const lookups = yield* Ref.make(0)
        const decision = yield* seedPipeline.run.pipe(
          Effect.provide(seedLayer({ client: { metadata: { allowed_roles: "USER" } } }, lookups, {}))
        )
        assert.deepStrictEqual({ ...decision.idTokenClaims }, {})
        assert.deepStrictEqual({ ...decision.accessTokenClaims }, { "https://example.com/roles": ["USER"] })
        assert.strictEqual(yield* Ref.get(lookups), 0)
      }))

    it.effect("an unknown seller id sets no seller claims", () =>
      Effect.gen(function*() {
        const lookups = yield* Ref.make(0)
        const decision = yield* seedPipeline.run.pipe(
          Effect.provide(seedLayer({
            user: { appMetadata: { sellerId: "seller-404", roles: ["ADMIN"] } },
            client: adminApp
          }, lookups))
        )
        assert.deepStrictEqual({ ...decision.idTokenClaims }, {})
        assert.deepStrictEqual({ ...decision.accessTokenClaims }, { "https://example.com/roles": ["ADMIN"] })
        assert.strictEqual(yield* Ref.get(lookups), 1)
      }))

    it.effect("a role the application does not admit denies the login with RoleNotAllowed", () =>
      Effect.gen(function*() {
        const lookups = yield* Ref.make(0)
        const exit = yield* Effect.exit(seedPipeline.run.pipe(
          Effect.provide(seedLayer({
            user: { appMetadata: { sellerId: "seller-1", roles: ["GUEST"] } },
            client: adminApp
          }, lookups))
        ))
        assert.isTrue(Exit.isFailure(exit))
        const denial = Exit.findErrorOption(exit)
        assert.isTrue(Option.isSome(denial))
        const error = Option.getOrThrow(denial)
        assert.instanceOf(error, RoleNotAllowed)
        assert.deepStrictEqual((error as RoleNotAllowed).roles, ["GUEST"])
      }))

    it.effect("malformed metadata read by a fact denies the login with InvalidData", () =>
      Effect.gen(function*() {
        const lookups = yield* Ref.make(0)
        const error = yield* Effect.flip(seedPipeline.run.pipe(
          Effect.provide(seedLayer({ user: { appMetadata: { roles: "ADMIN" } }, client: adminApp }, lookups))
        ))
        assert.instanceOf(error, InvalidData)
        assert.strictEqual((error as InvalidData).what, "app_metadata.roles")
        assert.strictEqual(error.message, genericMessage)
      }))

    it.effect("a missing secret denies the login with MissingSecret", () =>
      Effect.gen(function*() {
        const lookups = yield* Ref.make(0)
        const error = yield* Effect.flip(seedPipeline.run.pipe(
          Effect.provide(seedLayer(
            {
              user: { appMetadata: { sellerId: "seller-1", roles: ["SELLER"] } },
              client: adminApp
            },
            lookups,
            {}
          ))
        ))
        assert.instanceOf(error, MissingSecret)
        assert.strictEqual((error as MissingSecret).name, "HASH_SALT")
      }))

    it("exposes its facts and rules", () => {
      assert.deepStrictEqual(seedPipeline.facts.map((fact) => fact.name), ["CurrentSeller", "EffectiveRoles"])
      assert.deepStrictEqual(seedPipeline.rules.map((rule) => rule.name), [
        "setSeller",
        "hashSellerEmail",
        "setRoles",
        "denyRoles"
      ])
    })
  })

  it.effect("a fact name declared twice is a defect and no rule runs", () =>
    Effect.gen(function*() {
      const log = yield* Ref.make<ReadonlyArray<string>>([])
      const First = Fact.make("Dup", Effect.succeed(1))
      const Second = Fact.make("Dup", Effect.succeed(2))
      const pipeline = Pipeline.make({
        facts: [First, Second],
        rules: [Rule.make("r", push(log, "r"))]
      })
      const exit = yield* Effect.exit(pipeline.run)
      assert.isTrue(Exit.hasDies(exit))
      assert.isFalse(Exit.hasFails(exit))
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) {
        const defect = Cause.squash(exit.cause)
        assert.instanceOf(defect, Error)
        assert.include((defect as Error).message, "\"Dup\"")
      }
      assert.deepStrictEqual(yield* Ref.get(log), [])
    }))

  it.effect("a denial in one rule means no Decision at all", () =>
    Effect.gen(function*() {
      const pipeline = Pipeline.make({
        facts: [],
        rules: [
          Rule.make("grants", Decision.setIdTokenClaim("admin", true)),
          Rule.make("denies", Effect.andThen(Decision.addScope("x"), Effect.fail(new Blocked({ by: "denies" }))))
        ]
      })
      const exit = yield* Effect.exit(pipeline.run)
      assert.isFalse(Exit.isSuccess(exit))
      const error = Option.getOrThrow(Exit.findErrorOption(exit))
      assert.instanceOf(error, Blocked)
      assert.strictEqual(error.by, "denies")
    }))

  it.effect("a fact that fails with a denial denies the login", () =>
    Effect.gen(function*() {
      const log = yield* Ref.make<ReadonlyArray<string>>([])
      const Failing = Fact.make("Failing", Effect.fail(new Blocked({ by: "fact" })))
      const pipeline = Pipeline.make({
        facts: [Failing],
        rules: [
          Rule.make("reader", Effect.andThen(Failing, push(log, "reader:after"))),
          Rule.make("other", Decision.setIdTokenClaim("other", true))
        ]
      })
      const error = yield* Effect.flip(pipeline.run)
      assert.instanceOf(error, Blocked)
      assert.strictEqual(error.by, "fact")
      assert.deepStrictEqual(yield* Ref.get(log), [])
    }))

  it.effect("an immediate denial fails the run at once and interrupts a slow fact", () =>
    Effect.gen(function*() {
      const log = yield* Ref.make<ReadonlyArray<string>>([])
      const Slow = Fact.make(
        "Slow",
        Effect.gen(function*() {
          yield* push(log, "fact:start")
          yield* Effect.sleep("200 millis")
          yield* push(log, "fact:done")
          return 1
        }).pipe(Effect.onInterrupt(() => push(log, "fact:interrupted")))
      )
      const pipeline = Pipeline.make({
        facts: [Slow],
        rules: [
          Rule.make("reader", Effect.flatMap(Slow, (n) => Decision.setIdTokenClaim("n", n))),
          Rule.make("denier", Effect.andThen(Effect.yieldNow, Effect.fail(new Blocked({ by: "denier" }))))
        ]
      })
      // No TestClock.adjust: if the run waited for the fact, this would never return.
      const exit = yield* Effect.exit(pipeline.run)
      const error = Option.getOrThrow(Exit.findErrorOption(exit))
      assert.strictEqual(error.by, "denier")
      assert.deepStrictEqual(yield* Ref.get(log), ["fact:start", "fact:interrupted"])
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(yield* Ref.get(log), ["fact:start", "fact:interrupted"])
    }))

  it.effect("decisions are merged in rule order, not completion order", () =>
    Effect.gen(function*() {
      const pipeline = Pipeline.make({
        facts: [],
        rules: [
          Rule.make("first", Effect.andThen(Effect.sleep("50 millis"), Decision.setIdTokenClaim("x", "first"))),
          Rule.make("second", Decision.setIdTokenClaim("x", "second"))
        ]
      })
      const fiber = yield* Effect.forkChild(pipeline.run)
      yield* TestClock.adjust("50 millis")
      assert.strictEqual((yield* Fiber.join(fiber)).idTokenClaims["x"], "second")
    }))

  it.effect("each run computes its facts afresh", () =>
    Effect.gen(function*() {
      const runs = yield* Ref.make(0)
      const Counted = Fact.make("Counted", Ref.updateAndGet(runs, (n) => n + 1))
      const pipeline = Pipeline.make({
        facts: [Counted],
        rules: [Rule.make("r", Effect.flatMap(Counted, (n) => Decision.setIdTokenClaim("n", n)))]
      })
      assert.strictEqual((yield* pipeline.run).idTokenClaims["n"], 1)
      assert.strictEqual((yield* pipeline.run).idTokenClaims["n"], 2)
    }))

  it.effect("ISOLATION: 100 overlapping logins each decide only on their own user's data", () =>
    Effect.gen(function*() {
      const computed = yield* Ref.make(0)
      const UserTag = Fact.make(
        "UserTag",
        Effect.gen(function*() {
          const login = yield* Login.Login
          yield* Ref.update(computed, (n) => n + 1)
          yield* Effect.sleep(delay(login.user.id))
          return `tag:${login.user.id}`
        })
      )
      const pipeline = Pipeline.make({
        facts: [UserTag],
        rules: [
          Rule.make("fromFact", Effect.flatMap(UserTag, (tag) => Decision.setIdTokenClaim("tag", tag))),
          Rule.make(
            "fromLogin",
            Effect.gen(function*() {
              const login = yield* Login.Login
              yield* Effect.sleep(100 - delay(login.user.id))
              yield* Decision.setIdTokenClaim("user", login.user.id)
              yield* Decision.persistAppMetadata("seen", `${login.user.id}:${yield* UserTag}`)
            })
          )
        ]
      })
      const ids = Array.from({ length: 100 }, (_, i) => `user-${i}`)
      const fiber = yield* Effect.forkChild(
        Effect.forEach(
          ids,
          (id) => pipeline.run.pipe(Effect.provide(Logins.layer({ user: { id } }))),
          { concurrency: "unbounded" }
        )
      )
      // Every login is in flight at once, so all finish within one 100 ms step.
      yield* TestClock.adjust("100 millis")
      const exit = fiber.pollUnsafe()
      assert.isDefined(exit)
      const decisions = yield* Fiber.join(fiber)
      assert.lengthOf(decisions, 100)
      decisions.forEach((decision, i) => {
        const id = `user-${i}`
        assert.deepStrictEqual({ ...decision.idTokenClaims }, { tag: `tag:${id}`, user: id })
        assert.deepStrictEqual({ ...decision.appMetadata }, { seen: `${id}:tag:${id}` })
      })
      assert.strictEqual(yield* Ref.get(computed), 100)
    }))
})
