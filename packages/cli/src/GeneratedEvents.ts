/**
 * GeneratedEvents: a seeded synthetic set of post-login events (trigger v3) for `rulefx events --generate` and then
 * `rulefx diff`. Node-side only.
 *
 * Events come from fast-check arbitraries, the same set for the same seed and count. Each varies the fields login
 * logic most often decides by: the user (id and provider, email and its domain, verified or not, name, app and user
 * metadata), the application (id, name, metadata), the connection (name, strategy, consistent with the user's
 * identity), the login count, where the login comes from (IP, and one city's location record: city, country,
 * continent, coordinates and time zone together), RBAC roles, the protocol and the requested scopes. Fields Auth0 may
 * leave out are left out in some events: `email`, `email_verified` even with an email, `name`, `username`,
 * `given_name` and `family_name`. Everything else is `@rulefx/testing/Events`' realistic default; there is no
 * `secrets` section.
 *
 * Given what legacy rules read (`RuleReads`, found by `fromRules` with the analyzer), the set also varies each field
 * they read: every metadata key a rule reads is present in some events and absent in others, with the values the
 * rules compare it with (a number either side of each threshold: 69, 70 and 71 for `> 70`), other strings, booleans
 * and lists; every value a rule compares a field with (an application name, a connection, an email domain, a role, a
 * country) is among that field's values, and every domain-like string of the rules is an email domain. When they read
 * the session's authentication methods, `authentication.methods` varies (none, a password only, methods among them
 * the names the rules compare, timestamps either side of the numbers they compare); otherwise it is the default
 * `[pwd]`. `covered` lists the fields that vary; `notVaried` the fields the rules read that
 * keep their default (the hostname, the language), for the user to add by hand if they matter; `writtenEarlier` the
 * fields a rule reads after an earlier rule writes them (`user.tier`): not an input of the login but that rule's.
 *
 * @since 0.1.0
 */
import * as RulesContext from "@rulefx/legacy-rules/RulesContext"
import * as Events from "@rulefx/testing/Events"
import * as Effect from "effect/Effect"
import fc from "fast-check"
import * as Analyze from "./Analyze.ts"
import * as EarlierWrites from "./internal/convert/earlierWrites.ts"
import * as Locations from "./internal/events/locations.ts"
import * as Methods from "./internal/events/methods.ts"
import * as RuleReadsInternal from "./internal/events/ruleReads.ts"
import { readText } from "./internal/files.ts"
import * as RulesFolder from "./RulesFolder.ts"
import type { NamedEvent } from "./TenantEvents.ts"

/**
 * What rules read of a login: event paths (`user.app_metadata.roles`, `client.name`), each with the string values
 * the rules compare it with, and the numbers (`numbers`); and every other short string literal of the rules.
 *
 * @category models
 * @since 0.1.0
 */
export type RuleReads = RuleReadsInternal.RuleReads

/**
 * Options of a set.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  readonly count: number
  /** Default 1. */
  readonly seed?: number
  readonly reads?: RuleReads
}

/**
 * A generated set: the events and the event paths they vary.
 *
 * @category models
 * @since 0.1.0
 */
export interface GeneratedEvents {
  readonly events: ReadonlyArray<NamedEvent>
  /** The event paths that vary across the set, sorted. */
  readonly covered: ReadonlyArray<string>
  /** The event paths the rules read that do not vary, sorted (those an earlier rule writes left out). */
  readonly notVaried: ReadonlyArray<string>
  /** The event paths the rules read only after an earlier rule writes them, each with that rule, sorted. */
  readonly writtenEarlier: ReadonlyArray<{ readonly path: string; readonly rule: string }>
}

/**
 * The fields every generated set varies, whatever the rules read.
 *
 * @category constructors
 * @since 0.1.0
 */
export const baseFields: ReadonlyArray<string> = [
  "user.user_id",
  "user.email",
  "user.email_verified",
  "user.name",
  "user.username",
  "user.given_name",
  "user.family_name",
  "user.app_metadata",
  "user.user_metadata",
  "user.created_at",
  "user.last_password_reset",
  "client.client_id",
  "client.name",
  "client.metadata",
  "connection.name",
  "connection.strategy",
  "stats.logins_count",
  "request.ip",
  "request.geoip",
  "request.geoip.countryCode",
  "request.geoip.countryCode3",
  "request.geoip.countryName",
  "request.geoip.continentCode",
  "request.geoip.cityName",
  "request.geoip.latitude",
  "request.geoip.longitude",
  "request.geoip.subdivisionCode",
  "request.geoip.subdivisionName",
  "request.geoip.timeZone",
  "request.query",
  "request.user_agent",
  "authorization.roles",
  "transaction.protocol",
  "transaction.requested_scopes"
]

const connections: ReadonlyArray<readonly [string, string]> = [
  ["Username-Password-Authentication", "auth0"],
  ["google-oauth2", "google-oauth2"],
  ["github", "github"],
  ["email", "email"],
  ["acme-saml", "samlp"],
  ["corp-waad", "waad"]
]
const social = new Set(["google-oauth2", "github", "facebook", "twitter", "apple", "linkedin", "windowslive"])
const baseValues: Readonly<Record<string, ReadonlyArray<string>>> = {
  "client.name": ["My App", "Admin Portal", "Mobile App"],
  "client.client_id": ["cli_8fQ2xZ4kLm", "cli_admin71", "cli_mobile2"],
  "authorization.roles": ["admin", "user", "editor"],
  "transaction.protocol": ["oidc-basic-profile", "oauth2-refresh-token", "samlp", "oauth2-resource-owner"],
  "user.email": [],
  emailDomains: ["example.com", "example.org", "corp.example.net"]
}
const domainLike = /^@?([a-z0-9-]+\.)+[a-z]{2,}$/i
// Sections whose keys the rules read are generated key by key.
const keyed = ["user.app_metadata", "user.user_metadata", "client.metadata", "connection.metadata", "request.query"]

const valuesOf = (reads: RuleReads | undefined, path: string): ReadonlyArray<string> => [
  ...new Set([...(baseValues[path] ?? []), ...(reads?.fields.get(path) ?? [])])
]

// The protocols a login may have: Rules' "redirect-callback" (what a rule that redirects compares with) is not one
// Actions ever sends; the continue pass after a redirect is onContinuePostLogin, with the login's own protocol.
const protocolsOf = (reads: RuleReads | undefined): ReadonlyArray<string> =>
  valuesOf(reads, "transaction.protocol").filter((protocol) => protocol !== RulesContext.redirectCallback)

// The keys rules read under a metadata section (`user.app_metadata.roles` gives `roles` for `user.app_metadata`).
const keysUnder = (reads: RuleReads | undefined, section: string): ReadonlyArray<string> =>
  [...(reads?.fields.keys() ?? [])]
    .filter((path) => path.startsWith(`${section}.`))
    .map((path) => path.slice(section.length + 1))
    .filter((key) => key.length > 0 && !key.includes("."))
    .toSorted()

const pick = <A>(values: ReadonlyArray<A>, fallback: fc.Arbitrary<A>): fc.Arbitrary<A> =>
  values.length === 0 ? fallback : fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...values) }, fallback)

const word = fc.string({
  unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789"),
  minLength: 1,
  maxLength: 10
})

// The numbers a rule compares a field with, and one either side of each: `> 70` is reached by 71 and not by 70 or 69.
const thresholdsOf = (reads: RuleReads | undefined, path: string): ReadonlyArray<number> =>
  [...new Set([...(reads?.numbers?.get(path) ?? [])].flatMap((n) => [n - 1, n, n + 1]))].toSorted((a, b) => a - b)

type Weighted = fc.WeightedArbitrary<unknown>

// The values of each kind a metadata key may hold: those the rules compare it with, and others of the same kind.
const strings = (candidates: ReadonlyArray<string>): Array<Weighted> => [
  ...(candidates.length === 0
    ? []
    : [{ weight: 4, arbitrary: fc.constantFrom(...candidates) as fc.Arbitrary<unknown> }]),
  { weight: 1, arbitrary: word as fc.Arbitrary<unknown> }
]
const arrays = (candidates: ReadonlyArray<string>): Array<Weighted> => [
  ...(candidates.length === 0 ? [] : [{ weight: 2, arbitrary: fc.subarray([...candidates]) as fc.Arbitrary<unknown> }]),
  { weight: 1, arbitrary: fc.array(word, { maxLength: 3 }) as fc.Arbitrary<unknown> }
]
const numbersOf = (numbers: ReadonlyArray<number>): Array<Weighted> =>
  numbers.length === 0 ? [] : [{ weight: 4, arbitrary: fc.constantFrom(...numbers) as fc.Arbitrary<unknown> }]

// A value of a metadata key: one the rules compare it with (a string, or a number either side of a threshold), a list
// of such strings, another string, a flag. A key a rule calls methods on holds only values those methods work on (an
// array for `roles.some(...)`, an array or a string for `roles.indexOf(...)`, a string for `plan.toLowerCase()`, a
// number for `score.toFixed()`), or is absent: a flag there made the legacy rule throw on a login no real user has.
const metadataValue = (
  candidates: ReadonlyArray<string>,
  numbers: ReadonlyArray<number>,
  shapes: ReadonlySet<RuleReadsInternal.Shape> = new Set()
): fc.Arbitrary<unknown> => {
  if (shapes.size === 0) {
    return fc.oneof(
      ...strings(candidates),
      ...(candidates.length === 0 ? [] : [
        { weight: 2, arbitrary: fc.subarray([...candidates], { minLength: 1 }) as fc.Arbitrary<unknown> }
      ]),
      ...numbersOf(numbers),
      { weight: 1, arbitrary: fc.boolean() as fc.Arbitrary<unknown> },
      { weight: 1, arbitrary: fc.array(word, { maxLength: 3 }) as fc.Arbitrary<unknown> }
    )
  }
  const text = [...candidates, ...numbers.map(String)]
  const kinds: Array<Weighted> = [
    ...(shapes.has("string") || shapes.has("list") ? strings(text) : []),
    ...(shapes.has("array") || shapes.has("list") ? arrays(text) : []),
    ...(shapes.has("number")
      ? [...numbersOf(numbers), { weight: 1, arbitrary: fc.integer() as fc.Arbitrary<unknown> }]
      : [])
  ]
  return fc.oneof(...kinds)
}

// Each key read present or absent, with a value from `metadataValue`.
const metadata = (
  reads: RuleReads | undefined,
  section: string,
  value: (
    candidates: ReadonlyArray<string>,
    numbers: ReadonlyArray<number>,
    shapes?: ReadonlySet<RuleReadsInternal.Shape>
  ) => fc.Arbitrary<unknown>
): fc.Arbitrary<Record<string, unknown>> => {
  const keys = keysUnder(reads, section)
  if (keys.length === 0) return fc.constant({})
  const of = (path: string) => value(valuesOf(reads, path), thresholdsOf(reads, path), reads?.shapes?.get(path))
  return fc.record(
    Object.fromEntries(keys.map((key) => [key, of(`${section}.${key}`)])),
    { requiredKeys: [] }
  ) as fc.Arbitrary<Record<string, unknown>>
}

// Application metadata values are strings in Auth0: a value the rules compare with (a number as its text), a
// comma-separated list of them.
const clientMetadataValue = (strings: ReadonlyArray<string>, numbers: ReadonlyArray<number>): fc.Arbitrary<unknown> => {
  const candidates = [...new Set([...strings, ...numbers.map(String)])]
  return candidates.length === 0
    ? word
    : fc.oneof(
      fc.constantFrom(...candidates),
      fc.subarray([...candidates], { minLength: 1 }).map((list) => list.join(",")),
      word
    )
}

const emailOf = (reads: RuleReads | undefined): fc.Arbitrary<string | undefined> => {
  const compared = [...(reads?.fields.get("user.email") ?? [])]
  const domains = [
    ...new Set([
      ...(baseValues["emailDomains"] ?? []),
      ...compared.filter((v) => domainLike.test(v)).map((v) => v.replace(/^@/, "")),
      ...[...(reads?.vocabulary ?? [])].filter((v) => domainLike.test(v)).map((v) => v.replace(/^@/, ""))
    ])
  ]
  const whole = compared.filter((v) => /^[^@\s]+@[^@\s]+$/.test(v))
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc.tuple(word, fc.constantFrom(...domains)).map(([local, domain]) => `${local}@${domain}`)
    },
    ...(whole.length === 0 ? [] : [{ weight: 2, arbitrary: fc.constantFrom(...whole) }]),
    { weight: 1, arbitrary: fc.constant(undefined) }
  )
}

const connectionOf = (reads: RuleReads | undefined): fc.Arbitrary<readonly [string, string]> => {
  const named = valuesOf(reads, "connection.name").filter((n) => !connections.some(([c]) => c === n))
  const strategies = valuesOf(reads, "connection.strategy")
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...connections) },
    ...(named.length === 0 ? [] : [{
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom(...named), fc.constantFrom("auth0", ...strategies)) as fc.Arbitrary<
        readonly [string, string]
      >
    }]),
    ...(strategies.length === 0 ? [] : [{
      weight: 1,
      arbitrary: fc.constantFrom(...strategies).map((s) => [`${s}-connection`, s] as const)
    }])
  )
}

// An ISO date between two instants, to the second.
const date = (min: number, max: number): fc.Arbitrary<string> =>
  fc.integer({ min: min / 1000, max: max / 1000 }).map((s) => new Date(s * 1000).toISOString())

const ipOf = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 }))
  .map((parts) => parts.join("."))

const ipv4 = /^(\d{1,3})(\.\d{1,3}){3}$/

// An address the rules compare `request.ip` with, else a random one.
const ipFrom = (reads: RuleReads | undefined): fc.Arbitrary<string> =>
  pick(valuesOf(reads, "request.ip").filter((ip) => ipv4.test(ip) || ip.includes(":")), ipOf)

const agents: ReadonlyArray<string> = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36"
]

// A browser's user agent, or one holding a string the rules look for in it (`userAgent.indexOf("Mobile")`).
const userAgentFrom = (reads: RuleReads | undefined): fc.Arbitrary<string> =>
  pick(
    valuesOf(reads, "request.user_agent").map((v) => v.startsWith("Mozilla/") ? v : `Mozilla/5.0 (compatible; ${v})`),
    fc.constantFrom(...agents)
  )

// Fields Auth0 leaves out of some profiles (a database user without a name, a social one without a username).
const optionalOf = <A>(arbitrary: fc.Arbitrary<A>): fc.Arbitrary<A | undefined> =>
  fc.option(arbitrary, { nil: undefined, freq: 4 })

const eventArbitrary = (reads: RuleReads | undefined): fc.Arbitrary<Record<string, unknown>> =>
  fc.record({
    local: word,
    connection: connectionOf(reads),
    email: emailOf(reads),
    // Absent with an email now and then: Rules kept it absent (a profile from some connections has none).
    verified: optionalOf(fc.boolean()),
    name: optionalOf(fc.constantFrom("Ada Lovelace", "Grace Hopper", "Alan Turing", "Katherine Johnson")),
    username: optionalOf(word),
    givenNames: fc.boolean(),
    appMetadata: metadata(reads, "user.app_metadata", metadataValue),
    userMetadata: metadata(reads, "user.user_metadata", metadataValue),
    clientName: fc.constantFrom(...valuesOf(reads, "client.name")),
    clientId: fc.constantFrom(...valuesOf(reads, "client.client_id")),
    clientMetadata: metadata(reads, "client.metadata", clientMetadataValue),
    connectionMetadata: metadata(reads, "connection.metadata", clientMetadataValue),
    logins: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 5 }), fc.integer({ min: 6, max: 5000 })),
    ip: ipFrom(reads),
    userAgent: userAgentFrom(reads),
    location: Locations.arbitrary(reads),
    roles: fc.subarray([...valuesOf(reads, "authorization.roles")]),
    protocol: fc.constantFrom(...protocolsOf(reads)),
    scopes: fc.subarray(["profile", "email", "offline_access", "read:orders"]).map((s) => ["openid"].concat(s)),
    query: metadata(reads, "request.query", clientMetadataValue),
    created: date(Date.UTC(2015, 0, 1), Date.UTC(2026, 4, 1)),
    passwordReset: fc.option(date(Date.UTC(2024, 0, 1), Date.UTC(2026, 4, 1)), { nil: undefined }),
    methods: Methods.arbitrary(reads)
  }).map((g) => {
    const [connection, strategy] = g.connection
    const provider = strategy === "auth0"
      ? "auth0"
      : strategy === "samlp" || strategy === "waad"
      ? `${strategy}|${connection}`
      : strategy
    const id = `${provider}|${g.local}`
    const event = Events.postLogin({
      client: { client_id: g.clientId, name: g.clientName, metadata: g.clientMetadata },
      connection: {
        id: `con_${connection.replace(/[^A-Za-z0-9]/g, "").slice(0, 12)}`,
        name: connection,
        strategy,
        metadata: g.connectionMetadata
      },
      stats: { logins_count: g.logins },
      authorization: { roles: g.roles },
      transaction: { protocol: g.protocol, requested_scopes: g.scopes },
      request: {
        ip: g.ip,
        user_agent: g.userAgent,
        query: g.query,
        geoip: g.location
      }
    })
    delete event["secrets"]
    if (g.methods !== undefined) event["authentication"] = { methods: g.methods }
    event["user"] = {
      user_id: id,
      ...(g.email === undefined ? {} : { email: g.email }),
      ...(g.email === undefined || g.verified === undefined ? {} : { email_verified: g.verified }),
      ...(g.name === undefined ? {} : { name: g.name }),
      ...(g.name === undefined || !g.givenNames ? {} : namesOf(g.name)),
      ...(g.username === undefined ? {} : { username: g.username }),
      nickname: g.local,
      picture: `https://s.gravatar.com/avatar/${g.local}.png`,
      created_at: g.created,
      updated_at: "2026-05-01T10:00:00.000Z",
      ...(g.passwordReset === undefined ? {} : { last_password_reset: g.passwordReset }),
      app_metadata: g.appMetadata,
      user_metadata: g.userMetadata,
      identities: [{
        connection,
        provider: provider.split("|")[0],
        user_id: id.slice(id.indexOf("|") + 1),
        isSocial: social.has(strategy)
      }],
      multifactor: []
    }
    return event
  })

const namesOf = (name: string) => {
  const [given = name, ...family] = name.split(" ")
  return { given_name: given, family_name: family.join(" ") }
}

/**
 * A seeded set of `count` events (1 to 10,000), the same for the same options.
 *
 * @category constructors
 * @since 0.1.0
 */
export const generate = (options: Options): GeneratedEvents => {
  const seed = options.seed ?? 1
  const events = fc.sample(eventArbitrary(options.reads), { seed, numRuns: options.count })
  const read = [...(options.reads?.fields.keys() ?? [])]
  const earlier = options.reads?.writtenEarlier ?? new Map<string, string>()
  const methods = Methods.isRead(options.reads)
  const varied = (path: string) =>
    baseFields.includes(path) || keyed.some((section) => path.startsWith(`${section}.`)) ||
    (methods && Methods.covers(path))
  return {
    events: events.map((event, i) => ({ name: `generated-${i + 1}`, event })),
    covered: [...new Set([...baseFields, ...read.filter(varied), ...(methods ? [Methods.path] : [])])].toSorted(),
    notVaried: read.filter((path) => !varied(path) && !earlier.has(path)).toSorted(),
    writtenEarlier: [...earlier].filter(([path]) => !varied(path)).map(([path, rule]) => ({ path, rule }))
      .toSorted((a, b) => a.path.localeCompare(b.path))
  }
}

/**
 * What the rules of a deploy-cli export (the `rules/` folder or the export's root) read: each rule is checked and
 * its function found by Analyze, then read (see `RuleReads`). Disabled rules count too: they may be enabled again.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromRules = Effect.fn("GeneratedEvents.fromRules")(function*(dir: string) {
  const folder = yield* RulesFolder.read(dir)
  const all: Array<RuleReadsInternal.OfRule> = []
  // In the order they ran: a field a rule reads after an earlier one writes it is that rule's, not the login's.
  for (const rule of folder.rules.toSorted(RulesFolder.byOrder)) {
    const text = yield* readText(
      rule.script,
      (problem) => new RulesFolder.RulesFolderError({ reason: `${rule.script}: ${problem}` })
    )
    const analysis = yield* Analyze.analyze(rule.script, text)
    all.push({
      rule: rule.name,
      reads: RuleReadsInternal.ofRule(analysis.source, analysis.params),
      // A disabled rule runs before none: what it writes is still the login's.
      writes: rule.enabled && rule.stage === "login_success"
        ? EarlierWrites.ofRule(rule.name, analysis.source, analysis.params)
        : EarlierWrites.none
    })
  }
  return RuleReadsInternal.inOrder(all)
})
