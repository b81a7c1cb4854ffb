/**
 * Project: the project a user starts from, written into a folder outside the workspace. Today a small hand-written
 * one (package.json, tsconfig, a one-rule Action, its vitest test, two events); `rulefx init` is to replace
 * `scaffold`, and the install test keeps reading only what `Scaffolded` promises. `addLegacyRules` adds a
 * deploy-cli rules folder for `rulefx migrate`.
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"

/** What the install test relies on in a scaffolded project. */
export interface Scaffolded {
  /** The Action's entry, relative to the project. */
  readonly entry: string
  /** Events, relative to the project, and what the Action must decide for each. */
  readonly events: ReadonlyArray<{
    readonly file: string
    readonly denied: string | undefined
    readonly idTokenClaims: Readonly<Record<string, unknown>>
  }>
}

const write = (folder: string, file: string, text: string) => {
  mkdirSync(dirname(join(folder, file)), { recursive: true })
  writeFileSync(join(folder, file), text)
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`

const action = `/**
 * One typed rule: a login with an unverified email is denied; otherwise the ID token says which domain the email
 * is on.
 */
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Decision from "@rulefx/core/Decision"
import * as Denial from "@rulefx/core/Denial"
import { Login } from "@rulefx/core/Login"
import * as Pipeline from "@rulefx/core/Pipeline"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

export class EmailNotVerified extends Denial.Class("EmailNotVerified")<{}> {
  override get message(): string {
    return "Please verify your email address first."
  }
}

export const emailDomain = Rule.make(
  "emailDomain",
  Effect.gen(function*() {
    const login = yield* Login
    if (!login.user.emailVerified) return yield* new EmailNotVerified()
    yield* Decision.setIdTokenClaim("https://example.com/email_domain", login.user.email?.split("@")[1] ?? "none")
  })
)

export const pipeline = Pipeline.make({ facts: [], rules: [emailDomain] })

export const onExecutePostLogin = PostLogin.make(pipeline, Layer.empty)
`

const test = `import * as Events from "@rulefx/testing/Events"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import { describe, expect, it } from "vitest"
import { onExecutePostLogin } from "../src/action.ts"

describe("the Action", () => {
  it("denies an unverified email", async () => {
    const api = RecordingApi.make()
    await onExecutePostLogin(Events.postLogin({ user: { email_verified: false } }), api)
    expect(api.summary().denied).toBe("Please verify your email address first.")
  })

  it("puts the email's domain in the ID token", async () => {
    const api = RecordingApi.make()
    await onExecutePostLogin(Events.postLogin({ user: { email: "ada@example.org", email_verified: true } }), api)
    expect(api.summary().denied).toBeUndefined()
    expect(api.summary().idTokenClaims).toEqual({ "https://example.com/email_domain": "example.org" })
  })
})
`

const event = (emailVerified: boolean) => ({
  user: {
    user_id: "auth0|1001",
    email: "ada@example.org",
    email_verified: emailVerified,
    app_metadata: {},
    user_metadata: {}
  },
  client: { client_id: "portal-id", name: "Customer Portal", metadata: {} },
  connection: { id: "con_1", name: "Username-Password-Authentication", strategy: "auth0" },
  request: { ip: "10.20.1.7", hostname: "login.example.com", query: {}, geoip: {} },
  transaction: { protocol: "oidc-basic-profile", requested_scopes: ["openid", "email"] },
  stats: { logins_count: 2 },
  secrets: {}
})

/**
 * Writes the starting project into `folder`, depending on the @rulefx packages at `version` and on the third-party
 * versions given (effect, typescript, vitest, @types/node, netmask: what the seeded registry holds).
 */
export const scaffold = (
  folder: string,
  versions: { readonly rulefx: string; readonly thirdParty: Readonly<Record<string, string>> }
): Scaffolded => {
  const rulefx = (name: string) => [`@rulefx/${name}`, versions.rulefx] as const
  const pick = (...names: ReadonlyArray<string>) =>
    names.map((name) => {
      const version = versions.thirdParty[name]
      if (version === undefined) throw new Error(`no version given for ${name}`)
      return [name, version] as const
    })
  write(
    folder,
    "package.json",
    json({
      name: "outside-project",
      version: "1.0.0",
      private: true,
      type: "module",
      scripts: { build: "rulefx build src/action.ts -o dist/action.js", test: "vitest run" },
      dependencies: Object.fromEntries([
        rulefx("adapter-auth0"),
        rulefx("core"),
        rulefx("legacy-rules"),
        ...pick("effect", "netmask")
      ]),
      devDependencies: Object.fromEntries([
        rulefx("cli"),
        rulefx("testing"),
        ...pick("@types/node", "typescript", "vitest")
      ])
    })
  )
  write(
    folder,
    "tsconfig.json",
    json({
      compilerOptions: {
        strict: true,
        exactOptionalPropertyTypes: true,
        noImplicitOverride: true,
        verbatimModuleSyntax: true,
        allowImportingTsExtensions: true,
        module: "NodeNext",
        moduleResolution: "NodeNext",
        target: "ES2022",
        lib: ["ES2023", "DOM"],
        types: ["node"],
        noEmit: true
      },
      include: ["src", "test"]
    })
  )
  write(folder, "src/action.ts", action)
  write(folder, "test/action.test.ts", test)
  write(folder, "events/verified.json", json(event(true)))
  write(folder, "events/unverified.json", json(event(false)))
  return {
    entry: "src/action.ts",
    events: [
      {
        file: "events/verified.json",
        denied: undefined,
        idTokenClaims: { "https://example.com/email_domain": "example.org" }
      },
      { file: "events/unverified.json", denied: "Please verify your email address first.", idTokenClaims: {} }
    ]
  }
}

const officeClaim = `/**
 * Tell the application whether the login comes from the office network.
 */
function (user, context, callback) {
  var Netmask = require('netmask').Netmask;
  var office = new Netmask(configuration.OFFICE_CIDR);
  context.idToken['https://example.com/in_office'] = office.contains(context.request.ip);
  callback(null, user, context);
}
`

const crmId = `/**
 * Look the user up in the CRM and put its id in the access token; no CRM, no login.
 */
function (user, context, callback) {
  var request = require('request');
  request.post({ url: configuration.CRM_URL, json: { user_id: user.user_id }, timeout: 2000 }, function (err, response, body) {
    if (err || response.statusCode !== 200) {
      return callback(new UnauthorizedError('The CRM is not available, try again later.'));
    }
    context.accessToken['https://example.com/crm_id'] = body.id;
    callback(null, user, context);
  });
}
`

/**
 * Adds `rules/` (auth0-deploy-cli's layout) with two legacy Rules: one requires `netmask` from the project, the
 * other `request` (rulefx's shim, from the installed @rulefx/legacy-rules) and posts to the secret `CRM_URL`.
 * Returns the folder, relative to the project.
 */
export const addLegacyRules = (folder: string): string => {
  write(folder, "rules/office-claim.js", officeClaim)
  write(
    folder,
    "rules/office-claim.json",
    json({ name: "office-claim", script: "./office-claim.js", stage: "login_success", enabled: true, order: 1 })
  )
  write(folder, "rules/crm-id.js", crmId)
  write(
    folder,
    "rules/crm-id.json",
    json({ name: "crm-id", script: "./crm-id.js", stage: "login_success", enabled: true, order: 2 })
  )
  return "rules"
}
