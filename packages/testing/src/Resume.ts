/**
 * Resume: what happens between a login's two passes, played in tests: the page the user was sent to reads Auth0's
 * token and the state from the redirect, signs its answer with the shared secret and that state, and posts it to
 * `/continue`; Auth0 then calls `onContinuePostLogin` with an event whose `request` is that `/continue` request.
 *
 * **Example** (Both passes of a consent Action)
 *
 * ```ts
 * import type * as Resumable from "@rulefx/adapter-auth0/Resumable"
 * import * as Events from "@rulefx/testing/Events"
 * import * as RecordingApi from "@rulefx/testing/RecordingApi"
 * import * as Resume from "@rulefx/testing/Resume"
 *
 * declare const action: Resumable.Handlers
 * const SECRET = "the-shared-secret-of-at-least-32-bytes"
 *
 * export const consent = async () => {
 *   const event = Events.postLogin({ secrets: { CONSENT_SECRET: SECRET } })
 *   const first = RecordingApi.make({ event })
 *   await action.onExecutePostLogin(event, first)
 *   const sent = Resume.redirectOf(first) // url, query, state, the token Auth0 signed
 *   const answer = Resume.sign(SECRET, sent, { accepted: true })
 *   const back = Resume.continueEvent(event, { state: sent.state, token: answer })
 *   const second = RecordingApi.make({ event: back, state: sent.state })
 *   await action.onContinuePostLogin(back, second)
 *   return second.summary()
 * }
 * ```
 *
 * @since 0.1.0
 */
import type * as RecordingApi from "./RecordingApi.ts"
import * as Tokens from "./Tokens.ts"

/**
 * Where the first pass sent the user: the URL, its query (with Auth0's `state` appended), and the claims of the
 * token it carried, if any.
 *
 * @category models
 * @since 0.1.0
 */
export interface Sent {
  readonly url: string
  readonly query: Readonly<Record<string, string>>
  readonly state: string
  readonly token: string | undefined
}

/**
 * The redirect a recording api was asked for, as the browser would follow it; throws when there was none.
 *
 * @category getters
 * @since 0.1.0
 */
export const redirectOf = (api: RecordingApi.RecordingApi, parameter = "session_token"): Sent => {
  const call = api.calls.findLast((c) => c.method === "redirect.sendUserTo")
  if (call === undefined) throw new Error("the first pass did not redirect")
  const options = call.args[1] as { readonly query?: Record<string, string> } | undefined
  const query: Record<string, string> = { ...options?.query, state: api.state }
  return { url: String(call.args[0]), query, state: api.state, token: query[parameter] }
}

/**
 * The page's answer: a token signed with `secret` (HS256), bound to the redirect's state, with `sub` and `iss` from
 * Auth0's token when there was one, `exp` `expiresInSeconds` from `nowSeconds`, and the claims given.
 *
 * @category constructors
 * @since 0.1.0
 */
export const sign = (
  secret: string,
  sent: Sent,
  claims: Readonly<Record<string, unknown>>,
  options: { readonly nowSeconds?: number; readonly expiresInSeconds?: number } = {}
): string => {
  const received = sent.token === undefined ? {} : Tokens.decode(sent.token)
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000)
  return Tokens.sign(secret, {
    sub: received["sub"],
    iss: received["iss"],
    iat: now,
    exp: now + (options.expiresInSeconds ?? 300),
    state: sent.state,
    ...claims
  })
}

/**
 * The event of the continue pass: the first event with its `request` replaced by the `/continue` POST, which carries
 * the state and, when given, the token (in `parameter`, default `session_token`) in its body; `prompt` and
 * `transaction` sections may be given to stand for a form's submission and the metadata kept across the redirect.
 *
 * @category constructors
 * @since 0.1.0
 */
export const continueEvent = (
  event: Readonly<Record<string, unknown>>,
  options: {
    readonly state: string
    readonly token?: string
    readonly parameter?: string
    readonly prompt?: Readonly<Record<string, unknown>>
    readonly transactionMetadata?: Readonly<Record<string, unknown>>
  }
): Record<string, unknown> => {
  const original = (event["request"] ?? {}) as Readonly<Record<string, unknown>>
  const transaction = (event["transaction"] ?? {}) as Readonly<Record<string, unknown>>
  return {
    ...structuredClone(event),
    request: {
      ip: original["ip"],
      hostname: original["hostname"],
      user_agent: original["user_agent"],
      geoip: original["geoip"] ?? {},
      method: "POST",
      query: { state: options.state },
      body: {
        state: options.state,
        ...(options.token === undefined ? {} : { [options.parameter ?? "session_token"]: options.token })
      }
    },
    ...(options.transactionMetadata === undefined
      ? {}
      : { transaction: { ...transaction, metadata: { ...options.transactionMetadata } } }),
    ...(options.prompt === undefined ? {} : { prompt: { ...options.prompt } })
  }
}
