import { assert, describe, it } from "@effect/vitest"
import * as Decision from "@rulefx/core/Decision"
import { describe as describeDenial, genericMessage, InvalidData } from "@rulefx/core/Denial"
import * as Fact from "@rulefx/core/Fact"
import * as Pipeline from "@rulefx/core/Pipeline"
import * as DenyRoles from "@rulefx/rules/DenyRoles"
import { EffectiveRoles } from "@rulefx/rules/EffectiveRoles"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as References from "effect/References"
import { login } from "./utils/Fixtures.ts"

const runWith = (
  roles: ReadonlyArray<string>,
  clientMetadata: Readonly<Record<string, string>>,
  options: DenyRoles.Options = {}
) =>
  DenyRoles.make(options).run.pipe(
    Effect.provide(Layer.mergeAll(Fact.layerValue(EffectiveRoles, roles), login({ clientMetadata })))
  )

describe("DenyRoles", () => {
  it.effect("a role that is allowed: the login goes on, deciding nothing", () =>
    Effect.gen(function*() {
      const decision = yield* runWith(["SELLER"], { allowed_roles: "ADMIN,SELLER" })
      assert.isTrue(Decision.isEmpty(decision))
    }))

  it.effect("one allowed role among several is enough", () =>
    Effect.gen(function*() {
      yield* runWith(["GUEST", "ADMIN"], { allowed_roles: "ADMIN" })
    }))

  it.effect("no role allowed: RoleNotAllowed, which carries none of the user's roles", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(runWith(["GUEST", "USER"], { allowed_roles: "ADMIN,SELLER" }))
      assert.instanceOf(error, DenyRoles.RoleNotAllowed)
      assert.strictEqual(error.message, "Your account is not allowed to use this application.")
      // A denial's fields are what its log line shows (Denial.describe): the roles are the user's data.
      assert.strictEqual(describeDenial(error), "RoleNotAllowed")
    }))

  it.effect("the log line of a RoleNotAllowed names the rule and the denial, not the roles", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const logger = Logger.make(({ message }) => void lines.push(String(message)))
      yield* Effect.flip(
        runWith(["GUEST-ROLE-NAME", "VIP-ROLE-NAME"], { allowed_roles: "ADMIN" }).pipe(
          Effect.provideService(References.CurrentLoggers, new Set([logger]))
        )
      )
      assert.deepStrictEqual(lines, ["denied: RoleNotAllowed"])
    }))

  it.effect("no roles at all: RoleNotAllowed", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(runWith([], { allowed_roles: "ADMIN" }))
      assert.strictEqual(error._tag, "RoleNotAllowed")
    }))

  it.effect("role names match exactly (case matters, no prefixes)", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(runWith(["admin", "ADMINISTRATOR"], { allowed_roles: "ADMIN" }))
      assert.strictEqual(error._tag, "RoleNotAllowed")
    }))

  it.effect.each([
    { label: "missing", metadata: {} },
    { label: "empty", metadata: { allowed_roles: "" } },
    { label: "only commas and spaces", metadata: { allowed_roles: " , ,, " } }
  ])("allowed_roles $label: AllowedRolesMissing", ({ metadata }) =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(runWith(["ADMIN"], metadata))
      assert.instanceOf(error, DenyRoles.AllowedRolesMissing)
      if (error._tag !== "AllowedRolesMissing") return assert.fail("expected AllowedRolesMissing")
      assert.strictEqual(error.key, "allowed_roles")
      assert.strictEqual(error.message, genericMessage)
    }))

  it.effect("spaces around role names are trimmed", () =>
    Effect.gen(function*() {
      yield* runWith(["USER"], { allowed_roles: "ADMIN, USER" })
      yield* runWith(["ADMIN"], { allowed_roles: "  ADMIN ,USER" })
    }))

  it.effect("the fallback USER is allowed when allowed_roles includes USER", () =>
    Effect.gen(function*() {
      const pipeline = Pipeline.make({ facts: [EffectiveRoles], rules: [DenyRoles.make()] })
      const decision = yield* pipeline.run.pipe(
        Effect.provide(login({ clientMetadata: { allowed_roles: "ADMIN, USER" } }))
      )
      assert.isTrue(Decision.isEmpty(decision))
    }))

  it.effect("the fallback USER is denied when allowed_roles does not include it", () =>
    Effect.gen(function*() {
      const pipeline = Pipeline.make({ facts: [EffectiveRoles], rules: [DenyRoles.make()] })
      const error = yield* Effect.flip(
        pipeline.run.pipe(Effect.provide(login({ clientMetadata: { allowed_roles: "ADMIN" } })))
      )
      assert.instanceOf(error, DenyRoles.RoleNotAllowed)
    }))

  it.effect("metadataKey names the client metadata key", () =>
    Effect.gen(function*() {
      yield* runWith(["ADMIN"], { roles_allowed_here: "ADMIN" }, { metadataKey: "roles_allowed_here" })
      const error = yield* Effect.flip(
        runWith(["ADMIN"], { allowed_roles: "ADMIN" }, { metadataKey: "roles_allowed_here" })
      )
      assert.instanceOf(error, DenyRoles.AllowedRolesMissing)
      assert.strictEqual(error._tag === "AllowedRolesMissing" ? error.key : undefined, "roles_allowed_here")
    }))

  it.effect("a metadataKey that names an Object.prototype member is still missing, not a crash", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(runWith(["ADMIN"], {}, { metadataKey: "constructor" }))
      assert.strictEqual(error._tag, "AllowedRolesMissing")
    }))

  it.effect("an empty metadataKey: InvalidData", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(runWith(["ADMIN"], { allowed_roles: "ADMIN" }, { metadataKey: "" }))
      assert.instanceOf(error, InvalidData)
      assert.strictEqual(error._tag === "InvalidData" ? error.what : undefined, "DenyRoles options")
    }))

  it.effect("malformed roles deny with InvalidData rather than passing", () =>
    Effect.gen(function*() {
      const pipeline = Pipeline.make({ facts: [EffectiveRoles], rules: [DenyRoles.make()] })
      const error = yield* Effect.flip(
        pipeline.run.pipe(
          Effect.provide(login({ appMetadata: { roles: "ADMIN" }, clientMetadata: { allowed_roles: "ADMIN" } }))
        )
      )
      assert.instanceOf(error, InvalidData)
    }))
})
