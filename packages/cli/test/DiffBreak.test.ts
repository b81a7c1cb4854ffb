/**
 * Attempts to make `rulefx diff` call two Actions "the same" when Auth0 would not (false negatives). A test here
 * failed on the code it was written against; the fix is in the same commit.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Diff from "@rulefx/cli/Diff"
import * as Listen from "@rulefx/testing/Listen"
import * as Effect from "effect/Effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { minimalEvent } from "./utils/Seed.ts"

let dir = ""
let server: Listen.Listening
let endless: Listen.Listening

const file = (name: string, text: string) => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

const action = (name: string, execute: string) =>
  file(`${name}.js`, `exports.onExecutePostLogin = async (event, api) => {\n${execute}\n}\n`)

/** An Action that GETs /check with this API key and sets the answer as a claim. */
const withKey = (key: string) =>
  action(
    `key-${key}`,
    `const r = await fetch(event.secrets.URL + "/check", { headers: { "x-api-key": ${JSON.stringify(key)} } })
     api.idToken.setCustomClaim("answer", await r.text())`
  )

/** An Action that reads the first chunk of a response and stops, as a client of a stream does. */
const firstChunk = (name: string) =>
  action(
    name,
    `const r = await fetch(event.secrets.URL + "/feed")
     const reader = r.body.getReader()
     const { value } = await reader.read()
     await reader.cancel()
     api.idToken.setCustomClaim("read", value.length > 0)`
  )

/** An Action that POSTs `body` as a Request object. */
const posting = (body: string) =>
  action(
    `request-${body}`,
    `await fetch(new Request(event.secrets.URL + "/hook", { method: "POST", body: ${JSON.stringify(body)} }))`
  )

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rulefx-diff-break-"))
  // Answers "granted" only to the right key, as an API behind a key would; the body is read and ignored.
  server = await Listen.listen(createServer((request, response) => {
    request.resume()
    request.on("end", () => response.end(request.headers["x-api-key"] === "right-key" ? "granted" : "refused"))
  }))
  // A response that never ends (a stream, a feed): 64 KiB chunks for as long as the client reads.
  endless = await Listen.listen(createServer((_request, response) => {
    const chunk = Buffer.alloc(64 * 1024, 120)
    const more = () => {
      if (!response.destroyed && response.write(chunk)) setImmediate(more)
    }
    response.on("drain", more)
    more()
  }))
}, 30_000)

afterAll(async () => {
  await endless?.close()
  await server?.close()
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

describe("Diff's false negatives", () => {
  it.effect("two Actions that send the same request with other headers are not answered from one tape", () =>
    Effect.gen(function*() {
      const events = file("key.jsonl", JSON.stringify({ ...minimalEvent(), secrets: { URL: server.url } }) + "\n")
      const replayed = yield* Diff.diff(withKey("right-key"), withKey("wrong-key"), events)
      assert.isFalse(replayed.results[0]!.same, JSON.stringify(replayed.results[0]))
      const live = yield* Diff.diff(withKey("right-key"), withKey("wrong-key"), events, { live: true })
      assert.isFalse(live.results[0]!.same, JSON.stringify(live.results[0]))
      // The headers' values (an API key, a bearer token) are never shown: only that they differ.
      const text = Diff.render(live, { a: "a", b: "b" })
      assert.notInclude(text, "right-key")
      assert.notInclude(text, "wrong-key")
    }))

  it.effect("a body sent as a Request object is compared, not taken as equal", () =>
    Effect.gen(function*() {
      const events = file("req.jsonl", JSON.stringify({ ...minimalEvent(), secrets: { URL: server.url } }) + "\n")
      const report = yield* Diff.diff(posting("x"), posting("y"), events, { live: true })
      assert.isFalse(report.results[0]!.same, JSON.stringify(report.results[0]))
    }))

  it.effect(
    "a response without an end is not read whole before the Action gets it (memory, a hang)",
    () =>
      Effect.gen(function*() {
        const events = file("feed.jsonl", JSON.stringify({ ...minimalEvent(), secrets: { URL: endless.url } }) + "\n")
        const report = yield* Diff.diff(firstChunk("feed-a"), firstChunk("feed-b"), events, { timeout: "4 seconds" })
        const result = report.results[0]!
        // The first Action reads its chunk as it would in Auth0; the second, replayed, is refused the answer the tape
        // could not hold (a difference, never a hang or a "same" on an unrecorded answer).
        assert.strictEqual(result.a.outcome, "allowed", JSON.stringify(result))
        assert.notStrictEqual(result.b.outcome, "allowed", JSON.stringify(result))
      }),
    30_000
  )

  it.effect("a secret in a value that differs (a claim, a request body, a URL) is not printed", () =>
    Effect.gen(function*() {
      const key = "sk_live_9f3a7c21e4b8d605"
      const leaky = action(
        "leaky",
        `api.idToken.setCustomClaim("k", "Bearer " + event.secrets.API_KEY)
         await fetch(event.secrets.URL + "/check?key=" + event.secrets.API_KEY, {
           method: "POST", body: JSON.stringify({ client_secret: event.secrets.API_KEY })
         })`
      )
      const plain = action("plain", `api.idToken.setCustomClaim("k", "none")`)
      const events = file("secret.jsonl", JSON.stringify({ ...minimalEvent(), secrets: { URL: server.url } }) + "\n")
      const report = yield* Diff.diff(leaky, plain, events, { secrets: { API_KEY: key } })
      assert.isFalse(report.results[0]!.same)
      const text = Diff.render(report, { a: "a", b: "b" })
      assert.notInclude(text, key)
      assert.notInclude(JSON.stringify(report), key)
      assert.include(text, "[secret API_KEY]")
    }))
})
