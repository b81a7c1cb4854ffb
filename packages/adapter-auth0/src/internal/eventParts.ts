import * as Decode from "@rulefx/core/Decode"
import * as v from "@rulefx/core/Validator"
import * as Effect from "effect/Effect"
import { InvalidEvent } from "../TriggerRun.ts"

// The parts of Auth0 events the triggers share, decoded as Auth0Event decodes post-login's: strict about what rules
// read, lenient about the rest.
export const str = v.string()
export const optStr = v.optional(v.string())
export const nonEmpty = v.pipe(v.string(), v.minLength(1))
const notArray = v.check((input: unknown) => !Array.isArray(input), "expected Object")
// oxlint-disable-next-line no-explicit-any
export const plainRecord = <S extends v.Schema<any, any>>(value: S) => v.pipe(v.unknown(), notArray, v.record(value))
export const dict = v.optional(plainRecord(v.unknown()), {})
export const stringDict = v.optional(plainRecord(v.string()), {})
export const secrets = v.optional(plainRecord(v.unknown()), {})
export const tenant = v.optional(v.object({ id: v.optional(str, "") }), { id: "" })
export const geoip = v.optional(v.object({ countryCode: optStr }), {})
export const connection = v.optional(
  v.object({ id: v.optional(str, ""), name: v.optional(str, ""), strategy: v.optional(str, "") }),
  { id: "", name: "", strategy: "" }
)

/** Decodes `event` with `schema`: an InvalidEvent naming at most three paths and problems, never values. */
// oxlint-disable-next-line no-explicit-any
export const decodeWith = <S extends v.Schema<any, any>>(schema: S) => {
  const decode = Decode.decode(schema, "event")
  return (event: unknown): Effect.Effect<v.InferOutput<S>, InvalidEvent> =>
    Effect.mapError(decode(event), (error) => new InvalidEvent({ issues: error.issues.slice(0, 3) }))
}
