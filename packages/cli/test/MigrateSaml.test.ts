/**
 * The two classic templates that use `context.samlConfiguration` (attribute mapping, and per-client SAML settings),
 * written in their shape, migrated into one Action outside the repository, loaded with plain require and driven with
 * a SAML login and a recording `api`.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Migrate from "@rulefx/cli/Migrate"
import * as Events from "@rulefx/testing/Events"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as Effect from "effect/Effect"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"

type Handler = (event: unknown, api: RecordingApi.RecordingApi) => Promise<void>

const SAML_CLIENT = "cli_saml_sp"

// Shaped like the classic saml-attribute-mapping template: a fixed table of attribute URIs to user fields.
const attributeMapping = `function (user, context, callback) {
  context.samlConfiguration.mappings = {
    "http://schemas.example.com/claims/nameidentifier": "user_id",
    "http://schemas.example.com/claims/emailaddress": "email",
    "http://schemas.example.com/claims/name": "name",
    "http://schemas.example.com/claims/food": "user_metadata.favorite_food",
    "http://schemas.example.com/claims/address": "app_metadata.shipping_address"
  };
  callback(null, user, context);
}
`

// Shaped like the classic saml-configuration template: settings for one SAML client only.
const configuration = `function (user, context, callback) {
  if (context.clientID !== "${SAML_CLIENT}") return callback(null, user, context);
  context.samlConfiguration = context.samlConfiguration || {};
  context.samlConfiguration.audience = "urn:foo";
  context.samlConfiguration.recipient = "http://foo";
  context.samlConfiguration.destination = "http://foo";
  context.samlConfiguration.lifetimeInSeconds = 3600;
  callback(null, user, context);
}
`

let dir = ""
let handler: Handler
const logs: Array<string> = []
let capture: LogCapture.Capture | undefined

const write = (name: string, order: number, script: string) => {
  writeFileSync(join(dir, "rules", `${name}.js`), script)
  writeFileSync(
    join(dir, "rules", `${name}.json`),
    JSON.stringify({ name, script: `./${name}.js`, stage: "login_success", enabled: true, order })
  )
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rulefx-migrate-saml-"))
  mkdirSync(join(dir, "rules"))
  write("saml-attribute-mapping", 1, attributeMapping)
  write("saml-configuration", 2, configuration)
  const outfile = join(dir, "out", "action.js")
  await Effect.runPromise(Migrate.migrate(join(dir, "rules"), outfile))
  rmSync(join(dir, "out", "package.json"), { force: true })
  handler = (createRequire(outfile)(outfile) as { onExecutePostLogin: Handler }).onExecutePostLogin
  capture = LogCapture.start({ lines: logs })
}, 60_000)

afterAll(() => {
  capture?.stop()
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

const samlLogin = (client: string, user: Record<string, unknown>) =>
  Events.postLogin({
    client: { client_id: client, name: "SP", metadata: {} },
    transaction: { protocol: "samlp" },
    user: { user_id: "auth0|ada", email: "ada@example.com", name: "Ada", app_metadata: {}, user_metadata: {}, ...user }
  })

const run = async (event: unknown) => {
  const api = RecordingApi.make()
  await handler(event, api)
  return RecordingApi.decisive(api.calls)
}

describe("the classic SAML templates, through a migrated Action", () => {
  it("attribute mapping: each mapped field of the user becomes an attribute; a field the user lacks adds none", async () => {
    const calls = await run(samlLogin("cli_other", { user_metadata: { favorite_food: "pie" } }))
    assert.deepStrictEqual(calls, [
      { method: "samlResponse.setAttribute", args: ["http://schemas.example.com/claims/nameidentifier", "auth0|ada"] },
      {
        method: "samlResponse.setAttribute",
        args: ["http://schemas.example.com/claims/emailaddress", "ada@example.com"]
      },
      { method: "samlResponse.setAttribute", args: ["http://schemas.example.com/claims/name", "Ada"] },
      { method: "samlResponse.setAttribute", args: ["http://schemas.example.com/claims/food", "pie"] }
    ])
  })

  it("attribute mapping of an object (an address record): denied with the generic reason, logged by attribute", async () => {
    const before = logs.length
    const calls = await run(samlLogin("cli_other", { app_metadata: { shipping_address: { city: "Paris" } } }))
    assert.deepStrictEqual(calls.map((c) => c.method), ["access.deny"])
    assert.isTrue(
      logs.slice(before).some((line) => line.includes("InvalidAttributeValue") && line.includes("claims/address"))
    )
  })

  it("configuration: the SAML client gets audience, recipient, destination and lifetime through their setters", async () => {
    const calls = await run(samlLogin(SAML_CLIENT, {}))
    assert.deepStrictEqual(calls.filter((c) => !c.method.endsWith("setAttribute")), [
      { method: "samlResponse.setAudience", args: ["urn:foo"] },
      { method: "samlResponse.setRecipient", args: ["http://foo"] },
      { method: "samlResponse.setDestination", args: ["http://foo"] },
      { method: "samlResponse.setLifetimeInSeconds", args: [3600] }
    ])
  })
})
