/**
 * `rulefx diff` on a pass that redirects: Auth0 is believed to keep the claims and scopes set there for the tokens
 * issued after the continue pass (unconfirmed), so when both Actions redirect, their differences in claims and scopes
 * are listed apart under `redirected.` and counted; `--ignore redirected` leaves out exactly them. Everything else
 * (outcome, reason, metadata, MFA, the redirect itself) counts as before, and when only one redirects, the claims keep
 * their own paths. The migrated (legacy) Action sets no claim on such a pass, a typed rule of a mixed one does.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Diff from "@rulefx/cli/Diff"
import * as Effect from "effect/Effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as RulefxBin from "./utils/RulefxBin.ts"
import { minimalEvent } from "./utils/Seed.ts"

let dir = ""
let events = ""

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "rulefx-diff-redirect-"))
  events = join(dir, "events.jsonl")
  writeFileSync(events, JSON.stringify({ name: "first-login", event: minimalEvent({ userId: "auth0|1" }) }) + "\n")
})

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

const terms = `api.redirect.sendUserTo("https://terms.example.com/accept")`

/** A built Action (CommonJS) whose onExecutePostLogin runs `body`, with `event` and `api` in scope. */
const action = (name: string, body: string) => {
  const path = join(dir, `${name}.js`)
  writeFileSync(path, `exports.onExecutePostLogin = async (event, api) => {\n${body}\n}\n`)
  return path
}

// The migrated Action's first pass: it redirects and writes its metadata; tokens come from the continue pass.
const legacy = () => action("legacy", `api.user.setAppMetadata("tier", "silver")\n${terms}`)

const diff = (a: string, b: string) => Diff.diff(a, b, events)

describe("DiffRedirect: a pass both Actions redirect on", () => {
  it.effect("claims and scopes set on it are listed apart under redirected. and counted: the event differs", () =>
    Effect.gen(function*() {
      const mixed = action(
        "mixed",
        `api.idToken.setCustomClaim("https://example.com/roles", ["user"])
         api.accessToken.setCustomClaim("https://example.com/roles", ["user"])
         api.accessToken.addScope("read:orders")
         api.user.setAppMetadata("tier", "silver")
         ${terms}`
      )
      const report = yield* diff(legacy(), mixed)
      assert.strictEqual(report.differ, 1)
      const [result] = report.results
      assert.isFalse(result?.same)
      assert.deepStrictEqual(result?.differences, [])
      assert.deepStrictEqual(result?.onRedirectingPass, [
        { path: "redirected.claims.id.https://example.com/roles", b: ["user"] },
        { path: "redirected.claims.access.https://example.com/roles", b: ["user"] },
        { path: "redirected.scopes.read:orders", b: "added" }
      ])
      const text = Diff.render(report, { a: "legacy.js", b: "mixed.js" })
      assert.include(text, "first-login: differs\n")
      assert.include(text, `  ${Diff.onRedirectingPassNote}\n  redirected.claims.id.https://example.com/roles`)
      assert.include(text, "1 event: 0 same, 1 differ (3 token differences on passes that redirect)")
    }))

  it.effect("--ignore redirected leaves out exactly those: the event is the same; redirected.claims alone too", () =>
    Effect.gen(function*() {
      const mixed = action(
        "mixed-ignored",
        `api.idToken.setCustomClaim("https://example.com/roles", ["user"])
         api.accessToken.addScope("read:orders")
         api.user.setAppMetadata("tier", "silver")
         ${terms}`
      )
      yield* Diff.checkIgnore(["redirected", "redirected.claims.id", "redirected.scopes"])
      const report = yield* Diff.diff(legacy(), mixed, events, { ignore: ["redirected"] })
      assert.strictEqual(report.differ, 0)
      assert.deepStrictEqual(report.results[0]?.ignored, [
        "redirected.claims.id.https://example.com/roles",
        "redirected.scopes.read:orders"
      ])
      const claimsOnly = yield* Diff.diff(legacy(), mixed, events, { ignore: ["redirected.claims"] })
      assert.deepStrictEqual(claimsOnly.results[0]?.onRedirectingPass.map((d) => d.path), [
        "redirected.scopes.read:orders"
      ])
      // The plain claims path does not name a redirected one: ignoring claims hides no claim set before a redirect.
      const plain = yield* Diff.diff(legacy(), mixed, events, { ignore: ["claims"] })
      assert.strictEqual(plain.differ, 1)
    }))

  it.effect("only one of them redirects: the claims count as before", () =>
    Effect.gen(function*() {
      const mixed = action(
        "no-redirect",
        `api.idToken.setCustomClaim("https://example.com/roles", ["user"])
         api.user.setAppMetadata("tier", "silver")`
      )
      const report = yield* diff(legacy(), mixed)
      assert.strictEqual(report.differ, 1)
      // `continue`: the legacy Action here redirects and exports no onContinuePostLogin.
      assert.deepStrictEqual(report.results[0]?.differences.map((d) => d.path), [
        "continue",
        "claims.id.https://example.com/roles",
        "redirect"
      ])
      assert.deepStrictEqual(report.results[0]?.onRedirectingPass, [])
    }))

  it.effect("both redirect, and their metadata differs: a difference, the claims listed apart", () =>
    Effect.gen(function*() {
      const mixed = action(
        "other-metadata",
        `api.idToken.setCustomClaim("https://example.com/roles", ["user"])
         api.user.setAppMetadata("tier", "gold")
         ${terms}`
      )
      const report = yield* diff(legacy(), mixed)
      assert.strictEqual(report.differ, 1)
      const [result] = report.results
      assert.deepStrictEqual(result?.differences, [{ path: "metadata.app.tier", a: "silver", b: "gold" }])
      assert.deepStrictEqual(result?.onRedirectingPass.map((d) => d.path), [
        "redirected.claims.id.https://example.com/roles"
      ])
      const text = Diff.render(report, { a: "legacy.js", b: "mixed.js" })
      assert.include(text, "first-login: differs\n")
      assert.match(text, /metadata\.app\.tier +silver +gold\n {2}set on a pass that redirects: /)
    }))

  it.effect("both redirect, to different URLs or with MFA on one side: those still count", () =>
    Effect.gen(function*() {
      const elsewhere = action(
        "elsewhere",
        `api.user.setAppMetadata("tier", "silver")
         api.redirect.sendUserTo("https://other.example.com/")`
      )
      const report = yield* diff(legacy(), elsewhere)
      assert.deepStrictEqual(report.results[0]?.differences.map((d) => d.path), ["redirect"])
      const mfa = action(
        "mfa",
        `api.user.setAppMetadata("tier", "silver")
         api.multifactor.enable("any")
         ${terms}`
      )
      const withMfa = yield* diff(legacy(), mfa)
      assert.deepStrictEqual(withMfa.results[0]?.differences.map((d) => d.path), ["mfa"])
    }))

  it.live(
    "the command: exit 1 with the note; --json holds onRedirectingPass; exit 0 with --ignore redirected",
    () =>
      Effect.promise(async () => {
        const mixed = action(
          "cli-mixed",
          `api.idToken.setCustomClaim("https://example.com/roles", ["user"])
         api.user.setAppMetadata("tier", "silver")
         ${terms}`
        )
        const a = legacy()
        const counted = await RulefxBin.run(dir, "diff", a, mixed, "--events", events)
        assert.strictEqual(counted.code, 1, RulefxBin.show(counted))
        assert.include(counted.stdout, Diff.onRedirectingPassNote)
        const json = await RulefxBin.run(dir, "diff", a, mixed, "--events", events, "--json")
        assert.strictEqual(json.code, 1, RulefxBin.show(json))
        const parsed = JSON.parse(json.stdout) as Diff.Report
        assert.deepStrictEqual(parsed.results[0]?.onRedirectingPass, [{
          path: "redirected.claims.id.https://example.com/roles",
          b: ["user"]
        }])
        const ignored = await RulefxBin.run(dir, "diff", a, mixed, "--events", events, "--ignore", "redirected")
        assert.strictEqual(ignored.code, 0, RulefxBin.show(ignored))
        const plain = action(
          "cli-plain",
          `api.idToken.setCustomClaim("https://example.com/roles", ["user"])
         api.user.setAppMetadata("tier", "silver")`
        )
        const differs = await RulefxBin.run(dir, "diff", a, plain, "--events", events)
        assert.strictEqual(differs.code, 1, RulefxBin.show(differs))
      }),
    120_000
  )
})
