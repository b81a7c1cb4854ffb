/**
 * A fake Auth0 tenant on 127.0.0.1 for the tests of `rulefx deploy`: the client-credentials token endpoint and the
 * Management API endpoints a deploy uses, over in-memory actions and trigger bindings, with every request recorded
 * in order.
 *
 * Endpoints: `POST /oauth/token`; `GET`/`POST /api/v2/actions/actions`; `GET`/`PATCH /api/v2/actions/actions/{id}`;
 * `POST /api/v2/actions/actions/{id}/deploy`; `GET /api/v2/actions/triggers` (the tenant's trigger list);
 * `GET`/`PATCH /api/v2/actions/triggers/{trigger}/bindings`; and for `rulefx events --from-tenant`, `GET
 * /api/v2/users`, `/api/v2/clients` and `/api/v2/connections` over the users, clients and connections given, and
 * `/api/v2/users/{id}/roles` and `/authentication-methods` over each user's roles and methods given. They follow
 * the documented shapes: lists are paged with a 0-based `page` and `per_page`; a build goes `pending`, `building`,
 * then `built` or `failed`; deploy answers 400 unless the action is built; a bindings PATCH replaces the whole list
 * and accepts only deployed actions, by `action_id` or `action_name` ref; every API call needs the issued bearer
 * token.
 *
 * Behaviours for failure tests: a build that ends after N polls, fails or never ends; a token endpoint answering a
 * status; and `failures`, answers (401, 403, 429 with headers, ...) given to matching requests a number of times.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import type * as Scope from "effect/Scope"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import * as Directory from "./internal/directory.ts"
import { listen } from "./Listen.ts"

/**
 * An action as the tenant stores it. Secret values are kept so tests can check them; the API answers names only.
 *
 * @category models
 * @since 0.1.0
 */
export interface StoredAction {
  readonly id: string
  readonly name: string
  readonly code: string
  readonly runtime: string
  readonly supported_triggers: ReadonlyArray<{ readonly id: string; readonly version?: string }>
  readonly dependencies: ReadonlyArray<{ readonly name: string; readonly version: string }>
  readonly secrets: ReadonlyArray<{ readonly name: string; readonly value: string }>
  /** Deployed versions so far; 0 when never deployed. */
  readonly deployedVersions: number
}

/**
 * A binding as the tenant stores it: the bound action's id and the binding's display name.
 *
 * @category models
 * @since 0.1.0
 */
export interface StoredBinding {
  readonly actionId: string
  readonly display_name: string
}

/**
 * How builds go: `Built` answers `building` for `polls` GETs of the action, then `built`; `Failed` does the same,
 * then `failed` with `errors`; `Never` answers `building` for ever.
 *
 * @category models
 * @since 0.1.0
 */
export type Build =
  | { readonly _tag: "Built"; readonly polls: number }
  | { readonly _tag: "Failed"; readonly polls: number; readonly errors: ReadonlyArray<{ readonly msg: string }> }
  | { readonly _tag: "Never" }

/**
 * An answer forced on matching requests, `times` times (default: always).
 *
 * @category models
 * @since 0.1.0
 */
export interface Failure {
  readonly method: string
  /** The path without the query string, e.g. `/api/v2/actions/triggers/post-login/bindings`, or a pattern. */
  readonly path: string | RegExp
  readonly status: number
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
  readonly times?: number
}

/**
 * The tenant at start and its behaviours.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The client credentials the token endpoint accepts. Default `client-id` / `client-secret`. */
  readonly clientId?: string
  readonly clientSecret?: string
  readonly actions?: ReadonlyArray<Omit<StoredAction, "deployedVersions"> & { readonly deployedVersions?: number }>
  /** Bindings by trigger id, in execution order. */
  readonly bindings?: Readonly<Record<string, ReadonlyArray<StoredBinding>>>
  /** Default: built after 2 polls. */
  readonly build?: Build
  readonly failures?: ReadonlyArray<Failure>
  /**
   * What `GET /api/v2/actions/triggers` answers. Default `defaultTriggers`: every trigger of the reference at its
   * current version, the versions before it deprecated.
   */
  readonly triggers?: ReadonlyArray<StoredTrigger>
  /**
   * Users as `GET /api/v2/users` answers them (paged by `page`/`per_page`, at most 100 a page and the first 1000 in
   * all, with `include_totals`, `fields` and `include_fields`). Default none.
   */
  readonly users?: ReadonlyArray<Readonly<Record<string, unknown>>>
  /** Clients as `GET /api/v2/clients` answers them (paged as users; `client_secret` is answered unless `fields` leaves it out). */
  readonly clients?: ReadonlyArray<Readonly<Record<string, unknown>>>
  /** Connections as `GET /api/v2/connections` answers them (checkpoint paging: `take`, then `from` the answer's `next`). */
  readonly connections?: ReadonlyArray<Readonly<Record<string, unknown>>>
  /** Roles by user id, as `GET /api/v2/users/{id}/roles` answers them (paged as users). Default none. */
  readonly roles?: Readonly<Record<string, ReadonlyArray<Readonly<Record<string, unknown>>>>>
  /**
   * Authentication methods by user id, as `GET /api/v2/users/{id}/authentication-methods` answers them (paged as
   * users, under `authenticators` with `include_totals`). Default none.
   */
  readonly authenticationMethods?: Readonly<Record<string, ReadonlyArray<Readonly<Record<string, unknown>>>>>
}

/**
 * One entry of the tenant's trigger list, as the Management API answers it.
 *
 * @category models
 * @since 0.1.0
 */
export interface StoredTrigger {
  readonly id: string
  readonly version: string
  readonly status: "CURRENT" | "DEPRECATED"
  readonly runtimes?: ReadonlyArray<string>
  readonly default_runtime?: string
}

const current = (id: string, version: string, older: ReadonlyArray<string> = []): Array<StoredTrigger> => [
  ...older.map((v) => ({
    id,
    version: v,
    status: "DEPRECATED" as const,
    runtimes: ["node18"],
    default_runtime: "node18"
  })),
  { id, version, status: "CURRENT", runtimes: ["node18", "node22"], default_runtime: "node22" }
]

/**
 * The trigger list of a tenant as the reference describes it (section 1.3).
 *
 * @category constructors
 * @since 0.1.0
 */
export const defaultTriggers: ReadonlyArray<StoredTrigger> = [
  ...current("post-login", "v3", ["v1", "v2"]),
  ...current("credentials-exchange", "v2", ["v1"]),
  ...current("pre-user-registration", "v2", ["v1"]),
  ...current("post-user-registration", "v2", ["v1"]),
  ...current("post-change-password", "v2", ["v1"]),
  ...current("send-phone-message", "v2", ["v1"]),
  ...current("password-reset-post-challenge", "v1"),
  ...current("custom-phone-provider", "v1"),
  ...current("custom-email-provider", "v1"),
  ...current("custom-token-exchange", "v1")
]

/**
 * One recorded request. `body` is the parsed JSON (or form, for the token endpoint), undefined when empty.
 *
 * @category models
 * @since 0.1.0
 */
export interface Request {
  readonly method: string
  /** Path and query string, e.g. `/api/v2/actions/actions?actionName=x&page=0&per_page=50`. */
  readonly path: string
  readonly body: unknown
  /** When the request arrived, in milliseconds on `performance.now()`'s clock, for checking waits. */
  readonly at: number
  /** The status answered. */
  readonly status: number
}

/**
 * A running tenant.
 *
 * @category models
 * @since 0.1.0
 */
export interface ManagementServer {
  /** e.g. `http://127.0.0.1:41234`; the API is under `${url}/api/v2`, the token endpoint at `${url}/oauth/token`. */
  readonly url: string
  readonly requests: () => ReadonlyArray<Request>
  readonly actions: () => ReadonlyArray<StoredAction>
  readonly bindings: (trigger: string) => ReadonlyArray<StoredBinding>
  readonly close: () => Promise<void>
}

/**
 * `METHOD path-without-query` of each request, the usual thing to assert the order on.
 *
 * @category getters
 * @since 0.1.0
 */
export const calls = (server: ManagementServer): ReadonlyArray<string> =>
  server.requests().map((r) => `${r.method} ${r.path.split("?")[0]}`)

/**
 * The requests that change the tenant (everything but GET and the token endpoint).
 *
 * @category getters
 * @since 0.1.0
 */
export const writes = (server: ManagementServer): ReadonlyArray<Request> =>
  server.requests().filter((r) => r.method !== "GET" && !r.path.startsWith("/oauth/token"))

interface Action extends StoredAction {
  polls: number
  versionId: string | undefined
  createdAt: string
  updatedAt: string
}

const timestamp = "2025-01-01T00:00:00.000Z"

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("error", reject)
  })

const parseBody = (text: string, contentType: string | undefined): unknown => {
  if (text.length === 0) return undefined
  if (contentType?.includes("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(text))
  }
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(body === undefined ? "" : JSON.stringify(body))
}

const apiError = (status: number, message: string, errorCode?: string) => ({
  statusCode: status,
  error: ({ 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict" } as Record<
    number,
    string
  >)[status] ?? "Error",
  message,
  ...(errorCode === undefined ? {} : { errorCode })
})

const page = <A>(items: ReadonlyArray<A>, query: URLSearchParams) => {
  const perPage = Math.max(1, Number(query.get("per_page") ?? 20))
  const index = Math.max(0, Number(query.get("page") ?? 0))
  return { items: items.slice(index * perPage, (index + 1) * perPage), page: index, per_page: perPage }
}

/**
 * Starts a tenant on 127.0.0.1 with a free port.
 *
 * @category constructors
 * @since 0.1.0
 */
export const start = (options: Options = {}): Promise<ManagementServer> => {
  const clientId = options.clientId ?? "client-id"
  const clientSecret = options.clientSecret ?? "client-secret"
  const build: Build = options.build ?? { _tag: "Built", polls: 2 }
  const failures = (options.failures ?? []).map((failure) => ({ failure, used: 0 }))
  const requests: Array<Request> = []
  const tokens = new Set<string>()
  const actions = new Map<string, Action>()
  const bindings = new Map<string, Array<StoredBinding>>()
  let nextId = 1
  for (const action of options.actions ?? []) {
    actions.set(action.id, {
      ...action,
      deployedVersions: action.deployedVersions ?? 0,
      polls: Number.POSITIVE_INFINITY,
      versionId: (action.deployedVersions ?? 0) > 0 ? `ver_${action.id}_${action.deployedVersions}` : undefined,
      createdAt: timestamp,
      updatedAt: timestamp
    })
  }
  for (const [trigger, list] of Object.entries(options.bindings ?? {})) bindings.set(trigger, [...list])
  const directory: Directory.Directory = {
    users: options.users ?? [],
    clients: options.clients ?? [],
    connections: options.connections ?? [],
    ...(options.roles === undefined ? {} : { roles: options.roles }),
    ...(options.authenticationMethods === undefined ? {} : { authenticationMethods: options.authenticationMethods })
  }

  const statusOf = (action: Action): string => {
    if (action.polls === Number.POSITIVE_INFINITY) return "built"
    switch (build._tag) {
      case "Never":
        return action.polls === 0 ? "pending" : "building"
      case "Built":
        return action.polls > build.polls ? "built" : action.polls === 0 ? "pending" : "building"
      case "Failed":
        return action.polls > build.polls ? "failed" : action.polls === 0 ? "pending" : "building"
    }
  }

  const view = (action: Action) => {
    const status = statusOf(action)
    return {
      id: action.id,
      name: action.name,
      supported_triggers: action.supported_triggers,
      code: action.code,
      runtime: action.runtime,
      dependencies: action.dependencies,
      secrets: action.secrets.map((s) => ({ name: s.name, updated_at: timestamp })),
      status,
      all_changes_deployed: action.versionId !== undefined && action.polls === Number.POSITIVE_INFINITY,
      created_at: action.createdAt,
      updated_at: action.updatedAt,
      ...(action.versionId === undefined ? {} : { deployed_version: { id: action.versionId, deployed: true } }),
      ...(status === "failed" && build._tag === "Failed" ? { errors: build.errors } : {})
    }
  }

  const bindingView = (trigger: string, binding: StoredBinding, index: number) => {
    const action = actions.get(binding.actionId)
    return {
      id: `bnd_${trigger}_${index}`,
      trigger_id: trigger,
      display_name: binding.display_name,
      action: action === undefined
        ? { id: binding.actionId }
        : { id: action.id, name: action.name, supported_triggers: action.supported_triggers },
      created_at: timestamp,
      updated_at: timestamp
    }
  }

  const writeAction = (body: Record<string, unknown>, previous: Action | undefined): Action => {
    const secrets = Array.isArray(body["secrets"])
      ? (body["secrets"] as Array<{ name: string; value: string }>).map(({ name, value }) => ({ name, value }))
      : previous?.secrets ?? []
    return {
      id: previous?.id ?? `act_${nextId++}`,
      name: typeof body["name"] === "string" ? body["name"] : previous?.name ?? "",
      code: typeof body["code"] === "string" ? body["code"] : previous?.code ?? "",
      runtime: typeof body["runtime"] === "string" ? body["runtime"] : previous?.runtime ?? "node22",
      supported_triggers: Array.isArray(body["supported_triggers"])
        ? body["supported_triggers"]
        : previous?.supported_triggers ?? [],
      dependencies: Array.isArray(body["dependencies"]) ? body["dependencies"] : previous?.dependencies ?? [],
      secrets,
      deployedVersions: previous?.deployedVersions ?? 0,
      polls: 0,
      versionId: previous?.versionId,
      createdAt: previous?.createdAt ?? timestamp,
      updatedAt: timestamp
    }
  }

  const route = (
    method: string,
    url: URL,
    body: unknown,
    authorization: string | undefined
  ): { status: number; body?: unknown; headers?: Record<string, string> } => {
    const path = url.pathname
    if (path === "/oauth/token" && method === "POST") {
      const form = Predicate.isObject(body) ? body : {}
      if (form["grant_type"] !== "client_credentials") {
        return { status: 400, body: { error: "unsupported_grant_type" } }
      }
      if (form["client_id"] !== clientId || form["client_secret"] !== clientSecret) {
        return { status: 401, body: { error: "access_denied", error_description: "Unauthorized" } }
      }
      const token = `token-${tokens.size + 1}`
      tokens.add(token)
      return { status: 200, body: { access_token: token, expires_in: 86400, token_type: "Bearer" } }
    }
    if (!path.startsWith("/api/v2/")) return { status: 404, body: apiError(404, "Not Found") }
    const token = authorization?.replace(/^Bearer /, "")
    if (token === undefined || !tokens.has(token)) {
      return { status: 401, body: apiError(401, "Invalid token", "invalid_token") }
    }
    const json = Predicate.isObject(body) ? body : {}
    const listed = Directory.route(directory, method, url)
    if (listed !== undefined) return listed

    if (path === "/api/v2/actions/actions") {
      if (method === "GET") {
        const name = url.searchParams.get("actionName")
        const all = [...actions.values()].filter((a) => name === null || a.name === name)
        const { items, ...paging } = page(all, url.searchParams)
        return { status: 200, body: { actions: items.map(view), total: all.length, ...paging } }
      }
      if (method === "POST") {
        if (typeof json["name"] !== "string" || !Array.isArray(json["supported_triggers"])) {
          return { status: 400, body: apiError(400, "Payload validation error: name and supported_triggers") }
        }
        if ([...actions.values()].some((a) => a.name === json["name"])) {
          return { status: 409, body: apiError(409, "An action with this name already exists") }
        }
        const action = writeAction(json, undefined)
        actions.set(action.id, action)
        return { status: 201, body: view(action) }
      }
    }

    const one = /^\/api\/v2\/actions\/actions\/([^/]+)(\/deploy)?$/.exec(path)
    if (one !== null) {
      const action = actions.get(decodeURIComponent(one[1]!))
      if (action === undefined) return { status: 404, body: apiError(404, "The action does not exist.") }
      if (one[2] === undefined && method === "GET") {
        if (action.polls !== Number.POSITIVE_INFINITY) action.polls++
        if (statusOf(action) === "built") action.polls = Number.POSITIVE_INFINITY
        return { status: 200, body: view(action) }
      }
      if (one[2] === undefined && method === "PATCH") {
        const next = writeAction(json, action)
        actions.set(next.id, next)
        return { status: 200, body: view(next) }
      }
      if (one[2] !== undefined && method === "POST") {
        if (statusOf(action) !== "built") {
          return { status: 400, body: apiError(400, "An action must be in the 'built' state to be deployed.") }
        }
        const number = action.deployedVersions + 1
        const versionId = `ver_${action.id}_${number}`
        actions.set(action.id, { ...action, deployedVersions: number, versionId })
        return {
          status: 200,
          body: { id: versionId, action_id: action.id, number, deployed: true, status: "built", code: action.code }
        }
      }
    }

    if (path === "/api/v2/actions/triggers" && method === "GET") {
      return { status: 200, body: { triggers: options.triggers ?? defaultTriggers } }
    }

    const triggerBindings = /^\/api\/v2\/actions\/triggers\/([^/]+)\/bindings$/.exec(path)
    if (triggerBindings !== null) {
      const trigger = decodeURIComponent(triggerBindings[1]!)
      const list = bindings.get(trigger) ?? []
      if (method === "GET") {
        const { items, ...paging } = page(list.map((b, i) => bindingView(trigger, b, i)), url.searchParams)
        return { status: 200, body: { bindings: items, total: list.length, ...paging } }
      }
      if (method === "PATCH") {
        if (!Array.isArray(json["bindings"])) {
          return { status: 400, body: apiError(400, "Payload validation error: bindings") }
        }
        const next: Array<StoredBinding> = []
        for (const entry of json["bindings"] as Array<unknown>) {
          const ref = Predicate.isObject(entry) && Predicate.isObject(entry["ref"]) ? entry["ref"] : {}
          const action = ref["type"] === "action_id"
            ? actions.get(String(ref["value"]))
            : ref["type"] === "action_name"
            ? [...actions.values()].find((a) => a.name === ref["value"])
            : undefined
          if (action === undefined) return { status: 404, body: apiError(404, "The action does not exist.") }
          if (action.versionId === undefined) {
            return { status: 400, body: apiError(400, `The action ${action.name} has not been deployed.`) }
          }
          const display = Predicate.isObject(entry) && typeof entry["display_name"] === "string"
            ? entry["display_name"]
            : action.name
          next.push({ actionId: action.id, display_name: display })
        }
        bindings.set(trigger, next)
        return { status: 200, body: { bindings: next.map((b, i) => bindingView(trigger, b, i)) } }
      }
    }
    return { status: 404, body: apiError(404, "Not Found") }
  }

  const server = createServer((req, res) => {
    const at = performance.now()
    const method = req.method ?? "GET"
    const url = new URL(req.url ?? "/", "http://127.0.0.1")
    readBody(req).then((text) => {
      const body = parseBody(text, req.headers["content-type"])
      const forced = failures.find(({ failure, used }) =>
        failure.method === method &&
        (typeof failure.path === "string" ? failure.path === url.pathname : failure.path.test(url.pathname)) &&
        used < (failure.times ?? Number.POSITIVE_INFINITY)
      )
      let answer: { status: number; body?: unknown; headers?: Record<string, string> }
      if (forced !== undefined) {
        forced.used++
        const { failure } = forced
        answer = {
          status: failure.status,
          body: failure.body ?? apiError(failure.status, `status ${failure.status}`),
          headers: { ...failure.headers }
        }
      } else {
        answer = route(method, url, body, req.headers.authorization)
      }
      requests.push({ method, path: `${url.pathname}${url.search}`, body, at, status: answer.status })
      send(res, answer.status, answer.body, answer.headers)
    }, () => res.destroy())
  })
  return listen(server).then(({ close, url }) => ({
    url,
    requests: () => [...requests],
    actions: () =>
      [...actions.values()].map(({ createdAt: _c, polls: _p, updatedAt: _u, versionId: _v, ...action }) => action),
    bindings: (trigger) => [...(bindings.get(trigger) ?? [])],
    close
  }))
}

/**
 * The tenant as a scoped resource, closed when the scope ends.
 *
 * @category constructors
 * @since 0.1.0
 */
export const scoped = (options: Options = {}): Effect.Effect<ManagementServer, never, Scope.Scope> =>
  Effect.acquireRelease(Effect.promise(() => start(options)), (server) => Effect.promise(() => server.close()))
