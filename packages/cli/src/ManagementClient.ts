/**
 * ManagementClient: the calls `rulefx deploy` makes to Auth0's Management API, through the official `auth0` SDK:
 * a token (client credentials), actions (find by name, create, update, read, deploy) and the bindings of a
 * trigger (read every page, replace). Node-side only.
 *
 * Each call's answer is decoded (Effect Schema) before use. 429 answers wait as `retry-after` (or
 * `x-ratelimit-reset`) says and are retried a bounded number of times; the SDK's own retries are off, so what
 * happens is what this module decides. A failure is a ManagementApiError whose message names the step and says what
 * to do (credentials, scopes, a rate limit); it may hold what Auth0 answered, so callers scrub secrets from it.
 *
 * @since 0.1.0
 */
import { ManagementClient as Auth0ManagementClient, ManagementError, TokenProvider } from "auth0"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { readUpTo } from "./internal/cappedRead.ts"

/**
 * Options of a client.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The tenant's domain, e.g. `acme.eu.auth0.com`, without a scheme. */
  readonly domain: string
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  /** How many times one request is retried after a 429. Default 4. */
  readonly rateLimitRetries?: number
  /**
   * Where `https://<domain>` really is, e.g. `http://127.0.0.1:PORT` for tests: the token endpoint and the API are
   * requested there, with everything else unchanged.
   */
  readonly baseUrl?: string
  /** Receives one line per rate-limit wait. */
  readonly onProgress?: (line: string) => void
  /**
   * The largest answer read, in bytes (defaultMaxAnswerBytes); a larger one is a ManagementApiError ("Api") naming the
   * step and the limit.
   */
  readonly maxAnswerBytes?: number
}

/**
 * The largest answer read from the Management API by default, in bytes (32 MiB): a page of 100 users, each with
 * metadata Auth0 caps at 16 kB an object, is a few MiB at most, so a larger answer is not a tenant's and is read no
 * further than that.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultMaxAnswerBytes = 32 * 1024 * 1024

/**
 * An action as the Management API answers it (the fields a deploy reads).
 *
 * @category models
 * @since 0.1.0
 */
export type Action = typeof Action.Type

/**
 * A trigger binding as the Management API answers it.
 *
 * @category models
 * @since 0.1.0
 */
export type Binding = NonNullable<typeof BindingList.Type["bindings"]>[number]

/**
 * A deployed version of an action.
 *
 * @category models
 * @since 0.1.0
 */
export type Version = typeof Version.Type

/**
 * What an action is created or updated with.
 *
 * @category models
 * @since 0.1.0
 */
export interface ActionBody {
  readonly supported_triggers: Array<{ id: string; version: string }>
  readonly code: string
  readonly runtime: string
  readonly dependencies: Array<{ name: string; version: string }>
  readonly secrets?: Array<{ name: string; value: string }>
}

/**
 * A binding to write: the action, by id or name, and the binding's display name.
 *
 * @category models
 * @since 0.1.0
 */
export interface BindingRef {
  readonly ref: { readonly type: "action_id" | "action_name"; readonly value: string }
  readonly display_name: string
}

/**
 * The client.
 *
 * @category models
 * @since 0.1.0
 */
export interface ManagementClient {
  /** Gets a token with the client credentials (the first call, so that bad credentials are reported as such). */
  readonly getToken: Effect.Effect<void, ManagementApiError>
  /** The action of that name, if there is one. */
  readonly findAction: (name: string) => Effect.Effect<Action | undefined, ManagementApiError>
  readonly createAction: (name: string, body: ActionBody) => Effect.Effect<Action, ManagementApiError>
  readonly updateAction: (id: string, body: ActionBody) => Effect.Effect<Action, ManagementApiError>
  /** Reads an action, to see how its build is going. */
  readonly getAction: (id: string) => Effect.Effect<Action, ManagementApiError>
  readonly deployAction: (id: string) => Effect.Effect<Version, ManagementApiError>
  /** Every binding of the trigger, in order, page after page. */
  readonly listBindings: (trigger: string) => Effect.Effect<ReadonlyArray<Binding>, ManagementApiError>
  /** Replaces the trigger's whole list of bindings, in one request. */
  readonly updateBindings: (
    trigger: string,
    bindings: ReadonlyArray<BindingRef>
  ) => Effect.Effect<void, ManagementApiError>
  /** The tenant's triggers (`GET /api/v2/actions/triggers`): each id at each version, with its status. */
  readonly listTriggers: Effect.Effect<ReadonlyArray<TriggerVersion>, ManagementApiError>
  /**
   * One page of the tenant's users (`GET /api/v2/users`, 0-based `page`, at most 100 `perPage`, with the total),
   * without the fields `rulefx events` never writes out (see `userFields`). Needs `read:users`.
   */
  readonly listUsers: (page: number, perPage: number) => Effect.Effect<UserPage, ManagementApiError>
  /**
   * Every client (application), page after page, with only `clientFields`: never a client secret. Needs
   * `read:clients`.
   */
  readonly listClients: Effect.Effect<ReadonlyArray<Client>, ManagementApiError>
  /** Every connection, checkpoint after checkpoint, with only `connectionFields`. Needs `read:connections`. */
  readonly listConnections: Effect.Effect<ReadonlyArray<Connection>, ManagementApiError>
  /**
   * The names of the roles assigned to the user (`GET /api/v2/users/{id}/roles`, page after page). Needs `read:users`
   * and `read:roles`.
   */
  readonly listUserRoles: (userId: string) => Effect.Effect<ReadonlyArray<string>, ManagementApiError>
  /**
   * The user's authentication methods (`GET /api/v2/users/{id}/authentication-methods`, page after page): each one's
   * type, whether it is confirmed and, for a Guardian enrollment, the methods it holds; never a key, a phone number or
   * an email. Needs `read:authentication_methods`.
   */
  readonly listAuthenticationMethods: (
    userId: string
  ) => Effect.Effect<ReadonlyArray<AuthenticationMethod>, ManagementApiError>
}

/**
 * An authentication method as `listAuthenticationMethods` answers it: the fields that say what kind of factor it is.
 *
 * @category models
 * @since 0.1.0
 */
export type AuthenticationMethod = typeof AuthenticationMethod.Type

/**
 * A user as `listUsers` answers it: the fields a post-login event's `user` has, as the tenant stores them.
 *
 * @category models
 * @since 0.1.0
 */
export type User = typeof User.Type

/**
 * A page of users and the tenant's total.
 *
 * @category models
 * @since 0.1.0
 */
export interface UserPage {
  readonly users: ReadonlyArray<User>
  readonly total: number
}

/**
 * A client as `listClients` answers it.
 *
 * @category models
 * @since 0.1.0
 */
export type Client = typeof Client.Type

/**
 * A connection as `listConnections` answers it.
 *
 * @category models
 * @since 0.1.0
 */
export type Connection = typeof Connection.Type

/**
 * The user fields requested (`fields=...&include_fields=true`): a post-login event's `user`, and `logins_count` for
 * its `stats`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const userFields: ReadonlyArray<string> = [
  "user_id",
  "email",
  "email_verified",
  "username",
  "phone_number",
  "phone_verified",
  "name",
  "nickname",
  "given_name",
  "family_name",
  "picture",
  "created_at",
  "updated_at",
  "last_password_reset",
  "app_metadata",
  "user_metadata",
  "identities",
  "multifactor",
  "logins_count"
]

/**
 * The client fields requested: no `client_secret`, no signing keys, no credentials.
 *
 * @category constructors
 * @since 0.1.0
 */
export const clientFields: ReadonlyArray<string> = ["client_id", "name", "client_metadata", "app_type", "global"]

/**
 * The connection fields requested: no `options` (they hold secrets of social and enterprise connections).
 *
 * @category constructors
 * @since 0.1.0
 */
export const connectionFields: ReadonlyArray<string> = ["id", "name", "strategy", "metadata"]

/**
 * One trigger at one version, as the Management API lists it.
 *
 * @category models
 * @since 0.1.0
 */
export type TriggerVersion = NonNullable<typeof TriggerList.Type["triggers"]>[number]

/**
 * Why a Management API call failed.
 *
 * @category models
 * @since 0.1.0
 */
export type Reason = "Unauthorized" | "Forbidden" | "RateLimited" | "NotFound" | "InvalidConfig" | "Api"

// The SDK types trigger ids as its own enum, which may lag behind the tenant's list (what deploy reads); ids are
// passed through as the tenant names them.
type SdkTriggerId = Parameters<Auth0ManagementClient["actions"]["triggers"]["bindings"]["list"]>[0]

const sdkBody = (body: ActionBody) => ({
  ...body,
  supported_triggers: body.supported_triggers.map((t) => ({ ...t, id: t.id as SdkTriggerId }))
})

const maxRateLimitWaitMillis = 60_000
const clientsPerPage = 100
const connectionsPerPage = 100
const actionScopes = "read:actions, create:actions and update:actions"
const bindingsPerPage = 20
const userListsPerPage = 100

const opt = <S extends Schema.Top>(schema: S) => Schema.optional(Schema.NullOr(schema))

const Action = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  status: opt(Schema.String),
  secrets: opt(Schema.Array(Schema.Struct({ name: opt(Schema.String) }))),
  supported_triggers: opt(Schema.Array(Schema.Struct({ id: opt(Schema.String) }))),
  errors: opt(Schema.Array(Schema.Struct({ msg: opt(Schema.String), id: opt(Schema.String) })))
})

const ActionList = Schema.Struct({ actions: opt(Schema.Array(Action)) })

const BindingList = Schema.Struct({
  bindings: opt(Schema.Array(Schema.Struct({
    display_name: opt(Schema.String),
    action: opt(Schema.Struct({ id: opt(Schema.String), name: opt(Schema.String) }))
  }))),
  total: opt(Schema.Number)
})

const Metadata = Schema.Record(Schema.String, Schema.Unknown)

const User = Schema.Struct({
  user_id: Schema.String,
  email: opt(Schema.String),
  email_verified: opt(Schema.Boolean),
  username: opt(Schema.String),
  phone_number: opt(Schema.String),
  phone_verified: opt(Schema.Boolean),
  name: opt(Schema.String),
  nickname: opt(Schema.String),
  given_name: opt(Schema.String),
  family_name: opt(Schema.String),
  picture: opt(Schema.String),
  created_at: opt(Schema.String),
  updated_at: opt(Schema.String),
  last_password_reset: opt(Schema.String),
  app_metadata: opt(Metadata),
  user_metadata: opt(Metadata),
  identities: opt(Schema.Array(Metadata)),
  multifactor: opt(Schema.Array(Schema.String)),
  logins_count: opt(Schema.Number)
})

const UserList = Schema.Struct({ users: opt(Schema.Array(User)), total: opt(Schema.Number) })

const Client = Schema.Struct({
  client_id: Schema.String,
  name: opt(Schema.String),
  client_metadata: opt(Schema.Record(Schema.String, Schema.String)),
  app_type: opt(Schema.String),
  global: opt(Schema.Boolean)
})

const ClientList = Schema.Struct({ clients: opt(Schema.Array(Client)), total: opt(Schema.Number) })

const Connection = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  strategy: Schema.String,
  metadata: opt(Schema.Record(Schema.String, Schema.String))
})

const ConnectionList = Schema.Struct({ connections: opt(Schema.Array(Connection)), next: opt(Schema.String) })

const RoleList = Schema.Struct({
  roles: opt(Schema.Array(Schema.Struct({ name: opt(Schema.String) }))),
  total: opt(Schema.Number)
})

const AuthenticationMethod = Schema.Struct({
  type: Schema.String,
  confirmed: opt(Schema.Boolean),
  authentication_methods: opt(Schema.Array(Schema.Struct({ type: opt(Schema.String) })))
})

const AuthenticationMethodList = Schema.Struct({
  authenticators: opt(Schema.Array(AuthenticationMethod)),
  total: opt(Schema.Number)
})

const Version = Schema.Struct({ id: opt(Schema.String), number: opt(Schema.Number) })

const TriggerList = Schema.Struct({
  triggers: opt(Schema.Array(Schema.Struct({
    id: Schema.String,
    version: opt(Schema.String),
    status: opt(Schema.String),
    default_runtime: opt(Schema.String)
  })))
})

interface HttpFailure {
  readonly status: number | undefined
  readonly detail: string
  readonly headers: { readonly get: (name: string) => string | null } | undefined
  /** The limit an answer went over (AnswerTooLarge), wherever the SDK wrapped it. */
  readonly tooLarge?: number
}

// What the capped fetch rejects with when an answer goes over the limit; the SDK wraps it (as `cause`).
class AnswerTooLarge extends Data.TaggedError("AnswerTooLarge")<{ readonly limit: number }> {}

const tooLargeIn = (error: unknown): number | undefined => {
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (e instanceof AnswerTooLarge) return e.limit
    e = Predicate.hasProperty(e, "cause") ? e.cause : undefined
  }
  return undefined
}

// Statuses whose answer has no body (a Response made with one throws).
const bodiless = new Set([101, 204, 205, 304])

// `send`, but an answer is read into memory up to `limit` bytes: a declared length over it, or a body that grows past
// it, rejects with AnswerTooLarge and is read no further. The SDK gets the answer read, as a Response of its own.
const capped = (send: typeof fetch, limit: number): typeof fetch => (input, init) =>
  send(input, init).then((response) => {
    const declared = Number(response.headers.get("content-length") ?? Number.NaN)
    if (declared > limit) {
      void response.body?.cancel()
      return Promise.reject(new AnswerTooLarge({ limit }))
    }
    if (response.body === null || bodiless.has(response.status)) return response
    const { headers, status, statusText } = response
    return readUpTo(response.body, limit).then((body) =>
      body === undefined
        ? Promise.reject(new AnswerTooLarge({ limit }))
        : new Response(body, { headers, status, statusText })
    )
  })

/**
 * Cuts a text from outside (an answer, an error) to 300 characters for a message.
 *
 * @category utility types
 * @since 0.1.0
 */
export const clip = (text: string): string => text.length > 300 ? `${text.slice(0, 300)}...` : text

/**
 * Milliseconds as seconds for a message: `2 s`, `1.5 s`.
 *
 * @category utility types
 * @since 0.1.0
 */
export const seconds = (millis: number): string =>
  `${(millis / 1000).toFixed(millis < 10_000 && millis % 1000 !== 0 ? 1 : 0)} s`

const fail = (reason: Reason, message: string) => new ManagementApiError({ reason, message })

const describeBody = (body: unknown): string | undefined => {
  if (Predicate.isString(body)) return body.trim().length === 0 ? undefined : clip(body.trim())
  if (!Predicate.isObject(body)) return undefined
  for (const key of ["message", "error_description", "error"]) {
    const value = body[key]
    if (Predicate.isString(value) && value.length > 0) return clip(value)
  }
  return undefined
}

const toFailure = (error: unknown): HttpFailure => {
  const tooLarge = tooLargeIn(error)
  if (tooLarge !== undefined) return { status: undefined, detail: "", headers: undefined, tooLarge }
  if (error instanceof ManagementError) {
    const headers = error.rawResponse?.headers
    const cause = Predicate.hasProperty(error, "cause") && error.cause instanceof Error ? error.cause : undefined
    return {
      status: error.statusCode === undefined || error.statusCode === 0 ? undefined : error.statusCode,
      detail: describeBody(error.body) ?? cause?.message ?? error.message.split("\n")[0] ?? "no details",
      headers: headers !== undefined && Predicate.hasProperty(headers, "get") ? headers : undefined
    }
  }
  const cause = Predicate.hasProperty(error, "cause") && error.cause instanceof Error ? error.cause : undefined
  return {
    status: undefined,
    detail: [error instanceof Error ? error.message : String(error), cause?.message].filter(Predicate.isString).join(
      ": "
    ),
    headers: undefined
  }
}

const rateLimitWait = (failure: HttpFailure, attempt: number, now: number): number => {
  const retryAfter = failure.headers?.get("retry-after")?.trim()
  if (retryAfter !== undefined && retryAfter.length > 0) {
    const seconds = Number(retryAfter)
    const millis = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - now
    if (Number.isFinite(millis)) return Math.min(Math.max(0, millis), maxRateLimitWaitMillis)
  }
  const reset = Number(failure.headers?.get("x-ratelimit-reset") ?? Number.NaN)
  if (Number.isFinite(reset)) return Math.min(Math.max(0, reset * 1000 - now), maxRateLimitWaitMillis)
  return Math.min(1000 * 2 ** attempt, maxRateLimitWaitMillis)
}

const toError = (
  domain: string,
  step: string,
  failure: HttpFailure,
  attempts: number,
  scopes: string
): ManagementApiError => {
  const detail = failure.detail
  if (failure.tooLarge !== undefined) {
    return fail(
      "Api",
      `Auth0's answer while ${step} is larger than ${failure.tooLarge} bytes, the most rulefx reads of one answer ` +
        `(maxAnswerBytes); it was read no further`
    )
  }
  switch (failure.status) {
    case undefined:
      return fail("Api", `cannot reach ${domain} while ${step}: ${detail}`)
    case 401:
      return step === "getting a token"
        ? fail(
          "Unauthorized",
          `Auth0 rejected the client credentials (401 while getting a token: ${detail}). Check AUTH0_CLIENT_ID and ` +
            `AUTH0_CLIENT_SECRET, and that the application is a machine-to-machine application of ${domain}.`
        )
        : fail("Unauthorized", `Auth0 rejected the access token (401 while ${step}: ${detail}).`)
    case 403:
      return step === "getting a token"
        ? fail(
          "Forbidden",
          `the application is not authorized for the Management API of ${domain} (403 while getting a token: ` +
            `${detail}). Authorize it under Applications > APIs > Auth0 Management API.`
        )
        : fail(
          "Forbidden",
          `Auth0 refused ${step} (403: ${detail}). The application needs the Management API scopes ${scopes}.`
        )
    case 404:
      return fail("NotFound", `not found while ${step} (404: ${detail})`)
    case 429:
      return fail(
        "RateLimited",
        `Auth0 is rate limiting the Management API (429 while ${step}; gave up after ${attempts} ` +
          `retr${attempts === 1 ? "y" : "ies"}). Try again in a minute.`
      )
    default:
      return fail("Api", `Auth0 answered ${failure.status} while ${step}: ${detail}`)
  }
}

const decode = <S extends Schema.Codec<unknown, unknown>>(schema: S, step: string) => (data: unknown) =>
  Schema.decodeUnknownEffect(schema)(data).pipe(
    Effect.mapError((issue) => fail("Api", `unexpected answer from Auth0 while ${step}: ${clip(String(issue))}`))
  )

/**
 * Sets up the SDK's token provider and client for the tenant (nothing is requested yet).
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = Effect.fn("ManagementClient.make")(function*(options: Options): Effect.fn.Return<
  ManagementClient,
  ManagementApiError
> {
  const domain = options.domain
  const rateLimitRetries = options.rateLimitRetries ?? 4
  const progress = options.onProgress ?? (() => undefined)
  const baseUrl = options.baseUrl?.replace(/\/+$/, "")
  const origin = `https://${domain}`
  const rewrite: typeof fetch = baseUrl === undefined ? fetch : (input, init) =>
    fetch(
      Predicate.isString(input) && input.startsWith(origin)
        ? `${baseUrl}${input.slice(origin.length)}`
        : input instanceof URL && input.origin === origin
        ? new URL(`${baseUrl}${input.pathname}${input.search}`)
        : input,
      init
    )
  const common = {
    domain,
    clientId: options.clientId,
    maxRetries: 0,
    timeoutInSeconds: 30,
    fetch: capped(rewrite, options.maxAnswerBytes ?? defaultMaxAnswerBytes)
  }
  const { client, tokens } = yield* Effect.try({
    try: () => {
      const tokens = new TokenProvider({
        ...common,
        clientSecret: Redacted.value(options.clientSecret),
        audience: `${origin}/api/v2/`
      })
      return { tokens, client: new Auth0ManagementClient({ ...common, token: () => tokens.getAccessToken() }) }
    },
    catch: (e) => fail("InvalidConfig", `cannot set up the Management API client: ${toFailure(e).detail}`)
  })

  const request = <A>(
    step: string,
    f: (signal: AbortSignal) => PromiseLike<A>,
    scopes: string = actionScopes
  ): Effect.Effect<A, ManagementApiError> => {
    const attempt = (n: number): Effect.Effect<A, ManagementApiError> =>
      Effect.tryPromise({ try: f, catch: toFailure }).pipe(
        Effect.catch((failure) =>
          failure.status === 429 && n < rateLimitRetries
            ? Effect.gen(function*() {
              const wait = rateLimitWait(failure, n, yield* Clock.currentTimeMillis)
              progress(`rate limited while ${step}; retrying in ${seconds(wait)} (${n + 1} of ${rateLimitRetries})`)
              yield* Effect.sleep(wait)
              return yield* attempt(n + 1)
            })
            : Effect.fail(toError(domain, step, failure, n, scopes))
        )
      )
    return attempt(0)
  }

  const listBindings = Effect.fnUntraced(function*(trigger: string) {
    const step = `reading the ${trigger} bindings`
    const all: Array<Binding> = []
    for (let page = 0; page < 50; page++) {
      const response = yield* request(
        step,
        (signal) =>
          client.actions.triggers.bindings.list(trigger as SdkTriggerId, { page, per_page: bindingsPerPage }, {
            abortSignal: signal
          })
      )
      const body = yield* decode(BindingList, step)(response.response)
      const items = body.bindings ?? []
      all.push(...items)
      const total = body.total ?? undefined
      if (items.length < bindingsPerPage || (total !== undefined && all.length >= total)) break
    }
    return all
  })

  const listUsers = Effect.fnUntraced(function*(page: number, perPage: number) {
    const step = "reading the users"
    const response = yield* request(
      step,
      (signal) =>
        client.users.list({
          page,
          per_page: perPage,
          include_totals: true,
          fields: userFields.join(","),
          include_fields: true
        }, { abortSignal: signal }),
      "read:users"
    )
    const body = yield* decode(UserList, step)(response.response)
    const users = body.users ?? []
    return { users, total: body.total ?? users.length }
  })

  const listClients = Effect.gen(function*() {
    const step = "reading the applications"
    const all: Array<Client> = []
    for (let page = 0; page < 100; page++) {
      const response = yield* request(
        step,
        (signal) =>
          client.clients.list({
            page,
            per_page: clientsPerPage,
            include_totals: true,
            fields: clientFields.join(","),
            include_fields: true
          }, { abortSignal: signal }),
        "read:clients"
      )
      const body = yield* decode(ClientList, step)(response.response)
      const items = body.clients ?? []
      all.push(...items)
      if (
        items.length < clientsPerPage || (body.total !== undefined && body.total !== null && all.length >= body.total)
      ) {
        break
      }
    }
    return all
  })

  const listConnections = Effect.gen(function*() {
    const step = "reading the connections"
    const all: Array<Connection> = []
    let from: string | undefined
    for (let n = 0; n < 100; n++) {
      const checkpoint = from
      const response = yield* request(
        step,
        (signal) =>
          client.connections.list({
            take: connectionsPerPage,
            fields: connectionFields.join(","),
            include_fields: true,
            ...(checkpoint === undefined ? {} : { from: checkpoint })
          }, { abortSignal: signal }),
        "read:connections"
      )
      const body = yield* decode(ConnectionList, step)(response.response)
      all.push(...(body.connections ?? []))
      if (body.next === undefined || body.next === null || body.next === "") break
      from = body.next
    }
    return all
  })

  // Every page of a per-user list (0-based `page`, `per_page`, `include_totals`), until a short page or the total.
  const everyPage = Effect.fnUntraced(function*<A>(
    step: string,
    scopes: string,
    list: (page: number, signal: AbortSignal) => PromiseLike<{ readonly response: unknown }>,
    items: (
      body: unknown
    ) => Effect.Effect<{ readonly items: ReadonlyArray<A>; readonly total?: number }, ManagementApiError>
  ) {
    const all: Array<A> = []
    for (let page = 0; page < 100; page++) {
      const response = yield* request(step, (signal) => list(page, signal), scopes)
      const body = yield* items(response.response)
      all.push(...body.items)
      if (body.items.length < userListsPerPage || (body.total !== undefined && all.length >= body.total)) break
    }
    return all
  })

  const listUserRoles = (userId: string) => {
    const step = `reading the roles of ${userId}`
    return everyPage(
      step,
      "read:users and read:roles",
      (page, signal) =>
        client.users.roles.list(userId, { page, per_page: userListsPerPage, include_totals: true }, {
          abortSignal: signal
        }),
      (body) =>
        decode(RoleList, step)(body).pipe(Effect.map((list) => ({
          items: (list.roles ?? []).flatMap((role) => Predicate.isString(role.name) ? [role.name] : []),
          ...(Predicate.isNumber(list.total) ? { total: list.total } : {})
        })))
    )
  }

  const listAuthenticationMethods = (userId: string) => {
    const step = `reading the authentication methods of ${userId}`
    return everyPage(
      step,
      "read:authentication_methods",
      (page, signal) =>
        client.users.authenticationMethods.list(userId, { page, per_page: userListsPerPage, include_totals: true }, {
          abortSignal: signal
        }),
      (body) =>
        decode(AuthenticationMethodList, step)(body).pipe(Effect.map((list) => ({
          items: list.authenticators ?? [],
          ...(Predicate.isNumber(list.total) ? { total: list.total } : {})
        })))
    )
  }

  return {
    getToken: Effect.asVoid(request("getting a token", () => tokens.getAccessToken())),
    findAction: (name) =>
      request(
        "looking up the Action",
        (signal) => client.actions.list({ actionName: name, page: 0, per_page: 50 }, { abortSignal: signal })
      ).pipe(
        Effect.flatMap((page) => decode(ActionList, "looking up the Action")(page.response)),
        Effect.map((list) => (list.actions ?? []).find((a) => a.name === name))
      ),
    createAction: (name, body) =>
      request(
        "creating the Action",
        (signal) => client.actions.create({ name, ...sdkBody(body) }, { abortSignal: signal })
      )
        .pipe(Effect.flatMap(decode(Action, "creating the Action"))),
    updateAction: (id, body) =>
      request("updating the Action", (signal) => client.actions.update(id, sdkBody(body), { abortSignal: signal }))
        .pipe(
          Effect.flatMap(decode(Action, "updating the Action"))
        ),
    getAction: (id) =>
      request("checking the build", (signal) => client.actions.get(id, { abortSignal: signal })).pipe(
        Effect.flatMap(decode(Action, "checking the build"))
      ),
    deployAction: (id) =>
      request("deploying the Action", (signal) => client.actions.deploy(id, { abortSignal: signal })).pipe(
        Effect.flatMap(decode(Version, "deploying the Action"))
      ),
    listBindings,
    updateBindings: (trigger, bindings) =>
      Effect.asVoid(request(
        `binding the Action to ${trigger}`,
        (signal) =>
          client.actions.triggers.bindings.updateMany(trigger as SdkTriggerId, { bindings: [...bindings] }, {
            abortSignal: signal
          })
      )),
    listTriggers: request("reading the triggers", (signal) => client.actions.triggers.list({ abortSignal: signal }))
      .pipe(
        Effect.flatMap(decode(TriggerList, "reading the triggers")),
        Effect.map((list) => list.triggers ?? [])
      ),
    listUsers,
    listClients,
    listConnections,
    listUserRoles,
    listAuthenticationMethods
  }
})

/**
 * A Management API call failed. `message` names the step and what to do; it may hold what Auth0 answered.
 *
 * @category errors
 * @since 0.1.0
 */
export class ManagementApiError extends Data.TaggedError("ManagementApiError")<{
  readonly reason: Reason
  readonly message: string
}> {}
