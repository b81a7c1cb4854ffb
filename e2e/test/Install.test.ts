/**
 * The install path a user takes, offline, from `rulefx init` on. The packed @rulefx packages are published to a local
 * registry (verdaccio on 127.0.0.1, no uplinks) seeded with the third-party packages this machine has. In an empty
 * folder outside the workspace the published CLI scaffolds a project, as the CLI README says to start one
 * (`npx @rulefx/cli init my-login`, `pnpm dlx @rulefx/cli init my-login`); its dependencies install from that registry;
 * then its own scripts run as its README tells: `test`, `check` (tsc against the published declarations), `build`,
 * `run` (the sample events, whose outcomes are also checked exactly with `rulefx run --json`), and `deploy`, with
 * `--dry-run` and then for real, against a fake tenant on 127.0.0.1. Last, the user adds @rulefx/legacy-rules and
 * netmask and migrates a folder of legacy Rules (`request`, `netmask`), then runs the migrated Action. All of it with
 * npm and with pnpm, each with a fresh home, caches and configuration.
 *
 * Node: the package managers and every rulefx step run on the machine's own node (Node 20 on CI: the CLI supports
 * 20.18+); the project's tests (vitest 5, which needs Node 22) run with the workspace's Node 22 first on PATH, and so
 * does verdaccio 6.10.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Init from "@rulefx/cli/Init"
import * as ManagementServer from "@rulefx/testing/ManagementServer"
import * as Effect from "effect/Effect"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Semver from "semver"
import { afterAll, beforeAll, inject } from "vitest"
import * as LegacyRules from "./utils/LegacyRules.ts"
import * as Outside from "./utils/Outside.ts"
import * as Packed from "./utils/Packed.ts"
import * as Registry from "./utils/Registry.ts"
import * as Seed from "./utils/Seed.ts"

const packed = inject("packed")
const node = Outside.systemNode()
const minutes = (n: number) => n * 60_000
const name = "my-login"

/** What `rulefx run --json` prints, as far as these tests read it. */
interface Outcome {
  readonly outcome: "allowed" | "denied" | "rejected"
  readonly summary: {
    readonly denied?: string
    readonly idTokenClaims: Record<string, unknown>
    readonly accessTokenClaims: Record<string, unknown>
  }
  readonly calls: ReadonlyArray<{ readonly method: string; readonly args: ReadonlyArray<unknown> }>
  readonly filled: ReadonlyArray<string>
}

interface Manifest {
  readonly name: string
  readonly dependencies?: Record<string, string>
  readonly devDependencies?: Record<string, string>
  readonly peerDependencies?: Record<string, string>
}

const readJson = <A>(file: string): A => JSON.parse(readFileSync(file, "utf8")) as A

/** The third-party packages the project `rulefx init` writes pins, with their versions (the CLI's own list). */
const pins: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(Init.defaultVersions()).filter(([dependency]) => !dependency.startsWith("@rulefx/"))
)
/** What the migration step adds to the project: the shim's package and the npm package a legacy rule requires. */
const migrationNeeds = ["@rulefx/legacy-rules", "netmask"]

let root = ""
let registry: Registry.Registry | undefined
let crm: Server | undefined
let crmUrl = ""
const crmRequests: Array<unknown> = []
/** The third-party packages the @rulefx packages depend on. */
let runtimeNeeds: ReadonlyArray<string> = []

const started = (): Registry.Registry => {
  if (registry === undefined) throw new Error("the registry did not start")
  return registry
}

/** A CRM on 127.0.0.1 for the migrated `request` rule: POST /crm answers an id, POST /down answers 503. */
const startCrm = (): Promise<void> =>
  new Promise((resolve) => {
    crm = createServer((request, response) => {
      let body = ""
      request.on("data", (chunk: Buffer) => (body += chunk.toString()))
      request.on("end", () => {
        crmRequests.push({ url: request.url, body: JSON.parse(body || "null") })
        const up = request.method === "POST" && request.url === "/crm"
        response.writeHead(up ? 200 : 503, { "content-type": "application/json" })
        response.end(up ? JSON.stringify({ id: "crm-1001" }) : "{}")
      })
    })
    crm.listen(0, "127.0.0.1", () => {
      const address = crm?.address()
      crmUrl = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`
      resolve()
    })
  })

beforeAll(async () => {
  const pool = Seed.installed(Outside.workspaceStore())
  // First, before anything starts: a pin the seed cannot serve fails here, naming the package.
  Seed.covering(pool, pins, `the project rulefx init writes (${Init.templateFolder})`)
  root = mkdtempSync(join(tmpdir(), "rulefx-install-"))
  registry = await Registry.start({ folder: join(root, "registry"), node: Outside.workspaceNode() })
  const published = new Set(packed.map((p) => p.name))
  runtimeNeeds = [
    ...new Set(
      Packed.folders().flatMap((folder) => {
        const manifest = readJson<Manifest>(join(folder, "package.json"))
        return Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })
      })
    )
  ].filter((dependency) => !published.has(dependency))
  const start = new Set([
    ...Object.keys(pins),
    ...migrationNeeds.filter((dependency) => !published.has(dependency)),
    ...runtimeNeeds
  ])
  await Seed.publish(started(), Seed.closure(pool, start))

  const publisher = Outside.make({
    home: join(root, "publisher"),
    registry: started().url,
    node: node.path,
    token: started().token
  })
  // The tarballs as `pnpm pack` wrote them, published by npm; provenance needs a CI's OIDC token, not had here.
  const publishing = await Promise.all(
    packed.map((p) =>
      Outside.run(publisher, root, node.path, [Outside.systemNpm(), "publish", p.tarball, "--provenance=false"])
    )
  )
  for (const [i, ran] of publishing.entries()) {
    if (ran.code !== 0) throw new Error(Outside.describe(`npm publish ${packed[i]?.name}`, ran))
  }
  await startCrm()
}, minutes(5))

afterAll(async () => {
  await registry?.stop()
  await new Promise<void>((resolve) => (crm === undefined ? resolve() : crm.close(() => resolve())))
  // RULEFX_E2E_KEEP=1 keeps the projects, the registry's storage and the homes, to look into a failure.
  if (root !== "" && process.env["RULEFX_E2E_KEEP"] === undefined) rmSync(root, { recursive: true, force: true })
}, minutes(2))

describe("the local registry", () => {
  it("holds the packed @rulefx packages and answers 404 for anything it was not given (no uplink)", async () => {
    const packuments = await Promise.all(packed.map((p) => started().packument(p.name)))
    for (const [i, { body, status }] of packuments.entries()) {
      assert.strictEqual(status, 200, packed[i]?.name)
      assert.include(Object.keys((body as { readonly versions: object }).versions), packed[i]?.version)
    }
    assert.strictEqual((await started().packument("left-pad")).status, 404)
    assert.strictEqual((await started().packument("@esbuild/darwin-arm64")).status, 404)
  })
})

/** A command as a user types it: the package manager's script (run with a chosen node) and its arguments. */
type Command = ReadonlyArray<string>

interface Manager {
  readonly name: "npm" | "pnpm"
  /** How the user starts a project, as the CLI README says. */
  readonly creates: string
  /**
   * `npx @rulefx/cli init <dir>`: the published CLI, fetched from the registry, run once. The packed packages are
   * version 0.0.0, which an unreleased CLI refuses to write unless told that a registry serves it
   * (`--allow-unreleased`): this one does.
   */
  readonly create: (dir: string) => Command
  readonly install: () => Command
  readonly add: (...names: ReadonlyArray<string>) => Command
  readonly test: () => Command
  /** `npm run <script> -- <args>`; pnpm hands a `--` on to the script, so its flags go without one. */
  readonly script: (script: string, ...args: ReadonlyArray<string>) => Command
  /** `npx rulefx ...`, the project's installed bin. */
  readonly rulefx: (...args: ReadonlyArray<string>) => Command
  /** Where the packages came from. */
  readonly sources: (outside: Outside.Outside, project: string) => ReadonlySet<string>
}

const npm = Outside.systemNpm()
const npx = Outside.systemNpx()
const pnpm = Outside.pnpmCli()

const managers: ReadonlyArray<Manager> = [
  {
    name: "npm",
    creates: "npx @rulefx/cli init",
    create: (dir) => [npx, "@rulefx/cli", "init", dir, "--allow-unreleased"],
    install: () => [npm, "install"],
    add: (...names) => [npm, "install", ...names],
    test: () => [npm, "test"],
    script: (script, ...args) => [npm, "run", script, ...(args.length === 0 ? [] : ["--", ...args])],
    rulefx: (...args) => [npx, "rulefx", ...args],
    /** The origins of the lockfile's `resolved` URLs. */
    sources: (_outside, project) =>
      new Set(
        [...readFileSync(join(project, "package-lock.json"), "utf8").matchAll(/"resolved": "([^"]+)"/g)].map((m) =>
          new URL(m[1] ?? "").origin
        )
      )
  },
  {
    name: "pnpm",
    creates: "pnpm dlx @rulefx/cli init",
    create: (dir) => [pnpm, "dlx", "@rulefx/cli", "init", dir, "--allow-unreleased"],
    install: () => [pnpm, "install"],
    add: (...names) => [pnpm, "add", ...names],
    test: () => [pnpm, "test"],
    script: (script, ...args) => [pnpm, "run", script, ...args],
    rulefx: (...args) => [pnpm, "exec", "rulefx", ...args],
    /** pnpm keeps the metadata it fetched (dlx's included) in a folder per registry host. */
    sources: (outside, _project) =>
      new Set(
        readdirSync(join(outside.home, "cache", "pnpm"), { withFileTypes: true })
          .filter((entry) => entry.isDirectory() && entry.name.startsWith("metadata"))
          .flatMap((entry) => readdirSync(join(outside.home, "cache", "pnpm", entry.name)))
          .map((host) => `http://${host.replace("+", ":")}`)
      )
  }
]

describe.each(managers)("a project made by rulefx init, outside the workspace, with $name", (manager) => {
  let outside: Outside.Outside
  let work = ""
  let project = ""
  let tenant: ManagementServer.ManagementServer | undefined
  /** Runs a user's command in the project, on the machine's node unless `on` names another. */
  const step = (command: Command, options: { readonly on?: string; readonly env?: Record<string, string> } = {}) =>
    Outside.run(
      options.on === undefined ? outside : Outside.onNode(outside, options.on),
      project,
      options.on ?? node.path,
      command,
      options.env === undefined ? {} : { env: options.env }
    )
  const runJson = async (action: string, event: string, ...flags: ReadonlyArray<string>): Promise<Outcome> => {
    const ran = await step(manager.rulefx("run", action, "--event", event, "--json", ...flags))
    assert.strictEqual(ran.code, 0, Outside.describe("rulefx run", ran))
    return JSON.parse(ran.stdout) as Outcome
  }
  const credentials = () => ({
    AUTH0_DOMAIN: "acme.example.auth0.com",
    AUTH0_CLIENT_ID: "client-id",
    AUTH0_CLIENT_SECRET: "client-secret",
    RULEFX_AUTH0_BASE_URL: tenant?.url ?? ""
  })

  beforeAll(async () => {
    outside = Outside.make({ home: join(root, `${manager.name}-home`), registry: started().url, node: node.path })
    work = join(root, `${manager.name}-work`)
    mkdirSync(work)
    project = join(work, name)
    tenant = await ManagementServer.start({ build: { _tag: "Built", polls: 0 } })
  })

  afterAll(async () => {
    await tenant?.close()
  })

  it(
    `${manager.creates} ${name}, from an unreleased CLI (0.0.0): refused, saying --allow-unreleased or link a clone; nothing written`,
    async () => {
      const ran = await Outside.run(
        outside,
        work,
        node.path,
        manager.create(name).filter((arg) => arg !== "--allow-unreleased")
      )
      assert.strictEqual(ran.code, 1, Outside.describe(`${manager.name}: rulefx init`, ran))
      assert.include(ran.stderr, "this rulefx CLI is an unreleased build (version 0.0.0")
      // Installed from a registry, not a clone: the refusal says so, and that this registry may serve 0.0.0.
      assert.include(ran.stderr, "installed from a registry or tarball of your own, not a release")
      assert.include(ran.stderr, "add --allow-unreleased; otherwise link the project to a rulefx clone")
      assert.deepStrictEqual(readdirSync(work), [])
    },
    minutes(2)
  )

  it(`${manager.creates} ${name}: the published CLI scaffolds the project in an empty folder`, async () => {
    assert.deepStrictEqual(readdirSync(work), [])
    assert.deepStrictEqual(Outside.reachableNodeModules(work), [])
    const ran = await Outside.run(outside, work, node.path, manager.create(name))
    assert.strictEqual(ran.code, 0, Outside.describe(`${manager.name}: rulefx init`, ran))
    assert.include(ran.stdout, `wrote ${join(name, "package.json")}\n`)
    // The next steps are written for the package manager that ran init.
    assert.include(ran.stdout, `next (with Node 22):\n  cd ${name}\n  ${manager.name} install `)
    assert.include(ran.stdout, `\n  ${manager.name} run deploy `)
    // Nothing but the project: the CLI was fetched into the package manager's cache, not here.
    assert.deepStrictEqual(readdirSync(work), [name])
  }, minutes(2))

  it.effect("the project is, file for file, what the workspace's Init makes: the packed template is whole", () =>
    Effect.gen(function*() {
      const expected = yield* Init.files({ name, allowUnreleased: true })
      const written = readdirSync(project, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name).slice(project.length + 1))
      assert.sameMembers(written, expected.map((file) => file.path))
      for (const file of expected) {
        assert.strictEqual(readFileSync(join(project, file.path), "utf8"), file.text, file.path)
      }
    }))

  it("installs its dependencies from the local registry alone, the @rulefx packages as packed", async () => {
    assert.deepStrictEqual(Outside.reachableNodeModules(project), [])
    const ran = await step(manager.install())
    assert.strictEqual(ran.code, 0, Outside.describe(`${manager.name} install`, ran))
    // npm warns about each package whose engines exclude this Node (pnpm stays quiet): the project (Node 22, as
    // Auth0) and its test runner (vitest 5) may, nothing that the packages or the CLI need.
    const engineWarnings = [...`${ran.stdout}${ran.stderr}`.matchAll(/EBADENGINE\s+package: '(@?[^@']+)@/g)]
      .map((match) => match[1])
    for (const warned of engineWarnings) assert.notInclude([...runtimeNeeds, ...packed.map((p) => p.name)], warned)
    assert.deepStrictEqual([...manager.sources(outside, project)], [new URL(started().url).origin])
    const manifest = readJson<Manifest>(join(project, "package.json"))
    const direct = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })
    for (const p of packed.filter((p) => direct.includes(p.name))) {
      const installed = readJson<{ readonly version: string }>(join(project, "node_modules", p.name, "package.json"))
      assert.strictEqual(installed.version, p.version, p.name)
      assert.isTrue(existsSync(join(project, "node_modules", p.name, "dist")), p.name)
    }
    for (const [dependency, version] of Object.entries(pins)) {
      const installed = readJson<{ readonly version: string }>(
        join(project, "node_modules", dependency, "package.json")
      )
      assert.isTrue(Semver.satisfies(installed.version, version), `${dependency}@${installed.version} for ${version}`)
    }
  }, minutes(4))

  it(`the rulefx bin runs on ${node.version}: --help and --version`, async () => {
    assert.strictEqual((await step(["--version"])).stdout.trim(), node.version)
    const help = await step(manager.rulefx("--help"))
    assert.strictEqual(help.code, 0, Outside.describe("rulefx --help", help))
    for (const command of ["init", "build", "run", "deploy", "export", "migrate"]) assert.include(help.stdout, command)
    const version = await step(manager.rulefx("--version"))
    assert.strictEqual(version.stdout.trim(), `rulefx v${packed[0]?.version}`)
  }, minutes(1))

  it(
    `${manager.name} test: the project's tests pass (vitest 5, with the workspace's Node 22 first on PATH)`,
    async () => {
      const node22 = Outside.workspaceNode()
      assert.match((await step(["--version"], { on: node22 })).stdout, /^v22\./)
      const ran = await step(manager.test(), { on: node22 })
      assert.strictEqual(ran.code, 0, Outside.describe(`${manager.name} test`, ran))
      const files = readdirSync(join(project, "test")).filter((file) => file.endsWith(".test.ts")).length
      assert.match(ran.stdout, new RegExp(`Test Files +${files} passed \\(${files}\\)`), ran.stdout)
    },
    minutes(2)
  )

  it(`${manager.name} run check: tsc type-checks the project against the published declarations`, async () => {
    const ran = await step(manager.script("check"))
    assert.strictEqual(ran.code, 0, Outside.describe(`${manager.name} run check`, ran))
  }, minutes(2))

  it(
    `${manager.name} run build: type-checked with the project's TypeScript, one file under 100,000 bytes`,
    async () => {
      const ran = await step(manager.script("build"))
      assert.strictEqual(ran.code, 0, Outside.describe(`${manager.name} run build`, ran))
      assert.match(ran.stdout, /^type-checked: tsconfig\.json \(TypeScript 7\.0\.2, the project's\)$/m)
      const size = statSync(join(project, "dist", "action.js")).size
      assert.include(ran.stdout, `dist/action.js: ${(size / 1000).toFixed(1)} kB (${size} bytes), budget 100.0 kB`)
      assert.isBelow(size, 100_000)
      // One copy of each package: the project's valibot and the one @rulefx's packages take (a caret range) are one.
      assert.notInclude(ran.stdout, "warning:", Outside.describe(`${manager.name} run build`, ran))
    },
    minutes(2)
  )

  it(`${manager.name} run run: the sample events end as they should, exactly`, async () => {
    const ran = await step(manager.script("run"))
    assert.strictEqual(ran.code, 0, Outside.describe(`${manager.name} run run`, ran))
    assert.match(ran.stdout, /^outcome +allowed$/m)
    assert.match(ran.stdout, /^outcome +denied$/m)
    const [allowed, denied] = await Promise.all([
      runJson("dist/action.js", "events/allowed.json", "--strict"),
      runJson("dist/action.js", "events/denied.json", "--strict")
    ])
    assert.strictEqual(allowed?.outcome, "allowed")
    assert.deepStrictEqual(allowed?.calls, [
      { method: "idToken.setCustomClaim", args: ["https://example.com/plan", "enterprise"] }
    ])
    assert.deepStrictEqual(allowed?.filled, [])
    assert.strictEqual(denied?.outcome, "denied")
    assert.strictEqual(denied?.summary.denied, "This application needs the enterprise plan.")
    assert.deepStrictEqual(denied?.calls, [
      { method: "access.deny", args: ["This application needs the enterprise plan."] }
    ])
  }, minutes(2))

  // Finding (new-user review): the registry held no @rulefx/action-runtime, so a user following the `--runtime npm`
  // docs got a 404 installing it.
  it(
    `${manager.name} add @rulefx/action-runtime, then rulefx build --runtime npm: the Action loads it and decides alike`,
    async () => {
      const runtime = packed.find((p) => p.folder === Packed.runtimeFolder)
      assert.isDefined(runtime)
      const added = await step(manager.add(`${runtime.name}@${runtime.version}`, "--save-exact"))
      assert.strictEqual(added.code, 0, Outside.describe(`${manager.name} add ${runtime.name}`, added))
      assert.strictEqual(
        readJson<Manifest>(join(project, "package.json")).dependencies?.[runtime.name],
        runtime.version
      )
      const built = await step(manager.rulefx("build", "src/action.ts", "-o", "dist/action-npm.js", "--runtime", "npm"))
      assert.strictEqual(built.code, 0, Outside.describe("rulefx build --runtime npm", built))
      assert.include(built.stdout, `declare ${runtime.name}@${runtime.version} as its dependency`)
      assert.isBelow(statSync(join(project, "dist", "action-npm.js")).size, 10_000)
      const [bundled, npm] = await Promise.all([
        runJson("dist/action.js", "events/allowed.json", "--strict"),
        runJson("dist/action-npm.js", "events/allowed.json", "--strict")
      ])
      assert.strictEqual(npm.outcome, "allowed")
      assert.deepStrictEqual(npm.calls, bundled.calls)
    },
    minutes(2)
  )

  it(
    `${manager.name} run deploy: --dry-run changes nothing; then the Action is created, deployed and bound`,
    async () => {
      const dry = await step(manager.script("deploy", "--dry-run"), { env: credentials() })
      assert.strictEqual(dry.code, 0, Outside.describe(`${manager.name} run deploy --dry-run`, dry))
      assert.include(dry.stdout, `Dry run for ${name}: nothing was changed.`)
      assert.include(dry.stdout, "action: would create it, wait for its build and deploy it")
      assert.deepStrictEqual(ManagementServer.writes(tenant!), [])

      const ran = await step(manager.script("deploy"), { env: credentials() })
      assert.strictEqual(ran.code, 0, Outside.describe(`${manager.name} run deploy`, ran))
      const [action] = tenant!.actions()
      assert.strictEqual(action?.name, name)
      assert.include(ran.stdout, `Deployed ${name} (${action?.id}), version 1.`)
      assert.strictEqual(action?.code, readFileSync(join(project, "dist", "action.js"), "utf8"))
      assert.strictEqual(action?.runtime, "node22")
      assert.strictEqual(action?.deployedVersions, 1)
      assert.deepStrictEqual(tenant!.bindings("post-login"), [{ actionId: action?.id, display_name: name }])
    },
    minutes(2)
  )

  it(
    "rulefx migrate turns a rules folder into an Action: netmask installed in the project, request from @rulefx/legacy-rules",
    async () => {
      const added = await step(manager.add(...migrationNeeds))
      assert.strictEqual(added.code, 0, Outside.describe(`${manager.name} add`, added))
      const rules = LegacyRules.write(project)
      const migrated = await step(manager.rulefx("migrate", rules, "-o", "dist/legacy.js"))
      assert.strictEqual(migrated.code, 0, Outside.describe("rulefx migrate", migrated))
      const secrets = (crm: string) => {
        const file = join(project, `secrets-${crm}.json`)
        writeFileSync(file, JSON.stringify({ OFFICE_CIDR: "203.0.113.0/24", CRM_URL: `${crmUrl}/${crm}` }))
        return file
      }
      const user = readJson<{ readonly user: { readonly user_id: string } }>(join(project, "events", "allowed.json"))
        .user.user_id
      const before = crmRequests.length
      const allowed = await runJson("dist/legacy.js", "events/allowed.json", "--secrets", secrets("crm"))
      assert.strictEqual(allowed.outcome, "allowed")
      assert.deepStrictEqual(allowed.summary.idTokenClaims, { "https://example.com/in_office": true })
      assert.deepStrictEqual(allowed.summary.accessTokenClaims, { "https://example.com/crm_id": "crm-1001" })
      assert.deepStrictEqual(crmRequests.slice(before), [{ url: "/crm", body: { user_id: user } }])
      const denied = await runJson("dist/legacy.js", "events/allowed.json", "--secrets", secrets("down"))
      assert.strictEqual(denied.outcome, "denied")
      assert.strictEqual(denied.summary.denied, "The CRM is not available, try again later.")
    },
    minutes(3)
  )
})
