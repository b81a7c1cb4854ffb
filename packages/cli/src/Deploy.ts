/**
 * Deploy: puts a built Action on an Auth0 tenant through the official `auth0` Management API SDK, for
 * `rulefx deploy`. Node-side only.
 *
 * One way through, in this order: get a token (client credentials); read the tenant's trigger list and take the
 * current version of the Action's trigger (the one whose handler the file exports, e.g. post-login, or the one given);
 * find the Action by name; create it or update it (code, runtime node22, that trigger and version, secrets,
 * dependencies); poll it until its build is `built`; deploy it; read every binding of the trigger; and bind it after
 * them, keeping every other binding, its ref and its display name in order. An Action that is already bound keeps its place, and the bindings are not written at all:
 * its new version runs as soon as it is deployed.
 *
 * Nothing binds before the deploy succeeded, and the bindings are written in one request that replaces the whole
 * list, so a failure at any step leaves the flow as it was: never half bound. The requests themselves, their
 * decoding and their retries after a 429 are ManagementClient's. A dry run only reads (token, the triggers, the
 * Action, the bindings) and reports the plan.
 *
 * Secrets: the values go to Auth0 and nowhere else. Reports and progress lines name secrets, error messages are
 * scrubbed of every secret value and of the client secret.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as ActionDependencies from "./ActionDependencies.ts"
import * as Bundle from "./Bundle.ts"
import * as GeneratedSource from "./GeneratedSource.ts"
import { readText } from "./internal/files.ts"
import { noSecretsWarning } from "./internal/noSecrets.ts"
import * as ManagementClient from "./ManagementClient.ts"
import * as SecretsFile from "./SecretsFile.ts"
import * as Triggers from "./Triggers.ts"

/**
 * Deploy options.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The built Action (one CommonJS file, from `rulefx build`). */
  readonly file: string
  /** The Action's name in Auth0; an Action of that name is updated, otherwise one is created. */
  readonly name: string
  /**
   * Every secret the Action has after the deploy (Auth0 gets the full list). Empty on an update leaves the Action's
   * secrets as they are.
   */
  readonly secrets: Readonly<Record<string, Redacted.Redacted<string>>>
  /**
   * The Action's npm dependencies. A file built with `--runtime npm` adds `@rulefx/action-runtime` at the exact
   * version it requires (ActionDependencies.declare); giving it at another version is refused.
   */
  readonly dependencies: ReadonlyArray<{ readonly name: string; readonly version: string }>
  /** Only read, and report what would be done. */
  readonly dryRun: boolean
  readonly credentials: {
    /** The tenant's domain, e.g. `acme.eu.auth0.com` (a leading `https://` is accepted). */
    readonly domain: string
    readonly clientId: string
    readonly clientSecret: Redacted.Redacted<string>
  }
  /** How long the build may take. Default 2 minutes. */
  readonly buildTimeout?: Duration.Input
  /** Between two looks at the build. Default 2 seconds. */
  readonly pollInterval?: Duration.Input
  /** How many times one request is retried after a 429. Default 4. */
  readonly rateLimitRetries?: number
  /**
   * Where `https://<domain>` really is, e.g. `http://127.0.0.1:PORT` for tests: the token endpoint and the API are
   * requested there, with everything else unchanged.
   */
  readonly baseUrl?: string
  /** Receives one line per step, build poll and rate-limit wait. */
  readonly onProgress?: (line: string) => void
  /**
   * The trigger the Action is for. Default: the one whose handler the file exports (Triggers.fromSource), and
   * post-login when it exports none rulefx knows. Its version is read from the tenant's trigger list.
   */
  readonly trigger?: string
}

/**
 * One post-login binding, as reported.
 *
 * @category models
 * @since 0.1.0
 */
export interface Binding {
  readonly displayName: string
  readonly actionId: string | undefined
  readonly actionName: string | undefined
  /** This deploy's Action. */
  readonly ours: boolean
}

/**
 * What was done or, for a dry run, what would be done. Secrets appear by name only.
 *
 * @category models
 * @since 0.1.0
 */
export interface Report {
  readonly dryRun: boolean
  readonly name: string
  readonly operation: "create" | "update"
  /** Undefined only in a dry run that would create the Action. */
  readonly actionId: string | undefined
  readonly codeBytes: number
  /** The secrets sent, by name. */
  readonly secrets: ReadonlyArray<string>
  /** The dependencies sent: those given, and the runtime a `--runtime npm` file requires. */
  readonly dependencies: ReadonlyArray<{ readonly name: string; readonly version: string }>
  /** The number of the deployed version; undefined in a dry run. */
  readonly version: number | undefined
  readonly bindings: {
    readonly before: ReadonlyArray<Binding>
    readonly after: ReadonlyArray<Binding>
    /** `append`: bound after the others; `keep`: already bound, the bindings are not written. */
    readonly change: "append" | "keep"
  }
  readonly notes: ReadonlyArray<string>
  /**
   * What would break the deployed Action: the Rules settings its legacy rules read (GeneratedSource.settingsIn) that
   * it will not have as secrets (neither sent nor, on an update that sends none, already there), whose logins would be
   * denied.
   */
  readonly warnings: ReadonlyArray<string>
  /** The trigger and the version the tenant lists as current for it. */
  readonly trigger?: { readonly id: string; readonly version: string }
}

/**
 * Why a deploy failed.
 *
 * @category models
 * @since 0.1.0
 */
export type Reason =
  | "Unauthorized"
  | "Forbidden"
  | "RateLimited"
  | "BuildFailed"
  | "BuildTimeout"
  | "NotFound"
  | "InvalidFile"
  | "InvalidConfig"
  | "Api"

/**
 * The trigger rulefx Actions run on.
 *
 * @category constructors
 * @since 0.1.0
 */
export const trigger = "post-login"

/**
 * The default time a build may take.
 *
 * @category constructors
 * @since 0.1.0
 */
export const defaultBuildTimeout: Duration.Duration = Duration.minutes(2)

/**
 * The default time between two looks at a build (what auth0-deploy-cli uses).
 *
 * @category constructors
 * @since 0.1.0
 */
export const defaultPollInterval: Duration.Duration = Duration.seconds(2)

const maxSecrets = 30
const secretName = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/

const fail = (reason: Reason, message: string) => new DeployError({ reason, message })

/**
 * Reads secrets: a file (a JSON object of strings, or `NAME=value` lines; see SecretsFile) and names read from the
 * environment through Config (`--secret NAME` reads the variable NAME). A name given both ways takes the
 * environment's value. Values stay Redacted.
 *
 * @category constructors
 * @since 0.1.0
 */
export const loadSecrets = Effect.fn("Deploy.loadSecrets")(function*(options: {
  readonly file?: string | undefined
  readonly names?: ReadonlyArray<string> | undefined
}): Effect.fn.Return<Record<string, Redacted.Redacted<string>>, DeployError> {
  const secrets: Record<string, Redacted.Redacted<string>> = Object.create(null)
  if (options.file !== undefined) {
    const values = yield* SecretsFile.load(options.file).pipe(
      Effect.mapError((e) => fail("InvalidFile", `secrets file ${e.message}`))
    )
    for (const [name, value] of Object.entries(values)) secrets[name] = Redacted.make(value)
  }
  for (const name of options.names ?? []) {
    if (!secretName.test(name)) {
      // Only what stands before an "=" is shown: whatever follows may be a value typed on the command line.
      return yield* fail(
        "InvalidConfig",
        `--secret ${name.split("=")[0]!.slice(0, 40)}${name.includes("=") ? "=..." : ""}: expected the name of an ` +
          "environment variable (letters, digits, _); values are never given on the command line"
      )
    }
    secrets[name] = yield* Config.Redacted(name).pipe(
      Effect.mapError(() => fail("InvalidConfig", `--secret ${name}: the environment variable ${name} is not set`))
    )
  }
  return secrets
})

/**
 * Parses `name@version` (scoped names too: `@scope/pkg@1.2.3`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const parseDependency = (spec: string): Effect.Effect<{ name: string; version: string }, DeployError> => {
  const at = spec.lastIndexOf("@")
  return at <= 0 || at === spec.length - 1
    ? Effect.fail(fail("InvalidConfig", `--dependency ${spec}: expected name@version, e.g. jsonwebtoken@9.0.2`))
    : Effect.succeed({ name: spec.slice(0, at), version: spec.slice(at + 1) })
}

const renderBinding = (b: Binding, i: number) =>
  `    ${i + 1}. ${b.displayName}${
    b.actionName !== undefined && b.actionName !== b.displayName ? ` (${b.actionName})` : ""
  }${b.ours ? "  <- this Action" : ""}`

const renderBindings = (bindings: ReadonlyArray<Binding>) =>
  bindings.length === 0 ? ["    (none)"] : bindings.map(renderBinding)

/**
 * The report as text for a terminal.
 *
 * @category getters
 * @since 0.1.0
 */
export const render = (report: Report): string => {
  const action = report.dryRun
    ? report.operation === "create"
      ? "would create it, wait for its build and deploy it"
      : `would update ${report.actionId}, wait for its build and deploy it`
    : `${
      report.operation === "create" ? "created" : "updated"
    } ${report.actionId}, built, deployed as version ${report.version}`
  return [
    report.dryRun
      ? `Dry run for ${report.name}: nothing was changed.`
      : `Deployed ${report.name} (${report.actionId}), version ${report.version}.`,
    `  action: ${action}`,
    `  code: ${Bundle.formatBytes(report.codeBytes)} (${report.codeBytes} bytes), runtime node22, trigger ${
      report.trigger === undefined ? "post-login v3" : `${report.trigger.id} ${report.trigger.version}`
    }`,
    `  secrets: ${report.secrets.length === 0 ? "none sent" : `${report.secrets.join(", ")} (values not shown)`}`,
    `  dependencies: ${
      report.dependencies.length === 0 ? "none" : report.dependencies.map((d) => `${d.name}@${d.version}`).join(", ")
    }`,
    `  ${report.trigger?.id ?? "post-login"} bindings before:`,
    ...renderBindings(report.bindings.before),
    `  ${report.trigger?.id ?? "post-login"} bindings after${
      report.bindings.change === "keep" ? " (unchanged, not written)" : ""
    }:`,
    ...renderBindings(report.bindings.after),
    ...report.notes.map((note) => `  note: ${note}`)
  ].join("\n")
}

const normalizeDomain = (domain: string) => domain.trim().replace(/^https?:\/\//, "").replace(/\/+$/, "")

const toBinding = (
  b: ManagementClient.Binding,
  ours: { readonly id: string | undefined; readonly name: string }
): Binding => {
  const actionId = b.action?.id ?? undefined
  const actionName = b.action?.name ?? undefined
  return {
    displayName: b.display_name ?? actionName ?? actionId ?? "(unnamed)",
    actionId,
    actionName,
    ours: (ours.id !== undefined && actionId === ours.id) || actionName === ours.name
  }
}

/**
 * Runs the deploy (or, with `dryRun`, plans it).
 *
 * @category constructors
 * @since 0.1.0
 */
export const run = Effect.fn("Deploy.run")(function*(options: Options): Effect.fn.Return<Report, DeployError> {
  const sensitive = [
    Redacted.value(options.credentials.clientSecret),
    ...Object.values(options.secrets).map(Redacted.value)
  ]
    .filter((value) => value.length >= 4)
    .toSorted((a, b) => b.length - a.length)
  const scrub = (text: string) => sensitive.reduce((out, value) => out.split(value).join("<redacted>"), text)
  return yield* deploy(options, (line) => options.onProgress?.(scrub(line))).pipe(
    Effect.mapError((e) => fail(e.reason, scrub(e.message)))
  )
})

// Management API failures keep their reason; the message says the same in a deploy's words.
const fromApi = (e: ManagementClient.ManagementApiError): DeployError => fail(e.reason, e.message)

interface Checked {
  readonly name: string
  readonly domain: string
  readonly secretNames: ReadonlyArray<string>
}

// What can be checked before anything is read or requested: the name, the domain, the secrets and dependencies.
const check = (options: Options): Effect.Effect<Checked, DeployError> => {
  const name = options.name.trim()
  if (name.length === 0) return Effect.fail(fail("InvalidConfig", "the Action needs a name (--name)"))
  const domain = normalizeDomain(options.credentials.domain)
  if (domain.length === 0 || /[/?#\s@]/.test(domain)) {
    return Effect.fail(fail(
      "InvalidConfig",
      `AUTH0_DOMAIN "${
        ManagementClient.clip(options.credentials.domain)
      }" is not a tenant domain (e.g. acme.eu.auth0.com)`
    ))
  }
  const secretNames = Object.keys(options.secrets).toSorted()
  const badName = secretNames.find((n) => !secretName.test(n))
  if (badName !== undefined) {
    return Effect.fail(
      fail("InvalidConfig", `"${badName.slice(0, 40)}" is not a valid secret name (letters, digits, _)`)
    )
  }
  if (secretNames.length > maxSecrets) {
    return Effect.fail(
      fail("InvalidConfig", `${secretNames.length} secrets given; Auth0 allows ${maxSecrets} per Action`)
    )
  }
  if (options.dependencies.length > ActionDependencies.max) {
    return Effect.fail(fail(
      "InvalidConfig",
      `${options.dependencies.length} dependencies given; Auth0 allows ${ActionDependencies.max} per Action`
    ))
  }
  return Effect.succeed({ name, domain, secretNames })
}

// The built Action's code, within Auth0's limit.
const readCode = Effect.fnUntraced(function*(file: string) {
  const code = yield* readText(file, (problem) =>
    fail(
      "InvalidFile",
      `${file}: ${problem === "no such file" ? "no such file (build the Action first)" : problem}`
    ))
  const codeBytes = Buffer.byteLength(code, "utf8")
  if (code.trim().length === 0) return yield* fail("InvalidFile", `${file}: the file is empty`)
  if (codeBytes > Bundle.auth0Limit) {
    return yield* fail(
      "InvalidFile",
      `${file}: ${Bundle.formatBytes(codeBytes)} (${codeBytes} bytes) is over Auth0's limit of 100 kB ` +
        `(${Bundle.auth0Limit} bytes) for one Action`
    )
  }
  return { code, codeBytes }
})

const secretNamesOf = (found: ManagementClient.Action | undefined): ReadonlyArray<string> =>
  (found?.secrets ?? []).flatMap((s) => Predicate.isString(s.name) ? [s.name] : [])

// The settings the file's legacy rules read that the Action will not have as secrets: without them those rules deny
// every login that reaches them.
const missingSettings = (file: string, code: string, secrets: ReadonlyArray<string>): ReadonlyArray<string> =>
  GeneratedSource.settingsMissingWarning(file, code, secrets, {
    lacking: "which the Action will not have as secrets:",
    send: "Send",
    flagsNote: " (from the environment)",
    fileNote: ""
  })

// What the deploy will do about the Action found (or not): notes on secrets, the secrets the Action will have, and a
// refusal when the Action of that name belongs to another trigger.
const planAction = (
  found: ManagementClient.Action | undefined,
  name: string,
  secretNames: ReadonlyArray<string>,
  trigger: string
): Effect.Effect<
  { readonly sendSecrets: boolean; readonly secrets: ReadonlyArray<string>; readonly notes: ReadonlyArray<string> },
  DeployError
> => {
  const notes: Array<string> = []
  const existingSecrets = secretNamesOf(found)
  const sendSecrets = found === undefined || secretNames.length > 0
  if (found !== undefined && !sendSecrets && existingSecrets.length > 0) {
    notes.push(`no secrets given: the Action's secrets (${existingSecrets.join(", ")}) are left as they are`)
  }
  const dropped = sendSecrets ? existingSecrets.filter((s) => !secretNames.includes(s)) : []
  if (found !== undefined && dropped.length > 0) {
    notes.push(`the full list of secrets is sent; ${dropped.join(", ")} (not given) may be removed from the Action`)
  }
  const triggers = (found?.supported_triggers ?? []).flatMap((t) => Predicate.isString(t.id) ? [t.id] : [])
  if (found !== undefined && triggers.length > 0 && !triggers.includes(trigger)) {
    return Effect.fail(fail(
      "InvalidConfig",
      `the Action ${name} (${found.id}) exists for the ${triggers.join(", ")} trigger, not ${trigger}; ` +
        "choose another --name"
    ))
  }
  return Effect.succeed({ sendSecrets, secrets: sendSecrets ? secretNames : existingSecrets, notes })
}

// Where this Action goes among the bindings: after the others, or where it already is.
const planBindings = (
  before: ReadonlyArray<Binding>,
  id: string | undefined,
  name: string
): { readonly after: ReadonlyArray<Binding>; readonly change: "append" | "keep" } =>
  before.some((b) => b.ours)
    ? { after: before, change: "keep" }
    : { after: [...before, { displayName: name, actionId: id, actionName: name, ours: true }], change: "append" }

const untouched = (trigger: string): string => `Nothing was deployed and the ${trigger} flow is unchanged.`

// Polls the Action until its build is `built`; a failed build or the timeout ends the deploy.
const waitForBuild = Effect.fnUntraced(function*(
  client: ManagementClient.ManagementClient,
  written: ManagementClient.Action,
  options: Options,
  progress: (line: string) => void,
  trigger: string
) {
  const { id, name } = written
  const buildTimeout = Duration.toMillis(options.buildTimeout ?? defaultBuildTimeout)
  const pollInterval = options.pollInterval ?? defaultPollInterval
  const started = yield* Clock.currentTimeMillis
  let lastStatus = written.status ?? "pending"
  yield* Effect.gen(function*() {
    while (true) {
      const action = yield* client.getAction(id).pipe(Effect.mapError(fromApi))
      lastStatus = action.status ?? "unknown"
      const elapsed = (yield* Clock.currentTimeMillis) - started
      progress(`build: ${lastStatus} (${ManagementClient.seconds(elapsed)})`)
      if (lastStatus === "built") return
      if (lastStatus === "failed") {
        const errors = (action.errors ?? []).flatMap((e) => Predicate.isString(e.msg) ? [e.msg] : [])
        return yield* fail(
          "BuildFailed",
          `the build of ${name} (${id}) failed${
            errors.length === 0 ? "" : `: ${ManagementClient.clip(errors.join("; "))}`
          }. ${untouched(trigger)}`
        )
      }
      yield* Effect.sleep(pollInterval)
    }
  }).pipe(
    Effect.timeoutOrElse({
      duration: buildTimeout,
      orElse: () =>
        Effect.fail(
          fail(
            "BuildTimeout",
            `the build of ${name} (${id}) did not finish within ${
              ManagementClient.seconds(buildTimeout)
            } (last status: ${lastStatus}). ` +
              `${untouched(trigger)} Run the deploy again later, or give the build more time (--build-timeout).`
          )
        )
    })
  )
})

// Binds the Action after every other binding, each kept with its ref and display name, in one request.
const bindAfter = Effect.fnUntraced(function*(
  client: ManagementClient.ManagementClient,
  before: ReadonlyArray<Binding>,
  id: string,
  name: string,
  deployed: string,
  progress: (line: string) => void,
  trigger: string
) {
  const refs: Array<ManagementClient.BindingRef> = []
  for (const binding of before) {
    const ref = binding.actionId !== undefined
      ? { type: "action_id" as const, value: binding.actionId }
      : binding.actionName !== undefined
      ? { type: "action_name" as const, value: binding.actionName }
      : undefined
    if (ref === undefined) {
      return yield* fail(
        "Api",
        `the ${trigger} binding "${binding.displayName}" names no action, so it cannot be kept. ${deployed} is not ` +
          `bound; the ${trigger} flow is unchanged.`
      )
    }
    refs.push({ ref, display_name: binding.displayName })
  }
  refs.push({ ref: { type: "action_id", value: id }, display_name: name })
  progress(`binding ${name} to ${trigger} after ${before.length} existing binding(s)`)
  yield* client.updateBindings(trigger, refs).pipe(
    Effect.mapError((e) => fail(e.reason, `${e.message} ${deployed} is not bound; the ${trigger} flow is unchanged.`))
  )
})

// The trigger the file is for: the one given, else the one whose handler it exports, else post-login.
const triggerOf = (options: Options, code: string): Effect.Effect<Triggers.Trigger, DeployError> => {
  if (options.trigger !== undefined) {
    const named = Triggers.byId(options.trigger)
    if (named === undefined) {
      return Effect.fail(
        fail("InvalidConfig", `${options.trigger} is not a trigger rulefx knows (${Triggers.ids.join(", ")})`)
      )
    }
    const exported = Triggers.fromSource(code).filter((t) => t.id !== named.id)
    return exported.length > 0
      ? Effect.fail(fail(
        "InvalidFile",
        `${options.file} exports ${exported[0]!.handlers[0]}, the handler of ${exported[0]!.id}, not of ${named.id}`
      ))
      : Effect.succeed(named)
  }
  const found = Triggers.fromSource(code)
  if (found.length > 1) {
    return Effect.fail(fail(
      "InvalidFile",
      `${options.file} exports the handlers of several triggers (${found.map((t) => t.id).join(", ")}); an Action ` +
        "is for one trigger"
    ))
  }
  return Effect.succeed(found[0] ?? Triggers.byId(trigger)!)
}

// The version the tenant marks CURRENT for the trigger (the newest listed when none is marked): never hard-coded.
const currentVersion = Effect.fnUntraced(function*(client: ManagementClient.ManagementClient, id: string) {
  const listed = (yield* client.listTriggers.pipe(Effect.mapError(fromApi))).filter((t) => t.id === id)
  const pick = listed.find((t) => t.status === "CURRENT") ??
    listed.toSorted((a, b) => (b.version ?? "").localeCompare(a.version ?? "", "en", { numeric: true }))[0]
  const version = pick?.version
  if (version === undefined || version === null) {
    return yield* fail(
      "InvalidConfig",
      `the tenant lists no ${id} trigger (GET /api/v2/actions/triggers). ${untouched(id)}`
    )
  }
  return version
})

const deploy = Effect.fnUntraced(function*(
  options: Options,
  progress: (line: string) => void
): Effect.fn.Return<Report, DeployError> {
  const { domain, name, secretNames } = yield* check(options)
  const { code, codeBytes } = yield* readCode(options.file)
  const trigger = yield* triggerOf(options, code)
  // Before anything is requested: a dependency list Auth0 would refuse, or that the file would not load with.
  const declared = yield* ActionDependencies.declare(options.file, code, options.dependencies).pipe(
    Effect.mapError((e) => fail("InvalidConfig", e.message))
  )
  const client = yield* ManagementClient.make({
    domain,
    clientId: options.credentials.clientId,
    clientSecret: options.credentials.clientSecret,
    onProgress: progress,
    ...(options.rateLimitRetries === undefined ? {} : { rateLimitRetries: options.rateLimitRetries }),
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl })
  }).pipe(Effect.mapError(fromApi))
  const readBindings = (id: string | undefined) =>
    client.listBindings(trigger.id).pipe(Effect.map((raw) => raw.map((b) => toBinding(b, { id, name }))))

  // 1. token
  progress(`getting a token for ${domain}`)
  yield* client.getToken.pipe(Effect.mapError(fromApi))

  // 2. the trigger's current version, from the tenant's own list
  progress(`reading the tenant's triggers (${trigger.id})`)
  const version = yield* currentVersion(client, trigger.id)

  // 3. find the Action
  progress(`looking up the Action ${name}`)
  const found = yield* client.findAction(name).pipe(Effect.mapError(fromApi))
  const { notes, secrets: actionSecrets, sendSecrets } = yield* planAction(found, name, secretNames, trigger.id)
  const warnings = [
    ...ActionDependencies.unreleased(declared.dependencies),
    ...missingSettings(options.file, code, actionSecrets),
    ...noSecretsWarning(code, actionSecrets, {
      lacking: `the Action ${name} will have no secrets:`,
      send: "Send",
      fileNote: ""
    })
  ]
  const secrets = sendSecrets
    ? secretNames.map((secret) => ({ name: secret, value: Redacted.value(options.secrets[secret]!) }))
    : undefined
  const dependencies = declared.dependencies.map(({ name, version }) => ({ name, version }))
  const withRuntime = declared.added === undefined ? notes : [
    ...notes,
    `${declared.added.name}@${declared.added.version} is declared as a dependency: ${options.file} was built with ` +
    "--runtime npm against it"
  ]
  const report = (
    actionId: string | undefined,
    deployedNumber: number | undefined,
    before: ReadonlyArray<Binding>
  ): Report => {
    const position = before.findIndex((b) => b.ours)
    return {
      dryRun: options.dryRun,
      name,
      operation: found === undefined ? "create" : "update",
      actionId,
      codeBytes,
      secrets: secrets === undefined ? [] : secretNames,
      dependencies,
      version: deployedNumber,
      bindings: { before, ...planBindings(before, actionId, name) },
      notes: position >= 0
        ? [
          ...withRuntime,
          `already bound to ${trigger.id} at position ${position + 1} of ${before.length}: the new version runs as ` +
          "soon as it is deployed"
        ]
        : withRuntime,
      warnings,
      trigger: { id: trigger.id, version }
    }
  }

  if (options.dryRun) {
    progress(`dry run: reading the ${trigger.id} bindings`)
    const before = yield* readBindings(found?.id).pipe(Effect.mapError(fromApi))
    return report(found?.id, undefined, before)
  }

  // 3. create or update
  const body: ManagementClient.ActionBody = {
    supported_triggers: [{ id: trigger.id, version }],
    code,
    runtime: "node22",
    dependencies,
    ...(secrets === undefined ? {} : { secrets })
  }
  progress(found === undefined ? `creating the Action ${name}` : `updating the Action ${name} (${found.id})`)
  const written = yield* (found === undefined ? client.createAction(name, body) : client.updateAction(found.id, body))
    .pipe(Effect.mapError(fromApi))
  const id = written.id

  // 4. wait for the build
  yield* waitForBuild(client, { ...written, name }, options, progress, trigger.id)

  // 5. deploy
  progress(`deploying ${name}`)
  const deployedVersion = yield* client.deployAction(id).pipe(Effect.mapError(fromApi))
  const deployed = `${name} was deployed (version ${deployedVersion.number ?? "?"}) but`

  // 6. bind, keeping every other binding in order
  const before = yield* readBindings(id).pipe(
    Effect.mapError((e) =>
      fail(e.reason, `${e.message} ${deployed} is not bound; the ${trigger.id} flow is unchanged.`)
    )
  )
  const result = report(id, deployedVersion.number ?? undefined, before)
  if (result.bindings.change === "keep") {
    progress(`already bound to ${trigger.id}; the bindings are left as they are`)
    return result
  }
  yield* bindAfter(client, before, id, name, deployed, progress, trigger.id)
  return result
})

/**
 * A deploy failed. `message` says what happened and what to do; it never holds the client secret or a secret value.
 *
 * @category errors
 * @since 0.1.0
 */
export class DeployError extends Data.TaggedError("DeployError")<{
  readonly reason: Reason
  readonly message: string
}> {}
