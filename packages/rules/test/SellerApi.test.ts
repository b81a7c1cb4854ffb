import { assert, describe, it } from "@effect/vitest"
import { MissingSecret } from "@rulefx/core/Denial"
import { Secrets } from "@rulefx/core/Secrets"
import { type Options, SellerApi, SellerApiError } from "@rulefx/rules/SellerApi"
import * as Leaks from "@rulefx/testing/Leaks"
import * as SellerServer from "@rulefx/testing/SellerServer"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { ada } from "./utils/Fixtures.ts"

const apiLayer = (baseUrl: string, options: Options = {}) =>
  SellerApi.layerWith(options).pipe(Layer.provide(Secrets.layerTest({ SELLER_API_URL: baseUrl })))

/** One lookup through the live layer; the URL secret is set, so a failing layer is a bug of the test. */
const getSeller = (baseUrl: string, id: string, options: Options = {}) =>
  Effect.flatMap(SellerApi, (api) => api.getSeller(id)).pipe(Effect.provide(Layer.orDie(apiLayer(baseUrl, options))))

/** The URL, host and port of `server`, plus any body text it was told to send: none may reach `detail`. */
const assertSafeDetail = (error: SellerApiError, baseUrl: string, bodyText: ReadonlyArray<string> = []): void => {
  const url = new URL(baseUrl)
  Leaks.assertNone(error.detail, [baseUrl, url.host, url.hostname, `:${url.port}`, url.port, ...bodyText])
}

describe("SellerApi", () => {
  describe("layer (live, against a local server)", () => {
    it.live("200: the seller, with unknown fields dropped", () =>
      Effect.gen(function*() {
        const server = yield* SellerServer.scoped({
          "seller-1": SellerServer.seller(ada.id, ada.email, ada.name, { internal_notes: "not for tokens", tier: 3 })
        })
        const seller = yield* getSeller(server.url, "seller-1")
        assert.isTrue(Option.isSome(seller))
        assert.deepStrictEqual(Option.getOrThrow(seller), ada)
        assert.sameMembers(Object.keys(Option.getOrThrow(seller)), ["email", "id", "name"])
        assert.deepStrictEqual(server.requests(), ["/seller/seller-1"])
      }))

    it.live("404: no seller", () =>
      Effect.gen(function*() {
        const server = yield* SellerServer.scoped({ "seller-404": { _tag: "Status", status: 404 } })
        assert.isTrue(Option.isNone(yield* getSeller(server.url, "seller-404")))
        assert.isTrue(Option.isNone(yield* getSeller(server.url, "unknown-id")))
        // A 404 is an answer, not a failure: no retry.
        assert.deepStrictEqual(server.requests(), ["/seller/seller-404", "/seller/unknown-id"])
      }))

    it.live("500: retried once, then a Status error", () =>
      Effect.gen(function*() {
        const server = yield* SellerServer.scoped({ "seller-500": { _tag: "Status", status: 500 } })
        const error = yield* Effect.flip(getSeller(server.url, "seller-500"))
        assert.instanceOf(error, SellerApiError)
        assert.strictEqual(error.reason, "Status")
        assert.strictEqual(error.status, 500)
        assert.strictEqual(server.requests().length, 2)
        assertSafeDetail(error, server.url)
      }))

    it.live("one 503 then a seller: the retry succeeds", () =>
      Effect.gen(function*() {
        // The demo's flaky seller: one 503, then { id: "seller-flaky", email: "flo@shop.example", name: "Flo" }.
        const server = yield* SellerServer.scoped({ "seller-flaky": SellerServer.demoAnswers["seller-flaky"]! })
        const seller = yield* getSeller(server.url, "seller-flaky")
        assert.deepStrictEqual(Option.getOrThrow(seller), {
          id: "seller-flaky",
          email: "flo@shop.example",
          name: "Flo"
        })
        assert.strictEqual(server.requests().length, 2)
      }))

    it.live("400: a Status error, not retried", () =>
      Effect.gen(function*() {
        const server = yield* SellerServer.scoped({ "seller-400": { _tag: "Status", status: 400 } })
        const error = yield* Effect.flip(getSeller(server.url, "seller-400"))
        assert.strictEqual(error.reason, "Status")
        assert.strictEqual(error.status, 400)
        assert.strictEqual(server.requests().length, 1)
        assertSafeDetail(error, server.url)
      }))

    it.live("a body that is not JSON: a Body error", () =>
      Effect.gen(function*() {
        const server = yield* SellerServer.scoped({ "seller-garbage": { _tag: "Garbage" } })
        const error = yield* Effect.flip(getSeller(server.url, "seller-garbage"))
        assert.strictEqual(error.reason, "Body")
        assert.isUndefined(error.status)
        // A bad body is an answer: retrying would not change it.
        assert.strictEqual(server.requests().length, 1)
        assertSafeDetail(error, server.url, ["<html>", "<html>not json"])
      }))

    it.live("JSON of the wrong shape: a Body error that does not echo the body", () =>
      Effect.gen(function*() {
        const server = yield* SellerServer.scoped({
          "seller-shape": { _tag: "Json", body: { id: 7, mail: "leak-marker@body.example" } }
        })
        const shape = yield* Effect.flip(getSeller(server.url, "seller-shape"))
        assert.strictEqual(shape.reason, "Body")
        assertSafeDetail(shape, server.url, ["leak-marker", "body.example", "7"])
        assert.strictEqual(server.requests().length, 1)
      }))

    it.live("a seller whose email is not an email: a Body error", () =>
      Effect.gen(function*() {
        const server = yield* SellerServer.scoped({
          "seller-email": { _tag: "Json", body: { id: "s-2", email: "not-an-email", name: "Bea" } }
        })
        const error = yield* Effect.flip(getSeller(server.url, "seller-email"))
        assert.strictEqual(error.reason, "Body")
        assert.strictEqual(server.requests().length, 1)
        assertSafeDetail(error, server.url, ["not-an-email"])
      }))

    it.live("a dot-segment id (\".\", \"..\") fails without a request: fetch would leave /seller/", () =>
      Effect.gen(function*() {
        const server = yield* SellerServer.scoped({})
        for (const id of [".", ".."]) {
          const error = yield* Effect.flip(getSeller(`${server.url}/api`, id))
          assert.strictEqual(error.reason, "Status")
        }
        assert.deepStrictEqual(server.requests(), [])
      }))

    it.live("a server that never answers: a Timeout error after 2 attempts, well under 1 s", () =>
      Effect.gen(function*() {
        const server = yield* SellerServer.scoped({ "seller-hang": { _tag: "Hang" } })
        const [elapsed, error] = yield* Effect.timed(
          Effect.flip(getSeller(server.url, "seller-hang", { timeout: "200 millis" }))
        )
        assert.strictEqual(error.reason, "Timeout")
        assert.strictEqual(server.requests().length, 2)
        const millis = Duration.toMillis(elapsed)
        assert.isAtLeast(millis, 390)
        assert.isBelow(millis, 1000)
        assertSafeDetail(error, server.url)
      }))

    it.live("retries: 0 makes one attempt only", () =>
      Effect.gen(function*() {
        const server = yield* SellerServer.scoped({ "seller-500": { _tag: "Status", status: 500 } })
        const error = yield* Effect.flip(getSeller(server.url, "seller-500", { retries: 0 }))
        assert.strictEqual(error.reason, "Status")
        assert.strictEqual(server.requests().length, 1)
      }))

    it.live("a slow answer inside the timeout is a seller", () =>
      Effect.gen(function*() {
        const server = yield* SellerServer.scoped({
          [ada.id]: { _tag: "Json", body: ada, delayMillis: 50 }
        })
        const seller = yield* getSeller(server.url, ada.id, { timeout: "1 second" })
        assert.deepStrictEqual(Option.getOrThrow(seller), ada)
        assert.strictEqual(server.requests().length, 1)
      }))

    it.live("a body holding a different seller than the one asked for: a Body error", () =>
      Effect.gen(function*() {
        const server = yield* SellerServer.scoped({
          "seller-x": SellerServer.seller("someone-else", ada.email, ada.name)
        })
        const error = yield* Effect.flip(getSeller(server.url, "seller-x"))
        assert.strictEqual(error.reason, "Body")
        assert.strictEqual(error.detail, "body is a different seller")
      }))

    it.live("a body over 64 kB: a Body error, not parsed", () =>
      Effect.gen(function*() {
        const server = yield* SellerServer.scoped({
          [ada.id]: SellerServer.seller(ada.id, ada.email, ada.name, { padding: "x".repeat(70 * 1024) })
        })
        const error = yield* Effect.flip(getSeller(server.url, ada.id))
        assert.strictEqual(error.reason, "Body")
        assert.match(error.detail, /over/)
      }))

    it.effect("a SELLER_API_URL that is not an http(s) URL fails the layer with InvalidData", () =>
      Effect.gen(function*() {
        for (const url of ["not a url", "ftp://sellers.example", "file:///etc/passwd"]) {
          const error = yield* Effect.flip(Layer.build(apiLayer(url)).pipe(Effect.scoped))
          assert.strictEqual(error._tag, "InvalidData")
          assert.notInclude(JSON.stringify(error), url)
        }
      }))

    it.live("connection refused: a Network error", () =>
      Effect.gen(function*() {
        // A server that has been closed leaves a URL nobody listens on.
        const closedUrl = yield* Effect.scoped(Effect.map(SellerServer.scoped({}), (server) => server.url))
        const error = yield* Effect.flip(getSeller(closedUrl, "seller-1"))
        assert.strictEqual(error.reason, "Network")
        assert.isUndefined(error.status)
        assertSafeDetail(error, closedUrl)
      }))

    it.live("a trailing slash in the base URL is fine", () =>
      Effect.gen(function*() {
        const server = yield* SellerServer.scoped({ "seller-1": SellerServer.seller(ada.id, ada.email, ada.name) })
        const seller = yield* getSeller(`${server.url}//`, "seller-1")
        assert.deepStrictEqual(Option.getOrThrow(seller), ada)
        assert.deepStrictEqual(server.requests(), ["/seller/seller-1"])
      }))

    it.live("the seller id is URL-encoded", () =>
      Effect.gen(function*() {
        const server = yield* SellerServer.scoped({
          "a/b?c=d#e": SellerServer.seller("a/b?c=d#e", ada.email, ada.name)
        })
        const seller = yield* getSeller(server.url, "a/b?c=d#e")
        assert.deepStrictEqual(Option.getOrThrow(seller), { ...ada, id: "a/b?c=d#e" })
        assert.deepStrictEqual(server.requests(), ["/seller/a%2Fb%3Fc%3Dd%23e"])
      }))

    it.live("urlSecret names the secret holding the base URL", () =>
      Effect.gen(function*() {
        const server = yield* SellerServer.scoped({ "seller-1": SellerServer.seller(ada.id, ada.email, ada.name) })
        const seller = yield* Effect.flatMap(SellerApi, (api) => api.getSeller("seller-1")).pipe(
          Effect.provide(
            SellerApi.layerWith({ urlSecret: "SHOP_API" }).pipe(
              Layer.provide(Secrets.layerTest({ SHOP_API: server.url }))
            )
          )
        )
        assert.deepStrictEqual(Option.getOrThrow(seller), ada)
      }))

    it.effect("a missing SELLER_API_URL fails the layer with MissingSecret", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(
          Effect.flatMap(SellerApi, (api) => api.getSeller("seller-1")).pipe(
            Effect.provide(SellerApi.layer.pipe(Layer.provide(Secrets.layerTest({}))))
          )
        )
        assert.instanceOf(error, MissingSecret)
        assert.strictEqual(error._tag, "MissingSecret")
        if (error._tag === "MissingSecret") assert.strictEqual(error.name, "SELLER_API_URL")
      }))

    it.effect("an empty SELLER_API_URL counts as missing", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(
          Effect.flatMap(SellerApi, (api) => api.getSeller("seller-1")).pipe(Effect.provide(apiLayer("")))
        )
        assert.strictEqual(error._tag, "MissingSecret")
      }))
  })

  describe("layerTest", () => {
    it.effect("answers from the map and records every id asked for", () =>
      Effect.gen(function*() {
        const calls = yield* Ref.make<ReadonlyArray<string>>([])
        const failure = new SellerApiError({ reason: "Timeout", detail: "no answer in 2000 ms" })
        const api = yield* Effect.provide(
          Effect.service(SellerApi),
          SellerApi.layerTest({ "seller-1": ada, "seller-down": failure }, calls)
        )
        assert.deepStrictEqual(Option.getOrThrow(yield* api.getSeller("seller-1")), ada)
        assert.isTrue(Option.isNone(yield* api.getSeller("nobody")))
        assert.strictEqual(yield* Effect.flip(api.getSeller("seller-down")), failure)
        // An id that names an Object.prototype member is still "not found".
        assert.isTrue(Option.isNone(yield* api.getSeller("constructor")))
        assert.deepStrictEqual(yield* Ref.get(calls), ["seller-1", "nobody", "seller-down", "constructor"])
      }))
  })
})
