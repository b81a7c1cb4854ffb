/**
 * Why `rulefx init` refuses to write a project from an unreleased CLI (version 0.0.0), in words that fit where the CLI
 * runs from: a rulefx clone (link the project to it), or an install from a registry or tarball of the user's own (npx,
 * pnpm dlx), where there is no clone to name and `--allow-unreleased` is the way when that registry serves 0.0.0.
 */

// `--link <clone>`, with what it does.
const link = (to: string) =>
  `add --link ${to} (its dependencies become link:s into the clone, installed with pnpm; the project's README says how)`

/** The refusal; `clone`: the rulefx clone this CLI runs from, as a shell word, or undefined when it was installed. */
export const refusal = (version: string, clone: string | undefined): string => {
  const depends = `the project would depend on @rulefx/core@^${version}, which no public registry has`
  return clone === undefined
    ? `this rulefx CLI is an unreleased build (version ${version}, installed from a registry or tarball of your own, ` +
      `not a release): ${depends}, so its install fails with a 404 unless your registry serves it. If it does (a ` +
      `local registry holding rulefx's packages), add --allow-unreleased; otherwise link the project to a rulefx ` +
      `clone: ${link("<a rulefx clone>")}`
    : `this rulefx CLI is an unreleased build (version ${version}, run from the rulefx clone at ${clone}): ${depends}, ` +
      `and its install would fail with a 404. Link the project to the clone instead: ${link(clone)}. With a registry ` +
      `of your own that serves these versions, add --allow-unreleased`
}
