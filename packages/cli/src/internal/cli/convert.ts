import { Argument, Command, Flag } from "effect/cli"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Convert from "../../Convert.ts"
import { CommandFailed, invalidOption } from "./errors.ts"

const failed = (e: { readonly message: string }) => new CommandFailed({ reason: e.message })

export const convert = Command.make(
  "convert",
  {
    rules: Argument.String("rules-dir").pipe(
      Argument.withDescription("The legacy rules (a deploy-cli export's rules/ folder, or the export's root)")
    ),
    rule: Argument.String("rule").pipe(Argument.withDescription("The name of the rule to convert")),
    out: Flag.String("out").pipe(
      Flag.withAlias("o"),
      Flag.withDescription("Folder of the typed rule module (<rule>.ts)"),
      Flag.withDefault("src/rules")
    ),
    tests: Flag.String("tests").pipe(
      Flag.withDescription("Folder of the generated differential test (<rule>.differential.test.ts); default --out"),
      Flag.optional
    ),
    afterLegacy: Flag.Boolean("after-legacy").pipe(
      Flag.withDescription(
        "The rules before it stay legacy and run first: read what they left in user/context through their State " +
          "(the module exports (legacy) => Rule) instead of leaving a TODO"
      ),
      Flag.withDefault(false)
    ),
    noCheck: Flag.Boolean("no-check").pipe(
      Flag.withDescription(
        "Do not type-check a fully converted module, its test and facts.ts, nor run its test's comparison, before " +
          "calling it converted (by default they are checked with the settings of the tsconfig.json above --out, or " +
          "strict ones when there is none, and the module is bundled and compared with the legacy rule on the " +
          "test's logins)"
      ),
      Flag.withDefault(false)
    ),
    force: Flag.Boolean("force").pipe(
      Flag.withDescription(
        "Replace the module and its test even when they differ from what convert writes now (by default convert " +
          "refuses, so rewritten TODOs are never lost)"
      ),
      Flag.withDefault(false)
    ),
    count: Flag.Int("count").pipe(
      Flag.withDescription("Generated logins the differential test runs"),
      Flag.withDefault(300)
    )
  },
  Effect.fnUntraced(function*({ afterLegacy, count, force, noCheck, out, rule, rules, tests }) {
    if (count < 1 || count > 10_000) return yield* invalidOption("--count must be 1 to 10000")
    const written = yield* Convert.convert(rules, rule, {
      out,
      tests: Option.getOrUndefined(tests),
      count,
      afterLegacy,
      check: !noCheck,
      force
    }).pipe(Effect.mapError(failed))
    yield* Console.log(Convert.render(written))
    // The files are written either way; a TODO left fails the command, so that a script does not take the module
    // for finished (it does not compile until each TODO is rewritten).
    if (written.todos.length > 0) {
      return yield* new CommandFailed({
        reason: `${written.todos.length} construct${written.todos.length === 1 ? "" : "s"} of ${rule} left as ` +
          `RULEFX_TODO in ${written.moduleFile}: rewrite each by hand, then run its differential test`
      })
    }
    if (written.typeCheck?.ok === false) {
      return yield* new CommandFailed({
        reason: `${written.moduleFile}, its test or facts do not type-check (above): fix them by hand, then run its ` +
          "differential test"
      })
    }
    // Nothing was compared: its test fails the same way.
    const failure = written.comparison?.failure
    if (failure !== undefined) {
      return yield* new CommandFailed({
        reason: `the comparison of ${written.moduleFile} with the legacy rule ${rule} could not run (above), so ` +
          `nothing was compared: fix what it says, run its differential test ${written.testFile}, or convert with ` +
          "--no-check to skip it"
      })
    }
    // Its test fails on the same logins.
    const differing = Convert.differing(written)
    if (differing > 0) {
      return yield* new CommandFailed({
        reason: `${written.moduleFile} decides otherwise than the legacy rule ${rule} on ${differing} of ` +
          `${
            written.comparison?.events ?? 0
          } generated logins (above), and its differential test ${written.testFile} ` +
          "fails on the same logins: rewrite what differs by hand, or keep the rule legacy"
      })
    }
    // Its test fails too: a decision of the rule's that none of its logins reaches was never compared.
    if (written.unreached.length > 0) {
      return yield* new CommandFailed({
        reason: `${written.unreached.length} decision${written.unreached.length === 1 ? "" : "s"} of ${rule} ` +
          `reached by none of the test's logins: add logins that reach ${
            written.unreached.length === 1 ? "it" : "them"
          } to \`extra\` in ${written.testFile}`
      })
    }
  })
).pipe(
  Command.withDescription(
    "Convert one legacy rule into a typed rule module and a differential test that runs both on generated logins; " +
      "exit 1 if a construct is left as a TODO, what it wrote does not type-check, its test's comparison cannot run, " +
      "the typed rule decides otherwise " +
      "than the legacy one on a login of the test, or a decision of the rule's is reached by none of the test's logins"
  )
)
