import { assert, describe, it } from "@effect/vitest"
import * as Hmac from "@rulefx/testing/Hmac"

describe("Hmac.hex", () => {
  it("is HMAC-SHA256 as lower-case hex (RFC 4231 test case 2)", () => {
    assert.strictEqual(
      Hmac.hex("Jefe", "what do ya want for nothing?"),
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )
  })

  it("hashes the message as UTF-8", () => {
    assert.notStrictEqual(Hmac.hex("k", "zoë"), Hmac.hex("k", "zoe"))
    assert.strictEqual(Hmac.hex("k", "zoë"), Hmac.hex("k", "zo\u00eb"))
  })
})
