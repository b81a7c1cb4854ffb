/**
 * Auth0Flow: the decision kinds that suspend a login or outlive its run (redirects with a signed token, forms,
 * transaction metadata, recorded authentication methods), as Auth0 takes them: their limits, checked before any
 * `api` call, and the calls that apply them.
 *
 * A DecisionKind (`kind`), which Resumable.make passes to both of its handlers, with the continue pass (the Resumed
 * service over `api.redirect.validateToken` and `event.prompt`).
 *
 * @since 0.1.0
 */
import type * as Decision from "@rulefx/core/Decision"
import { maxExpiresInSeconds } from "@rulefx/core/Redirect"
import * as Redacted from "effect/Redacted"
import type * as Auth0Limits from "./Auth0Limits.ts"
import { violation } from "./Auth0Limits.ts"
import type * as DecisionKind from "./DecisionKind.ts"
import { isHttpUrl, isSecureUrl } from "./internal/url.ts"
import { byteLength } from "./internal/utf8.ts"
import type { PostLoginApi } from "./PostLoginApi.ts"

/**
 * Auth0's limits on transaction metadata: key length in characters, value size and total size in bytes.
 *
 * @category constructors
 * @since 0.1.0
 */
export const transactionMetadata = {
  maxKeyLength: 64,
  maxValueBytes: 8 * 1024,
  maxTotalBytes: 16 * 1024
} as const

/**
 * Which pass of a login a Decision is applied in, and the transaction metadata the login arrived with (DecisionKind's).
 *
 * @category models
 * @since 0.1.0
 */
export type Pass = DecisionKind.Pass

const valueBytes = (value: unknown): number => byteLength(typeof value === "string" ? value : String(value))

const checkValue = (key: string, value: unknown, out: Array<Auth0Limits.Violation>): void => {
  if (key.length > transactionMetadata.maxKeyLength) {
    out.push(violation("transaction_metadata", key, "KeyTooLong"))
  }
  if (value === null) return
  if (typeof value === "number") {
    if (Number.isInteger(value) ? !Number.isSafeInteger(value) : !Number.isFinite(value)) {
      out.push(violation("transaction_metadata", key, "UnsafeInteger"))
    }
  } else if (typeof value !== "string" && typeof value !== "boolean") {
    return void out.push(violation("transaction_metadata", key, "NotScalar"))
  }
  const bytes = valueBytes(value)
  if (bytes > transactionMetadata.maxValueBytes) {
    out.push(violation("transaction_metadata", key, "ValueTooLarge", bytes))
  }
}

/**
 * Adds to `out` what Auth0 would refuse in transaction metadata writes, counted over the metadata the transaction
 * arrived with (`before`, as the event holds it: none when it is not an object), the writes over it, `null` deleting:
 * the limits of `transactionMetadata`, scalar values, safe integers. Post-login's flow kind and custom-token-exchange's
 * `transaction.setMetadata` share it.
 *
 * @category getters
 * @since 0.1.0
 */
export const checkTransactionMetadata = (
  writes: Readonly<Record<string, unknown>>,
  before: unknown,
  out: Array<Auth0Limits.Violation>
): void => {
  const after = new Map(typeof before === "object" && before !== null ? Object.entries(before) : [])
  for (const key of Object.keys(writes)) {
    checkValue(key, writes[key], out)
    if (writes[key] === null) after.delete(key)
    else after.set(key, writes[key])
  }
  let total = 0
  for (const [key, value] of after) total += byteLength(key) + valueBytes(value)
  if (total > transactionMetadata.maxTotalBytes) {
    out.push(violation("transaction_metadata", undefined, "MetadataTooLarge", total))
  }
}

/**
 * Lists what Auth0 would refuse in the flow kinds of a Decision: two suspensions in one pass (two redirects, or a
 * redirect and a form), a redirect to something other than an http(s) URL (`InvalidUrl`), to plain http other than
 * localhost, 127.0.0.1 or [::1] (`InsecureUrl`: the signed token would travel unencrypted), or with a payload that is
 * not JSON,
 * transaction metadata past Auth0's limits (keys over 64 characters, values over 8 KB or not scalars, unsafe
 * integers, over 16 KB in all once applied to what the transaction holds), a recorded authentication method outside
 * the continue pass or not an http(s) URL, and any of these when the `api` lacks the call that applies it.
 *
 * @category getters
 * @since 0.1.0
 */
export const check = (d: Decision.Decision, pass: Pass, api: PostLoginApi): ReadonlyArray<Auth0Limits.Violation> => {
  const out: Array<Auth0Limits.Violation> = []
  for (const conflict of d.conflicts ?? []) {
    out.push(violation(conflict === "prompt" ? "prompt" : "redirect", conflict, "TwoSuspensions"))
  }
  if (d.redirect !== undefined && d.redirect.token !== undefined) {
    if (!isHttpUrl(d.redirect.url)) out.push(violation("redirect", undefined, "InvalidUrl"))
    else if (!isSecureUrl(d.redirect.url)) out.push(violation("redirect", undefined, "InsecureUrl"))
    if (JSON.stringify(d.redirect.token.payload) === undefined) {
      out.push(violation("redirect", undefined, "NotJson"))
    }
    const expires = d.redirect.token.expiresInSeconds
    if (!Number.isInteger(expires) || expires <= 0 || expires > maxExpiresInSeconds) {
      out.push(violation("redirect", "expiresInSeconds", "InvalidExpiry"))
    }
    if (typeof api.redirect.encodeToken !== "function") {
      out.push(violation("redirect", "encodeToken", "MissingApi"))
    }
  }
  if (d.prompt !== undefined && typeof api.prompt?.render !== "function") {
    out.push(violation("prompt", "render", "MissingApi"))
  }
  if (d.transactionMetadata !== undefined) {
    checkTransactionMetadata(d.transactionMetadata, pass.transactionMetadata, out)
    if (typeof api.transaction?.setMetadata !== "function") {
      out.push(violation("transaction_metadata", "setMetadata", "MissingApi"))
    }
  }
  for (const url of d.authenticationMethods ?? []) {
    if (pass.pass !== "continue") out.push(violation("authentication", url, "ContinueOnly"))
    else if (!isHttpUrl(url)) out.push(violation("authentication", url, "InvalidUrl"))
  }
  if ((d.authenticationMethods ?? []).length > 0 && typeof api.authentication?.recordMethod !== "function") {
    out.push(violation("authentication", "recordMethod", "MissingApi"))
  }
  return out
}

/**
 * Applies the flow kinds of a checked Decision: transaction metadata, recorded methods, then the suspension (a form,
 * or a redirect whose token `api.redirect.encodeToken` signs and the query carries). A redirect without a token (core's
 * plain Decision.redirect, the legacy layer's) is left to PostLogin.apply.
 *
 * @category constructors
 * @since 0.1.0
 */
export const apply = (d: Decision.Decision, api: PostLoginApi): void => {
  const metadata = d.transactionMetadata ?? {}
  for (const key of Object.keys(metadata)) api.transaction?.setMetadata(key, metadata[key] ?? null)
  for (const url of d.authenticationMethods ?? []) api.authentication?.recordMethod?.(url)
  if (d.prompt !== undefined) {
    const { fields, id, vars } = d.prompt
    api.prompt?.render(id, { ...(fields && { fields: { ...fields } }), ...(vars && { vars: { ...vars } }) })
  }
  const token = d.redirect?.token
  if (d.redirect !== undefined && token !== undefined && api.redirect.encodeToken !== undefined) {
    const encoded = api.redirect.encodeToken({
      secret: Redacted.value(token.secret),
      payload: { ...token.payload },
      expiresInSeconds: token.expiresInSeconds
    })
    api.redirect.sendUserTo(d.redirect.url, { query: { ...d.redirect.query, [token.parameter]: encoded } })
  }
}

/**
 * The flow kinds, to pass to `PostLogin.make` (Resumable.make passes it to both handlers). Its check needs the pass
 * and the transaction metadata the login arrived with; it names each `api` call it lacks itself.
 *
 * @category constructors
 * @since 0.1.0
 */
export const kind: DecisionKind.DecisionKind = {
  target: "flow",
  check: (d, out, pass, api) => void out.push(...check(d, pass, api)),
  lacksApi: () => false,
  apply,
  // A validation error (core's Validation.fail) goes to the app through `api.validation.error`; without it, a deny.
  deny: (denied, api) => {
    if (denied.validation === undefined) return false
    if (typeof api.validation?.error === "function") api.validation.error(denied.validation, denied.reason)
    else api.access.deny(denied.reason)
    return true
  }
}
