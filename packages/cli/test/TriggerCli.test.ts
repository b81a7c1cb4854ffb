/**
 * `rulefx build` and `rulefx run --trigger` for the triggers other than post-login, through the bin as a user runs
 * it: each fixture in utils/triggers/ built, then run against partial events (what Auth0 always sends is filled and
 * reported), printing every decision.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Resume from "@rulefx/testing/Resume"
import { execFile } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as RulefxBin from "./utils/RulefxBin.ts"

const bin = RulefxBin.packageBin
const cwd = fileURLToPath(new URL("./utils/triggers/", import.meta.url))

interface Output {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const rulefx = (...args: ReadonlyArray<string>): Promise<Output> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd, timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr })
      }
    )
  })

const show = (o: Output) => `exit ${o.code}\n--- stdout\n${o.stdout}\n--- stderr\n${o.stderr}`

const dir = mkdtempSync(join(tmpdir(), "rulefx-trigger-cli-"))
const action = (name: string) => join(dir, name, "action.js")
const event = (name: string, json: unknown) => {
  const path = join(dir, `${name}.json`)
  writeFileSync(path, JSON.stringify(json))
  return path
}
const builds: Record<string, Output> = {}

const runPre = (json: unknown, ...flags: ReadonlyArray<string>) =>
  rulefx(
    "run",
    action("pre-user-registration"),
    "--trigger",
    "pre-user-registration",
    "--event",
    event("pre", json),
    ...flags
  )

const runReset = (name: string, json: unknown, ...flags: ReadonlyArray<string>) =>
  rulefx("run", action("password-reset-post-challenge"), "--event", event(name, json), ...flags)

const runExchange = (name: string, json: unknown, ...flags: ReadonlyArray<string>) =>
  rulefx("run", action("custom-token-exchange"), "--event", event(name, json), ...flags)

beforeAll(async () => {
  for (
    const name of [
      "credentials-exchange",
      "pre-user-registration",
      "post-user-registration",
      "post-change-password",
      "password-reset-post-challenge",
      "custom-token-exchange",
      "custom-email-provider"
    ]
  ) {
    // One at a time: each build type-checks and bundles, and the machine has two cores.
    // oxlint-disable-next-line no-await-in-loop
    builds[name] = await rulefx("build", `${name}.ts`, "-o", action(name), "--no-typecheck")
  }
}, 240_000)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("rulefx build and run, per trigger", () => {
  it("build names the trigger and its handler from what the file exports", () => {
    assert.include(
      builds["credentials-exchange"]?.stdout,
      "trigger: credentials-exchange v2 (exports onExecuteCredentialsExchange)"
    )
    assert.include(builds["pre-user-registration"]?.stdout, "trigger: pre-user-registration v2")
    assert.include(builds["post-user-registration"]?.stdout, "trigger: post-user-registration v2")
    assert.include(builds["post-change-password"]?.stdout, "trigger: post-change-password v2")
  })

  it(
    "credentials-exchange: a partial event is filled and the claim printed; a refused scope prints the code",
    async () => {
      const allowed = await rulefx(
        "run",
        action("credentials-exchange"),
        "--trigger",
        "credentials-exchange",
        "--event",
        event("m2m", { client: { client_id: "job", metadata: { allowed_scopes: "read:reports", tier: "gold" } } }),
        "--expect",
        "allowed"
      )
      assert.strictEqual(allowed.code, 0, show(allowed))
      assert.match(allowed.stdout, /outcome\s+allowed/)
      assert.match(allowed.stdout, /access token\s+https:\/\/example\.com\/tier = "gold"/)
      assert.match(allowed.stdout, /filled\s+tenant, client\.name, resource_server, accessToken, transaction, request/)
      // Without --trigger: read from the file's exports.
      const refused = await rulefx(
        "run",
        action("credentials-exchange"),
        "--event",
        event("m2m-refused", {
          client: { client_id: "job", metadata: { allowed_scopes: "read:reports" } },
          transaction: { requested_scopes: ["admin"] }
        }),
        "--expect",
        "allowed"
      )
      assert.strictEqual(refused.code, 1, show(refused))
      assert.match(refused.stdout, /denied\s+invalid_scope \| This client may not request admin\./)
    },
    60_000
  )

  it(
    "pre-user-registration: metadata, the user message, the validation error; --strict refuses a partial event",
    async () => {
      const allowed = await runPre({ user: { email: "ada@example.com" } })
      assert.match(allowed.stdout, /app_metadata\s+plan = "trial"/, show(allowed))
      const denied = await runPre({ user: { email: "ada@mailinator.com" } })
      assert.match(denied.stdout, /denied\s+DisposableEmail domain=mailinator\.com \| Please sign up/, show(denied))
      const invalid = await runPre({ user: { email: "ada@gmail.com" } }, "--json")
      assert.strictEqual(JSON.parse(invalid.stdout).outcome, "invalid", show(invalid))
      const strict = await runPre({ user: { email: "ada@example.com" } }, "--strict")
      assert.strictEqual(strict.code, 1)
      assert.include(strict.stderr + strict.stdout, "a partial pre-user-registration event (--strict): missing")
    },
    60_000
  )

  it(
    "side-effect triggers: done, the cache write printed (its value as a digest), a failing rule's log shown",
    async () => {
      const registered = await rulefx(
        "run",
        action("post-user-registration"),
        "--trigger",
        "post-user-registration",
        "--event",
        event("post", { user: { user_id: "auth0|grace" } })
      )
      assert.match(registered.stdout, /outcome\s+done/, show(registered))
      assert.match(registered.stdout, /cache set\s+last-registered = <digest [0-9a-f]{16}>/)
      assert.match(registered.stdout, /rule=dies/)
      const changed = await rulefx(
        "run",
        action("post-change-password"),
        "--event",
        event("changed", { user: { user_id: "auth0|grace", last_password_reset: "2026-12-01" } })
      )
      assert.match(changed.stdout, /cache set\s+changed:auth0\|grace = <digest [0-9a-f]{16}>/, show(changed))
    },
    60_000
  )

  it("a trigger rulefx does not know, or an event of the wrong trigger, is refused with a clear message", async () => {
    const unknown = await rulefx(
      "run",
      action("post-change-password"),
      "--trigger",
      "post-logout",
      "--event",
      event("x", {})
    )
    assert.strictEqual(unknown.code, 2)
    assert.include(unknown.stderr + unknown.stdout, "--trigger post-logout is not a trigger rulefx knows")
    const wrong = await rulefx(
      "run",
      action("credentials-exchange"),
      "--trigger",
      "credentials-exchange",
      "--event",
      event("wrong", { client: { client_id: 7 } })
    )
    assert.strictEqual(wrong.code, 1)
    assert.include(wrong.stderr + wrong.stdout, "not a credentials-exchange event rulefx can read: client.client_id")
  }, 60_000)

  it(
    "password-reset-post-challenge: the challenge and result URL printed; an admin's redirect; a locked account denied",
    async () => {
      assert.include(
        builds["password-reset-post-challenge"]?.stdout,
        "trigger: password-reset-post-challenge v1 (exports onExecutePostChallenge"
      )
      const allowed = await runReset("reset", { user: { user_id: "auth0|grace" } }, "--expect", "allowed")
      assert.strictEqual(allowed.code, 0, show(allowed))
      assert.match(allowed.stdout, /challenge\s+\{"type":"otp"\}/)
      assert.match(
        allowed.stdout,
        /result url\s+https:\/\/app\.example\.com\/welcome-back \{"query":\{"from":"reset"\}\}/
      )
      assert.match(allowed.stdout, /filled\s+tenant, user\.enrolledFactors, client, request, transaction/)
      const admin = await runReset("admin", {
        user: { user_id: "auth0|grace", enrolledFactors: [] },
        authorization: { roles: ["admin"] },
        secrets: { CONFIRM_SECRET: "page-secret-of-at-least-thirty-two-bytes" }
      })
      assert.match(admin.stdout, /redirect\s+https:\/\/confirm\.example\.com\/reset/, show(admin))
      const locked = await runReset(
        "locked",
        { user: { user_id: "auth0|grace", app_metadata: { locked: true } } },
        "--json"
      )
      const result = JSON.parse(locked.stdout) as { readonly outcome: string; readonly reason: ReadonlyArray<string> }
      assert.deepStrictEqual([result.outcome, result.reason], ["denied", [
        "This account is locked. Please contact support."
      ]])
    },
    60_000
  )

  it(
    "password-reset-post-challenge --continue: the signed answer read from the /continue request with its state",
    async () => {
      const secret = "page-secret-of-at-least-thirty-two-bytes"
      const first = {
        user: { user_id: "auth0|grace", enrolledFactors: [] },
        authorization: { roles: ["admin"] },
        secrets: { CONFIRM_SECRET: secret }
      }
      const sent = { url: "https://confirm.example.com/reset", query: {}, state: "reset-state", token: undefined }
      const back = (state: string, confirmed: boolean) =>
        Resume.continueEvent(first, { state, token: Resume.sign(secret, sent, { confirmed }) })
      const confirmed = await runReset("confirmed", back("reset-state", true), "--continue", "--expect", "allowed")
      assert.strictEqual(confirmed.code, 0, show(confirmed))
      assert.match(confirmed.stdout, /result url\s+https:\/\/admin\.example\.com\//)
      const refused = await runReset("refused", back("reset-state", false), "--continue", "--json")
      const result = JSON.parse(refused.stdout) as { readonly outcome: string; readonly reason: ReadonlyArray<string> }
      assert.deepStrictEqual([result.outcome, result.reason], ["denied", ["The password reset was not confirmed."]])
      // A token bound to another transaction's state is not trusted.
      const forged = Resume.continueEvent(first, {
        state: "reset-state",
        token: Resume.sign(secret, { ...sent, state: "other" }, { confirmed: true })
      })
      const forgedRun = await runReset("forged", forged, "--continue", "--json")
      assert.strictEqual(
        (JSON.parse(forgedRun.stdout) as { readonly outcome: string }).outcome,
        "denied",
        show(forgedRun)
      )
      // --continue on a trigger without a continue pass is refused.
      const noPass = await runExchange("cte-continue", {}, "--continue")
      assert.strictEqual(noPass.code, 2)
      assert.include(noPass.stderr + noPass.stdout, "--continue is for a trigger with a continue pass")
    },
    60_000
  )

  it("custom-token-exchange: the user printed; an invalid subject token is denied and named", async () => {
    const allowed = await runExchange(
      "cte",
      { transaction: { subject_token: "legacy.grace.signed", subject_token_type: "urn:x" } },
      "--expect",
      "allowed"
    )
    assert.strictEqual(allowed.code, 0, show(allowed))
    assert.match(allowed.stdout, /user\s+Legacy-Users \{"user_id":"grace"/)
    assert.match(allowed.stdout, /app_metadata\s+migrated_from = "legacy"/)
    const invalid = await runExchange("cte-bad", {
      transaction: { subject_token: "nope", subject_token_type: "urn:x" }
    }, "--json")
    const result = JSON.parse(invalid.stdout) as { readonly outcome: string; readonly reason: ReadonlyArray<string> }
    assert.deepStrictEqual([result.outcome, result.reason], ["denied", ["The subject token is not a legacy token."]])
  }, 60_000)

  it("custom-email-provider: build names it; a partial event is filled and delivered; a drop is printed", async () => {
    assert.include(
      builds["custom-email-provider"]?.stdout,
      "trigger: custom-email-provider v1 (exports onExecuteCustomEmailProvider)"
    )
    const done = await rulefx(
      "run",
      action("custom-email-provider"),
      "--trigger",
      "custom-email-provider",
      "--event",
      event("email", { notification: { to: "grace@example.com", subject: "Welcome" } }),
      "--expect",
      "allowed"
    )
    assert.strictEqual(done.code, 0, show(done))
    assert.match(done.stdout, /outcome\s+done/)
    assert.match(done.stdout, /cache set\s+email:grace@example\.com = <digest [0-9a-f]{16}>/)
    assert.match(
      done.stdout,
      /filled\s+tenant, notification\.message_type, notification\.html, notification\.text/
    )
    // Without --trigger: read from the file's exports.
    const dropped = await rulefx(
      "run",
      action("custom-email-provider"),
      "--event",
      event("email-drop", { notification: { to: "grace@example.invalid" } }),
      "--json"
    )
    const result = JSON.parse(dropped.stdout) as { readonly outcome: string; readonly reason: ReadonlyArray<string> }
    assert.deepStrictEqual([result.outcome, result.reason], ["denied", [
      "the recipient's domain does not receive email"
    ]])
  }, 60_000)
})
