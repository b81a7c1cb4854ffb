/**
 * Hardening of the legacy runtime after review (issue 11): what a legacy rule may leave of the Action's secrets in a
 * console line, a denial's reason or a claim; redirect URLs checked and sent alike; and the request shim's requests
 * ending with the run of the rule that made them.
 */
import { assert, describe, it } from "@effect/vitest"
import type * as Decision from "@rulefx/core/Decision"
import * as Denial from "@rulefx/core/Denial"
import * as LegacyRule from "@rulefx/legacy-rules/LegacyRule"
import * as LegacyRules from "@rulefx/legacy-rules/LegacyRules"
import * as Request from "@rulefx/legacy-rules/Request"
import * as Listen from "@rulefx/testing/Listen"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as References from "effect/References"
import * as fc from "fast-check"
import { createServer } from "node:http"
import { vi } from "vitest"
import { fullEvent, runLegacy } from "./utils/Fixtures.ts"

type Load = (globals: LegacyRule.Globals) => LegacyRule.RuleFunction

const rule = (name: string, load: Load, timeout: Duration.Input = "1 second") =>
  LegacyRule.make(name, load, { timeout })

/** A login through `rules` with `secrets`: its Exit, the console lines and the Effect log lines it printed. */
const login = (
  rules: ReadonlyArray<LegacyRule.LegacyRule>,
  secrets: Record<string, string>,
  options: LegacyRules.Options = {}
) =>
  Effect.gen(function*() {
    const lines: Array<string> = []
    const logs: Array<string> = []
    const spy = vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)))
    yield* Effect.addFinalizer(() => Effect.sync(() => spy.mockRestore()))
    const logger = Logger.make(({ message }) => void logs.push([message].flat().map(String).join(" ")))
    const exit = yield* runLegacy(LegacyRules.make(rules, options), fullEvent(), secrets).pipe(
      Effect.provideService(References.CurrentLoggers, new Set([logger]))
    )
    return { exit, lines, logs }
  })

/** The console lines of one rule whose body logs with `log`. */
const linesOf = (secrets: Record<string, string>, log: (c: Console["log"], cfg: Record<string, string>) => void) =>
  Effect.map(
    login([
      rule("logs", ({ configuration, console }) =>
        function(user, context, callback) {
          log(console.log, configuration as Record<string, string>)
          callback(null, user, context)
        })
    ], secrets),
    ({ lines }) => lines.map((line) => line.replace(/^rulefx legacy rule=logs: /, ""))
  )

const KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"

// A rule's lines about two URL settings on one host and port.
const twoUrls = (l: Console["log"], c: Record<string, string>) => {
  l(`connect ECONNREFUSED ${new URL(c["CRM_URL"]!).host}`)
  l(`GET ${c["CRM_URL"]}/accounts/1 failed`)
  l(`flags from ${c["FLAGS_URL"]}, accounts from ${c["CRM_URL"]}`)
}

describe("scrubbing", () => {
  it.effect("the RFC 3986 form the request shim sends in qs and form (!'()* escaped)", () =>
    Effect.gen(function*() {
      const secret = "it's-(very)*secret!"
      const rfc = "it%27s-%28very%29%2Asecret%21"
      // What the shim puts on the wire, as a server would echo it back to the rule.
      const server = yield* Effect.acquireRelease(
        Effect.promise(() => Listen.listen(createServer((req, res) => res.end(req.url)))),
        (s) => Effect.promise(() => s.close())
      )
      const { exit, lines } = yield* login(
        [
          rule("echo", ({ configuration, console, require }) =>
            function(user, context, callback) {
              const request = require("request") as Request.Request
              request({ url: server.url, qs: { key: configuration["KEY"] } }, (_error, _response, body) => {
                console.log("echoed", body)
                console.log("by hand", encodeURIComponent(configuration["KEY"]!), rfc)
                callback(null, user, context)
              })
            })
        ],
        { KEY: secret },
        { modules: { request: Request.request } }
      )
      assert.isTrue(Exit.isSuccess(exit))
      assert.deepStrictEqual(lines, [
        "rulefx legacy rule=echo: echoed /?key=[secret KEY]",
        "rulefx legacy rule=echo: by hand [secret KEY] [secret KEY]"
      ])
    }).pipe(Effect.scoped))

  // Found by a new user: with two URL settings on one host and port, a connection error's `127.0.0.1:4100` read
  // `[secret FLAGS_URL][secret CRM_URL]`, named after whichever setting came first: two markers for one run, one of
  // them naming a setting the request had nothing to do with.
  it.effect("a part two secrets share names both in one marker; the whole of one names that one, in either order", () =>
    Effect.gen(function*() {
      const expected = [
        "connect ECONNREFUSED [secret CRM_URL, FLAGS_URL]",
        "GET [secret CRM_URL]/accounts/1 failed",
        "flags from [secret FLAGS_URL], accounts from [secret CRM_URL]"
      ]
      const crm = "http://127.0.0.1:4100/crm"
      const flags = "http://127.0.0.1:4100/flags"
      assert.deepStrictEqual(yield* linesOf({ CRM_URL: crm, FLAGS_URL: flags }, twoUrls), expected)
      assert.deepStrictEqual(yield* linesOf({ FLAGS_URL: flags, CRM_URL: crm }, twoUrls), expected)
    }).pipe(Effect.scoped))

  it.effect("a secret split across console.log arguments, or wrapped over lines", () =>
    Effect.gen(function*() {
      const lines = yield* linesOf({ KEY }, (log, c) => {
        log("key:", c["KEY"]!.slice(0, 5), c["KEY"]!.slice(5))
        log("key:", ...c["KEY"]!.match(/.{1,3}/g)!)
        log(`key:\n${c["KEY"]!.slice(0, 10)}\n${c["KEY"]!.slice(10)}`)
      })
      assert.deepStrictEqual(lines, ["key: [secret KEY]", "key: [secret KEY]", "key: [secret KEY]"])
    }).pipe(Effect.scoped))

  it.effect("a secret minus its last character, a long prefix, a long middle part: replaced", () =>
    Effect.gen(function*() {
      const lines = yield* linesOf({ KEY }, (log, c) => {
        log("a", c["KEY"]!.slice(0, -1), "b")
        log("a", c["KEY"]!.slice(0, 20), "b")
        log("a", c["KEY"]!.slice(6, 26), "b")
        log(`a ${Buffer.from(c["KEY"]!).toString("base64").slice(0, 24)} b`)
      })
      assert.deepStrictEqual(lines, Array(4).fill("a [secret KEY] b"))
    }).pipe(Effect.scoped))

  it.effect("less than half of a long secret stays: a URL setting does not turn every URL of the log into a marker", () =>
    Effect.gen(function*() {
      const lines = yield* linesOf({ URL: "https://api.partner.example/hooks/7f3a", KEY }, (log, c) => {
        log("calling https://other.partner.example/x", c["KEY"]!.slice(0, 15))
        log("calling https://api.partner.example/other")
      })
      assert.deepStrictEqual(lines, [
        `calling https://other.partner.example/x ${KEY.slice(0, 15)}`,
        // Most of the setting: its own host and path.
        "calling [secret URL]other"
      ])
    }).pipe(Effect.scoped))

  it.effect("a short setting is replaced whole, never in part (a 5-character one loses its last character too)", () =>
    Effect.gen(function*() {
      const lines = yield* linesOf({ TIER: "gold", CODE: "abcde" }, (log) => {
        log("gol abcd bcde abc gold")
      })
      assert.deepStrictEqual(lines, ["gol [secret CODE] [secret CODE] abc [secret TIER]"])
    }).pipe(Effect.scoped))

  it.effect("a denial's reason: the secret split by the rule and cut by the 500-character limit leaves nothing", () =>
    Effect.gen(function*() {
      const { exit } = yield* login([
        rule("denies", ({ configuration }) =>
          function(_user, _context, callback) {
            callback(new Error(`bad key ${configuration["KEY"]!.slice(0, 16)} ${configuration["KEY"]!.slice(16)}`))
          })
      ], { KEY })
      const error = Exit.findErrorOption(exit)
      assert.isTrue(Option.isSome(error))
      assert.strictEqual((error as Option.Some<Denial.Denial>).value.message, "bad key [secret KEY]")
    }).pipe(Effect.scoped))

  it.effect("a huge line (a megabyte of JSON): scrubbed where it is kept, the rest never printed", () =>
    Effect.gen(function*() {
      const lines = yield* linesOf({ KEY }, (log, c) => {
        log({ key: c["KEY"], rows: Array.from({ length: 20_000 }, (_, i) => ({ i, key: c["KEY"] })) })
      })
      assert.lengthOf(lines, 1)
      assert.match(lines[0]!, /^\{"key":"\[secret KEY\]","rows":\[\{"i":0,"key":"\[secret KEY\]"\}/)
      assert.notInclude(lines[0]!, KEY.slice(0, 16))
    }).pipe(Effect.scoped))

  it.effect("scrubbing is built lazily: a login that neither logs nor denies never computes a secret's forms", () =>
    Effect.gen(function*() {
      const encode = vi.spyOn(globalThis, "encodeURIComponent")
      yield* Effect.addFinalizer(() => Effect.sync(() => encode.mockRestore()))
      const { exit } = yield* login([
        rule("quiet", () =>
          function(user, context, callback) {
            callback(null, user, context)
          })
      ], { KEY })
      assert.isTrue(Exit.isSuccess(exit))
      assert.notDeepInclude(encode.mock.calls, [KEY])
    }).pipe(Effect.scoped))

  it.effect("every cut of a secret into two pieces, logged apart: neither piece of half the secret or more is logged", () =>
    Effect.gen(function*() {
      for (const secret of ["abcdefghij", KEY, "-----BEGIN KEY-----\nMIIBsecretLINE1\n-----END KEY-----"]) {
        for (let cut = 1; cut < secret.length; cut++) {
          const pieces = [secret.slice(0, cut), secret.slice(cut)]
          const lines = yield* linesOf({ SECRET: secret }, (log) => log("pieces", pieces[1], "and", pieces[0]))
          const compact = secret.replace(/\s+/g, "")
          for (const piece of pieces.filter((p) => p.replace(/\s+/g, "").length >= Math.max(8, compact.length / 2))) {
            assert.notInclude(lines[0], piece.replace(/\s+/g, " ").trim(), `${JSON.stringify(secret)} cut at ${cut}`)
          }
        }
      }
    }).pipe(Effect.scoped))
})

/** One login whose rule sets a fine claim, then calls `set`, with three settings of different kinds. */
const claimOf = (set: (idToken: Record<string, unknown>, c: Record<string, string>, user: any) => void) =>
  login([
    rule("claims", ({ configuration }) =>
      function(user, context, callback) {
        context.idToken["https://x.example/ok"] = "fine"
        set(context.idToken, configuration as Record<string, string>, user)
        callback(null, user, context)
      })
  ], { KEY, TIER: "gold", DOMAIN: "example.com" })

describe("a secret in a claim", () => {
  it.effect.each(
    [
      ["as the claim", (t: Record<string, unknown>, c: Record<string, string>) => t["https://x.example/k"] = c["KEY"]],
      [
        "inside an object",
        (t: Record<string, unknown>, c: Record<string, string>) => t["https://x.example/k"] = { a: [c["KEY"]] }
      ],
      [
        "URL-encoded",
        (t: Record<string, unknown>, c: Record<string, string>) =>
          t["https://x.example/k"] = encodeURIComponent(c["KEY"]!)
      ],
      [
        "base64",
        (t: Record<string, unknown>, c: Record<string, string>) =>
          t["https://x.example/k"] = Buffer.from(c["KEY"]!).toString("base64")
      ],
      [
        "in a profile claim",
        (_t: Record<string, unknown>, c: Record<string, string>, user: any) => user.picture = c["KEY"]
      ]
    ] as const
  )(
    "%s: the login is denied generically; the log names the claim, never the value",
    ([, set]) =>
      Effect.gen(function*() {
        const { exit, logs } = yield* claimOf(set)
        const error = Exit.findErrorOption(exit)
        assert.isTrue(Option.isSome(error), "the login went through")
        const denial = (error as Option.Some<Denial.Denial>).value
        assert.strictEqual(denial._tag, "SecretInClaim")
        assert.strictEqual(denial.message, Denial.genericMessage)
        assert.isTrue(
          logs.some((line) => /denied: SecretInClaim claim=(https:\/\/x\.example\/k|picture) secret=KEY/.test(line)),
          logs.join("\n")
        )
        for (const line of logs) assert.notInclude(line, KEY)
      }).pipe(Effect.scoped)
  )

  it.effect("a short setting copied into a claim, or a setting inside a longer value: allowed", () =>
    Effect.gen(function*() {
      const { exit } = yield* claimOf((t, c) => {
        t["https://x.example/tier"] = c["TIER"]
        t["https://x.example/email"] = `ada@${c["DOMAIN"]}`
        t["https://x.example/note"] = `key ends ${c["KEY"]!.slice(-6)}`
      })
      assert.isTrue(Exit.isSuccess(exit))
      const decision = (exit as Exit.Success<Decision.Decision>).value
      assert.strictEqual(decision.idTokenClaims["https://x.example/tier"], "gold")
      assert.strictEqual(decision.idTokenClaims["https://x.example/email"], "ada@example.com")
    }).pipe(Effect.scoped))

  it.effect("an access-token claim too; metadata the rules wrote before stays written, as with their own denials", () =>
    Effect.gen(function*() {
      const { exit } = yield* login([
        rule("writes", ({ auth0 }) =>
          function(user, context, callback) {
            auth0.users.updateAppMetadata(user.user_id, { tier: "gold" }).then(() => callback(null, user, context))
          }),
        rule("leaks", ({ configuration }) =>
          function(user, context, callback) {
            context.accessToken["https://x.example/k"] = configuration["KEY"]
            callback(null, user, context)
          })
      ], { KEY })
      const error = Exit.findErrorOption(exit)
      assert.isTrue(Option.isSome(error))
      const denial = (error as Option.Some<Denial.Denial>).value
      assert.strictEqual(denial._tag, "SecretInClaim")
      assert.deepStrictEqual(Denial.committedOf(denial)?.appMetadata, { tier: "gold" })
    }).pipe(Effect.scoped))
})

/** The URL sent for a redirect to `url`, or the denial. */
const redirectTo = (url: unknown) =>
  Effect.map(
    login([
      rule("redirects", () =>
        function(user, context, callback) {
          context.redirect = { url } as typeof context.redirect
          callback(null, user, context)
        })
    ], {}),
    ({ exit }) =>
      Exit.isSuccess(exit)
        ? (exit.value as Decision.Decision).redirect?.url
        : `denied: ${String(Exit.findErrorOption(exit).pipe(Option.map((e) => (e as Denial.Denial)._tag)))}`
  )

describe("redirect URLs: what is checked is what is sent", () => {
  it.effect.each(
    [
      ["https:\\\\evil.example/x", "https://evil.example/x"],
      ["  https://ok.example/consent  ", "https://ok.example/consent"],
      ["https://ok.exa\nmple/con\tsent", "https://ok.example/consent"],
      ["HTTPS://OK.example", "https://ok.example/"],
      ["https://ok.example/a b?c=d e", "https://ok.example/a%20b?c=d%20e"]
    ] as const
  )("%j is sent as %j", ([given, sent]) =>
    Effect.gen(function*() {
      assert.strictEqual(yield* redirectTo(given), sent)
    }).pipe(Effect.scoped))

  it.effect.each(["javascript:alert(1)", "//evil.example", "/relative", "evil.example", "data:text/html,x", [
    "https://x"
  ]])(
    "%j is refused",
    (given) =>
      Effect.gen(function*() {
        assert.match(String(yield* redirectTo(given)), /^denied: .*InvalidRedirect/)
      }).pipe(Effect.scoped)
  )

  it.effect("whatever the string, a redirect that is sent is an http(s) URL in the parser's own form", () =>
    Effect.gen(function*() {
      const urls = fc.sample(fc.webUrl({ withQueryParameters: true, withFragments: true }), { numRuns: 40, seed: 11 })
      const tricky = urls.flatMap((u) => [u, ` ${u.replace("://", ":\\\\")}\n`, u.replace(/\./g, ".\t"), `\u0000${u}`])
      for (const given of [...tricky, ...fc.sample(fc.string(), { numRuns: 40, seed: 11 })]) {
        const sent = yield* redirectTo(given)
        if (sent === undefined || sent.startsWith("denied: ")) continue
        assert.strictEqual(new URL(sent).href, sent, JSON.stringify(given))
        assert.match(sent, /^https?:\/\//)
      }
    }).pipe(Effect.scoped))
})

/** One login whose rule redirects to `url(configuration)`, with settings of different kinds. */
const redirectWith = (url: (c: Record<string, string>) => string) =>
  login([
    rule("redirects", ({ configuration }) =>
      function(user, context, callback) {
        context.redirect = { url: url(configuration as Record<string, string>) }
        callback(null, user, context)
      })
  ], {
    KEY,
    SPECIAL: "p+ss/w=rd:long~key",
    TIER: "gold",
    DOMAIN: "example.com",
    CONSENT_URL: "https://consent.example.com/terms?tenant=acme"
  })

describe("a secret in a redirect URL", () => {
  it.effect.each(
    [
      ["a query value", (c: Record<string, string>) => `https://x.example/start?key=${c["KEY"]}`],
      [
        "a query value, URL-encoded",
        (c: Record<string, string>) => `https://x.example/?k=${encodeURIComponent(c["SPECIAL"]!)}`
      ],
      ["a query value, as written", (c: Record<string, string>) => `https://x.example/?k=${c["SPECIAL"]}&n=1`],
      ["a query key", (c: Record<string, string>) => `https://x.example/?${c["KEY"]}`],
      ["a query value after a URL setting", (c: Record<string, string>) => `${c["CONSENT_URL"]}&client=${c["KEY"]}`],
      ["a path segment", (c: Record<string, string>) => `https://x.example/api/${c["KEY"]}/start`],
      ["a fragment value", (c: Record<string, string>) => `https://x.example/#/cb?token=${c["KEY"]}`],
      ["the password", (c: Record<string, string>) => `https://u:${c["KEY"]}@x.example/`],
      ["base64", (c: Record<string, string>) => `https://x.example/?k=${Buffer.from(c["KEY"]!).toString("base64")}`]
    ] as const
  )(
    "%s: the login is denied generically; the log names the setting, never the value",
    ([, url]) =>
      Effect.gen(function*() {
        const { exit, logs } = yield* redirectWith(url)
        const error = Exit.findErrorOption(exit)
        assert.isTrue(Option.isSome(error), "the login went through")
        const denial = (error as Option.Some<Denial.Denial>).value
        assert.strictEqual(denial._tag, "SecretInRedirect")
        assert.strictEqual(denial.message, Denial.genericMessage)
        assert.isTrue(logs.some((line) => /denied: SecretInRedirect secret=(KEY|SPECIAL)/.test(line)), logs.join("\n"))
        for (const line of logs) assert.notInclude(line, KEY)
      }).pipe(Effect.scoped)
  )

  it.effect.each(
    [
      ["a URL setting as the page", (c: Record<string, string>) => `${c["CONSENT_URL"]}&user=ada`],
      ["a short setting as a value", (c: Record<string, string>) => `https://x.example/?tier=${c["TIER"]}`],
      ["a setting inside a longer value", (c: Record<string, string>) => `https://x.example/?email=ada@${c["DOMAIN"]}`],
      ["part of a secret", (c: Record<string, string>) => `https://x.example/?hint=${c["KEY"]!.slice(-6)}`]
    ] as const
  )("%s: sent", ([, url]) =>
    Effect.gen(function*() {
      const { exit } = yield* redirectWith(url)
      assert.isTrue(Exit.isSuccess(exit))
      assert.isString((exit as Exit.Success<Decision.Decision>).value.redirect?.url)
    }).pipe(Effect.scoped))

  it.effect("metadata the rules wrote before stays written, as with their own denials; a resumed login is not checked", () =>
    Effect.gen(function*() {
      const leaks = rule("writes-and-leaks", ({ auth0, configuration }) =>
        function(user, context, callback) {
          context.redirect = { url: `https://x.example/?key=${configuration["KEY"]}` }
          auth0.users.updateAppMetadata(user.user_id, { tier: "gold" }).then(() => callback(null, user, context))
        })
      const exit = yield* runLegacy(LegacyRules.make([leaks]), fullEvent(), { KEY })
      const denial = (Exit.findErrorOption(exit) as Option.Some<Denial.Denial>).value
      assert.strictEqual(denial._tag, "SecretInRedirect")
      assert.deepStrictEqual(Denial.committedOf(denial)?.appMetadata, { tier: "gold" })
      // On /continue, Rules ignored a new redirect: nothing is sent, so nothing is checked.
      const resumed = yield* runLegacy(LegacyRules.make([leaks], { resumed: true }), fullEvent(), { KEY })
      assert.isTrue(Exit.isSuccess(resumed))
      assert.isUndefined((resumed as Exit.Success<Decision.Decision>).value.redirect)
    }).pipe(Effect.scoped))
})

describe("the request shim's requests end with the rule's run", () => {
  it.live("a rule that times out: its request to a hanging server is aborted then, not at its own 10 s timeout", () =>
    Effect.gen(function*() {
      const closed: Array<number> = []
      const server = yield* Effect.acquireRelease(
        Effect.promise(() =>
          Listen.listen(createServer((req) => void req.socket.once("close", () => closed.push(performance.now()))))
        ),
        (s) => Effect.promise(() => s.close())
      )
      const started = performance.now()
      const { exit } = yield* login(
        [
          rule("waits", ({ require }) =>
            function(_user, _context, _callback) {
              const request = require("request") as Request.Request
              request({ url: server.url, timeout: 10_000 }, () => undefined)
            }, "200 millis")
        ],
        {},
        { modules: { request: Request.request } }
      )
      assert.strictEqual(
        Exit.findErrorOption(exit).pipe(Option.map((e) => (e as Denial.Denial)._tag), Option.getOrUndefined),
        "RuleTimedOut"
      )
      yield* Effect.promise(() => vi.waitFor(() => assert.lengthOf(closed, 1), { timeout: 3_000 }))
      assert.isBelow(closed[0]! - started, 2_000)
    }).pipe(Effect.scoped))
})
