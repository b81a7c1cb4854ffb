/**
 * What the diff breaker tests share: an HTTP server on 127.0.0.1 for a test's length, an events file whose secret
 * `URL` points at it, and the first event's result of a diff.
 */
import * as Diff from "@rulefx/cli/Diff"
import * as Listen from "@rulefx/testing/Listen"
import * as Effect from "effect/Effect"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type * as Scratch from "./Scratch.ts"
import { minimalEvent } from "./Seed.ts"

/** Handles a request once its body is read. */
export type Handler = (request: IncomingMessage, body: Buffer, response: ServerResponse) => void

/** An HTTP server for the test's length, handling each request with its body once it is read. */
export const serving = (handle: Handler) =>
  Effect.acquireRelease(
    Effect.promise(() =>
      Listen.listen(createServer((request, response) => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => handle(request, Buffer.concat(chunks), response))
      }))
    ),
    (s) => Effect.promise(() => s.close())
  )

/** An events file (in `scratch`) of one minimal event whose secret `URL` is `url`. */
export const eventsFor = (scratch: Scratch.Scratch, url: string) =>
  scratch.file(
    `ev-${url.replace(/\W/g, "")}.jsonl`,
    JSON.stringify({ ...minimalEvent(), secrets: { URL: url } }) + "\n"
  )

/** The first event's result of diffing `a` and `b` over the events file `ev`. */
export const firstResult = (a: string, b: string, ev: string) =>
  Diff.diff(a, b, ev).pipe(Effect.map((report) => report.results[0]!))
