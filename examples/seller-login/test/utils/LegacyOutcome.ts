/**
 * What a login through a built Action did, as the differential test compares it: the deny reason, if any, and every
 * `api` call. Calls are compared as a set, sorted by method and first argument (the claim name): Auth0 does not care
 * in which order claims are set, and the typed Action (rules run concurrently) and the legacy one (rules run in
 * order) set them in different orders.
 */
import * as RecordingApi from "@rulefx/testing/RecordingApi"
import { isDeepStrictEqual } from "node:util"

/** One login's outcome. */
export interface Outcome {
  readonly denied: string | undefined
  readonly calls: ReadonlyArray<RecordingApi.Call>
}

const keyOf = (call: RecordingApi.Call): string => `${call.method}\u0000${String(call.args[0])}`

/** The outcome of the login recorded by `api`, calls sorted. */
export const of = (api: RecordingApi.RecordingApi): Outcome => ({
  denied: api.summary().denied,
  calls: RecordingApi.decisive(api.calls).map((call) => ({
    method: call.method,
    args: [...call.args]
  })).toSorted((a, b) => keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0)
})

const show = (u: unknown): string => {
  const text = JSON.stringify(u) ?? String(u)
  return text.length > 300 ? `${text.slice(0, 299)}…` : text
}

/**
 * How two outcomes differ, one line per difference; empty when they are the same: the same allow or deny, the same
 * deny reason, and the same calls with deep-equal arguments.
 */
export const diff = (typed: Outcome, legacy: Outcome): ReadonlyArray<string> => {
  const lines: Array<string> = []
  if (typed.denied !== legacy.denied) {
    lines.push(`deny reason: typed ${show(typed.denied)}, legacy ${show(legacy.denied)}`)
  }
  const keys = new Set([...typed.calls, ...legacy.calls].map(keyOf))
  for (const key of [...keys].toSorted()) {
    const a = typed.calls.filter((call) => keyOf(call) === key)
    const b = legacy.calls.filter((call) => keyOf(call) === key)
    if (!isDeepStrictEqual(a.map((call) => call.args), b.map((call) => call.args))) {
      const [method, name] = key.split("\u0000")
      lines.push(
        `${method}(${name}): typed ${show(a.map((call) => call.args.slice(1)))}, legacy ${
          show(b.map((call) => call.args.slice(1)))
        }`
      )
    }
  }
  return lines
}

/**
 * What the seed contract forbids in any outcome: a denial with other calls, a metadata write, a scope change, MFA
 * or a redirect, a claim other than the three the seed sets.
 */
export const violations = (outcome: Outcome): ReadonlyArray<string> => {
  const lines: Array<string> = []
  if (outcome.denied !== undefined) {
    if (outcome.calls.length !== 1) lines.push(`denied with other calls: ${show(outcome.calls)}`)
    return lines
  }
  const claims: Record<string, ReadonlyArray<string>> = {
    "idToken.setCustomClaim": ["https://example.com/seller", "https://example.com/seller_email_hash"],
    "accessToken.setCustomClaim": ["https://example.com/roles"]
  }
  for (const call of outcome.calls) {
    const allowed = claims[call.method]
    if (allowed === undefined || !allowed.includes(String(call.args[0]))) lines.push(`unexpected call ${show(call)}`)
  }
  if (!outcome.calls.some((call) => call.method === "accessToken.setCustomClaim")) {
    lines.push("allowed without the roles claim")
  }
  return lines
}
