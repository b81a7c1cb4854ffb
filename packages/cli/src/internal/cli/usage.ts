import { CliOutput } from "effect/cli"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

/** One line per command: what a user types, required parts bare, optional ones in brackets. */
export const usageLines: Readonly<Record<string, string>> = {
  rulefx: "rulefx <init|build|run|deploy|export|migrate|diff|events|convert> ...",
  init: "rulefx init [dir] [--name <name>] [--force] [--link <rulefx-checkout>] [--allow-unreleased]",
  build:
    "rulefx build <entry.ts> -o <file> [--budget <kB>] [--no-typecheck] [--sourcemap] [--runtime bundled|npm] [--external <package>]...",
  run:
    "rulefx run <action.js> --event <event.json|events.jsonl> [--name <event>] [--secrets <file>] [--expect allowed|denied] [--strict] [--timeout <s>] [--json] [--continue] [--trigger <id>]",
  deploy:
    "rulefx deploy <action.js> --name <name> [--secrets-file <file>] [--secret NAME]... [--dependency name@version]... [--dry-run] [--trigger <id>]",
  export:
    "rulefx export <action.js> --name <name> --out <dir> [--secrets-file <file>] [--secret NAME]... [--dependency name@version]... [--bind] [--trigger <id>] [--trigger-version <v>]",
  migrate:
    "rulefx migrate <rules-dir> (-o <action.js> | --emit-rules <file.cjs> | --dry-run) [--accept <construct>]... [--runtime bundled|npm]",
  diff:
    "rulefx diff <a.js> <b.js> --events <dir|file.jsonl> [--secrets <file>] [--ignore <path>]... [--live] [--continue] [--trigger <id>] [--strict] [--timeout <s>] [--max-file-bytes <n>] [--max-event-bytes <n>] [--json]",
  events:
    "rulefx events (--from-tenant [--users <n>] [--clients <id,...>] [--no-roles] [--no-factors] | --generate <n> [--rules <rules-dir>]) --out <dir> [--seed <n>]",
  convert: "rulefx convert <rules-dir> <rule> [-o <dir>] [--tests <dir>] [--count <n>] [--after-legacy] [--no-check]"
}

const usageOf = (commandPath: ReadonlyArray<string>): string => {
  const command = commandPath.at(-1) ?? "rulefx"
  return usageLines[command] ?? usageLines["rulefx"]!
}

/**
 * Output of the `rulefx` command: a usage error (an unknown command or flag, a missing argument, a bad value) prints
 * the error first, then one line of usage and where the whole help is, all on stderr; help and version as usual.
 */
export const presenter: CliOutput.Presenter = {
  present: (event) =>
    event._tag === "InvalidInvocation"
      ? Effect.gen(function*() {
        const formatter = yield* CliOutput.Formatter
        const help = [...event.commandPath, "--help"].join(" ")
        yield* Console.error(
          `${formatter.formatErrors(event.errors).replace(/^\n/, "")}\n\nusage: ${
            usageOf(event.commandPath)
          }\n  (${help} for more)`
        )
      })
      : CliOutput.defaultPresenter.present(event)
}
