import { assert, describe, it } from "@effect/vitest"
import { MissingSecret } from "@rulefx/core/Denial"
import { Secrets } from "@rulefx/core/Secrets"
import { type Options, SellerApi, SellerApiError } from "@rulefx/rules/SellerApi"
import * as Leaks from "@rulefx/testing/Leaks"
import * as Listen from "@rulefx/testing/Listen"
import * as SellerServer from "@rulefx/testing/SellerServer"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { createServer } from "node:http"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
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

  describe("bodies, read as capped streams (live, against a local server)", () => {
    interface Seen {
      readonly id: string
      sent: number
      closed: boolean
    }
    const chunk = Buffer.alloc(64 * 1024, 32)

    /** A server whose answer for `/seller/{status}-{shape}` is the status with: an endless body, 500 MB announced
     * by Content-Length and never sent, or a body that drips; and `/seller/exact-{n}` a seller of exactly n bytes. */
    const floodServer = Effect.acquireRelease(
      Effect.promise(async () => {
        const seen: Array<Seen> = []
        const listening = await Listen.listen(createServer((req, res) => {
          const id = decodeURIComponent((req.url ?? "").replace(/^\/seller\//, ""))
          const record: Seen = { id, sent: 0, closed: false }
          seen.push(record)
          res.on("close", () => {
            record.closed = true
          })
          const [code, shape] = id.split("-")
          if (code === "exact") {
            const base = JSON.stringify({ ...ada, id, name: "" })
            const body = JSON.stringify({ ...ada, id, name: "n".repeat(Number(shape) - base.length) })
            return void res.writeHead(200).end(body)
          }
          if (shape === "announced") {
            res.writeHead(Number(code), { "content-length": String(500 * 1024 * 1024) })
            return void res.flushHeaders()
          }
          res.writeHead(Number(code))
          if (shape === "drip") {
            const timer = setInterval(() => {
              record.sent++
              res.write(" ")
            }, 20)
            return void res.on("close", () => clearInterval(timer))
          }
          const pump = () => {
            while (!record.closed) {
              record.sent += chunk.length
              if (!res.write(chunk)) return void res.once("drain", pump)
            }
          }
          pump()
        }))
        return { ...listening, seen }
      }),
      (server) => Effect.promise(() => server.close())
    )

    /** Waits (up to 5 s) until the server saw every connection for `id` close; the seen requests for it. */
    const allClosed = (server: { readonly seen: ReadonlyArray<Seen> }, id: string) => {
      const mine = () => server.seen.filter((s) => s.id === id)
      return Effect.promise(async () => {
        for (let i = 0; i < 500 && mine().some((s) => !s.closed); i++) {
          // oxlint-disable-next-line no-await-in-loop
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
        for (const s of mine()) assert.isTrue(s.closed, `${id}: a connection is still open`)
        return mine()
      })
    }

    it.live("a 200 with an endless body: a Body error at 64 kB, one request, the connection closed", () =>
      Effect.gen(function*() {
        const server = yield* floodServer
        const error = yield* Effect.flip(getSeller(server.url, "200-endless"))
        assert.strictEqual(error.reason, "Body")
        assert.strictEqual(error.detail, "body is over 65536 bytes")
        const seen = yield* allClosed(server, "200-endless")
        assert.strictEqual(seen.length, 1)
        // What socket buffers took in before the close, not the body.
        assert.isBelow(seen[0]!.sent, 16 * 1024 * 1024)
      }))

    it.live("a 200 announcing 500 MB: a Body error without waiting for a byte of it", () =>
      Effect.gen(function*() {
        const server = yield* floodServer
        const error = yield* Effect.flip(getSeller(server.url, "200-announced", { timeout: "10 seconds" }))
        assert.strictEqual(error.reason, "Body")
        yield* allClosed(server, "200-announced")
      }))

    it.live("a seller of exactly 65,536 bytes is read; one byte more is a Body error", () =>
      Effect.gen(function*() {
        const server = yield* floodServer
        const seller = yield* getSeller(server.url, "exact-65536")
        assert.strictEqual(JSON.stringify(Option.getOrThrow(seller)).length, 65_536)
        const error = yield* Effect.flip(getSeller(server.url, "exact-65537"))
        assert.strictEqual(error.detail, "body is over 65536 bytes")
      }))

    it.live("a 404 with an endless body is still no seller, and the connection is closed", () =>
      Effect.gen(function*() {
        const server = yield* floodServer
        assert.isTrue(Option.isNone(yield* getSeller(server.url, "404-endless")))
        yield* allClosed(server, "404-endless")
      }))

    it.live("a 503 with an endless body is still a 503: retried once, then a Status error", () =>
      Effect.gen(function*() {
        const server = yield* floodServer
        const error = yield* Effect.flip(getSeller(server.url, "503-endless"))
        assert.strictEqual(error.reason, "Status")
        assert.strictEqual(error.status, 503)
        assert.strictEqual((yield* allClosed(server, "503-endless")).length, 2)
      }))

    it.live("a body that drips past the attempt's timeout: a Timeout, and both connections are closed", () =>
      Effect.gen(function*() {
        const server = yield* floodServer
        const error = yield* Effect.flip(getSeller(server.url, "200-drip", { timeout: "300 millis" }))
        assert.strictEqual(error.reason, "Timeout")
        const seen = yield* allClosed(server, "200-drip")
        assert.strictEqual(seen.length, 2)
        const sent = seen.map((s) => s.sent)
        yield* Effect.sleep("100 millis")
        assert.deepStrictEqual(seen.map((s) => s.sent), sent, "a drip goes on after its request was given up")
      }))

    it.live("interrupted mid-body (a deadline elsewhere): the connection is closed", () =>
      Effect.gen(function*() {
        const server = yield* floodServer
        // Garbage collected first: Node 22 then loses a plain abort of this fetch (nodejs/undici#4627).
        setFlagsFromString("--expose-gc")
        const gc = runInNewContext("gc") as () => void
        const fiber = yield* Effect.forkChild(getSeller(server.url, "200-drip", { timeout: "10 seconds" }))
        yield* Effect.sleep("200 millis")
        gc()
        yield* Fiber.interrupt(fiber)
        yield* allClosed(server, "200-drip")
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
