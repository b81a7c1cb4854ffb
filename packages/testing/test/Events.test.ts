import { assert, describe, it } from "@effect/vitest"
import * as Auth0Event from "@rulefx/adapter-auth0/Auth0Event"
import * as Events from "@rulefx/testing/Events"
import * as Effect from "effect/Effect"

describe("Events", () => {
  it.effect("postLogin and minimal are events the adapter decodes", () =>
    Effect.gen(function*() {
      const full = yield* Auth0Event.decode(Events.postLogin())
      assert.strictEqual(full.login.connection.name, "Username-Password-Authentication")
      assert.isTrue(full.login.user.emailVerified)
      const minimal = yield* Auth0Event.decode(Events.minimal())
      assert.deepStrictEqual(minimal.login.user.appMetadata, {})
      assert.deepStrictEqual(Object.keys(Events.minimal()).toSorted(), ["client", "request", "user"])
    }))

  it("a section given is merged one level deep: its fields replace the default's, the others stay", () => {
    const event = Events.postLogin({ user: { user_id: "auth0|ada", app_metadata: { roles: ["ADMIN"] } } })
    const user = event["user"] as Record<string, unknown>
    assert.strictEqual(user["user_id"], "auth0|ada")
    assert.deepStrictEqual(user["app_metadata"], { roles: ["ADMIN"] })
    assert.strictEqual(user["email"], "ada@example.com")
    assert.deepStrictEqual(event["client"], Events.postLogin()["client"])
  })

  it("undefined removes a field or a whole section", () => {
    const event = Events.postLogin({ user: { email: undefined }, connection: undefined })
    assert.isFalse(Object.hasOwn(event["user"] as object, "email"))
    assert.isFalse(Object.hasOwn(event, "connection"))
  })

  it("a value that is not a section replaces it (an array, a number, a malformed section)", () => {
    const event = Events.minimal({ user: [1], request: 7, extra: { a: 1 } })
    assert.deepStrictEqual(event["user"], [1])
    assert.strictEqual(event["request"], 7)
    assert.deepStrictEqual(event["extra"], { a: 1 })
  })

  it("every call returns a fresh object: changing one event changes no other", () => {
    const first = Events.postLogin()
    ;(first["user"] as Record<string, unknown>)["user_id"] = "changed"
    ;((first["transaction"] as Record<string, unknown>)["requested_scopes"] as Array<string>).push("changed")
    const second = Events.postLogin()
    assert.notStrictEqual((second["user"] as Record<string, unknown>)["user_id"], "changed")
    assert.notInclude(
      (second["transaction"] as Record<string, unknown>)["requested_scopes"] as Array<string>,
      "changed"
    )
  })

  it("merge leaves the event it merges into as it was", () => {
    const base = Events.minimal()
    const merged = Events.merge(base, { user: { user_id: "auth0|other" } })
    assert.strictEqual((base["user"] as Record<string, unknown>)["user_id"], "auth0|minimal")
    assert.strictEqual((merged["user"] as Record<string, unknown>)["user_id"], "auth0|other")
  })
})
