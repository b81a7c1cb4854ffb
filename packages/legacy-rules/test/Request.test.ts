import { make, type Options, request, type RequestError, type Response, type Send } from "@rulefx/legacy-rules/Request"
import * as Listen from "@rulefx/testing/Listen"
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http"
import { gzipSync } from "node:zlib"
import { afterEach, assert, describe, it, vi } from "vitest"

interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

interface Server {
  readonly url: string
  /** Requests received so far (recorded once their body is read). */
  readonly seen: Array<Seen>
  /** Paths whose connection has been closed. */
  readonly closed: Array<string>
}

const servers: Array<Listen.Listening> = []

afterEach(async () => {
  vi.restoreAllMocks()
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

/** A server on 127.0.0.1 answering with `handler`; it records requests and closed connections. */
const serve = async (handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> => {
  const seen: Array<Seen> = []
  const closed: Array<string> = []
  const server = createServer((req, res) => {
    req.socket.once("close", () => closed.push(req.url!))
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() })
      handler(req, res)
    })
  })
  const listening = await Listen.listen(server)
  servers.push(listening)
  return { url: listening.url, seen, closed }
}

/** Answers every request with `status`, `body` and `headers`. */
const answer = (status: number, body: string | Buffer = "", headers: Record<string, string> = {}) =>
  serve((_, res) => {
    res.writeHead(status, headers)
    res.end(body)
  })

const json = (status: number, value: unknown) =>
  answer(status, JSON.stringify(value), { "content-type": "application/json" })

/** A port nothing listens on (a server was there a moment ago). */
const closedPort = async (): Promise<string> => {
  const { close, url } = await Listen.listen(createServer())
  await close()
  return url
}

interface Outcome {
  readonly error: RequestError | null
  readonly response: Response | undefined
  readonly body: unknown
  /** How many times the callback ran. */
  readonly calls: () => number
}

/** Sends with a callback; resolves on the first call, then keeps counting calls. */
const call = (send: Send, ...args: [string | URL | Options, Options?]): Promise<Outcome> =>
  new Promise((resolve) => {
    let calls = 0
    const callback = (error: RequestError | null, response?: Response, body?: unknown) => {
      calls++
      resolve({ error, response, body, calls: () => calls })
    }
    if (args.length === 1) send(args[0], callback)
    else send(args[0], args[1], callback)
  })

const ok = async (send: Send, ...args: [string | URL | Options, Options?]) => {
  const outcome = await call(send, ...args)
  assert.isNull(outcome.error)
  assert.strictEqual(outcome.response!.body, outcome.body)
  return outcome.response!
}

const failed = async (send: Send, ...args: [string | URL | Options, Options?]): Promise<RequestError> => {
  const outcome = await call(send, ...args)
  assert.instanceOf(outcome.error, Error)
  assert.isUndefined(outcome.response)
  assert.isUndefined(outcome.body)
  return outcome.error!
}

/** `/final` answers `final METHOD`, `/loop` redirects to itself, anything else redirects to `/final`. */
const redirecting = () =>
  serve((req, res) => {
    if (req.url === "/final") {
      res.end(`final ${req.method}`)
    } else if (req.url === "/loop") {
      res.writeHead(302, { location: "/loop" }).end()
    } else {
      res.writeHead(302, { location: "/final" }).end("moved")
    }
  })

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))

describe("Request", () => {
  describe("JSON", () => {
    it("GET with json: true parses the body and asks for JSON", async () => {
      const server = await json(200, { id: "u1", roles: ["a", "b"] })
      const response = await ok(request, { url: `${server.url}/user`, json: true })
      assert.strictEqual(response.statusCode, 200)
      assert.strictEqual(response.statusMessage, "OK")
      assert.strictEqual(response.headers["content-type"], "application/json")
      assert.deepStrictEqual(response.body, { id: "u1", roles: ["a", "b"] })
      assert.strictEqual(server.seen.length, 1)
      assert.strictEqual(server.seen[0]!.method, "GET")
      assert.strictEqual(server.seen[0]!.url, "/user")
      assert.strictEqual(server.seen[0]!.headers.accept, "application/json")
      assert.strictEqual(server.seen[0]!.body, "")
    })

    it("POST with json: true sends the object body as JSON", async () => {
      const server = await json(201, { created: true })
      const response = await ok(request.post, `${server.url}/users`, { json: true, body: { name: "Ada", n: 1 } })
      assert.strictEqual(response.statusCode, 201)
      assert.deepStrictEqual(response.body, { created: true })
      const seen = server.seen[0]!
      assert.strictEqual(seen.method, "POST")
      assert.strictEqual(seen.headers["content-type"], "application/json")
      assert.strictEqual(seen.headers.accept, "application/json")
      assert.strictEqual(seen.body, "{\"name\":\"Ada\",\"n\":1}")
    })

    it("json as an object is the body; a content-type header given is kept", async () => {
      const server = await json(200, {})
      await ok(request, {
        uri: server.url,
        method: "put",
        json: { a: [1] },
        headers: { "Content-Type": "application/vnd.api+json" }
      })
      assert.strictEqual(server.seen[0]!.method, "PUT")
      assert.strictEqual(server.seen[0]!.body, "{\"a\":[1]}")
      assert.strictEqual(server.seen[0]!.headers["content-type"], "application/vnd.api+json")
    })

    it("json: true stringifies a string body too, like request", async () => {
      const server = await json(200, {})
      await ok(request.post, server.url, { json: true, body: "{\"a\":1}" })
      assert.strictEqual(server.seen[0]!.body, "\"{\\\"a\\\":1}\"")
    })

    it("with json: true, a body that is not JSON stays a string; an empty one is undefined", async () => {
      const text = await answer(200, "<html>not json</html>", { "content-type": "text/html" })
      const response = await ok(request, text.url, { json: true })
      assert.strictEqual(response.body, "<html>not json</html>")
      const empty = await answer(204)
      const none = await ok(request, empty.url, { json: true })
      assert.strictEqual(none.statusCode, 204)
      assert.isUndefined(none.body)
    })

    it("without json the body is the text, even if it is JSON", async () => {
      const server = await json(200, { a: 1 })
      const response = await ok(request, server.url)
      assert.strictEqual(response.body, "{\"a\":1}")
      assert.strictEqual(server.seen[0]!.headers.accept, "*/*")
    })
  })

  describe("bodies", () => {
    it("form: urlencoded body and content-type", async () => {
      const server = await answer(200, "ok")
      await ok(request.post, { url: server.url, form: { a: "1 2", b: ["x", "y"], c: { d: "e!" }, skip: undefined } })
      assert.strictEqual(server.seen[0]!.headers["content-type"], "application/x-www-form-urlencoded")
      assert.strictEqual(server.seen[0]!.body, "a=1%202&b=x&b=y&c%5Bd%5D=e%21")
    })

    it("form with json: true stays a form, the answer is parsed", async () => {
      const server = await json(200, { access_token: "t" })
      const response = await ok(request.post, server.url, { form: { grant_type: "client_credentials" }, json: true })
      assert.deepStrictEqual(response.body, { access_token: "t" })
      assert.strictEqual(server.seen[0]!.body, "grant_type=client_credentials")
      assert.strictEqual(server.seen[0]!.headers["content-type"], "application/x-www-form-urlencoded")
      assert.strictEqual(server.seen[0]!.headers.accept, "application/json")
    })

    it("a string body is sent as is, without a content-type", async () => {
      const server = await answer(200)
      await ok(request.post, server.url, { body: "plain é" })
      assert.strictEqual(server.seen[0]!.body, "plain é")
      assert.isUndefined(server.seen[0]!.headers["content-type"])
      assert.strictEqual(server.seen[0]!.headers["content-length"], "8")
    })

    it("a Buffer body is sent as bytes", async () => {
      const server = await answer(200)
      await ok(request.put, server.url, { body: Buffer.from("bytes"), headers: { "content-type": "text/plain" } })
      assert.strictEqual(server.seen[0]!.body, "bytes")
      assert.strictEqual(server.seen[0]!.headers["content-type"], "text/plain")
    })

    it("an object body without json is an EREQUEST error, nothing is sent", async () => {
      const server = await answer(200)
      const error = await failed(request.post, server.url, { body: { a: 1 } })
      assert.strictEqual(error.code, "EREQUEST")
      assert.strictEqual(server.seen.length, 0)
    })

    it("encoding: null gives the bytes as a Buffer", async () => {
      const bytes = Buffer.from([0, 1, 0xff, 0xfe, 65])
      const server = await answer(200, bytes, { "content-type": "application/octet-stream" })
      const response = await ok(request, server.url, { encoding: null })
      assert.isTrue(Buffer.isBuffer(response.body))
      assert.deepStrictEqual([...(response.body as Buffer)], [0, 1, 0xff, 0xfe, 65])
      const empty = await answer(200)
      const none = await ok(request, empty.url, { encoding: null })
      assert.isTrue(Buffer.isBuffer(none.body))
      assert.strictEqual((none.body as Buffer).length, 0)
    })

    it("another encoding decodes the body with it", async () => {
      const server = await answer(200, Buffer.from("hi"))
      const response = await ok(request, server.url, { encoding: "base64" })
      assert.strictEqual(response.body, "aGk=")
    })
  })

  describe("URLs", () => {
    it("qs: appended to the query already in the URL, arrays repeat the key, null is empty", async () => {
      const server = await answer(200)
      await ok(request, `${server.url}/search?x=1`, {
        qs: { a: [1, 2], b: "c d&e", n: null, u: undefined, when: new Date(0) }
      })
      assert.strictEqual(server.seen[0]!.url, "/search?x=1&a=1&a=2&b=c%20d%26e&n=&when=1970-01-01T00%3A00%3A00.000Z")
    })

    it("qs on a URL without a query", async () => {
      const server = await answer(200)
      await ok(request, { url: `${server.url}/p`, qs: { q: "1" } })
      await ok(request, { url: `${server.url}/p`, qs: {} })
      assert.deepStrictEqual(server.seen.map((s) => s.url), ["/p?q=1", "/p"])
    })

    it("baseUrl is joined with the url like request does", async () => {
      const server = await answer(200)
      await ok(request, { baseUrl: `${server.url}/api/`, url: "/users" })
      await ok(request, { baseUrl: `${server.url}/api`, url: "users" })
      await ok(request, { baseUrl: `${server.url}/api`, url: "/users" })
      await ok(request, { baseUrl: `${server.url}/api/`, url: "users?x=1" })
      await ok(request, { baseUrl: `${server.url}/api/`, url: "" })
      await ok(make({ baseUrl: `${server.url}/v2` }).get, "items")
      assert.deepStrictEqual(server.seen.map((s) => s.url), [
        "/api/users",
        "/api/users",
        "/api/users",
        "/api/users?x=1",
        "/api/",
        "/v2/items"
      ])
    })

    it("baseUrl with an absolute url is an EINVALIDURL error", async () => {
      const server = await answer(200)
      const error = await failed(request, { baseUrl: server.url, url: `${server.url}/x` })
      assert.strictEqual(error.code, "EINVALIDURL")
      assert.strictEqual(error.message, "options.uri must be a path when using options.baseUrl")
      assert.strictEqual(server.seen.length, 0)
    })

    it("a URL object is accepted as the url", async () => {
      const server = await answer(200, "u")
      const response = await ok(request, new URL(`${server.url}/obj?k=v`))
      assert.strictEqual(response.body, "u")
      assert.strictEqual(server.seen[0]!.url, "/obj?k=v")
    })

    it("an invalid URL is an EINVALIDURL error and fetch is not called", async () => {
      const fetch = vi.spyOn(globalThis, "fetch")
      const urls = ["not a url", "ftp://127.0.0.1/file", "", "/relative"]
      const errors = await Promise.all(urls.map((url) => failed(request, url)))
      assert.deepStrictEqual(errors.map((e) => e.code), urls.map(() => "EINVALIDURL"))
      assert.deepStrictEqual(errors.map((e) => e.message), urls.map((url) => `Invalid URI "${url}"`))
      assert.strictEqual((await failed(request, {})).code, "EINVALIDURL")
      assert.strictEqual(fetch.mock.calls.length, 0)
    })

    it("an invalid URL's message leaves out its query and credentials, which often hold keys", async () => {
      const errors = await Promise.all([
        failed(request, "undefined/check?api_key=sk_live_123&x=1"),
        failed(request, "ftp://user:hunter2@files.example/f?token=t")
      ])
      assert.deepStrictEqual(errors.map((e) => e.message), [
        `Invalid URI "undefined/check?…"`,
        `Invalid URI "ftp://…@files.example/f?…"`
      ])
    })

    it("make(defaults, onCallbackError): a throwing callback goes to onCallbackError, also after defaults()", async () => {
      const caught: Array<unknown> = []
      const safe = make({}, (error) => caught.push(error)).defaults({ timeout: 1000 })
      await new Promise<void>((resolve) => {
        safe("not a url", () => {
          queueMicrotask(resolve)
          throw new Error("thrown by the rule")
        })
      })
      assert.deepStrictEqual(caught.map((e) => (e as Error).message), ["thrown by the rule"])
    })
  })

  describe("headers and auth", () => {
    it("headers are sent; numbers and arrays become strings; undefined is dropped", async () => {
      const server = await answer(200)
      await ok(request, server.url, {
        headers: { "X-Api-Key": "k1", "X-Count": 3, "X-List": ["a", "b"], "X-None": undefined, "User-Agent": "rule" }
      })
      const headers = server.seen[0]!.headers
      assert.strictEqual(headers["x-api-key"], "k1")
      assert.strictEqual(headers["x-count"], "3")
      assert.strictEqual(headers["x-list"], "a, b")
      assert.strictEqual(headers["user-agent"], "rule")
      assert.notProperty(headers, "x-none")
    })

    it("response headers: lower case, repeated ones joined", async () => {
      const server = await serve((_, res) => {
        res.setHeader("X-One", "1")
        res.setHeader("Set-Cookie", ["a=1", "b=2"])
        res.end()
      })
      const response = await ok(request, server.url)
      assert.strictEqual(response.headers["x-one"], "1")
      assert.strictEqual(response.headers["set-cookie"], "a=1, b=2")
    })

    it("auth: basic from user/pass and username/password", async () => {
      const server = await answer(200)
      await ok(request, server.url, { auth: { user: "ada", pass: "s3cr:t" } })
      await ok(request, server.url, { auth: { username: "bob", password: "pw" } })
      await ok(request, server.url, { auth: { user: "only" } })
      assert.deepStrictEqual(server.seen.map((s) => s.headers.authorization), [
        "Basic " + Buffer.from("ada:s3cr:t").toString("base64"),
        "Basic " + Buffer.from("bob:pw").toString("base64"),
        "Basic " + Buffer.from("only:").toString("base64")
      ])
    })

    it("auth: bearer, as a string or a function; it replaces an authorization header", async () => {
      const server = await answer(200)
      await ok(request, server.url, { auth: { bearer: "tok" }, headers: { Authorization: "old" } })
      await ok(request, server.url, { auth: { bearer: () => "fn-tok" } })
      assert.deepStrictEqual(server.seen.map((s) => s.headers.authorization), ["Bearer tok", "Bearer fn-tok"])
    })

    it("credentials in the URL become Basic auth and leave the URL", async () => {
      const server = await answer(200)
      const url = server.url.replace("http://", "http://us%40er:p%3Ass@")
      await ok(request, `${url}/x`)
      assert.strictEqual(server.seen[0]!.url, "/x")
      assert.strictEqual(server.seen[0]!.headers.authorization, "Basic " + Buffer.from("us@er:p:ss").toString("base64"))
    })
  })

  describe("statuses", () => {
    it("404 and 500 are responses, not errors", async () => {
      const missing = await json(404, { error: "not_found" })
      const notFound = await call(request, missing.url, { json: true })
      assert.isNull(notFound.error)
      assert.strictEqual(notFound.response!.statusCode, 404)
      assert.strictEqual(notFound.response!.statusMessage, "Not Found")
      assert.deepStrictEqual(notFound.body, { error: "not_found" })
      const broken = await answer(500, "boom")
      const serverError = await call(request, broken.url)
      assert.isNull(serverError.error)
      assert.strictEqual(serverError.response!.statusCode, 500)
      assert.strictEqual(serverError.response!.statusMessage, "Internal Server Error")
      assert.strictEqual(serverError.body, "boom")
    })
  })

  describe("redirects", () => {
    it("GET redirects are followed", async () => {
      const server = await redirecting()
      const response = await ok(request, `${server.url}/start`)
      assert.strictEqual(response.statusCode, 200)
      assert.strictEqual(response.body, "final GET")
      assert.deepStrictEqual(server.seen.map((s) => s.url), ["/start", "/final"])
    })

    it("followRedirect: false returns the 3xx response as is", async () => {
      const server = await redirecting()
      const response = await ok(request, `${server.url}/start`, { followRedirect: false })
      assert.strictEqual(response.statusCode, 302)
      assert.strictEqual(response.headers.location, "/final")
      assert.strictEqual(response.body, "moved")
      assert.deepStrictEqual(server.seen.map((s) => s.url), ["/start"])
    })

    it("POST redirects are not followed unless followAllRedirects, like request", async () => {
      const server = await redirecting()
      const post = await ok(request.post, `${server.url}/start`, { body: "x" })
      assert.strictEqual(post.statusCode, 302)
      const followed = await ok(request.post, `${server.url}/start`, { body: "x", followAllRedirects: true })
      assert.strictEqual(followed.statusCode, 200)
      assert.strictEqual(followed.body, "final GET")
      assert.deepStrictEqual(server.seen.map((s) => s.url), ["/start", "/start", "/final"])
    })

    it("a redirect loop is an EREDIRECT error", async () => {
      const server = await redirecting()
      const error = await failed(request, `${server.url}/loop`)
      assert.strictEqual(error.code, "EREDIRECT")
      assert.strictEqual(server.seen.length, 21)
    })
  })

  describe("failures", () => {
    it("timeout: a server that never answers gives ETIMEDOUT and sees the connection closed", async () => {
      const server = await serve(() => {})
      const started = Date.now()
      const error = await failed(request, `${server.url}/hang`, { timeout: 100 })
      const elapsed = Date.now() - started
      assert.strictEqual(error.code, "ETIMEDOUT")
      assert.strictEqual(error.message, "request timed out after 100 ms")
      assert.isAtLeast(elapsed, 95)
      assert.isBelow(elapsed, 2000)
      await vi.waitFor(() => assert.deepStrictEqual(server.closed, ["/hang"]), { timeout: 2000 })
    })

    it("timeout covers the body: headers then silence is ETIMEDOUT", async () => {
      const server = await serve((_, res) => {
        res.writeHead(200, { "content-type": "text/plain" })
        res.write("partial")
      })
      const error = await failed(request, `${server.url}/slow`, { timeout: 150 })
      assert.strictEqual(error.code, "ETIMEDOUT")
      assert.strictEqual(error.message, "request timed out after 150 ms")
      await vi.waitFor(() => assert.deepStrictEqual(server.closed, ["/slow"]), { timeout: 2000 })
    })

    it("the default timeout applies when a call gives none", async () => {
      const server = await serve(() => {})
      const error = await failed(make({ timeout: 150 }), server.url)
      assert.strictEqual(error.code, "ETIMEDOUT")
      assert.strictEqual(error.message, "request timed out after 150 ms")
    })

    it("without a timeout the fetch is aborted after 10 000 ms; odd timeouts are made usable", async () => {
      const server = await answer(200)
      const timeout = vi.spyOn(AbortSignal, "timeout")
      await ok(request, server.url)
      await ok(request, server.url, { timeout: 0 })
      await ok(request, server.url, { timeout: 150.2 })
      await ok(request, server.url, { timeout: 2 ** 40 })
      assert.deepStrictEqual(timeout.mock.calls, [[10_000], [10_000], [151], [2 ** 31 - 1]])
    })

    it("a body of exactly 1 MiB is fine; one byte more is EBODYTOOLARGE", async () => {
      const exact = await answer(200, Buffer.alloc(1 << 20, 97))
      const response = await ok(request, exact.url, { encoding: null })
      assert.strictEqual((response.body as Buffer).length, 1 << 20)
      const tooBig = await answer(200, Buffer.alloc((1 << 20) + 1, 97))
      const error = await failed(request, `${tooBig.url}/big`)
      assert.strictEqual(error.code, "EBODYTOOLARGE")
      assert.strictEqual(error.message, "response body exceeds 1048576 bytes")
      assert.strictEqual(error.statusCode, 200)
      const tooBig404 = await answer(404, Buffer.alloc((1 << 20) + 1, 97))
      assert.strictEqual((await failed(request, `${tooBig404.url}/big`)).statusCode, 404)
    })

    it("a body that never ends is cut at 1 MiB and the connection is closed", async () => {
      const server = await serve((_, res) => {
        const chunk = Buffer.alloc(64 * 1024, 98)
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once("drain", pump)
        }
        pump()
      })
      const error = await failed(request, `${server.url}/endless`, { timeout: 5000 })
      assert.strictEqual(error.code, "EBODYTOOLARGE")
      await vi.waitFor(() => assert.deepStrictEqual(server.closed, ["/endless"]), { timeout: 2000 })
    })

    it("a Content-Length over 1 MiB is EBODYTOOLARGE before any of the body arrives, and the connection is closed", async () => {
      const server = await serve((_, res) => {
        res.writeHead(200, { "content-length": String(50 * 1024 * 1024) })
        res.flushHeaders()
      })
      const started = Date.now()
      const error = await failed(request, `${server.url}/announced`, { timeout: 5000 })
      assert.strictEqual(error.code, "EBODYTOOLARGE")
      assert.strictEqual(error.statusCode, 200)
      assert.isBelow(Date.now() - started, 2000)
      await vi.waitFor(() => assert.deepStrictEqual(server.closed, ["/announced"]), { timeout: 2000 })
    })

    it("a gzip body is counted as decoded, whatever its small Content-Length says", async () => {
      const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024))
      const server = await answer(200, bomb, { "content-encoding": "gzip", "content-length": String(bomb.length) })
      assert.isBelow(bomb.length, 1 << 20)
      assert.strictEqual((await failed(request, `${server.url}/bomb`)).code, "EBODYTOOLARGE")
    })

    it("make(..., signalOf): a request is aborted when the signal of its call aborts, and its connection closed", async () => {
      const server = await serve((req, res) => {
        if (req.url === "/stream") {
          res.writeHead(200)
          res.write("x".repeat(1000))
        }
      })
      await Promise.all(["/hang", "/stream"].map(async (path) => {
        const controller = new AbortController()
        const send = make({ timeout: 10_000 }, undefined, () => controller.signal)
        const outcome = call(send, `${server.url}${path}`)
        await sleep(100)
        controller.abort()
        const error = (await outcome).error
        assert.strictEqual(error?.code, "EREQUEST", path)
        await vi.waitFor(() => assert.include(server.closed, path), { timeout: 2000 })
      }))
      // The signal is read at each call: one already aborted never sends.
      const error = await failed(make({}, undefined, () => AbortSignal.abort()), `${server.url}/never`)
      assert.strictEqual(error.code, "EREQUEST")
      assert.notInclude(server.seen.map((s) => s.url), "/never")
    })

    it("connection refused is ECONNREFUSED", async () => {
      const url = await closedPort()
      const error = await failed(request, url)
      assert.strictEqual(error.code, "ECONNREFUSED")
      assert.include(error.message, "ECONNREFUSED")
    })

    it("a connection closed without an answer is ECONNRESET", async () => {
      const server = await serve((req) => req.socket.destroy())
      const error = await failed(request, server.url)
      assert.strictEqual(error.code, "ECONNRESET")
    })

    it("a GET with a body is refused by fetch: EREQUEST", async () => {
      const server = await answer(200)
      const error = await failed(request, server.url, { body: "x" })
      assert.strictEqual(error.code, "EREQUEST")
      assert.strictEqual(server.seen.length, 0)
    })
  })

  describe("the callback", () => {
    it("is called exactly once and never synchronously, on success and on failure", async () => {
      const server = await answer(200, "x")
      const targets = [server.url, "bad url", await closedPort()]
      const calls = targets.map(() => 0)
      const done = targets.map((target, i) =>
        new Promise<void>((resolve) =>
          request(target, () => {
            calls[i]!++
            resolve()
          })
        )
      )
      assert.deepStrictEqual(calls, [0, 0, 0])
      await Promise.all(done)
      await sleep(50)
      assert.deepStrictEqual(calls, [1, 1, 1])
    })

    it("a throwing callback is an uncaught exception, not a second call", async () => {
      const server = await answer(200, "x")
      const listeners = process.listeners("uncaughtException")
      process.removeAllListeners("uncaughtException")
      const uncaught: Array<unknown> = []
      process.on("uncaughtException", (error) => uncaught.push(error))
      let calls = 0
      try {
        request(server.url, () => {
          calls++
          throw new Error("rule bug")
        })
        await vi.waitFor(() => assert.strictEqual(uncaught.length, 1), { timeout: 2000 })
        await sleep(50)
      } finally {
        process.removeAllListeners("uncaughtException")
        for (const listener of listeners) process.on("uncaughtException", listener)
      }
      assert.strictEqual(calls, 1)
      assert.strictEqual(uncaught.length, 1)
      assert.strictEqual((uncaught[0] as Error).message, "rule bug")
    })

    it("without a callback the request runs and failures are dropped without unhandled rejections", async () => {
      const rejections: Array<unknown> = []
      const onRejection = (reason: unknown) => rejections.push(reason)
      process.on("unhandledRejection", onRejection)
      try {
        const server = await answer(404, "no")
        request(`${server.url}/fire`)
        request.post(`${server.url}/forget`, { json: true, body: { a: 1 } })
        request("not a url")
        request(await closedPort())
        request.get(`${server.url}/bad-body`, { body: { not: "allowed" } })
        await vi.waitFor(() => assert.strictEqual(server.seen.length, 2), { timeout: 2000 })
        await sleep(200)
        assert.deepStrictEqual(server.seen.map((s) => s.url).toSorted(), ["/fire", "/forget"])
        assert.strictEqual(server.seen.find((s) => s.url === "/forget")!.body, "{\"a\":1}")
      } finally {
        process.off("unhandledRejection", onRejection)
      }
      assert.deepStrictEqual(rejections, [])
    })
  })

  describe("helpers and defaults", () => {
    it("verb helpers set the method, over options.method", async () => {
      const server = await answer(200, "body")
      await ok(request.get, server.url, { method: "POST" })
      await ok(request.post, server.url)
      await ok(request.put, server.url)
      await ok(request.patch, server.url)
      await ok(request.del, server.url)
      await ok(request.delete, server.url)
      const head = await ok(request.head, server.url)
      await ok(request, { url: server.url, method: "options" })
      assert.deepStrictEqual(server.seen.map((s) => s.method), [
        "GET",
        "POST",
        "PUT",
        "PATCH",
        "DELETE",
        "DELETE",
        "HEAD",
        "OPTIONS"
      ])
      assert.strictEqual(head.body, "")
    })

    it("request(url, options, cb): the url argument wins over options.url", async () => {
      const server = await answer(200)
      await ok(request, `${server.url}/arg`, { url: `${server.url}/option` })
      assert.strictEqual(server.seen[0]!.url, "/arg")
    })

    it("defaults: options merged, headers merged by name regardless of case, calls win", async () => {
      const server = await answer(200)
      const base = request.defaults({ headers: { "X-A": "1", "X-B": "1" }, json: true, qs: { k: "d" } })
      const more = base.defaults({ headers: { "x-b": "2", "X-C": "2" } })
      await ok(more, server.url)
      await ok(more.post, server.url, { headers: { "X-C": "3" }, body: { z: 1 } })
      await ok(base, server.url, { qs: { k: "call" } })
      const [first, second, third] = server.seen
      assert.strictEqual(first!.url, "/?k=d")
      assert.strictEqual(first!.headers["x-a"], "1")
      assert.strictEqual(first!.headers["x-b"], "2")
      assert.strictEqual(first!.headers["x-c"], "2")
      assert.strictEqual(first!.headers.accept, "application/json")
      assert.strictEqual(second!.method, "POST")
      assert.strictEqual(second!.headers["x-c"], "3")
      assert.strictEqual(second!.body, "{\"z\":1}")
      assert.strictEqual(third!.url, "/?k=call")
      assert.notProperty(third!.headers, "x-c")
    })

    it("defaults do not change the request they come from", async () => {
      const server = await answer(200)
      request.defaults({ headers: { "x-d": "1" }, timeout: 1 })
      await ok(request, server.url)
      assert.notProperty(server.seen[0]!.headers, "x-d")
    })
  })
})
