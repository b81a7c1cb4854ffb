/**
 * From ConvertBreak3 (branch brk-convert), its items on facts and earlier rules' writes. Third breaker review of `rulefx convert`: legacy rules (and folders of rules) that convert with no TODO into a typed
 * rule that decides differently from the legacy one on some login, a facts module holding a value the earlier rule
 * does not always leave, and hostile input. Each test states convert's promise; each fails while the defect is there.
 * Full repros: the report of branch brk-convert.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Convert from "@rulefx/cli/Convert"
import * as Effect from "effect/Effect"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as LegacyFolder from "./utils/LegacyFolder.ts"

const scratch = LegacyFolder.convertScratch(".tmp-convert-facts3-")
const rulesFolder = scratch.rulesFolder

const convertLast = (folder: string, rules: ReadonlyArray<readonly [string, string]>) =>
  Effect.gen(function*() {
    const path = rulesFolder(folder, rules)
    const name = rules.at(-1)![0]
    const written = yield* Convert.convert(path, name, { out: join(scratch.dir(), `${folder}-out`), check: false })
    return { path, name, written }
  })

// A writer leaving user.tier "gold" (with `before` and `after` around the write), and a reader granting a claim on it.
const tier = (before: string, after: string) =>
  [
    [
      "writer",
      `function (user, context, callback) {
${before}
  user.tier = "gold";
${after}
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
  ] as const

describe("ConvertFacts3: a fact the earlier rule does not always leave", () => {
  it.live(
    "an early `return callback(err)` with `var err = new UnauthorizedError(...)` hoisted below it allows",
    () =>
      Effect.gen(function*() {
        // `err` is still undefined at the early return: Rules allowed that login without setting user.tier.
        const { written } = yield* convertLast(
          "fact-hoisted-err",
          tier(
            `  if (context.request.ip === "10.0.0." + "1") return callback(err);
  var err = new UnauthorizedError("Blocked");`,
            ""
          )
        )
        assert.deepStrictEqual(written.facts, [], readFileSync(written.factsFile ?? written.moduleFile, "utf8"))
      }),
    60_000
  )

  it.live(
    "`var err = new UnauthorizedError(...)` above the early `return callback(err)` still denies: the fact stays",
    () =>
      Effect.gen(function*() {
        const { written } = yield* convertLast(
          "fact-err-before",
          tier(
            `  var err = new UnauthorizedError("Blocked");
  if (context.request.ip === "10.0.0." + "1") return callback(err);`,
            ""
          )
        )
        assert.deepStrictEqual(written.facts, ["UserTier"], written.module)
      }),
    60_000
  )

  it.live(
    "an error declared above the `callback(err)` in its own block still denies; one in another block may not",
    () =>
      Effect.gen(function*() {
        const same = yield* convertLast(
          "fact-err-block",
          tier(
            `  if (context.request.ip === "10.0.0." + "1") {
    var err = new UnauthorizedError("Blocked");
    return callback(err);
  }`,
            ""
          )
        )
        assert.deepStrictEqual(same.written.facts, ["UserTier"], same.written.module)
        const other = yield* convertLast(
          "fact-err-other-block",
          tier(
            `  if (context.request.ip === "10.0.0." + "2") { var err = new UnauthorizedError("Blocked"); }
  if (context.request.ip === "10.0.0." + "1") return callback(err);`,
            ""
          )
        )
        assert.deepStrictEqual(other.written.facts, [], other.written.module)
      }),
    60_000
  )

  it.live(
    "a field set to another field of the login is still a fact (`user.tier = user.app_metadata.plan`)",
    () =>
      Effect.gen(function*() {
        const { written } = yield* convertLast("fact-member", [
          [
            "writer",
            `function (user, context, callback) {\n  user.tier = user.app_metadata.plan;\n  callback(null, user, context);\n}`
          ],
          [
            "reader",
            `function (user, context, callback) {\n  if (user.tier === "gold") context.idToken["https://x/admin"] = true;\n  callback(null, user, context);\n}`
          ]
        ])
        assert.deepStrictEqual(written.facts, ["UserTier"], written.module)
      }),
    60_000
  )

  it.live("a write through `arguments[0]` is a write to `user`", () =>
    Effect.gen(function*() {
      const { written } = yield* convertLast(
        "fact-arguments",
        tier("", `  if (context.request.ip === "10.0.0." + "1") arguments[0].tier = "basic";`)
      )
      assert.deepStrictEqual(written.facts, [], written.module)
    }), 60_000)
})

// A reader granting a claim on the login's roles, and an earlier rule that may change them on ip 10.0.0.1.
const reader = [
  "reader",
  `function (user, context, callback) {
if ((user.app_metadata.roles || []).indexOf("admin") !== -1) context.idToken["https://x/admin"] = true;
return callback(null, user, context);
}`
] as const
const revoke = (change: string) =>
  [
    "revoke",
    `function (user, context, callback) {
var roles = user.app_metadata.roles || [];
if (context.request.ip === "10.0.0." + "1") { ${change} }
return callback(null, user, context);
}`
  ] as const

describe("ConvertFacts3: an earlier rule's change to the metadata that convert does not see", () => {
  it.live(
    "`roles.splice(0)` on an alias, and `[user.app_metadata].forEach(function (m) { m.roles = [] })`",
    () =>
      Effect.gen(function*() {
        // Converted reading the login's own roles: after revoke on ip 10.0.0.1, the typed reader grants admin, Rules did not.
        const splice = yield* convertLast("revoke-splice", [revoke("roles.splice(0);"), reader])
        assert.notStrictEqual(splice.written.status, "converted", splice.written.module)
        const each = yield* convertLast("revoke-foreach", [
          revoke("[user.app_metadata].forEach(function (m) { m.roles = []; });"),
          reader
        ])
        assert.notStrictEqual(each.written.status, "converted", each.written.module)
      }),
    60_000
  )

  it.live(
    "other changes of the metadata: a method not known to only read, an object literal, a callback handed the array",
    () =>
      Effect.gen(function*() {
        const changes = [
          "roles.fill(\"none\");",
          "(user.app_metadata.roles || []).splice(0);",
          "roles.forEach(function (r, i, all) { all.length = 0; });",
          "roles.some(function (r, i, all) { var again = all; again.length = 0; });",
          "(user.app_metadata.roles || []).every((r, i, all) => all.pop());",
          "var holder = { md: user.app_metadata }; holder.md.roles = [];",
          "var box = {}; box.md = user.app_metadata; box.md.roles = [];",
          "for (var list of [roles]) list.length = 0;",
          "Object.values(user.app_metadata).forEach(function (v) { if (v === roles) v.length = 0; });"
        ]
        for (const [i, change] of changes.entries()) {
          const { written } = yield* convertLast(`revoke-other-${i}`, [revoke(change), reader])
          assert.notStrictEqual(written.status, "converted", `${change}\n${written.module}`)
        }
      }),
    120_000
  )

  it.live("a read-only use of the metadata is no write: the reader still converts", () =>
    Effect.gen(function*() {
      const { written } = yield* convertLast("revoke-none", [
        revoke(
          "console.log((user.app_metadata.roles || []).indexOf(\"x\"), roles.join(\",\")); " +
            "roles.forEach(function (r) { console.log(r.toUpperCase()); }); " +
            "if ((user.app_metadata.roles || []).some((r) => r === \"x\" || r.length > 9)) console.log(\"x\");"
        ),
        reader
      ])
      assert.strictEqual(written.status, "converted", written.module)
    }), 60_000)
})

describe("ConvertFacts3: what an earlier rule left, which the rule compared alone never shows", () => {
  it.live(
    "a claim an earlier rule set, that this rule sets to undefined (Rules: absent; typed: the earlier value)",
    () =>
      Effect.gen(function*() {
        const { written } = yield* convertLast("claim-unset", [
          [
            "set-role",
            `function (user, context, callback) {
  context.idToken["https://x/role"] = "admin";
  return callback(null, user, context);
}`
          ],
          [
            "claim-unset",
            `function (user, context, callback) {
  context.idToken["https://x/role"] = user.app_metadata.role;
  return callback(null, user, context);
}`
          ]
        ])
        // Converted to `if (claim !== undefined) setIdTokenClaim(...)`: after set-role, "admin" stays for every user
        // without a role, where Rules sent no role claim.
        assert.notStrictEqual(written.status, "converted", written.module)
      }),
    60_000
  )

  it.live(
    "a claim name held in a variable by both rules; the TODO names the earlier rule and its line; another claim converts",
    () =>
      Effect.gen(function*() {
        const setRole = [
          "set-role",
          `function (user, context, callback) {
  var role = "https://x/" + "role";
  context.idToken[role] = "admin";
  return callback(null, user, context);
}`
        ] as const
        const held = yield* convertLast("claim-unset-held", [
          setRole,
          [
            "claim-unset-held",
            `function (user, context, callback) {
  const name = "https://x/role";
  context.idToken[name] = user.app_metadata.role;
  return callback(null, user, context);
}`
          ]
        ])
        assert.notStrictEqual(held.written.status, "converted", held.written.module)
        assert.isTrue(
          held.written.todos.some((t) => t.line === 3 && /earlier rule set-role may set at line 3\b/.test(t.reason)),
          JSON.stringify(held.written.todos)
        )
        const other = yield* convertLast("claim-other", [
          setRole,
          [
            "claim-other",
            `function (user, context, callback) {
  context.idToken["https://x/plan"] = user.app_metadata.plan;
  return callback(null, user, context);
}`
          ]
        ])
        assert.strictEqual(other.written.status, "converted", other.written.module)
      }),
    60_000
  )

  it.live(
    "scopes an earlier rule set through a computed key (`context.accessToken[field] = [...]`)",
    () =>
      Effect.gen(function*() {
        const { written } = yield* convertLast("computed-scope", [
          [
            "restrict",
            `function (user, context, callback) {
  var field = "scope";
  context.accessToken[field] = ["openid", "profile"];
  return callback(null, user, context);
}`
          ],
          [
            "computed-scope",
            `function (user, context, callback) {
  if (!context.accessToken.scope) context.accessToken.scope = ["openid", "profile", "admin:all"];
  return callback(null, user, context);
}`
          ]
        ])
        // Converted: after restrict, the typed rule adds admin:all on every login; under Rules it never did.
        assert.notStrictEqual(written.status, "converted", written.module)
      }),
    60_000
  )

  it.live(
    "scopes through a key the earlier rule does not fix; a claim under a fixed namespace is not a scope",
    () =>
      Effect.gen(function*() {
        const reader = [
          "reader",
          `function (user, context, callback) {
  if (!context.accessToken.scope) context.accessToken.scope = ["openid", "profile", "admin:all"];
  return callback(null, user, context);
}`
        ] as const
        const unknown = yield* convertLast("computed-scope-unknown", [
          [
            "restrict",
            `function (user, context, callback) {
  var field = user.app_metadata.field;
  context.accessToken[field] = ["openid"];
  return callback(null, user, context);
}`
          ],
          reader
        ])
        assert.notStrictEqual(unknown.written.status, "converted", unknown.written.module)
        const claim = yield* convertLast("computed-scope-claim", [
          [
            "claim",
            `function (user, context, callback) {
  const namespace = "https://x/";
  context.accessToken[namespace + "email"] = user.email;
  return callback(null, user, context);
}`
          ],
          reader
        ])
        assert.strictEqual(claim.written.status, "converted", claim.written.module)
      }),
    60_000
  )
})

// A writer leaving user.tier, a rule named facts (no facts of its own), and a reader of user.tier (facts).
const factsNameRules = [
  [
    "writer",
    `function (user, context, callback) {\n  user.tier = "gold";\n  return callback(null, user, context);\n}`
  ],
  [
    "facts",
    `function (user, context, callback) {
if (!user.email_verified) return callback(new UnauthorizedError("Verify your email"));
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
] as const
const read = (file: string) => readFileSync(file, "utf8")

describe("ConvertFacts3: a rule named `facts` and the facts module", () => {
  it.live("converting `facts` first is refused; the reader then writes the facts module", () =>
    Effect.gen(function*() {
      const path = rulesFolder("facts-first", factsNameRules)
      const out = join(scratch.dir(), "facts-first-out")
      const refused = yield* Effect.flip(Convert.convert(path, "facts", { out, check: false, force: true }))
      assert.include(refused.message, "rename the rule")
      assert.isFalse(existsSync(join(out, "facts.ts")))
      const reader = yield* Convert.convert(path, "reader", { out, check: false })
      assert.strictEqual(reader.factsFile, join(out, "facts.ts"))
      assert.include(read(join(out, "facts.ts")), "export const UserTier")
    }), 60_000)

  it.live("converting `facts` after the reader is refused, and the facts module stays", () =>
    Effect.gen(function*() {
      const path = rulesFolder("facts-second", factsNameRules)
      const out = join(scratch.dir(), "facts-second-out")
      yield* Convert.convert(path, "reader", { out, check: false })
      const before = read(join(out, "facts.ts"))
      const refused = yield* Effect.flip(Convert.convert(path, "facts", { out, check: false, force: true }))
      assert.include(refused.message, "rename the rule")
      assert.strictEqual(read(join(out, "facts.ts")), before)
    }), 60_000)

  it.live(
    "a rule's module where the facts module goes is not replaced by it, even as convert wrote it",
    () =>
      Effect.gen(function*() {
        const path = rulesFolder("facts-kind", [...factsNameRules.filter(([name]) => name !== "facts"), [
          "plain",
          `function (user, context, callback) {
  if (!user.email_verified) return callback(new UnauthorizedError("Verify your email"));
  return callback(null, user, context);
}`
        ]])
        const out = join(scratch.dir(), "facts-kind-out")
        const plain = yield* Convert.convert(path, "plain", {
          out: join(scratch.dir(), "facts-kind-other"),
          check: false
        })
        mkdirSync(out, { recursive: true })
        writeFileSync(join(out, "facts.ts"), read(plain.moduleFile))
        const refused = yield* Effect.flip(Convert.convert(path, "reader", { out, check: false }))
        assert.include(refused.message, "not the facts module")
        assert.include(read(join(out, "facts.ts")), "Verify your email")
      }),
    60_000
  )
})
