/**
 * Redirect: sending the user away in the middle of a login and reading, typed, what they bring back.
 *
 * A redirect is declared once, with what it expects back: `Redirect.make("ConsentReturn", { secret, returns })`
 * names the Action secret the two sides share and a Standard Schema for the returned token's payload. In the first
 * pass a rule calls `ConsentReturn.sendUserTo(url)`: a decision, applied by the adapter at the end of the run, that
 * signs a token (HS256, with the payload given and a lifetime of 900 s by default) and sends the user to `url` with it
 * in the query. The page signs its answer with the same secret and the state it was given, and posts it back. In the
 * continue pass a rule reads `yield* ConsentReturn`: a fact whose value is the verified (signature, expiry, state),
 * decoded payload. A token that is missing, fails verification or does not decode denies the login with the generic
 * reason and logs why (never the token or the secret): the continue pass fails closed.
 *
 * The secret must be at least 32 bytes (UTF-8; `minimumSecretBytes`), the key size RFC 7518 (3.2) requires for
 * HS256: the user holds a token signed with it, so a shorter one could be found offline and the answer forged. A
 * shorter secret is refused with WeakSecret, a denial, in both passes and before any call to Auth0.
 *
 * The fact needs the Resumed service, which only the continue pass has, so a first-pass pipeline that reads it does
 * not compile.
 *
 * **Rules of the flow**
 *
 * - One suspension per pass: two redirects (or a redirect and a form) in one pass, from one rule or two, are a
 *   conflict the adapter refuses, denying the login before any call. Auth0 would follow only one, and the other
 *   rule's gate would silently not happen.
 * - A redirect needs a browser: in a login that cannot be redirected (resource-owner password, refresh-token
 *   exchange and the other back-channel grants, or silent authentication with `prompt=none`) `sendUserTo` fails with
 *   RedirectImpossible, a denial: a redirect is usually a gate, and skipping it would let the login through unchecked.
 *   A rule that can do without the redirect tests `Redirect.canRedirect` first.
 *
 * @since 0.1.0
 */
import type { StandardSchemaV1 } from "@standard-schema/spec"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Decision from "./Decision.ts"
import { decode } from "./Decode.ts"
import { Class, genericMessage, type InvalidData, type MissingSecret } from "./Denial.ts"
import * as Fact from "./Fact.ts"
import { Login, type LoginInfo } from "./Login.ts"
import { Resumed } from "./Resumed.ts"
import { gate } from "./Rule.ts"
import { Secrets } from "./Secrets.ts"

/**
 * The lifetime of the token sent with a redirect when none is given: 900 seconds, as Auth0's.
 *
 * @category constructors
 * @since 0.1.0
 */
export const defaultExpiresInSeconds = 900

/**
 * The query (or body) parameter that carries a token, both ways, when none is given: Auth0's `session_token`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const defaultParameter = "session_token"

/**
 * The protocols whose logins cannot be sent to a page: the back-channel grants, where no browser waits. The
 * reference names the resource-owner and refresh-token grants; the other back-channel grants are added here by
 * the same reason.
 *
 * @category constructors
 * @since 0.1.0
 */
export const backChannelProtocols: ReadonlySet<string> = /* @__PURE__ */ new Set([
  "oauth2-resource-owner",
  "oauth2-password",
  "oauth2-refresh-token",
  "oauth2-resource-owner-jwt-bearer",
  "oauth2-token-exchange",
  "oauth2-access-token",
  "oidc-ciba",
  "wstrust-usernamemixed",
  // Native passkeys: the app posts the assertion to /oauth/token itself.
  "oauth2-webauthn"
])

/**
 * What tells whether a login has a browser: its protocol and the `prompt` of its query. A LoginInfo is one, and so is
 * a post-login event as Auth0 sends it, with any part missing.
 *
 * @category models
 * @since 0.1.0
 */
export interface Interaction {
  readonly transaction?: { readonly protocol?: unknown } | null | undefined
  readonly request?: { readonly query?: { readonly prompt?: unknown } | null | undefined } | null | undefined
}

/**
 * Why a login has no browser to suspend for a redirect, a form or an MFA step, or `undefined` when it has one: its
 * protocol when that is a back-channel grant (`backChannelProtocols`), else "prompt=none" for silent authentication.
 * The adapter reads the raw event with it (MFA steps, `NotInteractive`), core the Login (`isRedirectable`).
 *
 * @category getters
 * @since 0.1.0
 */
export const nonInteractiveReason = (login: Interaction | null | undefined): string | undefined => {
  const protocol = login?.transaction?.protocol
  // Set.has is false for anything but the strings it holds, so an event's protocol needs no check of its own.
  if (backChannelProtocols.has(protocol as string)) return protocol as string
  return login?.request?.query?.prompt === "none" ? "prompt=none" : undefined
}

/**
 * Tells whether a login can be suspended for a redirect or a form: not a back-channel grant, not `prompt=none`
 * (`nonInteractiveReason`).
 *
 * @category guards
 * @since 0.1.0
 */
export const isRedirectable = (login: LoginInfo): boolean => nonInteractiveReason(login) === undefined

/**
 * Whether the current login can be suspended for a redirect or a form.
 *
 * @category getters
 * @since 0.1.0
 */
export const canRedirect: Effect.Effect<boolean, never, Login> = Effect.map(Login, isRedirectable)

/**
 * A rule asked to send the user away in a login that has no browser to send (a back-channel grant, or `prompt=none`).
 *
 * @category errors
 * @since 0.1.0
 */
export class RedirectImpossible extends /* @__PURE__ */ Class("RedirectImpossible")<{
  readonly protocol: string | undefined
}> {
  override get message(): string {
    return "This login needs your interaction. Please sign in again from the application."
  }
}

/**
 * What came back could not be trusted or read: `problem` says which (the token, or its payload). The user sees the
 * generic reason; the log names the redirect and the problem, never the token or the secret.
 *
 * @category errors
 * @since 0.1.0
 */
export class ReturnRejected extends /* @__PURE__ */ Class("ReturnRejected")<{
  readonly redirect: string
  readonly problem: string
}> {
  override get message(): string {
    return genericMessage
  }
}

/**
 * The shortest secret a redirect signs with, in UTF-8 bytes: 32 (256 bits), the HS256 key size RFC 7518 (3.2)
 * requires.
 *
 * @category constructors
 * @since 0.1.0
 */
export const minimumSecretBytes = 32

/**
 * The secret a redirect signs with is shorter than `minimum` bytes: the user holds a token signed with it, so it
 * could be found offline and the returned token forged. The user sees the generic reason; the log names the secret
 * (never its value) and the minimum.
 *
 * @category errors
 * @since 0.1.0
 */
export class WeakSecret extends /* @__PURE__ */ Class("WeakSecret")<{
  readonly name: string
  readonly minimum: number
}> {
  override get message(): string {
    return genericMessage
  }
}

// One encoder for every secret read: it holds no state between calls.
const utf8 = /* @__PURE__ */ new TextEncoder()

/**
 * Reads the secret a redirect signs with: MissingSecret when it is not set, WeakSecret when it is shorter than
 * `minimumSecretBytes` (UTF-8).
 *
 * @category getters
 * @since 0.1.0
 */
export const signingSecret = (
  name: string
): Effect.Effect<Redacted.Redacted<string>, MissingSecret | WeakSecret, Secrets> =>
  Effect.flatMap(
    Effect.flatMap(Secrets, (secrets) => secrets.get(name)),
    (secret) =>
      utf8.encode(Redacted.value(secret)).length >= minimumSecretBytes
        ? Effect.succeed(secret)
        : Effect.logError(`secret ${name} is shorter than ${minimumSecretBytes} bytes, too short for HS256`).pipe(
          Effect.andThen(Effect.fail(new WeakSecret({ name, minimum: minimumSecretBytes })))
        )
  )

/**
 * The options of a redirect: the query to add, and the token's payload and lifetime.
 *
 * @category models
 * @since 0.1.0
 */
export interface SendOptions {
  readonly query?: Readonly<Record<string, string>>
  /** Claims for the page, added to Auth0's own (`sub`, `iss`, `exp`, `ip`). Signed, not encrypted: no secrets. */
  readonly payload?: Readonly<Record<string, unknown>>
  /**
   * How long the token lives, in whole seconds: 900 by default, at most one day (`maxExpiresInSeconds`). Anything else
   * (zero, negative, fractional, NaN, longer) denies the login before any call.
   */
  readonly expiresInSeconds?: number
}

/**
 * The longest a redirect's token may live: one day. A longer-lived token is a longer window to replay it.
 *
 * @category constants
 * @since 0.1.0
 */
export const maxExpiresInSeconds = 86_400

/**
 * A declared redirect: yielded, the verified and decoded payload the user brought back (continue pass only).
 *
 * @category models
 * @since 0.1.0
 */
export class Redirect<Name extends string, A>
  extends Fact.Fact<Name, A, ReturnRejected | MissingSecret | WeakSecret, Resumed | Secrets>
{
  /**
   * The Action secret both sides sign with.
   *
   * @since 0.1.0
   */
  readonly secret: string
  /**
   * The parameter that carries the token, both ways.
   *
   * @since 0.1.0
   */
  readonly parameter: string
  constructor(
    name: Name,
    secret: string,
    parameter: string,
    compute: Effect.Effect<A, ReturnRejected | MissingSecret | WeakSecret, Resumed | Secrets>
  ) {
    super(name, compute)
    this.secret = secret
    this.parameter = parameter
  }
  /**
   * Sends the user to `url` at the end of this pass, with a signed token in the query.
   *
   * @since 0.1.0
   */
  sendUserTo(
    url: string,
    options: SendOptions = {}
  ): Effect.Effect<void, RedirectImpossible | MissingSecret | WeakSecret, Decision.Decisions | Login | Secrets> {
    return sendUserTo(this, url, options)
  }
}

/**
 * Any declared redirect, for constraints.
 *
 * @category utility types
 * @since 0.1.0
 */
// oxlint-disable-next-line no-explicit-any
export type Any = Redirect<any, any>

const sendUserTo = Effect.fnUntraced(function*(
  redirect: Any,
  url: string,
  options: SendOptions
) {
  const login = yield* Login
  if (!isRedirectable(login)) {
    return yield* new RedirectImpossible({ protocol: login.transaction.protocol })
  }
  const secret = yield* signingSecret(redirect.secret)
  yield* Decision.recordKind(Decision.mergeFlow, (draft) => {
    if ((draft.redirect ?? draft.prompt) !== undefined) draft.conflicts = [...(draft.conflicts ?? []), "redirect"]
    draft.redirect = {
      url,
      query: options.query ?? {},
      token: {
        secret,
        payload: options.payload ?? {},
        expiresInSeconds: options.expiresInSeconds ?? defaultExpiresInSeconds,
        parameter: redirect.parameter
      }
    }
  })
})

/**
 * Declares a redirect: its name (the fact's), the Action secret both sides sign with (at least 32 bytes, UTF-8:
 * a shorter one is refused with WeakSecret), and a Standard Schema for the payload of the token the user brings back. `parameter` (default `session_token`) carries the token both ways.
 *
 * **Example** (A consent page)
 *
 * ```ts
 * import * as Redirect from "@rulefx/core/Redirect"
 * import * as v from "@rulefx/core/Validator"
 *
 * export const ConsentReturn = Redirect.make("ConsentReturn", {
 *   secret: "CONSENT_SECRET",
 *   returns: v.object({ accepted: v.boolean() })
 * })
 * // first pass:    yield* ConsentReturn.sendUserTo("https://consent.example.com/", { payload: { app: "Shop" } })
 * // continue pass: const { accepted } = yield* ConsentReturn
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <const Name extends string, S extends StandardSchemaV1<unknown, object>>(
  name: string extends Name ? "rulefx: a redirect's name must be a string literal" : Name,
  options: { readonly secret: string; readonly returns: S; readonly parameter?: string }
): Redirect<Name, StandardSchemaV1.InferOutput<S>> => {
  const parameter = options.parameter ?? defaultParameter
  const decodePayload = decode(options.returns, `token returned to ${name}`)
  const rejected = (problem: string) =>
    Effect.logError(`returned token rejected (${name}): ${problem}`).pipe(
      Effect.andThen(Effect.fail(new ReturnRejected({ redirect: name, problem })))
    )
  const compute = Effect.gen(function*() {
    const secret = yield* signingSecret(options.secret)
    const payload = yield* (yield* Resumed).validateToken({ secret, parameter }).pipe(
      Effect.catch((e) => rejected(`not verified (${e.reason})`))
    )
    return yield* decodePayload(payload).pipe(
      Effect.catch((e: InvalidData) => rejected(`payload does not decode: ${e.issues.join("; ")}`))
    )
  }).pipe(Effect.mapError(gate), Effect.annotateLogs({ fact: name }))
  return new Redirect(name as Name, options.secret, parameter, compute)
}
