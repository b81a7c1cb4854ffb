/**
 * How `rulefx diff` runs one event through one handler, per trigger: the one table that says how each handler is
 * called and what of its run is compared. Post-login's two passes run as `rulefx run` runs them (LocalRun, the
 * post-login recording api) and are compared by LocalRun's summary (Outcome.entries); every other trigger's handler
 * runs as `rulefx run --trigger` runs it (TriggerLocalRun, that trigger's recording api) and is compared by
 * Outcome.triggerEntries. Both wrap the api so that a call it does not know is recorded (GenericApi), and the HTTP
 * tape (around the run, in Diff) is the same for all.
 */
import type * as RecordingApi from "@rulefx/testing/RecordingApi"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as LocalRun from "../../LocalRun.ts"
import * as TriggerLocalRun from "../../TriggerLocalRun.ts"
import * as Triggers from "../../Triggers.ts"
import * as Resume from "../resume.ts"
import * as GenericApi from "./genericApi.ts"
import type { Sent } from "./httpTape.ts"
import * as LateCalls from "./lateCalls.ts"
import * as MissingSecrets from "./missingSecrets.ts"
import * as Outcome from "./outcome.ts"

/** A loaded handler, whatever its trigger. */
export type Handler = (event: unknown, api: never) => Promise<unknown>

/** How one run ended, and what it decided as entries to compare (given the requests it sent). */
export interface Run {
  readonly outcome: LocalRun.Result["outcome"] | TriggerLocalRun.Result["outcome"]
  readonly reason?: string
  readonly rejection?: string
  readonly timedOutMs?: number
  /**
   * Whether the run sent the user away (a redirect, a form), so that Auth0 calls the continue pass when they come
   * back: only then is a continue pass no event ran worth a note.
   */
  readonly continues: boolean
  /**
   * The secrets the run stopped for (MissingSecrets.of: its log said `missing secret <NAME>` and the login did not go
   * on); empty otherwise.
   */
  readonly missingSecrets: ReadonlyArray<string>
  readonly entries: (sent: ReadonlyArray<Sent>) => ReadonlyArray<Outcome.Entry>
  /**
   * The api methods the Action called after its handler settled (on a timer, from an un-awaited promise), so far:
   * Auth0 does not apply them, and they are not in `entries`. Counted, the first `lateListed` listed (LateCalls).
   */
  readonly late: () => LateCalls.Late
}

/** What a run is given besides the handler and the event. */
export interface RunOptions {
  readonly secrets: Readonly<Record<string, string>>
  readonly timeout?: Duration.Input
  /** Called the moment the handler settles (or the run is stopped). */
  readonly settled?: () => void
  /**
   * The api's clock (encodeToken's `iat`, a cache entry's `ttl`): each run its own, both starting on the event's start
   * and advancing with the time the run takes (Diff's runClock).
   */
  readonly now?: () => number
  /** How many late api calls `late` lists by method (the rest are counted). */
  readonly lateListed: number
  /** Whether a console call is this run's (LocalRun.RunOptions.owns). */
  readonly owns?: () => boolean
}

/** How to run one handler: its trigger, and the run. */
export interface Runner {
  readonly trigger: Triggers.Trigger
  readonly run: (handler: Handler, event: Record<string, unknown>, options: RunOptions) => Effect.Effect<Run>
}

// How a run ended: its outcome and what explains it.
type Ending = Omit<Run, "entries" | "continues" | "late" | "missingSecrets">

// How a run ended, without the keys it has no value for.
const ended = (
  outcome: Run["outcome"],
  reason: string | undefined,
  rejection: string | undefined,
  timedOutMs: number | undefined
): Ending => {
  const out: { -readonly [K in keyof Ending]: Run[K] } = { outcome }
  if (reason !== undefined) out.reason = reason
  if (rejection !== undefined) out.rejection = rejection
  if (timedOutMs !== undefined) out.timedOutMs = timedOutMs
  return out
}

// The api wrapped (GenericApi), and its calls after the handler settled, counted (LateCalls); `options` with the
// counting started the moment the run settles.
const watched = (options: RunOptions) => {
  let late: ReturnType<typeof LateCalls.counting> | undefined
  return {
    wrapApi: (base: RecordingApi.RecordingApi) => {
      const api = GenericApi.wrap(base)
      late = LateCalls.counting(api.calls, options.lateListed, (call) => `api.${call.method}`)
      return api
    },
    options: {
      ...options,
      settled: () => {
        late?.settle()
        options.settled?.()
      }
    },
    late: (): LateCalls.Late => late?.late() ?? { listed: [], count: 0 }
  }
}

const postLogin: Runner["run"] = (handler, event, options) => {
  const api = watched(options)
  return LocalRun.run(handler as Parameters<typeof LocalRun.run>[0], event, {
    ...api.options,
    wrapApi: api.wrapApi
  }).pipe(
    Effect.map((result): Run =>
      Object.assign(ended(result.outcome, result.reason, result.rejection, result.timedOutMs), {
        continues: Resume.sendsAway(result),
        missingSecrets: MissingSecrets.of(result.outcome, result.logs),
        entries: (sent: ReadonlyArray<Sent>) => Outcome.entries(result, sent),
        late: api.late
      })
    )
  )
}

const other = (trigger: Triggers.Trigger): Runner["run"] => (handler, event, options) => {
  const api = watched(options)
  return TriggerLocalRun.run(handler as Parameters<typeof TriggerLocalRun.run>[0], trigger, event, {
    ...api.options,
    wrapApi: api.wrapApi
  }).pipe(
    Effect.map((result): Run =>
      Object.assign(ended(result.outcome, result.reason?.join(" | "), result.rejection, result.timedOutMs), {
        continues: Resume.sendsAway(result),
        missingSecrets: MissingSecrets.of(result.outcome, result.logs),
        entries: (sent: ReadonlyArray<Sent>) => Outcome.triggerEntries(result, sent),
        late: api.late
      })
    )
  )
}

/**
 * Every handler `rulefx diff` runs, by name: post-login's two passes and each other trigger's handlers (the continue
 * pass of password-reset-post-challenge too: its api reads the redirect state from the event, as post-login's does).
 */
export const runners: ReadonlyMap<string, Runner> = new Map(
  Triggers.all.flatMap((trigger): Array<readonly [string, Runner]> =>
    trigger.id === "post-login"
      ? trigger.handlers.map((name) => [name, { trigger, run: postLogin }] as const)
      : TriggerLocalRun.supported[trigger.id] === undefined
      ? []
      : trigger.handlers.map((name) => [name, { trigger, run: other(trigger) }] as const)
  )
)
