/**
 * A small stand-in for the deprecated `request` npm package, for legacy Auth0 Rules.
 *
 * Many legacy rules do `var request = require("request")` and use its callback API. The real package (with its
 * dependency tree) is far larger than the 100 kB limit of an Auth0 Action, and it is deprecated. When a legacy rule
 * requires `request` (any pinned version), rulefx hands it this module instead: a dependency-free implementation on
 * top of the global `fetch` of Node 22. It is bundled into the Action, so it is kept small and imports nothing from
 * `effect`; being a compatibility shim for callback code, it uses plain promises and `try`/`catch` on purpose.
 *
 * Supported subset:
 *
 * - call forms `request(url, cb)`, `request(options, cb)`, `request(url, options, cb)`; the helpers `get`, `head`,
 *   `post`, `put`, `patch`, `del` / `delete`; `defaults(options)` (headers merged, later values win);
 * - options `url` / `uri` (string or `URL`), `baseUrl`, `method`, `qs`, `headers`, `json`, `body`, `form`, `auth`
 *   (`user` / `username` + `pass` / `password`, or `bearer`), `timeout`, `followRedirect`, `followAllRedirects`,
 *   `encoding` (`null` gives a `Buffer`); `gzip` is accepted and ignored (fetch decompresses anyway); any other
 *   option (`jar`, `agent`, `pool`, ...) is ignored;
 * - as in `request`: `json: true` stringifies any body but bytes (strings too), POST / PUT / PATCH / DELETE
 *   redirects are only followed with `followAllRedirects`, credentials in the URL are sent as Basic auth, a string
 *   body is sent without a `content-type`, and an empty body with `json` is `undefined`;
 * - the callback gets `(error)` or `(null, response, body)`, with `response.body === body`; 4xx and 5xx statuses
 *   are responses, not errors.
 *
 * Differences from `request`, on purpose:
 *
 * - a request without `timeout` times out after 10 000 ms (`request` waited forever, and a rule would hang until
 *   the Action is killed); the timeout covers the connection and the whole body, error code `ETIMEDOUT`;
 * - response bodies are read as a stream and capped at 1 MiB, whatever their Content-Length says (error code
 *   `EBODYTOOLARGE`; the rest of the body is never read, and the connection is let go of);
 * - in a legacy rule run by LegacyRules, a request still running when that rule's run is interrupted (its timeout,
 *   the login's deadline, a denial elsewhere) is aborted and its connection closed (error code `EREQUEST`, for a
 *   callback whose outcome no longer counts);
 * - errors carry a `code`: the system code when Node gives one (`ECONNREFUSED`, `ENOTFOUND`, `ECONNRESET`, ...),
 *   `ETIMEDOUT`, `EBODYTOOLARGE`, `EINVALIDURL` (fetch is not called), `EREDIRECT` (too many redirects), else
 *   `EREQUEST`;
 * - `qs` and `form` repeat the key for arrays (`a=1&a=2`, as with `useQuerystring`), nested objects use brackets
 *   (`a[b]=1`); keys already in the URL's query are kept, not replaced;
 * - at most 20 redirects (fetch's limit; `maxRedirects` is ignored); the response does not say where it ended up;
 * - a body that is neither a string nor bytes (without `json`), or a GET / HEAD with a body (fetch refuses it), is an
 *   `EREQUEST` error instead of a crash or a sent body;
 * - fetch adds its own default headers (`user-agent: node`, `accept`, `accept-encoding`, ...) unless given;
 * - response header names are lower case and repeated headers (`set-cookie` too) are joined with `", "`;
 * - nothing is returned (no stream, no `pipe`, no `.on(...)`); `jar`, cookies, multipart and OAuth signing are not
 *   supported.
 *
 * The callback is called exactly once, always asynchronously, in a microtask of its own outside the promise chain:
 * if it throws, the exception is an uncaught exception (as with `request`), never a second call and never an
 * unhandled rejection (unless `make` was given `onCallbackError`, as the legacy runtime does). Without a callback
 * the request still runs and its outcome, errors included, is dropped.
 *
 * @since 0.1.0
 */
import { callbackErrorsKey } from "./internal/callbackErrors.ts"
import { httpUrl } from "./internal/httpUrl.ts"
import { rfc3986 } from "./internal/rfc3986.ts"

/**
 * A response: status, lower-case headers and the body (a string, parsed JSON with `json`, or a `Buffer` with
 * `encoding: null`).
 *
 * @category models
 * @since 0.1.0
 */
export interface Response {
  readonly statusCode: number
  readonly statusMessage: string
  readonly headers: Record<string, string>
  readonly body: unknown
}

/**
 * A failed request: no response came back. `code` is `ETIMEDOUT`, `ECONNREFUSED`, `ECONNRESET`, `ENOTFOUND`,
 * `EBODYTOOLARGE`, `EINVALIDURL`, `EREDIRECT`, another system code from Node, or `EREQUEST` when there is none.
 * `statusCode` is set for `EBODYTOOLARGE`: the response's status, which arrived before its oversized body.
 *
 * @category models
 * @since 0.1.0
 */
export interface RequestError extends Error {
  readonly code: string
  readonly statusCode?: number
}

/**
 * The callback of a request, called exactly once.
 *
 * @category models
 * @since 0.1.0
 */
export type Callback = (error: RequestError | null, response?: Response, body?: unknown) => void

/**
 * Credentials: Basic (`user` / `username` and `pass` / `password`) or Bearer (`bearer`, a string or a function
 * returning one). `sendImmediately` is ignored: credentials are always sent with the first request.
 *
 * @category models
 * @since 0.1.0
 */
export interface Auth {
  readonly user?: string | undefined
  readonly username?: string | undefined
  readonly pass?: string | undefined
  readonly password?: string | undefined
  readonly bearer?: string | (() => string) | undefined
  readonly sendImmediately?: boolean | undefined
}

/**
 * The options of a request (see the module documentation for what each one does). Unknown options are ignored.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  readonly url?: string | URL | undefined
  readonly uri?: string | URL | undefined
  readonly baseUrl?: string | URL | undefined
  readonly method?: string | undefined
  readonly qs?: Readonly<Record<string, unknown>> | undefined
  readonly headers?: Readonly<Record<string, string | number | ReadonlyArray<string> | undefined>> | undefined
  /** `true`: send `body` as JSON and parse the response as JSON when it is; any other value: the JSON body. */
  readonly json?: unknown
  /** A string or bytes; any value with `json: true`. */
  readonly body?: unknown
  readonly form?: Readonly<Record<string, unknown>> | string | undefined
  readonly auth?: Auth | undefined
  /** Milliseconds for the whole request, body included; 10 000 when not given. */
  readonly timeout?: number | undefined
  /** Follow redirects of GET and HEAD requests (default `true`). */
  readonly followRedirect?: boolean | undefined
  /** Follow redirects of POST, PUT, PATCH and DELETE requests too (default `false`). */
  readonly followAllRedirects?: boolean | undefined
  /** `null`: the body is a `Buffer`; else the `Buffer` encoding of the body string (default `utf8`). */
  readonly encoding?: BufferEncoding | null | undefined
  readonly gzip?: boolean | undefined
  readonly [option: string]: unknown
}

/**
 * One way to send a request: `(url, callback)`, `(options, callback)` or `(url, options, callback)`.
 *
 * @category models
 * @since 0.1.0
 */
export type Send = (uriOrOptions: string | URL | Options, options?: Options | Callback, callback?: Callback) => void

/**
 * The `request` function with its method helpers and `defaults`.
 *
 * @category models
 * @since 0.1.0
 */
export interface Request extends Send {
  readonly get: Send
  readonly head: Send
  readonly post: Send
  readonly put: Send
  readonly patch: Send
  readonly del: Send
  readonly delete: Send
  readonly defaults: (options: Options) => Request
}

const limit = 1 << 20
const jsonType = "application/json"

const fail = (code: string, message: string, cause?: unknown): RequestError =>
  Object.assign(new Error(message, { cause }), { code })

/** `qs` / `form` pairs: arrays repeat the key, nested objects use brackets, `undefined` is dropped. */
const query = (value: unknown, key = "", out: Array<string> = []): Array<string> => {
  if (Array.isArray(value)) { for (const v of value) query(v, key, out) }
  else if (value instanceof Date) query(value.toISOString(), key, out)
  else if (value && typeof value === "object") {
    for (const k in value) query((value as any)[k], key ? `${key}[${k}]` : k, out)
  } else if (value !== undefined) out.push(rfc3986(key) + "=" + rfc3986(value === null ? "" : String(value)))
  return out
}

const basic = (user: unknown, pass: unknown): string =>
  "Basic " + Buffer.from(`${user ?? ""}:${pass ?? ""}`).toString("base64")

/** Header names in lower case, values as strings, `undefined` dropped. */
const lower = (headers: Options["headers"] = {}): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const k in headers) if (headers[k] != null) out[k.toLowerCase()] = [headers[k]].flat().join(", ")
  return out
}

const merge = (a: Options, b: Options): Options => ({
  ...a,
  ...b,
  headers: { ...lower(a.headers), ...lower(b.headers) }
})

const send = async (o: Options, run: AbortSignal | undefined): Promise<Response> => {
  const raw = o.uri ?? o.url ?? ""
  let href = typeof raw === "object" ? raw.href : String(raw)
  const base = o.baseUrl
  if (base != null) {
    if (/:\/\/|^\/\//.test(href)) throw fail("EINVALIDURL", "options.uri must be a path when using options.baseUrl")
    href = href ? String(base).replace(/\/$/, "") + (href[0] === "/" ? "" : "/") + href : String(base)
  }
  const url = httpUrl(href)
  if (url === undefined) {
    // Without the query and credentials: they often hold keys, and this message may reach a log or a user.
    throw fail("EINVALIDURL", `Invalid URI "${href.replace(/\?[\s\S]*$/, "?…").replace(/\/\/[^/@]*@/, "//…@")}"`)
  }
  const headers = lower(o.headers)
  if (url.username || url.password) {
    // fetch refuses credentials in the URL; request sent them as Basic auth
    headers.authorization ??= basic(decodeURIComponent(url.username), decodeURIComponent(url.password))
    url.username = url.password = ""
  }
  const auth = o.auth
  if (auth) {
    headers.authorization = auth.bearer != null
      ? "Bearer " + (typeof auth.bearer === "function" ? auth.bearer() : auth.bearer)
      : basic(auth.user ?? auth.username, auth.pass ?? auth.password)
  }
  const q = query(o.qs).join("&")
  if (q) url.search = url.search ? url.search + "&" + q : q
  const { json, form } = o
  let body = o.body
  if (form != null) {
    body = typeof form === "string" ? form : query(form).join("&")
    headers["content-type"] ??= "application/x-www-form-urlencoded"
  } else if (json) {
    // like request, `json: true` stringifies any body but bytes, strings included
    if (json !== true) body = JSON.stringify(json)
    else if (body !== undefined && !(body instanceof Uint8Array)) body = JSON.stringify(body)
    if (body !== undefined) headers["content-type"] ??= jsonType
  }
  if (json) headers.accept ??= jsonType
  // as bytes, so that fetch adds no `content-type` of its own (request sends none for a plain string)
  if (typeof body === "string") body = Buffer.from(body)
  else if (body != null && !(body instanceof Uint8Array)) throw fail("EREQUEST", "Argument error, options.body.")
  const method = (o.method ?? "GET").toUpperCase()
  // AbortSignal.timeout wants a whole number, and setTimeout fires at once above 2^31 - 1
  const ms = o.timeout! > 0 ? Math.ceil(Math.min(o.timeout!, 2 ** 31 - 1)) : 10_000
  const timeout = AbortSignal.timeout(ms)
  try {
    const res = await fetch(url, {
      method,
      headers,
      body: body as Uint8Array<ArrayBuffer> | null,
      // like request, POST, PUT, PATCH and DELETE redirects are only followed with `followAllRedirects`; never
      // `redirect: "error"`, whose abort Node 22 loses (nodejs/undici#4627): an abort here errors the body's stream
      redirect: o.followRedirect !== false && (o.followAllRedirects || !/^(POST|PUT|PATCH|DELETE)$/.test(method))
        ? "follow"
        : "manual",
      signal: run ? AbortSignal.any([timeout, run]) : timeout
    })
    // A plain body's Content-Length is its size (`+null` is 0): over the cap, the body is refused before a byte of
    // it is read. Never trusted alone: the bytes are counted too.
    let size = res.headers.has("content-encoding") ? 0 : +res.headers.get("content-length")! || 0
    const chunks: Array<Uint8Array> = []
    if (size > limit) await res.body?.cancel()
    else {
      size = 0
      // Leaving the loop early cancels the stream, which closes the connection.
      for await (const chunk of res.body ?? []) {
        if ((size += chunk.length) > limit) break
        chunks.push(chunk)
      }
    }
    // The status is known by then: a rule can still tell a huge 404 or error page from a huge answer.
    if (size > limit) {
      throw Object.assign(fail("EBODYTOOLARGE", `response body exceeds ${limit} bytes`), { statusCode: res.status })
    }
    const bytes = Buffer.concat(chunks)
    let data: unknown = o.encoding === null ? bytes : bytes.toString(o.encoding ?? "utf8")
    if (json) {
      try {
        data = JSON.parse(String(data))
      } catch {
        // not JSON: the body stays as it is, except that an empty body is `undefined`, as in request
        if (!bytes.length) data = undefined
      }
    }
    const out: Record<string, string> = {}
    res.headers.forEach((v, k) => out[k] = k in out ? out[k] + ", " + v : v)
    return { statusCode: res.status, statusMessage: res.statusText, headers: out, body: data }
  } catch (e: any) {
    const cause = e.cause
    const code = cause?.code ?? cause?.errors?.[0]?.code ?? ""
    throw e.name === "TimeoutError" || /TIMEOUT/.test(code)
      ? fail("ETIMEDOUT", `request timed out after ${ms} ms`, e)
      : typeof e.code == "string" // ours (EBODYTOOLARGE); an AbortError's code is a number
      ? e
      : fail(
        code === "UND_ERR_SOCKET"
          ? "ECONNRESET"
          : /redirect/.test(cause?.message)
          ? "EREDIRECT"
          : /^(?!UND_)[A-Z]/.test(code)
          ? code
          : "EREQUEST",
        cause?.message || e.message,
        e
      )
  }
}

/**
 * A `request` function whose calls start from `defaults` (headers merged, call options win). With
 * `onCallbackError`, an exception thrown by a callback goes there instead of becoming an uncaught exception. With
 * `signalOf`, each request is also aborted when the signal it returns at the call aborts.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  defaults: Options = {},
  onCallbackError?: (error: unknown) => void,
  signalOf?: () => AbortSignal | undefined
): Request => {
  const verb = (method?: string): Send => (uri, options, callback) => {
    if (typeof options === "function") {
      callback = options
      options = undefined
    }
    const own = merge(options ?? {}, typeof uri === "string" || uri instanceof URL ? { uri } : uri)
    const cb = callback
    send(merge(defaults, method ? { ...own, method } : own), signalOf?.()).then(
      (r): Parameters<Callback> => [null, r, r.body],
      (e): Parameters<Callback> => [e]
    ).then((args) => {
      // outside the promise chain: a throwing callback is an uncaught exception, never a second call
      if (typeof cb === "function") {
        queueMicrotask(() => {
          if (onCallbackError === undefined) return cb(...args)
          try {
            cb(...args)
          } catch (error) {
            onCallbackError(error)
          }
        })
      }
    })
  }
  const request: any = verb()
  for (const m of ["get", "head", "post", "put", "patch", "delete"]) request[m] = verb(m)
  request.del = request.delete
  request.defaults = (options: Options) => make(merge(defaults, options), onCallbackError, signalOf)
  // LegacyRules.callbackErrorsKey: each legacy rule gets a request whose throwing callbacks deny that login only, and
  // whose requests end with the run of the rule that made them.
  request[callbackErrorsKey] = (onError: (error: unknown) => void, runSignal?: () => AbortSignal | undefined) =>
    make(defaults, onError, runSignal)
  return request
}

/**
 * The stand-in for `require("request")`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const request: Request = make()
