/**
 * The migration guide's commands are real: every `rulefx <command> ...` line of its shell blocks, and every inline
 * `rulefx ...` span of its text, names a command the CLI has and only flags that command's help lists (a `--no-x` is
 * the negation of a boolean `--x`). A renamed flag, or a guide written ahead of the CLI, fails here. And its "diff old
 * vs new" step holds: the seed's legacy Rules (examples/seller-login/legacy-rules) migrated into an Action, and the
 * guide's own `src/action.ts` (read from the guide) running the same rules emitted as a module, decide the seed's
 * logins alike. Its step 6 entry, with the first rule converted, runs it on both passes: the diffs step 7 runs,
 * `--continue` ones included, find nothing, and would find the rule missing from the continue pass. The whole path
 * makes every event file it runs. Its fake tenant script starts a tenant that `rulefx events --from-tenant` and
 * `rulefx deploy` work against, with the variables the guide gives.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import * as Bundle from "@rulefx/cli/Bundle"
import * as Cli from "@rulefx/cli/Cli"
import * as Convert from "@rulefx/cli/Convert"
import * as Diff from "@rulefx/cli/Diff"
import * as Migrate from "@rulefx/cli/Migrate"
import * as Events from "@rulefx/testing/Events"
import * as SellerServer from "@rulefx/testing/SellerServer"
import { Command } from "effect/cli"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as TestConsole from "effect/testing/TestConsole"
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as NodePlatform from "../src/internal/nodePlatform.ts"
import { intercomSecret, minimalEvent } from "./utils/Seed.ts"

const seedFolder = fileURLToPath(new URL("../../../examples/seller-login", import.meta.url))
const legacyExample = fileURLToPath(new URL("../../../examples/legacy-rules/rules", import.meta.url))
const bin = fileURLToPath(new URL("../bin/workspace.js", import.meta.url))
const dirs: Array<string> = []
const children: Array<ChildProcess> = []

afterAll(() => {
  for (const child of children) child.kill()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

/** A project of the guide's layout in a temporary folder, its packages from the seed's project. */
const project = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "rulefx-guide-"))
  dirs.push(dir)
  symlinkSync(join(seedFolder, "node_modules"), join(dir, "node_modules"), "dir")
  mkdirSync(join(dir, "src"))
  return dir
}

const guide = readFileSync(fileURLToPath(new URL("../../../docs/migration-guide.md", import.meta.url)), "utf8")

/** The command lines: shell-block lines starting `rulefx ` (comments cut off), and inline `rulefx ...` spans. */
const commandLines = (markdown: string): ReadonlyArray<string> => {
  const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split("\n"))
  const fromBlocks = blocks.map((line) => line.trim().replace(/^\$ /, "")).filter((line) => line.startsWith("rulefx "))
  const inline = [...markdown.replaceAll(/```[\s\S]*?```/g, "").matchAll(/`(rulefx [^`]+)`/g)].map((m) => m[1]!)
  return [...fromBlocks, ...inline].map((line) => line.replace(/\s+#.*$/, ""))
}

const flagsOf = (line: string): ReadonlyArray<string> =>
  [...line.matchAll(/(?:^|[\s[(|])(--?[a-zA-Z][\w-]*)/g)].map((m) => m[1]!)

// The command's help as the bin prints it, from the same command tree, in this process; failed when there is no
// such command.
const help = (command: string) =>
  Effect.gen(function*() {
    const before = (yield* TestConsole.logLines).length
    const exit = yield* Effect.exit(Command.runWith(Cli.rulefx, { version: "0" })([command, "--help"]))
    const lines = (yield* TestConsole.logLines).slice(before)
    return { ok: Exit.isSuccess(exit), text: lines.map(String).join("\n") }
  }).pipe(Effect.provide(NodePlatform.layer))

const listed = (text: string, flag: string): boolean =>
  new RegExp(`(^|[\\s,])${flag.replace(/^--no-/, "--")}([\\s,]|$)`, "m").test(text)

/** The first shell block after `heading` (a line of the guide), as its lines. */
const shBlockAfter = (heading: string): ReadonlyArray<string> => {
  const from = guide.indexOf(heading)
  assert.isAtLeast(from, 0, `the guide has ${heading}`)
  return (/```sh\n([\s\S]*?)```/.exec(guide.slice(from))?.[1] ?? "").split("\n")
}

/** A rule that redirects and records the answer on the continue pass (the terms-redirect idiom). */
const termsRedirect = `function termsRedirect(user, context, callback) {
  user.app_metadata = user.app_metadata || {};
  if (context.protocol === 'redirect-callback') {
    if (context.request.query.accepted !== 'yes') return callback(new UnauthorizedError('You must accept the terms.'));
    return auth0.users.updateAppMetadata(user.user_id, { terms_accepted: true })
      .then(function () { callback(null, user, context); })
      .catch(callback);
  }
  if (!user.app_metadata.terms_accepted && context.clientName === 'Customer Portal') {
    context.redirect = { url: configuration.TERMS_URL + '?client=' + encodeURIComponent(context.clientID) };
  }
  callback(null, user, context);
}
`

const login = (name: string, emailVerified: boolean, client: string, query: Record<string, string> = {}) =>
  JSON.stringify({
    name,
    event: Events.postLogin({
      user: { user_id: "auth0|ada", email_verified: emailVerified, app_metadata: {} },
      client: { client_id: client.replaceAll(" ", "-"), name: client, metadata: {} },
      request: { query }
    })
  })

/** `export A=1 B=2` as { A: "1", B: "2" }. */
const exported = (line: string): Record<string, string> =>
  Object.fromEntries(
    line.replace(/^export\s+/, "").trim().split(/\s+/).map((
      pair
    ) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)])
  )

/** The first line a child process prints. */
const firstLine = (child: ChildProcess): Promise<string> =>
  new Promise((resolve, reject) => {
    let out = ""
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8")
      if (out.includes("\n")) resolve(out.slice(0, out.indexOf("\n")))
    })
    child.on("exit", (code) => reject(new Error(`exited (${code}) before printing a line: ${out}`)))
  })

const show = (report: Diff.Report) => Diff.render(report, { a: "legacy", b: "new" })

interface Output {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** A guide's `rulefx ...` line run through the bin, in `cwd`, with `env` added. */
const rulefx = (cwd: string, env: Record<string, string>, line: string): Promise<Output> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...line.replace(/\s+#.*$/, "").trim().split(/\s+/).slice(1)],
      { cwd, timeout: 60_000, env: { ...process.env, NO_COLOR: "1", ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr })
    )
  })

describe("docs/migration-guide.md", () => {
  it.effect("every rulefx command line names a real command and only its flags", () =>
    Effect.gen(function*() {
      const lines = commandLines(guide)
      const byCommand = new Map<string, Set<string>>()
      for (const line of lines) {
        const command = line.split(/\s+/)[1] ?? ""
        byCommand.set(command, new Set([...(byCommand.get(command) ?? []), ...flagsOf(line)]))
      }
      // The whole path is there: migrate, run, events, build, diff, deploy.
      for (const command of ["migrate", "run", "events", "build", "diff", "deploy"]) {
        assert.isTrue(byCommand.has(command), `the guide runs rulefx ${command}`)
      }
      assert.isAbove(lines.length, 15)
      const wrong: Array<string> = []
      for (const command of byCommand.keys()) {
        const { ok, text } = yield* help(command)
        if (!ok || !text.includes(`rulefx ${command}`)) {
          wrong.push(`rulefx ${command}: not a command (${text.split("\n")[0]})`)
          continue
        }
        for (const flag of byCommand.get(command)!) {
          if (!listed(text, flag)) wrong.push(`rulefx ${command} ${flag}: not a flag of the command`)
        }
      }
      assert.deepStrictEqual(wrong, [])
    }))

  it("the checker finds a flag or a command the CLI does not have", () => {
    const lines = commandLines("```sh\n$ rulefx diff a b --eventz x   # a typo\n```\nthen `rulefx difff --json`")
    assert.deepStrictEqual(lines, ["rulefx diff a b --eventz x", "rulefx difff --json"])
    assert.deepStrictEqual(flagsOf(lines[0]!), ["--eventz"])
    assert.isFalse(listed("  --events string   The events", "--eventz"))
    assert.isTrue(listed("  --roles   Read roles", "--no-roles"))
    assert.isTrue(listed("  --out, -o string   The file", "-o"))
  })

  it.effect(
    "diff old vs new: the migrated Rules and the guide's entry over the same rules decide alike",
    () =>
      Effect.gen(function*() {
        const entry = /```ts\n\/\/ src\/action\.ts\n([\s\S]*?)```/.exec(guide)?.[1]
        assert.isDefined(entry, "the guide shows src/action.ts")
        // A project of the guide's layout: src/ with the emitted rules and the entry; packages from the seed's project.
        const dir = project()
        writeFileSync(join(dir, "src", "action.ts"), entry!)
        const rules = join(seedFolder, "legacy-rules")
        yield* Migrate.emitRules(rules, join(dir, "src", "legacy-rules.cjs"))
        yield* Migrate.migrate(rules, join(dir, "dist", "legacy.js"))
        yield* Effect.promise(() =>
          Bundle.build({ entry: join(dir, "src", "action.ts"), outfile: join(dir, "dist", "action.js") })
        )
        const seller = yield* Effect.acquireRelease(
          Effect.promise(() =>
            SellerServer.start({ "seller-1": SellerServer.seller("seller-1", "ada@shop.example", "Ada's Shop") })
          ),
          (server) => Effect.promise(() => server.close())
        )
        const events = join(dir, "events.jsonl")
        writeFileSync(
          events,
          [
            minimalEvent({ userId: "auth0|seller", appMetadata: { sellerId: "seller-1", roles: ["ADMIN"] } }),
            minimalEvent({ userId: "auth0|plain" }),
            minimalEvent({ userId: "auth0|guest", appMetadata: { roles: ["GUEST"] } }),
            minimalEvent({ userId: "auth0|odd", appMetadata: { sellerId: "../x" } })
          ].map((e) => JSON.stringify(e)).join("\n")
        )
        const report = yield* Diff.diff(join(dir, "dist", "legacy.js"), join(dir, "dist", "action.js"), events, {
          secrets: { SELLER_API_URL: seller.url, INTERCOM_SECRET: intercomSecret }
        })
        assert.deepStrictEqual([report.events, report.differ], [4, 0], Diff.render(report, { a: "old", b: "new" }))
        // Both allow and deny among them: the comparison saw decisions, not four empty runs.
        assert.includeMembers(report.results.map((r) => r.a.outcome), ["allowed", "denied"])
        // The guide says so: no rule redirects, so the second pass the entry does not export is not a note.
        assert.deepStrictEqual(report.notes, [])
      }),
    { timeout: 120_000 }
  )

  it("the whole path makes every event file it runs, and step 7 diffs the continue pass too", () => {
    const path = shBlockAfter("## The whole path")
    const unmade = path.flatMap((line, i) =>
      [...line.replace(/\s+#.*$/, "").matchAll(/--event (\S+)/g)].map((m) => m[1]!).filter((file) =>
        !path.slice(0, i).some((earlier) => {
          const command = earlier.replace(/\s+#.*$/, "").trim()
          return /^(cp|mv) |> /.test(command) && command.endsWith(` ${file}`)
        })
      )
    )
    assert.deepStrictEqual(unmade, [], "a file the whole path runs that no earlier line of it makes")
    for (const block of [path, shBlockAfter("## 7. Diff again")]) {
      const continued = block.map((line) => line.replace(/\s+#.*$/, "").trim()).filter((line) =>
        line.startsWith("rulefx diff ") && line.includes(" --continue")
      ).map((line) => /--events (\S+)/.exec(line)?.[1])
      assert.includeMembers(continued, ["events/", "events/generated/"], block.join("\n"))
    }
  })

  it.effect(
    "step 6's entry runs the converted rule on both passes; only step 7's --continue diffs see it missing from the second",
    () =>
      Effect.gen(function*() {
        const block = /```ts\n {2}\/\/ src\/action\.ts, after converting email-verified\n([\s\S]*?) {2}```/.exec(guide)
          ?.[1]
        assert.isDefined(block, "step 6 shows src/action.ts after converting email-verified")
        const entry = block!.split("\n").map((line) => line.slice(2)).join("\n")
        // The mistake step 6 warns of: the typed rule in the first pass only, the continue pass the legacy set alone.
        const firstPassOnly = entry.replace(
          "PostLogin.make(inOrder(resumed)",
          "PostLogin.make(LegacyRules.pipeline(resumed)"
        )
        assert.notStrictEqual(
          firstPassOnly,
          entry,
          "the entry's continue pass is PostLogin.make(inOrder(resumed), ...)"
        )
        // The guide's steps: email-verified first, then a rule that redirects; migrate, convert, emit with --skip.
        const dir = project()
        const rules = join(dir, "tenant", "rules")
        mkdirSync(rules, { recursive: true })
        for (const file of ["email-verified.js", "email-verified.json"]) {
          copyFileSync(join(legacyExample, file), join(rules, file))
        }
        writeFileSync(join(rules, "terms-redirect.js"), termsRedirect)
        writeFileSync(
          join(rules, "terms-redirect.json"),
          JSON.stringify({
            name: "terms-redirect",
            script: "./terms-redirect.js",
            stage: "login_success",
            enabled: true,
            order: 2
          })
        )
        yield* Migrate.migrate(rules, join(dir, "dist", "legacy.js"))
        yield* Convert.convert(rules, "email-verified", { out: join(dir, "src", "rules"), check: false })
        yield* Migrate.emitRules(rules, join(dir, "src", "legacy-rules.cjs"), { skip: ["email-verified"] })
        writeFileSync(join(dir, "src", "action.ts"), entry)
        writeFileSync(join(dir, "src", "first-pass-only.ts"), firstPassOnly)
        yield* Effect.promise(() =>
          Promise.all(
            ["action", "first-pass-only"].map((name) =>
              Bundle.build({ entry: join(dir, "src", `${name}.ts`), outfile: join(dir, "dist", `${name}.js`) })
            )
          )
        )
        const events = join(dir, "events.jsonl")
        writeFileSync(
          events,
          [
            login("verified, portal", true, "Customer Portal"),
            login("verified, portal, accepted", true, "Customer Portal", { accepted: "yes" }),
            login("verified, storefront", true, "Storefront"),
            login("unverified, portal", false, "Customer Portal"),
            login("unverified, portal, accepted", false, "Customer Portal", { accepted: "yes" })
          ].join("\n")
        )
        const diff = (b: string, resume: boolean) =>
          Diff.diff(join(dir, "dist", "legacy.js"), join(dir, "dist", `${b}.js`), events, {
            secrets: { TERMS_URL: "https://terms.example.com/accept" },
            resume
          })
        const [first, second] = [yield* diff("action", false), yield* diff("action", true)]
        assert.deepStrictEqual([first.events, first.differ], [5, 0], show(first))
        assert.deepStrictEqual([second.events, second.differ], [5, 0], show(second))
        // Both passes decided: a redirect and a denial on the first, an allow and a denial on the continue pass.
        assert.includeMembers(first.results.map((r) => r.a.outcome), ["allowed", "denied"])
        assert.includeMembers(second.results.map((r) => r.a.outcome), ["allowed", "denied"])
        const [missedFirst, missedSecond] = [
          yield* diff("first-pass-only", false),
          yield* diff("first-pass-only", true)
        ]
        assert.strictEqual(missedFirst.differ, 0, show(missedFirst))
        assert.deepStrictEqual(
          missedSecond.results.filter((r) => !r.same).map((r) => [r.name, r.b.outcome]),
          [["unverified, portal", "denied"], ["unverified, portal, accepted", "allowed"]],
          show(missedSecond)
        )
      }),
    { timeout: 120_000 }
  )

  it("the fake tenant: the guide's script starts one that its events and deploy lines work against", async () => {
    const script = /```js\n(\/\/ fake-tenant\.mjs[\s\S]*?)```/.exec(guide)?.[1]
    assert.isDefined(script, "the guide shows fake-tenant.mjs")
    const dir = project()
    writeFileSync(join(dir, "fake-tenant.mjs"), script!)
    writeFileSync(join(dir, "secrets.env"), `SELLER_API_URL=http://127.0.0.1:9\nINTERCOM_SECRET=${intercomSecret}\n`)
    await Effect.runPromise(Migrate.migrate(join(seedFolder, "legacy-rules"), join(dir, "dist", "legacy.js")))
    const child = spawn(process.execPath, ["fake-tenant.mjs"], { cwd: dir, stdio: ["ignore", "pipe", "inherit"] })
    children.push(child)
    const variables = exported(await firstLine(child))
    assert.match(variables["RULEFX_AUTH0_BASE_URL"] ?? "", /^http:\/\/127\.0\.0\.1:\d+$/)
    // The guide's own lines: the variables as the script prints them, then the commands.
    const lines = shBlockAfter("Start it with `node fake-tenant.mjs`")
    const shown = exported(lines.find((line) => line.startsWith("export ")) ?? "")
    assert.deepStrictEqual(
      { ...shown, RULEFX_AUTH0_BASE_URL: "" },
      { ...variables, RULEFX_AUTH0_BASE_URL: "" }
    )
    const events = lines.find((line) => line.startsWith("rulefx events --from-tenant")) ?? ""
    const deploy = lines.find((line) => line.startsWith("rulefx deploy")) ?? ""
    const [made, deployed] = await Promise.all([rulefx(dir, variables, events), rulefx(dir, variables, deploy)])
    assert.strictEqual(made.code, 0, made.stderr)
    const out = /--out (\S+)/.exec(events)?.[1] ?? ""
    const written = readFileSync(join(dir, out, "events.jsonl"), "utf8").trim().split("\n")
    // 2 users x 2 applications, as the guide's comment says.
    assert.strictEqual(written.length, 4)
    assert.include(events, `# ${written.length} events`)
    // `rulefx run --strict` refuses an event without user.updated_at: the guide's users have one.
    for (const line of written) {
      assert.isString((JSON.parse(line) as { event: { user: { updated_at?: unknown } } }).event.user.updated_at)
    }
    assert.strictEqual(deployed.code, 0, `${deployed.stdout}\n${deployed.stderr}`)
    assert.include(deployed.stdout, "login")
  }, 120_000)
})
