import { assert, describe, it } from "@effect/vitest"
import * as Auth0Event from "@rulefx/adapter-auth0/Auth0Event"
import * as Leaks from "@rulefx/testing/Leaks"
import * as Effect from "effect/Effect"
import { fullEvent, intercomSecret, minimalEvent } from "./utils/Events.ts"

const sensitive = "SENSITIVE-VALUE-9f31c2"

const issuesOf = (event: unknown) =>
  Effect.gen(function*() {
    const error = yield* Effect.flip(Auth0Event.decode(event))
    assert.instanceOf(error, Auth0Event.InvalidEvent)
    assert.strictEqual(error._tag, "InvalidEvent")
    assert.isAbove(error.issues.length, 0)
    return error.issues
  })

describe("Auth0Event.decode", () => {
  it.effect("a full post-login event decodes to the Login model", () =>
    Effect.gen(function*() {
      const event = fullEvent()
      const { login, secrets } = yield* Auth0Event.decode(event)
      const { configuration: _configuration, secrets: _secrets, ...raw } = event
      assert.deepStrictEqual(login, {
        user: {
          id: "auth0|64f0c0ffee",
          email: "ada@shop.example",
          emailVerified: true,
          name: "Ada Lovelace",
          nickname: "ada",
          username: "ada",
          phoneNumber: "+15555550100",
          createdAt: "2024-01-02T03:04:05.000Z",
          appMetadata: { sellerId: "seller-1", roles: ["ADMIN"], plan: { tier: "gold" } },
          userMetadata: { locale: "en-GB" },
          roles: ["rbac-admin", "rbac-viewer"],
          loginsCount: 42
        },
        client: { id: "cli_9aQ2xZ", name: "Shop Admin", metadata: { allowed_roles: "USER, ADMIN", theme: "dark" } },
        connection: { id: "con_db42", name: "Username-Password-Authentication", strategy: "auth0" },
        request: {
          ip: "2001:db8::1",
          hostname: "login.shop.example",
          userAgent: "Mozilla/5.0 (X11; Linux x86_64)",
          countryCode: "GB",
          query: { prompt: "login", acr_values: "" }
        },
        transaction: {
          protocol: "oidc-basic-profile",
          requestedScopes: ["openid", "profile", "email"],
          audience: "https://api.shop.example",
          metadata: {}
        },
        raw
      })
      assert.isFalse(Object.hasOwn(login.raw, "secrets"), "secrets never reach the raw event")
      const withConfiguration = yield* Auth0Event.decode({ ...event, configuration: { PRIVATE: "x" } })
      assert.deepStrictEqual(withConfiguration.login.raw, raw, "nor Auth0's private configuration")
      assert.deepStrictEqual(secrets, {
        INTERCOM_SECRET: intercomSecret,
        SELLER_API_URL: "https://sellers.internal.example/api"
      })
    }))

  it.effect("fields rulefx does not read are dropped, not carried into the model", () =>
    Effect.gen(function*() {
      const { login } = yield* Auth0Event.decode(fullEvent())
      assert.isFalse(Object.hasOwn(login.user, "groups"))
      assert.isFalse(Object.hasOwn(login.user, "identities"))
      assert.isFalse(Object.hasOwn(login.connection, "metadata"))
      assert.isFalse(Object.hasOwn(login.request, "geoip"))
      assert.isFalse(Object.hasOwn(login, "organization"))
    }))

  it.effect("missing optional objects get defaults", () =>
    Effect.gen(function*() {
      const { login, secrets } = yield* Auth0Event.decode({
        user: { user_id: "auth0|bare" },
        client: { client_id: "cli_bare" },
        request: { ip: "198.51.100.7" }
      })
      assert.deepStrictEqual(login, {
        user: {
          id: "auth0|bare",
          email: undefined,
          emailVerified: false,
          name: undefined,
          nickname: undefined,
          username: undefined,
          phoneNumber: undefined,
          createdAt: undefined,
          appMetadata: {},
          userMetadata: {},
          roles: [],
          loginsCount: 0
        },
        client: { id: "cli_bare", name: "", metadata: {} },
        connection: { id: "", name: "", strategy: "" },
        request: { ip: "198.51.100.7", hostname: undefined, userAgent: undefined, countryCode: undefined, query: {} },
        transaction: { protocol: undefined, requestedScopes: [], audience: undefined },
        raw: { user: { user_id: "auth0|bare" }, client: { client_id: "cli_bare" }, request: { ip: "198.51.100.7" } }
      })
      assert.deepStrictEqual(secrets, {})
    }))

  it.effect("partly filled optional objects: the missing members get their defaults", () =>
    Effect.gen(function*() {
      const { login } = yield* Auth0Event.decode({
        ...minimalEvent(),
        transaction: { protocol: "oauth2-refresh-token" },
        authorization: {},
        stats: {},
        resource_server: {},
        connection: { strategy: "google-oauth2" }
      })
      assert.deepStrictEqual(login.transaction, {
        protocol: "oauth2-refresh-token",
        requestedScopes: [],
        audience: undefined
      })
      assert.deepStrictEqual(login.user.roles, [])
      assert.strictEqual(login.user.loginsCount, 0)
      assert.deepStrictEqual(login.connection, { id: "", name: "", strategy: "google-oauth2" })
    }))

  it.effect("extra fields at every level are ignored", () =>
    Effect.gen(function*() {
      const base = fullEvent()
      const event = {
        ...base,
        brand_new_top_level: { anything: [1, 2, 3] },
        user: { ...(base["user"] as object), extra: Symbol.for("x"), nested: { deep: true } },
        client: { ...(base["client"] as object), refresh_token: { policies: [] } },
        request: { ...(base["request"] as object), novel: null }
      }
      const { login } = yield* Auth0Event.decode(event)
      assert.strictEqual(login.user.id, "auth0|64f0c0ffee")
      assert.strictEqual(login.request.countryCode, "GB")
    }))

  it.effect("missing user.user_id: InvalidEvent naming the path", () =>
    Effect.gen(function*() {
      const event = minimalEvent()
      const issues = yield* issuesOf({ ...event, user: { email: sensitive, app_metadata: {} } })
      assert.isTrue(issues.some((issue) => issue.startsWith("user.user_id:")), issues.join("; "))
      Leaks.assertNone(issues.join("\n"), [sensitive])
    }))

  it.effect("an empty user.user_id is as bad as a missing one", () =>
    Effect.gen(function*() {
      const issues = yield* issuesOf(minimalEvent({ userId: "" }))
      assert.isTrue(issues.some((issue) => issue.startsWith("user.user_id:")), issues.join("; "))
    }))

  it.effect("missing request.ip: InvalidEvent naming the path", () =>
    Effect.gen(function*() {
      const issues = yield* issuesOf({ ...minimalEvent(), request: { hostname: sensitive } })
      assert.isTrue(issues.some((issue) => issue.startsWith("request.ip:")), issues.join("; "))
      Leaks.assertNone(issues.join("\n"), [sensitive])
    }))

  it.effect("a request.ip of the wrong type: the issue names the path, never the value", () =>
    Effect.gen(function*() {
      const issues = yield* issuesOf({ ...minimalEvent(), request: { ip: { leaked: sensitive } } })
      assert.isTrue(issues.some((issue) => issue.startsWith("request.ip:")), issues.join("; "))
      Leaks.assertNone(issues.join("\n"), [sensitive, "leaked"])
    }))

  it.effect.each(
    [
      ["a string", sensitive],
      ["a number", 987654321],
      ["a boolean", true],
      ["null", null],
      ["an array", [sensitive]]
    ] as const
  )("app_metadata that is %s: InvalidEvent naming user.app_metadata", ([, value]) =>
    Effect.gen(function*() {
      const event = minimalEvent()
      const issues = yield* issuesOf({ ...event, user: { ...(event["user"] as object), app_metadata: value } })
      assert.isTrue(issues.some((issue) => issue.startsWith("user.app_metadata:")), issues.join("; "))
      Leaks.assertNone(issues.join("\n"), [sensitive, "987654321"])
    }))

  it.effect("user_metadata that is not an object: InvalidEvent naming user.user_metadata", () =>
    Effect.gen(function*() {
      const event = minimalEvent()
      const issues = yield* issuesOf({ ...event, user: { ...(event["user"] as object), user_metadata: sensitive } })
      assert.isTrue(issues.some((issue) => issue.startsWith("user.user_metadata:")), issues.join("; "))
      Leaks.assertNone(issues.join("\n"), [sensitive])
    }))

  it.effect("a client metadata value that is not a string: the path names the key, not the value", () =>
    Effect.gen(function*() {
      const issues = yield* issuesOf(
        minimalEvent({ clientMetadata: { allowed_roles: "USER", feature: { token: sensitive } } })
      )
      assert.isTrue(issues.some((issue) => issue.startsWith("client.metadata.feature:")), issues.join("; "))
      Leaks.assertNone(issues.join("\n"), [sensitive, "token"])
    }))

  it.effect("a numeric client metadata value is refused too (Auth0 documents Dict<string>)", () =>
    Effect.gen(function*() {
      const issues = yield* issuesOf(minimalEvent({ clientMetadata: { allowed_roles: 987654321 } }))
      assert.isTrue(issues.some((issue) => issue.startsWith("client.metadata.allowed_roles:")), issues.join("; "))
      Leaks.assertNone(issues.join("\n"), ["987654321"])
    }))

  it.effect.each(
    [
      ["null", null],
      ["undefined", undefined],
      ["a string", sensitive],
      ["a number", 7],
      ["an array", [minimalEvent()]],
      ["an empty object", {}]
    ] as const
  )("an event that is %s: InvalidEvent, not a TypeError", ([, event]) =>
    Effect.gen(function*() {
      const issues = yield* issuesOf(event)
      Leaks.assertNone(issues.join("\n"), [sensitive])
    }))

  it.effect("many problems at once: at most three issues, each naming a path", () =>
    Effect.gen(function*() {
      const issues = yield* issuesOf({
        user: { user_id: 1, email: 2, name: 3, app_metadata: 4, user_metadata: 5 },
        client: { client_id: 6, metadata: 7 },
        request: { ip: 8 }
      })
      assert.strictEqual(issues.length, 3)
      for (const issue of issues) assert.match(issue, /^[a-z_]+(\.[a-z_]+)*: Invalid type: Expected [a-z]+$/i)
    }))

  it.effect("secrets: values that are not strings are kept as given (Secrets treats them as absent)", () =>
    Effect.gen(function*() {
      const { secrets } = yield* Auth0Event.decode(minimalEvent({ secrets: { A: "a", B: 1 } }))
      assert.deepStrictEqual(secrets, { A: "a", B: 1 })
    }))

  it.effect("non-object secrets: InvalidEvent naming secrets", () =>
    Effect.gen(function*() {
      const issues = yield* issuesOf({ ...minimalEvent(), secrets: sensitive })
      assert.isTrue(issues.some((issue) => issue.startsWith("secrets:")), issues.join("; "))
      Leaks.assertNone(issues.join("\n"), [sensitive])
    }))
})

describe("Auth0Event.decode, the continue pass's fields", () => {
  it.effect("transaction metadata (scalars) and a form's submission reach the Login", () =>
    Effect.gen(function*() {
      const event = {
        ...minimalEvent(),
        transaction: { protocol: "oidc-basic-profile", metadata: { step: 2, ok: true, who: "ada" } },
        prompt: { id: "ap_1", fields: { age: 30 } }
      }
      const { login } = yield* Auth0Event.decode(event)
      assert.deepStrictEqual(login.transaction.metadata, { step: 2, ok: true, who: "ada" })
      assert.deepStrictEqual(login.transaction.prompt, { id: "ap_1", fields: { age: 30 }, vars: {} })
    }))

  it.effect("an event without them has neither", () =>
    Effect.gen(function*() {
      const { login } = yield* Auth0Event.decode(minimalEvent())
      assert.isFalse("metadata" in login.transaction)
      assert.isFalse("prompt" in login.transaction)
    }))

  it.effect("malformed ones do not fail the event: metadata is decoded by the facts that read it, a prompt without an id is none", () =>
    Effect.gen(function*() {
      const nested = yield* Auth0Event.decode({ ...minimalEvent(), transaction: { metadata: { a: { b: 1 } } } })
      assert.deepStrictEqual(nested.login.transaction.metadata, { a: { b: 1 } })
      const notObject = yield* Auth0Event.decode({ ...minimalEvent(), transaction: { metadata: "x" }, prompt: "y" })
      assert.isFalse("metadata" in notObject.login.transaction)
      assert.isFalse("prompt" in notObject.login.transaction)
      const noId = yield* Auth0Event.decode({ ...minimalEvent(), prompt: { fields: {} } })
      assert.isFalse("prompt" in noId.login.transaction)
      const fieldsNotObject = yield* Auth0Event.decode({ ...minimalEvent(), prompt: { id: "ap_1", fields: [1] } })
      assert.deepStrictEqual(fieldsNotObject.login.transaction.prompt, { id: "ap_1", fields: {}, vars: {} })
    }))
})
