/**
 * `rulefx init`'s project: its files, the refusal to write over a user's folder, and, end to end, the project as a
 * user gets it. That test scaffolds with `rulefx init <dir> --link <this checkout>` (the CLI README's way before rulefx
 * is published: every dependency a `link:` into the checkout), lays out node_modules as `pnpm install` does for such
 * a project (symlinks and bin shims; no registry, nothing leaves this machine), and runs the project's own
 * package.json scripts as npm would (`sh -c`, node_modules/.bin first on the PATH): check (tsc), test (vitest),
 * build, run on the sample events, and deploy --dry-run against a fake tenant on 127.0.0.1. That the versions a
 * published CLI writes are the ones this workspace tests with is checked against the catalog.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Init from "@rulefx/cli/Init"
import * as ManagementServer from "@rulefx/testing/ManagementServer"
import * as Effect from "effect/Effect"
import { execFile } from "node:child_process"
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import * as Unreleased from "../src/internal/unreleased.ts"

const workspace = fileURLToPath(new URL("../../../", import.meta.url))

const made: Array<string> = []
const temporary = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}

afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
})

// This checkout's CLI is unreleased (0.0.0), so without a link it refuses unless told that a registry serves its
// versions: these options make the project a released CLI makes.
const released = { allowUnreleased: true } as const

/** The clone's own Node, as the linked project's README and next steps put it on the PATH. */
const ownNode = join(workspace, "node_modules", "node", "bin")

describe("Init.files", () => {
  it.effect("the project's files: package.json, the template's, with .gitignore under its own name", () =>
    Effect.gen(function*() {
      const files = yield* Init.files({ name: "acme-login", ...released })
      assert.deepStrictEqual(files.map((f) => f.path), [
        "package.json",
        "README.md",
        "events/allowed.json",
        "events/denied.json",
        ".gitignore",
        "src/Plan.ts",
        "src/action.ts",
        "src/pipeline.ts",
        "src/rules/RequirePlan.ts",
        "src/rules/SetPlanClaim.ts",
        "test/action.test.ts",
        "test/rules.test.ts",
        "tsconfig.json"
      ])
      const readme = files.find((f) => f.path === "README.md")!.text
      assert.match(readme, /^# acme-login\n/)
      assert.include(readme, "--name acme-login")
      assert.notInclude(readme, "{{name}}")
      // The published project's setup, without the markers a linked project's README replaces.
      assert.include(readme, "Install the dependencies first: `npm install` (or `pnpm install`).")
      assert.notInclude(readme, "<!--")
    }))

  it.effect("package.json: the scripts, the dependencies at this CLI's versions, Node 22", () =>
    Effect.gen(function*() {
      const files = yield* Init.files({ name: "acme-login", ...released })
      const json = JSON.parse(files[0]!.text) as Record<string, Record<string, string>>
      assert.strictEqual(json["name"] as unknown, "acme-login")
      assert.strictEqual(json["type"] as unknown, "module")
      assert.deepStrictEqual(Object.keys(json["scripts"]!), ["test", "check", "build", "run", "deploy"])
      assert.strictEqual(json["scripts"]!["deploy"], "rulefx deploy dist/action.js --name acme-login")
      const versions = Init.defaultVersions()
      assert.deepStrictEqual(json["dependencies"], {
        "@rulefx/adapter-auth0": versions["@rulefx/adapter-auth0"],
        "@rulefx/core": versions["@rulefx/core"],
        effect: versions.effect,
        valibot: versions.valibot
      })
      assert.deepStrictEqual(Object.keys(json["devDependencies"]!), [
        "@effect/vitest",
        "@rulefx/cli",
        "@rulefx/testing",
        "@types/node",
        "typescript",
        "vitest"
      ])
      assert.deepStrictEqual(json["engines"], { node: ">=22.12" })
    }))

  it("the versions are the ones this CLI is built and tested with: its own, and the workspace catalog's pins", () => {
    const own = JSON.parse(readFileSync(join(workspace, "packages", "cli", "package.json"), "utf8")) as {
      readonly version: string
    }
    const catalog = Object.fromEntries(
      [...readFileSync(join(workspace, "pnpm-workspace.yaml"), "utf8").matchAll(/^ {2}"?([@\w/.-]+)"?: (\S+)$/gm)].map((
        [, name, version]
      ) => [name!, version!])
    )
    const versions = Init.defaultVersions()
    for (const name of ["@rulefx/core", "@rulefx/adapter-auth0", "@rulefx/testing", "@rulefx/cli"] as const) {
      assert.strictEqual(versions[name], `^${own.version}`, name)
    }
    for (const name of ["effect", "valibot", "@effect/vitest", "vitest", "typescript", "@types/node"] as const) {
      assert.strictEqual(versions[name], catalog[name], name)
    }
  })

  it.effect("versions can be replaced (a checkout's link: paths, a local registry's versions); a bad name is refused", () =>
    Effect.gen(function*() {
      const files = yield* Init.files({ versions: { "@rulefx/core": "link:/src/rulefx/packages/core" } })
      const json = JSON.parse(files[0]!.text) as { readonly name: string; dependencies: Record<string, string> }
      assert.strictEqual(json.name, "my-login-action")
      assert.strictEqual(json.dependencies["@rulefx/core"], "link:/src/rulefx/packages/core")
      const error = yield* Effect.flip(Init.files({ name: "Not A Name" }))
      assert.instanceOf(error, Init.InitError)
      assert.include(error.message, `"Not A Name" is not a package name`)
    }))

  // Finding (new-user review): run through npx from a registry of one's own, the refusal said "from a clone of
  // rulefx" and put --link first, though --allow-unreleased was what that user needed.
  it("an unreleased CLI installed from a registry (npx, pnpm dlx): no clone is named, --allow-unreleased comes first", () => {
    const installed = Unreleased.refusal("0.0.0", undefined)
    assert.include(installed, "(version 0.0.0, installed from a registry or tarball of your own, not a release)")
    assert.notInclude(installed, "clone at")
    assert.include(installed, "If it does (a local registry holding rulefx's packages), add --allow-unreleased")
    assert.include(installed, "otherwise link the project to a rulefx clone: add --link <a rulefx clone>")
  })

  it.effect("an unreleased CLI (0.0.0) without --link: refused, naming --link <this clone> and --allow-unreleased", () =>
    Effect.gen(function*() {
      assert.strictEqual(Init.ownVersion(), Init.unreleasedVersion)
      const error = yield* Effect.flip(Init.files({ name: "acme-login" }))
      assert.instanceOf(error, Init.InitError)
      assert.include(
        error.message,
        `this rulefx CLI is an unreleased build (version 0.0.0, run from the rulefx clone at ${
          workspace.replace(/\/$/, "")
        })`
      )
      assert.include(error.message, "@rulefx/core@^0.0.0, which no public registry has")
      assert.include(error.message, `add --link ${workspace.replace(/\/$/, "")} (`)
      assert.include(error.message, "add --allow-unreleased")
      // Nothing is written either.
      const dir = join(temporary("rulefx-init-unreleased-"), "acme-login")
      yield* Effect.flip(Init.write(dir))
      assert.isFalse(existsSync(dir))
      // A link, or @rulefx versions from elsewhere (a local registry's), are fine.
      yield* Init.files({ linkTo: workspace })
      yield* Init.files({ versions: { "@rulefx/core": "0.0.0", "@rulefx/adapter-auth0": "0.0.0" } })
    }))

  it.effect("linkTo: the README and engines for a linked project (pnpm through npx, the clone's Node 22)", () =>
    Effect.gen(function*() {
      const files = yield* Init.files({ name: "acme-login", linkTo: workspace })
      const readme = files.find((f) => f.path === "README.md")!.text
      assert.include(readme, `linked to the rulefx clone at \`${workspace.replace(/\/$/, "")}\``)
      assert.include(readme, `export PATH=${ownNode}:"$PATH"   # the clone's Node 22`)
      assert.include(readme, "npx -y pnpm@10.34.9 install   # once: links every dependency from the clone")
      assert.include(readme, "never run `npm install` here")
      assert.include(readme, "Node 22.18 or newer")
      assert.notInclude(readme, "Install the dependencies first: `npm install`")
      assert.notInclude(readme, "<!--")
      const json = JSON.parse(files[0]!.text) as { readonly engines: { readonly node: string } }
      assert.deepStrictEqual(json.engines, { node: Init.linkedNodeEngines })
      assert.deepStrictEqual(Init.linkedSetup(workspace), {
        checkout: workspace.replace(/\/$/, ""),
        pnpm: "npx -y pnpm@10.34.9",
        nodeBin: ownNode
      })
      // A checkout without its own Node, or without packageManager: Node from the PATH, pnpm 10.
      const bare = temporary("rulefx-bare-checkout-")
      assert.deepStrictEqual(Init.linkedSetup(bare), { checkout: bare, pnpm: "npx -y pnpm@10", nodeBin: undefined })
    }))

  it.effect("linkTo: every dependency a link: into the checkout, the one copy rulefx's packages use", () =>
    Effect.gen(function*() {
      const files = yield* Init.files({ linkTo: workspace })
      const json = JSON.parse(files[0]!.text) as Record<string, Record<string, string>>
      const all = { ...json["dependencies"], ...json["devDependencies"] }
      assert.strictEqual(all["@rulefx/cli"], `link:${join(workspace, "packages", "cli")}`)
      const effect = join(workspace, "packages", "core", "node_modules", "effect")
      assert.strictEqual(all["effect"], `link:${realpathSync(effect)}`)
      for (const spec of Object.values(all)) assert.isTrue(existsSync(join(spec.slice("link:".length), "package.json")))
      const error = yield* Effect.flip(Init.files({ linkTo: temporary("rulefx-not-a-checkout-") }))
      assert.include(error.message, "--link needs a rulefx checkout where `pnpm install` has run")
    }))

  it("nameFromFolder: a folder's name as a package name", () => {
    assert.strictEqual(Init.nameFromFolder("/home/ada/Acme Login"), "acme-login")
    assert.strictEqual(Init.nameFromFolder("/tmp/.hidden"), "hidden")
    assert.strictEqual(Init.nameFromFolder("/"), "my-login-action")
  })
})

describe("Init.write", () => {
  it.effect("into a folder that does not exist: creates it and writes every file", () =>
    Effect.gen(function*() {
      const dir = join(temporary("rulefx-init-"), "Acme Login")
      const report = yield* Init.write(dir, released)
      assert.deepStrictEqual(
        report.written,
        (yield* Init.files({ name: "acme-login", ...released })).map((f) => f.path)
      )
      assert.deepStrictEqual(report.kept, [])
      assert.strictEqual(
        (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name: string }).name,
        "acme-login"
      )
      assert.isTrue(existsSync(join(dir, ".gitignore")))
      const rendered = Init.render(report)
      assert.include(rendered, `wrote ${join(dir, "src", "action.ts")}`)
      assert.include(rendered, "npm run build")
    }))

  it.effect("a folder that is not empty: refused, nothing written", () =>
    Effect.gen(function*() {
      const dir = temporary("rulefx-init-full-")
      writeFileSync(join(dir, "notes.txt"), "mine")
      const error = yield* Effect.flip(Init.write(dir, released))
      assert.include(error.message, `${dir} is not empty (notes.txt)`)
      assert.include(error.message, "--force")
      assert.deepStrictEqual(readdirSync(dir), ["notes.txt"])
    }))

  it.effect("with force: the files already there are kept as they are, the others written", () =>
    Effect.gen(function*() {
      const dir = temporary("rulefx-init-force-")
      writeFileSync(join(dir, "README.md"), "my own readme")
      mkdirSync(join(dir, "src"))
      writeFileSync(join(dir, "src", "action.ts"), "export const mine = 1\n")
      const report = yield* Init.write(dir, { force: true, name: "forced", ...released })
      assert.deepStrictEqual(report.kept, ["README.md", "src/action.ts"])
      assert.include(report.written, "src/pipeline.ts")
      assert.strictEqual(readFileSync(join(dir, "README.md"), "utf8"), "my own readme")
      assert.strictEqual(readFileSync(join(dir, "src", "action.ts"), "utf8"), "export const mine = 1\n")
      assert.include(Init.render(report), `kept  ${join(dir, "README.md")} (already there)`)
    }))
})

/** The lines after "next (with Node 22):". */
const next = (text: string) =>
  text.split("\n").slice(text.split("\n").findIndex((line) => line.startsWith("next (with Node 22")) + 1)

describe("Init.render", () => {
  const report: Init.Report = { dir: "acme-login", written: ["package.json"], kept: [] }

  it("the next steps for the package manager that ran init (npx: npm, pnpm dlx: pnpm), in one column", () => {
    assert.deepStrictEqual(next(Init.render(report)), [
      "  cd acme-login",
      "  npm install        # or pnpm install",
      "  npm test           # the rules' tests, with test layers",
      "  npm run build      # type-check, then dist/action.js",
      "  npm run run        # the built Action on events/allowed.json and events/denied.json",
      "  npm run deploy     # with AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET set (see README.md)"
    ])
    const pnpm = next(Init.render(report, { manager: "pnpm" }))
    assert.deepStrictEqual(pnpm.slice(1).map((line) => line.slice(0, 22)), [
      "  pnpm install       #",
      "  pnpm test          #",
      "  pnpm run build     #",
      "  pnpm run run       #",
      "  pnpm run deploy    #"
    ])
  })

  it("a linked project: the clone's Node on the PATH, then the clone's pnpm through npx (pnpm may not be installed)", () => {
    const linked = { ...report, linked: Init.linkedSetup(workspace) }
    const text = Init.render(linked, { manager: "npm" })
    assert.include(text, "next (with Node 22.18 or newer: the project runs the checkout's TypeScript sources")
    assert.deepStrictEqual(next(text), [
      `  export PATH=${ownNode}:"$PATH"`,
      "  cd acme-login",
      "  npx -y pnpm@10.34.9 install     # links every dependency from the rulefx checkout",
      "  npx -y pnpm@10.34.9 test        # the rules' tests, with test layers",
      "  npx -y pnpm@10.34.9 run build   # type-check, then dist/action.js",
      "  npx -y pnpm@10.34.9 run run     # the built Action on events/allowed.json and events/denied.json",
      "  npx -y pnpm@10.34.9 run deploy  # with AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET set (see README.md)"
    ])
  })

  it("a folder with a space or a quote: the cd line quotes it, so that it can be copied as it is", () => {
    assert.strictEqual(next(Init.render({ ...report, dir: "../my login ü" }))[0], `  cd '../my login ü'`)
    assert.strictEqual(next(Init.render({ ...report, dir: "it's" }))[0], `  cd 'it'\\''s'`)
    assert.strictEqual(next(Init.render({ ...report, dir: "../acme-login_2" }))[0], "  cd ../acme-login_2")
  })

  it("managerFromUserAgent: pnpm's user agent is pnpm; npm's, or none, is npm", () => {
    assert.strictEqual(Init.managerFromUserAgent("pnpm/10.34.9 npm/? node/v20.20.2 linux x64"), "pnpm")
    assert.strictEqual(Init.managerFromUserAgent("npm/11.19.1 node/v20.20.2 linux x64 workspaces/false"), "npm")
    assert.strictEqual(Init.managerFromUserAgent(undefined), "npm")
  })
})

interface Output {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const show = (output: Output) => `exit ${output.code}\n--- stdout\n${output.stdout}\n--- stderr\n${output.stderr}`

/**
 * What `pnpm install` does with a project whose every dependency is a `link:` (as `rulefx init --link` writes it):
 * each one a symlink, each bin a shim that runs it with Node.
 */
const linkDependencies = (dir: string) => {
  const json = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    readonly dependencies: Record<string, string>
    readonly devDependencies: Record<string, string>
  }
  mkdirSync(join(dir, "node_modules", ".bin"), { recursive: true })
  for (const [name, spec] of Object.entries({ ...json.dependencies, ...json.devDependencies })) {
    assert.match(spec, /^link:\//, `${name}: ${spec}`)
    const folder = spec.slice("link:".length)
    const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8")) as {
      readonly bin?: string | Record<string, string>
    }
    mkdirSync(dirname(join(dir, "node_modules", name)), { recursive: true })
    symlinkSync(folder, join(dir, "node_modules", name), "dir")
    const bins = typeof manifest.bin === "string" ? { [name.split("/").at(-1)!]: manifest.bin } : manifest.bin ?? {}
    for (const [bin, file] of Object.entries(bins)) {
      writeFileSync(join(dir, "node_modules", ".bin", bin), `#!/bin/sh\nexec node "${join(folder, file)}" "$@"\n`, {
        mode: 0o755
      })
    }
  }
}

describe("rulefx init, end to end: the project as a user gets it", () => {
  let dir = ""
  let scripts: Record<string, string> = {}
  let tenant: ManagementServer.ManagementServer

  /** Runs a package.json script as npm does: `sh -c`, with node_modules/.bin and Node 22 first on the PATH. */
  const npmRun = (script: string, extra = "", env: Readonly<Record<string, string>> = {}): Promise<Output> =>
    new Promise((resolve) => {
      // The outer vitest's variables would make the project's own vitest think it runs inside a worker.
      const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("VITEST")))
      execFile(
        "sh",
        ["-c", `${scripts[script]}${extra}`],
        {
          cwd: dir,
          timeout: 150_000,
          env: {
            ...clean,
            NO_COLOR: "1",
            PATH: `${join(dir, "node_modules", ".bin")}:${dirname(process.execPath)}:${process.env["PATH"]}`,
            ...env
          }
        },
        (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr })
      )
    })

  beforeAll(async () => {
    dir = join(temporary("rulefx-init-e2e-"), "acme-login")
    const cli = fileURLToPath(new URL("../bin/workspace.js", import.meta.url))
    // Through the command, as a user runs it from a clone before rulefx is published (the CLI README's way).
    const init = await new Promise<Output>((resolve) =>
      execFile(
        process.execPath,
        [cli, "init", dir, "--link", workspace],
        { timeout: 30_000 },
        (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr })
      )
    )
    assert.strictEqual(init.code, 0, show(init))
    assert.include(init.stdout, `wrote ${join(dir, "src", "action.ts")}`)
    assert.include(init.stdout, "npx -y pnpm@10.34.9 install     # links every dependency from the rulefx checkout")
    assert.include(init.stdout, `  export PATH=${ownNode}:"$PATH"\n`)
    const json = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Record<string, Record<string, string>>
    assert.strictEqual(json["dependencies"]!["@rulefx/core"], `link:${join(workspace, "packages", "core")}`)
    scripts = json["scripts"]!
    linkDependencies(dir)
    tenant = await ManagementServer.start({ build: { _tag: "Built", polls: 1 } })
  }, 60_000)

  afterAll(async () => {
    await tenant?.close()
  })

  it("check: the project type-checks with its own tsconfig.json and TypeScript", async () => {
    const output = await npmRun("check")
    assert.strictEqual(output.code, 0, show(output))
  }, 180_000)

  it("test: its tests pass", async () => {
    const output = await npmRun("test")
    assert.strictEqual(output.code, 0, show(output))
    assert.match(output.stdout, /Test Files +2 passed \(2\)/, show(output))
  }, 180_000)

  it(
    "build, run, deploy: one file under the budget, the sample events allowed and denied, a deploy's plan",
    async () => {
      const built = await npmRun("build")
      assert.strictEqual(built.code, 0, show(built))
      assert.match(built.stdout, /^type-checked: tsconfig\.json \(TypeScript 7\.0\.2, the project's\)$/m)
      const size = statSync(join(dir, "dist", "action.js")).size
      assert.include(built.stdout, `dist/action.js: ${(size / 1000).toFixed(1)} kB (${size} bytes), budget 100.0 kB`)
      assert.isBelow(size, 100_000)

      const ran = await npmRun("run")
      assert.strictEqual(ran.code, 0, show(ran))
      assert.match(ran.stdout, /^outcome +allowed$/m)
      assert.match(ran.stdout, /^id token +https:\/\/example\.com\/plan = "enterprise"$/m)
      assert.match(ran.stdout, /^outcome +denied$/m)
      assert.match(ran.stdout, /^reason +This application needs the enterprise plan\.$/m)
      // The sample events are whole events: nothing filled, and --strict takes them.
      assert.notInclude(ran.stdout, "filled")
      const strict = await npmRun("run", " --strict")
      assert.strictEqual(strict.code, 0, show(strict))

      const deployed = await npmRun("deploy", " --dry-run", {
        AUTH0_DOMAIN: "acme.example.auth0.com",
        AUTH0_CLIENT_ID: "client-id",
        AUTH0_CLIENT_SECRET: "client-secret",
        RULEFX_AUTH0_BASE_URL: tenant.url
      })
      assert.strictEqual(deployed.code, 0, show(deployed))
      assert.include(deployed.stdout, "Dry run for acme-login: nothing was changed.")
      assert.deepStrictEqual(ManagementServer.writes(tenant), [])
    },
    240_000
  )

  // The README's "A rule that needs a service", followed as written: its files, the rule in `rules`, the live layer
  // in `layer`, the test layer where the tests run the pipeline. Runs last: it changes the project.
  it("the README's service example: its files and the changes it names type-check, and the tests pass", async () => {
    const readme = readFileSync(join(dir, "README.md"), "utf8")
    const files = [...readme.matchAll(/```ts\n\/\/ (\S+)\n([\s\S]*?)```/g)]
    assert.deepStrictEqual(files.map(([, path]) => path), [
      "src/Billing.ts",
      "src/rules/RequirePaidUp.ts",
      "test/billing.test.ts",
      "src/pipeline.ts"
    ])
    for (const [, path, body] of files) writeFileSync(join(dir, path!), body!)
    const edit = (path: string, ...replacements: ReadonlyArray<readonly [string, string]>) => {
      let text = readFileSync(join(dir, path), "utf8")
      for (const [from, to] of replacements) {
        assert.include(text, from, `${path} no longer has what the README's example changes`)
        text = text.replace(from, to)
      }
      writeFileSync(join(dir, path), text)
    }
    // The lines test/action.test.ts gets instead of the live handler: the README's indented block.
    const handler = /Replace\s+`(import \{ onExecutePostLogin \} from "[^"]+")` with:\n\n  ```ts\n([\s\S]*?)  ```/.exec(
      readme
    )
    assert.isNotNull(handler, "the README no longer shows the test handler's lines")
    edit("test/action.test.ts", [handler![1]!, handler![2]!.replaceAll(/^ {2}/gm, "")])
    edit(
      "test/rules.test.ts",
      [
        "import { pipeline } from \"../src/pipeline.ts\"",
        "import { Billing } from \"../src/Billing.ts\"\nimport { pipeline } from \"../src/pipeline.ts\""
      ],
      [
        "pipeline.run.pipe(\n        Effect.provide(\n",
        "pipeline.run.pipe(\n        Effect.provide(Billing.layerTest([])),\n        Effect.provide(\n"
      ],
      [
        "pipeline.run.pipe(Effect.provide(Logins",
        "pipeline.run.pipe(Effect.provide(Billing.layerTest([])), Effect.provide(Logins"
      ]
    )
    const checked = await npmRun("check")
    assert.strictEqual(checked.code, 0, show(checked))
    const tested = await npmRun("test")
    assert.strictEqual(tested.code, 0, show(tested))
    assert.match(tested.stdout, /Test Files +3 passed \(3\)/, show(tested))
  }, 240_000)
})
