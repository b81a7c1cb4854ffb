/**
 * `rulefx run` never prints a secret: an Action that puts the event's secrets (and those of `--secrets`) in claims, a
 * redirect's query, metadata, a denial, a thrown error and its own log lines is run through the bin, text and
 * `--json`, post-login and another trigger; no secret value appears in stdout or stderr, as written, URL-encoded or
 * JSON-escaped, and each shows as `[secret NAME]`.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as RulefxBin from "./utils/RulefxBin.ts"

const bin = RulefxBin.packageBin

interface Output {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const dir = mkdtempSync(join(tmpdir(), "rulefx-run-secrets-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const rulefx = (...args: ReadonlyArray<string>): Promise<Output> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: dir, timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr })
      }
    )
  })

const file = (name: string, text: string): string => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

// Two secrets in the event, one from --secrets; with characters that URL-encoding and JSON-escaping change.
const secrets = {
  API_KEY: "sk_live_4f9a/b+c=d\"quoted\"",
  HANDOFF: "handoff-secret-of-at-least-thirty-two-bytes",
  FILE_ONLY: "from-the-secrets-file-7d1e"
} as const

const forms = (value: string): ReadonlyArray<string> => [
  value,
  encodeURIComponent(value),
  JSON.stringify(value).slice(1, -1)
]

const assertNoSecret = (o: Output, what: string) => {
  const all = o.stdout + o.stderr
  for (const [name, value] of Object.entries(secrets)) {
    for (const form of forms(value)) assert.notInclude(all, form, `${what}: ${name} printed\n${all}`)
  }
}

// Every secret, everywhere a post-login Action can put it.
const postLogin = `
exports.onExecutePostLogin = async (event, api) => {
  const all = Object.values(event.secrets).join(",")
  console.log("rule saw", event.secrets.API_KEY, JSON.stringify(event.secrets))
  console.error("error line", encodeURIComponent(event.secrets.HANDOFF))
  api.idToken.setCustomClaim("https://example.com/key", event.secrets.API_KEY)
  api.accessToken.setCustomClaim("https://example.com/all", all)
  api.user.setAppMetadata("copied", { key: event.secrets.FILE_ONLY })
  api.redirect.sendUserTo("https://page.example.com/", { query: { k: event.secrets.API_KEY } })
  if (event.user.app_metadata.deny) api.access.deny("denied with " + event.secrets.API_KEY)
  if (event.user.app_metadata.throw) throw new Error("thrown with " + event.secrets.FILE_ONLY)
}
`

const exchange = `
exports.onExecuteCredentialsExchange = async (event, api) => {
  console.log("exchange saw", event.secrets.API_KEY)
  api.accessToken.setCustomClaim("https://example.com/key", event.secrets.FILE_ONLY)
  if (event.client.metadata.deny) api.access.deny("invalid_request", "no " + event.secrets.HANDOFF)
}
`

describe("rulefx run prints no secret", () => {
  it("post-login: claims, metadata, a redirect, logs, a denial and a thrown error, text and --json", async () => {
    const action = file("action.js", postLogin)
    const secretsFile = file("secrets.env", `FILE_ONLY=${secrets.FILE_ONLY}\n`)
    const event = (appMetadata: Record<string, unknown>) =>
      file(
        `event-${Object.keys(appMetadata).join("") || "plain"}.json`,
        JSON.stringify({
          user: { user_id: "auth0|ada", app_metadata: appMetadata },
          secrets: { API_KEY: secrets.API_KEY, HANDOFF: secrets.HANDOFF }
        })
      )
    for (const appMetadata of [{}, { deny: true }, { throw: true }]) {
      for (const flags of [[], ["--json"]]) {
        // One at a time: two cores.
        // oxlint-disable-next-line no-await-in-loop
        const o = await rulefx("run", action, "--event", event(appMetadata), "--secrets", secretsFile, ...flags)
        const what = `${JSON.stringify(appMetadata)} ${flags.join(" ")}`
        assertNoSecret(o, what)
        assert.include(o.stdout, "[secret API_KEY]", what)
      }
    }
  }, 120_000)

  it("another trigger (credentials-exchange): the claim, the log and the denial's reason", async () => {
    const action = file("exchange.js", exchange)
    const secretsFile = file("exchange.env", `FILE_ONLY=${secrets.FILE_ONLY}\n`)
    for (const deny of [false, true]) {
      const event = file(
        `exchange-${deny}.json`,
        JSON.stringify({
          client: { client_id: "job", metadata: deny ? { deny: "yes" } : {} },
          secrets: { API_KEY: secrets.API_KEY, HANDOFF: secrets.HANDOFF }
        })
      )
      for (const flags of [[], ["--json"]]) {
        // oxlint-disable-next-line no-await-in-loop
        const o = await rulefx("run", action, "--event", event, "--secrets", secretsFile, ...flags)
        assertNoSecret(o, `deny ${deny} ${flags.join(" ")}`)
        assert.include(o.stdout, deny ? "[secret HANDOFF]" : "[secret FILE_ONLY]")
      }
    }
  }, 120_000)

  // A value an Action caches is often a bearer token (an M2M token kept between logins): `rulefx diff` shows it as a
  // keyed digest, but `rulefx run` printed it as it was (another trigger's table row, and `calls` in --json).
  it(
    "a value the Action caches is printed as its digest, as diff shows it, post-login and another trigger",
    async () => {
      const token = "eyJhbGciOi.cached-m2m-token"
      const login = file(
        "cache-login.js",
        `exports.onExecutePostLogin = async (event, api) => {
  api.cache.set("m2m", ${JSON.stringify(token)}, { ttl: 60000 })
}`
      )
      const exchange = file(
        "cache-exchange.js",
        `exports.onExecuteCredentialsExchange = async (event, api) => {
  api.cache.set("m2m", ${JSON.stringify(token)})
}`
      )
      const loginEvent = file("cache-login.json", JSON.stringify({ user: { user_id: "auth0|ada" } }))
      const exchangeEvent = file("cache-exchange.json", JSON.stringify({ client: { client_id: "job" } }))
      for (
        const [action, event, flags] of [
          [login, loginEvent, ["--json"]],
          [exchange, exchangeEvent, []],
          [exchange, exchangeEvent, ["--json"]]
        ] as const
      ) {
        // oxlint-disable-next-line no-await-in-loop
        const o = await rulefx("run", action, "--event", event, ...flags)
        const all = o.stdout + o.stderr
        assert.strictEqual(o.code, 0, all)
        assert.notInclude(all, "cached-m2m-token", all)
        assert.include(o.stdout, "m2m", all)
        assert.match(o.stdout, /<digest [0-9a-f]{16}>/, all)
      }
    },
    120_000
  )
})
