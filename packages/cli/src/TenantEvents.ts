/**
 * TenantEvents: post-login events that look like a tenant's own, for `rulefx events --from-tenant` and then `rulefx
 * diff`. Node-side only.
 *
 * Users (a seeded sample of up to `users`, read page by page), applications with their metadata and connections are
 * read through the Management API (ManagementClient: the `auth0` SDK, 429s waited out and retried, typed errors), and
 * one post-login event (trigger v3) is made per (user, application) pair: the user as the tenant stores them, the
 * application's id, name and metadata, the connection of the user's primary identity (id, name, strategy,
 * metadata), the login count as the next login would see it, the user's roles (`event.authorization.roles`, the names
 * of the roles assigned to them) and enrolled factors (`event.user.enrolledFactors`, from their confirmed
 * authentication methods: see `enrolledFactors`). Everything the tenant does not say (the request, the transaction,
 * the session) is `@rulefx/testing/Events`' realistic default. Roles and factors take a request each per user, and
 * scopes of their own (`read:roles`, `read:authentication_methods`): `roles: false` and `factors: false` leave them out
 * (the events then have no `authorization` section and no `enrolledFactors`), and a 403 says which scope is missing
 * and which option skips it.
 *
 * Nothing secret is written: the events have no `secrets` section; applications are read without their secrets
 * (only `ManagementClient.clientFields`), connections without their options; an identity keeps only its connection,
 * provider, user id, `isSocial` and `profileData` (never the identity provider's tokens). Personal data is what the
 * tenant holds, field for field (`ManagementClient.userFields`); treat the output as the tenant's user data.
 *
 * The Management API pages through the first 1000 users only: a tenant with more is sampled from those (a note
 * says so). Machine-to-machine applications never log users in and are left out unless named in `clients` (then a
 * warning says it has no post-login); the tenant's global client ("All Applications") always is.
 *
 * @since 0.1.0
 */
import * as Events from "@rulefx/testing/Events"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import type * as Redacted from "effect/Redacted"
import { mkdir, writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as Sample from "./internal/events/sample.ts"
import * as ManagementClient from "./ManagementClient.ts"

/**
 * Options of a read.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  readonly credentials: {
    readonly domain: string
    readonly clientId: string
    readonly clientSecret: Redacted.Redacted<string>
  }
  /** How many users to sample. Default 10. */
  readonly users?: number
  /** Only these applications, by client id (default: every application that logs users in). */
  readonly clients?: ReadonlyArray<string>
  /** Which users are sampled. Default 1. */
  readonly seed?: number
  /** Users per page read. Default 100 (the Management API's most). */
  readonly perPage?: number
  /** Read each user's roles into `event.authorization.roles`. Default true. */
  readonly roles?: boolean
  /** Read each user's authentication methods into `event.user.enrolledFactors`. Default true. */
  readonly factors?: boolean
  /** See ManagementClient.Options. */
  readonly baseUrl?: string
  readonly rateLimitRetries?: number
  readonly onProgress?: (line: string) => void
  /** The largest Management API answer read, a page of users included (ManagementClient.defaultMaxAnswerBytes). */
  readonly maxAnswerBytes?: number
}

/**
 * One event, as a line of the `.jsonl` file: `rulefx diff` shows it by its name.
 *
 * @category models
 * @since 0.1.0
 */
export interface NamedEvent {
  readonly name: string
  readonly event: Record<string, unknown>
}

/**
 * What a read made.
 *
 * @category models
 * @since 0.1.0
 */
export interface TenantEvents {
  readonly events: ReadonlyArray<NamedEvent>
  /** Users sampled, and how many the tenant has. */
  readonly users: number
  readonly usersInTenant: number
  /** The applications events were made for, by client id. */
  readonly clients: ReadonlyArray<string>
  /** Things the user should know (a sample from the first 1000, an identity's connection not found). */
  readonly notes: ReadonlyArray<string>
  /**
   * What makes events no login has: a machine-to-machine application named in `clients` (it has no post-login; its
   * events are written as asked).
   */
  readonly warnings: ReadonlyArray<string>
}

/**
 * Why events could not be made: a Management API failure (its reason), or `InvalidConfig`, `NoUsers`,
 * `NoClients`, `UnknownClient`, `WriteFailed`.
 *
 * @category models
 * @since 0.1.0
 */
export type Reason = ManagementClient.Reason | "NoUsers" | "NoClients" | "UnknownClient" | "WriteFailed"

/**
 * Events could not be read or written; the message says what to do.
 *
 * @category errors
 * @since 0.1.0
 */
export class TenantEventsError extends Data.TaggedError("TenantEventsError")<{
  readonly reason: Reason
  readonly message: string
}> {}

const fail = (reason: Reason, message: string) => new TenantEventsError({ reason, message })

// The Management API pages through this many users at most.
const searchLimit = 1000

const identityFields = ["connection", "provider", "user_id", "isSocial", "profileData"]

const primaryIdentity = (user: ManagementClient.User): Readonly<Record<string, unknown>> | undefined =>
  user.identities?.[0] ?? undefined

/**
 * An enrolled factor as a post-login event holds it: the type `api.authentication.challengeWith` takes.
 *
 * @category models
 * @since 0.1.0
 */
export interface Factor {
  readonly type: string
}

/**
 * What the tenant says about a user's access, for `eventFor`: absent when not read.
 *
 * @category models
 * @since 0.1.0
 */
export interface Access {
  readonly roles?: ReadonlyArray<string>
  readonly enrolledFactors?: ReadonlyArray<Factor>
}

// The Management API's authentication method types (and a Guardian enrollment's methods) as factor types.
const factorTypes: Readonly<Record<string, string>> = {
  totp: "otp",
  push: "push-notification",
  phone: "phone",
  sms: "phone",
  voice: "phone",
  email: "email",
  "webauthn-roaming": "webauthn-roaming",
  "webauthn-platform": "webauthn-platform",
  "recovery-code": "recovery-code"
}

/**
 * The enrolled factors of a user with these authentication methods: each confirmed method that is an MFA factor, as
 * the type `challengeWith` takes (`totp` is `otp`, `push` is `push-notification`, `phone` is `phone`, a Guardian
 * enrollment is the factors it holds), once each, in the order listed. A password, a passkey and an email
 * verification are ways to log in, not second factors, and are left out, as is a method not confirmed yet.
 *
 * @category constructors
 * @since 0.1.0
 */
export const enrolledFactors = (
  methods: ReadonlyArray<ManagementClient.AuthenticationMethod>
): ReadonlyArray<Factor> => {
  const types = methods.filter((m) => m.confirmed !== false).flatMap((m) =>
    m.type === "guardian" ? (m.authentication_methods ?? []).map((inner) => inner.type ?? "") : [m.type]
  )
  const factors = types.flatMap((type) => factorTypes[type] === undefined ? [] : [factorTypes[type]!])
  return [...new Set(factors)].map((type) => ({ type }))
}

/**
 * The post-login event of one user logging in to one application through a connection (undefined when the tenant
 * has none by the name of the user's primary identity's connection: its name and provider are used then).
 *
 * @category constructors
 * @since 0.1.0
 */
export const eventFor = (
  tenant: string,
  user: ManagementClient.User,
  client: ManagementClient.Client,
  connection: ManagementClient.Connection | undefined,
  access: Access = {}
): Record<string, unknown> => {
  const { identities, logins_count, ...fields } = user
  const profile: Record<string, unknown> = Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined && value !== null)
  )
  const identity = primaryIdentity(user)
  const event = Events.postLogin({
    tenant: { id: tenant },
    client: {
      client_id: client.client_id,
      name: client.name ?? client.client_id,
      metadata: client.client_metadata ?? {}
    }
  })
  delete event["secrets"]
  event["user"] = {
    ...profile,
    app_metadata: user.app_metadata ?? {},
    user_metadata: user.user_metadata ?? {},
    identities: (identities ?? []).map((i) =>
      Object.fromEntries(identityFields.filter((key) => i[key] !== undefined).map((key) => [key, i[key]]))
    ),
    ...(access.enrolledFactors === undefined ? {} : { enrolledFactors: access.enrolledFactors.map((f) => ({ ...f })) })
  }
  // Not read is not "no roles": the section is left out.
  if (access.roles === undefined) delete event["authorization"]
  else event["authorization"] = { roles: [...access.roles] }
  event["connection"] = connection === undefined
    ? {
      id: `con_unknown_${String(identity?.["connection"] ?? "none")}`,
      name: String(identity?.["connection"] ?? "unknown"),
      strategy: String(identity?.["provider"] ?? "auth0"),
      metadata: {}
    }
    : { id: connection.id, name: connection.name, strategy: connection.strategy, metadata: connection.metadata ?? {} }
  // Auth0 counts the login being made.
  event["stats"] = { logins_count: (logins_count ?? 0) + 1 }
  return event
}

// The users to read: `count` of the first `min(total, 1000)`, chosen by the seed, read page by page; the first page
// (already read, for the total) is reused.
const sampleUsers = Effect.fnUntraced(function*(
  client: ManagementClient.ManagementClient,
  count: number,
  seed: number,
  perPage: number
) {
  const first = yield* client.listUsers(0, perPage)
  const reachable = Math.min(first.total, searchLimit)
  const wanted = Sample.indices(reachable, count, seed)
  const pages = new Map<number, ReadonlyArray<ManagementClient.User>>([[0, first.users]])
  const users: Array<ManagementClient.User> = []
  for (const index of wanted) {
    const page = Math.floor(index / perPage)
    if (!pages.has(page)) pages.set(page, (yield* client.listUsers(page, perPage)).users)
    const user = pages.get(page)![index % perPage]
    // The tenant changed between pages: a user fewer is better than a wrong one.
    if (user !== undefined) users.push(user)
  }
  return { users, total: first.total }
})

const loginClients = (
  all: ReadonlyArray<ManagementClient.Client>,
  wanted: ReadonlyArray<string> | undefined
): Effect.Effect<ReadonlyArray<ManagementClient.Client>, TenantEventsError> => {
  const apps = all.filter((c) => c.global !== true)
  if (wanted === undefined || wanted.length === 0) {
    const interactive = apps.filter((c) => c.app_type !== "non_interactive")
    return interactive.length === 0
      ? Effect.fail(fail("NoClients", "the tenant has no application users log in to (only machine-to-machine ones)"))
      : Effect.succeed(interactive)
  }
  const unknown = wanted.filter((id) => !apps.some((c) => c.client_id === id))
  return unknown.length > 0
    ? Effect.fail(fail(
      "UnknownClient",
      `no application with client id ${unknown.join(", ")} in the tenant (--clients takes client ids, not names)`
    ))
    : Effect.succeed(wanted.map((id) => apps.find((c) => c.client_id === id)!))
}

const tenantOf = (domain: string): string => domain.replace(/^https?:\/\//, "").split(".")[0] ?? domain

/**
 * Reads the tenant and makes its events: one per sampled user and application, users in the order the tenant lists
 * them, applications in the order given (or listed).
 *
 * @category constructors
 * @since 0.1.0
 */
export const read = Effect.fn("TenantEvents.read")(function*(options: Options) {
  const count = options.users ?? 10
  const perPage = options.perPage ?? 100
  if (!Number.isInteger(count) || count < 1) {
    return yield* fail("InvalidConfig", `--users must be a whole number of 1 or more, not ${count}`)
  }
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) {
    return yield* fail("InvalidConfig", "users are read 1 to 100 a page")
  }
  const domain = options.credentials.domain.trim().replace(/^https?:\/\//, "").replace(/\/+$/, "")
  if (domain.length === 0 || /[/?#\s@]/.test(domain)) {
    return yield* fail(
      "InvalidConfig",
      `AUTH0_DOMAIN "${
        ManagementClient.clip(options.credentials.domain)
      }" is not a tenant domain (e.g. acme.eu.auth0.com)`
    )
  }
  const client = yield* ManagementClient.make({
    domain,
    clientId: options.credentials.clientId,
    clientSecret: options.credentials.clientSecret,
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    ...(options.rateLimitRetries === undefined ? {} : { rateLimitRetries: options.rateLimitRetries }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.maxAnswerBytes === undefined ? {} : { maxAnswerBytes: options.maxAnswerBytes })
  }).pipe(Effect.mapError(fromApi))
  yield* client.getToken.pipe(Effect.mapError(fromApi))
  const apps = yield* loginClients(yield* client.listClients.pipe(Effect.mapError(fromApi)), options.clients)
  const connections = yield* client.listConnections.pipe(Effect.mapError(fromApi))
  const { total, users } = yield* sampleUsers(client, count, options.seed ?? 1, perPage).pipe(
    Effect.mapError(fromApi)
  )
  if (users.length === 0) return yield* fail("NoUsers", "the tenant has no users to make events from")
  const notes: Array<string> = []
  const accessOf = yield* readAccess(client, users, options, notes)
  if (total > searchLimit) {
    notes.push(
      `the tenant has ${total} users; the Management API pages through the first ${searchLimit}, so the sample is ` +
        "from those"
    )
  }
  const byName = new Map(connections.map((c) => [c.name, c]))
  const missing = new Set<string>()
  const events: Array<NamedEvent> = []
  const tenant = tenantOf(domain)
  for (const user of users) {
    const access = accessOf.get(user.user_id)
    // Deleted since it was listed.
    if (access === undefined) continue
    const name = primaryIdentity(user)?.["connection"]
    const connection = Predicate.isString(name) ? byName.get(name) : undefined
    if (connection === undefined) missing.add(`${user.user_id} (${String(name ?? "no identity")})`)
    for (const app of apps) {
      events.push({
        name: `${user.user_id} @ ${app.name ?? app.client_id}`,
        event: eventFor(tenant, user, app, connection, access)
      })
    }
  }
  if (missing.size > 0) {
    notes.push(`no connection of that name in the tenant for ${[...missing].join(", ")}: named from the identity`)
  }
  return {
    events,
    users: users.length,
    usersInTenant: total,
    clients: apps.map((a) => a.client_id),
    notes,
    warnings: apps.filter((a) => a.app_type === "non_interactive").map((a) =>
      `${a.client_id}${a.name === undefined ? "" : ` (${a.name})`} is a machine-to-machine application: no user ` +
      "logs in to it and no post-login runs for it; its events are no login Auth0 makes"
    )
  } satisfies TenantEvents
})

const fromApi = (e: ManagementClient.ManagementApiError) => {
  const scopes = e.reason === "Forbidden" && !e.message.includes("getting a token")
    ? " (rulefx events needs read:users, read:clients and read:connections; read:roles and " +
      "read:authentication_methods too unless --no-roles and --no-factors)"
    : ""
  return fail(e.reason, `${e.message}${scopes}`)
}

// A 403 on an optional read names the flag that leaves it out.
const skipping = (flag: string) => (e: ManagementClient.ManagementApiError) =>
  e.reason === "Forbidden" ? fail("Forbidden", `${e.message} Or leave them out of the events: ${flag}.`) : fromApi(e)

// Each user's roles and factors, as asked; a user deleted since it was listed (404) has no entry, and a note says so.
// A 403 names the scope and the flag that leaves the read out.
const readAccess = Effect.fnUntraced(function*(
  client: ManagementClient.ManagementClient,
  users: ReadonlyArray<ManagementClient.User>,
  options: Options,
  notes: Array<string>
) {
  const byUser = new Map<string, Access>()
  const gone: Array<string> = []
  for (const user of users) {
    const read = Effect.gen(function*() {
      const roles = options.roles === false
        ? undefined
        : yield* client.listUserRoles(user.user_id).pipe(Effect.mapError(skipping("--no-roles")))
      const methods = options.factors === false
        ? undefined
        : yield* client.listAuthenticationMethods(user.user_id).pipe(Effect.mapError(skipping("--no-factors")))
      const access: Access = {
        ...(roles === undefined ? {} : { roles }),
        ...(methods === undefined ? {} : { enrolledFactors: enrolledFactors(methods) })
      }
      return access
    })
    const access = yield* read.pipe(
      Effect.catchIf((e) => e.reason === "NotFound", () => Effect.succeed(undefined))
    )
    if (access === undefined) gone.push(user.user_id)
    else byUser.set(user.user_id, access)
  }
  if (gone.length > 0) notes.push(`deleted while being read, left out: ${gone.join(", ")}`)
  return byUser
})

/**
 * Writes events as one `.jsonl` file (`{ "name": ..., "event": ... }` a line, as `rulefx diff --events` reads it),
 * creating the folder; returns the file's path.
 *
 * @category constructors
 * @since 0.1.0
 */
export const write = (
  out: string,
  events: ReadonlyArray<NamedEvent>,
  file = "events.jsonl"
): Effect.Effect<string, TenantEventsError> => {
  const path = join(out, file)
  return Effect.tryPromise({
    try: async () => {
      await mkdir(out, { recursive: true })
      await writeFile(path, events.map((e) => JSON.stringify(e)).join("\n") + "\n")
      return path
    },
    catch: (e) => fail("WriteFailed", `cannot write ${path}: ${e instanceof Error ? e.message : String(e)}`)
  })
}
