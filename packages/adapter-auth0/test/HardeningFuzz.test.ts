/**
 * Hardening: 10,000 fuzzed post-login events, from valid to badly malformed, through two handlers built from
 * sources, each compared login for login with the hand-written Action of bench/baseline (the ORACLE: plain JS,
 * verified call-for-call against the seed Action by the bench).
 *
 * - the seed pipeline with the in-memory SellerApi (SellerApi.layerTest);
 * - a pipeline of every rule and fact in the catalog (@rulefx/rules), in reverse order, with the live, fetch-based
 *   SellerApi.
 *
 * Both implementations see the same event (built afresh for each, so neither can observe the other's reads) and the
 * same seller answers: a stubbed `globalThis.fetch` on a base URL of 127.0.0.1 answers the oracle and the live
 * SellerApi alike, and the in-memory SellerApi holds the same sellers and failures. Properties, per event: the handler
 * resolves; the login ends either denied (one deny call, nothing else) or allowed (the roles claim set); an allowed
 * login has one of the application's allowed roles; and rulefx allows exactly when the oracle allows, with the same
 * api calls. So no login is let through that a critical rule would deny given the same facts.
 *
 * The runs are seeded (RULEFX_FUZZ_SEED overrides the seed), so CI is reproducible.
 */
import { afterAll, assert, beforeAll, describe, it, vi } from "@effect/vitest"
import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import { genericMessage } from "@rulefx/core/Denial"
import * as Fact from "@rulefx/core/Fact"
import * as Pipeline from "@rulefx/core/Pipeline"
import type * as Rule from "@rulefx/core/Rule"
import * as Catalog from "@rulefx/rules"
import { Crypto } from "@rulefx/rules/Crypto"
import { type Seller, SellerApi, SellerApiError } from "@rulefx/rules/SellerApi"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as Layer from "effect/Layer"
import fc from "fast-check"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import * as Seed from "./utils/Seed.ts"

type Handler = (event: unknown, api: RecordingApi.RecordingApi) => Promise<void>

const oracleFile = fileURLToPath(new URL("../../../bench/baseline/action.js", import.meta.url))
const oracle = (createRequire(import.meta.url)(oracleFile) as { onExecutePostLogin: Handler }).onExecutePostLogin

const seed = Number(process.env["RULEFX_FUZZ_SEED"] ?? 20_261_127)

const notAllowed = "Your account is not allowed to use this application."
const intercom = "fuzz-intercom-secret-4c7e19ab0d"
/** Port 9 (discard) on 127.0.0.1: if the stub were ever bypassed, the request is refused, not sent anywhere. */
const stubOrigin = "http://127.0.0.1:9"
const stubBase = `${stubOrigin}/api`
const dangerousKeys = ["__proto__", "constructor", "prototype"] as const

// ---------------------------------------------------------------------------------------------------------------
// Seller answers: the same table feeds the in-memory SellerApi and the stubbed fetch.
// ---------------------------------------------------------------------------------------------------------------

interface Answer {
  /** What SellerApi.layerTest holds; undefined is "not found". */
  readonly memory: Seller | SellerApiError | undefined
  /** What the stubbed fetch answers (a fresh Response per call). */
  readonly http: () => Response
}

const json = (body: unknown, status = 200) => () =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } })
const text = (body: string, status = 200) => () => new Response(body, { status })
const status = (code: number): Answer => ({
  memory: code === 404 ? undefined : new SellerApiError({ reason: "Status", status: code, detail: `status ${code}` }),
  http: text(`status ${code}`, code)
})
const found = (seller: Seller, extra: Record<string, unknown> = {}): Answer => ({
  memory: seller,
  http: json({ ...seller, ...extra })
})
const badBody = (http: () => Response): Answer => ({
  memory: new SellerApiError({ reason: "Body", detail: "bad body" }),
  http
})

const weirdId = "shop/ü ?#&=%"

const answers: Readonly<Record<string, Answer>> = {
  "seller-1": found(Seed.ada, { internal_notes: "not for tokens", iban: "DE00 0000", nested: { a: [1] } }),
  "seller-2": found({ id: "seller-2", email: "bob@shop.example", name: "Bob's Bikes" }),
  "42": found({ id: "42", email: "num@shop.example", name: "Numbered" }),
  "-7": found({ id: "-7", email: "neg.seven+tag@shop-7.example", name: "" }),
  [weirdId]: found({ id: weirdId, email: "w_e-ird@x.io", name: "Wëird \"quoted\" <name>" }),
  "seller-404": status(404),
  "seller-500": status(500),
  "seller-503": status(503),
  "seller-429": status(429),
  "seller-403": status(403),
  "seller-garbage": badBody(text("<html>not json")),
  "seller-empty": badBody(text("")),
  "seller-null": badBody(json(null)),
  "seller-array": badBody(json([Seed.ada])),
  "seller-shape": badBody(json({ id: 7, mail: "nobody" })),
  "seller-other": badBody(json({ id: "someone-else", email: "x@shop.example", name: "X" })),
  "seller-email": badBody(json({ id: "seller-email", email: "not an email", name: "Y" })),
  "seller-big": badBody(json({ id: "seller-big", email: "big@shop.example", name: "B".repeat(70_000) }))
}

const memorySellers: Record<string, Seller | SellerApiError> = {}
for (const [id, answer] of Object.entries(answers)) if (answer.memory !== undefined) memorySellers[id] = answer.memory

let fetchCalls = 0

/** The stubbed fetch: only `${stubOrigin}/.../seller/{id}`; any other origin is a connection failure. */
const stubFetch = (input: unknown): Promise<Response> => {
  fetchCalls++
  const url = new URL(input instanceof Request ? input.url : String(input))
  if (url.origin !== stubOrigin) return Promise.reject(new TypeError("fetch failed"))
  const match = /\/seller\/([^/]+)$/.exec(url.pathname)
  let id: string | undefined
  try {
    id = match?.[1] === undefined ? undefined : decodeURIComponent(match[1])
  } catch {
    id = undefined
  }
  const answer = id !== undefined && Object.hasOwn(answers, id) ? answers[id] : undefined
  return Promise.resolve(answer === undefined ? new Response("not found", { status: 404 }) : answer.http())
}

// ---------------------------------------------------------------------------------------------------------------
// The handlers.
// ---------------------------------------------------------------------------------------------------------------

const seedHandler: Handler = PostLogin.make(
  Seed.pipeline,
  Layer.mergeAll(SellerApi.layerTest(memorySellers), Crypto.layer)
)

const isRule = (u: unknown): u is Rule.Any =>
  typeof u === "object" && u !== null && typeof (u as { name?: unknown }).name === "string" && "run" in u

/** Every rule (a module's `make()`) and every fact exported by the catalog. */
const catalog = (() => {
  const rules: Array<Rule.Any> = []
  const facts: Array<Fact.Any> = []
  for (const module of Object.values(Catalog) as ReadonlyArray<Record<string, unknown>>) {
    for (const value of Object.values(module)) if (value instanceof Fact.Fact) facts.push(value)
    if (typeof module["make"] === "function") {
      const rule: unknown = (module["make"] as () => unknown)()
      if (isRule(rule)) rules.push(rule)
    }
  }
  return { rules, facts }
})()

// Reversed: the order of rules and facts must not matter, only the data they read.
const catalogPipeline = Pipeline.make({
  facts: catalog.facts.toReversed(),
  rules: catalog.rules.toReversed()
} as never) as unknown as typeof Seed.pipeline

const catalogHandler: Handler = PostLogin.make(catalogPipeline, Layer.mergeAll(SellerApi.layer, Crypto.layer))

// ---------------------------------------------------------------------------------------------------------------
// Events.
// ---------------------------------------------------------------------------------------------------------------

/** A key left out of the event altogether (rather than present with the value undefined). */
const absent: unique symbol = Symbol("absent")

// Own properties only, through defineProperty, so "__proto__" becomes a key as JSON.parse would make it.
const setOwn = (target: object, key: string, value: unknown) =>
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })

/** setOwn where the target may refuse it (a typed array, a frozen or exotic object): then nothing changes. */
const trySetOwn = (target: object, key: string, value: unknown) => {
  try {
    setOwn(target, key, value)
  } catch {
    // The mutation does not apply to this target.
  }
}

const put = (target: Record<string, unknown>, key: string, value: unknown) => {
  if (value !== absent) setOwn(target, key, expand(value))
}

const junk = fc.anything({
  maxDepth: 2,
  maxKeys: 4,
  withNullPrototype: true,
  withBoxedValues: true,
  withSparseArray: true,
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true
})

/** A huge string, built only when the event is: a counterexample then prints as `"A".repeat(n)`. */
class Huge {
  readonly n: number
  constructor(n: number) {
    this.n = n
  }
  [fc.toStringMethod](): string {
    return `"A".repeat(${this.n})`
  }
}

/**
 * A fresh copy of a generated value (with huge strings built), so that each build of an event owns all of its
 * objects: freezing or mutating one build never reaches the next, nor fast-check's own value.
 */
const expand = (u: unknown): unknown => {
  if (u instanceof Huge) return "A".repeat(u.n)
  if (typeof u !== "object" || u === null) return u
  if (Array.isArray(u)) {
    const copy: Array<unknown> = []
    copy.length = u.length
    for (const key of Object.keys(u)) setOwn(copy, key, expand((u as unknown as Record<string, unknown>)[key]))
    return copy
  }
  const proto: unknown = Object.getPrototypeOf(u)
  if (proto === Object.prototype || proto === null) {
    const copy = Object.create(proto as object | null) as Record<string, unknown>
    for (const key of Object.keys(u)) setOwn(copy, key, expand((u as Record<string, unknown>)[key]))
    return copy
  }
  try {
    return structuredClone(u)
  } catch {
    return u
  }
}

const hugeString = fc.integer({ min: 5_000, max: 120_000 }).map((n) => new Huge(n))

const weird = fc.oneof(
  fc.constantFrom(null, undefined, absent, 0, -1, Number.NaN, "", " ", true, [], {}, "USER", "\u0000", "ä\u202e"),
  fc.constantFrom(...dangerousKeys),
  hugeString,
  junk
)

const goodSellerIds = ["seller-1", "seller-2", "42", "-7", weirdId, "seller-404", "no-such-seller"] as const
const failingSellerIds = Object.keys(answers).filter((id) => answers[id]?.memory instanceof SellerApiError)

const sellerIdArb = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom(...goodSellerIds, absent, null, undefined, 42, -7) },
  { weight: 6, arbitrary: fc.constantFrom(...failingSellerIds) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      " seller-1 ",
      "\tseller-2\n",
      "",
      " ",
      ".",
      "..",
      "...",
      "%2e%2e",
      "a/b",
      "s".repeat(256),
      "s".repeat(257),
      ...dangerousKeys,
      "toString",
      "hasOwnProperty",
      ` ${weirdId} `
    )
  },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.integer(),
      fc.double(),
      fc.constantFrom(-0, 0, 2 ** 53, 2 ** 53 - 1, Number.NaN, Number.POSITIVE_INFINITY, 1e21, 42.5)
    )
  },
  { weight: 1, arbitrary: fc.constantFrom(["seller-1"], { id: "seller-1" }, true, 42n) },
  { weight: 1, arbitrary: weird }
)

const roleName = fc.constantFrom("USER", "ADMIN", "GUEST", "", " USER ", "user", "toString", ...dangerousKeys)

const rolesArb = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom(absent, undefined, null, ["USER"], ["ADMIN"], ["GUEST", "ADMIN"]) },
  { weight: 3, arbitrary: fc.constantFrom(["GUEST"], []) },
  { weight: 6, arbitrary: fc.array(roleName, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom("ADMIN", ["USER", 1], [["USER"]], [null], { 0: "USER", length: 1 }) },
  { weight: 1, arbitrary: weird }
)

const allowedArb = fc.oneof(
  { weight: 15, arbitrary: fc.constantFrom("USER,ADMIN", "USER, ADMIN", " ADMIN ,USER", "GUEST,ADMIN,USER") },
  { weight: 2, arbitrary: fc.constantFrom("GUEST", " ADMIN ") },
  {
    weight: 3,
    arbitrary: fc.constantFrom(absent, "", " , ", "USER,,ADMIN", "toString", "__proto__,constructor", "user")
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: weird }
)

const intercomArb = fc.oneof(
  { weight: 20, arbitrary: fc.constant(intercom) },
  { weight: 1, arbitrary: fc.constantFrom(absent, "", undefined, null) },
  { weight: 1, arbitrary: weird }
)

const urlArb = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom(stubBase, `${stubBase}/`, `${stubBase}///`, stubOrigin) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      absent,
      "",
      "ftp://127.0.0.1:9/",
      "not a url",
      "127.0.0.1:9",
      "http://127.0.0.2:9/api",
      `${stubBase}?x=1`,
      "javascript:alert(1)",
      "file:///etc/passwd"
    )
  },
  { weight: 1, arbitrary: weird }
)

const userIdArb = fc.oneof(
  { weight: 30, arbitrary: fc.integer({ min: 0, max: 1_000 }).map((n) => `auth0|fuzz-${n}`) },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 40 }) },
  { weight: 1, arbitrary: weird }
)

const optionalStringArb = fc.oneof(
  { weight: 30, arbitrary: fc.constantFrom(absent, "ada@shop.example", "Ada Lovelace") },
  { weight: 1, arbitrary: weird }
)

/** The paths a mutation may touch. */
const paths: ReadonlyArray<ReadonlyArray<string>> = [
  [],
  ["user"],
  ["user", "user_id"],
  ["user", "email"],
  ["user", "name"],
  ["user", "email_verified"],
  ["user", "app_metadata"],
  ["user", "app_metadata", "sellerId"],
  ["user", "app_metadata", "roles"],
  ["user", "user_metadata"],
  ["client"],
  ["client", "client_id"],
  ["client", "name"],
  ["client", "metadata"],
  ["client", "metadata", "allowed_roles"],
  ["connection"],
  ["connection", "strategy"],
  ["request"],
  ["request", "ip"],
  ["request", "user_agent"],
  ["request", "query"],
  ["request", "geoip"],
  ["request", "geoip", "countryCode"],
  ["transaction"],
  ["transaction", "requested_scopes"],
  ["authorization"],
  ["authorization", "roles"],
  ["stats"],
  ["stats", "logins_count"],
  ["resource_server"],
  ["resource_server", "identifier"],
  ["secrets"],
  ["secrets", "INTERCOM_SECRET"],
  ["secrets", "SELLER_API_URL"]
]

type Mutation =
  | { readonly _tag: "Delete"; readonly path: ReadonlyArray<string> }
  | { readonly _tag: "Set"; readonly path: ReadonlyArray<string>; readonly value: unknown }
  | { readonly _tag: "AddKey"; readonly path: ReadonlyArray<string>; readonly key: string; readonly value: unknown }
  /** The object at the path becomes an empty object whose prototype holds the original fields. */
  | { readonly _tag: "Inherit"; readonly path: ReadonlyArray<string> }
  /** The object at the path loses its prototype. */
  | { readonly _tag: "NullProto"; readonly path: ReadonlyArray<string> }

const mutationArb = (live: boolean): fc.Arbitrary<Mutation> => {
  // With the in-memory SellerApi, SELLER_API_URL is read by the oracle only; it stays as built.
  const path = fc.constantFrom(...paths.filter((p) => live || p.join(".") !== "secrets.SELLER_API_URL"))
  const key = fc.oneof(
    fc.constantFrom(...dangerousKeys, "toString", "hasOwnProperty", "valueOf", "then", "sellerId", "roles"),
    fc.constantFrom("allowed_roles", "INTERCOM_SECRET", ...(live ? ["SELLER_API_URL"] : [])),
    fc.string({ maxLength: 8 }).filter((k) => live || k !== "SELLER_API_URL")
  )
  return fc.oneof(
    path.map((p) => ({ _tag: "Delete" as const, path: p })),
    fc.record({ _tag: fc.constant("Set" as const), path, value: weird }),
    fc.record({
      _tag: fc.constant("AddKey" as const),
      path,
      key,
      value: fc.oneof(
        fc.constantFrom({ polluted: true }, "USER", "GUEST", { allowed_roles: "GUEST" }, ["ADMIN"], intercom),
        weird
      )
    }),
    path.map((p) => ({ _tag: "Inherit" as const, path: p })),
    path.map((p) => ({ _tag: "NullProto" as const, path: p }))
  )
}

/** Objects no JSON event can hold, but a buggy caller could pass: every read may throw. */
const hostileKinds = [
  "ProxyEvent",
  "ProxyUser",
  "ProxyAppMetadata",
  "ThrowingGetterUser",
  "ThrowingGetterSellerId",
  "ThrowingGetterClientMetadata",
  "ThrowingGetterSecrets",
  "ThrowingToPrimitiveSellerId",
  "CyclicMetadata",
  "SymbolKeys",
  "FunctionEvent",
  "RevokedProxySecrets"
] as const
type Hostile = (typeof hostileKinds)[number]

interface Recipe {
  readonly userId: unknown
  readonly email: unknown
  readonly name: unknown
  readonly sellerId: unknown
  readonly roles: unknown
  readonly allowed: unknown
  readonly intercom: unknown
  readonly url: unknown
  readonly full: boolean
  readonly mutations: ReadonlyArray<Mutation>
  readonly viaJson: boolean
  readonly freeze: boolean
  readonly hostile: Hostile | undefined
  /** Replaces the whole event (fc.anything). */
  readonly arbitrary: { readonly value: unknown } | undefined
}

const recipeArb = (live: boolean, tier: "mutated" | "wild"): fc.Arbitrary<Recipe> =>
  fc.record({
    userId: userIdArb,
    email: optionalStringArb,
    name: optionalStringArb,
    sellerId: sellerIdArb,
    roles: rolesArb,
    allowed: allowedArb,
    intercom: intercomArb,
    url: live ? urlArb : fc.constant(stubBase),
    full: fc.boolean(),
    mutations: tier === "mutated"
      ? fc.oneof(
        { weight: 3, arbitrary: fc.constant([]) },
        { weight: 2, arbitrary: fc.array(mutationArb(live), { minLength: 1, maxLength: 4 }) }
      )
      : fc.array(mutationArb(live), { maxLength: 2 }),
    viaJson: fc.boolean(),
    freeze: fc.boolean(),
    hostile: tier === "mutated"
      ? fc.constant(undefined)
      : fc.option(fc.constantFrom(...hostileKinds), { nil: undefined }),
    arbitrary: tier === "mutated" ? fc.constant(undefined) : fc.option(
      fc.anything({ withNullPrototype: true, withBoxedValues: true, withSparseArray: true, withObjectString: true })
        .map((value) => ({ value })),
      { nil: undefined, freq: 3 }
    )
  })

const isObject = (u: unknown): u is Record<string, unknown> =>
  (typeof u === "object" || typeof u === "function") && u !== null

const at = (root: unknown, p: ReadonlyArray<string>): unknown => {
  let current: unknown = root
  for (const key of p) {
    if (!isObject(current) || !Object.hasOwn(current, key)) return undefined
    current = current[key]
  }
  return current
}

/** Replaces the value at `p` (the root when `p` is empty); returns the new root. */
const replaceAt = (root: unknown, p: ReadonlyArray<string>, f: (old: unknown) => unknown): unknown => {
  if (p.length === 0) return f(root)
  const parent = at(root, p.slice(0, -1))
  const key = p[p.length - 1]!
  if (isObject(parent) && Object.hasOwn(parent, key)) trySetOwn(parent, key, f(parent[key]))
  return root
}

const applyMutation = (root: unknown, m: Mutation): unknown => {
  switch (m._tag) {
    case "AddKey": {
      const target = at(root, m.path)
      if (isObject(target)) trySetOwn(target, m.key, expand(m.value))
      return root
    }
    case "Delete": {
      if (m.path.length === 0) return undefined
      const parent = at(root, m.path.slice(0, -1))
      if (isObject(parent)) Reflect.deleteProperty(parent, m.path[m.path.length - 1]!)
      return root
    }
    case "Set":
      return m.path.length === 0 ? expand(m.value) : replaceAt(root, m.path, () => expand(m.value))
    case "Inherit":
      return replaceAt(root, m.path, (old) => (isObject(old) && !Array.isArray(old) ? Object.create(old) : old))
    case "NullProto":
      return replaceAt(root, m.path, (old) => {
        if (!isObject(old) || Array.isArray(old)) return old
        const copy = Object.create(null) as Record<string, unknown>
        for (const key of Object.keys(old)) trySetOwn(copy, key, old[key])
        return copy
      })
  }
}

const trap = () => {
  throw new Error("hostile trap")
}
const throwingProxy = () =>
  new Proxy({}, { get: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap })
const throwingGetter = (target: unknown, key: string) => {
  try {
    if (isObject(target)) Object.defineProperty(target, key, { get: trap, enumerable: true, configurable: true })
  } catch {
    // A target that refuses the getter stays as it is.
  }
}

const makeHostile = (root: unknown, kind: Hostile): unknown => {
  switch (kind) {
    case "ProxyEvent":
      return throwingProxy()
    case "ProxyUser":
      return replaceAt(root, ["user"], () => throwingProxy())
    case "ProxyAppMetadata":
      return replaceAt(root, ["user", "app_metadata"], () => throwingProxy())
    case "ThrowingGetterUser":
      throwingGetter(root, "user")
      return root
    case "ThrowingGetterSellerId":
      throwingGetter(at(root, ["user", "app_metadata"]), "sellerId")
      return root
    case "ThrowingGetterClientMetadata":
      throwingGetter(at(root, ["client"]), "metadata")
      return root
    case "ThrowingGetterSecrets":
      throwingGetter(at(root, ["secrets"]), "INTERCOM_SECRET")
      return root
    case "ThrowingToPrimitiveSellerId":
      return replaceAt(root, ["user", "app_metadata", "sellerId"], () => ({
        [Symbol.toPrimitive]: trap,
        toString: trap,
        valueOf: trap
      }))
    case "CyclicMetadata": {
      const metadata = at(root, ["user", "app_metadata"])
      if (isObject(metadata)) trySetOwn(metadata, "self", metadata)
      const user = at(root, ["user"])
      if (isObject(user)) trySetOwn(user, "user_metadata", { user })
      return root
    }
    case "SymbolKeys": {
      for (const p of [[], ["user"], ["user", "app_metadata"], ["client", "metadata"], ["secrets"]]) {
        const target = at(root, p)
        if (isObject(target)) {
          Reflect.defineProperty(target, Symbol("hidden"), { value: "USER", enumerable: true })
          Reflect.defineProperty(target, Symbol.for("INTERCOM_SECRET"), { value: intercom, enumerable: true })
        }
      }
      return root
    }
    case "FunctionEvent":
      return Object.assign(() => undefined, isObject(root) ? root : {})
    case "RevokedProxySecrets": {
      const { proxy, revoke } = Proxy.revocable({}, {})
      revoke()
      return replaceAt(root, ["secrets"], () => proxy)
    }
  }
}

const deepFreeze = (u: unknown, seen = new Set<unknown>()): void => {
  if (!isObject(u) || seen.has(u) || ArrayBuffer.isView(u)) return
  seen.add(u)
  try {
    Object.freeze(u)
    for (const key of Object.getOwnPropertyNames(u)) {
      const descriptor = Object.getOwnPropertyDescriptor(u, key)
      if (descriptor !== undefined && "value" in descriptor) deepFreeze(descriptor.value, seen)
    }
  } catch {
    // A hostile proxy: it stays as it is.
  }
}

/** Builds the event a recipe describes, afresh on every call. */
const build = (r: Recipe): unknown => {
  if (r.arbitrary !== undefined) return expand(r.arbitrary.value)
  const appMetadata: Record<string, unknown> = { plan: { tier: "gold" } }
  put(appMetadata, "sellerId", r.sellerId)
  put(appMetadata, "roles", r.roles)
  const clientMetadata: Record<string, unknown> = { theme: "dark" }
  put(clientMetadata, "allowed_roles", r.allowed)
  const secrets: Record<string, unknown> = { UNUSED_TOKEN: "fuzz-unused-secret-91be" }
  put(secrets, "INTERCOM_SECRET", r.intercom)
  put(secrets, "SELLER_API_URL", r.url)
  const user: Record<string, unknown> = { app_metadata: appMetadata, user_metadata: { locale: "en-GB" } }
  put(user, "user_id", r.userId)
  put(user, "email", r.email)
  put(user, "name", r.name)
  let event: unknown = r.full
    ? {
      secrets,
      tenant: { id: "acme" },
      client: { client_id: "cli_fuzz", name: "Shop", metadata: clientMetadata },
      connection: { id: "con_1", name: "Username-Password-Authentication", strategy: "auth0" },
      user: { ...user, email_verified: true, nickname: "ada", username: "ada", created_at: "2024-01-02" },
      request: {
        ip: "203.0.113.7",
        hostname: "login.shop.example",
        user_agent: "fuzz",
        query: { prompt: "login" },
        geoip: { countryCode: "GB" }
      },
      transaction: { protocol: "oidc-basic-profile", requested_scopes: ["openid", "profile"] },
      authorization: { roles: ["rbac-admin"] },
      stats: { logins_count: 3 },
      resource_server: { identifier: "https://api.shop.example" }
    }
    : { secrets, user, client: { client_id: "cli_fuzz", metadata: clientMetadata }, request: { ip: "203.0.113.7" } }
  for (const m of r.mutations) event = applyMutation(event, m)
  if (r.viaJson) {
    try {
      const serialized = JSON.stringify(event)
      if (serialized !== undefined) event = JSON.parse(serialized) as unknown
    } catch {
      // BigInt or a cycle: keep the object as is.
    }
  }
  if (r.hostile !== undefined) event = makeHostile(event, r.hostile)
  if (r.freeze) deepFreeze(event)
  return event
}

// ---------------------------------------------------------------------------------------------------------------
// Checks.
// ---------------------------------------------------------------------------------------------------------------

const lines: Array<string> = []

const protoSnapshot = () =>
  [Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((proto) => Reflect.ownKeys(proto).map(String).toSorted().join(","))
    .join("|")
const before = protoSnapshot()

const describeRecipe = (r: Recipe) => fc.stringify({ ...r, event: undefined }).slice(0, 2_000)

const check = (condition: boolean, message: () => string): void => {
  if (!condition) assert.fail(message())
}

/** The allowed roles as the event says them: objects read as Auth0Event reads them, the metadata key own. */
const allowedRolesOf = (event: unknown): ReadonlyArray<string> => {
  try {
    const metadata = (event as { client?: { metadata?: unknown } } | undefined)?.client?.metadata
    const raw = isObject(metadata) && Object.hasOwn(metadata, "allowed_roles") ? metadata["allowed_roles"] : undefined
    return typeof raw === "string" ? raw.split(",").map((r) => r.trim()).filter((r) => r.length > 0) : []
  } catch {
    return []
  }
}

type Verdict = "allowed" | "denied"

/** The login ended in exactly one of allow and deny; returns which. */
const verdictOf = (calls: ReadonlyArray<RecordingApi.Call>, who: string, r: Recipe): Verdict => {
  const denies = calls.filter((c) => c.method === "access.deny")
  const writes = calls.filter((c) => c.method !== "access.deny")
  const denied = denies.length === 1 && writes.length === 0
  const allowed = denies.length === 0 &&
    writes.some((c) => c.method === "accessToken.setCustomClaim" && c.args[0] === Seed.claims.roles)
  check(
    denied !== allowed,
    () => `${who}: neither allowed nor denied: ${fc.stringify(calls)}\n${describeRecipe(r)}`
  )
  return denied ? "denied" : "allowed"
}

interface Tally {
  allowed: number
  denied: number
  stricter: number
}

/** One login through a rulefx handler and the oracle, each with its own copy of the event. */
const compare = async (handler: Handler, r: Recipe, tally: Tally): Promise<void> => {
  const ours = RecordingApi.make()
  const theirs = RecordingApi.make()
  const event = build(r)
  let rejected: unknown = undefined
  try {
    const result: unknown = await handler(event, ours)
    check(result === undefined, () => "the handler resolved with a value")
  } catch (error) {
    rejected = error ?? "rejected"
  }
  check(rejected === undefined, () => `the handler rejected: ${String(rejected)}\n${describeRecipe(r)}`)
  await oracle(build(r), theirs)

  const oursCalls = RecordingApi.decisive(ours.calls)
  const theirsCalls = RecordingApi.decisive(theirs.calls)
  const mine = verdictOf(oursCalls, "rulefx", r)
  const reference = verdictOf(theirsCalls, "oracle", r)

  if (mine === "denied") {
    const reason = oursCalls[0]!.args[0]
    check(reason === genericMessage || reason === notAllowed, () => `unexpected reason ${String(reason)}`)
  } else {
    // Independently of the oracle: one of the user's roles is on the application's list, and only claims are set.
    const roles = oursCalls.find((c) => c.args[0] === Seed.claims.roles)?.args[1]
    const allowedRoles = allowedRolesOf(event)
    check(
      Array.isArray(roles) && roles.some((role) => allowedRoles.includes(role as string)),
      () => `allowed with roles ${fc.stringify(roles)} not in ${fc.stringify(allowedRoles)}`
    )
    for (const c of oursCalls) {
      check(c.method.endsWith(".setCustomClaim"), () => `allowed login called ${c.method}`)
    }
  }

  // Fail closed, against the oracle: never allowed where the oracle denies; when both allow, the same api calls.
  check(
    !(mine === "allowed" && reference === "denied"),
    () => `rulefx allowed a login the oracle denies: ${fc.stringify(oursCalls)}\n${describeRecipe(r)}`
  )
  if (mine === "allowed" && reference === "allowed") {
    check(
      JSON.stringify(oursCalls) === JSON.stringify(theirsCalls),
      () => `different claims:\nrulefx ${fc.stringify(oursCalls)}\noracle ${fc.stringify(theirsCalls)}`
    )
  }
  if (mine === "denied" && reference === "allowed") tally.stricter++
  tally[mine]++

  for (const line of lines) {
    if (line.startsWith("rulefx ")) check(line.length <= 256 && !line.includes("\n"), () => `long line: ${line}`)
    check(!line.includes(intercom), () => `a log line holds the secret: ${line}`)
  }
  lines.length = 0
  check(!ours.calls.some((c) => JSON.stringify(c.args).includes(intercom)), () => "an api call holds the secret")
  check(protoSnapshot() === before, () => `a prototype was polluted\n${describeRecipe(r)}`)
  check(({} as { polluted?: unknown }).polluted === undefined, () => "Object.prototype.polluted is set")
}

const fuzz = async (handler: Handler, arb: fc.Arbitrary<Recipe>, numRuns: number, offset: number) => {
  const tally: Tally = { allowed: 0, denied: 0, stricter: 0 }
  await fc.assert(
    fc.asyncProperty(arb, (r) => compare(handler, r, tally)),
    { numRuns, seed: seed + offset, endOnFailure: true }
  )
  return tally
}

// ---------------------------------------------------------------------------------------------------------------
// Suites.
// ---------------------------------------------------------------------------------------------------------------

let capture: LogCapture.Capture | undefined

beforeAll(() => {
  vi.stubGlobal("fetch", stubFetch)
  capture = LogCapture.start({ lines })
})

afterAll(() => {
  vi.unstubAllGlobals()
  capture?.stop()
})

describe("fuzz: the catalog", () => {
  it("is the four seed rules and their two facts: extend this suite and its oracle when it grows", () => {
    assert.deepStrictEqual(catalog.rules.map((r) => r.name).toSorted(), [
      "denyRoles",
      "hashSellerEmail",
      "setRoles",
      "setSeller"
    ])
    assert.deepStrictEqual(catalog.facts.map((f) => f.name).toSorted(), ["CurrentSeller", "EffectiveRoles"])
  })
})

describe("fuzz: the seed pipeline with the in-memory SellerApi, against the oracle", () => {
  it("4,000 valid and mutated events: allow or deny, never throws, never allows what the oracle denies", async () => {
    const tally = await fuzz(seedHandler, recipeArb(false, "mutated"), 4_000, 1)
    // The generator must reach both outcomes in earnest, or the properties say little.
    assert.isAbove(tally.allowed, 800, JSON.stringify(tally))
    assert.isAbove(tally.denied, 800, JSON.stringify(tally))
    assert.strictEqual(tally.stricter, 0, JSON.stringify(tally))
  }, 120_000)

  it("1,000 wild events (fc.anything, hostile objects): the same", async () => {
    const tally = await fuzz(seedHandler, recipeArb(false, "wild"), 1_000, 2)
    assert.isAbove(tally.denied, 500, JSON.stringify(tally))
    assert.strictEqual(tally.stricter, 0, JSON.stringify(tally))
  }, 120_000)
})

describe("fuzz: every rule in the catalog with the live SellerApi over a stubbed fetch, against the oracle", () => {
  it("4,000 valid and mutated events: the same properties", async () => {
    const calls = fetchCalls
    const tally = await fuzz(catalogHandler, recipeArb(true, "mutated"), 4_000, 3)
    assert.isAbove(tally.allowed, 500, JSON.stringify(tally))
    assert.isAbove(tally.denied, 800, JSON.stringify(tally))
    assert.strictEqual(tally.stricter, 0, JSON.stringify(tally))
    assert.isAbove(fetchCalls - calls, 1_000)
  }, 120_000)

  it("1,000 wild events (fc.anything, hostile objects): the same", async () => {
    const tally = await fuzz(catalogHandler, recipeArb(true, "wild"), 1_000, 4)
    assert.isAbove(tally.denied, 500, JSON.stringify(tally))
    assert.strictEqual(tally.stricter, 0, JSON.stringify(tally))
  }, 120_000)
})
