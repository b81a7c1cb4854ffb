import { assert, describe, it } from "@effect/vitest"
import * as ClaimName from "@rulefx/core/ClaimName"
import * as fc from "fast-check"
import { bounded } from "../src/internal/memo.ts"

describe("ClaimName", () => {
  it.each(["sub", "iss", "aud", "roles", "groups", "permissions", "x5t#S256", "internalService", "org_id"])(
    "%j is restricted",
    (name) => {
      assert.isTrue(ClaimName.isRestricted(name))
      assert.strictEqual(ClaimName.check(name), "RestrictedClaim")
    }
  )

  it.each([
    "https://auth0.com/claim",
    "http://auth0.com",
    "https://tenant.auth0.com/c",
    "https://tenant.eu.auth0.com/c",
    "https://AUTH0.COM/c",
    "https://auth0.com./c",
    "https://user:pw@x.auth0.com/c",
    "https://x.auth0.com:8443/c",
    "https://auth0%2Ecom/c",
    "https://webtask.io/c",
    "https://x.webtask.io/c",
    "https://webtask.run/c",
    "https://a.b.webtask.run/c",
    "urn:auth0:claim",
    "urn:auth0",
    "URN:AUTH0:claim"
  ])("%j is on the issuer's namespace", (name) => {
    assert.isTrue(ClaimName.isIssuerNamespace(name))
    assert.strictEqual(ClaimName.check(name), "IssuerNamespace")
  })

  it.each([
    "seller",
    "email",
    "name",
    "https://example.com/roles",
    "https://notauth0.com/c",
    "https://auth0.com.example.org/c",
    "https://example.org/auth0.com",
    "https://example.org/?u=https://auth0.com",
    "urn:example:auth0",
    "auth0.com",
    "ftp://auth0.com/c",
    "Roles",
    "__proto__"
  ])("%j may be set", (name) => {
    assert.isFalse(ClaimName.isRestricted(name))
    assert.isFalse(ClaimName.isIssuerNamespace(name))
    assert.isUndefined(ClaimName.check(name))
  })
})

// The predicate as it was before its answers were kept per name: the oracle of the property below.
const uncached = (name: string): boolean => {
  if (/^urn:auth0/i.test(name)) return true
  if (!/^https?:/i.test(name) || !URL.canParse(name)) return false
  const host = new URL(name).hostname.toLowerCase().replace(/\.+$/, "")
  return ClaimName.issuerHosts.some((root) => host === root || host.endsWith(`.${root}`))
}

const claimNames = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.tuple(
    fc.constantFrom("http://", "https://", "HTTPS://", "urn:", "urn:auth0", ""),
    fc.constantFrom("", "x.", "a.b.", "user:pw@", "%41"),
    fc.constantFrom(
      "auth0.com",
      "AUTH0.com.",
      "webtask.io",
      "webtask.run",
      "example.com",
      "auth0%2Ecom",
      "notauth0.com"
    ),
    fc.constantFrom("", "/c", ":8443/c", "?u=https://auth0.com"),
    fc.string({ maxLength: 4 })
  ).map((parts) => parts.join("")),
  fc.string()
)

describe("ClaimName.isIssuerNamespace keeps its answers per name", () => {
  it("answers as the uncached predicate, first time and again, past the cache's capacity", () => {
    fc.assert(
      fc.property(fc.array(claimNames, { minLength: 1, maxLength: 60 }), (names) => {
        for (const name of [...names, ...names]) {
          assert.strictEqual(ClaimName.isIssuerNamespace(name), uncached(name), name)
        }
      }),
      { numRuns: 300 }
    )
  })
})

describe("internal/memo bounded", () => {
  it("holds at most `capacity` answers, forgets the oldest first, and answers as the function", () => {
    const calls: Array<string> = []
    const answers = new Map<string, number>()
    const length = bounded(
      (key: string) => {
        calls.push(key)
        return key.length
      },
      3,
      answers
    )
    for (const key of ["a", "bb", "ccc", "a"]) assert.strictEqual(length(key), key.length)
    assert.deepStrictEqual(calls, ["a", "bb", "ccc"])
    assert.strictEqual(length("dddd"), 4)
    assert.strictEqual(answers.size, 3)
    // "a" was the oldest: forgotten, so asked again; "ccc" is still held.
    assert.strictEqual(length("a"), 1)
    assert.strictEqual(length("ccc"), 3)
    assert.deepStrictEqual(calls, ["a", "bb", "ccc", "dddd", "a"])
    assert.deepStrictEqual([...answers.keys()], ["ccc", "dddd", "a"])
    for (let i = 0; i < 10_000; i++) assert.strictEqual(length(`k${i}`), `k${i}`.length)
    assert.strictEqual(answers.size, 3)
  })
})
