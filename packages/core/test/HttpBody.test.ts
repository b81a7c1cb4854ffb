import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as HttpBody from "@rulefx/core/HttpBody"
import * as Listen from "@rulefx/testing/Listen"
import { getEventListeners } from "node:events"
import { createServer, type ServerResponse } from "node:http"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { gzipSync } from "node:zlib"

// Node 22's fetch loses the abort of a `redirect: "error"` request once its Request object is garbage collected
// (nodejs/undici#4627): the tests collect garbage before they abort, so that they see what a long request sees.
setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void

/** Collects garbage, then aborts. */
const abortAfterGc = (controller: AbortController, reason: unknown) => {
  gc()
  controller.abort(reason)
}

/** What the server saw of one request. */
interface Seen {
  readonly path: string
  sent: number
  closed: boolean
  finished: boolean
}

const chunk = Buffer.alloc(64 * 1024, 97)
const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024))

/** Writes 64 KiB chunks, honouring backpressure, until `total` bytes or the connection closes. */
const flood = (res: ServerResponse, seen: Seen, total = Number.POSITIVE_INFINITY) => {
  const pump = () => {
    while (!seen.closed && seen.sent < total) {
      const part = chunk.subarray(0, Math.min(chunk.length, total - seen.sent))
      seen.sent += part.length
      if (!res.write(part)) return void res.once("drain", pump)
    }
    if (!seen.closed) res.end()
  }
  pump()
}

const answers: Record<string, (res: ServerResponse, seen: Seen, n: number) => void> = {
  json: (res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true })),
  /** Exactly n bytes, chunked (no Content-Length). */
  exact: (res, seen, n) => {
    res.writeHead(200)
    flood(res, seen, n)
  },
  /** An endless chunked body. */
  flood: (res, seen) => {
    res.writeHead(200)
    flood(res, seen)
  },
  /** A Content-Length of 500 MB, then nothing: a client that waits for the body never gets an answer. */
  announced: (res) => {
    res.writeHead(200, { "content-length": String(500 * 1024 * 1024) })
    res.flushHeaders()
  },
  /** 20 MB of zeros as 20 kB of gzip, with the compressed Content-Length. */
  bomb: (res, seen) => {
    res.writeHead(200, { "content-encoding": "gzip", "content-length": String(bomb.length) })
    seen.sent = bomb.length
    res.end(bomb)
  },
  /** One byte every 20 ms, forever. */
  drip: (res, seen) => {
    res.writeHead(200)
    const timer = setInterval(() => {
      seen.sent++
      res.write("x")
    }, 20)
    res.on("close", () => clearInterval(timer))
  },
  hang: () => undefined,
  /** Ten bytes of the body, then nothing. */
  stall: (res, seen) => {
    res.writeHead(200)
    seen.sent = 10
    res.write("x".repeat(10))
  },
  empty: (res) => res.writeHead(204).end(),
  reset: (res) => {
    res.writeHead(200, { "content-length": "1000" })
    res.write("x".repeat(10))
    setTimeout(() => res.socket?.destroy(), 20)
  }
}

const seen: Array<Seen> = []
let server: Listen.Listening

beforeAll(async () => {
  server = await Listen.listen(createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x")
    const record: Seen = { path: url.pathname, sent: 0, closed: false, finished: false }
    seen.push(record)
    res.on("close", () => {
      record.closed = true
    })
    res.on("finish", () => {
      record.finished = true
    })
    const answer = answers[url.pathname.slice(1)]
    if (answer === undefined) res.writeHead(404).end()
    else answer(res, record, Number(url.searchParams.get("n")))
  }))
})

afterAll(() => server?.close())

const last = (path: string): Seen => {
  const found = seen.findLast((s) => s.path === path)
  assert.isDefined(found, `no request for ${path}`)
  return found!
}

/** Waits (up to 5 s) for the server to see the connection of its last `path` request close. */
const closed = async (path: string): Promise<Seen> => {
  for (let i = 0; i < 500 && !last(path).closed; i++) {
    // oxlint-disable-next-line no-await-in-loop
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  const s = last(path)
  assert.isTrue(s.closed, `${path}: the connection is still open`)
  return s
}

const rejection = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(() => assert.fail("expected a rejection"), (error: unknown) => error)

const abortListeners = (signal: AbortSignal) => getEventListeners(signal, "abort").length

describe("HttpBody.fetch", () => {
  it("reads a body within the cap, and leaves no listener on the signal", async () => {
    const signal = new AbortController().signal
    const { body, response } = await HttpBody.fetch(`${server.url}/json`, { signal }, 1024)
    assert.strictEqual(response.status, 200)
    assert.strictEqual(new TextDecoder().decode(body), "{\"ok\":true}")
    assert.strictEqual(abortListeners(signal), 0)
  })

  it("a chunked body of exactly the cap is read; one byte more is not", async () => {
    const at = await HttpBody.fetch(`${server.url}/exact?n=100000`, {}, 100_000)
    assert.strictEqual(at.body?.length, 100_000)
    const over = await HttpBody.fetch(`${server.url}/exact?n=100001`, {}, 100_000)
    assert.strictEqual(over.response.status, 200)
    assert.isUndefined(over.body)
  })

  it("an endless chunked body: stops at the cap, and the connection is closed", async () => {
    const { body } = await HttpBody.fetch(`${server.url}/flood`, { redirect: "error" }, 64 * 1024)
    assert.isUndefined(body)
    const s = await closed("/flood")
    assert.isFalse(s.finished)
    // What socket buffers took in before the close, not the body: far below what the server would send.
    assert.isBelow(s.sent, 16 * 1024 * 1024)
  })

  it("a Content-Length over the cap: refused before any byte of the body, the connection closed", async () => {
    const { body, response } = await HttpBody.fetch(`${server.url}/announced`, { redirect: "error" }, 64 * 1024)
    assert.strictEqual(response.status, 200)
    assert.isUndefined(body)
    await closed("/announced")
  })

  it("a gzip body is counted as decoded, whatever its Content-Length says", async () => {
    const { body } = await HttpBody.fetch(`${server.url}/bomb`, {}, 1024 * 1024)
    assert.isBelow(bomb.length, 1024 * 1024)
    assert.isUndefined(body)
  })

  it("no body at all (204, HEAD): an empty one", async () => {
    const none = await HttpBody.fetch(`${server.url}/empty`, {}, 10)
    assert.strictEqual(none.response.status, 204)
    assert.strictEqual(none.body?.length, 0)
    const head = await HttpBody.fetch(`${server.url}/json`, { method: "HEAD" }, 10)
    assert.strictEqual(head.body?.length, 0)
  })

  // Node 22's fetch with `redirect: "error"` goes on reading after its signal aborts: HttpBody must not.
  it.each(["error", "follow", "manual"] as const)(
    "redirect %s: an abort while the body streams rejects with its reason, at once, and closes the connection",
    async (redirect) => {
      const controller = new AbortController()
      const reason = new Error(`stop ${redirect}`)
      const started = performance.now()
      setTimeout(() => abortAfterGc(controller, reason), 100)
      const error = await rejection(
        HttpBody.fetch(`${server.url}/flood`, { redirect, signal: controller.signal }, 1024 * 1024 * 1024)
      )
      assert.strictEqual(error, reason)
      assert.isBelow(performance.now() - started, 2_000)
      const s = await closed("/flood")
      assert.isFalse(s.finished)
      assert.strictEqual(abortListeners(controller.signal), 0)
    }
  )

  it.each(["error", "follow", "manual"] as const)(
    "redirect %s: a body that stalls, then an abort: rejects at once (the pending read is cancelled)",
    async (redirect) => {
      const controller = new AbortController()
      setTimeout(() => abortAfterGc(controller, "enough"), 100)
      const started = performance.now()
      const error = await rejection(
        HttpBody.fetch(`${server.url}/stall`, { redirect, signal: controller.signal }, 1024)
      )
      assert.strictEqual(error, "enough")
      assert.isBelow(performance.now() - started, 2_000)
      await closed("/stall")
    }
  )

  it("a body that drips past a timeout: rejects with the TimeoutError, and the drip is cut off", async () => {
    setTimeout(gc, 150)
    const error = await rejection(
      HttpBody.fetch(`${server.url}/drip`, { redirect: "error", signal: AbortSignal.timeout(200) }, 1024 * 1024)
    )
    assert.strictEqual((error as Error).name, "TimeoutError")
    const s = await closed("/drip")
    const sent = s.sent
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.strictEqual(last("/drip").sent, sent, "the server is still dripping")
  })

  it("timeoutMillis: a body that drips past it rejects with a TimeoutError (isTimeout), and the drip is cut off", async () => {
    setTimeout(gc, 150)
    const signal = new AbortController().signal
    const started = performance.now()
    const error = await rejection(HttpBody.fetch(`${server.url}/drip`, { redirect: "error", signal }, 1024 * 1024, 200))
    assert.isTrue(HttpBody.isTimeout(error))
    assert.isBelow(performance.now() - started, 2_000)
    assert.strictEqual(abortListeners(signal), 0)
    const s = await closed("/drip")
    const sent = s.sent
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.strictEqual(last("/drip").sent, sent, "the server is still dripping")
  })

  it("timeoutMillis: an answer inside it is read whole; fetch's own errors are not timeouts", async () => {
    const { body } = await HttpBody.fetch(`${server.url}/json`, {}, 1024, 5_000)
    assert.strictEqual(new TextDecoder().decode(body), "{\"ok\":true}")
    const error = await rejection(HttpBody.fetch(`${server.url}/reset`, {}, 1024 * 1024, 5_000))
    assert.isFalse(HttpBody.isTimeout(error))
  })

  it("an abort before the answer: rejects with its reason and closes the connection", async () => {
    const controller = new AbortController()
    setTimeout(() => controller.abort("gone"), 50)
    assert.strictEqual(await rejection(HttpBody.fetch(`${server.url}/hang`, { signal: controller.signal }, 10)), "gone")
    await closed("/hang")
  })

  it("a signal already aborted: rejects with its reason, and no request is sent", async () => {
    const before = seen.length
    const error = await rejection(HttpBody.fetch(`${server.url}/json`, { signal: AbortSignal.abort("no") }, 10))
    assert.strictEqual(error, "no")
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.strictEqual(seen.length, before)
  })

  it("a connection reset mid-body: rejects with fetch's error, and leaves no listener", async () => {
    const signal = new AbortController().signal
    const error = await rejection(HttpBody.fetch(`${server.url}/reset`, { signal }, 1024 * 1024))
    assert.instanceOf(error, TypeError)
    assert.strictEqual(abortListeners(signal), 0)
  })

  it("an abort after the answer changes nothing", async () => {
    const controller = new AbortController()
    const { body } = await HttpBody.fetch(`${server.url}/json`, { signal: controller.signal }, 1024)
    controller.abort()
    assert.strictEqual(new TextDecoder().decode(body), "{\"ok\":true}")
  })
})
