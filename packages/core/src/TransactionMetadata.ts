/**
 * TransactionMetadata: small typed state that lives as long as the login's transaction (Auth0's
 * `api.transaction.setMetadata` and `event.transaction.metadata`).
 *
 * It survives redirects and forms and is visible to later Actions of the same login, and to nothing outside it: the
 * place for state between a first pass and its continue pass, or between two Actions, that must not be persisted on
 * the user. `set` and `remove` are decisions, applied at the end of the run (so later Actions and the continue pass
 * see them, the rules of this run do not); `make(name, schema)` declares a fact that decodes the metadata this login
 * arrived with. Auth0's limits (keys of at most 64 characters, values of at most 8 KB, 16 KB in all, scalars only,
 * safe integers) are checked by the adapter before any call: a write past them denies the login.
 *
 * @since 0.1.0
 */
import type { StandardSchemaV1 } from "@standard-schema/spec"
import * as Effect from "effect/Effect"
import * as Decision from "./Decision.ts"
import { decode } from "./Decode.ts"
import type { InvalidData } from "./Denial.ts"
import * as Fact from "./Fact.ts"
import { Login } from "./Login.ts"

/**
 * Sets one key of the transaction's metadata to a scalar.
 *
 * @category constructors
 * @since 0.1.0
 */
export const set = (key: string, value: string | number | boolean): Effect.Effect<void, never, Decision.Decisions> =>
  write(key, value)

/**
 * Deletes one key of the transaction's metadata.
 *
 * @category constructors
 * @since 0.1.0
 */
export const remove = (key: string): Effect.Effect<void, never, Decision.Decisions> => write(key, null)

const write = (key: string, value: Decision.TransactionValue) =>
  Decision.recordKind(Decision.mergeFlow, (draft) => {
    const metadata = draft.transactionMetadata ?? Object.create(null)
    metadata[key] = value
    draft.transactionMetadata = metadata
  })

/**
 * The transaction's metadata as this login arrived with it, undecoded.
 *
 * @category getters
 * @since 0.1.0
 */
export const current: Effect.Effect<Readonly<Record<string, unknown>>, never, Login> = Effect.map(
  Login,
  (login) => login.transaction.metadata ?? {}
)

/**
 * Declares a fact holding the transaction's metadata decoded through `schema` (a Standard Schema of the keys a rule
 * reads; others are ignored as the schema ignores them). Metadata that does not decode denies the login with the
 * generic reason (InvalidData), and the log names the key and the problem, never the value.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <const Name extends string, S extends StandardSchemaV1>(
  name: string extends Name ? "rulefx: a fact's name must be a string literal" : Name,
  schema: S
): Fact.Fact<Name, StandardSchemaV1.InferOutput<S>, InvalidData, Login> =>
  Fact.make<Name, StandardSchemaV1.InferOutput<S>, InvalidData, Login>(
    name,
    Effect.flatMap(current, decode(schema, "transaction metadata"))
  )
