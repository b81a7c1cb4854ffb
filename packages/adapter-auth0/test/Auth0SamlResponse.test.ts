import { assert, describe, it } from "@effect/vitest"
import * as Auth0SamlResponse from "@rulefx/adapter-auth0/Auth0SamlResponse"
import * as Decision from "@rulefx/core/Decision"
import { genericMessage } from "@rulefx/core/Denial"
import * as SamlResponse from "@rulefx/core/SamlResponse"
import * as Effect from "effect/Effect"
import { apiWithout, checked, runRules } from "./utils/Surface.ts"

const pem = (label: string, body = "MIIBszCCAVmgAwIBAgIU") =>
  `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`

const withSaml = (attributes: Record<string, unknown>, settings: Record<string, unknown> = {}): Decision.Decision => ({
  ...Decision.empty(),
  samlResponse: { attributes: attributes as never, settings: settings as never }
})
const rules = (d: Decision.Decision) => checked(Auth0SamlResponse.kind, d).map((v) => `${v.name} ${v.rule}`)

const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, "v"]))

describe("Auth0SamlResponse", () => {
  describe("check", () => {
    it("100 attributes pass, 101 are refused", () => {
      assert.deepStrictEqual(rules(withSaml(many(100))), [])
      assert.deepStrictEqual(rules(withSaml(many(101))), ["undefined TooManyAttributes"])
    })

    it("names up to 1 kB, values up to 2 kB, all attributes up to 10 kB; values scalars or lists of them", () => {
      assert.deepStrictEqual(rules(withSaml({ ["n".repeat(1024)]: "v", m: "x".repeat(2048) })), [])
      assert.deepStrictEqual(rules(withSaml({ ["n".repeat(1025)]: "v" })).map((r) => r.split(" ")[1]), [
        "AttributeNameTooLarge"
      ])
      assert.deepStrictEqual(rules(withSaml({ list: ["x".repeat(1024), "y".repeat(1025)] })), [
        "list AttributeValueTooLarge"
      ])
      const six = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`a${i}`, "x".repeat(2000)]))
      assert.deepStrictEqual(rules(withSaml(six)), ["undefined AttributesTooLarge"])
      assert.deepStrictEqual(rules(withSaml({ obj: { a: 1 }, nan: Number.NaN, nested: [["x"]], ok: [1, true, "s"] })), [
        "obj InvalidAttributeValue",
        "nan InvalidAttributeValue",
        "nested InvalidAttributeValue"
      ])
    })

    it("each setting has its setter's type: enums, booleans, whole seconds, PEM text", () => {
      assert.deepStrictEqual(
        rules(withSaml({}, {
          signatureAlgorithm: "rsa-sha512",
          digestAlgorithm: "md5",
          encryptionAlgorithm: "aes128-cbc",
          signResponse: "yes",
          lifetimeInSeconds: 1.5,
          audience: 42,
          signingCert: "not a pem",
          nameIdentifierProbes: "one",
          wctx: "foo=bar"
        })),
        [
          "signatureAlgorithm InvalidSetting",
          "digestAlgorithm InvalidSetting",
          "encryptionAlgorithm InvalidSetting",
          "signResponse InvalidSetting",
          "lifetimeInSeconds InvalidSetting",
          "audience InvalidSetting",
          "signingCert InvalidSetting",
          "nameIdentifierProbes InvalidSetting",
          "wctx InvalidSetting"
        ]
      )
    })

    it("text limits: audience 2 kB, name identifier format 0.5 kB, at most 10 probes, PEM 4 kB", () => {
      assert.deepStrictEqual(
        rules(withSaml({}, {
          audience: "a".repeat(2049),
          recipient: "r".repeat(2048),
          nameIdentifierFormat: "f".repeat(513),
          authnContextClassRef: "c".repeat(512),
          nameIdentifierProbes: Array.from({ length: 11 }, () => "p"),
          signingCert: pem("CERTIFICATE", "A".repeat(4096))
        })),
        [
          "audience SettingTooLarge",
          "nameIdentifierFormat SettingTooLarge",
          "nameIdentifierProbes SettingTooLarge",
          "signingCert SettingTooLarge"
        ]
      )
    })

    it("encryptionCert with encryptionPublicKey, and cert with key, set together", () => {
      assert.deepStrictEqual(rules(withSaml({}, { encryptionCert: pem("CERTIFICATE") })), [
        "encryptionCert+encryptionPublicKey UnpairedSetting"
      ])
      assert.deepStrictEqual(rules(withSaml({}, { key: pem("PRIVATE KEY") })), ["cert+key UnpairedSetting"])
      assert.deepStrictEqual(rules(withSaml({}, { cert: pem("CERTIFICATE"), key: pem("PRIVATE KEY") })), [])
    })
  })

  describe("through the handler and a recording api", () => {
    it("every setting through its own setter, then the attributes; the later rule wins", async () => {
      const all: SamlResponse.Settings = {
        audience: "urn:first",
        recipient: "https://sp.example/acs",
        destination: "https://sp.example/acs",
        issuer: "urn:acme",
        relayState: "foo=bar",
        lifetimeInSeconds: 600,
        signResponse: true,
        nameIdentifierFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
        nameIdentifierProbes: ["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"],
        authnContextClassRef: "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified",
        createUpnClaim: false,
        passthroughClaimsWithNoMapping: false,
        mapUnknownClaimsAsIs: true,
        mapIdentities: false,
        includeAttributeNameFormat: false,
        typedAttributes: false,
        signatureAlgorithm: "rsa-sha256",
        digestAlgorithm: "sha256",
        encryptionAlgorithm: "aes256-gcm",
        signingCert: pem("CERTIFICATE"),
        encryptionCert: pem("CERTIFICATE"),
        encryptionPublicKey: pem("PUBLIC KEY"),
        cert: pem("CERTIFICATE"),
        key: pem("PRIVATE KEY")
      }
      const { calls } = await runRules([
        Effect.all([SamlResponse.configure(all), SamlResponse.setAttribute("email", "first@example.com")]),
        Effect.all([
          SamlResponse.configure({ audience: "urn:second" }),
          SamlResponse.setAttribute("email", "ada@example.com"),
          SamlResponse.setAttribute("groups", ["a", "b"]),
          SamlResponse.removeAttribute("upn")
        ])
      ])
      const expected = SamlResponse.settingNames.map((name) => ({
        method: `samlResponse.${SamlResponse.setterOf(name)}`,
        args: [name === "audience" ? "urn:second" : all[name]]
      }))
      assert.deepStrictEqual(calls, [
        ...expected,
        { method: "samlResponse.setAttribute", args: ["email", "ada@example.com"] },
        { method: "samlResponse.setAttribute", args: ["groups", ["a", "b"]] },
        { method: "samlResponse.setAttribute", args: ["upn", null] }
      ])
      assert.strictEqual(calls.length, 27)
    })

    it("a violation denies with the generic reason before any call, and logs the setting", async () => {
      const { calls, lines } = await runRules([
        Decision.setIdTokenClaim("https://example.com/a", 1),
        SamlResponse.configure({ lifetimeInSeconds: -5 })
      ])
      assert.deepStrictEqual(calls, [{ method: "access.deny", args: [genericMessage] }])
      assert.match(lines[0]!, /samlResponse "lifetimeInSeconds": InvalidSetting/)
    })

    it("an api without samlResponse: denied before any call", async () => {
      const { calls } = await runRules([SamlResponse.setAttribute("a", "b")], { api: apiWithout("samlResponse") })
      assert.deepStrictEqual(calls, [{ method: "access.deny", args: [genericMessage] }])
    })
  })
})

describe("DecisionKind: a kind the handler was not given", () => {
  it("denies with the generic reason before any call, and the log names the module to pass", async () => {
    const { calls, lines } = await runRules([
      Decision.setIdTokenClaim("https://example.com/a", 1),
      SamlResponse.setAttribute("a", "b")
    ], { kinds: [] })
    assert.deepStrictEqual(calls, [{ method: "access.deny", args: [genericMessage] }])
    assert.deepStrictEqual(lines.filter((line) => line.includes("KindNotEnabled")).length, 1)
    assert.match(lines[0]!, /samlResponse "pass Auth0SamlResponse.kind to PostLogin.make": KindNotEnabled/)
  })
})
