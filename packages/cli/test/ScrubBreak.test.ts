/**
 * Breaks of the run/diff scrubber (internal/diff/scrub.ts): secrets that still reached what `rulefx run` and `rulefx
 * diff` print.
 */
import { assert, describe, it } from "@effect/vitest"
import { format } from "node:util"
import { scrubberOf } from "../src/internal/diff/scrub.ts"

// As adapter-auth0's printLine cuts a log line: the first 255 characters, then "…".
const cutLine = (text: string) => `${text.slice(0, 255)}…`

describe("scrubberOf breaks", () => {
  // Objects without a prototype (Object.create(null), the records core's Decision and the legacy shim build) were
  // returned as they were: JSON.stringify prints them, secret and all.
  it("a secret inside an object without a prototype is replaced", () => {
    const claim = Object.assign(Object.create(null) as Record<string, unknown>, { key: "s3cr3t-value-9" })
    const out = scrubberOf({ KEY: "s3cr3t-value-9" })({ value: claim })
    assert.notInclude(JSON.stringify(out), "s3cr3t-value-9")
    assert.include(JSON.stringify(out), "[secret KEY]")
  })

  // A form body (URLSearchParams, application/x-www-form-urlencoded: a token request's client_secret) encodes a space
  // as "+" and !'()~ as %XX, which encodeURIComponent leaves: that form was not replaced.
  it("a secret as a form body encodes it is replaced", () => {
    const secret = "a b!c'(d)*e~f"
    const body = new URLSearchParams({ client_secret: secret }).toString()
    const out = scrubberOf({ CLIENT_SECRET: secret })(body)
    assert.strictEqual(out, "client_secret=[secret CLIENT_SECRET]")
  })

  // An http(s) URL without credentials or query was kept readable as "a service's address"; but a webhook URL holds
  // its secret in the path (Slack's https://hooks.slack.com/services/T../B../token): it was printed whole.
  it("a URL secret with a path is replaced", () => {
    const hook = "https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX"
    const out = scrubberOf({ SLACK_HOOK_URL: hook })({ url: hook })
    assert.deepStrictEqual(out, { url: "[secret SLACK_HOOK_URL]" })
  })

  it("an origin kept among the secrets stays readable", () => {
    const out = scrubberOf({ API_BASE: "https://api.example.com" })({ url: "https://api.example.com/v1/users" })
    assert.deepStrictEqual(out, { url: "https://api.example.com/v1/users" })
  })

  // A secret of several lines (a PEM key) logged inside an object: console.log (util.inspect) prints it as quoted
  // segments joined by "' +", one per line, which no form of the whole secret matches: its lines were printed.
  it("a secret of several lines logged inside an object is replaced line by line", () => {
    const pem = [
      "-----BEGIN PRIVATE KEY-----",
      "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7",
      "Z2xvYmFsc2VjcmV0a2V5bWF0ZXJpYWxoZXJlMTIzNDU2Nzg5MA",
      "-----END PRIVATE KEY-----"
    ].join("\n")
    const line = format({ key: pem })
    const out = scrubberOf({ SIGNING_KEY: pem })(line)
    assert.notInclude(out, "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7")
    assert.notInclude(out, "Z2xvYmFsc2VjcmV0a2V5bWF0ZXJpYWxoZXJlMTIzNDU2Nzg5MA")
    assert.include(out, "[secret SIGNING_KEY]")
  })

  // The Action's logger cuts a line at 256 characters ("…" last): a secret across the cut was not a whole form, so
  // its first part was printed.
  it("a secret across the 256-character cut of a log line leaves nothing of itself", () => {
    const secret = "sk_live_51HqLyjWDarjtT1zdp7dcXBf"
    const scrub = scrubberOf({ STRIPE_KEY: secret })
    for (const shown of [12, 4]) {
      const line = cutLine(`rulefx INFO user=auth0|1 ${"x".repeat(255 - 25 - shown)}${secret} and more`)
      assert.include(line, `${secret.slice(0, shown)}…`)
      const out = scrub(line)
      assert.notInclude(out, secret.slice(0, 4))
      assert.isTrue(out.endsWith("x[secret STRIPE_KEY]…"), out)
      // One line of several (a run's lines joined) is cut the same.
      assert.notInclude(scrub(`${line}\nrulefx INFO next`), secret.slice(0, 4))
    }
    // Under 4 characters is dropped, not marked: a marker there would look like a leak that was not.
    const short = cutLine(`${"y".repeat(253)}${secret}`)
    assert.strictEqual(scrub(short), `${"y".repeat(253)}…`)
    // The logger makes whitespace runs one space before it cuts: a secret with a tab or two spaces is found so too.
    const phrase = "correct  horse\tbattery staple"
    assert.strictEqual(
      scrubberOf({ PHRASE: phrase })(`rulefx INFO ${phrase.replace(/\s+/g, " ")}`),
      "rulefx INFO [secret PHRASE]"
    )
    // A line that ends in "…" with nothing of a secret is left as it is.
    assert.strictEqual(scrub("waiting…"), "waiting…")
  })

  // What a cut line ends with is matched from its longest possible start: a position holding the secret's first
  // character that does not start it (`ab` of `abab-...` repeated) is passed over, and of two secrets the one whose
  // start is longer there wins, whichever secret is longer.
  it("a cut line ends with the longest start of any secret, past false starts of its first character", () => {
    const repeats = "abab-k3y-value-7"
    const scrub = scrubberOf({ REPEATS: repeats })
    assert.strictEqual(scrub(`rulefx INFO xxab${repeats.slice(0, 7)}…`), "rulefx INFO xxab[secret REPEATS]…")
    assert.strictEqual(scrub(`rulefx INFO ababab${repeats.slice(0, 3)}…`), "rulefx INFO ababab…")
    const two = scrubberOf({ LONG: "tok-9f8e7d6c5b4a39281706", SHORT: "x-tok-9f8e" })
    assert.strictEqual(two("id x-tok-9f…"), "id [secret SHORT]…")
    assert.strictEqual(two("id tok-9f8e7…"), "id [secret LONG]…")
  })

  // btoa/base64 and base64url were not forms: a Basic auth header, a secret in a token's payload, were printed.
  it("a secret base64- or base64url-encoded, alone or inside longer bytes, is replaced", () => {
    const secret = "Zq8#client-s3cret/value+42"
    const scrub = scrubberOf({ CLIENT_SECRET: secret })
    const alone = btoa(secret)
    assert.strictEqual(scrub(alone), "[secret CLIENT_SECRET]")
    assert.strictEqual(scrub(Buffer.from(secret).toString("base64url")), "[secret CLIENT_SECRET]")
    // After `id:` in a Basic auth header, and at each alignment in a base64url token payload: no group that encodes
    // only the secret's bytes is left.
    for (const id of ["app", "app1", "app12"]) {
      for (const plain of [`${id}:${secret}`, JSON.stringify({ sub: id, key: secret })]) {
        for (const encoded of [btoa(plain), Buffer.from(plain).toString("base64url")]) {
          const out = scrub(`Authorization: Basic ${encoded}`)
          assert.include(out, "[secret CLIENT_SECRET]")
          // What is left encodes the text around the secret, and at most a group at each end of it.
          const left = out.replace("Authorization: Basic ", "").replace("[secret CLIENT_SECRET]", "")
          assert.isAtMost(left.length, Math.ceil((plain.length - secret.length) * 4 / 3) + 8, out)
        }
      }
    }
  })

  // Hex and a secret split into its characters (an array of them, or its text) were printed as they were.
  it("a secret of 8 characters or more as hex or split into its characters is replaced", () => {
    const secret = "Zq8#client-s3cret"
    const scrub = scrubberOf({ CLIENT_SECRET: secret })
    const hex = Buffer.from(secret).toString("hex")
    assert.strictEqual(scrub(`key=${hex}`), "key=[secret CLIENT_SECRET]")
    assert.strictEqual(scrub(`key=${hex.toUpperCase()}`), "key=[secret CLIENT_SECRET]")
    const characters = secret.split("")
    assert.deepStrictEqual(scrub({ chars: characters }), { chars: ["[secret CLIENT_SECRET]"] })
    // Among other values, and in chunks that start and end inside a string: what is around the secret stays.
    assert.deepStrictEqual(scrub([1, "x", ...characters, "y"]), [1, "x", "[secret CLIENT_SECRET]", "y"])
    assert.deepStrictEqual(scrub(["ab" + secret.slice(0, 5), secret.slice(5, 12), secret.slice(12) + "cd"]), [
      "ab[secret CLIENT_SECRET]cd"
    ])
    for (const text of [JSON.stringify(characters), String(characters), format(characters).replace(/\s+/g, " ")]) {
      assert.notInclude(scrub(`rulefx INFO ${text}`), characters.slice(0, 6).join(""), text)
      assert.include(scrub(`rulefx INFO ${text}`), "[secret CLIENT_SECRET]", text)
    }
  })

  // A short secret is replaced as written, but not in the forms a run of letters or hex digits may spell by chance.
  it("a secret under 8 characters is not replaced as hex or as characters", () => {
    const scrub = scrubberOf({ PIN: "4711ab" })
    assert.strictEqual(scrub("pin=4711ab"), "pin=[secret PIN]")
    const hex = Buffer.from("4711ab").toString("hex")
    assert.strictEqual(scrub(hex), hex)
    assert.deepStrictEqual(scrub(["4", "7", "1", "1", "a", "b"]), ["4", "7", "1", "1", "a", "b"])
  })
})

describe("scrubberOf and the URL parser", () => {
  // fetch and `new URL` write a secret in a URL's query percent-encoding only a few characters (a space as %20, `@` and
  // `!` as they are), which neither encodeURIComponent nor a form body writes: a late request's URL was listed with
  // `?key=P@ss%20w0rd!` (brk-late, finding d).
  it("a secret in a query as fetch sends it is replaced", () => {
    const href = new URL(`https://api.example.com/hook?key=${"P@ss w0rd!"}`).href
    assert.include(href, "P@ss%20w0rd!")
    const out = scrubberOf({ KEY: "P@ss w0rd!" })({ late: [`GET ${href}`] })
    assert.deepStrictEqual(out, { late: ["GET https://api.example.com/hook?key=[secret KEY]"] })
  })

  // Each part of a URL percent-encodes its own set (a query `'` in an http(s) URL, a fragment "`", a path `{}`, a
  // password `:@/` but not `$+`, which encodeURIComponent encodes), and every part encodes what is not ASCII as its UTF-8
  // bytes.
  const secret = `a'b"c<d>e\`f{g}h:i@j/k é|$m+n`
  const parts: ReadonlyArray<readonly [string, (url: URL) => void]> = [
    ["query", (url) => void (url.search = `?k=${secret}`)],
    ["fragment", (url) => void (url.hash = secret)],
    ["path", (url) => void (url.pathname = `/${secret}`)],
    ["password", (url) => void (url.password = secret)],
    ["username", (url) => void (url.username = secret)]
  ]
  for (const [part, set] of parts) {
    it(`a secret in a URL's ${part} as the URL parser writes it is replaced`, () => {
      const url = new URL("https://api.example.com/")
      set(url)
      assert.notInclude(url.href, secret)
      const out = scrubberOf({ KEY: secret })(url.href)
      assert.include(out, "[secret KEY]", url.href)
      assert.notInclude(out, "f%7Bg%7Dh", out)
      assert.notInclude(out, "f{g}h", out)
    })
  }

  // A guard: the minimum lengths hold, a secret under 4 characters is not replaced in any form.
  it("a secret under 4 characters is not replaced as the URL parser writes it", () => {
    const href = new URL("https://api.example.com/?q=a b").href
    assert.strictEqual(scrubberOf({ SHORT: "a b" })(href), href)
  })
})

describe("scrubberOf depth", () => {
  // A value nested a hundred thousand levels (an Action's metadata) was walked level by level: a RangeError.
  it("a value nested deeper than 256 levels is cut there with a marker, not a stack overflow", () => {
    let value: unknown = "s3cr3t-api-key-value"
    for (let i = 0; i < 100_000; i++) value = { v: value }
    const out = JSON.stringify(scrubberOf({ API_KEY: "s3cr3t-api-key-value" })(value))
    assert.include(out, "[nested deeper than 256 levels]")
    assert.notInclude(out, "s3cr3t")
  })
})
