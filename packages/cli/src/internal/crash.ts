/**
 * A login the legacy rule crashed on (its code threw the engine's TypeError or ReferenceError: `x is not a function`,
 * `Cannot read properties of undefined`) and the typed rule denied, with the rest of what the two did the same: both
 * stop the login, as Rules failed it, only with another message. RuleDifferential counts it as the same outcome and
 * keeps it as a note, so a typed rule need not reproduce an engine's error text; a crash on one side and a login let
 * through on the other still differ.
 */
import type * as RecordingApi from "@rulefx/testing/RecordingApi"
import type * as DecisionKinds from "../DecisionKinds.ts"

// The messages V8 gives its TypeErrors and ReferenceErrors (a rule's parameter renamed back by the legacy runtime), as
// the legacy runtime denies with them.
const engineMessages: ReadonlyArray<RegExp> = [
  /\bis not a (function|constructor)\b/,
  /^Cannot (read|set) properties of (undefined|null)\b/,
  /\bis not iterable\b/,
  /^Cannot convert undefined or null to object$/,
  /^Cannot destructure\b/,
  /^Cannot create property '.*' on (string|number|boolean|symbol|bigint)\b/,
  /^Cannot use 'in' operator to search for\b/,
  /^Reduce of empty array with no initial value$/,
  /^Assignment to constant variable\.$/,
  /^Cannot access '.*' before initialization$/,
  /^[\w$]+ is not defined$/
]

// Whether a legacy denial's reason is a crash: an engine's error message, and none of the rule's own messages.
const isCrash = (reason: string, decisions: ReadonlyArray<DecisionKinds.Decision>): boolean =>
  engineMessages.some((re) => re.test(reason)) &&
  !decisions.some((d) => d.kind === "deny" && d.messages?.includes(reason) === true)

// A summary without its denial's reason.
const withoutReason = ({ denied: _denied, ...rest }: RecordingApi.Summary) => rest

/**
 * The legacy side crashed and the typed side denied, and the two did the same but for the reason: `equal` compares
 * what is left of the two summaries.
 */
export const sameStop = (
  typed: RecordingApi.Summary,
  legacy: RecordingApi.Summary,
  decisions: ReadonlyArray<DecisionKinds.Decision>,
  equal: (a: unknown, b: unknown) => boolean
): boolean =>
  typed.denied !== undefined && legacy.denied !== undefined && isCrash(legacy.denied, decisions) &&
  equal(withoutReason(typed), withoutReason(legacy))
