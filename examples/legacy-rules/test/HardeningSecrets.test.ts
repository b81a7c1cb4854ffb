/**
 * Hardening, through a migrated Action: the review's findings on secrets and redirects, seen the way a tenant sees
 * them. Three rules, written here as a tenant would have them in Rules, are migrated once into a temporary folder and
 * loaded with plain require; the authorize request's `?mode=` picks what they do.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Migrate from "@rulefx/cli/Migrate"
import { genericMessage } from "@rulefx/core/Denial"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as Effect from "effect/Effect"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"

type Handler = (event: unknown, api: RecordingApi.RecordingApi) => Promise<void>

const API_KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"

const rules: Record<string, string> = {
  "log-key": `function (user, context, callback) {
  if (context.request.query.mode !== 'log') return callback(null, user, context);
  var key = configuration.API_KEY;
  console.log('calling the API with key', key.slice(0, 10), key.slice(10));
  console.log('almost the key:', key.slice(0, -1));
  callback(null, user, context);
}`,
  "claim-key": `function (user, context, callback) {
  if (context.request.query.mode !== 'claim') return callback(null, user, context);
  context.idToken['https://example.com/api_key'] = configuration.API_KEY;
  callback(null, user, context);
}`,
  "redirect": `function (user, context, callback) {
  if (context.request.query.mode !== 'redirect') return callback(null, user, context);
  context.redirect = { url: ' https:\\\\\\\\consent.example/start\\n' };
  callback(null, user, context);
}`
}

let root = ""
let handler: Handler

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "rulefx-legacy-secrets-"))
  const dir = join(root, "rules")
  mkdirSync(dir)
  Object.keys(rules).forEach((name, i) => {
    writeFileSync(join(dir, `${name}.js`), rules[name]!)
    writeFileSync(
      join(dir, `${name}.json`),
      JSON.stringify({ name, script: `./${name}.js`, stage: "login_success", enabled: true, order: i + 1 })
    )
  })
  const out = join(root, "out", "action.js")
  await Effect.runPromise(Migrate.migrate(dir, out))
  handler = (createRequire(out)(out) as { onExecutePostLogin: Handler }).onExecutePostLogin
}, 60_000)

afterAll(() => {
  if (root !== "") rmSync(root, { recursive: true, force: true })
})

const login = async (mode: string) => {
  const api = RecordingApi.make()
  const lines: Array<string> = []
  const saved = console.log
  console.log = (...args: Array<unknown>) => void lines.push(args.map(String).join(" "))
  try {
    await handler({
      user: { user_id: "auth0|ada", email: "ada@example.com" },
      client: { client_id: "app", name: "App" },
      request: { ip: "203.0.113.9", query: { mode } },
      secrets: { API_KEY }
    }, api)
  } finally {
    console.log = saved
  }
  return { calls: api.calls, lines }
}

describe("a migrated Action, after review", () => {
  it("a key split across console.log arguments, or minus its last character: scrubbed", async () => {
    const { calls, lines } = await login("log")
    assert.deepStrictEqual(calls, [])
    assert.deepStrictEqual(lines, [
      "rulefx legacy rule=log-key: calling the API with key [secret API_KEY]",
      "rulefx legacy rule=log-key: almost the key: [secret API_KEY]"
    ])
  })

  it("a key written into a claim: denied generically, no claim set, the log names the claim and not the key", async () => {
    const { calls, lines } = await login("claim")
    assert.deepStrictEqual(calls, [{ method: "access.deny", args: [genericMessage] }])
    assert.isTrue(
      lines.some((l) => l.includes("denied: SecretInClaim claim=https://example.com/api_key secret=API_KEY")),
      lines.join("\n")
    )
    for (const line of lines) assert.notInclude(line, API_KEY.slice(0, 12))
  })

  it("a redirect URL with spaces, a newline and backslashes: sent as the parser reads it", async () => {
    const { calls } = await login("redirect")
    assert.deepStrictEqual(calls.filter((c) => c.method === "redirect.sendUserTo").map((c) => c.args[0]), [
      "https://consent.example/start"
    ])
  })
})
