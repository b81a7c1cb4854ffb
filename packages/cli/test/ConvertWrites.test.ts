/**
 * Writes of an earlier rule that convert cannot follow to one field: through a local alias, a call that receives a
 * value of the login's, a destructuring, `__proto__` or a mutator. Each is taken to write the whole value it reaches,
 * so a later rule's read under it is a TODO naming the earlier rule (never "converted" with the login's own value),
 * and it is never a fact. A callback that may pass `null` (`callback(err)`, `var err = null`) may allow: a write after
 * it is not always made, so it is not a fact either.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Convert from "@rulefx/cli/Convert"
import * as Effect from "effect/Effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as LegacyFolder from "./utils/LegacyFolder.ts"

const folder = LegacyFolder.rulesFolder

const lines = (...text: ReadonlyArray<string>): string => [...text, "callback(null, user, context);"].join("\n")
const gate = (condition: string): string => lines(`if (${condition}) return callback(new UnauthorizedError("no"));`)

// The earlier rule `writer`, and a later `gate` that reads what it writes.
const cases: ReadonlyArray<readonly [name: string, writer: string, reader: string]> = [
  [
    "a local alias",
    lines(`var md = user.app_metadata;`, `if (context.clientName === "a") md.role = "contractor";`),
    gate(`user.app_metadata.role === "contractor"`)
  ],
  [
    "an alias of an alias",
    lines(`var md = user.app_metadata || {};`, `var m = md;`, `if (context.clientName === "a") m.role = "x";`),
    gate(`user.app_metadata.role === "x"`)
  ],
  [
    "Object.assign",
    lines(`if (context.clientName === "a") Object.assign(user.app_metadata, { suspended: true });`),
    gate(`user.app_metadata.suspended`)
  ],
  [
    "a library call on an alias",
    lines(`var md = user.app_metadata;`, `if (context.clientName === "a") _.merge(md, { suspended: true });`),
    gate(`user.app_metadata.suspended`)
  ],
  [
    "an alias given two values",
    lines(
      `var md = context.request.query;`,
      `if (context.clientName === "a") md = user.app_metadata;`,
      `md.role = "x";`
    ),
    gate(`user.app_metadata.role === "x"`)
  ],
  [
    "an alias through ||",
    lines(`var md = user.app_metadata;`, `if (context.clientName === "a") _.merge(md || {}, { suspended: true });`),
    gate(`user.app_metadata.suspended`)
  ],
  [
    "Object.defineProperty",
    lines(`if (context.clientName === "a") Object.defineProperty(user, "blocked", { value: true });`),
    gate(`user.blocked`)
  ],
  [
    "an array destructuring",
    lines(`if (context.clientName === "a") [user.email_verified] = [false];`),
    gate(`!user.email_verified`)
  ],
  [
    "an object destructuring",
    lines(`if (context.clientName === "a") ({ a: user.email_verified } = { a: false });`),
    gate(`!user.email_verified`)
  ],
  [
    "__proto__",
    lines(`if (context.clientName === "a") user.__proto__ = { blocked: true };`),
    gate(`user.blocked`)
  ],
  [
    "Object.setPrototypeOf",
    lines(`if (context.clientName === "a") Object.setPrototypeOf(user, { blocked: true });`),
    gate(`user.blocked`)
  ],
  [
    "a mutator",
    lines(`user.groups = ["users"];`, `if (context.clientName === "a") user.groups.push("blocked");`),
    gate(`user.groups.indexOf("blocked") >= 0`)
  ]
]

// A chain of the login's inside `||`, `&&`, `??`, a ternary or `?.`, where the whole expression is written or handed
// to a call that may write it.
const chained: ReadonlyArray<readonly [name: string, writer: string]> = [
  ["|| as a call's argument", `Object.assign(context.request.query.md || user.app_metadata, { suspended: true });`],
  ["&& as a call's argument", `Object.assign(context.clientName === "a" && user.app_metadata, { suspended: true });`],
  ["?? as a call's argument", `_.merge(context.request.query.md ?? user.app_metadata, { suspended: true });`],
  [
    "a ternary as a call's argument",
    `Object.assign(context.clientName === "a" ? user.app_metadata : {}, { suspended: 1 });`
  ],
  ["?. as a call's argument", `Object.assign(user?.app_metadata, { suspended: true });`],
  ["|| written through", `(context.request.query.md || user.app_metadata).suspended = true;`],
  ["|| a mutator's receiver", `(context.request.query.md || user.app_metadata).suspended.push(1);`]
]

describe("Convert: earlier writes the field scan cannot follow", () => {
  it.effect("a chain inside ||, &&, ??, a ternary or ?. that is written or handed to a call is a write", () =>
    Effect.gen(function*() {
      const base = mkdtempSync(join(tmpdir(), "rulefx-convert-writes-"))
      // Before: the call's argument was the `||` expression, not the chain, so the later read was a fact (converted).
      const wrong: Array<string> = []
      for (const [i, [name, writer]] of chained.entries()) {
        const rules = folder(join(base, String(i)), {
          writer: lines(writer),
          gate: gate(`user.app_metadata.suspended`)
        })
        const result = yield* Convert.convert(rules, "gate", { out: join(base, String(i), "out"), check: false })
        const reasons = result.todos.map((t) => t.reason).join("\n")
        if (result.status === "converted" || !reasons.includes("the earlier rule writer may change")) wrong.push(name)
      }
      assert.deepStrictEqual(wrong, [])
      rmSync(base, { recursive: true, force: true })
    }))

  it.effect("a later read under what they may write is a TODO naming the earlier rule", () =>
    Effect.gen(function*() {
      const base = mkdtempSync(join(tmpdir(), "rulefx-convert-writes-"))
      // The cases convert calls converted, or whose TODO does not name the earlier rule.
      const wrong: Array<string> = []
      for (const [i, [name, writer, reader]] of cases.entries()) {
        const rules = folder(join(base, String(i)), { writer, gate: reader })
        const result = yield* Convert.convert(rules, "gate", { out: join(base, String(i), "out"), check: false })
        const reasons = result.todos.map((t) => t.reason).join("\n")
        if (result.status === "converted" || !reasons.includes("the earlier rule writer may change")) wrong.push(name)
      }
      assert.deepStrictEqual(wrong, [])
      rmSync(base, { recursive: true, force: true })
    }))

  it.effect("a read it does not reach, and reads that write nothing, still convert", () =>
    Effect.gen(function*() {
      const base = mkdtempSync(join(tmpdir(), "rulefx-convert-writes-"))
      const rules = folder(base, {
        writer: lines(
          `var md = user.app_metadata;`,
          `var email = user.email;`,
          `if (/x/.test(email) && md.plan === "gold" && user.email.indexOf("@") > 0) console.log(user.email);`,
          `if (context.clientName === "a") md.role = "x";`,
          `var allowed = ["a@b.c"];`,
          `if (allowed.indexOf(user.email) < 0 && !["x"].includes(user.email)) console.log("no");`,
          `if (user.app_metadata || user.email_verified) console.log(context.clientName || user.app_metadata);`,
          `var shown = JSON.stringify(user.app_metadata ?? {});`
        ),
        gate: gate(`!user.email_verified || user.email === "a@b.c"`)
      })
      const result = yield* Convert.convert(rules, "gate", { out: join(base, "out"), check: false })
      assert.deepStrictEqual(result.todos, [])
      assert.strictEqual(result.status, "converted")
      rmSync(base, { recursive: true, force: true })
    }))

  it.effect("a write through an alias, or after a callback that may allow, is not a fact", () =>
    Effect.gen(function*() {
      const base = mkdtempSync(join(tmpdir(), "rulefx-convert-writes-"))
      const writers: Record<string, string> = {
        alias: lines(
          `user.prefs = { banned: false };`,
          `var p = user.prefs;`,
          `if (context.clientName === "a") p.banned = true;`
        ),
        "null error": lines(
          `var err = null;`,
          `if (context.clientName === "b") err = new UnauthorizedError("blocked");`,
          `if (context.clientName === "m") return callback(err);`,
          `user.prefs = "verified";`
        )
      }
      const wrong: Array<string> = []
      for (const [name, writer] of Object.entries(writers)) {
        const rules = folder(join(base, name), { writer, gate: gate(`user.prefs.banned || user.prefs === "verified"`) })
        const result = yield* Convert.convert(rules, "gate", { out: join(base, name, "out"), check: false })
        if (result.facts.length > 0 || result.status === "converted") wrong.push(name)
      }
      assert.deepStrictEqual(wrong, [])
      // A local only ever given an error denies: the write after it is still a fact.
      const rules = folder(join(base, "denial"), {
        writer: lines(
          `var err = new UnauthorizedError("blocked");`,
          `if (context.clientName === "m") return callback(err);`,
          `user.prefs = "verified";`
        ),
        gate: gate(`user.prefs === "verified"`)
      })
      const result = yield* Convert.convert(rules, "gate", { out: join(base, "denial", "out"), check: false })
      assert.deepStrictEqual(result.facts, ["UserPrefs"])
      rmSync(base, { recursive: true, force: true })
    }))
})
