/**
 * CustomTokenExchange: turns a custom-token-exchange pipeline and a layer into Auth0's
 * `onExecuteCustomTokenExchange(event, api)` handler (trigger `custom-token-exchange`, v1, Early Access).
 *
 * The same way through as the other triggers (TriggerRun: decode, per-event services, deadline), then the checks,
 * then `api` once, at the end: the organization, the user (`setUserById` or `setUserByConnection`), the actor
 * (`setActor`), the metadata, then the transaction metadata (early access: `api.transaction.setMetadata`; an `api`
 * without it denies before any call when there are writes).
 * Fail closed: a denial made with CustomTokenExchange.InvalidSubjectTokenClass calls
 * `api.access.rejectInvalidSubjectToken(message)`, any other denial `api.access.deny(code, message)` (its class's
 * code, `server_error` when it has none). No user named, two different users or organizations, an empty user id,
 * connection or `attributes.user_id`, options Auth0 does not know, metadata Auth0 would refuse (Auth0Limits), a
 * decision this trigger cannot apply, a malformed event, a defect or the deadline deny with `server_error` and a
 * generic reason, and log the detail. Nothing is called on `api` but the deny when the exchange is denied.
 *
 * @since 0.1.0
 */
import * as Exchange from "@rulefx/core/CustomTokenExchange"
import * as Decision from "@rulefx/core/Decision"
import type { Denial } from "@rulefx/core/Denial"
import type * as Pipeline from "@rulefx/core/Pipeline"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Auth0Flow from "./Auth0Flow.ts"
import * as Auth0Limits from "./Auth0Limits.ts"
import * as CustomTokenExchangeEvent from "./CustomTokenExchangeEvent.ts"
import { transactionMetadataOf } from "./internal/lastResort.ts"
import { printLine } from "./internal/logger.ts"
import type { CacheApi } from "./PostLoginApi.ts"
import * as TriggerRun from "./TriggerRun.ts"

/**
 * The part of Auth0's custom-token-exchange `api` that rulefx calls.
 *
 * @category models
 * @since 0.1.0
 */
export interface CustomTokenExchangeApi {
  readonly access: {
    readonly deny: (code: string, reason: string) => unknown
    readonly rejectInvalidSubjectToken: (reason: string) => unknown
  }
  readonly authentication?: {
    readonly setUserById: (userId: string) => unknown
    readonly setUserByConnection: (
      connection: string,
      attributes: Record<string, unknown>,
      options: { creationBehavior: string; updateBehavior: string }
    ) => unknown
    readonly setOrganization?: (idOrName: string) => unknown
    readonly setActor?: (actor: Exchange.Actor) => unknown
  }
  /** Early access: absent on a tenant without transaction metadata. */
  readonly transaction?: {
    readonly setMetadata: (key: string, value: Decision.TransactionValue) => unknown
  }
  readonly user?: {
    readonly setAppMetadata: (key: string, value: unknown) => unknown
    readonly setUserMetadata: (key: string, value: unknown) => unknown
  }
  /** Auth0's cache, shared by the Actions of the trigger. */
  readonly cache?: CacheApi
}

/**
 * What the run decided: the user (and organization, metadata) to issue tokens for, a denial, or an invalid subject
 * token.
 *
 * @category models
 * @since 0.1.0
 */
export type Outcome =
  | {
    readonly _tag: "Allowed"
    readonly subject: Exchange.Subject
    readonly organization: string | undefined
    readonly appMetadata: Readonly<Record<string, unknown>>
    readonly userMetadata: Readonly<Record<string, unknown>>
    /** The actor (`setActor`); absent when none. */
    readonly actor?: Exchange.Actor | undefined
    /** Transaction metadata writes (early access); absent when none. */
    readonly transactionMetadata?: Readonly<Record<string, Decision.TransactionValue>> | undefined
  }
  | { readonly _tag: "Denied"; readonly code: string; readonly reason: string; readonly denial: string }
  | { readonly _tag: "InvalidSubjectToken"; readonly reason: string; readonly denial: string }

/**
 * The handler Auth0 calls.
 *
 * @category models
 * @since 0.1.0
 */
export type Handler = (event: unknown, api: CustomTokenExchangeApi) => Promise<void>

/**
 * The services each exchange's event brings.
 *
 * @category utility types
 * @since 0.1.0
 */
export type PerExchange = CustomTokenExchangeEvent.Services | Exchange.Subjects

/**
 * The reason when the exchange fails closed (`server_error`). Leaks nothing.
 *
 * @category constructors
 * @since 0.1.0
 */
export const genericReason = "The token exchange cannot be completed right now. Please try again later."

const serverError = (denial: string): Outcome => ({
  _tag: "Denied",
  code: "server_error",
  reason: genericReason,
  denial
})

const foreign = (d: Decision.Decision): boolean =>
  !Decision.isEmpty({
    ...d,
    appMetadata: {},
    userMetadata: {},
    transactionMetadata: undefined,
    exchangeSubjects: undefined
  })

const creation: ReadonlySet<string> = /* @__PURE__ */ new Set(["create_if_not_exists", "none"])
const update: ReadonlySet<string> = /* @__PURE__ */ new Set(["replace", "none"])

const nonEmpty = (u: unknown): boolean => typeof u === "string" && u.length > 0

/**
 * Auth0's limits on `setActor`: levels in the delegation chain (the actor and the ones it nests), and properties of a
 * level besides `sub` and `act`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const actorLimits = { maxLevels: 5, maxProperties: 5 } as const

const checkActor = (actor: unknown, level: number, out: Array<string>): void => {
  if (level > actorLimits.maxLevels) return void out.push(`setActor: more than ${actorLimits.maxLevels} levels`)
  if (typeof actor !== "object" || actor === null) return void out.push("setActor: an actor that is not an object")
  const { act, sub, ...rest } = actor as Record<string, unknown>
  if (!nonEmpty(sub)) out.push(`setActor: level ${level} has no sub`)
  const names = Object.keys(rest)
  if (names.length > actorLimits.maxProperties) out.push(`setActor: level ${level} has more than 5 properties`)
  for (const name of names) {
    if (!["string", "number", "boolean"].includes(typeof rest[name])) {
      out.push(
        `setActor: level ${level} property ${JSON.stringify(name.slice(0, 80))} is not a string, number or boolean`
      )
    }
  }
  if (act !== undefined) checkActor(act, level + 1, out)
}

/**
 * Lists why the named users, organizations and actors cannot be applied: none or two different users, two different
 * organizations or actors, an empty id, connection or `attributes.user_id`, options Auth0 does not know, or an actor
 * past Auth0's limits (`actorLimits`; `sub` at every level, scalar properties).
 *
 * @category getters
 * @since 0.1.0
 */
export const checkSubjects = (
  users: ReadonlyArray<Exchange.Subject>,
  organizations: ReadonlyArray<string>,
  actors: ReadonlyArray<Exchange.Actor> = []
): ReadonlyArray<string> => {
  const out: Array<string> = []
  const distinct = new Set(users.map((u) => JSON.stringify(u)))
  if (distinct.size === 0) out.push("no user named (setUserById or setUserByConnection)")
  if (distinct.size > 1) out.push("two different users named")
  if (new Set(organizations).size > 1) out.push("two different organizations named")
  for (const org of organizations) if (!nonEmpty(org)) out.push("an empty organization")
  if (new Set(actors.map((a) => JSON.stringify(a))).size > 1) out.push("two different actors named")
  for (const actor of actors) checkActor(actor, 1, out)
  for (const u of users) {
    if (u._tag === "ById") {
      if (!nonEmpty(u.userId)) out.push("setUserById: an empty user id")
    } else {
      if (!nonEmpty(u.connection)) out.push("setUserByConnection: an empty connection")
      if (!nonEmpty(u.attributes?.user_id)) out.push("setUserByConnection: no attributes.user_id")
      if (!creation.has(u.options?.creationBehavior) || !update.has(u.options?.updateBehavior)) {
        out.push("setUserByConnection: unknown creationBehavior or updateBehavior")
      }
    }
  }
  return out
}

const toOutcome = (
  result: TriggerRun.Result,
  directUsers: ReadonlyArray<Exchange.Subject>,
  directOrganizations: ReadonlyArray<string>,
  directActors: ReadonlyArray<Exchange.Actor>,
  before: unknown
): Outcome => {
  if (result._tag === "Failed") {
    const denial = result.denial
    if (denial === undefined) return serverError(result.tag)
    const report = Exchange.reportOf(denial)
    return report._tag === "InvalidSubjectToken"
      ? { _tag: "InvalidSubjectToken", reason: denial.message, denial: result.tag }
      : { _tag: "Denied", code: report.code, reason: denial.message, denial: result.tag }
  }
  const d = result.decision
  if (foreign(d)) {
    printLine("rulefx ERROR token exchange denied: the decision holds more than metadata")
    return serverError("ForeignDecision")
  }
  // The subjects the rules recorded in their decisions (a failed rule's are dropped with it), then any named on the
  // Subjects service directly.
  const recorded = d.exchangeSubjects ?? []
  const users = [...recorded.flatMap((c) => c._tag === "User" ? [c.subject] : []), ...directUsers]
  const organizations = [
    ...recorded.flatMap((c) => c._tag === "Organization" ? [c.idOrName] : []),
    ...directOrganizations
  ]
  const actors = [...recorded.flatMap((c) => c._tag === "Actor" ? [c.actor] : []), ...directActors]
  const problems = checkSubjects(users, organizations, actors)
  let violations: ReadonlyArray<Auth0Limits.Violation>
  try {
    const out = [...Auth0Limits.check(d)]
    if (d.transactionMetadata !== undefined) Auth0Flow.checkTransactionMetadata(d.transactionMetadata, before, out)
    violations = out
  } catch {
    violations = [{ target: "decision", name: undefined, rule: "NotJson", bytes: undefined }]
  }
  if (problems.length > 0 || violations.length > 0) {
    for (const p of [...problems, ...violations.map(Auth0Limits.describe)].slice(0, 10)) {
      printLine(`rulefx ERROR token exchange denied: ${p}`)
    }
    return serverError(problems.length > 0 ? "Subject" : "Limits")
  }
  return {
    _tag: "Allowed",
    subject: users[0]!,
    organization: organizations[0],
    appMetadata: d.appMetadata,
    userMetadata: d.userMetadata,
    ...(actors.length > 0 ? { actor: actors[0] } : {}),
    ...(d.transactionMetadata === undefined ? {} : { transactionMetadata: d.transactionMetadata })
  }
}

/**
 * Runs a pipeline against an event and returns the Outcome, checked. Only `api.cache` is used.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decide = <E extends Denial, R, ROut, LE extends Denial>(
  pipeline: Pipeline.Pipeline<E, R>,
  layer: Layer.Layer<ROut, LE, PerExchange | TriggerRun.PerEvent> & TriggerRun.CheckLayer<R, ROut, PerExchange>,
  options: TriggerRun.Options = {}
) =>
(event: unknown, api?: Pick<CustomTokenExchangeApi, "cache">): Promise<Outcome> => {
  const users: Array<Exchange.Subject> = []
  const organizations: Array<string> = []
  const actors: Array<Exchange.Actor> = []
  const subjects = Exchange.Subjects.of({
    user: (u) => void users.push(u),
    organization: (o) => void organizations.push(o),
    actor: (a) => void actors.push(a)
  })
  const decode = (e: unknown) =>
    Effect.map(CustomTokenExchangeEvent.decode(e), (decoded) => ({
      ...decoded,
      services: Context.add(decoded.services, Exchange.Subjects, subjects) as Context.Context<PerExchange>
    }))
  return TriggerRun.decider(
    decode,
    pipeline,
    layer as Layer.Layer<ROut, LE, PerExchange | TriggerRun.PerEvent>,
    options,
    "token exchange failed closed"
  )(event, api).then((result) => toOutcome(result, users, organizations, actors, transactionMetadataOf(event)))
}

/**
 * Applies an outcome through Auth0's `api`: the denial or invalid subject token; or the organization, the user, then
 * every metadata key.
 *
 * @category constructors
 * @since 0.1.0
 */
export const apply = (outcome: Outcome, api: CustomTokenExchangeApi): void => {
  if (outcome._tag === "Denied") return void api.access.deny(outcome.code, outcome.reason)
  if (outcome._tag === "InvalidSubjectToken") return void api.access.rejectInvalidSubjectToken(outcome.reason)
  const auth = api.authentication!
  if (outcome.organization !== undefined) auth.setOrganization!(outcome.organization)
  const s = outcome.subject
  if (s._tag === "ById") auth.setUserById(s.userId)
  else auth.setUserByConnection(s.connection, { ...s.attributes }, { ...s.options })
  if (outcome.actor !== undefined) auth.setActor!(outcome.actor)
  for (const key of Object.keys(outcome.appMetadata)) api.user!.setAppMetadata(key, outcome.appMetadata[key])
  for (const key of Object.keys(outcome.userMetadata)) api.user!.setUserMetadata(key, outcome.userMetadata[key])
  const metadata = outcome.transactionMetadata ?? {}
  for (const key of Object.keys(metadata)) api.transaction!.setMetadata(key, metadata[key] ?? null)
}

// The calls an allowed outcome needs, present on the api: checked before any call, so a missing one denies instead
// of half applying.
const lacksApi = (outcome: Outcome, api: CustomTokenExchangeApi): boolean =>
  outcome._tag === "Allowed" && (
    typeof api.authentication !== "object" ||
    (outcome.organization !== undefined && typeof api.authentication.setOrganization !== "function") ||
    (outcome.actor !== undefined && typeof api.authentication.setActor !== "function") ||
    (Object.keys(outcome.transactionMetadata ?? {}).length > 0 && typeof api.transaction?.setMetadata !== "function") ||
    (Object.keys(outcome.appMetadata).length + Object.keys(outcome.userMetadata).length > 0 &&
      typeof api.user !== "object")
  )

/**
 * Builds `onExecuteCustomTokenExchange` from a custom-token-exchange pipeline and the layer of the services it needs
 * (TokenExchange, Subjects, Secrets and Cache come from each exchange).
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <E extends Denial, R, ROut, LE extends Denial>(
  pipeline: Pipeline.Pipeline<E, R>,
  layer: Layer.Layer<ROut, LE, PerExchange | TriggerRun.PerEvent> & TriggerRun.CheckLayer<R, ROut, PerExchange>,
  options: TriggerRun.Options = {}
): Handler =>
  TriggerRun.blockingHandler<CustomTokenExchangeApi, Outcome>(
    decide<E, R, ROut, LE>(pipeline, layer, options),
    TriggerRun.applyChecked(
      apply,
      lacksApi,
      serverError("MissingApi"),
      "token exchange denied: the api lacks a call the decision needs"
    ),
    (api) => api.access.deny("server_error", genericReason)
  )
