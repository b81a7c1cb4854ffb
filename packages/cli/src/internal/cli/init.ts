import { Argument, Command, Flag } from "effect/cli"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Init from "../../Init.ts"
import { CommandFailed } from "./errors.ts"
import { userAgent } from "./userAgent.ts"

export const init = Command.make(
  "init",
  {
    dir: Argument.String("dir").pipe(
      Argument.withDescription("The folder of the new project (default: the current folder); it must be empty"),
      Argument.withDefault(".")
    ),
    name: Flag.String("name").pipe(
      Flag.withDescription("The package's name, also the Action's name in Auth0 (default: the folder's name)"),
      Flag.optional
    ),
    link: Flag.String("link").pipe(
      Flag.withDescription(
        "Before rulefx is published: depend on this rulefx checkout (installed) through link: paths, for pnpm install"
      ),
      Flag.optional
    ),
    allowUnreleased: Flag.Boolean("allow-unreleased").pipe(
      Flag.withDescription(
        "From an unreleased build (version 0.0.0) without --link: write its versions anyway, for a registry of yours"
      ),
      Flag.withDefault(false)
    ),
    force: Flag.Boolean("force").pipe(
      Flag.withDescription("Write into a folder that is not empty; files already there are kept, never replaced"),
      Flag.withDefault(false)
    )
  },
  Effect.fnUntraced(function*({ allowUnreleased, dir, force, link, name }) {
    const report = yield* Init.write(dir, {
      force,
      allowUnreleased,
      ...(Option.isSome(name) ? { name: name.value } : {}),
      ...(Option.isSome(link) ? { linkTo: link.value } : {})
    }).pipe(Effect.mapError((e) => new CommandFailed({ reason: e.message })))
    const manager = yield* userAgent.pipe(Effect.map(Init.managerFromUserAgent))
    yield* Console.log(Init.render(report, { manager }))
  })
).pipe(
  Command.withDescription(
    "Scaffold a project: a fact, two rules, a pipeline, tests, sample events, and scripts to test, build, run, deploy"
  )
)
