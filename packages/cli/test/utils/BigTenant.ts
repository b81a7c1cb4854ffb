/**
 * A big tenant of legacy Rules, generated: by default 60 rules in auth0-deploy-cli's layout (`rules/<name>.js` with
 * one function and `rules/<name>.json` with name, order, enabled, stage), about 150 kB of source, shaped like the
 * classic auth0/rules templates (profile claims, roles from app_metadata, allow-lists by email domain and by
 * application, MFA conditions, a redirect with its `/continue`, `request` calls to a URL from configuration, HMACs
 * keyed by configuration secrets), each with the kind of header comment a tenant accumulates. The same seed gives the
 * same files, byte for byte.
 *
 * It comes with the Action secrets every rule's `configuration.X` needs and with cases: Auth0 post-login events and
 * the `api` calls, in order, that the migrated Action must make for each (a user allowed with its claims, one denied
 * by a domain allow-list, one by an application's allow-list, one sent to MFA, one redirected, and the same user
 * coming back through `/continue`). The calls are worked out from a model of what each generated rule does, kept next
 * to the code that writes the rule, and checked against a built Action in Migrate.test.ts.
 *
 * @since 0.1.0
 */
import type { Call } from "@rulefx/testing/RecordingApi"
import { createHmac } from "node:crypto"
import { mkdirSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"

/**
 * Options of the generator.
 *
 * @since 0.1.0
 */
export interface Options {
  /** Seeds the names, domains, lists and comments. Default 20261202. */
  readonly seed?: number
  /** How many rules. Default 60. */
  readonly rules?: number
  /**
   * The base URL of a CRM the test serves on 127.0.0.1 (see `crmAccount`): with it, the CRM rules' settings point
   * there and a case of a user linked to the CRM is added. Without it they point at a closed port and no case calls
   * them.
   */
  readonly crmUrl?: string
}

/**
 * What the test's CRM answers for `GET <setting>/accounts/<id>`, as JSON: the CRM rules put `{ id, tier }` of it into
 * an ID-token claim.
 *
 * @since 0.1.0
 */
export const crmAccount = (id: string): { readonly id: string; readonly tier: string; readonly owner: string } => ({
  id,
  tier: `tier-${id.length % 3}`,
  owner: "sales"
})

/**
 * The CRM the tenant's `request` rule calls, on 127.0.0.1: `GET /accounts/<id>` answers `crmAccount(id)`, anything
 * else 404. Each URL asked is pushed to `asked`. Its `url` is the tenant's `crmUrl`.
 */
export const startCrm = async (asked: Array<string>): Promise<{ readonly server: Server; readonly url: string }> => {
  const server = createServer((req, res) => {
    asked.push(req.url ?? "")
    const id = /\/accounts\/([^/?]+)$/.exec(req.url ?? "")?.[1]
    if (req.method !== "GET" || id === undefined) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(crmAccount(decodeURIComponent(id))))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

/**
 * One generated rule.
 *
 * @since 0.1.0
 */
export interface GeneratedRule {
  readonly name: string
  readonly kind: Kind
  /** The word that makes its claims, settings and applications its own (rules may share one). */
  readonly tag: string
  readonly order: number
  /** The `.js` file's text. */
  readonly source: string
  /** The `.json` file's text. */
  readonly json: string
  /** The application (client name) the rule acts for, when it acts for one only. */
  readonly client: Client | undefined
}

/**
 * An application of the tenant.
 *
 * @since 0.1.0
 */
export interface Client {
  readonly client_id: string
  readonly name: string
}

/**
 * One event and what the Action must do with it.
 *
 * @since 0.1.0
 */
export interface Case {
  readonly name: string
  readonly outcome: "allowed" | "denied" | "mfa" | "redirect"
  /** Which export of the Action handles it (`onContinuePostLogin` for the return from a redirect). */
  readonly handler: "onExecutePostLogin" | "onContinuePostLogin"
  /** An Auth0 post-login event, secrets included. */
  readonly event: Record<string, unknown>
  /** The `api` calls, in order, as @rulefx/testing's RecordingApi records them. */
  readonly calls: ReadonlyArray<Call>
}

/**
 * A generated tenant.
 *
 * @since 0.1.0
 */
export interface BigTenant {
  readonly seed: number
  readonly rules: ReadonlyArray<GeneratedRule>
  /** The Action secrets: every `configuration.X` the rules read, with test values. */
  readonly secrets: Readonly<Record<string, string>>
  readonly cases: ReadonlyArray<Case>
  /** Bytes of rule source (`.js` files), UTF-8. */
  readonly sourceBytes: number
}

/**
 * The kinds of rule, after the classic templates they are shaped like.
 *
 * @since 0.1.0
 */
export type Kind =
  | "profile-claims"
  | "roles-claim"
  | "domain-allowlist"
  | "client-allowlist"
  | "mfa-for-client"
  | "redirect-consent"
  | "crm-enrichment"
  | "first-login-webhook"
  | "email-hash"
  | "plan-tier"
  | "connection-claim"
  | "verified-email-for-client"

// The order kinds are dealt in: every kind early, the claim-setting ones most often.
const deal: ReadonlyArray<Kind> = [
  "profile-claims",
  "domain-allowlist",
  "roles-claim",
  "mfa-for-client",
  "email-hash",
  "client-allowlist",
  "crm-enrichment",
  "redirect-consent",
  "plan-tier",
  "first-login-webhook",
  "connection-claim",
  "verified-email-for-client",
  "profile-claims",
  "roles-claim",
  "email-hash",
  "plan-tier"
]

// --- the model a rule's expected effect is computed on ---------------------------------------------------------------

interface Login {
  readonly clientId: string
  readonly clientName: string
  readonly email: string
  readonly emailVerified: boolean
  readonly name: string
  readonly nickname: string
  readonly connection: string
  readonly appMetadata: Readonly<Record<string, unknown>>
  readonly loginsCount: number
  readonly resumed: boolean
  readonly query: Readonly<Record<string, string>>
}

interface Effects {
  deny?: string
  readonly idToken: Map<string, unknown>
  readonly accessToken: Map<string, unknown>
  mfa?: { readonly provider: string; readonly allowRememberBrowser: boolean }
  redirect?: string
  readonly appMetadata: Map<string, unknown>
}

interface Made {
  readonly source: string
  readonly client: Client | undefined
  readonly apply: (login: Login, effects: Effects) => void
}

// --- a seeded generator ----------------------------------------------------------------------------------------------

// mulberry32: small, fast and the same everywhere.
const random = (seed: number) => {
  let a = seed >>> 0
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Rng = () => number

const pick = <A>(rng: Rng, items: ReadonlyArray<A>): A => items[Math.floor(rng() * items.length)]!
const pickSome = <A>(rng: Rng, items: ReadonlyArray<A>, n: number): Array<A> => {
  const pool = [...items]
  const out: Array<A> = []
  while (out.length < n && pool.length > 0) out.push(pool.splice(Math.floor(rng() * pool.length), 1)[0]!)
  return out
}

const words = [
  "atlas",
  "beacon",
  "cobalt",
  "delta",
  "ember",
  "falcon",
  "garnet",
  "harbor",
  "iris",
  "juniper",
  "kestrel",
  "lumen",
  "meridian",
  "nimbus",
  "onyx",
  "prairie",
  "quartz",
  "raven",
  "sierra",
  "tundra",
  "umber",
  "vertex",
  "willow",
  "zephyr"
]
const teams = ["identity", "platform", "security", "growth", "billing", "support", "partners", "mobile", "data", "it"]
const people = ["A. Moreau", "B. Okafor", "C. Lindqvist", "D. Tanaka", "E. Haddad", "F. Novak", "G. Silva", "H. Reyes"]
const tlds = ["com", "org", "io", "net", "co.uk", "de"]
const profileFields = ["name", "nickname", "email", "user_id"] as const

/** The claims' namespace. */
const ns = "https://tenant.example.com/"

/** The allowed user's domain and the outsider's. */
const homeDomain = "example.com"
const outsider = "mallory@outsider.example"

const history = (rng: Rng, what: string, n: number): string => {
  const lines = [
    `/**`,
    ` * ${what}`,
    ` *`,
    ` * Owner: ${pick(rng, teams)} team (${pick(rng, people)}). Ticket ${pick(rng, ["IAM", "SEC", "AUTH", "OPS"])}-${
      100 + Math.floor(rng() * 9000)
    }.`,
    ` *`,
    ` * History:`
  ]
  const changes = [
    "first version, copied from the Auth0 rules template and adapted",
    "moved the list into this rule after the settings page was locked down",
    "skip on the refresh-token grant: the check already ran at the interactive login",
    "log the reason when the rule lets the login through, for the audit export",
    "made the claim namespaced: Auth0 drops claims that are not",
    "added the mobile application after its launch",
    "kept the old behaviour for the partner portal until its migration is done",
    "reviewed during the yearly access review: still needed",
    "removed the debugging output that logged the whole profile",
    "guard against a missing app_metadata on users imported from the old database"
  ]
  for (let i = 0, count = n + 1 + Math.floor(rng() * 5); i < count; i++) {
    lines.push(
      ` *   20${19 + Math.floor(rng() * 7)}-${String(1 + Math.floor(rng() * 12)).padStart(2, "0")}-${
        String(1 + Math.floor(rng() * 28)).padStart(2, "0")
      }  ${pick(rng, people)}: ${pick(rng, changes)}.`
    )
  }
  lines.push(` *`, ` * Notes:`)
  for (const note of pickSome(rng, notes, 3 + Math.floor(rng() * 3))) lines.push(` * - ${note}`)
  lines.push(` *`, ` * Keep this rule's order: later rules read what it leaves in the context.`, ` */`)
  return lines.join("\n")
}

const notes = [
  "The applications named here are matched by name or id as the dashboard shows them; renaming one breaks this.",
  "Settings come from the Rules settings page (configuration.X); a missing one makes the rule fail closed.",
  "Do not log the user's profile: the log stream goes to a third party.",
  "Tested by hand with the Try this rule button against the staging tenant before each change.",
  "Errors go back through the callback so that the login fails rather than continuing half-done.",
  "Claims are namespaced; Auth0 silently drops the ones that are not.",
  "This runs on every login, including silent authentication from the single-page applications.",
  "The mobile applications cache tokens for a day: a change here reaches them the day after.",
  "If you add an application here, add it to the access review spreadsheet too."
]

// What every rule of the tenant starts with: a name for its log lines, a debug switch, and the refresh-token skip.
const preamble = (name: string): string =>
  [
    `  var RULE = '${name}';`,
    `  function log(message) {`,
    `    // Set RULES_DEBUG to 'verbose' in the rule settings to trace a login.`,
    `    if (configuration.RULES_DEBUG === 'verbose') {`,
    `      console.log('[' + RULE + '] ' + message + ' (' + user.user_id + ', ' + context.clientName + ')');`,
    `    }`,
    `  }`,
    `  // A refreshed token keeps what the interactive login decided.`,
    `  if (context.protocol === 'oauth2-refresh-token') {`,
    `    log('refresh token: skipped');`,
    `    return callback(null, user, context);`,
    `  }`,
    ``
  ].join("\n")

const onlyFor = (client: Client, by: "name" | "id"): string =>
  by === "name"
    ? [
      `  // This rule is for ${client.name} only.`,
      `  if (context.clientName !== '${client.name}') {`,
      `    return callback(null, user, context);`,
      `  }`
    ].join("\n")
    : [
      `  // This rule is for ${client.name} (${client.client_id}) only.`,
      `  if (context.clientID !== '${client.client_id}') {`,
      `    return callback(null, user, context);`,
      `  }`
    ].join("\n")

const domainOf = (email: string): string => (email.split("@").pop() ?? "").toLowerCase()

// Each maker writes a rule's function and the model of what it does; `n` is the rule's number, `tag` its word.
type Maker = (rng: Rng, n: number, tag: string, secrets: Record<string, string>, crmUrl: string) => Made

const makers: Record<Kind, Maker> = {
  "profile-claims": (rng, n, tag) => {
    const fields = pickSome(rng, profileFields, 2 + Math.floor(rng() * 2))
    const prefix = `${tag}_${n}`
    return {
      client: undefined,
      source: [
        history(rng, "Adds profile attributes to the ID token for the applications that cannot call /userinfo.", 6),
        `function (user, context, callback) {`,
        `  var namespace = '${ns}';`,
        `  // Only namespaced claims reach the token; a missing attribute is left out.`,
        `  var attributes = ${JSON.stringify(fields).replaceAll(`"`, "'").replaceAll(",", ", ")};`,
        `  for (var i = 0; i < attributes.length; i++) {`,
        `    var value = user[attributes[i]];`,
        `    if (value !== undefined && value !== null && value !== '') {`,
        `      context.idToken[namespace + '${prefix}_' + attributes[i]] = value;`,
        `    }`,
        `  }`,
        `  if (user.user_metadata && user.user_metadata.preferred_language) {`,
        `    context.idToken[namespace + '${prefix}_language'] = user.user_metadata.preferred_language;`,
        `  }`,
        `  callback(null, user, context);`,
        `}`,
        ``
      ].join("\n"),
      apply: (login, e) => {
        const user: Record<string, unknown> = {
          name: login.name,
          nickname: login.nickname,
          email: login.email,
          user_id: userId
        }
        for (const f of fields) e.idToken.set(`${ns}${prefix}_${f}`, user[f])
      }
    }
  },
  "roles-claim": (rng, n, tag) => {
    const fallback = pick(rng, ["user", "member", "reader", "customer"])
    const prefixes = pickSome(rng, ["editor", "admin", "billing", "support", "auditor", "viewer"], 3)
    const claim = `${ns}${tag}_roles_${n}`
    return {
      client: undefined,
      source: [
        history(rng, "Puts the user's roles from app_metadata into the access token, for the APIs to check.", 5),
        `function (user, context, callback) {`,
        `  user.app_metadata = user.app_metadata || {};`,
        `  // Roles are kept in app_metadata by the admin console; never trust user_metadata for them.`,
        `  var roles = Array.isArray(user.app_metadata.roles) ? user.app_metadata.roles : [];`,
        `  var known = ${JSON.stringify(prefixes).replaceAll(`"`, "'").replaceAll(",", ", ")};`,
        `  var granted = roles.filter(function (role) {`,
        `    return typeof role === 'string' && known.indexOf(role) !== -1;`,
        `  });`,
        `  if (granted.length === 0) {`,
        `    // Everyone gets the base role; it is not written back to the profile.`,
        `    granted = ['${fallback}'];`,
        `  }`,
        `  context.accessToken['${claim}'] = granted;`,
        `  callback(null, user, context);`,
        `}`,
        ``
      ].join("\n"),
      apply: (login, e) => {
        const roles = Array.isArray(login.appMetadata["roles"]) ? login.appMetadata["roles"] as Array<unknown> : []
        const granted = roles.filter((r) => typeof r === "string" && prefixes.includes(r))
        e.accessToken.set(claim, granted.length === 0 ? [fallback] : granted)
      }
    }
  },
  "domain-allowlist": (rng, n, tag) => {
    const client = { client_id: `${tag}-${n}-id`, name: `${cap(tag)} ${n}` }
    const domains = [homeDomain, ...pickSome(rng, words, 3).map((w) => `${w}.${pick(rng, tlds)}`)]
    const message = `Access to ${client.name} is limited to our partners' domains.`
    return {
      client,
      source: [
        history(rng, `Only users with an email address at one of the listed domains may log in to ${client.name}.`, 6),
        `function (user, context, callback) {`,
        onlyFor(client, "name"),
        `  var whitelist = ${JSON.stringify(domains).replaceAll(`"`, "'").replaceAll(",", ", ")};`,
        `  var userHasAccess = whitelist.some(function (domain) {`,
        `    var emailSplit = (user.email || '').split('@');`,
        `    return emailSplit[emailSplit.length - 1].toLowerCase() === domain;`,
        `  });`,
        `  if (!userHasAccess) {`,
        `    return callback(new UnauthorizedError('${message.replaceAll("'", "\\'")}'));`,
        `  }`,
        `  return callback(null, user, context);`,
        `}`,
        ``
      ].join("\n"),
      apply: (login, e) => {
        if (login.clientName !== client.name) return
        if (!domains.includes(domainOf(login.email))) e.deny = message
      }
    }
  },
  "client-allowlist": (rng, n, tag) => {
    const client = { client_id: `${tag}-${n}-id`, name: `${cap(tag)} Console ${n}` }
    const emails = [
      `ada@${homeDomain}`,
      ...pickSome(rng, words, 4).map((w) => `${w}@${pick(rng, words)}.${pick(rng, tlds)}`)
    ]
    const message = "You are not allowed to use this application."
    return {
      client,
      source: [
        history(rng, `Whitelist for ${client.name}: only the listed users may log in to it.`, 5),
        `function (user, context, callback) {`,
        onlyFor(client, "id"),
        `  // Keep the list short: anyone else asks the service desk.`,
        `  var whitelist = ${JSON.stringify(emails).replaceAll(`"`, "'").replaceAll(",", ",\n    ")};`,
        `  var userHasAccess = whitelist.some(function (email) {`,
        `    return email === (user.email || '').toLowerCase();`,
        `  });`,
        `  if (!userHasAccess || !user.email_verified) {`,
        `    return callback(new UnauthorizedError('${message}'));`,
        `  }`,
        `  callback(null, user, context);`,
        `}`,
        ``
      ].join("\n"),
      apply: (login, e) => {
        if (login.clientId !== client.client_id) return
        if (!emails.includes(login.email.toLowerCase()) || !login.emailVerified) e.deny = message
      }
    }
  },
  "mfa-for-client": (rng, n, tag) => {
    const client = { client_id: `${tag}-${n}-id`, name: `${cap(tag)} Admin ${n}` }
    const flag = `require_mfa_${tag}`
    const remember = rng() < 0.5
    return {
      client,
      source: [
        history(rng, `Multifactor authentication for ${client.name}, and for users flagged in app_metadata.`, 5),
        `function (user, context, callback) {`,
        `  var CLIENTS_WITH_MFA = ['${client.client_id}'];`,
        `  var flagged = user.app_metadata && user.app_metadata.${flag} === true;`,
        `  // Run only for the listed applications, or for users the security team flagged.`,
        `  if (CLIENTS_WITH_MFA.indexOf(context.clientID) !== -1 || flagged) {`,
        `    // Not on the return from a redirect: the user has just done it.`,
        `    if (context.protocol !== 'redirect-callback') {`,
        `      context.multifactor = {`,
        `        provider: 'any',`,
        `        allowRememberBrowser: ${remember}`,
        `      };`,
        `    }`,
        `  }`,
        `  callback(null, user, context);`,
        `}`,
        ``
      ].join("\n"),
      apply: (login, e) => {
        if ((login.clientId === client.client_id || login.appMetadata[flag] === true) && !login.resumed) {
          e.mfa = { provider: "any", allowRememberBrowser: remember }
        }
      }
    }
  },
  "redirect-consent": (rng, n, tag, secrets) => {
    const client = { client_id: `${tag}-${n}-id`, name: `${cap(tag)} Store ${n}` }
    const setting = `CONSENT_URL_${n}`
    const url = `https://consent.example.com/${tag}/${n}/terms`
    secrets[setting] = url
    const flag = `consent_${tag}_${n}`
    const message = "You must accept the terms."
    return {
      client,
      source: [
        history(rng, `${client.name}: send users to the consent page until they have accepted the terms.`, 6),
        `function (user, context, callback) {`,
        onlyFor(client, "name"),
        `  user.app_metadata = user.app_metadata || {};`,
        ``,
        `  // Rules ignore a redirect set when the login comes back from one.`,
        `  if (!user.app_metadata.${flag}) {`,
        `    context.redirect = { url: configuration.${setting} };`,
        `  }`,
        ``,
        `  if (context.protocol !== 'redirect-callback') {`,
        `    return callback(null, user, context);`,
        `  }`,
        ``,
        `  // Back from the consent page: /continue?consent=yes`,
        `  if (context.request.query.consent !== 'yes') {`,
        `    return callback(new UnauthorizedError('${message}'));`,
        `  }`,
        ``,
        `  user.app_metadata.${flag} = true;`,
        `  auth0.users.updateAppMetadata(user.user_id, user.app_metadata)`,
        `    .then(function () {`,
        `      callback(null, user, context);`,
        `    })`,
        `    .catch(function (err) {`,
        `      callback(err);`,
        `    });`,
        `}`,
        ``
      ].join("\n"),
      apply: (login, e) => {
        if (login.clientName !== client.name) return
        if (login.appMetadata[flag] !== true && !login.resumed) e.redirect = url
        if (!login.resumed) return
        if (login.query["consent"] !== "yes") {
          e.deny = message
          return
        }
        e.appMetadata.set(flag, true)
      }
    }
  },
  "crm-enrichment": (rng, n, tag, secrets, crmUrl) => {
    const setting = `CRM_API_URL_${n}`
    secrets[setting] = `${crmUrl}/${tag}-crm-${n}`
    const link = `crm_${tag}_id`
    const claim = `${ns}${tag}_account_${n}`
    return {
      client: undefined,
      source: [
        history(rng, "Adds the user's CRM account to the ID token, for users linked to one.", 5),
        `function (user, context, callback) {`,
        `  user.app_metadata = user.app_metadata || {};`,
        `  // Users without a CRM link have nothing to add.`,
        `  if (!user.app_metadata.crm_${tag}_id || context.protocol === 'redirect-callback') {`,
        `    return callback(null, user, context);`,
        `  }`,
        `  var request = require('request');`,
        `  request.get({`,
        `    url: configuration.${setting} + '/accounts/' + encodeURIComponent(user.app_metadata.crm_${tag}_id),`,
        `    json: true,`,
        `    timeout: 3000`,
        `  }, function (err, response, body) {`,
        `    if (err) {`,
        `      return callback(err);`,
        `    }`,
        `    if (response.statusCode === 404) {`,
        `      return callback(null, user, context);`,
        `    }`,
        `    if (response.statusCode !== 200 || !body) {`,
        `      return callback(new Error('CRM lookup failed: ' + response.statusCode));`,
        `    }`,
        `    context.idToken['${claim}'] = { id: body.id, tier: body.tier };`,
        `    callback(null, user, context);`,
        `  });`,
        `}`,
        ``
      ].join("\n"),
      apply: (login, e) => {
        const id = login.appMetadata[link]
        if (typeof id !== "string" || id === "" || login.resumed) return
        const { tier } = crmAccount(id)
        e.idToken.set(claim, { id, tier })
      }
    }
  },
  "first-login-webhook": (rng, n, tag, secrets) => {
    const setting = `WEBHOOK_URL_${n}`
    secrets[setting] = `http://127.0.0.1:9/${tag}-hooks/${n}`
    return {
      client: undefined,
      source: [
        history(rng, "Tells the marketing system about a new user on their first login. Never blocks the login.", 4),
        `function (user, context, callback) {`,
        `  // Only on the first login, and not again when the login comes back from a redirect.`,
        `  if (context.stats.loginsCount !== 1 || context.protocol === 'redirect-callback') {`,
        `    return callback(null, user, context);`,
        `  }`,
        `  var request = require('request');`,
        `  request.post({`,
        `    url: configuration.${setting},`,
        `    json: { user_id: user.user_id, email: user.email, source: '${tag}' },`,
        `    timeout: 2000`,
        `  }, function (err) {`,
        `    if (err) {`,
        `      console.log('webhook failed: ' + err.code);`,
        `    }`,
        `    // The login goes on either way.`,
        `    callback(null, user, context);`,
        `  });`,
        `}`,
        ``
      ].join("\n"),
      apply: () => {}
    }
  },
  "email-hash": (rng, n, tag, secrets) => {
    const setting = `${tag.toUpperCase()}_HASH_SECRET_${n}`
    const secret = `${tag}-hmac-${n}-${Math.floor(rng() * 1e9).toString(36)}-${Math.floor(rng() * 1e9).toString(36)}`
    secrets[setting] = secret
    const claim = `${ns}${tag}_email_hash_${n}`
    return {
      client: undefined,
      source: [
        history(rng, "Adds an HMAC of the user's email for the support chat widget (identity verification).", 5),
        `function (user, context, callback) {`,
        `  var crypto = require('crypto');`,
        `  // The widget checks this hash with the same secret: it proves the email came from us.`,
        `  if (!user.email) {`,
        `    return callback(null, user, context);`,
        `  }`,
        `  var hmac = crypto.createHmac('sha256', configuration.${setting});`,
        `  hmac.update(user.email);`,
        `  context.idToken['${claim}'] = hmac.digest('hex');`,
        `  callback(null, user, context);`,
        `}`,
        ``
      ].join("\n"),
      apply: (login, e) => {
        e.idToken.set(claim, createHmac("sha256", secret).update(login.email).digest("hex"))
      }
    }
  },
  "plan-tier": (rng, n, tag) => {
    const table = Object.fromEntries(
      pickSome(rng, ["free", "pro", "team", "enterprise", "trial"], 4).map((p) => [p, `${p}-${pick(rng, words)}`])
    )
    const fallback = `basic-${tag}`
    const claim = `${ns}${tag}_tier_${n}`
    return {
      client: undefined,
      source: [
        history(rng, "Maps the billing plan in app_metadata to the service tier the APIs enforce.", 5),
        `function (user, context, callback) {`,
        `  var tiers = {`,
        Object.entries(table).map(([k, v]) => `    ${k}: '${v}'`).join(",\n"),
        `  };`,
        `  var plan = user.app_metadata && user.app_metadata.plan;`,
        `  var tier = (typeof plan === 'string' && tiers.hasOwnProperty(plan)) ? tiers[plan] : '${fallback}';`,
        `  context.accessToken['${claim}'] = tier;`,
        `  callback(null, user, context);`,
        `}`,
        ``
      ].join("\n"),
      apply: (login, e) => {
        const plan = login.appMetadata["plan"]
        e.accessToken.set(claim, typeof plan === "string" && Object.hasOwn(table, plan) ? table[plan] : fallback)
      }
    }
  },
  "connection-claim": (rng, n, tag) => {
    const claim = `${ns}${tag}_connection_${n}`
    const social = pickSome(rng, ["google-oauth2", "github", "linkedin", "apple", "windowslive"], 3)
    return {
      client: undefined,
      source: [
        history(rng, "Tells the applications how the user logged in: social, enterprise or database.", 4),
        `function (user, context, callback) {`,
        `  var social = ${JSON.stringify(social).replaceAll(`"`, "'").replaceAll(",", ", ")};`,
        `  var kind = social.indexOf(context.connectionStrategy) !== -1 ? 'social' : 'other';`,
        `  context.idToken['${claim}'] = { name: context.connection, kind: kind };`,
        `  callback(null, user, context);`,
        `}`,
        ``
      ].join("\n"),
      apply: (login, e) => {
        e.idToken.set(claim, { name: login.connection, kind: social.includes(strategy) ? "social" : "other" })
      }
    }
  },
  "verified-email-for-client": (rng, n, tag) => {
    const client = { client_id: `${tag}-${n}-id`, name: `${cap(tag)} Portal ${n}` }
    const message = "Please verify your email before logging in."
    return {
      client,
      source: [
        history(rng, `${client.name} needs a verified email address.`, 4),
        `function (user, context, callback) {`,
        onlyFor(client, "id"),
        `  if (!user.email_verified) {`,
        `    return callback(new UnauthorizedError('${message}'));`,
        `  }`,
        `  return callback(null, user, context);`,
        `}`,
        ``
      ].join("\n"),
      apply: (login, e) => {
        if (login.clientId === client.client_id && !login.emailVerified) e.deny = message
      }
    }
  }
}

const cap = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1)

// The cases' user.
const userId = "auth0|5f7c8ec7c33c6c004bbafe82"
const strategy = "google-oauth2"

const portal: Client = { client_id: "portal-id", name: "Customer Portal" }

const baseEvent = (secrets: Readonly<Record<string, string>>) => ({
  user: {
    user_id: userId,
    email: `ada@${homeDomain}`,
    email_verified: true,
    name: "Ada Lovelace",
    nickname: "ada",
    picture: "https://cdn.example.com/ada.png",
    created_at: "2020-01-01T00:00:00.000Z",
    app_metadata: { roles: ["editor", "auditor"], plan: "pro" },
    user_metadata: {}
  },
  client: { ...portal, metadata: {} },
  connection: { id: "con_google", name: strategy, strategy },
  request: {
    ip: "203.0.113.10",
    hostname: "login.example.com",
    user_agent: "Mozilla/5.0",
    query: { scope: "openid profile email" },
    geoip: {}
  },
  transaction: { protocol: "oidc-basic-profile", requested_scopes: ["openid", "profile", "email"] },
  authentication: { methods: [{ name: "federated", timestamp: "2025-01-15T12:00:00.000Z" }] },
  stats: { logins_count: 5 },
  secrets: { ...secrets }
})

type Event = ReturnType<typeof baseEvent>

const loginOf = (event: Event, resumed: boolean): Login => ({
  clientId: event.client.client_id,
  clientName: event.client.name,
  email: event.user.email,
  emailVerified: event.user.email_verified,
  name: event.user.name,
  nickname: event.user.nickname,
  connection: event.connection.name,
  appMetadata: event.user.app_metadata,
  loginsCount: event.stats.logins_count,
  resumed,
  query: event.request.query as Record<string, string>
})

// The calls the adapter makes for what the rules did, in its order: MFA, redirect, ID-token claims, access-token claims,
// app_metadata writes. A denial makes one call; a redirect's pass writes only metadata.
const callsOf = (made: ReadonlyArray<Made>, login: Login): Array<Call> => {
  const e: Effects = { idToken: new Map(), accessToken: new Map(), appMetadata: new Map() }
  for (const rule of made) {
    rule.apply(login, e)
    if (e.deny !== undefined) return [{ method: "access.deny", args: [e.deny] }]
  }
  const metadata = [...e.appMetadata].map(([k, v]): Call => ({ method: "user.setAppMetadata", args: [k, v] }))
  if (e.redirect !== undefined) {
    return [{ method: "redirect.sendUserTo", args: [e.redirect, { query: {} }] }, ...metadata]
  }
  return [
    ...(e.mfa === undefined ? [] : [{
      method: "multifactor.enable",
      args: [e.mfa.provider, { allowRememberBrowser: e.mfa.allowRememberBrowser }]
    }]),
    ...[...e.idToken].map(([k, v]): Call => ({ method: "idToken.setCustomClaim", args: [k, v] })),
    ...[...e.accessToken].map(([k, v]): Call => ({ method: "accessToken.setCustomClaim", args: [k, v] })),
    ...metadata
  ]
}

/**
 * Generates the tenant. Pure: the same options give the same tenant.
 *
 * @since 0.1.0
 */
export const make = (options: Options = {}): BigTenant => {
  const seed = options.seed ?? 20261202
  const count = options.rules ?? 60
  const rng = random(seed)
  const secrets: Record<string, string> = { RULES_DEBUG: "quiet" }
  const tags = [...words]
  const rules: Array<GeneratedRule> = []
  const made: Array<Made> = []
  for (let i = 0; i < count; i++) {
    const kind = deal[i % deal.length]!
    const tag = tags[(i * 7 + Math.floor(rng() * 3)) % tags.length]!
    const n = i + 1
    const m = makers[kind](rng, n, tag, secrets, options.crmUrl ?? "http://127.0.0.1:9")
    const name = `${kind}-${String(n).padStart(3, "0")}`
    const order = n * 10
    rules.push({
      name,
      kind,
      tag,
      order,
      source: m.source.replace("function (user, context, callback) {\n", (f) => `${f}${preamble(name)}\n`),
      json: `${
        JSON.stringify({ name, script: `./${name}.js`, stage: "login_success", enabled: true, order }, null, 2)
      }\n`,
      client: m.client
    })
    made.push(m)
  }
  const first = (kind: Kind): GeneratedRule => {
    const found = rules.find((r) => r.kind === kind)
    if (found === undefined) throw new Error(`a tenant of ${count} rules has no ${kind} rule`)
    return found
  }
  const base = baseEvent(secrets)
  const withClient = (client: Client | undefined, patch: (e: Event) => Event = (e) => e): Event =>
    patch({ ...base, client: { ...(client ?? portal), metadata: {} } })
  const cases: Array<Case> = []
  const add = (name: string, outcome: Case["outcome"], event: Event, handler: Case["handler"] = "onExecutePostLogin") =>
    cases.push({
      name,
      outcome,
      handler,
      event,
      calls: callsOf(made, loginOf(event, handler === "onContinuePostLogin"))
    })
  add("allowed with its claims", "allowed", base)
  if (count >= deal.length) {
    const domainList = first("domain-allowlist")
    add(
      `denied by ${domainList.name}`,
      "denied",
      withClient(domainList.client, (e) => ({ ...e, user: { ...e.user, email: outsider } }))
    )
    add(
      `denied by ${first("client-allowlist").name}`,
      "denied",
      withClient(first("client-allowlist").client, (e) => ({ ...e, user: { ...e.user, email: `grace@${homeDomain}` } }))
    )
    add(`sent to MFA by ${first("mfa-for-client").name}`, "mfa", withClient(first("mfa-for-client").client))
    const store = first("redirect-consent")
    add(`redirected by ${store.name}`, "redirect", withClient(store.client))
    add(
      `back from ${store.name}'s redirect with consent`,
      "allowed",
      withClient(
        store.client,
        (e) => ({ ...e, request: { ...e.request, query: { ...e.request.query, consent: "yes" } } })
      ),
      "onContinuePostLogin"
    )
    if (options.crmUrl !== undefined) {
      const crm = first("crm-enrichment")
      const link = `crm_${crm.tag}_id`
      add(
        `enriched from the CRM by ${crm.name}`,
        "allowed",
        withClient(undefined, (e) => ({
          ...e,
          user: { ...e.user, app_metadata: { ...e.user.app_metadata, [link]: "acct-0042" } }
        }))
      )
    }
  }
  const sourceBytes = rules.reduce((sum, r) => sum + Buffer.byteLength(r.source), 0)
  return { seed, rules, secrets, cases, sourceBytes }
}

/**
 * Writes the tenant's rules into `dir/rules/` (deploy-cli's layout) and returns that folder.
 *
 * @since 0.1.0
 */
export const write = (tenant: BigTenant, dir: string): string => {
  const folder = join(dir, "rules")
  mkdirSync(folder, { recursive: true })
  for (const rule of tenant.rules) {
    writeFileSync(join(folder, `${rule.name}.js`), rule.source)
    writeFileSync(join(folder, `${rule.name}.json`), rule.json)
  }
  return folder
}
