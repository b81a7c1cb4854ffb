/**
 * Secrets and settings a rule needs (API keys, base URLs, feature switches), as Redacted values.
 *
 * In an Auth0 Action they come from `event.secrets`; in tests from a plain record. This replaces effect/Config
 * on the Action's runtime path, which would add about 40 kB to the bundle (see docs/architecture.md, "Size budget").
 * A secret never reaches a claim, a denial message or a log line: it is Redacted until the one place that uses it.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { MissingSecret } from "./Denial.ts"

/**
 * The secrets service: look a value up by name.
 *
 * @category services
 * @since 0.1.0
 */
export class Secrets extends Context.Service<Secrets, {
  /** The secret, or a MissingSecret denial when it is absent or empty. */
  readonly get: (name: string) => Effect.Effect<Redacted.Redacted<string>, MissingSecret>
  /** The secret if set and non-empty. */
  readonly getOption: (name: string) => Effect.Effect<Option.Option<Redacted.Redacted<string>>>
  /** The names of the secrets that are set (non-empty), never their values. */
  readonly names: ReadonlyArray<string>
}>()("@rulefx/core/Secrets") {
  /**
   * Secrets from a plain record of strings, e.g. Auth0's `event.secrets`. Values that are not non-empty strings
   * count as absent.
   */
  static readonly layerFrom = (record: Readonly<Record<string, unknown>>): Layer.Layer<Secrets> =>
    Layer.succeed(Secrets, make(record))

  /** Secrets for tests: the record given, nothing else. */
  static readonly layerTest = (record: Readonly<Record<string, string>> = {}): Layer.Layer<Secrets> =>
    Secrets.layerFrom(record)
}

/**
 * Builds the service over a record, copying the values so later changes to the record are not seen.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (record: Readonly<Record<string, unknown>>): Secrets["Service"] => {
  const values = new Map<string, Redacted.Redacted<string>>()
  for (const name of Object.keys(record)) {
    const value = record[name]
    if (typeof value === "string" && value.length > 0) values.set(name, Redacted.make(value, { label: name }))
  }
  const getOption = (name: string) => Effect.succeed(Option.fromNullishOr(values.get(name)))
  return Secrets.of({
    getOption,
    names: Array.from(values.keys()),
    get: (name) => {
      const value = values.get(name)
      // The name (never a value) goes to the log here, since a secret may be read while layers are built, before
      // any rule that would log the denial runs.
      return value === undefined
        ? Effect.logError(`missing secret ${name}`).pipe(Effect.andThen(Effect.fail(new MissingSecret({ name }))))
        : Effect.succeed(value)
    }
  })
}

/**
 * Reads a secret, failing with MissingSecret when it is not set.
 *
 * @category getters
 * @since 0.1.0
 */
export const get = (name: string): Effect.Effect<Redacted.Redacted<string>, MissingSecret, Secrets> =>
  Effect.flatMap(Secrets, (secrets) => secrets.get(name))
