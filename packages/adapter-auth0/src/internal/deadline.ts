// The hard deadline of a handler's run (PostLogin, TriggerRun), kept outside the run: one fiber for the run and one
// timer beside it, so a login forks nothing of its own. At the deadline the answer is `onDeadline`'s at once, and the
// run is interrupted without waiting for it to stop: Effect.timeoutOrElse waits for the interrupted run, so an
// uninterruptible region or a slow finalizer in a rule or layer would push the answer past the deadline (measured:
// 1 s instead of 300 ms). The promise settles once, so a run that ends after its deadline changes nothing (an
// interrupted fiber skips its failure handler, so it logs nothing either); a run that ends first clears the timer.
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as References from "effect/References"
import { logger } from "./logger.ts"

/** Every line through the one logger that keeps Auth0's format (a short line on console.log). */
export const withLogger = Effect.provideService(References.CurrentLoggers, new Set([logger]))

/**
 * Runs `run` (which handles its own failures) with `onDeadline`'s answer after `millis`. Both run with `withLogger`.
 */
export const withDeadline = <A>(
  run: Effect.Effect<A>,
  millis: number,
  onDeadline: () => Effect.Effect<A>
): Promise<A> =>
  new Promise((resolve, reject) => {
    // As Effect.runPromise settles, without Cause.squash (250 bytes of every Action): `run` and `onDeadline` handle
    // their failures, so a failed exit holds a defect of that handling (a logger that throws), which rejects, and the
    // handler fails closed; or the interruption at the deadline, when the promise has settled already.
    const settle = (exit: Exit.Exit<A>) =>
      exit._tag === "Success" ? resolve(exit.value) : reject(exit.cause.reasons.find(Cause.isDieReason)?.defect)
    const fiber = Effect.runFork(withLogger(run))
    // Past setTimeout's range (about 24.8 days) or infinite: no timer, as Effect's own sleep never ends there either
    // in practice (Auth0 ends a flow at 20 s).
    const timer = millis < 2 ** 31
      ? setTimeout(() => {
        // Made inside its fiber: what building the answer throws (a stack that cannot be read) rejects, rather than
        // escape this timer, leave the run uninterrupted and the promise unsettled.
        Effect.runFork(withLogger(Effect.suspend(onDeadline))).addObserver(settle)
        fiber.interruptUnsafe()
      }, millis)
      : undefined
    fiber.addObserver((exit) => {
      clearTimeout(timer)
      settle(exit)
    })
  })
