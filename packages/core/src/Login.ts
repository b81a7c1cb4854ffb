/**
 * The login being decided: read-only, provider-neutral facts about the user, the application, the connection
 * and the request.
 *
 * An adapter decodes its provider's event (Auth0's post-login `event`) into this model once, before any rule
 * runs. Rules read it with `yield* Login` and never see the provider's objects. Metadata stays `unknown`: a
 * rule that reads a metadata field decodes it through Standard Schema (see Decode.ts), so a malformed profile
 * is a typed denial, never a TypeError.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Layer from "effect/Layer"

/**
 * The user who is logging in.
 *
 * @category models
 * @since 0.1.0
 */
export interface User {
  readonly id: string
  readonly email: string | undefined
  readonly emailVerified: boolean
  readonly name: string | undefined
  readonly nickname: string | undefined
  readonly username: string | undefined
  readonly phoneNumber: string | undefined
  readonly createdAt: string | undefined
  readonly appMetadata: Readonly<Record<string, unknown>>
  readonly userMetadata: Readonly<Record<string, unknown>>
  readonly roles: ReadonlyArray<string>
  readonly loginsCount: number
}

/**
 * The application the user logs in to, with its string metadata (Auth0's client_metadata).
 *
 * @category models
 * @since 0.1.0
 */
export interface Client {
  readonly id: string
  readonly name: string
  readonly metadata: Readonly<Record<string, string>>
}

/**
 * The connection (identity provider) used.
 *
 * @category models
 * @since 0.1.0
 */
export interface Connection {
  readonly id: string
  readonly name: string
  readonly strategy: string
}

/**
 * The request that started the login.
 *
 * @category models
 * @since 0.1.0
 */
export interface Request {
  readonly ip: string
  readonly hostname: string | undefined
  readonly userAgent: string | undefined
  readonly countryCode: string | undefined
  readonly query: Readonly<Record<string, unknown>>
}

/**
 * The transaction: protocol and requested scopes, plus the API audience if one was asked for.
 *
 * @category models
 * @since 0.1.0
 */
export interface Transaction {
  readonly protocol: string | undefined
  readonly requestedScopes: ReadonlyArray<string>
  readonly audience: string | undefined
  /**
   * The transaction's metadata (Auth0's `event.transaction.metadata`): scalars by key, written by this or earlier
   * Actions, and kept across redirects and forms. Read it typed through TransactionMetadata.make.
   */
  readonly metadata?: Readonly<Record<string, unknown>> | undefined
  /**
   * The target scopes as things stand (Auth0's early-access `event.transaction.target_scopes`): the requested scopes,
   * with the changes of earlier Actions. Read it through TargetScopes.current, which falls back to the event's
   * `transaction.target_scopes` (in `raw`) when this is absent: Auth0's adapter leaves it to that, so an Action that
   * never reads the target scopes does not decode them.
   */
  readonly targetScopes?: ReadonlyArray<string> | undefined
  /** A form's submission when the login resumes from one (Auth0's `event.prompt`); read it through Form.make. */
  readonly prompt?: {
    readonly id: string
    readonly fields: Readonly<Record<string, unknown>>
    readonly vars: Readonly<Record<string, unknown>>
  } | undefined
}

/**
 * Everything a rule may read about one login.
 *
 * @category models
 * @since 0.1.0
 */
export interface LoginInfo {
  readonly user: User
  readonly client: Client
  readonly connection: Connection
  readonly request: Request
  readonly transaction: Transaction
  /**
   * The provider's event as it arrived, without its secrets (nor Auth0's private `configuration`), for compatibility layers that must rebuild another
   * shape from it (legacy Auth0 Rules' `user` and `context`). Typed rules read the decoded fields above.
   */
  readonly raw: Readonly<Record<string, unknown>>
}

/**
 * The current login, as a service.
 *
 * @category services
 * @since 0.1.0
 */
export class Login extends Context.Service<Login, LoginInfo>()("@rulefx/core/Login") {
  /** Provides the given login. Adapters build it per login from their event. */
  static readonly layer = (info: LoginInfo): Layer.Layer<Login> => Layer.succeed(Login, info)
}

/**
 * What `make` needs: the identifiers every login has (the user's, the application's, the request's IP), and any
 * other field.
 *
 * @category models
 * @since 0.1.0
 */
export interface Input {
  readonly user: Pick<User, "id"> & Partial<User>
  readonly client: Pick<Client, "id"> & Partial<Client>
  readonly request: Pick<Request, "ip"> & Partial<Request>
  readonly connection?: Partial<Connection>
  readonly transaction?: Partial<Transaction>
  readonly raw?: Readonly<Record<string, unknown>>
}

/**
 * Builds a login from its identifiers and any other fields; a field not given is absent (`undefined`), empty (`{}`,
 * `[]`, `""`), `false` or `0`, as an adapter decodes a field its provider left out. Provider-neutral: builders with
 * a provider's realistic defaults (`@rulefx/testing/Logins` for Auth0) are built on it.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (input: Input): LoginInfo => ({
  user: {
    email: undefined,
    emailVerified: false,
    name: undefined,
    nickname: undefined,
    username: undefined,
    phoneNumber: undefined,
    createdAt: undefined,
    appMetadata: {},
    userMetadata: {},
    roles: [],
    loginsCount: 0,
    ...input.user
  },
  client: { name: "", metadata: {}, ...input.client },
  connection: { id: "", name: "", strategy: "", ...input.connection },
  request: { hostname: undefined, userAgent: undefined, countryCode: undefined, query: {}, ...input.request },
  transaction: { protocol: undefined, requestedScopes: [], audience: undefined, ...input.transaction },
  raw: input.raw ?? {}
})
