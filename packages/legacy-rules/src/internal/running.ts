/**
 * The async context of legacy rule code: which rule's run a callback, a promise or a timer belongs to. LegacyRule
 * runs a rule's function inside it; the rule realms read a run's globals from it, and the fault handlers tell from it
 * which login a late fault belongs to. A module of its own so that LegacyRule, the realms and the fault handlers share
 * one store without importing each other.
 */
import { AsyncLocalStorage } from "node:async_hooks"

/**
 * What the context knows of a run: how to end it with a fault, how to hold a rejection nobody has handled yet, and the
 * run's own global variables.
 */
export interface Run {
  readonly fail: (error: unknown) => void
  /**
   * Holds a rejection of the run's code that Node reports unhandled (`promise` rejected with `error`): the login is
   * denied unless a handler is attached before the rule ends (`release`), or before the login's next check when it
   * comes after the rule ended.
   */
  readonly hold: (promise: object, error: unknown) => void
  /** Drops a held rejection: Node reports a handler attached to its promise after all (`rejectionHandled`). */
  readonly release: (promise: object) => void
  /** The Rules globals of this run (`configuration`, `auth0`, `require`, `console`, ...). */
  readonly globals: Readonly<Record<string, unknown>>
  /** What the rule's code assigned to undeclared names, `this` or `globalThis` during this run. */
  readonly vars: Record<PropertyKey, unknown>
}

export const running = new AsyncLocalStorage<Run>()

/** The runs whose rule has not ended yet: a fault no run can be found for ends them all (fail closed). */
export const active = new Set<Run>()

/**
 * What a log line may say of an error raised outside any run: its kind only, since no login's secrets are known to
 * scrub its message with.
 */
export const kindOf = (error: unknown): string => error instanceof Error ? error.name : typeof error
