import { assert, describe, it } from "@effect/vitest"
import * as Login from "@rulefx/core/Login"
import * as Logins from "@rulefx/testing/Logins"
import * as Effect from "effect/Effect"

describe("Logins", () => {
  it("a verified database user on an application without metadata, by default", () => {
    const login = Logins.make()
    assert.strictEqual(login.user.id, "auth0|test-user")
    assert.isTrue(login.user.emailVerified)
    assert.deepStrictEqual(login.client.metadata, {})
    assert.deepStrictEqual(login.connection, {
      id: "con_test",
      name: "Username-Password-Authentication",
      strategy: "auth0"
    })
    assert.strictEqual(login.transaction.protocol, "oidc-basic-profile")
  })

  it("overrides replace the fields given and keep the others", () => {
    const login = Logins.make({ user: { id: "auth0|ada", roles: ["ADMIN"] }, client: { metadata: { a: "b" } } })
    assert.strictEqual(login.user.id, "auth0|ada")
    assert.deepStrictEqual(login.user.roles, ["ADMIN"])
    assert.strictEqual(login.user.email, "user@example.com")
    assert.deepStrictEqual(login.client, { id: "test-client", name: "Test App", metadata: { a: "b" } })
  })

  it("core's Login.make has no provider's defaults: what is not given is absent or empty", () => {
    const login = Login.make({ user: { id: "u" }, client: { id: "c" }, request: { ip: "198.51.100.1" } })
    assert.isUndefined(login.user.email)
    assert.isFalse(login.user.emailVerified)
    assert.strictEqual(login.user.loginsCount, 0)
    assert.deepStrictEqual(login.connection, { id: "", name: "", strategy: "" })
    assert.isUndefined(login.transaction.protocol)
  })

  it.effect("layer provides the login", () =>
    Effect.gen(function*() {
      const login = yield* Login.Login
      assert.strictEqual(login.user.id, "auth0|layer")
    }).pipe(Effect.provide(Logins.layer({ user: { id: "auth0|layer" } }))))
})
