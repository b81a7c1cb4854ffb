/**
 * The settle snapshot reads a value as JSON.stringify writes it (a claim goes into the token that way): its copy of any
 * JSON-writable value is what JSON.parse(JSON.stringify(value)) gives.
 */
import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import * as Settled from "../src/internal/settled.ts"

// The copy of `value` as one argument of one call.
const copied = (value: unknown): unknown =>
  Settled.snapshot([{ method: "idToken.setCustomClaim", args: [value] }])[0]!
    .args[0]

const roundTrip = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown

// Values with everything JSON treats specially: boxed primitives, Maps and Sets, typed arrays, Dates, sparse arrays,
// null prototypes, `__proto__` keys, -0, NaN and Infinity (BigInts aside: JSON throws on them).
const anything = fc.anything({
  withBoxedValues: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withDate: true,
  withNullPrototype: true,
  withSparseArray: true,
  withObjectString: true
})

// An object whose toJSON gives `inner`, and objects whose own methods JSON calls (toJSON, toString, valueOf).
const special = fc.oneof(
  anything.map((inner) => ({ toJSON: () => inner })),
  anything.map((inner) => ({ toJSON: () => ({ toJSON: () => inner }) })),
  fc.string().map((text) => Object.assign(new String("boxed"), { toString: () => text })),
  fc.double().map((n) => Object.assign(new Number(1), { valueOf: () => n })),
  fc.dictionary(fc.string(), anything).map((own) => Object.assign(new Map([[1, 2]]), own)),
  fc.dictionary(fc.string(), anything).map((own) => Object.assign(new Set([1]), own))
)

describe("Settled.snapshot", () => {
  it("copies any value JSON writes as JSON.parse(JSON.stringify(value)) gives it", () => {
    fc.assert(
      fc.property(fc.oneof(anything, special, fc.array(special), fc.dictionary(fc.string(), special)), (value) => {
        fc.pre(JSON.stringify(value) !== undefined)
        assert.deepStrictEqual(copied(value), roundTrip(value))
      }),
      { numRuns: 500 }
    )
  })

  it("calls toJSON once, unwraps a String object through its own toString, writes a Map as its own properties", () => {
    assert.deepStrictEqual(copied({ toJSON: () => new Date(0) }), {})
    assert.deepStrictEqual(copied({ a: new Date(0) }), { a: new Date(0).toISOString() })
    assert.strictEqual(copied(Object.assign(new String("user"), { toString: () => "admin" })), "admin")
    assert.deepStrictEqual(copied(Object.assign(new Map([["k", "v"]]), { role: "admin" })), { role: "admin" })
    assert.deepStrictEqual(copied([Number.NaN, -0, new Set([1])]), [null, 0, {}])
  })
})
