/**
 * Where rulefx's `request` shim offers its variant whose throwing callbacks are reported instead of thrown: a
 * function of the report hook and of a getter of the running rule's signal (its requests end with that rule's run).
 * A module of its own, so that the legacy runtime can look for it without pulling the shim into every Action.
 */
export const callbackErrorsKey = "~rulefx/request/withCallbackErrors"
