/**
 * Whether a login an Action sent away (a redirect, a form) can come back. Auth0 resumes it in the same Action's
 * continue handler (onContinuePostLogin; onContinuePostChallenge for password-reset-post-challenge), which must exist
 * (reference §3.1, step 5): an Action that sends the user away from its first pass and exports no continue handler
 * passes that pass, and fails the login of every user who comes back. `rulefx diff` compares it under `continue`;
 * `rulefx run` warns about it, and `--expect allowed` fails.
 */
import type * as Triggers from "../Triggers.ts"

/** How a first pass ended: its outcome, and whether it sent the user away (a redirect, a form). */
export interface Ended {
  readonly outcome: string
  readonly continues: boolean
}

/** Where Auth0 resumes a login a first pass sent away: the continue handler, and whether the Action exports it. */
export interface Resumed {
  readonly handler: string
  readonly exported: boolean
}

/** Whether a run with this outcome let the login go on (`allowed`, or `done` for a trigger that decides nothing). */
export const goesOn = (outcome: string): boolean => outcome === "allowed" || outcome === "done"

/** The calls of a trigger's api that send the user away, to come back through its continue pass. */
const awayCalls: ReadonlySet<string> = new Set(["redirect.sendUserTo", "prompt.render"])

/**
 * Whether a run sent the user away: a post-login run by its summary's redirect or form, another trigger's by its api
 * calls (`redirect.sendUserTo`, `prompt.render`).
 */
export const sendsAway = (
  run:
    | { readonly summary: { readonly redirect?: unknown; readonly form?: unknown } }
    | { readonly calls: ReadonlyArray<{ readonly method: string }> }
): boolean =>
  "summary" in run
    ? run.summary.redirect !== undefined || run.summary.form !== undefined
    : run.calls.some(({ method }) => awayCalls.has(method))

/**
 * Where Auth0 resumes the login: only on a trigger's first pass (`pass`) that let the login go on (a denied or failed
 * login is not resumed) and sent the user away; undefined otherwise.
 */
export const resumed = (
  trigger: Triggers.Trigger,
  pass: string,
  run: Ended,
  exported: ReadonlyArray<string>
): Resumed | undefined => {
  const handler = trigger.handlers[1]
  return handler !== undefined && pass === trigger.handlers[0] && goesOn(run.outcome) && run.continues
    ? { handler, exported: exported.includes(handler) }
    : undefined
}

/** What a run that cannot come back is: the handler it lacks, and what Auth0 does then. */
export const cannotResume = (handler: string): string =>
  `sends the user away, but exports no ${handler}: Auth0 fails the login when the user comes back`
