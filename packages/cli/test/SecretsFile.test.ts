import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as SecretsFile from "@rulefx/cli/SecretsFile"
import * as Leaks from "@rulefx/testing/Leaks"
import * as Effect from "effect/Effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

// Long and distinctive, so a leak check cannot match by accident.
const secret = "s3cr3t-value-b71f0e94c2"
const file = "secrets.env"

const parse = (text: string) => SecretsFile.parse(file, text)

/** Parses `text`, expects a failure, and checks that the error is a SecretsFileError naming the file only. */
const failure = (text: string) =>
  Effect.gen(function*() {
    const error = yield* Effect.flip(parse(text))
    assert.instanceOf(error, SecretsFile.SecretsFileError)
    assert.strictEqual(error._tag, "SecretsFileError")
    assert.strictEqual(error.file, file)
    assert.strictEqual(error.message, `${file}: ${error.problem}`)
    Leaks.assertNone(error.message, [secret])
    return error
  })

describe("SecretsFile.parse, JSON", () => {
  it.effect("an object of strings", () =>
    Effect.gen(function*() {
      const secrets = yield* parse(
        JSON.stringify({ SELLER_API_URL: "https://sellers.example", INTERCOM_SECRET: secret })
      )
      assert.deepStrictEqual({ ...secrets }, { SELLER_API_URL: "https://sellers.example", INTERCOM_SECRET: secret })
    }))

  it.effect("leading whitespace and an empty object", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual({ ...yield* parse("\n  {\n  \"A\": \"1\"\n}\n") }, { A: "1" })
      assert.deepStrictEqual({ ...yield* parse("{}") }, {})
    }))

  it.effect("a value of 4096 characters is accepted, 4097 is not; the error names the secret, not the value", () =>
    Effect.gen(function*() {
      const max = secret + "x".repeat(4096 - secret.length)
      assert.strictEqual((yield* parse(JSON.stringify({ TOKEN: max })))["TOKEN"], max)
      const error = yield* failure(JSON.stringify({ TOKEN: `${max}x` }))
      assert.include(error.problem, "TOKEN")
      assert.include(error.problem, "over 4096 characters")
    }))

  it.effect("a value that is not a string names the entry, not the value", () =>
    Effect.gen(function*() {
      const error = yield* failure(JSON.stringify({ OK: "fine", NESTED: { inner: secret } }))
      assert.strictEqual(error.problem, "entry 2: the value is not a string")
      assert.notInclude(error.message, secret)
      const number = yield* failure(JSON.stringify({ PORT: 8080 }))
      assert.strictEqual(number.problem, "entry 1: the value is not a string")
    }))

  it.effect("an invalid name", () =>
    Effect.gen(function*() {
      const error = yield* failure(JSON.stringify({ A: secret, "MY-KEY": secret }))
      assert.strictEqual(error.problem, "entry 2: not a valid secret name (letters, digits, _; at most 128)")
    }))

  it.effect("JSON that does not parse: \"not valid JSON\", without the text", () =>
    Effect.gen(function*() {
      const error = yield* failure(`{ "A": "${secret}", }`)
      assert.strictEqual(error.problem, "not valid JSON")
    }))

  it.effect("JSON that is not an object is rejected", () =>
    Effect.gen(function*() {
      yield* failure(JSON.stringify([secret]))
      yield* failure(JSON.stringify(secret))
      yield* failure("null")
      yield* failure("42")
    }))
})

describe("SecretsFile.parse, NAME=value lines", () => {
  it.effect("lines, with comments and blank lines skipped", () =>
    Effect.gen(function*() {
      const secrets = yield* parse(
        [
          "# the seller service",
          "",
          "SELLER_API_URL=https://sellers.example/api?a=b",
          "   ",
          "  # indented comment",
          `INTERCOM_SECRET=${secret}`,
          ""
        ].join("\n")
      )
      assert.deepStrictEqual({ ...secrets }, {
        SELLER_API_URL: "https://sellers.example/api?a=b",
        INTERCOM_SECRET: secret
      })
    }))

  it.effect("CRLF line endings, whitespace around the name and value, an empty value", () =>
    Effect.gen(function*() {
      const secrets = yield* parse("A = 1 \r\n  B=two\r\nEMPTY=\r\n")
      assert.deepStrictEqual({ ...secrets }, { A: "1", B: "two", EMPTY: "" })
    }))

  it.effect("matching double or single quotes are removed; unmatched ones are kept", () =>
    Effect.gen(function*() {
      const secrets = yield* parse(
        ["DOUBLE=\"a b # c\"", "SINGLE='x=y'", "MIXED=\"abc'", "LONE=\"", "INNER=a\"b\"", "EMPTY=\"\""].join("\n")
      )
      assert.deepStrictEqual({ ...secrets }, {
        DOUBLE: "a b # c",
        SINGLE: "x=y",
        MIXED: "\"abc'",
        LONE: "\"",
        INNER: "a\"b\"",
        EMPTY: ""
      })
    }))

  it.effect("`export NAME=value` as in a shell file", () =>
    Effect.gen(function*() {
      const secrets = yield* parse(`export INTERCOM_SECRET="${secret}"\nexport   B=2`)
      assert.deepStrictEqual({ ...secrets }, { INTERCOM_SECRET: secret, B: "2" })
    }))

  it.effect("a later line with the same name wins", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual({ ...yield* parse("A=1\nA=2") }, { A: "2" })
    }))

  it.effect("names: letters, digits and _, not starting with a digit, at most 128 characters", () =>
    Effect.gen(function*() {
      const longest = `A${"b".repeat(127)}`
      assert.deepStrictEqual({ ...yield* parse(`_x9=1\n${longest}=2`) }, { _x9: "1", [longest]: "2" })
      for (const name of ["1ABC", "MY-KEY", "MY KEY", "A.B", `${longest}c`]) {
        const error = yield* failure(`OK=${secret}\n${name}=${secret}`)
        assert.strictEqual(error.problem, "line 2: not a valid secret name (letters, digits, _; at most 128)")
      }
    }))

  it.effect("a line holding only a value that contains '=' (base64 padding): refused without showing it", () =>
    Effect.gen(function*() {
      const error = yield* failure("OK=1\nq83k+Z/9aXbYsecretPart==")
      assert.strictEqual(error.problem, "line 2: not a valid secret name (letters, digits, _; at most 128)")
      assert.notInclude(error.message, "q83k")
    }))

  it.effect("a value over 4096 characters names the line and the secret, not the value", () =>
    Effect.gen(function*() {
      const max = secret.repeat(4096 / secret.length + 1).slice(0, 4096)
      assert.strictEqual((yield* parse(`TOKEN=${max}`))["TOKEN"], max)
      const error = yield* failure(`# comment\nTOKEN=${max}x`)
      assert.strictEqual(error.problem, "line 2: the value of TOKEN is over 4096 characters")
    }))

  it.effect("a line without '=' (or with nothing before it) names the line, not its text", () =>
    Effect.gen(function*() {
      const missing = yield* failure(`A=1\n\n${secret}`)
      assert.strictEqual(missing.problem, "line 3: expected NAME=value")
      const nameless = yield* failure(`=${secret}`)
      assert.strictEqual(nameless.problem, "line 1: expected NAME=value")
    }))

  it.effect("an empty file has no secrets", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual({ ...yield* parse("") }, {})
      assert.deepStrictEqual({ ...yield* parse("# only a comment\n\n") }, {})
    }))
})

describe("SecretsFile.load", () => {
  let dir = ""

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rulefx-secrets-"))
  })

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  it.effect("reads a .env file and a JSON file", () =>
    Effect.gen(function*() {
      const env = join(dir, "secrets.env")
      writeFileSync(env, `INTERCOM_SECRET=${secret}\n`)
      assert.deepStrictEqual({ ...yield* SecretsFile.load(env) }, { INTERCOM_SECRET: secret })
      const json = join(dir, "secrets.json")
      writeFileSync(json, JSON.stringify({ INTERCOM_SECRET: secret }))
      assert.deepStrictEqual({ ...yield* SecretsFile.load(json) }, { INTERCOM_SECRET: secret })
    }))

  it.effect("a missing file: an error naming the file, \"no such file\"", () =>
    Effect.gen(function*() {
      const missing = join(dir, "nope.env")
      const error = yield* Effect.flip(SecretsFile.load(missing))
      assert.instanceOf(error, SecretsFile.SecretsFileError)
      assert.strictEqual(error.file, missing)
      assert.strictEqual(error.problem, "no such file")
      assert.strictEqual(error.message, `${missing}: no such file`)
    }))

  it.effect("a directory: \"cannot be read\"", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(SecretsFile.load(dir))
      assert.strictEqual(error.file, dir)
      assert.strictEqual(error.problem, "cannot be read")
    }))

  it.effect("a parse error names the loaded file", () =>
    Effect.gen(function*() {
      const bad = join(dir, "bad.env")
      writeFileSync(bad, `OK=1\n${secret}\n`)
      const error = yield* Effect.flip(SecretsFile.load(bad))
      assert.strictEqual(error.message, `${bad}: line 2: expected NAME=value`)
    }))
})
