/**
 * What a new user's migration showed `rulefx diff` and `rulefx run` passing that they should not: an Action that
 * redirects on a first pass and exports no onContinuePostLogin (every user coming back fails) against one that has
 * it; a diff run without `--secrets` where both Actions deny every event for a missing secret ("all same"); and one
 * event the reader refuses stopping the whole diff.
 */
import { assert, beforeAll, describe, it } from "@effect/vitest"
import * as Diff from "@rulefx/cli/Diff"
import * as Migrate from "@rulefx/cli/Migrate"
import * as Effect from "effect/Effect"
import { join } from "node:path"
import * as RulefxBin from "./utils/RulefxBin.ts"
import * as Scratch from "./utils/Scratch.ts"

const scratch = Scratch.scratch("rulefx-diff-nu3-")
const { file, jsonl } = scratch
let legacy = ""

const rulefx = (...args: ReadonlyArray<string>) => RulefxBin.run(scratch.dir(), ...args)

const terms = `api.redirect.sendUserTo("https://terms.example.com")`
const redirects = (name: string, resume: boolean) =>
  file(
    `${name}.js`,
    `exports.onExecutePostLogin = async (event, api) => { if (!event.user.app_metadata.terms) ${terms} }\n` +
      (resume ? "exports.onContinuePostLogin = async () => {}\n" : "")
  )

const user = (id: string, appMetadata: Record<string, unknown> = {}) => ({
  user: { user_id: id, email_verified: true, app_metadata: appMetadata }
})

beforeAll(async () => {
  // A migrated rule reading a setting: without it, the Action denies (MissingSecret) and logs its name.
  file(
    "rules/crm.js",
    "function (user, context, callback) {\n  context.idToken.crm = configuration.CRM_API_KEY.length;\n" +
      "  callback(null, user, context);\n}\n"
  )
  file(
    "rules/crm.json",
    JSON.stringify({ name: "crm", script: "./crm.js", stage: "login_success", enabled: true, order: 1 })
  )
  legacy = join(scratch.dir(), "legacy", "action.js")
  await Effect.runPromise(Migrate.migrate(join(scratch.dir(), "rules"), legacy))
}, 120_000)

describe("DiffNewUser3: a redirect without onContinuePostLogin", () => {
  it.effect("differs from one with it, under `continue`; the same when neither redirects", () =>
    Effect.gen(function*() {
      const has = redirects("has-continue", true)
      const lacks = redirects("lacks-continue", false)
      const events = jsonl("terms.jsonl", [user("auth0|new"), user("auth0|accepted", { terms: true })])
      const report = yield* Diff.diff(has, lacks, events)
      // Before: 2 same, only a note on the continue pass no event ran.
      assert.strictEqual(report.differ, 1)
      assert.deepStrictEqual(report.results[0]!.differences, [{
        path: "continue",
        b: "sends the user away, but exports no onContinuePostLogin: Auth0 fails the login when the user comes back"
      }])
      assert.isTrue(report.results[1]!.same)
      // Both lacking it: the same, and a note says these logins fail.
      const both = yield* Diff.diff(lacks, lacks, events)
      assert.strictEqual(both.differ, 0)
      assert.include(
        both.notes,
        "both Actions send the user away on 1 event and neither exports onContinuePostLogin: Auth0 fails these " +
          "logins when the user comes back"
      )
    }))

  it.live("rulefx run warns, and --expect allowed fails", () =>
    Effect.gen(function*() {
      const lacks = redirects("run-lacks", false)
      const event = file("new.json", JSON.stringify(user("auth0|new")))
      const plain = yield* Effect.promise(() => rulefx("run", lacks, "--event", event))
      assert.strictEqual(plain.code, 0, plain.stderr)
      assert.include(plain.stderr, "exports no onContinuePostLogin: Auth0 fails the login when the user comes back")
      const expect = yield* Effect.promise(() => rulefx("run", lacks, "--event", event, "--expect", "allowed"))
      assert.strictEqual(expect.code, 1, expect.stderr)
      const has = yield* Effect.promise(() =>
        rulefx("run", redirects("run-has", true), "--event", event, "--expect", "allowed")
      )
      assert.strictEqual(has.code, 0, has.stderr)
      assert.notInclude(has.stderr, "warning")
    }), { timeout: 60_000 })

  it.live(
    "for password-reset-post-challenge without onContinuePostChallenge, rulefx run warns and --expect allowed fails",
    () =>
      Effect.gen(function*() {
        const reset = (name: string, resume: boolean) =>
          file(
            `${name}.js`,
            `exports.onExecutePostChallenge = async (event, api) => { api.redirect.sendUserTo("https://verify.example.com") }\n` +
              (resume ? "exports.onContinuePostChallenge = async () => {}\n" : "")
          )
        const event = file("reset.json", JSON.stringify({ user: { user_id: "auth0|new" } }))
        const lacks = yield* Effect.promise(() =>
          rulefx("run", reset("reset-lacks", false), "--event", event, "--expect", "allowed")
        )
        assert.strictEqual(lacks.code, 1, lacks.stderr)
        assert.include(
          lacks.stderr,
          "exports no onContinuePostChallenge: Auth0 fails the login when the user comes back (export onContinuePostChallenge"
        )
        assert.include(lacks.stderr, "expected the password-reset-post-challenge request to be allowed, but")
        const has = yield* Effect.promise(() =>
          rulefx("run", reset("reset-has", true), "--event", event, "--expect", "allowed")
        )
        assert.strictEqual(has.code, 0, has.stderr)
        assert.notInclude(has.stderr, "warning")
      }),
    { timeout: 60_000 }
  )
})

describe("DiffNewUser3: events both Actions deny for a missing secret", () => {
  it.live("are counted and named in the report, warned about, and fail the command", () =>
    Effect.gen(function*() {
      const events = jsonl("crm.jsonl", [user("auth0|1"), user("auth0|2")])
      const report = yield* Diff.diff(legacy, legacy, events)
      assert.strictEqual(report.differ, 0)
      assert.deepStrictEqual(report.missingSecrets, { secrets: ["CRM_API_KEY"], events: 2 })
      assert.deepStrictEqual(report.results[0]!.a.missingSecrets, ["CRM_API_KEY"])
      const given = yield* Diff.diff(legacy, legacy, events, { secrets: { CRM_API_KEY: "k" } })
      assert.deepStrictEqual(given.missingSecrets, { secrets: [], events: 0 })
      const output = yield* Effect.promise(() => rulefx("diff", legacy, legacy, "--events", events, "--json"))
      assert.strictEqual(output.code, 1, output.stderr)
      assert.include(
        output.stderr,
        "2 of 2 events were denied by both Actions for a missing secret (CRM_API_KEY), so nothing past it was " +
          "compared: pass --secrets <file> with its value"
      )
      // Said once, as a warning; the reason the command fails points to it.
      assert.strictEqual(output.stderr.split("for a missing secret (CRM_API_KEY)").length, 2, output.stderr)
      assert.include(
        output.stderr,
        "2 of 2 events were denied by both Actions for a missing secret (see the warning above)"
      )
      assert.deepStrictEqual(JSON.parse(output.stdout).missingSecrets, { secrets: ["CRM_API_KEY"], events: 2 })
    }), { timeout: 60_000 })
})

describe("DiffNewUser3: an event the reader refuses", () => {
  it.live("is reported as unreadable; the others are compared; the command fails", () =>
    Effect.gen(function*() {
      const action = redirects("reads", true)
      const events = jsonl("edge.jsonl", [
        user("auth0|1"),
        { user: { user_id: "auth0|2", email_verified: "false" } },
        user("auth0|3")
      ])
      const report = yield* Diff.diff(action, action, events)
      assert.strictEqual(report.events, 2)
      assert.strictEqual(report.unreadable.length, 1)
      assert.strictEqual(report.unreadable[0]!.line, 2)
      assert.include(report.unreadable[0]!.problem, "not a post-login event rulefx can read: user.email_verified")
      assert.include(Diff.render(report, { a: "a", b: "b" }), `unreadable: ${events}:2: not a post-login event`)
      // Only unreadable events: the read's error, as before.
      const none = yield* Effect.flip(Diff.diff(action, action, jsonl("bad.jsonl", [{ user: { user_metadata: 1 } }])))
      assert.strictEqual(none._tag, "EventFileError")
      // Each but the first counted in its problem.
      const bad = { user: { user_metadata: 1 } }
      const two = yield* Effect.flip(Diff.diff(action, action, jsonl("bad2.jsonl", [bad, bad])))
      assert.strictEqual(two._tag, "EventFileError")
      assert.isTrue(two.message.endsWith(" (and 1 more event that cannot be read)"), two.message)
      const three = yield* Effect.flip(Diff.diff(action, action, jsonl("bad3.jsonl", [bad, bad, bad])))
      assert.isTrue(three.message.endsWith(" (and 2 more events that cannot be read)"), three.message)
      const output = yield* Effect.promise(() => rulefx("diff", action, action, "--events", events))
      assert.strictEqual(output.code, 1, output.stderr)
      assert.include(output.stdout, "2 events: 2 same, 0 differ; 1 event unreadable")
      assert.include(output.stderr, "1 event could not be read")
    }), { timeout: 60_000 })
})
