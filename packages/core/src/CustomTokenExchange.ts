/**
 * CustomTokenExchange: the model of a custom token exchange (Auth0's `custom-token-exchange` trigger, v1, Early
 * Access): a client posts a subject token of its own kind to `/oauth/token`, and the Action validates it and names
 * the user Auth0 issues tokens for.
 *
 * Rules read the `TokenExchange` service (the subject token and its type, as Redacted values for the token, the
 * client, the request) and may:
 * - name the user, exactly once per exchange: `setUserById(userId)` (an existing user) or
 *   `setUserByConnection(connection, attributes, options)` (found by `attributes.user_id` in the connection, created
 *   or updated as `options` say);
 * - set the organization (`setOrganization`), and app_metadata and user_metadata keys of the user;
 * - name the actor who acts on the user's behalf (`setActor`, the `act` claim; a delegation chain of at most five
 *   levels), and write transaction metadata (`setTransactionMetadata`, early access: `api.transaction.setMetadata`);
 * - deny: a denial made with `DenialClass(tag, code)` calls `api.access.deny(code, message)`; one made with
 *   `InvalidSubjectTokenClass(tag)` calls `api.access.rejectInvalidSubjectToken(message)` (Auth0 answers
 *   `invalid_request` and counts the attempt for its attack protection); any other denial is
 *   `access.deny("server_error", message)`.
 *
 * No user named, two different users or organizations, a defect, the deadline or a malformed event deny with
 * `server_error` and a generic reason (the trigger is blocking, so the adapter fails closed). Post-login's decisions
 * do not compile in this trigger's rules (see Trigger.ts).
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Types from "effect/Types"
import * as Decision from "./Decision.ts"
import * as Denial from "./Denial.ts"
import * as Trigger from "./Trigger.ts"

/**
 * The trigger's id.
 *
 * @category models
 * @since 0.1.0
 */
export const id = "custom-token-exchange" as const

/**
 * Everything a custom-token-exchange rule may read.
 *
 * @category models
 * @since 0.1.0
 */
export interface ExchangeInfo {
  /** The token the client presented (`event.transaction.subject_token`); validate it before trusting anything in it. */
  readonly subjectToken: Redacted.Redacted<string>
  /** Its type (`subject_token_type`), the URI of the Custom Token Exchange profile. */
  readonly subjectTokenType: string
  readonly client: { readonly id: string; readonly name: string; readonly metadata: Readonly<Record<string, string>> }
  readonly request: {
    readonly ip: string
    readonly hostname: string | undefined
    readonly userAgent: string | undefined
    readonly language: string | undefined
    readonly countryCode: string | undefined
  }
  readonly tenant: string
  /** The event as it arrived, without its secrets and without the subject and actor tokens. */
  readonly raw: Readonly<Record<string, unknown>>
}

/**
 * The current exchange, as a service.
 *
 * @category services
 * @since 0.1.0
 */
export class TokenExchange extends Context.Service<TokenExchange, ExchangeInfo>()(
  "@rulefx/core/CustomTokenExchange/TokenExchange"
) {
  /** Provides the given exchange; the adapter builds it per event. */
  static readonly layer = (info: ExchangeInfo): Layer.Layer<TokenExchange> => Layer.succeed(TokenExchange, info)
}

/**
 * The user's profile attributes for `setUserByConnection`: `user_id` (the user's id within the connection) is
 * required. Of an existing user, Auth0 refuses to change email, email_verified, phone, phone_verified and username.
 *
 * @category models
 * @since 0.1.0
 */
export interface UserAttributes {
  readonly user_id: string
  readonly email?: string
  readonly email_verified?: boolean
  readonly phone_number?: string
  readonly phone_verified?: boolean
  readonly username?: string
  readonly name?: string
  readonly given_name?: string
  readonly family_name?: string
  readonly nickname?: string
  readonly verify_email?: boolean
}

/**
 * What `setUserByConnection` does when no user has the `user_id` (create one, or fail) and when one has (replace its
 * attributes, or leave it).
 *
 * @category models
 * @since 0.1.0
 */
export interface ConnectionOptions {
  readonly creationBehavior: "create_if_not_exists" | "none"
  readonly updateBehavior: "replace" | "none"
}

/**
 * The user a rule named.
 *
 * @category models
 * @since 0.1.0
 */
export type Subject =
  | { readonly _tag: "ById"; readonly userId: string }
  | {
    readonly _tag: "ByConnection"
    readonly connection: string
    readonly attributes: UserAttributes
    readonly options: ConnectionOptions
  }

/**
 * The party acting on the user's behalf (the `act` claim, RFC 8693): `sub` is required at every level; a level may hold
 * up to five more string, number or boolean properties and the previous actor in `act`, five levels in all.
 *
 * @category models
 * @since 0.1.0
 */
export interface Actor {
  readonly sub: string
  readonly act?: Actor | undefined
  readonly [property: string]: string | number | boolean | Actor | undefined
}

/**
 * A recorder of users, organizations and actors beside the Decision, which the adapter still provides per event.
 * `setUserById`, `setUserByConnection`, `setOrganization` and `setActor` no longer use it: they record into the rule's
 * Decision (`exchangeSubjects`), so the subjects of a rule that fails are dropped with its other decisions. A call made
 * on this service directly is kept even when its rule fails.
 *
 * @category services
 * @since 0.1.0
 */
export class Subjects extends Context.Service<Subjects, {
  readonly user: (subject: Subject) => void
  readonly organization: (idOrName: string) => void
  readonly actor: (actor: Actor) => void
}>()("@rulefx/core/CustomTokenExchange/Subjects") {}

/**
 * The marker of this trigger's rules.
 *
 * @category services
 * @since 0.1.0
 */
export const On: Context.Key<On, typeof id> = /* @__PURE__ */ Trigger.marker(id)

/**
 * The type of this trigger's marker.
 *
 * @category models
 * @since 0.1.0
 */
export type On = Trigger.On<typeof id>

/**
 * The type of this trigger's recorder.
 *
 * @category models
 * @since 0.1.0
 */
export type Recorder = Trigger.Recorder<typeof id>

const recorder = /* @__PURE__ */ Trigger.recorder(id)

/**
 * One subject a rule named, as recorded in its Decision (`exchangeSubjects`).
 *
 * @category models
 * @since 0.1.0
 */
export type SubjectCall =
  | { readonly _tag: "User"; readonly subject: Subject }
  | { readonly _tag: "Organization"; readonly idOrName: string }
  | { readonly _tag: "Actor"; readonly actor: Actor }

/**
 * How the subjects of several rules combine: in rule order, all kept (the adapter refuses two different ones).
 *
 * @category combinators
 * @since 0.1.0
 */
export const mergeSubjects: Decision.Merge = (out, d) => {
  if (d.exchangeSubjects?.length) out.exchangeSubjects = [...(out.exchangeSubjects ?? []), ...d.exchangeSubjects]
}

// Into the rule's own Decision: a rule that fails (under Rule.optional, or a refused alternative of Rule.any) names
// no one.
const recordSubject = (call: SubjectCall): Effect.Effect<void, never, Recorder> =>
  Trigger.record(recorder, (d) => {
    Decision.withKind(d, mergeSubjects)
    ;(d.exchangeSubjects ??= []).push(call)
  })

/**
 * Names the user tokens are issued for by id (an existing user). Recorded in the rule's Decision: a rule that names a
 * user and then fails (inside `Rule.any` or `Rule.optional`) names no one.
 *
 * @category constructors
 * @since 0.1.0
 */
export const setUserById = (userId: string): Effect.Effect<void, never, Recorder> =>
  recordSubject({ _tag: "User", subject: { _tag: "ById", userId } })

/**
 * Names the user tokens are issued for by connection and attributes (found by `attributes.user_id`, created or
 * updated as `options` say).
 *
 * @category constructors
 * @since 0.1.0
 */
export const setUserByConnection = (
  connection: string,
  attributes: UserAttributes,
  options: ConnectionOptions
): Effect.Effect<void, never, Recorder> =>
  recordSubject({ _tag: "User", subject: { _tag: "ByConnection", connection, attributes, options } })

/**
 * Sets the organization (id or name) of the user tokens are issued for.
 *
 * @category constructors
 * @since 0.1.0
 */
export const setOrganization = (idOrName: string): Effect.Effect<void, never, Recorder> =>
  recordSubject({ _tag: "Organization", idOrName })

/**
 * Names the party acting on the user's behalf: Auth0 puts it in the tokens' `act` claim, and issues no refresh token.
 * Only beside a named user; two different actors deny the exchange.
 *
 * @category constructors
 * @since 0.1.0
 */
export const setActor = (actor: Actor): Effect.Effect<void, never, Recorder> => recordSubject({ _tag: "Actor", actor })

/**
 * Writes one key of the transaction metadata (early access: `api.transaction.setMetadata`), for the post-login Actions
 * of the same transaction; `null` deletes it. Auth0's limits (keys of 64 characters, scalar values of 8 KB, 16 KB in
 * all) are checked before any call; later rules win per key.
 *
 * @category constructors
 * @since 0.1.0
 */
export const setTransactionMetadata = (
  key: string,
  value: Decision.TransactionValue
): Effect.Effect<void, never, Recorder> =>
  Trigger.record(recorder, (d) => {
    Decision.withKind(d, Decision.mergeFlow)
    ;(d.transactionMetadata ??= Object.create(null) as Record<string, Decision.TransactionValue>)[key] = value
  })

/**
 * Sets one top-level key of the user's app_metadata (`null` deletes it).
 *
 * @category constructors
 * @since 0.1.0
 */
export const setAppMetadata = (key: string, value: unknown): Effect.Effect<void, never, Recorder> =>
  Trigger.record(recorder, (d) => {
    d.appMetadata[key] = value
  })

/**
 * Sets one top-level key of the user's user_metadata (`null` deletes it).
 *
 * @category constructors
 * @since 0.1.0
 */
export const setUserMetadata = (key: string, value: unknown): Effect.Effect<void, never, Recorder> =>
  Trigger.record(recorder, (d) => {
    d.userMetadata[key] = value
  })

/**
 * A custom-token-exchange denial with the error code the client receives (`invalid_request`, `server_error` or a
 * code of the team's own); its message is the reason.
 *
 * @category models
 * @since 0.1.0
 */
export interface CodedDenial extends Denial.Denial {
  readonly code: string
}

const withProperty = (tag: string, key: string, value: unknown) => {
  const Base = Denial.Class(tag)
  Object.defineProperty(Base.prototype, key, { value })
  return Base
}

/**
 * Makes a denial class reported through `api.access.deny(code, message)`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const DenialClass = <Tag extends string>(tag: Tag, code: string): new<
  // oxlint-disable-next-line no-explicit-any
  A extends Record<string, any> = {}
>(
  args: Types.VoidIfEmpty<{ readonly [P in keyof A as P extends "_tag" | "code" ? never : P]: A[P] }>
) => Cause.YieldableError & CodedDenial & { readonly _tag: Tag } & Readonly<A> =>
  // oxlint-disable-next-line no-explicit-any
  withProperty(tag, "code", code) as any

/**
 * Makes a denial class reported through `api.access.rejectInvalidSubjectToken(message)`: the subject token is
 * invalid, and Auth0's attack protection counts the attempt.
 *
 * @category constructors
 * @since 0.1.0
 */
export const InvalidSubjectTokenClass = <Tag extends string>(tag: Tag): new<
  // oxlint-disable-next-line no-explicit-any
  A extends Record<string, any> = {}
>(
  args: Types.VoidIfEmpty<{ readonly [P in keyof A as P extends "_tag" ? never : P]: A[P] }>
) => Cause.YieldableError & Denial.Denial & { readonly _tag: Tag } & Readonly<A> =>
  // oxlint-disable-next-line no-explicit-any
  withProperty(tag, "~rulefx/InvalidSubjectToken", true) as any

/**
 * How a denial is reported: `rejectInvalidSubjectToken`, or `deny` with its class's code (`server_error` when its
 * class has none).
 *
 * @category getters
 * @since 0.1.0
 */
export const reportOf = (
  denial: Denial.Denial
): { readonly _tag: "InvalidSubjectToken" } | { readonly _tag: "Deny"; readonly code: string } => {
  if ((denial as { readonly "~rulefx/InvalidSubjectToken"?: unknown })["~rulefx/InvalidSubjectToken"] === true) {
    return { _tag: "InvalidSubjectToken" }
  }
  const code = (denial as { readonly code?: unknown }).code
  return { _tag: "Deny", code: typeof code === "string" && code.length > 0 ? code : "server_error" }
}

/**
 * Makes a custom-token-exchange rule (see Trigger.makeRule).
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeRule = /* @__PURE__ */ Trigger.makeRule(id)

/**
 * Makes the custom-token-exchange pipeline (see Trigger.makePipeline).
 *
 * @category constructors
 * @since 0.1.0
 */
export const makePipeline = /* @__PURE__ */ Trigger.makePipeline(id)
