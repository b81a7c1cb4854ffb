/**
 * The fake tenant's users, clients and connections endpoints, as the Management API answers them: users and clients
 * paged by a 0-based `page` and `per_page` (at most 100), with `include_totals` (default false: a bare array) and
 * `fields`/`include_fields`; users only within the first 1000 (Auth0's limit on paging a search); connections by
 * checkpoint (`take`, and the `next` of the answer as `from`). A user's roles (`/users/{id}/roles`) and
 * authentication methods (`/users/{id}/authentication-methods`, under `authenticators` with `include_totals`) are
 * paged as users are, without the 1000 limit; an id the directory has no user for is a 404. Stored objects are
 * answered as given (a client's `client_secret` too), so a test can check what a caller keeps.
 */

type Json = Readonly<Record<string, unknown>>

export interface Answer {
  readonly status: number
  readonly body?: unknown
}

export interface Directory {
  readonly users: ReadonlyArray<Json>
  readonly clients: ReadonlyArray<Json>
  readonly connections: ReadonlyArray<Json>
  /** Roles by user id (a user without an entry has none). */
  readonly roles?: Readonly<Record<string, ReadonlyArray<Json>>>
  /** Authentication methods by user id (a user without an entry has none). */
  readonly authenticationMethods?: Readonly<Record<string, ReadonlyArray<Json>>>
}

const maxPerPage = 100
const searchLimit = 1000

const badRequest = (message: string): Answer => ({
  status: 400,
  body: { statusCode: 400, error: "Bad Request", message, errorCode: "invalid_query_string" }
})

const number = (query: URLSearchParams, name: string, fallback: number): number | undefined => {
  const text = query.get(name)
  if (text === null) return fallback
  const value = Number(text)
  return Number.isInteger(value) && value >= 0 ? value : undefined
}

// `fields=a,b&include_fields=true` keeps a and b; `include_fields=false` drops them.
const project = (item: Json, query: URLSearchParams): Json => {
  const fields = query.get("fields")
  if (fields === null || fields === "") return item
  const names = new Set(fields.split(","))
  const include = query.get("include_fields") !== "false"
  return Object.fromEntries(Object.entries(item).filter(([key]) => names.has(key) === include))
}

const offsetList = (key: string, all: ReadonlyArray<Json>, query: URLSearchParams, limit?: number): Answer => {
  const perPage = number(query, "per_page", 50)
  const page = number(query, "page", 0)
  if (perPage === undefined || page === undefined || perPage === 0 || perPage > maxPerPage) {
    return badRequest(`Query validation error: per_page must be 1 to ${maxPerPage}, page 0 or more`)
  }
  if (limit !== undefined && (page + 1) * perPage > limit) {
    return badRequest(`You can only page through the first ${limit} records.`)
  }
  const items = all.slice(page * perPage, (page + 1) * perPage).map((item) => project(item, query))
  return query.get("include_totals") === "true"
    ? {
      status: 200,
      body: { start: page * perPage, limit: perPage, length: items.length, total: all.length, [key]: items }
    }
    : { status: 200, body: items }
}

const checkpointList = (all: ReadonlyArray<Json>, query: URLSearchParams): Answer => {
  const take = number(query, "take", 50)
  const from = query.get("from") === null ? 0 : Number(query.get("from"))
  if (take === undefined || take === 0 || take > maxPerPage || !Number.isInteger(from) || from < 0) {
    return badRequest(`Query validation error: take must be 1 to ${maxPerPage}, from a checkpoint`)
  }
  const items = all.slice(from, from + take).map((item) => project(item, query))
  return {
    status: 200,
    body: { connections: items, ...(from + take < all.length ? { next: String(from + take) } : {}) }
  }
}

const userList = /^\/api\/v2\/users\/([^/]+)\/(roles|authentication-methods)$/

// A user's roles or authentication methods.
const ofUser = (directory: Directory, url: URL): Answer | undefined => {
  const match = userList.exec(url.pathname)
  if (match === null) return undefined
  const id = decodeURIComponent(match[1]!)
  if (!directory.users.some((user) => user["user_id"] === id)) {
    return { status: 404, body: { statusCode: 404, error: "Not Found", message: "The user does not exist." } }
  }
  return match[2] === "roles"
    ? offsetList("roles", directory.roles?.[id] ?? [], url.searchParams)
    : offsetList("authenticators", directory.authenticationMethods?.[id] ?? [], url.searchParams)
}

/** The answer of a GET on one of these paths, or undefined for any other path. */
export const route = (directory: Directory, method: string, url: URL): Answer | undefined => {
  if (method !== "GET") return undefined
  const own = ofUser(directory, url)
  if (own !== undefined) return own
  switch (url.pathname) {
    case "/api/v2/users":
      return offsetList("users", directory.users, url.searchParams, searchLimit)
    case "/api/v2/clients":
      return offsetList("clients", directory.clients, url.searchParams)
    case "/api/v2/connections":
      return checkpointList(directory.connections, url.searchParams)
    default:
      return undefined
  }
}
