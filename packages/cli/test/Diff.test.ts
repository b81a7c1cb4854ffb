/**
 * `rulefx diff` over built Actions: the seed Action (examples/seller-login) against itself and against a copy with one
 * rule changed, the legacy example (examples/legacy-rules) against itself, and small hand-written Actions for what
 * the seed does not do (metadata writes, scopes, api calls rulefx does not know, requests only one side sends, the
 * continue pass). Servers are on 127.0.0.1, started here; the command itself is spawned for its exit code and output.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Bundle from "@rulefx/cli/Bundle"
import * as Diff from "@rulefx/cli/Diff"
import * as LocalRun from "@rulefx/cli/LocalRun"
import * as Migrate from "@rulefx/cli/Migrate"
import * as Listen from "@rulefx/testing/Listen"
import * as SellerServer from "@rulefx/testing/SellerServer"
import * as Effect from "effect/Effect"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as RulefxBin from "./utils/RulefxBin.ts"
import { claims, intercomSecret, minimalEvent } from "./utils/Seed.ts"

const seedFolder = fileURLToPath(new URL("../../../examples/seller-login", import.meta.url))
const legacyFolder = fileURLToPath(new URL("../../../examples/legacy-rules", import.meta.url))
const renamedRoles = "https://example.com/role_list"

let dir = ""
let seed = ""
let changed = ""
let legacy = ""
let seller: SellerServer.SellerServer
let counter: Listen.Listening & { readonly hits: () => number; readonly bodies: () => ReadonlyArray<string> }

/** Writes a file into the test's temporary folder and returns its path. */
const file = (name: string, text: string) => {
  const path = join(dir, name)
  mkdirSync(join(path, ".."), { recursive: true })
  writeFileSync(path, text)
  return path
}

const jsonl = (name: string, events: ReadonlyArray<unknown>) =>
  file(name, events.map((event) => JSON.stringify(event)).join("\n") + "\n")

/** A hand-written built Action (CommonJS) with these handler bodies; `event` and `api` are in scope. */
const action = (name: string, execute: string, resume?: string) =>
  file(
    `${name}.js`,
    `exports.onExecutePostLogin = async (event, api) => {\n${execute}\n}\n` +
      (resume === undefined ? "" : `exports.onContinuePostLogin = async (event, api) => {\n${resume}\n}\n`)
  )

/** An Action that POSTs `body` to the URL secret and sets the answer as a claim. */
const post = (body: string) =>
  action(
    `post-${body}`,
    `const r = await fetch(event.secrets.URL + "/hook", { method: "POST", body: ${JSON.stringify(body)} })
     api.idToken.setCustomClaim("n", await r.text())`
  )

/** An Action that calls an api method RecordingApi does not have. */
const challenge = (factor: string) =>
  action(`unknown-${factor}`, `api.authentication.challengeWith({ type: ${JSON.stringify(factor)} })`)

/** An Action that GETs `path` of the URL secret through node:http and sets a claim when it got a body. */
const nodeHttpGet = (name: string, path: string) =>
  action(
    name,
    `const body = await new Promise((resolve, reject) => require("node:http").get(event.secrets.URL + ${
      JSON.stringify(path)
    }, (res) => { let b = ""; res.on("data", (c) => b += c); res.on("end", () => resolve(b)) }).on("error", reject))
     api.idToken.setCustomClaim("seen", body !== "")`
  )

/** Why reading the events at `path` fails. */
const problem = (path: string) =>
  Effect.flip(Diff.readEvents(path)).pipe(
    Effect.map((e) => [e._tag, e.line, e._tag === "EventFileError" ? e.problem : "", e.message] as const)
  )

/** The seed's events: a seller (from the test server), no seller, and a role the application does not allow. */
const seedEvents = () =>
  jsonl("seed.jsonl", [
    minimalEvent({ userId: "auth0|seller", appMetadata: { sellerId: "seller-1", roles: ["ADMIN"] } }),
    { name: "no seller", event: minimalEvent({ userId: "auth0|plain" }) },
    minimalEvent({ userId: "auth0|guest", appMetadata: { roles: ["GUEST"] } })
  ])

const seedSecrets = () => ({ SELLER_API_URL: seller.url, INTERCOM_SECRET: intercomSecret })

/** Runs `rulefx ...args`; never rejects. */
const rulefx = (...args: ReadonlyArray<string>) => RulefxBin.run(dir, ...args)

const show = RulefxBin.show

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rulefx-diff-"))
  seed = join(dir, "seed", "action.js")
  changed = join(dir, "changed", "action.js")
  legacy = join(dir, "legacy", "action.js")
  const source = readFileSync(join(seedFolder, "src", "action.ts"), "utf8")
  const variant = source.replace("SetRoles.make()", `SetRoles.make({ claim: ${JSON.stringify(renamedRoles)} })`)
  if (variant === source) throw new Error("the seed Action no longer has SetRoles.make(): update this test's change")
  // The copy imports the seed's sources, and its packages resolve from the seed's project.
  const entry = file("changed.ts", variant.replaceAll("\"./", `"${join(seedFolder, "src")}/`))
  await Promise.all([
    Bundle.build({ entry: join(seedFolder, "src", "action.ts"), outfile: seed }),
    Bundle.build({ entry, outfile: changed, resolveFrom: [seedFolder] }),
    Effect.runPromise(Migrate.migrate(join(legacyFolder, "rules"), legacy))
  ])
  seller = await SellerServer.start({
    "seller-1": SellerServer.seller("seller-1", "ada@shop.example", "Ada's Shop"),
    "seller-flaky": {
      _tag: "FailTimes",
      times: 1,
      status: 503,
      after: SellerServer.seller("seller-flaky", "f@x.io", "F")
    }
  })
  // Answers each request with how many it has had: a service whose answer changes between the two runs.
  let hits = 0
  const bodies: Array<string> = []
  const listening = await Listen.listen(createServer((request, response) => {
    let body = ""
    request.on("data", (chunk) => body += chunk)
    request.on("end", () => {
      bodies.push(`${request.method} ${request.url} ${body}`)
      response.end(String(++hits))
    })
  }))
  counter = { ...listening, hits: () => hits, bodies: () => bodies }
}, 120_000)

afterAll(async () => {
  await seller?.close()
  await counter?.close()
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

describe("Diff over the seed Action", () => {
  it.effect("the unchanged pair: every event the same; the seller API is reached by the first Action only", () =>
    Effect.gen(function*() {
      const before = seller.requests().length
      const report = yield* Diff.diff(seed, seed, seedEvents(), { secrets: seedSecrets() })
      assert.deepStrictEqual([report.events, report.same, report.differ], [3, 3, 0])
      assert.deepStrictEqual(report.results.map((r) => [r.name, r.a.outcome, r.b.outcome]), [
        ["seed.jsonl:1", "allowed", "allowed"],
        ["no seller", "allowed", "allowed"],
        ["seed.jsonl:3", "denied", "denied"]
      ])
      // One GET of the seller, by the first Action; the second got the recorded answer.
      assert.deepStrictEqual(seller.requests().slice(before), ["/seller/seller-1"])
      assert.deepStrictEqual([report.results[0]!.a.requests, report.results[0]!.b.requests], [1, 1])
    }))

  it.effect("the changed rule: the events it touches differ, naming the claim on each side", () =>
    Effect.gen(function*() {
      const report = yield* Diff.diff(seed, changed, seedEvents(), { secrets: seedSecrets() })
      assert.deepStrictEqual([report.events, report.same, report.differ], [3, 1, 2])
      const [withSeller, plain, guest] = report.results
      assert.deepStrictEqual(withSeller!.differences, [
        { path: `claims.access.${claims.roles}`, a: ["ADMIN"] },
        { path: `claims.access.${renamedRoles}`, b: ["ADMIN"] }
      ])
      assert.deepStrictEqual(plain!.differences, [
        { path: `claims.access.${claims.roles}`, a: ["USER"] },
        { path: `claims.access.${renamedRoles}`, b: ["USER"] }
      ])
      // Denied by both, with the same reason: the renamed claim is never set.
      assert.isTrue(guest!.same)
      const text = Diff.render(report, { a: "seed", b: "changed" })
      assert.include(text, "seed.jsonl:1: differs")
      assert.match(text, new RegExp(`claims\\.access\\.https://example\\.com/roles +\\["ADMIN"\\] +\\(none\\)`))
      assert.isTrue(text.endsWith("3 events: 1 same, 2 differ"), text)
    }))

  it.effect("--ignore: a whole path or a leading part of it leaves the intended difference out, and counts it", () =>
    Effect.gen(function*() {
      const events = seedEvents()
      const exact = yield* Diff.diff(seed, changed, events, {
        secrets: seedSecrets(),
        ignore: [`claims.access.${claims.roles}`, `claims.access.${renamedRoles}`]
      })
      const part = yield* Diff.diff(seed, changed, events, { secrets: seedSecrets(), ignore: ["claims.access"] })
      // A string that is a prefix of a path but not one of its parts covers nothing.
      const partial = yield* Diff.diff(seed, changed, events, {
        secrets: seedSecrets(),
        ignore: ["claims.access.https://example"]
      })
      for (const report of [exact, part]) {
        assert.deepStrictEqual([report.same, report.differ], [3, 0])
        assert.deepStrictEqual(report.results[0]!.ignored, [
          `claims.access.${claims.roles}`,
          `claims.access.${renamedRoles}`
        ])
        assert.include(Diff.render(report, { a: "a", b: "b" }), "3 events: 3 same, 0 differ (4 ignored differences)")
      }
      assert.strictEqual(partial.differ, 2)
    }))

  it.effect("a flaky seller API: the second Action gets the first's answers in order (503, then the seller)", () =>
    Effect.gen(function*() {
      const before = seller.requests().length
      const events = jsonl("flaky.jsonl", [
        minimalEvent({ userId: "auth0|flaky", appMetadata: { sellerId: "seller-flaky" } })
      ])
      const report = yield* Diff.diff(seed, seed, events, { secrets: seedSecrets() })
      assert.isTrue(report.results[0]!.same, JSON.stringify(report.results[0]))
      assert.strictEqual(report.results[0]!.a.outcome, "allowed")
      // The seller API retried once, by the first Action only.
      assert.deepStrictEqual(seller.requests().slice(before), ["/seller/seller-flaky", "/seller/seller-flaky"])
      assert.deepStrictEqual([report.results[0]!.a.requests, report.results[0]!.b.requests], [2, 2])
    }))
})

describe("Diff over hand-written Actions", () => {
  const claimFromCounter =
    `const r = await fetch(event.secrets.URL + "/count"); api.idToken.setCustomClaim("n", await r.text())`

  it.effect("a service whose answer changes between the runs: replayed, the runs agree, and it is asked once", () =>
    Effect.gen(function*() {
      const a = action("counter", claimFromCounter)
      const events = jsonl("one.jsonl", [{ ...minimalEvent(), secrets: { URL: counter.url } }])
      const before = counter.hits()
      const report = yield* Diff.diff(a, a, events)
      assert.isTrue(report.results[0]!.same, JSON.stringify(report.results[0]))
      assert.strictEqual(counter.hits() - before, 1)
    }))

  it.effect("requests through node:http are not replayed: both send them, and the report says so", () =>
    Effect.gen(function*() {
      const events = jsonl("node-http.jsonl", [{ ...minimalEvent(), secrets: { URL: counter.url } }])
      const before = counter.hits()
      const same = yield* Diff.diff(nodeHttpGet("node-http", "/n"), nodeHttpGet("node-http", "/n"), events)
      assert.strictEqual(counter.hits() - before, 2)
      assert.isTrue(same.results[0]!.same, JSON.stringify(same.results[0]))
      assert.deepStrictEqual([same.results[0]!.a.live, same.results[0]!.b.live], [1, 1])
      assert.include(Diff.render(same, { a: "a", b: "b" }), "note: 2 requests went out through node:http(s)")
      const other = yield* Diff.diff(nodeHttpGet("node-http", "/n"), nodeHttpGet("node-http-other", "/other"), events)
      assert.deepStrictEqual(other.results[0]!.differences.map((d) => d.path), [
        `requests.GET ${counter.url}/n`,
        `requests.GET ${counter.url}/other`
      ])
    }))

  it.effect("a request only the second Action sends: a difference, failed without --live, sent with it", () =>
    Effect.gen(function*() {
      const quiet = action("quiet", `api.idToken.setCustomClaim("n", "0")`)
      const asks = action(
        "asks",
        `try { ${claimFromCounter} } catch (e) { api.idToken.setCustomClaim("n", "failed " + e.cause.code) }`
      )
      const events = jsonl("ask.jsonl", [{ ...minimalEvent(), secrets: { URL: counter.url } }])
      const before = counter.hits()
      const replayed = yield* Diff.diff(quiet, asks, events)
      assert.strictEqual(counter.hits(), before)
      assert.deepStrictEqual(replayed.results[0]!.differences, [
        { path: "claims.id.n", a: "0", b: "failed ENOTRECORDED" },
        { path: `requests.GET ${counter.url}/count`, b: [""] }
      ])
      const live = yield* Diff.diff(quiet, asks, events, { live: true })
      assert.strictEqual(counter.hits(), before + 1)
      assert.deepStrictEqual(live.results[0]!.differences, [
        { path: "claims.id.n", a: "0", b: String(before + 1) },
        { path: `requests.GET ${counter.url}/count`, b: [""] }
      ])
      assert.include(Diff.render(live, { a: "a", b: "b" }), `requests.GET ${counter.url}/count  (none)  1 sent`)
    }))

  it.effect("requests match by method, URL and body: a POST with another body is not answered from the tape", () =>
    Effect.gen(function*() {
      const events = jsonl("post.jsonl", [{ ...minimalEvent(), secrets: { URL: counter.url } }])
      const report = yield* Diff.diff(post("x"), post("y"), events)
      const paths = report.results[0]!.differences.map((d) => d.path)
      assert.deepStrictEqual(paths, ["outcome", "rejection", "claims.id.n", `requests.POST ${counter.url}/hook`])
      assert.deepStrictEqual(report.results[0]!.differences.at(-1), {
        path: `requests.POST ${counter.url}/hook`,
        a: ["x"],
        b: ["y"]
      })
      assert.strictEqual(counter.bodies().at(-1), "POST /hook x")
    }))

  it.effect("each Action gets its own copy of the event: what the first changes in it does not reach the second", () =>
    Effect.gen(function*() {
      const mutates = action(
        "mutates",
        `api.idToken.setCustomClaim("n", event.user.app_metadata.n ?? 0); event.user.app_metadata.n = 9`
      )
      const report = yield* Diff.diff(mutates, mutates, jsonl("mutate.jsonl", [minimalEvent()]))
      assert.isTrue(report.results[0]!.same, JSON.stringify(report.results[0]))
    }))

  it.effect("call order counts only where it changes the result: the last write of a metadata key wins", () =>
    Effect.gen(function*() {
      const twice = action("twice", `api.user.setAppMetadata("k", 1); api.user.setAppMetadata("k", 2)`)
      const once = action("once", `api.user.setAppMetadata("k", 2)`)
      const reversed = action("reversed", `api.user.setAppMetadata("k", 2); api.user.setAppMetadata("k", 1)`)
      const events = jsonl("meta.jsonl", [minimalEvent()])
      assert.isTrue((yield* Diff.diff(twice, once, events)).results[0]!.same)
      assert.deepStrictEqual((yield* Diff.diff(twice, reversed, events)).results[0]!.differences, [
        { path: "metadata.app.k", a: 2, b: 1 }
      ])
    }))

  it.effect("scopes, MFA, redirect, user_metadata and the deny reason are each compared", () =>
    Effect.gen(function*() {
      const a = action(
        "everything-a",
        `api.accessToken.addScope("read"); api.multifactor.enable("any"); api.user.setUserMetadata("t", "x")
         api.redirect.sendUserTo("https://x.example/a"); api.access.deny("no")`
      )
      const b = action(
        "everything-b",
        `api.accessToken.addScope("write"); api.multifactor.enable("duo", { allowRememberBrowser: true })
         api.redirect.sendUserTo("https://x.example/a", { query: { q: 1 } }); api.access.deny("never")`
      )
      const report = yield* Diff.diff(a, b, jsonl("all.jsonl", [minimalEvent()]))
      assert.deepStrictEqual(report.results[0]!.differences, [
        { path: "reason", a: "no", b: "never" },
        { path: "metadata.user.t", a: "x" },
        { path: "mfa", a: { provider: "any" }, b: { provider: "duo", options: { allowRememberBrowser: true } } },
        { path: "redirect", a: { url: "https://x.example/a" }, b: { url: "https://x.example/a", query: { q: 1 } } }
      ])
      // Both redirect: the scopes set on that pass are listed apart, under redirected. (DiffRedirect.test.ts).
      assert.deepStrictEqual(report.results[0]!.onRedirectingPass, [
        { path: "redirected.scopes.read", a: "added" },
        { path: "redirected.scopes.write", b: "added" }
      ])
      const scopes = yield* Diff.diff(
        action("scopes-a", `api.accessToken.addScope("read")`),
        action("scopes-b", `api.accessToken.addScope("write")`),
        jsonl("scopes.jsonl", [minimalEvent()])
      )
      assert.deepStrictEqual(scopes.results[0]!.differences, [
        { path: "scopes.read", a: "added" },
        { path: "scopes.write", b: "added" }
      ])
    }))

  it.effect("api calls rulefx does not know are recorded by method path and compared by their arguments", () =>
    Effect.gen(function*() {
      const events = jsonl("unknown.jsonl", [minimalEvent()])
      const different = yield* Diff.diff(challenge("otp"), challenge("email"), events)
      assert.deepStrictEqual(different.results[0]!.differences, [
        { path: "calls.authentication.challengeWith", a: [[{ type: "otp" }]], b: [[{ type: "email" }]] }
      ])
      assert.isTrue((yield* Diff.diff(challenge("otp"), challenge("otp"), events)).results[0]!.same)
    }))

  it.effect("a continue pass: a wrapper's \"continue\": true runs onContinuePostLogin, so does resume for all", () =>
    Effect.gen(function*() {
      const a = action(
        "resume-a",
        `api.redirect.sendUserTo("https://x.example")`,
        `api.idToken.setCustomClaim("c", "a")`
      )
      const b = action(
        "resume-b",
        `api.redirect.sendUserTo("https://x.example")`,
        `api.idToken.setCustomClaim("c", "b")`
      )
      const events = jsonl("continue.jsonl", [minimalEvent(), { event: minimalEvent(), continue: true }])
      const report = yield* Diff.diff(a, b, events)
      assert.deepStrictEqual(report.results.map((r) => [r.pass, r.same]), [
        ["onExecutePostLogin", true],
        ["onContinuePostLogin", false]
      ])
      assert.include(Diff.render(report, { a: "a", b: "b" }), "continue.jsonl:2 (continue): differs")
      const all = yield* Diff.diff(a, b, events, { resume: true })
      assert.deepStrictEqual(all.results.map((r) => r.pass), ["onContinuePostLogin", "onContinuePostLogin"])
      // An Action without onContinuePostLogin cannot take a continue pass: an error naming it.
      const error = yield* Effect.flip(Diff.diff(action("no-resume", ""), b, events))
      assert.instanceOf(error, LocalRun.LocalRunError)
      assert.include(error.message, "does not export an onContinuePostLogin function")
    }))
})

describe("Diff's errors", () => {
  it.effect("events: a missing path, a malformed line (with its number), a bad wrapper, an empty folder", () =>
    Effect.gen(function*() {
      const missing = join(dir, "nowhere.jsonl")
      assert.deepStrictEqual(yield* problem(missing), [
        "EventFileError",
        undefined,
        "no such file or folder",
        `${missing}: no such file or folder`
      ])
      const bad = file("bad.jsonl", `${JSON.stringify(minimalEvent())}\n\n{"user": \n`)
      const [, line, text, message] = yield* problem(bad)
      assert.strictEqual(line, 3)
      assert.match(text, /^not valid JSON/)
      assert.isTrue(message.startsWith(`${bad}:3: not valid JSON`), message)
      const typo = jsonl("typo.jsonl", [{ event: minimalEvent(), resume: true }])
      assert.strictEqual(
        (yield* problem(typo))[2],
        "unknown field resume beside \"event\" (a wrapper has event, name, trigger and continue)"
      )
      const notEvent = jsonl("not-event.jsonl", [minimalEvent(), { user: "ada" }])
      assert.deepStrictEqual((yield* problem(notEvent)).slice(1, 2), [2])
      assert.match((yield* problem(notEvent))[2], /^not a post-login event rulefx can read: /)
      // One .json file: one event, named by the file; a wrapper there may mark it a continue pass too.
      const single = yield* Diff.readEvents(
        file("single.json", JSON.stringify({ event: minimalEvent(), continue: true }))
      )
      assert.deepStrictEqual(single.map((c) => [c.name, c.pass]), [["single.json", "onContinuePostLogin"]])
      mkdirSync(join(dir, "empty"))
      file("empty/readme.txt", "no events here")
      assert.strictEqual((yield* problem(join(dir, "empty")))[2], "no .json or .jsonl events in this folder")
    }))

  it.effect("actions: a missing file, a TypeScript entry, a file that is not an Action", () =>
    Effect.gen(function*() {
      const events = jsonl("plain.jsonl", [minimalEvent()])
      const messages = yield* Effect.forEach(
        [join(dir, "none.js"), join(seedFolder, "src", "action.ts"), file("lib.js", "exports.x = 1")],
        (path) => Effect.flip(Diff.diff(seed, path, events)).pipe(Effect.map((e) => e.message))
      )
      assert.match(messages[0]!, /none\.js: no such file$/)
      assert.match(messages[1]!, /action\.ts: not a built Action/)
      assert.match(
        messages[2]!,
        /lib\.js: does not export an onExecutePostLogin function, which 1 post-login event needs \(plain\.jsonl:1\)$/
      )
    }))
})

describe("Diff over the legacy example", () => {
  it.effect("the migrated Rules against themselves: its events the same; the first-login webhook sent once", () =>
    Effect.gen(function*() {
      const defaults = JSON.parse(readFileSync(join(legacyFolder, "events", "default.json"), "utf8"))
      const folder = join(dir, "legacy-events")
      mkdirSync(folder)
      for (
        const name of ["admin-console", "billing", "default", "marketplace", "unverified-email", "vpn-outside-office"]
      ) {
        file(`legacy-events/${name}.json`, readFileSync(join(legacyFolder, "events", `${name}.json`), "utf8"))
      }
      jsonl("legacy-events/first-login.jsonl", [{
        name: "first login",
        event: {
          ...defaults,
          stats: { logins_count: 1 },
          secrets: { ...defaults.secrets, WEBHOOK_URL: `${counter.url}/hook` }
        }
      }])
      const before = counter.bodies().length
      const report = yield* Diff.diff(legacy, legacy, folder)
      assert.deepStrictEqual(
        [report.events, report.same, report.differ],
        [7, 7, 0],
        Diff.render(report, { a: "a", b: "b" })
      )
      assert.deepStrictEqual(report.results.map((r) => r.name), [
        "admin-console.json",
        "billing.json",
        "default.json",
        "first login",
        "marketplace.json",
        "unverified-email.json",
        "vpn-outside-office.json"
      ])
      // The legacy `request` stand-in posted once, from the first Action; the second got the recorded answer.
      assert.deepStrictEqual(counter.bodies().slice(before), [
        `POST /hook ${JSON.stringify({ user_id: defaults.user.user_id, email: defaults.user.email })}`
      ])
      const webhook = report.results.find((r) => r.name === "first login")!
      assert.deepStrictEqual([webhook.a.requests, webhook.b.requests], [1, 1])
    }))
})

describe("rulefx diff", () => {
  it("exit 1 and a table naming the claim when a rule changed; exit 0 and --json for the unchanged pair", async () => {
    const events = seedEvents()
    const secrets = file("secrets.env", `SELLER_API_URL=${seller.url}\nINTERCOM_SECRET=${intercomSecret}\n`)
    const [differs, same, bad] = await Promise.all([
      rulefx("diff", seed, changed, "--events", events, "--secrets", secrets),
      rulefx("diff", seed, seed, "--events", events, "--secrets", secrets, "--json"),
      rulefx("diff", seed, seed, "--events", file("broken.jsonl", "{}\nnot json\n"))
    ])
    assert.strictEqual(differs.code, 1, show(differs))
    assert.include(differs.stdout, `claims.access.${claims.roles}`, show(differs))
    assert.include(differs.stdout, "3 events: 1 same, 2 differ", show(differs))
    assert.include(differs.stderr, `2 of 3 events differ between ${seed} and ${changed}`, show(differs))
    assert.strictEqual(same.code, 0, show(same))
    const json = JSON.parse(same.stdout) as Diff.Report
    assert.deepStrictEqual(Object.keys(json), [
      "events",
      "same",
      "differ",
      "results",
      "notes",
      "unusedIgnores",
      "missingSecrets",
      "unreadable"
    ])
    assert.deepStrictEqual([json.events, json.same, json.differ], [3, 3, 0])
    assert.deepStrictEqual(Object.keys(json.results[0]!), [
      "name",
      "trigger",
      "pass",
      "same",
      "differences",
      "onRedirectingPass",
      "ignored",
      "covered",
      "a",
      "b"
    ])
    assert.deepStrictEqual(json.results[0]!.a, { outcome: "allowed", requests: 1, live: 0 })
    assert.strictEqual(bad.code, 1, show(bad))
    // The line that is not JSON is listed as unreadable; the others ran.
    assert.include(bad.stdout, "broken.jsonl:2: not valid JSON", show(bad))
  }, 60_000)

  it(
    "a handler that never settles: stopped at --timeout, the same on both sides, exit 1 and the process ends",
    async () => {
      const hangs = action("hangs", "await new Promise(() => setInterval(() => {}, 1000))")
      const output = await rulefx(
        "diff",
        hangs,
        hangs,
        "--events",
        jsonl("hang.jsonl", [minimalEvent()]),
        "--timeout",
        "1",
        "--json"
      )
      assert.strictEqual(output.code, 1, show(output))
      const report = JSON.parse(output.stdout) as Diff.Report
      assert.deepStrictEqual([report.same, report.results[0]!.a.timedOutMs, report.results[0]!.b.timedOutMs], [
        1,
        1000,
        1000
      ])
      assert.include(output.stderr, "a handler did not settle within 1 s (hang.jsonl:1)", show(output))
    },
    60_000
  )
})
