/**
 * The install path a user takes, offline: the packed @rulefx packages are published to a local registry
 * (verdaccio on 127.0.0.1, no uplinks) seeded with the third-party packages this machine has; a project in a
 * temporary folder outside the workspace installs them with npm and then with pnpm, builds its Action with
 * `rulefx build`, runs it on events with `rulefx run`, typechecks against the published declarations, runs its own
 * vitest test, and migrates a legacy rules folder with `rulefx migrate`.
 *
 * Node: the CLI, npm, pnpm and tsc run on the machine's own node (Node 20 on CI); verdaccio 6.10 and the project's
 * vitest 5 need Node 22 and get the workspace's.
 */
import { assert, describe, it } from "@effect/vitest"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, inject } from "vitest"
import * as Outside from "./utils/Outside.ts"
import * as Packed from "./utils/Packed.ts"
import * as Project from "./utils/Project.ts"
import * as Registry from "./utils/Registry.ts"
import * as Seed from "./utils/Seed.ts"

const packed = inject("packed")
const node = Outside.systemNode()
const minutes = (n: number) => n * 60_000

interface Outcome {
  readonly outcome: "allowed" | "denied" | "rejected"
  readonly summary: {
    readonly denied: string | undefined
    readonly idTokenClaims: Record<string, unknown>
    readonly accessTokenClaims: Record<string, unknown>
  }
}

let root = ""
let registry: Registry.Registry | undefined
let crm: Server | undefined
let crmUrl = ""
const crmRequests: Array<unknown> = []
let thirdParty: Record<string, string> = {}
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
  root = mkdtempSync(join(tmpdir(), "rulefx-install-"))
  registry = await Registry.start({ folder: join(root, "registry"), node: Outside.workspaceNode() })
  const pool = Seed.installed(Outside.workspaceStore())
  const published = new Set(packed.map((p) => p.name))
  const manifests = Packed.folders().map((folder) =>
    JSON.parse(readFileSync(join(folder, "package.json"), "utf8")) as {
      readonly dependencies?: Record<string, string>
      readonly peerDependencies?: Record<string, string>
    }
  )
  const projectNeeds = ["effect", "netmask", "@types/node", "typescript", "vitest"]
  thirdParty = Object.fromEntries(projectNeeds.map((name) => {
    const versions = (pool.get(name) ?? []).map((p) => p.manifest.version)
    const newest = versions.toSorted((a, b) => a.localeCompare(b, "en", { numeric: true })).at(-1)
    if (newest === undefined) throw new Error(`${name} is not installed in the workspace`)
    return [name, newest]
  }))
  runtimeNeeds = [
    ...new Set(
      manifests.flatMap((m) => Object.keys(m.dependencies ?? {}).concat(Object.keys(m.peerDependencies ?? {})))
    )
  ].filter((name) => !published.has(name))
  const start = new Set([...projectNeeds, ...runtimeNeeds])
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
})

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

const managers = [
  {
    name: "npm",
    install: (outside: Outside.Outside, project: string) =>
      Outside.run(outside, project, node.path, [Outside.systemNpm(), "install"]),
    /** Where the packages came from: the origins of the lockfile's `resolved` URLs. */
    sources: (_outside: Outside.Outside, project: string) =>
      new Set(
        [...readFileSync(join(project, "package-lock.json"), "utf8").matchAll(/"resolved": "([^"]+)"/g)].map((m) =>
          new URL(m[1] ?? "").origin
        )
      )
  },
  {
    name: "pnpm",
    install: (outside: Outside.Outside, project: string) =>
      Outside.run(outside, project, node.path, [Outside.pnpmCli(), "install"]),
    /** Where the packages came from: pnpm keeps the metadata it fetched in a folder per registry host. */
    sources: (outside: Outside.Outside, _project: string) =>
      new Set(
        readdirSync(join(outside.home, "cache", "pnpm"), { withFileTypes: true })
          .filter((entry) => entry.isDirectory() && entry.name.startsWith("metadata"))
          .flatMap((entry) => readdirSync(join(outside.home, "cache", "pnpm", entry.name)))
          .map((host) => `http://${host.replace("+", ":")}`)
      )
  }
] as const

describe.each(managers)("a project outside the workspace, installed with $name", (manager) => {
  let outside: Outside.Outside
  let project = ""
  let scaffolded: Project.Scaffolded
  const rulefx = (...args: ReadonlyArray<string>) =>
    Outside.run(outside, project, join(project, "node_modules", ".bin", "rulefx"), args)
  const runJson = async (action: string, event: string, secrets?: string): Promise<Outcome> => {
    const ran = await rulefx("run", action, "--event", event, "--json", ...(secrets ? ["--secrets", secrets] : []))
    assert.strictEqual(ran.code, 0, Outside.describe("rulefx run", ran))
    return JSON.parse(ran.stdout) as Outcome
  }

  beforeAll(() => {
    outside = Outside.make({ home: join(root, `${manager.name}-home`), registry: started().url, node: node.path })
    project = join(root, `${manager.name}-project`)
    scaffolded = Project.scaffold(project, { rulefx: packed[0]?.version ?? "", thirdParty })
  })

  it("installs from the local registry alone, with no node_modules reachable above the project", async () => {
    assert.deepStrictEqual(Outside.reachableNodeModules(project), [])
    const ran = await manager.install(outside, project)
    assert.strictEqual(ran.code, 0, Outside.describe(`${manager.name} install`, ran))
    // npm warns about each package whose engines exclude this Node (pnpm stays quiet): only the project's test
    // runner (vitest 5 wants Node 22) may, nothing that the packages or the CLI need.
    const engineWarnings = [...`${ran.stdout}${ran.stderr}`.matchAll(/EBADENGINE\s+package: '(@?[^@']+)@/g)]
      .map((match) => match[1])
    for (const name of engineWarnings) assert.notInclude([...runtimeNeeds, ...packed.map((p) => p.name)], name)
    assert.deepStrictEqual([...manager.sources(outside, project)], [new URL(started().url).origin])
    const manifest = JSON.parse(readFileSync(join(project, "package.json"), "utf8")) as {
      readonly dependencies: Record<string, string>
      readonly devDependencies: Record<string, string>
    }
    const direct = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })
    for (const p of packed.filter((p) => direct.includes(p.name))) {
      const installed = JSON.parse(
        readFileSync(join(project, "node_modules", p.name, "package.json"), "utf8")
      ) as { readonly version: string }
      assert.strictEqual(installed.version, p.version, p.name)
      assert.isTrue(existsSync(join(project, "node_modules", p.name, "dist")), p.name)
    }
  }, minutes(4))

  it(`runs rulefx on ${node.version}: --help and --version`, async () => {
    assert.strictEqual((await Outside.run(outside, project, "node", ["--version"])).stdout.trim(), node.version)
    const help = await rulefx("--help")
    assert.strictEqual(help.code, 0, Outside.describe("rulefx --help", help))
    for (const command of ["build", "run", "deploy", "export", "migrate"]) assert.include(help.stdout, command)
    const version = await rulefx("--version")
    assert.strictEqual(version.stdout.trim(), `rulefx v${packed[0]?.version}`)
  }, minutes(1))

  it("rulefx build makes one Action; rulefx run allows and denies as the rule says", async () => {
    const built = await rulefx("build", scaffolded.entry, "-o", "dist/action.js")
    assert.strictEqual(built.code, 0, Outside.describe("rulefx build", built))
    const size = statSync(join(project, "dist", "action.js")).size
    assert.isBelow(size, 100_000)
    const results = await Promise.all(scaffolded.events.map((event) => runJson("dist/action.js", event.file)))
    for (const [i, event] of scaffolded.events.entries()) {
      const result = results[i]
      assert.isDefined(result)
      assert.strictEqual(result.outcome, event.denied === undefined ? "allowed" : "denied", event.file)
      assert.strictEqual(result.summary.denied, event.denied, event.file)
      assert.deepStrictEqual(result.summary.idTokenClaims, event.idTokenClaims, event.file)
    }
  }, minutes(2))

  it("tsc typechecks the project against the published declarations", async () => {
    const ran = await Outside.run(outside, project, join(project, "node_modules", ".bin", "tsc"), ["-p", "."])
    assert.strictEqual(ran.code, 0, Outside.describe("tsc", ran))
  }, minutes(2))

  it("the project's own vitest test passes (vitest 5 on the workspace's Node 22)", async () => {
    const vitest = join(project, "node_modules", "vitest", "vitest.mjs")
    const ran = await Outside.run(outside, project, Outside.workspaceNode(), [vitest, "run"])
    assert.strictEqual(ran.code, 0, Outside.describe("vitest run", ran))
    assert.match(ran.stdout, /Tests\s+2 passed/)
  }, minutes(2))

  it(
    "rulefx migrate turns a rules folder into an Action: netmask from the project, request from @rulefx/legacy-rules",
    async () => {
      const rules = Project.addLegacyRules(project)
      const migrated = await rulefx("migrate", rules, "-o", "dist/legacy.js")
      assert.strictEqual(migrated.code, 0, Outside.describe("rulefx migrate", migrated))
      const secrets = (crm: string) => {
        const file = join(project, `secrets-${crm}.json`)
        writeFileSync(file, JSON.stringify({ OFFICE_CIDR: "10.20.0.0/16", CRM_URL: `${crmUrl}/${crm}` }))
        return file
      }
      const before = crmRequests.length
      const allowed = await runJson("dist/legacy.js", "events/verified.json", secrets("crm"))
      assert.strictEqual(allowed.outcome, "allowed")
      assert.deepStrictEqual(allowed.summary.idTokenClaims, { "https://example.com/in_office": true })
      assert.deepStrictEqual(allowed.summary.accessTokenClaims, { "https://example.com/crm_id": "crm-1001" })
      assert.deepStrictEqual(crmRequests.slice(before), [{ url: "/crm", body: { user_id: "auth0|1001" } }])
      const denied = await runJson("dist/legacy.js", "events/verified.json", secrets("down"))
      assert.strictEqual(denied.outcome, "denied")
      assert.strictEqual(denied.summary.denied, "The CRM is not available, try again later.")
    },
    minutes(2)
  )
})
