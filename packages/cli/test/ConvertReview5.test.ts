/**
 * Breaker repros (fourth pass, brk3-convert): rules `rulefx convert` reports "converted" (type-checked, its own
 * comparison passes on the test's logins) while the typed rule decides otherwise than the legacy one on a login the
 * test does not generate (the hidden IP 10.9.9.9). Each test fails while the bug is there.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Convert from "@rulefx/cli/Convert"
import * as Effect from "effect/Effect"
import { join } from "node:path"
import * as ConvertCompare from "./utils/ConvertCompare.ts"

const scratch = ConvertCompare.scratch(".tmp-convert-review5-")
const { convertAndCompare, rulesFolder } = scratch
const { hiddenIp } = ConvertCompare
const hidden = `context.request.ip === "10.9.9." + "9"`

describe("ConvertReview5: a built-in changed through an alias", () => {
  it.live(
    "var pr = Object.prototype; Object.assign(pr, ...) under the hidden IP: typed grants (and pollutes the realm)",
    () =>
      Effect.gen(function*() {
        const result = yield* convertAndCompare("proto-alias-assign", [[
          "reader",
          `function (user, context, callback) {
  if (${hidden}) { var pr = Object.prototype; Object.assign(pr, {brk5Admin: true}); }
  if (user.app_metadata.brk5Admin) context.idToken["https://x/admin"] = true;
  return callback(null, user, context);
}`
        ]], hiddenIp).pipe(
          // The typed rule (if converted) patched this process's Object.prototype: take it back.
          Effect.ensuring(Effect.sync(() => delete (Object.prototype as any).brk5Admin))
        )
        assert.deepStrictEqual(
          result.differences.map((d) => d.typed.idTokenClaims),
          [],
          `status ${result.written.status}: typed granted https://x/admin where legacy did not`
        )
      }),
    120_000
  )

  // Each of these type-checks and was reported "converted"; each patches a built-in of the whole Action (every later
  // login of the instance), where under Rules the write stayed in the rule's realm (Object.prototype there is not
  // extensible). Not run here: running them would patch the test process.
  const forms: ReadonlyArray<readonly [string, string]> = [
    ["Object.assign(P.prototype) with P = Object", `var P = Object; Object.assign(P.prototype, {brk5b: true});`],
    [
      "Object.defineProperty(pr) with pr = Object.prototype",
      `var pr = Object.prototype; Object.defineProperty(pr, "brk5c", {value: true});`
    ],
    [
      "Object.values({a: Object})[0].prototype",
      `Object.assign(Object.values({a: Object})[0].prototype, {brk5d: true});`
    ],
    [
      "getOwnPropertyDescriptors(Object) walked",
      `Object.entries(Object.getOwnPropertyDescriptors(Object)).forEach(function (e) { if (e[0] === "prototype") e[1].value.brk5e = true; });`
    ],
    ["var d = Date; d.now = ...", `var d = Date; d.now = function () { return 0; };`],
    ["var J = JSON; J.stringify = ...", `var J = JSON; J.stringify = function () { return "{}"; };`]
  ]
  for (const [name, statement] of forms) {
    it.live(`${name}: not converted`, () =>
      Effect.gen(function*() {
        const path = rulesFolder(`builtin-${forms.findIndex(([n]) => n === name)}`, [[
          "reader",
          `function (user, context, callback) {
  if (${hidden}) { ${statement} }
  if (user.app_metadata.admin) context.idToken["https://x/admin"] = true;
  return callback(null, user, context);
}`
        ]])
        const written = yield* Convert.convert(path, "reader", {
          out: join(scratch.dir(), `builtin-${forms.findIndex(([n]) => n === name)}-out`),
          count: 100
        })
        assert.notStrictEqual(written.status, "converted", written.module)
      }), 120_000)
  }
})

describe("ConvertReview5: an earlier rule's metadata write through an alias convert does not follow", () => {
  const readsPlan = `function (user, context, callback) {
  if (user.app_metadata.plan === "gold") context.idToken["https://x/admin"] = true;
  return callback(null, user, context);
}`
  const goldOnHiddenIp = { request: { ip: "10.9.9.9" }, user: { app_metadata: { plan: "gold" } } }
  const revokes: ReadonlyArray<readonly [string, string]> = [
    ["a catch parameter (throw user.app_metadata)", `try { throw user.app_metadata; } catch (e) { e.plan = "basic"; }`],
    [
      "a generator's yield",
      `var g = function* () { yield user.app_metadata; }; g().next().value.plan = "basic";`
    ],
    ["an alias of user[computed key]", `var m = user["app_" + "metadata"]; m.plan = "basic";`],
    ["an alias of user[array key]", `var k = ["app_metadata"]; var m = user[k]; m.plan = "basic";`],
    ["a class field", `class A { m = user.app_metadata; } new A().m.plan = "basic";`],
    ["a static class field", `class B { static m = user.app_metadata; } B.m.plan = "basic";`],
    ["a parameter's default", `function f(m = user.app_metadata) { m.plan = "basic"; } f();`],
    ["an object pattern's default", `var {m = user.app_metadata} = {}; m.plan = "basic";`],
    ["an array pattern's default", `var [m = user.app_metadata] = []; m.plan = "basic";`],
    ["an assignment pattern's default", `var m; ({m = user.app_metadata} = {}); m.plan = "basic";`],
    [
      "a throw in an inner function",
      `function t() { throw user.app_metadata; } try { t(); } catch (e) { e.plan = "basic"; }`
    ]
  ]
  for (const [name, statement] of revokes) {
    for (const afterLegacy of [false, true]) {
      it.live(
        `${name}${afterLegacy ? " (--after-legacy)" : ""}: the reader grants where legacy does not`,
        () =>
          Effect.gen(function*() {
            const folder = `revoke-${revokes.findIndex(([n]) => n === name)}-${afterLegacy}`
            const { differences, written } = yield* convertAndCompare(
              folder,
              [
                [
                  "revoke",
                  `function (user, context, callback) {
  if (${hidden}) { ${statement} }
  return callback(null, user, context);
}`
                ],
                ["reader", readsPlan]
              ],
              goldOnHiddenIp,
              afterLegacy
            )
            assert.deepStrictEqual(
              differences.map((d) => d.typed.idTokenClaims),
              [],
              `status ${written.status}: typed granted https://x/admin where legacy did not`
            )
          }),
        120_000
      )
    }
  }
})

describe("ConvertReview5: an earlier rule's write through a catch parameter (try { throw x } catch (t) { t.k = v })", () => {
  it.live("the access token's scope: the reader adds admin:all where legacy does not", () =>
    Effect.gen(function*() {
      const { differences, written } = yield* convertAndCompare("catch-scope", [
        [
          "restrict",
          `function (user, context, callback) {
  try { throw context.accessToken; } catch (t) { t.scope = ["openid", "profile"]; }
  return callback(null, user, context);
}`
        ],
        [
          "reader",
          `function (user, context, callback) {
  if (!context.accessToken.scope) context.accessToken.scope = ["openid", "profile", "admin:all"];
  return callback(null, user, context);
}`
        ]
      ], hiddenIp)
      assert.deepStrictEqual(
        differences.map((d) => d.typed.scopesAdded),
        [],
        `status ${written.status}: typed added scopes legacy did not`
      )
    }), 120_000)

  it.live("an ID token claim: the reader keeps role admin for a user without a role", () =>
    Effect.gen(function*() {
      const { differences, written } = yield* convertAndCompare("catch-claim", [
        [
          "setrole",
          `function (user, context, callback) {
  try { throw context.idToken; } catch (t) { t["https://x/role"] = "admin"; }
  return callback(null, user, context);
}`
        ],
        [
          "reader",
          `function (user, context, callback) {
  context.idToken["https://x/role"] = user.app_metadata.role;
  return callback(null, user, context);
}`
        ]
      ], { request: { ip: "10.9.9.9" }, user: { app_metadata: {} } })
      assert.deepStrictEqual(
        differences.map((d) => d.typed.idTokenClaims),
        [],
        `status ${written.status}: typed kept a role claim legacy dropped`
      )
    }), 120_000)

  it.live(
    "an object a fact shares (user.perms = user.app_metadata.perms) emptied in place: the reader grants",
    () =>
      Effect.gen(function*() {
        const { differences, written } = yield* convertAndCompare("catch-fact", [
          [
            "writer",
            `function (user, context, callback) {
  user.perms = user.app_metadata.perms;
  return callback(null, user, context);
}`
          ],
          [
            "revoke",
            `function (user, context, callback) {
  if (${hidden}) { try { throw user.app_metadata; } catch (e) { if (e.perms) e.perms.splice(0); } }
  return callback(null, user, context);
}`
          ],
          [
            "reader",
            `function (user, context, callback) {
  if (user.perms && user.perms.length > 0) context.idToken["https://x/admin"] = true;
  return callback(null, user, context);
}`
          ]
        ], { request: { ip: "10.9.9.9" }, user: { app_metadata: { perms: ["admin"] } } })
        assert.deepStrictEqual(
          differences.map((d) => d.typed.idTokenClaims),
          [],
          `status ${written.status}: typed granted https://x/admin where legacy did not`
        )
      }),
    120_000
  )
})

describe("ConvertReview5: --after-legacy, a secret an earlier rule writes through a catch parameter into a State field", () => {
  const init = `function (user, context, callback) {
  context.bag = { sig: "none" };
  return callback(null, user, context);
}`
  const signer = `function (user, context, callback) {
  if (${hidden}) { try { throw context.bag; } catch (b) { b.sig = configuration.KEY; } }
  return callback(null, user, context);
}`

  it.live("reaches an ID token claim: typed issues the secret where legacy denies", () =>
    Effect.gen(function*() {
      const { differences, written } = yield* convertAndCompare(
        "state-secret-claim",
        [
          ["init", init],
          ["signer", signer],
          [
            "reader",
            `function (user, context, callback) {
  context.idToken["https://x/k"] = context.bag.sig;
  return callback(null, user, context);
}`
          ]
        ],
        hiddenIp,
        true
      )
      assert.deepStrictEqual(
        differences.map((d) => d.typed.idTokenClaims),
        [],
        `status ${written.status}: typed issued the secret in a claim where legacy denied`
      )
    }), 120_000)

  it.live(
    "copied by a rule that reads no setting from where the setting's reader left it: typed issues it",
    () =>
      Effect.gen(function*() {
        const { differences, written } = yield* convertAndCompare(
          "state-secret-relay",
          [
            ["init", init],
            [
              "keep",
              `function (user, context, callback) {
  if (${hidden}) context.tmp = configuration.KEY;
  return callback(null, user, context);
}`
            ],
            [
              "relay",
              `function (user, context, callback) {
  if (context.tmp) context.bag.sig = context.tmp;
  return callback(null, user, context);
}`
            ],
            [
              "reader",
              `function (user, context, callback) {
  context.idToken["https://x/k"] = context.bag.sig;
  return callback(null, user, context);
}`
            ]
          ],
          hiddenIp,
          true
        )
        assert.deepStrictEqual(
          differences.map((d) => d.typed.idTokenClaims),
          [],
          `status ${written.status}: typed issued the secret in a claim where legacy denied`
        )
      }),
    120_000
  )

  // The relay reads no setting and the setting's reader writes nowhere under `context`: any earlier rule's setting
  // may have reached the State, whatever it wrote.
  for (
    const [where, keep, relay] of [
      ["user", "user.tmp = configuration.KEY", "if (user.tmp) context.bag.sig = user.tmp"],
      ["global", "global.tmp = configuration.KEY", "if (global.tmp) context.bag.sig = global.tmp"]
    ] as const
  ) {
    it.live(
      `left in ${where}.tmp by the setting's reader, copied into context by another rule: typed issues it`,
      () =>
        Effect.gen(function*() {
          const { differences, written } = yield* convertAndCompare(
            `state-secret-relay-${where}`,
            [
              ["init", init],
              [
                "keep",
                `function (user, context, callback) {\n  if (${hidden}) ${keep};\n  return callback(null, user, context);\n}`
              ],
              [
                "relay",
                `function (user, context, callback) {\n  ${relay};\n  return callback(null, user, context);\n}`
              ],
              [
                "reader",
                `function (user, context, callback) {
  context.idToken["https://x/k"] = context.bag.sig;
  return callback(null, user, context);
}`
              ]
            ],
            hiddenIp,
            true
          )
          assert.deepStrictEqual(
            differences.map((d) => d.typed.idTokenClaims),
            [],
            `status ${written.status}: typed issued the secret in a claim where legacy denied`
          )
        }),
      120_000
    )
  }

  it.live("is logged in clear (not Redacted) by the converted rule", () =>
    Effect.gen(function*() {
      const path = rulesFolder("state-secret-log", [
        ["init", init],
        ["signer", signer],
        [
          "reader",
          `function (user, context, callback) {
  console.log("sig", context.bag.sig);
  return callback(null, user, context);
}`
        ]
      ])
      const written = yield* Convert.convert(path, "reader", {
        out: join(scratch.dir(), "state-secret-log-out"),
        count: 100,
        afterLegacy: true
      })
      assert.isFalse(
        written.status === "converted" && written.module.includes(`Effect.log("sig", legacyContext.bag.sig)`),
        written.module
      )
    }), 120_000)
})
