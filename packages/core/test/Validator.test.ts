import { assert, describe, it } from "@effect/vitest"
import * as V from "@rulefx/core/Validator"
import type { StandardSchemaV1 } from "@standard-schema/spec"
import * as fc from "fast-check"
import * as v from "valibot"

// Each schema rulefx's Action code decodes with, written once with Validator and once with valibot 1.x: Validator
// replaced valibot there, and must answer exactly as valibot did (values, issue messages, paths, order).

const notArrayV = V.check((input: unknown) => !Array.isArray(input), "expected Object")
const notArrayVb = v.check((input: unknown) => !Array.isArray(input), "expected Object")
const plainRecordV = <I, O>(value: V.Schema<I, O>) => V.pipe(V.unknown(), notArrayV, V.record(value))
const plainRecordVb = <S extends v.GenericSchema>(value: S) =>
  v.pipe(v.unknown(), notArrayVb, v.record(v.string(), value))

const restricted = (name: string) => name.startsWith("https://auth0.com/") ? "on the issuer's namespace" : undefined
const claimV = V.optional(
  V.pipe(
    V.string(),
    V.url(),
    V.check((name: string) => restricted(name) === undefined, (issue) => `bad claim ${String(issue.input)}`)
  ),
  "https://example.com/roles"
)
const claimVb = v.optional(
  v.pipe(
    v.string(),
    v.url(),
    v.check((name) => restricted(name) === undefined, (issue) => `bad claim ${String(issue.input)}`)
  ),
  "https://example.com/roles"
)

const pairs: ReadonlyArray<readonly [string, StandardSchemaV1, StandardSchemaV1]> = [
  [
    "event",
    V.object({
      user: V.object({
        user_id: V.pipe(V.string(), V.minLength(1)),
        email: V.optional(V.string()),
        email_verified: V.optional(V.boolean(), false),
        app_metadata: V.optional(plainRecordV(V.unknown()), {})
      }),
      client: V.object({ name: V.optional(V.string(), ""), metadata: V.optional(plainRecordV(V.string()), {}) }),
      connection: V.optional(V.object({ id: V.optional(V.string(), "") }), { id: "" }),
      authorization: V.optional(V.object({ roles: V.optional(V.array(V.string()), []) }), { roles: [] }),
      stats: V.optional(V.object({ logins_count: V.optional(V.number(), 0) }), { logins_count: 0 }),
      resource_server: V.optional(V.object({ identifier: V.optional(V.string()) }))
    }),
    v.object({
      user: v.object({
        user_id: v.pipe(v.string(), v.minLength(1)),
        email: v.optional(v.string()),
        email_verified: v.optional(v.boolean(), false),
        app_metadata: v.optional(plainRecordVb(v.unknown()), {})
      }),
      client: v.object({ name: v.optional(v.string(), ""), metadata: v.optional(plainRecordVb(v.string()), {}) }),
      connection: v.optional(v.object({ id: v.optional(v.string(), "") }), { id: "" }),
      authorization: v.optional(v.object({ roles: v.optional(v.array(v.string()), []) }), { roles: [] }),
      stats: v.optional(v.object({ logins_count: v.optional(v.number(), 0) }), { logins_count: 0 }),
      resource_server: v.optional(v.object({ identifier: v.optional(v.string()) }))
    })
  ],
  [
    "sellerId",
    V.nullish(V.union([
      V.pipe(V.string(), V.trim(), V.minLength(1), V.maxLength(8), V.check((id: string) => id !== "." && id !== "..")),
      V.pipe(V.number(), V.safeInteger(), V.transform(String))
    ])),
    v.nullish(v.union([
      v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(8), v.check((id) => id !== "." && id !== "..")),
      v.pipe(v.number(), v.safeInteger(), v.transform(String))
    ]))
  ],
  ["roles", V.nullish(V.array(V.string())), v.nullish(v.array(v.string()))],
  [
    "seller body",
    V.object({ id: V.pipe(V.string(), V.minLength(1)), email: V.pipe(V.string(), V.email()), name: V.string() }),
    v.object({ id: v.pipe(v.string(), v.minLength(1)), email: v.pipe(v.string(), v.email()), name: v.string() })
  ],
  [
    "rule options",
    V.object({ claim: claimV, secret: V.optional(V.pipe(V.string(), V.minLength(1)), "INTERCOM_SECRET") }),
    v.object({ claim: claimVb, secret: v.optional(v.pipe(v.string(), v.minLength(1)), "INTERCOM_SECRET") })
  ]
]

// What a caller can see of a result: the value, or each issue's message and path.
const seen = (result: StandardSchemaV1.Result<unknown> | Promise<unknown>) => {
  if (result instanceof Promise) throw new Error("asynchronous result")
  return result.issues === undefined
    ? { value: result.value }
    : {
      issues: result.issues.map((issue) => ({
        message: issue.message,
        path: (issue.path ?? []).map((segment) => typeof segment === "object" ? segment.key : segment)
      }))
    }
}

const leaf = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    ".",
    "..",
    " . ",
    "x",
    "  seller-1 ",
    "ada@example.com",
    "a@b",
    "ada@ex ample.com",
    "https://example.com/roles",
    "https://auth0.com/x",
    "not a url",
    "123456789",
    0,
    1,
    1.5,
    -7,
    Number.NaN,
    2 ** 60,
    true,
    false,
    null,
    undefined
  ),
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double()
)
const keys = fc.constantFrom(
  "user",
  "user_id",
  "email",
  "email_verified",
  "app_metadata",
  "client",
  "name",
  "metadata",
  "connection",
  "id",
  "authorization",
  "roles",
  "stats",
  "logins_count",
  "resource_server",
  "identifier",
  "claim",
  "secret",
  "__proto__",
  "constructor",
  "other"
)
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  any: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, tie("array"), tie("object")),
  array: fc.array(tie("any"), { maxLength: 4 }),
  object: fc.dictionary(keys, tie("any"), { maxKeys: 6 })
})).any

describe("Validator", () => {
  for (const [name, ours, valibot] of pairs) {
    it(`${name}: the same values and issues as valibot, for any input`, () => {
      fc.assert(
        fc.property(value, (input) => {
          assert.deepStrictEqual(seen(ours["~standard"].validate(input)), seen(valibot["~standard"].validate(input)))
        }),
        { numRuns: 3000 }
      )
    })
  }

  it("the event: issues in valibot's order, each named by path, with valibot's wording", () => {
    const [, ours, valibot] = pairs[0]!
    const input = { user: { user_id: "", email: 7, app_metadata: [] }, client: { metadata: { plan: 1 } }, stats: {} }
    const result = seen(ours["~standard"].validate(input))
    assert.deepStrictEqual(result, seen(valibot["~standard"].validate(input)))
    assert.deepStrictEqual(result, {
      issues: [
        { message: "Invalid length: Expected >=1 but received 0", path: ["user", "user_id"] },
        { message: "Invalid type: Expected string but received 7", path: ["user", "email"] },
        { message: "expected Object", path: ["user", "app_metadata"] },
        { message: "Invalid type: Expected string but received 1", path: ["client", "metadata", "plan"] }
      ]
    })
  })

  it("a missing key, a union of two types and a failed email, as valibot words them", () => {
    const [, , body] = pairs[3]!
    const [, sellerId] = pairs[1]!
    assert.deepStrictEqual(seen(body["~standard"].validate({ id: "s", email: "ada" })), {
      issues: [
        { message: "Invalid email: Received \"ada\"", path: ["email"] },
        { message: "Invalid key: Expected \"name\" but received undefined", path: ["name"] }
      ]
    })
    assert.deepStrictEqual(seen(sellerId["~standard"].validate(true)), {
      issues: [{ message: "Invalid type: Expected (string | number) but received true", path: [] }]
    })
    assert.deepStrictEqual(seen(sellerId["~standard"].validate(42)), { value: "42" })
  })

  it("drops __proto__, prototype and constructor keys of a record, and copies the rest", () => {
    const [, ours] = pairs[0]!
    const metadata = JSON.parse(`{"__proto__": {"polluted": true}, "constructor": "x", "plan": "pro"}`)
    const result = ours["~standard"].validate({ user: { user_id: "u", app_metadata: metadata }, client: {} })
    assert.deepStrictEqual(seen(result), {
      value: {
        user: { user_id: "u", email_verified: false, app_metadata: { plan: "pro" } },
        client: { name: "", metadata: {} },
        connection: { id: "" },
        authorization: { roles: [] },
        stats: { logins_count: 0 }
      }
    })
    assert.isUndefined(({} as Record<string, unknown>)["polluted"])
  })
})
