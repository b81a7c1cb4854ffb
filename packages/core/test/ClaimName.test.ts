import { assert, describe, it } from "@effect/vitest"
import * as ClaimName from "@rulefx/core/ClaimName"

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
