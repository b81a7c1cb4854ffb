/**
 * Hardening: secrets never leak, and every log line is one Auth0 can keep and an operator can read.
 *
 * Every scenario we can produce runs through handlers built from sources: allowed logins, each denial of the seed
 * rules, each fault of the seller API (a real server on 127.0.0.1, with short attempt timeouts), malformed events,
 * misconfigured secrets, and user rules that misbehave with a secret in hand (log it, die with it, fail with it, put
 * it in a claim, hold it in a layer that fails). Every secret has a distinctive value, and none may appear in a
 * claim, a denial reason, an Outcome, a captured console line (log, info, warn, error and debug are all spied) or a
 * thrown or logged error message. Secrets stay Redacted from `event.secrets` to the one place that unwraps them.
 *
 * And for every line rulefx prints: at most 256 characters (Auth0 keeps no more), one line, starting "rulefx ",
 * structured as `rulefx LEVEL [user=<id>] [rule=<name>] [fact=<name>] message`, naming the rule that logged it
 * (or being one of the adapter's own lines), and carrying no personal data from the event beyond the user id.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import type { PostLoginApi } from "@rulefx/adapter-auth0/PostLoginApi"
import * as Decision from "@rulefx/core/Decision"
import { Class as DenialClass, type Denial, genericMessage } from "@rulefx/core/Denial"
import * as Fact from "@rulefx/core/Fact"
import * as Pipeline from "@rulefx/core/Pipeline"
import * as Rule from "@rulefx/core/Rule"
import * as Secrets from "@rulefx/core/Secrets"
import { Crypto } from "@rulefx/rules/Crypto"
import { CurrentSeller } from "@rulefx/rules/CurrentSeller"
import * as DenyRoles from "@rulefx/rules/DenyRoles"
import { EffectiveRoles } from "@rulefx/rules/EffectiveRoles"
import * as HashSellerEmail from "@rulefx/rules/HashSellerEmail"
import { SellerApi, SellerApiError } from "@rulefx/rules/SellerApi"
import * as SetRoles from "@rulefx/rules/SetRoles"
import * as SetSeller from "@rulefx/rules/SetSeller"
import * as Events from "@rulefx/testing/Events"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { createServer, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { inspect } from "node:util"

// ---------------------------------------------------------------------------------------------------------------
// Distinctive secrets and personal data.
// ---------------------------------------------------------------------------------------------------------------

const INTERCOM = "sx-INTERCOM-7c1f9e2d4b"
const PATH_SECRET = "sx-PATH-93ab61"
const PASSWORD = "sx-PASS-51de08"
const QUERY_TOKEN = "sx-QUERY-0f7a3c"
const UNUSED = "sx-UNUSED-44c2aa"

const pii = {
  email: "grace.hopper@navy.example",
  name: "Grace Brewster Hopper",
  nickname: "amazinggrace",
  username: "ghopper1906",
  phone: "+15550199123",
  ip: "198.51.100.77",
  userAgent: "PiiAgent/9.9 (grace-laptop)",
  givenName: "Gracey",
  familyName: "Murrayhopper"
} as const

const SELLER_EMAIL = "seller.secretive@shop.example"
const SELLER_NAME = "Secretive Seller Ltd"

const NOT_ALLOWED = "Your account is not allowed to use this application."

// ---------------------------------------------------------------------------------------------------------------
// A seller API on 127.0.0.1 with the faults the live SellerApi must survive.
// ---------------------------------------------------------------------------------------------------------------

let url = ""
let otherUrl = ""
let closedUrl = ""
const sockets = new Set<Socket>()

const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(body)
}

const seller = (id: string) => ({ id, email: SELLER_EMAIL, name: SELLER_NAME, notes: `${INTERCOM} never here` })

const answers: Readonly<Record<string, (res: ServerResponse, id: string) => void>> = {
  "seller-ok": (res, id) => send(res, 200, JSON.stringify(seller(id))),
  "seller-404": (res) => send(res, 404, "{}"),
  "seller-500": (res) => send(res, 500, `internal error near ${SELLER_EMAIL}`),
  "seller-429": (res) => send(res, 429, "slow down", { "retry-after": "3" }),
  "seller-garbage": (res) => send(res, 200, `<html>${SELLER_EMAIL}</html>`),
  "seller-shape": (res) => send(res, 200, JSON.stringify({ id: 7, mail: SELLER_EMAIL })),
  "seller-other": (res) => send(res, 200, JSON.stringify(seller("someone-else"))),
  "seller-bad-email": (res, id) => send(res, 200, JSON.stringify({ id, email: `not ${SELLER_EMAIL}`, name: "x" })),
  "seller-big": (res, id) => send(res, 200, JSON.stringify({ ...seller(id), name: "B".repeat(70_000) })),
  "seller-redirect": (res, id) => {
    res.writeHead(302, { location: `${otherUrl}/seller/${id}?token=${QUERY_TOKEN}` })
    res.end()
  },
  "seller-reset": (res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": 400 })
    res.write(`{"id":"seller-reset","email":"${SELLER_EMAIL}`)
    setTimeout(() => res.socket?.destroy(), 5)
  },
  "seller-hang": () => undefined,
  "seller-drip": (res, id) => {
    const body = JSON.stringify(seller(id))
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
    let sent = 0
    const timer = setInterval(() => res.write(body.slice(sent, ++sent)), 100)
    res.on("close", () => clearInterval(timer))
  }
}

const server = createServer((req, res) => {
  const id = decodeURIComponent(/\/seller\/([^/?]+)$/.exec(req.url?.split("?")[0] ?? "")?.[1] ?? "")
  const answer = Object.hasOwn(answers, id) ? answers[id] : undefined
  if (answer === undefined) send(res, 404, "{}")
  else answer(res, id)
})
server.on("connection", (socket) => {
  sockets.add(socket)
  socket.on("close", () => sockets.delete(socket))
})
const other = createServer((_req, res) => send(res, 200, JSON.stringify(seller("seller-redirect"))))
other.on("connection", (socket) => {
  sockets.add(socket)
  socket.on("close", () => sockets.delete(socket))
})

const listen = (s: ReturnType<typeof createServer>) =>
  new Promise<string>((resolve) =>
    s.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`))
  )

// ---------------------------------------------------------------------------------------------------------------
// Pipelines and handlers.
// ---------------------------------------------------------------------------------------------------------------

const seedRules = () => [SetSeller.make(), HashSellerEmail.make(), SetRoles.make(), DenyRoles.make()] as const
const seed = Pipeline.make({ facts: [CurrentSeller, EffectiveRoles], rules: seedRules() })
const seedRuleNames = ["setSeller", "hashSellerEmail", "setRoles", "denyRoles"]
const seedFactNames = ["CurrentSeller", "EffectiveRoles"]

const inMemory = Layer.mergeAll(
  SellerApi.layerTest({
    "seller-ok": { id: "seller-ok", email: SELLER_EMAIL, name: SELLER_NAME },
    "seller-500": new SellerApiError({ reason: "Status", status: 500, detail: "status 500" })
  }),
  Crypto.layer
)
const live = Layer.mergeAll(SellerApi.layerWith({ timeout: "250 millis", retries: 1 }), Crypto.layer)

const seedInMemory = PostLogin.make(seed, inMemory)
const seedLive = PostLogin.make(seed, live)

class Leaky extends DenialClass("Leaky")<{ readonly secret: Redacted.Redacted<string> }> {
  override get message(): string {
    return "Denied by a rule that holds a secret."
  }
}

/** User rules that misbehave with the secret in hand; rulefx must still keep it out of everything it prints. */
const misbehaving: ReadonlyArray<readonly [string, Rule.Rule<Denial, Secrets.Secrets>]> = [
  [
    "logs the Redacted secret",
    Rule.make("logsSecret", Effect.flatMap(Secrets.get("INTERCOM_SECRET"), (s) => Effect.logWarning("secret is", s)))
  ],
  [
    "dies with the Redacted secret",
    Rule.make("diesWithSecret", Effect.flatMap(Secrets.get("INTERCOM_SECRET"), (s) => Effect.die(s)))
  ],
  [
    "dies with an Error whose cause is the Redacted secret",
    Rule.make(
      "diesWithCause",
      Effect.flatMap(Secrets.get("INTERCOM_SECRET"), (s) => Effect.die(new Error("token rejected", { cause: s })))
    )
  ],
  [
    "fails with a non-denial error holding the secret",
    Rule.make(
      "failsWithSecret",
      Effect.flatMap(
        Secrets.get("INTERCOM_SECRET"),
        (s) => Effect.fail({ _tag: "Oops", secret: s, message: "oops" } as unknown as Leaky)
      )
    )
  ],
  [
    "denies with a denial whose field is the Redacted secret",
    Rule.make("deniesWithSecret", Effect.flatMap(Secrets.get("INTERCOM_SECRET"), (s) => new Leaky({ secret: s })))
  ],
  [
    "puts the Redacted secret in a claim",
    Rule.make(
      "claimsSecret",
      Effect.flatMap(Secrets.get("INTERCOM_SECRET"), (s) => Decision.setIdTokenClaim("https://example.com/s", s))
    )
  ],
  [
    "is optional and dies with the secret",
    Rule.optional(Rule.make("optionalDies", Effect.flatMap(Secrets.get("INTERCOM_SECRET"), (s) => Effect.die(s))))
  ],
  [
    "times out holding the secret",
    Rule.timeout(
      Rule.make("slowWithSecret", Effect.flatMap(Secrets.get("INTERCOM_SECRET"), () => Effect.sleep("1 second"))),
      "20 millis"
    )
  ],
  [
    "is switched by a setting whose value is a secret",
    Rule.enabledBy(Rule.make("switched", Effect.void), "INTERCOM_SECRET")
  ]
]

const SecretFact = Fact.make("SecretFact", Effect.flatMap(Secrets.get("INTERCOM_SECRET"), (s) => Effect.die(s)))
const readsSecretFact = Rule.make("readsSecretFact", Effect.asVoid(SecretFact))

/** A layer that fails to build with the secret in hand. */
const leakyLayer = Layer.effect(
  Crypto,
  Effect.flatMap(Secrets.get("INTERCOM_SECRET"), (s) => Effect.die(new Error("cannot build", { cause: s })))
)

// ---------------------------------------------------------------------------------------------------------------
// Events.
// ---------------------------------------------------------------------------------------------------------------

const USER_ID = "auth0|secrets-and-logs-1"

interface EventOptions {
  readonly appMetadata?: Record<string, unknown>
  readonly secrets?: Record<string, unknown>
  readonly clientMetadata?: Record<string, unknown>
}

const secretsFor = () => ({ SELLER_API_URL: `${url}/${PATH_SECRET}`, INTERCOM_SECRET: INTERCOM, UNUSED_TOKEN: UNUSED })

const event = (options: EventOptions = {}): Record<string, unknown> =>
  Events.postLogin({
    secrets: options.secrets ?? secretsFor(),
    client: {
      client_id: "cli_secrets",
      name: "Shop",
      metadata: options.clientMetadata ?? { allowed_roles: "USER,ADMIN" }
    },
    user: {
      user_id: USER_ID,
      email: pii.email,
      name: pii.name,
      nickname: pii.nickname,
      username: pii.username,
      phone_number: pii.phone,
      given_name: pii.givenName,
      family_name: pii.familyName,
      app_metadata: options.appMetadata ?? { roles: ["USER"] },
      user_metadata: { theme: "dark" }
    },
    request: { ip: pii.ip, user_agent: pii.userAgent }
  })

// ---------------------------------------------------------------------------------------------------------------
// Running a scenario, capturing everything it prints.
// ---------------------------------------------------------------------------------------------------------------

interface Scenario {
  readonly name: string
  readonly handler: PostLogin.Handler
  readonly decide?: (event: unknown) => Promise<PostLogin.Outcome>
  readonly event: () => unknown
  readonly api?: () => PostLoginApi & { readonly calls?: ReadonlyArray<RecordingApi.Call> }
  /** The rules of its pipeline, for "names a rule". */
  readonly rules: ReadonlyArray<string>
  /** The facts of its pipeline: a fact's own lines name the fact (it may have many readers). */
  readonly facts?: ReadonlyArray<string>
  readonly expect: "allowed" | "denied" | "rejects"
}

interface Seen {
  readonly scenario: Scenario
  readonly calls: ReadonlyArray<RecordingApi.Call>
  readonly lines: ReadonlyArray<{ readonly method: string; readonly text: string }>
  readonly outcome: PostLogin.Outcome | undefined
  readonly rejection: unknown
}

// Every console method, objects rendered deep: a secret nested in a logged object must be seen.
const capture = async <A>(f: () => Promise<A>) => {
  const { entries, result } = await LogCapture.around(f, { depth: 5 })
  return { result, lines: entries }
}

const runScenario = async (scenario: Scenario): Promise<Seen> => {
  const api = scenario.api?.() ?? RecordingApi.make()
  let rejection: unknown = undefined
  const { lines } = await capture(async () => {
    await scenario.handler(scenario.event(), api).catch((error: unknown) => {
      rejection = error ?? "rejected"
    })
  })
  const decided = scenario.decide === undefined ? undefined : await capture(() => scenario.decide!(scenario.event()))
  return {
    scenario,
    calls: [...(api.calls ?? [])],
    lines: [...lines, ...(decided?.lines ?? [])],
    outcome: decided?.result,
    rejection
  }
}

const seen: Array<Seen> = []

// ---------------------------------------------------------------------------------------------------------------
// The scenarios.
// ---------------------------------------------------------------------------------------------------------------

const seedScenario = (
  name: string,
  options: EventOptions,
  expect: Scenario["expect"],
  handler: "inMemory" | "live" = "live"
): Scenario => ({
  name,
  handler: handler === "live" ? seedLive : seedInMemory,
  decide: PostLogin.decide(seed, handler === "live" ? live : inMemory),
  event: () => event(options),
  rules: seedRuleNames,
  expect
})

const scenarios = (): ReadonlyArray<Scenario> => [
  // Allowed.
  seedScenario("allowed, a seller (in-memory)", { appMetadata: { sellerId: "seller-ok" } }, "allowed", "inMemory"),
  seedScenario("allowed, a seller (live)", { appMetadata: { sellerId: "seller-ok", roles: ["ADMIN"] } }, "allowed"),
  seedScenario("allowed, no seller", {}, "allowed"),
  seedScenario("allowed, a 404 seller", { appMetadata: { sellerId: "seller-404" } }, "allowed"),
  // Each denial of the seed rules.
  seedScenario("denied, role not allowed", { appMetadata: { sellerId: "seller-ok", roles: ["GUEST"] } }, "denied"),
  seedScenario("denied, allowed_roles missing", { clientMetadata: {} }, "denied"),
  seedScenario("denied, roles not strings", { appMetadata: { roles: [INTERCOM, 1] } }, "denied"),
  seedScenario("denied, sellerId malformed", { appMetadata: { sellerId: { secret: INTERCOM } } }, "denied"),
  seedScenario("denied, sellerId \"..\"", { appMetadata: { sellerId: ".." } }, "denied"),
  seedScenario("denied, INTERCOM_SECRET missing", {
    secrets: { SELLER_API_URL: `${url}/${PATH_SECRET}`, UNUSED_TOKEN: UNUSED }
  }, "denied"),
  seedScenario(
    "denied, SELLER_API_URL missing",
    { secrets: { INTERCOM_SECRET: INTERCOM, UNUSED_TOKEN: UNUSED } },
    "denied"
  ),
  seedScenario("denied, SELLER_API_URL not a URL", {
    secrets: { SELLER_API_URL: `not a url ${PATH_SECRET}`, INTERCOM_SECRET: INTERCOM }
  }, "denied"),
  seedScenario("denied, SELLER_API_URL not http(s)", {
    secrets: { SELLER_API_URL: `ftp://u:${PASSWORD}@127.0.0.1/${PATH_SECRET}`, INTERCOM_SECRET: INTERCOM }
  }, "denied"),
  seedScenario("denied, SELLER_API_URL with credentials", {
    appMetadata: { sellerId: "seller-ok" },
    secrets: {
      SELLER_API_URL: `${url.replace("http://", `http://svc:${PASSWORD}@`)}/${PATH_SECRET}`,
      INTERCOM_SECRET: INTERCOM
    }
  }, "denied"),
  seedScenario("allowed, SELLER_API_URL with a query token", {
    appMetadata: { sellerId: "seller-ok" },
    secrets: { SELLER_API_URL: `${url}/api?token=${QUERY_TOKEN}`, INTERCOM_SECRET: INTERCOM }
  }, "allowed"),
  seedScenario("denied, seller API unreachable", {
    appMetadata: { sellerId: "seller-ok" },
    secrets: { SELLER_API_URL: `${closedUrl}/${PATH_SECRET}`, INTERCOM_SECRET: INTERCOM }
  }, "denied"),
  seedScenario("denied, seller API 500 (in-memory)", { appMetadata: { sellerId: "seller-500" } }, "denied", "inMemory"),
  // Each fault of the seller API.
  ...[
    "seller-500",
    "seller-429",
    "seller-garbage",
    "seller-shape",
    "seller-other",
    "seller-bad-email",
    "seller-big",
    "seller-redirect",
    "seller-reset",
    "seller-hang",
    "seller-drip"
  ].map((sellerId) => seedScenario(`denied, fault ${sellerId}`, { appMetadata: { sellerId } }, "denied")),
  // Malformed events that still carry the secrets.
  ...[
    ["user missing", (e: Record<string, unknown>) => ({ ...e, user: undefined })],
    ["user_id a number", (e: Record<string, unknown>) => ({ ...e, user: { ...(e["user"] as object), user_id: 7 } })],
    ["email an object", (e: Record<string, unknown>) => ({ ...e, user: { ...(e["user"] as object), email: { pii } } })],
    ["request.ip missing", (e: Record<string, unknown>) => ({ ...e, request: { user_agent: pii.userAgent } })],
    ["client metadata not strings", (e: Record<string, unknown>) => ({
      ...e,
      client: { client_id: "c", metadata: { allowed_roles: ["USER"], theme: { INTERCOM } } }
    })],
    ["secrets an array", (e: Record<string, unknown>) => ({ ...e, secrets: [INTERCOM, `${url}/${PATH_SECRET}`] })],
    [
      "huge user_id",
      (e: Record<string, unknown>) => ({ ...e, user: { ...(e["user"] as object), user_id: "u".repeat(5_000) } })
    ],
    [
      "__proto__ keys",
      (e: Record<string, unknown>) => JSON.parse(JSON.stringify(e).replace("\"tenant\"", "\"__proto__\"")) as unknown
    ]
  ].map(([name, f]): Scenario => ({
    name: `malformed event: ${name as string}`,
    handler: seedLive,
    event: () => (f as (e: Record<string, unknown>) => unknown)(event({ appMetadata: { sellerId: "seller-ok" } })),
    rules: seedRuleNames,
    expect: name === "huge user_id" || name === "__proto__ keys" ? "allowed" : "denied"
  })),
  // User rules that misbehave with a secret, next to the seed rules.
  ...misbehaving.map(([name, rule]): Scenario => {
    const pipeline = Pipeline.make({ facts: [CurrentSeller, EffectiveRoles], rules: [...seedRules(), rule] })
    return {
      name: `a rule that ${name}`,
      handler: PostLogin.make(pipeline, inMemory),
      decide: PostLogin.decide(pipeline, inMemory),
      event: () => event({ appMetadata: { sellerId: "seller-ok" } }),
      rules: [...seedRuleNames, rule.name],
      expect: name === "logs the Redacted secret" || name === "puts the Redacted secret in a claim" ||
          name === "is optional and dies with the secret"
        ? "allowed"
        : "denied"
    }
  }),
  {
    name: "a fact that dies with the secret",
    handler: PostLogin.make(Pipeline.make({ facts: [SecretFact], rules: [readsSecretFact] }), Layer.empty),
    decide: PostLogin.decide(Pipeline.make({ facts: [SecretFact], rules: [readsSecretFact] }), Layer.empty),
    event: () => event(),
    rules: ["readsSecretFact"],
    facts: ["SecretFact"],
    expect: "denied"
  },
  {
    name: "a layer that dies with the secret while it is built",
    handler: PostLogin.make(seed, Layer.mergeAll(SellerApi.layerTest({}), leakyLayer)),
    decide: PostLogin.decide(seed, Layer.mergeAll(SellerApi.layerTest({}), leakyLayer)),
    event: () => event(),
    rules: seedRuleNames,
    expect: "denied"
  },
  {
    name: "an api whose deny throws (the handler rejects)",
    handler: seedLive,
    event: () => event({ appMetadata: { roles: ["GUEST"] } }),
    api: () => {
      const api = RecordingApi.make()
      return {
        ...api,
        access: {
          deny: (reason: string) => {
            api.access.deny(reason)
            throw new Error("deny is down")
          }
        }
      }
    },
    rules: seedRuleNames,
    expect: "rejects"
  },
  {
    name: "an api whose claim setter throws (the handler denies at the last resort)",
    handler: seedLive,
    event: () => event({ appMetadata: { sellerId: "seller-ok" } }),
    api: () => {
      const api = RecordingApi.make()
      return {
        ...api,
        idToken: {
          setCustomClaim: () => {
            throw new TypeError("claim rejected")
          }
        }
      }
    },
    rules: seedRuleNames,
    expect: "denied"
  }
]

beforeAll(async () => {
  url = await listen(server)
  otherUrl = await listen(other)
  const closed = createServer()
  closedUrl = await listen(closed)
  await new Promise<void>((resolve) => closed.close(() => resolve()))
  // One after another: each scenario's console lines are its own.
  for (const scenario of scenarios()) {
    // oxlint-disable-next-line no-await-in-loop
    seen.push(await runScenario(scenario))
  }
}, 60_000)

afterAll(async () => {
  for (const socket of sockets) socket.destroy()
  await Promise.all([server, other].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
})

// ---------------------------------------------------------------------------------------------------------------
// Secrets.
// ---------------------------------------------------------------------------------------------------------------

const secretNeedles = () => [INTERCOM, PATH_SECRET, PASSWORD, QUERY_TOKEN, UNUSED, `${url}/${PATH_SECRET}`]

/** Every string reachable in a value, keys included; Redacted values are rendered as Auth0 would send them. */
const texts = (value: unknown): string => {
  try {
    return `${JSON.stringify(value)} ${inspect(value, { depth: 10, showHidden: true })}`
  } catch {
    return inspect(value, { depth: 10, showHidden: true })
  }
}

const errorText = (error: unknown): string =>
  error instanceof Error
    ? `${error.name} ${error.message} ${error.stack ?? ""} ${texts(error.cause)}`
    : texts(error)

describe("secrets: over every scenario", () => {
  it("ran every scenario, each to the outcome it should have", () => {
    assert.isAtLeast(seen.length, 45)
    for (const s of seen) {
      const denies = s.calls.filter((c) => c.method === "access.deny")
      const name = s.scenario.name
      if (s.scenario.expect === "rejects") {
        assert.isDefined(s.rejection, name)
      } else {
        assert.isUndefined(s.rejection, `${name}: rejected with ${String(s.rejection)}`)
      }
      if (s.scenario.expect === "allowed") assert.deepStrictEqual(denies, [], `${name}: ${texts(s.calls)}`)
      else if (s.scenario.expect === "denied") assert.strictEqual(denies.length, 1, `${name}: ${texts(s.calls)}`)
      // A deny that throws is tried again at the last resort, then the handler rejects.
      else assert.isAtLeast(denies.length, 1, name)
      if (s.outcome !== undefined) {
        assert.strictEqual(s.outcome._tag, s.scenario.expect === "allowed" ? "Allowed" : "Denied", name)
      }
    }
  })

  it("no secret in any claim, api argument or denial reason", () => {
    for (const s of seen) {
      const text = texts(s.calls)
      for (const needle of secretNeedles()) assert.notInclude(text, needle, `${s.scenario.name}: ${text}`)
      for (const c of s.calls.filter((c) => c.method === "access.deny")) {
        assert.include([genericMessage, NOT_ALLOWED, "Denied by a rule that holds a secret."], c.args[0])
      }
    }
  })

  it("no secret in any Outcome (reason, denial tag, decision)", () => {
    let decided = 0
    for (const s of seen) {
      if (s.outcome === undefined) continue
      decided++
      const text = texts(s.outcome)
      for (const needle of secretNeedles()) assert.notInclude(text, needle, `${s.scenario.name}: ${text}`)
    }
    assert.isAtLeast(decided, 35)
  })

  it("no secret in any console line (log, info, warn, error, debug, trace)", () => {
    let lines = 0
    for (const s of seen) {
      for (const line of s.lines) {
        lines++
        for (const needle of secretNeedles()) assert.notInclude(line.text, needle, `${s.scenario.name}: ${line.text}`)
      }
    }
    assert.isAbove(lines, 40)
  })

  it("no secret in a rejection's error", () => {
    const rejections = seen.filter((s) => s.rejection !== undefined)
    assert.isAtLeast(rejections.length, 1)
    for (const s of rejections) {
      const text = errorText(s.rejection)
      for (const needle of secretNeedles()) assert.notInclude(text, needle, s.scenario.name)
    }
  })

  it("a claim given the Redacted value itself carries only its redacted form", () => {
    const s = seen.find((s) => s.scenario.name === "a rule that puts the Redacted secret in a claim")
    assert.isDefined(s)
    const claim = s!.calls.find((c) => c.args[0] === "https://example.com/s")?.args[1]
    assert.isTrue(Redacted.isRedacted(claim))
    assert.notInclude(JSON.stringify(claim), INTERCOM)
  })
})

describe("secrets: Redacted end to end", () => {
  it("a rule gets a Redacted value whose every rendering hides the value, and it unwraps to the secret", async () => {
    const got: Array<unknown> = []
    const rule = Rule.make(
      "inspects",
      Effect.flatMap(Secrets.get("INTERCOM_SECRET"), (secret) =>
        Effect.sync(() => {
          got.push(secret)
        }))
    )
    const handler = PostLogin.make(Pipeline.make({ facts: [], rules: [rule] }), Layer.empty)
    await capture(() => handler(event(), RecordingApi.make()))
    const secret = got[0] as Redacted.Redacted<string>
    assert.isTrue(Redacted.isRedacted(secret))
    const renderings = [
      String(secret),
      `${secret}`,
      JSON.stringify(secret),
      JSON.stringify({ secret }),
      inspect(secret, { depth: 5, showHidden: true }),
      Cause.pretty(Cause.die(secret)),
      Cause.pretty(Cause.fail({ secret })),
      new Error("x", { cause: secret }).stack ?? ""
    ]
    for (const text of renderings) assert.notInclude(text, INTERCOM, text)
    assert.strictEqual(Redacted.value(secret), INTERCOM)
  })

  it.effect("Secrets.make copies the record and keeps every non-empty string Redacted, ignoring everything else", () =>
    Effect.gen(function*() {
      const record: Record<string, unknown> = { A: INTERCOM, B: "", C: 42, D: { v: INTERCOM } }
      const service = Secrets.make(record)
      record["A"] = "changed"
      const a = yield* service.getOption("A")
      assert.strictEqual(a._tag, "Some")
      if (a._tag === "Some") {
        assert.isTrue(Redacted.isRedacted(a.value))
        assert.strictEqual(Redacted.value(a.value), INTERCOM)
        assert.notInclude(`${String(a.value)} ${JSON.stringify(a.value)} ${inspect(a.value)}`, INTERCOM)
      }
      for (const name of ["B", "C", "D", "E", "__proto__", "constructor"]) {
        assert.strictEqual((yield* service.getOption(name))._tag, "None", name)
      }
      const missing = yield* Effect.flip(service.get("D"))
      assert.strictEqual(missing._tag, "MissingSecret")
      assert.strictEqual(missing.name, "D")
    }))
})

// ---------------------------------------------------------------------------------------------------------------
// Logs.
// ---------------------------------------------------------------------------------------------------------------

/** The lines a scenario printed, as one text. */
const linesOf = (name: string): string =>
  (seen.find((s) => s.scenario.name === name)?.lines ?? []).map((l) => l.text).join("\n")

const structured = /^rulefx (TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL) (user=\S+ )?(rule=\S+ )?(fact=\S+ )?\S/
/** The adapter's (and core's layer-time) own lines, which no rule logs. */
const adapterLine =
  /^rulefx \w+ (user=\S+ )?(login failed closed \(|services failed to build: |missing secret |a rule asked for a scope|handler failed closed: )/

describe("logs: every rulefx line", () => {
  it("is printed with console.log only, one line of at most 256 characters, starting \"rulefx \"", () => {
    let count = 0
    for (const s of seen) {
      for (const line of s.lines) {
        count++
        assert.strictEqual(line.method, "log", `${s.scenario.name}: console.${line.method}: ${line.text}`)
        assert.isTrue(line.text.startsWith("rulefx "), `${s.scenario.name}: ${line.text}`)
        assert.isAtMost(line.text.length, 256, line.text)
        assert.notMatch(line.text, /[\n\r]/, line.text)
      }
    }
    assert.isAbove(count, 40)
  })

  it("is structured, names the rule (or fact) that logged it or is an adapter line, with this login's user id", () => {
    for (const s of seen) {
      if (s.scenario.name === "malformed event: huge user_id") continue
      for (const { text } of s.lines) {
        assert.match(text, structured, `${s.scenario.name}: ${text}`)
        const user = /^rulefx \w+ user=(\S+)/.exec(text)?.[1]
        if (user !== undefined) assert.strictEqual(user, USER_ID, text)
        const rule = /^rulefx \w+ (?:user=\S+ )?rule=(\S+)/.exec(text)?.[1]
        const fact = /^rulefx \w+ (?:user=\S+ )?(?:rule=\S+ )?fact=(\S+)/.exec(text)?.[1]
        if (rule !== undefined) assert.include(s.scenario.rules, rule, `${s.scenario.name}: ${text}`)
        else if (fact !== undefined) {
          assert.include(s.scenario.facts ?? seedFactNames, fact, `${s.scenario.name}: ${text}`)
        } else assert.match(text, adapterLine, `${s.scenario.name}: a line that names no rule: ${text}`)
      }
    }
  })

  it("a denied or failed login logs why, naming the rule or the adapter step", () => {
    for (const s of seen) {
      if (s.scenario.expect === "allowed" || s.scenario.expect === "rejects") continue
      assert.isAbove(s.lines.length, 0, `${s.scenario.name} logged nothing`)
    }
    assert.match(linesOf("denied, role not allowed"), /rule=denyRoles denied: RoleNotAllowed/)
    assert.match(linesOf("denied, fault seller-500"), /fact=CurrentSeller seller lookup failed: status 500/)
    assert.match(
      linesOf("denied, INTERCOM_SECRET missing"),
      /rule=hashSellerEmail .*MissingSecret name=INTERCOM_SECRET/
    )
    assert.match(linesOf("denied, SELLER_API_URL missing"), /services failed to build: MissingSecret/)
    assert.match(linesOf("malformed event: user missing"), /login failed closed \(InvalidEvent\): user/)
  })

  it("carries no personal data from the event beyond the user id, nor the seller's", () => {
    const needles = [...Object.values(pii), SELLER_EMAIL, SELLER_NAME, "grace", "Hopper"]
    for (const s of seen) {
      for (const { text } of s.lines) {
        for (const needle of needles) {
          assert.notInclude(text.toLowerCase(), needle.toLowerCase(), `${s.scenario.name}: ${text}`)
        }
      }
    }
  })

  it("a huge user id still gives lines of at most 256 characters", () => {
    const s = seen.find((s) => s.scenario.name === "malformed event: huge user_id")
    assert.isDefined(s)
    for (const { text } of s!.lines) assert.isAtMost(text.length, 256)
  })

  it("an allowed login logs nothing", () => {
    for (const name of ["allowed, a seller (live)", "allowed, no seller", "allowed, a 404 seller"]) {
      assert.deepStrictEqual(seen.find((s) => s.scenario.name === name)!.lines, [], name)
    }
  })
})
