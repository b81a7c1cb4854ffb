/**
 * DeployCliExport: writes a built Action in auth0-deploy-cli's directory layout, so teams that deploy with that tool
 * (`a0deploy import --input_file <dir>`) can adopt rulefx. Node-side only.
 *
 * Writes `actions/<name>/code.js` and `actions/<name>.json` (runtime node22, `deployed: true`, and the trigger whose
 * handler the file exports, e.g. post-login v3 or credentials-exchange v2, or the one given). Secret values are never written: each secret is a `##NAME##` keyword, which deploy-cli replaces from its
 * `AUTH0_KEYWORD_REPLACE_MAPPINGS`. Bindings: deploy-cli replaces the whole list of every trigger named in
 * `triggers/triggers.json`, so an existing file gets our binding added to the Action's trigger with every other binding
 * kept in order; a missing file is only created when asked (`bind`), because a file listing only this Action would
 * unbind every other Action of that trigger on import.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as ActionDependencies from "./ActionDependencies.ts"
import * as Bundle from "./Bundle.ts"
import * as GeneratedSource from "./GeneratedSource.ts"
import { noSecretsWarning } from "./internal/noSecrets.ts"
import * as Triggers from "./Triggers.ts"

/**
 * Export options.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  readonly file: string
  readonly name: string
  readonly out: string
  /** Names of the Action's secrets (values are never exported). */
  readonly secrets?: ReadonlyArray<string>
  /**
   * The Action's npm dependencies. A file built with `--runtime npm` adds `@rulefx/action-runtime` at the exact
   * version it requires (ActionDependencies.declare); giving it at another version is refused.
   */
  readonly dependencies?: ReadonlyArray<{ readonly name: string; readonly version: string }>
  /** Create triggers/triggers.json when it does not exist. */
  readonly bind?: boolean
  /**
   * The trigger the Action is for. Default: the one whose handler the file exports (Triggers.fromSource), and
   * post-login when it exports none rulefx knows.
   */
  readonly trigger?: string
  /**
   * The trigger's version. Default: the one rulefx's handler is written against (Triggers); an export reads no
   * tenant, so check it against your tenant's `GET /api/v2/actions/triggers` (rulefx deploy does).
   */
  readonly triggerVersion?: string
}

/**
 * What was written, and anything the user should know.
 *
 * @category models
 * @since 0.1.0
 */
export interface Report {
  readonly written: ReadonlyArray<string>
  readonly notes: ReadonlyArray<string>
  /**
   * What would break the deployed Action: the Rules settings its legacy rules read (GeneratedSource.settingsIn) that
   * are not exported as secrets, whose logins would be denied.
   */
  readonly warnings: ReadonlyArray<string>
  /** The trigger written in `supported_triggers` and bound to. */
  readonly trigger?: { readonly id: string; readonly version: string }
}

/**
 * The export failed; the message names the file and the problem.
 *
 * @category errors
 * @since 0.1.0
 */
export class ExportError extends Data.TaggedError("ExportError")<{ readonly file: string; readonly problem: string }> {
  override get message(): string {
    return `${this.file}: ${this.problem}`
  }
}

/**
 * The file and folder name deploy-cli uses for an Action name.
 *
 * @category getters
 * @since 0.1.0
 */
export const sanitize = (name: string): string =>
  // Leading dots too: "." or ".." would write outside actions/.
  name.replace(/[^A-Za-z0-9._ -]/g, "-").replace(/^\.+/, (dots) => "-".repeat(dots.length))

type Binding = { readonly action_name: string; readonly display_name: string }

// The code a0deploy would send: what `rulefx deploy` refuses, an empty file or one over Auth0's limit, is refused here
// too, rather than at import into the tenant.
const checkCode = (file: string, code: Uint8Array): Effect.Effect<void, ExportError> =>
  code.byteLength > Bundle.auth0Limit
    ? Effect.fail(
      new ExportError({
        file,
        problem: `${Bundle.formatBytes(code.byteLength)} (${code.byteLength} bytes) is over Auth0's limit of 100 kB ` +
          `(${Bundle.auth0Limit} bytes) for one Action`
      })
    )
    : new TextDecoder().decode(code).trim().length === 0
    ? Effect.fail(new ExportError({ file, problem: "the file is empty" }))
    : Effect.void

const io = <A>(file: string, problem: string, f: () => Promise<A>): Effect.Effect<A, ExportError> =>
  Effect.tryPromise({ try: f, catch: () => new ExportError({ file, problem }) })

const readTriggers = (file: string): Effect.Effect<Record<string, unknown> | undefined, ExportError> =>
  io(file, "cannot be read", () =>
    readFile(file, "utf8").catch((e: unknown) => {
      if (Predicate.hasProperty(e, "code") && e.code === "ENOENT") return undefined
      throw e
    })).pipe(
      Effect.flatMap((text) =>
        text === undefined
          ? Effect.succeed(undefined)
          : Effect.try({
            try: () => JSON.parse(text) as unknown,
            catch: () => new ExportError({ file, problem: "is not valid JSON" })
          }).pipe(
            Effect.filterOrFail(
              (json): json is Record<string, unknown> => Predicate.isObject(json) && !Array.isArray(json),
              () => new ExportError({ file, problem: "is not a JSON object of trigger bindings" })
            )
          )
      )
    )

/**
 * Writes the layout.
 *
 * @category constructors
 * @since 0.1.0
 */
export const write = (options: Options): Effect.Effect<Report, ExportError> =>
  Effect.gen(function*() {
    if (options.name.trim().length === 0) {
      return yield* new ExportError({ file: options.out, problem: "the Action needs a name" })
    }
    const safe = sanitize(options.name)
    const actionsDir = join(options.out, "actions")
    const codeDir = join(actionsDir, safe)
    const codeFile = join(codeDir, "code.js")
    const jsonFile = join(actionsDir, `${safe}.json`)
    const triggersFile = join(options.out, "triggers", "triggers.json")
    const written: Array<string> = []
    const notes: Array<string> = []

    const code = yield* io(options.file, "cannot be read (build the Action first)", () => readFile(options.file))
    yield* checkCode(options.file, code)
    const text = new TextDecoder().decode(code)
    const trigger = yield* triggerOf(options, text)
    const triggerId = trigger.id
    const version = options.triggerVersion ?? trigger.version
    const declared = yield* ActionDependencies.declare(options.file, text, options.dependencies ?? []).pipe(
      Effect.mapError((e) => new ExportError({ file: options.file, problem: e.message }))
    )
    yield* io(codeDir, "cannot be created", () => mkdir(codeDir, { recursive: true }))
    yield* io(codeFile, "cannot be written", () => writeFile(codeFile, code))
    written.push(codeFile)

    const entry = {
      name: options.name,
      code: `./actions/${safe}/code.js`,
      runtime: "node22",
      deployed: true,
      dependencies: declared.dependencies.map(({ name, version }) => ({ name, version })),
      secrets: (options.secrets ?? []).map((name) => ({ name, value: `##${name}##` })),
      supported_triggers: [{ id: triggerId, version }]
    }
    yield* io(jsonFile, "cannot be written", () => writeFile(jsonFile, `${JSON.stringify(entry, null, 2)}\n`))
    written.push(jsonFile)
    if (declared.added !== undefined) {
      notes.push(
        `${declared.added.name}@${declared.added.version} is declared as a dependency in ${jsonFile}: ` +
          `${options.file} was built with --runtime npm against it`
      )
    }
    if (entry.secrets.length > 0) {
      notes.push(
        `secret values are keywords (${entry.secrets.map((s) => s.value).join(", ")}): set them in ` +
          "AUTH0_KEYWORD_REPLACE_MAPPINGS when you run a0deploy"
      )
    }

    const ours: Binding = { action_name: options.name, display_name: options.name }
    const triggers = yield* readTriggers(triggersFile)
    if (triggers === undefined && options.bind !== true) {
      notes.push(
        `${triggersFile} does not exist and was not created: a0deploy would replace the tenant's whole ${triggerId} ` +
          "flow with it. Export the tenant's triggers first, or pass --bind to create it with this Action only."
      )
    } else {
      const current = triggers?.[triggerId]
      if (current !== undefined && !Array.isArray(current)) {
        return yield* new ExportError({ file: triggersFile, problem: `${triggerId} is not a list of bindings` })
      }
      const existing: Array<Binding> = current ?? []
      const bound = existing.some((b) => Predicate.hasProperty(b, "action_name") && b.action_name === options.name)
      const next = { ...triggers, [triggerId]: bound ? existing : [...existing, ours] }
      yield* io(join(options.out, "triggers"), "cannot be created", () =>
        mkdir(join(options.out, "triggers"), { recursive: true }))
      yield* io(triggersFile, "cannot be written", () =>
        writeFile(triggersFile, `${JSON.stringify(next, null, 2)}\n`))
      written.push(triggersFile)
      if (!bound) {
        notes.push(`bound to ${triggerId} after ${existing.length} existing binding(s), kept in order`)
      }
    }
    const warnings = [
      ...ActionDependencies.unreleased(declared.dependencies),
      ...missingSecrets(options, text)
    ]
    return { written, notes, warnings, trigger: { id: triggerId, version } }
  })

// The settings the file's legacy rules read that are not exported: without them those rules deny every login.
const keywordNote = ": its names are exported, its values never; set them in AUTH0_KEYWORD_REPLACE_MAPPINGS when " +
  "you run a0deploy"

const missingSecrets = (options: Options, code: string): ReadonlyArray<string> => [
  ...GeneratedSource.settingsMissingWarning(options.file, code, options.secrets ?? [], {
    lacking: "which are not exported as secrets: once deployed,",
    send: "Export",
    flagsNote: "",
    fileNote: keywordNote
  }),
  ...noSecretsWarning(code, options.secrets ?? [], {
    lacking: `no secrets are exported for ${options.name}: once deployed,`,
    send: "Export",
    fileNote: keywordNote
  })
]

// The trigger the file is for: the one given (refused when the file exports another's handler), else the one whose
// handler it exports, else post-login.
const triggerOf = (options: Options, code: string): Effect.Effect<Triggers.Trigger, ExportError> => {
  const exported = Triggers.fromSource(code)
  if (options.trigger !== undefined) {
    const named = Triggers.byId(options.trigger)
    if (named === undefined) {
      return Effect.fail(
        new ExportError({
          file: options.file,
          problem: `${options.trigger} is not a trigger rulefx knows (${Triggers.ids.join(", ")})`
        })
      )
    }
    const other = exported.find((t) => t.id !== named.id)
    return other === undefined
      ? Effect.succeed(named)
      : Effect.fail(
        new ExportError({
          file: options.file,
          problem: `exports ${other.handlers[0]}, the handler of ${other.id}, not of ${named.id}`
        })
      )
  }
  if (exported.length > 1) {
    return Effect.fail(
      new ExportError({
        file: options.file,
        problem: `exports the handlers of several triggers (${exported.map((t) => t.id).join(", ")})`
      })
    )
  }
  return Effect.succeed(exported[0] ?? Triggers.byId("post-login")!)
}
