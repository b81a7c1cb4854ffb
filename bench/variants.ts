/**
 * Candidate size cuts, each a patch over a copy of the sources (packages/*\/src, the example, bench/trivial), built
 * the way the Action is built and compared byte for byte with an unpatched copy. Nothing here touches the real
 * sources: run.ts copies them into a temporary folder first.
 *
 * A patch names the text it replaces. When someone has since changed that text, the variant is reported as "does
 * not apply" instead of measured: the list stays honest about what it measured.
 */

/** One text replacement in one file (a path relative to the repository root). */
export interface Patch {
  readonly file: string
  readonly find: string | RegExp
  readonly replace: string
  /** The text may be absent from this file (a pattern applied to several files); otherwise absence fails the variant. */
  readonly optional?: boolean
}

/** A patch to one of effect's own dist modules, applied as esbuild loads it (an upstream change, not ours). */
export interface EffectPatch {
  readonly module: string
  readonly find: RegExp
  readonly replace: string
}

/** A candidate cut. */
export interface Variant {
  readonly name: string
  /** What the cut does, in one sentence. */
  readonly what: string
  /** Whose change it is: rulefx's sources, or effect itself. */
  readonly owner: "rulefx" | "effect"
  /** Whether the built Action keeps the seed's behaviour (checked by the equivalence run for the combined cut). */
  readonly keepsBehaviour: string
  readonly patches: ReadonlyArray<Patch>
  readonly effectPatches?: ReadonlyArray<EffectPatch>
  /** Extra files to write into the copy (path relative to the copy's root, content). */
  readonly files?: ReadonlyArray<{ readonly path: string; readonly content: string }>
}

const postLogin = "packages/adapter-auth0/src/PostLogin.ts"
const logger = "packages/adapter-auth0/src/internal/logger.ts"
const rule = "packages/core/src/Rule.ts"
const sellerApi = "packages/rules/src/SellerApi.ts"
const action = "examples/seller-login/src/action.ts"
const trivial = "bench/trivial/action.ts"

/** Appends `text` to the end of `file`. */
const append = (file: string, text: string): Patch => ({ file, find: /$(?![\s\S])/, replace: `\n${text}\n` })

/** The cuts, each measured alone against the unpatched copy, then all rulefx-owned ones together. */
export const variants: ReadonlyArray<Variant> = [
  {
    name: "no-cause-pretty",
    what: "render causes for the log with a 3-line helper instead of `Cause.pretty` (stack cleaning, Formatter)",
    owner: "rulefx",
    keepsBehaviour: "yes for the user and the api calls; log lines carry the error tag instead of a pretty cause",
    patches: [postLogin, rule, logger].flatMap((file) => [
      { file, find: /Cause\.pretty\(/g, replace: "renderCause(" },
      append(
        file,
        `function renderCause(cause: Cause.Cause<unknown>): string {
  return cause.reasons.map((r) => r._tag === "Fail" ? String((r.error as { _tag?: unknown } | undefined)?._tag ?? r.error) : r._tag === "Die" ? String(r.defect) : "interrupted").join("; ")
}`
      )
    ])
  },
  {
    name: "fn-untraced-to-gen",
    what: "write SellerApi's `Effect.fnUntraced(function*...)` as a function returning `Effect.gen`",
    owner: "rulefx",
    keepsBehaviour: "yes",
    patches: [{
      file: sellerApi,
      find: "const makeLive = Effect.fnUntraced(function*(options: Options) {",
      replace: "const makeLive = (options: Options) => Effect.gen(function*() {"
    }]
  },
  {
    name: "no-layer",
    what:
      "the user's services as an Effect that builds a Context (`Effect.provideContext`) instead of a Layer built per login (`Layer.buildWithMemoMap`, MemoMap, Scope); Login, Secrets and Cache are one Context already",
    owner: "rulefx",
    keepsBehaviour:
      "yes for logins (services are still built per login, inside the run); no for users: `PostLogin.make(pipeline, layer)` would take an Effect instead of a Layer",
    patches: [
      {
        file: postLogin,
        find: /Effect\.scopedWith\(\(scope\) =>[\s\S]*?withAll\(withAll\(context, services\), base\)\)\s*\)\s*\)\s*\)/,
        replace: `(layer as unknown as Effect.Effect<Context.Context<ROut>, LE>).pipe(
    Effect.updateContext((context: Context.Context<never>) => withAll(context, base)),
    Effect.tapCause((cause) => Effect.logError(\`services failed to build: \${describeCause(cause)}\`)),
    Effect.flatMap((services) =>
      Effect.updateContext(run, (context: Context.Context<never>) => withAll(withAll(context, services), base))
    )
  )`
      },
      ...["packages/core/src/Login.ts", "packages/core/src/Secrets.ts"].flatMap((file) => [
        { file, find: /Layer\.succeed\(/g, replace: "noLayer(" },
        append(
          file,
          `function noLayer(..._args: Array<unknown>): never {
  throw new Error("this build has no Layer")
}`
        )
      ]),
      ...[sellerApi, "packages/rules/src/Crypto.ts"].flatMap((file) => [
        { file, find: /Layer\.succeed\(/g, replace: "contextSucceed(", optional: true },
        { file, find: /Layer\.effect\(/g, replace: "contextEffect(", optional: true },
        append(
          file,
          `function contextSucceed<I, S>(key: Context.Key<I, S>, service: S): any {
  return Effect.succeed(Context.make(key, service))
}
function contextEffect<I, S, E, R>(key: Context.Key<I, S>, effect: Effect.Effect<S, E, R>): any {
  return Effect.map(effect, (service) => Context.make(key, service))
}`
        )
      ]),
      // SellerApi.layer is an Effect that builds its Context in this build (contextEffect above); Crypto is a
      // Context.Reference, in no layer.
      {
        file: action,
        find: "export const layer = SellerApi.layer",
        replace: "export const layer: any = SellerApi.layer"
      },
      {
        file: trivial,
        find: "PostLogin.make(pipeline, Layer.empty)",
        replace: "PostLogin.make(pipeline, Effect.succeed(Context.empty()) as any)"
      },
      {
        file: trivial,
        find: `import * as Layer from "effect/Layer"`,
        replace: `import * as Context from "effect/Context"\nimport * as Effect from "effect/Effect"`
      }
    ]
  },
  {
    name: "no-effect-logger",
    what:
      "log with `Effect.sync(() => console.log(...))` instead of Effect.log*/annotateLogs/Logger (upper bound: drops the user/rule/fact prefixes)",
    owner: "rulefx",
    keepsBehaviour:
      "yes for the user and the api calls; log lines lose their user/rule/fact annotations, and a user's own `Effect.log*` lines lose the rulefx format (the adapter no longer installs its logger)",
    patches: [
      postLogin,
      rule,
      "packages/adapter-auth0/src/Auth0Cache.ts",
      "packages/core/src/Secrets.ts",
      "packages/core/src/Fact.ts",
      "packages/rules/src/CurrentSeller.ts"
    ].flatMap((file) => [
      { file, find: /Effect\.log(Error|Info|Warning)\(/g, replace: "plainLog(\"$1\", ", optional: true },
      { file, find: /Effect\.annotateLogs\(/g, replace: "noAnnotations(", optional: true },
      {
        file,
        find: /Effect\.provideService\(References\.CurrentLoggers, new Set\(\[logger\]\)\)/g,
        replace: "noAnnotations(0)",
        optional: true
      },
      append(
        file,
        `function plainLog(level: string, message: string): Effect.Effect<void> {
  // oxlint-disable-next-line no-console
  return Effect.sync(() => console.log(\`rulefx \${level.toUpperCase()} \${message}\`.slice(0, 256)))
}
function noAnnotations(_: unknown): <A>(self: A) => A {
  return (self) => self
}`
      )
    ])
  },
  {
    name: "effect: Duration without parsing",
    what:
      "effect's `Duration.fromInputUnsafe` accepting only numbers, bigints and Durations (no \"5 seconds\" strings, tuples or objects); every timeout goes through it",
    owner: "effect",
    keepsBehaviour: "yes for rulefx, which passes Durations and numbers; an upstream change, not ours to make",
    patches: [],
    effectPatches: [{
      module: "Duration.js",
      find: /export const fromInputUnsafe = input => \{[\s\S]*?\n\};\n/,
      replace:
        "export const fromInputUnsafe = input => typeof input === \"number\" ? millis(input) : typeof input === \"bigint\" ? nanos(input) : typeof input === \"object\" && input !== null && TypeId in input ? input : invalid(input);\n"
    }]
  }
]

/** Cuts that only pay off together, measured as pairs too. */
export const pairs: ReadonlyArray<readonly [string, string]> = [["no-cause-pretty", "no-effect-logger"]]

/** The name of the combined cut: every rulefx-owned variant at once. */
export const combinedName = "all rulefx cuts together"

/** The name of the combined cut plus effect's own changes. */
export const combinedWithEffectName = "all cuts, plus effect's"
