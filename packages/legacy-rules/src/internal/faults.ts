/**
 * The process-level handlers that keep a fault of legacy rule code from ending the Action: an exception thrown from a
 * timer, `process.nextTick`, an event handler or a guard read late, and a promise rejection nobody handled. Node 22
 * runs these handlers in the async context of the code that raised the fault, so the fault denies the login whose
 * rule raised it and no other. A fault no run can be found for is logged (by its kind only: it may hold anything)
 * and ends every rule still running, so that it lets nothing through.
 *
 * Installed once per process, by the first set of legacy rules: an Action without legacy rules never has them.
 */
import { active, running } from "./running.ts"

let installed = false

export const install = (fault: (error: unknown) => unknown): void => {
  if (installed) return
  installed = true
  const handle = (error: unknown) => {
    const run = running.getStore()
    if (run) return run.fail(fault(error))
    // oxlint-disable-next-line no-console
    console.log(
      `rulefx legacy: a fault outside any rule's run (${
        error instanceof Error ? error.name : typeof error
      }): ${active.size} rules in flight denied`
    )
    // Each run leaves the set as it fails, which the iteration allows.
    for (const each of active) each.fail(fault(error))
  }
  try {
    process.on("uncaughtException", handle)
    process.on("unhandledRejection", handle)
  } catch {
    // A runtime that refuses process handlers keeps Node's own behaviour: the fault ends the process, and every login
    // in flight with it, which lets nothing through.
  }
}
