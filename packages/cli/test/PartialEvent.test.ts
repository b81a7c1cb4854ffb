import { assert, describe, it } from "@effect/vitest"
import * as Auth0Event from "@rulefx/adapter-auth0/Auth0Event"
import * as PartialEvent from "@rulefx/cli/PartialEvent"
import * as Events from "@rulefx/testing/Events"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"

const at = (event: Readonly<Record<string, unknown>>, path: string): unknown => {
  const [section, field] = path.split(".")
  return (event[section!] as Readonly<Record<string, unknown>> | undefined)?.[field!]
}

describe("PartialEvent", () => {
  it("every field Auth0 always sends has a realistic default in Events.postLogin", () => {
    const defaults = Events.postLogin()
    for (const path of PartialEvent.required) assert.isDefined(at(defaults, path), path)
  })

  it("a complete event: nothing missing, returned unchanged", () => {
    const event = Events.postLogin({ user: { app_metadata: { plan: "gold" } } })
    assert.deepStrictEqual(PartialEvent.missing(event), [])
    assert.deepStrictEqual(PartialEvent.complete(event), { event, filled: [] })
  })

  it("the smallest event Auth0 could send: absent sections by name, missing fields by path", () => {
    assert.deepStrictEqual(PartialEvent.missing(Events.minimal()), [
      "tenant",
      "client.name",
      "client.metadata",
      "connection",
      "user.created_at",
      "user.updated_at",
      "user.app_metadata",
      "user.user_metadata",
      "user.identities",
      "request.method",
      "request.query",
      "request.body",
      "request.geoip",
      "stats"
    ])
  })

  it("complete fills each missing field with the default, keeps every field given, adds nothing optional", () => {
    const written = {
      user: { user_id: "auth0|ada", app_metadata: { roles: ["ADMIN"] } },
      client: { client_id: "cli_1", metadata: { allowed_roles: "ADMIN" } },
      request: { ip: "198.51.100.4", query: { prompt: "login" } }
    }
    const { event, filled } = PartialEvent.complete(written)
    assert.deepStrictEqual(filled, PartialEvent.missing(written))
    const defaults = Events.postLogin()
    for (const path of PartialEvent.required.filter((p) => p !== "user.identities")) {
      assert.deepStrictEqual(at(event, path), at(written, path) ?? at(defaults, path), path)
    }
    // Optional fields stay absent: an email, a transaction, roles.
    assert.isUndefined(at(event, "user.email"))
    assert.isUndefined(at(event, "user.email_verified"))
    assert.isUndefined(event["transaction"])
    assert.isUndefined(event["authorization"])
    assert.deepStrictEqual(written.user, { user_id: "auth0|ada", app_metadata: { roles: ["ADMIN"] } })
  })

  it("the filled identity is the user's own: provider and id from user_id, the event's connection", () => {
    const social = PartialEvent.complete({
      user: { user_id: "google-oauth2|1234" },
      connection: { id: "con_g", name: "google-oauth2", strategy: "google-oauth2" }
    })
    assert.deepStrictEqual(at(social.event, "user.identities"), [
      { connection: "google-oauth2", provider: "google-oauth2", user_id: "1234", isSocial: true }
    ])
    const database = PartialEvent.complete({ user: { user_id: "auth0|ada" } })
    assert.deepStrictEqual(at(database.event, "user.identities"), [
      { connection: "Username-Password-Authentication", provider: "auth0", user_id: "ada", isSocial: false }
    ])
  })

  it.effect("a completed event is one rulefx reads, even from an empty object", () =>
    Effect.gen(function*() {
      for (const written of [{}, Events.minimal(), { user: { user_id: "auth0|x" } }]) {
        const exit = yield* Effect.exit(Auth0Event.decode(PartialEvent.complete(written).event))
        assert.isTrue(Exit.isSuccess(exit), JSON.stringify(written))
      }
    }))

  it("decisive: the filled fields that can change a rule's outcome, with the defaults they got", () => {
    const all = [
      "request.geoip (London, GB)",
      "stats.logins_count (1)",
      "connection (Username-Password-Authentication, strategy auth0)",
      "client.metadata (none)",
      "user.user_id (auth0|64f0c0ffee1234)",
      "user.app_metadata (none)",
      "user.user_metadata (none)"
    ]
    // minimal() has a user id and a client id, no metadata.
    assert.deepStrictEqual(
      PartialEvent.decisive(PartialEvent.missing(Events.minimal())),
      all.filter((note) => !note.startsWith("user.user_id"))
    )
    assert.deepStrictEqual(PartialEvent.decisive(["request", "stats", "connection", "client", "user"]), all)
    assert.deepStrictEqual(PartialEvent.decisive(["connection.strategy"]), [all[2]])
    assert.deepStrictEqual(
      PartialEvent.decisive(["tenant", "user.created_at", "request.method", "client.name"]),
      []
    )
    assert.deepStrictEqual(PartialEvent.decisive([]), [])
  })

  it("absent: the optional user fields rules decide by that the event leaves out, never filled", () => {
    assert.deepStrictEqual(PartialEvent.absent({ user: { email: "x@acme.com" } }), [
      "user.email_verified (absent: not verified)"
    ])
    assert.deepStrictEqual(PartialEvent.absent({}), [
      "user.email_verified (absent: not verified)",
      "user.email (absent: no email)"
    ])
    assert.deepStrictEqual(PartialEvent.absent(Events.postLogin()), [])
    // false is written, not absent; a user that is not an object is the event's check's to refuse.
    assert.deepStrictEqual(PartialEvent.absent({ user: { email: "x@acme.com", email_verified: false } }), [])
    assert.deepStrictEqual(PartialEvent.absent({ user: "ada" }), [])
    // complete never fills them.
    assert.deepStrictEqual(PartialEvent.absent(PartialEvent.complete({ user: { email: "x@acme.com" } }).event), [
      "user.email_verified (absent: not verified)"
    ])
  })

  it("a section that is not an object is left alone (for the event's check to refuse)", () => {
    const { event, filled } = PartialEvent.complete({ ...Events.minimal(), user: "ada", request: null })
    assert.strictEqual(event["user"], "ada")
    assert.strictEqual(event["request"], null)
    assert.notInclude(filled, "user")
    assert.isFalse(filled.some((path) => path.startsWith("user.") || path.startsWith("request")))
  })
})
