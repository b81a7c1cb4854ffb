import { assert, describe, it } from "@effect/vitest"
import { genericMessage } from "@rulefx/core/Denial"
import * as Events from "@rulefx/testing/Events"
import * as LogCapture from "@rulefx/testing/LogCapture"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import fc from "fast-check"
import { allowedRoles, intercomSecret } from "./utils/Events.ts"
import * as Seed from "./utils/Seed.ts"

const notAllowed = "Your account is not allowed to use this application."
const userSafeReasons = [genericMessage, notAllowed]
const dangerousKeys = ["__proto__", "constructor", "prototype"] as const

// A value that is anything at all: the wrong type for most fields.
const junk = fc.anything({ maxDepth: 2, maxKeys: 4, withNullPrototype: true, withBoxedValues: true })

const hugeString = fc.integer({ min: 20_000, max: 200_000 }).map((n) => "A".repeat(n))

const roleName = fc.constantFrom("USER", "ADMIN", "GUEST", "", " USER ", ...dangerousKeys)

/** A plausible post-login event for the seed scenario; every field the seed reads varies. */
const plausibleEvent = fc.record({
  userId: fc.oneof(
    { arbitrary: fc.constantFrom("auth0|a", "auth0|b", "google-oauth2|1"), weight: 4 },
    { arbitrary: fc.string({ minLength: 1 }), weight: 1 }
  ),
  sellerId: fc.oneof(
    { arbitrary: fc.constantFrom("seller-1", "seller-2", "42", "no-such-seller", undefined), weight: 8 },
    { arbitrary: fc.constantFrom("seller-500", "", " ", ...dangerousKeys), weight: 1 },
    { arbitrary: fc.oneof(fc.integer(), fc.double()), weight: 1 },
    { arbitrary: junk, weight: 1 }
  ),
  roles: fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 3 },
    { arbitrary: fc.array(roleName, { maxLength: 4 }), weight: 6 },
    { arbitrary: junk, weight: 1 }
  ),
  allowed: fc.oneof(
    { arbitrary: fc.constant(allowedRoles), weight: 6 },
    { arbitrary: fc.constantFrom("USER", "ADMIN", "GUEST", "", " , ", "USER,,ADMIN"), weight: 3 },
    { arbitrary: fc.string(), weight: 1 },
    { arbitrary: junk, weight: 1 }
  ),
  secret: fc.oneof(
    { arbitrary: fc.constant(intercomSecret), weight: 8 },
    { arbitrary: fc.constantFrom("", undefined), weight: 1 },
    { arbitrary: junk, weight: 1 }
  ),
  authorizationRoles: fc.oneof(
    { arbitrary: fc.array(fc.string(), { maxLength: 3 }), weight: 8 },
    { arbitrary: junk, weight: 1 }
  )
}).map((p) =>
  // A field given as undefined is left out of the event.
  Events.postLogin({
    secrets: { INTERCOM_SECRET: p.secret },
    client: { client_id: "cli_1", name: "Shop", metadata: { allowed_roles: p.allowed } },
    user: { user_id: p.userId, app_metadata: { sellerId: p.sellerId, roles: p.roles } },
    authorization: { roles: p.authorizationRoles },
    stats: { logins_count: 3 },
    resource_server: { identifier: "https://api.shop.example" }
  })
)

const paths: ReadonlyArray<ReadonlyArray<string>> = [
  [],
  ["user"],
  ["user", "user_id"],
  ["user", "app_metadata"],
  ["user", "app_metadata", "sellerId"],
  ["user", "app_metadata", "roles"],
  ["user", "user_metadata"],
  ["user", "email_verified"],
  ["client"],
  ["client", "client_id"],
  ["client", "metadata"],
  ["client", "metadata", "allowed_roles"],
  ["connection"],
  ["request"],
  ["request", "ip"],
  ["request", "query"],
  ["request", "geoip"],
  ["transaction"],
  ["transaction", "requested_scopes"],
  ["authorization"],
  ["authorization", "roles"],
  ["stats"],
  ["stats", "logins_count"],
  ["resource_server"],
  ["secrets"],
  ["secrets", "INTERCOM_SECRET"]
]

type Mutation =
  | { readonly _tag: "Delete"; readonly path: ReadonlyArray<string> }
  | { readonly _tag: "Set"; readonly path: ReadonlyArray<string>; readonly value: unknown }
  | { readonly _tag: "AddKey"; readonly path: ReadonlyArray<string>; readonly key: string; readonly value: unknown }

const path = fc.constantFrom(...paths)

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  path.map((p) => ({ _tag: "Delete" as const, path: p })),
  fc.record({
    _tag: fc.constant("Set" as const),
    path,
    value: fc.oneof(fc.constantFrom(null, undefined, 0, "", [], {}, true), hugeString, junk)
  }),
  fc.record({
    _tag: fc.constant("AddKey" as const),
    path,
    key: fc.oneof(fc.constantFrom(...dangerousKeys, "toString", "hasOwnProperty", "valueOf"), fc.string()),
    value: fc.oneof(fc.constant({ polluted: true }), fc.constant("USER"), junk)
  })
)

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null

// Own properties only, through defineProperty, so "__proto__" becomes a key as JSON.parse would make it.
const setOwn = (target: Record<string, unknown>, key: string, value: unknown) =>
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })

const at = (root: unknown, p: ReadonlyArray<string>): unknown => {
  let current: unknown = root
  for (const key of p) {
    if (!isObject(current) || !Object.hasOwn(current, key)) return undefined
    current = current[key]
  }
  return current
}

const mutate = (event: Record<string, unknown>, mutations: ReadonlyArray<Mutation>): unknown => {
  let root: unknown = event
  for (const m of mutations) {
    if (m._tag === "AddKey") {
      const target = at(root, m.path)
      if (isObject(target)) setOwn(target, m.key, m.value)
      continue
    }
    if (m.path.length === 0) {
      root = m._tag === "Delete" ? undefined : m.value
      continue
    }
    const parent = at(root, m.path.slice(0, -1))
    const key = m.path[m.path.length - 1]!
    if (!isObject(parent)) continue
    if (m._tag === "Delete") delete parent[key]
    else setOwn(parent, key, m.value)
  }
  return root
}

/** Mostly valid events with a few random mutations, sometimes round-tripped through JSON as Auth0 would send them. */
const mutatedEvent = fc
  .tuple(
    plausibleEvent,
    fc.oneof({ arbitrary: fc.constant([]), weight: 1 }, { arbitrary: fc.array(mutation, { maxLength: 3 }), weight: 1 }),
    fc.boolean()
  )
  .map(([event, mutations, viaJson]) => {
    const mutated = mutate(event, mutations)
    if (!viaJson) return mutated
    try {
      const text = JSON.stringify(mutated)
      return text === undefined ? mutated : JSON.parse(text) as unknown
    } catch {
      return mutated
    }
  })

const protoSnapshot = () => ({
  object: Object.getOwnPropertyNames(Object.prototype).toSorted().join(","),
  array: Object.getOwnPropertyNames(Array.prototype).toSorted().join(","),
  function: Object.getOwnPropertyNames(Function.prototype).toSorted().join(",")
})

const before = protoSnapshot()

const rolesOf = (event: unknown): ReadonlyArray<string> => {
  const raw = at(event, ["client", "metadata", "allowed_roles"])
  return typeof raw === "string" ? raw.split(",").map((r) => r.trim()).filter((r) => r.length > 0) : []
}

/** The handler resolves, and the login is either denied (one deny, nothing else) or allowed (roles claim set). */
const checkOne = async (event: unknown, lines: Array<string>): Promise<"denied" | "allowed"> => {
  const api = RecordingApi.make()
  const result = await Seed.handler(event, api)
  assert.isUndefined(result)

  const denies = api.calls.filter((c) => c.method === "access.deny")
  const writes = api.calls.filter((c) => c.method !== "access.deny")
  const rolesClaims = writes.filter((c) => c.method === "accessToken.setCustomClaim" && c.args[0] === Seed.claims.roles)
  const denied = denies.length === 1 && writes.length === 0
  const allowed = denies.length === 0 && rolesClaims.length === 1
  assert.isTrue(denied !== allowed, `neither or both: ${JSON.stringify(api.calls)}`)

  if (denied) {
    assert.include(userSafeReasons, denies[0]!.args[0])
  } else {
    // Fail closed: a login is only let through when one of its roles is on the application's list.
    const roles = rolesClaims[0]!.args[1]
    assert.isTrue(Array.isArray(roles), "roles claim is an array")
    const allowedList = rolesOf(event)
    assert.isTrue((roles as Array<unknown>).some((r) => allowedList.includes(r as string)), JSON.stringify(roles))
    for (const c of writes) {
      assert.include(["idToken.setCustomClaim", "accessToken.setCustomClaim"], c.method)
    }
  }

  for (const text of [...lines, ...api.calls.map((c) => JSON.stringify(c.args))]) {
    assert.notInclude(text, intercomSecret)
  }
  for (const line of lines) assert.isAtMost(line.length, 256)
  lines.length = 0

  assert.deepStrictEqual(protoSnapshot(), before)
  assert.isUndefined(({} as { polluted?: unknown }).polluted)
  assert.isUndefined(([] as unknown as { polluted?: unknown }).polluted)
  return denied ? "denied" : "allowed"
}

const withQuietConsole = async (f: (lines: Array<string>) => Promise<void>): Promise<void> => {
  const lines: Array<string> = []
  await LogCapture.around(() => f(lines), { lines })
}

describe("PostLogin handler, seed pipeline, arbitrary events", () => {
  it("fc.anything(): resolves, denies or allows exactly, never pollutes a prototype", async () => {
    await withQuietConsole((lines) =>
      fc.assert(
        fc.asyncProperty(
          fc.anything({ withNullPrototype: true, withBoxedValues: true, withSparseArray: true }),
          async (event) => {
            await checkOne(event, lines)
          }
        ),
        { numRuns: 300 }
      )
    )
  })

  it("mostly valid events with random mutations: the same, and some are allowed", async () => {
    let allowedRuns = 0
    let deniedRuns = 0
    await withQuietConsole((lines) =>
      fc.assert(
        fc.asyncProperty(mutatedEvent, async (event) => {
          if ((await checkOne(event, lines)) === "allowed") allowedRuns++
          else deniedRuns++
        }),
        { numRuns: 300 }
      )
    )
    // The generator must reach both outcomes, or the property says little.
    assert.isAbove(allowedRuns, 10)
    assert.isAbove(deniedRuns, 10)
  })
})
