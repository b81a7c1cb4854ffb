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

const valibotUsers = [
  "packages/adapter-auth0/src/Auth0Event.ts",
  "packages/rules/src/CurrentSeller.ts",
  "packages/rules/src/DenyRoles.ts",
  "packages/rules/src/EffectiveRoles.ts",
  "packages/rules/src/HashSellerEmail.ts",
  "packages/rules/src/SellerApi.ts",
  "packages/rules/src/SetRoles.ts",
  "packages/rules/src/SetSeller.ts",
  "packages/rules/src/internal/claimOption.ts"
]

/**
 * A validator with the part of valibot's API that rulefx's Action code uses, implementing Standard Schema, written
 * plainly. It stands for "a hand-written validator of our own" in the valibot cut.
 */
const valibotLite = `
const ok = (value) => ({ value })
const bad = (message) => ({ issues: [{ message }] })
const at = (result, key) => ({ issues: result.issues.map((i) => ({ ...i, path: [key, ...(i.path ?? [])] })) })
const schema = (run, extra = {}) => ({ ...extra, run, "~standard": { version: 1, vendor: "lite", validate: run } })
const action = (test, message) => ({ run: (u) => (test(u) ? ok(u) : bad(message)) })
const dangerous = (k) => k === "__proto__" || k === "prototype" || k === "constructor"
export const string = () => schema((u) => (typeof u === "string" ? ok(u) : bad("Invalid type: Expected string")))
export const number = () =>
  schema((u) => (typeof u === "number" && !Number.isNaN(u) ? ok(u) : bad("Invalid type: Expected number")))
export const boolean = () => schema((u) => (typeof u === "boolean" ? ok(u) : bad("Invalid type: Expected boolean")))
export const unknown = () => schema(ok)
export const optional = (s, d) =>
  schema((u) => (u === undefined ? ok(typeof d === "function" ? d() : d) : s.run(u)), { optional: true, d })
export const nullish = (s, d) => schema((u) => (u === undefined || u === null ? ok(d ?? u) : s.run(u)), { optional: true, d })
export const array = (item) =>
  schema((u) => {
    if (!Array.isArray(u)) return bad("Invalid type: Expected Array")
    const out = []
    for (let i = 0; i < u.length; i++) {
      const r = item.run(u[i])
      if (r.issues) return at(r, i)
      out.push(r.value)
    }
    return ok(out)
  })
export const object = (entries) =>
  schema((u) => {
    if (!u || typeof u !== "object") return bad("Invalid type: Expected Object")
    const out = {}
    for (const key in entries) {
      const s = entries[key]
      if (key in u || s.d !== undefined) {
        const r = s.run(key in u ? u[key] : undefined)
        if (r.issues) return at(r, key)
        out[key] = r.value
      } else if (!s.optional) return at(bad("Invalid key: Expected " + key), key)
    }
    return ok(out)
  })
export const record = (key, value) =>
  schema((u) => {
    if (!u || typeof u !== "object") return bad("Invalid type: Expected Object")
    const out = {}
    for (const k in u) {
      if (!Object.hasOwn(u, k) || dangerous(k)) continue
      const r = value.run(u[k])
      if (r.issues) return at(r, k)
      out[k] = r.value
    }
    return ok(out)
  })
export const union = (options) =>
  schema((u) => {
    for (const s of options) {
      const r = s.run(u)
      if (!r.issues) return r
    }
    return bad("Invalid type")
  })
export const pipe = (s, ...actions) =>
  schema(
    (u) => {
      let r = s.run(u)
      for (const a of actions) {
        if (r.issues) return r
        r = a.run(r.value)
      }
      return r
    },
    { optional: s.optional, d: s.d }
  )
export const check = (test, message = "Invalid input") => action(test, message)
export const minLength = (n) => action((u) => u.length >= n, "Invalid length: Expected >=" + n)
export const maxLength = (n) => action((u) => u.length <= n, "Invalid length: Expected <=" + n)
export const safeInteger = () => action(Number.isSafeInteger, "Invalid safe integer")
export const url = () => action((u) => URL.canParse(u), "Invalid URL")
const EMAIL = /^[\\w+-]+(?:\\.[\\w+-]+)*@[\\da-zA-Z]+(?:[.-][\\da-zA-Z]+)*\\.[a-zA-Z]{2,}$/u
export const email = () => action((u) => EMAIL.test(u), "Invalid email")
export const trim = () => ({ run: (u) => ok(u.trim()) })
export const transform = (f) => ({ run: (u) => ok(f(u)) })
`

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
    name: "valibot-to-lite",
    what:
      "swap valibot (event, seller body, sellerId, roles, rule options) for a 90-line hand-written Standard Schema validator",
    owner: "rulefx",
    keepsBehaviour: "yes for these schemas (same checks, same email regex; issue texts differ slightly)",
    files: [{ path: "valibot-lite.js", content: valibotLite }],
    patches: valibotUsers.map((file) => ({
      file,
      find: /from "valibot"/,
      replace: `from "${"../".repeat(file.split("/").length - 1)}valibot-lite.js"`
    }))
  },
  {
    name: "no-layer",
    what:
      "build per-login services as a Context (`Effect.provideContext`) instead of Layers (`Layer.effect/mergeAll/provide`, MemoMap, Scope)",
    owner: "rulefx",
    keepsBehaviour: "yes (services are still built per login, inside the run)",
    patches: [
      {
        file: postLogin,
        find: /const base = Layer\.mergeAll\([\s\S]*?Effect\.annotateLogs\(\{ user: login\.user\.id \}\)\s*\)/,
        replace: `const base = Context.make(Login, login).pipe(Context.add(Secrets, makeSecrets(secrets)))
        return yield* Effect.flatMap(
          Effect.provideContext(layer as unknown as Effect.Effect<Context.Context<never>, LE>, base).pipe(
            Effect.tapCause((cause) => Effect.logError(\`services failed to build: \${describeCause(cause)}\`))
          ),
          (services) => Effect.provideContext(pipeline.run as Effect.Effect<Decision.Decision, E>, Context.merge(services, base))
        ).pipe(Effect.annotateLogs({ user: login.user.id }))`
      },
      {
        file: postLogin,
        find: `import { Secrets } from "@rulefx/core/Secrets"`,
        replace:
          `import { make as makeSecrets, Secrets } from "@rulefx/core/Secrets"\nimport * as Context from "effect/Context"`
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
      {
        file: action,
        find: "export const layer = Layer.mergeAll(SellerApi.layer, Crypto.layer)",
        replace:
          "export const layer: any = Effect.map(Effect.all([SellerApi.layer as any, Crypto.layer as any]), ([a, b]: any) => Context.merge(a, b))"
      },
      {
        file: action,
        find: `import * as Layer from "effect/Layer"`,
        replace: `import * as Context from "effect/Context"\nimport * as Effect from "effect/Effect"`
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
    keepsBehaviour: "yes for the user and the api calls; log lines lose their user/rule/fact annotations",
    patches: [
      postLogin,
      rule,
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
