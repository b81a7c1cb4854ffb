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
      "the adapter builds only a ServiceLayer (by running its Effect, as it does per login for the seed already), gives any other layer nothing, and carries no Layer-graph build (`Layer.buildWithMemoMap`, MemoMap, Scope); Login, Secrets and Cache are one Context already",
    owner: "rulefx",
    keepsBehaviour:
      "yes for the seed and the trivial pipeline (their layers are a ServiceLayer and Layer.empty); no for users: any other Layer (`Layer.mergeAll`, `Layer.effect`) would provide nothing",
    patches: [
      {
        file: "packages/adapter-auth0/src/internal/userServices.ts",
        find: /: Effect\.scopedWith\(\(scope\) =>[\s\S]*?Layer\.makeMemoMapUnsafe\(\), scope\)\)\), use\)\s*\)/,
        replace: `: Effect.flatMap(logged(inEvent(Effect.succeed(Context.empty() as never))), use)`
      },
      {
        file: "packages/adapter-auth0/src/internal/userServices.ts",
        find: `import type * as Context from "effect/Context"`,
        replace: `import * as Context from "effect/Context"`
      },
      {
        file: "packages/core/src/ServiceLayer.ts",
        find: "Layer.effectContext(context) as Layer.Layer<I, E, R>",
        replace: "{} as Layer.Layer<I, E, R>"
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
      // Crypto's layers are made when its module loads: an Effect in their place, which no login builds.
      { file: "packages/rules/src/Crypto.ts", find: /Layer\.succeed\(/g, replace: "contextSucceed(" },
      append(
        "packages/rules/src/Crypto.ts",
        `function contextSucceed<I, S>(key: Context.Key<I, S>, service: S): any {
  return Effect.succeed(Context.make(key, service))
}`
      )
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
