/**
 * Attacks on `--runtime npm` (issue 10), a second round after RuntimeBreak.test.ts: an Action built against an
 * npm-installed @rulefx/action-runtime (InstalledRuntime: packed and installed with npm into a lone folder, as Auth0
 * installs it), written by a user of `rulefx init`'s project (its tsconfig has `verbatimModuleSyntax`) who may have
 * upgraded its rulefx packages but not the runtime, deployed or exported from a file that may have been edited or
 * without its runtime, and loaded beside other Actions (one with its own copy of effect) in one Node process.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as ActionDependencies from "@rulefx/cli/ActionDependencies"
import * as ActionRuntime from "@rulefx/cli/ActionRuntime"
import * as Bundle from "@rulefx/cli/Bundle"
import * as DeployCliExport from "@rulefx/cli/DeployCliExport"
import * as Migrate from "@rulefx/cli/Migrate"
import * as Events from "@rulefx/testing/Events"
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import * as Effect from "effect/Effect"
import { execFileSync } from "node:child_process"
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as InstalledRuntime from "./utils/InstalledRuntime.ts"

const { timeout, workspace } = InstalledRuntime

let root = ""
let lone = ""
let installed: ActionRuntime.Manifest

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "rulefx-runtime-npm-break-"))
  ;({ lone, manifest: installed } = InstalledRuntime.install(root))
}, timeout)

afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

/** rulefx's packages and effect resolve from the CLI's folder, as from a project's. */
const cli = join(workspace, "packages", "cli")

/** `rulefx init`'s tsconfig: its `verbatimModuleSyntax` keeps an import whose names are all `type` ones. */
const initTsconfig = readFileSync(join(cli, "template", "tsconfig.json"), "utf8")

/** An entry of its own in a folder with init's tsconfig, built into `lone` (bundled, or against the runtime). */
const build = (name: string, source: string, runtime: "bundled" | "npm") => {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, "tsconfig.json"), initTsconfig)
  writeFileSync(join(dir, "action.ts"), source)
  return Bundle.build({
    entry: join(dir, "action.ts"),
    outfile: join(lone, `${name}-${runtime}.js`),
    runtime,
    resolveFrom: runtime === "npm" ? [lone, cli] : [cli]
  })
}

type Handler = (event: unknown, api: RecordingApi.RecordingApi) => Promise<void>

/** One login through a built file, loaded with plain `require` as Auth0 does: denied (with why), allowed or rejected. */
const login = async (file: string, event: unknown = Events.postLogin()): Promise<string> => {
  const handler = (createRequire(file)(file) as { readonly onExecutePostLogin: Handler }).onExecutePostLogin
  const api = RecordingApi.make()
  try {
    await handler(event, api)
  } catch (e) {
    return `rejected: ${String(e)}`
  }
  const denied = api.summary().denied
  return denied === undefined ? "allowed" : `denied: ${denied}`
}

const denyUnlessAdmin = `import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Denial from "@rulefx/core/Denial"
import * as Login from "@rulefx/core/Login"
import * as Pipeline from "@rulefx/core/Pipeline"
import * as Rule from "@rulefx/core/Rule"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
class NotAdmin extends Denial.Class("NotAdmin")<{}> { override get message() { return "not an admin" } }
const admin = Rule.make("admin", Effect.gen(function*() {
  const login = yield* Login.Login
  if (login.user.appMetadata["admin"] !== true) return yield* new NotAdmin()
}))
export const onExecutePostLogin = PostLogin.make(Pipeline.make({ facts: [], rules: [admin] }), Layer.empty)
`

const admin = Events.postLogin({ user: { app_metadata: { admin: true } } })

describe("a type-only import of a module the runtime does not carry", { timeout }, () => {
  // Found: `import { type Brand } from "effect/Brand"` in a project made by `rulefx init` (verbatimModuleSyntax: true)
  // is kept by esbuild as `import "effect/Brand"`, which the bundled build drops (effect is free of side effects) and
  // --runtime npm refused: "effect/Brand is not in @rulefx/action-runtime", for a module the Action never loads.
  it("builds as the bundled build does, and the Action denies as it does", async () => {
    const source = `import { type Brand } from "effect/Brand"\nimport * as Types from "effect/Types"\n` +
      `import { type Schema } from "effect/Schema"\n` +
      `export type Id = Brand<"Id"> & Types.Simplify<{ readonly id: string }>\nexport type S = Schema<string>\n` +
      denyUnlessAdmin
    const bundled = await build("type-only", source, "bundled")
    const npm = await build("type-only", source, "npm")
    const code = readFileSync(npm.outfile, "utf8")
    assert.notInclude(code, "effect/Brand")
    assert.notInclude(code, "effect/Schema")
    assert.deepStrictEqual(ActionRuntime.requiredBy(code), [installed.version])
    for (const file of [bundled.outfile, npm.outfile]) {
      // oxlint-disable-next-line no-await-in-loop
      assert.strictEqual(await login(file), "denied: not an admin")
      // oxlint-disable-next-line no-await-in-loop
      assert.strictEqual(await login(file, admin), "allowed")
    }
  })

  it("is still refused, naming it and writing nothing, when a value of it is used", async () => {
    const source = `import { type Brand, nominal } from "effect/Brand"\nexport type Id = Brand<"Id">\n` +
      `export const id = nominal<string & Brand<"Id">>()\n${denyUnlessAdmin}`
    const error = await build("value-used", source, "npm").then(() => assert.fail("built"), (e: unknown) => e)
    assert.instanceOf(error, ActionRuntime.NotInRuntime)
    assert.deepStrictEqual(error.missing.map((m) => m.module), ["effect/Brand"])
    assert.isFalse(existsSync(join(lone, "value-used-npm.js")))
  })
})

/** The runtime files a built file requires, in order. */
const requires = (file: string) => [
  ...new Set([...readFileSync(file, "utf8").matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))
]

describe("the part of the runtime an Action loads", { timeout }, () => {
  // Found: an import of types only from a module only the whole runtime carries (`effect/Array`'s
  // NonEmptyReadonlyArray) made the Action load the whole runtime (416 kB to compile at a cold start) instead of its
  // post-login file (170 kB), and call the runtime for a module it never uses.
  it("is the post-login file for a seed-like Action whose import of a module it lacks is of types only", async () => {
    assert.include(installed.modules, "effect/Array")
    assert.notInclude(installed.lean ?? [], "effect/Array")
    const source = `import { type NonEmptyReadonlyArray } from "effect/Array"\n` +
      `export type Roles = NonEmptyReadonlyArray<string>\n${denyUnlessAdmin}`
    const npm = await build("type-only-whole", source, "npm")
    assert.deepStrictEqual(requires(npm.outfile), ["@rulefx/action-runtime/post-login", "@rulefx/action-runtime"])
    assert.notInclude(readFileSync(npm.outfile, "utf8"), "effect/Array")
    assert.strictEqual(await login(npm.outfile, admin), "allowed")
    assert.strictEqual(await login(npm.outfile), "denied: not an admin")
  })

  it("is the whole runtime when a value of that module is used", async () => {
    const source = `import * as Arr from "effect/Array"\nexport const first = Arr.head\n${denyUnlessAdmin}`
    const npm = await build("value-whole", source, "npm")
    assert.deepStrictEqual(requires(npm.outfile), ["@rulefx/action-runtime"])
    assert.strictEqual(await login(npm.outfile), "denied: not an admin")
  })
})

const declared = (file: string, given: ReadonlyArray<ActionDependencies.Dependency> = []) =>
  Effect.runPromise(Effect.result(ActionDependencies.declare(file, readFileSync(file, "utf8"), given)))

describe("deploy and export of an edited file", { timeout }, () => {
  // Found: a file built with --runtime npm whose version check was taken out by hand (to load on any version) still
  // requires the runtime, but deploy and export read the version from that check: they declared no dependency, and
  // the deployed Action failed every login ("Cannot find module '@rulefx/action-runtime'").
  it("refuses a file that requires the runtime at no version it says, unless the runtime is given", async () => {
    const npm = await build("edited", denyUnlessAdmin, "npm")
    const edited = join(root, "edited.js")
    const code = readFileSync(npm.outfile, "utf8")
    const without = code.replace(/if\([^()]*rulefx:requires [^()]*\)throw new Error\([^()]*\);?/, "")
    assert.notStrictEqual(without, code)
    assert.isTrue(ActionRuntime.requiresRuntime(without))
    assert.deepStrictEqual(ActionRuntime.requiredBy(without), [])
    writeFileSync(edited, without)
    const refused = await declared(edited)
    assert.isTrue(refused._tag === "Failure")
    if (refused._tag === "Failure") {
      assert.include(refused.failure.message, `${edited} requires @rulefx/action-runtime but not at a version`)
      assert.include(refused.failure.message, "--dependency @rulefx/action-runtime@<version>")
    }
    const out = join(root, "edited-export")
    const exported = await Effect.runPromise(
      Effect.result(DeployCliExport.write({ file: edited, name: "edited", out }))
    )
    assert.isTrue(exported._tag === "Failure")
    assert.isFalse(existsSync(join(out, "actions", "edited.json")))
    // Given, it is declared as given.
    const runtime = { name: ActionRuntime.packageName, version: installed.version }
    const given = await declared(edited, [runtime])
    assert.isTrue(given._tag === "Success")
    if (given._tag === "Success") assert.deepStrictEqual(given.success.dependencies, [runtime])
  })
})

/** Loads `file` with plain `require` in a Node process of its own, as Auth0 does (no NODE_PATH): what it threw. */
const loadAlone = (file: string): string => {
  const { NODE_PATH: _, ...env } = process.env
  try {
    execFileSync(process.execPath, ["-e", `require(${JSON.stringify(file)})`], { env, stdio: "pipe" })
    return "loaded"
  } catch (e) {
    return String((e as { readonly stderr?: unknown }).stderr)
  }
}

describe("an Action whose runtime is not installed", { timeout }, () => {
  // Found: deployed without its dependency (the code pasted into Auth0's editor, or deployed by another tool), the
  // Action failed its load with Node's "Cannot find module '@rulefx/action-runtime'", which does not say the version
  // to declare; another version is refused naming it, so the user learnt it only at the second try.
  it("fails its load naming the exact dependency to declare, for each part of the runtime", async () => {
    const bare = join(root, "bare")
    mkdirSync(bare, { recursive: true })
    const postLogin = await build("bare-post-login", denyUnlessAdmin, "npm")
    const whole = await build("bare-whole", `import * as Arr from "effect/Array"\nexport const a = Arr.head\n`, "npm")
    assert.deepStrictEqual(requires(whole.outfile), ["@rulefx/action-runtime"])
    for (const file of [postLogin.outfile, whole.outfile]) {
      const alone = join(bare, `${file.endsWith("whole-npm.js") ? "whole" : "post-login"}.js`)
      copyFileSync(file, alone)
      const error = loadAlone(alone)
      assert.include(
        error,
        `Cannot find module '@rulefx/action-runtime': this Action was built with --runtime npm against ` +
          `@rulefx/action-runtime@${installed.version}; declare it as its dependency`
      )
      // Beside the runtime, it loads.
      assert.strictEqual(loadAlone(file), "loaded")
    }
  })
})

/**
 * `acme-rules`, a package of rules shipped prebuilt with its own copy of effect and @rulefx/core in it (bundled), in
 * `lone`'s node_modules as npm would install it: an Action that keeps it out (`external`) runs it beside the runtime's
 * copy, two copies of effect in one Action.
 */
const acme = async () => {
  const dir = join(root, "acme-src")
  const pkg = join(lone, "node_modules", "acme-rules")
  mkdirSync(dir, { recursive: true })
  mkdirSync(pkg, { recursive: true })
  writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "acme-rules", version: "1.0.0", main: "index.js" }))
  writeFileSync(
    join(dir, "index.ts"),
    `import * as Denial from "@rulefx/core/Denial"\nimport * as Login from "@rulefx/core/Login"\n` +
      `import * as Rule from "@rulefx/core/Rule"\nimport * as Context from "effect/Context"\n` +
      `import * as Effect from "effect/Effect"\n` +
      `class Nope extends Denial.Class("Nope")<{}> { override get message() { return "nope from acme" } }\n` +
      `export class Threshold extends Context.Service<Threshold, { readonly min: number }>()("acme/Threshold") {}\n` +
      `export const rule = Rule.make("acme", Effect.gen(function*() {\n` +
      `  const login = yield* Login.Login\n  const { min } = yield* Threshold\n` +
      `  if (login.user.appMetadata["boom"] === true) return yield* Effect.die("boom")\n` +
      `  if (Number(login.user.appMetadata["level"] ?? 0) < min) return yield* new Nope()\n}))\n`
  )
  await Bundle.build({ entry: join(dir, "index.ts"), outfile: join(pkg, "index.js"), resolveFrom: [cli] })
}

const acmeAction = `import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Pipeline from "@rulefx/core/Pipeline"
import * as Layer from "effect/Layer"
// @ts-ignore: a package without types
import { rule, Threshold } from "acme-rules"
export const onExecutePostLogin = PostLogin.make(
  Pipeline.make({ facts: [], rules: [rule] }),
  Layer.succeed(Threshold, { min: 2 })
)
`

const level = (n: number) => Events.postLogin({ user: { app_metadata: { level: n } } })

describe("--external and two copies of effect", { timeout }, () => {
  it("leaves effect and rulefx to the runtime's one copy even when they are given as --external", async () => {
    const dir = join(root, "external")
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, "action.ts"), denyUnlessAdmin)
    const report = await Bundle.build({
      entry: join(dir, "action.ts"),
      outfile: join(lone, "external-npm.js"),
      runtime: "npm",
      resolveFrom: [lone, cli],
      external: ["effect", "@rulefx/core", "@rulefx/adapter-auth0/PostLogin"]
    })
    assert.deepStrictEqual(requires(report.outfile), ["@rulefx/action-runtime/post-login", "@rulefx/action-runtime"])
    assert.strictEqual(await login(report.outfile), "denied: not an admin")
    assert.strictEqual(await login(report.outfile, admin), "allowed")
  })

  it("denies with a rule of a package that carries its own copy of effect and rulefx, kept --external", async () => {
    await acme()
    const dir = join(root, "acme-action")
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, "action.ts"), acmeAction)
    const report = await Bundle.build({
      entry: join(dir, "action.ts"),
      outfile: join(lone, "acme-npm.js"),
      runtime: "npm",
      resolveFrom: [lone, cli],
      external: ["acme-rules"]
    })
    assert.include(requires(report.outfile), "acme-rules")
    // Its Denial class, its service key and its Effects are another copy's: the runtime's pipeline tells them by
    // Symbol.for and string keys, so a denial stays a denial, the service is found and a defect fails closed.
    assert.strictEqual(await login(report.outfile, level(1)), "denied: nope from acme")
    assert.strictEqual(await login(report.outfile, level(3)), "allowed")
    assert.match(
      await login(report.outfile, Events.postLogin({ user: { app_metadata: { level: 3, boom: true } } })),
      /^denied: /
    )
  })
})

/** A rule that denies unless the login's secret WHO is the user's `app_metadata.who`. */
const secretAction = `import * as PostLogin from "@rulefx/adapter-auth0/PostLogin"
import * as Denial from "@rulefx/core/Denial"
import * as Login from "@rulefx/core/Login"
import * as Pipeline from "@rulefx/core/Pipeline"
import * as Rule from "@rulefx/core/Rule"
import * as Secrets from "@rulefx/core/Secrets"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
class Other extends Denial.Class("Other")<{}> { override get message() { return "another's secret" } }
const mine = Rule.make("mine", Effect.gen(function*() {
  const who = Redacted.value(yield* Secrets.get("WHO"))
  yield* Effect.sleep(Number((yield* Login.Login).user.appMetadata["wait"]))
  if ((yield* Login.Login).user.appMetadata["who"] !== who) return yield* new Other()
}))
export const onExecutePostLogin = PostLogin.make(Pipeline.make({ facts: [], rules: [mine] }), Layer.empty)
`

/** A legacy rule's folder as deploy-cli exports it: one rule, `name`, of `source`. */
const rulesFolder = (name: string, source: string) => {
  const dir = join(root, `rules-${name}`)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, `${name}.js`), source)
  writeFileSync(
    join(dir, `${name}.json`),
    JSON.stringify({ name, script: `./${name}.js`, stage: "login_success", enabled: true, order: 1 })
  )
  return dir
}

/** A login whose secret WHO is `secret`, of a user whose `app_metadata.who` is `who`, whose rule waits `wait` ms. */
const whoEvent = (secret: string, who: string, wait: number) =>
  Events.postLogin({ secrets: { WHO: secret }, user: { app_metadata: { who, wait } } })

describe("two Actions on one runtime in one Node process", { timeout }, () => {
  it("give each login its own Action's secrets, with logins of both in flight together", async () => {
    const [a, b] = [await build("secret-a", secretAction, "npm"), await build("secret-b", secretAction, "npm")]
    assert.deepStrictEqual(requires(a.outfile), requires(b.outfile))
    const outcomes = await Promise.all(
      Array.from(
        { length: 6 },
        (_, i) => login(i % 2 === 0 ? a.outfile : b.outfile, whoEvent(`who-${i}`, `who-${i}`, 6 - i))
      )
    )
    assert.deepStrictEqual(outcomes, Array.from({ length: 6 }, () => "allowed"))
    // The check can deny: a login whose secret is not its user's.
    assert.strictEqual(await login(a.outfile, whoEvent("a", "b", 0)), "denied: another's secret")
  })

  // Held, and better than bundled: the runtime's legacy-rules is one copy, so a fault raised late by one Action's rule
  // (a throw from its timer) is told by its async context to be that run's. Two bundled Actions each install their own
  // fault handlers with their own context: the other Action's handler finds no run of its own and denies every one of
  // its rules in flight.
  it("deny, for a late fault of one Action's legacy rule, that Action's login only", async () => {
    const late = rulesFolder(
      "late",
      `function late(user, context, callback) {\n  setTimeout(function () { throw new Error("late"); }, 5);\n` +
        `  setTimeout(function () { callback(null, user, context); }, 30);\n}\n`
    )
    const slow = rulesFolder(
      "slow",
      `function slow(user, context, callback) {\n  setTimeout(function () { callback(null, user, context); }, 300);\n}\n`
    )
    const [lateFile, slowFile] = [join(lone, "late-npm.js"), join(lone, "slow-npm.js")]
    await Effect.runPromise(Migrate.migrate(late, lateFile, { runtime: "npm" }))
    await Effect.runPromise(Migrate.migrate(slow, slowFile, { runtime: "npm" }))
    assert.deepStrictEqual(requires(lateFile), requires(slowFile))
    const log = console.log
    console.log = () => undefined
    try {
      const [faulted, other] = await Promise.all([login(lateFile), login(slowFile)])
      assert.match(faulted, /^denied: /)
      assert.strictEqual(other, "allowed")
    } finally {
      console.log = log
    }
  })
})

describe("the project's rulefx and the runtime at different versions", { timeout }, () => {
  // Found: the build sends every import of @rulefx/* to the runtime and reads nothing of the project's own copies, so
  // a project that upgraded @rulefx/core (its code and tests run 9.9.9) but not @rulefx/action-runtime (exact-pinned)
  // built, and deployed, an Action that runs the runtime's rulefx instead: a fix the tests rely on is not in it, a new
  // export is `undefined` at the login.
  it("refuses to build, naming each package and both versions; writes nothing", async () => {
    const project = join(root, "skew")
    for (const [name, version] of [["@rulefx/core", "9.9.9"], ["@rulefx/adapter-auth0", installed.version]]) {
      mkdirSync(join(project, "node_modules", name), { recursive: true })
      writeFileSync(join(project, "node_modules", name, "package.json"), JSON.stringify({ name, version }))
    }
    mkdirSync(join(project, "src"), { recursive: true })
    writeFileSync(join(project, "src", "action.ts"), denyUnlessAdmin)
    const outfile = join(lone, "skew-npm.js")
    const error = await Bundle.build({
      entry: join(project, "src", "action.ts"),
      outfile,
      runtime: "npm",
      resolveFrom: [lone, cli]
    }).then(() => assert.fail("built"), (e: unknown) => e)
    assert.instanceOf(error, ActionRuntime.OtherVersions)
    assert.deepStrictEqual(error.packages.map((p) => `${p.name}@${p.version}`), ["@rulefx/core@9.9.9"])
    assert.include(error.message, `@rulefx/core@9.9.9 is installed in ${project}`)
    assert.include(error.message, `@rulefx/action-runtime@${installed.version} carries ${installed.version}`)
    assert.isFalse(existsSync(outfile))
  })

  // The reviewer's note: a malformed package.json in the project's node_modules threw a bare SyntaxError.
  it("names the package.json it cannot read", () => {
    const project = join(root, "broken")
    mkdirSync(join(project, "node_modules", "@rulefx", "core"), { recursive: true })
    const file = join(project, "node_modules", "@rulefx", "core", "package.json")
    writeFileSync(file, "{ not json")
    assert.throws(
      () => ActionRuntime.otherVersions(installed, ["@rulefx/core/Rule"], [project]),
      `${file} cannot be read as JSON`
    )
  })
})
