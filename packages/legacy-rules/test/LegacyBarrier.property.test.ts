/**
 * The barrier as a property: rule programs generated from a small grammar of Rules idioms (declared, block-scoped and
 * implicit variables, `this` in nested functions and in arrow rules, closures, Rules' `global` keyed by user, timers,
 * microtasks, `process.nextTick`, patched built-ins, faults from timers, unhandled rejections and late guard reads)
 * are migrated into one Action each, and 40 overlapping logins run through it in a child process. Each login's
 * outcome is computed here from its own data alone: its claims, metadata writes and redirect are its own, a login
 * whose rules raise a fault is denied with the generic reason, and the child lives to report.
 *
 * RULEFX_BARRIER_RUNS sets the number of programs (default 8; each is a migrate and a child process).
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { genericMessage } from "@rulefx/core/Denial"
import * as fc from "fast-check"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Login, runLogins } from "./utils/Child.ts"
import * as Unchecked from "./utils/Unchecked.ts"

const RUNS = Number(process.env["RULEFX_BARRIER_RUNS"] ?? 8)
const LOGINS = 40

type Store = "var" | "let" | "implicit" | "this" | "closure" | "global"
type Wait = "sync" | "timer" | "promise" | "tick" | "immediate"
type Patch = "none" | "includes" | "split" | "stringify" | "enumerable" | "map"
type Fault = "none" | "timer" | "reject" | "tick" | "guard"
type Output = "claim" | "metadata" | "redirect"

interface RuleSpec {
  readonly store: Store
  readonly wait: Wait
  readonly patch: Patch
  readonly fault: Fault
  readonly output: Output
  readonly arrow: boolean
}

const ruleSpec: fc.Arbitrary<RuleSpec> = fc.record({
  store: fc.constantFrom<Store>("var", "let", "implicit", "this", "closure", "global"),
  wait: fc.constantFrom<Wait>("sync", "timer", "promise", "tick", "immediate"),
  patch: fc.constantFrom<Patch>("none", "none", "includes", "split", "stringify", "enumerable", "map"),
  fault: fc.constantFrom<Fault>("none", "none", "timer", "reject", "tick", "guard"),
  output: fc.constantFrom<Output>("claim", "claim", "metadata", "redirect"),
  arrow: fc.boolean()
})

// What a rule computes from its login: built-ins a patching rule's realm would break, where the rule itself patches
// nothing (a rule's patch stays in its own realm, for its own later logins, as under Rules).
const valueExpr = (spec: RuleSpec) =>
  spec.patch === "none"
    ? `user.email + '|' + JSON.stringify([user.email.split('@')[0]]) + '|' + ['a', 'b'].includes(user.email) + '|' + [1].map(function (n) { return n + 1; })[0]`
    : `user.email`
const expectedValue = (spec: RuleSpec, email: string) =>
  spec.patch === "none" ? `${email}|${JSON.stringify([email.split("@")[0]])}|false|2` : email

const store = (spec: RuleSpec, i: number): { readonly put: string; readonly get: string } => {
  const v = valueExpr(spec)
  switch (spec.store) {
    case "var":
      return { put: `var x${i} = ${v};`, get: `x${i}` }
    case "let":
      return { put: `let x${i} = ${v};`, get: `x${i}` }
    case "implicit":
      // The analysis takes the name for declared (the var in decoy); the assignment is an undeclared global.
      return { put: `x${i} = ${v}; function decoy${i}() { var x${i}; return x${i}; }`, get: `x${i}` }
    case "this":
      return spec.arrow
        ? { put: `this.x${i} = ${v};`, get: `this.x${i}` }
        : {
          put: `function put${i}() { this.x${i} = ${v}; } put${i}(); function get${i}() { return this.x${i}; }`,
          get: `get${i}()`
        }
    case "closure":
      return { put: `var get${i} = (function (v) { return function () { return v; }; })(${v});`, get: `get${i}()` }
    case "global":
      return { put: `global['x${i}' + user.user_id] = ${v};`, get: `global['x${i}' + user.user_id]` }
  }
}

const wait = (spec: RuleSpec, body: string) => {
  const fn = spec.arrow ? `() => { ${body} }` : `function () { ${body} }`
  switch (spec.wait) {
    case "sync":
      return body
    case "timer":
      return `setTimeout(${fn}, Number(context.request.query.delay));`
    case "promise":
      return `Promise.resolve().then(${fn});`
    case "tick":
      return `process.nextTick(${fn});`
    case "immediate":
      return `setImmediate(${fn});`
  }
}

const patch: Record<Patch, string> = {
  none: "",
  includes: "Array.prototype.includes = function () { return true; };",
  split: "String.prototype.split = function () { return ['patched']; };",
  stringify: "JSON.stringify = function () { return '{}'; };",
  // An existing property made enumerable: the realm's Object.prototype takes no new one (Realm).
  enumerable: "Object.defineProperty(Object.prototype, 'toLocaleString', { value: 1, enumerable: true });",
  map: "Array.prototype.map = function () { return []; };"
}

// Raised only for logins asked to (`?fault=1`), before the rule calls back (its callback waits 30 ms).
const fault: Record<Fault, string> = {
  none: "",
  timer: "setTimeout(function () { throw new Error('boom'); }, 0);",
  reject: "Promise.reject(new Error('nobody handles this'));",
  tick: "process.nextTick(function () { null.x; });",
  guard: "var ctx = context; setTimeout(function () { return ctx.connectionOptions; }, 0);"
}

const source = (spec: RuleSpec, i: number): string => {
  const { get, put } = store(spec, i)
  const output = spec.output === "claim"
    ? `context.idToken['https://example.com/r${i}'] = ${get}; callback(null, user, context);`
    : spec.output === "metadata"
    ? `auth0.users.updateAppMetadata(user.user_id, { r${i}: ${get} }).then(function () { callback(null, user, context); });`
    : `context.redirect = { url: 'https://consent.example/' + encodeURIComponent(${get}) }; callback(null, user, context);`
  const faulting = spec.fault === "none"
    ? ""
    : `if (context.request.query.fault === '1') { ${
      fault[spec.fault]
    } return void setTimeout(function () { callback(null, user, context); }, 30); }`
  const body = `${faulting} ${put} ${wait(spec, `${output}`)} ${patch[spec.patch]}`
  return spec.arrow
    ? `(user, context, callback) => {\n${body}\n}\n`
    : `function (user, context, callback) {\n${body}\n}\n`
}

interface Expected {
  readonly denied: string | undefined
  readonly calls: ReadonlyArray<ReadonlyArray<unknown>>
}

const expected = (specs: ReadonlyArray<RuleSpec>, email: string, userFault: boolean): Expected => {
  const metadata = (upTo: number) =>
    specs.slice(0, upTo).flatMap((s, i) =>
      s.output === "metadata" ? [["user.setAppMetadata", `r${i}`, expectedValue(s, email)]] : []
    )
  const faulting = userFault ? specs.findIndex((s) => s.fault !== "none") : -1
  // Denied by the first faulting rule; what the rules before it wrote is kept, as under Rules.
  if (faulting >= 0) return { denied: genericMessage, calls: [["access.deny", genericMessage], ...metadata(faulting)] }
  const redirect = specs.findLast((s) => s.output === "redirect")
  if (redirect !== undefined) {
    const url = `https://consent.example/${encodeURIComponent(expectedValue(redirect, email))}`
    return { denied: undefined, calls: [["redirect.sendUserTo", url, { query: {} }], ...metadata(specs.length)] }
  }
  const claims = specs.flatMap((s, i) =>
    s.output === "claim" ? [["idToken.setCustomClaim", `https://example.com/r${i}`, expectedValue(s, email)]] : []
  )
  return { denied: undefined, calls: [...claims, ...metadata(specs.length)] }
}

let root = ""
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "rulefx-barrier-prop-"))
})
afterAll(() => {
  if (root !== "") rmSync(root, { recursive: true, force: true })
})

const sortCalls = (calls: ReadonlyArray<ReadonlyArray<unknown>>) => [...calls].map((c) => JSON.stringify(c)).toSorted()

let program = 0

describe("legacy barrier, property", () => {
  it(`${RUNS} generated rule programs x ${LOGINS} overlapping logins: each login sees only its own data`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(ruleSpec, { minLength: 1, maxLength: 4 }), fc.integer(), async (specs, seed) => {
        const dir = join(root, `p${program++}`)
        mkdirSync(join(dir, "rules"), { recursive: true })
        specs.forEach((spec, i) => {
          writeFileSync(join(dir, "rules", `r${i}.js`), source(spec, i))
          writeFileSync(join(dir, "rules", `r${i}.json`), JSON.stringify({ name: `r${i}`, order: i }))
        })
        const action = join(dir, "action.js")
        await Unchecked.build(dir, action, { ruleTimeoutMillis: 3000, deadlineMillis: 8000 })
        const logins: Array<Login & { readonly email: string; readonly fault: boolean }> = Array.from(
          { length: LOGINS },
          (_, i) => {
            const email = `u${i}x${seed}@shop.example`
            const fault = (i * 31 + seed) % 5 === 0
            return {
              email,
              fault,
              event: {
                user: { user_id: `auth0|u${i}`, email, app_metadata: {}, user_metadata: {} },
                client: { client_id: "cli_prop", name: "Prop" },
                request: {
                  ip: "203.0.113.9",
                  query: { delay: String((i * 7919 + seed) % 25), fault: fault ? "1" : "0" }
                },
                transaction: { protocol: "oidc-basic-profile", requested_scopes: ["openid"] }
              }
            }
          }
        )
        const report = await runLogins(dir, action, logins, 100)
        assert.strictEqual(report.code, 0, `the child ended: ${report.stderr.slice(0, 500)}`)
        assert.lengthOf(report.outcomes, LOGINS)
        report.outcomes.forEach((outcome, i) => {
          const want = expected(specs, logins[i]!.email, logins[i]!.fault)
          assert.deepStrictEqual(
            sortCalls(outcome.calls),
            sortCalls(want.calls),
            `login ${i} of ${JSON.stringify(specs)}:\n${specs.map((s, k) => source(s, k)).join("\n")}`
          )
        })
      }),
      { numRuns: RUNS }
    )
  }, 60_000 + RUNS * 5_000)
})
