/**
 * ActionDependencies: the npm dependencies a built Action is declared with, for `rulefx deploy` and `rulefx export`:
 * the ones given (`--dependency name@version`) and, for an Action built with `--runtime npm`, the runtime at the exact
 * version its code requires (read from the file: `ActionRuntime.requiredBy`), so that nobody has to copy it from the
 * build's report. Within Auth0's 10 per Action. Node-side only.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as ActionRuntime from "./ActionRuntime.ts"

/**
 * One npm dependency of an Action, at one version.
 *
 * @category models
 * @since 0.1.0
 */
export interface Dependency {
  readonly name: string
  readonly version: string
}

/**
 * The dependencies to declare, and the runtime's when it was added from the file (not given).
 *
 * @category models
 * @since 0.1.0
 */
export interface Declared {
  readonly dependencies: ReadonlyArray<Dependency>
  readonly added: Dependency | undefined
}

/**
 * Auth0's limit on one Action's npm dependencies.
 *
 * @category constructors
 * @since 0.1.0
 */
export const max = 10

/**
 * The dependencies an Action of `code` is declared with: `given`, and `@rulefx/action-runtime` at the version the
 * code requires, after them, unless it is given at that version already. Fails when the runtime is given at another
 * version (the file refuses to load on it), when the code requires two versions, when it requires the runtime at no
 * version it says (an edited file) and the runtime is not given, or when the whole list is over Auth0's 10.
 *
 * @category constructors
 * @since 0.1.0
 */
export const declare = (
  file: string,
  code: string,
  given: ReadonlyArray<Dependency>
): Effect.Effect<Declared, DependencyError> => {
  const versions = ActionRuntime.requiredBy(code)
  if (versions.length > 1) {
    return Effect.fail(
      new DependencyError({
        message: `${file} requires ${
          versions.map((v) => `${ActionRuntime.packageName}@${v}`).join(" and ")
        }: an Action loads one; build it again`
      })
    )
  }
  const version = versions[0]
  if (
    version === undefined && ActionRuntime.requiresRuntime(code) &&
    !given.some((d) => d.name === ActionRuntime.packageName)
  ) {
    return Effect.fail(
      new DependencyError({
        message: `${file} requires ${ActionRuntime.packageName} but not at a version it says (no ` +
          `"rulefx:requires ${ActionRuntime.packageName}@<version>" check in it: was the file edited?), so it ` +
          `cannot be declared from the file, and without it the Action fails every login; build it again with ` +
          `--runtime npm, or give --dependency ${ActionRuntime.packageName}@<version>`
      })
    )
  }
  const runtime = version === undefined ? undefined : { name: ActionRuntime.packageName, version }
  const other = runtime === undefined
    ? undefined
    : given.find((d) => d.name === runtime.name && d.version !== runtime.version)
  if (runtime !== undefined && other !== undefined) {
    return Effect.fail(
      new DependencyError({
        message: `--dependency ${other.name}@${other.version}: ${file} was built with --runtime npm against ` +
          `${runtime.name}@${runtime.version} and refuses to load on any other version; leave out --dependency ` +
          `${other.name} (it is declared from the file), or build the Action again against ${other.version}`
      })
    )
  }
  const added = runtime !== undefined && !given.some((d) => d.name === runtime.name) ? runtime : undefined
  const dependencies = added === undefined ? given : [...given, added]
  if (dependencies.length > max) {
    return Effect.fail(
      new DependencyError({
        message: `${dependencies.length} dependencies${
          added === undefined
            ? ""
            : ` with ${added.name}@${added.version}, which ${file} requires (it was built with --runtime npm)`
        }; Auth0 allows ${max} per Action`
      })
    )
  }
  return Effect.succeed({ dependencies, added })
}

/**
 * The Action's dependencies cannot be declared as given; the message says why and what to do.
 *
 * @category errors
 * @since 0.1.0
 */
export class DependencyError extends Data.TaggedError("DependencyError")<{ readonly message: string }> {}

/**
 * The warning for the runtime among an Action's `dependencies` (declared from the file or given with `--dependency`)
 * when its version is a clone's build (0.0.0): no registry has it, so Auth0 cannot install it; none for a released
 * version. `rulefx deploy` and `rulefx export` print it on stderr with their other warnings.
 *
 * @category getters
 * @since 0.1.0
 */
export const unreleased = (dependencies: ReadonlyArray<Dependency>): ReadonlyArray<string> =>
  dependencies.flatMap((d) =>
    d.name === ActionRuntime.packageName && d.version === "0.0.0"
      ? [
        `${d.name}@0.0.0 is an unreleased build (a rulefx clone's) that no registry has, so Auth0 cannot install ` +
        "it: build against a released version before deploying (or publish it to a registry your tenant reads)"
      ]
      : []
  )
