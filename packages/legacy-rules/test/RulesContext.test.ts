import { assert, describe, it } from "@effect/vitest"
import * as RulesContext from "@rulefx/legacy-rules/RulesContext"
import { fullEvent, minimalEvent } from "./utils/Fixtures.ts"

describe("RulesContext.fromEvent", () => {
  describe("a full post-login v3 event", () => {
    it("user: a copy of event.user with its identities, multifactor, groups and metadata", () => {
      const { user } = RulesContext.fromEvent(fullEvent())
      assert.deepStrictEqual(user, fullEvent()["user"] as RulesContext.RulesUser)
      assert.strictEqual(user.user_id, "auth0|64f0c1")
      assert.deepStrictEqual(user["groups"], ["sellers", "beta"])
      assert.deepStrictEqual(user["multifactor"], ["guardian"])
      assert.deepStrictEqual(user.app_metadata, { plan: "pro", sellerId: "seller-1", nested: { a: 1 } })
      assert.deepStrictEqual(user.user_metadata, { theme: "dark", languages: ["en", "fr"] })
    })

    it("context: every field in the Rules shape", () => {
      const { context } = RulesContext.fromEvent(fullEvent())
      // The guarded fields (connectionOptions, sso.with_*) are not enumerable: a deep comparison does not see them.
      assert.deepStrictEqual<unknown>(context, {
        tenant: "acme-prod",
        clientID: "cli_SPA123",
        clientName: "Acme Shop",
        clientMetadata: { tier: "gold", region: "eu", empty: "" },
        connection: "Username-Password-Authentication",
        connectionID: "con_DB456",
        connectionStrategy: "auth0",
        connectionMetadata: { source: "legacy" },
        protocol: "oidc-basic-profile",
        request: {
          userAgent: "Mozilla/5.0 (X11; Linux x86_64)",
          ip: "203.0.113.7",
          hostname: "login.acme.example",
          query: { prompt: "login", scope: "openid profile email", audience: "https://api.acme.example" },
          body: { extra: "value" },
          geoip: {
            city_name: "London",
            continent_code: "EU",
            country_code: "GB",
            country_code3: "GBR",
            country_name: "United Kingdom",
            latitude: 51.5,
            longitude: -0.12,
            subdivision_code: "ENG",
            subdivision_name: "England",
            time_zone: "Europe/London"
          }
        },
        stats: { loginsCount: 42 },
        sso: { current_clients: ["cli_SPA123", "cli_Other"] },
        sessionID: "sess_789",
        accessToken: {},
        idToken: {},
        multifactor: undefined,
        redirect: undefined,
        primaryUser: undefined,
        authentication: {
          methods: [
            { name: "pwd", timestamp: 1714979289000 },
            { name: "mfa", timestamp: 1714979350500, type: "otp" }
          ]
        },
        authorization: { roles: ["admin", "seller"] },
        organization: { id: "org_1", name: "acme", display_name: "Acme Inc.", metadata: { plan: "enterprise" } },
        riskAssessment: {
          confidence: "high",
          version: "1",
          assessments: { NewDevice: { code: "match", confidence: "high" } }
        },
        samlConfiguration: {}
      })
    })

    it("geoip: the eight camelCase keys are renamed to snake_case, latitude and longitude kept", () => {
      const { geoip } = RulesContext.fromEvent(fullEvent()).context.request
      assert.sameMembers(Object.keys(geoip), [
        "city_name",
        "continent_code",
        "country_code",
        "country_code3",
        "country_name",
        "latitude",
        "longitude",
        "subdivision_code",
        "subdivision_name",
        "time_zone"
      ])
      for (const camel of ["cityName", "countryCode", "countryCode3", "countryName", "timeZone", "continentCode"]) {
        assert.isFalse(camel in geoip, camel)
      }
    })

    it("geoip: an unknown key is kept under its own name", () => {
      const event = fullEvent()
      ;(event["request"] as Record<string, unknown>)["geoip"] = { countryCode: "FR", postalCode: "75001" }
      assert.deepStrictEqual(RulesContext.fromEvent(event).context.request.geoip, {
        country_code: "FR",
        postalCode: "75001"
      })
    })

    it("geoip: a key named like an Object.prototype member is kept under its own name", () => {
      const event = fullEvent()
      ;(event["request"] as Record<string, unknown>)["geoip"] = { countryCode: "FR", constructor: "x", toString: "y" }
      const { geoip } = RulesContext.fromEvent(event).context.request
      assert.deepStrictEqual(Object.keys(geoip).toSorted(), ["constructor", "country_code", "toString"])
      assert.strictEqual(geoip["constructor"], "x")
      assert.strictEqual(geoip["toString"], "y")
    })

    it("authentication timestamps are epoch milliseconds (numbers), whatever the ISO offset", () => {
      const event = fullEvent()
      ;(event["authentication"] as Record<string, unknown>)["methods"] = [
        { name: "federated", timestamp: "2024-05-06T09:08:09.250+02:00" },
        { name: "pwd", timestamp: 1714979289000 }
      ]
      const { methods } = RulesContext.fromEvent(event).context.authentication
      assert.deepStrictEqual(methods, [
        { name: "federated", timestamp: 1714979289250 },
        { name: "pwd", timestamp: 1714979289000 }
      ])
      for (const m of methods) assert.strictEqual(typeof m.timestamp, "number")
    })

    it("resumed: protocol is redirect-callback, whatever the transaction says", () => {
      const { context } = RulesContext.fromEvent(fullEvent(), { resumed: true })
      assert.strictEqual(context.protocol, "redirect-callback")
      assert.strictEqual(RulesContext.redirectCallback, "redirect-callback")
      assert.strictEqual(RulesContext.fromEvent(fullEvent(), { resumed: false }).context.protocol, "oidc-basic-profile")
    })
  })

  describe("metadata", () => {
    it("app_metadata and user_metadata missing from the event: empty objects", () => {
      const event = fullEvent()
      const user = event["user"] as Record<string, unknown>
      delete user["app_metadata"]
      delete user["user_metadata"]
      const result = RulesContext.fromEvent(event).user
      assert.deepStrictEqual(result.app_metadata, {})
      assert.deepStrictEqual(result.user_metadata, {})
    })

    it.each([null, 42, "text", ["a"], true])("metadata that is not an object (%j): empty objects", (bad) => {
      const event = fullEvent()
      const user = event["user"] as Record<string, unknown>
      user["app_metadata"] = bad
      user["user_metadata"] = bad
      const result = RulesContext.fromEvent(event).user
      assert.deepStrictEqual(result.app_metadata, {})
      assert.deepStrictEqual(result.user_metadata, {})
    })

    it("client and connection metadata keep only string values", () => {
      const { context } = RulesContext.fromEvent(fullEvent())
      assert.deepStrictEqual(context.clientMetadata, { tier: "gold", region: "eu", empty: "" })
      assert.deepStrictEqual(context.connectionMetadata, { source: "legacy" })
    })
  })

  describe("copies", () => {
    it("mutating the result never changes the event", () => {
      const event = fullEvent()
      const { context, user } = RulesContext.fromEvent(event)
      user.app_metadata["plan"] = "free"
      ;(user.app_metadata["nested"] as Record<string, unknown>)["a"] = 2
      ;(user.user_metadata["languages"] as Array<string>).push("de")
      ;(user["identities"] as Array<Record<string, unknown>>)[0]!["provider"] = "changed"
      ;(user["groups"] as Array<string>).push("admins")
      user.email = "mallory@evil.example"
      context.request.query["prompt"] = "none"
      context.request.body["extra"] = "changed"
      context.request.geoip["latitude"] = 0
      context.authorization.roles.push("root")
      ;(context.organization!["metadata"] as Record<string, unknown>)["plan"] = "free"
      ;(context.riskAssessment!["assessments"] as Record<string, Record<string, unknown>>)["NewDevice"]![
        "confidence"
      ] = "low"
      context.authentication.methods[0]!.name = "changed"
      context.sso.current_clients.push("cli_x")
      assert.deepStrictEqual(event, fullEvent())
    })

    it("two calls give independent objects", () => {
      const event = fullEvent()
      const a = RulesContext.fromEvent(event)
      const b = RulesContext.fromEvent(event)
      assert.notStrictEqual(a.user, b.user)
      assert.notStrictEqual(a.user.app_metadata, b.user.app_metadata)
      assert.notStrictEqual(a.user["identities"], b.user["identities"])
      assert.notStrictEqual(a.context, b.context)
      assert.notStrictEqual(a.context.idToken, b.context.idToken)
      assert.notStrictEqual(a.context.accessToken, b.context.accessToken)
      a.user.app_metadata["plan"] = "free"
      ;(a.user["identities"] as Array<Record<string, unknown>>)[0]!["provider"] = "changed"
      a.context.idToken["x"] = 1
      a.context.accessToken["y"] = 2
      a.context.request.geoip["country_code"] = "FR"
      a.context.clientMetadata["tier"] = "bronze"
      assert.deepStrictEqual(b, RulesContext.fromEvent(fullEvent()))
    })
  })

  describe("sparse and malformed events", () => {
    it("a minimal event: sane defaults", () => {
      const { context, user } = RulesContext.fromEvent(minimalEvent())
      assert.deepStrictEqual(user, { user_id: "auth0|min", app_metadata: {}, user_metadata: {} })
      assert.deepStrictEqual<unknown>(context, {
        tenant: undefined,
        clientID: "cli_min",
        clientName: "",
        clientMetadata: {},
        connection: "",
        connectionID: "",
        connectionStrategy: "",
        connectionMetadata: {},
        protocol: undefined,
        request: {
          userAgent: undefined,
          ip: "198.51.100.1",
          hostname: undefined,
          query: {},
          body: {},
          geoip: {}
        },
        stats: { loginsCount: 0 },
        sso: { current_clients: [] } as unknown,
        sessionID: undefined,
        accessToken: {},
        idToken: {},
        multifactor: undefined,
        redirect: undefined,
        primaryUser: undefined,
        authentication: { methods: [] },
        authorization: { roles: [] },
        organization: undefined,
        riskAssessment: undefined,
        samlConfiguration: {}
      })
    })

    it("an empty event never throws", () => {
      const { context, user } = RulesContext.fromEvent({})
      assert.deepStrictEqual(user.app_metadata, {})
      assert.deepStrictEqual(context.request.geoip, {})
      assert.deepStrictEqual(context.authentication.methods, [])
    })

    it("numbers, strings and arrays where objects are expected never throw and read as empty", () => {
      const event = {
        user: { user_id: "auth0|g", app_metadata: 1, user_metadata: "x", identities: 5 },
        client: { client_id: "cli_g", name: 7, metadata: 3 },
        connection: 9,
        request: { ip: "192.0.2.1", geoip: 4, query: 2, body: "text", user_agent: 11, hostname: false },
        stats: { logins_count: "many" },
        transaction: { protocol: 12, requested_scopes: "openid" },
        authentication: { methods: 3, riskAssessment: "high" },
        authorization: { roles: "admin" },
        organization: 5,
        session: { id: 6, clients: "cli_a" },
        tenant: 8
      }
      const { context, user } = RulesContext.fromEvent(event)
      assert.strictEqual(user.user_id, "auth0|g")
      assert.deepStrictEqual(user.app_metadata, {})
      assert.deepStrictEqual(user.user_metadata, {})
      assert.strictEqual(context.clientID, "cli_g")
      assert.deepStrictEqual(context.clientMetadata, {})
      assert.strictEqual(context.connection, "")
      assert.deepStrictEqual(context.connectionMetadata, {})
      assert.deepStrictEqual(context.request, {
        userAgent: undefined,
        ip: "192.0.2.1",
        hostname: undefined,
        query: {},
        body: {},
        geoip: {}
      })
      assert.deepStrictEqual(context.stats, { loginsCount: 0 })
      assert.isUndefined(context.protocol)
      assert.deepStrictEqual(context.authentication, { methods: [] })
      assert.isUndefined(context.riskAssessment)
      assert.deepStrictEqual(context.authorization, { roles: [] })
      assert.isUndefined(context.organization)
      assert.isUndefined(context.sessionID)
      assert.deepStrictEqual(context.sso.current_clients, [])
      assert.isUndefined(context.tenant)
    })

    it("top-level sections that are not objects never throw", () => {
      for (const bad of [null, 0, "x", [], true]) {
        const event = {
          user: bad,
          client: bad,
          connection: bad,
          request: bad,
          transaction: bad,
          authentication: bad,
          authorization: bad,
          organization: bad,
          session: bad,
          stats: bad,
          tenant: bad
        }
        const { context, user } = RulesContext.fromEvent(event)
        assert.deepStrictEqual(user.app_metadata, {})
        assert.strictEqual(context.clientID, "")
        assert.strictEqual(context.request.ip, "")
        assert.deepStrictEqual(context.authorization.roles, [])
      }
    })

    it("garbage entries inside lists are skipped or coerced, never thrown on", () => {
      const event = fullEvent()
      ;(event["authentication"] as Record<string, unknown>)["methods"] = [
        3,
        null,
        "pwd",
        { name: "sms", timestamp: "not a date" }
      ]
      ;(event["authorization"] as Record<string, unknown>)["roles"] = ["admin", 3, null, "seller"]
      ;(event["session"] as Record<string, unknown>)["clients"] = [1, { client_id: "cli_a" }]
      const { context } = RulesContext.fromEvent(event)
      assert.strictEqual(context.authentication.methods.length, 1)
      assert.strictEqual(context.authentication.methods[0]!.name, "sms")
      assert.isNaN(context.authentication.methods[0]!.timestamp)
      assert.deepStrictEqual(context.authorization.roles, ["admin", "seller"])
      assert.deepStrictEqual(context.sso.current_clients, ["cli_a"])
    })
  })
  describe("fields with no Actions equivalent ask the guard", () => {
    it("without a guard they read as empty; they are not enumerable, so dumping context trips nothing", () => {
      const { context, user } = RulesContext.fromEvent(fullEvent())
      assert.deepStrictEqual(context.connectionOptions, {})
      assert.strictEqual(context.sso.with_auth0, false)
      assert.strictEqual(context.sso.with_dbconn, false)
      assert.isUndefined(user["permissions"])
      assert.notInclude(Object.keys(context), "connectionOptions")
      assert.deepStrictEqual(Object.keys(context.sso), ["current_clients"])
    })

    it("each read calls the guard with the construct, which may refuse it by throwing", () => {
      const asked: Array<string> = []
      const { context, user } = RulesContext.fromEvent(fullEvent(), {
        guard: (construct) => {
          asked.push(construct)
          if (construct === "context.connectionOptions") throw new Error("refused")
        }
      })
      assert.throws(() => context.connectionOptions, "refused")
      assert.strictEqual(context.sso.with_auth0, false)
      assert.strictEqual(context.sso.with_dbconn, false)
      assert.isUndefined(user["permissions"])
      JSON.stringify({ context, user })
      assert.deepStrictEqual(asked, [
        "context.connectionOptions",
        "context.sso.with_auth0",
        "context.sso.with_dbconn",
        "user.permissions"
      ])
    })

    it("a value a rule assigns is read back without the guard", () => {
      const { context } = RulesContext.fromEvent(fullEvent(), {
        guard: () => {
          throw new Error("refused")
        }
      })
      context.connectionOptions = { tenant_domain: "set.example" }
      assert.deepStrictEqual(context.connectionOptions, { tenant_domain: "set.example" })
    })

    it("a user whose event has permissions keeps them as they are", () => {
      const event = fullEvent() as { user: Record<string, unknown> }
      event.user["permissions"] = ["read:x"]
      const { user } = RulesContext.fromEvent(event, {
        guard: () => {
          throw new Error("refused")
        }
      })
      assert.deepStrictEqual(user["permissions"], ["read:x"])
    })
  })
})
