/**
 * Gaps of `rulefx diff` closed after issue 13's review: an `--ignore` path that can never match (exit 2) or that
 * matched nothing (warned), Auth0's cache writes compared by key, password-reset-post-challenge's continue pass, and a
 * cap on the size of an events file.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Diff from "@rulefx/cli/Diff"
import * as Tokens from "@rulefx/testing/Tokens"
import * as Effect from "effect/Effect"
import { execFileSync } from "node:child_process"
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as RulefxBin from "./utils/RulefxBin.ts"
import * as Scratch from "./utils/Scratch.ts"
import { minimalEvent } from "./utils/Seed.ts"

const scratch = Scratch.scratch("rulefx-diff-gaps-")
const { action, events, file } = scratch

// A pipe (`--events <(zcat events.jsonl.gz)`) has no size: it is read up to the limit, not trusted at 0 bytes.
const pipe = (name: string, text: string) => {
  const path = join(scratch.dir(), name)
  execFileSync("mkfifo", [path])
  const writer = createWriteStream(path)
  writer.on("error", () => {}) // the reader stops early: EPIPE
  writer.end(text)
  return path
}

/** Runs `rulefx ...args`; never rejects. */
const rulefx = (...args: ReadonlyArray<string>) => RulefxBin.run(scratch.dir(), ...args)

const show = RulefxBin.show

describe("Diff: cache writes", () => {
  it.effect("a changed cache.set is a difference at cache.<key>, its values shown as digests, never in clear", () =>
    Effect.gen(function*() {
      // A bearer token kept between logins: compared as set, shown as the keyed digest the requests' headers use.
      const a = action("cache-a", `api.cache.set("m2m", "eyJ.token-one"); api.idToken.setCustomClaim("c", 1)`)
      const b = action("cache-b", `api.cache.set("m2m", "eyJ.token-two"); api.idToken.setCustomClaim("c", 1)`)
      const report = yield* Diff.diff(a, b, events())
      const [difference] = report.results[0]!.differences
      assert.strictEqual(report.results[0]!.differences.length, 1)
      assert.strictEqual(difference!.path, "cache.m2m")
      const digestA = (difference!.a as { set: string }).set
      const digestB = (difference!.b as { set: string }).set
      assert.match(digestA, /^[0-9a-f]{16}$/)
      assert.match(digestB, /^[0-9a-f]{16}$/)
      assert.notStrictEqual(digestA, digestB)
      const rendered = Diff.render(report, { a: "a", b: "b" })
      assert.include(rendered, `cache.m2m  set ${digestA}  set ${digestB}`)
      for (const output of [rendered, JSON.stringify(report)]) assert.notInclude(output, "token-")
      // Equal values give equal digests (only the options differ here), so a reader sees the value did not change.
      const ttl = action(
        "cache-ttl",
        `api.cache.set("m2m", "eyJ.token-one", { ttl: 60 }); api.idToken.setCustomClaim("c", 1)`
      )
      const same = (yield* Diff.diff(a, ttl, events())).results[0]!.differences
      assert.deepStrictEqual(same, [{
        path: "cache.m2m",
        a: { set: digestA },
        b: { set: digestA, options: { ttl: 60 } }
      }])
    }))

  it("the command prints neither a cached value nor it in --json", async () => {
    const a = action("cache-cli-a", `api.cache.set("m2m", "eyJ.secret-one")`)
    const b = action("cache-cli-b", `api.cache.set("m2m", "eyJ.secret-two")`)
    const table = await rulefx("diff", a, b, "--events", events())
    const json = await rulefx("diff", a, b, "--events", events(), "--json")
    for (const run of [table, json]) {
      assert.strictEqual(run.code, 1, show(run))
      assert.include(run.stdout, "cache.m2m", show(run))
      assert.notInclude(`${run.stdout}${run.stderr}`, "secret-", show(run))
    }
  }, 60_000)

  it.effect("the last write of a key wins: set then delete differs from set alone, order across keys does not", () =>
    Effect.gen(function*() {
      const setOnly = action("set-only", `api.cache.set("k", "v"); api.cache.set("j", "w")`)
      const reordered = action("reordered", `api.cache.set("j", "w"); api.cache.set("k", "v")`)
      const deleted = action("deleted", `api.cache.set("k", "v"); api.cache.set("j", "w"); api.cache.delete("k")`)
      const same = yield* Diff.diff(setOnly, reordered, events())
      assert.strictEqual(same.differ, 0)
      const differs = yield* Diff.diff(setOnly, deleted, events())
      const [deletion] = differs.results[0]!.differences
      assert.strictEqual(deletion!.path, "cache.k")
      assert.match((deletion!.a as { set: string }).set, /^[0-9a-f]{16}$/)
      assert.strictEqual(deletion!.b, "deleted")
    }))

  it.effect("options of a set are compared, and cache.<key> is --ignore-able", () =>
    Effect.gen(function*() {
      const a = action("ttl-a", `api.cache.set("k", "v", { ttl: 1000 })`)
      const b = action("ttl-b", `api.cache.set("k", "v", { ttl: 2000 })`)
      const report = yield* Diff.diff(a, b, events())
      assert.deepStrictEqual(report.results[0]!.differences.map((d) => d.path), ["cache.k"])
      const ignored = yield* Diff.diff(a, b, events(), { ignore: ["cache.k"] })
      assert.strictEqual(ignored.differ, 0)
      assert.deepStrictEqual(ignored.unusedIgnores, [])
    }))
})

describe("Diff: --ignore paths", () => {
  it.effect("a path no event's comparison has is reported as unused", () =>
    Effect.gen(function*() {
      const a = action("claim-a", `api.idToken.setCustomClaim("https://x/role", "admin")`)
      const b = action("claim-b", `api.idToken.setCustomClaim("https://x/role", "user")`)
      const report = yield* Diff.diff(a, b, events(), {
        ignore: ["claims.id.https://x/rol", "claims.id.https://x/role"]
      })
      assert.strictEqual(report.differ, 0)
      assert.deepStrictEqual(report.unusedIgnores, ["claims.id.https://x/rol"])
      const typo = yield* Diff.diff(a, b, events(), { ignore: ["claims.id.https://x/rol"] })
      assert.strictEqual(typo.differ, 1)
      assert.deepStrictEqual(typo.unusedIgnores, ["claims.id.https://x/rol"])
      assert.deepStrictEqual(Diff.warnings(typo), [
        "warning: --ignore claims.id.https://x/rol matched nothing in any of the 1 event (a typo? it hides no difference)"
      ])
    }))

  it.effect("a path that can never match is an UnknownIgnorePath, before anything runs", () =>
    Effect.gen(function*() {
      const a = action("plain", ``)
      for (const path of ["claim.id.x", "claims.idd.x", "metadata.application", "outcome.x"]) {
        const error = yield* Effect.flip(Diff.diff(a, a, events(), { ignore: [path] }))
        assert.strictEqual(error._tag, "UnknownIgnorePath", path)
      }
      const error = yield* Effect.flip(Diff.diff(a, a, events(), { ignore: ["claim.id.x"] }))
      assert.include(error.message, "claims.id.<claim>")
      assert.include(error.message, "cache")
    }))

  it("the command exits 2 for an impossible path, and warns on stderr (and in --json) for an unused one", async () => {
    const a = action("cli-a", `api.idToken.setCustomClaim("c", 1)`)
    const impossible = await rulefx("diff", a, a, "--events", events(), "--ignore", "claim.c")
    assert.strictEqual(impossible.code, 2, show(impossible))
    assert.include(impossible.stderr, "--ignore claim.c: \"claim\" is not a field", show(impossible))
    const unused = await rulefx("diff", a, a, "--events", events(), "--ignore", "claims.id.d", "--json")
    assert.strictEqual(unused.code, 0, show(unused))
    assert.include(unused.stderr, "warning: --ignore claims.id.d matched nothing", show(unused))
    assert.deepStrictEqual((JSON.parse(unused.stdout) as { unusedIgnores: unknown }).unusedIgnores, ["claims.id.d"])
  }, 60_000)

  // A usage error exits 2 (a bad --ignore, --timeout 0, a bound that is not positive), a difference 1: the README's list
  // of exit codes says which is which, as the command does.
  it("the exit codes the README lists are the command's", async () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")
    const codes = readme.slice(readme.indexOf("Exit codes of `rulefx diff`:"))
    assert.match(codes, /^Exit codes of `rulefx diff`:\n\n- \*\*0\*\*: every event is the same/)
    assert.match(codes, /- \*\*1\*\*: an event differs/)
    assert.match(
      codes,
      /- \*\*2\*\*: a usage error[^]*`--timeout 0`[^]*`--ignore` path that can\s+never match, a `--max-file-bytes`/
    )
    const a = action("codes-a", ``)
    const b = action("codes-b", `api.access.deny("no")`)
    const cases: ReadonlyArray<readonly [number, ReadonlyArray<string>]> = [
      [1, ["diff", a, b, "--events", events()]],
      [2, ["diff", a, a]],
      [2, ["diff", a, a, "--events", events(), "--timeout", "0"]],
      [2, ["diff", a, a, "--events", events(), "--max-file-bytes", "0"]],
      [2, ["diff", a, a, "--events", events(), "--max-event-bytes", "0"]]
    ]
    for (const [code, args] of cases) {
      // One at a time: two cores.
      // oxlint-disable-next-line no-await-in-loop
      const run = await rulefx(...args)
      assert.strictEqual(run.code, code, `${args.join(" ")}\n${show(run)}`)
    }
  }, 60_000)
})

const resetAction = (name: string, resume: string) =>
  file(
    `${name}.js`,
    `exports.onExecutePostChallenge = async (event, api) => {}\n` +
      `exports.onContinuePostChallenge = async (event, api) => {\n` +
      `  const answer = api.redirect.validateToken({ secret: event.secrets.KEY }).answer\n${resume}\n}\n`
  )
// The user back from the redirect: the state and the signed token are in the request, as Auth0 sends them.
const back = (state: string, tokenState: string) => ({
  trigger: "password-reset-post-challenge",
  continue: true,
  event: {
    user: { user_id: "auth0|ada", enrolledFactors: [] },
    request: {
      query: {
        state,
        session_token: Tokens.sign("k3y", { state: tokenState, answer: "yes", exp: 4_102_444_800 })
      }
    },
    secrets: { KEY: "k3y" }
  }
})

describe("Diff: password-reset-post-challenge's continue pass", () => {
  it.effect("a { \"continue\": true } event runs onContinuePostChallenge with the event's state and token", () =>
    Effect.gen(function*() {
      const a = resetAction("reset-a", `if (answer !== "yes") api.access.deny("refused")`)
      const b = resetAction("reset-b", `if (answer === "yes") api.access.deny("refused")`)
      const events = file("reset.jsonl", JSON.stringify(back("s1", "s1")) + "\n")
      const report = yield* Diff.diff(a, b, events)
      const result = report.results[0]!
      assert.strictEqual(result.pass, "onContinuePostChallenge")
      assert.deepStrictEqual([result.a.outcome, result.b.outcome], ["allowed", "denied"])
      assert.include(Diff.render(report, { a: "a", b: "b" }), "(password-reset-post-challenge, continue): differs")
      const same = yield* Diff.diff(a, a, events)
      assert.strictEqual(same.results[0]!.a.outcome, "allowed")
      // A token bound to another state is refused, as Auth0 refuses it: both runs reject.
      const wrong = yield* Diff.diff(a, a, file("wrong.jsonl", JSON.stringify(back("s1", "s2")) + "\n"))
      assert.strictEqual(wrong.results[0]!.a.outcome, "rejected")
    }))

  it.effect("a trigger without a continue pass still refuses \"continue\", naming the ones that have one", () =>
    Effect.gen(function*() {
      const events = file(
        "cx.jsonl",
        JSON.stringify({ trigger: "credentials-exchange", continue: true, event: {} }) + "\n"
      )
      const error = yield* Effect.flip(Diff.readEvents(events))
      assert.include(
        error.message,
        "is for post-login and password-reset-post-challenge events, not credentials-exchange"
      )
    }))
})

describe("Diff: events size caps", () => {
  it.effect("a .jsonl line over the event limit is an EventsTooLarge naming the file, the line and the limit", () =>
    Effect.gen(function*() {
      const big = minimalEvent({ appMetadata: { blob: "x".repeat(2_000) } })
      const events = file("big.jsonl", [minimalEvent(), big].map((e) => JSON.stringify(e)).join("\n") + "\n")
      const error = yield* Effect.flip(Diff.readEvents(events, { maxEventBytes: 1_000 }))
      assert.strictEqual(error._tag, "EventsTooLarge")
      assert.include(error.message, `${events}:2: the event is `)
      assert.include(error.message, "more than the limit of 1000 (--max-event-bytes <n> raises it)")
      // Raised, it reads.
      assert.strictEqual((yield* Diff.readEvents(events, { maxEventBytes: 10_000 })).length, 2)
    }))

  it.effect("a file over the file limit is refused before it is read; a .json file is one event", () =>
    Effect.gen(function*() {
      const events = file("many.jsonl", [minimalEvent(), minimalEvent()].map((e) => JSON.stringify(e)).join("\n"))
      const error = yield* Effect.flip(Diff.readEvents(events, { maxFileBytes: 100 }))
      assert.include(error.message, `${events}: the file is `)
      assert.include(error.message, "more than the limit of 100 (--max-file-bytes <n> raises it)")
      const one = file("one.json", JSON.stringify(minimalEvent()))
      const single = yield* Effect.flip(Diff.readEvents(one, { maxEventBytes: 100 }))
      assert.include(single.message, `${one}: the event is `)
    }))

  it.live("a pipe over the file limit is an EventsTooLarge (read up to the limit); under it, it reads", () =>
    Effect.gen(function*() {
      const line = JSON.stringify(minimalEvent()) + "\n"
      const over = pipe("over.jsonl", line.repeat(100))
      const error = yield* Effect.flip(Diff.readEvents(over, { maxFileBytes: line.length * 3 }))
      assert.strictEqual(error._tag, "EventsTooLarge")
      assert.strictEqual(
        error.message,
        `${over}: the file is more than the limit of ${line.length * 3} (--max-file-bytes <n> raises it)`
      )
      const under = pipe("under.jsonl", line.repeat(2))
      assert.strictEqual((yield* Diff.readEvents(under, { maxFileBytes: line.length * 3 })).length, 2)
    }))

  it.effect("a folder's files together are under the file limit: past it, an EventsTooLarge naming the folder", () =>
    Effect.gen(function*() {
      const line = JSON.stringify(minimalEvent()) + "\n"
      const folder = join(scratch.dir(), "folder-cap")
      mkdirSync(folder)
      writeFileSync(join(folder, "a.jsonl"), line.repeat(2))
      writeFileSync(join(folder, "b.json"), line)
      writeFileSync(join(folder, "c.jsonl"), line.repeat(2))
      // Each file is under the limit; the three together (5 lines) are not.
      const limit = line.length * 4
      const error = yield* Effect.flip(Diff.readEvents(folder, { maxFileBytes: limit }))
      assert.strictEqual(error._tag, "EventsTooLarge")
      assert.strictEqual(
        error.message,
        `${folder}: the folder's .json and .jsonl files are ${line.length * 5} bytes together, more than the limit ` +
          `of ${limit} (--max-file-bytes <n> raises it)`
      )
      assert.strictEqual((yield* Diff.readEvents(folder, { maxFileBytes: line.length * 5 })).length, 5)
    }))

  it("the command says so and exits 1; --max-event-bytes raises the limit", async () => {
    const a = action("cap-a", ``)
    const events = file("cap.jsonl", JSON.stringify(minimalEvent({ appMetadata: { blob: "x".repeat(2_000_000) } })))
    const refused = await rulefx("diff", a, a, "--events", events)
    assert.strictEqual(refused.code, 1, show(refused))
    assert.include(refused.stderr, "more than the limit of 1048576 (--max-event-bytes <n> raises it)", show(refused))
    const raised = await rulefx("diff", a, a, "--events", events, "--max-event-bytes", "4000000")
    assert.strictEqual(raised.code, 0, show(raised))
  }, 60_000)
})
