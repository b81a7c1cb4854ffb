/**
 * Small Standard Schema validators for code that ends up in an Action: rulefx's own decoding of the Auth0 event,
 * the seller body, app_metadata and rule options goes through them (with Decode).
 *
 * They are the part of valibot 1.x that this code used, with valibot's semantics: the same checks, the same issue
 * messages (`Invalid type: Expected string but received 7`), every issue collected in the same order, and the same
 * rules for pipes (validations after a failed one still run; a schema or a transformation after one does not) and
 * unions. About 3.6 kB in a bundle instead of valibot's 7.7 kB. A team's own rules can use valibot or any other
 * Standard Schema library.
 *
 * @since 0.1.0
 */
import type { StandardSchemaV1 } from "@standard-schema/spec"

/**
 * One problem found: a message (valibot's wording), the path to the value, and the value.
 *
 * @category models
 * @since 0.1.0
 */
export interface Issue extends StandardSchemaV1.Issue {
  readonly input: unknown
  path?: Array<PropertyKey>
}

/**
 * A value being validated: whether it has the expected type so far, the (possibly transformed) value and the issues.
 *
 * @category models
 * @since 0.1.0
 */
export interface Dataset {
  typed: boolean
  value: unknown
  issues?: Array<Issue> | undefined
}

/**
 * One step of a pipe: a schema, a validation (adds issues, keeps the type) or a transformation (changes the value).
 *
 * @category models
 * @since 0.1.0
 */
export interface Step<I, O = I> {
  readonly kind: "schema" | "validation" | "transformation"
  readonly "~run": (dataset: Dataset) => Dataset
  /** Types only. */
  readonly "~types"?: { readonly input: I; readonly output: O } | undefined
}

/**
 * A schema: a Standard Schema from `I` to `O`, also usable as the first step of a pipe.
 *
 * @category models
 * @since 0.1.0
 */
export interface Schema<I, O = I> extends StandardSchemaV1<I, O>, Step<I, O> {
  readonly kind: "schema"
  readonly type: string
  /** What a value of this schema is, in valibot's words: `string`, `Object`, `(string | undefined)`. */
  readonly expects: string
  readonly default?: unknown
}

/**
 * A schema that accepts `undefined` (optional) or `null` and `undefined` (nullish): its key may be absent from an
 * object.
 *
 * @category models
 * @since 0.1.0
 */
export interface Optional<I, O> extends Schema<I, O> {
  readonly type: "optional" | "nullish"
}

/**
 * The input type of a schema.
 *
 * @category utility types
 * @since 0.1.0
 */
export type InferInput<S extends Step<any, any>> = S extends Step<infer I, any> ? I : never

/**
 * The output type of a schema.
 *
 * @category utility types
 * @since 0.1.0
 */
export type InferOutput<S extends Step<any, any>> = S extends Step<any, infer O> ? O : never

const stringify = (input: unknown): string => {
  const type = typeof input
  if (type === "string") return `"${input as string}"`
  if (type === "number" || type === "bigint" || type === "boolean") return `${input as number}`
  if (type === "object" || type === "function") {
    const name: string | undefined = input
      ? (Object.getPrototypeOf(input) as { constructor?: { name?: string } } | null)?.constructor?.name
      : undefined
    return name ?? "null"
  }
  return type
}

type Message = string | ((issue: Issue) => string)

interface IssueOptions {
  readonly expected?: string | null
  readonly received?: string
  readonly input?: unknown
  readonly path?: Array<PropertyKey>
  readonly message?: Message | undefined
  readonly schema?: boolean
}

const addIssue = (dataset: Dataset, label: string, options: IssueOptions): void => {
  const input = "input" in options ? options.input : dataset.value
  const expected = options.expected ?? null
  const received = options.received ?? stringify(input)
  const issue: Issue = {
    input,
    message: `Invalid ${label}: ${expected ? `Expected ${expected} but r` : "R"}eceived ${received}`,
    ...(options.path && { path: options.path })
  }
  const message = options.message
  if (message !== undefined) {
    ;(issue as { message: string }).message = typeof message === "string"
      ? message
      : message(issue)
  }
  if (options.schema !== false) dataset.typed = false
  if (dataset.issues) dataset.issues.push(issue)
  else dataset.issues = [issue]
}

// Runs `schema` on the part of `dataset`'s value at `key` and returns its output: its issues move onto `dataset`,
// each under `key`, and a part that does not match leaves `dataset` untyped.
const runNested = (dataset: Dataset, schema: Schema<any, any>, value: unknown, key: PropertyKey): unknown => {
  const nested = schema["~run"]({ typed: false, value })
  if (!nested.typed) dataset.typed = false
  if (nested.issues) {
    for (const issue of nested.issues) {
      if (issue.path) issue.path.unshift(key)
      else issue.path = [key]
      dataset.issues?.push(issue)
    }
    if (!dataset.issues) dataset.issues = nested.issues
  }
  return nested.value
}

const schema = <I, O>(
  type: string,
  expects: string,
  run: (dataset: Dataset) => Dataset,
  extra: { readonly default?: unknown } = {}
): Schema<I, O> => {
  const self: Schema<I, O> = {
    kind: "schema",
    type,
    expects,
    ...extra,
    "~run": run,
    "~standard": {
      version: 1,
      vendor: "rulefx",
      validate: (value) => {
        const dataset = run({ typed: false, value })
        return dataset.issues ? { issues: dataset.issues } : { value: dataset.value as O }
      }
    }
  }
  return self
}

const typeCheck = <A>(expects: string, test: (value: unknown) => boolean): Schema<A, A> =>
  schema(expects, expects, (dataset) => {
    if (test(dataset.value)) dataset.typed = true
    else addIssue(dataset, "type", { expected: expects })
    return dataset
  })

/**
 * A string.
 *
 * @category constructors
 * @since 0.1.0
 */
export const string = (): Schema<string> => typeCheck("string", (u) => typeof u === "string")

/**
 * A number, not NaN.
 *
 * @category constructors
 * @since 0.1.0
 */
export const number = (): Schema<number> => typeCheck("number", (u) => typeof u === "number" && !Number.isNaN(u))

/**
 * A boolean.
 *
 * @category constructors
 * @since 0.1.0
 */
export const boolean = (): Schema<boolean> => typeCheck("boolean", (u) => typeof u === "boolean")

/**
 * Any value.
 *
 * @category constructors
 * @since 0.1.0
 */
export const unknown = (): Schema<unknown> => typeCheck("unknown", () => true)

const orAbsent = <I, O>(
  type: "optional" | "nullish",
  wrapped: Schema<I, O>,
  fallback: unknown,
  absent: (value: unknown) => boolean
): Optional<any, any> =>
  schema(type, `(${wrapped.expects} | ${type === "nullish" ? "null | " : ""}undefined)`, (dataset) => {
    if (absent(dataset.value)) {
      if (fallback !== undefined) dataset.value = typeof fallback === "function" ? fallback() : fallback
      if (absent(dataset.value)) {
        dataset.typed = true
        return dataset
      }
    }
    return wrapped["~run"](dataset)
  }, { default: fallback }) as Optional<any, any>

/**
 * `wrapped`, or `undefined`; with a default, `undefined` becomes the default (a function is called for it).
 *
 * @category constructors
 * @since 0.1.0
 */
export const optional: {
  <I, O>(wrapped: Schema<I, O>): Optional<I | undefined, O | undefined>
  <I, O>(wrapped: Schema<I, O>, fallback: O | (() => O)): Optional<I | undefined, O>
} = <I, O>(wrapped: Schema<I, O>, fallback?: unknown) => orAbsent("optional", wrapped, fallback, (u) => u === undefined)

/**
 * `wrapped`, `null` or `undefined`; with a default, `null` and `undefined` become the default.
 *
 * @category constructors
 * @since 0.1.0
 */
export const nullish: {
  <I, O>(wrapped: Schema<I, O>): Optional<I | null | undefined, O | null | undefined>
  <I, O>(wrapped: Schema<I, O>, fallback: O | (() => O)): Optional<I | null | undefined, O>
} = <I, O>(wrapped: Schema<I, O>, fallback?: unknown) =>
  orAbsent("nullish", wrapped, fallback, (u) => u === undefined || u === null)

/**
 * An array whose every item matches `item`; issues name the index.
 *
 * @category constructors
 * @since 0.1.0
 */
export const array = <I, O>(item: Schema<I, O>): Schema<Array<I>, Array<O>> =>
  schema("array", "Array", (dataset) => {
    const input = dataset.value
    if (!Array.isArray(input)) {
      addIssue(dataset, "type", { expected: "Array" })
      return dataset
    }
    dataset.typed = true
    const out: Array<unknown> = []
    dataset.value = out
    for (let key = 0; key < input.length; key++) out.push(runNested(dataset, item, input[key], key))
    return dataset
  })

type Entries = Readonly<Record<string, Schema<any, any>>>
type Simplify<A> = { [K in keyof A]: A[K] } & {}
type OptionalKeys<E extends Entries> = { [K in keyof E]: E[K] extends Optional<any, any> ? K : never }[keyof E]
type AbsentKeys<E extends Entries> = {
  [K in keyof E]: E[K] extends Optional<any, infer O> ? undefined extends O ? K : never : never
}[keyof E]

/**
 * The input type of an object schema: a key whose schema is optional or nullish may be absent.
 *
 * @category utility types
 * @since 0.1.0
 */
export type ObjectInput<E extends Entries> = Simplify<
  & { readonly [K in Exclude<keyof E, OptionalKeys<E>>]: InferInput<E[K]> }
  & { readonly [K in OptionalKeys<E>]?: InferInput<E[K]> }
>

/**
 * The output type of an object schema: only the listed keys; an optional key without a default may be absent.
 *
 * @category utility types
 * @since 0.1.0
 */
export type ObjectOutput<E extends Entries> = Simplify<
  & { readonly [K in Exclude<keyof E, AbsentKeys<E>>]: InferOutput<E[K]> }
  & { readonly [K in AbsentKeys<E>]?: InferOutput<E[K]> }
>

// Starts an object's (or a record's) dataset: a type issue and undefined when the input is not an object, otherwise
// the dataset typed so far with a fresh output object as its value, returned for the entries to fill.
const objectOutput = (dataset: Dataset): Record<string, unknown> | undefined => {
  if (!dataset.value || typeof dataset.value !== "object") {
    addIssue(dataset, "type", { expected: "Object" })
    return undefined
  }
  const out: Record<string, unknown> = {}
  dataset.typed = true
  dataset.value = out
  return out
}

/**
 * An object with the listed keys (others are dropped). A key that is absent is an issue unless its schema is
 * optional or nullish; an absent key with a default gets the default.
 *
 * @category constructors
 * @since 0.1.0
 */
export const object = <E extends Entries>(entries: E): Schema<ObjectInput<E>, ObjectOutput<E>> =>
  schema("object", "Object", (dataset) => {
    const input = dataset.value as Record<string, unknown>
    const out = objectOutput(dataset)
    if (out === undefined) return dataset
    for (const key in entries) {
      const entry = entries[key]!
      const optional = entry.type === "optional" || entry.type === "nullish"
      if (key in input || (optional && entry.default !== undefined)) {
        const value = key in input
          ? input[key]
          : typeof entry.default === "function"
          ? (entry.default as () => unknown)()
          : entry.default
        out[key] = runNested(dataset, entry, value, key)
      } else if (!optional) {
        addIssue(dataset, "key", { input: undefined, expected: `"${key}"`, path: [key] })
      }
    }
    return dataset
  })

/**
 * An object used as a dictionary: every own key (except `__proto__`, `prototype` and `constructor`, which are
 * dropped) with a value matching `value`; issues name the key.
 *
 * @category constructors
 * @since 0.1.0
 */
export const record = <I, O>(value: Schema<I, O>): Schema<Record<string, I>, Record<string, O>> =>
  schema("record", "Object", (dataset) => {
    const input = dataset.value as Record<string, unknown>
    const out = objectOutput(dataset)
    if (out === undefined) return dataset
    for (const key in input) {
      if (!Object.hasOwn(input, key) || key === "__proto__" || key === "prototype" || key === "constructor") continue
      out[key] = runNested(dataset, value, input[key], key)
    }
    return dataset
  })

/**
 * The first of `options` that matches. When none does: the issues of the one option whose type matched, if exactly
 * one did; otherwise one type issue naming every option's type.
 *
 * @category constructors
 * @since 0.1.0
 */
export const union = <const S extends ReadonlyArray<Schema<any, any>>>(
  options: S
): Schema<InferInput<S[number]>, InferOutput<S[number]>> => {
  const expects = [...new Set(options.map((option) => option.expects))]
  const expected = expects.length > 1 ? `(${expects.join(" | ")})` : expects[0] ?? "never"
  return schema("union", expected, (dataset) => {
    const typed: Array<Dataset> = []
    const untyped: Array<Dataset> = []
    for (const option of options) {
      const result = option["~run"]({ typed: false, value: dataset.value })
      if (result.typed && !result.issues) return result
      ;(result.typed ? typed : untyped).push(result)
    }
    const failed = typed.length > 0 ? typed : untyped
    if (failed.length === 1) return failed[0]!
    addIssue(dataset, "type", { expected })
    if (typed.length > 0) dataset.typed = true
    return dataset
  })
}

/**
 * `first`, then each step in turn. Validations after a failed one still run (so every problem is named); a schema
 * or a transformation after a failure does not, and the value counts as not matching.
 *
 * @category constructors
 * @since 0.1.0
 */
export const pipe: {
  <I, A>(first: Schema<I, A>): Schema<I, A>
  <I, A, B>(first: Schema<I, A>, a: Step<A, B>): Schema<I, B>
  <I, A, B, C>(first: Schema<I, A>, a: Step<A, B>, b: Step<B, C>): Schema<I, C>
  <I, A, B, C, D>(first: Schema<I, A>, a: Step<A, B>, b: Step<B, C>, c: Step<C, D>): Schema<I, D>
  <I, A, B, C, D, F>(first: Schema<I, A>, a: Step<A, B>, b: Step<B, C>, c: Step<C, D>, d: Step<D, F>): Schema<I, F>
} = (first: Schema<any, any>, ...steps: Array<Step<any, any>>): Schema<any, any> =>
  schema(first.type, first.expects, (input) => {
    let dataset = first["~run"](input)
    for (const step of steps) {
      if (dataset.issues && step.kind !== "validation") {
        dataset.typed = false
        break
      }
      dataset = step["~run"](dataset)
    }
    return dataset
  }, { default: first.default })

const validation = <A>(
  label: string,
  test: (value: A) => boolean,
  message?: Message,
  expected?: string,
  received?: (value: A) => string
): Step<A, A> => ({
  kind: "validation",
  "~run": (dataset) => {
    const value = dataset.value as A
    if (dataset.typed && !test(value)) {
      addIssue(dataset, label, {
        expected: expected ?? null,
        message,
        schema: false,
        ...(received && { received: received(value) })
      })
    }
    return dataset
  }
})

const transformation = <A, B>(operation: (value: A) => B): Step<A, B> => ({
  kind: "transformation",
  "~run": (dataset) => {
    dataset.value = operation(dataset.value as A)
    return dataset
  }
})

/**
 * A custom check; `message` (a string, or a function of the issue) replaces `Invalid input: Received ...`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const check = <A>(test: (value: A) => boolean, message?: string | ((issue: Issue) => string)): Step<A, A> =>
  validation("input", test, message)

/**
 * At least `min` characters (or items).
 *
 * @category constructors
 * @since 0.1.0
 */
export const minLength = <A extends { readonly length: number }>(min: number): Step<A, A> =>
  validation("length", (value) => value.length >= min, undefined, `>=${min}`, (value) => `${value.length}`)

/**
 * At most `max` characters (or items).
 *
 * @category constructors
 * @since 0.1.0
 */
export const maxLength = <A extends { readonly length: number }>(max: number): Step<A, A> =>
  validation("length", (value) => value.length <= max, undefined, `<=${max}`, (value) => `${value.length}`)

/**
 * A safe integer.
 *
 * @category constructors
 * @since 0.1.0
 */
export const safeInteger = (): Step<number, number> => validation<number>("safe integer", Number.isSafeInteger)

/**
 * A string the WHATWG URL parser accepts.
 *
 * @category constructors
 * @since 0.1.0
 */
export const url = (): Step<string, string> => validation("URL", (value: string) => URL.canParse(value))

// valibot's: ASCII only (no `i` flag).
const emailPattern = /^[\w+-]+(?:\.[\w+-]+)*@[\da-zA-Z]+(?:[.-][\da-zA-Z]+)*\.[a-zA-Z]{2,}$/u

/**
 * An email address (valibot's pattern: ASCII, a dotted domain with a TLD of 2 letters or more).
 *
 * @category constructors
 * @since 0.1.0
 */
export const email = (): Step<string, string> => validation("email", (value: string) => emailPattern.test(value))

/**
 * Trims whitespace at both ends.
 *
 * @category constructors
 * @since 0.1.0
 */
export const trim = (): Step<string, string> => transformation((value: string) => value.trim())

/**
 * Maps the value.
 *
 * @category constructors
 * @since 0.1.0
 */
export const transform = <A, B>(operation: (value: A) => B): Step<A, B> => transformation(operation)
