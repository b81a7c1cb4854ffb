/**
 * Fixes for a second breaker's pass over `rulefx diff` (the tests from brk2-diff's DiffBreak4.test.ts; repros in its
 * FINDINGS.md, W6 W7 W8 C5 K2): the settle snapshot reads a value as Auth0 serialises it (getters and Proxies through
 * [[Get]], toJSON) and keeps nothing by reference (past its bounds, a marker that never equals another); the api's
 * cache expires on the time that passed; a secret spelled in char codes or lower-cased into a method name is scrubbed;
 * a `"continue"` outside a wrapper is an error.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Diff from "@rulefx/cli/Diff"
import * as LocalRun from "@rulefx/cli/LocalRun"
import * as Effect from "effect/Effect"
import * as Scratch from "./utils/Scratch.ts"
import { minimalEvent } from "./utils/Seed.ts"

const scratch = Scratch.scratch("rulefx-diff-snapshot3-")
const { action, events, file } = scratch

const firstResult = (a: string, b: string, ev: string) =>
  Diff.diff(a, b, ev).pipe(Effect.map((report) => report.results[0]!))

// A claim nested 71 levels deep; `leaf` is its innermost object.
const nested = (level: string) =>
  `let o = { level: "${level}" }; const leaf = o; for (let i = 0; i < 70; i++) o = { o }
   api.idToken.setCustomClaim("https://example.com/role", o)`

const later = `await new Promise((r) => setTimeout(r, 100))`

describe("DiffSnapshot3: the settle snapshot keeps nothing by reference", () => {
  it.effect("a claim's getter is read when the handler settles", () =>
    Effect.gen(function*() {
      const a = action(
        "getter-a",
        `let late = false
         api.idToken.setCustomClaim("https://example.com/role", { get level() { return late ? "admin" : "user" } })
         setTimeout(() => { late = true }, 5)`
      )
      const b = action(
        "getter-b",
        `api.idToken.setCustomClaim("https://example.com/role", { level: "admin" }); ${later}`
      )
      const result = yield* firstResult(a, b, events())
      assert.isFalse(result.same, JSON.stringify(result))
      assert.deepStrictEqual(result.differences, [{
        path: "claims.id.https://example.com/role",
        a: { level: "user" },
        b: { level: "admin" }
      }])
    }))

  it.effect("a claim nested 71 levels deep, changed after the handler settled", () =>
    Effect.gen(function*() {
      const a = action("deep-a", `${nested("user")}; setTimeout(() => { leaf.level = "admin" }, 5)`)
      const b = action("deep-b", `${nested("admin")}; ${later}`)
      const result = yield* firstResult(a, b, events())
      assert.isFalse(result.same, JSON.stringify(result))
    }))

  it.effect("a claim after 100,000 objects in earlier calls is a marker that says so, never the same", () =>
    Effect.gen(function*() {
      const pad = `api.samlResponse.setAttribute("pad", Array.from({ length: 100001 }, () => ({})))`
      const a = action(
        "nodes-a",
        `${pad}; const r = { level: "user" }; api.idToken.setCustomClaim("https://example.com/role", r)
         setTimeout(() => { r.level = "admin" }, 5)`
      )
      const b = action(
        "nodes-b",
        `${pad}; api.idToken.setCustomClaim("https://example.com/role", { level: "admin" }); ${later}`
      )
      const result = yield* firstResult(a, b, events())
      assert.isFalse(result.same, JSON.stringify(result).slice(0, 2000))
      const claim = result.differences.find((d) => d.path === "claims.id.https://example.com/role")
      assert.include(String(claim?.a), "too big to copy")
      assert.include(String(claim?.a), "not compared")
    }))

  it.effect("rulefx run shows a claim as it was when the handler settled", () =>
    Effect.gen(function*() {
      const result = yield* LocalRun.run(async (_event, api) => {
        let late = false
        const claim = {
          get level() {
            return late ? "admin" : "user"
          }
        }
        api.idToken.setCustomClaim("role", claim)
        setTimeout(() => {
          late = true
        }, 1)
      }, minimalEvent())
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 20)))
      assert.deepStrictEqual(result.summary.idTokenClaims["role"], { level: "user" })
    }))
})

describe("DiffSnapshot3: a claim as Auth0 serialises it", () => {
  it.effect("a Proxy claim is read through its get trap, as JSON.stringify reads it", () =>
    Effect.gen(function*() {
      const a = action("proxy-plain", `api.idToken.setCustomClaim("https://example.com/role", { level: "user" })`)
      const b = action(
        "proxy-get",
        `api.idToken.setCustomClaim("https://example.com/role",
           new Proxy({ level: "user" }, { get: (t, k) => k === "level" ? "admin" : Reflect.get(t, k) }))`
      )
      const result = yield* firstResult(a, b, events())
      assert.isFalse(result.same, JSON.stringify(result))
    }))

  it.effect("values the token writes alike are the same: a Date and its ISO string, toJSON, an undefined key", () =>
    Effect.gen(function*() {
      const a = action(
        "json-a",
        `api.idToken.setCustomClaim("at", new Date(0))
         api.idToken.setCustomClaim("r", { toJSON: () => ({ level: "user" }) })
         api.idToken.setCustomClaim("o", { level: "user", note: undefined })`
      )
      const b = action(
        "json-b",
        `api.idToken.setCustomClaim("at", "1970-01-01T00:00:00.000Z")
         api.idToken.setCustomClaim("r", { level: "user" })
         api.idToken.setCustomClaim("o", { level: "user" })`
      )
      const result = yield* firstResult(a, b, events())
      assert.isTrue(result.same, JSON.stringify(result))
    }))

  it.effect("a getter that would throw only after the handler settled is read before", () =>
    Effect.gen(function*() {
      const a = action(
        "getter-late-throw",
        `let late = false
         api.idToken.setCustomClaim("k", { get level() { if (late) throw new Error("late"); return "user" } })
         setTimeout(() => { late = true }, 5)`
      )
      const b = action("getter-plain", `api.idToken.setCustomClaim("k", { level: "user" }); ${later}`)
      const result = yield* firstResult(a, b, events())
      assert.isTrue(result.same, JSON.stringify(result))
    }))
})

// An Action that opens a 50 ms window in Auth0's cache and checks it after `waitMs`.
const windowed = (name: string, waitMs: number) =>
  action(
    name,
    `api.cache.set("otp-window", "open", { ttl: 50 })
     await new Promise((r) => setTimeout(r, ${waitMs}))
     if (api.cache.get("otp-window") === undefined) api.access.deny("window closed")`
  )

describe("DiffSnapshot3: the api's clock", () => {
  it.effect("a cache entry expires on the time that passed in the run", () =>
    Effect.gen(function*() {
      // `rulefx run` of the first denies (the entry expired after 50 ms); with one clock stopped at the event's start
      // the diff's cache never expired anything.
      const result = yield* firstResult(windowed("ttl-a", 200), windowed("ttl-b", 1), events())
      assert.isFalse(result.same, JSON.stringify(result))
      assert.deepStrictEqual(result.differences.slice(0, 2).map((d) => d.path), ["outcome", "reason"])
    }))
})

describe("DiffSnapshot3: secrets spelled otherwise are scrubbed", () => {
  const secret = "s3cr3tKEYvalue123"
  const withSecret = () =>
    file("secret.jsonl", JSON.stringify({ ...minimalEvent(), secrets: { API_KEY: secret } }) + "\n")
  const printed = (a: string) =>
    Diff.diff(a, action("nothing", ``), withSecret()).pipe(
      Effect.map((report) => `${Diff.toJson(report)}\n${Diff.render(report, { a: "a", b: "b" })}`)
    )

  it.effect("a secret as its char codes in a claim", () =>
    Effect.gen(function*() {
      const out = yield* printed(
        action(
          "codes",
          `api.idToken.setCustomClaim("k", [...event.secrets.API_KEY].map((c) => c.charCodeAt(0)))
           api.idToken.setCustomClaim("k2", [1, ...Buffer.from(event.secrets.API_KEY), 2])
           api.idToken.setCustomClaim("k3", "codes " + [...Buffer.from(event.secrets.API_KEY)].join(","))`
        )
      )
      const codes = [...Buffer.from(secret)]
      assert.notInclude(out, codes.join(","))
      assert.notInclude(out, codes.slice(0, 8).join(","))
      assert.notInclude(out, codes.slice(0, 8).join(", "))
      assert.include(out, "[secret API_KEY]")
    }))

  it.effect("a secret lower- or upper-cased into an api method's name and a claim", () =>
    Effect.gen(function*() {
      const out = yield* printed(
        action(
          "cased",
          `api.idToken[event.secrets.API_KEY.toLowerCase()]()
           api.idToken.setCustomClaim("k", event.secrets.API_KEY.toUpperCase())`
        )
      )
      assert.notInclude(out.toLowerCase(), secret.toLowerCase())
      assert.include(out, "calls.idToken.[secret API_KEY]")
    }))
})

describe("DiffSnapshot3: an events file's continue", () => {
  it.effect("\"continue\" on an event that is not a wrapper is an error saying where it goes", () =>
    Effect.gen(function*() {
      const ev = file("bare-continue.jsonl", JSON.stringify({ ...minimalEvent(), continue: true }) + "\n")
      const none = action("none", ``)
      const error = yield* Effect.flip(Diff.diff(none, none, ev))
      assert.strictEqual(error._tag, "EventFileError")
      assert.include(error.message, "bare-continue.jsonl:1")
      assert.include(error.message, `{ "continue": true, "event": {...} }`)
    }))
})
