/**
 * The `rulefx` command as a user runs it: a separate Node process running the workspace's bin (bin/workspace.js, which
 * loads the TypeScript sources; Node 22.18 strips their types), in the
 * example project's folder, with files in a temporary folder. Each spawn costs about half a second on a quiet machine
 * and several on a busy one, so each one checks several things, and every test that spawns has a timeout of its own
 * (vitest's 5 s default is not enough on a 2-core machine under load).
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import type * as LocalRun from "@rulefx/cli/LocalRun"
import * as Events from "@rulefx/testing/Events"
import * as Hmac from "@rulefx/testing/Hmac"
import * as ManagementServer from "@rulefx/testing/ManagementServer"
import * as SellerServer from "@rulefx/testing/SellerServer"
import { execFile } from "node:child_process"
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import * as WaysOut from "../src/internal/waysOut.ts"
import * as RulefxBin from "./utils/RulefxBin.ts"
import { claims, intercomSecret, minimalEvent } from "./utils/Seed.ts"
import * as TypedProject from "./utils/TypedProject.ts"

const bin = RulefxBin.packageBin
const example = fileURLToPath(new URL("../../../examples/seller-login", import.meta.url))

interface Output {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `rulefx ...args` in the example project and resolves with its exit code and output (never rejects). */
const rulefx = (...args: ReadonlyArray<string>): Promise<Output> => rulefxWith({}, ...args)

const rulefxWith = (env: Readonly<Record<string, string>>, ...args: ReadonlyArray<string>): Promise<Output> =>
  spawn(example, env, args)

/** Runs `rulefx ...args` in another folder. */
const rulefxIn = (cwd: string, ...args: ReadonlyArray<string>): Promise<Output> => spawn(cwd, {}, args)

const spawn = (cwd: string, env: Readonly<Record<string, string>>, args: ReadonlyArray<string>): Promise<Output> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd, timeout: 45_000, env: { ...process.env, NO_COLOR: "1", ...env } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : null
        resolve({ code, stdout, stderr })
      }
    )
  })

const show = (output: Output) => `exit ${output.code}\n--- stdout\n${output.stdout}\n--- stderr\n${output.stderr}`

let dir = ""
let action = ""
let built: Output
let server: SellerServer.SellerServer

const file = (name: string, text: string) => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rulefx-cli-"))
  action = join(dir, "dist", "action.js")
  server = await SellerServer.start({ "seller-1": SellerServer.seller("seller-1", "ada@shop.example", "Ada's Shop") })
  built = await rulefx("build", "src/action.ts", "-o", action, "--sourcemap")
}, 60_000)

afterAll(async () => {
  await server?.close()
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

describe("rulefx", () => {
  it("--help lists the init, build, run and export subcommands", async () => {
    const output = await rulefx("--help")
    assert.strictEqual(output.code, 0, show(output))
    assert.match(output.stdout, /^\s+init\s+Scaffold a project/m)
    assert.match(output.stdout, /^\s+build\s+Type-check and build an Action/m)
    assert.match(output.stdout, /^\s+run\s+Run a built Action/m)
    assert.match(output.stdout, /^\s+export\s+Write the Action in auth0-deploy-cli's directory layout/m)
  }, 30_000)

  it(
    "a usage error: the error first, then one line of usage, on stderr; unknown commands and flags get a suggestion",
    async () => {
      const [command, flag, missing, help] = await Promise.all([
        rulefx("buidl", "src/action.ts"),
        rulefx("build", "src/action.ts", "-o", join(dir, "never.js"), "--budgte", "90"),
        rulefx("run", action),
        rulefx("build", "--help")
      ])
      for (const output of [command, flag, missing]) {
        assert.strictEqual(output.code, 2, show(output))
        assert.strictEqual(output.stdout, "", show(output))
        assert.match(output.stderr, /^ERROR\n {2}\S/, show(output))
        assert.notInclude(output.stderr, "GLOBAL FLAGS")
      }
      assert.include(command.stderr, `Unknown subcommand "buidl" for "rulefx"\n\n  Did you mean this?\n    build\n`)
      assert.include(
        command.stderr,
        "\nusage: rulefx <init|build|run|deploy|export|migrate|diff|events|convert> ...\n  (rulefx --help for more)"
      )
      assert.include(
        flag.stderr,
        "Unrecognized flag: --budgte in command rulefx build\n\n  Did you mean this?\n    --budget\n"
      )
      assert.include(
        flag.stderr,
        "\nusage: rulefx build <entry.ts> -o <file> [--budget <kB>] [--no-typecheck] [--sourcemap] [--runtime bundled|npm] " +
          "[--external <package>]...\n  (rulefx build --help for more)"
      )
      assert.isFalse(existsSync(join(dir, "never.js")))
      assert.include(missing.stderr, "Missing required flag: --event")
      assert.include(
        missing.stderr,
        "\nusage: rulefx run <action.js> --event <event.json|events.jsonl> [--name <event>]"
      )
      // Asked for, the whole help is still there.
      assert.strictEqual(help.code, 0, show(help))
      assert.include(help.stdout, "--no-typecheck")
      assert.include(help.stdout, "--sourcemap")
    },
    30_000
  )

  // Before, `--timeout 0` exited 1 (as a login that fails does) and `--max-file-bytes 0` 2.
  it("every option value a command refuses is a usage error: exit 2, the reason on stderr, nothing done", async () => {
    const out = join(dir, "refused")
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["build", "src/action.ts", "-o", join(out, "a.js"), "--budget", "0"], "--budget must be a positive"],
      [["run", action, "--event", "e.json", "--timeout", "0"], "--timeout must be a positive"],
      [["run", action, "--event", "e.json", "--trigger", "post-logon"], "not a trigger rulefx knows"],
      [["diff", action, action, "--events", "e", "--max-file-bytes", "0"], "--max-file-bytes and --max-event-bytes"],
      [["migrate", "rules", "-o", join(out, "b.js"), "--rule-timeout", "0"], "--rule-timeout, --deadline and --budget"],
      [["migrate", "rules"], "say where to write the Action"],
      [["events", "--generate", "0", "--out", out], "--generate takes 1 to"],
      [["events", "--out", out], "give either --from-tenant or --generate"],
      [["convert", "rules", "r", "--count", "0"], "--count must be 1 to 10000"],
      [["deploy", action, "--name", "a", "--build-timeout", "0"], "--build-timeout must be a positive"],
      [["deploy", action, "--name", "a", "--dependency", "left-pad"], "expected name@version"],
      [["export", action, "--name", "a", "--out", out, "--dependency", "left-pad"], "expected name@version"],
      [["run", action, "--event", "e.json", "--timeout", "soon"], "soon"]
    ]
    const outputs = await Promise.all(cases.map(([args]) => rulefx(...args)))
    outputs.forEach((output, i) => {
      assert.strictEqual(output.code, 2, `${cases[i]![0].join(" ")}\n${show(output)}`)
      assert.include(output.stderr, cases[i]![1], show(output))
    })
    assert.isFalse(existsSync(out))
  }, 60_000)

  it.each(["20.20.2", "22.17.0", "23.5.0"])(
    "on Node %s the workspace's bin says it needs 22.18 and how to get it, and exits 1 before loading anything",
    async (version) => {
      // The version Node reports, replaced before the bin runs: the check is all that reads it.
      const fake = `data:text/javascript,Object.defineProperty(process.versions, "node", { value: "${version}" })`
      const ran = await new Promise<Output>((resolve) =>
        execFile(
          process.execPath,
          ["--import", fake, bin, "--help"],
          (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr })
        )
      )
      const own = fileURLToPath(new URL("../../../node_modules/node/bin", import.meta.url))
      assert.strictEqual(ran.code, 1, show(ran))
      assert.strictEqual(ran.stdout, "")
      assert.strictEqual(
        ran.stderr,
        "rulefx in a checkout (or a project linked to one) runs its TypeScript sources, which needs Node.js 22.18 " +
          `or newer; this is Node.js ${version}.\nPut the checkout's Node first on the PATH and run it again:\n` +
          `  export PATH=${own}:"$PATH"\n`
      )
    },
    30_000
  )

  it("every command has its usage line", async () => {
    const commands = ["init", "build", "run", "deploy", "export", "migrate"]
    const outputs = await Promise.all(commands.map((command) => rulefx(command, "--no-such-flag")))
    outputs.forEach((output, i) => {
      assert.strictEqual(output.code, 2, show(output))
      assert.match(output.stderr, new RegExp(`\\nusage: rulefx ${commands[i]} \\S`), show(output))
    })
  }, 30_000)

  it("build: type-checks, exits 0, writes the file and its source map and prints its size and largest contributors", () => {
    assert.strictEqual(built.code, 0, show(built))
    const size = statSync(action).size
    const lines = built.stdout.trim().split("\n")
    // The example has no tsconfig.json of its own: the workspace's covers its sources.
    assert.match(lines[0]!, /^type-checked: \.\.\/\.\.\/tsconfig\.json \(TypeScript \d+\.\d+\.\d+, the project's\)$/)
    assert.strictEqual(lines[1], `${action}: ${(size / 1000).toFixed(1)} kB (${size} bytes), budget 100.0 kB`)
    assert.strictEqual(lines[2], "largest contributors:")
    const contributors = lines.slice(3, -1)
    assert.isAbove(contributors.length, 0)
    for (const line of contributors) assert.match(line, /^ +\d+\.\d kB {2}\S/)
    assert.isTrue(contributors.some((line) => line.endsWith("  @rulefx/core/Validator")), built.stdout)
    assert.strictEqual(
      lines.at(-1),
      `source map: ${action}.map (for rulefx run; not part of the Action, never deployed or exported)`
    )
    assert.isTrue(existsSync(`${action}.map`))
    assert.notInclude(readFileSync(action, "utf8"), "sourceMappingURL")
    assert.notInclude(built.stdout, "warning")
  })

  it("build --runtime npm: the file holds the Action's own code and names the runtime it must declare", async () => {
    const npm = join(dir, "npm", "action.js")
    const output = await rulefx("build", "src/action.ts", "-o", npm, "--runtime", "npm", "--no-typecheck")
    assert.strictEqual(output.code, 0, show(output))
    const size = statSync(npm).size
    assert.isBelow(size, 5000)
    assert.include(output.stdout, `${npm}: ${(size / 1000).toFixed(1)} kB (${size} bytes), budget 100.0 kB`)
    assert.include(output.stdout, "@rulefx/action-runtime (shims)")
    assert.include(
      output.stdout,
      "runtime: npm; the Action must declare @rulefx/action-runtime@0.0.0 as its dependency (exact version)"
    )
    const help = await rulefx("build", "--help")
    assert.include(help.stdout, "--runtime")
    assert.include(help.stdout, "@rulefx/action-runtime")
  }, 30_000)

  it("build over --budget: exits non-zero, names the largest contributors and writes nothing", async () => {
    const over = join(dir, "over", "action.js")
    const output = await rulefx("build", "src/action.ts", "-o", over, "--budget", "10", "--no-typecheck")
    assert.isTrue(output.code !== 0 && output.code !== null, show(output))
    assert.include(output.stderr, "over the budget of 10.0 kB (10000 bytes)")
    assert.match(output.stderr, /Largest contributors: effect\/\w+ \d+\.\d kB/)
    assert.include(output.stderr, "largest contributors:")
    // The ways out, as migrate's refusal gives them: the runtime out of the file, the bundled packages as npm ones.
    assert.include(output.stderr, `ways out:\n  - ${WaysOut.runtimeNpm("your code and the packages it bundles")}`)
    // The example bundles no npm package of its own (effect and rulefx's are the runtime's).
    assert.notInclude(output.stderr, "--external")
    assert.include(output.stderr, "nothing was written")
    assert.notInclude(output.stdout, "type-checked")
    assert.isFalse(existsSync(join(dir, "over")))
  }, 30_000)

  it("run: prints the outcome and the reason, with secrets from a file", async () => {
    const event = file("denied.json", JSON.stringify(minimalEvent({ appMetadata: { roles: ["GUEST"] }, secrets: {} })))
    const secrets = file("secrets.env", `SELLER_API_URL=${server.url}\nINTERCOM_SECRET="${intercomSecret}"\n`)
    const output = await rulefx("run", action, "--event", event, "--secrets", secrets)
    assert.strictEqual(output.code, 0, show(output))
    const lines = output.stdout.trim().split("\n")
    assert.strictEqual(lines[0], "outcome  denied")
    assert.strictEqual(lines[1], "reason   Your account is not allowed to use this application.")
    assert.match(lines.at(-1) ?? "", /^elapsed {2}\d+\.\d ms$/)
    assert.notInclude(output.stdout, intercomSecret)
  }, 30_000)

  it("run --json: the outcome as JSON that parses, the seller claims set with the file's secrets", async () => {
    const event = file(
      "seller.json",
      JSON.stringify(minimalEvent({ appMetadata: { sellerId: "seller-1" }, secrets: {} }))
    )
    const secrets = file(
      "secrets.json",
      JSON.stringify({ SELLER_API_URL: server.url, INTERCOM_SECRET: intercomSecret })
    )
    const output = await rulefx("run", action, "--event", event, "--secrets", secrets, "--json")
    assert.strictEqual(output.code, 0, show(output))
    const result = JSON.parse(output.stdout) as {
      readonly outcome: string
      readonly summary: { readonly idTokenClaims: Record<string, unknown> }
    }
    assert.strictEqual(result.outcome, "allowed")
    assert.deepStrictEqual(result.summary.idTokenClaims, {
      [claims.seller]: { id: "seller-1", email: "ada@shop.example", name: "Ada's Shop" },
      [claims.sellerEmailHash]: Hmac.hex(intercomSecret, "ada@shop.example")
    })
  }, 30_000)

  it("run --expect: exit 0 when the outcome is the one expected, 1 (after printing it) when not", async () => {
    const secrets = { SELLER_API_URL: server.url, INTERCOM_SECRET: intercomSecret }
    const event = file("guest.json", JSON.stringify(minimalEvent({ appMetadata: { roles: ["GUEST"] }, secrets })))
    const [asExpected, notExpected, badValue] = await Promise.all([
      rulefx("run", action, "--event", event, "--expect", "denied"),
      rulefx("run", action, "--event", event, "--expect", "allowed"),
      rulefx("run", action, "--event", event, "--expect", "maybe")
    ])
    assert.strictEqual(asExpected.code, 0, show(asExpected))
    assert.strictEqual(notExpected.code, 1, show(notExpected))
    assert.match(notExpected.stdout, /^outcome {2}denied$/m)
    assert.include(
      notExpected.stderr,
      "expected the login to be allowed, but it was denied (Your account is not allowed to use this application.)"
    )
    assert.strictEqual(badValue.code, 2, show(badValue))
    assert.include(badValue.stderr, "maybe")
    assert.strictEqual(badValue.stdout, "")
  }, 30_000)

  it(
    "run on a handler that never settles: stopped after --timeout, timed out, exit 1 though a timer is still pending",
    async () => {
      // The interval would keep Node running for ever: the command must end the process itself.
      const hang = file(
        "hang.js",
        "exports.onExecutePostLogin = () => { setInterval(() => {}, 1000); return new Promise(() => {}) }"
      )
      const event = file("hang-event.json", JSON.stringify(minimalEvent()))
      const [plain, expecting, zero] = await Promise.all([
        rulefx("run", hang, "--event", event, "--timeout", "1"),
        rulefx("run", hang, "--event", event, "--timeout", "1", "--expect", "allowed"),
        rulefx("run", hang, "--event", event, "--timeout", "0")
      ])
      assert.strictEqual(plain.code, 1, show(plain))
      assert.match(plain.stdout, /^outcome +rejected$/m)
      assert.match(plain.stdout, /^timed out +the handler did not settle within 1 s: Auth0 stops an Action at 20 s/m)
      assert.include(plain.stderr, `${hang} did not settle within 1 s: Auth0 would stop it at 20 s and fail the login`)
      assert.strictEqual(expecting.code, 1, show(expecting))
      assert.include(
        expecting.stderr,
        "expected the login to be allowed, but it was rejected (timed out: the handler did not settle within 1 s)"
      )
      assert.strictEqual(zero.code, 2, show(zero))
      assert.include(zero.stderr, "--timeout must be a positive number of seconds")
    },
    30_000
  )

  it("run on a TypeScript entry (not a built Action): refused, pointing at rulefx build; nothing runs", async () => {
    const event = file("ts-event.json", JSON.stringify(minimalEvent()))
    const output = await rulefx("run", "src/action.ts", "--event", event)
    assert.strictEqual(output.code, 1, show(output))
    assert.strictEqual(output.stdout, "")
    assert.include(
      output.stderr,
      "src/action.ts: not a built Action: rulefx run takes the .js (or .cjs) file rulefx build writes, the one Auth0 " +
        "runs; build it first (rulefx build src/action.ts -o dist/action.js) and run that (rulefx run dist/action.js)"
    )
  }, 30_000)

  it("run with a partial event: fills what Auth0 always sends and lists it; --strict refuses, naming it", async () => {
    const secrets = { SELLER_API_URL: server.url, INTERCOM_SECRET: intercomSecret }
    const partial = file("partial.json", JSON.stringify(minimalEvent({ appMetadata: { roles: ["ADMIN"] }, secrets })))
    const complete = file(
      "complete.json",
      JSON.stringify(Events.postLogin({
        user: { app_metadata: { roles: ["ADMIN"] } },
        client: { metadata: { allowed_roles: "ADMIN" } },
        secrets
      }))
    )
    const [filled, strict, whole] = await Promise.all([
      rulefx("run", action, "--event", partial),
      rulefx("run", action, "--event", partial, "--strict"),
      rulefx("run", action, "--event", complete, "--strict", "--json")
    ])
    assert.strictEqual(filled.code, 0, show(filled))
    assert.match(filled.stdout, /^outcome +allowed$/m)
    assert.match(
      filled.stdout,
      /^filled +tenant, connection, user\.created_at, .*request\.geoip, stats \(missing from the event, filled with realistic defaults; --strict refuses instead\)$/m
    )
    // Said loudly: the filled values a rule may have decided by.
    assert.match(
      filled.stdout,
      /^warning +filled with defaults that can change a rule's outcome: request\.geoip \(London, GB\), stats\.logins_count \(1\), connection \(Username-Password-Authentication, strategy auth0\);/m
    )
    assert.strictEqual(strict.code, 1, show(strict))
    assert.include(
      strict.stderr,
      `${partial}: a partial post-login event (--strict): missing tenant, connection, user.created_at`
    )
    assert.strictEqual(strict.stdout, "")
    assert.strictEqual(whole.code, 0, show(whole))
    const result = JSON.parse(whole.stdout) as LocalRun.Result
    assert.strictEqual(result.outcome, "allowed")
    assert.deepStrictEqual(result.filled, [])
  }, 30_000)

  it("run with a malformed event file: exits non-zero with a message naming the file and the problem", async () => {
    const event = file("broken.json", "{\n  \"user\": {}\n  \"client\": {}\n}\n")
    const output = await rulefx("run", action, "--event", event)
    assert.isTrue(output.code !== 0 && output.code !== null, show(output))
    assert.include(output.stderr, `${event}: not valid JSON`)
    assert.include(output.stderr, "line 3 column 3")
    assert.notInclude(output.stdout, "outcome")
  }, 30_000)

  it("export: writes the deploy-cli layout and prints what it wrote", async () => {
    const out = join(dir, "tenant")
    const output = await rulefx(
      "export",
      action,
      "--name",
      "seller-login",
      "--out",
      out,
      "--secret",
      "SELLER_API_URL",
      "--secret",
      "INTERCOM_SECRET",
      "--bind"
    )
    assert.strictEqual(output.code, 0, show(output))
    const codeFile = join(out, "actions", "seller-login", "code.js")
    const jsonFile = join(out, "actions", "seller-login.json")
    const triggersFile = join(out, "triggers", "triggers.json")
    assert.deepStrictEqual(readFileSync(codeFile), readFileSync(action))
    const entry = JSON.parse(readFileSync(jsonFile, "utf8")) as Record<string, unknown>
    assert.strictEqual(entry["name"], "seller-login")
    assert.deepStrictEqual(entry["secrets"], [
      { name: "SELLER_API_URL", value: "##SELLER_API_URL##" },
      { name: "INTERCOM_SECRET", value: "##INTERCOM_SECRET##" }
    ])
    assert.deepStrictEqual(JSON.parse(readFileSync(triggersFile, "utf8")), {
      "post-login": [{ action_name: "seller-login", display_name: "seller-login" }]
    })
    for (const written of [codeFile, jsonFile, triggersFile]) assert.include(output.stdout, `wrote ${written}\n`)
    assert.include(output.stdout, "note: secret values are keywords")
    assert.isTrue(existsSync(codeFile))
    // The build wrote a source map beside the Action: it is not part of what is exported.
    assert.isTrue(existsSync(`${action}.map`))
    assert.deepStrictEqual(readdirSync(join(out, "actions"), { recursive: true }).toSorted(), [
      "seller-login",
      "seller-login.json",
      join("seller-login", "code.js")
    ])
  }, 30_000)
})

describe("rulefx build, the type check", () => {
  const projects: Array<string> = []
  const typed = (mistakes: TypedProject.Mistakes) => {
    const at = TypedProject.write({
      "tsconfig.json": TypedProject.tsconfig(),
      "src/action.ts": TypedProject.actionSource(mistakes)
    })
    projects.push(at)
    return at
  }

  afterAll(() => {
    for (const at of projects) rmSync(at, { recursive: true, force: true })
  })

  it(
    "an undeclared fact: exit 1 with TypeScript's message naming it; an earlier good file stays as it was",
    async () => {
      const at = typed({})
      const good = await rulefxIn(at, "build", "src/action.ts", "-o", "dist/action.js")
      assert.strictEqual(good.code, 0, show(good))
      assert.match(good.stdout, /^type-checked: tsconfig\.json \(TypeScript [\d.]+, the project's\)\n/)
      const before = readFileSync(join(at, "dist", "action.js"))
      writeFileSync(join(at, "src", "action.ts"), TypedProject.actionSource({ undeclaredFact: true }))
      const output = await rulefxIn(at, "build", "src/action.ts", "-o", "dist/action.js")
      assert.strictEqual(output.code, 1, show(output))
      assert.include(output.stderr, TypedProject.undeclaredFactMessage)
      assert.match(output.stderr, /src\/action\.ts\(\d+,\d+\): error TS\d+/)
      assert.include(output.stderr, "src/action.ts does not type-check with tsconfig.json")
      assert.include(output.stderr, "nothing was built (--no-typecheck builds without checking)")
      assert.deepStrictEqual(readFileSync(join(at, "dist", "action.js")), before)
    },
    60_000
  )

  it("a layer that misses a service: exit 1 with TypeScript's message naming it, and no output at all", async () => {
    const at = typed({ missingService: true })
    const output = await rulefxIn(at, "build", "src/action.ts", "-o", "dist/action.js")
    assert.strictEqual(output.code, 1, show(output))
    assert.include(output.stderr, TypedProject.missingServiceMessage)
    assert.isFalse(existsSync(join(at, "dist")))
  }, 60_000)

  it("run with the map of build --sourcemap beside the file: the log line's stack points at the source", async () => {
    const at = typed({})
    writeFileSync(
      join(at, "src", "action.ts"),
      TypedProject.actionSource({}).replace(
        `Effect.succeed("hi")`,
        `Effect.sync((): string => {\n    throw new Error("greeter down")\n  })`
      )
    )
    const built = await rulefxIn(at, "build", "src/action.ts", "-o", "dist/action.js", "--sourcemap")
    assert.strictEqual(built.code, 0, show(built))
    writeFileSync(join(at, "event.json"), JSON.stringify(minimalEvent()))
    const mapped = await rulefxIn(at, "run", "dist/action.js", "--event", "event.json", "--expect", "denied")
    assert.strictEqual(mapped.code, 0, show(mapped))
    assert.match(mapped.stdout, /^log .*Error: greeter down at (\S+ \()?src\/action\.ts:\d+:\d+/m, show(mapped))
    assert.notInclude(mapped.stdout, "dist/action.js:")
    // Built again without a map, the old map no longer matches the file: not used, and said so.
    const rebuilt = await rulefxIn(at, "build", "src/action.ts", "-o", "dist/action.js", "--no-typecheck")
    assert.strictEqual(rebuilt.code, 0, show(rebuilt))
    appendFileSync(join(at, "dist", "action.js"), "\n")
    const stale = await rulefxIn(at, "run", "dist/action.js", "--event", "event.json")
    assert.include(stale.stderr, "note: dist/action.js.map is not the map of this build")
    assert.match(stale.stdout, /dist\/action\.js:\d+:\d+/)
  }, 90_000)

  it("--no-typecheck builds without checking (esbuild only strips types)", async () => {
    const at = typed({ undeclaredFact: true, missingService: true })
    const output = await rulefxIn(at, "build", "src/action.ts", "-o", "dist/action.js", "--no-typecheck")
    assert.strictEqual(output.code, 0, show(output))
    assert.notInclude(output.stdout, "type-checked")
    assert.isTrue(existsSync(join(at, "dist", "action.js")))
  }, 60_000)
})

describe("rulefx deploy", () => {
  const other = {
    id: "act_other",
    name: "other-action",
    code: "exports.onExecutePostLogin = async () => {}",
    runtime: "node22",
    supported_triggers: [{ id: "post-login", version: "v3" }],
    dependencies: [],
    secrets: [],
    deployedVersions: 1
  }

  it("without credentials: exit 1, naming every missing variable at once (unset, empty or blank)", async () => {
    const deploy = ["deploy", action, "--name", "seller-login", "--dry-run"] as const
    const [none, one] = await Promise.all([
      rulefxWith({ AUTH0_DOMAIN: "", AUTH0_CLIENT_ID: " ", AUTH0_CLIENT_SECRET: "" }, ...deploy),
      rulefxWith({ AUTH0_DOMAIN: "acme.example.auth0.com", AUTH0_CLIENT_ID: "id", AUTH0_CLIENT_SECRET: "" }, ...deploy)
    ])
    assert.strictEqual(none.code, 1, show(none))
    assert.include(
      none.stderr,
      "AUTH0_DOMAIN, AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET are not set:\n" +
        "  AUTH0_DOMAIN: the tenant's domain, e.g. acme.eu.auth0.com\n" +
        "  AUTH0_CLIENT_ID: the client id of a machine-to-machine application authorized for the Auth0 Management API\n" +
        "  AUTH0_CLIENT_SECRET: that application's client secret"
    )
    assert.strictEqual(one.code, 1, show(one))
    assert.include(
      one.stderr,
      "AUTH0_CLIENT_SECRET is not set:\n  AUTH0_CLIENT_SECRET: that application's client secret"
    )
    assert.notInclude(one.stderr, "AUTH0_DOMAIN:")
  }, 30_000)

  it(
    "against a tenant (a fake one on 127.0.0.1): a dry run writes nothing; a deploy creates, builds, deploys and binds after the existing binding",
    async () => {
      const tenant = await ManagementServer.start({
        actions: [other],
        bindings: { "post-login": [{ actionId: "act_other", display_name: "other" }] },
        build: { _tag: "Built", polls: 1 }
      })
      try {
        const env = {
          AUTH0_DOMAIN: "tenant.example.auth0.com",
          AUTH0_CLIENT_ID: "client-id",
          AUTH0_CLIENT_SECRET: "client-secret",
          RULEFX_AUTH0_BASE_URL: tenant.url,
          SELLER_API_URL: "https://sellers.example",
          INTERCOM_SECRET: intercomSecret
        }
        const secrets = ["--secret", "SELLER_API_URL", "--secret", "INTERCOM_SECRET"]
        const dry = await rulefxWith(env, "deploy", action, "--name", "seller-login", ...secrets, "--dry-run")
        assert.strictEqual(dry.code, 0, show(dry))
        assert.deepStrictEqual(ManagementServer.writes(tenant), [])

        const deployed = await rulefxWith(env, "deploy", action, "--name", "seller-login", ...secrets)
        assert.strictEqual(deployed.code, 0, show(deployed))
        assert.notInclude(deployed.stdout + deployed.stderr, intercomSecret)
        const ours = tenant.actions().find((a) => a.name === "seller-login")
        assert.isDefined(ours)
        // The file alone: the source map the build wrote beside it is never sent.
        assert.strictEqual(ours!.code, readFileSync(action, "utf8"))
        assert.notInclude(ours!.code, "sourceMappingURL")
        assert.strictEqual(ours!.deployedVersions, 1)
        assert.deepStrictEqual(ours!.secrets.map((s) => s.name).toSorted(), ["INTERCOM_SECRET", "SELLER_API_URL"])
        assert.deepStrictEqual(tenant.bindings("post-login").map((b) => b.actionId), ["act_other", ours!.id])
        assert.strictEqual(tenant.bindings("post-login")[0]!.display_name, "other")
      } finally {
        await tenant.close()
      }
    },
    30_000
  )
})

const write = (path: string, text: string) => {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, text)
}

/** A legacy rule as deploy-cli exports it: `<name>.json` and `<name>.js`, the body starting on line 2. */
const legacyRule = (folder: string, name: string, order: number, body: ReadonlyArray<string>) => {
  write(join(folder, `${name}.json`), JSON.stringify({ name, script: `./${name}.js`, enabled: true, order }))
  write(
    join(folder, `${name}.js`),
    `function (user, context, callback) {\n${body.map((l) => `  ${l}\n`).join("")}  callback(null, user, context);\n}\n`
  )
}

/** What migrate says of a module that is not installed. */
const advice = (command: string, tenant: string) =>
  `the module is not installed; run ${command} in ${
    relative(example, tenant)
  } (the folder that holds rules/) or in your project`

describe("rulefx migrate", () => {
  let mdir = ""
  let tenant = ""
  let refused = ""
  let out = ""
  let migrated: Output

  beforeAll(async () => {
    mdir = mkdtempSync(join(tmpdir(), "rulefx-cli-migrate-"))
    tenant = join(mdir, "tenant")
    legacyRule(join(tenant, "rules"), "gate", 1, [
      "if (context.request.query.deny) return callback(new UnauthorizedError(\"no entry for \" + user.user_id));"
    ])
    legacyRule(join(tenant, "rules"), "greet", 2, [
      "console.log(\"greeting\", user.user_id);",
      "context.idToken[\"https://example.com/greeting\"] = \"hi \" + configuration.GREETING;"
    ])
    refused = join(mdir, "refused")
    legacyRule(join(refused, "rules"), "saml", 1, ["context.samlConfiguration.wctx = \"foo=bar\";"])
    legacyRule(join(refused, "rules"), "dyn", 2, ["var x = 1;", "var y = eval(\"x + 1\");"])
    out = join(mdir, "dist", "action.js")
    migrated = await rulefx("migrate", tenant, "-o", out)
  }, 30_000)

  afterAll(() => {
    if (mdir !== "") rmSync(mdir, { recursive: true, force: true })
  })

  it("exits 0, prints the plan and the size report, and writes the file", () => {
    assert.strictEqual(migrated.code, 0, show(migrated))
    const lines = migrated.stdout.trim().split("\n")
    assert.match(lines[0]!, /^rules in \S+tenant\/rules, in the order they run:$/)
    assert.strictEqual(lines[1], "  1. gate (order 1) gate.js")
    assert.include(lines, "  2. greet (order 2) greet.js")
    assert.include(lines, "Action secrets (Rules settings, set each as a secret of the Action): GREETING")
    const size = statSync(out).size
    assert.include(lines, `${out}: ${(size / 1000).toFixed(1)} kB (${size} bytes), budget 100.0 kB`)
    assert.include(lines, "largest contributors:")
    assert.notInclude(migrated.stdout, "warning")
  })

  it(
    "run on the migrated Action: allowed with the rule's claim and log line, or denied with the rule's reason",
    async () => {
      const allowed = file(
        "legacy-allowed.json",
        JSON.stringify({ ...minimalEvent({ userId: "auth0|ada", secrets: { GREETING: "there" } }) })
      )
      const denied = file(
        "legacy-denied.json",
        JSON.stringify({
          ...minimalEvent({ userId: "auth0|eve", secrets: { GREETING: "there" } }),
          request: { ip: "203.0.113.9", query: { deny: "1" } }
        })
      )
      const [ok, no] = await Promise.all([
        rulefx("run", out, "--event", allowed),
        rulefx("run", out, "--event", denied)
      ])
      assert.strictEqual(ok.code, 0, show(ok))
      const okLines = ok.stdout.trim().split("\n")
      assert.strictEqual(okLines[0], "outcome   allowed")
      // The claim holds a Rules setting, an Action secret: run prints its name, never its value.
      assert.include(okLines, "id token  https://example.com/greeting = \"hi [secret GREETING]\"")
      assert.include(okLines, "log       rulefx legacy rule=greet: greeting auth0|ada")
      assert.strictEqual(no.code, 0, show(no))
      const noLines = no.stdout.trim().split("\n")
      assert.strictEqual(noLines[0], "outcome  denied")
      assert.strictEqual(noLines[1], "reason   no entry for auth0|eve")
      assert.notInclude(no.stdout, "greeting")
    },
    30_000
  )

  it("a module that is not installed: the advice names the package manager that ran rulefx, or both", async () => {
    const missing = join(mdir, "missing")
    legacyRule(join(missing, "rules"), "mods", 1, ["var pad = require(\"rulefx-not-installed-zz/sub\");"])
    const [pnpm, npm, neither] = await Promise.all(
      ["pnpm/10.34.9 npm/? node/v22.23.3 linux x64", "npm/11.19.1 node/v22.23.3 linux x64", "bun/1.2.0"].map((agent) =>
        rulefxWith({ npm_config_user_agent: agent }, "migrate", missing, "--dry-run")
      )
    )
    for (const output of [pnpm, npm, neither]) assert.strictEqual(output.code, 1, show(output))
    assert.include(pnpm.stderr, advice("pnpm add rulefx-not-installed-zz", missing))
    assert.include(npm.stderr, advice("npm install rulefx-not-installed-zz", missing))
    assert.include(
      neither.stderr,
      advice("npm install rulefx-not-installed-zz (or pnpm add rulefx-not-installed-zz)", missing)
    )
  }, 30_000)

  it("--dry-run prints the plan and writes nothing", async () => {
    const dryOut = join(mdir, "dry", "action.js")
    const output = await rulefx("migrate", join(tenant, "rules"), "-o", dryOut, "--dry-run")
    assert.strictEqual(output.code, 0, show(output))
    assert.include(output.stdout, "  1. gate (order 1) gate.js")
    assert.include(output.stdout, "Action secrets (Rules settings, set each as a secret of the Action): GREETING")
    assert.notInclude(output.stdout, "largest contributors:")
    assert.isFalse(existsSync(dryOut))
    assert.isFalse(existsSync(join(mdir, "dry")))
  }, 30_000)

  it("refused constructs: exits non-zero and prints each problem; --accept makes it pass", async () => {
    const refusedOut = join(mdir, "refused-dist", "action.js")
    const [no, yes] = await Promise.all([
      rulefx("migrate", refused, "-o", refusedOut),
      rulefx(
        "migrate",
        refused,
        "-o",
        join(mdir, "accepted-dist", "action.js"),
        "--accept",
        "saml:context.samlConfiguration",
        "--accept",
        "eval"
      )
    ])
    assert.isTrue(no.code !== 0 && no.code !== null, show(no))
    assert.match(no.stderr, /rule "saml" \(\S+saml\.js:2\): context\.samlConfiguration has no Actions equivalent/)
    assert.match(no.stderr, /rule "dyn" \(\S+dyn\.js:3\): eval has no Actions equivalent/)
    assert.include(no.stderr, "--accept saml:context.samlConfiguration")
    assert.isFalse(existsSync(refusedOut))
    assert.strictEqual(yes.code, 0, show(yes))
    assert.match(yes.stdout, /line 2 +accepted +context\.samlConfiguration/)
    assert.match(yes.stdout, /line 3 +accepted +eval/)
    assert.isTrue(existsSync(join(mdir, "accepted-dist", "action.js")))
  }, 30_000)

  // Finding (new-user review): `rulefx export` without --secret wrote `"secrets": []` for rules that read
  // configuration.X, and said nothing: every login reaching them would be denied after deploy; --secrets-file, which
  // deploy takes, was refused.
  it(
    "export of the migrated Action: warns of each setting not exported; --secrets-file exports its names",
    async () => {
      const secrets = file("export-secrets.env", "GREETING=hello there\n")
      const [bare, withFile] = await Promise.all([
        rulefx("export", out, "--name", "legacy", "--out", join(mdir, "export-bare")),
        rulefx("export", out, "--name", "legacy", "--out", join(mdir, "export-file"), "--secrets-file", secrets)
      ])
      assert.strictEqual(bare.code, 0, show(bare))
      assert.include(bare.stderr, `warning: ${out} reads the Rules settings GREETING`)
      assert.include(bare.stderr, "Export them: --secret GREETING, or --secrets-file <file>")
      assert.strictEqual(withFile.code, 0, show(withFile))
      assert.notInclude(withFile.stderr, "warning")
      const entry = readFileSync(join(mdir, "export-file", "actions", "legacy.json"), "utf8")
      assert.deepStrictEqual((JSON.parse(entry) as Record<string, unknown>)["secrets"], [
        { name: "GREETING", value: "##GREETING##" }
      ])
      assert.notInclude(entry, "hello there")
    },
    30_000
  )

  it("--rule-timeout not below --deadline prints a warning; non-positive values are rejected", async () => {
    const o = join(mdir, "never", "action.js")
    const [warned, zero, negative] = await Promise.all([
      rulefx("migrate", tenant, "-o", o, "--dry-run", "--rule-timeout", "5000", "--deadline", "5000"),
      rulefx("migrate", tenant, "-o", o, "--dry-run", "--rule-timeout", "0"),
      rulefx("migrate", tenant, "-o", o, "--dry-run", "--deadline=-5")
    ])
    assert.strictEqual(warned.code, 0, show(warned))
    assert.include(warned.stdout, "warning: --rule-timeout 5000 is not below --deadline 5000")
    for (const output of [zero, negative]) {
      assert.isTrue(output.code !== 0 && output.code !== null, show(output))
      assert.include(output.stderr, "--rule-timeout, --deadline and --budget must be positive")
      assert.notInclude(output.stdout, "rules in")
    }
    assert.isFalse(existsSync(o))
  }, 30_000)

  it("--emit-rules writes the module and its declarations; neither -o nor --emit-rules is an error", async () => {
    const module = join(mdir, "emitted", "legacy-rules.cjs")
    const [emitted, nowhere, notCjs] = await Promise.all([
      rulefx("migrate", tenant, "--emit-rules", module, "--skip", "gate"),
      rulefx("migrate", tenant),
      rulefx("migrate", tenant, "--emit-rules", join(mdir, "emitted", "legacy-rules.js"))
    ])
    assert.strictEqual(emitted.code, 0, show(emitted))
    assert.include(emitted.stdout, `${module}: 1 rules (with ${module.replace(/\.cjs$/, ".d.cts")})`)
    assert.include(emitted.stdout, "  -  gate: skipped, left out with --skip")
    assert.include(readFileSync(module, "utf8"), `LegacyRule.make("greet"`)
    assert.notInclude(readFileSync(module, "utf8"), `LegacyRule.make("gate"`)
    assert.include(readFileSync(module.replace(/\.cjs$/, ".d.cts"), "utf8"), "export declare const rules")
    assert.isTrue(nowhere.code !== 0 && nowhere.code !== null, show(nowhere))
    assert.include(nowhere.stderr, "say where to write the Action with -o <file> (or use --emit-rules)")
    assert.isTrue(notCjs.code !== 0 && notCjs.code !== null, show(notCjs))
    assert.include(notCjs.stderr, "the rules module must be a .cjs file")
    assert.isFalse(existsSync(join(mdir, "emitted", "legacy-rules.js")))
  }, 30_000)
})
