/**
 * SellerApi: fetches a seller by id from the seller service, `GET {SELLER_API_URL}/seller/{id}`.
 *
 * Built on the platform's fetch (through core's HttpBody) rather than effect/http, which would add about 45 kB to an
 * Action bundle. The body is read as a stream and refused past 64 kB (65,536 bytes), whatever its Content-Length
 * says, so an answer of any size costs at most that much memory; it is decoded through Standard Schema (core's Validator) and
 * unknown fields are dropped. Every call has its own timeout and is
 * retried once on a timeout, a connection failure or a 5xx (GET is idempotent). A 404 means "no such seller".
 * Failures are SellerApiError values whose `detail` is for the log: it never holds the URL, the body or a secret.
 *
 * A lookup is one `Effect.callback` around promise code: its attempts, the retry and each attempt's timer (HttpBody's
 * `timeoutMillis`) run outside effect's runtime, so a lookup costs no fiber, sleep or race of its own per login; the
 * callback's signal aborts the request in flight when the lookup is interrupted, and then no attempt follows.
 *
 * @since 0.1.0
 */
import * as Decode from "@rulefx/core/Decode"
import { InvalidData, type MissingSecret } from "@rulefx/core/Denial"
import * as HttpBody from "@rulefx/core/HttpBody"
import * as Secrets from "@rulefx/core/Secrets"
import * as ServiceLayer from "@rulefx/core/ServiceLayer"
import * as v from "@rulefx/core/Validator"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"

/**
 * The seller as the rules see it: exactly these three fields.
 *
 * @category models
 * @since 0.1.0
 */
export interface Seller {
  readonly id: string
  readonly email: string
  readonly name: string
}

/**
 * The schema a seller body must match; extra fields are dropped.
 *
 * @category models
 * @since 0.1.0
 */
export const SellerSchema = v.object({
  id: v.pipe(v.string(), v.minLength(1)),
  email: v.pipe(v.string(), v.email()),
  name: v.string()
})

/**
 * Why a seller lookup failed. Not a denial: the CurrentSeller fact decides what a failure means for the login.
 *
 * @category errors
 * @since 0.1.0
 */
export class SellerApiError extends Data.TaggedError("SellerApiError")<{
  readonly reason: "Status" | "Timeout" | "Network" | "Body"
  readonly status?: number
  readonly detail: string
}> {}

/**
 * Options of the live layer.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** Name of the secret holding the base URL. Default `SELLER_API_URL`. */
  readonly urlSecret?: string
  /** Time limit of one attempt. Default 2 seconds. */
  readonly timeout?: Duration.Input
  /** Extra attempts after a timeout, connection failure or 5xx. Default 1. */
  readonly retries?: number
}

/**
 * The seller service.
 *
 * @category services
 * @since 0.1.0
 */
export class SellerApi extends Context.Service<SellerApi, {
  readonly getSeller: (id: string) => Effect.Effect<Option.Option<Seller>, SellerApiError>
}>()("@rulefx/rules/SellerApi") {
  /** The fetch-based service with default options; the base URL comes from the `SELLER_API_URL` secret. */
  static readonly layer: Layer.Layer<SellerApi, MissingSecret | InvalidData, Secrets.Secrets> = ServiceLayer.effect(
    SellerApi,
    Effect.suspend(() => makeLive({}))
  )

  /** The fetch-based service with the given options. */
  static readonly layerWith = (
    options: Options
  ): Layer.Layer<SellerApi, MissingSecret | InvalidData, Secrets.Secrets> =>
    ServiceLayer.effect(SellerApi, makeLive(options))

  /**
   * An in-memory double: ids map to a seller or to the error to fail with; other ids are "not found". The returned
   * `calls` Ref records every id asked for.
   */
  static readonly layerTest = (
    sellers: Readonly<Record<string, Seller | SellerApiError>>,
    calls?: Ref.Ref<ReadonlyArray<string>>
  ): Layer.Layer<SellerApi> =>
    Layer.succeed(
      SellerApi,
      SellerApi.of({
        getSeller: (id) =>
          Effect.gen(function*() {
            if (calls !== undefined) yield* Ref.update(calls, (ids) => [...ids, id])
            const found = Object.hasOwn(sellers, id) ? sellers[id] : undefined
            if (found === undefined) return Option.none()
            if (found instanceof SellerApiError) return yield* found
            return Option.some(found)
          })
      })
    )
}

type Failed = { readonly code?: unknown; readonly cause?: Failed } | null | undefined

const networkDetail = (cause: unknown): string => {
  // fetch wraps the socket error; its code (ECONNREFUSED, ECONNRESET, ...) says enough without naming the host.
  const code = (cause as Failed)?.cause?.code ?? (cause as Failed)?.code
  return code === undefined ? "connection failed" : `connection failed: ${String(code)}`
}

const decodeSeller = Decode.decodeNow(SellerSchema, "seller body")

/** Bodies larger than this are refused, and read no further: a seller is a few hundred bytes. */
const maxBodyBytes = 65_536

const failure = (reason: SellerApiError["reason"], detail: string) =>
  Effect.fail(new SellerApiError({ reason, detail }))

type Lookup = Effect.Effect<Option.Option<Seller>, SellerApiError>

const utf8 = new TextDecoder()

const parse = (bytes: Uint8Array): unknown => JSON.parse(utf8.decode(bytes))

// The seller in a JSON body, if it is the one asked for: another seller would put someone else's data in this user's
// token.
const sellerOf = (id: string, bytes: Uint8Array): Lookup => {
  // Parsed in plain code (this runs in a promise callback, outside any fiber): no Effect.try and flatMap per lookup.
  let json: unknown
  try {
    json = parse(bytes)
  } catch {
    return failure("Body", "body is not JSON")
  }
  return Effect.catch(
    decodeSeller(json),
    (e) => failure("Body", `body is not a seller: ${e.issues.slice(0, 3).join(", ")}`)
  ).pipe(
    Effect.flatMap((seller) =>
      seller.id === id ? Effect.succeed(Option.some(seller)) : failure("Body", "body is a different seller")
    )
  )
}

// The layer is built per login (its URL comes from the login's secrets), and parsing the URL was about 3 % of a login
// without a seller. The last URL that passed is remembered: a pure check of a string, so logins share no data by it.
let lastGoodUrl: string | undefined

const makeLive = Effect.fnUntraced(function*(options: Options) {
  const urlSecret = options.urlSecret ?? "SELLER_API_URL"
  const baseUrl = Redacted.value(yield* Secrets.get(urlSecret)).replace(/\/+$/, "")
  // A malformed URL is a configuration error, not a network failure to retry: refuse it when the layer is built.
  if (baseUrl !== lastGoodUrl) {
    if (!URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol)) {
      return yield* new InvalidData({ what: `secret ${urlSecret}`, issues: ["expected an http(s) URL"] })
    }
    lastGoodUrl = baseUrl
  }
  const timeoutMillis = Duration.toMillis(Duration.fromInputUnsafe(options.timeout ?? Duration.seconds(2)))
  // Past setTimeout's range (or infinite): no timer, as Effect's own sleep would never end there either.
  const timerMillis = timeoutMillis < 2 ** 31 ? timeoutMillis : undefined
  const retries = options.retries ?? 1

  // One attempt and, on a timeout, a connection failure or a 5xx, the next one at once (GET is idempotent), as plain
  // promise code: each attempt is one HttpBody.fetch with its own timer, and nothing else runs per attempt (no fiber,
  // no timer of effect's, no Schedule). `signal` aborts when the lookup is interrupted (the run's deadline, a denial
  // elsewhere): the request in flight stops, and no attempt follows.
  const attempt = (id: string, url: string, signal: AbortSignal, left: number): Promise<Lookup> =>
    HttpBody.fetch(
      url,
      { signal, redirect: "error", headers: { accept: "application/json" } },
      maxBodyBytes,
      timerMillis
    )
      .then(
        ({ body, response: { status } }) =>
          status >= 500 && left > 0
            ? attempt(id, url, signal, left - 1)
            : status === 404
            // "No such seller", whatever its body says or weighs.
            ? Effect.succeedNone
            : status < 200 || status > 299
            ? Effect.fail(new SellerApiError({ reason: "Status", status, detail: `status ${status}` }))
            : body === undefined
            ? failure("Body", `body is over ${maxBodyBytes} bytes`)
            : sellerOf(id, body),
        (error) =>
          left > 0 && !signal.aborted
            ? attempt(id, url, signal, left - 1)
            : HttpBody.isTimeout(error)
            ? failure("Timeout", `no answer in ${timeoutMillis} ms`)
            : failure("Network", networkDetail(error))
      )

  return SellerApi.of({
    getSeller: (id) =>
      // fetch resolves "." and ".." as path segments (encoded or not), which would leave /seller/.
      id === "." || id === ".." || id.length === 0
        ? failure("Status", "seller id is not a path segment")
        // One callback for the whole lookup, every attempt included. Effect.callback rather than Effect.tryPromise,
        // which only this module used (about 300 bytes of every Action).
        : Effect.callback<Option.Option<Seller>, SellerApiError>((resume, signal) => {
          attempt(id, `${baseUrl}/seller/${encodeURIComponent(id)}`, signal, retries).then(resume, (e) =>
            resume(Effect.die(e)))
        })
  })
})
