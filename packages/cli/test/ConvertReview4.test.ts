/**
 * Breaker repros (second pass) that `rulefx convert` reported "converted" while the typed rule granted what the legacy
 * one did not, on a login the test does not generate (the hidden IP): an earlier rule's write through an alias made
 * by a comma expression or an assignment (`(0, user.app_metadata)`, `m = a = ...`, `(t = ...).plan`), and a rule that
 * changes a built-in (`Object.getPrototypeOf({}).admin = true`), which stays in the rule's realm under Rules and
 * would patch the whole Action as typed code; a fact from a rule that calls back with another `user` or `context`.
 * Each is now a TODO. And a rule named `a.differential.test`, whose module replaced rule a's test: refused.
 * Third pass: a fact that is an object of the login's (`user.perms = user.app_metadata.perms`) which a rule between
 * changes in place, and, with --after-legacy, a State read of what an earlier rule may have made from a setting: TODOs.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Convert from "@rulefx/cli/Convert"
import * as Effect from "effect/Effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import * as ConvertCompare from "./utils/ConvertCompare.ts"

const scratch = ConvertCompare.scratch(".tmp-convert-review4-")
const { convertAndCompare, rulesFolder } = scratch
const { hiddenIp } = ConvertCompare

describe("ConvertReview4: what an earlier rule changes through a comma, an assignment or a built-in", () => {
  const readsPlan = `function (user, context, callback) {
  if (user.app_metadata.plan === "gold") context.idToken["https://x/admin"] = true;
  return callback(null, user, context);
}`
  const goldAtHiddenIp = { request: { ip: "10.9.9.9" }, user: { app_metadata: { plan: "gold" } } }

  for (
    const [name, alias] of [
      ["a comma expression", "var m = (0, user.app_metadata);"],
      ["a chained assignment", "var a, m;\n  m = a = user.app_metadata;"]
    ] as const
  ) {
    it.live(
      `an earlier rule changes user.app_metadata through an alias made by ${name}: typed grants`,
      () =>
        Effect.gen(function*() {
          const { differences, written } = yield* convertAndCompare(`alias-${name.split(" ").at(-1)}`, [
            [
              "revoke",
              `function (user, context, callback) {
  ${alias}
  if (context.request.ip === "10.9.9." + "9") m.plan = "basic";
  return callback(null, user, context);
}`
            ],
            ["reader", readsPlan]
          ], goldAtHiddenIp)
          assert.deepStrictEqual(
            differences.map((d) => d.typed.idTokenClaims),
            [],
            `status ${written.status}: typed granted admin where legacy did not`
          )
        }),
      120_000
    )
  }
  it.live("an earlier rule writes `(t = user.app_metadata).plan`: typed grants", () =>
    Effect.gen(function*() {
      const { differences, written } = yield* convertAndCompare("assign-member", [
        [
          "revoke",
          `function (user, context, callback) {
  var t;
  if (context.request.ip === "10.9.9." + "9") (t = user.app_metadata).plan = "basic";
  return callback(null, user, context);
}`
        ],
        ["reader", readsPlan]
      ], goldAtHiddenIp)
      assert.deepStrictEqual(
        differences.map((d) => d.typed.idTokenClaims),
        [],
        `status ${written.status}: typed granted admin where legacy did not`
      )
    }), 120_000)

  it.live(
    "an earlier rule sets the scopes through `(0, context.accessToken)`: typed adds admin:all, legacy never",
    () =>
      Effect.gen(function*() {
        const { differences, written } = yield* convertAndCompare("scope-comma", [
          [
            "restrict",
            `function (user, context, callback) {
  var t = (0, context.accessToken);
  t.scope = ["openid", "profile"];
  return callback(null, user, context);
}`
          ],
          [
            "widen",
            `function (user, context, callback) {
  if (!context.accessToken.scope) context.accessToken.scope = ["openid", "profile", "admin:all"];
  return callback(null, user, context);
}`
          ]
        ], {})
        assert.deepStrictEqual(
          differences.map((d) => d.typed.scopesAdded),
          [],
          `status ${written.status}: typed added scopes legacy did not`
        )
      }),
    120_000
  )

  it.live(
    "an earlier rule sets a claim through `(0, context.idToken)`, this one unsets it: typed keeps role admin",
    () =>
      Effect.gen(function*() {
        const { differences, written } = yield* convertAndCompare("claim-comma", [
          [
            "set-role",
            `function (user, context, callback) {
  var t = (0, context.idToken);
  t["https://x/role"] = "admin";
  return callback(null, user, context);
}`
          ],
          [
            "role",
            `function (user, context, callback) {
  context.idToken["https://x/role"] = user.app_metadata.role;
  return callback(null, user, context);
}`
          ]
        ], { user: { app_metadata: { role: undefined } } })
        assert.deepStrictEqual(
          differences.map((d) => d.typed.idTokenClaims),
          [],
          `status ${written.status}: typed kept a claim legacy dropped`
        )
      }),
    120_000
  )
})

const writesSecret = `function (user, context, callback) {
  user.apiKey = configuration.KEY;
  return callback(null, user, context);
}`

describe("ConvertReview4: a value an earlier rule made from a setting", () => {
  it.live(
    "a secret an earlier rule left on user (a fact) put into a claim: typed issues it, legacy denies",
    () =>
      Effect.gen(function*() {
        const { differences, written } = yield* convertAndCompare("secret-fact", [
          ["writer", writesSecret],
          [
            "reader",
            `function (user, context, callback) {
  context.idToken["https://x/k"] = context.request.ip === "10.9.9." + "9" ? user.apiKey : "none";
  return callback(null, user, context);
}`
          ]
        ], hiddenIp)
        assert.deepStrictEqual(
          differences.map((d) => d.typed.idTokenClaims),
          [],
          `status ${written.status}: typed issued the secret where legacy denied`
        )
      }),
    120_000
  )

  it.live(
    "a secret an earlier rule left on user (a fact), logged: convert neither redacts it nor leaves a TODO",
    () =>
      Effect.gen(function*() {
        const path = rulesFolder("secret-fact-log", [
          ["writer", writesSecret],
          [
            "reader",
            `function (user, context, callback) {
  console.log("key", user.apiKey);
  return callback(null, user, context);
}`
          ]
        ])
        const written = yield* Convert.convert(path, "reader", {
          out: join(scratch.dir(), "secret-fact-log-out"),
          check: false
        })
        // The legacy runtime scrubbed the secret from its log line; a typed `Effect.log("key", userApiKey)` prints it.
        assert.isTrue(
          written.status !== "converted" || !written.module.includes(`Effect.log("key", userApiKey)`),
          written.module
        )
      }),
    120_000
  )
})

describe("ConvertReview4: a writer that calls back with another user or context", () => {
  it.live(
    "a fact of user.tier although the writer may call back with another user object",
    () =>
      Effect.gen(function*() {
        const { differences, written } = yield* convertAndCompare("new-user", [
          [
            "writer",
            `function (user, context, callback) {
  user.tier = "gold";
  if (context.request.ip === "10.9.9." + "9") return callback(null, { tier: "basic", app_metadata: {}, user_metadata: {} }, context);
  return callback(null, user, context);
}`
          ],
          [
            "reader",
            `function (user, context, callback) {
  if (user.tier === "gold") context.idToken["https://x/admin"] = true;
  return callback(null, user, context);
}`
          ]
        ], hiddenIp)
        assert.deepStrictEqual(
          differences.map((d) => d.typed.idTokenClaims),
          [],
          `status ${written.status}: typed granted admin where legacy did not`
        )
      }),
    120_000
  )

  it.live(
    "a fact of context.entry although the writer may call back with another context object",
    () =>
      Effect.gen(function*() {
        const { differences, written } = yield* convertAndCompare("new-context", [
          [
            "writer",
            `function (user, context, callback) {
  context.entry = "gold";
  if (context.request.ip === "10.9.9." + "9") return callback(null, user, { idToken: {}, accessToken: {} });
  return callback(null, user, context);
}`
          ],
          [
            "reader",
            `function (user, context, callback) {
  if (context.entry === "gold") context.idToken["https://x/admin"] = true;
  return callback(null, user, context);
}`
          ]
        ], hiddenIp)
        assert.deepStrictEqual(
          differences.map((d) => d.typed.idTokenClaims),
          [],
          `status ${written.status}: typed granted admin where legacy did not`
        )
      }),
    120_000
  )
})

describe("ConvertReview4: the host realm", () => {
  it.live(
    "`Object.getPrototypeOf({}).admin = true` is converted: the legacy realm refuses it, the typed rule pollutes the Action",
    () =>
      Effect.gen(function*() {
        const { differences, written } = yield* convertAndCompare("prototype", [
          ["noop", `function (user, context, callback) {\n  return callback(null, user, context);\n}`],
          [
            "polluter",
            `function (user, context, callback) {
  if (context.request.ip === "10.9.9." + "9") Object.getPrototypeOf({}).admin = true;
  if (user.app_metadata.admin) context.idToken["https://x/admin"] = true;
  return callback(null, user, context);
}`
          ]
        ], hiddenIp)
        assert.deepStrictEqual(
          differences.map((d) => d.typed.idTokenClaims),
          [],
          `status ${written.status}: typed granted admin where legacy did not`
        )
      }).pipe(Effect.ensuring(Effect.sync(() => delete (Object.prototype as any).admin))),
    120_000
  )

  for (
    const change of [
      "Date.now = function () { return 0; };",
      "String.prototype.toLowerCase = function () { return 'admin'; };",
      "Object.defineProperty(Array.prototype, 'admin', { value: true });",
      "({}).constructor.prototype.admin = true;",
      "delete JSON.stringify;"
    ]
  ) {
    it.live(`a rule that changes a built-in is a TODO naming it: ${change}`, () =>
      Effect.gen(function*() {
        const path = rulesFolder(`builtin-${change.length}`, [[
          "changer",
          `function (user, context, callback) {\n  ${change}\n  return callback(null, user, context);\n}`
        ]])
        const written = yield* Convert.convert(path, "changer", {
          out: join(scratch.dir(), `builtin-${change.length}-out`)
        })
        assert.notStrictEqual(written.status, "converted")
        assert.isTrue(
          written.todos.some((todo) => todo.reason.includes("changes a built-in")),
          JSON.stringify(written.todos)
        )
      }), 60_000)
  }
})

describe("ConvertReview4: files", () => {
  it.live("a rule's module never replaces another rule's test, nor the other way round, in either order", () =>
    Effect.gen(function*() {
      const verify = `function (user, context, callback) {
  if (!user.email_verified) return callback(new UnauthorizedError("Verify"));
  return callback(null, user, context);
}`
      const path = rulesFolder("test-name", [["a", verify], ["a.differential.test", verify]])
      const out = join(scratch.dir(), "test-name-out")
      const first = yield* Convert.convert(path, "a", { out, check: false })
      const test = readFileSync(first.testFile, "utf8")
      const refused = yield* Effect.flip(Convert.convert(path, "a.differential.test", { out, check: false }))
      assert.include(refused.message, "a rule's differential test, not a rule's module")
      assert.strictEqual(readFileSync(first.testFile, "utf8"), test, "rule a's differential test was overwritten")
      // The other order: the module first, then the rule whose test would go there.
      const other = join(scratch.dir(), "test-name-out-2")
      const module = yield* Convert.convert(path, "a.differential.test", { out: other, check: false })
      const text = readFileSync(module.moduleFile, "utf8")
      const again = yield* Effect.flip(Convert.convert(path, "a", { out: other, check: false, force: true }))
      assert.include(again.message, "a rule's module, not a rule's differential test")
      assert.strictEqual(readFileSync(module.moduleFile, "utf8"), text)
    }))
})

describe("ConvertReview4: the module is written without semicolons", () => {
  it.live("a statement starting with `[` does not continue the line above it", () =>
    Effect.gen(function*() {
      const path = rulesFolder("asi", [[
        "asi",
        `function (user, context, callback) {
  [false].forEach(function (flag) { if (flag || user.app_metadata.blocked) throw new Error("x"); });
  return callback(null, user, context);
}`
      ]])
      const written = yield* Convert.convert(path, "asi", { out: join(scratch.dir(), "asi-out") })
      assert.include(written.module, ";[false].forEach(")
      assert.notStrictEqual(written.typeCheck?.ok, false, JSON.stringify(written.typeCheck))
    }), 120_000)
})

describe("ConvertReview4: a fact that shares an object with the metadata", () => {
  it.live(
    "a fact that is an earlier rule's metadata array, emptied in place by a rule between: typed grants",
    () =>
      Effect.gen(function*() {
        const { differences, written } = yield* convertAndCompare("fact-shares-metadata", [
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
  if (context.request.ip === "10.9.9." + "9" && user.app_metadata.perms) user.app_metadata.perms.splice(0);
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
          `status ${written.status}: typed granted admin where legacy did not`
        )
        // A TODO where the rule reads the fact, the earlier rules named.
        assert.match(written.todos.map((t) => t.reason).join("\n"), /reads user\.perms, which the earlier rule/)
      }),
    120_000
  )

  it.live(
    "a rule between that replaces the metadata array (`=`) leaves the fact: converted, and agrees",
    () =>
      Effect.gen(function*() {
        const { differences, written } = yield* convertAndCompare("fact-replaced-metadata", [
          [
            "writer",
            `function (user, context, callback) {
  user.perms = user.app_metadata.perms;
  return callback(null, user, context);
}`
          ],
          [
            "replace",
            `function (user, context, callback) {
  if (context.request.ip === "10.9.9." + "9") user.app_metadata.perms = [];
  return callback(null, user, context);
}`
          ],
          [
            "reader",
            `function (user, context, callback) {
  context.idToken["https://x/perms"] = String(user.perms);
  return callback(null, user, context);
}`
          ]
        ], { request: { ip: "10.9.9.9" }, user: { app_metadata: { perms: ["admin"] } } })
        assert.strictEqual(written.status, "converted", Convert.render(written))
        assert.deepStrictEqual(written.facts, ["UserPerms"])
        assert.deepStrictEqual(differences, [])
      }),
    120_000
  )
})

describe("ConvertReview4: --after-legacy reads what an earlier rule made from a setting", () => {
  it.live(
    "--after-legacy: a secret an earlier rule left in context.sig, logged: a TODO, not a log line in clear",
    () =>
      Effect.gen(function*() {
        const path = rulesFolder("state-secret-log", [
          [
            "writer",
            `function (user, context, callback) {\n  context.sig = configuration.KEY;\n  return callback(null, user, context);\n}`
          ],
          [
            "reader",
            `function (user, context, callback) {\n  console.log("sig", context.sig);\n  return callback(null, user, context);\n}`
          ]
        ])
        const written = yield* Convert.convert(path, "reader", {
          out: join(scratch.dir(), "state-secret-log-out"),
          check: false,
          afterLegacy: true
        })
        // The legacy runtime scrubbed the secret from its log line; `Effect.log("sig", legacyContext.sig)` prints it.
        assert.notInclude(written.module, `Effect.log("sig", legacyContext.sig)`)
        assert.include(written.todos.map((t) => t.reason).join("\n"), "`configuration.KEY`")
      }),
    120_000
  )

  for (
    const [name, writer, read] of [
      ["context.sig", "if (user.email) context.sig = configuration.KEY;", "context.sig"],
      ["user.app_metadata.k", "user.app_metadata.k = configuration.KEY;", "user.app_metadata.k"]
    ] as const
  ) {
    it.live(
      `--after-legacy: a secret an earlier rule left in ${name}, put into a claim: typed issues it`,
      () =>
        Effect.gen(function*() {
          const { differences, written } = yield* convertAndCompare(
            `state-secret-${name.length}`,
            [
              [
                "writer",
                `function (user, context, callback) {
  ${writer}
  return callback(null, user, context);
}`
              ],
              [
                "reader",
                `function (user, context, callback) {
  context.idToken["https://x/k"] = context.request.ip === "10.9.9." + "9" ? ${read} : "none";
  return callback(null, user, context);
}`
              ]
            ],
            { request: { ip: "10.9.9.9" }, user: { email: "a@example.com" } },
            true
          )
          assert.deepStrictEqual(
            differences.map((d) => d.typed.idTokenClaims),
            [],
            `status ${written.status}: typed issued the secret where legacy denied`
          )
          assert.include(written.todos.map((t) => t.reason).join("\n"), `reads ${read}, which the earlier rule writer`)
          assert.include(written.todos.map((t) => t.reason).join("\n"), "`configuration.KEY`")
        }),
      120_000
    )
  }
})

describe("ConvertReview4: a field that shares an object with the metadata, changed through the field", () => {
  it.live(
    "an earlier rule copies the metadata array to user.perms, a rule between pushes to user.perms: typed misses it",
    () =>
      Effect.gen(function*() {
        const { differences, written } = yield* convertAndCompare("metadata-shared-by-field", [
          [
            "writer",
            `function (user, context, callback) {
  user.perms = user.app_metadata.perms;
  return callback(null, user, context);
}`
          ],
          [
            "grant",
            `function (user, context, callback) {
  if (context.request.ip === "10.9.9." + "9" && user.perms) user.perms.push("admin");
  return callback(null, user, context);
}`
          ],
          [
            "reader",
            `function (user, context, callback) {
  context.idToken["https://x/perms"] = String(user.app_metadata.perms);
  return callback(null, user, context);
}`
          ]
        ], { request: { ip: "10.9.9.9" }, user: { app_metadata: { perms: ["read"] } } })
        assert.deepStrictEqual(
          differences.map((d) => d.legacy.idTokenClaims),
          [],
          `status ${written.status}: legacy issued admin where typed did not`
        )
        assert.match(
          written.todos.map((t) => t.reason).join("\n"),
          /reads user\.app_metadata\.perms, which the earlier rule/
        )
      }),
    120_000
  )
})
