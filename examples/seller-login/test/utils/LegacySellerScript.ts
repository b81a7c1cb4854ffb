/**
 * A scripted seller API on 127.0.0.1 for the differential test of the typed and the legacy seller-login Actions.
 *
 * Every login gets its own run key and base URL (`{url}/{key}`), scripted with a list of answers: the n-th request
 * of that run gets the n-th answer, and the last answer repeats. Two Actions running the same case get two keys with
 * the same script, so they see the same answers even when they run at the same time, and a request the typed Action
 * gave up on (it interrupts a lookup once a rule has denied) cannot use up an answer meant for the other.
 *
 * SellerServer from @rulefx/testing scripts answers per seller id for the server's whole life (its attempt counters
 * are never reset), which does not fit a property test that replays the same ids in every run.
 */
import { listen } from "@rulefx/testing/Listen"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"

/**
 * One answer of the seller API.
 *
 * - `Seller`: a seller body whose `id` is the id asked for unless given, with `extra` fields; `bom` puts a UTF-8
 *   byte order mark in front.
 * - `Sized`: a valid seller for the id asked for, padded with a `pad` field to exactly `chars` characters (ASCII).
 * - `Json` / `Text`: the body given, as JSON or as is.
 * - `Status`: a short text body with that status.
 * - `Redirect`: 302 to the same seller's path.
 * - `Reset`: the connection is destroyed before any answer.
 * - `Truncated`: 200 with a body cut off after a few bytes of the announced length (the connection is destroyed).
 * - `Hang`: no answer; the socket is destroyed when the server closes.
 * - `Delay`: another answer, after a delay.
 */
export type Step =
  | {
    readonly _tag: "Seller"
    readonly status?: number
    readonly id?: string
    readonly email: string
    readonly name: string
    readonly extra?: Readonly<Record<string, unknown>>
    readonly bom?: boolean
  }
  | { readonly _tag: "Sized"; readonly status?: number; readonly chars: number }
  | { readonly _tag: "Json"; readonly status?: number; readonly body: unknown }
  | { readonly _tag: "Text"; readonly status: number; readonly text: string }
  | { readonly _tag: "Status"; readonly status: number }
  | { readonly _tag: "Redirect" }
  | { readonly _tag: "Reset" }
  | { readonly _tag: "Truncated" }
  | { readonly _tag: "Hang" }
  | { readonly _tag: "Delay"; readonly millis: number; readonly then: Step }

/** A running server. */
export interface LegacySellerScript {
  /** The server's origin, e.g. `http://127.0.0.1:41234`. */
  readonly url: string
  /** Scripts a run and returns its base URL (`{url}/{key}`), to give as the Action's SELLER_API_URL. */
  readonly script: (key: string, steps: ReadonlyArray<Step>) => string
  /** The seller ids a run asked for, decoded, in order. */
  readonly requests: (key: string) => ReadonlyArray<string>
  readonly close: () => Promise<void>
}

const sizedSeller = (id: string, chars: number): string => {
  const base = { id, email: "sized@shop.example", name: "Sized" }
  const empty = JSON.stringify({ ...base, pad: "" })
  return JSON.stringify({ ...base, pad: "x".repeat(Math.max(0, chars - empty.length)) })
}

const send = (res: ServerResponse, status: number, body: string, type = "application/json") => {
  res.writeHead(status, { "content-type": type })
  res.end(body)
}

const respond = (req: IncomingMessage, res: ServerResponse, step: Step, id: string): void => {
  switch (step._tag) {
    case "Seller": {
      const body = JSON.stringify({ id: step.id ?? id, email: step.email, name: step.name, ...step.extra })
      return send(res, step.status ?? 200, step.bom === true ? `\uFEFF${body}` : body)
    }
    case "Sized":
      return send(res, step.status ?? 200, sizedSeller(id, step.chars))
    case "Json":
      return send(res, step.status ?? 200, JSON.stringify(step.body))
    case "Text":
      return send(res, step.status, step.text, "text/html")
    case "Status":
      return send(res, step.status, `status ${step.status}`, "text/plain")
    case "Redirect":
      res.writeHead(302, { location: req.url ?? "/" })
      res.end()
      return
    case "Reset":
      req.socket.destroy()
      return
    case "Truncated":
      res.writeHead(200, { "content-type": "application/json", "content-length": "100" })
      res.write("{\"id\":")
      setTimeout(() => req.socket.destroy(), 10)
      return
    case "Hang":
      return
    case "Delay": {
      const timer = setTimeout(() => respond(req, res, step.then, id), step.millis)
      res.on("close", () => clearTimeout(timer))
      return
    }
  }
}

/** Starts the server on 127.0.0.1 with a free port. Unscripted runs and other paths get 404. */
export const start = (): Promise<LegacySellerScript> => {
  const scripts = new Map<string, ReadonlyArray<Step>>()
  const requests = new Map<string, Array<string>>()
  const server = createServer((req, res) => {
    const match = /^\/([^/]+)\/seller\/([^/?]+)$/.exec(req.url ?? "/")
    const key = match?.[1] ?? ""
    const steps = scripts.get(key)
    let id: string | undefined
    try {
      id = match?.[2] === undefined ? undefined : decodeURIComponent(match[2])
    } catch {
      id = undefined
    }
    if (steps === undefined || id === undefined) {
      res.writeHead(404).end()
      return
    }
    const seen = requests.get(key) ?? []
    requests.set(key, [...seen, id])
    const step = steps[Math.min(seen.length, steps.length - 1)]
    if (step === undefined) res.writeHead(404).end()
    else respond(req, res, step, id)
  })
  return listen(server).then(({ close, url }) => ({
    url,
    close,
    script: (key, steps) => {
      scripts.set(key, steps)
      requests.delete(key)
      return `${url}/${key}`
    },
    requests: (key) => [...(requests.get(key) ?? [])]
  }))
}
