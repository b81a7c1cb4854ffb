/**
 * The subset of Auth0's post-login `event` (v3) that rulefx reads, decoded into core's Login model.
 *
 * Lenient about everything it does not read (extra fields, absent optional objects); strict about what it does:
 * `user.user_id`, `client.client_id` and `request.ip` must be non-empty strings, metadata must be objects, client
 * metadata values strings. A malformed event is an InvalidEvent value, never a TypeError. Decoding uses core's
 * Validator (valibot's semantics, about 3.6 kB in the bundle) through Standard Schema; see docs/architecture.md, "Size
 * budget".
 *
 * @since 0.1.0
 */
import * as Decode from "@rulefx/core/Decode"
import type { InvalidData } from "@rulefx/core/Denial"
import type * as Login from "@rulefx/core/Login"
import * as v from "@rulefx/core/Validator"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"

// The event's schema, built on the first login rather than when the Action loads: building it is the first call of
// most of Validator's constructors, which V8 compiles then: the first login pays for that, not the require.
const eventSchema = () => {
  const str = v.string()
  const optStr = v.optional(v.string())
  const nonEmpty = v.pipe(v.string(), v.minLength(1))
  // A record accepts arrays (as valibot's does); an array where Auth0 sends an object is malformed.
  const notArray = v.check((input: unknown) => !Array.isArray(input), "expected Object")
  const plainRecord = <S extends v.Schema<any, any>>(value: S) => v.pipe(v.unknown(), notArray, v.record(value))
  const dict = v.optional(plainRecord(v.unknown()), {})

  return v.object({
    user: v.object({
      user_id: nonEmpty,
      email: optStr,
      email_verified: v.optional(v.boolean(), false),
      name: optStr,
      nickname: optStr,
      username: optStr,
      phone_number: optStr,
      created_at: optStr,
      app_metadata: dict,
      user_metadata: dict
    }),
    client: v.object({
      client_id: nonEmpty,
      name: v.optional(str, ""),
      metadata: v.optional(plainRecord(v.string()), {})
    }),
    connection: v.optional(
      v.object({ id: v.optional(str, ""), name: v.optional(str, ""), strategy: v.optional(str, "") }),
      {
        id: "",
        name: "",
        strategy: ""
      }
    ),
    request: v.object({
      ip: nonEmpty,
      hostname: optStr,
      user_agent: optStr,
      query: dict,
      geoip: v.optional(v.object({ countryCode: optStr }), {})
    }),
    transaction: v.optional(
      v.object({
        protocol: optStr,
        requested_scopes: v.optional(v.array(v.string()), []),
        // Read by TransactionMetadata's facts, which decode it: a malformed value denies only the logins that read it.
        metadata: v.optional(v.unknown())
      }),
      { requested_scopes: [] }
    ),
    // Read by a Form's fact in the continue pass, which denies when there is no well-formed submission.
    prompt: v.optional(v.unknown()),
    authorization: v.optional(v.object({ roles: v.optional(v.array(v.string()), []) }), { roles: [] }),
    stats: v.optional(v.object({ logins_count: v.optional(v.number(), 0) }), { logins_count: 0 }),
    resource_server: v.optional(v.object({ identifier: optStr })),
    secrets: v.optional(plainRecord(v.unknown()), {})
  })
}

type Event = v.InferOutput<ReturnType<typeof eventSchema>>

/**
 * The event is not a post-login event rulefx can read. `issues` name paths and problems, never values.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidEvent extends Data.TaggedError("InvalidEvent")<{ readonly issues: ReadonlyArray<string> }> {}

/**
 * A decoded event: the login and the Action's secrets.
 *
 * @category models
 * @since 0.1.0
 */
export interface Decoded {
  readonly login: Login.LoginInfo
  readonly secrets: Readonly<Record<string, unknown>>
}

// The event without its secrets, nor `configuration`, which Auth0 marks private.
const withoutSecrets = (event: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> => {
  const { configuration: _configuration, secrets: _secrets, ...rest } = event
  return rest
}

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> => Predicate.isObject(u) && !Array.isArray(u)

const recordOr = (u: unknown): Readonly<Record<string, unknown>> => isRecord(u) ? u : {}

const isSubmission = (u: unknown): u is Readonly<Record<string, unknown>> & { readonly id: string } =>
  isRecord(u) && Predicate.isString(u["id"]) && u["id"].length > 0

const toLogin = (e: Event, event: Readonly<Record<string, unknown>>): Decoded => ({
  secrets: e.secrets,
  login: {
    user: {
      id: e.user.user_id,
      email: e.user.email,
      emailVerified: e.user.email_verified,
      name: e.user.name,
      nickname: e.user.nickname,
      username: e.user.username,
      phoneNumber: e.user.phone_number,
      createdAt: e.user.created_at,
      appMetadata: e.user.app_metadata,
      userMetadata: e.user.user_metadata,
      roles: e.authorization.roles,
      loginsCount: e.stats.logins_count
    },
    client: { id: e.client.client_id, name: e.client.name, metadata: e.client.metadata },
    connection: e.connection,
    request: {
      ip: e.request.ip,
      hostname: e.request.hostname,
      userAgent: e.request.user_agent,
      countryCode: e.request.geoip.countryCode,
      query: e.request.query
    },
    transaction: {
      protocol: e.transaction.protocol,
      requestedScopes: e.transaction.requested_scopes,
      audience: e.resource_server?.identifier,
      ...(isRecord(e.transaction.metadata) && { metadata: e.transaction.metadata }),
      ...(isSubmission(e.prompt) && {
        prompt: { id: e.prompt.id, fields: recordOr(e.prompt["fields"]), vars: recordOr(e.prompt["vars"]) }
      })
    },
    raw: withoutSecrets(event)
  }
})

let decodeEvent: ((input: unknown) => Effect.Effect<Event, InvalidData>) | undefined

/**
 * Decodes an Auth0 post-login event. Issues name paths and problems, never values.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decode = (event: unknown): Effect.Effect<Decoded, InvalidEvent> =>
  Effect.suspend(() => (decodeEvent ??= Decode.decodeNow(eventSchema(), "event"))(event)).pipe(
    Effect.catch((error) => Effect.fail(new InvalidEvent({ issues: error.issues.slice(0, 3) }))),
    Effect.map((decoded) => toLogin(decoded, event as Readonly<Record<string, unknown>>))
  )
