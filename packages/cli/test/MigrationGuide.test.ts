/**
 * The migration guide's commands are real: every `rulefx <command> ...` line of its shell blocks, and every inline
 * `rulefx ...` span of its text, names a command the CLI has and only flags that command's help lists (a `--no-x` is
 * the negation of a boolean `--x`). A renamed flag, or a guide written ahead of the CLI, fails here.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Cli from "@rulefx/cli/Cli"
import { Command } from "effect/cli"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as TestConsole from "effect/testing/TestConsole"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as NodePlatform from "../src/internal/nodePlatform.ts"

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
})
