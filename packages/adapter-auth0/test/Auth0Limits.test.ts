import { assert, describe, it } from "@effect/vitest"
import * as Auth0Limits from "@rulefx/adapter-auth0/Auth0Limits"
import * as Decision from "@rulefx/core/Decision"

// Copied from the reference (auth0-actions.md §2.4), not from the module, so the two are checked against each other.
const restrictedFromReference = [
  "acr",
  "act",
  "active",
  "amr",
  "at_hash",
  "ath",
  "attest",
  "aud",
  "auth_time",
  "authorization_details",
  "azp",
  "c_hash",
  "client_id",
  "cnf",
  "cty",
  "dest",
  "entitlements",
  "events",
  "exp",
  "groups",
  "gty",
  "htm",
  "htu",
  "iat",
  "internalService",
  "iss",
  "jcard",
  "jku",
  "jti",
  "jwe",
  "jwk",
  "kid",
  "may_act",
  "mky",
  "nbf",
  "nonce",
  "object_id",
  "org_id",
  "org_name",
  "orig",
  "origid",
  "permissions",
  "roles",
  "rph",
  "s_hash",
  "sid",
  "sip_callid",
  "sip_cseq_num",
  "sip_date",
  "sip_from_tag",
  "sip_via_branch",
  "sub",
  "sub_jwk",
  "toe",
  "txn",
  "typ",
  "uuid",
  "vot",
  "vtm",
  "x5t#S256"
] as const

// From the reference (§1.1, "Metadata Field Names and Data Types").
const forbiddenFromReference = [
  "__tenant",
  "_id",
  "blocked",
  "clientID",
  "created_at",
  "email_verified",
  "email",
  "globalClientID",
  "global_client_id",
  "identities",
  "lastIP",
  "lastLogin",
  "loginsCount",
  "metadata",
  "multifactor_last_modified",
  "multifactor",
  "updated_at",
  "user_id"
] as const

const auth0Namespaces = [
  "https://auth0.com/claim",
  "http://tenant.auth0.com/claim",
  "https://tenant.us.auth0.com/claims/roles",
  "https://TENANT.AUTH0.COM/x",
  "https://webtask.io/claim",
  "https://sandbox.webtask.io/claim",
  "https://webtask.run/claim",
  "https://x.y.webtask.run/claim",
  "urn:auth0:claim",
  "urn:auth0-custom"
] as const

type Draft = ReturnType<typeof Decision.empty>

const decisionWith = (f: (d: Draft) => void): Decision.Decision => {
  const d = Decision.empty()
  f(d)
  return d
}

const rulesOf = (decision: Decision.Decision) =>
  Auth0Limits.check(decision).map((v) => [v.target, v.name, v.rule] as const)

// A string value whose claim (name plus JSON value) takes exactly `bytes` bytes.
const claimOfSize = (name: string, bytes: number): string => "x".repeat(bytes - name.length - 2)

const budget = 100 * 1024

describe("Auth0Limits.check: claim names", () => {
  it("the restricted list is exactly the reference's", () => {
    assert.sameMembers([...Auth0Limits.restrictedClaimNames], [...restrictedFromReference])
    assert.strictEqual(Auth0Limits.restrictedClaimNames.size, restrictedFromReference.length)
  })

  it.each(restrictedFromReference)("the restricted claim %j is refused on both tokens", (name) => {
    const decision = decisionWith((d) => {
      d.idTokenClaims[name] = "v"
      d.accessTokenClaims[name] = ["v"]
    })
    assert.deepStrictEqual(rulesOf(decision), [
      ["idToken", name, "RestrictedClaim"],
      ["accessToken", name, "RestrictedClaim"]
    ])
  })

  it.each(auth0Namespaces)("a claim on an Auth0 namespace (%j) is refused", (name) => {
    assert.isTrue(Auth0Limits.isAuth0Namespace(name))
    const decision = decisionWith((d) => {
      d.idTokenClaims[name] = 1
      d.accessTokenClaims[name] = 2
    })
    assert.deepStrictEqual(rulesOf(decision), [
      ["idToken", name, "IssuerNamespace"],
      ["accessToken", name, "IssuerNamespace"]
    ])
  })

  it.each(["seller", "email", "name", "picture", "Roles", "role", "__proto__"])(
    "a normal non-namespaced claim (%j) is allowed",
    (name) => {
      const decision = decisionWith((d) => {
        d.idTokenClaims[name] = "v"
        d.accessTokenClaims[name] = "v"
      })
      assert.deepStrictEqual(Auth0Limits.check(decision), [])
    }
  )

  it.each([
    "https://example.com/roles",
    "https://example.org/groups",
    "https://auth0.com.example.org/claim",
    "https://example.org/auth0.com",
    "urn:example:roles"
  ])("a namespaced custom claim (%j) is allowed", (name) => {
    const decision = decisionWith((d) => {
      d.idTokenClaims[name] = { nested: [1, 2] }
      d.accessTokenClaims[name] = ["ADMIN"]
    })
    assert.deepStrictEqual(Auth0Limits.check(decision), [])
  })

  it.each([["undefined", undefined], ["a function", () => 1], ["a symbol", Symbol("s")]] as const)(
    "a claim whose value is %s (not JSON, would be dropped) is refused",
    (_, value) => {
      const decision = decisionWith((d) => {
        d.idTokenClaims["https://example.com/c"] = value
      })
      assert.deepStrictEqual(rulesOf(decision), [["idToken", "https://example.com/c", "NotJson"]])
    }
  )
})

describe("Auth0Limits.check: the 100 KB custom-claim budget", () => {
  const name = "https://example.com/big"

  it("exactly 100 KB of claims on a token passes; one byte more is refused, naming the token and the bytes", () => {
    const atBudget = decisionWith((d) => {
      d.idTokenClaims[name] = claimOfSize(name, budget)
    })
    assert.deepStrictEqual(Auth0Limits.check(atBudget), [])
    const over = decisionWith((d) => {
      d.idTokenClaims[name] = claimOfSize(name, budget + 1)
    })
    assert.deepStrictEqual(Auth0Limits.check(over), [{
      target: "idToken",
      name: undefined,
      rule: "ClaimBudgetExceeded",
      bytes: budget + 1
    }])
  })

  it("names and JSON values of every claim count together", () => {
    const decision = decisionWith((d) => {
      d.accessTokenClaims["https://example.com/a"] = claimOfSize("https://example.com/a", budget / 2)
      d.accessTokenClaims["https://example.com/b"] = claimOfSize("https://example.com/b", budget / 2)
    })
    assert.deepStrictEqual(Auth0Limits.check(decision), [])
    const plusOne = decisionWith((d) => {
      Object.assign(d.accessTokenClaims, decision.accessTokenClaims)
      d.accessTokenClaims["c"] = 1 // 1 byte of name + 1 of value
    })
    assert.deepStrictEqual(rulesOf(plusOne), [["accessToken", undefined, "ClaimBudgetExceeded"]])
  })

  it("the ID and access tokens are counted separately: 100 KB on each passes", () => {
    const decision = decisionWith((d) => {
      d.idTokenClaims[name] = claimOfSize(name, budget)
      d.accessTokenClaims[name] = claimOfSize(name, budget)
    })
    assert.deepStrictEqual(Auth0Limits.check(decision), [])
    const accessOver = decisionWith((d) => {
      d.idTokenClaims[name] = claimOfSize(name, budget)
      d.accessTokenClaims[name] = claimOfSize(name, budget + 1)
    })
    assert.deepStrictEqual(rulesOf(accessOver), [["accessToken", undefined, "ClaimBudgetExceeded"]])
  })

  it("sizes are UTF-8 bytes: a two-byte character counts twice", () => {
    // 60,000 characters, 120,000 bytes.
    const wide = decisionWith((d) => {
      d.idTokenClaims[name] = "é".repeat(60_000)
    })
    assert.deepStrictEqual(rulesOf(wide), [["idToken", undefined, "ClaimBudgetExceeded"]])
    const room = budget - name.length - 2
    const atBudget = decisionWith((d) => {
      d.idTokenClaims[name] = "é".repeat(Math.floor(room / 2)) + "x".repeat(room % 2)
    })
    assert.deepStrictEqual(Auth0Limits.check(atBudget), [])
  })

  it("a four-byte character (a surrogate pair) counts four bytes", () => {
    const room = budget - name.length - 2
    const at = decisionWith((d) => {
      d.idTokenClaims[name] = "😀".repeat(Math.floor(room / 4)) + "x".repeat(room % 4)
    })
    assert.deepStrictEqual(Auth0Limits.check(at), [])
    const over = decisionWith((d) => {
      d.idTokenClaims[name] = "😀".repeat(Math.floor(room / 4)) + "x".repeat(room % 4 + 1)
    })
    assert.deepStrictEqual(rulesOf(over), [["idToken", undefined, "ClaimBudgetExceeded"]])
  })
})

describe("Auth0Limits.check: metadata", () => {
  it("the forbidden app_metadata keys are exactly the reference's 18", () => {
    assert.sameMembers([...Auth0Limits.forbiddenAppMetadataKeys], [...forbiddenFromReference])
    assert.strictEqual(Auth0Limits.forbiddenAppMetadataKeys.size, 18)
  })

  it.each(forbiddenFromReference)("app_metadata key %j is refused (and allowed in user_metadata)", (key) => {
    const decision = decisionWith((d) => {
      d.appMetadata[key] = "v"
      d.userMetadata[key] = "v"
    })
    assert.deepStrictEqual(rulesOf(decision), [["app_metadata", key, "ForbiddenKey"]])
  })

  it.each(["a.b", "$set", "price$", ".", "$"])(
    "a key with \".\" or \"$\" (%j) is refused in both metadata kinds",
    (key) => {
      const decision = decisionWith((d) => {
        d.appMetadata[key] = 1
        d.userMetadata[key] = 1
      })
      assert.deepStrictEqual(rulesOf(decision), [
        ["app_metadata", key, "InvalidKeyName"],
        ["user_metadata", key, "InvalidKeyName"]
      ])
    }
  )

  it("a nested field name with \".\" or \"$\" is refused too, naming the top-level key", () => {
    const decision = decisionWith((d) => {
      d.appMetadata["prefs"] = { "colour.primary": "pink" }
      d.userMetadata["list"] = [{ ok: 1 }, { $where: "x" }]
    })
    assert.deepStrictEqual(rulesOf(decision), [
      ["app_metadata", "prefs", "InvalidKeyName"],
      ["user_metadata", "list", "InvalidKeyName"]
    ])
  })

  it("dotted strings and numbers as values are fine; null (delete) is fine", () => {
    const decision = decisionWith((d) => {
      d.appMetadata["plan"] = { tier: "gold.v2", price: "$10", list: ["a.b", 1.5] }
      d.userMetadata["locale"] = null
    })
    assert.deepStrictEqual(Auth0Limits.check(decision), [])
  })

  it("a 33 kB value is refused; exactly 32 kB of one kind passes; each kind is counted on its own", () => {
    const over = decisionWith((d) => {
      d.appMetadata["blob"] = "x".repeat(33 * 1024)
    })
    assert.deepStrictEqual(rulesOf(over), [["app_metadata", undefined, "MetadataTooLarge"]])
    const overUser = decisionWith((d) => {
      d.userMetadata["blob"] = "x".repeat(33 * 1024)
    })
    assert.deepStrictEqual(rulesOf(overUser), [["user_metadata", undefined, "MetadataTooLarge"]])
    const exactly = decisionWith((d) => {
      // 4 bytes of key, 2 quotes, the rest of the value.
      d.appMetadata["blob"] = "x".repeat(32 * 1024 - 6)
      d.userMetadata["blob"] = "x".repeat(32 * 1024 - 6)
    })
    assert.deepStrictEqual(Auth0Limits.check(exactly), [])
    const oneMore = decisionWith((d) => {
      d.appMetadata["blob"] = "x".repeat(32 * 1024 - 5)
    })
    assert.deepStrictEqual(Auth0Limits.check(oneMore), [{
      target: "app_metadata",
      name: undefined,
      rule: "MetadataTooLarge",
      bytes: 32 * 1024 + 1
    }])
  })

  it("an undefined metadata value is refused: null is how a rule deletes a key", () => {
    const decision = decisionWith((d) => {
      d.userMetadata["gone"] = undefined
    })
    assert.deepStrictEqual(rulesOf(decision), [["user_metadata", "gone", "NotJson"]])
  })
})

describe("Auth0Limits.check: scopes and the whole", () => {
  it("invalid scope strings are refused, valid ones are not", () => {
    const decision = decisionWith((d) => {
      d.addScopes.push("read:orders", "bad scope")
      d.removeScopes.push("")
    })
    assert.deepStrictEqual(rulesOf(decision), [["scope", "bad scope", "InvalidScope"], ["scope", "", "InvalidScope"]])
  })

  it("the empty decision and the seed's decision have no violation", () => {
    assert.deepStrictEqual(Auth0Limits.check(Decision.empty()), [])
    const seed = decisionWith((d) => {
      d.idTokenClaims["https://example.com/seller"] = { id: "s1", email: "a@b.example", name: "A" }
      d.idTokenClaims["https://example.com/seller_email_hash"] = "ab".repeat(32)
      d.accessTokenClaims["https://example.com/roles"] = ["USER"]
    })
    assert.deepStrictEqual(Auth0Limits.check(seed), [])
  })

  it("every violation is listed, in order: claims, scopes, app_metadata, user_metadata", () => {
    const decision = decisionWith((d) => {
      d.idTokenClaims["sub"] = "x"
      d.accessTokenClaims["https://x.auth0.com/c"] = "x"
      d.addScopes.push("a b")
      d.appMetadata["email"] = "x"
      d.userMetadata["a.b"] = "x"
    })
    assert.deepStrictEqual(rulesOf(decision), [
      ["idToken", "sub", "RestrictedClaim"],
      ["accessToken", "https://x.auth0.com/c", "IssuerNamespace"],
      ["scope", "a b", "InvalidScope"],
      ["app_metadata", "email", "ForbiddenKey"],
      ["user_metadata", "a.b", "InvalidKeyName"]
    ])
  })

  it("a value JSON cannot serialise at all (a cycle, a BigInt) throws, for apply to count as a violation", () => {
    const cyclic: Record<string, unknown> = {}
    cyclic["self"] = cyclic
    assert.throws(() => Auth0Limits.check(decisionWith((d) => void (d.idTokenClaims["c"] = cyclic))))
    assert.throws(() => Auth0Limits.check(decisionWith((d) => void (d.appMetadata["n"] = 1n))))
  })
})

describe("Auth0Limits.describe", () => {
  it("names the claim or key and the rule, never the value", () => {
    const secretValue = "value-that-must-not-be-logged-4f1"
    const decision = decisionWith((d) => {
      d.idTokenClaims["roles"] = secretValue
      d.appMetadata["email"] = secretValue
      d.userMetadata["blob"] = secretValue.repeat(2000)
    })
    const lines = Auth0Limits.check(decision).map(Auth0Limits.describe)
    assert.deepStrictEqual(lines, [
      "idToken \"roles\": RestrictedClaim",
      "app_metadata \"email\": ForbiddenKey",
      `user_metadata: MetadataTooLarge (${JSON.stringify(secretValue.repeat(2000)).length + 4} bytes)`
    ])
    for (const line of lines) assert.notInclude(line, secretValue)
  })

  it("a long or multi-line name is quoted on one line and cut", () => {
    const line = Auth0Limits.describe({
      target: "idToken",
      name: `a\n${"n".repeat(500)}`,
      rule: "RestrictedClaim",
      bytes: undefined
    })
    assert.notInclude(line, "\n")
    assert.isBelow(line.length, 120)
  })
})

describe("Auth0Limits.checkCacheWrite", () => {
  const empty = new Map<string, number>()

  it("keys up to 64 UTF-8 bytes fit; 65 bytes do not", () => {
    assert.isUndefined(Auth0Limits.checkCacheWrite(empty, "k".repeat(64), "v"))
    assert.strictEqual(Auth0Limits.checkCacheWrite(empty, "k".repeat(65), "v"), "CacheKeySizeExceeded")
    // 33 two-byte characters: 33 characters, 66 bytes.
    assert.strictEqual(Auth0Limits.checkCacheWrite(empty, "é".repeat(33), "v"), "CacheKeySizeExceeded")
  })

  it("values up to 4096 bytes fit; 4097 do not", () => {
    assert.isUndefined(Auth0Limits.checkCacheWrite(empty, "k", "v".repeat(4096)))
    assert.strictEqual(Auth0Limits.checkCacheWrite(empty, "k", "v".repeat(4097)), "CacheValueSizeExceeded")
  })

  it("a 21st entry does not fit, but replacing one of the 20 does", () => {
    const twenty = new Map(Array.from({ length: 20 }, (_, i) => [`k${i}`, 4] as const))
    assert.strictEqual(Auth0Limits.checkCacheWrite(twenty, "k20", "v"), "CacheSizeExceeded")
    assert.isUndefined(Auth0Limits.checkCacheWrite(twenty, "k3", "v"))
  })

  it("keys and values together may not pass 8 kB, counting a replaced entry once", () => {
    const full = new Map([["a", 4097], ["b", 4000]])
    assert.isUndefined(Auth0Limits.checkCacheWrite(full, "c", "x".repeat(94))) // 4097 + 4000 + 1 + 94 = 8192
    assert.strictEqual(Auth0Limits.checkCacheWrite(full, "c", "x".repeat(95)), "CacheSizeExceeded")
    assert.isUndefined(Auth0Limits.checkCacheWrite(full, "b", "x".repeat(4094))) // replaces b: 4097 + 4095
  })

  it("the documented limits", () => {
    assert.deepStrictEqual(Auth0Limits.cache, {
      maxEntries: 20,
      maxKeyBytes: 64,
      maxValueBytes: 4096,
      maxTotalBytes: 8192,
      maxTtlMillis: 86_400_000,
      defaultTtlMillis: 900_000
    })
  })
})
