/**
 * Decoding untrusted data (metadata, external API bodies, rule options) through the Standard Schema interface.
 *
 * Any validator that implements Standard Schema works: core's Validator in our Action code (about 3.6 kB), valibot, Effect Schema
 * where a team accepts its weight. A value that does not match becomes an InvalidData denial whose issues name
 * the paths and problems but never carry the value itself.
 *
 * @since 0.1.0
 */
import type { StandardSchemaV1 } from "@standard-schema/spec"
import * as Effect from "effect/Effect"
import { InvalidData } from "./Denial.ts"

const formatIssue = (issue: StandardSchemaV1.Issue): string => {
  const path = (issue.path ?? [])
    .map((segment) => String(typeof segment === "object" ? segment.key : segment))
    .join(".")
  // Validators echo the offending value: valibot writes "Invalid type: Expected string but received 7", or without
  // an expectation "Invalid email: Received \"x\"". Keep the value out of logs.
  const message = issue.message.replace(/(?:,? but r|:? ?R)eceived\b[\s\S]*$/, "")
  return path.length > 0 ? `${path}: ${message}` : message
}

const settle = (what: string) => <A>(result: StandardSchemaV1.Result<A>): Effect.Effect<A, InvalidData> =>
  result.issues === undefined
    ? Effect.succeed(result.value)
    : Effect.fail(new InvalidData({ what, issues: result.issues.slice(0, 5).map(formatIssue) }))

/**
 * Decodes `input` with `schema` now, and returns the outcome as an Effect (a success or an InvalidData failure); a
 * validator that answers with a Promise is awaited when the Effect runs.
 *
 * **When to use**: on a hot path where the input is already at hand. `decode` is the lazy form; `decodeOnce` suits
 * input known when a rule is made (its options).
 *
 * @category constructors
 * @since 0.1.0
 */
export const decodeNow = <S extends StandardSchemaV1>(
  schema: S,
  what: string
) =>
(input: unknown): Effect.Effect<StandardSchemaV1.InferOutput<S>, InvalidData> => {
  const result = schema["~standard"].validate(input)
  // Effect.callback rather than Effect.promise, which no other part of an Action uses: a rejection is a defect all the
  // same.
  return result instanceof Promise
    ? Effect.callback((resume) => {
      result.then((awaited) => resume(settle(what)(awaited)), (error) => resume(Effect.die(error)))
    })
    : settle(what)(result)
}

/**
 * Decodes `input` with `schema` when the Effect runs; `what` names the data in the InvalidData denial (e.g.
 * "app_metadata.roles").
 *
 * @category constructors
 * @since 0.1.0
 */
export const decode = <S extends StandardSchemaV1>(
  schema: S,
  what: string
) => {
  const now = decodeNow(schema, what)
  return (input: unknown): Effect.Effect<StandardSchemaV1.InferOutput<S>, InvalidData> =>
    Effect.suspend(() => now(input))
}

/**
 * Decodes `input` with `schema` the first time the Effect runs, and keeps the outcome: every later run replays it
 * (the same value, or the same InvalidData failure).
 *
 * **When to use**: for input known when a rule is made (its options). A rule is made when the Action's module loads,
 * and decoding there adds to every cold start (the validators' first calls compile them); decoded on the first run
 * instead, the options cost the load nothing and are still decoded once, not per login, and bad options are still
 * an InvalidData denial on every login.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decodeOnce = <S extends StandardSchemaV1>(
  schema: S,
  what: string
) =>
(input: unknown): Effect.Effect<StandardSchemaV1.InferOutput<S>, InvalidData> => {
  let outcome: Effect.Effect<StandardSchemaV1.InferOutput<S>, InvalidData> | undefined
  return Effect.suspend(() => outcome ??= decodeNow(schema, what)(input))
}
