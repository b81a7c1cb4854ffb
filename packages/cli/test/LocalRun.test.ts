import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import type { PostLoginApi } from "@rulefx/adapter-auth0/PostLoginApi"
import * as Bundle from "@rulefx/cli/Bundle"
import * as LocalRun from "@rulefx/cli/LocalRun"
import * as PartialEvent from "@rulefx/cli/PartialEvent"
import * as TriggerLocalRun from "@rulefx/cli/TriggerLocalRun"
import { genericMessage } from "@rulefx/core/Denial"
import * as Events from "@rulefx/testing/Events"
import * as Hmac from "@rulefx/testing/Hmac"
import * as Leaks from "@rulefx/testing/Leaks"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as SellerServer from "@rulefx/testing/SellerServer"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { TestClock } from "effect/testing"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as RulefxBin from "./utils/RulefxBin.ts"
import { claims, intercomSecret, minimalEvent } from "./utils/Seed.ts"

const entry = fileURLToPath(new URL("../../../examples/seller-login/src/action.ts", import.meta.url))
// minimalEvent's application admits USER and ADMIN, so GUEST is denied with DenyRoles' message.
const notAllowed = "Your account is not allowed to use this application."

let dir = ""
let action = ""
let server: SellerServer.SellerServer
let closedUrl = ""

/** Writes a file into the test's temporary folder and returns its path. */
const file = (name: string, text: string) => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

/** A post-login event for the seed Action: the seller API is the test server unless `secrets` say otherwise. */
const sellerEvent = (appMetadata: Record<string, unknown>, secrets?: Record<string, unknown>) =>
  minimalEvent({
    userId: "auth0|local",
    appMetadata,
    secrets: secrets ?? { SELLER_API_URL: server.url, INTERCOM_SECRET: intercomSecret }
  })

const seedHandler = Effect.suspend(() => LocalRun.loadAction(action))

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rulefx-localrun-"))
  action = join(dir, "action.js")
  // Bundle.build writes {"type": "commonjs"} beside the file, so the fixtures below are CommonJS too.
  await Bundle.build({ entry, outfile: action })
  server = await SellerServer.start({
    "seller-1": SellerServer.seller("seller-1", "ada@shop.example", "Ada's Shop", { internal_notes: "x" })
  })
  const closed = await SellerServer.start({})
  closedUrl = closed.url
  await closed.close()
}, 60_000)

afterAll(async () => {
  await server?.close()
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

describe("LocalRun.loadAction", () => {
  it.effect("loads a built Action's onExecutePostLogin", () =>
    Effect.gen(function*() {
      const handler = yield* seedHandler
      assert.strictEqual(typeof handler, "function")
    }))

  it.effect("a missing file: \"no such file\"", () =>
    Effect.gen(function*() {
      const missing = join(dir, "not-built.js")
      const error = yield* Effect.flip(LocalRun.loadAction(missing))
      assert.instanceOf(error, LocalRun.LocalRunError)
      assert.strictEqual(error._tag, "LocalRunError")
      assert.strictEqual(error.file, missing)
      assert.strictEqual(error.problem, "no such file")
      assert.strictEqual(error.message, `${missing}: no such file`)
    }))

  it.effect("a file without an onExecutePostLogin function", () =>
    Effect.gen(function*() {
      for (
        const source of ["exports.onExecutePreUserRegistration = async () => {}", "exports.onExecutePostLogin = 1"]
      ) {
        const path = file("no-handler.js", source)
        const error = yield* Effect.flip(LocalRun.loadAction(path))
        assert.strictEqual(error.file, path)
        assert.strictEqual(error.problem, "does not export an onExecutePostLogin function")
      }
    }))

  it.effect("onContinuePostLogin: loaded when asked for, and named when missing", () =>
    Effect.gen(function*() {
      const both = file(
        "both.js",
        "exports.onExecutePostLogin = async () => 'execute'\nexports.onContinuePostLogin = async () => 'continue'"
      )
      const resume = yield* LocalRun.loadAction(both, "onContinuePostLogin")
      assert.strictEqual(yield* Effect.promise(() => resume({}, RecordingApi.make())), "continue")
      const execute = yield* LocalRun.loadAction(both)
      assert.strictEqual(yield* Effect.promise(() => execute({}, RecordingApi.make())), "execute")
      const only = file("only-execute.js", "exports.onExecutePostLogin = async () => {}")
      const error = yield* Effect.flip(LocalRun.loadAction(only, "onContinuePostLogin"))
      assert.strictEqual(error.problem, "does not export an onContinuePostLogin function")
    }))

  it.effect("a CommonJS Action under a package.json that says \"type\": \"module\": the error says what to do", () =>
    Effect.gen(function*() {
      const folder = join(dir, "esm-project")
      mkdirSync(folder, { recursive: true })
      writeFileSync(join(folder, "package.json"), "{ \"type\": \"module\" }\n")
      writeFileSync(join(folder, "action.js"), "exports.onExecutePostLogin = async () => {}\n")
      const error = yield* Effect.flip(LocalRun.loadAction(join(folder, "action.js")))
      assert.match(
        error.problem,
        /^cannot be loaded: .*a package\.json above it says "type": "module"; build the Action/
      )
    }))

  it.effect("a file that throws on load: \"cannot be loaded\" with the first line of the error", () =>
    Effect.gen(function*() {
      const path = file("throws.js", "throw new Error(\"boom at load\\nsecond line\")")
      const error = yield* Effect.flip(LocalRun.loadAction(path))
      assert.strictEqual(error.file, path)
      assert.strictEqual(error.problem, "cannot be loaded: boom at load")
      const syntax = file("syntax.js", "exports.onExecutePostLogin = async () => {")
      const parse = yield* Effect.flip(LocalRun.loadAction(syntax))
      assert.match(parse.problem, /^cannot be loaded: /)
    }))

  it.effect("a file that requires a package not installed: \"cannot be loaded\", not \"no such file\"", () =>
    Effect.gen(function*() {
      const path = file(
        "needs.js",
        "require(\"rulefx-not-installed-dep\")\nexports.onExecutePostLogin = async () => {}"
      )
      const error = yield* Effect.flip(LocalRun.loadAction(path))
      assert.match(error.problem, /^cannot be loaded: Cannot find module 'rulefx-not-installed-dep'/)
    }))

  // A new user ran a file built with --runtime npm before installing the runtime: the error named the module only.
  // Through the command, without the workspace's NODE_PATH (pnpm's, which would find rulefx's own runtime).
  it(
    "a --runtime npm file whose runtime is not installed: says so, naming its version and how to install it",
    async () => {
      const path = file(
        "npm.js",
        "var r=require(\"@rulefx/action-runtime/post-login\");if(\"rulefx:requires @rulefx/action-runtime@0.3.1\"!==" +
          "\"rulefx:requires @rulefx/action-runtime@\"+r.version)throw new Error(\"version\");\n" +
          "exports.onExecutePostLogin = async () => {}"
      )
      const event = file("npm-event.json", JSON.stringify(minimalEvent()))
      const run = await RulefxBin.runWith({ cwd: dir, env: { NODE_PATH: undefined } }, "run", path, "--event", event)
      assert.strictEqual(run.code, 1, RulefxBin.show(run))
      assert.include(run.stderr, "cannot be loaded: Cannot find module '@rulefx/action-runtime/post-login'")
      assert.include(
        run.stderr,
        "(to run it here, install @rulefx/action-runtime@0.3.1 where the file can require it, at that exact " +
          "version: npm install --save-exact @rulefx/action-runtime@0.3.1; or, from a clone of rulefx",
        RulefxBin.show(run)
      )
    },
    60_000
  )

  it.effect("a file that is not a built Action (.ts, .mjs, .json): refused before loading, pointing at rulefx build", () =>
    Effect.gen(function*() {
      // It would load (Node 22 strips the types) and run without its type check: not what Auth0 runs.
      const ts = file("action.ts", "export const onExecutePostLogin = async (): Promise<void> => {}\n")
      const error = yield* Effect.flip(LocalRun.loadAction(ts))
      assert.strictEqual(error.file, ts)
      assert.strictEqual(
        error.problem,
        "not a built Action: rulefx run takes the .js (or .cjs) file rulefx build writes, the one Auth0 runs; build " +
          `it first (rulefx build ${ts} -o dist/action.js) and run that (rulefx run dist/action.js)`
      )
      for (const name of ["action.mts", "action.mjs", "event.json"]) {
        const other = yield* Effect.flip(LocalRun.loadAction(file(name, "export {}\n")))
        assert.match(other.problem, /^not a built Action: /, name)
      }
      const cjs = file("action.cjs", "exports.onExecutePostLogin = async () => {}")
      assert.strictEqual(typeof (yield* LocalRun.loadAction(cjs)), "function")
    }))

  it.effect("loads the file afresh each time, so a rebuilt file is picked up", () =>
    Effect.gen(function*() {
      const path = file("versioned.js", "exports.onExecutePostLogin = async () => 1")
      const first = yield* LocalRun.loadAction(path)
      file("versioned.js", "exports.onExecutePostLogin = async () => 2")
      const second = yield* LocalRun.loadAction(path)
      assert.strictEqual(yield* Effect.promise(() => first({}, {} as PostLoginApi)), 1)
      assert.strictEqual(yield* Effect.promise(() => second({}, {} as PostLoginApi)), 2)
    }))
})

describe("LocalRun.loadEvent", () => {
  it.effect("a complete event: returned as written, nothing filled, also with strict", () =>
    Effect.gen(function*() {
      const event = Events.postLogin({ user: { app_metadata: { sellerId: "seller-1" } } })
      const path = file("event.json", JSON.stringify(event))
      assert.deepStrictEqual(yield* LocalRun.loadEvent(path), { event, filled: [] })
      assert.deepStrictEqual(yield* LocalRun.loadEvent(path, { strict: true }), { event, filled: [] })
    }))

  it.effect("a partial event: what Auth0 always sends is filled in and listed; strict refuses, naming it", () =>
    Effect.gen(function*() {
      const event = sellerEvent({ sellerId: "seller-1" })
      const path = file("partial.json", JSON.stringify(event))
      const loaded = yield* LocalRun.loadEvent(path)
      assert.deepStrictEqual(loaded, PartialEvent.complete(event))
      assert.include(loaded.filled, "tenant")
      assert.include(loaded.filled, "user.created_at")
      const error = yield* Effect.flip(LocalRun.loadEvent(path, { strict: true }))
      assert.strictEqual(error.file, path)
      assert.strictEqual(error.problem, `a partial post-login event (--strict): missing ${loaded.filled.join(", ")}`)
    }))

  it.effect("a missing file: \"no such file\"", () =>
    Effect.gen(function*() {
      const missing = join(dir, "missing-event.json")
      const error = yield* Effect.flip(LocalRun.loadEvent(missing))
      assert.instanceOf(error, LocalRun.LocalRunError)
      assert.strictEqual(error.file, missing)
      assert.strictEqual(error.problem, "no such file")
    }))

  it.effect("JSON that does not parse: the problem names the position", () =>
    Effect.gen(function*() {
      const path = file("bad.json", "{\n  \"user\": {}\n  \"client\": {}\n}\n")
      const error = yield* Effect.flip(LocalRun.loadEvent(path))
      assert.strictEqual(error.file, path)
      assert.match(error.problem, /^not valid JSON \(/)
      assert.include(error.problem, "line 3 column 3")
      assert.strictEqual(error.message, `${path}: ${error.problem}`)
    }))

  it.effect("JSON that does not parse near a secret: the problem never quotes the text", () =>
    Effect.gen(function*() {
      const path = file("leaky.json", "{ \"secrets\": { \"TOKEN\": supersecretvalue } }")
      const error = yield* Effect.flip(LocalRun.loadEvent(path))
      assert.match(error.problem, /^not valid JSON/)
      assert.notInclude(error.message, "supersecret")
    }))

  it.effect("a { name, event } wrapper is refused, never loaded as an event filled with defaults", () =>
    Effect.gen(function*() {
      const path = file("wrapped.json", JSON.stringify({ name: "ada", event: minimalEvent() }))
      const error = yield* Effect.flip(LocalRun.loadEvent(path))
      assert.strictEqual(
        error.problem,
        "a { \"name\", \"event\" } wrapper, not an event (Auth0 sends no \"event\" field): load the event inside it " +
          "(rulefx run and rulefx diff read wrappers)"
      )
      const other = yield* Effect.flip(TriggerLocalRun.loadEvent(path, "credentials-exchange"))
      assert.strictEqual(other.problem, error.problem)
    }))

  it.effect("JSON that is not an object: an array, null, a string", () =>
    Effect.gen(function*() {
      for (const json of ["[]", "[{\"user\":{}}]", "null", "\"event\""]) {
        const path = file("not-object.json", json)
        const error = yield* Effect.flip(LocalRun.loadEvent(path))
        assert.strictEqual(error.problem, "expected a JSON object (a post-login event)", json)
      }
    }))

  it.effect("an object that is not a post-login event: the problem names the paths, never the values", () =>
    Effect.gen(function*() {
      const path = file(
        "not-event.json",
        JSON.stringify({
          secrets: { INTERCOM_SECRET: intercomSecret },
          user: { user_id: 90817263, email: "private@mail.example" },
          client: { client_id: "cli", name: "n", metadata: {} },
          request: { ip: "203.0.113.9" }
        })
      )
      const error = yield* Effect.flip(LocalRun.loadEvent(path))
      assert.strictEqual(error.file, path)
      assert.match(error.problem, /^not a post-login event rulefx can read: /)
      assert.include(error.problem, "user.user_id")
      Leaks.assertNone(error.message, [intercomSecret, "90817263", "private@mail.example"])
    }))

  it.effect("an empty object: everything is filled (the default login), or, with strict, every section is missing", () =>
    Effect.gen(function*() {
      const loaded = yield* LocalRun.loadEvent(file("empty.json", "{}"))
      assert.deepStrictEqual(loaded.filled, ["tenant", "client", "connection", "user", "request", "stats"])
      const error = yield* Effect.flip(LocalRun.loadEvent(file("empty.json", "{}"), { strict: true }))
      assert.include(error.problem, "missing tenant, client, connection, user, request, stats")
    }))

  it.effect("a section of the wrong type is not filled over: the event's check names it", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        LocalRun.loadEvent(file("wrong.json", JSON.stringify({ ...minimalEvent(), user: [] })))
      )
      assert.match(error.problem, /^not a post-login event rulefx can read: .*user/)
    }))
})

describe("LocalRun.run", () => {
  it.effect("an allowed seller login: the claims in the summary, no reason", () =>
    Effect.gen(function*() {
      const handler = yield* seedHandler
      const result = yield* LocalRun.run(handler, sellerEvent({ sellerId: "seller-1", roles: ["ADMIN"] }))
      assert.strictEqual(result.outcome, "allowed")
      assert.isUndefined(result.reason)
      assert.isUndefined(result.summary.denied)
      assert.deepStrictEqual(result.summary.idTokenClaims, {
        [claims.seller]: { id: "seller-1", email: "ada@shop.example", name: "Ada's Shop" },
        [claims.sellerEmailHash]: Hmac.hex(intercomSecret, "ada@shop.example")
      })
      assert.deepStrictEqual(result.summary.accessTokenClaims, { [claims.roles]: ["ADMIN"] })
      assert.deepStrictEqual(result.calls.map((c) => c.method).toSorted(), [
        "accessToken.setCustomClaim",
        "idToken.setCustomClaim",
        "idToken.setCustomClaim"
      ])
      assert.isAtLeast(result.elapsedMs, 0)
      assert.include(server.requests(), "/seller/seller-1")
    }))

  it.effect("a denied login: outcome denied, the reason, and the rule's log line captured", () =>
    Effect.gen(function*() {
      const handler = yield* seedHandler
      const consoleLog = console.log
      const result = yield* LocalRun.run(handler, sellerEvent({ roles: ["GUEST"] }))
      assert.strictEqual(console.log, consoleLog)
      assert.strictEqual(result.outcome, "denied")
      assert.strictEqual(result.reason, notAllowed)
      assert.deepStrictEqual(result.calls, [{ method: "access.deny", args: [notAllowed] }])
      assert.isTrue(
        result.logs.some((line) => line.startsWith("rulefx ") && line.includes("RoleNotAllowed")),
        result.logs.join("\n")
      )
    }))

  it.effect("logs are captured, not printed, and console.log is restored afterwards", () =>
    Effect.gen(function*() {
      const printed = yield* LogCapture.scoped()
      const mine = console.log
      const result = yield* LocalRun.run(async (_event, api) => {
        console.log("first", 1)
        await Promise.resolve()
        console.log("second")
        api.idToken.setCustomClaim("https://example.com/x", true)
      }, minimalEvent())
      assert.strictEqual(console.log, mine)
      assert.deepStrictEqual(result.logs, ["first 1", "second"])
      assert.deepStrictEqual(printed.lines, [])
      assert.strictEqual(result.outcome, "allowed")
    }))

  it.effect("secrets are merged over the event's own, without changing the event", () =>
    Effect.gen(function*() {
      const seen: Array<unknown> = []
      const handler = async (event: unknown) => {
        seen.push(event)
      }
      const event = { ...minimalEvent(), secrets: { A: "event", B: "event" } }
      yield* LocalRun.run(handler, event, { secrets: { B: "file", C: "file" } })
      assert.deepStrictEqual((seen[0] as { secrets: unknown }).secrets, { A: "event", B: "file", C: "file" })
      assert.deepStrictEqual(event.secrets, { A: "event", B: "event" })
      const { secrets: _, ...withoutSecrets } = minimalEvent()
      yield* LocalRun.run(handler, withoutSecrets, { secrets: { C: "file" } })
      assert.deepStrictEqual((seen[1] as { secrets: unknown }).secrets, { C: "file" })
    }))

  it.effect("the seed Action with a secrets file: the file's SELLER_API_URL wins, the event's INTERCOM_SECRET stays", () =>
    Effect.gen(function*() {
      const handler = yield* seedHandler
      const event = sellerEvent({ sellerId: "seller-1" }, { SELLER_API_URL: closedUrl, INTERCOM_SECRET: "from-event" })
      const denied = yield* LocalRun.run(handler, event)
      assert.strictEqual(denied.outcome, "denied")
      assert.strictEqual(denied.reason, genericMessage)
      const result = yield* LocalRun.run(handler, event, { secrets: { SELLER_API_URL: server.url } })
      assert.strictEqual(result.outcome, "allowed")
      assert.strictEqual(
        result.summary.idTokenClaims[claims.sellerEmailHash],
        Hmac.hex("from-event", "ada@shop.example")
      )
    }))

  it.effect("a handler that rejects (or throws): outcome rejected, logs kept, console.log restored", () =>
    Effect.gen(function*() {
      const consoleLog = console.log
      const rejected = yield* LocalRun.run(async (_event, api) => {
        console.log("about to fail")
        api.access.deny("no")
        throw new Error("boom")
      }, minimalEvent())
      assert.strictEqual(console.log, consoleLog)
      assert.strictEqual(rejected.outcome, "rejected")
      assert.strictEqual(rejected.reason, "no")
      assert.strictEqual(rejected.rejection, "Error: boom")
      assert.deepStrictEqual(rejected.logs, ["about to fail"])
      const thrown = yield* LocalRun.run(() => {
        throw new TypeError("sync boom\n    at somewhere")
      }, minimalEvent())
      assert.strictEqual(thrown.outcome, "rejected")
      assert.isUndefined(thrown.reason)
      // What it threw is in the text and in the JSON: "rejected" alone said nothing of why.
      assert.strictEqual(thrown.rejection, "TypeError: sync boom")
      assert.include(LocalRun.render(thrown), "rejected  TypeError: sync boom (Auth0 fails the login)")
      assert.strictEqual((JSON.parse(LocalRun.toJson(thrown)) as LocalRun.Result).rejection, "TypeError: sync boom")
      const allowed = yield* LocalRun.run(async () => {}, minimalEvent())
      assert.notProperty(allowed, "rejection")
      assert.strictEqual(console.log, consoleLog)
    }))
})

describe("LocalRun.run: a handler that never settles", () => {
  it.effect("stopped at Auth0's 20 s (not before): outcome rejected, timed out, its logs and calls so far kept", () =>
    Effect.gen(function*() {
      const consoleLog = console.log
      let called = false
      const fiber = yield* Effect.forkChild(LocalRun.run((_event, api) => {
        called = true
        console.log("waiting for ever")
        api.idToken.setCustomClaim("https://example.com/a", 1)
        return new Promise(() => {})
      }, minimalEvent()))
      yield* Effect.yieldNow
      assert.isTrue(called)
      yield* TestClock.adjust("19999 millis")
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust("1 millis")
      const result = yield* Fiber.join(fiber)
      assert.strictEqual(result.outcome, "rejected")
      assert.strictEqual(result.timedOutMs, 20_000)
      assert.strictEqual(result.rejection, "timed out: the handler did not settle within 20 s")
      assert.deepStrictEqual(result.logs, ["waiting for ever"])
      assert.deepStrictEqual(result.summary.idTokenClaims, { "https://example.com/a": 1 })
      assert.strictEqual(console.log, consoleLog)
      assert.include(
        LocalRun.render(result),
        "timed out  the handler did not settle within 20 s: Auth0 stops an Action at 20 s and fails the login"
      )
      assert.notInclude(LocalRun.render(result), "\nrejected ")
      assert.strictEqual((JSON.parse(LocalRun.toJson(result)) as LocalRun.Result).timedOutMs, 20_000)
    }))

  it.effect("the limit is an option; a handler that settles in time has no timedOutMs", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(
        LocalRun.run(() => new Promise(() => {}), minimalEvent(), { timeout: "1500 millis" })
      )
      yield* Effect.yieldNow
      yield* TestClock.adjust("1500 millis")
      const result = yield* Fiber.join(fiber)
      assert.strictEqual(result.rejection, "timed out: the handler did not settle within 1.5 s")
      assert.strictEqual(result.timedOutMs, 1500)
      const settled = yield* LocalRun.run(async () => {}, minimalEvent(), { timeout: "1 millis" })
      assert.strictEqual(settled.outcome, "allowed")
      assert.notProperty(settled, "timedOutMs")
    }))
})

/** An allowed login that made no call, from an event with these fields filled. */
const filledResult = (filled: ReadonlyArray<string>): LocalRun.Result => ({
  outcome: "allowed",
  reason: undefined,
  summary: LocalRun.summarize([]),
  calls: [],
  logs: [],
  filled,
  elapsedMs: 1
})

describe("LocalRun.render: a partial event", () => {
  it("fields filled that can change a rule's outcome: a warning row naming each with its default, and --strict", () => {
    const rows = LocalRun.render(filledResult(["tenant", "request.geoip", "stats"])).split("\n")
    assert.include(
      rows,
      "warning  filled with defaults that can change a rule's outcome: request.geoip (London, GB), " +
        "stats.logins_count (1); a rule that reads them decided by these, not by your event (write them in the " +
        "event; use --strict in CI)"
    )
    const json = JSON.parse(LocalRun.toJson(filledResult(["tenant", "client", "user.app_metadata"]))) as {
      readonly decisive: ReadonlyArray<string>
    }
    assert.deepStrictEqual(json.decisive, ["client.metadata (none)", "user.app_metadata (none)"])
    const harmless = LocalRun.render(filledResult(["tenant", "user.created_at"]))
    assert.include(harmless, "filled   tenant, user.created_at")
    assert.notInclude(harmless, "warning")
  })
})

/** Does one of everything the render shows, so every kind of row appears. */
const everything = (api: PostLoginApi) => {
  console.log("rulefx INFO hello")
  api.idToken.setCustomClaim("https://example.com/seller", { id: "s1" })
  api.accessToken.setCustomClaim("https://example.com/roles", ["ADMIN"])
  api.accessToken.addScope("read:orders")
  api.accessToken.removeScope("write:orders")
  api.accessToken.addScope("write:orders")
  api.accessToken.addScope("admin")
  api.accessToken.removeScope("admin")
  api.user.setAppMetadata("plan", "gold")
  api.user.setUserMetadata("locale", "en")
  api.multifactor.enable("any", { allowRememberBrowser: false })
  api.redirect.sendUserTo("https://verify.example/start", { query: { session: "s1" } })
  api.access.deny("Not today.")
}

describe("LocalRun.render and toJson", () => {
  it.effect("render: one aligned row per thing done, in a fixed order", () =>
    Effect.gen(function*() {
      const result = yield* LocalRun.run(async (_event, api) => everything(api), minimalEvent(), {
        filled: ["tenant", "user.created_at"]
      })
      assert.strictEqual(
        LocalRun.render({ ...result, elapsedMs: 12.345 }),
        [
          "outcome        denied",
          "reason         Not today.",
          "id token       https://example.com/seller = {\"id\":\"s1\"}",
          "access token   https://example.com/roles = [\"ADMIN\"]",
          "scope added    read:orders",
          "scope added    write:orders",
          "scope removed  admin",
          "app_metadata   plan = \"gold\"",
          "user_metadata  locale = \"en\"",
          "mfa            any {\"allowRememberBrowser\":false}",
          "redirect       https://verify.example/start query {\"session\":\"s1\"}",
          "log            rulefx INFO hello",
          "filled         tenant, user.created_at (missing from the event, filled with realistic defaults; --strict refuses instead)",
          "elapsed        12.3 ms"
        ].join("\n")
      )
    }))

  it.effect("render of a seed login: outcome, reason, id token, access token, log and elapsed rows", () =>
    Effect.gen(function*() {
      const handler = yield* seedHandler
      const allowed = LocalRun.render(
        yield* LocalRun.run(handler, sellerEvent({ sellerId: "seller-1", roles: ["ADMIN"] }))
      ).split("\n")
      assert.strictEqual(allowed[0], "outcome       allowed")
      assert.isFalse(allowed.some((line) => line.startsWith("reason")))
      assert.include(
        allowed,
        `id token      ${claims.seller} = {"id":"seller-1","email":"ada@shop.example","name":"Ada's Shop"}`
      )
      assert.include(
        allowed,
        `id token      ${claims.sellerEmailHash} = "${Hmac.hex(intercomSecret, "ada@shop.example")}"`
      )
      assert.include(allowed, `access token  ${claims.roles} = ["ADMIN"]`)
      assert.match(allowed.at(-1) ?? "", /^elapsed {7}\d+\.\d ms$/)
      Leaks.assertNone(allowed.join("\n"), [intercomSecret])

      const denied = LocalRun.render(yield* LocalRun.run(handler, sellerEvent({ roles: ["GUEST"] }))).split("\n")
      assert.strictEqual(denied[0], "outcome  denied")
      assert.strictEqual(denied[1], `reason   ${notAllowed}`)
      assert.isTrue(denied.some((line) => /^log {6}rulefx .*RoleNotAllowed/.test(line)), denied.join("\n"))
      assert.match(denied.at(-1) ?? "", /^elapsed  \d+\.\d ms$/)
    }))

  it.effect("toJson: parses back to the result", () =>
    Effect.gen(function*() {
      const result = yield* LocalRun.run(async (_event, api) => everything(api), minimalEvent())
      const parsed = JSON.parse(LocalRun.toJson(result)) as Record<string, unknown>
      assert.strictEqual(parsed["outcome"], "denied")
      assert.strictEqual(parsed["reason"], "Not today.")
      assert.deepStrictEqual(parsed["summary"], { ...result.summary })
      assert.deepStrictEqual(parsed["calls"], result.calls)
      assert.deepStrictEqual(parsed["logs"], ["rulefx INFO hello"])
      assert.deepStrictEqual(parsed["filled"], [])
      assert.deepStrictEqual(parsed["decisive"], [])
      assert.strictEqual(parsed["elapsedMs"], result.elapsedMs)
      // What a JSON consumer needs without replaying the calls: MFA options, the redirect's query, net scopes.
      assert.deepStrictEqual((parsed["summary"] as LocalRun.Summary).mfa, {
        provider: "any",
        options: { allowRememberBrowser: false }
      })
      assert.deepStrictEqual((parsed["summary"] as LocalRun.Summary).redirect, {
        url: "https://verify.example/start",
        query: { session: "s1" }
      })
      assert.deepStrictEqual((parsed["summary"] as LocalRun.Summary).scopesAdded, ["read:orders", "write:orders"])
      assert.deepStrictEqual((parsed["summary"] as LocalRun.Summary).scopesRemoved, ["admin"])

      const handler = yield* seedHandler
      const allowed = yield* LocalRun.run(handler, sellerEvent({ sellerId: "seller-1" }))
      const back = JSON.parse(LocalRun.toJson(allowed)) as LocalRun.Result
      assert.strictEqual(back.outcome, "allowed")
      assert.deepStrictEqual(back.summary.idTokenClaims, allowed.summary.idTokenClaims)
      assert.deepStrictEqual(back.summary.accessTokenClaims, { [claims.roles]: ["USER"] })
    }))
})

describe("LocalRun.summarize", () => {
  it("scopes are net: the last of add and remove wins, in the order of that last call", () => {
    const calls = [
      { method: "accessToken.addScope", args: ["a"] },
      { method: "accessToken.addScope", args: ["b"] },
      { method: "accessToken.removeScope", args: ["a"] },
      { method: "accessToken.removeScope", args: ["c"] },
      { method: "accessToken.addScope", args: ["c"] },
      { method: "accessToken.addScope", args: ["b"] }
    ]
    const summary = LocalRun.summarize(calls)
    assert.deepStrictEqual(summary.scopesAdded, ["c", "b"])
    assert.deepStrictEqual(summary.scopesRemoved, ["a"])
  })

  it("the last MFA and redirect win; without options there is no options field", () => {
    const summary = LocalRun.summarize([
      { method: "multifactor.enable", args: ["guardian", { allowRememberBrowser: true }] },
      { method: "multifactor.enable", args: ["any"] },
      { method: "redirect.sendUserTo", args: ["https://a.example"] },
      { method: "redirect.sendUserTo", args: ["https://b.example", { query: { x: "1" } }] }
    ])
    assert.deepStrictEqual(summary.mfa, { provider: "any" })
    assert.deepStrictEqual(summary.redirect, { url: "https://b.example", query: { x: "1" } })
    assert.isUndefined(LocalRun.summarize([]).mfa)
    assert.isUndefined(LocalRun.summarize([]).redirect)
  })
})
