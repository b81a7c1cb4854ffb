/**
 * The authentication methods of a generated login (`event.authentication.methods`), for rules that read them: none,
 * a password only, or a few of the names Actions records (`pwd`, `federated`, `passkey`, `sms`, `email`,
 * `phone_number`, `mfa` with its factor's `type`) and those the rules compare a method's name with, each with an ISO
 * timestamp: one in the hours before the login, or one either side of each number the rules compare a method's
 * timestamp with (Rules had it as epoch milliseconds). RulesContext gives legacy rules the Rules shape of the same
 * list (`context.authentication.methods`, timestamps as numbers).
 */
import fc from "fast-check"
import type { RuleReads } from "./ruleReads.ts"

/** The event path of the list, and the paths under it of what a rule reads of one method. */
export const path = "authentication.methods"

const names: ReadonlyArray<string> = ["pwd", "federated", "passkey", "sms", "email", "phone_number", "mfa"]
const factors: ReadonlyArray<string> = ["otp", "push-notification", "phone", "email", "webauthn-roaming"]
// The default event's login time (@rulefx/testing/Events): a method is completed in the hours before it.
const loginAt = Date.UTC(2026, 4, 1, 10)

/** Whether the event path `p` is the list or something of its methods. */
export const covers = (p: string): boolean => p === path || p.startsWith(`${path}.`)

/** Whether the rules read the list or anything of its methods. */
export const isRead = (reads: RuleReads | undefined): boolean => [...(reads?.fields.keys() ?? [])].some(covers)

const iso = (ms: number): string => new Date(ms).toISOString()

const compared = (reads: RuleReads | undefined, key: string): ReadonlyArray<string> => [
  ...(reads?.fields.get(`${path}.${key}`) ?? [])
]

const timestampOf = (reads: RuleReads | undefined): fc.Arbitrary<string> => {
  const thresholds = [...(reads?.numbers?.get(`${path}.timestamp`) ?? [])]
    .flatMap((n) => [n - 1, n, n + 1])
    // A number no date has (out of Date's range) is no timestamp.
    .filter((n) => !Number.isNaN(new Date(n).getTime()))
  const recent = fc.integer({ min: (loginAt - 12 * 3600_000) / 1000, max: loginAt / 1000 }).map((s) => iso(s * 1000))
  return thresholds.length === 0 ? recent : fc.oneof(recent, fc.constantFrom(...thresholds).map(iso))
}

const methodOf = (reads: RuleReads | undefined, name: string): fc.Arbitrary<Record<string, unknown>> =>
  fc.record({
    timestamp: timestampOf(reads),
    type: fc.constantFrom(...new Set([...factors, ...compared(reads, "type")]))
  }).map(({ timestamp, type }) => name === "mfa" ? { name, timestamp, type } : { name, timestamp })

/** The list of a login's methods when the rules read it, else undefined (the default event's `[pwd]` stays). */
export const arbitrary = (
  reads: RuleReads | undefined
): fc.Arbitrary<ReadonlyArray<Record<string, unknown>> | undefined> => {
  if (!isRead(reads)) return fc.constant(undefined)
  const all = [...new Set([...names, ...compared(reads, "name")])]
  const some = fc.uniqueArray(fc.constantFrom(...all), { minLength: 1, maxLength: 3 })
    .chain((chosen) => fc.tuple(...chosen.map((name) => methodOf(reads, name))))
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant([]) },
    { weight: 2, arbitrary: methodOf(reads, "pwd").map((m) => [m]) },
    { weight: 6, arbitrary: some }
  )
}
