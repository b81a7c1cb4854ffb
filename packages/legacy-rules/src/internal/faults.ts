/**
 * The process-level handlers that keep a fault of legacy rule code from ending the Action: an exception thrown from a
 * timer, `process.nextTick`, an event handler or a guard read late, and a promise rejection nobody handled. Node 22
 * runs these handlers in the async context of the code that raised the fault, so the fault denies the login whose
 * rule raised it and no other. A fault no run can be found for is logged (by its kind only: it may hold anything)
 * and ends every rule still running, so that it lets nothing through.
 *
 * Node reports a rejection as unhandled when the microtasks after it ran out without a handler, though code may attach
 * one later: two requests started together and awaited in turn, the second failing while the first is awaited, are
 * handled by the rule's `try`/`catch` a moment later. So an unhandled rejection is held by its run, not failed, and
 * dropped when Node reports it handled (`rejectionHandled`); the run decides at its end (LegacyRule.settle).
 *
 * Installed once per process, by the first set of legacy rules: an Action without legacy rules never has them.
 */
import { RuleFault } from "../LegacyRule.ts"
import { active, kindOf, type Run, running } from "./running.ts"

let installed = false

// The run that holds a rejection, by its promise: `rejectionHandled` is not emitted in the promise's async context.
const holders = new WeakMap<object, Run>()

const handle = (error: unknown) => {
  const run = running.getStore()
  if (run) return run.fail(new RuleFault(error))
  // oxlint-disable-next-line no-console
  console.log(
    `rulefx legacy: a fault outside any rule's run (${kindOf(error)}): ${active.size} rules in flight denied`
  )
  // Each run leaves the set as it fails, which the iteration allows.
  for (const each of active) each.fail(new RuleFault(error))
}

export const install = (): void => {
  if (installed) return
  installed = true
  try {
    process.on("uncaughtException", handle)
    process.on("unhandledRejection", (error, promise) => {
      const run = running.getStore()
      if (!run) return handle(error)
      holders.set(promise, run)
      run.hold(promise, error)
    })
    process.on("rejectionHandled", (promise) => holders.get(promise)?.release(promise))
  } catch {
    // A runtime that refuses process handlers keeps Node's own behaviour: the fault ends the process, and every login
    // in flight with it, which lets nothing through.
  }
}
