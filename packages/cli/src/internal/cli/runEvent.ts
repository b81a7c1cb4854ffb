/**
 * The event `rulefx run` runs, read as `rulefx diff` reads its events (EventSet): a `.json` file of one event, or of
 * one `{ "name": ..., "event": {...} }` wrapper (with `"continue": true` for the continue pass, `"trigger"` for its
 * trigger), or a `.jsonl` file of them, one a line, as `rulefx events` writes them. `run` runs one login: from a file
 * of several, `--name` picks it by its name (the wrapper's `name`, else `<file>:<line>`). An object with an `event`
 * field is a wrapper, never an Auth0 event (Auth0 sends no such field): it is never run as an event of its own,
 * every field filled with defaults.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Triggers from "../../Triggers.ts"
import * as EventSet from "../diff/eventSet.ts"
import * as Text from "../text.ts"
import { CommandFailed, invalidOption } from "./errors.ts"

/** The login picked, with whether it is the trigger's continue pass (a wrapper's `"continue": true`, or --continue). */
export interface Picked extends EventSet.Case {
  readonly resume: boolean
}

// How many names a refusal lists before "...".
const shown = 5

const names = (cases: ReadonlyArray<EventSet.Case>): string =>
  `${cases.slice(0, shown).map((c) => JSON.stringify(c.name)).join(", ")}${cases.length > shown ? ", ..." : ""}`

/** The one event of `file` to run against `trigger`'s handler, picked by `name` when the file holds several. */
export const pick = Effect.fnUntraced(function*(
  file: string,
  options: {
    readonly trigger: Triggers.Trigger
    readonly strict: boolean
    readonly resume: boolean
    readonly name: Option.Option<string>
  }
) {
  const cases = yield* EventSet.read(file, {
    strict: options.strict,
    resume: options.resume,
    trigger: options.trigger.id
  }).pipe(Effect.mapError((e) => new CommandFailed({ reason: e.message })))
  const wanted = Option.getOrUndefined(options.name)
  const named = wanted === undefined ? cases : cases.filter((c) => c.name === wanted)
  if (wanted !== undefined && named.length === 0) {
    return yield* invalidOption(
      `--name ${wanted}: no event of ${file} has that name (${Text.plural(cases.length, "event")}: ${names(cases)})`
    )
  }
  if (named.length > 1) {
    return yield* invalidOption(
      wanted !== undefined
        ? `--name ${wanted}: ${named.length} events of ${file} have that name; rulefx run runs one ` +
          `(give each a name of its own)`
        : `${file} holds ${named.length} events, and rulefx run runs one: pick it with --name <name> (${
          names(named)
        }); rulefx diff runs every one`
    )
  }
  const [one] = named as [EventSet.Case]
  if (one.trigger !== options.trigger.id) {
    return yield* new CommandFailed({
      reason:
        `${file}: ${JSON.stringify(one.name)} is a ${one.trigger} event, and this run is for ${options.trigger.id} ` +
        `(--trigger ${one.trigger} runs it)`
    })
  }
  return { ...one, resume: one.pass !== options.trigger.handlers[0] } satisfies Picked
})
