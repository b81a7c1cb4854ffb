import { assert, describe, it } from "@effect/vitest"
import * as Decode from "@rulefx/core/Decode"
import { genericMessage, InvalidData } from "@rulefx/core/Denial"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as v from "valibot"

const secretLike = "sk_live_9f8e7d6c5b4a"

const Profile = v.object({
  plan: v.picklist(["free", "pro"]),
  limits: v.object({ seats: v.number() }),
  tags: v.optional(v.array(v.string()), [])
})

const decodeProfile = Decode.decode(Profile, "app_metadata.profile")

describe("Decode", () => {
  it.effect("decodes valid input to the schema's output", () =>
    Effect.gen(function*() {
      const profile = yield* decodeProfile({ plan: "pro", limits: { seats: 3 } })
      assert.deepStrictEqual(profile, { plan: "pro", limits: { seats: 3 }, tags: [] })
    }))

  it.effect("applies the schema's transformations", () =>
    Effect.gen(function*() {
      const decodeId = Decode.decode(v.pipe(v.string(), v.trim(), v.minLength(1)), "sellerId")
      assert.strictEqual(yield* decodeId("  seller-1  "), "seller-1")
    }))

  it.effect("invalid input is an InvalidData denial naming what and the path of each issue", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(decodeProfile({ plan: "pro", limits: { seats: "three" }, tags: ["a", 1] }))
      assert.instanceOf(error, InvalidData)
      assert.strictEqual(error._tag, "InvalidData")
      assert.strictEqual(error.what, "app_metadata.profile")
      assert.deepStrictEqual(error.issues, [
        "limits.seats: Invalid type: Expected number",
        "tags.1: Invalid type: Expected string"
      ])
      assert.strictEqual(error.message, genericMessage)
    }))

  it.effect("an issue at the root has no path prefix", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Decode.decode(v.number(), "count")("3"))
      assert.deepStrictEqual(error.issues, ["Invalid type: Expected number"])
    }))

  it.effect("issue text never contains the offending value", () =>
    Effect.gen(function*() {
      const schema = v.object({ apiKey: v.number(), nested: v.object({ token: v.number() }) })
      const error = yield* Effect.flip(
        Decode.decode(schema, "settings")({ apiKey: secretLike, nested: { token: `${secretLike}-2` } })
      )
      assert.lengthOf(error.issues, 2)
      assert.deepStrictEqual(error.issues, [
        "apiKey: Invalid type: Expected number",
        "nested.token: Invalid type: Expected number"
      ])
      for (const issue of error.issues) assert.notInclude(issue, secretLike)
      assert.notInclude(JSON.stringify(error), secretLike)
      assert.notInclude(error.message, secretLike)
    }))

  it.effect("the value stays out of issues for length, picklist and format checks too", () =>
    Effect.gen(function*() {
      const schemas = [
        v.pipe(v.string(), v.minLength(100)),
        v.pipe(v.string(), v.maxLength(3)),
        v.picklist(["free", "pro"]),
        v.pipe(v.string(), v.regex(/^x-/)),
        v.literal("on")
      ]
      for (const schema of schemas) {
        const error = yield* Effect.flip(Decode.decode(schema, "value")(secretLike))
        assert.lengthOf(error.issues, 1)
        assert.notInclude(error.issues[0], secretLike)
        assert.notInclude(error.issues[0], "received")
      }
    }))

  it.effect("keeps at most five issues", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Decode.decode(v.array(v.number()), "numbers")(["a", "b", "c", "d", "e", "f", "g"])
      )
      assert.deepStrictEqual(error.issues, [
        "0: Invalid type: Expected number",
        "1: Invalid type: Expected number",
        "2: Invalid type: Expected number",
        "3: Invalid type: Expected number",
        "4: Invalid type: Expected number"
      ])
    }))

  it.effect("works with asynchronous schemas", () =>
    Effect.gen(function*() {
      const schema = v.pipeAsync(v.string(), v.checkAsync(async (s) => s.startsWith("ok"), "must start with ok"))
      const decodeAsync = Decode.decode(schema, "async")
      assert.strictEqual(yield* decodeAsync("ok-1"), "ok-1")
      const error = yield* Effect.flip(decodeAsync("bad"))
      assert.strictEqual(error.what, "async")
      assert.deepStrictEqual(error.issues, ["must start with ok"])
    }))

  it.effect("an asynchronous validator that rejects is a defect, not an InvalidData denial", () =>
    Effect.gen(function*() {
      const broken = new Error("validator crashed")
      const schema = v.pipeAsync(v.string(), v.checkAsync(() => Promise.reject(broken), "unused"))
      const exit = yield* Effect.exit(Decode.decode(schema, "async")("x"))
      assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
      assert.strictEqual(Cause.squash(exit._tag === "Failure" ? exit.cause : Cause.empty), broken)
    }))

  it.effect("a decoder can be run again with other input", () =>
    Effect.gen(function*() {
      const decodeNumber = Decode.decode(v.number(), "n")
      assert.strictEqual(yield* decodeNumber(1), 1)
      assert.strictEqual((yield* Effect.flip(decodeNumber("x")))._tag, "InvalidData")
      assert.strictEqual(yield* decodeNumber(2), 2)
    }))

  it.effect("decodeOnce decodes on the first run, not when called, and every later run replays that outcome", () =>
    Effect.gen(function*() {
      let validations = 0
      const counted = <S extends v.GenericSchema>(schema: S): S => ({
        ...schema,
        "~standard": {
          ...schema["~standard"],
          validate: (input: unknown) => {
            validations++
            return schema["~standard"].validate(input)
          }
        }
      })
      const good = Decode.decodeOnce(counted(v.object({ claim: v.optional(v.string(), "c") })), "options")({})
      const bad = Decode.decodeOnce(counted(v.object({ claim: v.string() })), "options")({ claim: 7 })
      assert.strictEqual(validations, 0)
      assert.deepStrictEqual(yield* good, { claim: "c" })
      assert.deepStrictEqual(yield* good, { claim: "c" })
      assert.strictEqual(validations, 1)
      const first = yield* Effect.flip(bad)
      const second = yield* Effect.flip(bad)
      assert.instanceOf(first, InvalidData)
      assert.strictEqual(first.what, "options")
      assert.deepStrictEqual(first.issues, ["claim: Invalid type: Expected string"])
      assert.strictEqual(second, first)
      assert.strictEqual(validations, 2)
    }))
})
