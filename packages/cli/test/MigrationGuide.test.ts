/**
 * The migration guide's commands are real: every `rulefx <command> ...` line of its shell blocks, and every inline
 * `rulefx ...` span of its text, names a command the CLI has and only flags that command's help lists (a `--no-x` is
 * the negation of a boolean `--x`). A renamed flag, or a guide written ahead of the CLI, fails here. And its "diff old
 * vs new" step holds: the seed's legacy Rules (examples/seller-login/legacy-rules) migrated into an Action, and the
 * guide's own `src/action.ts` (read from the guide) running the same rules emitted as a module, decide the seed's
 * logins alike.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import * as Bundle from "@rulefx/cli/Bundle"
import * as Cli from "@rulefx/cli/Cli"
import * as Diff from "@rulefx/cli/Diff"
import * as Migrate from "@rulefx/cli/Migrate"
import * as SellerServer from "@rulefx/testing/SellerServer"
import { Command } from "effect/cli"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as TestConsole from "effect/testing/TestConsole"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as NodePlatform from "../src/internal/nodePlatform.ts"
import { intercomSecret, minimalEvent } from "./utils/Seed.ts"

const seedFolder = fileURLToPath(new URL("../../../examples/seller-login", import.meta.url))
let dir = ""

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

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
        dir = mkdtempSync(join(tmpdir(), "rulefx-guide-"))
        symlinkSync(join(seedFolder, "node_modules"), join(dir, "node_modules"), "dir")
        mkdirSync(join(dir, "src"))
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
})
